// live.ts's notes and denials word for word, one scenario per branch (issue 19: string mutants count, these
// texts are what a denied team reads). Hand-built series, as /api/v1/series would return them; the rules'
// behaviour is prometheus-adapter's (series_registry.go SetSeries, metrics_query.go Build/BuildExternal,
// resource_converter.go: "no generic resource label form specified for this metric").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupSeries, liveRuleSet, seriesQueries, staleNote, valueLabels, type DiscoveryState } from '../../../src/core/adapter/live.js';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import type { AdapterRuleSet, MetricRequest, MetricVerdict } from '../../../src/core/adapter/types.js';
import { matchSelector } from '../../discovery/series.js';

type Series = Record<string, string>;
const PROM = 'Prometheus http://prom:9090';
const SUM = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';
const NS_POD = '{overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}';

function discovered(rules: AdapterRuleSet, series: Series[]): DiscoveryState {
  const keep = valueLabels(rules);
  const map = new Map(seriesQueries(rules).map((q) => [q, groupSeries(matchSelector(q, series), keep)]));
  return { snapshot: { source: 'http://prom:9090', series: map, at: 1000 }, stale: false };
}
function live(yaml: string, series: Series[]): AdapterRuleSet {
  const base = compileAdapterConfig(yaml, 'adapter.yaml');
  return liveRuleSet(base, discovered(base, series));
}
const rule = (seriesQuery: string, resources: string, extra = '') => `- seriesQuery: '${seriesQuery}'\n  resources: ${resources}\n  metricsQuery: '${SUM}'\n${extra}`;
const POD = (name: string, namespace?: string, pods?: string[]): MetricRequest => ({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true, namespace, pods });
const EXT = (name: string, namespace?: string): MetricRequest => ({ kind: 'External', name, namespaced: true, namespace });
const s = (name: string, labels: Series): Series => ({ __name__: name, ...labels });
/** how registry.ts names a rule in messages */
const R = (q: string, list = 'rules') => `${list}[0] (seriesQuery '${q}')`;

function denial(v: MetricVerdict): { reason: string; message: string; registered?: boolean } {
  assert.equal(v.status, 'not-served', JSON.stringify(v));
  if (v.status !== 'not-served' || !v.live) throw new Error(`no live denial: ${JSON.stringify(v)}`);
  assert.equal(v.explanation, v.live.message);
  return { reason: v.live.reason, message: v.live.message, ...(v.live.registered ? { registered: true } : {}) };
}

test('staleNote: not done yet, the short error, the long one, or no successful pass', () => {
  assert.equal(staleNote({ stale: true }), 'series discovery not done yet: judged by the adapter config alone');
  assert.equal(staleNote({ stale: true, error: 'long', errorShort: 'short' }), 'series discovery stale, judged by the adapter config alone: short');
  assert.equal(staleNote({ stale: true, error: 'long' }), 'series discovery stale, judged by the adapter config alone: long');
  const snapshot = { source: 'p', series: new Map(), at: 0 };
  assert.equal(staleNote({ stale: true, snapshot }), 'series discovery stale, judged by the adapter config alone: no successful pass');
  // a rule set that is not compiled (the listing, a fake) is returned as it is
  const fake: AdapterRuleSet = { source: 'x', lookup: () => ({ status: 'served', rules: [], notes: [] }), servedNames: () => [] };
  assert.equal(liveRuleSet(fake, { stale: false, snapshot }), fake);
  // a snapshot that is stale: the offline verdict with the note
  const base = compileAdapterConfig(`rules:\n${rule('gpu_util{namespace!="",pod!=""}', NS_POD)}`, 'adapter.yaml');
  const v = liveRuleSet(base, { stale: true, snapshot, error: 'E' }).lookup(POD('gpu_util'));
  assert.deepEqual(v.status === 'served' && v.notes, ['series discovery stale, judged by the adapter config alone: E']);
});

test('rules the last pass did not fetch: the offline verdict, naming them', () => {
  const yaml = `rules:\n${rule('gpu_util{namespace!="",pod!=""}', NS_POD)}${rule('gpu_util{job="b",namespace!="",pod!=""}', NS_POD)}`;
  const base = compileAdapterConfig(yaml, 'adapter.yaml');
  const v = liveRuleSet(base, { stale: false, snapshot: { source: 'p', series: new Map(), at: 0 } }).lookup(POD('gpu_util'));
  assert.equal(
    v.status === 'served' && v.notes.at(-1),
    `series discovery has not yet run for rules[0] (seriesQuery 'gpu_util{namespace!="",pod!=""}'), rules[1] (seriesQuery 'gpu_util{job="b",namespace!="",pod!=""}'); judged by the adapter config alone`,
  );
});

test('no series: matched none, matched others (what they give), or every one dropped (why)', () => {
  const none = live(`rules:\n${rule('gpu_util{namespace!="",pod!=""}', NS_POD)}`, []);
  assert.deepEqual(denial(none.lookup(POD('gpu_util'))), {
    reason: 'metric-no-series',
    message: `the adapter config could serve it, but rules[0]'s seriesQuery 'gpu_util{namespace!="",pod!=""}' matches no series in ${PROM}; so prometheus-adapter registers no such metric and the HPA would show <unknown> forever`,
  });
  const v = none.lookup(POD('gpu_util'));
  assert.equal(v.status === 'not-served' && v.live?.beforePods?.detail, `rules[0]'s seriesQuery 'gpu_util{namespace!="",pod!=""}' matches no series in ${PROM}`);
  assert.equal(v.status === 'not-served' && v.live?.beforePods?.windowStart, 1000, 'no windowStart: the pass time');
  const named = `  name: {matches: "^gpu_(.*)$", as: "\${1}"}\n  seriesFilters: [{isNot: "temp"}]\n`;
  const yaml = `rules:\n${rule('{__name__=~"gpu_.*",namespace!="",pod!=""}', NS_POD, named)}`;
  const others = live(yaml, [s('gpu_util', { namespace: 'a', pod: 'p' }), s('gpu_mem', { namespace: 'a', pod: 'p' })]);
  assert.equal(
    denial(others.lookup(POD('power'))).message,
    `the adapter config could serve it, but rules[0]'s seriesQuery '{__name__=~"gpu_.*",namespace!="",pod!=""}' matches 2 series, but none is named power: they give util, mem; so prometheus-adapter registers no such metric and the HPA would show <unknown> forever`,
  );
  const dropped = live(yaml, [s('gpu_temp', { namespace: 'a', pod: 'p' })]);
  assert.equal(
    denial(dropped.lookup(POD('power'))).message,
    `the adapter config could serve it, but rules[0]'s seriesQuery '{__name__=~"gpu_.*",namespace!="",pod!=""}' matches 1 series, but none is named power: series gpu_temp is dropped by seriesFilters[0] isNot 'temp'; so prometheus-adapter registers no such metric and the HPA would show <unknown> forever`,
  );
  // an Object metric is not a Pods metric: no before-pods question
  const obj = none.lookup({ kind: 'Object', name: 'gpu_util', resource: { group: 'apps', resource: 'deployments' }, namespaced: true });
  assert.equal(obj.status === 'not-served' && obj.live?.beforePods, undefined);
});

test('series that produce the name for other resources: each reason in full', () => {
  const nsOnly = live(`rules:\n${rule('gpu_util', NS_POD)}`, [s('gpu_util', { namespace: 'a', exported_pod: 'x' })]);
  assert.deepEqual(denial(nsOnly.lookup(POD('gpu_util'))), {
    reason: 'metric-series-unassociated',
    message: `the adapter would not serve it for pods, so the HPA would show <unknown> forever: ${R('gpu_util')} derives gpu_util from 1 series in ${PROM}, registered for namespaces (cluster-scoped): none carries pod, the rule's label for pods (e.g. gpu_util{exported_pod=…,namespace=…}); they carry exported_pod (the workload pod when Prometheus scrapes the exporter with honor_labels: false) — map it with resources.overrides exported_pod: {resource: pod}`,
  });
  const podName = live(`rules:\n${rule('gpu_util', NS_POD)}`, [s('gpu_util', { namespace: 'a', pod_name: 'x' })]);
  assert.match(
    denial(podName.lookup(POD('gpu_util'))).message,
    /the rule's label for pods \(e\.g\. gpu_util\{namespace=…,pod_name=…\}\); they carry pod_name — map it with resources\.overrides pod_name: \{resource: pod\}$/,
  );
  const noLabel = live(`rules:\n${rule('gpu_util', '{overrides: {namespace: {resource: namespace}}}')}`, [s('gpu_util', { namespace: 'a', pod: 'x' })]);
  assert.equal(
    denial(noLabel.lookup(POD('gpu_util'))).message,
    `the adapter would not serve it for pods, so the HPA would show <unknown> forever: ${R('gpu_util')} derives gpu_util from 1 series in ${PROM}, registered for namespaces (cluster-scoped): it has no label for pods (no resources.overrides entry and no resources.template) (e.g. gpu_util{namespace=…,pod=…})`,
  );
  // ResourcesForSeries (resource_converter.go): any label but a namespace/node/PV one makes the series
  // namespaced, so a pod label registers pods per namespace; asked cluster-scoped, the name is "elsewhere"
  const podsNs = live(`rules:\n${rule('gpu_util', '{overrides: {pod: {resource: pod}}}')}`, [s('gpu_util', { pod: 'x' })]);
  assert.equal(podsNs.lookup(POD('gpu_util')).status, 'served');
  assert.match(denial(podsNs.lookup({ ...POD('gpu_util'), namespaced: false })).message, /derives gpu_util from 1 series in .*, registered for pods: /);
  const nothing = live(`rules:\n${rule('gpu_util', '{overrides: {pod: {resource: pod}}}')}`, [s('gpu_util', { gpu: '1' })]);
  assert.match(denial(nothing.lookup(POD('gpu_util'))).message, /registered for no resource: none carries pod, the rule's label for pods \(e\.g\. gpu_util\{gpu=…\}\)$/);
});

test('honor_labels: false: the clash in full, denied for a Pods metric when every series clashes, a note when some do', () => {
  const clash = { namespace: 'gpu-operator', pod: 'dcgm-0', exported_namespace: 'a', exported_pod: 'w-0' };
  const all = live(`rules:\n${rule('gpu_util', NS_POD)}`, [s('gpu_util', clash)]);
  assert.deepEqual(denial(all.lookup(POD('gpu_util'))), {
    reason: 'metric-series-unassociated',
    registered: true,
    message: `${R('gpu_util')} maps pods to label pod, but its series of gpu_util also carry exported_pod: Prometheus scraped the exporter with honor_labels: false, so pod is the exporter's own pod and the workload's is in exported_pod (e.g. gpu_util{exported_namespace=…,exported_pod=…,namespace=…,pod=…}); map exported_pod in resources.overrides, or the HPA's pods never get a value`,
  });
  const some = live(`rules:\n${rule('gpu_util', NS_POD)}`, [s('gpu_util', clash), s('gpu_util', { namespace: 'a', pod: 'w-1' })]);
  const v = some.lookup(POD('gpu_util'));
  assert.equal(v.status, 'served');
  assert.deepEqual(v.status === 'served' && v.notes, [
    `${R('gpu_util')} maps pods to label pod, but some of its series of gpu_util also carry exported_pod: Prometheus scraped the exporter with honor_labels: false, so pod is the exporter's own pod and the workload's is in exported_pod (e.g. gpu_util{exported_namespace=…,exported_pod=…,namespace=…,pod=…}); map exported_pod in resources.overrides`,
    `${R('gpu_util')} maps namespaces to label namespace, but some of its series of gpu_util also carry exported_namespace: Prometheus scraped the exporter with honor_labels: false, so namespace is the exporter's own namespace and the workload's is in exported_namespace (e.g. gpu_util{exported_namespace=…,exported_pod=…,namespace=…,pod=…}); map exported_namespace in resources.overrides`,
  ]);
  // labels already exported_*: no clash to report
  const mapped = live(`rules:\n${rule('gpu_util', '{overrides: {exported_namespace: {resource: namespace}, exported_pod: {resource: pod}}}')}`, [s('gpu_util', clash)]);
  assert.deepEqual(mapped.lookup(POD('gpu_util')), { status: 'served', rules: [{ list: 'rules', index: 0, seriesQuery: 'gpu_util' }], notes: [] });
});

test('external metrics: the namespace label missing from the rule, or from the series', () => {
  const ext = (resources: string) => `externalRules:\n${rule('queue_depth', resources)}`;
  const noNs = live(ext('{overrides: {pod: {resource: pod}}}'), [s('queue_depth', { namespace: 'a' })]);
  assert.deepEqual(denial(noNs.lookup(EXT('queue_depth'))), {
    reason: 'metric-series-unassociated',
    registered: true,
    message: `${R('queue_depth', 'externalRules')} derives it from 1 series in ${PROM}, so the adapter lists it, but the rule has no label for namespaces (no generic resource label form specified for this metric): every namespaced query for it fails and the HPA would show <unknown> forever; add resources.overrides.namespace: {resource: namespace}, or resources.namespaced: false`,
  });
  const notOnSeries = live(ext('{overrides: {namespace: {resource: namespace}}}'), [s('queue_depth', { queue: 'q1' }), s('queue_depth', { queue: 'q2' })]);
  assert.equal(
    denial(notOnSeries.lookup(EXT('queue_depth'))).message,
    `${R('queue_depth', 'externalRules')} derives it from 2 series in ${PROM}, but none carries namespace, the label the adapter filters by namespace with, so every namespaced query returns nothing and the HPA would show <unknown> forever (e.g. queue_depth{queue=…}); add resources.namespaced: false, or a namespace label`,
  );
  // namespaced: false, or a cluster-scoped ask: served without the label
  assert.equal(live(ext('{namespaced: false}'), [s('queue_depth', { queue: 'q1' })]).lookup(EXT('queue_depth', 'a')).status, 'served');
  assert.equal(notOnSeries.lookup({ ...EXT('queue_depth'), namespaced: false }).status, 'served');
});

test("the value for the HPA's namespace and pods: every denial in full", () => {
  const rs = live(`rules:\n${rule('gpu_util{namespace!="",pod!=""}', NS_POD)}`, [
    s('gpu_util', { namespace: 'b', pod: 'b-0' }),
    s('gpu_util', { namespace: 'c', pod: 'c-0' }),
    s('gpu_util', { namespace: 'd', pod: 'd-0' }),
  ]);
  assert.deepEqual(denial(rs.lookup(POD('gpu_util', 'a'))), {
    reason: 'metric-no-series',
    registered: true,
    message: `${R('gpu_util{namespace!="",pod!=""}')} registers gpu_util, but the adapter queries series gpu_util with namespace="a" by pod and ${PROM} has none; only 3 other namespaces have them: the HPA in a gets no value`,
  });
  const one = live(`rules:\n${rule('gpu_util{namespace!="",pod!=""}', NS_POD)}`, [s('gpu_util', { namespace: 'b', pod: 'b-0' })]);
  assert.match(denial(one.lookup(POD('gpu_util', 'a'))).message, /has none; only 1 other namespace has them: the HPA in a gets no value$/);
  assert.equal(
    denial(rs.lookup(POD('gpu_util', 'd', []))).message,
    `${R('gpu_util{namespace!="",pod!=""}')} registers gpu_util, and ${PROM} has series gpu_util with namespace="d", but the HPA's target has no pod yet: the adapter queries only the pods the HPA's selector matches, so the HPA gets no value`,
  );
  assert.match(denial(rs.lookup(POD('gpu_util', 'd', ['x']))).message, /but none whose pod is one of the 1 pod of the HPA's target: /);
  assert.match(denial(rs.lookup(POD('gpu_util', 'd', ['x', 'y']))).message, /but none whose pod is one of the 2 pods of the HPA's target: /);
  assert.equal(rs.lookup(POD('gpu_util', 'd', ['x', 'd-0'])).status, 'served');
  // registered from series without a namespace label (no namespace override): the query cannot be built
  const noNs = live(`rules:\n${rule('gpu_util', '{overrides: {pod: {resource: pod}}}')}`, [s('gpu_util', { pod: 'p' })]);
  assert.deepEqual(denial(noNs.lookup(POD('gpu_util', 'a'))), {
    reason: 'metric-series-unassociated',
    registered: true,
    message: `${R('gpu_util')} registers gpu_util, but has no label for namespaces (no generic resource label form specified for this metric), so the adapter cannot build the query for namespace a and answers NotFound; add resources.overrides.namespace: {resource: namespace}`,
  });
  // the metricsQuery's other series: missing in the namespace
  const joined = `rules:\n- seriesQuery: 'gpu_used{namespace!="",pod!=""}'\n  resources: ${NS_POD}\n  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) / sum(gpu_total{<<.LabelMatchers>>})'\n`;
  const j = live(joined, [s('gpu_used', { namespace: 'a', pod: 'p' }), s('gpu_total', { namespace: 'b', pod: 'q' })]);
  assert.deepEqual(denial(j.lookup(POD('gpu_used', 'a'))), {
    reason: 'metric-no-series',
    registered: true,
    message: `${R('gpu_used{namespace!="",pod!=""}')}'s metricsQuery joins gpu_used with gpu_total, and ${PROM} has no gpu_total series with namespace="a", so the query returns nothing for the HPA in a`,
  });
  const jv = j.lookup(POD('gpu_used', 'a'));
  assert.equal(jv.status === 'not-served' && jv.live?.beforePods?.conclusion, 'so the adapter returns nothing for its pods');
});

test('external values: the namespace label on the series must have the HPA namespace', () => {
  const yaml = `externalRules:\n${rule('queue_depth{namespace!=""}', '{overrides: {namespace: {resource: namespace}}}')}`;
  const rs = live(yaml, [s('queue_depth', { namespace: 'b' })]);
  assert.equal(rs.lookup(EXT('queue_depth', 'b')).status, 'served');
  assert.equal(
    denial(rs.lookup(EXT('queue_depth', 'a'))).message,
    `${R('queue_depth{namespace!=""}', 'externalRules')} registers queue_depth, but the adapter queries series queue_depth with namespace="a" and ${PROM} has none; only 1 other namespace has them: the HPA in a gets no value`,
  );
});
