// Stage `judge` of /mutate: the GPU limits, tolerations and extras injected into an opted-in Deployment
// (src/core/mutate/deployment.ts); a value the team wrote that disagrees is refused, never overwritten.
import { mutateDeployment } from '../mutate/deployment.js';
import type { Coded, DeploymentRule } from './types.js';

const gpuInjectionCodes = {
  'gpu-resource-conflict': 'a chosen container already asks for another GPU resource than the one to inject',
  'gpu-count-conflict': 'a chosen container already sets a different GPU count than gpu-hpa.io/gpus',
} as const;

export const gpuInjection: Coded<DeploymentRule, typeof gpuInjectionCodes> = {
  name: 'gpu-injection',
  description: 'inject GPU limits, tolerations and the policy extras into an opted-in Deployment',
  origin: 'policy',
  stage: 'judge',
  kinds: ['Deployment'],
  endpoints: ['mutate'],
  source: 'SPEC "Mutation"',
  codes: gpuInjectionCodes,
  run(f) {
    const m = mutateDeployment(f.dep, f.settings, f.ctx.policy);
    return { violations: m.conflicts, patch: m.patch };
  },
};
