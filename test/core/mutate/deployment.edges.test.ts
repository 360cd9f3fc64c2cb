// Deployment mutation at its edges (issue 19, the survivors of `scripts/mutation-file.sh
// src/core/mutate/deployment.ts`): a policy that requires no toleration or no nodeSelector adds no
// empty list or map (SPEC "Mutation": only what is absent and required is added; an `add` of `[]` or
// `{}` would write a field the team never had and the record would not mention), and an object with
// no spec or no pod template is left alone rather than throwing (the shape check reports it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings } from '../../../src/core/annotations.js';
import { mutateDeployment } from '../../../src/core/mutate/deployment.js';
import { defaultPolicy, plainDeployment } from '../../helpers/fixtures.js';

const noExtras = () =>
  defaultPolicy((p) => {
    p.tolerations = [];
    p.nodeSelector = {};
  });

test('a policy with no tolerations and no nodeSelector: only the GPU limit and the record are added', () => {
  const p = noExtras();
  const dep = plainDeployment();
  const m = mutateDeployment(dep, readSettings(dep, p).settings!, p);
  assert.deepEqual(m.conflicts, []);
  assert.deepEqual(m.injected, { resources: { server: { 'limits.nvidia.com/gpu': '1' } } });
  assert.deepEqual(m.patch, [
    { op: 'add', path: '/spec/template/spec/containers/0/resources/limits', value: { 'nvidia.com/gpu': '1' } },
    { op: 'add', path: '/metadata/annotations/gpu-hpa.io~1mutated', value: '{"resources":{"server":{"limits.nvidia.com/gpu":"1"}}}' },
  ]);
});

test('a policy with no tolerations and no nodeSelector adds nothing to lists and maps the team already has', () => {
  const p = noExtras();
  const dep = plainDeployment({}, (d) => {
    d.spec.template.spec.tolerations = [{ key: 'team', operator: 'Exists' }];
    d.spec.template.spec.nodeSelector = { zone: 'b' };
  });
  const m = mutateDeployment(dep, readSettings(dep, p).settings!, p);
  assert.deepEqual(
    m.patch.map((o) => o.path),
    ['/spec/template/spec/containers/0/resources/limits', '/metadata/annotations/gpu-hpa.io~1mutated'],
  );
});

test('no spec, or a spec without a pod template: nothing to inject, no throw', () => {
  const p = defaultPolicy();
  const settings = readSettings(plainDeployment(), p).settings!;
  const none = { patch: [], injected: {}, conflicts: [] };
  assert.deepEqual(
    mutateDeployment(
      plainDeployment({}, (d) => delete d.spec),
      settings,
      p,
    ),
    none,
  );
  assert.deepEqual(
    mutateDeployment(
      plainDeployment({}, (d) => delete d.spec.template),
      settings,
      p,
    ),
    none,
  );
  assert.deepEqual(
    mutateDeployment(
      plainDeployment({}, (d) => (d.spec = null)),
      settings,
      p,
    ),
    none,
  );
});
