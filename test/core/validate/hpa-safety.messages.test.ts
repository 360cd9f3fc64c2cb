// SPEC Validation 4 word for word (issue 19: string mutants count for hpa-safety.ts, which builds
// denial messages and their short forms; a message that says "(the default)" of a stated window, or
// loses its limit, is a defect the team reads). The expected texts are written out from the rule's
// sentence and the shipped policy's profiles (policies/default.yaml: inference needs 300 s of
// scale-down stabilization, scales up at most 8 pods or 100 % a minute and down 4 pods or 50 %, caps
// maxReplicas at 32; training needs 1800 s), with the API server's defaults where the HPA states no
// behavior (pkg/apis/autoscaling/v2/defaults.go: scale-up 4 pods and 100 % per 15 s, scale-down
// 100 % per 15 s after a 300 s window). Also the edges the boundary tests leave: an HPA without a
// spec under a profile the default window does not meet, and a rival with a spec but no target.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings, type GpuSettings } from '../../../src/core/annotations.js';
import type { HorizontalPodAutoscaler } from '../../../src/core/k8s-types.js';
import { managedModeNotice, verifyReplicaCap, verifyScaleDownStabilization, verifyScaleRates, verifySingleHpa } from '../../../src/core/validate/hpa-safety.js';
import { defaultPolicy, plainDeployment } from '../../helpers/fixtures.js';

function settings(annotations: Record<string, string> = {}): GpuSettings {
  const read = readSettings(plainDeployment(annotations), defaultPolicy());
  assert.ok(read.settings, JSON.stringify(read.violations));
  return read.settings;
}
const inference = settings();
const training = settings({ 'gpu-hpa.io/profile': 'training' });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function hpa(spec: any = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'llm', namespace: 'ml' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' }, maxReplicas: 4, ...spec },
  };
}
const bare = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' } as HorizontalPodAutoscaler;
const slowUp = { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] };
const slowDown = { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] };

test('stabilization: a stated window and the default one, message and short form', () => {
  assert.deepEqual(verifyScaleDownStabilization(hpa({ behavior: { scaleDown: { ...slowDown, stabilizationWindowSeconds: 299 } } }), inference), [
    {
      reason: 'unsafe-scale-down-stabilization',
      field: 'spec.behavior.scaleDown.stabilizationWindowSeconds',
      message: 'spec.behavior.scaleDown.stabilizationWindowSeconds is 299; profile "inference" needs at least 300 so GPU pods are not removed on a short dip',
      short: 'scaleDown.stabilizationWindowSeconds 299: set at least 300 (profile inference)',
    },
  ]);
  const byDefault = [
    {
      reason: 'unsafe-scale-down-stabilization',
      field: 'spec.behavior.scaleDown.stabilizationWindowSeconds',
      message: 'spec.behavior.scaleDown.stabilizationWindowSeconds is 300 (the default); profile "training" needs at least 1800 so GPU pods are not removed on a short dip',
      short: 'scaleDown.stabilizationWindowSeconds 300: set at least 1800 (profile training)',
    },
  ];
  // no behavior, no scaleDown, a scaleDown without a window, and no spec at all: the controller's 300 s
  for (const h of [hpa(), hpa({ behavior: { scaleUp: slowUp } }), hpa({ behavior: { scaleDown: { policies: slowDown.policies } } }), bare]) {
    assert.deepEqual(verifyScaleDownStabilization(h, training), byDefault, JSON.stringify(h.spec));
  }
});

test('rates: a stated policy over the bound, message and short form', () => {
  assert.deepEqual(verifyScaleRates(hpa({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 9, periodSeconds: 60 }] }, scaleDown: slowDown } }), inference), [
    {
      reason: 'unbounded-scale-up',
      field: 'spec.behavior.scaleUp.policies',
      message: 'spec.behavior.scaleUp scales too fast for profile "inference": Pods 9 per 60s (= 9 pods/min, limit 8); lower the value or lengthen periodSeconds',
      short: 'scaleUp Pods 9 per 60s over 8/min: lower value or lengthen periodSeconds',
    },
  ]);
  assert.deepEqual(
    verifyScaleRates(
      hpa({
        behavior: {
          scaleUp: slowUp,
          scaleDown: {
            policies: [
              { type: 'Percent', value: 51, periodSeconds: 60 },
              { type: 'Pods', value: 3, periodSeconds: 7 },
            ],
          },
        },
      }),
      inference,
    ),
    [
      {
        reason: 'unbounded-scale-down',
        field: 'spec.behavior.scaleDown.policies',
        // 3 pods per 7 s is 25.714… a minute, shown to two decimals
        message:
          'spec.behavior.scaleDown scales too fast for profile "inference": Percent 51 per 60s (= 51%/min, limit 50), Pods 3 per 7s (= 25.71 pods/min, limit 4); lower the value or lengthen periodSeconds',
        short: 'scaleDown Percent 51 per 60s over 50/min: lower value or lengthen periodSeconds',
      },
    ],
  );
});

test("rates: the API server's defaults, said to be the defaults", () => {
  const expected = [
    {
      reason: 'unbounded-scale-up',
      field: 'spec.behavior.scaleUp.policies',
      message:
        'spec.behavior.scaleUp (API server default) scales too fast for profile "inference": Pods 4 per 15s (= 16 pods/min, limit 8), Percent 100 per 15s (= 400%/min, limit 100); lower the value or lengthen periodSeconds',
      short: 'scaleUp Pods 4 per 15s over 8/min: lower value or lengthen periodSeconds',
    },
    {
      reason: 'unbounded-scale-down',
      field: 'spec.behavior.scaleDown.policies',
      message: 'spec.behavior.scaleDown (API server default) scales too fast for profile "inference": Percent 100 per 15s (= 400%/min, limit 50); lower the value or lengthen periodSeconds',
      short: 'scaleDown Percent 100 per 15s over 50/min: lower value or lengthen periodSeconds',
    },
  ];
  assert.deepEqual(verifyScaleRates(hpa(), inference), expected);
  assert.deepEqual(verifyScaleRates(bare, inference), expected);
});

test('replica cap: message and short form', () => {
  assert.deepEqual(verifyReplicaCap(hpa({ maxReplicas: 33 }), inference), [
    {
      reason: 'max-replicas-over-cap',
      field: 'spec.maxReplicas',
      message: 'spec.maxReplicas 33 is over 32, the cap of profile "inference" (each replica holds 1 nvidia.com/gpu)',
      short: 'spec.maxReplicas 33: set at most 32 (profile inference)',
    },
  ]);
  assert.deepEqual(verifyReplicaCap(hpa({ maxReplicas: 17 }), settings({ 'gpu-hpa.io/profile': 'training', 'gpu-hpa.io/gpus': '2' })), [
    {
      reason: 'max-replicas-over-cap',
      field: 'spec.maxReplicas',
      message: 'spec.maxReplicas 17 is over 16, the cap of profile "training" (each replica holds 2 nvidia.com/gpu)',
      short: 'spec.maxReplicas 17: set at most 16 (profile training)',
    },
  ]);
});

test('one HPA per target: message and short form; rivals without a target are not rivals of one that has', () => {
  const rival = hpa({});
  (rival.metadata as { name: string }).name = 'llm-old';
  assert.deepEqual(verifySingleHpa(hpa(), [rival]), [
    {
      reason: 'duplicate-hpa',
      field: 'spec.scaleTargetRef',
      message: 'Deployment llm is already scaled by HorizontalPodAutoscaler llm-old; two HPAs on one target fight over its replicas — edit or delete llm-old instead',
      short: 'HPA llm-old already scales llm; edit or delete it',
    },
  ]);
  // a spec without scaleTargetRef, or a scaleTargetRef without a name: no rival of Deployment llm
  const noRef = { metadata: { name: 'x' }, spec: {} } as HorizontalPodAutoscaler;
  const noName = { metadata: { name: 'y' }, spec: { scaleTargetRef: { kind: 'Deployment' } } } as HorizontalPodAutoscaler;
  assert.deepEqual(verifySingleHpa(hpa(), [noRef, noName]), []);
});

test('managed-mode notice, in full', () => {
  assert.deepEqual(managedModeNotice(hpa(), inference), ['its target is gpu-hpa.io/hpa: managed; set gpu-hpa.io/hpa: external on the Deployment to own this HPA']);
});
