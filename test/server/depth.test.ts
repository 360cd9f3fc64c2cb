// The nesting limit on request bodies: the cheap opener count may only ever let through bodies the
// exact scan would let through too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jsonDepthExceeds, openersExceed } from '../../src/server/app.js';
import { nestedArrays } from '../helpers/json-edit.js';

test('property: a body the opener count passes is never one the exact scan refuses', () => {
  const nested = fc
    .tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom('[', '{"a":'), fc.string({ maxLength: 4 }))
    .map(([n, open, s]) => open.repeat(n) + JSON.stringify(s) + (open === '[' ? ']' : '}').repeat(n));
  fc.assert(
    fc.property(fc.oneof(fc.json(), nested), fc.integer({ min: 0, max: 30 }), (text, max) => {
      if (!openersExceed(Buffer.from(text), max)) assert.equal(jsonDepthExceeds(text, max), false, text);
    }),
    { numRuns: 2000 },
  );
});

test('the limit itself: 512 levels pass, 513 do not; brackets inside strings do not nest', () => {
  const deep = nestedArrays;
  for (const [text, exceeds] of [
    [deep(512), false],
    [deep(513), true],
    [JSON.stringify('['.repeat(2000)), false],
  ] as const) {
    assert.equal(openersExceed(Buffer.from(text), 512) && jsonDepthExceeds(text, 512), exceeds, text.slice(0, 20));
  }
});
