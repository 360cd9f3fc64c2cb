// Live series discovery for `serve`: a refresher whose every pass re-overlays the rules in the ConfigStore,
// so the engine is recompiled once per pass and admission only reads the cache.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigStore } from '../loaders/config-store.js';
import { createDiscoveryMetrics } from './metrics.js';
import { parsePrometheusUrl } from './prometheus.js';
import type { KubeConfig } from '../controller/kubeconfig.js';
import { preferAdapterListing, type AdapterListing } from '../core/adapter/listed.js';
import type { AdapterRuleSet } from '../core/adapter/types.js';
import { AdapterListingRefresher } from './adapter-api.js';
import { DEFAULT_DISCOVERY_INTERVAL_MS, DiscoveryRefresher } from './refresher.js';

export { discoverOnce, DiscoveryRefresher, DEFAULT_DISCOVERY_INTERVAL_MS } from './refresher.js';
export { parsePrometheusUrl, PrometheusError } from './prometheus.js';
export { parseDuration } from './duration.js';

export interface StartDiscoveryOptions {
  /** series discovery against this Prometheus */
  prometheusUrl?: string;
  /** also ask prometheus-adapter's own discovery through this cluster's API server, and prefer its answer */
  adapterApi?: KubeConfig;
  intervalMs?: number;
  timeoutMs?: number;
  store: ConfigStore;
  logger?: Logger;
  registry?: Registry;
}

export interface Discovery {
  prometheus?: DiscoveryRefresher;
  adapter?: AdapterListingRefresher;
  /** one pass of each source now */
  refresh(): Promise<void>;
  stop(): void;
}

export function startDiscovery(o: StartDiscoveryOptions): Discovery {
  const interval = o.intervalMs ?? DEFAULT_DISCOVERY_INTERVAL_MS;
  let prometheus: DiscoveryRefresher | undefined;
  let adapter: AdapterListingRefresher | undefined;
  // rules in force → Prometheus-based verdicts → the adapter's own listing, where it answers
  let memo: { base: AdapterRuleSet; inner: AdapterRuleSet; listing?: AdapterListing; out: AdapterRuleSet } | undefined;
  const overlay = (base: AdapterRuleSet): AdapterRuleSet => {
    const inner = prometheus ? prometheus.overlay(base) : base;
    const listing = adapter?.current();
    if (memo && memo.base === base && memo.inner === inner && memo.listing === listing) return memo.out;
    memo = { base, inner, listing, out: preferAdapterListing(inner, listing) };
    return memo.out;
  };
  const update = () => {
    // build the live rule set here, once per pass, so the first review after a pass does not pay for it
    const rules = o.store.current().rules;
    if (rules) overlay(rules);
    o.store.setRulesOverlay(overlay);
  };
  if (o.prometheusUrl) {
    const target = parsePrometheusUrl(o.prometheusUrl);
    prometheus = new DiscoveryRefresher({
      target,
      rules: () => o.store.current().rules,
      intervalMs: interval,
      timeoutMs: o.timeoutMs,
      logger: o.logger,
      metrics: o.registry ? createDiscoveryMetrics(o.registry) : undefined,
      onUpdate: update,
    });
    o.logger?.info({ prometheus: target.display, intervalMs: interval }, 'series discovery started');
  }
  if (o.adapterApi) {
    adapter = new AdapterListingRefresher({ kc: o.adapterApi, intervalMs: interval, timeoutMs: o.timeoutMs, logger: o.logger, onUpdate: update });
    o.logger?.info({ intervalMs: interval }, "asking prometheus-adapter's own discovery through the API server");
  }
  // until the first pass ends: offline verdicts with a "discovery has not finished" warning
  o.store.setRulesOverlay(overlay);
  prometheus?.start();
  adapter?.start();
  return {
    prometheus,
    adapter,
    refresh: async () => {
      await Promise.all([prometheus?.refresh(), adapter?.refresh()]);
    },
    stop: () => {
      prometheus?.stop();
      adapter?.stop();
    },
  };
}
