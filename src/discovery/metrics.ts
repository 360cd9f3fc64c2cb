// Discovery's own metrics, on the webhook's registry (src/server/metrics.ts stays the server's).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface DiscoveryMetrics {
  lastSuccess: Gauge;
  failures: Counter;
  stale: Gauge;
  series: Gauge;
}

export function createDiscoveryMetrics(registry: Registry): DiscoveryMetrics {
  const registers = [registry];
  return {
    lastSuccess: new Gauge({
      name: 'gpu_hpa_webhook_discovery_last_success_timestamp_seconds',
      help: 'Unix time of the last Prometheus series discovery pass that succeeded (0: none yet).',
      registers,
    }),
    failures: new Counter({
      name: 'gpu_hpa_webhook_discovery_failures_total',
      help: 'Prometheus series discovery passes that failed (unreachable, slow, an error answer).',
      registers,
    }),
    stale: new Gauge({
      name: 'gpu_hpa_webhook_discovery_stale',
      help: '1 while admission cannot rely on series discovery (no pass succeeded yet, or the latest failed) and judges by the adapter config alone.',
      registers,
    }),
    series: new Gauge({
      name: 'gpu_hpa_webhook_discovery_series',
      help: 'Series returned by the last successful discovery pass, over all distinct seriesQueries.',
      registers,
    }),
  };
}
