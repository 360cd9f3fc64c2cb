// Prometheus metrics for the webhook, on a Registry of its own (not prom-client's global one) so a
// process, or a test file, can build several apps without "metric already registered" errors.
//
// The per-review metrics are counted in plain numbers on the admission path and handed to
// prom-client when scraped: its per-call label hashing (and a histogram keyed by float bounds) cost
// ~10 µs a review under load, a tenth of the whole shell (docs/benchmarks.md). recordReview() is the
// hot path; the exposition is prom-client's own, and test/server/metrics.test.ts holds it to what
// prom-client's Counter and Histogram would print for the same reviews.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export type ReviewDecisionLabel = 'allowed' | 'denied' | 'patched' | 'error';

export type ReviewEndpoint = 'mutate' | 'validate';
export type ReviewKindLabel = 'Deployment' | 'HorizontalPodAutoscaler' | 'other';

export interface WebhookMetrics {
  readonly registry: Registry;
  /** one answered review: counts it, its denial reasons and its duration (the admission path's only metrics call) */
  recordReview(endpoint: ReviewEndpoint, kind: ReviewKindLabel, decision: ReviewDecisionLabel, seconds: number, reasons: readonly string[]): void;
  /** reviews answered, by endpoint (mutate|validate), kind (Deployment|HorizontalPodAutoscaler|other) and decision */
  readonly reviews: Counter<'endpoint' | 'kind' | 'decision'>;
  /** one increment per violation of a denied review, by its reason code */
  readonly denials: Counter<'endpoint' | 'reason'>;
  readonly reviewDuration: EndpointHistogram;
  readonly inFlight: Gauge;
  /** requests answered with a 4xx before any review happened (413, 415, 400, 404, 405) */
  readonly badRequests: Counter<'endpoint' | 'code'>;
  readonly configReloads: Counter<'source' | 'result'>;
  readonly configLastReloadSuccess: Gauge<'source'>;
  readonly tlsReloads: Counter<'result'>;
}

export interface MetricsOptions {
  /** process_* and nodejs_* metrics on the same registry (default true) */
  defaultMetrics?: boolean;
}

// Admission runs in well under a millisecond when all is well; the API server gives up after
// timeoutSeconds (<= 5 here), so resolution matters from 0.1 ms up to about a second.
export const REVIEW_DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

interface HistogramValue {
  labels: { le?: number | '+Inf'; endpoint: string };
  value: number;
  metricName: string;
}

/**
 * A histogram whose only label is the endpoint, observed with array arithmetic. It is a prom-client
 * metric by contract (name, help, type, get(), reset()), registered like any other, and prints what
 * prom-client's Histogram prints: cumulative buckets with le first, +Inf, _sum, _count, label sets
 * in order of first observation.
 */
export class EndpointHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, { counts: Float64Array; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  observe(endpoint: string, seconds: number): void {
    let s = this.series.get(endpoint);
    if (s === undefined) this.series.set(endpoint, (s = { counts: new Float64Array(this.buckets.length), sum: 0, count: 0 }));
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (seconds <= b[i]!) {
        s.counts[i]!++;
        break;
      }
    }
    s.sum += seconds;
    s.count++;
  }

  /** What prom-client's registry reads from a metric (its typings describe its own classes, not the contract). */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: HistogramValue[]; aggregator: 'sum' }> {
    const values: HistogramValue[] = [];
    for (const [endpoint, s] of this.series) {
      let acc = 0;
      this.buckets.forEach((le, i) => {
        acc += s.counts[i]!;
        values.push({ labels: { le, endpoint }, value: acc, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', endpoint }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { endpoint }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { endpoint }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.series.clear();
  }
}

/**
 * Counts by label values, kept until the counter is scraped and then added to it. Keyed by nested
 * Maps of the label values themselves (rarely new strings): building one key string per review was
 * most of what counting cost.
 */
function deferredCounts<L extends string>(names: readonly L[]): { add(...values: string[]): void; flush(into: Counter<L>): void } {
  type Node = Map<string, Node | number>;
  const root: Node = new Map();
  return {
    add(...values) {
      let node = root;
      for (let i = 0; i < values.length - 1; i++) {
        let next = node.get(values[i]!) as Node | undefined;
        if (next === undefined) node.set(values[i]!, (next = new Map()));
        node = next;
      }
      const last = values[values.length - 1]!;
      node.set(last, ((node.get(last) as number | undefined) ?? 0) + 1);
    },
    flush(into) {
      const walk = (node: Node, values: string[]): void => {
        for (const [v, child] of node) {
          const path = [...values, v];
          if (typeof child === 'number') {
            if (child > 0) into.inc(Object.fromEntries(names.map((n, i) => [n, path[i]])) as Partial<Record<L, string>>, child);
            node.set(v, 0);
          } else walk(child, path);
        }
      };
      walk(root, []);
    },
  };
}

export function createMetrics(opts: MetricsOptions = {}): WebhookMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const reviewCounts = deferredCounts(['endpoint', 'kind', 'decision'] as const);
  const denialCounts = deferredCounts(['endpoint', 'reason'] as const);
  const reviewDuration = new EndpointHistogram(
    'gpu_hpa_webhook_admission_review_duration_seconds',
    'Time to answer an AdmissionReview, from the request headers to the encoded response.',
    REVIEW_DURATION_BUCKETS,
  );
  registry.registerMetric(reviewDuration as never);
  return {
    registry,
    recordReview(endpoint, kind, decision, seconds, reasons) {
      reviewCounts.add(endpoint, kind, decision);
      for (const reason of reasons) denialCounts.add(endpoint, reason);
      reviewDuration.observe(endpoint, seconds);
    },
    reviews: new Counter({
      name: 'gpu_hpa_webhook_admission_reviews_total',
      help: 'AdmissionReviews answered, by endpoint, kind and decision (allowed, denied, patched, error).',
      labelNames: ['endpoint', 'kind', 'decision'] as const,
      registers,
      collect() {
        reviewCounts.flush(this);
      },
    }),
    denials: new Counter({
      name: 'gpu_hpa_webhook_admission_denials_total',
      help: 'Violations in denied AdmissionReviews, by endpoint and reason code.',
      labelNames: ['endpoint', 'reason'] as const,
      registers,
      collect() {
        denialCounts.flush(this);
      },
    }),
    reviewDuration,
    inFlight: new Gauge({
      name: 'gpu_hpa_webhook_admission_in_flight',
      help: 'Requests to /mutate and /validate being read or decided right now.',
      registers,
    }),
    badRequests: new Counter({
      name: 'gpu_hpa_webhook_bad_requests_total',
      help: 'Requests rejected before review (bad JSON, not an AdmissionReview, wrong Content-Type, too large, …), by endpoint and HTTP code.',
      labelNames: ['endpoint', 'code'] as const,
      registers,
    }),
    configReloads: new Counter({
      name: 'gpu_hpa_webhook_config_reloads_total',
      help: 'Policy and adapter-rule reloads, by source and result (success, failure).',
      labelNames: ['source', 'result'] as const,
      registers,
    }),
    configLastReloadSuccess: new Gauge({
      name: 'gpu_hpa_webhook_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last successful reload, by source.',
      labelNames: ['source'] as const,
      registers,
    }),
    tlsReloads: new Counter({
      name: 'gpu_hpa_webhook_tls_reloads_total',
      help: 'Serving certificate reloads, by result (success, failure).',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}

/** For the config loaders: count a reload and, on success, stamp its time. */
export function recordConfigReload(metrics: WebhookMetrics, source: string, ok: boolean, nowMs: number = Date.now()): void {
  metrics.configReloads.inc({ source, result: ok ? 'success' : 'failure' });
  if (ok) metrics.configLastReloadSuccess.set({ source }, nowMs / 1000);
}

/** For the TLS reloader. */
export function recordTlsReload(metrics: WebhookMetrics, ok: boolean): void {
  metrics.tlsReloads.inc({ result: ok ? 'success' : 'failure' });
}
