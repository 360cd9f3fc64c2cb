// SPEC Validation 4: safe scaling for GPU workloads, for HPAs whose target is an opted-in Deployment.
// GPU pods are slow to start and expensive: a short scale-down window or an unbounded rate flaps
// replicas that took minutes to load a model. Rates are compared per minute (a 15 s policy counts 4×).
import type { Violation } from '../admission/decision.js';
import { MANAGED_BY_LABEL, MANAGER_NAME, A, type GpuSettings } from '../annotations.js';
import type { HPAScalingRules, HorizontalPodAutoscaler } from '../k8s-types.js';
import { effectiveBehavior } from './hpa-api-rules.js';
import { brief } from '../bounds.js';

type Bounds = { maxPercentPerMinute?: number; maxPodsPerMinute?: number };

export function verifyScaleDownStabilization(hpa: HorizontalPodAutoscaler, s: GpuSettings): Violation[] {
  const down = effectiveBehavior(hpa.spec?.behavior).scaleDown;
  if (down.selectPolicy === 'Disabled') return []; // never scales down: nothing to flap
  const got = down.stabilizationWindowSeconds ?? 300;
  const min = s.profile.minScaleDownStabilizationSeconds;
  if (got >= min) return [];
  const stated = hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds !== undefined;
  return [
    {
      reason: 'unsafe-scale-down-stabilization',
      field: 'spec.behavior.scaleDown.stabilizationWindowSeconds',
      message: `spec.behavior.scaleDown.stabilizationWindowSeconds is ${got}${stated ? '' : ' (the default)'}; profile "${s.profileName}" needs at least ${min} so GPU pods are not removed on a short dip`,
      short: `scaleDown.stabilizationWindowSeconds ${got}: set at least ${min} (profile ${brief(s.profileName, 30)})`,
    },
  ];
}

function perMinute(value: number, periodSeconds: number): number {
  return (value * 60) / periodSeconds;
}

/** Which policies of a direction exceed the bounds. selectPolicy Max applies the largest, so every policy must fit; Min applies the smallest, so one fitting policy bounds it. */
function rateViolations(rules: Required<Pick<HPAScalingRules, 'policies'>> & HPAScalingRules, bounds: Bounds | undefined): string[] {
  if (!bounds || rules.selectPolicy === 'Disabled') return [];
  const over: string[] = [];
  let anyWithin = false;
  for (const p of rules.policies) {
    if (typeof p.value !== 'number' || typeof p.periodSeconds !== 'number' || p.periodSeconds <= 0) continue;
    const rate = perMinute(p.value, p.periodSeconds);
    const limit = p.type === 'Percent' ? bounds.maxPercentPerMinute : p.type === 'Pods' ? bounds.maxPodsPerMinute : undefined;
    if (limit !== undefined && rate > limit) {
      over.push(`${p.type} ${p.value} per ${p.periodSeconds}s (= ${+rate.toFixed(2)}${p.type === 'Percent' ? '%' : ' pods'}/min, limit ${limit})`);
    } else {
      anyWithin = true;
    }
  }
  // effectiveBehavior fills selectPolicy (Max when unset), so only Min bounds by one policy
  if (rules.selectPolicy === 'Min' && anyWithin) return [];
  return over;
}

export function verifyScaleRates(hpa: HorizontalPodAutoscaler, s: GpuSettings): Violation[] {
  const eff = effectiveBehavior(hpa.spec?.behavior);
  const out: Violation[] = [];
  for (const [dir, bounds] of [
    ['scaleUp', s.profile.scaleUpLimit],
    ['scaleDown', s.profile.scaleDownLimit],
  ] as const) {
    const over = rateViolations(eff[dir], bounds);
    if (over.length === 0) continue;
    const stated = hpa.spec?.behavior?.[dir] !== undefined;
    out.push({
      reason: `unbounded-${dir === 'scaleUp' ? 'scale-up' : 'scale-down'}`,
      field: `spec.behavior.${dir}.policies`,
      message: `spec.behavior.${dir}${stated ? '' : ' (API server default)'} scales too fast for profile "${s.profileName}": ${over.join(', ')}; lower the value or lengthen periodSeconds`,
      short: `${dir} ${over[0]!.replace(/ \(= .*, limit (\S+)\)$/, ' over $1/min')}: lower value or lengthen periodSeconds`,
    });
  }
  return out;
}

export function verifyReplicaCap(hpa: HorizontalPodAutoscaler, s: GpuSettings): Violation[] {
  const max = hpa.spec?.maxReplicas;
  if (typeof max !== 'number' || max <= s.profile.maxReplicasCap) return [];
  return [
    {
      reason: 'max-replicas-over-cap',
      field: 'spec.maxReplicas',
      message: `spec.maxReplicas ${max} is over ${s.profile.maxReplicasCap}, the cap of profile "${s.profileName}" (each replica holds ${s.gpus} ${s.gpuResource})`,
      short: `spec.maxReplicas ${max}: set at most ${s.profile.maxReplicasCap} (profile ${brief(s.profileName, 30)})`,
    },
  ];
}

/** At most one HPA per scaleTargetRef: two HPAs fight over the replica count. */
export function verifySingleHpa(hpa: HorizontalPodAutoscaler, others: HorizontalPodAutoscaler[]): Violation[] {
  const ref = hpa.spec?.scaleTargetRef;
  const rival = others.find((o) => o.metadata?.name !== hpa.metadata?.name && o.spec?.scaleTargetRef?.kind === ref?.kind && o.spec?.scaleTargetRef?.name === ref?.name);
  if (!rival) return [];
  return [
    {
      reason: 'duplicate-hpa',
      field: 'spec.scaleTargetRef',
      message: `${ref?.kind} ${ref?.name} is already scaled by HorizontalPodAutoscaler ${rival.metadata?.name}; two HPAs on one target fight over its replicas — edit or delete ${rival.metadata?.name} instead`,
      short: `HPA ${brief(String(rival.metadata?.name), 40)} already scales ${brief(String(ref?.name), 25)}; edit or delete it`,
    },
  ];
}

/** A team's own HPA on a Deployment whose HPA the webhook manages: allowed, but the managed one will not be written. */
export function managedModeNotice(hpa: HorizontalPodAutoscaler, s: GpuSettings): string[] {
  if (s.hpaMode !== 'managed' || hpa.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGER_NAME) return [];
  return [`its target is ${A.hpa}: managed; set ${A.hpa}: external on the Deployment to own this HPA`];
}

export function gpuSafetyRules(hpa: HorizontalPodAutoscaler, s: GpuSettings, others: HorizontalPodAutoscaler[]): Violation[] {
  return [...verifyScaleDownStabilization(hpa, s), ...verifyScaleRates(hpa, s), ...verifyReplicaCap(hpa, s), ...verifySingleHpa(hpa, others)];
}
