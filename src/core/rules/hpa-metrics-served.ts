// Stage `judge` of /validate for an HPA: every custom metric is served by prometheus-adapter
// (src/core/validate/hpa-metrics.ts, src/core/adapter/).
import { verifyMetricsServed } from '../validate/hpa-metrics.js';
import { METRIC_CODES } from './deployment-checks.js';
import type { Coded, HpaRule } from './types.js';

const hpaMetricsServedCodes = { ...METRIC_CODES, 'input-too-large': 'spec.metrics or a metric name is over the bound the webhook judges (src/core/bounds.ts)' } as const;

export const hpaMetricsServed: Coded<HpaRule, typeof hpaMetricsServedCodes> = {
  name: 'hpa-metrics-served',
  description: 'each Pods, Object and External metric is served by a prometheus-adapter rule for the resource the HPA asks about',
  origin: 'policy',
  stage: 'judge',
  kinds: ['HorizontalPodAutoscaler'],
  endpoints: ['validate'],
  source: 'SPEC "Validation" 1; kubernetes-sigs/prometheus-adapter pkg/naming, pkg/custom-provider',
  codes: hpaMetricsServedCodes,
  run(f) {
    const served = verifyMetricsServed(f.hpa.spec?.metrics, f.ctx.rules, f.namespace, f.pods);
    return { violations: served.violations, warnings: served.warnings };
  },
};
