// Golden patches for Deployment mutation. Expected patches are written by hand from the spec, not
// captured from the output; they are compared as sets (the op order is not part of the contract).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import jsonpatch from 'fast-json-patch';
import { readSettings } from '../../../src/core/annotations.js';
import { mutateDeployment } from '../../../src/core/mutate/deployment.js';
import { defaultPolicy, fixture, plainDeployment, sortOps } from '../../helpers/fixtures.js';

const policy = defaultPolicy();

function mutate(dep: unknown, p = policy) {
  const { settings, violations } = readSettings(dep as never, p);
  assert.deepEqual(violations, []);
  const m = mutateDeployment(dep as never, settings!, p);
  return { ...m, object: applied(dep, m.patch) };
}

/** The object the API server would store: the patch applied to a copy (validated as RFC 6902). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function applied(dep: unknown, patch: jsonpatch.Operation[]): any {
  assert.equal(jsonpatch.validate(patch, structuredClone(dep)), undefined, `patch does not apply: ${JSON.stringify(patch)}`);
  return jsonpatch.applyPatch(structuredClone(dep), patch, true, false).newDocument;
}

test('seed-000 Deployment (already 1 GPU and the toleration): only the nodeSelector and the record are added', () => {
  const dep = fixture('seed-000/deployment.yaml');
  const { patch, conflicts } = mutate(dep);
  assert.deepEqual(conflicts, []);
  assert.deepEqual(sortOps(patch), [
    { op: 'add', path: '/metadata/annotations', value: { 'gpu-hpa.io/mutated': '{"nodeSelector":["nvidia.com/gpu.present=true"]}' } },
    { op: 'add', path: '/spec/template/spec/nodeSelector', value: { 'nvidia.com/gpu.present': 'true' } },
  ]);
});

test('a Deployment with no GPU settings gets toleration, limit on the first container, nodeSelector', () => {
  const dep = plainDeployment();
  const { patch } = mutate(dep);
  const record = {
    tolerations: ['nvidia.com/gpu:NoSchedule'],
    resources: { server: { 'limits.nvidia.com/gpu': '1' } },
    nodeSelector: ['nvidia.com/gpu.present=true'],
  };
  assert.deepEqual(sortOps(patch), [
    { op: 'add', path: '/metadata/annotations/gpu-hpa.io~1mutated', value: JSON.stringify(record) },
    { op: 'add', path: '/spec/template/spec/containers/0/resources/limits', value: { 'nvidia.com/gpu': '1' } },
    { op: 'add', path: '/spec/template/spec/nodeSelector', value: { 'nvidia.com/gpu.present': 'true' } },
    { op: 'add', path: '/spec/template/spec/tolerations', value: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
  ]);
  // the sidecar is untouched
  const after = jsonpatch.applyPatch(structuredClone(dep), patch).newDocument;
  assert.deepEqual(after.spec.template.spec.containers[1], dep.spec.template.spec.containers[1]);
});

test('chosen containers, GPU count and resource from annotations; requests matched where set', () => {
  const dep = plainDeployment({ 'gpu-hpa.io/containers': 'sidecar', 'gpu-hpa.io/gpus': '2', 'gpu-hpa.io/gpu-resource': 'nvidia.com/mig-1g.10gb' }, (d) => {
    d.spec.template.spec.containers[1].resources.requests['nvidia.com/mig-1g.10gb'] = '2';
    d.spec.template.spec.tolerations = [{ operator: 'Exists' }]; // tolerates everything already
    d.spec.template.spec.nodeSelector = { 'nvidia.com/gpu.present': 'false' }; // the team's explicit choice
  });
  const { patch } = mutate(dep);
  assert.deepEqual(
    sortOps(patch).map((o) => [o.op, o.path, 'value' in o ? o.value : undefined]),
    [
      ['add', '/metadata/annotations/gpu-hpa.io~1mutated', '{"resources":{"sidecar":{"limits.nvidia.com/mig-1g.10gb":"2"}}}'],
      ['add', '/spec/template/spec/containers/1/resources/limits', { 'nvidia.com/mig-1g.10gb': '2' }],
    ],
  );
});

test('an explicit conflicting GPU count is denied, never overwritten', () => {
  const dep = plainDeployment({ 'gpu-hpa.io/gpus': '1' }, (d) => (d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': 2 }));
  const { conflicts, patch } = mutate(dep);
  assert.deepEqual(patch, []);
  assert.equal(conflicts.length, 1);
  assert.equal(conflicts[0]!.reason, 'gpu-count-conflict');
  assert.equal(conflicts[0]!.field, 'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]');
  assert.match(conflicts[0]!.message, /container "server" asks for 2 nvidia\.com\/gpu but gpu-hpa\.io\/gpus says 1/);
});

test('requests that disagree with the GPU count are denied (extended resources need requests == limits)', () => {
  const dep = plainDeployment({}, (d) => (d.spec.template.spec.containers[0].resources.requests['nvidia.com/gpu'] = '3'));
  const { conflicts } = mutate(dep);
  assert.equal(conflicts[0]?.reason, 'gpu-count-conflict');
  assert.match(conflicts[0].message, /requests 3 nvidia\.com\/gpu/);
});

test('equal quantities in another spelling are not a conflict ("1" vs 1 vs "1000m")', () => {
  const dep = plainDeployment({}, (d) => {
    d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': '1000m' };
  });
  const { conflicts } = mutate(dep);
  assert.deepEqual(conflicts, []);
});

test('another GPU resource on a chosen container is a conflict naming the fix', () => {
  const dep = plainDeployment({}, (d) => (d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/mig-1g.10gb': 1 }));
  const { conflicts } = mutate(dep);
  assert.equal(conflicts[0]?.reason, 'gpu-resource-conflict');
  assert.match(conflicts[0].message, /set gpu-hpa\.io\/gpu-resource: nvidia\.com\/mig-1g\.10gb/);
});

test('runtimeClassName is injected only where absent', () => {
  const p = defaultPolicy((x) => (x.runtimeClassName = 'nvidia'));
  assert.equal(mutate(plainDeployment(), p).object.spec?.template?.spec?.runtimeClassName, 'nvidia');
  const own = plainDeployment({}, (d) => (d.spec.template.spec.runtimeClassName = 'kata'));
  assert.equal(mutate(own, p).object.spec?.template?.spec?.runtimeClassName, 'kata');
});

test('idempotent: the mutated output yields no patch', () => {
  for (const dep of [plainDeployment(), fixture('seed-000/deployment.yaml')]) {
    const once = mutate(dep);
    const twice = mutate(once.object);
    assert.deepEqual(twice.patch, []);
  }
});

test('property: mutation is idempotent and never removes or replaces what the team wrote', () => {
  const container = fc.record(
    {
      name: fc.constantFrom('a', 'b', 'c'),
      resources: fc.option(
        fc.record(
          {
            limits: fc.option(fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu'), fc.constantFrom('1', 1, '500m')), { nil: undefined }),
            requests: fc.option(fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('1', '2Gi')), { nil: undefined }),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['name'] },
  );
  const toleration = fc.record({ key: fc.constantFrom('nvidia.com/gpu', 'other'), operator: fc.constantFrom('Exists', 'Equal'), effect: fc.constantFrom('NoSchedule', 'NoExecute') });
  fc.assert(
    fc.property(
      fc.uniqueArray(container, { minLength: 1, maxLength: 3, selector: (c) => c.name }),
      fc.option(fc.array(toleration, { maxLength: 3 }), { nil: undefined }),
      fc.option(fc.dictionary(fc.constantFrom('nvidia.com/gpu.present', 'zone'), fc.constantFrom('true', 'a')), { nil: undefined }),
      (containers, tolerations, nodeSelector) => {
        // through JSON, as admission objects arrive (no undefined-valued keys)
        const dep = JSON.parse(
          JSON.stringify(
            plainDeployment({}, (d) => {
              d.spec.template.spec.containers = containers;
              if (tolerations) d.spec.template.spec.tolerations = tolerations;
              if (nodeSelector) d.spec.template.spec.nodeSelector = nodeSelector;
            }),
          ),
        );
        const { settings } = readSettings(dep, policy);
        const m = mutateDeployment(dep, settings!, policy);
        const after = applied(dep, m.patch);
        // only additions: every operation, and the whole result seen as a diff from what was received
        for (const op of [...m.patch, ...jsonpatch.compare(dep, after)]) assert.equal(op.op, 'add', `mutation must only add: ${JSON.stringify(op)}`);
        if (m.conflicts.length === 0) {
          const again = mutateDeployment(after, readSettings(after, policy).settings!, policy);
          assert.deepEqual(again.patch, []);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('existing members are extended in place: tolerations appended at the next index, a limit added beside cpu', () => {
  const dep = plainDeployment({}, (d) => {
    d.spec.template.spec.tolerations = [{ key: 'team', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }];
    d.spec.template.spec.containers[0].resources.limits = { cpu: '4' };
    d.spec.template.spec.nodeSelector = { zone: 'a' };
  });
  const { patch } = mutate(dep);
  assert.deepEqual(
    sortOps(patch).map((o) => [o.path, 'value' in o ? o.value : undefined]),
    [
      [
        '/metadata/annotations/gpu-hpa.io~1mutated',
        JSON.stringify({ tolerations: ['nvidia.com/gpu:NoSchedule'], resources: { server: { 'limits.nvidia.com/gpu': '1' } }, nodeSelector: ['nvidia.com/gpu.present=true'] }),
      ],
      ['/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', '1'],
      ['/spec/template/spec/nodeSelector/nvidia.com~1gpu.present', 'true'],
      ['/spec/template/spec/tolerations/1', { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    ],
  );
});

test('null members are unset (Go nil, a bare `key:` in YAML): filled like absent ones, nothing else touched', () => {
  const dep = plainDeployment({}, (d) => {
    d.metadata.annotations = null;
    d.spec.template.spec.tolerations = null;
    d.spec.template.spec.nodeSelector = null;
    d.spec.template.spec.containers[0].resources = null;
  });
  const { patch, object } = mutate(dep);
  assert.deepEqual(
    sortOps(patch).map((o) => o.path),
    ['/metadata/annotations', '/spec/template/spec/containers/0/resources', '/spec/template/spec/nodeSelector', '/spec/template/spec/tolerations'],
  );
  assert.deepEqual(object.spec.template.spec.containers[0].resources, { limits: { 'nvidia.com/gpu': '1' } });
  assert.deepEqual(object.spec.template.spec.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  assert.deepEqual(object.spec.template.spec.containers[1], dep.spec.template.spec.containers[1]);
});
