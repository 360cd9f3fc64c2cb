// Live discovery against a real Prometheus (Debian's package, started here on loopback) scraping our DCGM
// exporters. Run with `npm run test:prometheus` (installs Prometheus with scripts/install-prometheus.sh).
// Not part of `npm test`, which stays hermetic (test/discovery/ uses a fake Prometheus).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import supertest from 'supertest';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import type { MetricRequest, MetricVerdict } from '../../src/core/adapter/types.js';
import { startDiscovery } from '../../src/discovery/index.js';
import { parsePrometheusUrl } from '../../src/discovery/prometheus.js';
import { discoverOnce } from '../../src/discovery/refresher.js';
import { ConfigStore } from '../../src/loaders/config-store.js';
import { createApp } from '../../src/server/app.js';
import { silentLogger } from '../../src/server/logger.js';
import { createMetrics } from '../../src/server/metrics.js';
import { metricsHandler } from '../../src/server/metrics-server.js';
import { fixture, fixturePath, ROOT } from '../helpers/fixtures.js';
import { reviewOf, SHIPPED_RULES } from '../helpers/webhook.js';
import { freePort, startExporter, startPrometheus, type RunningPrometheus } from './harness.js';

let prom: RunningPrometheus;
const closers: Array<() => Promise<void>> = [];

before(async () => {
  // job "dcgm": the exporter's own pod/namespace labels name the workload (no clash with target labels)
  const a = await startExporter(
    [
      { gpu: '0', uuid: 'GPU-8f3a2c1e-0000-4000-8000-000000000001', util: 42, workload: { namespace: 'default', pod: 'gpu-agent-deployment-7d9f8b6c5-abcde', container: 'agent' } },
      { gpu: '1', uuid: 'GPU-8f3a2c1e-0000-4000-8000-000000000002', util: 0 }, // idle
    ],
    'gpu-node-1',
  );
  // job "dcgm-relabelled": honor_labels: false under ServiceMonitor-style target labels → exported_*
  const b = await startExporter(
    [{ gpu: '0', uuid: 'GPU-8f3a2c1e-0000-4000-8000-000000000003', util: 55, workload: { namespace: 'default', pod: 'gpu-hpa-test-5c6d7f8-xyz12', container: 'app' } }],
    'gpu-node-2',
  );
  closers.push(a.close, b.close);
  prom = await startPrometheus({ dcgm: a.port, relabelled: b.port });
  closers.push(prom.stop);
});

after(async () => {
  for (const c of closers.reverse()) await c();
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const POD = (name: string): MetricRequest => ({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true });

async function liveLookup(configText: string, req: MetricRequest): Promise<MetricVerdict> {
  const { rules, state } = await discoverOnce(compileAdapterConfig(configText, 'test rules'), parsePrometheusUrl(prom.url));
  assert.equal(state.stale, false, state.error);
  return rules.lookup(req);
}

test("the exporters' series are in Prometheus with dcgm-exporter's labels, and the relabelled job carries exported_pod", async () => {
  const r = await fetch(`${prom.url}/api/v1/series?match[]=DCGM_FI_DEV_GPU_UTIL`);
  const body = (await r.json()) as { data: Array<Record<string, string>> };
  const relabelled = body.data.find((s) => s.job === 'dcgm-relabelled');
  assert.ok(relabelled);
  assert.equal(relabelled.exported_pod, 'gpu-hpa-test-5c6d7f8-xyz12');
  assert.equal(relabelled.pod, 'nvidia-dcgm-exporter-x7k2p');
  for (const l of ['gpu', 'UUID', 'device', 'modelName', 'Hostname', 'DCGM_FI_DRIVER_VERSION']) assert.ok(l in relabelled, l);
  assert.ok(body.data.some((s) => s.job === 'dcgm' && s.pod === 'gpu-agent-deployment-7d9f8b6c5-abcde' && !('exported_pod' in s)));
});

test("check --prometheus-url: seed-000's HPA is allowed (its series exist)", async () => {
  const r = await cli(['check', '--prometheus-url', prom.url, '-f', fixturePath('seed-000/hpa.yaml'), '--adapter-config', fixturePath('seed-000/adapter-config.yaml')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ALLOWED HorizontalPodAutoscaler default\/gpu-hpa-test/m);
  assert.doesNotMatch(r.stdout, /discovery/);
  assert.equal(r.stderr.replace(/npm warn.*\n/g, ''), '');
});

test("check --prometheus-url: seed-001's HPA is denied, explaining why it would never scale", async () => {
  const offline = await cli(['check', '-f', fixturePath('seed-001/hpa.yaml'), '--adapter-config', fixturePath('seed-001/adapter-config.yaml')]);
  assert.equal(offline.code, 0, 'offline, the config alone looks fine');
  const r = await cli(['check', '--prometheus-url', prom.url, '-f', fixturePath('seed-001/hpa.yaml'), '--adapter-config', fixturePath('seed-001/adapter-config.yaml')]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^DENIED {2}HorizontalPodAutoscaler default\/gpu-agent-hpa/m);
  assert.match(r.stdout, /\[metric-no-series\] .*Pods metric "gpu_memory_utilization"/);
  assert.match(r.stdout, /seriesQuery 'DCGM_FI_DEV_MEMORY_USED\{gpu=~"\.\*",instance=~"\.\*",namespace!="",pod!=""\}' matches no series in Prometheus http:\/\/127\.0\.0\.1:\d+/);
  assert.match(r.stdout, /DCGM_FI_DEV_MEMORY_USED is not a DCGM field: dcgm-exporter exports framebuffer memory as DCGM_FI_DEV_FB_USED/);
  assert.match(r.stdout, /<unknown> forever/);
});

test('check --prometheus-url -o json: the multi-metric seed-001 HPA has the live reason code', async () => {
  const r = await cli(['check', '--prometheus-url', prom.url, '-o', 'json', '-f', fixturePath('seed-001/hpa-multi-metric.yaml'), '--adapter-config', fixturePath('seed-001/adapter-config.yaml')]);
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as { results: Array<{ violations: Array<{ reason: string }> }> };
  assert.deepEqual(
    report.results[0]!.violations.map((v) => v.reason),
    ['metric-no-series', 'metric-not-served'],
  );
});

test('check with an unreachable Prometheus falls back to the offline verdict with a warning; the exit code is the offline one', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const r = await cli(['check', '--prometheus-url', dead, '-f', fixturePath('seed-001/hpa.yaml'), '--adapter-config', fixturePath('seed-001/adapter-config.yaml')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, /warning: series discovery failed, judging by the adapter config alone: .*unreachable \(ECONNREFUSED\)/);
  assert.match(r.stdout, /! series discovery stale, judged by the adapter config alone/);
});

test('the shipped DCGM rules serve gpu_utilization and gpu_memory_utilization from both scrape styles', async () => {
  for (const name of ['gpu_utilization', 'gpu_memory_utilization']) {
    const v = await liveLookup(SHIPPED_RULES, POD(name));
    assert.equal(v.status, 'served', JSON.stringify(v));
  }
});

test('a regex seriesQuery is verified live: existing names served, a DCGM name that is not exported denied', async () => {
  const config = `rules:
  - seriesQuery: '{__name__=~"DCGM_FI_DEV_.*",exported_namespace!="",exported_pod!=""}'
    resources: {overrides: {exported_namespace: {resource: namespace}, exported_pod: {resource: pod}}}
    name: {matches: "^DCGM_FI_DEV_(.*)$", as: "dcgm_\${1}"}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  assert.equal((await liveLookup(config, POD('dcgm_GPU_UTIL'))).status, 'served');
  const v = await liveLookup(config, POD('dcgm_MEMORY_USED'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.equal(v.live.reason, 'metric-no-series');
  assert.match(v.live.message, /none is named dcgm_MEMORY_USED: they give .*dcgm_GPU_UTIL/);
});

test("a rule associating pods through the exporter's own pod label (honor_labels: false) is denied", async () => {
  const config = `rules:
  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{job="dcgm-relabelled",namespace!="",pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: gpu_utilization}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  const v = await liveLookup(config, POD('gpu_utilization'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.equal(v.live.reason, 'metric-series-unassociated');
  assert.match(v.live.message, /so pod is the exporter's own pod and the workload's is in exported_pod/);
  assert.doesNotMatch(v.live.message, /nvidia-dcgm-exporter-x7k2p/); // label names only (issue 17)
});

test('a Pods rule whose series carry no label for pods is denied, pointing at exported_pod', async () => {
  const config = `rules:
  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{exported_namespace!=""}'
    resources: {overrides: {exported_namespace: {resource: namespace}, kubernetes_pod_name: {resource: pod}}}
    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: gpu_utilization}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  const v = await liveLookup(config, POD('gpu_utilization'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.equal(v.live.reason, 'metric-series-unassociated');
  assert.match(v.live.message, /none carries kubernetes_pod_name, the rule's label for pods.*they carry exported_pod/);
});

// Last: it stops Prometheus.
test('serve wiring: live denial while Prometheus answers; stale, offline verdict with a warning and still ready once it is gone', async () => {
  const store = new ConfigStore({ policyPath: ROOT + 'policies/default.yaml', adapterConfigPath: fixturePath('seed-001/adapter-config.yaml') });
  await store.load();
  const metrics = createMetrics({ defaultMetrics: false });
  const discovery = startDiscovery({ prometheusUrl: prom.url, intervalMs: 3_600_000, store, registry: metrics.registry });
  try {
    const api = supertest(createApp({ engine: () => store.engine(), ready: () => ({ ready: store.status().ready }), logger: silentLogger(), metrics }));
    assert.equal((await discovery.prometheus!.refresh()).stale, false);
    let res = await api
      .post('/validate')
      .send(reviewOf(fixture('seed-001/hpa.yaml')))
      .expect(200);
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.status.details.causes[0].reason, 'metric-no-series');
    res = await api
      .post('/validate')
      .send(reviewOf(fixture('seed-000/hpa.yaml')))
      .expect(200);
    assert.equal(res.body.response.allowed, false, 'seed-000 HPA asks for gpu_utilization, which seed-001 rules do not derive');
    assert.equal(res.body.response.status.details.causes[0].reason, 'metric-not-served');

    await prom.stop();
    assert.equal((await discovery.prometheus!.refresh()).stale, true);
    res = await api
      .post('/validate')
      .send(reviewOf(fixture('seed-001/hpa.yaml')))
      .expect(200);
    assert.equal(res.body.response.allowed, true);
    assert.match(res.body.response.warnings.join('\n'), /series discovery stale, judged by the adapter config alone: .*unreachable/);
    await api.get('/readyz').expect(200);
    // /metrics is served on a port of its own (src/server/metrics-server.ts): its handler over the same registry
    const m = (await supertest(metricsHandler(metrics.registry)).get('/metrics').expect(200)).text;
    assert.match(m, /^gpu_hpa_webhook_discovery_stale 1$/m);
    assert.match(m, /^gpu_hpa_webhook_discovery_failures_total 1$/m);
    assert.match(m, /^gpu_hpa_webhook_discovery_last_success_timestamp_seconds [1-9]/m);
  } finally {
    discovery.stop();
  }
});
