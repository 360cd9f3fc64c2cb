// `npm run bench:scale`: the webhook's memory and readiness at cluster size (issue 14). A real etcd and
// kube-apiserver (the e2e binaries, test/e2e/cluster.ts) are populated with N realistic Deployments
// (test/helpers/realistic-objects.ts: env, probes, volumes, two containers; server-side applied, so
// with managedFields, and a status written through the status subresource) in 80 namespaces and
// N/5 HPAs (with a status); then `serve --kubeconfig` starts, compiled and with the production Node
// flags (the Dockerfile's), and the bench reports:
// - ready: from the process's start to /readyz answering 200 (both lists done);
// - peak RSS: the process's VmHWM when ready (the kernel's high-water mark: the first list's peak);
// - controller idle: from ready until serve leads and its managed-HPA queue is empty (/metrics);
// - RSS after sync: VmRSS once the cache is synced and the controller idle (sampled over SCALE_SETTLE s);
// - /validate p50/p99 and req/s for an HPA whose target Deployment is in the cache (load.ts, autocannon).
// Levels grow one control plane: 0, then more objects are added for the next level.
// Env: SCALE_LEVELS (default "0,5000,20000,50000"), SCALE_CONCURRENCY (API writes in flight, 48),
// SCALE_PAGE_SIZE (the cache's list page, default the webhook's 500), SCALE_NODE_FLAGS (default the
// Dockerfile's), SCALE_SERVE (another compiled dist/cli/main.js, e.g. an older build, to compare),
// SCALE_LOAD_S (seconds of /validate load per level, 10), SCALE_SETTLE (seconds sampled after ready, 10);
// SCALE_KUBECONFIG (with SCALE_N, the count it holds): measure once against that cluster, no control plane;
// SCALE_LOG_LEVEL (warn; info shows how each list was read and how long it took), SCALE_NICE (19): the niceness populating runs at (a level is measured at the bench's own);
// SCALE_HOLD=1: after the last level keep the populated control plane running (its kubeconfig is printed)
// until SIGTERM/SIGINT, to measure other builds against it with SCALE_KUBECONFIG (also when a level's serve failed).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { getPriority, setPriority, tmpdir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startControlPlane, type ControlPlane } from '../test/e2e/cluster.js';
import { deploymentName, deploymentStatus, hpaStatus, namespaceOf, NAMESPACES, realisticDeployment, realisticHpa } from '../test/helpers/realistic-objects.js';
import { MANAGED_BY_LABEL } from '../src/core/annotations.js';
import { reviewOf } from '../test/helpers/webhook.js';
import { productionNodeFlags } from './node-flags.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const LEVELS = (process.env.SCALE_LEVELS ?? '0,5000,20000,50000').split(',').map(Number);
const CONCURRENCY = Number(process.env.SCALE_CONCURRENCY ?? 48);
const ETCD_CONCURRENCY = 16;
const LOAD_S = Number(process.env.SCALE_LOAD_S ?? 10);
const SETTLE_S = Number(process.env.SCALE_SETTLE ?? 10);
const LOG_LEVEL = process.env.SCALE_LOG_LEVEL ?? 'warn';
const NODE_FLAGS = (process.env.SCALE_NODE_FLAGS ?? productionNodeFlags().join(' ')).split(' ').filter(Boolean);

const f = (x: number, d = 0) => x.toFixed(d);

/** This process and every descendant (the control plane, serve, the load generator), each thread. */
function ourThreads(): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const ours = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (ours.has(pid) || !ours.has(ppid)) continue;
      ours.add(pid);
      grew = true;
    }
  }
  const tids: number[] = [];
  for (const pid of ours) {
    try {
      for (const t of readdirSync(`/proc/${pid}/task`)) tids.push(Number(t));
    } catch {
      /* gone */
    }
  }
  return tids;
}

/**
 * Populating is long and CPU-heavy on a shared machine: it runs at SCALE_NICE (19); a level is measured at
 * the niceness the bench was started with, so a neighbour's build does not starve the figures. Linux's
 * niceness is per thread: every thread of every descendant is set. Lowering it again needs CAP_SYS_NICE;
 * without it the measurement stays niced, and the bench says so.
 */
const START_NICE = getPriority();
const POPULATE_NICE = Number(process.env.SCALE_NICE ?? 19);
let niceWarned = false;
function setNice(n: number): void {
  for (const tid of ourThreads()) {
    try {
      setPriority(tid, n);
    } catch (e) {
      if (!niceWarned) console.error(`cannot set niceness ${n} (${(e as Error).message}): figures measured niced`);
      niceWarned = true;
    }
  }
}

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

  /** Server-side apply; the object as stored (the answer). */
  async apply(path: string, obj: unknown, manager: string): Promise<Stored> {
    for (let attempt = 0; ; attempt++) {
      const r = await this.call('PATCH', `${path}?fieldManager=${manager}&force=true`, obj, 'application/apply-patch+yaml');
      if (r.status === 200 || r.status === 201) return JSON.parse(r.body) as Stored;
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

type Stored = { metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string } } & Record<string, unknown>;

const depPath = (i: number) => `/apis/apps/v1/namespaces/${namespaceOf(i)}/deployments/${deploymentName(i)}`;
const hpaPath = (i: number) => `/apis/autoscaling/v2/namespaces/${namespaceOf(i)}/horizontalpodautoscalers/${realisticHpa(i).metadata!.name}`;

/** Deployment i and (i a multiple of five) its HPA, applied through the API and given a status; both as stored. */
async function applyOne(api: Api, i: number): Promise<{ dep: Stored; hpa?: Stored }> {
  const ns = namespaceOf(i);
  const name = deploymentName(i);
  await api.apply(depPath(i), realisticDeployment(i), 'bench');
  const dep = await api.apply(`${depPath(i)}/status`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, status: deploymentStatus() }, 'kube-controller-manager');
  if (i % 5 !== 0) return { dep };
  const h = realisticHpa(i);
  await api.apply(hpaPath(i), h, 'bench');
  const hpa = await api.apply(
    `${hpaPath(i)}/status`,
    { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: h.metadata!.name, namespace: ns }, status: hpaStatus() },
    'kube-controller-manager',
  );
  return { dep, hpa };
}

/**
 * Every shape realisticDeployment/realisticHpa make repeats with period 120 (opt-in i%4, managed i%8, profile
 * i%12, resources i%10, HPA i%5): objects 0–119 are the templates, server-side applied through the API.
 */
const TEMPLATES = 120;

/** `over`'s values written onto `base` (arrays element by element): the applied object onto a stored one of its shape. */
function overlay(base: unknown, over: unknown): unknown {
  if (Array.isArray(over) && Array.isArray(base)) return base.map((b, k) => (k < over.length ? overlay(b, over[k]) : b));
  if (over && typeof over === 'object' && base && typeof base === 'object' && !Array.isArray(over) && !Array.isArray(base)) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) out[k] = k in out ? overlay(out[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

/**
 * Object i as the API server would store it after the same applies: its template (i mod 120: the same
 * shape, so the same defaulted fields, managedFields and status) with object i's applied values written
 * over it, a uid of its own and no resourceVersion (etcd's revision is the resourceVersion).
 */
function cloneStored(template: Stored, applied: unknown): Stored {
  // overlay copies every object on the applied paths (metadata among them) and shares the rest with the template: only serialized
  const o = overlay(template, applied) as Stored;
  o.metadata.uid = randomUUID();
  delete o.metadata.resourceVersion;
  return o;
}

/**
 * Deployments [from, to) and their HPAs (one per five). Applying 120,000 objects through one API server
 * on this 2-core machine runs at 8–80 Deployments/s (the neighbours' load decides): 50,000 would take 10
 * minutes to 2 hours. So the 120 templates are server-side applied and given a status through the API,
 * and every further object is its template as stored, with its own values, written straight into etcd
 * (one put each, 16 in flight) as JSON — the API server decodes a JSON value as it does its own
 * protobuf (its storage codec falls back to the universal deserializer), and its watch cache sees the
 * writes as any other. A sample of the clones is then applied again through the API: an apply that
 * changes nothing (same resourceVersion) shows the clone is exactly what the apply would have stored.
 */
async function populate(api: Api, cp: ControlPlane, templates: Array<{ dep: Stored; hpa?: Stored }>, from: number, to: number): Promise<void> {
  const t0 = performance.now();
  await inParallel(CONCURRENCY, from, Math.min(to, TEMPLATES), async (i) => {
    templates[i] = await applyOne(api, i);
  });
  if (from < TEMPLATES) console.error(`  ${Math.min(to, TEMPLATES)} templates applied through the API in ${f((performance.now() - t0) / 1000, 1)} s`);
  const start = Math.max(from, TEMPLATES);
  const b64 = (x: string) => Buffer.from(x).toString('base64');
  // one put per object (each its own revision, as the API server writes them), ETCD_CONCURRENCY in flight
  const put = async (key: string, o: Stored) => {
    const r = await fetch(`${cp.etcd}/v3/kv/put`, { method: 'POST', body: JSON.stringify({ key: b64(key), value: b64(JSON.stringify(o)) }) });
    if (!r.ok) throw new Error(`etcd put ${key}: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
  };
  await inParallel(ETCD_CONCURRENCY, start, to, async (i) => {
    const t = templates[i % TEMPLATES]!;
    const dep = cloneStored(t.dep, realisticDeployment(i));
    await put(`/registry/deployments/${dep.metadata.namespace}/${dep.metadata.name}`, dep);
    if (i % 5 === 0) {
      const hpa = cloneStored(t.hpa!, realisticHpa(i));
      await put(`/registry/horizontalpodautoscalers/${hpa.metadata.namespace}/${hpa.metadata.name}`, hpa);
    }
    if (i > start && i % 10_000 === 0) console.error(`  … ${i} (${f((i - from) / ((performance.now() - t0) / 1000))} Deployments/s)`);
  });
  await verifyPopulated(api, to, start < to ? [start, Math.floor((start + to) / 2), to - 5 - (to % 5)].filter((i) => i >= start) : []);
}

/** An object without what an apply of the same content may still touch: resourceVersion, managedFields' times and order. */
function normal(o: Stored): Stored {
  const c = structuredClone<Stored & { metadata: { managedFields?: Array<{ manager?: string; subresource?: string; time?: string }> } }>(o);
  delete c.metadata.resourceVersion;
  c.metadata.managedFields = c.metadata.managedFields?.map(({ time: _, ...m }) => m).sort((a, b) => `${a.manager}/${a.subresource}`.localeCompare(`${b.manager}/${b.subresource}`));
  return c;
}

/** The paths where a and b differ, with both values. */
function diff(a: unknown, b: unknown, path = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return [`${path}: ${JSON.stringify(a)?.slice(0, 200)} → ${JSON.stringify(b)?.slice(0, 200)}`];
}

/** The API server serves all `n` Deployments and n/5 HPAs, and applying a sample of clones again changes nothing. */
async function verifyPopulated(api: Api, n: number, sample: number[]): Promise<void> {
  // a consistent list (no resourceVersion): the watch cache serves it once it has caught up with etcd's revision
  // (remainingItemCount is not given with a label selector: the pages are counted)
  const count = async (path: string) => {
    let n = 0;
    let cont = '';
    do {
      const l = JSON.parse((await api.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=5000${cont ? `&continue=${cont}` : ''}`)).body) as {
        items: unknown[];
        metadata: { continue?: string };
      };
      n += l.items.length;
      cont = l.metadata.continue ?? '';
    } while (cont);
    return n;
  };
  const deps = await count('/apis/apps/v1/deployments');
  // not counting the HPAs serve's managed-HPA controller wrote at an earlier level (opted-in, gpu-hpa.io/hpa: managed, no team HPA)
  const hpas = await count(`/apis/autoscaling/v2/horizontalpodautoscalers?labelSelector=${encodeURIComponent(`!${MANAGED_BY_LABEL}`)}`);
  if (deps !== n || hpas !== Math.ceil(n / 5)) {
    const names = new Set<string>();
    let cont = '';
    do {
      const l = JSON.parse((await api.call('GET', `/apis/apps/v1/deployments?limit=500${cont ? `&continue=${cont}` : ''}`)).body) as { items: Stored[]; metadata: { continue?: string } };
      for (const d of l.items) names.add(d.metadata.name);
      cont = l.metadata.continue ?? '';
    } while (cont);
    const missing = Array.from({ length: n }, (_, i) => deploymentName(i)).filter((x) => !names.has(x));
    // said loudly, but the populated cluster is not thrown away: the level is measured, its figures suspect
    console.error(`CHECK FAILED: the API server lists ${deps} Deployments and ${hpas} HPAs, not ${n} and ${Math.ceil(n / 5)}; missing: ${missing.slice(0, 20).join(' ')}`);
  }
  let failed = false;
  for (const i of sample) {
    const before = JSON.parse((await api.call('GET', depPath(i))).body) as Stored;
    const after = await api.apply(depPath(i), realisticDeployment(i), 'bench');
    const hb = i % 5 === 0 ? (JSON.parse((await api.call('GET', hpaPath(i))).body) as Stored) : undefined;
    const ha = i % 5 === 0 ? await api.apply(hpaPath(i), realisticHpa(i), 'bench') : undefined;
    const changed = [...diff(normal(before), normal(after)), ...(hb && ha ? diff(normal(hb), normal(ha)) : [])];
    failed ||= changed.length > 0;
    if (changed.length) console.error(`CHECK FAILED: clone ${i}: applying it again through the API changed it — it is not what the apply stores: ${changed.join('; ')}`);
  }
  if (sample.length && !failed) console.error(`  the API server lists ${deps} Deployments and ${hpas} HPAs; re-applying clones ${sample.join(', ')} changed nothing but managedFields' times`);
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

/** Whether serve leads and its managed-HPA queue is empty (its /metrics). */
async function controllerIdle(metricsPort: number): Promise<boolean> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return /^gpu_hpa_webhook_leader 1$/m.test(text) && /^gpu_hpa_webhook_managed_hpa_queue_depth 0$/m.test(text);
  } catch {
    return false;
  }
}

interface LevelResult {
  n: number;
  populateS: number;
  readyS: number;
  /** from ready to the controller's queue empty */
  idleS: number;
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
  const metricsPort = await freePort();
  const certDir = await mkdtemp(join(tmpdir(), 'scale-certs-'));
  const args = [
    ...NODE_FLAGS,
    serve,
    'serve',
    '--kubeconfig',
    cp.kubeconfigPath,
    '--port',
    String(port),
    '--metrics-port',
    String(metricsPort),
    '--host',
    '127.0.0.1',
    '--cert-dir',
    certDir,
    '--log-level',
    LOG_LEVEL,
  ];
  setNice(START_NICE);
  const t0 = performance.now();
  // serve's log (SCALE_LOG_LEVEL=info: each list's time, objects and how it was read) goes to stderr with the bench's
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', LOG_LEVEL === 'warn' ? 'ignore' : 'inherit', 'inherit'] });
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
    // steady state: the managed-HPA controller has taken the lease and worked through what the list brought
    // (at 20,000 Deployments it writes ~2,000 HPAs and Events the first time): its queue empty on /metrics
    const tr = performance.now();
    while (!(await controllerIdle(metricsPort))) {
      if (exited) throw new Error(`serve exited (${child.exitCode})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const idleS = (performance.now() - tr) / 1000;
    // settle: RSS sampled each second
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
    return {
      n,
      populateS,
      readyS,
      idleS,
      peakMb,
      afterSyncMb: rss[rss.length - 1] ?? NaN,
      afterSyncMaxMb: Math.max(...rss),
      rps: l.rps,
      p50: l.p50,
      p99: l.p99,
      failed: l.non2xx + l.errors + l.timeouts,
    };
  } finally {
    setNice(POPULATE_NICE);
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(undefined) : child.once('exit', r)));
    await rm(certDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  setNice(POPULATE_NICE);
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
  const templates: Array<{ dep: Stored; hpa?: Stored }> = [];
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
        await populate(api, cp, templates, have, n);
        have = n;
      }
      const populateS = (performance.now() - t) / 1000;
      console.error(`populated ${n} in ${f(populateS, 1)} s; starting serve`);
      try {
        const r = await measure(cp, serve, n, populateS);
        console.error(JSON.stringify(r));
        results.push(r);
      } catch (e) {
        // a build that fails at this size (OOM) must not cost the populated control plane when it is to be held
        if (process.env.SCALE_HOLD !== '1') throw e;
        console.error(`level ${n}: ${(e as Error).message}`);
      }
    }
    printTable(results);
    if (process.env.SCALE_HOLD === '1') {
      console.error(`holding the control plane: SCALE_KUBECONFIG=${cp.kubeconfigPath} SCALE_N=${have}; SIGTERM (pid ${process.pid}) stops it`);
      await new Promise<void>((r) => {
        process.once('SIGTERM', r);
        process.once('SIGINT', r);
      });
    }
  } finally {
    await cp.stop();
  }
}

function printTable(results: LevelResult[]): void {
  console.log(
    '\n| Deployments | HPAs | populate s (this level) | ready s | controller idle after s | peak RSS MiB (VmHWM) | RSS after sync MiB (last / max over settle) | /validate req/s | p50 ms | p99 ms | failed |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.n} | ${Math.ceil(r.n / 5)} | ${f(r.populateS, 0)} | ${f(r.readyS, 1)} | ${f(r.idleS, 1)} | ${f(r.peakMb)} | ${f(r.afterSyncMb)} / ${f(r.afterSyncMaxMb)} | ${f(r.rps)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${r.failed} |`,
    );
  }
}

await main();
