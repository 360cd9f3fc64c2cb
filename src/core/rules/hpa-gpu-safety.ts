// Stage `judge` of /validate for an HPA whose target is an opted-in Deployment: safe scaling for GPU
// workloads under the Deployment's profile (src/core/validate/hpa-safety.ts). Each entry runs only when
// the target is opted in with valid settings.
import { managedModeNotice, verifyReplicaCap, verifyScaleDownStabilization, verifyScaleRates, verifySingleHpa } from '../validate/hpa-safety.js';
import type { Coded, HpaFacts, HpaRule } from './types.js';
import type { GpuSettings } from '../annotations.js';
import type { Violation } from '../admission/decision.js';

/** A check that applies only to an HPA on an opted-in Deployment. */
function onGpuTarget(check: (f: HpaFacts, s: GpuSettings) => Violation[]): HpaRule['run'] {
  return (f) => {
    const s = f.target?.settings;
    return { violations: s ? check(f, s) : [] };
  };
}

const common = { origin: 'policy', stage: 'judge', kinds: ['HorizontalPodAutoscaler'], endpoints: ['validate'], source: 'SPEC "Validation" 4' } as const;

const scaleDownStabilizationCodes = {
  'unsafe-scale-down-stabilization': "spec.behavior.scaleDown.stabilizationWindowSeconds (or its default) is under the profile's minScaleDownStabilizationSeconds",
} as const;

export const scaleDownStabilization: Coded<HpaRule, typeof scaleDownStabilizationCodes> = {
  ...common,
  name: 'scale-down-stabilization',
  description: "the scale-down stabilization window is at least the profile's minimum",
  codes: scaleDownStabilizationCodes,
  run: onGpuTarget((f, s) => verifyScaleDownStabilization(f.hpa, s)),
};

const scaleRatesCodes = {
  'unbounded-scale-up': "spec.behavior.scaleUp (or the API server default) scales up faster than the profile's scaleUpLimit",
  'unbounded-scale-down': "spec.behavior.scaleDown (or the API server default) scales down faster than the profile's scaleDownLimit",
} as const;

export const scaleRates: Coded<HpaRule, typeof scaleRatesCodes> = {
  ...common,
  name: 'scale-rates',
  description: "the scaling policies stay within the profile's per-minute limits",
  codes: scaleRatesCodes,
  run: onGpuTarget((f, s) => verifyScaleRates(f.hpa, s)),
};

const replicaCapCodes = { 'max-replicas-over-cap': "spec.maxReplicas is over the profile's maxReplicasCap" } as const;

export const replicaCap: Coded<HpaRule, typeof replicaCapCodes> = {
  ...common,
  name: 'replica-cap',
  description: "spec.maxReplicas is within the profile's maxReplicasCap",
  codes: replicaCapCodes,
  run: onGpuTarget((f, s) => verifyReplicaCap(f.hpa, s)),
};

const singleHpaCodes = { 'duplicate-hpa': 'another HPA in the namespace already scales the same target' } as const;

export const singleHpa: Coded<HpaRule, typeof singleHpaCodes> = {
  ...common,
  name: 'single-hpa',
  description: 'at most one HPA per scale target (two fight over its replicas)',
  codes: singleHpaCodes,
  run: onGpuTarget((f) => verifySingleHpa(f.hpa, f.ctx.cluster.hpas(f.namespace))),
};

const managedModeCodes = {} as const;

export const managedMode: Coded<HpaRule, typeof managedModeCodes> = {
  ...common,
  name: 'managed-mode',
  description: 'a team HPA on a Deployment whose HPA the webhook manages is allowed, with a warning (no reason code)',
  codes: managedModeCodes,
  run: (f) => ({ violations: [], warnings: f.target?.settings ? managedModeNotice(f.hpa, f.target.settings) : [] }),
};
