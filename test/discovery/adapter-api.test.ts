// prometheus-adapter's own discovery through the API server (issue item 5), against a fake API server:
// its listing is preferred over the prediction from the rules (and Prometheus).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parseKubeConfig } from '../../src/controller/kubeconfig.js';
import { preferAdapterListing } from '../../src/core/adapter/listed.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import type { MetricRequest } from '../../src/core/adapter/types.js';
import { fetchAdapterListing } from '../../src/discovery/adapter-api.js';
import { startDiscovery } from '../../src/discovery/index.js';
import { ConfigStore } from '../../src/loaders/config-store.js';
import { fixture, fixturePath, fixtureText, ROOT } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';

const POD = (name: string): MetricRequest => ({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true });

async function fakeApiServer(answers: Record<string, { status: number; body?: unknown }>) {
  const seen: Array<{ path: string; auth?: string }> = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', auth: req.headers.authorization });
    const a = answers[req.url ?? ''] ?? { status: 404, body: { kind: 'Status', code: 404 } };
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = parseKubeConfig(
    JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } }],
      users: [{ name: 'u', user: { token: 'sekret' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    }),
    { file: 'test' },
  );
  return { kc, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const list = (resources: Array<{ name: string; namespaced: boolean }>) => ({
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'custom.metrics.k8s.io/v1beta1',
  resources: resources.map((r) => ({ ...r, kind: 'MetricValueList', verbs: ['get'] })),
});

test("the discovery documents of both metrics APIs are read with the kubeconfig's credentials; 404 means not served", async (t) => {
  const api = await fakeApiServer({
    '/apis/custom.metrics.k8s.io/v1beta1': {
      status: 200,
      body: list([
        { name: 'pods/gpu_utilization', namespaced: true },
        { name: 'namespaces/gpu_utilization', namespaced: false },
      ]),
    },
  });
  t.after(api.close);
  const l = await fetchAdapterListing(api.kc);
  assert.deepEqual(l.custom, [
    { name: 'pods/gpu_utilization', namespaced: true },
    { name: 'namespaces/gpu_utilization', namespaced: false },
  ]);
  assert.equal(l.external, undefined);
  assert.deepEqual(api.seen.map((s) => s.path).sort(), ['/apis/custom.metrics.k8s.io/v1beta1', '/apis/external.metrics.k8s.io/v1beta1']);
  assert.equal(api.seen[0]!.auth, 'Bearer sekret');
});

test("the adapter's listing is preferred: a metric the rules would serve but the adapter does not list is denied (metric-not-listed)", () => {
  const rules = compileAdapterConfig(fixtureText('seed-000/adapter-config.yaml'), 'seed-000');
  const listed = preferAdapterListing(rules, { source: 'prometheus-adapter', custom: [{ name: 'pods/gpu_memory_utilization', namespaced: true }] });
  const v = listed.lookup(POD('gpu_utilization'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.equal(v.live.reason, 'metric-not-listed');
  assert.match(v.live.message, /prometheus-adapter does not list pods\/gpu_utilization in custom\.metrics\.k8s\.io\/v1beta1.*rules\[0\]/);
  // listed although the rules here would not serve it: served, with a note
  const w = listed.lookup(POD('gpu_memory_utilization'));
  assert.equal(w.status, 'served');
  assert.match(w.status === 'served' ? w.notes.join() : '', /lists pods\/gpu_memory_utilization .*another config/);
  // registered cluster-scoped only: a namespaced Pods request does not find it
  const ns = preferAdapterListing(rules, { source: 'prometheus-adapter', custom: [{ name: 'pods/gpu_utilization', namespaced: false }] });
  assert.equal(ns.lookup(POD('gpu_utilization')).status, 'not-served');
  // API not served: the prediction stands, unchanged
  assert.deepEqual(preferAdapterListing(rules, { source: 'prometheus-adapter' }).lookup(POD('gpu_utilization')), rules.lookup(POD('gpu_utilization')));
});

test("serve wiring: with --adapter-api the webhook denies by the adapter's listing, and falls back when the API is gone", async (t) => {
  const answers: Record<string, { status: number; body?: unknown }> = { '/apis/custom.metrics.k8s.io/v1beta1': { status: 200, body: list([]) } };
  const api = await fakeApiServer(answers);
  t.after(api.close);
  const store = new ConfigStore({ policyPath: ROOT + 'policies/default.yaml', adapterConfigPath: fixturePath('seed-000/adapter-config.yaml') });
  await store.load();
  const discovery = startDiscovery({ adapterApi: api.kc, intervalMs: 3_600_000, store });
  t.after(() => discovery.stop());
  await discovery.refresh();
  const req = reviewOf(fixture('seed-000/hpa.yaml')).request as never;
  const d = store.engine().validate(req);
  assert.equal(d.allowed, false);
  assert.deepEqual(
    d.violations.map((v) => v.reason),
    ['metric-not-listed'],
  );
  answers['/apis/custom.metrics.k8s.io/v1beta1'] = { status: 503, body: { kind: 'Status', code: 503 } }; // adapter down
  await discovery.refresh();
  assert.equal(store.engine().validate(req).allowed, true, 'the prediction from the rules stands');
});
