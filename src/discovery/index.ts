// Live series discovery for `serve`: a refresher whose every pass re-overlays the rules in the ConfigStore,
// so the engine is recompiled once per pass and admission only reads the cache.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigStore } from '../loaders/config-store.js';
import { createDiscoveryMetrics } from './metrics.js';
import { parsePrometheusUrl } from './prometheus.js';
import { DEFAULT_DISCOVERY_INTERVAL_MS, DiscoveryRefresher } from './refresher.js';

export { discoverOnce, DiscoveryRefresher, DEFAULT_DISCOVERY_INTERVAL_MS } from './refresher.js';
export { parsePrometheusUrl, PrometheusError } from './prometheus.js';
export { parseDuration } from './duration.js';

export interface StartDiscoveryOptions {
  prometheusUrl: string;
  intervalMs?: number;
  timeoutMs?: number;
  store: ConfigStore;
  logger?: Logger;
  registry?: Registry;
}

export function startDiscovery(o: StartDiscoveryOptions): DiscoveryRefresher {
  const target = parsePrometheusUrl(o.prometheusUrl);
  const refresher = new DiscoveryRefresher({
    target,
    rules: () => o.store.current().rules,
    intervalMs: o.intervalMs,
    timeoutMs: o.timeoutMs,
    logger: o.logger,
    metrics: o.registry ? createDiscoveryMetrics(o.registry) : undefined,
    onUpdate: () => {
      // build the live rule set here, once per pass, so the first review after a pass does not pay for it
      const rules = o.store.current().rules;
      if (rules) refresher.overlay(rules);
      o.store.setRulesOverlay(refresher.overlay);
    },
  });
  // until the first pass ends: offline verdicts with a "discovery has not finished" warning
  o.store.setRulesOverlay(refresher.overlay);
  o.logger?.info({ prometheus: target.display, intervalMs: o.intervalMs ?? DEFAULT_DISCOVERY_INTERVAL_MS }, 'series discovery started');
  refresher.start();
  return refresher;
}
