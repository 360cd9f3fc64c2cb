import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { batchedDestination, createLogger, isoTimeCached } from '../../src/server/logger.js';

test("property: the cached timestamp is exactly pino isoTime's, across seconds and millisecond padding", () => {
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

test('stdout lines of one event-loop turn are written together, in order, when the turn ends', async () => {
  const writes: string[] = [];
  const dest = batchedDestination({ write: (s: string) => void writes.push(s) });
  const logger = createLogger({ destination: dest });
  logger.info('one');
  logger.info('two');
  assert.equal(writes.length, 0, 'nothing before the turn ends');
  await new Promise((r) => setImmediate(r));
  assert.equal(writes.length, 1);
  assert.deepEqual(
    writes[0]!
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).msg),
    ['one', 'two'],
  );
  logger.info('three');
  dest.flush();
  assert.equal(JSON.parse(writes[1]!).msg, 'three');
});

test('a process that exits right after logging still writes the line to stdout', () => {
  const script = `import { createLogger } from ${JSON.stringify(new URL('../../src/server/logger.ts', import.meta.url).href)};
createLogger().info({ uid: 'last-words' }, 'exiting'); process.exit(3);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim()).uid, 'last-words');
});
