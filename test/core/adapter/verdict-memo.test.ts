// VerdictMemo's key (issue 19): the HPA's namespace is part of the request since live discovery checks
// the series of that namespace (live.ts valueFor), so the same metric asked from two namespaces is two
// decisions, and a request without a namespace is a third. (The rest of the memo's behaviour is in
// listed-memo.branches.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricRequest, MetricVerdict } from '../../../src/core/adapter/types.js';
import { VerdictMemo } from '../../../src/core/adapter/verdict-memo.js';

const pods = (namespace?: string): MetricRequest => ({ kind: 'Pods', name: 'gpu', resource: { group: '', resource: 'pods' }, namespaced: true, ...(namespace === undefined ? {} : { namespace }) });

test('the namespace is part of the key: one decision per namespace, and one without', () => {
  const asked: Array<string | undefined> = [];
  const memo = new VerdictMemo((r): MetricVerdict => (asked.push(r.namespace), { status: 'served', rules: [], notes: [r.namespace ?? 'none'] }));
  const a = memo.lookup(pods('team-a'));
  const b = memo.lookup(pods('team-b'));
  const none = memo.lookup(pods());
  assert.deepEqual(asked, ['team-a', 'team-b', undefined]);
  assert.deepEqual(
    [a, b, none].map((v) => (v as { notes: string[] }).notes[0]),
    ['team-a', 'team-b', 'none'],
  );
  // asked again, each from its own entry
  assert.equal(memo.lookup(pods('team-a')), a);
  assert.equal(memo.lookup(pods('team-b')), b);
  assert.equal(memo.lookup(pods()), none);
  assert.equal(asked.length, 3);
  // an empty namespace reads as none (the key cannot tell them apart, and neither can the rules)
  assert.equal(memo.lookup(pods('')), none);
});
