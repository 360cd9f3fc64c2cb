// The annotation reader never crashes on a Deployment missing metadata, labels, annotations, spec or
// template (the survivors of annotations.ts's session-7 run: optional chaining the tests never needed),
// and an unknown profile next to gpu-hpa.io/max-replicas is one violation, not a crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { A, isOptedIn, optInLabelTypo, readSettings } from '../../src/core/annotations.js';
import type { Deployment } from '../../src/core/k8s-types.js';
import { defaultPolicy, plainDeployment } from '../helpers/fixtures.js';

const policy = defaultPolicy();
const dep = (d: unknown) => d as Deployment;

test('no metadata, or metadata without labels or annotations: not opted in, no warning', () => {
  assert.equal(isOptedIn(dep({})), false);
  assert.equal(isOptedIn(dep({ metadata: {} })), false);
  assert.equal(optInLabelTypo(dep({})), undefined);
  assert.equal(optInLabelTypo(dep({ metadata: {} })), undefined);
  assert.equal(optInLabelTypo(dep({ metadata: { labels: {} } })), undefined);
});

test('no metadata, no spec, no template: read as defaults, with only the missing containers refused', () => {
  const noContainers = ['no-containers'];
  for (const d of [{}, { metadata: {} }, { spec: {} }, { spec: { template: {} } }, { metadata: { annotations: {} }, spec: { template: { spec: {} } } }]) {
    const r = readSettings(dep(d), policy);
    assert.deepEqual(
      r.violations.map((v) => v.reason),
      noContainers,
      JSON.stringify(d),
    );
    assert.deepEqual(r.warnings, [], JSON.stringify(d));
  }
});

test('an unknown profile with gpu-hpa.io/max-replicas: one violation for the profile (no cap to judge against)', () => {
  const r = readSettings(plainDeployment({ [A.profile]: 'zzzzzzzzzz', [A.maxReplicas]: '40' }), policy);
  assert.deepEqual(
    r.violations.map((v) => v.field),
    ['metadata.annotations["gpu-hpa.io/profile"]'],
  );
});
