import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cloneJson } from '../../src/core/json.js';

test('property: cloneJson equals the input and shares no object with it', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const c = cloneJson(v);
      assert.deepStrictEqual(c, v);
      const seen = new Set<unknown>();
      const walk = (x: unknown) => {
        if (x && typeof x === 'object') {
          seen.add(x);
          Object.values(x).forEach(walk);
        }
      };
      walk(v);
      const check = (x: unknown) => {
        if (x && typeof x === 'object') {
          assert.ok(!seen.has(x), 'shared reference');
          Object.values(x).forEach(check);
        }
      };
      check(c);
    }),
  );
});

test('an own "__proto__" key stays data and does not change the prototype', () => {
  const v = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
  const c = cloneJson(v) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(c), Object.prototype);
  assert.deepEqual(Object.keys(c), ['__proto__', 'a']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(JSON.stringify(c), '{"__proto__":{"polluted":true},"a":1}');
});
