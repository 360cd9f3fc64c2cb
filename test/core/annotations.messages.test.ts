// annotations.ts's warnings and the short form of its refusals, word for word (issue 19: string mutants
// count for annotations.ts). The short form (decision.ts Violation.short) is what a warn-mode warning
// shows: the annotation, the value cut to 30 characters, and the fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, optInLabelTypo, readSettings } from '../../src/core/annotations.js';
import { defaultPolicy, plainDeployment } from '../helpers/fixtures.js';

const policy = defaultPolicy();
const read = (ann: Record<string, string>, extra?: Parameters<typeof plainDeployment>[1]) => readSettings(plainDeployment(ann, extra), policy);
const one = (ann: Record<string, string>) => {
  const r = read(ann);
  assert.equal(r.violations.length, 1, JSON.stringify(r.violations));
  return r.violations[0]!;
};

test('the opt-in label typo and the opt-in written as an annotation: the warnings in full', () => {
  assert.equal(
    optInLabelTypo(plainDeployment({}, (d) => (d.metadata.labels['gpu-hpa.io/enabled'] = 'yes'))),
    'label gpu-hpa.io/enabled is "yes": only "true" opts in, so this Deployment is not managed',
  );
  const annotated = plainDeployment({ 'gpu-hpa.io/enabled': 'true' }, (d) => delete d.metadata.labels['gpu-hpa.io/enabled']);
  assert.equal(optInLabelTypo(annotated), 'gpu-hpa.io/enabled is an annotation, so not opted in: make it the label metadata.labels["gpu-hpa.io/enabled"]: "true"');
  // any value of the annotation is the same mistake
  const annotatedFalse = plainDeployment({ 'gpu-hpa.io/enabled': '' }, (d) => delete d.metadata.labels);
  assert.match(optInLabelTypo(annotatedFalse) ?? '', /^gpu-hpa\.io\/enabled is an annotation/);
  // the label wins: set to "true", the annotation beside it says nothing
  assert.equal(optInLabelTypo(plainDeployment({ 'gpu-hpa.io/enabled': 'true' })), undefined);
});

test('unknown annotations: one warning, with the suggestion for the first when several', () => {
  assert.deepEqual(read({ 'gpu-hpa.io/gpu': '2' }).warnings, ['unknown annotation gpu-hpa.io/gpu is ignored (did you mean gpu-hpa.io/gpus?)']);
  assert.deepEqual(read({ 'gpu-hpa.io/zzzzzzzzzzzzzzzzzz': '1' }).warnings, ['unknown annotation gpu-hpa.io/zzzzzzzzzzzzzzzzzz is ignored']);
  assert.deepEqual(read({ 'gpu-hpa.io/gpu': '2', 'gpu-hpa.io/zzzzzzzzzzzzzzzzzz': '1' }).warnings, [
    'unknown annotations gpu-hpa.io/gpu, gpu-hpa.io/zzzzzzzzzzzzzzzzzz are ignored (did you mean gpu-hpa.io/gpus for gpu-hpa.io/gpu?)',
  ]);
  assert.deepEqual(read({ 'gpu-hpa.io/zzzzzzzzzzzzzzzzzz': '1', 'gpu-hpa.io/yyyyyyyyyyyyyyyyyy': '1' }).warnings, [
    'unknown annotations gpu-hpa.io/zzzzzzzzzzzzzzzzzz, gpu-hpa.io/yyyyyyyyyyyyyyyyyy are ignored',
  ]);
  // other prefixes are not ours
  assert.deepEqual(read({ 'gpu-hpa.iox/gpus': '1', 'x.gpu-hpa.io/gpus': '1' }).warnings, []);
});

test('the short form: annotation, value, and the fix (or what is allowed)', () => {
  assert.equal(one({ [A.profile]: 'infrence' }).short, 'gpu-hpa.io/profile "infrence": did you mean inference?');
  assert.equal(
    one({ [A.profile]: 'infrence' }).message,
    `annotation gpu-hpa.io/profile: "infrence" is not valid: must be one of the policy's profiles: inference, training, batch (did you mean inference?)`,
  );
  assert.equal(one({ [A.profile]: 'zzzzzzzzzz' }).short, 'gpu-hpa.io/profile "zzzzzzzzzz": not a profile of the policy');
  assert.equal(one({ [A.minReplicas]: '0' }).short, 'gpu-hpa.io/min-replicas "0": must be a whole number of at least 1');
  assert.equal(one({ [A.maxReplicas]: '-1' }).short, 'gpu-hpa.io/max-replicas "-1": must be a whole number of at least 1');
  assert.equal(one({ [A.gpus]: 'x' }).short, 'gpu-hpa.io/gpus "x": must be a whole number of at least 1');
  // 30 characters are kept as they are; longer values are cut to 29 and an ellipsis
  const v30 = 'a'.repeat(30);
  assert.equal(one({ [A.hpa]: v30 }).short, `gpu-hpa.io/hpa "${v30}": must be "managed" (the webhook owns the HPA) or "external" (you bring your own HPA)`);
  const v31 = 'b'.repeat(31);
  assert.equal(one({ [A.hpa]: v31 }).short, `gpu-hpa.io/hpa "${'b'.repeat(29)}…": must be "managed" (the webhook owns the HPA) or "external" (you bring your own HPA)`);
});

test('the value checks: gpus over the policy, the product over the policy, in full', () => {
  const over = String(policy.maxGpusPerPod + 1);
  assert.deepEqual(
    read({ [A.gpus]: over }).violations.map((v) => [v.field, v.message]),
    [['metadata.annotations["gpu-hpa.io/gpus"]', `annotation gpu-hpa.io/gpus: "${over}" is not valid: must be at most ${policy.maxGpusPerPod}, the policy's maxGpusPerPod`]],
  );
  const half = Math.floor(policy.maxGpusPerPod / 2) + 1;
  assert.deepEqual(
    read({ [A.gpus]: String(half), [A.containers]: 'server,sidecar' }).violations.map((v) => v.message),
    [`annotation gpu-hpa.io/gpus: "${half}" is not valid: 2 containers get ${half} each, ${2 * half} per pod, over the policy's maxGpusPerPod ${policy.maxGpusPerPod}`],
  );
  // the metric: "." and ".." are not path segments; "/" and "%" anywhere
  for (const m of ['', '.', '..', 'a/b', '%']) {
    assert.equal(one({ [A.metric]: m }).field, 'metadata.annotations["gpu-hpa.io/metric"]', m);
  }
  for (const m of ['...', '.a', 'a..b']) assert.deepEqual(read({ [A.metric]: m }).violations, [], m);
});

test("the profile's replica cap judges the annotation only, never the profile's own default", () => {
  // parsePolicy refuses maxReplicas over maxReplicasCap; a policy changed after parsing shows the rule's
  // intent: without gpu-hpa.io/max-replicas there is nothing the team wrote to refuse
  const loose = defaultPolicy((p) => {
    p.profiles.inference!.maxReplicas = 40;
  });
  const r = readSettings(plainDeployment({}), loose);
  assert.deepEqual(r.violations, []);
  assert.equal(r.settings?.maxReplicas, 40);
  const written = readSettings(plainDeployment({ [A.maxReplicas]: '40' }), loose);
  assert.deepEqual(
    written.violations.map((v) => v.message),
    ['annotation gpu-hpa.io/max-replicas: "40" is not valid: must be at most 32, the cap of profile "inference"'],
  );
});
