// The "did you mean" search of the adapter registry is remembered per list and name (core/memo.ts): the
// same miss asked again — here from another namespace, which the verdict memo keys apart — costs no
// second search, and a name over MAX_NAME_LENGTH is never searched nor kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import type { MetricRequest } from '../../../src/core/adapter/types.js';
import { MAX_NAME_LENGTH } from '../../../src/core/bounds.js';
import { SHIPPED_RULES } from '../../helpers/webhook.js';

const pods = (name: string, namespace: string): MetricRequest => ({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true, namespace });

test('a repeated miss is searched once; its suggestions are the same each time', () => {
  const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped');
  const first = rules.lookup(pods('gpu_utilisation', 'team-a'));
  assert.equal(first.status, 'not-served');
  const searched = rules.suggestWork.steps;
  assert.ok(searched > 0, 'the first miss searched the served names');
  const again = rules.lookup(pods('gpu_utilisation', 'team-b'));
  assert.equal(rules.suggestWork.steps, searched, 'the second miss did not search again');
  assert.ok(first.status === 'not-served' && again.status === 'not-served');
  assert.deepEqual(again.nearest, first.nearest);
  assert.ok(first.nearest.length > 0);
});

test('a name over MAX_NAME_LENGTH is never searched', () => {
  const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped');
  rules.lookup(pods('g'.repeat(MAX_NAME_LENGTH + 1), 'team-a'));
  assert.equal(rules.suggestWork.steps, 0);
});
