// Live verdicts (src/core/adapter/live.ts): a compiled rule set overlaid with the series Prometheus returned.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupSeries, liveRuleSet, seriesQueries, type DiscoveryState } from '../../src/core/adapter/live.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import type { AdapterRuleSet, MetricRequest } from '../../src/core/adapter/types.js';
import { createEngine } from '../../src/core/engine.js';
import { emptyClusterView } from '../../src/core/cluster.js';
import { defaultPolicy, fixture, fixtureText } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { dcgmSeries, matchSelector } from './series.js';

const POD = (name: string): MetricRequest => ({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true });

/** What a discovery pass against a Prometheus holding `series` would record for these rules. */
function discovered(rules: AdapterRuleSet, series = dcgmSeries()): DiscoveryState {
  const map = new Map(seriesQueries(rules).map((q) => [q, groupSeries(matchSelector(q, series))]));
  return { snapshot: { source: 'http://prometheus:9090', series: map, at: 0 }, stale: false };
}

function live(configText: string, series = dcgmSeries()) {
  const base = compileAdapterConfig(configText, 'adapter.yaml');
  return { base, live: liveRuleSet(base, discovered(base, series)) };
}

test('groupSeries keeps one entry per (name, label names) with a count and an example', () => {
  const g = groupSeries(dcgmSeries(['DCGM_FI_DEV_GPU_UTIL']).concat(dcgmSeries(['DCGM_FI_DEV_GPU_UTIL'])));
  assert.equal(g.length, 3);
  assert.deepEqual(
    g.map((x) => x.count),
    [2, 2, 2],
  );
  assert.ok(!g[0]!.labels.includes('__name__'));
  assert.equal(g[0]!.example.pod, 'gpu-agent-deployment-7d9f8b6c5-abcde');
});

test('seriesQueries lists each distinct seriesQuery once (rules 0 and 2 of seed-001 share one), then the series the metricsQueries name and the names alone', () => {
  const base = compileAdapterConfig(fixtureText('seed-001/adapter-config.yaml'), 'seed-001');
  assert.deepEqual(seriesQueries(base), [
    'DCGM_FI_DEV_MEMORY_USED{gpu=~".*",instance=~".*",namespace!="",pod!=""}',
    'DCGM_FI_DEV_MEMORY_TOTAL{gpu=~".*",instance=~".*",namespace!="",pod!=""}',
    'DCGM_FI_DEV_MEMORY_USED',
    'DCGM_FI_DEV_MEMORY_TOTAL',
    // without their label matchers: the adapter's query reads every series of the name
    '{__name__=~"DCGM_FI_DEV_MEMORY_USED"}',
    '{__name__=~"DCGM_FI_DEV_MEMORY_TOTAL"}',
  ]);
});

test("seed-000: the rule on exported_pod matches the relabelled job's series → served", () => {
  const { live: l } = live(fixtureText('seed-000/adapter-config.yaml'));
  const v = l.lookup(POD('gpu_utilization'));
  assert.equal(v.status, 'served');
  assert.deepEqual(l.servedNames('rules'), ['gpu_utilization']);
});

test('seed-001: served offline, but its seriesQuery on DCGM_FI_DEV_MEMORY_USED matches nothing → metric-no-series', () => {
  const { base, live: l } = live(fixtureText('seed-001/adapter-config.yaml'));
  assert.equal(base.lookup(POD('gpu_memory_utilization')).status, 'served', 'offline the config looks fine');
  const v = l.lookup(POD('gpu_memory_utilization'));
  assert.equal(v.status, 'not-served');
  assert.ok(v.status === 'not-served' && v.live);
  assert.equal(v.live.reason, 'metric-no-series');
  assert.match(v.live.message, /seriesQuery 'DCGM_FI_DEV_MEMORY_USED\{gpu=~"\.\*",instance=~"\.\*",namespace!="",pod!=""\}' matches no series in Prometheus http:\/\/prometheus:9090/);
  assert.match(v.live.message, /not a DCGM field.*DCGM_FI_DEV_FB_USED/);
  assert.match(v.live.message, /<unknown> forever/);
});

test("the engine denies seed-001's HPA with metric-no-series, and only warns under enforcement: warn", () => {
  const base = compileAdapterConfig(fixtureText('seed-001/adapter-config.yaml'), 'seed-001');
  const rules = liveRuleSet(base, discovered(base));
  const req = reviewOf(fixture('seed-001/hpa.yaml')).request as never;
  const denied = createEngine({ policy: defaultPolicy(), rules, cluster: emptyClusterView }).validate(req);
  assert.equal(denied.allowed, false);
  assert.deepEqual(
    denied.violations.map((v) => v.reason),
    ['metric-no-series'],
  );
  assert.match(denied.violations[0]!.message, /^HorizontalPodAutoscaler default\/gpu-agent-hpa: spec\.metrics\[0\]\.pods\.metric\.name: Pods metric "gpu_memory_utilization": /);
  const warned = createEngine({ policy: defaultPolicy((p) => (p.enforcement = 'warn')), rules, cluster: emptyClusterView }).validate(req);
  assert.equal(warned.allowed, true);
  assert.match(warned.warnings.join('\n'), /^metric-no-series: /m);
});

test("a Pods metric whose series carry only the exporter's own pod label (pod next to exported_pod) is denied", () => {
  const config = `rules:
  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{job="dcgm-relabelled"}'
    resources: {template: <<.Resource>>}
    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: gpu_utilization}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  const { base, live: l } = live(config);
  assert.notEqual(base.lookup(POD('gpu_utilization')).status, 'not-served');
  const v = l.lookup(POD('gpu_utilization'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.equal(v.live.reason, 'metric-series-unassociated');
  assert.match(v.live.message, /maps pods to label pod, but its series of gpu_utilization also carry exported_pod/);
  assert.match(v.live.message, /so pod is the exporter's own pod/);
  // label names only: the values name another namespace's pods (issue 17)
  assert.doesNotMatch(v.live.message, /nvidia-dcgm-exporter-x7k2p|gpu-operator/);
});

test('when only some series carry exported_pod next to pod, the metric is served with a note', () => {
  const config = `rules:
  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: gpu_utilization}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  const v = live(config).live.lookup(POD('gpu_utilization'));
  assert.equal(v.status, 'served');
  assert.ok(v.status === 'served');
  assert.match(v.notes.join(' '), /some of its series of gpu_utilization also carry exported_pod/);
});

test('a Pods metric whose series carry no label for pods at all is denied, pointing at exported_pod', () => {
  const config = `rules:
  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{exported_namespace!=""}'
    resources:
      overrides:
        exported_namespace: {resource: namespace}
        kubernetes_pod_name: {resource: pod}
    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: gpu_utilization}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  const { base, live: l } = live(config);
  assert.equal(base.lookup(POD('gpu_utilization')).status, 'served', 'offline an override is taken on trust');
  const v = l.lookup(POD('gpu_utilization'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.equal(v.live.reason, 'metric-series-unassociated');
  assert.match(v.live.message, /registered for namespaces \(cluster-scoped\): none carries kubernetes_pod_name, the rule's label for pods/);
  assert.match(v.live.message, /they carry exported_pod .*honor_labels: false.*resources\.overrides exported_pod: \{resource: pod\}/);
});

test('a regex seriesQuery becomes verifiable: names that exist are served, others denied with what it does derive', () => {
  const config = `rules:
  - seriesQuery: '{__name__=~"DCGM_FI_DEV_.*",namespace!="",pod!="",exported_pod=""}'
    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
    name: {matches: "^DCGM_FI_DEV_(.*)$", as: "gpu_\${1}"}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  const { base, live: l } = live(config);
  assert.equal(base.lookup(POD('gpu_GPU_UTIL')).status, 'unverifiable');
  assert.deepEqual(l.lookup(POD('gpu_GPU_UTIL')), {
    status: 'served',
    rules: [{ list: 'rules', index: 0, seriesQuery: '{__name__=~"DCGM_FI_DEV_.*",namespace!="",pod!="",exported_pod=""}' }],
    notes: [],
  });
  const v = l.lookup(POD('gpu_MEMORY_USED'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.equal(v.live.reason, 'metric-no-series');
  assert.match(v.live.message, /matches 6 series, but none is named gpu_MEMORY_USED: they give gpu_GPU_UTIL, gpu_MEM_COPY_UTIL/);
});

test('a name no rule could derive gets exactly the offline verdict', () => {
  const { base, live: l } = live(fixtureText('seed-000/adapter-config.yaml'));
  assert.deepEqual(l.lookup(POD('gpu_utilisation')), base.lookup(POD('gpu_utilisation')));
});

test("the adapter keeps the last rule's registration: the shipped rules serve both scrape styles", () => {
  const { live: l } = live(fixtureText('../../../policies/prometheus-adapter-rules.yaml'));
  const v = l.lookup(POD('gpu_utilization'));
  assert.equal(v.status, 'served');
  assert.ok(v.status === 'served');
  assert.equal(v.rules[0]!.index, 1, 'rules[1] (exported_pod) registers last');
  assert.deepEqual(v.notes, []);
});

test('External metrics: registered by name; the namespace label must be on the series', () => {
  const config = `externalRules:
  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{job="dcgm"}'
    resources: {overrides: {namespace: {resource: namespace}}}
    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: cluster_gpu_util}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>})'
  - seriesQuery: 'DCGM_FI_DEV_GPU_TEMP{job="dcgm",namespace=""}'
    resources: {overrides: {namespace: {resource: namespace}}}
    name: {matches: "^DCGM_FI_DEV_GPU_TEMP$", as: idle_gpu_temp}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>})'
`;
  const { live: l } = live(config);
  const ext = (name: string): MetricRequest => ({ kind: 'External', name, namespaced: true });
  assert.equal(l.lookup(ext('cluster_gpu_util')).status, 'served');
  const v = l.lookup(ext('idle_gpu_temp'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.match(v.live.message, /none carries namespace, the label the adapter filters by namespace with/);
});

test('stale or unfinished discovery: the offline verdict, plus a short warning saying so', () => {
  const base = compileAdapterConfig(fixtureText('seed-001/adapter-config.yaml'), 'seed-001');
  const stale = liveRuleSet(base, { stale: true, error: 'series for "x": http://p unreachable (ECONNREFUSED)', errorShort: 'http://p unreachable (ECONNREFUSED)' });
  const v = stale.lookup(POD('gpu_memory_utilization'));
  assert.equal(v.status, 'served');
  assert.ok(v.status === 'served');
  // the offline verdict's own note (seed-001's rule on DCGM_FI_DEV_MEMORY_USED, issue 15) comes with it
  assert.deepEqual(v.notes, [
    'gpu_memory_utilization: rules[2] uses DCGM_FI_DEV_MEMORY_USED, not a DCGM field; use DCGM_FI_DEV_FB_USED',
    'series discovery stale, judged by the adapter config alone: http://p unreachable (ECONNREFUSED)',
  ]);
  const pending = liveRuleSet(base, { stale: true }).lookup(POD('nope'));
  assert.equal(pending.status, 'not-served');
  assert.match((pending as { notes?: string[] }).notes?.[0] ?? '', /not done yet/);
  // and the engine turns the note into a warning on an allowed review
  const d = createEngine({ policy: defaultPolicy(), rules: stale, cluster: emptyClusterView }).validate(reviewOf(fixture('seed-001/hpa.yaml')).request as never);
  assert.equal(d.allowed, true);
  assert.match(d.warnings.join('\n'), /series discovery stale/);
});

test('rules added after the last pass are judged offline, with a note, until the next pass', () => {
  const old = compileAdapterConfig(fixtureText('seed-000/adapter-config.yaml'), 'old');
  const state = discovered(old);
  const next = compileAdapterConfig(fixtureText('seed-001/adapter-config.yaml'), 'new');
  const v = liveRuleSet(next, state).lookup(POD('gpu_memory_utilization'));
  assert.equal(v.status, 'served');
  assert.ok(v.status === 'served');
  assert.match(v.notes.join(' '), /series discovery has not yet run for rules\[2\]/);
});

test('verdicts are memoized frozen: a caller cannot change the next one', () => {
  const { live: l } = live(fixtureText('seed-001/adapter-config.yaml'));
  const first = l.lookup(POD('gpu_memory_utilization'));
  assert.ok(first.status === 'not-served' && first.live);
  const live0 = first.live;
  assert.throws(() => (live0.message = 'changed'), TypeError);
  assert.throws(() => (first.considered.length = 0), TypeError);
  const again = l.lookup(POD('gpu_memory_utilization'));
  assert.ok(again.status === 'not-served' && again.live);
  assert.match(again.live.message, /matches no series/);
  assert.equal(again.considered.length, 1);
});

test("a Pods rule taking the workload pod from exported_pod but the namespace from the exporter's own namespace label is denied", () => {
  const config = `rules:
  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{exported_pod!=""}'
    resources: {overrides: {namespace: {resource: namespace}, exported_pod: {resource: pod}}}
    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: gpu_utilization}
    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  const v = live(config).live.lookup(POD('gpu_utilization'));
  assert.ok(v.status === 'not-served' && v.live, JSON.stringify(v));
  assert.equal(v.live.reason, 'metric-series-unassociated');
  assert.match(v.live.message, /maps namespaces to label namespace, .*so namespace is the exporter's own namespace/);
  assert.doesNotMatch(v.live.message, /gpu-operator/);
});

test('an Object metric on nodes, with series that carry the node label: denied, saying the adapter registers nodes only cluster-scoped while the HPA asks per namespace', () => {
  const rules = `rules:\n  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{Hostname!=""}'\n    resources: {overrides: {Hostname: {resource: node}, namespace: {resource: namespace}}}\n    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: node_gpu_utilization}\n    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n`;
  const { live: l } = live(rules);
  // what the HPA controller asks for a Node (GetObjectMetric: namespaced unless the kind is Namespace)
  const v = l.lookup({ kind: 'Object', name: 'node_gpu_utilization', resource: { group: '', resource: 'nodes' }, namespaced: true });
  assert.equal(v.status, 'not-served');
  assert.ok(v.status === 'not-served' && v.live);
  assert.equal(v.live.reason, 'metric-series-unassociated');
  assert.match(v.live.message, /registered for nodes \(cluster-scoped\)/);
  assert.match(v.live.message, /registers nodes metrics only cluster-scoped, and the HPA controller asks .* within the HPA's namespace/);
  // the same series serve it cluster-scoped, as `kubectl get --raw .../nodes/*/node_gpu_utilization` would
  assert.equal(l.lookup({ kind: 'Object', name: 'node_gpu_utilization', resource: { group: '', resource: 'nodes' }, namespaced: false }).status, 'served');
});
