// Stage `judge` of /validate for an HPA: a cpu/memory Utilization target needs requests on the target's
// containers (src/core/validate/hpa-resource-metrics.ts).
import { excerpt } from '../bounds.js';
import { needsRequests, verifyResourceRequests } from '../validate/hpa-resource-metrics.js';
import type { Coded, HpaRule } from './types.js';

const hpaResourceRequestsCodes = { 'resource-metric-without-requests': 'a container of the target has no request for the resource a Utilization target divides by' } as const;

export const hpaResourceRequests: Coded<HpaRule, typeof hpaResourceRequestsCodes> = {
  name: 'hpa-resource-requests',
  description: "a Resource or ContainerResource Utilization target has a request for that resource on the target's containers",
  origin: 'policy',
  stage: 'judge',
  kinds: ['HorizontalPodAutoscaler'],
  endpoints: ['validate'],
  source: 'SPEC "Validation" 5; kubernetes pkg/controller/podautoscaler/replica_calculator.go (calculatePodRequests)',
  codes: hpaResourceRequestsCodes,
  run(f) {
    if (f.target) return { violations: verifyResourceRequests(f.hpa.spec?.metrics, f.target.dep) };
    if (f.ctx.cluster.complete || !needsRequests(f.hpa.spec?.metrics)) return { violations: [] };
    const ref = f.hpa.spec?.scaleTargetRef;
    return { violations: [], warnings: [`${excerpt(String(ref?.kind ?? 'target'))} ${excerpt(String(ref?.name ?? ''))} unknown here; its cpu/memory requests were not checked`] };
  },
};
