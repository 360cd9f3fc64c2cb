// The installation the e2e tests run against: a real control plane (cluster.ts), manifests/ applied
// as kustomize renders them, the webhook configurations from `gpu-hpa-webhook certs` with their
// clientConfig rewritten to a loopback URL, and webhook processes (`serve` with the ServiceAccount's
// own token, so manifests/rbac.yaml is what they may do) behind a TCP proxy standing in for the Service.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { AppsV1Api, AutoscalingV2Api, CoordinationV1Api, CoreV1Api, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { runCerts } from '../../src/cli/certs.js';
import { apiMessage, httpStatus } from '../../src/controller/kube.js';
import { freePort, REPO_ROOT, startControlPlane, type ControlPlane, type StartOptions } from './cluster.js';
import { kustomizeBuild } from '../helpers/kustomize.js';

export const NS = 'gpu-hpa-webhook';
/** The cluster's prometheus-adapter ConfigMap, where the shipped install reads it (manifests/deployment.yaml ADAPTER_CONFIGMAP). */
export const ADAPTER_CONFIGMAP = 'monitoring/prometheus-adapter';

/**
 * The prometheus-adapter's ConfigMap as the prometheus-community chart leaves it (namespace monitoring, key
 * config.yaml), with the DCGM rules the project ships merged in: what the platform team has before installing.
 * The Namespace too: manifests/ puts the Role that reads the ConfigMap there.
 */
export async function applyAdapterConfigMap(objects: KubernetesObjectApi, config = readFileSync(join(REPO_ROOT, 'policies', 'prometheus-adapter-rules.yaml'), 'utf8')): Promise<void> {
  const [namespace, name] = ADAPTER_CONFIGMAP.split('/') as [string, string];
  await apply(objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await apply(objects, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { 'config.yaml': config } } as KubernetesObject);
  // and the adapter registered as the metrics APIs' server, as its chart does (Service + APIServices): the webhook
  // judges a metric against these rules only when ours serves its API (src/core/admission/metric-apis.ts). Nothing
  // listens behind the Service; the API server reports the APIServices unavailable, which the webhook does not read.
  // No TLS setting: a test that runs the real adapter (test/loop) applies its caBundle over this registration.
  await apply(objects, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] } } as KubernetesObject);
  for (const group of ['custom.metrics.k8s.io', 'external.metrics.k8s.io']) {
    await apply(objects, {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `v1beta1.${group}` },
      spec: { group, version: 'v1beta1', service: { namespace, name }, groupPriorityMinimum: 100, versionPriority: 100 },
    } as KubernetesObject);
  }
}

export { apiMessage, httpStatus };

/** kustomize build manifests/ (pinned kustomize from scripts/install-kustomize.sh). */
export function renderManifests(): KubernetesObject[] {
  return kustomizeBuild<KubernetesObject>(join(REPO_ROOT, 'manifests'));
}

/** A TCP proxy over the webhook replicas, like a Service: each connection goes to the first backend that accepts it. */
export class ReplicaProxy {
  backends: number[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((client) => {
      this.track(client);
      this.route(client, [...this.backends]);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
  }

  private route(client: Socket, left: number[]): void {
    const port = left.shift();
    if (port === undefined) {
      client.destroy(); // no replica up: the API server sees a failed call
      return;
    }
    const up = this.track(connect(port, '127.0.0.1'));
    let connected = false;
    up.once('error', () => {
      if (!connected) this.route(client, left); // refused: the next replica
    });
    up.once('connect', () => {
      connected = true;
      client.pipe(up).pipe(client);
      // either side gone (a replica stopped): drop the other, as a Service endpoint going away does
      client.on('close', () => up.destroy());
      up.on('close', () => client.destroy());
      client.resume();
    });
  }

  private track(s: Socket): Socket {
    this.sockets.add(s);
    s.on('error', () => s.destroy());
    s.once('close', () => this.sockets.delete(s));
    return s;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy(); // the API server keeps its connections alive
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

export interface LogLine {
  msg?: string;
  [k: string]: unknown;
}

/** One `gpu-hpa-webhook serve` process (run from source with tsx). */
export class WebhookProcess {
  child?: ChildProcess;
  port = 0;
  /** plain-HTTP /metrics (--metrics-port) */
  metricsPort = 0;
  lines: LogLine[] = [];
  identity?: string;

  constructor(
    readonly name: string,
    private readonly args: { kubeconfig: string; certDir: string; serveArgs?: string[]; startTimeoutMs?: number },
  ) {}

  /** until 'synced' (default): its cluster view synced and campaigning; 'listening': serving, maybe not ready */
  async start(until: 'synced' | 'listening' = 'synced'): Promise<void> {
    this.port = await freePort();
    this.metricsPort = await freePort();
    this.lines = [];
    this.identity = undefined; // a restarted replica campaigns under a new identity
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'src/cli/main.ts'),
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--metrics-port',
        String(this.metricsPort),
        // certDir '' : the certificate comes from the Secret (--cert-mode in serveArgs)
        ...(this.args.certDir === '' ? [] : ['--tls-cert', join(this.args.certDir, 'tls.crt'), '--tls-key', join(this.args.certDir, 'tls.key')]),
        '--kubeconfig',
        this.args.kubeconfig,
        '--adapter-configmap',
        ADAPTER_CONFIGMAP,
        '--namespace',
        NS,
        ...(this.args.serveArgs ?? []),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    this.child = child;
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const l = JSON.parse(line) as LogLine;
          this.lines.push(l);
          if (typeof l.identity === 'string' && !this.identity) this.identity = l.identity;
        } catch {
          this.lines.push({ msg: line });
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    process.once('exit', () => child.kill('SIGKILL'));
    await waitUntil(`webhook ${this.name} ready`, this.args.startTimeoutMs ?? 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`webhook ${this.name} exited ${child.exitCode}:\n${this.logText()}`);
      return this.lines.some((l) => l.msg === 'gpu-hpa-webhook serving') && (until === 'listening' || this.identity !== undefined);
    }).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\n${this.logText()}`);
    });
  }

  /** GET /metrics */
  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
  }

  logText(n = 30): string {
    return this.lines
      .slice(-n)
      .map((l) => JSON.stringify(l))
      .join('\n');
  }

  /** SIGTERM and wait for the exit code. */
  async stop(): Promise<number | null> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    const done = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 20_000);
    const code = await done;
    clearTimeout(t);
    return code;
  }

  /** SIGKILL: a crash, no lease release. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGKILL');
    await done;
  }

  /** log lines saying this process wrote a managed HPA */
  writes(): LogLine[] {
    return this.lines.filter((l) => typeof l.msg === 'string' && /^managed HPA (created|updated|deleted)$/.test(l.msg));
  }
}

export async function waitUntil(what: string, timeoutMs: number, ok: () => Promise<boolean> | boolean, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await ok()) return;
    } catch (e) {
      last = e;
      if ((e as Error).message.includes('exited')) throw e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${apiMessage(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Env {
  cp: ControlPlane;
  kc: KubeConfig;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  objects: KubernetesObjectApi;
  proxy: ReplicaProxy;
  webhooks: WebhookProcess[];
  /** what the replicas run with: the ServiceAccount's kubeconfig, the serving certificate's folder (ca.crt too) */
  webhookArgs: { kubeconfig: string; certDir: string; serveArgs?: string[] };
  manifests: KubernetesObject[];
  /** the webhook configurations as installed (clientConfig.url, caBundle) */
  webhookConfigs: KubernetesObject[];
  stop(): Promise<void>;
}

export async function apply(objects: KubernetesObjectApi, obj: KubernetesObject, opts: { dryRun?: boolean; manager?: string } = {}): Promise<KubernetesObject> {
  return objects.patch(obj, undefined, opts.dryRun ? 'All' : undefined, opts.manager ?? 'e2e', true, PatchStrategy.ServerSideApply);
}

export interface SetUpOptions {
  controlPlane?: StartOptions;
  /** more `serve` flags for every replica (test/loop: --policy, --prometheus-url) */
  serveArgs?: string[];
  /** how long a replica may take to start (default 60 s) */
  startTimeoutMs?: number;
  /** after the manifests are applied, before the replicas start (test/loop: the adapter rules ConfigMap) */
  beforeServe?: (cp: ControlPlane, objects: KubernetesObjectApi) => Promise<void>;
}

export async function setUp(replicas = 2, opts: SetUpOptions = {}): Promise<Env> {
  const cp = await startControlPlane(opts.controlPlane);
  const cleanup: Array<() => Promise<unknown>> = [() => cp.stop()];
  const stop = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  };
  try {
    const kc = cp.kubeConfig();
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const core = kc.makeApiClient(CoreV1Api);

    // The cluster's prometheus-adapter ConfigMap, then the install as kustomize renders it, but the webhook
    // configurations (they point at a Service with no pods here; the ones from `certs` are installed below
    // with a URL instead).
    await applyAdapterConfigMap(objects);
    const manifests = renderManifests();
    for (const o of manifests) {
      if (/WebhookConfiguration$/.test(o.kind ?? '')) continue;
      await apply(objects, o);
    }

    // The webhook runs with its ServiceAccount's token: the RBAC of manifests/ is all it has.
    const tr = await core.createNamespacedServiceAccountToken({ name: 'gpu-hpa-webhook', namespace: NS, body: { spec: { audiences: [], expirationSeconds: 7200 } } });
    const token = tr.status?.token;
    if (!token) throw new Error('no ServiceAccount token');
    const saKubeconfig = await cp.writeKubeconfig('webhook-sa', token);

    const certDir = join(cp.dir, 'webhook-certs');
    await mkdir(certDir, { recursive: true });
    const certs = await runCerts({ service: 'gpu-hpa-webhook', namespace: NS, outDir: certDir, extraHosts: ['127.0.0.1', 'localhost'] });
    await opts.beforeServe?.(cp, objects);

    const proxy = new ReplicaProxy();
    await proxy.start();
    cleanup.push(() => proxy.stop());

    const webhooks: WebhookProcess[] = [];
    for (let i = 0; i < replicas; i++) {
      const w = new WebhookProcess(`replica-${i}`, { kubeconfig: saKubeconfig, certDir, serveArgs: opts.serveArgs, startTimeoutMs: opts.startTimeoutMs });
      cleanup.push(() => w.stop());
      await w.start();
      webhooks.push(w);
    }
    proxy.backends = webhooks.map((w) => w.port);

    const webhookConfigs: KubernetesObject[] = [];
    for (const f of certs.files.filter((f) => /WebhookConfiguration/.test(f.description))) {
      for (const doc of parseAllDocuments(readFileSync(f.path, 'utf8'))) {
        const cfg = doc.toJS() as KubernetesObject & { webhooks: Array<{ clientConfig: { url?: string; service?: { path?: string }; caBundle: string } }> };
        for (const wh of cfg.webhooks) {
          const path = wh.clientConfig.service?.path ?? '/';
          delete wh.clientConfig.service;
          wh.clientConfig.url = `https://127.0.0.1:${proxy.port}${path}`;
        }
        await apply(objects, cfg);
        webhookConfigs.push(cfg);
      }
    }

    const apps = kc.makeApiClient(AppsV1Api);
    // The API server picks webhook configurations up asynchronously: wait until a dry-run create is mutated.
    await waitUntil('webhook configurations in force', 30_000, async () => {
      const d = await apps.createNamespacedDeployment({ namespace: 'default', dryRun: 'All', body: deployment('probe', {}) });
      return (d.spec?.template.spec?.tolerations ?? []).some((t) => t.key === 'nvidia.com/gpu');
    });

    return {
      cp,
      kc,
      apps,
      autoscaling: kc.makeApiClient(AutoscalingV2Api),
      core,
      coordination: kc.makeApiClient(CoordinationV1Api),
      objects,
      proxy,
      webhooks,
      webhookArgs: { kubeconfig: saKubeconfig, certDir, serveArgs: opts.serveArgs },
      manifests,
      webhookConfigs,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** An opted-in Deployment with no GPU settings at all (the webhook adds them). */
export function deployment(name: string, annotations: Record<string, string>, opts: { namespace?: string; optIn?: boolean } = {}): KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      labels: opts.optIn === false ? { app: name } : { app: name, 'gpu-hpa.io/enabled': 'true' },
      annotations,
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'server', image: 'registry.example/inference:1' }] },
      },
    },
  };
}

export function hpa(name: string, target: string, metric: string, extra: Record<string, unknown> = {}, namespace = 'default'): KubernetesObject & Record<string, unknown> {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: 1,
      maxReplicas: 2,
      metrics: [{ type: 'Pods', pods: { metric: { name: metric }, target: { type: 'AverageValue', averageValue: '30' } } }],
      ...extra,
    },
  };
}

export function yamlFile<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}
