// SPEC Validation for opted-in Deployments: the annotations are valid, the metric a managed HPA will use
// is served, and the object as it will be stored has its GPU limits and tolerations (this catches a
// mutating webhook that failed open: its failurePolicy is Ignore).
import type { Violation } from '../admission/decision.js';
import type { AdapterRuleSet } from '../adapter/types.js';
import { A, type GpuSettings } from '../annotations.js';
import type { Deployment } from '../k8s-types.js';
import type { Policy } from '../policy/schema.js';
import { parseQuantity } from '../quantity.js';
import { describeToleration, isCovered } from '../tolerations.js';
import { verdictToFindings } from './hpa-metrics.js';
import type { TargetPods } from './target-pods.js';

/** `pods`: whether the Deployment's own pods run (the managed HPA's metric comes from them; issue 18). */
export function verifyManagedMetric(subject: string, s: GpuSettings, rules: AdapterRuleSet, pods?: TargetPods): { violations: Violation[]; warnings: string[] } {
  if (s.hpaMode !== 'managed') return { violations: [], warnings: [] };
  const req = { kind: 'Pods' as const, name: s.metric, resource: { group: '', resource: 'pods' }, namespaced: true };
  return verdictToFindings(subject, `metadata.annotations["${A.metric}"]`, req, rules.lookup(req), rules, pods);
}

export function verifyGpuInjected(subject: string, dep: Deployment, s: GpuSettings, policy: Policy): Violation[] {
  const out: Violation[] = [];
  const pod = dep.spec?.template?.spec;
  const containers = Array.isArray(pod?.containers) ? pod.containers : [];
  containers.forEach((c, i) => {
    if (!c || typeof c.name !== 'string' || !s.containers.includes(c.name)) return;
    const have = c.resources?.limits?.[s.gpuResource];
    const q = have === undefined ? undefined : parseQuantity(have);
    if (!q?.ok || q.quantity.cmp(parseQuantityOrThrow(s.gpus)) !== 0) {
      out.push({
        reason: 'gpu-limit-missing',
        field: `spec.template.spec.containers[${i}].resources.limits["${s.gpuResource}"]`,
        message: `${subject}: container "${c.name}" must have resources.limits["${s.gpuResource}"]: "${s.gpus}" (found ${have === undefined ? 'none' : JSON.stringify(have)}); the mutating webhook may have been skipped — re-apply, or set it yourself`,
      });
    }
  });
  for (const t of policy.tolerations) {
    if (!isCovered(Array.isArray(pod?.tolerations) ? pod.tolerations : [], t)) {
      out.push({
        reason: 'gpu-toleration-missing',
        field: 'spec.template.spec.tolerations',
        message: `${subject}: spec.template.spec.tolerations lacks ${describeToleration(t)}, which GPU nodes require; the mutating webhook may have been skipped — re-apply, or add it yourself`,
      });
    }
  }
  return out;
}

function parseQuantityOrThrow(n: number) {
  const q = parseQuantity(n);
  if (!q.ok) throw new Error(`internal: ${n} is not a quantity`);
  return q.quantity;
}
