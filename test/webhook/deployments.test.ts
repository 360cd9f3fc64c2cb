// AdmissionReviews for Deployments through the real app and engine (SPEC "Mutation", "Validation").
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { defaultPolicy, fixture, fixtureText, plainDeployment, sortOps } from '../helpers/fixtures.js';
import { post, reviewOf, webhook } from '../helpers/webhook.js';

const seed000Rules = fixtureText('seed-000/adapter-config.yaml');

test('/mutate: seed-000 Deployment gets nodeSelector and the record; the response echoes uid, apiVersion and kind', async () => {
  const { request } = webhook();
  const review = reviewOf(fixture('seed-000/deployment.yaml'));
  const a = await post(request, '/mutate', review);
  assert.equal(a.uid, review.request.uid);
  assert.equal(a.allowed, true);
  assert.deepEqual(sortOps(a.patch!), [
    { op: 'add', path: '/metadata/annotations', value: { 'gpu-hpa.io/mutated': '{"nodeSelector":["nvidia.com/gpu.present=true"]}' } },
    { op: 'add', path: '/spec/template/spec/nodeSelector', value: { 'nvidia.com/gpu.present': 'true' } },
  ]);
});

test('/mutate then /validate: a Deployment with no GPU settings is mutated and the result validates; mutating it again yields no patch', async () => {
  const { request } = webhook();
  const dep = plainDeployment();
  const m = await post(request, '/mutate', reviewOf(dep));
  assert.equal(m.allowed, true);
  const mutated = jsonpatch.applyPatch(structuredClone(dep), m.patch!).newDocument;
  assert.equal(mutated.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'], '1');
  assert.deepEqual(mutated.spec.template.spec.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  const v = await post(request, '/validate', reviewOf(mutated));
  assert.equal(v.allowed, true, v.message);
  const again = await post(request, '/mutate', reviewOf(mutated, 'UPDATE', mutated));
  assert.equal(again.allowed, true);
  assert.equal(again.patch, undefined, 'no patch on its own output');
});

test('/mutate: a Deployment without the opt-in label is allowed untouched', async () => {
  const { request } = webhook();
  const dep = plainDeployment({}, (d) => delete d.metadata.labels['gpu-hpa.io/enabled']);
  const a = await post(request, '/mutate', reviewOf(dep));
  assert.deepEqual([a.allowed, a.patch], [true, undefined]);
});

test('/mutate: a namespace the policy ignores is allowed untouched', async () => {
  const { request } = webhook();
  const dep = plainDeployment({}, (d) => (d.metadata.namespace = 'kube-system'));
  const a = await post(request, '/mutate', reviewOf(dep));
  assert.deepEqual([a.allowed, a.patch], [true, undefined]);
});

test('/mutate and /validate: an invalid annotation is denied naming the annotation, the value and what is allowed', async () => {
  const { request } = webhook();
  for (const path of ['/mutate', '/validate'] as const) {
    const a = await post(request, path, reviewOf(plainDeployment({ 'gpu-hpa.io/max-replicas': 'lots' })));
    assert.equal(a.allowed, false);
    assert.deepEqual(a.reasons, ['invalid-annotation']);
    assert.match(a.message, /Deployment ml\/llm: annotation gpu-hpa\.io\/max-replicas: "lots" is not valid: must be a whole number of at least 1/);
  }
});

test('/mutate: a conflicting explicit GPU count is denied, not overwritten', async () => {
  const { request } = webhook();
  const dep = plainDeployment({ 'gpu-hpa.io/gpus': '1' }, (d) => (d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': '2' }));
  const a = await post(request, '/mutate', reviewOf(dep));
  assert.equal(a.allowed, false);
  assert.deepEqual(a.reasons, ['gpu-count-conflict']);
  assert.equal(a.patch, undefined);
});

test('/validate: a Deployment that skipped mutation (no GPU limit, no toleration) is denied', async () => {
  const { request } = webhook();
  const a = await post(request, '/validate', reviewOf(plainDeployment()));
  assert.equal(a.allowed, false);
  assert.deepEqual(a.reasons.sort(), ['gpu-limit-missing', 'gpu-toleration-missing']);
  assert.match(a.message, /container "server" must have resources\.limits\["nvidia\.com\/gpu"\]: "1"/);
});

test('/validate: the metric a managed HPA will use must be served, with a suggestion', async () => {
  const { request } = webhook({ rulesText: seed000Rules });
  const dep = fixture('seed-000/deployment.yaml');
  dep.metadata.annotations = { 'gpu-hpa.io/metric': 'gpu_utilisation' };
  dep.spec.template.spec.nodeSelector = { 'nvidia.com/gpu.present': 'true' };
  const a = await post(request, '/validate', reviewOf(dep));
  assert.equal(a.allowed, false);
  assert.deepEqual(a.reasons, ['metric-not-served']);
  assert.match(a.message, /Did you mean gpu_utilization\?/);
  // external mode: the team's own HPA is what gets checked, not the annotation
  dep.metadata.annotations['gpu-hpa.io/hpa'] = 'external';
  assert.equal((await post(request, '/validate', reviewOf(dep))).allowed, true);
});

test('enforcement warn: violations become warnings of at most 120 characters', async () => {
  const { request } = webhook({ policy: defaultPolicy((p) => (p.enforcement = 'warn')) });
  const a = await post(request, '/validate', reviewOf(plainDeployment()));
  assert.equal(a.allowed, true);
  assert.equal(a.warnings.length, 2);
  for (const w of a.warnings) assert.ok(w.length <= 120, w);
  assert.match(a.warnings.join('\n'), /^gpu-limit-missing: /m);
});

test('DELETE and other kinds are allowed without a patch', async () => {
  const { request } = webhook();
  const del = await post(request, '/validate', reviewOf(plainDeployment(), 'DELETE'));
  assert.deepEqual([del.allowed, del.patch], [true, undefined]);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ml', labels: { 'gpu-hpa.io/enabled': 'true' } } };
  const other = await post(request, '/mutate', reviewOf(cm));
  assert.deepEqual([other.allowed, other.patch], [true, undefined]);
});
