// The loop's components besides the control plane and the webhook: where their binaries are, and how each
// runs (kube-scheduler, KWOK, Prometheus, prometheus-adapter, a DCGM exporter of the test's own).
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { REPO_ROOT, start, type Proc } from '../e2e/cluster.js';
import { dcgmExposition, type Gpu } from '../e2e-prometheus/harness.js';

export interface LoopBinaries {
  adapter: string;
  kwok: string;
  kwokStages: string;
  scheduler: string;
}

/** Build (first run) or find the loop's binaries: scripts/build-loop-binaries.sh prints `name=path` lines. */
export function loopBinaries(): LoopBinaries {
  const out = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'build-loop-binaries.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const got = new Map(
    out
      .split('\n')
      .map((l) => l.match(/^([a-z-]+)=(.+)$/))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
  const need = (k: string) => {
    const v = got.get(k);
    if (!v) throw new Error(`scripts/build-loop-binaries.sh printed no ${k}= line:\n${out}`);
    return v;
  };
  return { adapter: need('adapter'), kwok: need('kwok'), kwokStages: need('kwok-stages'), scheduler: need('kube-scheduler') };
}

export function startScheduler(bin: string, kubeconfig: string, dir: string): Proc {
  return start('kube-scheduler', bin, [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0', '--v=1'], dir);
}

/** The annotation KWOK is told to manage nodes by (and only those: --manage-all-nodes=false). */
export const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' };

export function startKwok(bins: LoopBinaries, kubeconfig: string, serverPort: number, dir: string): Proc {
  // a kwok binary has no stages built in: the node (Ready, heartbeat with a Lease) and pod (Running, Ready) ones from its module
  const stages = readdirSync(bins.kwokStages)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => ['-c', join(bins.kwokStages, f)]);
  return start(
    'kwok',
    bins.kwok,
    [
      `--kubeconfig=${kubeconfig}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
      `--server-address=127.0.0.1:${serverPort}`,
      // fake pod IPs, written into status and never contacted
      '--cidr=10.244.0.0/16',
      ...stages,
    ],
    dir,
  );
}

export interface AdapterArgs {
  bin: string;
  /** argv prefix: run inside the test's network namespace */
  exec: (argv: string[]) => string[];
  kubeconfig: string;
  prometheusUrl: string;
  configFile: string;
  cert: string;
  key: string;
  port: number;
  relistInterval: string;
  dir: string;
}

export function startAdapter(a: AdapterArgs): Proc {
  const [cmd, ...args] = a.exec([
    a.bin,
    `--lister-kubeconfig=${a.kubeconfig}`,
    `--authentication-kubeconfig=${a.kubeconfig}`,
    `--authorization-kubeconfig=${a.kubeconfig}`,
    `--prometheus-url=${a.prometheusUrl}`,
    `--config=${a.configFile}`,
    `--metrics-relist-interval=${a.relistInterval}`,
    `--secure-port=${a.port}`,
    `--tls-cert-file=${a.cert}`,
    `--tls-private-key-file=${a.key}`,
    '--v=2',
  ]);
  return start('prometheus-adapter', cmd!, args, a.dir);
}

/** Prometheus scraping the exporter every second, as the GPU operator's ServiceMonitor does: honor_labels false. */
export function startPrometheus(o: { listen: string; exporterPort: number; exporterPod: string; dir: string }): Proc {
  const config = `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  # what the ServiceMonitor of dcgm-exporter renders to: the exporter pod's own labels on its target,
  # honor_labels false, so the workload's namespace/pod/container move to exported_*
  - job_name: gpu-operator/nvidia-dcgm-exporter
    honor_labels: false
    static_configs:
      - targets: ['127.0.0.1:${o.exporterPort}']
        labels:
          namespace: gpu-operator
          pod: ${o.exporterPod}
          container: nvidia-dcgm-exporter
          service: nvidia-dcgm-exporter
`;
  writeFileSync(join(o.dir, 'prometheus.yml'), config);
  return start(
    'prometheus',
    process.env.PROMETHEUS_BIN ?? 'prometheus',
    [`--config.file=${join(o.dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(o.dir, 'prometheus-data')}`, `--web.listen-address=${o.listen}`, '--log.level=warn'],
    o.dir,
  );
}

/**
 * A DCGM exporter for one GPU node, in dcgm-exporter's format (test/e2e-prometheus's dcgmExposition): one series
 * per GPU and field; a GPU held by a running pod carries that pod's namespace/pod/container, as dcgm-exporter's
 * pod-resources mapping writes them. Which pod holds which GPU is read from the API at each scrape (the pods
 * bound to the node, in creation order, each taking as many GPUs as its containers' limits say); the value of
 * a held GPU is what the test set for the pod's `app` label.
 */
function created(p: V1Pod): number {
  const t = p.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

export class GpuNodeExporter {
  private server?: Server;
  port = 0;
  private readonly util = new Map<string, number>();
  private readonly resource: string;

  constructor(
    private readonly core: CoreV1Api,
    readonly node: string,
    readonly gpus: number,
    resource = 'nvidia.com/gpu',
  ) {
    this.resource = resource;
  }

  /** GPU utilization (0..100) for the pods labelled app=<app> */
  set(app: string, value: number): void {
    this.util.set(app, value);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.exposition().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async exposition(): Promise<string> {
    const pods = await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${this.node}` });
    const holders = pods.items
      .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)
      .sort((a, b) => created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const gpus: Gpu[] = [];
    const take = (p: V1Pod) => {
      for (const c of p.spec?.containers ?? []) {
        const n = Number(c.resources?.limits?.[this.resource] ?? 0);
        for (let i = 0; i < n && gpus.length < this.gpus; i++) {
          gpus.push({
            gpu: String(gpus.length),
            uuid: `GPU-${this.node}-${gpus.length}`,
            workload: { namespace: p.metadata?.namespace ?? '', pod: p.metadata?.name ?? '', container: c.name },
            util: this.util.get(p.metadata?.labels?.app ?? '') ?? 0,
          });
        }
      }
    };
    holders.forEach(take);
    // the GPUs no pod holds: exported with empty workload labels, as dcgm-exporter does
    while (gpus.length < this.gpus) gpus.push({ gpu: String(gpus.length), uuid: `GPU-${this.node}-${gpus.length}`, util: 0 });
    return dcgmExposition(gpus, this.node);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
