// Stage `judge` of /validate for an HPA: targets the API server accepts but that do not work as
// written (src/core/validate/hpa-targets.ts verifyTargets).
import { verifyTargets } from '../validate/hpa-targets.js';
import type { Coded, HpaRule } from './types.js';

const hpaTargetsCodes = {
  'target-pods-average-value': 'a Pods metric target whose type is not AverageValue (the controller reads averageValue only)',
  'target-utilization-source': 'type: Utilization on an Object or External metric (it is only for Resource metrics)',
  'target-field-mismatch': 'the target type and the quantity that is set disagree',
  'target-type-for-source': 'type: Value on a Resource or ContainerResource metric',
  'target-ignored-field': 'a target field the controller ignores with this type',
} as const;

export const hpaTargets: Coded<HpaRule, typeof hpaTargetsCodes> = {
  name: 'hpa-targets',
  description: "each metric's target fits its source the way the HPA controller reads it",
  origin: 'policy',
  stage: 'judge',
  kinds: ['HorizontalPodAutoscaler'],
  endpoints: ['validate'],
  source: 'SPEC "Validation" 2; kubernetes pkg/controller/podautoscaler/horizontal.go',
  codes: hpaTargetsCodes,
  run: (f) => ({ violations: verifyTargets(f.hpa) }),
};
