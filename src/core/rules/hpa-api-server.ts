// Stage `judge` of /validate for an HPA: everything the API server would refuse
// (src/core/validate/hpa-api-rules.ts, hpa-decode.ts, object-meta.ts, hpa-targets.ts apiTargetViolations).
import { apiServerRules } from '../validate/hpa-api-rules.js';
import type { Coded, HpaRule } from './types.js';

const hpaApiServerCodes = {
  'api-decode': 'a field has a JSON type the API server cannot decode (a string for an int32, a bad quantity, ...)',
  'api-unknown-field': 'an unknown field, refused under fieldValidation=Strict (`check` only)',
  'api-object-meta': 'metadata the API server refuses (name, labels, annotations, ownerReferences, finalizers)',
  'api-replica-bounds': 'minReplicas/maxReplicas out of range or inverted',
  'api-scale-target-ref': 'spec.scaleTargetRef is missing a kind or name, or has an invalid apiVersion',
  'api-metric-spec': 'a metric spec the API server refuses (type, source, metric name, selector)',
  'api-metric-target': 'a metric target the API server refuses (type, zero or negative value, a quantity that does not parse)',
  'api-behavior': 'spec.behavior out of range (stabilization window, policies, selectPolicy)',
} as const;

export const hpaApiServer: Coded<HpaRule, typeof hpaApiServerCodes> = {
  name: 'hpa-api-server',
  description: 'what kube-apiserver refuses in an autoscaling/v2 HorizontalPodAutoscaler, with its own messages',
  origin: 'api-server',
  stage: 'judge',
  kinds: ['HorizontalPodAutoscaler'],
  endpoints: ['validate'],
  source: 'kubernetes pkg/apis/autoscaling/validation/validation.go, k8s.io/apimachinery/pkg/api/validation/objectmeta.go',
  codes: hpaApiServerCodes,
  run(f) {
    // on UPDATE the API server relaxes some checks for unchanged fields (ValidateHorizontalPodAutoscalerUpdate)
    return { violations: apiServerRules(f.hpa, { oldObject: f.oldObject, strictDecoding: f.ctx.strictDecoding === true }) };
  },
};
