// SPEC Validation 5 (Resource metrics need requests) and the opted-in Deployment checks (the managed
// metric, the GPU limit and tolerations as stored), each with its negative case: the neighbour that
// must not be denied (issue 19). Assertions name reason, field and the key parts of the message.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AdapterRuleSet, MetricRequest, MetricVerdict } from '../../../src/core/adapter/types.js';
import { readSettings } from '../../../src/core/annotations.js';
import { verifyGpuInjected, verifyManagedMetric } from '../../../src/core/validate/deployment.js';
import { needsRequests, verifyResourceRequests } from '../../../src/core/validate/hpa-resource-metrics.js';
import { defaultPolicy, plainDeployment } from '../../helpers/fixtures.js';

const cpu = (type = 'Utilization') => ({ type: 'Resource', resource: { name: 'cpu', target: { type, averageUtilization: 50, averageValue: '1' } } });
const containerCpu = (container: string, type = 'Utilization') => ({ type: 'ContainerResource', containerResource: { name: 'cpu', container, target: { type, averageUtilization: 50 } } });

test('needsRequests: only Resource and ContainerResource Utilization targets read requests', () => {
  assert.equal(needsRequests([cpu()]), true);
  assert.equal(needsRequests([containerCpu('server')]), true);
  assert.equal(needsRequests([null, { type: 'Pods' }, cpu()]), true);
  assert.equal(needsRequests([cpu('AverageValue')]), false);
  assert.equal(needsRequests([containerCpu('server', 'AverageValue')]), false);
  assert.equal(needsRequests([{ type: 'Resource', containerResource: { target: { type: 'Utilization' } } }]), false);
  assert.equal(needsRequests([{ type: 'ContainerResource', resource: { target: { type: 'Utilization' } } }]), false);
  assert.equal(needsRequests([]), false);
  assert.equal(needsRequests(undefined), false);
  assert.equal(needsRequests({ 0: cpu() }), false);
});

test('Resource Utilization: every container needs a request (a limit counts); one missing is named, several are listed', () => {
  const ok = plainDeployment(); // both containers request cpu
  assert.deepEqual(verifyResourceRequests([cpu()], ok), []);
  const limitOnly = plainDeployment({}, (d) => {
    delete d.spec.template.spec.containers[1].resources.requests.cpu;
    d.spec.template.spec.containers[1].resources.limits = { cpu: '1' };
  });
  assert.deepEqual(verifyResourceRequests([cpu()], limitOnly), [], 'the API server defaults requests to limits');

  const one = plainDeployment({}, (d) => delete d.spec.template.spec.containers[1].resources.requests.cpu);
  const v = verifyResourceRequests([{ type: 'Pods' }, cpu()], one);
  assert.equal(v.length, 1);
  assert.equal(v[0]!.reason, 'resource-metric-without-requests');
  assert.equal(v[0]!.field, 'spec.metrics[1].resource');
  assert.ok(v[0]!.message.startsWith(`spec.metrics[1] scales on cpu utilization`), v[0]!.message);
  assert.match(v[0]!.message, /Deployment llm has no cpu request in container "sidecar";/);
  assert.match(v[0]!.message, /resources\.requests\.cpu/);

  const both = plainDeployment({}, (d) => {
    for (const c of d.spec.template.spec.containers) delete c.resources;
    d.spec.template.spec.containers.push({ image: 'x' });
  });
  const w = verifyResourceRequests([cpu()], both);
  assert.match(w[0]!.message, /in containers "server", "sidecar", "\?"/);
  // AverageValue targets and non-string names do not read requests
  assert.deepEqual(verifyResourceRequests([cpu('AverageValue')], both), []);
  assert.deepEqual(verifyResourceRequests([{ type: 'Resource', resource: { name: 5, target: { type: 'Utilization' } } }], both), []);
  assert.deepEqual(verifyResourceRequests('cpu', both), []);
  // null containers are not containers
  const withNull = plainDeployment({}, (d) => d.spec.template.spec.containers.push(null));
  assert.deepEqual(verifyResourceRequests([cpu()], withNull), []);
  // a Deployment without a name or containers still gets a sentence
  const bare = { spec: { template: { spec: { containers: [{ name: 'a' }] } } } };
  assert.match(verifyResourceRequests([cpu()], bare)[0]!.message, /Deployment {2}has no cpu request in container "a"/);
  assert.deepEqual(verifyResourceRequests([cpu()], {}), []);
});

test('ContainerResource Utilization: the named container needs the request; another container without it is not judged', () => {
  const sidecarBare = plainDeployment({}, (d) => delete d.spec.template.spec.containers[1].resources.requests.cpu);
  assert.deepEqual(verifyResourceRequests([containerCpu('server')], sidecarBare), []);
  const v = verifyResourceRequests([containerCpu('sidecar')], sidecarBare);
  assert.equal(v.length, 1);
  assert.equal(v[0]!.field, 'spec.metrics[0].containerResource');
  assert.match(v[0]!.message, /container "sidecar", which has no cpu request in Deployment llm/);
  assert.deepEqual(verifyResourceRequests([containerCpu('sidecar', 'AverageValue')], sidecarBare), []);

  const missing = verifyResourceRequests([containerCpu('sever')], plainDeployment());
  assert.equal(missing.length, 1);
  assert.equal(missing[0]!.reason, 'resource-metric-without-requests');
  assert.equal(missing[0]!.field, 'spec.metrics[0].containerResource.container');
  assert.match(missing[0]!.message, /"sever" is not a container of Deployment llm \(server, sidecar\)/);
  assert.deepEqual(verifyResourceRequests([{ type: 'ContainerResource', containerResource: { name: 1, container: 'x', target: { type: 'Utilization' } } }], plainDeployment()), []);
});

// --- the opted-in Deployment as stored ---------------------------------------------------------

const policy = defaultPolicy();
function settingsOf(ann: Record<string, string> = {}) {
  const r = readSettings(plainDeployment(ann), policy);
  assert.ok(r.settings);
  return r.settings;
}
const GPU_TOL = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
function stored(limit: unknown, tolerations: unknown = [GPU_TOL], extra: (d: never) => void = () => {}) {
  return plainDeployment({}, (d) => {
    if (limit !== undefined) d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': limit };
    if (tolerations !== undefined) d.spec.template.spec.tolerations = tolerations;
    extra(d as never);
  });
}

test('GPU limit as stored: equal in any spelling passes; absent, different or unparsable is named with what was found', () => {
  const s = settingsOf();
  for (const same of ['1', 1, '1000m']) assert.deepEqual(verifyGpuInjected(stored(same), s, policy), [], String(same));
  const none = verifyGpuInjected(stored(undefined), s, policy);
  assert.deepEqual(
    none.map((v) => [v.reason, v.field]),
    [['gpu-limit-missing', 'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]']],
  );
  assert.match(none[0]!.message, /container "server" must have resources\.limits\["nvidia\.com\/gpu"\]: "1" \(found none\)/);
  assert.match(verifyGpuInjected(stored('2'), s, policy)[0]!.message, /\(found "2"\)/);
  assert.match(verifyGpuInjected(stored('lots'), s, policy)[0]!.message, /\(found "lots"\)/);
  // only the chosen containers are judged; a null container is skipped
  assert.deepEqual(
    verifyGpuInjected(
      stored('1', [GPU_TOL], (d: never) => (d as { spec: { template: { spec: { containers: unknown[] } } } }).spec.template.spec.containers.push(null)),
      s,
      policy,
    ),
    [],
  );
  const two = settingsOf({ 'gpu-hpa.io/containers': 'server,sidecar' });
  const v = verifyGpuInjected(stored('1'), two, policy);
  assert.deepEqual(
    v.map((x) => x.field),
    ['spec.template.spec.containers[1].resources.limits["nvidia.com/gpu"]'],
  );
});

test('tolerations as stored: a covering toleration passes; missing, or not a list, is named', () => {
  const s = settingsOf();
  assert.deepEqual(verifyGpuInjected(stored('1', [{ operator: 'Exists' }]), s, policy), []);
  for (const tolerations of [[], [{ key: 'other', operator: 'Exists' }], 'nvidia.com/gpu']) {
    const v = verifyGpuInjected(stored('1', tolerations), s, policy);
    assert.deepEqual(
      v.map((x) => [x.reason, x.field]),
      [['gpu-toleration-missing', 'spec.template.spec.tolerations']],
      JSON.stringify(tolerations),
    );
    assert.match(v[0]!.message, /lacks nvidia\.com\/gpu:NoSchedule/);
  }
  // no pod spec: every toleration is missing, no container to judge
  const noPod = verifyGpuInjected(
    plainDeployment({}, (d) => delete d.spec.template.spec),
    s,
    policy,
  );
  assert.deepEqual(
    noPod.map((x) => x.reason),
    ['gpu-toleration-missing'],
  );
});

test('managed metric: looked up as a Pods metric for managed Deployments only, reported on the annotation', () => {
  const asked: MetricRequest[] = [];
  const verdict: MetricVerdict = { status: 'not-served', considered: [], explanation: '', nearest: [] };
  const rules: AdapterRuleSet = { source: 'rules.yaml', lookup: (r) => (asked.push(r), verdict), servedNames: () => [] };
  const v = verifyManagedMetric(settingsOf({ 'gpu-hpa.io/metric': 'gpu_mem' }), rules);
  assert.deepEqual(asked, [{ kind: 'Pods', name: 'gpu_mem', resource: { group: '', resource: 'pods' }, namespaced: true }]);
  assert.deepEqual(
    v.violations.map((x) => [x.reason, x.field]),
    [['metric-not-served', 'metadata.annotations["gpu-hpa.io/metric"]']],
  );
  assert.deepEqual(verifyManagedMetric(settingsOf({ 'gpu-hpa.io/hpa': 'external' }), rules), { violations: [], warnings: [] });
  assert.equal(asked.length, 1, 'an external-mode Deployment is not looked up');
});
