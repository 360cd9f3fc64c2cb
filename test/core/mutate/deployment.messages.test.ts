// The refusals of Deployment mutation word for word (issue 19: string mutants count for mutate/*, and a
// conflict message that loses its container, its value or its fix is a defect a team reads), and the
// injected record as the JSON the gpu-hpa.io/mutated annotation carries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings } from '../../../src/core/annotations.js';
import { mutateDeployment } from '../../../src/core/mutate/deployment.js';
import { defaultPolicy, plainDeployment } from '../../helpers/fixtures.js';

const policy = defaultPolicy();
function mutate(dep: unknown) {
  const { settings, violations } = readSettings(dep as never, policy);
  assert.deepEqual(violations, []);
  return mutateDeployment(dep as never, settings!, policy);
}

test('conflict messages name the container, the value, the annotation and the fix', () => {
  const dep = plainDeployment({ 'gpu-hpa.io/gpus': '2' }, (d) => {
    d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu.shared': '1', 'nvidia.com/gpu': '3' };
    d.spec.template.spec.containers[0].resources.requests['nvidia.com/gpu'] = '1';
  });
  assert.deepEqual(mutate(dep).conflicts, [
    {
      reason: 'gpu-resource-conflict',
      field: 'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu.shared"]',
      message: 'container "server" already asks for nvidia.com/gpu.shared, but gpu-hpa.io/gpu-resource is nvidia.com/gpu; set gpu-hpa.io/gpu-resource: nvidia.com/gpu.shared or remove the limit',
    },
    {
      reason: 'gpu-count-conflict',
      field: 'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]',
      message: 'container "server" asks for 3 nvidia.com/gpu but gpu-hpa.io/gpus says 2; make them agree (the webhook never overwrites an explicit value)',
    },
    {
      reason: 'gpu-count-conflict',
      field: 'spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"]',
      message: 'container "server" requests 1 nvidia.com/gpu but gpu-hpa.io/gpus says 2; extended resources need requests equal to limits',
    },
  ]);
});

test('conflicts on the second chosen container carry its own index and name', () => {
  const dep = plainDeployment({ 'gpu-hpa.io/containers': 'server,sidecar' }, (d) => (d.spec.template.spec.containers[1].resources.limits = { 'nvidia.com/gpu': '4' }));
  const m = mutate(dep);
  assert.deepEqual(
    m.conflicts.map((c) => [c.field, c.message.slice(0, 40)]),
    [['spec.template.spec.containers[1].resources.limits["nvidia.com/gpu"]', 'container "sidecar" asks for 4 nvidia.co']],
  );
  assert.deepEqual(m.patch, []);
});

test('the record is the JSON of what was injected, and the patch adds nothing else', () => {
  const m = mutate(plainDeployment({ team: 'x' }));
  assert.deepEqual(m.conflicts, []);
  assert.deepEqual(m.injected, {
    tolerations: ['nvidia.com/gpu:NoSchedule'],
    resources: { server: { 'limits.nvidia.com/gpu': '1' } },
    nodeSelector: ['nvidia.com/gpu.present=true'],
  });
  assert.deepEqual(m.patch, [
    { op: 'add', path: '/spec/template/spec/tolerations', value: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] },
    { op: 'add', path: '/spec/template/spec/containers/0/resources/limits', value: { 'nvidia.com/gpu': '1' } },
    { op: 'add', path: '/spec/template/spec/nodeSelector', value: { 'nvidia.com/gpu.present': 'true' } },
    { op: 'add', path: '/metadata/annotations/gpu-hpa.io~1mutated', value: JSON.stringify(m.injected) },
  ]);
});

test('a container without resources gets the whole member; one with a limits map gets the one key, escaped', () => {
  const none = mutate(plainDeployment({}, (d) => delete d.spec.template.spec.containers[0].resources));
  assert.deepEqual(
    none.patch.filter((o) => o.path.includes('/containers/')),
    [{ op: 'add', path: '/spec/template/spec/containers/0/resources', value: { limits: { 'nvidia.com/gpu': '1' } } }],
  );
  const map = mutate(plainDeployment({}, (d) => (d.spec.template.spec.containers[0].resources.limits = { cpu: '2' })));
  assert.deepEqual(
    map.patch.filter((o) => o.path.includes('/containers/')),
    [{ op: 'add', path: '/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu', value: '1' }],
  );
  // limits that are not a map: left to the shape check, nothing injected for that container
  const odd = mutate(plainDeployment({}, (d) => (d.spec.template.spec.containers[0].resources.limits = 'x')));
  assert.deepEqual(
    odd.patch.filter((o) => o.path.includes('/containers/')),
    [],
  );
  assert.equal(odd.injected.resources, undefined);
});

test('metadata that is not an object: the record goes to the annotation path (the shape check reports the object)', () => {
  const p = defaultPolicy();
  const settings = readSettings(plainDeployment(), p).settings!;
  const m = mutateDeployment(
    plainDeployment({}, (d) => (d.metadata = 'x')),
    settings,
    p,
  );
  assert.deepEqual(m.patch.at(-1)?.path, '/metadata/annotations/gpu-hpa.io~1mutated');
});

test('nodeSelector that is not a map is left alone; a toleration list that is not a list too', () => {
  const m = mutate(plainDeployment({}, (d) => (d.spec.template.spec.nodeSelector = ['x'])));
  assert.ok(!m.patch.some((o) => o.path.startsWith('/spec/template/spec/nodeSelector')));
  assert.equal(m.injected.nodeSelector, undefined);
  const t = mutate(plainDeployment({}, (d) => (d.spec.template.spec.tolerations = 'x')));
  assert.ok(!t.patch.some((o) => o.path.startsWith('/spec/template/spec/tolerations')));
  assert.equal(t.injected.tolerations, undefined);
});
