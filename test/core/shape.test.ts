// The Deployment shape check: zod's schema defines it and writes the messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { deploymentSchema, deploymentShape } from '../../src/core/shape.js';
import { fixture, plainDeployment } from '../helpers/fixtures.js';

// each field: mostly a value of the right type (~160 of 3000 whole objects come out well shaped),
// sometimes null, absent, or anything JSON can hold
const or = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 40, arbitrary: good }, fc.constant(null), fc.constant(undefined), fc.jsonValue({ maxDepth: 2 }));
const key = fc.constantFrom('a', 'nvidia.com/gpu', 'cpu', '__proto__', 'constructor', '');
const strMap = or(fc.dictionary(key, or(fc.string({ maxLength: 3 }))));
const quantities = or(fc.dictionary(key, fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))));
const meta = or(fc.record({ name: or(fc.string()), namespace: or(fc.string()), labels: strMap, annotations: strMap }, { requiredKeys: [] }));
const container = or(
  fc.record(
    { name: or(fc.constantFrom('server', 'sidecar')), image: or(fc.string()), resources: or(fc.record({ limits: quantities, requests: quantities }, { requiredKeys: [] })) },
    { requiredKeys: [] },
  ),
);
const toleration = or(
  fc.record({ key: or(fc.string()), operator: or(fc.constantFrom('Exists', 'Equal')), value: or(fc.string()), effect: or(fc.string()), tolerationSeconds: or(fc.integer()) }, { requiredKeys: [] }),
);
const podSpec = or(
  fc.record(
    {
      containers: or(fc.array(container, { maxLength: 3 })),
      initContainers: or(fc.array(or(fc.record({ name: fc.string() })), { maxLength: 2 })),
      tolerations: or(fc.array(toleration, { maxLength: 3 })),
      nodeSelector: strMap,
      runtimeClassName: or(fc.string()),
    },
    { requiredKeys: [] },
  ),
);
const deployment = or(
  fc.record({ metadata: meta, spec: or(fc.record({ template: or(fc.record({ metadata: meta, spec: podSpec }, { requiredKeys: [] })) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
);

test('property: a generated object (as JSON delivers it) has no violations exactly when the schema accepts it, else each names its field', () => {
  let good = 0;
  fc.assert(
    fc.property(deployment, (d) => {
      const obj: unknown = d === undefined ? undefined : JSON.parse(JSON.stringify(d));
      const zod = deploymentSchema.safeParse(obj).success;
      if (zod) good++;
      const found = deploymentShape(obj);
      assert.equal(found.length === 0, zod);
      for (const v of found) assert.ok(v.message.startsWith(`${v.field || '(object)'}: `), v.message);
    }),
    { numRuns: 3000 },
  );
  assert.ok(good > 30, `the generator must produce well-shaped objects too (got ${good})`);
});

test('the seed Deployments and a hand-written one are well shaped; a broken field is named', () => {
  assert.deepEqual(deploymentShape(fixture('seed-000/deployment.yaml')), []);
  assert.deepEqual(deploymentShape(plainDeployment()), []);
  const bad = plainDeployment({}, (d) => (d.spec.template.spec.containers[1].resources.limits = { 'nvidia.com/gpu': true }));
  const [v] = deploymentShape(bad);
  assert.equal(v?.reason, 'api-malformed-object');
  assert.equal(v?.field, 'spec.template.spec.containers[1].resources.limits.nvidia.com/gpu');
});
