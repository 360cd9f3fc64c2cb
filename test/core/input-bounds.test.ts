// Issue 17 item 1: bounded work on tenant input, everywhere. fast-check generates long and repetitive
// strings and huge lists for every field a rule reads, in HPAs and opted-in Deployments, and each review
// (both webhooks) must stay within a bound of work — counted by the WorkMeter the nearest-name search
// fills (src/core/suggest.ts), never by a clock — and of answer size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { AdmissionRequest } from '../../src/core/admission/request.js';
import { toAdmissionReviewResponse } from '../../src/core/admission/review.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { EXCERPT_LENGTH, excerpt, MAX_CONTAINERS, MAX_MESSAGE_LENGTH, MAX_METRICS, MAX_NAME_LENGTH, MAX_VIOLATIONS, MAX_WARNINGS, workMeter } from '../../src/core/bounds.js';
import { staticClusterView } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import type { Deployment } from '../../src/core/k8s-types.js';
import { boundedDistance, maxTypoDistance, nearest } from '../../src/core/suggest.js';
import { defaultPolicy, fixture, plainDeployment } from '../helpers/fixtures.js';
import { reviewOf, SHIPPED_RULES } from '../helpers/webhook.js';

// ---------------------------------------------------------------------------------------------
// the nearest-name search alone

/** Plain Levenshtein (the textbook full table), the reference for the banded one. */
function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

test('boundedDistance agrees with Levenshtein up to its bound (generated strings)', () => {
  const s = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '_'), maxLength: 14 });
  fc.assert(
    fc.property(s, s, fc.integer({ min: 0, max: 5 }), (a, b, max) => {
      const full = levenshtein(a, b);
      assert.equal(boundedDistance(a, b, max), full <= max ? full : max + 1);
    }),
    { numRuns: 2000 },
  );
});

/** The cost bound of one search: a constant per candidate plus one band of the table. */
const perCandidate = (word: string) => 1 + Math.min(word.length, MAX_NAME_LENGTH) * (2 * maxTypoDistance(word) + 1);

// long and repetitive strings, as a tenant may write them
const evil = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 200, maxLength: 3000 }),
  fc.tuple(fc.string({ minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5000 })).map(([s, n]) => s.repeat(n)),
  fc.constantFrom('gpu_utilization', 'gpu_utilisation', 'GPU_UTILIZATION', 'a'.repeat(MAX_NAME_LENGTH), 'a'.repeat(MAX_NAME_LENGTH + 1), 'ab'.repeat(100_000)),
);

test('nearest: work linear in the candidates, none for a name over the limit, answers within the threshold', () => {
  fc.assert(
    fc.property(evil, fc.array(evil, { maxLength: 300 }), (word, candidates) => {
      const work = workMeter();
      const out = nearest(word, candidates, 3, work);
      if (word.length > MAX_NAME_LENGTH || word.length === 0) assert.equal(work.steps, 0);
      assert.ok(work.steps <= candidates.length * perCandidate(word), `${work.steps} steps for ${candidates.length} candidates`);
      assert.ok(out.length <= 3);
      for (const c of out) assert.ok(levenshtein(word.toLowerCase().slice(0, 300), c.toLowerCase().slice(0, 300)) <= maxTypoDistance(word));
    }),
    { numRuns: 300 },
  );
});

test('nearest finds the typo, the case slip, and keeps one threshold', () => {
  const served = ['gpu_utilization', 'gpu_memory_utilization', 'DCGM_FI_DEV_GPU_UTIL'];
  assert.deepEqual(nearest('gpu_utilisation', served), ['gpu_utilization']);
  assert.deepEqual(nearest('GPU_UTILIZATION', served), ['gpu_utilization']);
  assert.deepEqual(nearest('m5x', ['m5', 'm50', 'x']), ['m5', 'm50']);
  assert.deepEqual(nearest('gpu_util', served), [], 'seven edits away is not a typo');
});

test('excerpt: a prefix and how much was left out, never a lone surrogate', () => {
  assert.equal(excerpt('short'), 'short');
  assert.equal(excerpt('x'.repeat(2000), 10), 'xxxxxxxxxx…(1,990 more characters)');
  const e = excerpt('a'.repeat(EXCERPT_LENGTH - 1) + '😀'.repeat(10));
  assert.ok(!/[\ud800-\udbff]…/.test(e), e);
});

// ---------------------------------------------------------------------------------------------
// whole reviews: every field a rule reads

const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped rules');
const served = rules.servedNames('rules').length + rules.servedNames('externalRules').length;
const policy = defaultPolicy();

/**
 * The work one review may do: the annotation searches (unknown keys among the 9 known ones, the profile among
 * the policy's, a container among ≤ MAX_CONTAINERS) — for the object and, for an HPA, its target — and one
 * search over the served names per looked-up metric (≤ MAX_METRICS).
 */
const WORK_BOUND = 2 * (9 + Object.keys(policy.profiles).length + MAX_CONTAINERS + MAX_METRICS * served) * (1 + MAX_NAME_LENGTH * 7);
/** The answer's status and warnings: MAX_VIOLATIONS messages, twice (message and causes), and MAX_WARNINGS of 120. */
const ANSWER_BOUND = 2 * MAX_VIOLATIONS * (MAX_MESSAGE_LENGTH + 200) + MAX_WARNINGS * 200 + 2000;

const list = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof(
    fc.array(item, { maxLength: 4 }),
    fc.integer({ min: 0, max: 3000 }).chain((n) => fc.array(item, { minLength: n, maxLength: n })),
  );
const quantity = fc.oneof(evil, fc.constantFrom('1', '8', '999999999', '1K', '0.5'));

const metric = fc.oneof(
  fc.record({ type: fc.constant('Pods'), pods: fc.record({ metric: fc.record({ name: evil }), target: fc.record({ type: fc.constantFrom('AverageValue', 'Value', evil), averageValue: quantity }) }) }),
  fc.record({
    type: fc.constant('Object'),
    object: fc.record({
      metric: fc.record({ name: evil }),
      describedObject: fc.record({ apiVersion: evil, kind: evil, name: evil }),
      target: fc.record({ type: fc.constant('Value'), value: quantity }),
    }),
  }),
  fc.record({ type: fc.constant('External'), external: fc.record({ metric: fc.record({ name: evil }), target: fc.record({ type: fc.constant('AverageValue'), averageValue: quantity }) }) }),
  fc.record({ type: fc.constant('Resource'), resource: fc.record({ name: evil, target: fc.record({ type: fc.constant('Utilization'), averageUtilization: fc.integer() }) }) }),
  fc.record({
    type: fc.constant('ContainerResource'),
    containerResource: fc.record({ name: evil, container: evil, target: fc.record({ type: fc.constant('Utilization'), averageUtilization: fc.integer() }) }),
  }),
  fc.record({ type: evil }),
);

const rulesOf = fc.record({
  selectPolicy: fc.oneof(evil, fc.constantFrom('Max', 'Min')),
  stabilizationWindowSeconds: fc.integer(),
  policies: list(fc.record({ type: fc.oneof(evil, fc.constantFrom('Pods', 'Percent')), value: fc.integer(), periodSeconds: fc.integer() })),
});

const hpa = fc.record({
  name: evil,
  targetKind: fc.oneof(fc.constant('Deployment'), evil),
  targetName: fc.oneof(fc.constant('llm'), evil),
  apiVersion: fc.oneof(fc.constant('apps/v1'), evil),
  metrics: list(metric),
  scaleUp: rulesOf,
  scaleDown: rulesOf,
});

const container = fc.record({
  name: fc.oneof(fc.constantFrom('server', 'sidecar'), evil),
  resources: fc.record({ limits: fc.dictionary(fc.oneof(evil, fc.constant('nvidia.com/gpu')), quantity, { maxKeys: 3 }) }),
});
const deployment = fc.record({
  name: evil,
  optIn: fc.oneof(fc.constant('true'), evil),
  annotations: fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'gpu-hpa.io/metric',
        'gpu-hpa.io/target',
        'gpu-hpa.io/min-replicas',
        'gpu-hpa.io/max-replicas',
        'gpu-hpa.io/gpus',
        'gpu-hpa.io/gpu-resource',
        'gpu-hpa.io/containers',
        'gpu-hpa.io/profile',
        'gpu-hpa.io/hpa',
      ),
      evil.map((s) => `gpu-hpa.io/${s}`),
    ),
    evil,
    { maxKeys: 12 },
  ),
  manyUnknownKeys: fc.integer({ min: 0, max: 3000 }),
  containersValue: fc.oneof(
    fc.constant(undefined),
    fc.integer({ min: 1, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => `c${i}`).join(',')),
  ),
  containers: list(container),
  initContainers: list(container),
  tolerations: list(fc.record({ key: evil, operator: fc.constantFrom('Exists', 'Equal'), effect: evil })),
});

// The target Deployment an HPA may reach is itself generated (the cache holds what tenants wrote).
function review(obj: object): AdmissionRequest {
  return reviewOf(obj).request as unknown as AdmissionRequest;
}

function judge(engineTarget: Deployment | undefined, request: AdmissionRequest): void {
  const work = workMeter();
  const before = rules.suggestWork.steps;
  const engine = createEngine({ policy, rules, cluster: staticClusterView({ deployments: engineTarget ? [engineTarget] : [], hpas: [] }), work });
  for (const endpoint of ['mutate', 'validate'] as const) {
    const d = engine[endpoint](request);
    assert.ok(d.violations.length <= MAX_VIOLATIONS && d.warnings.length <= MAX_WARNINGS, `${d.violations.length} violations, ${d.warnings.length} warnings`);
    for (const m of [...d.violations.map((v) => v.message), ...d.warnings]) assert.ok(m.length <= MAX_MESSAGE_LENGTH + 40, `a message of ${m.length} characters`);
    const r = toAdmissionReviewResponse({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }, d, endpoint).response;
    const size = JSON.stringify({ status: r.status, warnings: r.warnings }).length;
    assert.ok(size <= ANSWER_BOUND, `${endpoint}: an answer of ${size} characters`);
  }
  const steps = work.steps + rules.suggestWork.steps - before;
  assert.ok(steps <= WORK_BOUND, `${steps} steps of work (bound ${WORK_BOUND})`);
}

type Generated = typeof deployment extends fc.Arbitrary<infer T> ? T : never;

function deploymentOf(gg: Generated) {
  const annotations: Record<string, string> = { ...gg.annotations };
  for (let i = 0; i < gg.manyUnknownKeys; i++) annotations[`gpu-hpa.io/unknown-${i}`] = 'x';
  if (gg.containersValue !== undefined) annotations['gpu-hpa.io/containers'] = gg.containersValue;
  return plainDeployment(annotations, (d) => {
    d.metadata.name = gg.name;
    d.metadata.labels['gpu-hpa.io/enabled'] = gg.optIn;
    if (gg.containers.length > 0) d.spec.template.spec.containers = gg.containers;
    d.spec.template.spec.initContainers = gg.initContainers;
    d.spec.template.spec.tolerations = gg.tolerations;
  });
}

test('Deployments: long and repetitive values in every field a rule reads, huge lists: bounded work and answers', () => {
  fc.assert(
    fc.property(deployment, (g) => {
      const dep = deploymentOf(g);
      judge(undefined, review(dep));
    }),
    { numRuns: 60 },
  );
});

test('HPAs: long and repetitive values in every field a rule reads, huge lists, with a generated target: bounded work and answers', () => {
  fc.assert(
    fc.property(hpa, deployment, (h, target) => {
      const obj = fixture('seed-000/hpa.yaml');
      obj.metadata = { name: h.name, namespace: 'ml' };
      obj.spec.scaleTargetRef = { apiVersion: h.apiVersion, kind: h.targetKind, name: h.targetName };
      obj.spec.metrics = h.metrics;
      obj.spec.behavior = { scaleUp: h.scaleUp, scaleDown: h.scaleDown };
      const dep = deploymentOf(target);
      dep.metadata.name = 'llm';
      judge(dep, review(obj));
    }),
    { numRuns: 60 },
  );
});

test('the attacks of the issue, counted: a 2,000-character metric name costs no search; 20,000 container names one violation', () => {
  const h = fixture('seed-000/hpa.yaml');
  h.spec.metrics[0].pods.metric.name = 'q'.repeat(2000);
  const before = rules.suggestWork.steps;
  const d = createEngine({ policy, rules, cluster: staticClusterView({ deployments: [], hpas: [] }) }).validate(review(h));
  assert.equal(rules.suggestWork.steps - before, 0);
  assert.deepEqual(
    d.violations.map((v) => v.reason),
    ['input-too-large'],
  );

  const work = workMeter();
  const dep = plainDeployment({ 'gpu-hpa.io/containers': Array.from({ length: 20_000 }, (_, i) => `c${i}`).join(',') });
  const v = createEngine({ policy, rules, cluster: staticClusterView({ deployments: [], hpas: [] }), work }).validate(review(dep));
  assert.equal(v.violations.length, 1);
  assert.equal(work.steps, 0, 'no suggestion is searched for 20,000 wrong names');
});
