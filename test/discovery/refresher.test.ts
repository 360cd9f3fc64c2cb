// Discovery I/O against a fake Prometheus (hermetic; the real one is in test/e2e-prometheus): the requests it
// makes, what a failed or hanging Prometheus does to admission (nothing waits; offline verdict + warning;
// /readyz stays ready; /metrics says stale), and `serve`'s wiring through the ConfigStore.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import supertest from 'supertest';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { parseDuration } from '../../src/discovery/duration.js';
import { startDiscovery } from '../../src/discovery/index.js';
import { createDiscoveryMetrics } from '../../src/discovery/metrics.js';
import { parsePrometheusUrl } from '../../src/discovery/prometheus.js';
import { DiscoveryRefresher, discoverOnce } from '../../src/discovery/refresher.js';
import { ConfigStore } from '../../src/loaders/config-store.js';
import { createApp } from '../../src/server/app.js';
import { silentLogger } from '../../src/server/logger.js';
import { createMetrics } from '../../src/server/metrics.js';
import { metricsHandler } from '../../src/server/metrics-server.js';
import { fixture, fixturePath, fixtureText, ROOT } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { dcgmSeries, matchSelector } from './series.js';

type Mode = 'ok' | 'error500' | 'baddata' | 'hang';

/** A fake Prometheus answering /api/v1/series from dcgmSeries(); records each request. */
async function fakePrometheus() {
  const seen: Array<{ path: string; match: string[]; start: string | null; auth?: string }> = [];
  const state = { mode: 'ok' as Mode };
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: u.pathname, match: u.searchParams.getAll('match[]'), start: u.searchParams.get('start'), auth: req.headers.authorization });
    if (state.mode === 'hang') return void hanging.push(res);
    if (state.mode === 'error500') return void res.writeHead(500).end('oops');
    res.setHeader('content-type', 'application/json');
    if (state.mode === 'baddata') return void res.writeHead(400).end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }));
    const data = u.searchParams.getAll('match[]').flatMap((m) => matchSelector(m, dcgmSeries()));
    res.end(JSON.stringify({ status: 'success', data }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    state,
    /** end the requests left hanging (their pass fails) */
    release: () => {
      for (const h of hanging.splice(0)) h.destroy();
    },
    close: async () => {
      for (const h of hanging) h.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const seed001 = () => compileAdapterConfig(fixtureText('seed-001/adapter-config.yaml'), 'seed-001');

test('a pass sends each distinct seriesQuery once, as the adapter does (GET /api/v1/series, match[] and start = now - lookback), and each series its metricsQueries name, and the names alone (the value check)', async (t) => {
  const p = await fakePrometheus();
  t.after(p.close);
  const rules = seed001();
  const r = new DiscoveryRefresher({ target: parsePrometheusUrl(`${p.url}/prom/`), rules: () => rules, intervalMs: 60_000, now: () => 1_700_000_000_123 });
  const st = await r.refresh();
  assert.equal(st.stale, false);
  assert.deepEqual(
    p.seen.map((s) => s.path),
    Array(6).fill('/prom/api/v1/series'),
    'a base URL path prefix is kept; 3 rules, 2 distinct queries, 2 series named in metricsQuery, 2 names without the label matchers',
  );
  assert.deepEqual(
    p.seen
      .map((s) => s.match)
      .flat()
      .sort(),
    [
      'DCGM_FI_DEV_MEMORY_TOTAL',
      'DCGM_FI_DEV_MEMORY_TOTAL{gpu=~".*",instance=~".*",namespace!="",pod!=""}',
      'DCGM_FI_DEV_MEMORY_USED',
      'DCGM_FI_DEV_MEMORY_USED{gpu=~".*",instance=~".*",namespace!="",pod!=""}',
      '{__name__=~"DCGM_FI_DEV_MEMORY_TOTAL"}',
      '{__name__=~"DCGM_FI_DEV_MEMORY_USED"}',
    ],
  );
  assert.equal(p.seen[0]!.start, '1699999940.123', 'model.Time.String() of now - 1m');
});

test('credentials in --prometheus-url go in a Basic header and never into messages', async (t) => {
  const p = await fakePrometheus();
  t.after(p.close);
  const target = parsePrometheusUrl(p.url.replace('http://', 'http://ops:s3cr%40t@'));
  assert.equal(target.display, p.url);
  const { state } = await discoverOnce(seed001(), target);
  assert.equal(state.stale, false);
  assert.equal(p.seen[0]!.auth, `Basic ${Buffer.from('ops:s3cr@t').toString('base64')}`);
  assert.throws(() => parsePrometheusUrl('prometheus:9090'), /must be http:\/\/ or https:\/\//);
  assert.throws(() => parsePrometheusUrl('not a url'), /not a URL/);
});

for (const [mode, expect] of [
  ['error500', /answered HTTP 500/],
  ['baddata', /Prometheus refused it \(HTTP 400, bad_data: parse error at char 5\)/],
] as const) {
  test(`a failing pass (${mode}) makes discovery stale: offline verdicts with a warning, failure counted`, async (t) => {
    const p = await fakePrometheus();
    t.after(p.close);
    p.state.mode = mode;
    const metrics = createMetrics({ defaultMetrics: false });
    const rules = seed001();
    const r = new DiscoveryRefresher({ target: parsePrometheusUrl(p.url), rules: () => rules, metrics: createDiscoveryMetrics(metrics.registry) });
    const st = await r.refresh();
    assert.equal(st.stale, true);
    assert.match(st.error ?? '', /^series for "DCGM_FI_DEV_MEMORY_/);
    assert.match(st.error ?? '', expect);
    const text = await metrics.registry.metrics();
    assert.match(text, /^gpu_hpa_webhook_discovery_failures_total 1$/m);
    assert.match(text, /^gpu_hpa_webhook_discovery_stale 1$/m);
    assert.match(text, /^gpu_hpa_webhook_discovery_last_success_timestamp_seconds 0$/m);
    const v = r.overlay(rules).lookup({ kind: 'Pods', name: 'gpu_memory_utilization', resource: { group: '', resource: 'pods' }, namespaced: true });
    assert.equal(v.status, 'served', 'the offline verdict');
    assert.match(v.status === 'served' ? v.notes.join() : '', /series discovery stale, judged by the adapter config alone: /);
  });
}

test('unreachable Prometheus: stale, naming the address', async () => {
  const p = await fakePrometheus();
  const url = p.url;
  await p.close(); // nothing listens there now
  const { state } = await discoverOnce(seed001(), parsePrometheusUrl(url));
  assert.equal(state.stale, true);
  assert.match(state.errorShort ?? '', new RegExp(`^${url.replace(/[.]/g, '\\.')} unreachable \\(ECONNREFUSED\\)$`));
});

test('serve wiring: admission never waits on a hanging Prometheus; live verdicts once a pass succeeds; stale again after a failure', async (t) => {
  const p = await fakePrometheus();
  t.after(p.close);
  p.state.mode = 'hang';
  const store = new ConfigStore({ policyPath: ROOT + 'policies/default.yaml', adapterConfigPath: fixturePath('seed-001/adapter-config.yaml') });
  await store.load();
  const metrics = createMetrics({ defaultMetrics: false });
  const discovery = startDiscovery({ prometheusUrl: p.url, intervalMs: 3_600_000, timeoutMs: 3_600_000, store, registry: metrics.registry });
  t.after(() => discovery.stop());
  const app = createApp({ engine: () => store.engine(), ready: () => ({ ready: store.status().ready }), logger: silentLogger(), metrics });
  const api = supertest(app);
  const scrape = supertest(metricsHandler(metrics.registry)); // /metrics has its own port in `serve`
  const review = reviewOf(fixture('seed-001/hpa.yaml'));

  // the first pass is still waiting on Prometheus: the review is answered from the adapter config alone
  while (p.seen.length === 0) await new Promise((r) => setImmediate(r));
  let res = await api.post('/validate').send(review).expect(200);
  assert.equal(res.body.response.allowed, true);
  assert.deepEqual(res.body.response.warnings, [
    'gpu_memory_utilization: rules[2] uses DCGM_FI_DEV_MEMORY_USED, not a DCGM field; use DCGM_FI_DEV_FB_USED', // seed-001's rule (issue 15), whole within 120
    'series discovery not done yet: judged by the adapter config alone',
  ]);
  await api.get('/readyz').expect(200);
  assert.match((await scrape.get('/metrics')).text, /^gpu_hpa_webhook_discovery_stale 1$/m);

  // Prometheus answers: the hanging pass fails, the one after it makes the verdict live
  p.state.mode = 'ok';
  const joined = discovery.prometheus!.refresh(); // joins the hanging pass and asks for one more after it
  p.release();
  assert.equal((await joined).stale, true);
  assert.equal((await discovery.prometheus!.refresh()).stale, false);
  res = await api
    .post('/validate')
    .send(reviewOf(fixture('seed-001/hpa.yaml')))
    .expect(200);
  assert.equal(res.body.response.allowed, false);
  assert.equal(res.body.response.status.details.causes[0].reason, 'metric-no-series');
  assert.match(res.body.response.status.message, /matches no series in Prometheus/);
  const m = (await scrape.get('/metrics')).text;
  assert.match(m, /^gpu_hpa_webhook_discovery_stale 0$/m);
  assert.doesNotMatch(m, /^gpu_hpa_webhook_discovery_last_success_timestamp_seconds 0$/m);

  // the refresh() above joined the follow-up pass and asked for one more: let it end before Prometheus fails
  // (with more requests per pass it may still run, and would fail too)
  const bg = discovery.prometheus as unknown as { running?: Promise<unknown> };
  while (bg.running) await bg.running;
  // Prometheus fails: stale, offline verdict with a warning, still ready
  p.state.mode = 'error500';
  await discovery.prometheus!.refresh();
  res = await api
    .post('/validate')
    .send(reviewOf(fixture('seed-001/hpa.yaml')))
    .expect(200);
  assert.equal(res.body.response.allowed, true);
  const stale = (res.body.response.warnings as string[]).find((w) => w.startsWith('series discovery stale'));
  assert.match(stale ?? '', /^series discovery stale, judged by the adapter config alone: .*HTTP 500/, JSON.stringify(res.body.response.warnings));
  assert.ok(stale!.length <= 120);
  await api.get('/readyz').expect(200);
  assert.match((await scrape.get('/metrics')).text, /^gpu_hpa_webhook_discovery_failures_total 2$/m);
});

test('parseDuration reads Go durations', () => {
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('10'), undefined);
  assert.equal(parseDuration('1d'), undefined);
});
