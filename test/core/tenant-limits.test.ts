// Issue 17: limits a tenant cannot widen, and no detail of another namespace in any answer.
// The engine as the webhook and `check` run it; the object goes through mutation and then validation
// of the mutated object (check's admit), as the API server sends it to the two webhooks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admit } from '../../src/cli/check.js';
import type { AdmissionRequest } from '../../src/core/admission/request.js';
import { toAdmissionReviewResponse } from '../../src/core/admission/review.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { staticClusterView, type ClusterView, type NamespaceObject } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import type { Deployment, HorizontalPodAutoscaler } from '../../src/core/k8s-types.js';
import { parsePolicy, PolicyError, type Policy } from '../../src/core/policy/schema.js';
import { defaultPolicy, fixture, plainDeployment } from '../helpers/fixtures.js';
import { reviewOf, SHIPPED_RULES } from '../helpers/webhook.js';

const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped rules');

function engineWith(policy: Policy, cluster: ClusterView = staticClusterView({ deployments: [], hpas: [] })) {
  return createEngine({ policy, rules, cluster });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function requestOf(obj: any, namespace?: string): AdmissionRequest {
  const r = reviewOf(obj).request as unknown as AdmissionRequest;
  if (namespace === undefined) delete r.namespace;
  else r.namespace = namespace;
  return r;
}

// ---------------------------------------------------------------------------------------------
// gpu-hpa.io/gpus within the policy's maximum; every container's GPUs counted

test('gpu-hpa.io/gpus over maxGpusPerPod is denied, naming the maximum', () => {
  const d = admit(engineWith(defaultPolicy()), requestOf(plainDeployment({ 'gpu-hpa.io/gpus': '999999999' }))).decision;
  assert.equal(d.allowed, false);
  assert.deepEqual(
    d.violations.map((v) => [v.reason, v.field]),
    [['invalid-annotation', 'metadata.annotations["gpu-hpa.io/gpus"]']],
  );
  assert.match(d.violations[0]!.message, /"999999999" is not valid: must be at most 8, the policy's maxGpusPerPod/);
});

test('gpus times the chosen containers over the maximum is denied; at the maximum it is allowed', () => {
  const e = engineWith(defaultPolicy());
  const over = admit(e, requestOf(plainDeployment({ 'gpu-hpa.io/gpus': '5', 'gpu-hpa.io/containers': 'server,sidecar' }))).decision;
  assert.equal(over.allowed, false);
  assert.match(over.violations[0]!.message, /2 containers get 5 each, 10 per pod, over the policy's maxGpusPerPod 8/);
  const at = admit(e, requestOf(plainDeployment({ 'gpu-hpa.io/gpus': '4', 'gpu-hpa.io/containers': 'server,sidecar' }))).decision;
  assert.equal(at.allowed, true, JSON.stringify(at.violations));
});

test('maxGpusPerPod comes from the policy (default 8)', () => {
  assert.equal(defaultPolicy().maxGpusPerPod, 8);
  const two = defaultPolicy((p) => (p.maxGpusPerPod = 2));
  assert.equal(admit(engineWith(two), requestOf(plainDeployment({ 'gpu-hpa.io/gpus': '3' }))).decision.allowed, false);
});

test('a sidecar asking for 8 GPUs is denied: every container counts, not only the chosen ones', () => {
  const dep = plainDeployment({}, (d) => (d.spec.template.spec.containers[1].resources.limits = { 'nvidia.com/gpu': '8' }));
  const d = admit(engineWith(defaultPolicy()), requestOf(dep)).decision;
  assert.equal(d.allowed, false);
  assert.deepEqual(
    d.violations.map((v) => v.reason),
    ['gpus-over-max'],
  );
  assert.match(d.violations[0]!.message, /the pod asks for 9 GPUs \("server" 1 nvidia\.com\/gpu, "sidecar" 8 nvidia\.com\/gpu\), over the policy's maxGpusPerPod 8/);
});

test('an init container over the maximum is denied; a GPU resource the policy does not allow is denied', () => {
  const init = plainDeployment({}, (d) => (d.spec.template.spec.initContainers = [{ name: 'warmup', resources: { requests: { 'nvidia.com/gpu': '9' }, limits: { 'nvidia.com/gpu': '9' } } }]));
  const a = admit(engineWith(defaultPolicy()), requestOf(init)).decision;
  assert.deepEqual(
    a.violations.map((v) => v.reason),
    ['gpus-over-max'],
  );
  assert.match(a.violations[0]!.message, /"warmup" 9 nvidia\.com\/gpu/);
  const odd = plainDeployment({}, (d) => (d.spec.template.spec.containers[1].resources.limits = { 'nvidia.com/h100-unlimited': '1' }));
  const b = admit(engineWith(defaultPolicy()), requestOf(odd)).decision;
  assert.deepEqual(
    b.violations.map((v) => v.reason),
    ['gpu-resource-not-allowed'],
  );
  assert.match(b.violations[0]!.message, /"sidecar" asks for nvidia\.com\/h100-unlimited, which the policy does not allow/);
});

test('sidecar init containers (restartPolicy Always) add to the app containers', () => {
  const dep = plainDeployment({}, (d) => (d.spec.template.spec.initContainers = [{ name: 'proxy', restartPolicy: 'Always', resources: { limits: { 'nvidia.com/gpu': '8' } } }]));
  const d = admit(engineWith(defaultPolicy()), requestOf(dep)).decision;
  assert.equal(d.allowed, false);
  assert.match(d.violations[0]!.message, /asks for 9 GPUs/);
});

// ---------------------------------------------------------------------------------------------
// which profiles a namespace may pick

function restricted(): Policy {
  return defaultPolicy((p) => (p.profiles['training']!.namespaceSelector = { matchLabels: { 'gpu-hpa.io/tier': 'research' } }));
}
const ns = (name: string, labels: Record<string, string>): NamespaceObject => ({ metadata: { name, labels } });
const inNs = (namespace: string, annotations: Record<string, string>) => plainDeployment(annotations, (d) => (d.metadata.namespace = namespace));

test('a profile the namespace may not pick is denied (labels known)', () => {
  const cluster = staticClusterView({ deployments: [], hpas: [], namespaces: [ns('team-a', { team: 'a' }), ns('lab', { 'gpu-hpa.io/tier': 'research' })] }, true);
  const e = engineWith(restricted(), cluster);
  const denied = admit(e, requestOf(inNs('team-a', { 'gpu-hpa.io/profile': 'training' }))).decision;
  assert.equal(denied.allowed, false);
  assert.deepEqual(
    denied.violations.map((v) => [v.reason, v.field]),
    [['profile-not-allowed', 'metadata.annotations["gpu-hpa.io/profile"]']],
  );
  assert.match(denied.violations[0]!.message, /profile "training" is not allowed in namespace team-a: the policy limits it to namespaces matching gpu-hpa\.io\/tier=research/);
  assert.equal(admit(e, requestOf(inNs('lab', { 'gpu-hpa.io/profile': 'training' }))).decision.allowed, true);
  assert.equal(admit(e, requestOf(inNs('team-a', { 'gpu-hpa.io/profile': 'inference' }))).decision.allowed, true, 'profiles without a selector stay open');
});

test('labels unknown: offline a warning, with a cluster a denial (the limit fails closed)', () => {
  const offline = admit(engineWith(restricted()), requestOf(inNs('team-a', { 'gpu-hpa.io/profile': 'training' }))).decision;
  assert.equal(offline.allowed, true);
  assert.ok(
    offline.warnings.some((w) => /profile "training" is limited to namespaces matching gpu-hpa\.io\/tier=research; namespace team-a's labels are unknown here/.test(w)),
    offline.warnings.join('\n'),
  );
  const live = admit(engineWith(restricted(), staticClusterView({ deployments: [], hpas: [], namespaces: [] }, true)), requestOf(inNs('team-a', { 'gpu-hpa.io/profile': 'training' }))).decision;
  assert.equal(live.allowed, false);
  assert.match(live.violations[0]!.message, /labels are not known to the webhook yet/);
});

test('namespaceSelector: matchExpressions semantics, and the policy schema checks operators and values', () => {
  const p = restricted();
  p.profiles['training']!.namespaceSelector = {
    matchExpressions: [
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'gpu', operator: 'Exists' },
    ],
  };
  const cluster = staticClusterView({ deployments: [], hpas: [], namespaces: [ns('dev', { env: 'dev', gpu: '' }), ns('prod', { env: 'prod', gpu: '' }), ns('plain', {})] }, true);
  const e = engineWith(p, cluster);
  const verdict = (n: string) => admit(e, requestOf(inNs(n, { 'gpu-hpa.io/profile': 'training' }))).decision.allowed;
  assert.deepEqual(['dev', 'prod', 'plain'].map(verdict), [true, false, false]);

  const doc = JSON.parse(JSON.stringify(defaultPolicy())) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  doc['profiles']['batch']['namespaceSelector'] = { matchExpressions: [{ key: 'env', operator: 'In' }] };
  assert.throws(
    () => parsePolicy(doc, 'p.yaml'),
    (e: unknown) => e instanceof PolicyError && /profiles\.batch\.namespaceSelector\.matchExpressions\.0\.values: must be specified when operator is In/.test(e.message),
  );
});

// ---------------------------------------------------------------------------------------------
// the HPAs already on a Deployment when it opts in

function teamHpa(name: string, namespace: string, target: string, stabilization: number): HorizontalPodAutoscaler {
  const h = fixture<HorizontalPodAutoscaler>('seed-000/hpa.yaml');
  h.metadata = { name, namespace };
  h.spec!.scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: target };
  h.spec!.behavior = { scaleDown: { stabilizationWindowSeconds: stabilization } };
  return h;
}

test('a Deployment that opts in gets a warning for each HPA of its namespace already on it that breaks its profile', () => {
  const hpas = [teamHpa('llm-fast', 'ml', 'llm', 0), teamHpa('other-team', 'team-b', 'llm', 0), teamHpa('unrelated', 'ml', 'web', 0)];
  const e = engineWith(defaultPolicy(), staticClusterView({ deployments: [], hpas }));
  const d = admit(e, requestOf(plainDeployment({ 'gpu-hpa.io/hpa': 'external' }))).decision;
  assert.equal(d.allowed, true);
  const about = d.warnings.filter((w) => /HorizontalPodAutoscaler/.test(w));
  assert.equal(about.length, 1, about.join('\n'));
  assert.match(about[0]!, /^existing HorizontalPodAutoscaler llm-fast on this Deployment breaks profile "inference": unsafe-scale-down-stabilization/);
  assert.ok(!d.warnings.join('\n').includes('other-team'), 'an HPA of another namespace is never named');
});

// ---------------------------------------------------------------------------------------------
// no detail of another namespace

/** A view with client-node ObjectCache semantics: list("") is every namespace (node_modules/@kubernetes/client-node/dist/cache.js). */
function clientNodeLikeView(deployments: Deployment[], hpas: HorizontalPodAutoscaler[]): ClusterView {
  const nsOf = (o: { metadata?: { namespace?: string } }) => o.metadata?.namespace ?? '';
  return {
    deployment: (n, name) => deployments.find((d) => nsOf(d) === (n || '') && d.metadata?.name === name),
    hpas: (n) => (n ? hpas.filter((h) => nsOf(h) === n) : [...hpas]),
    namespaceLabels: () => undefined,
    complete: true,
  };
}

const SECRETS = ['secret-trainer', 'secret-exporter', 'team-b-hpa'];

function teamB() {
  // team-b's opted-in Deployment "llm" with containers whose names are its business, and its HPA
  const dep = plainDeployment({ 'gpu-hpa.io/profile': 'training', 'gpu-hpa.io/hpa': 'external' }, (d) => {
    d.metadata.namespace = 'team-b';
    d.spec.template.spec.containers = [{ name: 'secret-trainer' }, { name: 'secret-exporter' }];
  });
  const hpa = teamHpa('team-b-hpa', 'team-b', 'llm', 3600);
  return { dep: dep as Deployment, hpa };
}

/** An HPA on "llm" that scales on CPU utilization (reads the target's containers) and is a second HPA for it. */
function probe(namespace: string | undefined): HorizontalPodAutoscaler {
  const h = teamHpa('probe', namespace ?? '', 'llm', 0);
  if (namespace === undefined) delete h.metadata!.namespace;
  h.spec!.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }];
  return h;
}

for (const [what, reqNs, objNs] of [
  ['no request namespace, the object says team-b', undefined, 'team-b'],
  ['request namespace "", the object says team-b', '', 'team-b'],
  ['request namespace team-a, the object says team-b', 'team-a', 'team-b'],
  ['request namespace team-a, object without namespace', 'team-a', undefined],
] as const) {
  test(`no cross-namespace detail: ${what}`, () => {
    const { dep, hpa } = teamB();
    const e = engineWith(defaultPolicy(), clientNodeLikeView([dep], [hpa]));
    const req = requestOf(probe(objNs), reqNs);
    for (const decision of [e.mutate(req), e.validate(req)]) {
      const r = toAdmissionReviewResponse({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: req }, decision, 'validate').response;
      const texts = [r.status?.message ?? '', ...(r.status?.details?.causes ?? []).map((c) => c.message), ...(r.warnings ?? [])].join('\n');
      // the subject names the namespace the review was judged in; team-b's objects may only appear when that is team-b
      const subjectNs = /HorizontalPodAutoscaler ([^/ ]*)\/probe/.exec(texts)?.[1];
      if (subjectNs === 'team-b') continue;
      for (const s of [...SECRETS, 'training']) assert.ok(!texts.includes(s), `${what}: the answer names ${s} of team-b (judged as ${subjectNs}): ${texts.slice(0, 600)}`);
    }
  });
}

test('a review whose object namespace differs from the request namespace is refused before any lookup', () => {
  const { dep, hpa } = teamB();
  const d = engineWith(defaultPolicy(), clientNodeLikeView([dep], [hpa])).validate(requestOf(probe('team-b'), 'team-a'));
  assert.equal(d.allowed, false);
  assert.deepEqual(
    d.violations.map((v) => v.reason),
    ['api-namespace-mismatch'],
  );
});
