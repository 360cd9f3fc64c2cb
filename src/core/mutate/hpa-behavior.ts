// An HPA that targets an opted-in Deployment and states no scaling behavior gets the profile's
// (SPEC "Mutation": a missing behavior is filled from the profile). Halves are filled independently:
// a team that wrote only scaleUp keeps it, and gets the profile's scaleDown rather than the API
// server's default (100 % every 15 s, unsafe for GPU pods that take minutes to start). A half that
// is null is unset (Go's nil: the API server would default it) and is filled too.
import type { Operation } from 'fast-json-patch';
import type { HPABehavior, HorizontalPodAutoscaler } from '../k8s-types.js';
import type { Profile } from '../policy/schema.js';
import { cloneJson } from '../json.js';
import { add, unset } from '../patch.js';

export interface BehaviorFill {
  /** RFC 6902 operations against the received HPA */
  patch: Operation[];
  filled: Array<'scaleUp' | 'scaleDown'>;
}

export function fillBehavior(received: HorizontalPodAutoscaler, profile: Profile): BehaviorFill {
  const spec = received.spec as unknown;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return { patch: [], filled: [] };
  const behavior = (spec as { behavior?: unknown }).behavior;
  if (!unset(behavior) && (typeof behavior !== 'object' || Array.isArray(behavior))) {
    return { patch: [], filled: [] }; // malformed: the API-server rules report it
  }
  const have = (behavior ?? {}) as Record<string, unknown>;
  const filled: BehaviorFill['filled'] = [];
  const halves: HPABehavior = {};
  for (const half of ['scaleUp', 'scaleDown'] as const) {
    if (unset(have[half])) {
      halves[half] = cloneJson(profile.behavior[half]);
      filled.push(half);
    }
  }
  if (filled.length === 0) return { patch: [], filled };
  if (unset(behavior)) return { patch: [add('/spec/behavior', halves)], filled };
  return { patch: filled.map((half) => add(`/spec/behavior/${half}`, halves[half])), filled };
}
