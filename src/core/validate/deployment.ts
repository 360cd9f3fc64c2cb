// SPEC Validation for opted-in Deployments: the annotations are valid, the metric a managed HPA will use
// is served, and the object as it will be stored has its GPU limits and tolerations (this catches a
// mutating webhook that failed open: its failurePolicy is Ignore).
import type { Violation } from '../admission/decision.js';
import type { AdapterRuleSet } from '../adapter/types.js';
import { A, MANAGED_BY_LABEL, MANAGER_NAME, type GpuSettings } from '../annotations.js';
import { excerpt, excerptList, MAX_CONTAINERS, MAX_LISTED } from '../bounds.js';
import type { Container, Deployment, HorizontalPodAutoscaler } from '../k8s-types.js';
import { gpuResourceAllowed, isGpuResource, type Policy } from '../policy/schema.js';
import { describeSelector, selectorMatches } from '../selector.js';
import { gpuSafetyRules, managedModeNotice } from './hpa-safety.js';
import { childPath, indexPath, keyPath } from '../field.js';
import { parseQuantity } from '../quantity.js';
import { describeToleration, isCovered } from '../tolerations.js';
import { verdictToFindings } from './hpa-metrics.js';
import type { TargetPods } from './target-pods.js';

/** `pods`: whether the Deployment's own pods run (the managed HPA's metric comes from them; issue 18). */
export function verifyManagedMetric(s: GpuSettings, rules: AdapterRuleSet, pods?: TargetPods): { violations: Violation[]; warnings: string[] } {
  if (s.hpaMode !== 'managed') return { violations: [], warnings: [] };
  const req = { kind: 'Pods' as const, name: s.metric, resource: { group: '', resource: 'pods' }, namespaced: true };
  return verdictToFindings(keyPath('metadata.annotations', A.metric), req, rules.lookup(req), rules, pods);
}

export function verifyGpuInjected(dep: Deployment, s: GpuSettings, policy: Policy): Violation[] {
  const out: Violation[] = [];
  const pod = dep.spec?.template?.spec;
  const containers = Array.isArray(pod?.containers) ? pod.containers : [];
  const chosen = new Set(s.containers);
  containers.forEach((c, i) => {
    if (!c || typeof c.name !== 'string' || !chosen.has(c.name)) return;
    const have = c.resources?.limits?.[s.gpuResource];
    const q = have === undefined ? undefined : parseQuantity(have);
    if (!q?.ok || q.quantity.cmp(parseQuantityOrThrow(s.gpus)) !== 0) {
      out.push({
        reason: 'gpu-limit-missing',
        field: keyPath(childPath(indexPath('spec.template.spec.containers', i), 'resources', 'limits'), s.gpuResource),
        message: `container "${excerpt(c.name)}" must have resources.limits["${s.gpuResource}"]: "${s.gpus}" (found ${have === undefined ? 'none' : JSON.stringify(typeof have === 'string' ? excerpt(have) : have)}); the mutating webhook may have been skipped — re-apply, or set it yourself`,
      });
    }
  });
  for (const t of policy.tolerations) {
    if (!isCovered(Array.isArray(pod?.tolerations) ? pod.tolerations : [], t)) {
      out.push({
        reason: 'gpu-toleration-missing',
        field: 'spec.template.spec.tolerations',
        message: `spec.template.spec.tolerations lacks ${describeToleration(t)}, which GPU nodes require; the mutating webhook may have been skipped — re-apply, or add it yourself`,
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

// ---------------------------------------------------------------------------------------------
// Limits that hold (issue 17): GPUs per pod over every container, profiles per namespace, and the
// HPAs that already target a Deployment when it opts in.

interface GpuAsk {
  container: string;
  resource: string;
  milli: bigint;
}

/** What one container asks for, per GPU resource: the larger of its limit and request (requests default to limits). */
function gpuAsks(c: Container | null | undefined, policy: Policy): GpuAsk[] {
  if (!c || typeof c !== 'object') return [];
  const out = new Map<string, bigint>();
  for (const part of [c.resources?.limits, c.resources?.requests]) {
    if (!part || typeof part !== 'object') continue;
    for (const [resource, raw] of Object.entries(part)) {
      if (!isGpuResource(policy, resource)) continue;
      const q = parseQuantity(raw);
      if (!q.ok) continue; // the API server refuses it; not ours to report
      const m = q.quantity.milliValue();
      if (m > (out.get(resource) ?? 0n)) out.set(resource, m);
    }
  }
  return [...out].map(([resource, milli]) => ({ container: typeof c.name === 'string' ? c.name : '?', resource, milli }));
}

const sumMilli = (asks: GpuAsk[]) => asks.reduce((n, a) => n + a.milli, 0n);
const gpuText = (milli: bigint) => (milli % 1000n === 0n ? String(milli / 1000n) : `${milli}m`);

/**
 * Every container's and init container's GPU requests and limits, not only the chosen containers': a
 * resource the policy does not allow is refused, and the pod's total stays within maxGpusPerPod. The
 * total is what the scheduler reserves (kubernetes pkg/api/v1/resource/helpers.go PodRequests): the
 * app containers plus the restartable (sidecar) init containers, or an ordinary init container plus the
 * sidecars, whichever is larger.
 */
export function verifyGpuBudget(dep: Deployment, policy: Policy): Violation[] {
  const pod = dep.spec?.template?.spec;
  const out: Violation[] = [];
  const app = (Array.isArray(pod?.containers) ? pod.containers : []).slice(0, MAX_CONTAINERS);
  const init = (Array.isArray(pod?.initContainers) ? pod.initContainers : []).slice(0, MAX_CONTAINERS);
  const notAllowed: string[] = [];
  const appAsks = app.flatMap((c) => gpuAsks(c, policy));
  const sidecarAsks: GpuAsk[] = [];
  const initTotals: Array<{ asks: GpuAsk[]; milli: bigint }> = [];
  for (const c of init) {
    const asks = gpuAsks(c, policy);
    if (c && typeof c === 'object' && c['restartPolicy'] === 'Always') sidecarAsks.push(...asks);
    else if (asks.length > 0) initTotals.push({ asks, milli: sumMilli(asks) });
  }
  for (const a of [...appAsks, ...sidecarAsks, ...initTotals.flatMap((t) => t.asks)]) {
    if (!gpuResourceAllowed(policy, a.resource)) notAllowed.push(`"${excerpt(a.container)}" asks for ${excerpt(a.resource)}`);
  }
  if (notAllowed.length > 0) {
    out.push({
      reason: 'gpu-resource-not-allowed',
      field: 'spec.template.spec',
      message: `container ${excerptList(notAllowed, MAX_LISTED, false)}, which the policy does not allow (allowed: ${policy.allowedGpuResources.join(', ')})`,
    });
  }
  const running = sumMilli(appAsks) + sumMilli(sidecarAsks);
  const worstInit = initTotals.reduce<{ asks: GpuAsk[]; milli: bigint } | undefined>((w, t) => (!w || t.milli > w.milli ? t : w), undefined);
  const peakInit = worstInit ? worstInit.milli + sumMilli(sidecarAsks) : 0n;
  // the app containers (with the sidecars) when they ask at least as much as the largest init step
  const appsPeak = running >= peakInit;
  const total = appsPeak ? running : peakInit;
  const max = BigInt(policy.maxGpusPerPod) * 1000n;
  if (total > max) {
    const asks = appsPeak ? [...appAsks, ...sidecarAsks] : [...worstInit!.asks, ...sidecarAsks];
    const parts = asks.map((a) => `"${excerpt(a.container)}" ${gpuText(a.milli)} ${excerpt(a.resource)}`);
    out.push({
      reason: 'gpus-over-max',
      field: 'spec.template.spec',
      message: `the pod asks for ${gpuText(total)} GPUs (${excerptList(parts, 5, false)}), over the policy's maxGpusPerPod ${policy.maxGpusPerPod}; every container counts, sidecars and init containers too — lower the requests`,
    });
  }
  return out;
}

/**
 * Whether the namespace may pick the profile (the profile's namespaceSelector on the Namespace's labels).
 * `labels` undefined: not known. Then a review with a cluster behind it is denied (the limit fails closed),
 * and an offline one (`check`, `serve` without a cluster) is allowed with a warning saying it was not verified.
 */
export function verifyProfileAllowed(s: GpuSettings, namespace: string, labels: Readonly<Record<string, string>> | undefined, clusterKnown: boolean): { violations: Violation[]; warnings: string[] } {
  const sel = s.profile.namespaceSelector;
  if (!sel) return { violations: [], warnings: [] };
  const field = keyPath('metadata.annotations', A.profile);
  if (labels === undefined) {
    if (!clusterKnown) {
      return {
        violations: [],
        warnings: [`profile "${s.profileName}" is limited to namespaces matching ${describeSelector(sel)}; namespace ${namespace}'s labels are unknown here, so this was not verified`],
      };
    }
    return {
      violations: [
        {
          reason: 'profile-not-allowed',
          field,
          message: `profile "${s.profileName}" is limited to namespaces matching ${describeSelector(sel)}, and namespace ${namespace}'s labels are not known to the webhook yet; retry in a moment`,
        },
      ],
      warnings: [],
    };
  }
  if (selectorMatches(sel, labels)) return { violations: [], warnings: [] };
  return {
    violations: [
      {
        reason: 'profile-not-allowed',
        field,
        message: `profile "${s.profileName}" is not allowed in namespace ${namespace}: the policy limits it to namespaces matching ${describeSelector(sel)}; pick another profile (${A.profile}) or ask the platform team`,
      },
    ],
    warnings: [],
  };
}

/**
 * The HPAs of the Deployment's own namespace that target it and are not ours: judged by the GPU safety rules
 * under the Deployment's settings, as warnings on the Deployment naming each HPA and its first problem.
 */
export function judgeExistingHpas(depName: string, s: GpuSettings, namespaceHpas: readonly HorizontalPodAutoscaler[]): string[] {
  const out: string[] = [];
  const targeting = namespaceHpas.filter((h) => h?.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === depName && h.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGER_NAME);
  for (const h of targeting.slice(0, MAX_LISTED)) {
    const name = excerpt(h.metadata?.name ?? '?');
    // a warning on the Deployment: each names the HPA it is about
    const hpa = `HorizontalPodAutoscaler ${name}`;
    const found = gpuSafetyRules(h, s, namespaceHpas as HorizontalPodAutoscaler[]);
    if (found.length > 0) {
      out.push(`existing ${hpa} on this Deployment breaks profile "${s.profileName}": ${found.map((v) => v.reason).join(', ')}: ${found[0]!.message}`);
    }
    out.push(...managedModeNotice(h, s).map((n) => `${hpa}: ${n}`));
  }
  if (targeting.length > MAX_LISTED) out.push(`${targeting.length - MAX_LISTED} more HorizontalPodAutoscalers target this Deployment and were not judged`);
  return out;
}
