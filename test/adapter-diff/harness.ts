// The differential test's harness (adapter-diff.e2e.ts): the webhook's live verdict (the rule engine overlaid with a discovery pass, the code
// path of `serve --prometheus-url`) against the REAL prometheus-adapter v0.12.0, on generated configs.
// Real parts: kube-apiserver (+etcd) for the adapter's discovery, authn/authz and pod listing; Prometheus
// (Debian) scraping two exporters of ours; one adapter process per config, queried over HTTPS on loopback
// through its custom/external metrics API exactly as the HPA controller asks. For every generated HPA
// metric: does the adapter return a value for the HPA's namespace and pods, and does the webhook allow it?
// The test passes only when they agree on every one, and prints each disagreement.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import type { AdapterRuleSet } from '../../src/core/adapter/types.js';
import { AdapterConfigError } from '../../src/core/adapter/config.js';
import { verifyMetricsServed } from '../../src/core/validate/hpa-metrics.js';
import { discoverOnce } from '../../src/discovery/refresher.js';
import { parsePrometheusUrl } from '../../src/discovery/prometheus.js';
import { freePort, REPO_ROOT, type ControlPlane } from '../e2e/cluster.js';
import { PROMETHEUS_BIN } from '../e2e-prometheus/harness.js';
import { makeCert } from '../helpers/tls.js';
import { hpaMetric, sentinel, type Ask, type GeneratedConfig } from './generator.js';
import { DEPLOYMENT, EXPECTED_SERIES, EXPORTER, exposition, PLAIN, PODS, WORKLOAD_LABEL } from './series.js';

/**
 * The adapters run with --metrics-relist-interval=1h, so --metrics-max-age (its default: the interval) is an hour:
 * the webhook's discovery looks back as far, as `serve --discovery-interval 1h` would.
 */
export const ADAPTER_MAX_AGE_MS = 3_600_000;

export function adapterBinary(): string {
  if (process.env.PROMETHEUS_ADAPTER_BIN) return process.env.PROMETHEUS_ADAPTER_BIN;
  const out = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'build-loop-binaries.sh'), 'adapter'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.split('\n').find((l) => l.startsWith('adapter='));
  if (!line) throw new Error('scripts/build-loop-binaries.sh printed no adapter= line');
  return line.slice('adapter='.length);
}

export function httpsGet(url: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request(url, { rejectUnauthorized: false, headers: { authorization: `Bearer ${token}` }, timeout: 10_000 }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end();
  });
}

export function kube(cp: ControlPlane, path: string, body: unknown): Promise<void> {
  const data = JSON.stringify(body);
  return new Promise((res, rej) => {
    const req = request(
      `${cp.server}${path}`,
      { method: 'POST', rejectUnauthorized: false, headers: { authorization: `Bearer ${cp.adminToken}`, 'content-type': 'application/json' }, timeout: 10_000 },
      (r) => {
        let out = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (out += c));
        r.on('end', () => ((r.statusCode ?? 0) < 300 || r.statusCode === 409 ? res() : rej(new Error(`POST ${path}: HTTP ${r.statusCode} ${out}`))));
      },
    );
    req.on('error', rej);
    req.end(data);
  });
}

export async function startExporter(series: typeof PLAIN): Promise<{ port: number; server: Server }> {
  const t0 = Date.now();
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(exposition(series, Math.floor((Date.now() - t0) / 1000) + 1));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server };
}

export interface Prom {
  url: string;
  stop(): Promise<void>;
}

/** `host`: the address Prometheus binds (the veth's host side when the adapter runs in the test's network namespace). */
export async function startPrometheus(dir: string, plain: number, clash: number, host = '127.0.0.1'): Promise<Prom> {
  const port = await freePort();
  // scrape_timeout cannot exceed the interval: at 1 s a scrape of the exporters (in the test's busy process) timed
  // out on a loaded machine for minutes, and the adapter's instant queries (5 m lookback) found nothing
  const config = `global:
  scrape_interval: 5s
  scrape_timeout: 5s
scrape_configs:
  - job_name: plain
    static_configs:
      - targets: ['127.0.0.1:${plain}']
  - job_name: clash
    honor_labels: false
    static_configs:
      - targets: ['127.0.0.1:${clash}']
        labels: {namespace: ${EXPORTER.namespace}, pod: ${EXPORTER.pod}, container: ${EXPORTER.container}}
`;
  await writeFile(join(dir, 'prometheus.yml'), config);
  let log = '';
  const child = spawn(PROMETHEUS_BIN, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom-data')}`, `--web.listen-address=${host}:${port}`, '--log.level=warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://${host}:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
  };
  // every series in, and the counters with enough samples for rate() over 1m
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
    try {
      const s = (await (await fetch(`${url}/api/v1/series?match[]=${encodeURIComponent('{job=~"plain|clash"}')}`)).json()) as { data: unknown[] };
      const q = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('min(count_over_time(http_requests_total[1m]))')}`)).json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      const samples = Number(q.data.result[0]?.value[1] ?? 0);
      if (s.data.length >= EXPECTED_SERIES && samples >= 4) return { url, stop };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not scrape every series in 90s:\n${log}`);
    }
    await sleep(250);
  }
}

export type Answer = { value: boolean; detail: string };

/** What the HPA controller would get from the adapter for this ask (pkg/controller/podautoscaler/metrics/client.go). */
export async function askAdapter(base: string, token: string, a: Ask): Promise<Answer> {
  const ns = encodeURIComponent(a.namespace);
  const name = encodeURIComponent(a.name);
  const sel = encodeURIComponent(
    Object.entries(WORKLOAD_LABEL)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
  const path = {
    Pods: `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${ns}/pods/*/${name}?labelSelector=${sel}`,
    Deployment: `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${ns}/deployments.apps/${DEPLOYMENT}/${name}`,
    Namespace: `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${ns}/metrics/${name}`,
    External: `/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns}/${name}`,
  }[a.kind];
  const r = await httpsGet(base + path, token);
  if (r.status !== 200) return { value: false, detail: `HTTP ${r.status}: ${r.body.replace(/\s+/g, ' ').slice(0, 200)}` };
  const body = JSON.parse(r.body) as { items?: unknown[]; value?: unknown };
  if (a.kind === 'Pods' || a.kind === 'External') {
    const n = body.items?.length ?? 0;
    return { value: n > 0, detail: `${n} item(s)` };
  }
  return { value: true, detail: `value ${JSON.stringify(body.value)}` };
}

export interface AdapterRun {
  refused?: string;
  answers: Answer[];
}

export async function runAdapter(bin: string, cp: ControlPlane, promUrl: string, dir: string, cfg: GeneratedConfig): Promise<AdapterRun> {
  // freePort() closes the port before the adapter binds it: another process may take it in between
  for (let attempt = 0; ; attempt++) {
    const r = await runAdapterOnce(bin, cp, promUrl, dir, cfg);
    if (attempt < 3 && r.refused?.includes('address already in use')) continue;
    return r;
  }
}

async function runAdapterOnce(bin: string, cp: ControlPlane, promUrl: string, dir: string, cfg: GeneratedConfig): Promise<AdapterRun> {
  const cfgPath = join(dir, `config-${cfg.id}.yaml`);
  await writeFile(cfgPath, cfg.yaml);
  const port = await freePort();
  let log = '';
  const child: ChildProcess = spawn(
    bin,
    [
      `--config=${cfgPath}`,
      `--prometheus-url=${promUrl}`,
      `--lister-kubeconfig=${cp.kubeconfigPath}`,
      `--authentication-kubeconfig=${cp.kubeconfigPath}`,
      `--authorization-kubeconfig=${cp.kubeconfigPath}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      // one serving certificate for every adapter (generating a key per process costs seconds of CPU)
      `--tls-cert-file=${join(dir, 'serving.crt')}`,
      `--tls-private-key-file=${join(dir, 'serving.key')}`,
      // one discovery pass is all the test reads: the series are in before any adapter starts
      '--metrics-relist-interval=1h',
      '--v=1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const base = `https://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null)
        return {
          refused:
            log
              .split('\n')
              .filter((l) => /unable|error|must|invalid/i.test(l))
              .slice(-2)
              .join(' | ') || `exit ${child.exitCode}`,
          answers: [],
        };
      try {
        const [c, e] = await Promise.all([httpsGet(`${base}/apis/custom.metrics.k8s.io/v1beta1`, cp.adminToken), httpsGet(`${base}/apis/external.metrics.k8s.io/v1beta1`, cp.adminToken)]);
        if (c.status === 200 && c.body.includes(`pods/${sentinel(cfg.id).custom}"`) && e.status === 200 && e.body.includes(`"${sentinel(cfg.id).external}"`)) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`adapter for config ${cfg.id} not ready in 60s:\n${log.slice(-3000)}`);
      await sleep(500);
    }
    const answers: Answer[] = [];
    for (const a of cfg.asks) answers.push(await askAdapter(base, cp.adminToken, a));
    return { answers };
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    }
  }
}

export type Verdict = { allow: boolean; detail: string };

export async function askWebhook(promUrl: string, cfg: GeneratedConfig): Promise<{ refused?: string; verdicts: Verdict[] }> {
  let rules;
  try {
    rules = compileAdapterConfig(cfg.yaml, `config-${cfg.id}`);
  } catch (e) {
    if (e instanceof AdapterConfigError) return { refused: e.issues.join(' | '), verdicts: [] };
    throw e;
  }
  const { rules: live, state } = await discoverOnce(rules, parsePrometheusUrl(promUrl), { timeoutMs: 60_000, lookbackMs: ADAPTER_MAX_AGE_MS });
  if (state.stale) throw new Error(`discovery failed for config ${cfg.id}: ${state.error}`);
  return { verdicts: judge(live, cfg) };
}

/** The engine's verdict for each ask of a config, with these rules (validate/hpa-metrics.ts verifyMetricsServed). */
export function judge(live: AdapterRuleSet, cfg: GeneratedConfig): Verdict[] {
  return cfg.asks.map((a) => {
    // the target's pods exist (the test created them before Prometheus started): what the engine passes for a
    // Deployment available since before the discovery window (validate/target-pods.ts)
    // — and the pods its selector matches, which the HPA controller asks the adapter about
    const pods = { state: 'running' as const, why: `Deployment ${a.namespace}/${DEPLOYMENT} has available pods`, since: 0, names: PODS[a.namespace] ?? [] };
    const check = verifyMetricsServed([hpaMetric(a)], live, a.namespace, pods);
    const allow = check.violations.length === 0;
    return {
      allow,
      detail: allow ? (check.warnings.length > 0 ? `allowed, warning: ${check.warnings.join(' | ')}` : 'allowed') : check.violations.map((v) => `${v.reason}: ${v.message}`).join(' | '),
    };
  });
}

/** A self-signed serving certificate for 127.0.0.1, shared by the adapters (the test skips verification). */
export async function servingCert(dir: string): Promise<void> {
  const pems = await makeCert('adapter-diff');
  await writeFile(join(dir, 'serving.crt'), pems.cert);
  await writeFile(join(dir, 'serving.key'), pems.key, { mode: 0o600 });
}

export async function pool<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}
