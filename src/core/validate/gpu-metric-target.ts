// An HPA on a GPU metric whose target requests no GPU (issue 15, a seed mistake): dcgm-exporter attaches
// pod and namespace labels to a GPU's series only for the pod the kubelet assigned that GPU to (its
// PodMapper reads the kubelet's PodResources API, dcgm-exporter kubernetes.go), so the pods of a
// Deployment that holds no GPU never have a series, and the HPA would show <unknown> forever.
// A GPU metric is a Pods metric every serving adapter rule of which selects DCGM_FI_* series.
// Pure: the HPA's metrics, the adapter rules, the target Deployment (as stored, or as mutated when
// it opts in) and the policy's GPU resources.
import type { Violation } from '../admission/decision.js';
import type { AdapterRuleSet, RuleRef } from '../adapter/types.js';
import { brief, excerpt, MAX_CONTAINERS, MAX_METRICS } from '../bounds.js';
import { childPath, indexPath } from '../field.js';
import type { Container, Deployment, MetricSpec } from '../k8s-types.js';
import { isGpuResource, type Policy } from '../policy/schema.js';

const DCGM_SERIES = /\bDCGM_FI_[A-Z0-9_]+/;

/** The DCGM series the rules serving this Pods metric select, when every one of them is DCGM-derived. */
function dcgmSeries(rules: AdapterRuleSet, name: string, namespace: string): string | undefined {
  const v = rules.lookup({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true, namespace });
  const refs: RuleRef[] = v.status === 'served' || v.status === 'unverifiable' ? v.rules : [];
  if (refs.length === 0) return undefined;
  const series = refs.map((r) => DCGM_SERIES.exec(r.seriesQuery)?.[0]);
  return series.every((s) => s !== undefined) ? series[0] : undefined;
}

function holdsGpu(c: Container, policy: Policy): boolean {
  const r = c.resources;
  return [r?.limits, r?.requests].some((list) => list !== undefined && list !== null && Object.keys(list).some((k) => isGpuResource(policy, k)));
}

/** Whether any container or init container of the Deployment's pods asks for a GPU the policy accounts for. */
export function requestsGpu(dep: Deployment, policy: Policy): boolean {
  const spec = dep.spec?.template?.spec;
  const all = [...(Array.isArray(spec?.containers) ? spec.containers : []), ...(Array.isArray(spec?.initContainers) ? spec.initContainers : [])];
  return all.slice(0, 2 * MAX_CONTAINERS).some((c) => c !== null && typeof c === 'object' && holdsGpu(c, policy));
}

export function verifyGpuMetricTargetHasGpu(metrics: unknown, rules: AdapterRuleSet, namespace: string, target: Deployment, policy: Policy): Violation[] {
  // over its bound the list is one violation already (hpa-metrics.ts)
  if (!Array.isArray(metrics) || metrics.length > MAX_METRICS || requestsGpu(target, policy)) return [];
  const out: Violation[] = [];
  metrics.forEach((m: MetricSpec, i) => {
    const name = m?.type === 'Pods' ? m.pods?.metric?.name : undefined;
    if (typeof name !== 'string' || name === '') return;
    const series = dcgmSeries(rules, name, namespace);
    if (!series) return;
    const field = childPath(indexPath('spec.metrics', i), 'pods', 'metric', 'name');
    out.push({
      reason: 'gpu-metric-without-gpu',
      field,
      short: `metric "${brief(name, 40)}" needs GPU pods: add limits["${policy.gpuResource}"] to ${brief(target.metadata?.name ?? '', 30)}`,
      message: `${field} "${excerpt(name)}" comes from ${series}, which dcgm-exporter writes only for pods holding a GPU, but Deployment ${excerpt(target.metadata?.name ?? '')} requests none, so the HPA would show <unknown> forever; give its GPU container resources.limits["${policy.gpuResource}"] (or opt it in with the label gpu-hpa.io/enabled: "true")`,
    });
  });
  return out;
}
