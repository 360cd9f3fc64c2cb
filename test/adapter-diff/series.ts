// The series the differential test's Prometheus holds, written as two exporters expose them and scraped
// the two ways a cluster scrapes dcgm-exporter: job "plain" keeps the exposed namespace/pod labels, job
// "clash" carries ServiceMonitor target labels (the exporter's own namespace/pod/container) with
// honor_labels: false, so Prometheus renames the workload's labels to exported_* on those series.
// Workloads: team-a and team-b run pods (a-0, a-1 / b-0, b-1, label app=w) with series; team-c runs a pod
// (c-0) that no series names: every metric there is "series only in other namespaces". team-d runs the HPA's
// target pods (d-0, d-1, app=w) without series, next to another workload's pod (d-x, app=other) with them:
// the namespace has series, the target's pods have none (the HPA controller asks for its selector's pods).

export const WORKLOAD_NAMESPACES = ['team-a', 'team-b', 'team-c', 'team-d'] as const;
export const EXPORTER = { namespace: 'gpu-operator', pod: 'nvidia-dcgm-exporter-x7k2p', container: 'nvidia-dcgm-exporter' };
/** the HPA target's pods (label WORKLOAD_LABEL), by namespace */
export const PODS: Record<string, string[]> = { 'team-a': ['a-0', 'a-1'], 'team-b': ['b-0', 'b-1'], 'team-c': ['c-0'], 'team-d': ['d-0', 'd-1'] };
export const WORKLOAD_LABEL = { app: 'w' };
/** pods of another workload (label OTHER_LABEL), which the HPA's selector does not match */
export const OTHER_PODS: Record<string, string[]> = { 'team-d': ['d-x'] };
export const OTHER_LABEL = { app: 'other' };
export const DEPLOYMENT = 'w';

interface Exposed {
  name: string;
  type: 'gauge' | 'counter';
  labels: Record<string, string>;
  value: (tick: number) => number;
}

const gpu = (i: number) => ({ gpu: String(i), UUID: `GPU-0000-${i}`, device: `nvidia${i}`, modelName: 'NVIDIA A100-SXM4-40GB', Hostname: 'gpu-node-1' });
const onPod = (ns: string, pod: string) => ({ container: 'main', namespace: ns, pod });

function perPod(
  name: string,
  namespaces: string[],
  value: number,
  type: 'gauge' | 'counter' = 'gauge',
  extra: (ns: string, pod: string, i: number) => Record<string, string> = (ns, pod, i) => ({ ...gpu(i), ...onPod(ns, pod) }),
  pods: Record<string, string[]> = PODS,
): Exposed[] {
  const out: Exposed[] = [];
  let i = pods === PODS ? 0 : 16;
  for (const ns of namespaces) {
    for (const pod of pods[ns]!) {
      const labels = extra(ns, pod, i++);
      out.push({ name, type, labels, value: type === 'counter' ? (t) => value * t : () => value });
    }
  }
  return out;
}

/** Series scraped by job "plain" (exposed labels kept). */
export const PLAIN: Exposed[] = [
  ...perPod('DCGM_FI_DEV_GPU_UTIL', ['team-a', 'team-b'], 87),
  ...perPod('DCGM_FI_DEV_FB_USED', ['team-a', 'team-b'], 12000),
  // only team-a's pods: a query dividing by it has nothing to divide by in team-b
  ...perPod('DCGM_FI_DEV_FB_FREE', ['team-a'], 28000),
  // clashes on some series but not all: team-a's plain here, team-b's under "clash"
  ...perPod('DCGM_FI_DEV_POWER_USAGE', ['team-a'], 250),
  ...perPod('DCGM_FI_DEV_MEM_COPY_UTIL', ['team-a'], 40),
  // an idle GPU: no workload labels at all
  { name: 'DCGM_FI_DEV_SM_CLOCK', type: 'gauge', labels: gpu(7), value: () => 1410 },
  ...perPod('http_requests_total', ['team-a', 'team-b'], 3, 'counter', (ns, pod) => ({ namespace: ns, pod })),
  // team-d: series of another workload's pod only
  ...perPod('DCGM_FI_DEV_GPU_UTIL', ['team-d'], 64, 'gauge', undefined, OTHER_PODS),
  ...perPod('DCGM_FI_DEV_FB_USED', ['team-d'], 9000, 'gauge', undefined, OTHER_PODS),
  ...perPod('http_requests_total', ['team-d'], 5, 'counter', (ns, pod) => ({ namespace: ns, pod }), OTHER_PODS),
  ...perPod('gpu_mem_bytes', ['team-d'], 2e9, 'gauge', (ns, pod) => ({ kube_namespace: ns, kube_pod: pod }), OTHER_PODS),
  // series only in other namespaces: team-a's HPAs find none of their own
  ...perPod('gpu_jobs_processed_total', ['team-b'], 2, 'counter', (ns, pod) => ({ namespace: ns, pod })),
  ...['team-a', 'team-b'].map((ns): Exposed => ({ name: 'app_queue_depth', type: 'gauge', labels: { namespace: ns, queue: 'inference' }, value: () => 12 })),
  { name: 'cluster_gpu_free', type: 'gauge', labels: { pool: 'a100' }, value: () => 3 },
  { name: 'kube_deployment_gpu_util', type: 'gauge', labels: { namespace: 'team-a', deployment: DEPLOYMENT }, value: () => 55 },
  ...perPod('gpu_mem_bytes', ['team-a', 'team-b'], 1e9, 'gauge', (ns, pod) => ({ kube_namespace: ns, kube_pod: pod })),
  { name: 'node_gpu_power', type: 'gauge', labels: { node: 'gpu-node-1' }, value: () => 500 },
  // readiness sentinel: every generated config gets one rule and one external rule for it
  { name: 'diff_sentinel', type: 'gauge', labels: { namespace: 'team-a', pod: 'a-0' }, value: () => 1 },
];

/** Series scraped by job "clash" (exposed namespace/pod/container become exported_*). */
export const CLASH: Exposed[] = [
  ...perPod('DCGM_FI_DEV_GPU_TEMP', ['team-a', 'team-b'], 41),
  ...perPod('DCGM_FI_DEV_POWER_USAGE', ['team-b'], 240),
  ...perPod('DCGM_FI_DEV_MEM_COPY_UTIL', ['team-a', 'team-b'], 45),
];

/**
 * The exposition text, every sample with an explicit timestamp (now): Prometheus then writes no staleness
 * markers when a scrape fails, so a scrape missed on a loaded machine cannot make series vanish from queries
 * while they stay listed by /api/v1/series.
 */
export function exposition(series: Exposed[], tick: number, nowMs: number = Date.now()): string {
  const lines: string[] = [];
  const byName = new Map<string, Exposed[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, ss] of byName) {
    lines.push(`# TYPE ${name} ${ss[0]!.type}`);
    for (const s of ss)
      lines.push(
        `${name}{${Object.entries(s.labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(',')}} ${s.value(tick)} ${nowMs}`,
      );
  }
  return lines.join('\n') + '\n';
}

/** How many series Prometheus must hold once both jobs are scraped (for the readiness wait). */
export const EXPECTED_SERIES = PLAIN.length + CLASH.length;
