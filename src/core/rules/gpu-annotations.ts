// Stage `settings`: the gpu-hpa.io/* annotations read against the policy (src/core/annotations.ts).
import { readSettings } from '../annotations.js';
import type { Coded, SettingsRule } from './types.js';

const gpuAnnotationsCodes = {
  'invalid-annotation': 'a gpu-hpa.io annotation has a value the policy does not allow (unknown profile, bad count, unknown container, ...)',
  'no-containers': 'the pod template has no container to give a GPU to',
  'input-too-large': 'a value or list is over the bound the webhook judges (src/core/bounds.ts)',
} as const;

export const gpuAnnotations: Coded<SettingsRule, typeof gpuAnnotationsCodes> = {
  name: 'gpu-annotations',
  description: 'the gpu-hpa.io/* annotations of an opted-in Deployment are valid under the policy',
  origin: 'policy',
  stage: 'settings',
  kinds: ['Deployment'],
  endpoints: ['mutate', 'validate'],
  source: 'SPEC "Opt-in and annotations"',
  codes: gpuAnnotationsCodes,
  run: (f) => readSettings(f.dep, f.ctx.policy, f.ctx.work),
};
