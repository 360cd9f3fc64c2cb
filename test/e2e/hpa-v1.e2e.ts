// Differential test (issue 15 item 5): `check` converts an autoscaling/v1 HPA as the API server does.
// Each v1 HPA below is created through kube-apiserver v1.36.3's autoscaling/v1 endpoint and read back
// through autoscaling/v2; src/core/hpa-v1.ts must produce the same spec (metrics, replicas, target) and
// the same annotations. Behavior is compared field by field where the conversion wrote one: the v2 read
// also applies v2 defaults to a behavior (SetDefaults_HorizontalPodAutoscalerBehavior), which the
// admission request of a v1 write does not carry.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, test } from 'node:test';
import { convertV1Hpa } from '../../src/core/hpa-v1.js';
import { startControlPlane, type ControlPlane } from './cluster.js';

const NAMESPACE = 'v1-conversion';
let cp: ControlPlane;

function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, cp.server),
      {
        method,
        rejectUnauthorized: false, // the apiserver's self-signed serving certificate, on loopback
        headers: { authorization: `Bearer ${cp.adminToken}`, 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const target = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cases: Array<{ title: string; annotations?: Record<string, string>; spec: Record<string, unknown> }> = [
  { title: 'targetCPUUtilizationPercentage only (kubectl autoscale, seed 003)', spec: { scaleTargetRef: target, minReplicas: 2, maxReplicas: 20, targetCPUUtilizationPercentage: 70 } },
  { title: 'no metric at all: the implicit cpu 80 %', spec: { scaleTargetRef: target, maxReplicas: 5 } },
  {
    title: 'metrics annotation: Pods, Object (zero and non-zero targetValue), External, Resource, ContainerResource, then the CPU target',
    annotations: {
      'autoscaling.alpha.kubernetes.io/metrics': JSON.stringify([
        { type: 'Pods', pods: { metricName: 'gpu_utilization', targetAverageValue: '30' } },
        { type: 'Object', object: { target: { apiVersion: 'v1', kind: 'Service', name: 'svc' }, metricName: 'requests_per_second', targetValue: '0', averageValue: '10' } },
        { type: 'Object', object: { target: { apiVersion: 'v1', kind: 'Service', name: 'svc' }, metricName: 'latency', targetValue: '250m' } },
        { type: 'Object', object: { target: { apiVersion: 'v1', kind: 'Service', name: 'svc' }, metricName: 'errors', targetValue: '5', averageValue: '2' } },
        { type: 'External', external: { metricName: 'queue_depth', metricSelector: { matchLabels: { queue: 'jobs' } }, targetAverageValue: '100' } },
        { type: 'External', external: { metricName: 'backlog', targetValue: '1k' } },
        { type: 'Resource', resource: { name: 'memory', targetAverageValue: '1Gi' } },
        { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'web', targetAverageUtilization: 60 } },
      ]),
      team: 'kept',
    },
    spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas: 10, targetCPUUtilizationPercentage: 50 },
  },
  {
    title: 'metrics annotation without a CPU target',
    annotations: { 'autoscaling.alpha.kubernetes.io/metrics': JSON.stringify([{ type: 'Pods', pods: { metricName: 'gpu_utilization', targetAverageValue: '30' } }]) },
    spec: { scaleTargetRef: target, maxReplicas: 4 },
  },
  {
    title: 'metrics annotation that is not JSON: ignored',
    annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '[{type: Pods' },
    spec: { scaleTargetRef: target, maxReplicas: 3, targetCPUUtilizationPercentage: 90 },
  },
  { title: 'an empty metrics list: the implicit cpu 80 %', annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '[]' }, spec: { scaleTargetRef: target, maxReplicas: 3 } },
  {
    title: 'behavior annotation and status annotations: behavior taken, the round-trip annotations dropped',
    annotations: {
      'autoscaling.alpha.kubernetes.io/behavior': JSON.stringify({ scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] } }),
      'autoscaling.alpha.kubernetes.io/conditions': '[]',
      'autoscaling.alpha.kubernetes.io/current-metrics': '[]',
    },
    spec: { scaleTargetRef: target, maxReplicas: 6, targetCPUUtilizationPercentage: 75 },
  },
  { title: 'a behavior annotation that is not JSON: ignored', annotations: { 'autoscaling.alpha.kubernetes.io/behavior': '{scaleDown' }, spec: { scaleTargetRef: target, maxReplicas: 6 } },
];

/** every field of `want` (recursively) equals the one in `got`; arrays compared whole */
function assertSubset(got: unknown, want: unknown, path: string): void {
  if (want !== null && typeof want === 'object' && !Array.isArray(want)) {
    assert.ok(got !== null && typeof got === 'object', `${path}: the API server has no object here`);
    for (const [k, v] of Object.entries(want)) assertSubset((got as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  assert.deepEqual(got, want, path);
}

before(async () => {
  cp = await startControlPlane({ controllerManager: false });
  const ns = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  assert.equal(ns.status, 201, JSON.stringify(ns.json));
});

after(async () => {
  await cp?.stop();
});

test('autoscaling/v1 → v2: src/core/hpa-v1.ts equals kube-apiserver v1.36.3 on every case', async () => {
  for (const [i, c] of cases.entries()) {
    const name = `v1-case-${i}`;
    const v1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: NAMESPACE, ...(c.annotations ? { annotations: c.annotations } : {}) }, spec: c.spec };
    const created = await call('POST', `/apis/autoscaling/v1/namespaces/${NAMESPACE}/horizontalpodautoscalers`, v1);
    assert.equal(created.status, 201, `${c.title}: ${JSON.stringify(created.json)}`);
    const stored = await call('GET', `/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers/${name}`);
    assert.equal(stored.status, 200);
    const server = stored.json as { metadata: { annotations?: Record<string, string> }; spec: Record<string, unknown> };
    const ours = convertV1Hpa(v1).hpa as unknown as { metadata: { annotations?: Record<string, string> }; spec: Record<string, unknown> };
    const { behavior: serverBehavior, ...serverSpec } = server.spec;
    const { behavior: ourBehavior, ...ourSpec } = ours.spec;
    assert.deepEqual(ourSpec, serverSpec, `${c.title}: spec`);
    assert.deepEqual(ours.metadata.annotations, server.metadata.annotations, `${c.title}: annotations`);
    assert.equal(ourBehavior === undefined, serverBehavior === undefined, `${c.title}: behavior present on one side only`);
    if (ourBehavior !== undefined) assertSubset(serverBehavior, ourBehavior, `${c.title}: spec.behavior`);
  }
});
