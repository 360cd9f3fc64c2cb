// The review line: the entry's fields, the logger's level label, time and bindings, the message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createLogger, SERVICE_NAME } from '../../src/server/logger.js';
import { REVIEW_MESSAGE, reviewLineWriter, type ReviewLogEntry } from '../../src/server/review-log.js';

const text = fc.string({ unit: 'binary', maxLength: 12 }); // quotes, backslashes, control characters, U+2028, astral planes
const entry: fc.Arbitrary<ReviewLogEntry> = fc.record(
  {
    endpoint: fc.constantFrom('mutate', 'validate'),
    uid: text,
    kind: fc.constantFrom('apps/v1/Deployment', 'autoscaling/v2/HorizontalPodAutoscaler', 'v1/Pod'),
    namespace: text,
    name: text,
    operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE'),
    dryRun: fc.boolean(),
    decision: fc.constantFrom('allowed', 'denied', 'patched', 'error'),
    skipped: text,
    reasons: fc.array(text, { maxLength: 3 }),
    warnings: fc.nat(5),
    latencyMs: fc.double({ min: 0, max: 5000, noNaN: true }),
  },
  { requiredKeys: ['endpoint', 'uid', 'kind', 'operation', 'dryRun', 'decision', 'reasons', 'warnings', 'latencyMs'] },
);

test('property: one JSON line per review holding the entry, the level by name, the time, the service and the message', () => {
  fc.assert(
    fc.property(entry, (e) => {
      const lines: string[] = [];
      reviewLineWriter(createLogger({ destination: { write: (s: string) => void lines.push(s) } }))(e);
      assert.equal(lines.length, 1);
      assert.ok(lines[0]!.endsWith('}\n') && !lines[0]!.slice(0, -1).includes('\n'), 'one line');
      const { level, time, service, pid, hostname, msg, ...fields } = JSON.parse(lines[0]!) as Record<string, unknown>;
      assert.equal(level, 'info');
      assert.equal(typeof time, 'string');
      assert.equal(new Date(time as string).toISOString(), time);
      assert.equal(service, SERVICE_NAME);
      assert.equal(pid, process.pid);
      assert.equal(typeof hostname, 'string');
      assert.equal(msg, REVIEW_MESSAGE);
      assert.deepEqual(fields, JSON.parse(JSON.stringify(e)));
    }),
    { numRuns: 300 },
  );
});

test("the review line follows the logger's level: nothing below info", () => {
  const lines: string[] = [];
  const write = reviewLineWriter(createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } }));
  write({ endpoint: 'mutate', uid: 'u', kind: 'apps/v1/Deployment', operation: 'CREATE', dryRun: false, decision: 'allowed', reasons: [], warnings: 0, latencyMs: 1 });
  assert.deepEqual(lines, []);
});
