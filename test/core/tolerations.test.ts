import assert from 'node:assert/strict';
import { test } from 'node:test';
import { covers } from '../../src/core/tolerations.js';

const gpu = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
// Cases from the semantics of k8s.io/api/core/v1 toleration.go MatchToleration/ToleratesTaint.
const cases: Array<[string, object, object, boolean]> = [
  ['identical', gpu, gpu, true],
  ['empty key + Exists tolerates everything', { operator: 'Exists' }, gpu, true],
  ['empty effect matches all effects', { key: 'nvidia.com/gpu', operator: 'Exists' }, gpu, true],
  ['other effect', { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }, gpu, false],
  ['other key', { key: 'nvidia.com/mig', operator: 'Exists', effect: 'NoSchedule' }, gpu, false],
  ['Equal cannot stand in for a required Exists', { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' }, gpu, false],
  ['operator defaults to Equal: empty key + Equal matches nothing', { effect: 'NoSchedule' }, gpu, false],
  ['Equal with same value', { key: 'k', value: 'v', effect: 'NoSchedule' }, { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, true],
  ['Equal with another value', { key: 'k', value: 'w', effect: 'NoSchedule' }, { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, false],
  ['Exists covers a required Equal', { key: 'k', operator: 'Exists' }, { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, true],
];
for (const [name, existing, required, want] of cases) {
  test(`covers: ${name}`, () => assert.equal(covers(existing, required), want));
}
