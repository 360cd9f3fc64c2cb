// The cluster-free parts of the controller: work queue, "already up to date", ConfigMap flag,
// rules handed to the ConfigStore from a non-file source. The API-facing parts run in test/e2e.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readSettings } from '../../src/core/annotations.js';
import { managedHpa } from '../../src/core/managed-hpa.js';
import { isManaged, upToDate } from '../../src/controller/managed-hpa.js';
import { WorkQueue } from '../../src/controller/workqueue.js';
import { parseConfigMapRef } from '../../src/controller/adapter-configmap.js';
import { ConfigStore } from '../../src/loaders/config-store.js';
import { defaultPolicy } from '../helpers/fixtures.js';

/** Lets the event loop run the queue's promise callbacks (not a wait for time: no timer is involved). */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('WorkQueue', () => {
  test('deduplicates, never runs a key twice at once, redoes a key added while in flight', async () => {
    const runs: string[] = [];
    const finish: Array<() => void> = []; // one per run in flight, called by the test to end it
    let started: (() => void) | undefined;
    let inFlight = 0;
    let maxInFlight = 0;
    const q = new WorkQueue(
      (k) =>
        new Promise<void>((resolve) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          runs.push(k);
          finish.push(() => {
            inFlight--;
            resolve();
          });
          started?.();
        }),
      () => assert.fail('no errors'),
      { concurrency: 1 },
    );
    const nextRun = () => (finish.length > 0 ? Promise.resolve() : new Promise<void>((r) => (started = r)));
    q.start();
    q.add('a');
    q.add('b');
    q.add('b');
    assert.deepEqual(runs, ['a'], 'a is in flight, b queued once');
    assert.equal(q.depth(), 1);
    q.add('a'); // in flight: redone afterwards
    for (let i = 0; i < 3; i++) {
      await nextRun();
      finish.shift()!();
    }
    await q.idle();
    assert.deepEqual(runs, ['a', 'b', 'a']);
    assert.equal(maxInFlight, 1);
  });

  test('retries failures with growing backoff until they succeed', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let attempts = 0;
    const delays: number[] = [];
    const q = new WorkQueue(
      async () => {
        if (++attempts < 4) throw new Error('conflict');
      },
      (_k, _e, _attempt, retryIn) => delays.push(retryIn),
      { baseDelayMs: 5, maxDelayMs: 15 },
    );
    q.start();
    q.add('x');
    for (const delay of [5, 10, 15]) {
      await settle(); // the failure is handled and its retry scheduled
      assert.equal(delays.at(-1), delay);
      t.mock.timers.tick(delay - 1);
      assert.equal(attempts, delays.length, 'no retry before its delay');
      t.mock.timers.tick(1);
    }
    await q.idle();
    assert.equal(attempts, 4);
    assert.deepEqual(delays, [5, 10, 15]);
  });

  test('stop forgets queued work and retries', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let attempts = 0;
    const q = new WorkQueue(
      async () => {
        attempts++;
        throw new Error('down');
      },
      () => {},
      { baseDelayMs: 10_000, concurrency: 1 },
    );
    q.start();
    q.add('x');
    q.add('y'); // queued behind x
    await settle(); // x failed and waits 10 s for its retry; y failed too
    assert.equal(attempts, 2);
    q.stop();
    assert.equal(q.depth(), 0);
    await q.idle(); // resolves: the retry timers are gone
    t.mock.timers.tick(60_000);
    await settle();
    assert.equal(attempts, 2, 'no retry after stop');
    q.add('z'); // stopped: kept, not worked on
    await settle();
    assert.equal(attempts, 2);
    assert.equal(q.depth(), 1);
  });
});

describe('managed HPA up to date', () => {
  const policy = defaultPolicy();
  const dep = {
    metadata: { name: 'm', namespace: 'ns', uid: 'u1', labels: { 'gpu-hpa.io/enabled': 'true' }, annotations: { 'gpu-hpa.io/max-replicas': '5' } },
    spec: { template: { spec: { containers: [{ name: 'c' }] } } },
  };
  const desired = managedHpa(dep, readSettings(dep, policy).settings!);

  test('the live HPA with server defaults and extra metadata is up to date', () => {
    const live = structuredClone(desired);
    live.metadata!.labels = { ...live.metadata!.labels, extra: 'x' };
    (live.metadata as Record<string, unknown>).resourceVersion = '12';
    (live.spec!.metrics![0]!.pods!.target as Record<string, unknown>).averageValue = Number(desired.spec!.metrics![0]!.pods!.target!.averageValue);
    assert.ok(isManaged(live));
    assert.ok(upToDate(live, desired));
  });

  test('a changed max, a lost label or owner is not', () => {
    const a = structuredClone(desired);
    a.spec!.maxReplicas = 9;
    assert.equal(upToDate(a, desired), false);
    const b = structuredClone(desired);
    delete b.metadata!.labels;
    assert.equal(upToDate(b, desired), false);
    const c = structuredClone(desired);
    c.metadata!.ownerReferences = [];
    assert.equal(upToDate(c, desired), false);
  });
});

describe('--adapter-configmap', () => {
  test('NAMESPACE/NAME[:KEY], key default config.yaml', () => {
    assert.deepEqual(parseConfigMapRef('monitoring/prometheus-adapter'), { namespace: 'monitoring', name: 'prometheus-adapter', key: 'config.yaml' });
    assert.deepEqual(parseConfigMapRef('m/a.b:rules.yaml'), { namespace: 'm', name: 'a.b', key: 'rules.yaml' });
    for (const bad of ['adapter', 'M/x', 'm/', 'm/x:', 'a/b/c']) assert.throws(() => parseConfigMapRef(bad), /NAMESPACE\/NAME/, bad);
  });

  test('rules from the ConfigMap: not ready until they arrive, a bad version keeps the last good one', async () => {
    const store = new ConfigStore({ adapterRulesExternal: 'ConfigMap m/a key config.yaml' });
    await store.load();
    assert.equal(store.status().ready, false);
    const rule = (name: string) =>
      `rules:\n- seriesQuery: '${name}{namespace!="",pod!=""}'\n  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}\n  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n`;
    assert.equal(store.setAdapterRulesText(rule('queue_depth')), true);
    assert.equal(store.status().ready, true);
    const first = store.current().rules;
    assert.equal(store.setAdapterRulesText('rules: [{bogus: 1}]'), false);
    assert.equal(store.current().rules, first);
    assert.equal(store.status().stale.length, 1);
    store.close();
  });
});
