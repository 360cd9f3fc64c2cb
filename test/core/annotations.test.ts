import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings } from '../../src/core/annotations.js';
import { defaultPolicy, plainDeployment } from '../helpers/fixtures.js';

const policy = defaultPolicy();

test('defaults come from the policy and its default profile', () => {
  const { settings, violations } = readSettings(plainDeployment(), policy);
  assert.deepEqual(violations, []);
  assert.equal(settings?.metric, 'gpu_utilization');
  assert.equal(settings?.profileName, 'inference');
  assert.equal(settings?.target, '60'); // policies/default.yaml inference.target
  assert.equal(settings?.minReplicas, 1);
  assert.equal(settings?.maxReplicas, 8); // inference.maxReplicas
  assert.equal(settings?.gpus, 1);
  assert.equal(settings?.gpuResource, 'nvidia.com/gpu');
  assert.deepEqual(settings?.containers, ['server']); // the first container
  assert.equal(settings?.hpaMode, 'managed');
});

test('annotations override the defaults', () => {
  const { settings, violations } = readSettings(
    plainDeployment({
      'gpu-hpa.io/metric': 'gpu_memory_utilization',
      'gpu-hpa.io/target': '750m',
      'gpu-hpa.io/min-replicas': '2',
      'gpu-hpa.io/max-replicas': '12',
      'gpu-hpa.io/gpus': '2',
      'gpu-hpa.io/gpu-resource': 'nvidia.com/mig-1g.10gb',
      'gpu-hpa.io/containers': 'sidecar, server',
      'gpu-hpa.io/profile': 'batch',
      'gpu-hpa.io/hpa': 'external',
    }),
    policy,
  );
  assert.deepEqual(violations, []);
  assert.deepEqual(settings && { ...settings, profile: undefined }, {
    metric: 'gpu_memory_utilization',
    target: '750m',
    minReplicas: 2,
    maxReplicas: 12,
    gpus: 2,
    gpuResource: 'nvidia.com/mig-1g.10gb',
    containers: ['server', 'sidecar'], // pod order, not annotation order
    profileName: 'batch',
    profile: undefined,
    hpaMode: 'external',
  });
});

// Each invalid value: the annotation, the value, and what is allowed appear in the message.
const invalid: Array<[string, string, RegExp]> = [
  ['gpu-hpa.io/target', '1K', /gpu-hpa\.io\/target: "1K".*quantity/],
  ['gpu-hpa.io/target', '0', /gpu-hpa\.io\/target: "0".*greater than zero/],
  ['gpu-hpa.io/target', '-5', /greater than zero/],
  ['gpu-hpa.io/min-replicas', '0', /gpu-hpa\.io\/min-replicas: "0".*at least 1/],
  ['gpu-hpa.io/min-replicas', '1.5', /whole number/],
  ['gpu-hpa.io/min-replicas', ' 2', /whole number/],
  ['gpu-hpa.io/max-replicas', 'ten', /gpu-hpa\.io\/max-replicas: "ten"/],
  ['gpu-hpa.io/max-replicas', '33', /at most 32, the cap of profile "inference"/],
  ['gpu-hpa.io/gpus', '0', /gpu-hpa\.io\/gpus: "0"/],
  ['gpu-hpa.io/gpu-resource', 'amd.com/gpu', /must be one of nvidia\.com\/gpu, nvidia\.com\/gpu\.shared, nvidia\.com\/mig-\*/],
  ['gpu-hpa.io/containers', 'sever', /container "sever".*did you mean server\?/],
  ['gpu-hpa.io/profile', 'inferense', /profiles: inference, training, batch \(did you mean inference\?\)/],
  ['gpu-hpa.io/hpa', 'auto', /"managed".*"external"/],
  ['gpu-hpa.io/metric', 'a/b', /gpu-hpa\.io\/metric: "a\/b"/],
];
for (const [key, value, re] of invalid) {
  test(`invalid ${key}=${JSON.stringify(value)} is reported`, () => {
    const { settings, violations } = readSettings(plainDeployment({ [key]: value }), policy);
    assert.equal(settings, undefined);
    assert.equal(violations.length, 1, JSON.stringify(violations));
    assert.equal(violations[0]!.reason, 'invalid-annotation');
    assert.equal(violations[0]!.field, `metadata.annotations["${key}"]`);
    assert.match(violations[0]!.message, re);
  });
}

test('min-replicas above the default max asks for max-replicas', () => {
  const { violations } = readSettings(plainDeployment({ 'gpu-hpa.io/min-replicas': '10' }), policy);
  assert.match(violations[0]!.message, /min-replicas: "10".*default maxReplicas 8: set gpu-hpa\.io\/max-replicas/);
});

test('max below min names max-replicas', () => {
  const { violations } = readSettings(plainDeployment({ 'gpu-hpa.io/min-replicas': '4', 'gpu-hpa.io/max-replicas': '3' }), policy);
  assert.match(violations[0]!.message, /max-replicas: "3".*at least gpu-hpa\.io\/min-replicas \(4\)/);
});

test('all problems are reported at once', () => {
  const { violations } = readSettings(plainDeployment({ 'gpu-hpa.io/gpus': 'x', 'gpu-hpa.io/hpa': 'y' }), policy);
  assert.equal(violations.length, 2);
});

test('an unknown gpu-hpa.io annotation is a warning with a suggestion', () => {
  const { violations, warnings } = readSettings(plainDeployment({ 'gpu-hpa.io/max-replica': '3' }), policy);
  assert.deepEqual(violations, []);
  assert.match(warnings[0]!, /gpu-hpa\.io\/max-replica is ignored \(did you mean gpu-hpa\.io\/max-replicas\?\)/);
});

test('a pod without containers cannot get a GPU', () => {
  const { violations } = readSettings(
    plainDeployment({}, (d) => (d.spec.template.spec.containers = [])),
    policy,
  );
  assert.equal(violations[0]!.reason, 'no-containers');
});
