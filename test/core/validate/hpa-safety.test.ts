// hpa-safety.ts alone (its HTTP path is in test/webhook/hpas.test.ts): the happy path and one denial per rule.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings } from '../../../src/core/annotations.js';
import type { HorizontalPodAutoscaler } from '../../../src/core/k8s-types.js';
import { gpuSafetyRules, managedModeNotice } from '../../../src/core/validate/hpa-safety.js';
import { defaultPolicy, plainDeployment } from '../../helpers/fixtures.js';

const settings = readSettings(plainDeployment(), defaultPolicy()).settings!;

function hpa(spec: Record<string, unknown> = {}, name = 'llm'): HorizontalPodAutoscaler {
  return {
    metadata: { name, namespace: 'ml' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' },
      maxReplicas: 4,
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
        scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
      },
      ...spec,
    },
  };
}

test('a bounded HPA, alone on its target, within the cap: no violations', () => {
  assert.deepEqual(gpuSafetyRules(hpa(), settings, [hpa()]), []);
});

test('each rule denies with its reason and field', () => {
  const reasons = (h: HorizontalPodAutoscaler, others: HorizontalPodAutoscaler[] = []) => gpuSafetyRules(h, settings, others).map((v) => [v.reason, v.field]);
  // no behavior at all: the API server's defaults scale down after 300 s and up by 100 %/4 pods per 15 s
  assert.deepEqual(reasons(hpa({ behavior: undefined })), [
    ['unbounded-scale-up', 'spec.behavior.scaleUp.policies'],
    ['unbounded-scale-down', 'spec.behavior.scaleDown.policies'],
  ]);
  assert.deepEqual(reasons(hpa({ behavior: { ...hpa().spec!.behavior, scaleDown: { ...hpa().spec!.behavior!.scaleDown, stabilizationWindowSeconds: 60 } } })), [
    ['unsafe-scale-down-stabilization', 'spec.behavior.scaleDown.stabilizationWindowSeconds'],
  ]);
  assert.deepEqual(reasons(hpa({ maxReplicas: settings.profile.maxReplicasCap + 1 })), [['max-replicas-over-cap', 'spec.maxReplicas']]);
  assert.deepEqual(reasons(hpa(), [hpa({}, 'other')]), [['duplicate-hpa', 'spec.scaleTargetRef']]);
});

test('the managed-mode notice: only for a team HPA on a Deployment whose HPA the webhook manages', () => {
  assert.deepEqual(managedModeNotice(hpa(), { ...settings, hpaMode: 'external' }), []);
  assert.equal(managedModeNotice(hpa(), { ...settings, hpaMode: 'managed' }).length, 1);
});
