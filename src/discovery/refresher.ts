// Periodic series discovery, as prometheus-adapter's cachingMetricsLister does it
// (pkg/custom-provider/provider.go updateMetrics, run by wait.Until every --metrics-relist-interval):
// every distinct seriesQuery of the rules in force goes to /api/v1/series with start = now - lookback,
// in parallel; one failure fails the pass. The result is cached: admission reads the cache and never
// waits on Prometheus. A failed pass marks discovery stale and admission falls back to the offline
// verdict with a warning (src/core/adapter/live.ts).
import type { Logger } from 'pino';
import { groupSeries, liveRuleSet, seriesQueries, valueLabels, type DiscoveryState, type SeriesGroup } from '../core/adapter/live.js';
import type { AdapterRuleSet } from '../core/adapter/types.js';
import type { DiscoveryMetrics } from './metrics.js';
import { fetchSeries, PrometheusError, type PrometheusTarget } from './prometheus.js';

export const DEFAULT_DISCOVERY_INTERVAL_MS = 60_000; // the adapter's --metrics-relist-interval default
export const DEFAULT_DISCOVERY_TIMEOUT_MS = 10_000;
/** selectors fetched at once (the adapter launches all; a cap keeps a huge config from flooding Prometheus) */
const CONCURRENCY = 8;

export interface RefresherOptions {
  target: PrometheusTarget;
  /** the rules in force, read at the start of each pass */
  rules: () => AdapterRuleSet | undefined;
  intervalMs?: number;
  /** how long a whole pass may take before it counts as failed */
  timeoutMs?: number;
  /** series must have samples this recently (the adapter's --metrics-max-age, default: the interval) */
  lookbackMs?: number;
  logger?: Logger;
  metrics?: DiscoveryMetrics;
  /** after every pass, success or failure (serve recompiles the engine: ConfigStore.setRulesOverlay) */
  onUpdate?: (state: DiscoveryState) => void;
  now?: () => number;
}

export class DiscoveryRefresher {
  private current: DiscoveryState = { stale: true };
  private timer?: NodeJS.Timeout;
  private running?: Promise<DiscoveryState>;
  private again = false;
  private readonly interval: number;
  private readonly timeout: number;
  private readonly now: () => number;
  // live rule sets are built once per (rules, state), not per admission
  private memo?: { base: AdapterRuleSet; state: DiscoveryState; live: AdapterRuleSet };

  constructor(private readonly o: RefresherOptions) {
    this.interval = o.intervalMs ?? DEFAULT_DISCOVERY_INTERVAL_MS;
    this.timeout = o.timeoutMs ?? Math.min(DEFAULT_DISCOVERY_TIMEOUT_MS, this.interval);
    this.now = o.now ?? Date.now;
    o.metrics?.stale.set(1);
  }

  state(): DiscoveryState {
    return this.current;
  }

  /** The rules admission should use: `base` overlaid with the latest discovery. */
  readonly overlay = (base: AdapterRuleSet): AdapterRuleSet => {
    const m = this.memo;
    if (m && m.base === base && m.state === this.current) return m.live;
    const live = liveRuleSet(base, this.current);
    this.memo = { base, state: this.current, live };
    return live;
  };

  /** First pass now (in the background), then one every interval. */
  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.interval);
    this.timer.unref(); // discovery never keeps the process alive
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One pass (or join the one running; a call during a pass schedules one more right after it, so a rules
   * change is seen). Never throws: the outcome is in the returned state.
   */
  refresh(): Promise<DiscoveryState> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.running;
  }

  private async pass(): Promise<DiscoveryState> {
    const rules = this.o.rules();
    if (!rules) return this.current;
    const selectors = seriesQueries(rules);
    const keep = valueLabels(rules);
    const started = this.now();
    const signal = AbortSignal.timeout(this.timeout);
    const startMs = started - (this.o.lookbackMs ?? this.interval);
    const series = new Map<string, SeriesGroup[]>();
    let total = 0;
    try {
      let next = 0;
      const worker = async () => {
        while (next < selectors.length) {
          const sel = selectors[next++]!;
          const raw = await fetchSeries(this.o.target, sel, { startMs, signal });
          total += raw.length;
          series.set(sel, groupSeries(raw, keep));
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, selectors.length) }, worker));
    } catch (e) {
      const error = (e as Error).message;
      const errorShort = e instanceof PrometheusError ? e.reason : error;
      const wasStale = this.current.stale;
      this.current = { snapshot: this.current.snapshot, error, errorShort, stale: true };
      this.o.metrics?.failures.inc();
      this.o.metrics?.stale.set(1);
      this.o.logger?.warn(
        { prometheus: this.o.target.display, err: error, lastSuccess: this.current.snapshot ? new Date(this.current.snapshot.at).toISOString() : null, stale: true },
        wasStale
          ? 'series discovery failed again; admission still judges by the adapter config alone'
          : 'series discovery failed; discovery is stale, admission judges by the adapter config alone until a pass succeeds',
      );
      this.o.onUpdate?.(this.current);
      return this.current;
    }
    const at = this.now();
    const recovered = this.current.error !== undefined;
    const first = !this.current.snapshot;
    this.current = { snapshot: { source: this.o.target.display, series, at, windowStart: startMs }, stale: false };
    this.o.metrics?.lastSuccess.set(at / 1000);
    this.o.metrics?.stale.set(0);
    this.o.metrics?.series.set(total);
    const empty = selectors.filter((s) => (series.get(s) ?? []).length === 0);
    const fields = { prometheus: this.o.target.display, seriesQueries: selectors.length, series: total, matchingNothing: empty, ms: at - started };
    if (recovered) this.o.logger?.info(fields, 'series discovery recovered; live verdicts again');
    else if (!first) this.o.logger?.debug(fields, 'series discovery pass');
    else this.o.logger?.info(fields, 'series discovery ready; admission judges by the series Prometheus has');
    this.o.onUpdate?.(this.current);
    return this.current;
  }
}

/** `check --prometheus-url`: one pass, then the rules to judge with (the offline ones plus a warning if it failed). */
export async function discoverOnce(rules: AdapterRuleSet, target: PrometheusTarget, opts: { timeoutMs?: number; lookbackMs?: number } = {}): Promise<{ rules: AdapterRuleSet; state: DiscoveryState }> {
  const r = new DiscoveryRefresher({ target, rules: () => rules, intervalMs: opts.lookbackMs ?? DEFAULT_DISCOVERY_INTERVAL_MS, timeoutMs: opts.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS });
  const state = await r.refresh();
  return { rules: r.overlay(rules), state };
}
