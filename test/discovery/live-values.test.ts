// Live verdicts at the value level: the metric is registered, but would the adapter's query return a value
// for the HPA's namespace? (pkg/naming/metrics_query.go Build/BuildExternal, pkg/custom-provider/
// series_registry.go SetSeries/QueryForMetric, pkg/custom-provider/provider.go metricsFor.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupSeries, liveRuleSet, seriesQueries, valueLabels, type DiscoveryState } from '../../src/core/adapter/live.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import type { AdapterRuleSet, MetricRequest } from '../../src/core/adapter/types.js';
import { matchSelector } from './series.js';
import { verifyMetricsServed } from '../../src/core/validate/hpa-metrics.js';
import { preferAdapterListing } from '../../src/core/adapter/listed.js';

const POD = (name: string, namespace: string): MetricRequest => ({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true, namespace });
const EXT = (name: string, namespace: string): MetricRequest => ({ kind: 'External', name, namespaced: true, namespace });

const WINDOW = Date.parse('2026-11-29T12:00:00Z');

function discovered(rules: AdapterRuleSet, series: Array<Record<string, string>>): DiscoveryState {
  const keep = valueLabels(rules);
  const map = new Map(seriesQueries(rules).map((q) => [q, groupSeries(matchSelector(q, series), keep)]));
  return { snapshot: { source: 'http://prometheus:9090', series: map, at: WINDOW + 60_000, windowStart: WINDOW }, stale: false };
}
const live = (yaml: string, series: Array<Record<string, string>>) => {
  const base = compileAdapterConfig(yaml, 'adapter.yaml');
  return liveRuleSet(base, discovered(base, series));
};
const SUM = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';
const scraped = (name: string, labels: Record<string, string>) => ({ __name__: name, ...labels, job: 'plain', instance: '127.0.0.1:9400' });

const RULE = `rules:
- seriesQuery: 'gpu_util{namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  metricsQuery: '${SUM}'
`;

test('series only in other namespaces: registered, but no value for this HPA → denied, naming where the series are', () => {
  const rs = live(RULE, [scraped('gpu_util', { namespace: 'team-b', pod: 'b-0' })]);
  const v = rs.lookup(POD('gpu_util', 'team-a'));
  assert.equal(v.status, 'not-served');
  assert.match(v.status === 'not-served' ? v.live!.message : '', /with namespace="team-a".*only 1 other namespace has them/);
  // how many, never which (issue 17: no other namespace's detail)
  assert.doesNotMatch(v.status === 'not-served' ? v.live!.message : '', /team-b/);
  assert.equal(rs.lookup(POD('gpu_util', 'team-b')).status, 'served');
  // without the HPA's namespace (the Deployment check, `check` without one): registration level only
  assert.equal(rs.lookup({ ...POD('gpu_util', 'x'), namespace: undefined }).status, 'served');
  // whether that is final is for the caller, which knows the target's pods (issue 18): the served verdict rides along
  const pending = rs.lookup(POD('gpu_util', 'team-a'));
  assert.equal(pending.status === 'not-served' ? pending.live?.beforePods?.offline.status : '', 'served');
});

test("honor_labels: false clashes on some series: the namespace the query filters on is the exporter's there", () => {
  const rs = live(RULE, [
    scraped('gpu_util', { namespace: 'team-a', pod: 'a-0' }),
    scraped('gpu_util', { namespace: 'gpu-operator', pod: 'dcgm-x', exported_namespace: 'team-b', exported_pod: 'b-0' }),
  ]);
  assert.equal(rs.lookup(POD('gpu_util', 'team-a')).status, 'served');
  assert.equal(rs.lookup(POD('gpu_util', 'team-b')).status, 'not-served');
});

test('a metricsQuery that divides by a series Prometheus lacks (in this namespace) returns nothing', () => {
  const yaml = RULE.replace(SUM, `${SUM} / sum(gpu_total{<<.LabelMatchers>>}) by (<<.GroupBy>>)`);
  const series = [scraped('gpu_util', { namespace: 'team-a', pod: 'a-0' }), scraped('gpu_util', { namespace: 'team-b', pod: 'b-0' }), scraped('gpu_total', { namespace: 'team-a', pod: 'a-0' })];
  const rs = live(yaml, series);
  assert.equal(rs.lookup(POD('gpu_util', 'team-a')).status, 'served');
  const v = rs.lookup(POD('gpu_util', 'team-b'));
  assert.equal(v.status, 'not-served');
  assert.match(v.status === 'not-served' ? v.live!.message : '', /joins gpu_util with gpu_total/);
  // `or` may answer without the other side: not judged by it
  assert.equal(live(yaml.replace(' / ', ' or '), series).lookup(POD('gpu_util', 'team-b')).status, 'served');
});

test('registered from series without a namespace label: namespaced anyway (job, instance), and the query cannot be built → denied', () => {
  const yaml = `rules:
- seriesQuery: 'gpu_util'
  resources: {overrides: {pod: {resource: pod}}}
  metricsQuery: '${SUM}'
`;
  const v = live(yaml, [scraped('gpu_util', { pod: 'a-0' })]).lookup(POD('gpu_util', 'team-a'));
  assert.equal(v.status, 'not-served');
  assert.match(v.status === 'not-served' ? v.live!.message : '', /no label for namespaces/);
});

test('several series names give one metric: the adapter queries the last one registered (series_registry.go SetSeries)', () => {
  const yaml = `rules:
- seriesQuery: '{__name__=~"a_util|b_util"}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: '_util$', as: 'util'}
  metricsQuery: '${SUM}'
`;
  // Prometheus answers in label order: a_util's series first, b_util's last; only a_util is in team-a
  const rs = live(yaml, [scraped('a_util', { namespace: 'team-a', pod: 'a-0' }), scraped('b_util', { namespace: 'team-b', pod: 'b-0' })]);
  assert.equal(rs.lookup(POD('util', 'team-b')).status, 'served');
  const v = rs.lookup(POD('util', 'team-a'));
  assert.equal(v.status, 'not-served');
  assert.match(v.status === 'not-served' ? v.live!.message : '', /queries series b_util/);
});

test('external metrics: the namespace filter unless namespaced: false; the last rule deriving the name wins', () => {
  const series = [scraped('queue_depth', { namespace: 'team-a' })];
  const ext = (res: string) => `externalRules:
- seriesQuery: 'queue_depth'
  resources: ${res}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})'
`;
  assert.equal(live(ext('{overrides: {namespace: {resource: namespace}}}'), series).lookup(EXT('queue_depth', 'team-a')).status, 'served');
  assert.equal(live(ext('{overrides: {namespace: {resource: namespace}}}'), series).lookup(EXT('queue_depth', 'team-b')).status, 'not-served');
  assert.equal(live(ext('{namespaced: false}'), series).lookup(EXT('queue_depth', 'team-b')).status, 'served');
  // a rule without namespace mapping after one with it: the adapter keeps the later rule's registration
  const both =
    ext('{overrides: {namespace: {resource: namespace}}}') +
    `- seriesQuery: 'queue_depth'
  resources: {}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})'
`;
  assert.equal(live(both, series).lookup(EXT('queue_depth', 'team-a')).status, 'not-served');
});

test("the engine asks with the HPA's namespace; no value there denies only once the target's pods have run (issue 18)", async () => {
  const { createEngine } = await import('../../src/core/engine.js');
  const { staticClusterView } = await import('../../src/core/cluster.js');
  const { defaultPolicy, plainHpa, podsMetric } = await import('../helpers/fixtures.js');
  const { reviewOf } = await import('../helpers/webhook.js');
  const rules = live(RULE, [scraped('gpu_util', { namespace: 'team-b', pod: 'b-0' })]);
  const hpa = plainHpa([podsMetric('gpu_util')], (h) => ((h.metadata = { name: 'h', namespace: 'team-a' }), (h.spec.scaleTargetRef.name = 'w')));
  const dep = (available: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'w', namespace: 'team-a' },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'm', image: 'x', resources: { requests: { cpu: '1' } } }] } } },
    status: { availableReplicas: available, conditions: available > 0 ? [{ type: 'Available', status: 'True', lastTransitionTime: '2026-11-28T00:00:00Z' }] : [] },
  });
  const judge = (replicas: number) =>
    createEngine({ policy: defaultPolicy((p) => (p.scope = { hpas: 'all' })), rules, cluster: staticClusterView({ deployments: [dep(replicas)], hpas: [] }, true) }).validate({
      ...(reviewOf(hpa).request as object),
      namespace: 'team-a',
    } as never);
  const running = judge(2);
  assert.equal(running.allowed, false);
  assert.deepEqual(
    running.violations.map((v) => v.reason),
    ['metric-no-series'],
  );
  const fresh = judge(0);
  assert.equal(fresh.allowed, true, 'a new Deployment applied with its HPA: no pods, no series yet');
  assert.match(fresh.warnings.join('\n'), /no series yet, allowed until its pods run/);
});

test('the query reads every series of the name, not only those the seriesQuery selected (metrics_query.go Build: <<.Series>>{…})', () => {
  const yaml = `rules:
- seriesQuery: '{__name__=~"gpu_.*",exported_pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  metricsQuery: '${SUM}'
`;
  const series = [
    // selected: scraped with honor_labels: false, namespace/pod are the exporter's
    scraped('gpu_util', { namespace: 'gpu-operator', pod: 'dcgm-x', exported_namespace: 'team-b', exported_pod: 'b-0' }),
    // not selected, but the query namespace="team-a",pod=~"…" finds it
    scraped('gpu_util', { namespace: 'team-a', pod: 'a-0' }),
  ];
  const rs = live(yaml, series);
  assert.equal(rs.lookup(POD('gpu_util', 'team-a')).status, 'served');
  assert.equal(rs.lookup(POD('gpu_util', 'team-b')).status, 'not-served');
});

test("a Pods metric with the target's pods known: only series of those pods give a value (the HPA controller asks for its selector's pods)", () => {
  const rs = live(RULE, [scraped('gpu_util', { namespace: 'team-d', pod: 'd-x' }), scraped('gpu_util', { namespace: 'team-a', pod: 'd-0' })]);
  const target = (ns: string, pods: string[]): MetricRequest => ({ ...POD('gpu_util', ns), pods });
  // series in the namespace, but of another workload's pod: nothing for this HPA
  const v = rs.lookup(target('team-d', ['d-0', 'd-1']));
  assert.equal(v.status, 'not-served');
  assert.match(v.status === 'not-served' ? v.live!.message : '', /has series gpu_util with namespace="team-d", but none whose pod is one of the 2 pods of the HPA's target/);
  // still the caller's to decide with the target's pods (deny once they ran for a window, warn before)
  assert.equal(v.status === 'not-served' ? v.live?.beforePods?.offline.status : '', 'served');
  // a pod of that name in another namespace does not count
  assert.equal(rs.lookup(target('team-d', ['d-0'])).status, 'not-served');
  // one of the target's pods has a series: served
  assert.equal(rs.lookup(target('team-d', ['d-0', 'd-x'])).status, 'served');
  // the pods not known: the namespace decides, as before
  assert.equal(rs.lookup(POD('gpu_util', 'team-d')).status, 'served');
  // an Object metric on the namespace is not asked per pod
  assert.equal(rs.lookup({ kind: 'Object', name: 'gpu_util', resource: { group: '', resource: 'namespaces' }, namespaced: false, namespace: 'team-d' }).status, 'served');
});

test("the rule for a Pods metric with no series for the target's pods: denied when they have run since before the window, a warning when there are none yet", () => {
  const rs = live(RULE, [scraped('gpu_util', { namespace: 'team-d', pod: 'd-x' })]);
  const metrics = [{ type: 'Pods', pods: { metric: { name: 'gpu_util' }, target: { type: 'AverageValue', averageValue: '50' } } }];
  const running = { state: 'running' as const, why: 'Deployment team-d/w has 2 available pods', since: WINDOW - 1000, names: ['d-0', 'd-1'] };
  const denied = verifyMetricsServed(metrics, rs, 'team-d', running);
  assert.equal(denied.violations.length, 1);
  assert.equal(denied.violations[0]!.reason, 'metric-no-series');
  assert.match(denied.violations[0]!.message, /none whose pod is one of the 2 pods of the HPA's target/);
  // the same pods, available only since inside the window: not final yet
  assert.equal(verifyMetricsServed(metrics, rs, 'team-d', { ...running, since: WINDOW + 1000 }).violations.length, 0);
  const none = verifyMetricsServed(metrics, rs, 'team-d', { state: 'none', why: 'Deployment team-d/w is new, so no pod of it runs yet' });
  assert.equal(none.violations.length, 0);
  assert.match(none.warnings[0]!, /no series yet, allowed until its pods run/);
  // pods not known (no names): the namespace has series, allowed as before
  assert.equal(verifyMetricsServed(metrics, rs, 'team-d', { ...running, names: undefined }).violations.length, 0);
});

test('an external rule with no label for namespaces: the adapter lists the metric, but every namespaced query fails — its listing does not make it served', () => {
  const yaml = `externalRules:
- seriesQuery: 'queue_depth'
  resources: {}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})'
`;
  const rs = live(yaml, [scraped('queue_depth', { namespace: 'team-a', queue: 'q' })]);
  const v = rs.lookup(EXT('queue_depth', 'team-a'));
  assert.equal(v.status, 'not-served');
  assert.equal(v.status === 'not-served' && v.live?.registered, true);
  assert.match(v.status === 'not-served' ? v.live!.message : '', /so the adapter lists it, but the rule has no label for namespaces/);
  const listed = preferAdapterListing(rs, { source: 'prometheus-adapter via https://10.0.0.1:6443', external: ['queue_depth'] });
  assert.equal(listed.lookup(EXT('queue_depth', 'team-a')).status, 'not-served');
});
