import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoize } from '../../src/core/memo.js';

test('memoize: computes once per key, keeps the last `max` keys used, drops the least recently used first', () => {
  const computed: string[] = [];
  const f = memoize(2, (k: string) => (computed.push(k), { k }));
  const a = f('a');
  assert.equal(f('a'), a, 'the same object for the same key');
  f('b');
  f('a'); // a is now the most recently used
  f('c'); // evicts b, not a
  f('a');
  f('b');
  assert.deepEqual(computed, ['a', 'b', 'c', 'b']);
});

test('memoize: a key function for arguments that are not keys; a throwing computation is not remembered', () => {
  let calls = 0;
  const f = memoize(
    10,
    (p: { x: number }) => {
      calls++;
      if (p.x < 0) throw new Error('negative');
      return [p.x];
    },
    (p) => p.x,
  );
  assert.equal(f({ x: 1 }), f({ x: 1 }));
  assert.throws(() => f({ x: -1 }), /negative/);
  assert.throws(() => f({ x: -1 }), /negative/);
  assert.equal(calls, 3);
});
