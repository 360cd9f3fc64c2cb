import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parsePolicy, PolicyError } from '../../../src/core/policy/schema.js';
import { ROOT } from '../../helpers/fixtures.js';

const base = () => parse(readFileSync(ROOT + 'policies/default.yaml', 'utf8'));

test('policies/default.yaml is valid and has the inference, training and batch profiles', () => {
  const p = parsePolicy(base(), 'default.yaml');
  assert.deepEqual(Object.keys(p.profiles).sort(), ['batch', 'inference', 'training']);
  assert.equal(p.enforcement, 'deny');
  assert.equal(p.defaultMetric, 'gpu_utilization');
});

// Each broken policy: the path of the bad field must appear in the error.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const broken: Array<[string, (d: any) => void, RegExp]> = [
  ['unknown top-level key', (d) => (d.enforcment = 'warn'), /\(root\): Unrecognized key: "enforcment"/],
  ['unknown profile key', (d) => (d.profiles.batch.maxReplica = 3), /profiles\.batch: Unrecognized key: "maxReplica"/],
  ['enforcement value', (d) => (d.enforcement = 'block'), /enforcement: /],
  ['defaultProfile not among profiles', (d) => (d.defaultProfile = 'serving'), /defaultProfile: names profile "serving"/],
  ['maxReplicas over the cap', (d) => (d.profiles.training.maxReplicas = 99), /profiles\.training\.maxReplicas: 99 exceeds maxReplicasCap 16/],
  ['behavior period out of range', (d) => (d.profiles.inference.behavior.scaleUp.policies[0].periodSeconds = 4000), /profiles\.inference\.behavior\.scaleUp\.policies\.0\.periodSeconds/],
  ['empty behavior policies', (d) => (d.profiles.inference.behavior.scaleDown.policies = []), /profiles\.inference\.behavior\.scaleDown\.policies/],
  [
    'own stabilization below own minimum',
    (d) => (d.profiles.batch.behavior.scaleDown.stabilizationWindowSeconds = 60),
    /profiles\.batch\.behavior\.scaleDown\.stabilizationWindowSeconds: 60 is below/,
  ],
  ['gpuResource not an extended resource', (d) => (d.gpuResource = 'gpu'), /gpuResource: must be a domain-qualified extended resource name/],
  ['kubernetes.io is not an extended resource domain', (d) => (d.gpuResource = 'kubernetes.io/gpu'), /gpuResource/],
  ['toleration operator', (d) => (d.tolerations[0].operator = 'Present'), /tolerations\.0\.operator/],
];
for (const [name, breakIt, re] of broken) {
  test(`policy error names the field: ${name}`, () => {
    const d = base();
    breakIt(d);
    assert.throws(
      () => parsePolicy(d, 'p.yaml'),
      (e: unknown) => {
        assert.ok(e instanceof PolicyError);
        assert.match(e.message, /^invalid policy p\.yaml:/);
        assert.match(e.message, re);
        return true;
      },
    );
  });
}
