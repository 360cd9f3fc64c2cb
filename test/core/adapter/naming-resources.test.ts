// Ports of prometheus-adapter's naming and association tests, as data tables:
//   pkg/naming/regex_matcher_test.go            (ReMatcher is / isNot / both)
//   pkg/naming/metric_namer.go NamersFromConfig (default `as`, errors)
//   pkg/custom-provider/series_registry_test.go (DefaultConfig rules → ListAllMetrics registrations)
//   pkg/naming/resource_converter.go, lbl_res.go (template / overrides)
// plus the static RESTMapper used for HPA Object metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileNamer, metricNameForSeries, newReMatcher, reMatches } from '../../../src/core/adapter/naming.js';
import { normalizeResource, ResourceConverter, resourceForKind, singularize } from '../../../src/core/adapter/resources.js';
import { compileAdapterConfig, registrationsForSeries, type Registration } from '../../../src/core/adapter/registry.js';
import type { DiscoveryRule } from '../../../src/core/adapter/config.js';

function rule(partial: Partial<DiscoveryRule> & { matches?: string; as?: string }): DiscoveryRule {
  return {
    seriesQuery: partial.seriesQuery ?? 'x',
    seriesFilters: partial.seriesFilters ?? [],
    resources: partial.resources ?? { template: '', overrides: [], namespaced: null },
    name: { matches: partial.matches ?? '', as: partial.as ?? '' },
    metricsQuery: partial.metricsQuery ?? 'q',
    line: 1,
  };
}

test('regex_matcher_test.go: TestReMatcherIs / TestReMatcherIsNot / TestEnforcesIsOrIsNotButNotBoth', () => {
  const is = newReMatcher({ is: 'my_.*', isNot: '' }, 't');
  assert.equal(reMatches(is, 'my_label'), true);
  assert.equal(reMatches(is, 'your_label'), false);
  const isNot = newReMatcher({ is: '', isNot: 'my_.*' }, 't');
  assert.equal(reMatches(isNot, 'my_label'), false);
  assert.equal(reMatches(isNot, 'your_label'), true);
  assert.throws(() => newReMatcher({ is: 'my_.*', isNot: 'your_.*' }, 't'), /cannot have both/);
  assert.throws(() => newReMatcher({ is: '', isNot: '' }, 't'), /must have either/);
});

// NamersFromConfig: matches "" → ".*"; as "" → "$0" (no groups), "$1" (one group), error (2+).
// [matches, as, series, derived | null (not named), why]
const NAMER_CASES: Array<[string, string, string, string | null, string]> = [
  ['', '', 'anything_total', 'anything_total', 'empty matches is .*, default as $0'],
  ['^container_(.*)_seconds_total$', '', 'container_some_time_seconds_total', 'some_time', 'one group: default $1'],
  ['^container_(.*)_total$', '', 'container_some_count_total', 'some_count', ''],
  ['^(.*)_total$', '${1}_per_second', 'http_requests_total', 'http_requests_per_second', 'seed-003'],
  ['^(.*)_total$', '$1_per_second', 'http_requests_total', '', 'Go reads $1_per_second as one name: empty'],
  ['^(.*)$', 'gpu_utilization', 'DCGM_FI_DEV_GPU_UTIL', 'gpu_utilization', 'seed-000: constant as'],
  ['_total', '', 'a_total_b', '_total', 'unanchored: $0 is only the matched part'],
  ['_total', '$0', 'a_b', null, 'name.matches is also a filter'],
  ['(?i)^dcgm_fi_dev_(.*)$', 'gpu_$1', 'DCGM_FI_DEV_GPU_UTIL', 'gpu_GPU_UTIL', '(?i) and case kept from the series'],
  ['^(?P<base>.*)_bytes$', '${base}_b', 'mem_bytes', 'mem_b', 'named group'],
];

test('NamersFromConfig + MetricNameForSeries (pkg/naming/metric_namer.go)', () => {
  for (const [matches, as, series, want, why] of NAMER_CASES) {
    const r = metricNameForSeries(compileNamer(rule({ matches, as })), series);
    assert.equal(r.ok ? r.name : null, want, `${matches} / ${as} on ${series}: ${why}`);
  }
  assert.throws(() => compileNamer(rule({ seriesQuery: 'q', matches: '^(a)(b)$' })), /must specify an 'as' value for name matcher "\^\(a\)\(b\)\$" associated with series query "q"/);
  assert.equal(compileNamer(rule({ matches: '^(a)(b)$', as: '$2' })).nameAs, '$2', 'an explicit as lifts the 2-group error');
  // seriesFilters run before the name: isNot drops
  const filtered = compileNamer(rule({ matches: '^container_(.*)_total$', seriesFilters: [{ is: '', isNot: '^container_.*_seconds_total$' }] }));
  assert.equal(metricNameForSeries(filtered, 'container_some_time_seconds_total').ok, false);
  assert.equal(metricNameForSeries(filtered, 'container_some_count_total').ok, true);
});

// cmd/config-gen/utils/default.go DefaultConfig(1m, "kube_"), in the config-file form.
const DEFAULT_CONFIG = `
rules:
- seriesQuery: '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}'
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^container_(.*)_seconds_total$"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[1m])) by (<<.GroupBy>>)'
- seriesQuery: '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}'
  seriesFilters: [{isNot: "^container_.*_seconds_total$"}]
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^container_(.*)_total$"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[1m])) by (<<.GroupBy>>)'
- seriesQuery: '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}'
  seriesFilters: [{isNot: "^container_.*_total$"}]
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: "^container_(.*)$"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>,container!="POD"}) by (<<.GroupBy>>)'
- seriesQuery: '{kube_namespace!="",__name__!~"^container_.*"}'
  seriesFilters: [{isNot: ".*_total$"}]
  resources: {template: "kube_<<.Resource>>"}
  metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
- seriesQuery: '{kube_namespace!="",__name__!~"^container_.*"}'
  seriesFilters: [{isNot: ".*_seconds_total"}]
  name: {matches: "^(.*)_total$"}
  resources: {template: "kube_<<.Resource>>"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
- seriesQuery: '{kube_namespace!="",__name__!~"^container_.*"}'
  name: {matches: "^(.*)_seconds_total$"}
  resources: {template: "kube_<<.Resource>>"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)'
`;

// series_registry_test.go seriesRegistryTestSeries: one slice per rule.
const L = (o: Record<string, string>): string[] => Object.keys(o);
const SERIES: Array<Array<{ name: string; labels: string[] }>> = [
  [{ name: 'container_some_time_seconds_total', labels: L({ pod: 'somepod', namespace: 'somens', container: 'somecont' }) }],
  [{ name: 'container_some_count_total', labels: L({ pod: 'somepod', namespace: 'somens', container: 'somecont' }) }],
  [{ name: 'container_some_usage', labels: L({ pod: 'somepod', namespace: 'somens', container: 'somecont' }) }],
  [
    { name: 'node_gigawatts', labels: L({ kube_node: 'somenode' }) },
    { name: 'service_proxy_packets', labels: L({ kube_service: 'somesvc', kube_namespace: 'somens' }) },
  ],
  [
    { name: 'ingress_hits_total', labels: L({ kube_ingress: 'someingress', kube_service: 'somesvc', kube_pod: 'backend1', kube_namespace: 'somens' }) },
    { name: 'ingress_hits_total', labels: L({ kube_ingress: 'someingress', kube_service: 'somesvc', kube_pod: 'backend2', kube_namespace: 'somens' }) },
    { name: 'volume_claims_total', labels: L({ kube_persistentvolume: 'somepv' }) },
  ],
  [
    { name: 'work_queue_wait_seconds_total', labels: L({ kube_deployment: 'somedep', kube_namespace: 'somens' }) },
    { name: 'node_fan_seconds_total', labels: L({ kube_node: 'somenode' }) },
  ],
];

// The Go test's "should list all metrics" expectation. Its RESTMapper registers Ingress and Deployment in
// extensions/v1beta1; the static mapper here uses their current groups (networking.k8s.io, apps).
const R = (resource: string, namespaced: boolean, metric: string, group = ''): Registration => ({ group, resource, namespaced, metric });
const EXPECTED: Registration[] = [
  R('pods', true, 'some_count'),
  R('namespaces', false, 'some_count'),
  R('pods', true, 'some_time'),
  R('namespaces', false, 'some_time'),
  R('pods', true, 'some_usage'),
  R('namespaces', false, 'some_usage'),
  R('services', true, 'ingress_hits'),
  R('ingresses', true, 'ingress_hits', 'networking.k8s.io'),
  R('pods', true, 'ingress_hits'),
  R('namespaces', false, 'ingress_hits'),
  R('services', true, 'service_proxy_packets'),
  R('namespaces', false, 'service_proxy_packets'),
  R('deployments', true, 'work_queue_wait', 'apps'),
  R('namespaces', false, 'work_queue_wait'),
  R('nodes', false, 'node_gigawatts'),
  R('persistentvolumes', false, 'volume_claims'),
  R('nodes', false, 'node_fan'),
];

const key = (r: Registration): string => `${r.metric} ${r.group}/${r.resource} ${r.namespaced}`;

test("series_registry_test.go: DefaultConfig rules register exactly the Go test's metrics", () => {
  const rs = compileAdapterConfig(DEFAULT_CONFIG, 'default-config');
  const got = rs.compiled.rules.flatMap((cr, i) => registrationsForSeries(cr, SERIES[i]!));
  assert.deepEqual(got.map(key).sort(), EXPECTED.map(key).sort());
});

test('series_registry_test.go: offline, the regex-selected DefaultConfig rules are unverifiable, not served or denied', () => {
  const rs = compileAdapterConfig(DEFAULT_CONFIG, 'default-config');
  const v = rs.lookup({ kind: 'Pods', name: 'some_usage', namespaced: true });
  assert.equal(v.status, 'unverifiable');
  assert.ok(v.status === 'unverifiable' && v.rules.some((r) => r.index === 2), 'rule 2 (^container_(.*)$) may derive it');
  // rules 3-5 (template kube_<<.Resource>>) need a kube_pod label their seriesQuery does not name
  const ingress = rs.lookup({ kind: 'Object', name: 'ingress_hits', namespaced: true, resource: { group: 'networking.k8s.io', resource: 'ingresses' } });
  assert.equal(ingress.status, 'unverifiable');
});

// [apiVersion, kind, group, resource, namespaced]
const KINDS: Array<[string, string, string, string, boolean]> = [
  ['v1', 'Pod', '', 'pods', true],
  ['v1', 'Service', '', 'services', true],
  ['v1', 'Node', '', 'nodes', false],
  ['v1', 'Namespace', '', 'namespaces', false],
  ['v1', 'PersistentVolume', '', 'persistentvolumes', false],
  ['v1', 'PersistentVolumeClaim', '', 'persistentvolumeclaims', true],
  ['v1', 'ConfigMap', '', 'configmaps', true],
  ['apps/v1', 'Deployment', 'apps', 'deployments', true],
  ['apps/v1', 'StatefulSet', 'apps', 'statefulsets', true],
  ['apps/v1', 'ReplicaSet', 'apps', 'replicasets', true],
  ['apps/v1', 'DaemonSet', 'apps', 'daemonsets', true],
  ['batch/v1', 'Job', 'batch', 'jobs', true],
  ['networking.k8s.io/v1', 'Ingress', 'networking.k8s.io', 'ingresses', true],
  ['serving.knative.dev/v1', 'Service', 'serving.knative.dev', 'services', true],
  ['example.com/v1', 'GpuQueue', 'example.com', 'gpuqueues', true],
  ['example.com/v1', 'Policy', 'example.com', 'policies', true],
];

test('resourceForKind: a static RESTMapper for HPA Object metrics', () => {
  for (const [apiVersion, kind, group, resource, namespaced] of KINDS) {
    assert.deepEqual(resourceForKind(apiVersion, kind), { group, resource, namespaced }, `${apiVersion} ${kind}`);
  }
});

test('normalization: singular, plural and kind all name the same resource (RESTMapper.ResourceFor)', () => {
  for (const r of ['pod', 'pods', 'Pod', 'PODS']) assert.deepEqual(normalizeResource('', r), { ok: true, gr: { group: '', resource: 'pods' }, guessed: false }, r);
  assert.deepEqual(normalizeResource('', 'deployment'), { ok: true, gr: { group: 'apps', resource: 'deployments' }, guessed: false }, 'empty group matches any group');
  assert.equal(normalizeResource('apps', 'pod').ok, false, 'apps has no pods');
  assert.equal(singularize('ingresses'), 'ingress');
  assert.equal(singularize('persistentvolumes'), 'persistentvolume');
});

test('resource converter: template and overrides (resource_converter.go, lbl_res.go)', () => {
  const t = new ResourceConverter('kube_<<.Resource>>', []);
  assert.deepEqual(t.labelForResource({ group: '', resource: 'pods' }), { label: 'kube_pod', via: 'template' }, '.Resource is singularized');
  assert.deepEqual(t.resourceForLabel('kube_service'), { group: '', resource: 'services' });
  assert.equal(t.resourceForLabel('service'), null);
  assert.equal(t.resourceForLabel('kube_gpu'), null, 'labels naming no resource are skipped');

  const g = new ResourceConverter('<<.Group>>_<<.Resource>>', []);
  assert.deepEqual(g.labelForResource({ group: 'networking.k8s.io', resource: 'ingresses' }), { label: 'networking_k8s_io_ingress', via: 'template' }, 'GroupNameSanitizer: . and - become _');
  assert.deepEqual(g.resourceForLabel('apps_deployment'), { group: 'apps', resource: 'deployments' });

  // the template text is not escaped before becoming a regex: "kube.<<.Resource>>" also matches kubeXpod
  assert.deepEqual(new ResourceConverter('kube.<<.Resource>>', []).resourceForLabel('kubeXpod'), { group: '', resource: 'pods' });

  const o = new ResourceConverter('', [
    ['exported_pod', { group: '', resource: 'pod' }],
    ['exported_namespace', { group: '', resource: 'Namespace' }],
  ]);
  assert.deepEqual(o.labelForResource({ group: '', resource: 'pods' }), { label: 'exported_pod', via: 'override' });
  assert.deepEqual(o.labelForResource({ group: '', resource: 'services' }), { label: null, error: 'no generic resource label form specified for this metric' });
  assert.deepEqual(o.resourcesForLabels(['exported_pod', 'exported_namespace', 'pod']), {
    resources: [
      { group: '', resource: 'pods' },
      { group: '', resource: 'namespaces' },
    ],
    namespaced: true,
  });
  assert.throws(() => new ResourceConverter('kube_<<.Group>>', []), /must include at least `\{\{\.Resource\}\}` in the label template/);
  assert.throws(() => new ResourceConverter('kube_<<.Kind>>', []), /can't evaluate field Kind/);
  assert.throws(() => new ResourceConverter('kube_<<.Resource', []), /unclosed action/);
});
