// The annotation reader at its size bounds and in its messages (issue 19, mutants of annotations.ts
// that survived annotations.test.ts and annotations.boundaries.test.ts): each value at its bound and
// one over, the container lists at 256 and 257, the GPUs-per-pod product at and over the policy's
// maximum, several unknown annotations in one warning, and the full wording of every refusal (the
// message is what a team reads: it must keep the annotation, the value and the fix).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Violation } from '../../src/core/admission/decision.js';
import { A, readSettings } from '../../src/core/annotations.js';
import { MAX_CONTAINERS, MAX_CONTAINERS_ANNOTATION_LENGTH, MAX_NAME_LENGTH } from '../../src/core/bounds.js';
import { defaultPolicy, plainDeployment } from '../helpers/fixtures.js';

const policy = defaultPolicy();
const read = (ann: Record<string, string>, extra?: Parameters<typeof plainDeployment>[1]) => readSettings(plainDeployment(ann, extra), policy);
const field = (key: string) => `metadata.annotations["${key}"]`;
/** reason, field and message: what these tests check (a violation may carry more, e.g. a short form) */
const rfm = ({ reason, field, message }: Violation) => ({ reason, field, message });

test('size bounds: every annotation at 253 characters is read, at 254 it is refused as too large and nothing else is judged', () => {
  for (const key of Object.values(A)) {
    if (key === A.containers) continue;
    const at = read({ [key]: 'x'.repeat(MAX_NAME_LENGTH) });
    assert.ok(
      at.violations.every((v) => v.reason !== 'input-too-large'),
      `${key} at ${MAX_NAME_LENGTH}: ${JSON.stringify(at.violations.map((v) => v.reason))}`,
    );
    const over = read({ [key]: 'x'.repeat(MAX_NAME_LENGTH + 1), [A.hpa === key ? A.gpus : A.hpa]: 'also-wrong' });
    assert.equal(over.settings, undefined);
    assert.deepEqual(
      over.violations.map((v) => [v.reason, v.field]),
      [['input-too-large', field(key)]],
      `${key}: only the size is reported, the other wrong value waits`,
    );
    assert.match(over.violations[0]!.message, new RegExp(`^annotation ${key.replace(/[./]/g, '\\$&')} is 254 characters long .*at most 253`));
    assert.deepEqual(over.warnings, []);
  }
});

test('size bounds: gpu-hpa.io/containers may be as long as all annotations together (256 KiB), one more is refused', () => {
  const names = (len: number) => 'server,' + ' '.repeat(len - 'server,'.length);
  const at = read({ [A.containers]: names(MAX_CONTAINERS_ANNOTATION_LENGTH) });
  assert.deepEqual(at.violations, []);
  assert.deepEqual(at.settings?.containers, ['server']);
  const over = read({ [A.containers]: names(MAX_CONTAINERS_ANNOTATION_LENGTH + 1) });
  assert.deepEqual(
    over.violations.map((v) => [v.reason, v.field]),
    [['input-too-large', field(A.containers)]],
  );
  // a 254-character container list is nothing special
  assert.deepEqual(read({ [A.containers]: names(MAX_NAME_LENGTH + 1) }).violations, []);
});

test('container counts: 256 containers (or init containers) are read, 257 are refused for that list alone', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'x' }));
  const at = read({}, (d) => {
    d.spec.template.spec.containers = many(MAX_CONTAINERS);
    d.spec.template.spec.initContainers = many(MAX_CONTAINERS);
  });
  assert.deepEqual(at.violations, []);
  assert.deepEqual(at.settings?.containers, ['c0']);
  for (const list of ['containers', 'initContainers'] as const) {
    const over = read({ [A.hpa]: 'wrong' }, (d) => (d.spec.template.spec[list] = many(MAX_CONTAINERS + 1)));
    assert.deepEqual(
      over.violations.map((v) => [v.reason, v.field]),
      [['input-too-large', `spec.template.spec.${list}`]],
      list,
    );
    assert.match(over.violations[0]!.message, new RegExp(`^spec\\.template\\.spec\\.${list} has 257 entries; .*at most 256`));
  }
  // both lists over: both named
  const both = read({}, (d) => {
    d.spec.template.spec.containers = many(MAX_CONTAINERS + 1);
    d.spec.template.spec.initContainers = many(MAX_CONTAINERS + 1);
  });
  assert.deepEqual(
    both.violations.map((v) => v.field),
    ['spec.template.spec.containers', 'spec.template.spec.initContainers'],
  );
});

test('GPUs per pod: gpus × chosen containers at the policy maximum is allowed, over it is refused naming the product', () => {
  assert.equal(policy.maxGpusPerPod, 8);
  const at = read({ [A.gpus]: '4', [A.containers]: 'server,sidecar' });
  assert.deepEqual(at.violations, []);
  assert.equal(at.settings?.gpus, 4);
  const over = read({ [A.gpus]: '5', [A.containers]: 'server,sidecar' });
  assert.equal(over.settings, undefined);
  assert.equal(over.violations.length, 1);
  assert.equal(over.violations[0]!.field, field(A.gpus));
  assert.equal(over.violations[0]!.message, `annotation gpu-hpa.io/gpus: "5" is not valid: 2 containers get 5 each, 10 per pod, over the policy's maxGpusPerPod 8`);
  // one container: 8 is the maximum itself
  assert.deepEqual(read({ [A.gpus]: '8' }).violations, []);
  // gpus over the maximum alone is reported once, not again as a product
  const alone = read({ [A.gpus]: '9', [A.containers]: 'server,sidecar' });
  assert.deepEqual(
    alone.violations.map((v) => v.message),
    [`annotation gpu-hpa.io/gpus: "9" is not valid: must be at most 8, the policy's maxGpusPerPod`],
  );
});

test('unknown annotations: several are one warning listing them, the suggestion says which one it is for', () => {
  const two = read({ 'gpu-hpa.io/gpu': '2', 'gpu-hpa.io/zzzzzzzzzzzzzzzz': '1' });
  assert.deepEqual(two.violations, []);
  assert.deepEqual(two.warnings, ['unknown annotations gpu-hpa.io/gpu, gpu-hpa.io/zzzzzzzzzzzzzzzz are ignored (did you mean gpu-hpa.io/gpus for gpu-hpa.io/gpu?)']);
  const one = read({ 'gpu-hpa.io/gpu': '2' });
  assert.deepEqual(one.warnings, ['unknown annotation gpu-hpa.io/gpu is ignored (did you mean gpu-hpa.io/gpus?)']);
  const far = read({ 'gpu-hpa.io/zzzzzzzzzzzzzzzz': '1', 'gpu-hpa.io/yyyyyyyyyyyyyyyyyy': '1' });
  assert.deepEqual(far.warnings, ['unknown annotations gpu-hpa.io/zzzzzzzzzzzzzzzz, gpu-hpa.io/yyyyyyyyyyyyyyyyyy are ignored']);
  const many = read({ 'gpu-hpa.io/a1': '1', 'gpu-hpa.io/a2': '1', 'gpu-hpa.io/a3': '1', 'gpu-hpa.io/a4': '1', 'gpu-hpa.io/a5': '1' });
  assert.match(many.warnings[0]!, /^unknown annotations gpu-hpa\.io\/a1, gpu-hpa\.io\/a2, gpu-hpa\.io\/a3 and 2 more are ignored/);
  // a key that merely contains the prefix elsewhere is not ours
  assert.deepEqual(read({ 'x.gpu-hpa.io/gpu': '1' }).warnings, []);
});

test('every refusal in full: the annotation, the value as written and what is allowed', () => {
  const only = (ann: Record<string, string>, extra?: Parameters<typeof plainDeployment>[1]) => {
    const r = read(ann, extra);
    assert.equal(r.settings, undefined, JSON.stringify(ann));
    assert.equal(r.violations.length, 1, JSON.stringify(r.violations));
    assert.equal(r.violations[0]!.reason, 'invalid-annotation');
    return r.violations[0]!;
  };
  assert.deepEqual(rfm(only({ [A.profile]: 'zzzzzzzzzz' })), {
    reason: 'invalid-annotation',
    field: field(A.profile),
    message: `annotation gpu-hpa.io/profile: "zzzzzzzzzz" is not valid: must be one of the policy's profiles: inference, training, batch`,
  });
  assert.equal(only({ [A.hpa]: 'auto' }).message, 'annotation gpu-hpa.io/hpa: "auto" is not valid: must be "managed" (the webhook owns the HPA) or "external" (you bring your own HPA)');
  assert.equal(only({ [A.metric]: 'a%b' }).message, 'annotation gpu-hpa.io/metric: "a%b" is not valid: must be a metric name such as gpu_utilization (no "/" or "%")');
  assert.match(only({ [A.target]: '1K' }).message, /^annotation gpu-hpa\.io\/target: "1K" is not valid: must be a Kubernetes quantity such as 30 or 750m \(invalid quantity "1K": /);
  assert.equal(only({ [A.target]: '0' }).message, 'annotation gpu-hpa.io/target: "0" is not valid: must be greater than zero: it is the per-pod average the HPA aims for');
  assert.equal(only({ [A.minReplicas]: '0' }).message, 'annotation gpu-hpa.io/min-replicas: "0" is not valid: must be a whole number of at least 1');
  assert.deepEqual(rfm(only({ [A.minReplicas]: '4', [A.maxReplicas]: '3' })), {
    reason: 'invalid-annotation',
    field: field(A.maxReplicas),
    message: 'annotation gpu-hpa.io/max-replicas: "3" is not valid: must be at least gpu-hpa.io/min-replicas (4)',
  });
  assert.deepEqual(rfm(only({ [A.minReplicas]: '9' })), {
    reason: 'invalid-annotation',
    field: field(A.minReplicas),
    message: 'annotation gpu-hpa.io/min-replicas: "9" is not valid: exceeds the profile "inference" default maxReplicas 8: set gpu-hpa.io/max-replicas too',
  });
  assert.equal(only({ [A.maxReplicas]: '33' }).message, 'annotation gpu-hpa.io/max-replicas: "33" is not valid: must be at most 32, the cap of profile "inference"');
  assert.equal(
    only({ [A.gpuResource]: 'amd.com/gpu' }).message,
    'annotation gpu-hpa.io/gpu-resource: "amd.com/gpu" is not valid: must be one of nvidia.com/gpu, nvidia.com/gpu.shared, nvidia.com/mig-*',
  );
  assert.equal(only({ [A.containers]: ' , ' }).message, 'annotation gpu-hpa.io/containers: " , " is not valid: must name at least one container');
  assert.equal(
    only({ [A.containers]: 'sever' }).message,
    'annotation gpu-hpa.io/containers: "sever" is not valid: names container "sever", which is not in spec.template.spec.containers (server, sidecar); did you mean server?',
  );
  assert.equal(
    only({ [A.containers]: 'server,zzzzzzzz' }).message,
    'annotation gpu-hpa.io/containers: "server,zzzzzzzz" is not valid: names container "zzzzzzzz", which is not in spec.template.spec.containers (server, sidecar)',
  );
  assert.equal(
    only({ [A.containers]: 'a1,b2' }).message,
    'annotation gpu-hpa.io/containers: "a1,b2" is not valid: names 2 containers that are not in spec.template.spec.containers (server, sidecar): "a1", "b2"',
  );
  const none = read({ [A.containers]: 'server' }, (d) => (d.spec.template.spec.containers = []));
  assert.deepEqual(
    none.violations.map((v) => v.message),
    ['annotation gpu-hpa.io/containers: "server" is not valid: names container "server", which is not in spec.template.spec.containers (none)'],
  );
  assert.deepEqual(read({}, (d) => (d.spec.template.spec.containers = [])).violations.map(rfm), [
    { reason: 'no-containers', field: 'spec.template.spec.containers', message: 'spec.template.spec.containers is empty: there is no container to give a GPU to' },
  ]);
});

test('containers: a container spec that is not an object, or a pod whose containers are not a list, offers no names', () => {
  const odd = read({}, (d) => d.spec.template.spec.containers.unshift(null, 'x', { name: 7 }));
  assert.deepEqual(odd.settings?.containers, ['server']);
  const notList = read({}, (d) => (d.spec.template.spec.containers = { name: 'server' }));
  assert.deepEqual(
    notList.violations.map((v) => v.reason),
    ['no-containers'],
  );
  // with an annotation, the names are matched in pod order and repeats count once
  assert.deepEqual(read({ [A.containers]: 'sidecar,server,sidecar' }).settings?.containers, ['server', 'sidecar']);
});
