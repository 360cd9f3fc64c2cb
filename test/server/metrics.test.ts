// recordReview() updates prom-client's own Counter and Histogram: what /metrics prints for recorded
// reviews is what a plain prom-client setup with the same names, labels and buckets prints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { createMetrics, REVIEW_DURATION_BUCKETS, type ReviewDecisionLabel, type ReviewEndpoint, type ReviewKindLabel } from '../../src/server/metrics.js';

const REVIEW_METRICS = /^gpu_hpa_webhook_admission_(reviews_total|denials_total|review_duration_seconds)/;

/** The same three metrics, kept the plain prom-client way. */
function reference() {
  const registry = new Registry();
  const registers = [registry];
  const metrics = createMetrics({ defaultMetrics: false });
  const help = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).help;
  return {
    registry,
    async build() {
      return {
        reviews: new Counter({ name: 'gpu_hpa_webhook_admission_reviews_total', help: await help('gpu_hpa_webhook_admission_reviews_total'), labelNames: ['endpoint', 'kind', 'decision'], registers }),
        denials: new Counter({ name: 'gpu_hpa_webhook_admission_denials_total', help: await help('gpu_hpa_webhook_admission_denials_total'), labelNames: ['endpoint', 'reason'], registers }),
        duration: new Histogram({
          name: 'gpu_hpa_webhook_admission_review_duration_seconds',
          help: await help('gpu_hpa_webhook_admission_review_duration_seconds'),
          labelNames: ['endpoint'],
          buckets: REVIEW_DURATION_BUCKETS,
          registers,
        }),
      };
    },
  };
}

// the metrics of interest, each as HELP, TYPE and its samples; the order of label sets within a metric
// carries no meaning in the exposition format, so samples are compared as sets
const only = (text: string) =>
  text
    .split('\n\n')
    .map((block) => block.trim().split('\n'))
    .filter((lines) => REVIEW_METRICS.test((lines[0] ?? '').replace(/^# (HELP|TYPE) /, '')))
    .map((lines) => [...lines.filter((l) => l.startsWith('#')), ...lines.filter((l) => !l.startsWith('#')).sort()].join('\n'))
    .sort()
    .join('\n\n');

test("property: /metrics prints for recorded reviews exactly what prom-client's Counter and Histogram print", async () => {
  const review = fc.record({
    endpoint: fc.constantFrom<ReviewEndpoint>('mutate', 'validate'),
    kind: fc.constantFrom<ReviewKindLabel>('Deployment', 'HorizontalPodAutoscaler', 'other'),
    decision: fc.constantFrom<ReviewDecisionLabel>('allowed', 'denied', 'patched', 'error'),
    // on bucket bounds exactly, between them, beyond the last
    seconds: fc.oneof(fc.constantFrom(...REVIEW_DURATION_BUCKETS, 0, 2), fc.double({ min: 0, max: 3, noNaN: true })),
    reasons: fc.array(fc.constantFrom('metric-not-served', 'unbounded-scale-up', 'api-malformed-object'), { maxLength: 2 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(review, { maxLength: 30 }), fc.nat(30), async (reviews, scrapeAt) => {
      const ours = createMetrics({ defaultMetrics: false });
      const ref = reference();
      const theirs = await ref.build();
      for (const [i, r] of reviews.entries()) {
        if (i === scrapeAt) await ours.registry.metrics(); // a scrape in between must not lose or double counts
        ours.recordReview(r.endpoint, r.kind, r.decision, r.seconds, r.reasons);
        theirs.reviews.inc({ endpoint: r.endpoint, kind: r.kind, decision: r.decision });
        for (const reason of r.reasons) theirs.denials.inc({ endpoint: r.endpoint, reason });
        theirs.duration.observe({ endpoint: r.endpoint }, r.seconds);
      }
      assert.equal(only(await ours.registry.metrics()), only(await ref.registry.metrics()));
    }),
    { numRuns: 150 },
  );
});

test("the review metrics reset with the registry, like prom-client's", async () => {
  const m = createMetrics({ defaultMetrics: false });
  m.recordReview('mutate', 'Deployment', 'patched', 0.0002, []);
  assert.match(await m.registry.metrics(), /gpu_hpa_webhook_admission_review_duration_seconds_count\{endpoint="mutate"\} 1/);
  m.registry.resetMetrics();
  assert.doesNotMatch(await m.registry.metrics(), /review_duration_seconds_count/);
});
