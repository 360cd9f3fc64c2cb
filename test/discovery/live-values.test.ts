// Live verdicts at the value level: the metric is registered, but would the adapter's query return a value
// for the HPA's namespace? (pkg/naming/metrics_query.go Build/BuildExternal, pkg/custom-provider/
// series_registry.go SetSeries/QueryForMetric, pkg/custom-provider/provider.go metricsFor.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupSeries, liveRuleSet, seriesQueries, valueLabels, type DiscoveryState } from '../../src/core/adapter/live.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import type { AdapterRuleSet, MetricRequest } from '../../src/core/adapter/types.js';
import { matchSelector } from './series.js';

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
  const { defaultPolicy } = await import('../helpers/fixtures.js');
  const { reviewOf } = await import('../helpers/webhook.js');
  const rules = live(RULE, [scraped('gpu_util', { namespace: 'team-b', pod: 'b-0' })]);
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h', namespace: 'team-a' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' },
      minReplicas: 1,
      maxReplicas: 3,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'gpu_util' }, target: { type: 'AverageValue', averageValue: '50' } } }],
    },
  };
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
