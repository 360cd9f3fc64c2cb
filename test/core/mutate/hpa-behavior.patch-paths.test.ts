// Filling an HPA's missing behavior from the profile (SPEC "Mutation", HPAs), every path (issue 19):
// no behavior, a null one, one half written by the team, both written, malformed ones left to the
// API-server rules. Expected patches are written from the spec and applied with fast-json-patch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { fillBehavior } from '../../../src/core/mutate/hpa-behavior.js';
import { defaultPolicy } from '../../helpers/fixtures.js';

const profile = defaultPolicy().profiles['inference']!;
const TEAM_UP = { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function hpa(behavior?: unknown, present = behavior !== undefined): any {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'llm', namespace: 'ml' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' }, maxReplicas: 4, ...(present ? { behavior } : {}) },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function applied(h: unknown, patch: jsonpatch.Operation[]): any {
  assert.equal(jsonpatch.validate(patch, structuredClone(h)), undefined, JSON.stringify(patch));
  return jsonpatch.applyPatch(structuredClone(h), patch, true, false).newDocument;
}

test('no behavior, or a null one: one add of both halves from the profile', () => {
  for (const h of [hpa(), hpa(null, true)]) {
    const f = fillBehavior(h, profile);
    assert.deepEqual(f.filled, ['scaleUp', 'scaleDown']);
    assert.deepEqual(f.patch, [{ op: 'add', path: '/spec/behavior', value: { scaleUp: profile.behavior.scaleUp, scaleDown: profile.behavior.scaleDown } }]);
    assert.deepEqual(applied(h, f.patch).spec.behavior, profile.behavior);
  }
});

test("one half written by the team: only the other half is added, the team's is kept", () => {
  const h = hpa({ scaleUp: TEAM_UP });
  const f = fillBehavior(h, profile);
  assert.deepEqual(f.filled, ['scaleDown']);
  assert.deepEqual(f.patch, [{ op: 'add', path: '/spec/behavior/scaleDown', value: profile.behavior.scaleDown }]);
  assert.deepEqual(applied(h, f.patch).spec.behavior, { scaleUp: TEAM_UP, scaleDown: profile.behavior.scaleDown });
  const d = fillBehavior(hpa({ scaleDown: TEAM_UP, scaleUp: null }), profile);
  assert.deepEqual(d.filled, ['scaleUp']);
  assert.deepEqual(d.patch, [{ op: 'add', path: '/spec/behavior/scaleUp', value: profile.behavior.scaleUp }]);
  // an empty behavior object: both halves, each at its own path
  const e = fillBehavior(hpa({}), profile);
  assert.deepEqual(
    e.patch.map((o) => o.path),
    ['/spec/behavior/scaleUp', '/spec/behavior/scaleDown'],
  );
});

test('both halves written: nothing to fill', () => {
  assert.deepEqual(fillBehavior(hpa({ scaleUp: TEAM_UP, scaleDown: TEAM_UP }), profile), { patch: [], filled: [] });
});

test('malformed spec or behavior: left to the API-server rules, no patch', () => {
  for (const behavior of ['fast', 3, [TEAM_UP], true]) {
    assert.deepEqual(fillBehavior(hpa(behavior), profile), { patch: [], filled: [] }, JSON.stringify(behavior));
  }
  for (const spec of [undefined, null, 'x', [1]]) {
    assert.deepEqual(fillBehavior({ ...hpa(), spec } as never, profile), { patch: [], filled: [] }, JSON.stringify(spec));
  }
});

test('the profile is copied, never shared with the patch', () => {
  const f = fillBehavior(hpa(), profile);
  const v = (f.patch[0] as { value: { scaleUp: unknown } }).value;
  assert.notEqual(v.scaleUp, profile.behavior.scaleUp);
});
