// validate/deployment.ts alone (its HTTP path is in test/webhook/deployments.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fjp from 'fast-json-patch';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import { readSettings } from '../../../src/core/annotations.js';
import { mutateDeployment } from '../../../src/core/mutate/deployment.js';
import { verifyGpuInjected, verifyManagedMetric } from '../../../src/core/validate/deployment.js';
import { defaultPolicy, plainDeployment } from '../../helpers/fixtures.js';
import { SHIPPED_RULES } from '../../helpers/webhook.js';

const policy = defaultPolicy();

test('a Deployment as /mutate leaves it has its GPU limit and toleration; its managed metric is served', () => {
  const dep = plainDeployment();
  const settings = readSettings(dep, policy).settings!;
  const mutated = fjp.applyPatch(structuredClone(dep), mutateDeployment(dep, settings, policy).patch).newDocument;
  assert.deepEqual(verifyGpuInjected(mutated, settings, policy), []);
  const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped');
  assert.deepEqual(verifyManagedMetric({ ...settings, hpaMode: 'managed' }, rules), { violations: [], warnings: [] });
});

test('a Deployment that skipped /mutate is denied for the missing limit and toleration', () => {
  const dep = plainDeployment();
  const settings = readSettings(dep, policy).settings!;
  assert.deepEqual(
    verifyGpuInjected(dep, settings, policy).map((v) => [v.reason, v.field]),
    [
      ['gpu-limit-missing', 'spec.template.spec.containers[0].resources.limits["nvidia.com/gpu"]'],
      ['gpu-toleration-missing', 'spec.template.spec.tolerations'],
    ],
  );
});
