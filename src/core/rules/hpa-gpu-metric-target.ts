// Stage `judge` of /validate for an HPA: a GPU metric (DCGM-derived) on a Deployment that holds no GPU
// (src/core/validate/gpu-metric-target.ts; issue 15, a seed mistake). An opted-in target gets its GPUs
// from the mutating webhook, and the gpu-injected rule judges that, so only other targets are read here.
import { verifyGpuMetricTargetHasGpu } from '../validate/gpu-metric-target.js';
import type { Coded, HpaRule } from './types.js';

const codes = {
  'gpu-metric-without-gpu': 'a Pods metric served only by DCGM-derived rules, on a Deployment none of whose containers holds a GPU: dcgm-exporter writes no series for such pods',
} as const;

export const hpaGpuMetricTarget: Coded<HpaRule, typeof codes> = {
  name: 'hpa-gpu-metric-target',
  description: 'an HPA on a GPU metric scales a Deployment whose pods hold a GPU',
  origin: 'policy',
  stage: 'judge',
  kinds: ['HorizontalPodAutoscaler'],
  endpoints: ['validate'],
  source: "dcgm-exporter's PodMapper (kubernetes.go): pod labels come from the kubelet's PodResources API, i.e. only for pods assigned a GPU",
  codes,
  run(f) {
    if (!f.target || f.target.settings) return { violations: [] };
    return { violations: verifyGpuMetricTargetHasGpu(f.hpa.spec?.metrics, f.ctx.rules, f.namespace, f.target.dep, f.ctx.policy) };
  },
};
