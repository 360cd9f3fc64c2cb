// The GPU autoscaling loop with every component real but the GPU (issue 12 §1, ../shared/REAL-LOOP.md):
// etcd, kube-apiserver with the aggregation layer, kube-controller-manager (deployment, replicaset, HPA with a
// 5 s sync, node lifecycle, garbage collector, namespace, serviceaccount controllers), kube-scheduler, KWOK for
// the nodes and the pods' lifecycle, Prometheus scraping a DCGM exporter of the test's own with
// honor_labels: false, prometheus-adapter v0.12.0 registered through APIService + Service + EndpointSlice, and
// two `serve` replicas of the webhook behind the shipped manifests' webhook configurations (test/e2e/harness.ts)
// with --prometheus-url and enforcement: deny.
//
// Addresses: everything on loopback but kube-apiserver and Prometheus, which bind the host side of a veth into a
// network namespace the test creates (netns.ts), where the adapter runs: the API server refuses loopback
// endpoints, and the adapter must reach both.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubernetesObject, type V1Node } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { controlPlaneBinaries, freePort, REPO_ROOT, stopProc, tail, type ControlPlane, type Proc } from '../e2e/cluster.js';
import { ADAPTER_CONFIGMAP, apply, setUp, waitUntil, type Env } from '../e2e/harness.js';
import { GpuNodeExporter, KWOK_NODE_ANNOTATION, loopBinaries, startAdapter, startKwok, startPrometheus, startScheduler } from './components.js';
import { policyFile } from '../helpers/fixtures.js';
import { createNetns, type Netns } from './netns.js';
import { aggregationFlags, makePki } from './pki.js';

export const GPU_NODE = 'gpu-node-0';
export const CPU_NODE = 'cpu-node-0';
export const GPUS_PER_NODE = 8;
export const ADAPTER = { name: 'prometheus-adapter', namespace: 'monitoring', port: 6443 };
/** the webhook's and the adapter's discovery interval: short, so the loop is quick */
export const DISCOVERY_INTERVAL = '5s';

/** What happened when, for the run's timeline (printed at the end). */
export class Timeline {
  readonly t0 = Date.now();
  readonly entries: Array<{ at: number; what: string }> = [];
  mark(what: string): void {
    this.entries.push({ at: Date.now(), what });
  }
  render(): string {
    return this.entries.map((e) => `${new Date(e.at).toISOString()}  +${((e.at - this.t0) / 1000).toFixed(1).padStart(6)}s  ${e.what}`).join('\n');
  }
}

/** The rules both the webhook and the adapter run: seed-000's (gpu_utilization) and seed-001's (DCGM_FI_DEV_MEMORY_USED). */
export async function loopAdapterConfig(): Promise<string> {
  const seeds = join(REPO_ROOT, 'test', 'fixtures', 'seeds');
  const a = parse(await readFile(join(seeds, 'seed-000', 'adapter-config.yaml'), 'utf8')) as { rules: unknown[] };
  const b = parse(await readFile(join(seeds, 'seed-001', 'adapter-config.yaml'), 'utf8')) as { rules: unknown[] };
  return stringify({ rules: [...a.rules, ...b.rules] });
}

/**
 * The policy the loop's webhook runs: the shipped default with a `loop` profile as the default — target 30,
 * one to two replicas, scale-up and scale-down without a stabilization window (the default profile's 600 s
 * scale-down window would make the run ten minutes long); enforcement deny.
 */
export function loopPolicyFile(dir: string): string {
  return policyFile(dir, (p) => {
    p.enforcement = 'deny';
    // seed-001's Deployment has its GPU written by hand (not opted in): the loop judges every HPA (scope.hpas: all)
    p.scope = { hpas: 'all' };
    p.defaultProfile = 'loop';
    p.profiles.loop = {
      description: 'test/loop: scales within seconds in both directions',
      target: '30',
      maxReplicas: 2,
      maxReplicasCap: 4,
      minScaleDownStabilizationSeconds: 0,
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 15 }] },
      },
      scaleUpLimit: { maxPodsPerMinute: 8 },
      scaleDownLimit: { maxPodsPerMinute: 4, maxPercentPerMinute: 400 },
    };
  });
}

export interface Loop {
  env: Env;
  cp: ControlPlane;
  core: CoreV1Api;
  netns: Netns;
  exporter: GpuNodeExporter;
  prometheusUrl: string;
  timeline: Timeline;
  /** log tails of the loop's own processes, for failure messages */
  logs(): string;
  /** a raw API call (admin), keeping the response's Warning headers (admission warnings) */
  call: (method: string, path: string, body?: unknown, opts?: { dryRun?: boolean }) => Promise<ApiResponse>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  body: Record<string, unknown>;
  warnings: string[];
}

export async function startLoop(): Promise<Loop> {
  const timeline = new Timeline();
  controlPlaneBinaries();
  const bins = loopBinaries();
  timeline.mark('binaries ready');
  const cleanup: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
  };
  const procs: Proc[] = [];
  const logs = () => procs.map((p) => `--- ${p.name}\n${tail(p.log, 15)}`).join('\n');
  try {
    const netns = createNetns();
    cleanup.push(async () => netns.remove());
    const dir = await mkdtemp(join(tmpdir(), 'gpu-hpa-loop-'));
    cleanup.push(() => (process.env.GPU_HPA_E2E_KEEP ? Promise.resolve() : rm(dir, { recursive: true, force: true })));
    const pki = makePki(dir, ADAPTER);

    // Prometheus and its exporter first: the webhook replicas start with --prometheus-url
    // eslint-disable-next-line prefer-const -- the Proxy below reads it before it is set (a const would throw in its TDZ)
    let core: CoreV1Api | undefined;
    const exporterCore = new Proxy({} as CoreV1Api, {
      get: (_t, k) => {
        if (!core) throw new Error('no API client yet');
        const v = (core as unknown as Record<string | symbol, unknown>)[k];
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(core) : v;
      },
    });
    const exporter = new GpuNodeExporter(exporterCore, GPU_NODE, GPUS_PER_NODE);
    await exporter.start();
    cleanup.push(() => exporter.stop());
    const promPort = await freePort();
    const prometheusUrl = `http://${netns.hostIp}:${promPort}`;
    const prom = startPrometheus({ listen: `${netns.hostIp}:${promPort}`, exporterPort: exporter.port, exporterPod: 'nvidia-dcgm-exporter-x7k2p', dir });
    procs.push(prom);
    cleanup.push(() => stopProc(prom));

    const policy = loopPolicyFile(dir);
    const adapterConfig = await loopAdapterConfig();
    const adapterConfigFile = join(dir, 'adapter-config.yaml');
    await writeFile(adapterConfigFile, adapterConfig);

    const env = await setUp(2, {
      controlPlane: {
        host: netns.hostIp,
        apiserverArgs: aggregationFlags(pki),
        controllers: [
          'deployment-controller',
          'replicaset-controller',
          'horizontal-pod-autoscaler-controller',
          'garbage-collector-controller',
          'namespace-controller',
          'serviceaccount-controller',
          // new Nodes get node.kubernetes.io/not-ready:NoSchedule, which only this controller removes
          'node-lifecycle-controller',
        ],
        controllerManagerArgs: ['--horizontal-pod-autoscaler-sync-period=5s'],
      },
      // the whole loop shares two cores with other work: a replica (tsx compiling the sources) may start slowly
      startTimeoutMs: 240_000,
      serveArgs: ['--policy', policy, '--prometheus-url', prometheusUrl, '--discovery-interval', DISCOVERY_INTERVAL],
      // the webhook reads the adapter's rules from the manifests' ConfigMap: the same rules the adapter runs
      beforeServe: async (_cp, objects) => {
        const [ns, name] = ADAPTER_CONFIGMAP.split('/');
        await apply(objects, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { 'config.yaml': adapterConfig } } as KubernetesObject, { manager: 'loop' });
      },
    });
    cleanup.push(() => env.stop());
    timeline.mark('control plane and webhook replicas up');
    const cp = env.cp;
    core = env.core;

    const scheduler = startScheduler(bins.scheduler, cp.kubeconfigPath, dir);
    procs.push(scheduler);
    cleanup.push(() => stopProc(scheduler));
    const kwok = startKwok(bins, cp.kubeconfigPath, await freePort(), dir);
    procs.push(kwok);
    cleanup.push(() => stopProc(kwok));

    // the adapter, inside the namespace, reaching kube-apiserver and Prometheus on the host side of the veth
    await apply(env.objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ADAPTER.namespace } }, { manager: 'loop' });
    const adapter = startAdapter({
      bin: bins.adapter,
      exec: netns.exec,
      kubeconfig: cp.kubeconfigPath,
      prometheusUrl,
      configFile: adapterConfigFile,
      cert: pki.adapterCert,
      key: pki.adapterKey,
      port: ADAPTER.port,
      relistInterval: '10s',
      dir,
    });
    procs.push(adapter);
    cleanup.push(() => stopProc(adapter));
    for (const o of adapterRegistration(netns.nsIp, pki.adapterCaBundle)) await apply(env.objects, o, { manager: 'loop' });

    // the nodes: one GPU node as the GPU operator leaves it (label, taint, nvidia.com/gpu advertised), one plain node
    await core.createNode({ body: gpuNode(GPU_NODE) });
    await core.createNode({ body: plainNode(CPU_NODE) });

    const call = (method: string, path: string, body?: unknown, opts: { dryRun?: boolean } = {}) => apiCall(cp, method, path, body, opts);
    await waitUntil('both nodes Ready and schedulable', 90_000, async () => {
      for (const name of [GPU_NODE, CPU_NODE]) {
        const n = await core.readNode({ name });
        const ready = n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        const notReadyTaint = n.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/'));
        if (!ready || notReadyTaint) return false;
      }
      return true;
    });
    timeline.mark('nodes Ready (KWOK), not-ready taint removed (node-lifecycle-controller)');
    await waitUntil('the custom metrics API served by prometheus-adapter through the aggregation layer', 120_000, async () => {
      assertAlive(procs);
      const r = await call('GET', '/apis/custom.metrics.k8s.io/v1beta1');
      return r.status === 200;
    });
    timeline.mark('custom.metrics.k8s.io/v1beta1 served by prometheus-adapter (APIService Available)');
    await waitUntil('both webhook replicas past their first series discovery pass', 60_000, () =>
      env.webhooks.every((w) => w.lines.some((l) => l.msg === 'series discovery ready; admission judges by the series Prometheus has')),
    );
    timeline.mark('webhook replicas: first series discovery pass done');

    return { env, cp, core, netns, exporter, prometheusUrl, timeline, logs, call, stop };
  } catch (e) {
    const msg = `${(e as Error).message}\n${logs()}`;
    await stop();
    throw new Error(msg);
  }
}

function assertAlive(procs: Proc[]): void {
  for (const p of procs) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) — process exited:\n${tail(p.log)}`);
  }
}

/**
 * APIService + Service without selector + EndpointSlice at the namespace side of the veth (aggregator routing).
 * `groups`: the APIs registered (the loop's HPAs read custom metrics only; test/adapter-diff adds external).
 */
export function adapterRegistration(ip: string, caBundle: string, groups: string[] = ['custom.metrics.k8s.io']): KubernetesObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: ADAPTER.name, namespace: ADAPTER.namespace },
      spec: { ports: [{ name: 'https', port: 443, targetPort: ADAPTER.port, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${ADAPTER.name}-netns`, namespace: ADAPTER.namespace, labels: { 'kubernetes.io/service-name': ADAPTER.name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports: [{ name: 'https', port: ADAPTER.port, protocol: 'TCP' }],
    },
    ...groups.map((group) => ({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: `v1beta1.${group}` },
      spec: {
        service: { name: ADAPTER.name, namespace: ADAPTER.namespace, port: 443 },
        group,
        version: 'v1beta1',
        caBundle,
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    })),
  ] as unknown as KubernetesObject[];
}

function nodeStatus(extra: Record<string, string>): NonNullable<V1Node['status']> {
  const capacity = { cpu: '32', memory: '256Gi', pods: '110', ...extra };
  return { capacity, allocatable: capacity, phase: 'Running' };
}

/** A GPU node as GPU Feature Discovery and the GPU operator leave it (KWOK plays its kubelet). */
function gpuNode(name: string): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value, 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok', 'nvidia.com/gpu.present': 'true', 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' },
    },
    spec: { taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] },
    status: nodeStatus({ 'nvidia.com/gpu': String(GPUS_PER_NODE) }),
  };
}

function plainNode(name: string): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value, 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', type: 'kwok' },
    },
    status: nodeStatus({}),
  };
}

function apiCall(cp: ControlPlane, method: string, path: string, body: unknown, opts: { dryRun?: boolean }): Promise<ApiResponse> {
  const url = new URL(cp.server + path);
  if (opts.dryRun) url.searchParams.set('dryRun', 'All');
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((res, rej) => {
    const req = request(
      url,
      {
        method,
        rejectUnauthorized: false,
        headers: { authorization: `Bearer ${cp.adminToken}`, accept: 'application/json', ...(data ? { 'content-type': 'application/json' } : {}) },
        timeout: 15_000,
      },
      (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (text += c));
        r.on('end', () => {
          const w = r.headers.warning;
          // header values arrive as latin1: the API server sends the warnings' UTF-8 bytes (an ellipsis of a clipped one)
          const warnings = (Array.isArray(w) ? w : w ? [w] : []).map((h) => Buffer.from(h, 'latin1').toString('utf8')).flatMap(splitWarnings);
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { text };
          }
          res({ status: r.statusCode ?? 0, body: parsed, warnings });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on('error', rej);
    if (data) req.write(data);
    req.end();
  });
}

/** `299 - "text", 299 - "other"` → texts (RFC 7234 warn-text, as the API server writes admission warnings). */
function splitWarnings(h: string): string[] {
  const out: string[] = [];
  const re = /\d{3} [^ ]+ "((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(h))) out.push(m[1]!.replace(/\\(.)/g, '$1'));
  return out;
}
