// Stage `judge` of /mutate for an HPA: a missing behavior is filled from the target's profile
// (src/core/mutate/hpa-behavior.ts). It never refuses anything, so it has no reason code.
import { fillBehavior } from '../mutate/hpa-behavior.js';
import type { Coded, HpaRule } from './types.js';

const hpaBehaviorDefaultsCodes = {} as const;

export const hpaBehaviorDefaults: Coded<HpaRule, typeof hpaBehaviorDefaultsCodes> = {
  name: 'hpa-behavior-defaults',
  description: "fill a missing spec.behavior half of an HPA on an opted-in Deployment from the Deployment's profile",
  origin: 'policy',
  stage: 'judge',
  kinds: ['HorizontalPodAutoscaler'],
  endpoints: ['mutate'],
  source: 'SPEC "Mutation"',
  codes: hpaBehaviorDefaultsCodes,
  run(f) {
    const settings = f.target?.settings;
    return settings ? { violations: [], patch: fillBehavior(f.hpa, settings.profile).patch } : { violations: [] };
  },
};
