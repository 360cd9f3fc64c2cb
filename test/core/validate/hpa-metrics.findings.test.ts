// SPEC Validation 1, the part that turns an HPA metric into an adapter lookup and a verdict into a
// denial or a warning (issue 19): each metric source, each verdict, the Namespace-metric warning
// present and absent. The adapter rules' own semantics are tested against seeds in test/core/adapter/;
// here a fixed verdict stands in for them (pure logic), so each branch is reached on purpose.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricVerdict } from '../../../src/core/adapter/types.js';
import { metricRequest, verdictToFindings, verifyMetricsServed } from '../../../src/core/validate/hpa-metrics.js';
import { rulesAnswering } from '../../helpers/rules-answering.js';

const RULE = { list: 'rules' as const, index: 2, seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{pod!=""}' };

const served = (notes: string[] = []): MetricVerdict => ({ status: 'served', rules: [RULE], notes });
const notServed = (extra: Partial<Extract<MetricVerdict, { status: 'not-served' }>> = {}): MetricVerdict => ({
  status: 'not-served',
  considered: [RULE],
  explanation: '',
  nearest: [],
  ...extra,
});

const pods = (name: unknown) => ({ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue: '30' } } });
const object = (name: string, describedObject: object | undefined) => ({ type: 'Object', object: { metric: { name }, describedObject, target: { type: 'Value', value: '1' } } });
const external = (name: string) => ({ type: 'External', external: { metric: { name }, target: { type: 'AverageValue', averageValue: '1' } } });

test('metricRequest: Pods, Object and External sources become the adapter lookups the HPA controller makes', () => {
  assert.deepEqual(metricRequest(pods('gpu') as never), {
    request: { kind: 'Pods', name: 'gpu', resource: { group: '', resource: 'pods' }, namespaced: true },
    field: 'pods.metric.name',
  });
  assert.deepEqual(metricRequest(external('queue') as never), { request: { kind: 'External', name: 'queue', namespaced: true }, field: 'external.metric.name' });
  const dep = metricRequest(object('rps', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }));
  assert.deepEqual(dep, { request: { kind: 'Object', name: 'rps', resource: { group: 'apps', resource: 'deployments', namespaced: true }, namespaced: true }, field: 'object.metric.name' });
  // a Namespace's metric is asked root-scoped; a Node's (cluster-scoped, but asked namespaced) is not
  const ns = metricRequest(object('load', { apiVersion: 'v1', kind: 'Namespace', name: 'ml' }));
  assert.equal(ns?.request.namespaced, false);
  assert.equal(ns?.request.resource?.resource, 'namespaces');
  assert.equal(metricRequest(object('load', { apiVersion: 'v1', kind: 'Node', name: 'n1' }) as never)?.request.namespaced, true);
  // no apiVersion: read as v1 (a Service in the core group)
  const svc = metricRequest(object('rps', { kind: 'Service', name: 'web' }));
  assert.deepEqual(svc?.request.resource && { group: svc.request.resource.group, resource: svc.request.resource.resource }, { group: '', resource: 'services' });
  // an apps/v1 Namespace is not the core Namespace: asked namespaced
  assert.equal(metricRequest(object('load', { apiVersion: 'example.com/v1', kind: 'Namespace', name: 'ml' }) as never)?.request.namespaced, true);
});

test('metricRequest: Resource metrics, missing names and a missing describedObject kind need no adapter lookup', () => {
  assert.equal(metricRequest({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }), undefined);
  assert.equal(metricRequest(pods(7) as never), undefined);
  assert.equal(metricRequest({ type: 'Pods' }), undefined);
  assert.equal(metricRequest({ type: 'Object', object: { metric: { name: 'x' } } }), undefined);
  assert.equal(metricRequest(object('x', { name: 'web' }) as never), undefined);
  assert.equal(metricRequest({ type: 'External', external: { metric: {} } }), undefined);
  // the type decides which member is read
  assert.equal(metricRequest({ type: 'External', pods: { metric: { name: 'gpu' } } }), undefined);
  assert.equal(metricRequest({ type: 'Object', external: { metric: { name: 'gpu' } } }), undefined);
});

test('verdicts: served is silent unless it carries notes, which become warnings', () => {
  const req = metricRequest(pods('gpu') as never)!.request;
  assert.deepEqual(verdictToFindings('spec.metrics[0].pods.metric.name', req, served(), rulesAnswering(served())), { violations: [], warnings: [] });
  const noted = verdictToFindings('f', req, served(['live discovery is stale']), rulesAnswering(served()));
  assert.deepEqual(noted, { violations: [], warnings: ['live discovery is stale'] });
});

test('verdicts: unverifiable is a warning naming the field, the metric and why, with any notes after it', () => {
  const req = metricRequest(pods('gpu') as never)!.request;
  const v: MetricVerdict = { status: 'unverifiable', rules: [RULE], reason: 'rules[2] selects __name__ by regex', notes: ['n1'] };
  const f = verdictToFindings('spec.metrics[0].pods.metric.name', req, v, rulesAnswering(v));
  assert.deepEqual(f.violations, []);
  assert.equal(f.warnings.length, 2);
  assert.ok(f.warnings[0]!.startsWith('spec.metrics[0].pods.metric.name: '), f.warnings[0]);
  assert.ok(f.warnings[0]!.includes('Pods metric "gpu"'), f.warnings[0]);
  assert.ok(f.warnings[0]!.includes('rules[2] selects __name__ by regex'), f.warnings[0]);
  assert.equal(f.warnings[1], 'n1');
  const bare = verdictToFindings('f', req, { status: 'unverifiable', rules: [], reason: 'r' }, rulesAnswering(v));
  assert.equal(bare.warnings.length, 1);
});

test('verdicts: not served is a denial naming the field, the metric, the list, the source, what was considered and the nearest names', () => {
  const req = metricRequest(pods('gpu_utilisation') as never)!.request;
  const v = notServed({ explanation: "rules[2] (seriesQuery 'X') derives gpu_utilization", nearest: ['gpu_utilization', 'gpu_util'], notes: ['stale'] });
  const f = verdictToFindings('spec.metrics[1].pods.metric.name', req, v, rulesAnswering(v));
  assert.equal(f.violations.length, 1);
  const d = f.violations[0]!;
  assert.equal(d.reason, 'metric-not-served');
  assert.equal(d.field, 'spec.metrics[1].pods.metric.name');
  assert.ok(d.message.startsWith('spec.metrics[1].pods.metric.name: '), d.message);
  assert.ok(d.message.includes('rules entry in adapter-config.yaml'), d.message);
  assert.ok(d.message.includes('Pods metric "gpu_utilisation"'), d.message);
  assert.ok(d.message.includes("Considered: rules[2] (seriesQuery 'X') derives gpu_utilization."), d.message);
  assert.ok(d.message.includes('Did you mean gpu_utilization or gpu_util?'), d.message);
  assert.deepEqual(f.warnings, ['stale']);
  // nothing considered, nothing near: neither sentence
  const bare = verdictToFindings('f', req, notServed(), rulesAnswering(notServed()));
  assert.doesNotMatch(bare.violations[0]!.message, /Considered|Did you mean/);
  assert.deepEqual(bare.warnings, []);
  // External metrics are served by externalRules; an Object metric names the described resource
  const ext = verdictToFindings('f', metricRequest(external('queue'))!.request, notServed(), rulesAnswering(notServed()));
  assert.ok(ext.violations[0]!.message.includes('externalRules entry'), ext.violations[0]!.message);
  assert.ok(ext.violations[0]!.message.includes('External metric "queue"'));
  assert.doesNotMatch(ext.violations[0]!.message, / on /);
  const obj = verdictToFindings('f', metricRequest(object('rps', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }))!.request, notServed(), rulesAnswering(notServed()));
  assert.ok(obj.violations[0]!.message.includes('Object metric "rps" on deployments'), obj.violations[0]!.message);
  assert.ok(obj.violations[0]!.message.includes(' rules entry'));
});

test('verdicts: live discovery writes its own reason and sentence', () => {
  const req = metricRequest(pods('gpu') as never)!.request;
  const v = notServed({ live: { reason: 'metric-no-series', message: 'Prometheus has no series for DCGM_X' }, notes: ['n'] });
  const f = verdictToFindings('spec.metrics[0].pods.metric.name', req, v, rulesAnswering(v));
  assert.deepEqual(f.violations, [
    { reason: 'metric-no-series', field: 'spec.metrics[0].pods.metric.name', message: `spec.metrics[0].pods.metric.name: Pods metric "gpu": Prometheus has no series for DCGM_X` },
  ]);
  assert.deepEqual(f.warnings, ['n']);
});

test('verifyMetricsServed: each custom metric is looked up with its index in the field; others are skipped', () => {
  const rules = rulesAnswering(notServed());
  const metrics = [null, { type: 'Resource', resource: { name: 'cpu' } }, pods('a'), 'junk', external('b')];
  const out = verifyMetricsServed(metrics, rules, 'ml');
  assert.deepEqual(
    rules.asked.map((r) => r.name),
    ['a', 'b'],
  );
  assert.deepEqual(
    out.violations.map((v) => v.field),
    ['spec.metrics[2].pods.metric.name', 'spec.metrics[4].external.metric.name'],
  );
  for (const notList of [undefined, null, {}, 'x']) assert.deepEqual(verifyMetricsServed(notList, rules), { violations: [], warnings: [] });
  // warnings of every metric are kept, in order
  const two = verifyMetricsServed([pods('a'), pods('b')], rulesAnswering(served(['note'])));
  assert.deepEqual(two, { violations: [], warnings: ['note', 'note'] });
});

test('Namespace metric: naming another namespace is a warning (the HPA reads its own); its own, none, or another kind is silent', () => {
  const rules = rulesAnswering(served());
  const other = verifyMetricsServed([pods('a'), object('load', { apiVersion: 'v1', kind: 'Namespace', name: 'prod' })], rules, 'ml');
  assert.equal(other.warnings.length, 1);
  const w = other.warnings[0]!;
  assert.ok(w.includes('namespace ml'), w);
  assert.ok(w.includes('spec.metrics[1].object.describedObject.name'), w);
  assert.ok(w.includes('"prod"'), w);
  assert.ok(w.length <= 120, 'the point fits before the clip');
  assert.deepEqual(other.violations, []);
  assert.deepEqual(rules.asked.at(-1)?.namespaced, false);

  const silent = [
    verifyMetricsServed([object('load', { apiVersion: 'v1', kind: 'Namespace', name: 'ml' })], rules, 'ml'),
    verifyMetricsServed([object('load', { apiVersion: 'v1', kind: 'Namespace' })], rules, 'ml'),
    verifyMetricsServed([object('load', { apiVersion: 'v1', kind: 'Namespace', name: 'prod' })], rules, undefined),
    verifyMetricsServed([object('rps', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'prod' })], rules, 'ml'),
  ];
  for (const s of silent) assert.deepEqual(s.warnings, []);
});
