// Whether a target's pods run yet (issue 18), every branch as pure logic (issue 19: the unit tests a
// mutation run of target-pods.ts uses; the integration is test/discovery/before-pods.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podsOfDeployment } from '../../../src/core/validate/target-pods.js';

const T = '2026-11-29T11:58:59.000Z';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function dep(status?: unknown, meta: any = { name: 'llm', namespace: 'ml' }): any {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: {}, ...(status === undefined ? {} : { status }) };
}
const available = (n: unknown, conditions?: unknown) => ({ availableReplicas: n, ...(conditions === undefined ? {} : { conditions }) });
const cond = (type: string, status: string, lastTransitionTime?: unknown) => ({ type, status, ...(lastTransitionTime === undefined ? {} : { lastTransitionTime }) });

test('a Deployment being created has no pod yet, whatever its status says', () => {
  assert.deepEqual(podsOfDeployment(dep(available(3, [cond('Available', 'True', T)])), true), { state: 'none', why: 'Deployment ml/llm is new, so no pod of it runs yet' });
  assert.deepEqual(podsOfDeployment(dep(undefined, {}), true), { state: 'none', why: 'Deployment default/ is new, so no pod of it runs yet' });
});

test('no available pod: zero, negative, missing, mistyped availableReplicas, or no status at all', () => {
  for (const status of [available(0), available(-1), {}, available('3'), null, 'x', undefined]) {
    assert.deepEqual(podsOfDeployment(dep(status), false), { state: 'none', why: 'Deployment ml/llm has no available pod yet' }, JSON.stringify(status));
  }
});

test('available pods since the Available condition turned True', () => {
  assert.deepEqual(podsOfDeployment(dep(available(1, [cond('Available', 'True', T)])), false), {
    state: 'running',
    why: `Deployment ml/llm has 1 available pod since ${T}`,
    since: Date.parse(T),
  });
  assert.deepEqual(podsOfDeployment(dep(available(2, [cond('Progressing', 'True', '2020-01-01T00:00:00Z'), cond('Available', 'True', T)])), false), {
    state: 'running',
    why: `Deployment ml/llm has 2 available pods since ${T}`,
    since: Date.parse(T),
  });
});

test('available pods since an unknown time: no Available=True condition, no or an unparsable time, conditions not a list', () => {
  const unknownSince = [
    available(2),
    available(2, []),
    available(2, [cond('Available', 'False', T)]),
    available(2, [cond('Progressing', 'True', T)]),
    available(2, [cond('Available', 'True')]),
    available(2, [cond('Available', 'True', 'yesterday')]),
    available(2, [cond('Available', 'True', 1700000000000)]),
    available(2, [null, 'x']),
    available(2, { type: 'Available', status: 'True', lastTransitionTime: T }),
  ];
  for (const status of unknownSince) {
    assert.deepEqual(podsOfDeployment(dep(status), false), { state: 'running', why: 'Deployment ml/llm has 2 available pods' }, JSON.stringify(status));
  }
});
