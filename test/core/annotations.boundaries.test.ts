// The opt-in label and the gpu-hpa.io/* annotations at their edges (issue 19): every count at 1 and
// at its limits, the replica bounds equal/crossed, the warnings (opt-in label typo, unknown
// annotation) asserted present and absent, and the values that must be accepted next to the ones
// that are refused. Assertions name the reason, the annotation and the value, not whole sentences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOptedIn, optInLabelTypo, readSettings } from '../../src/core/annotations.js';
import { defaultPolicy, plainDeployment } from '../helpers/fixtures.js';

const policy = defaultPolicy();
const read = (ann: Record<string, string>, extra?: Parameters<typeof plainDeployment>[1]) => readSettings(plainDeployment(ann, extra), policy);

function invalid(ann: Record<string, string>, key: string): string {
  const r = read(ann);
  assert.equal(r.settings, undefined, `${JSON.stringify(ann)} should be refused`);
  const v = r.violations.filter((x) => x.field === `metadata.annotations["${key}"]`);
  assert.equal(v.length, 1, JSON.stringify(r.violations));
  assert.equal(v[0]!.reason, 'invalid-annotation');
  assert.ok(v[0]!.message.includes(key), v[0]!.message);
  return v[0]!.message;
}

test('opt-in: only the label value "true" opts in', () => {
  assert.equal(isOptedIn(plainDeployment()), true);
  for (const v of ['True', 'TRUE', 'yes', '1', '', 'false']) {
    assert.equal(isOptedIn(plainDeployment({}, (d) => (d.metadata.labels['gpu-hpa.io/enabled'] = v))), false, v);
  }
  assert.equal(isOptedIn(plainDeployment({}, (d) => delete d.metadata.labels)), false);
  assert.equal(isOptedIn(undefined), false);
});

test('opt-in label typo: any value but "true" is a warning naming the label and the value; "true" and no label are silent', () => {
  for (const v of ['True', 'yes', '']) {
    const w = optInLabelTypo(plainDeployment({}, (d) => (d.metadata.labels['gpu-hpa.io/enabled'] = v)));
    assert.ok(w, `value ${JSON.stringify(v)}`);
    assert.ok(w.includes('gpu-hpa.io/enabled'), w);
    assert.ok(w.includes(`"${v}"`), w);
    assert.ok(w.includes('"true"'), w);
  }
  assert.equal(optInLabelTypo(plainDeployment()), undefined);
  assert.equal(optInLabelTypo(plainDeployment({}, (d) => delete d.metadata.labels['gpu-hpa.io/enabled'])), undefined);
  assert.equal(optInLabelTypo(plainDeployment({}, (d) => delete d.metadata.labels)), undefined);
});

test('counts: 1 is the smallest accepted, 0 is refused; gpus up to the policy maximum, nine-digit replicas accepted, ten digits refused', () => {
  assert.equal(read({ 'gpu-hpa.io/gpus': '1' }).settings?.gpus, 1);
  assert.equal(read({ 'gpu-hpa.io/min-replicas': '1' }).settings?.minReplicas, 1);
  assert.equal(read({ 'gpu-hpa.io/gpus': String(policy.maxGpusPerPod) }).settings?.gpus, policy.maxGpusPerPod);
  assert.match(invalid({ 'gpu-hpa.io/gpus': String(policy.maxGpusPerPod + 1) }, 'gpu-hpa.io/gpus'), /maxGpusPerPod/);
  assert.match(invalid({ 'gpu-hpa.io/gpus': '1234567890' }, 'gpu-hpa.io/gpus'), /"1234567890"/);
  assert.match(invalid({ 'gpu-hpa.io/gpus': '0' }, 'gpu-hpa.io/gpus'), /"0"/);
  assert.equal(read({ 'gpu-hpa.io/gpus': '007' }).settings?.gpus, 7, 'leading zeros are decimal digits');
  // no sign, no spaces, no exponent, no text before or after the digits
  for (const raw of ['', '+2', '-2', '2 ', 'x2', '2x', '1e3', '0x10', '２']) {
    invalid({ 'gpu-hpa.io/gpus': raw }, 'gpu-hpa.io/gpus');
  }
});

test('replica bounds: max equal to min is allowed; max one below min is refused, naming max-replicas and min', () => {
  const eq = read({ 'gpu-hpa.io/min-replicas': '3', 'gpu-hpa.io/max-replicas': '3' });
  assert.deepEqual(eq.violations, []);
  assert.equal(eq.settings?.minReplicas, 3);
  assert.equal(eq.settings?.maxReplicas, 3);
  const m = invalid({ 'gpu-hpa.io/min-replicas': '3', 'gpu-hpa.io/max-replicas': '2' }, 'gpu-hpa.io/max-replicas');
  assert.match(m, /"2"/);
  assert.match(m, /\(3\)/);
  assert.equal(read({ 'gpu-hpa.io/min-replicas': '3', 'gpu-hpa.io/max-replicas': '2' }).violations.length, 1);
});

test('replica bounds: min against the profile default max (8) — at it allowed, above it refused naming min-replicas', () => {
  const at = read({ 'gpu-hpa.io/min-replicas': '8' });
  assert.deepEqual(at.violations, []);
  assert.equal(at.settings?.maxReplicas, 8);
  const m = invalid({ 'gpu-hpa.io/min-replicas': '9' }, 'gpu-hpa.io/min-replicas');
  assert.match(m, /"9"/);
  assert.match(m, /"inference"/);
  assert.match(m, /maxReplicas 8/);
  assert.match(m, /gpu-hpa\.io\/max-replicas/);
});

test('replica cap: max-replicas at the cap (32) is allowed, one over is refused', () => {
  assert.equal(read({ 'gpu-hpa.io/max-replicas': '32' }).settings?.maxReplicas, 32);
  const m = invalid({ 'gpu-hpa.io/max-replicas': '33' }, 'gpu-hpa.io/max-replicas');
  assert.match(m, /"33"/);
  assert.match(m, /32/);
  // the cap is the chosen profile's: batch allows 64
  assert.equal(read({ 'gpu-hpa.io/profile': 'batch', 'gpu-hpa.io/max-replicas': '64' }).settings?.maxReplicas, 64);
  invalid({ 'gpu-hpa.io/profile': 'batch', 'gpu-hpa.io/max-replicas': '65' }, 'gpu-hpa.io/max-replicas');
});

test('target: a positive quantity is accepted as written; zero and negatives are refused; the profile target is the default', () => {
  assert.equal(read({ 'gpu-hpa.io/target': '1m' }).settings?.target, '1m');
  assert.equal(read({ 'gpu-hpa.io/target': '1Gi' }).settings?.target, '1Gi');
  assert.equal(read({}).settings?.target, '60');
  assert.equal(read({ 'gpu-hpa.io/profile': 'training' }).settings?.target, '80');
  assert.match(invalid({ 'gpu-hpa.io/target': '0m' }, 'gpu-hpa.io/target'), /"0m".*greater than zero/);
  assert.match(invalid({ 'gpu-hpa.io/target': '-1m' }, 'gpu-hpa.io/target'), /"-1m"/);
  assert.match(invalid({ 'gpu-hpa.io/target': 'abc' }, 'gpu-hpa.io/target'), /"abc".*quantity/);
});

test('metric: path-segment names are refused, ordinary names (dots included) accepted', () => {
  for (const bad of ['', '.', '..', 'a%2F', 'gpu/util']) {
    assert.match(invalid({ 'gpu-hpa.io/metric': bad }, 'gpu-hpa.io/metric'), new RegExp(`"${bad.replace(/[.%/]/g, (c) => '\\' + c)}"`));
  }
  for (const ok of ['gpu_utilization', 'a.b', '...', 'DCGM_FI_DEV_GPU_UTIL']) {
    assert.equal(read({ 'gpu-hpa.io/metric': ok }).settings?.metric, ok);
  }
  assert.equal(read({}).settings?.metric, 'gpu_utilization');
});

test('hpa mode: managed and external are accepted, managed by default; anything else is refused', () => {
  assert.equal(read({}).settings?.hpaMode, 'managed');
  assert.equal(read({ 'gpu-hpa.io/hpa': 'managed' }).settings?.hpaMode, 'managed');
  assert.equal(read({ 'gpu-hpa.io/hpa': 'external' }).settings?.hpaMode, 'external');
  assert.match(invalid({ 'gpu-hpa.io/hpa': 'Managed' }, 'gpu-hpa.io/hpa'), /"Managed"/);
});

test('gpu resource: exact names and prefix patterns of the policy are accepted, the policy default otherwise', () => {
  assert.equal(read({}).settings?.gpuResource, 'nvidia.com/gpu');
  assert.equal(read({ 'gpu-hpa.io/gpu-resource': 'nvidia.com/gpu.shared' }).settings?.gpuResource, 'nvidia.com/gpu.shared');
  assert.equal(read({ 'gpu-hpa.io/gpu-resource': 'nvidia.com/mig-3g.20gb' }).settings?.gpuResource, 'nvidia.com/mig-3g.20gb');
  assert.match(invalid({ 'gpu-hpa.io/gpu-resource': 'nvidia.com/gpus' }, 'gpu-hpa.io/gpu-resource'), /"nvidia\.com\/gpus"/);
});

test('profile: an unknown name lists the profiles, with a suggestion only when one is close', () => {
  const close = invalid({ 'gpu-hpa.io/profile': 'trainig' }, 'gpu-hpa.io/profile');
  assert.match(close, /inference, training, batch/);
  assert.match(close, /did you mean training\?/);
  const far = invalid({ 'gpu-hpa.io/profile': 'zzzzzzzzzz' }, 'gpu-hpa.io/profile');
  assert.match(far, /inference, training, batch/);
  assert.doesNotMatch(far, /did you mean/);
});

test('containers: names are matched after trimming, kept in pod order; empty lists and unknown names are refused', () => {
  assert.deepEqual(read({ 'gpu-hpa.io/containers': ' sidecar ' }).settings?.containers, ['sidecar']);
  assert.deepEqual(read({ 'gpu-hpa.io/containers': 'sidecar,,server,' }).settings?.containers, ['server', 'sidecar']);
  assert.match(invalid({ 'gpu-hpa.io/containers': ' , ' }, 'gpu-hpa.io/containers'), /at least one container/);
  assert.match(invalid({ 'gpu-hpa.io/containers': '' }, 'gpu-hpa.io/containers'), /at least one container/);
  const far = invalid({ 'gpu-hpa.io/containers': 'zzzzzzzz' }, 'gpu-hpa.io/containers');
  assert.match(far, /"zzzzzzzz"/);
  assert.match(far, /server, sidecar/);
  assert.doesNotMatch(far, /did you mean/);
  // two unknown names: one violation for the annotation (issue 17: one per annotation), naming both
  const two = read({ 'gpu-hpa.io/containers': 'a1,b2' });
  assert.equal(two.violations.length, 1);
  assert.match(two.violations[0]!.message, /"a1"/);
  assert.match(two.violations[0]!.message, /"b2"/);
  // a pod without containers says so in the list
  const none = read({ 'gpu-hpa.io/containers': 'server' }, (d) => (d.spec.template.spec.containers = []));
  assert.ok(
    none.violations.some((v) => /\(none\)/.test(v.message)),
    JSON.stringify(none.violations),
  );
  // containers without a name are not candidates: the first named one gets the GPU
  const unnamed = read({}, (d) => d.spec.template.spec.containers.unshift({ image: 'x' }));
  assert.deepEqual(unnamed.settings?.containers, ['server']);
  const noPodSpec = read({}, (d) => delete d.spec.template.spec);
  assert.deepEqual(
    noPodSpec.violations.map((v) => v.reason),
    ['no-containers'],
  );
  assert.equal(noPodSpec.violations[0]!.field, 'spec.template.spec.containers');
});

test('unknown annotations: only unknown gpu-hpa.io/ keys are warned about, with a suggestion only when one is close', () => {
  const r = read({ 'gpu-hpa.io/mutated': '{}', 'example.com/metric': 'x', 'gpu-hpa.io/metric': 'gpu_utilization' });
  assert.deepEqual(r.warnings, []);
  assert.ok(r.settings);
  const far = read({ 'gpu-hpa.io/zzzzzzzzzzzzzzzzzz': '1' });
  assert.equal(far.warnings.length, 1);
  assert.ok(far.warnings[0]!.includes('gpu-hpa.io/zzzzzzzzzzzzzzzzzz'));
  assert.doesNotMatch(far.warnings[0]!, /did you mean/);
  assert.ok(far.settings, 'an unknown annotation is a warning, not a violation');
  const near = read({ 'gpu-hpa.io/gpu': '2' });
  assert.match(near.warnings[0]!, /did you mean gpu-hpa\.io\/gpus\?/);
});

test('no annotations object at all reads as defaults', () => {
  const r = readSettings(
    plainDeployment({}, (d) => delete d.metadata.annotations),
    policy,
  );
  assert.deepEqual(r.violations, []);
  assert.equal(r.settings?.maxReplicas, 8);
});
