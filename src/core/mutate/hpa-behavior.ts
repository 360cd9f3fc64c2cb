// An HPA that targets an opted-in Deployment and states no scaling behavior gets the profile's
// (SPEC "Mutation": a missing behavior is filled from the profile). Halves are filled independently:
// a team that wrote only scaleUp keeps it, and gets the profile's scaleDown rather than the API
// server's default (100 % every 15 s, unsafe for GPU pods that take minutes to start).
import type { HPABehavior, HorizontalPodAutoscaler } from '../k8s-types.js';
import type { Profile } from '../policy/schema.js';
import { cloneJson } from '../json.js';

export interface BehaviorFill {
  object: HorizontalPodAutoscaler;
  filled: Array<'scaleUp' | 'scaleDown'>;
}

export function profileBehavior(profile: Profile): HPABehavior {
  return cloneJson(profile.behavior);
}

export function fillBehavior(received: HorizontalPodAutoscaler, profile: Profile): BehaviorFill {
  const spec = received.spec;
  if (spec === null || typeof spec !== 'object') return { object: received, filled: [] };
  const behavior = spec.behavior;
  if (behavior !== undefined && (behavior === null || typeof behavior !== 'object' || Array.isArray(behavior))) {
    return { object: received, filled: [] }; // malformed: the API-server rules report it
  }
  const filled: BehaviorFill['filled'] = [];
  const hpa = cloneJson(received);
  const next: HPABehavior = { ...(hpa.spec!.behavior ?? {}) };
  for (const half of ['scaleUp', 'scaleDown'] as const) {
    if (next[half] === undefined) {
      next[half] = cloneJson(profile.behavior[half]);
      filled.push(half);
    }
  }
  if (filled.length === 0) return { object: received, filled };
  hpa.spec!.behavior = next;
  return { object: hpa, filled };
}
