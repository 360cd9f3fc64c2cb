// Prometheus metrics for the webhook, on a Registry of its own (not prom-client's global one) so a
// process, or a test file, can build several apps without "metric already registered" errors. Every
// metric is one of prom-client's own (Counter, Gauge, Histogram), updated when the event happens.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReasonCode } from '../core/admission/decision.js';

export type ReviewDecisionLabel = 'allowed' | 'denied' | 'patched' | 'error';

export type ReviewEndpoint = 'mutate' | 'validate';
export type ReviewKindLabel = 'Deployment' | 'HorizontalPodAutoscaler' | 'other';

export interface WebhookMetrics {
  readonly registry: Registry;
  /** one answered review: counts it, its denial reasons and its duration (the admission path's only metrics call) */
  recordReview(endpoint: ReviewEndpoint, kind: ReviewKindLabel, decision: ReviewDecisionLabel, seconds: number, reasons: readonly ReasonCode[]): void;
  /** reviews answered, by endpoint (mutate|validate), kind (Deployment|HorizontalPodAutoscaler|other) and decision */
  readonly reviews: Counter<'endpoint' | 'kind' | 'decision'>;
  /** one increment per violation of a denied review, by its reason code (a bounded set: docs/rules.md) */
  readonly denials: Counter<'endpoint' | 'reason'>;
  readonly reviewDuration: Histogram<'endpoint'>;
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

export function createMetrics(opts: MetricsOptions = {}): WebhookMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const reviews = new Counter({
    name: 'gpu_hpa_webhook_admission_reviews_total',
    help: 'AdmissionReviews answered, by endpoint, kind and decision (allowed, denied, patched, error).',
    labelNames: ['endpoint', 'kind', 'decision'] as const,
    registers,
  });
  const denials = new Counter({
    name: 'gpu_hpa_webhook_admission_denials_total',
    help: 'Violations in denied AdmissionReviews, by endpoint and reason code.',
    labelNames: ['endpoint', 'reason'] as const,
    registers,
  });
  const reviewDuration = new Histogram({
    name: 'gpu_hpa_webhook_admission_review_duration_seconds',
    help: 'Time to answer an AdmissionReview, from the request headers to the encoded response.',
    labelNames: ['endpoint'] as const,
    buckets: REVIEW_DURATION_BUCKETS,
    registers,
  });
  return {
    registry,
    recordReview(endpoint, kind, decision, seconds, reasons) {
      reviews.inc({ endpoint, kind, decision });
      for (const reason of reasons) denials.inc({ endpoint, reason });
      reviewDuration.observe({ endpoint }, seconds);
    },
    reviews,
    denials,
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
