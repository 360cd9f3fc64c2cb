// `npm run bench:scale`: the webhook's memory and readiness at cluster size (issue 14). A real etcd and
// kube-apiserver (the e2e binaries, test/e2e/cluster.ts) are populated with N realistic Deployments
// (test/helpers/realistic-objects.ts: env, probes, volumes, two containers; server-side applied, so
// with managedFields, and a status written through the status subresource) in 80 namespaces and
// N/5 HPAs (with a status); then `serve --kubeconfig` starts, compiled and with the production Node
// flags (the Dockerfile's), and the bench reports:
// - ready: from the process's start to /readyz answering 200 (both lists done);
// - peak RSS: the process's VmHWM when ready (the kernel's high-water mark: the first list's peak);
// - RSS after sync: VmRSS once the cache is synced and the controller idle (sampled over SCALE_SETTLE s);
// - /validate p50/p99 and req/s for an HPA whose target Deployment is in the cache (load.ts, autocannon).
// Levels grow one control plane: 0, then more objects are added for the next level.
// Env: SCALE_LEVELS (default "0,5000,20000,50000"), SCALE_CONCURRENCY (API writes in flight, 48),
// SCALE_PAGE_SIZE (the cache's list page, default the webhook's 500), SCALE_NODE_FLAGS (default the
// Dockerfile's), SCALE_SERVE (another compiled dist/cli/main.js, e.g. an older build, to compare),
// SCALE_LOAD_S (seconds of /validate load per level, 10), SCALE_SETTLE (seconds sampled after ready, 10);
// SCALE_KUBECONFIG (with SCALE_N, the count it holds): measure once against that cluster, no control plane.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startControlPlane, type ControlPlane } from '../test/e2e/cluster.js';
import { deploymentName, deploymentStatus, hpaStatus, namespaceOf, NAMESPACES, realisticDeployment, realisticHpa } from '../test/helpers/realistic-objects.js';
import { reviewOf } from '../test/helpers/webhook.js';
import { productionNodeFlags } from './node-flags.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const LEVELS = (process.env.SCALE_LEVELS ?? '0,5000,20000,50000').split(',').map(Number);
const CONCURRENCY = Number(process.env.SCALE_CONCURRENCY ?? 48);
const LOAD_S = Number(process.env.SCALE_LOAD_S ?? 10);
const SETTLE_S = Number(process.env.SCALE_SETTLE ?? 10);
const NODE_FLAGS = (process.env.SCALE_NODE_FLAGS ?? productionNodeFlags().join(' ')).split(' ').filter(Boolean);

const f = (x: number, d = 0) => x.toFixed(d);

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The API server, as the admin, with up to CONCURRENCY requests in flight. */
class Api {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, rejectUnauthorized: false });
  constructor(private readonly cp: ControlPlane) {}

  call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: string }> {
    const url = new URL(this.cp.server + path);
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method, agent: this.agent, headers: { authorization: `Bearer ${this.cp.adminToken}`, 'content-type': contentType, ...(data ? { 'content-length': Buffer.byteLength(data) } : {}) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  async apply(path: string, obj: unknown, manager: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.call('PATCH', `${path}?fieldManager=${manager}&force=true`, obj, 'application/apply-patch+yaml');
      if (r.status === 200 || r.status === 201) return;
      // the API server sheds load with 429 (and an occasional 5xx under this much at once): try again
      if ((r.status === 429 || r.status >= 500) && attempt < 10) {
        await new Promise((res) => setTimeout(res, 200 * (attempt + 1)));
        continue;
      }
      throw new Error(`PATCH ${path}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
    }
  }
}

async function inParallel(n: number, from: number, to: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < to) await work(next++);
    }),
  );
}

/** Deployments [from, to) and their HPAs (one per five), each applied and then given a status. */
async function populate(api: Api, from: number, to: number): Promise<void> {
  await inParallel(CONCURRENCY, from, to, async (i) => {
    const ns = namespaceOf(i);
    const name = deploymentName(i);
    const base = `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
    await api.apply(base, realisticDeployment(i), 'bench');
    await api.apply(`${base}/status`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, status: deploymentStatus() }, 'kube-controller-manager');
    if (i % 5 === 0) {
      const h = realisticHpa(i);
      const hbase = `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${h.metadata!.name}`;
      await api.apply(hbase, h, 'bench');
      await api.apply(
        `${hbase}/status`,
        { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: h.metadata!.name, namespace: ns }, status: hpaStatus() },
        'kube-controller-manager',
      );
    }
  });
}

function getReady(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

interface LevelResult {
  n: number;
  populateS: number;
  readyS: number;
  peakMb: number;
  afterSyncMb: number;
  afterSyncMaxMb: number;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

async function measure(cp: Pick<ControlPlane, 'kubeconfigPath'>, serve: string, n: number, populateS: number): Promise<LevelResult> {
  const port = await freePort();
  const certDir = await mkdtemp(join(tmpdir(), 'scale-certs-'));
  const args = [...NODE_FLAGS, serve, 'serve', '--kubeconfig', cp.kubeconfigPath, '--port', String(port), '--host', '127.0.0.1', '--cert-dir', certDir, '--log-level', 'warn'];
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = child.pid!;
  try {
    let exited = false;
    child.once('exit', () => (exited = true));
    // poll /readyz; the process's high-water mark is read at ready, so polling misses no peak
    while ((await getReady(port)) !== 200) {
      if (exited) throw new Error(`serve exited before ready (${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const readyS = (performance.now() - t0) / 1000;
    const peakMb = procStatus(pid, 'VmHWM');
    // settle: the managed-HPA controller takes the lease and writes; RSS sampled each second
    const rss: number[] = [];
    for (let s = 0; s < SETTLE_S; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      rss.push(procStatus(pid, 'VmRSS'));
    }
    // an HPA on an opted-in Deployment (team-00/svc-0 from level 5,000 up): the target lookup and the namespace's HPAs
    const hpa = realisticHpa(40);
    hpa.metadata!.name = 'bench-review';
    const body = JSON.stringify(reviewOf(hpa));
    const spec = JSON.stringify({ url: `https://127.0.0.1:${port}/validate`, body, connections: 8, durationS: LOAD_S });
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'load.ts'), spec], { encoding: 'utf8' });
    const l = JSON.parse(out) as { rps: number; p50: number; p99: number; non2xx: number; errors: number; timeouts: number };
    return { n, populateS, readyS, peakMb, afterSyncMb: rss[rss.length - 1] ?? NaN, afterSyncMaxMb: Math.max(...rss), rps: l.rps, p50: l.p50, p99: l.p99, failed: l.non2xx + l.errors + l.timeouts };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    await rm(certDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let serve = process.env.SCALE_SERVE;
  if (!serve) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
    serve = join(root, 'dist/cli/main.js');
  }
  if (process.env.SCALE_KUBECONFIG) {
    // one measurement against a cluster that is already populated (e.g. another build, to compare)
    const r = await measure({ kubeconfigPath: process.env.SCALE_KUBECONFIG }, serve, Number(process.env.SCALE_N ?? NaN), 0);
    console.log(JSON.stringify({ serve, flags: NODE_FLAGS, ...r }));
    return;
  }
  console.log(`# bench:scale — levels ${LEVELS.join(', ')}; serve: node ${NODE_FLAGS.join(' ')} ${serve}; ${CONCURRENCY} API writes in flight`);
  // etcd's default 2 GiB quota is too small for 50,000 realistic objects written twice
  const cp = await startControlPlane({ controllerManager: false, etcdArgs: ['--quota-backend-bytes=8589934592'] });
  const api = new Api(cp);
  const results: LevelResult[] = [];
  try {
    for (const ns of ['gpu-hpa-webhook', ...Array.from({ length: NAMESPACES }, (_, i) => namespaceOf(i))]) {
      await api.apply(`/api/v1/namespaces/${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, 'bench');
    }
    let have = 0;
    for (const n of LEVELS) {
      const t = performance.now();
      if (n > have) {
        console.error(`populating ${have} → ${n} Deployments (+ HPAs)…`);
        await populate(api, have, n);
        have = n;
      }
      const populateS = (performance.now() - t) / 1000;
      console.error(`populated ${n} in ${f(populateS, 1)} s; starting serve`);
      const r = await measure(cp, serve, n, populateS);
      console.error(JSON.stringify(r));
      results.push(r);
    }
  } finally {
    await cp.stop();
  }
  console.log('\n| Deployments | HPAs | populate s (this level) | ready s | peak RSS MiB (VmHWM) | RSS after sync MiB (last / max over settle) | /validate req/s | p50 ms | p99 ms | failed |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.n} | ${Math.ceil(r.n / 5)} | ${f(r.populateS, 0)} | ${f(r.readyS, 1)} | ${f(r.peakMb)} | ${f(r.afterSyncMb)} / ${f(r.afterSyncMaxMb)} | ${f(r.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${r.failed} |`,
    );
  }
}

await main();
