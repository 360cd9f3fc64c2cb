// The controller's metrics read its counters when scraped: the exposition follows the controller,
// counters only ever grow, and the gauges say leader / synced / queue depth as they are now.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { registerControllerMetrics } from '../../src/controller/metrics.js';

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('controller metrics: writes by action, Events, errors, queue depth, leader and synced, as the controller has them at each scrape', async () => {
  const stats = { applies: 0, deletes: 0, conflicts: 0, errors: 0 };
  const state = { depth: 0, leader: false, synced: false };
  const registry = new Registry();
  registerControllerMetrics(registry, { stats, queueDepth: () => state.depth, isLeader: () => state.leader, synced: () => state.synced });

  let text = await registry.metrics();
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_writes_total{action="apply"}'), 0, text);
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_writes_total{action="delete"}'), 0);
  assert.equal(sample(text, 'gpu_hpa_webhook_leader'), 0);
  assert.equal(sample(text, 'gpu_hpa_webhook_cluster_cache_synced'), 0);
  assert.match(text, /# TYPE gpu_hpa_webhook_managed_hpa_writes_total counter/);
  assert.match(text, /# TYPE gpu_hpa_webhook_managed_hpa_queue_depth gauge/);

  Object.assign(stats, { applies: 3, deletes: 1, conflicts: 2, errors: 5 });
  Object.assign(state, { depth: 7, leader: true, synced: true });
  text = await registry.metrics();
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_writes_total{action="apply"}'), 3);
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_writes_total{action="delete"}'), 1);
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_not_written_total'), 2);
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_reconcile_errors_total'), 5);
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_queue_depth'), 7);
  assert.equal(sample(text, 'gpu_hpa_webhook_leader'), 1);
  assert.equal(sample(text, 'gpu_hpa_webhook_cluster_cache_synced'), 1);

  // a second scrape with nothing new does not add the counts again
  stats.applies = 4;
  state.leader = false;
  text = await registry.metrics();
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_writes_total{action="apply"}'), 4);
  assert.equal(sample(text, 'gpu_hpa_webhook_managed_hpa_not_written_total'), 2);
  assert.equal(sample(text, 'gpu_hpa_webhook_leader'), 0);
});
