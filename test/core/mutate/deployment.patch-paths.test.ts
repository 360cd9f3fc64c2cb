// Every patch path of Deployment mutation (issue 19): several additions to an existing list or map
// (two tolerations appended at consecutive indexes, two nodeSelector keys), GPU limits on several
// containers, each shape of metadata for the record, and what is skipped (malformed members, other
// containers, explicit values). Expected patches are written from the spec, applied with
// fast-json-patch to check they are valid RFC 6902 against the object as received.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { readSettings } from '../../../src/core/annotations.js';
import { mutateDeployment } from '../../../src/core/mutate/deployment.js';
import type { Policy } from '../../../src/core/policy/schema.js';
import { defaultPolicy, plainDeployment, sortOps } from '../../helpers/fixtures.js';

const GPU_TOL = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' };
const DEDICATED_TOL = { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoExecute' };

function twoTolerations(p: Policy): void {
  p.tolerations = [GPU_TOL as never, DEDICATED_TOL as never];
}

function mutate(dep: unknown, p: Policy = defaultPolicy()) {
  const { settings, violations } = readSettings(dep as never, p);
  assert.deepEqual(violations, []);
  const m = mutateDeployment(dep as never, settings!, p);
  return { ...m, object: applied(dep, m.patch) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function applied(dep: unknown, patch: jsonpatch.Operation[]): any {
  assert.equal(jsonpatch.validate(patch, structuredClone(dep)), undefined, `patch does not apply: ${JSON.stringify(patch)}`);
  return jsonpatch.applyPatch(structuredClone(dep), patch, true, false).newDocument;
}

const at = (patch: jsonpatch.Operation[], path: string) => patch.filter((o) => o.path === path);
const record = (patch: jsonpatch.Operation[]) => {
  const op = patch.find((o) => o.path.endsWith('gpu-hpa.io~1mutated') || o.path === '/metadata/annotations' || o.path === '/metadata');
  assert.ok(op && 'value' in op, JSON.stringify(patch));
  const v = op.value as unknown;
  const text =
    typeof v === 'string' ? v : op.path === '/metadata' ? (v as { annotations: Record<string, string> }).annotations['gpu-hpa.io/mutated'] : (v as Record<string, string>)['gpu-hpa.io/mutated'];
  return JSON.parse(text!);
};

test("two tolerations added to an existing list: appended at the next two indexes, in policy order, the team's kept first", () => {
  const p = defaultPolicy(twoTolerations);
  const team = [
    { key: 'team', operator: 'Equal', value: 'ml', effect: 'NoSchedule' },
    { key: 'spot', operator: 'Exists', effect: 'NoSchedule' },
  ];
  const dep = plainDeployment({}, (d) => (d.spec.template.spec.tolerations = structuredClone(team)));
  const { patch, object, injected } = mutate(dep, p);
  const tolOps = patch.filter((o) => o.path.startsWith('/spec/template/spec/tolerations'));
  assert.deepEqual(sortOps(tolOps), [
    { op: 'add', path: '/spec/template/spec/tolerations/2', value: GPU_TOL },
    { op: 'add', path: '/spec/template/spec/tolerations/3', value: DEDICATED_TOL },
  ]);
  assert.deepEqual(object.spec.template.spec.tolerations, [...team, GPU_TOL, DEDICATED_TOL]);
  assert.deepEqual(injected.tolerations, ['nvidia.com/gpu:NoSchedule', 'dedicated=gpu:NoExecute']);
  // sent again, the output is left alone
  const again = mutate(object, p);
  assert.deepEqual(again.patch, []);
});

test('two tolerations onto an absent list: one add of the whole list', () => {
  const p = defaultPolicy(twoTolerations);
  const { patch, object } = mutate(plainDeployment(), p);
  assert.deepEqual(at(patch, '/spec/template/spec/tolerations'), [{ op: 'add', path: '/spec/template/spec/tolerations', value: [GPU_TOL, DEDICATED_TOL] }]);
  assert.deepEqual(object.spec.template.spec.tolerations, [GPU_TOL, DEDICATED_TOL]);
});

test('tolerations: one of two already covered, the other appended at the end; a policy repeat is added once', () => {
  const p = defaultPolicy(twoTolerations);
  const dep = plainDeployment({}, (d) => (d.spec.template.spec.tolerations = [{ key: 'dedicated', operator: 'Exists' }]));
  const { patch, object } = mutate(dep, p);
  assert.deepEqual(
    patch.filter((o) => o.path.startsWith('/spec/template/spec/tolerations')),
    [{ op: 'add', path: '/spec/template/spec/tolerations/1', value: GPU_TOL }],
  );
  assert.equal(object.spec.template.spec.tolerations.length, 2);

  const repeated = defaultPolicy((q) => (q.tolerations = [GPU_TOL as never, { ...GPU_TOL } as never]));
  const r = mutate(plainDeployment(), repeated);
  assert.deepEqual(at(r.patch, '/spec/template/spec/tolerations'), [{ op: 'add', path: '/spec/template/spec/tolerations', value: [GPU_TOL] }]);
  assert.deepEqual(r.injected.tolerations, ['nvidia.com/gpu:NoSchedule']);
  // the added toleration is a copy: the policy object is not shared with the patch
  assert.notEqual((at(r.patch, '/spec/template/spec/tolerations')[0] as { value: object[] }).value[0], repeated.tolerations[0]);
});

test('tolerations that are not a list are left to the shape check: nothing is added there, the rest still is', () => {
  const dep = plainDeployment({}, (d) => (d.spec.template.spec.tolerations = 'nvidia.com/gpu'));
  const { patch } = mutateDeployment(dep, readSettings(dep, defaultPolicy()).settings!, defaultPolicy());
  assert.deepEqual(
    patch.filter((o) => o.path.includes('tolerations')),
    [],
  );
  assert.ok(patch.some((o) => o.path === '/spec/template/spec/nodeSelector'));
});

test('two nodeSelector keys added to an existing map: one add per missing key, a key the team set (even to "") kept', () => {
  const p = defaultPolicy((q) => (q.nodeSelector = { 'nvidia.com/gpu.present': 'true', 'node.kubernetes.io/pool': 'gpu', zone: 'b' }));
  const dep = plainDeployment({}, (d) => (d.spec.template.spec.nodeSelector = { zone: '' }));
  const { patch, object, injected } = mutate(dep, p);
  assert.deepEqual(sortOps(patch.filter((o) => o.path.includes('nodeSelector'))), [
    { op: 'add', path: '/spec/template/spec/nodeSelector/node.kubernetes.io~1pool', value: 'gpu' },
    { op: 'add', path: '/spec/template/spec/nodeSelector/nvidia.com~1gpu.present', value: 'true' },
  ]);
  assert.deepEqual(object.spec.template.spec.nodeSelector, { zone: '', 'nvidia.com/gpu.present': 'true', 'node.kubernetes.io/pool': 'gpu' });
  assert.deepEqual(injected.nodeSelector, ['nvidia.com/gpu.present=true', 'node.kubernetes.io/pool=gpu']);
  // a nodeSelector that is not a map is left alone
  const bad = plainDeployment({}, (d) => (d.spec.template.spec.nodeSelector = ['x']));
  const m = mutateDeployment(bad, readSettings(bad, p).settings!, p);
  assert.deepEqual(
    m.patch.filter((o) => o.path.includes('nodeSelector')),
    [],
  );
  assert.equal(m.injected.nodeSelector, undefined);
  // every key already set: nothing, and no record of a nodeSelector
  const full = plainDeployment({}, (d) => (d.spec.template.spec.nodeSelector = { 'nvidia.com/gpu.present': 'false' }));
  const f = mutate(full);
  assert.deepEqual(
    f.patch.filter((o) => o.path.includes('nodeSelector')),
    [],
  );
  assert.equal(record(f.patch).nodeSelector, undefined);
});

test('GPU limits on two chosen containers: each at its own index, by the shape of its resources', () => {
  const dep = plainDeployment({ 'gpu-hpa.io/containers': 'server,sidecar', 'gpu-hpa.io/gpus': '2' }, (d) => {
    delete d.spec.template.spec.containers[0].resources; // absent resources
    d.spec.template.spec.containers[1].resources.limits = { memory: '1Gi' }; // limits beside memory
    d.spec.template.spec.containers.push({ name: 'logger', image: 'x' }); // not chosen
  });
  const { patch, object, injected } = mutate(dep);
  assert.deepEqual(sortOps(patch.filter((o) => o.path.includes('/containers/'))), [
    { op: 'add', path: '/spec/template/spec/containers/0/resources', value: { limits: { 'nvidia.com/gpu': '2' } } },
    { op: 'add', path: '/spec/template/spec/containers/1/resources/limits/nvidia.com~1gpu', value: '2' },
  ]);
  assert.deepEqual(object.spec.template.spec.containers[1].resources.limits, { memory: '1Gi', 'nvidia.com/gpu': '2' });
  assert.deepEqual(object.spec.template.spec.containers[2], { name: 'logger', image: 'x' });
  assert.deepEqual(injected.resources, { server: { 'limits.nvidia.com/gpu': '2' }, sidecar: { 'limits.nvidia.com/gpu': '2' } });
  assert.deepEqual(record(patch).resources, injected.resources);
});

test('malformed containers and resources are skipped, not patched (the shape check reports them)', () => {
  const p = defaultPolicy();
  const dep = plainDeployment({ 'gpu-hpa.io/containers': 'server,sidecar' }, (d) => {
    d.spec.template.spec.containers[0].resources = 'lots';
    d.spec.template.spec.containers[1].resources = { limits: ['nvidia.com/gpu'] };
  });
  const m = mutateDeployment(dep, readSettings(dep, p).settings!, p);
  assert.deepEqual(
    m.patch.filter((o) => o.path.includes('/containers/')),
    [],
  );
  assert.equal(m.injected.resources, undefined);
  assert.deepEqual(m.conflicts, []);
  // a container that is not an object or has no string name is passed over, the next one still gets its GPU
  const odd = plainDeployment({ 'gpu-hpa.io/containers': 'sidecar' }, (d) => {
    d.spec.template.spec.containers.unshift(null, { name: 7 });
  });
  const settings = { ...readSettings(plainDeployment({ 'gpu-hpa.io/containers': 'sidecar' }), p).settings! };
  const o = mutateDeployment(odd, settings, p);
  assert.deepEqual(
    o.patch.filter((x) => x.path.includes('/containers/')).map((x) => x.path),
    ['/spec/template/spec/containers/3/resources/limits'],
  );
  // no pod spec at all: nothing to do
  const noPod = mutateDeployment(
    plainDeployment({}, (d) => delete d.spec.template.spec),
    settings,
    p,
  );
  assert.deepEqual(noPod, { patch: [], injected: {}, conflicts: [] });
  // containers that are not a list: tolerations and the rest are still injected
  const notList = mutateDeployment(
    plainDeployment({}, (d) => (d.spec.template.spec.containers = { a: 1 })),
    settings,
    p,
  );
  assert.ok(notList.patch.some((x) => x.path === '/spec/template/spec/tolerations'));
  assert.ok(!notList.patch.some((x) => x.path.includes('/containers')));
});

test('conflicts: another nvidia.com/ resource or the policy resource is named with the fix; other resources are not conflicts', () => {
  const other = plainDeployment({}, (d) => (d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/mig-1g.10gb': '1', 'amd.com/gpu': '1', cpu: '2' }));
  const m = mutate(other);
  assert.deepEqual(
    m.conflicts.map((c) => [c.reason, c.field]),
    [['gpu-resource-conflict', 'spec.template.spec.containers[0].resources.limits["nvidia.com/mig-1g.10gb"]']],
  );
  assert.ok(m.conflicts[0]!.message.includes('"server"'), m.conflicts[0]!.message);
  assert.ok(m.conflicts[0]!.message.includes('gpu-hpa.io/gpu-resource: nvidia.com/mig-1g.10gb'), m.conflicts[0]!.message);
  assert.deepEqual(m.patch, [], 'a conflict means no patch at all');
  assert.deepEqual(m.injected, {});
  // a MIG resource chosen, the policy's nvidia.com/gpu already asked for: a conflict
  const mig = plainDeployment({ 'gpu-hpa.io/gpu-resource': 'nvidia.com/mig-1g.10gb' }, (d) => (d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': '1' }));
  const g = mutate(mig);
  assert.deepEqual(
    g.conflicts.map((c) => c.field),
    ['spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]'],
  );
  // a policy whose resource is not nvidia.com/: that resource is a conflict too, other vendors' are not
  const amdPolicy = defaultPolicy((q) => {
    q.gpuResource = 'amd.com/gpu';
    q.allowedGpuResources = ['amd.com/gpu', 'amd.com/gpu-partition'];
  });
  const amd = plainDeployment({ 'gpu-hpa.io/gpu-resource': 'amd.com/gpu-partition' }, (d) => (d.spec.template.spec.containers[0].resources.limits = { 'amd.com/gpu': '1', 'example.com/fpga': '1' }));
  const a = mutate(amd, amdPolicy);
  assert.deepEqual(
    a.conflicts.map((c) => c.field),
    ['spec.template.spec.containers[0].resources.limits["amd.com/gpu"]'],
  );
});

test('conflicts: a count that differs in limits or requests names the field, the value and the annotation', () => {
  const dep = plainDeployment({ 'gpu-hpa.io/gpus': '2' }, (d) => {
    d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': 3 };
    d.spec.template.spec.containers[0].resources.requests['nvidia.com/gpu'] = '1';
  });
  const m = mutate(dep);
  assert.deepEqual(
    m.conflicts.map((c) => [c.reason, c.field]),
    [
      ['gpu-count-conflict', 'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]'],
      ['gpu-count-conflict', 'spec.template.spec.containers[0].resources.requests["nvidia.com/gpu"]'],
    ],
  );
  assert.match(m.conflicts[0]!.message, /"server" asks for 3 nvidia\.com\/gpu/);
  assert.match(m.conflicts[0]!.message, /gpu-hpa\.io\/gpus says 2/);
  assert.match(m.conflicts[1]!.message, /"server" requests 1 nvidia\.com\/gpu/);
  assert.match(m.conflicts[1]!.message, /gpu-hpa\.io\/gpus says 2/);
  // a request that agrees while the limit is absent: the limit is added, no conflict
  const req = plainDeployment({ 'gpu-hpa.io/gpus': '2' }, (d) => (d.spec.template.spec.containers[0].resources.requests['nvidia.com/gpu'] = '2000m'));
  const r = mutate(req);
  assert.deepEqual(r.conflicts, []);
  assert.equal(r.object.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'], '2');
});

test('equal counts in every spelling are not conflicts; other numbers, unparsable and non-scalar values are', () => {
  for (const same of [2, '2', '2000m', '2.0', '0.002k']) {
    const dep = plainDeployment({ 'gpu-hpa.io/gpus': '2' }, (d) => (d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': same }));
    assert.deepEqual(mutate(dep).conflicts, [], JSON.stringify(same));
  }
  for (const differ of [1, '1', '2001m', '20', 'two', true, { n: 2 }, '']) {
    const dep = plainDeployment({ 'gpu-hpa.io/gpus': '2' }, (d) => (d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': differ }));
    const p = defaultPolicy();
    const m = mutateDeployment(dep, readSettings(dep, p).settings!, p);
    assert.deepEqual(
      m.conflicts.map((c) => c.reason),
      ['gpu-count-conflict'],
      JSON.stringify(differ),
    );
  }
});

test('the record: written into the annotations as they are (absent, null, a map, no metadata at all)', () => {
  const existing = mutate(plainDeployment({ team: 'ml' }));
  assert.equal(at(existing.patch, '/metadata/annotations/gpu-hpa.io~1mutated').length, 1);
  assert.equal(existing.object.metadata.annotations.team, 'ml');
  const absent = mutate(plainDeployment({}, (d) => delete d.metadata.annotations));
  assert.equal(at(absent.patch, '/metadata/annotations').length, 1);
  const nullAnn = mutate(plainDeployment({}, (d) => (d.metadata.annotations = null)));
  assert.equal(at(nullAnn.patch, '/metadata/annotations').length, 1);
  // no metadata: the settings come from the defaults, the record creates metadata
  const p = defaultPolicy();
  const withMeta = plainDeployment();
  const noMeta = plainDeployment({}, (d) => delete d.metadata);
  const m = mutateDeployment(noMeta, readSettings(withMeta, p).settings!, p);
  const metaOps = at(m.patch, '/metadata');
  assert.equal(metaOps.length, 1);
  assert.deepEqual(Object.keys((metaOps[0] as { value: { annotations: object } }).value.annotations), ['gpu-hpa.io/mutated']);
  assert.equal(applied(noMeta, m.patch).metadata.annotations['gpu-hpa.io/mutated'], JSON.stringify(m.injected));
  // nothing injected: no record, no patch
  const done = mutate(existing.object);
  assert.deepEqual(done.patch, []);
  assert.deepEqual(done.injected, {});
});

test('runtimeClassName: added when the policy names one and the pod has none (or null); a set one is kept', () => {
  const p = defaultPolicy((q) => (q.runtimeClassName = 'nvidia'));
  const m = mutate(plainDeployment(), p);
  assert.deepEqual(at(m.patch, '/spec/template/spec/runtimeClassName'), [{ op: 'add', path: '/spec/template/spec/runtimeClassName', value: 'nvidia' }]);
  assert.equal(m.injected.runtimeClassName, 'nvidia');
  assert.equal(record(m.patch).runtimeClassName, 'nvidia');
  const nul = mutate(
    plainDeployment({}, (d) => (d.spec.template.spec.runtimeClassName = null)),
    p,
  );
  assert.equal(at(nul.patch, '/spec/template/spec/runtimeClassName').length, 1);
  const kept = mutate(
    plainDeployment({}, (d) => (d.spec.template.spec.runtimeClassName = 'kata')),
    p,
  );
  assert.deepEqual(at(kept.patch, '/spec/template/spec/runtimeClassName'), []);
  assert.equal(kept.injected.runtimeClassName, undefined);
  // no runtimeClassName in the policy: none added
  assert.deepEqual(at(mutate(plainDeployment()).patch, '/spec/template/spec/runtimeClassName'), []);
});
