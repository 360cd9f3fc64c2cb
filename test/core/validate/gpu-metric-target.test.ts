// validate/gpu-metric-target.ts as pure logic (issue 19; the engine path is test/core/seed-mistakes.test.ts).
// dcgm-exporter writes a GPU's series with pod and namespace labels only for the pod the kubelet gave
// that GPU (dcgm-exporter pkg/dcgmexporter/kubernetes.go, PodMapper over the kubelet's PodResources
// API), so a Pods metric every serving rule of which selects DCGM_FI_* series has no series for the
// pods of a Deployment that requests no GPU. Each condition has its neighbour that must pass: a GPU
// in a limit, a request, an init container or under another resource the policy counts; a rule that
// is not DCGM's; one DCGM rule beside one that is not; a metric that is not a Pods metric.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricVerdict, RuleRef } from '../../../src/core/adapter/types.js';
import { MAX_CONTAINERS, MAX_METRICS } from '../../../src/core/bounds.js';
import { requestsGpu, verifyGpuMetricTargetHasGpu } from '../../../src/core/validate/gpu-metric-target.js';
import { defaultPolicy } from '../../helpers/fixtures.js';
import { rulesAnswering } from '../../helpers/rules-answering.js';

const policy = defaultPolicy();
const DCGM: RuleRef = { list: 'rules', index: 0, seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{namespace!="",pod!=""}' };
const DCGM_MEM: RuleRef = { list: 'rules', index: 1, seriesQuery: '{__name__="DCGM_FI_DEV_FB_USED",pod!=""}' };
const HTTP: RuleRef = { list: 'rules', index: 2, seriesQuery: 'http_requests_total{pod!=""}' };

const served = (...rules: RuleRef[]): MetricVerdict => ({ status: 'served', rules, notes: [] });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function web(edit: (spec: any) => void = () => {}): any {
  const spec = { containers: [{ name: 'app', image: 'x', resources: { requests: { cpu: '1' } } }] };
  edit(spec);
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ml' }, spec: { template: { spec } } };
}
const pods = (name: unknown) => ({ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue: '50' } } });

test('a DCGM-derived Pods metric on a Deployment with no GPU: denied at the metric, message and short form in full', () => {
  const rules = rulesAnswering(served(DCGM));
  const v = verifyGpuMetricTargetHasGpu([{ type: 'Resource', resource: { name: 'cpu' } }, pods('gpu_utilization')], rules, 'ml', web(), policy);
  assert.deepEqual(v, [
    {
      reason: 'gpu-metric-without-gpu',
      field: 'spec.metrics[1].pods.metric.name',
      short: 'metric "gpu_utilization" needs GPU pods: add limits["nvidia.com/gpu"] to web',
      message:
        'spec.metrics[1].pods.metric.name "gpu_utilization" comes from DCGM_FI_DEV_GPU_UTIL, which dcgm-exporter writes only for pods holding a GPU, but Deployment web requests none, so the HPA would show <unknown> forever; give its GPU container resources.limits["nvidia.com/gpu"] (or opt it in with the label gpu-hpa.io/enabled: "true")',
    },
  ]);
  // asked as the HPA controller asks: a Pods metric of pods in the HPA's namespace
  assert.deepEqual(rules.asked, [{ kind: 'Pods', name: 'gpu_utilization', resource: { group: '', resource: 'pods' }, namespaced: true, namespace: 'ml' }]);
});

test('every serving rule must be DCGM’s; the series named is the first rule’s; an unverifiable verdict’s rules count too', () => {
  assert.match(verifyGpuMetricTargetHasGpu([pods('m')], rulesAnswering(served(DCGM_MEM, DCGM)), 'ml', web(), policy)[0]!.message, /comes from DCGM_FI_DEV_FB_USED,/);
  assert.deepEqual(verifyGpuMetricTargetHasGpu([pods('m')], rulesAnswering(served(DCGM, HTTP)), 'ml', web(), policy), []);
  assert.deepEqual(verifyGpuMetricTargetHasGpu([pods('m')], rulesAnswering(served(HTTP)), 'ml', web(), policy), []);
  const unverifiable: MetricVerdict = { status: 'unverifiable', rules: [DCGM], reason: 'regex' };
  assert.equal(verifyGpuMetricTargetHasGpu([pods('m')], rulesAnswering(unverifiable), 'ml', web(), policy).length, 1);
  // not served, or served by no rule: another rule's finding (metric-not-served), not this one's
  const notServed: MetricVerdict = { status: 'not-served', considered: [DCGM], explanation: '', nearest: [] };
  assert.deepEqual(verifyGpuMetricTargetHasGpu([pods('m')], rulesAnswering(notServed), 'ml', web(), policy), []);
  assert.deepEqual(verifyGpuMetricTargetHasGpu([pods('m')], rulesAnswering(served()), 'ml', web(), policy), []);
  // DCGM_FI_ only as a whole word: a series that merely contains it is not DCGM's
  const lookalike: RuleRef = { list: 'rules', index: 3, seriesQuery: 'MY_DCGM_FI_DEV_GPU_UTIL{pod!=""}' };
  assert.deepEqual(verifyGpuMetricTargetHasGpu([pods('m')], rulesAnswering(served(lookalike)), 'ml', web(), policy), []);
});

test('a GPU anywhere in the pod passes: a limit, a request, an init container, another resource the policy counts', () => {
  const rules = rulesAnswering(served(DCGM));
  const holding = [
    web((s) => (s.containers[0].resources.limits = { 'nvidia.com/gpu': '1' })),
    web((s) => (s.containers[0].resources.requests['nvidia.com/gpu'] = '1')),
    web((s) => s.containers.push({ name: 'side', resources: { limits: { 'nvidia.com/mig-1g.10gb': 1 } } })),
    web((s) => (s.initContainers = [{ name: 'warm', resources: { limits: { 'nvidia.com/gpu': 1 } } }])),
  ];
  for (const d of holding) {
    assert.equal(requestsGpu(d, policy), true, JSON.stringify(d.spec));
    assert.deepEqual(verifyGpuMetricTargetHasGpu([pods('m')], rules, 'ml', d, policy), []);
  }
  const amd = defaultPolicy((p) => {
    p.gpuResource = 'amd.com/gpu';
    p.allowedGpuResources = ['amd.com/gpu'];
  });
  assert.equal(
    requestsGpu(
      web((s) => (s.containers[0].resources.limits = { 'amd.com/gpu': '1' })),
      amd,
    ),
    true,
  );
  // what is not a GPU: another vendor's resource the policy does not count, null lists, junk containers
  const none = [
    web((s) => (s.containers[0].resources.limits = { 'example.com/fpga': '1' })),
    web((s) => (s.containers[0].resources = { limits: null, requests: null })),
    web((s) => delete s.containers[0].resources),
    web((s) => s.containers.push(null, 'x')),
    web((s) => (s.containers = 'x')),
    web((s) => (s.initContainers = { a: 1 })),
    { metadata: { name: 'web' } },
  ];
  for (const d of none) assert.equal(requestsGpu(d, policy), false, JSON.stringify(d.spec));
});

test('only Pods metrics with a name are looked at; a list over its bound or not a list is left to hpa-metrics', () => {
  const rules = rulesAnswering(served(DCGM));
  const others = [
    null,
    { type: 'External', external: { metric: { name: 'gpu_utilization' } } },
    { type: 'Object', pods: { metric: { name: 'gpu_utilization' } } },
    pods(''),
    pods(7),
    { type: 'Pods' },
    { type: 'Pods', pods: {} },
  ];
  assert.deepEqual(verifyGpuMetricTargetHasGpu(others, rules, 'ml', web(), policy), []);
  assert.deepEqual(rules.asked, []);
  for (const notList of [undefined, null, {}, 'x']) assert.deepEqual(verifyGpuMetricTargetHasGpu(notList, rules, 'ml', web(), policy), []);
  const at = Array.from({ length: MAX_METRICS }, () => pods('m'));
  assert.equal(verifyGpuMetricTargetHasGpu(at, rules, 'ml', web(), policy).length, MAX_METRICS);
  assert.deepEqual(verifyGpuMetricTargetHasGpu([...at, pods('m')], rules, 'ml', web(), policy), []);
});

test('names are cut: an excerpt in the message, a brief one in the short form; a Deployment without a name', () => {
  const long = 'g'.repeat(300);
  const v = verifyGpuMetricTargetHasGpu([pods(long)], rulesAnswering(served(DCGM)), 'ml', { spec: {} }, policy);
  assert.equal(v.length, 1);
  assert.equal(v[0]!.short, `metric "${'g'.repeat(39)}…" needs GPU pods: add limits["nvidia.com/gpu"] to `);
  assert.ok(v[0]!.message.startsWith(`spec.metrics[0].pods.metric.name "${'g'.repeat(64)}…(236 more characters)" comes from`), v[0]!.message.slice(0, 300));
  assert.match(v[0]!.message, /but Deployment {2}requests none/);
});

test('bounds: the containers and init containers read are at most twice the container bound (the target comes from the cache)', () => {
  const plain = Array.from({ length: MAX_CONTAINERS }, (_, i) => ({ name: `c${i}`, image: 'x' }));
  const gpuAt = (containers: unknown[], initContainers: unknown[]) => requestsGpu({ spec: { template: { spec: { containers, initContainers } } } } as never, policy);
  assert.equal(gpuAt(plain, [...plain.slice(1), { name: 'last', resources: { limits: { 'nvidia.com/gpu': 1 } } }]), true, 'the 512th is read');
  assert.equal(gpuAt(plain, [...plain, { name: 'late', resources: { limits: { 'nvidia.com/gpu': 1 } } }]), false, 'the 513th is not');
});
