// The engine alone, on AdmissionRequests (its HTTP path is in test/webhook/*): the happy path of both
// kinds and one denial; the policy's ignored namespaces and enforcement: warn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fjp from 'fast-json-patch';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import type { AdmissionRequest } from '../../src/core/admission/request.js';
import { staticClusterView } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import type { Policy } from '../../src/core/policy/schema.js';
import { defaultPolicy, fixture, plainDeployment } from '../helpers/fixtures.js';
import { reviewOf, SHIPPED_RULES } from '../helpers/webhook.js';

const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped');
const request = (object: unknown) => reviewOf(object).request as unknown as AdmissionRequest;

function engineWith(policy: Policy = defaultPolicy()) {
  const deployment = fixture('seed-000/deployment.yaml');
  return createEngine({ policy, rules, cluster: staticClusterView({ deployments: [deployment], hpas: [] }) });
}

test('an opted-in Deployment is patched by mutate and, patched, allowed by validate; its HPA is filled and allowed', () => {
  const engine = engineWith();
  const dep = plainDeployment();
  const m = engine.mutate(request(dep));
  assert.equal(m.allowed, true);
  assert.ok(m.patch && m.patch.length > 0);
  const patched = fjp.applyPatch(structuredClone(dep), m.patch).newDocument;
  assert.deepEqual(engine.validate(request(patched)), { allowed: true, violations: [], warnings: [] });

  const hpa = fixture('seed-000/hpa.yaml');
  const h = engine.mutate(request(hpa));
  assert.deepEqual(
    h.patch?.map((op) => op.path),
    ['/spec/behavior'],
  );
  const filled = fjp.applyPatch(structuredClone(hpa), h.patch).newDocument;
  assert.equal(engine.validate(request(filled)).allowed, true);
});

test('the seed HPA without behavior is denied for its unbounded rates, each message naming the object once', () => {
  const d = engineWith().validate(request(fixture('seed-000/hpa.yaml')));
  assert.equal(d.allowed, false);
  assert.deepEqual(
    d.violations.map((v) => v.reason),
    ['unbounded-scale-up', 'unbounded-scale-down'],
  );
  for (const v of d.violations) assert.match(v.message, /^HorizontalPodAutoscaler default\/gpu-hpa-test: (?!.*HorizontalPodAutoscaler default\/gpu-hpa-test)/);
});

test('the rules write no object name: the engine puts it in front of every denial once, and in no warning', () => {
  const once = (name: string) => new RegExp(`^${name}: (?!.*${name})`);
  // a shape violation (stage shape) and the GPU limits the mutation would have set (stage judge)
  const shape = engineWith().validate(request(plainDeployment({}, (d) => (d.spec.template.spec.containers = 'x'))));
  const unmutated = engineWith().validate(request(plainDeployment()));
  for (const d of [shape, unmutated]) {
    assert.equal(d.allowed, false);
    for (const v of d.violations) assert.match(v.message, once('Deployment ml/llm'));
  }
  // the same findings under enforcement: warn are warnings, reason first, without the name
  const warned = engineWith(defaultPolicy((p) => (p.enforcement = 'warn'))).validate(request(plainDeployment()));
  assert.deepEqual(
    warned.warnings.map((w) => w.slice(0, w.indexOf(':'))),
    unmutated.violations.map((v) => v.reason),
  );
  for (const w of warned.warnings) assert.ok(!w.includes('Deployment ml/llm'), w);
  // a rule's own warning: the HPA's target is not known offline
  const hpa = { ...fixture('seed-000/hpa.yaml'), metadata: { name: 'h', namespace: 'ml' } };
  hpa.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }];
  const offline = createEngine({ policy: defaultPolicy((p) => (p.scope.hpas = 'all')), rules, cluster: staticClusterView({ deployments: [], hpas: [] }) }).validate(request(hpa));
  assert.ok(offline.warnings.length > 0);
  for (const w of offline.warnings) assert.ok(!w.includes('HorizontalPodAutoscaler ml/h'), w);
});

test('ignored namespaces are never judged; enforcement: warn turns policy denials into warnings', () => {
  const inKubeSystem = { ...fixture('seed-000/hpa.yaml'), metadata: { name: 'x', namespace: 'kube-system' } };
  assert.deepEqual(engineWith().validate({ ...request(inKubeSystem), namespace: 'kube-system' }), { allowed: true, violations: [], warnings: [] });
  const warn = engineWith(defaultPolicy((p) => (p.enforcement = 'warn'))).validate(request(fixture('seed-000/hpa.yaml')));
  assert.equal(warn.allowed, true);
  assert.equal(warn.warnings.filter((w) => w.startsWith('unbounded-scale-')).length, 2);
});

test('objects the API server sends (admitted): /validate leaves the API server its own checks; check, which reads files, keeps them', () => {
  const deployment = fixture('seed-000/deployment.yaml');
  const engine = (admitted: boolean) => createEngine({ policy: defaultPolicy(), rules, cluster: staticClusterView({ deployments: [deployment], hpas: [] }), admitted });
  // minReplicas 0 is refused by kube-apiserver (validation.go validateHorizontalPodAutoscalerSpec, without
  // HPAScaleToZero); to /validate it never comes, but a file passed to `check` may say it
  const hpa = fixture('seed-000/hpa.yaml');
  hpa.spec.minReplicas = 0;
  const filled = fjp.applyPatch(structuredClone(hpa), engine(false).mutate(request(hpa)).patch ?? []).newDocument;
  // validation.go says both: minReplicas below 1, and no Object or External metric to scale to zero on
  assert.deepEqual(
    engine(false)
      .validate(request(filled))
      .violations.map((v) => v.reason),
    ['api-replica-bounds', 'api-metric-spec'],
  );
  const admitted = engine(true).validate(request(filled));
  assert.equal(admitted.allowed, true);
  assert.deepEqual(admitted.violations, []);
  // the policy's own rules still run on admitted objects
  const unbounded = fixture('seed-000/hpa.yaml');
  assert.deepEqual(
    engine(true)
      .validate(request(unbounded))
      .violations.map((v) => v.reason),
    ['unbounded-scale-up', 'unbounded-scale-down'],
  );
  // and the review-level checks stay, for a forged review no API server validated
  const forged = request(filled);
  forged.namespace = 'other';
  assert.deepEqual(
    engine(true)
      .validate(forged)
      .violations.map((v) => v.reason),
    ['api-namespace-mismatch'],
  );
});
