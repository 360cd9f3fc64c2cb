// Which HPAs the engine judges (src/core/admission/hpa-scope.ts) and how it treats metrics another server
// serves (metric-apis.ts): KEDA's HPAs are left to KEDA, the policy's scope.hpas, and the warning naming who
// serves a metric. Through the engine, as serve and check call it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import type { ApiServiceRegistration } from '../../../src/core/admission/metric-apis.js';
import type { AdmissionRequest } from '../../../src/core/admission/request.js';
import { staticClusterView, type NamespaceObject } from '../../../src/core/cluster.js';
import { createEngine } from '../../../src/core/engine.js';
import { parsePolicy, PolicyError, type Policy } from '../../../src/core/policy/schema.js';
import { defaultPolicy, fixture } from '../../helpers/fixtures.js';
import { reviewOf, SHIPPED_RULES } from '../../helpers/webhook.js';

const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped');
const request = (object: unknown) => reviewOf(object).request as unknown as AdmissionRequest;
const ns = 'default';

// the seed-000 Deployment (opted in) and one that is not
const optedIn = fixture('seed-000/deployment.yaml');
const plain = { ...structuredClone(optedIn), metadata: { name: 'web', namespace: ns, labels: { app: 'web' } } };

/** An HPA on an External metric, the way KEDA writes one for a prometheus trigger (keda controllers/keda/hpa.go). */
function kedaHpa(target: string, owned = true) {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: `keda-hpa-${target}`,
      namespace: ns,
      labels: { 'app.kubernetes.io/managed-by': 'keda-operator' },
      ...(owned
        ? { ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: target, uid: '0b7f0c4e-1111-2222-3333-444455556666', controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [
        { type: 'External', external: { metric: { name: 's0-prometheus', selector: { matchLabels: { 'scaledobject.keda.sh/name': target } } }, target: { type: 'AverageValue', averageValue: '10' } } },
      ],
    },
  };
}

const kedaApi: ApiServiceRegistration = {
  name: 'v1beta1.external.metrics.k8s.io',
  group: 'external.metrics.k8s.io',
  version: 'v1beta1',
  service: { namespace: 'keda', name: 'keda-operator-metrics-apiserver' },
  versionPriority: 100,
};
const adapterApi: ApiServiceRegistration = { ...kedaApi, name: 'v1beta1.custom.metrics.k8s.io', group: 'custom.metrics.k8s.io', service: { namespace: 'monitoring', name: 'prometheus-adapter' } };

function engine(policy: Policy, o: { apiServices?: ApiServiceRegistration[]; namespaces?: NamespaceObject[]; complete?: boolean } = {}) {
  const cluster = staticClusterView({ deployments: [optedIn, plain], hpas: [], namespaces: o.namespaces, apiServices: o.apiServices }, o.complete ?? false);
  return createEngine({ policy, rules, cluster });
}
const all = defaultPolicy((p) => (p.scope = { hpas: 'all' }));

test("an HPA owned by a KEDA ScaledObject is KEDA's: allowed by both webhooks, no patch, whatever the scope", () => {
  for (const policy of [defaultPolicy(), all]) {
    const e = engine(policy);
    const hpa = kedaHpa(optedIn.metadata.name); // its target is opted in: mutate would otherwise fill its behavior
    for (const d of [e.mutate(request(hpa)), e.validate(request(hpa))]) {
      assert.deepEqual(d, {
        allowed: true,
        violations: [],
        warnings: [],
        skipped: { reason: 'keda-owned', message: `owned by ScaledObject default/${optedIn.metadata.name}: KEDA writes this HPA, it is not judged here` },
      });
    }
  }
  // without the ownerReference the same HPA is judged, and the DCGM rules serve no s0-prometheus
  const bare = engine(all).validate(request(kedaHpa(optedIn.metadata.name, false)));
  assert.equal(bare.allowed, false);
  assert.ok(
    bare.violations.some((v) => v.reason === 'metric-not-served'),
    JSON.stringify(bare.violations),
  );
});

test("another team's External metric served by KEDA's metrics server: allowed, with a warning naming who serves it", () => {
  const hpa = kedaHpa('web', false);
  const known = engine(all, { apiServices: [kedaApi, adapterApi], complete: true }).validate(request(hpa));
  assert.equal(known.allowed, true, JSON.stringify(known));
  assert.equal(known.warnings.length, 1);
  assert.match(known.warnings[0]!, /^External metric "s0-prometheus": not checked, served by Service keda\/keda-operator-metrics-apiserver/);
  // nothing registered for external metrics at all: not judged either, and said so
  const none = engine(all, { apiServices: [adapterApi], complete: true }).validate(request(hpa));
  assert.equal(none.allowed, true);
  assert.match(none.warnings[0]!, /no APIService serves external\.metrics\.k8s\.io/);
  // the adapter serves external metrics too: judged against its externalRules
  assert.equal(engine(all, { apiServices: [{ ...kedaApi, service: adapterApi.service }, adapterApi], complete: true }).validate(request(hpa)).allowed, false);
});

test('scope.hpas opted-in (the default): only HPAs whose target is an opted-in Deployment are judged', () => {
  const bad = (target: string) => ({ ...kedaHpa(target, false), metadata: { name: `h-${target}`, namespace: ns } });
  const e = engine(defaultPolicy());
  assert.equal(e.validate(request(bad(optedIn.metadata.name))).allowed, false, 'its target is opted in: judged');
  assert.deepEqual(e.validate(request(bad('web'))).skipped?.reason, 'target-not-opted-in');
  assert.deepEqual(e.mutate(request(bad('web'))).skipped?.reason, 'target-not-opted-in');
  const statefulSet = bad('db');
  statefulSet.spec.scaleTargetRef.kind = 'StatefulSet';
  assert.equal(e.validate(request(statefulSet)).skipped?.reason, 'target-not-deployment');
  // a target the view does not hold: a cluster knows it does not exist; offline (check, no cluster) it is judged
  assert.equal(engine(defaultPolicy(), { complete: true }).validate(request(bad('ghost'))).skipped?.reason, 'target-missing');
  assert.equal(e.validate(request(bad('ghost'))).allowed, false);
});

test('scope.hpas namespaces: judged where the namespace labels match the selector', () => {
  const policy = defaultPolicy((p) => (p.scope = { hpas: 'namespaces', namespaceSelector: { matchLabels: { 'gpu-hpa.io/judged': 'true' } } }));
  const hpa = { ...kedaHpa('web', false), metadata: { name: 'h', namespace: ns } };
  const labelled = (labels: Record<string, string>) => engine(policy, { namespaces: [{ metadata: { name: ns, labels } }] });
  assert.equal(labelled({ 'gpu-hpa.io/judged': 'true' }).validate(request(hpa)).allowed, false);
  const out = labelled({ team: 'a' }).validate(request(hpa));
  assert.deepEqual(out.skipped, { reason: 'namespace-not-selected', message: 'namespace default does not match policy scope.namespaceSelector (gpu-hpa.io/judged=true)' });
  assert.equal(engine(policy).validate(request(hpa)).allowed, false, 'the labels unknown (offline): judged');
});

test("an opted-in Deployment's review does not judge KEDA's HPAs on it", () => {
  const keda = kedaHpa(optedIn.metadata.name);
  keda.spec.maxReplicas = 1000; // beyond every profile's maxReplicasCap: a warning if it were judged with the Deployment
  const cluster = staticClusterView({ deployments: [], hpas: [keda] });
  const e = createEngine({ policy: defaultPolicy(), rules, cluster });
  const dep = structuredClone(optedIn);
  const m = e.mutate(request(dep));
  assert.equal(m.allowed, true);
  const hpaMessages = e.validate(request(dep)).warnings.filter((w) => w.includes('keda-hpa'));
  assert.deepEqual(hpaMessages, []);
});

test('policy: scope defaults to opted-in, prometheusAdapter to the chart in monitoring; the selector goes with hpas: namespaces', () => {
  const base = {
    apiVersion: 'gpu-hpa.io/v1alpha1',
    kind: 'GpuHpaPolicy',
    gpuResource: 'nvidia.com/gpu',
    allowedGpuResources: ['nvidia.com/gpu'],
    tolerations: [],
    defaultMetric: 'gpu_utilization',
    defaultProfile: 'p',
  };
  const profile = {
    target: '60',
    maxReplicas: 2,
    maxReplicasCap: 4,
    minScaleDownStabilizationSeconds: 0,
    behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }, scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
  };
  const p = parsePolicy({ ...base, profiles: { p: profile } }, 'test');
  assert.deepEqual(p.scope, { hpas: 'opted-in' });
  assert.deepEqual(p.prometheusAdapter, { service: { namespace: 'monitoring', name: 'prometheus-adapter' } });
  const problems = (scope: unknown) => {
    try {
      parsePolicy({ ...base, profiles: { p: profile }, scope }, 'test');
      return [];
    } catch (e) {
      assert.ok(e instanceof PolicyError);
      return e.problems;
    }
  };
  assert.match(problems({ hpas: 'namespaces' })[0]!, /^scope\.namespaceSelector: is required when hpas is "namespaces"/);
  assert.match(problems({ hpas: 'all', namespaceSelector: {} })[0]!, /^scope\.namespaceSelector: is read only when hpas is "namespaces"/);
  assert.match(problems({ hpas: 'some' })[0]!, /^scope\.hpas: /);
  assert.deepEqual(problems({ hpas: 'namespaces', namespaceSelector: { matchLabels: { a: 'b' } } }), []);
});
