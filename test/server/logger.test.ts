import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createLogger, isoTimeCached } from '../../src/server/logger.js';

test('property: the cached timestamp is exactly pino isoTime\'s, across seconds and millisecond padding', () => {
  const real = Date.now;
  try {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 2 }), (times, delta) => {
        for (const t0 of times) {
          // the same second twice (cache hit), then a neighbour
          for (const t of [t0, t0 + delta, t0 + 1000 * delta]) {
            Date.now = () => t;
            assert.equal(isoTimeCached(), `,"time":"${new Date(t).toISOString()}"`);
          }
        }
      }),
      { numRuns: 500 },
    );
  } finally {
    Date.now = real;
  }
});

test('a log line carries the ISO time, the level by name and the service', () => {
  const lines: string[] = [];
  const before = new Date().toISOString().slice(0, 19);
  createLogger({ destination: { write: (s: string) => void lines.push(s) } }).info({ uid: 'u' }, 'hello');
  const line = JSON.parse(lines[0]!);
  assert.equal(line.level, 'info');
  assert.equal(line.service, 'gpu-hpa-webhook');
  assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(line.time.slice(0, 19) >= before);
});
