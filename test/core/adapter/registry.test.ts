// lookup(): would prometheus-adapter serve this HPA metric? Fixtures from /work/shared/fixtures and the
// adapter semantics of pkg/custom-provider/series_registry.go (custom metrics keyed by resource, namespaced,
// name), pkg/external-provider (external metrics by name, namespace label unless namespaced: false),
// pkg/naming/metrics_query.go (a query needs a label for the resource and for the namespace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AdapterConfigError } from '../../../src/core/adapter/config.js';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import { parseSeriesQuery } from '../../../src/core/adapter/series-query.js';
import type { MetricRequest } from '../../../src/core/adapter/types.js';

// shared/ sits beside the repository (CI: a fresh clone with shared/ next to it)
const FIXTURES = fileURLToPath(new URL('../../fixtures/seeds', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (seed: string) => compileAdapterConfig(readFileSync(`${FIXTURES}/${seed}/adapter-config.yaml`, 'utf8'), `${seed}/adapter-config.yaml`);
const pods = (name: string): MetricRequest => ({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true });
const external = (name: string): MetricRequest => ({ kind: 'External', name, namespaced: true });

test('seed-000 serves Pods gpu_utilization (exported_pod/exported_namespace overrides)', () => {
  const v = fixture('seed-000').lookup(pods('gpu_utilization'));
  assert.equal(v.status, 'served');
  assert.deepEqual(v.status === 'served' && v.rules.map((r) => [r.list, r.index]), [['rules', 0]]);
});

test("seed-000's rules do not serve http_requests_per_second", () => {
  const v = fixture('seed-000').lookup(pods('http_requests_per_second'));
  assert.equal(v.status, 'not-served');
  assert.match(v.status === 'not-served' ? v.explanation : '', /rules\[0\] \(seriesQuery 'DCGM_FI_DEV_GPU_UTIL\{exported_namespace!="",exported_pod!=""\}'\) derives gpu_utilization/);
});

test('a misspelt gpu_utilisation is not served, nearest gpu_utilization', () => {
  const v = fixture('seed-000').lookup(pods('gpu_utilisation'));
  assert.equal(v.status, 'not-served');
  assert.deepEqual(v.status === 'not-served' && v.nearest, ['gpu_utilization']);
});

test('verdicts are memoized per request and frozen; different requests get their own', () => {
  const rs = fixture('seed-000');
  const miss = rs.lookup(pods('gpu_utilisation'));
  assert.equal(rs.lookup(pods('gpu_utilisation')), miss, 'the same request is answered from the memo');
  assert.ok(Object.isFrozen(miss) && miss.status === 'not-served' && Object.isFrozen(miss.nearest));
  assert.throws(() => (miss.status === 'not-served' ? miss.nearest.push('x') : 0), TypeError);
  // the key covers kind, resource and scope: an Object metric of the same name is decided on its own
  const onService = rs.lookup({ kind: 'Object', name: 'gpu_utilization', resource: { group: '', resource: 'services' }, namespaced: true });
  assert.notEqual(onService.status, 'served');
  assert.equal(rs.lookup(pods('gpu_utilization')).status, 'served');
});

test('seed-003 serves http_requests_per_second (${1}_per_second)', () => {
  assert.equal(fixture('seed-003').lookup(pods('http_requests_per_second')).status, 'served');
  assert.equal(fixture('seed-003').lookup(pods('http_requests_total')).status, 'not-served', 'the series name is not the API name');
});

test('seed-001 parses; its third rule (template <<.Resource>>) serves gpu_memory_utilization for pods', () => {
  const rs = fixture('seed-001');
  const v = rs.lookup(pods('gpu_memory_utilization'));
  assert.equal(v.status, 'served');
  assert.deepEqual(v.status === 'served' && v.rules.map((r) => r.index), [2]);
  // and warns that DCGM has no DCGM_FI_DEV_MEMORY_USED
  assert.ok(rs.warnings.some((w) => /DCGM_FI_DEV_MEMORY_USED is not a DCGM field/.test(w)));
  // the Object metric of hpa-multi-metric.yaml (requests_per_second on a Service) is served by nothing
  const obj = rs.lookup({ kind: 'Object', name: 'requests_per_second', resource: { group: '', resource: 'services' }, namespaced: true });
  assert.equal(obj.status, 'not-served');
});

test('the shipped DCGM rules serve both metrics for pods, without collisions', () => {
  const rs = compileAdapterConfig(readFileSync(`${ROOT}policies/prometheus-adapter-rules.yaml`, 'utf8'), 'shipped');
  assert.deepEqual(rs.warnings, []);
  assert.deepEqual(rs.servedNames('rules'), ['gpu_memory_utilization', 'gpu_utilization']);
  for (const name of ['gpu_utilization', 'gpu_memory_utilization']) {
    const v = rs.lookup(pods(name));
    assert.equal(v.status, 'served', name);
    assert.equal(v.status === 'served' && v.rules.length, 2, `${name}: the pod and the exported_pod layouts`);
  }
  // both layouts: one requires exported_pod, the other forbids it
  const [a, b] = rs.compiled.rules;
  assert.ok(a!.query.absent.has('exported_pod') && b!.query.present.has('exported_pod'));
  assert.equal(rs.lookup(external('gpu_utilization')).status, 'not-served', 'rules never serve External metrics');
});

const RULE = (extra: string) => `rules:\n- seriesQuery: 'gpu_util{namespace!="",pod!=""}'\n  metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n${extra}`;

test('a Pods metric needs the pods resource and a namespace label', () => {
  const noPod = compileAdapterConfig(RULE('  resources: {overrides: {namespace: {resource: namespace}}}\n'), 't').lookup(pods('gpu_util'));
  assert.equal(noPod.status, 'not-served');
  assert.match(noPod.status === 'not-served' ? noPod.explanation : '', /rules\[0\] \(seriesQuery 'gpu_util\{namespace!="",pod!=""\}'\) derives gpu_util but has no label for pods/);
  const noNs = compileAdapterConfig(RULE('  resources: {overrides: {pod: {resource: pod}}}\n'), 't').lookup(pods('gpu_util'));
  assert.equal(noNs.status, 'not-served');
  assert.match(noNs.status === 'not-served' ? noNs.explanation : '', /namespace label/);
  const both = compileAdapterConfig(RULE('  resources: {overrides: {pod: {resource: pods}, namespace: {resource: Namespace}}}\n'), 't');
  assert.equal(both.lookup(pods('gpu_util')).status, 'served');
  // the same rule serves the namespace resource, cluster-scoped (series_registry.go: namespaces never namespaced)
  assert.equal(both.lookup({ kind: 'Object', name: 'gpu_util', resource: { group: '', resource: 'namespaces' }, namespaced: false }).status, 'served');
  assert.equal(both.lookup({ kind: 'Object', name: 'gpu_util', resource: { group: 'apps', resource: 'deployments' }, namespaced: true }).status, 'not-served');
});

test('template rules: a label the seriesQuery guarantees is served; one it does not name is unverifiable', () => {
  const rs = compileAdapterConfig(RULE('  resources: {template: "<<.Resource>>"}\n'), 't');
  assert.equal(rs.lookup(pods('gpu_util')).status, 'served');
  const svc = rs.lookup({ kind: 'Object', name: 'gpu_util', resource: { group: '', resource: 'services' }, namespaced: true });
  assert.equal(svc.status, 'unverifiable');
  assert.match(svc.status === 'unverifiable' ? svc.reason : '', /label service .* resources.template/);
});

test('an override label the seriesQuery forbids associates nothing', () => {
  const rs = compileAdapterConfig(
    'rules:\n- seriesQuery: \'gpu_util{namespace!="",exported_pod=""}\'\n  metricsQuery: q\n  resources: {overrides: {namespace: {resource: namespace}, exported_pod: {resource: pod}}}\n',
    't',
  );
  const v = rs.lookup(pods('gpu_util'));
  assert.equal(v.status, 'not-served');
  assert.match(v.status === 'not-served' ? v.explanation : '', /only selects series without exported_pod/);
});

test('regex-selected names: unverifiable when the rule could produce the name, otherwise not considered', () => {
  const rs = compileAdapterConfig(
    'rules:\n- seriesQuery: \'{__name__=~"DCGM_FI_DEV_.*",namespace!="",pod!=""}\'\n  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}\n  name: {matches: \'^DCGM_FI_DEV_(.*)$\', as: \'dcgm_${1}\'}\n  metricsQuery: q\n',
    't',
  );
  const maybe = rs.lookup(pods('dcgm_GPU_UTIL'));
  assert.equal(maybe.status, 'unverifiable');
  assert.match(maybe.status === 'unverifiable' ? maybe.reason : '', /regex 'DCGM_FI_DEV_\.\*'/);
  assert.equal(rs.lookup(pods('gpu_utilization')).status, 'not-served', 'as always starts with dcgm_');
  // a __name__ regex that is a plain alternation is read as the names it lists
  const alt = compileAdapterConfig(
    'rules:\n- seriesQuery: \'{__name__=~"a_total|b_total",namespace!="",pod!=""}\'\n  resources: {template: \'<<.Resource>>\'}\n  name: {matches: \'^(.*)_total$\'}\n  metricsQuery: q\n',
    't',
  );
  assert.deepEqual(alt.servedNames('rules'), ['a', 'b']);
});

test('External metrics come only from externalRules, and say so when the name is in the other list', () => {
  const rs = compileAdapterConfig(
    [
      'rules:',
      '- seriesQuery: \'queue_depth{namespace!="",pod!=""}\'',
      '  resources: {template: "<<.Resource>>"}',
      '  metricsQuery: q',
      'externalRules:',
      '- seriesQuery: \'{__name__="queue_consumer_lag",name!=""}\'',
      '  resources: {overrides: {namespace: {resource: namespace}}}',
      '  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (name)',
      '- seriesQuery: \'{__name__="queue_size",name!=""}\'',
      '  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (name)',
      '- seriesQuery: \'{__name__="queue_age",name!=""}\'',
      '  resources: {namespaced: false}',
      '  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (name)',
      '',
    ].join('\n'),
    't',
  );
  assert.equal(rs.lookup(external('queue_consumer_lag')).status, 'served');
  assert.equal(rs.lookup(external('queue_age')).status, 'served', 'namespaced: false needs no namespace label');
  const noNs = rs.lookup(external('queue_size'));
  assert.equal(noNs.status, 'not-served');
  assert.match(noNs.status === 'not-served' ? noNs.explanation : '', /unable to convert resource namespaces into label/);
  const wrongList = rs.lookup(external('queue_depth'));
  assert.match(wrongList.status === 'not-served' ? wrongList.explanation : '', /rules\[0\] .* derives queue_depth, but rules serve only Pods and Object metrics/);
  const wrongList2 = rs.lookup(pods('queue_consumer_lag'));
  assert.match(wrongList2.status === 'not-served' ? wrongList2.explanation : '', /externalRules\[0\] .* derives queue_consumer_lag, but externalRules serve only External metrics/);
  assert.deepEqual(rs.servedNames('externalRules'), ['queue_age', 'queue_consumer_lag']);
});

test('warnings: $1_per_second, empty names, colliding rules, rules without metricsQuery', () => {
  const rs = compileAdapterConfig(
    [
      'rules:',
      '- seriesQuery: \'http_requests_total{namespace!="",pod!=""}\'',
      '  resources: {template: "<<.Resource>>"}',
      "  name: {matches: '^(.*)_total$', as: '$1_per_second'}",
      '  metricsQuery: q',
      '- seriesQuery: \'gpu_a{namespace!="",pod!=""}\'',
      '  resources: {template: "<<.Resource>>"}',
      '  name: {as: gpu}',
      '  metricsQuery: q',
      '- seriesQuery: \'gpu_b{namespace!="",pod!=""}\'',
      '  resources: {template: "<<.Resource>>"}',
      '  name: {as: gpu}',
      '',
    ].join('\n'),
    't',
  );
  const w = rs.warnings.join('\n');
  assert.match(w, /Go reads \$1_per_second as the group named "1_per_second".*write \$\{1\}_per_second/);
  assert.match(w, /series http_requests_total gets the empty metric name/);
  assert.match(w, /rules\[2\] .* and rules\[1\] .* both derive gpu for pods/);
  assert.match(w, /rules\[2\] .*has no metricsQuery/);
  const v = rs.lookup(pods('gpu'));
  assert.equal(v.status, 'served', 'rules[1] serves it');
  assert.deepEqual(v.status === 'served' && v.rules.map((r) => r.index), [1], 'rules[2] has no metricsQuery');
});

test('invalid rules throw AdapterConfigError listing every bad rule', () => {
  assert.throws(
    () => compileAdapterConfig("rules:\n- seriesQuery: a\n  name: {matches: '(a)(b)'}\n- seriesQuery: b\n  name: {matches: '(?<=x)'}\n", 'bad.yaml'),
    (e: unknown) => e instanceof AdapterConfigError && e.issues.length === 2 && /bad\.yaml/.test(e.message),
  );
});

// Lookups with 1,000 rules: correct answers here; their cost relative to 10 rules is measured by the
// benchmarks (bench/), never by a timing assertion in a test.
test('1,000 rules: every derived name is served, a near miss suggests its neighbours', () => {
  const build = (n: number): string =>
    'rules:\n' +
    Array.from({ length: n }, (_, i) => `- seriesQuery: 'm${i}_total{namespace!="",pod!=""}'\n  resources: {template: "<<.Resource>>"}\n  name: {matches: '^(.*)_total$'}\n  metricsQuery: q\n`).join(
      '',
    );
  const large = compileAdapterConfig(build(1000), 'l');
  assert.equal(large.lookup(pods('m999')).status, 'served');
  assert.equal(large.lookup(pods('m0')).status, 'served');
  const miss = large.lookup(pods('m5x'));
  assert.equal(miss.status, 'not-served');
  assert.ok(miss.status === 'not-served' && miss.nearest.includes('m5'), JSON.stringify(miss));
});

// series-query.ts: what a seriesQuery guarantees offline.
// [query, names (null = unknowable), present labels, absent labels]
const QUERIES: Array<[string, string[] | null, string[], string[]]> = [
  ['DCGM_FI_DEV_GPU_UTIL{exported_namespace!="",exported_pod!=""}', ['DCGM_FI_DEV_GPU_UTIL'], ['exported_namespace', 'exported_pod'], []],
  ['DCGM_FI_DEV_MEMORY_USED{gpu=~".*",instance=~".*",namespace!="",pod!=""}', ['DCGM_FI_DEV_MEMORY_USED'], ['namespace', 'pod'], []],
  ['{__name__="queue_consumer_lag",name!=""}', ['queue_consumer_lag'], ['name'], []],
  ['{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}', null, ['namespace', 'pod'], []],
  ['{__name__=~"a|b_total"}', ['a', 'b_total'], [], []],
  ['{__name__=~"^(?:a|b)$"}', ['a', 'b'], [], []],
  ['up{job="x", pod=~".+", ns!~"", svc=~"a|"}', ['up'], ['job', 'pod', 'ns'], []],
  ['m{exported_pod="", \'x\'=`y`}', ['m'], ['x'], ['exported_pod']],
  ['http_requests_total', ['http_requests_total'], [], []],
  ['{"my.metric", pod!=""}', ['my.metric'], ['pod'], []],
  ['sum(rate(x[5m]))', null, [], []],
  ['m{pod!=""', null, [], []],
  ['', null, [], []],
];

test('seriesQuery reading: names and the labels every series carries', () => {
  for (const [q, names, present, absent] of QUERIES) {
    const info = parseSeriesQuery(q);
    assert.deepEqual(info.names, names, `names of ${q}`);
    assert.deepEqual([...info.present].sort(), [...present].sort(), `present labels of ${q}`);
    assert.deepEqual([...info.absent].sort(), [...absent].sort(), `absent labels of ${q}`);
  }
});
