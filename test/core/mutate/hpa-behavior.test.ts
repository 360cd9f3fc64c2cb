// mutate/hpa-behavior.ts alone (its HTTP path is in test/webhook/hpas.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HorizontalPodAutoscaler } from '../../../src/core/k8s-types.js';
import { fillBehavior } from '../../../src/core/mutate/hpa-behavior.js';
import { defaultPolicy } from '../../helpers/fixtures.js';

const profile = defaultPolicy().profiles.inference!;
const hpa = (behavior?: unknown) => ({ spec: { maxReplicas: 2, ...(behavior === undefined ? {} : { behavior }) } }) as HorizontalPodAutoscaler;

test("no behavior: the profile's whole behavior is added; a half the team set is kept and only the other filled", () => {
  assert.deepEqual(fillBehavior(hpa(), profile), { patch: [{ op: 'add', path: '/spec/behavior', value: profile.behavior }], filled: ['scaleUp', 'scaleDown'] });
  const up = { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] };
  assert.deepEqual(fillBehavior(hpa({ scaleUp: up }), profile), { patch: [{ op: 'add', path: '/spec/behavior/scaleDown', value: profile.behavior.scaleDown }], filled: ['scaleDown'] });
});

test('a behavior fully set, or malformed, is left alone', () => {
  assert.deepEqual(fillBehavior(hpa(profile.behavior), profile), { patch: [], filled: [] });
  assert.deepEqual(fillBehavior(hpa('fast'), profile), { patch: [], filled: [] });
});
