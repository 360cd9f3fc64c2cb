// SPEC Validation 4 (safe behavior for GPU workloads), rule by rule: each limit at, just below and
// just above its value; the neighbour each rule must not deny; every branch of the rate rule
// (selectPolicy Max, Min, Disabled, unset) and of the stabilization rule. Issue 19: these are the
// mutants that survived the older tests. Assertions name the reason code and the key parts of the
// message (the field, the value, the limit), not whole sentences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSettings, type GpuSettings } from '../../../src/core/annotations.js';
import type { HorizontalPodAutoscaler } from '../../../src/core/k8s-types.js';
import { gpuSafetyRules, managedModeNotice, verifyReplicaCap, verifyScaleDownStabilization, verifyScaleRates, verifySingleHpa } from '../../../src/core/validate/hpa-safety.js';
import { defaultPolicy, plainDeployment } from '../../helpers/fixtures.js';

/** Settings of the shipped policy's profile (inference: stabilization ≥ 300 s, up ≤ 8 pods or 100 %/min, down ≤ 4 pods or 50 %/min, cap 32). */
function settings(annotations: Record<string, string> = {}, policyEdit: Parameters<typeof defaultPolicy>[0] = () => {}): GpuSettings {
  const read = readSettings(plainDeployment(annotations), defaultPolicy(policyEdit));
  assert.ok(read.settings, JSON.stringify(read.violations));
  return read.settings;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function hpa(behavior?: any, extra: (h: any) => void = () => {}): HorizontalPodAutoscaler {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const h: any = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'llm', namespace: 'ml' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' }, minReplicas: 1, maxReplicas: 4 },
  };
  if (behavior !== undefined) h.spec.behavior = behavior;
  extra(h);
  return h;
}

const downWindow = (seconds: number | undefined, selectPolicy?: string) => ({
  scaleDown: {
    ...(seconds === undefined ? {} : { stabilizationWindowSeconds: seconds }),
    ...(selectPolicy ? { selectPolicy } : {}),
    policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
  },
});

// --- scale-down stabilization --------------------------------------------------------------------

test('stabilization: at the profile minimum and above it is allowed, one second below is denied', () => {
  const s = settings(); // inference: at least 300 s
  assert.equal(s.profile.minScaleDownStabilizationSeconds, 300);
  assert.deepEqual(verifyScaleDownStabilization(hpa(downWindow(300)), s), []);
  assert.deepEqual(verifyScaleDownStabilization(hpa(downWindow(301)), s), []);
  const below = verifyScaleDownStabilization(hpa(downWindow(299)), s);
  assert.equal(below.length, 1);
  assert.equal(below[0]!.reason, 'unsafe-scale-down-stabilization');
  assert.equal(below[0]!.field, 'spec.behavior.scaleDown.stabilizationWindowSeconds');
  assert.match(below[0]!.message, /^spec\.behavior\.scaleDown\.stabilizationWindowSeconds /);
  assert.match(below[0]!.message, /stabilizationWindowSeconds is 299[;:, ]/);
  assert.match(below[0]!.message, /"inference"/);
  assert.match(below[0]!.message, /at least 300/);
  assert.doesNotMatch(below[0]!.message, /default/, 'a stated window is not called the default');
});

test('stabilization: an absent window is the controller default of 300 s, said as such', () => {
  // training needs 1800 s: the default (300) is too short, and the message says it is the default
  const training = settings({ 'gpu-hpa.io/profile': 'training' });
  assert.equal(training.profile.minScaleDownStabilizationSeconds, 1800);
  for (const h of [hpa(), hpa(downWindow(undefined)), hpa({ scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] } })]) {
    const v = verifyScaleDownStabilization(h, training);
    assert.equal(v.length, 1);
    assert.match(v[0]!.message, /is 300 \(the default\)/);
    assert.match(v[0]!.message, /"training" needs at least 1800/);
  }
  // inference needs 300: the default is exactly enough
  assert.deepEqual(verifyScaleDownStabilization(hpa(), settings()), []);
  // a profile that needs 301 s is not met by the default
  const strict = settings({}, (p) => {
    p.profiles['inference']!.minScaleDownStabilizationSeconds = 301;
  });
  assert.equal(verifyScaleDownStabilization(hpa(), strict).length, 1);
});

test('stabilization: selectPolicy Disabled never scales down, so any window is allowed; Min and Max are still judged', () => {
  const s = settings();
  assert.deepEqual(verifyScaleDownStabilization(hpa(downWindow(0, 'Disabled')), s), []);
  assert.equal(verifyScaleDownStabilization(hpa(downWindow(0, 'Min')), s).length, 1);
  assert.equal(verifyScaleDownStabilization(hpa(downWindow(0, 'Max')), s).length, 1);
  // Disabled on scale-up says nothing about scale-down
  assert.equal(verifyScaleDownStabilization(hpa({ scaleUp: { selectPolicy: 'Disabled' }, ...downWindow(0) }), s).length, 1);
});

// --- scale rates ---------------------------------------------------------------------------------

const up = (policies: object[], selectPolicy?: string) => ({
  scaleUp: { stabilizationWindowSeconds: 0, ...(selectPolicy ? { selectPolicy } : {}), policies },
  scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
});

test('rates: a Pods policy exactly at the per-minute limit is allowed, just above is denied (periods are per minute)', () => {
  const s = settings(); // scale-up: at most 8 pods or 100 % per minute
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Pods', value: 8, periodSeconds: 60 }])), s), []);
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Pods', value: 2, periodSeconds: 15 }])), s), [], '2 per 15 s is 8/min: at the limit');
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Pods', value: 7, periodSeconds: 60 }])), s), []);
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Pods', value: 16, periodSeconds: 120 }])), s), [], '16 per 120 s is 8/min');

  const over = verifyScaleRates(hpa(up([{ type: 'Pods', value: 9, periodSeconds: 60 }])), s);
  assert.equal(over.length, 1);
  assert.equal(over[0]!.reason, 'unbounded-scale-up');
  assert.equal(over[0]!.field, 'spec.behavior.scaleUp.policies');
  assert.match(over[0]!.message, /^spec\.behavior\.scaleUp /);
  assert.match(over[0]!.message, /"inference"/);
  assert.match(over[0]!.message, /Pods 9 per 60s \(= 9 pods\/min, limit 8\)/);
  assert.match(over[0]!.message, /periodSeconds/);
  assert.doesNotMatch(over[0]!.message, /default/, 'a stated scaleUp is not the API server default');

  const fast = verifyScaleRates(hpa(up([{ type: 'Pods', value: 3, periodSeconds: 20 }])), s);
  assert.match(fast[0]!.message, /Pods 3 per 20s \(= 9 pods\/min, limit 8\)/, '3 per 20 s is 9/min');
  const fraction = verifyScaleRates(hpa(up([{ type: 'Pods', value: 3, periodSeconds: 7 }])), s);
  assert.match(fraction[0]!.message, /= 25\.71 pods\/min/, 'rounded to two decimals');
});

test('rates: a Percent policy at, below and above its own limit (not the Pods limit)', () => {
  const s = settings(); // scale-up: 100 %/min
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Percent', value: 100, periodSeconds: 60 }])), s), []);
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Percent', value: 99, periodSeconds: 60 }])), s), []);
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Percent', value: 50, periodSeconds: 30 }])), s), []);
  const over = verifyScaleRates(hpa(up([{ type: 'Percent', value: 101, periodSeconds: 60 }])), s);
  assert.equal(over.length, 1);
  assert.match(over[0]!.message, /Percent 101 per 60s \(= 101%\/min, limit 100\)/);
  // 9 % per minute is far below 100 %, though above the Pods limit of 8
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Percent', value: 9, periodSeconds: 60 }])), s), []);
  // 50 pods per minute is far over 8 pods, though below the Percent limit of 100
  assert.equal(verifyScaleRates(hpa(up([{ type: 'Pods', value: 50, periodSeconds: 60 }])), s).length, 1);
});

test('rates: scale-down has its own bounds and reason', () => {
  const s = settings(); // scale-down: 4 pods or 50 % per minute
  const down = (policies: object[], selectPolicy?: string) => ({
    scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
    scaleDown: { stabilizationWindowSeconds: 600, ...(selectPolicy ? { selectPolicy } : {}), policies },
  });
  assert.deepEqual(verifyScaleRates(hpa(down([{ type: 'Pods', value: 4, periodSeconds: 60 }])), s), []);
  assert.deepEqual(verifyScaleRates(hpa(down([{ type: 'Percent', value: 50, periodSeconds: 60 }])), s), []);
  const over = verifyScaleRates(
    hpa(
      down([
        { type: 'Pods', value: 5, periodSeconds: 60 },
        { type: 'Percent', value: 51, periodSeconds: 60 },
      ]),
    ),
    s,
  );
  assert.equal(over.length, 1);
  assert.equal(over[0]!.reason, 'unbounded-scale-down');
  assert.equal(over[0]!.field, 'spec.behavior.scaleDown.policies');
  assert.match(over[0]!.message, /spec\.behavior\.scaleDown scales too fast/);
  assert.match(over[0]!.message, /Pods 5 per 60s \(= 5 pods\/min, limit 4\), Percent 51 per 60s \(= 51%\/min, limit 50\)/);
  assert.deepEqual(verifyScaleRates(hpa(down([{ type: 'Pods', value: 5, periodSeconds: 60 }], 'Disabled')), s), []);
});

test('rates: selectPolicy Max (stated or unset) needs every policy within the bound', () => {
  const s = settings();
  const policies = [
    { type: 'Pods', value: 1, periodSeconds: 60 },
    { type: 'Pods', value: 20, periodSeconds: 60 },
  ];
  for (const sp of ['Max', undefined]) {
    const v = verifyScaleRates(hpa(up(policies, sp)), s);
    assert.equal(v.length, 1, `selectPolicy ${sp}`);
    assert.match(v[0]!.message, /Pods 20 per 60s/);
    assert.doesNotMatch(v[0]!.message, /Pods 1 per 60s/, 'only the policy over the bound is named');
  }
});

test('rates: selectPolicy Min is bounded by one policy within the limit; all over is still denied', () => {
  const s = settings();
  const oneWithin = [
    { type: 'Pods', value: 20, periodSeconds: 60 },
    { type: 'Pods', value: 1, periodSeconds: 60 },
  ];
  assert.deepEqual(verifyScaleRates(hpa(up(oneWithin, 'Min')), s), []);
  const allOver = [
    { type: 'Pods', value: 20, periodSeconds: 60 },
    { type: 'Percent', value: 500, periodSeconds: 60 },
  ];
  const v = verifyScaleRates(hpa(up(allOver, 'Min')), s);
  assert.equal(v.length, 1);
  assert.match(v[0]!.message, /Pods 20 per 60s/);
  assert.match(v[0]!.message, /Percent 500 per 60s/);
});

test('rates: selectPolicy Disabled never scales that way, so no rate is too fast', () => {
  const s = settings();
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Pods', value: 100, periodSeconds: 15 }], 'Disabled')), s), []);
});

test('rates: policies the API server rules reject (no number, period 0) are skipped here, not counted as within', () => {
  const s = settings();
  for (const bad of [
    { type: 'Pods', value: 100, periodSeconds: 0 },
    { type: 'Pods', value: 100, periodSeconds: -60 },
    { type: 'Pods', value: '100', periodSeconds: 60 },
    { type: 'Pods', value: 100, periodSeconds: '60' },
  ]) {
    assert.deepEqual(verifyScaleRates(hpa(up([bad])), s), [], JSON.stringify(bad));
    // with Min, a skipped policy does not bound the rate: the other policy is still over
    const v = verifyScaleRates(hpa(up([bad, { type: 'Pods', value: 20, periodSeconds: 60 }], 'Min')), s);
    assert.equal(v.length, 1, `Min with ${JSON.stringify(bad)}`);
  }
  // an unknown policy type has no bound: never over
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Replicas', value: 1000, periodSeconds: 1 }])), s), []);
});

test('rates: a profile without a bound for a direction does not judge it', () => {
  const s = settings({}, (p) => {
    delete p.profiles['inference']!.scaleUpLimit;
  });
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Pods', value: 1000, periodSeconds: 1 }])), s), []);
  const podsOnly = settings({}, (p) => {
    p.profiles['inference']!.scaleUpLimit = { maxPodsPerMinute: 8 };
  });
  assert.deepEqual(verifyScaleRates(hpa(up([{ type: 'Percent', value: 1000, periodSeconds: 1 }])), podsOnly), []);
  assert.equal(verifyScaleRates(hpa(up([{ type: 'Pods', value: 9, periodSeconds: 60 }])), podsOnly).length, 1);
});

test('rates: without behavior, the API server defaults are judged and said to be the defaults', () => {
  const v = verifyScaleRates(hpa(), settings());
  assert.deepEqual(
    v.map((x) => x.reason),
    ['unbounded-scale-up', 'unbounded-scale-down'],
  );
  // scale-up default: 4 pods / 15 s (16/min) and 100 % / 15 s (400 %/min)
  assert.match(v[0]!.message, /spec\.behavior\.scaleUp \(API server default\) scales too fast/);
  assert.match(v[0]!.message, /= 16 pods\/min, limit 8/);
  assert.match(v[0]!.message, /= 400%\/min, limit 100/);
  assert.match(v[1]!.message, /spec\.behavior\.scaleDown \(API server default\)/);
  assert.match(v[1]!.message, /= 400%\/min, limit 50/);
  // a stated scaleUp with only scaleDown defaulted: only scale-down is "default"
  const w = verifyScaleRates(hpa({ scaleUp: { policies: [{ type: 'Pods', value: 9, periodSeconds: 60 }] } }), settings());
  assert.match(w[0]!.message, /spec\.behavior\.scaleUp scales/);
  assert.match(w[1]!.message, /spec\.behavior\.scaleDown \(API server default\)/);
});

// --- replica cap ---------------------------------------------------------------------------------

test('replica cap: maxReplicas at the cap and below is allowed, one over is denied', () => {
  const s = settings(); // cap 32
  assert.deepEqual(
    verifyReplicaCap(
      hpa(undefined, (h) => (h.spec.maxReplicas = 32)),
      s,
    ),
    [],
  );
  assert.deepEqual(
    verifyReplicaCap(
      hpa(undefined, (h) => (h.spec.maxReplicas = 31)),
      s,
    ),
    [],
  );
  const v = verifyReplicaCap(
    hpa(undefined, (h) => (h.spec.maxReplicas = 33)),
    s,
  );
  assert.equal(v.length, 1);
  assert.equal(v[0]!.reason, 'max-replicas-over-cap');
  assert.equal(v[0]!.field, 'spec.maxReplicas');
  assert.match(v[0]!.message, /^spec\.maxReplicas 33 /);
  assert.match(v[0]!.message, /\b32\b/);
  assert.match(v[0]!.message, /"inference"/);
  assert.match(v[0]!.message, /1 nvidia\.com\/gpu/);
  // a missing or mistyped maxReplicas is the API server rules' business
  assert.deepEqual(
    verifyReplicaCap(
      hpa(undefined, (h) => delete h.spec.maxReplicas),
      s,
    ),
    [],
  );
  assert.deepEqual(
    verifyReplicaCap(
      hpa(undefined, (h) => (h.spec.maxReplicas = '100')),
      s,
    ),
    [],
  );
});

// --- one HPA per target --------------------------------------------------------------------------

const other = (name: string, kind: string, target: string): HorizontalPodAutoscaler =>
  hpa(undefined, (h) => {
    h.metadata.name = name;
    h.spec.scaleTargetRef = { apiVersion: kind === 'Deployment' ? 'apps/v1' : 'apps/v1', kind, name: target };
  });

test('one HPA per target: a second HPA on the same Deployment is denied, naming the first', () => {
  const v = verifySingleHpa(hpa(), [other('llm-old', 'Deployment', 'llm')]);
  assert.equal(v.length, 1);
  assert.equal(v[0]!.reason, 'duplicate-hpa');
  assert.equal(v[0]!.field, 'spec.scaleTargetRef');
  assert.match(v[0]!.message, /^Deployment llm /);
  assert.match(v[0]!.message, /HorizontalPodAutoscaler llm-old/);
  assert.match(v[0]!.message, /delete llm-old/);
});

test('one HPA per target: HPAs of other targets, of another kind of target, and the HPA itself are not rivals', () => {
  const neighbours = [
    other('web', 'Deployment', 'web'), // another Deployment
    other('llm-rs', 'ReplicaSet', 'llm'), // same name, another kind
    other('llm', 'Deployment', 'llm'), // the HPA itself (UPDATE)
  ];
  assert.deepEqual(verifySingleHpa(hpa(), neighbours), []);
  assert.deepEqual(verifySingleHpa(hpa(), []), []);
  // the rival is found among the neighbours, whatever its position
  const v = verifySingleHpa(hpa(), [...neighbours, other('llm-2', 'Deployment', 'llm')]);
  assert.equal(v.length, 1);
  assert.match(v[0]!.message, /llm-2/);
});

// --- managed-mode notice -------------------------------------------------------------------------

test('managed-mode notice: a team HPA on a managed Deployment is told how to own it; the managed HPA and external mode are not', () => {
  const notice = managedModeNotice(hpa(), settings());
  assert.equal(notice.length, 1);
  assert.match(notice[0]!, /gpu-hpa\.io\/hpa: managed/);
  assert.match(notice[0]!, /gpu-hpa\.io\/hpa: external/);
  const ours = hpa(undefined, (h) => (h.metadata.labels = { 'app.kubernetes.io/managed-by': 'gpu-hpa-webhook' }));
  assert.deepEqual(managedModeNotice(ours, settings()), []);
  const someoneElses = hpa(undefined, (h) => (h.metadata.labels = { 'app.kubernetes.io/managed-by': 'helm' }));
  assert.equal(managedModeNotice(someoneElses, settings()).length, 1);
  assert.deepEqual(managedModeNotice(hpa(), settings({ 'gpu-hpa.io/hpa': 'external' })), []);
});

// --- all together --------------------------------------------------------------------------------

test('gpuSafetyRules reports every rule at once, and nothing for a safe HPA', () => {
  const s = settings();
  const bad = hpa(
    { scaleUp: { policies: [{ type: 'Pods', value: 9, periodSeconds: 60 }] }, scaleDown: { stabilizationWindowSeconds: 10, policies: [{ type: 'Pods', value: 5, periodSeconds: 60 }] } },
    (h) => (h.spec.maxReplicas = 33),
  );
  const v = gpuSafetyRules(bad, s, [other('llm-old', 'Deployment', 'llm')]);
  assert.deepEqual(
    v.map((x) => x.reason),
    ['unsafe-scale-down-stabilization', 'unbounded-scale-up', 'unbounded-scale-down', 'max-replicas-over-cap', 'duplicate-hpa'],
  );
  const safe = hpa({
    scaleUp: { policies: [{ type: 'Pods', value: 8, periodSeconds: 60 }] },
    scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }] },
  });
  assert.deepEqual(gpuSafetyRules(safe, s, [other('web', 'Deployment', 'web')]), []);
});

test('objects without metadata, spec or scaleTargetRef are judged without throwing', () => {
  const s = settings();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const bare: any = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };
  assert.deepEqual(verifyReplicaCap(bare, s), []);
  assert.equal(verifyScaleDownStabilization(bare, s).length, 0, 'no spec: the default window, enough for inference');
  assert.deepEqual(
    verifyScaleRates(bare, s).map((v) => v.reason),
    ['unbounded-scale-up', 'unbounded-scale-down'],
  );
  assert.equal(managedModeNotice(bare, s).length, 1, 'no labels: not the managed HPA');
  // rivals without metadata or spec: only a matching target counts
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const noMeta: any = { spec: { scaleTargetRef: { kind: 'Deployment', name: 'llm' } } };
  assert.equal(verifySingleHpa(hpa(), [noMeta]).length, 1);
  assert.deepEqual(verifySingleHpa(hpa(), [{}, { metadata: { name: 'x' } }]), []);
  // an HPA without a name or target compared with rivals that have them
  assert.deepEqual(verifySingleHpa(bare, [hpa()]), []);
  assert.deepEqual(verifySingleHpa(bare, [{}]), [], 'two unnamed objects are one object');
  const v = verifySingleHpa(bare, [{ metadata: { name: 'x' } }]);
  assert.equal(v.length, 1, 'both without a target: the same (absent) target, as the code reads it');
  assert.match(v[0]!.message, /HorizontalPodAutoscaler x/);
});
