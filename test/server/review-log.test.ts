// The hand-built review line must be the line pino itself writes for the same fields, byte for byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createLogger } from '../../src/server/logger.js';
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

test('property: the review line is byte for byte what pino writes for the same entry', () => {
  const real = Date.now;
  try {
    fc.assert(
      fc.property(entry, fc.integer({ min: 0, max: 4_102_444_800_000 }), (e, now) => {
        Date.now = () => now;
        const ours: string[] = [];
        const theirs: string[] = [];
        reviewLineWriter(createLogger({ destination: { write: (s: string) => void ours.push(s) } }).child({}, { redact: [] }))(e);
        createLogger({ destination: { write: (s: string) => void theirs.push(s) } }).child({}, { redact: [] }).info(e, REVIEW_MESSAGE);
        assert.deepEqual(ours, theirs);
      }),
      { numRuns: 400 },
    );
  } finally {
    Date.now = real;
  }
});

test('the review line follows the logger\'s level: nothing below info', () => {
  const lines: string[] = [];
  const write = reviewLineWriter(createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } }));
  write({ endpoint: 'mutate', uid: 'u', kind: 'apps/v1/Deployment', operation: 'CREATE', dryRun: false, decision: 'allowed', reasons: [], warnings: 0, latencyMs: 1 });
  assert.deepEqual(lines, []);
});
