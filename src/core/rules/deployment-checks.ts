// Stage `judge` of /validate for an opted-in Deployment (src/core/validate/deployment.ts): the managed
// HPA's metric is served, the object as stored has its GPU limits and tolerations (the mutating webhook
// fails open), the pod's GPU budget, and the HPAs already on it.
import { A } from '../annotations.js';
import { kedaOwner } from '../admission/hpa-scope.js';
import { judgeExistingHpas, verifyGpuBudget, verifyGpuInjected, verifyManagedMetric } from '../validate/deployment.js';
import { podsOfDeployment } from '../validate/target-pods.js';
import type { Coded, DeploymentRule } from './types.js';

/** The codes of a metric the adapter does not serve (src/core/validate/hpa-metrics.ts, src/core/adapter/live.ts). */
export const METRIC_CODES = {
  'metric-not-served': 'no prometheus-adapter rule serves the metric for the resource asked (the HPA would show <unknown>)',
  'metric-no-series': 'a rule serves the metric, but Prometheus has no series for it (live discovery)',
  'metric-series-unassociated': 'Prometheus has series for the metric, but none the adapter can associate with the object asked',
  'metric-not-listed': "the metric is not in the adapter's live list of served metrics",
} as const;

export const managedMetric: Coded<DeploymentRule, typeof METRIC_CODES> = {
  name: 'managed-metric',
  description: `the metric of a managed HPA (${A.metric}) is served by prometheus-adapter`,
  origin: 'policy',
  stage: 'judge',
  kinds: ['Deployment'],
  endpoints: ['validate'],
  source: 'SPEC "Validation" 1',
  codes: METRIC_CODES,
  run: (f) => verifyManagedMetric(f.settings, f.ctx.rules, podsOfDeployment(f.dep, f.req.operation === 'CREATE')),
};

const gpuInjectedCodes = {
  'gpu-limit-missing': 'a chosen container lacks resources.limits of the GPU resource with gpu-hpa.io/gpus',
  'gpu-toleration-missing': 'the pod template lacks a toleration the policy requires for GPU nodes',
} as const;

export const gpuInjected: Coded<DeploymentRule, typeof gpuInjectedCodes> = {
  name: 'gpu-injected',
  description: 'the chosen containers have their GPU limits and the pod the GPU tolerations (the mutating webhook may have been skipped)',
  origin: 'policy',
  stage: 'judge',
  kinds: ['Deployment'],
  endpoints: ['validate'],
  codes: gpuInjectedCodes,
  run: (f) => ({ violations: verifyGpuInjected(f.dep, f.settings, f.ctx.policy) }),
};

const gpuBudgetCodes = {
  'gpu-resource-not-allowed': 'a container asks for a GPU resource the policy does not allow',
  'gpus-over-max': "the pod's GPUs (sidecars and init containers included) are over the policy's maxGpusPerPod",
} as const;

export const gpuBudget: Coded<DeploymentRule, typeof gpuBudgetCodes> = {
  name: 'gpu-budget',
  description: "every container's GPUs are of an allowed resource and the pod's total is within maxGpusPerPod",
  origin: 'policy',
  stage: 'judge',
  kinds: ['Deployment'],
  endpoints: ['validate'],
  source: 'kubernetes pkg/api/v1/resource/helpers.go (PodRequests)',
  codes: gpuBudgetCodes,
  run: (f) => ({ violations: verifyGpuBudget(f.dep, f.ctx.policy) }),
};

const existingHpasCodes = {} as const;

export const existingHpas: Coded<DeploymentRule, typeof existingHpasCodes> = {
  name: 'existing-hpas',
  description: "the team's own HPAs already on the Deployment, judged under its settings (warnings only)",
  origin: 'policy',
  stage: 'judge',
  kinds: ['Deployment'],
  endpoints: ['validate'],
  codes: existingHpasCodes,
  run(f) {
    // the HPAs already on this Deployment (its own namespace only), judged under its settings now
    const name = f.req.name || f.dep.metadata?.name;
    // KEDA's HPAs are KEDA's (admission/hpa-scope.ts)
    const hpas = f.ctx.cluster.hpas(f.namespace).filter((h) => kedaOwner(h, f.namespace) === undefined);
    return { violations: [], warnings: name ? judgeExistingHpas(name, f.settings, hpas) : [] };
  },
};
