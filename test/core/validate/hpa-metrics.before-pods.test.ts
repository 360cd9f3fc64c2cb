// hpa-metrics.ts's remaining branches as pure logic (issue 19): "no series" for a Pods metric before and
// after the target's pods have run a whole discovery window (issue 18; the integration with live discovery
// is test/discovery/before-pods.test.ts, outside the unit tests the mutation run of this file uses), and
// the input bounds (issue 17): 64 metrics judged and 65 refused, a 253-character metric name looked up and
// a 254-character one refused. A fixed verdict stands in for the adapter, so each branch is reached on purpose.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricVerdict } from '../../../src/core/adapter/types.js';
import { MAX_METRICS, MAX_NAME_LENGTH } from '../../../src/core/bounds.js';
import { metricRequest, verdictToFindings, verifyMetricsServed } from '../../../src/core/validate/hpa-metrics.js';
import { rulesAnswering } from '../../helpers/rules-answering.js';
import type { TargetPods } from '../../../src/core/validate/target-pods.js';

const F = 'spec.metrics[0].pods.metric.name';
const RULE = { list: 'rules' as const, index: 2, seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{pod!=""}' };
const WINDOW_START = Date.parse('2026-11-29T12:00:00Z');

const podsMetric = (name: string) => ({ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue: '30' } } });
const req = metricRequest(podsMetric('gpu'))!.request;

/** Live discovery: a rule could serve it, but no series; `offline` is what the adapter config alone says. */
function noSeriesYet(offline: MetricVerdict, extra: { conclusion?: string; notes?: string[] } = {}): MetricVerdict {
  return {
    status: 'not-served',
    considered: [RULE],
    explanation: '',
    nearest: [],
    live: {
      reason: 'metric-no-series',
      message: 'rules[2] matches no series',
      beforePods: { offline, detail: "rules[2]'s seriesQuery matches no series", windowStart: WINDOW_START, ...(extra.conclusion ? { conclusion: extra.conclusion } : {}) },
    },
    ...(extra.notes ? { notes: extra.notes } : {}),
  };
}
const servedOffline: MetricVerdict = { status: 'served', rules: [RULE, { list: 'rules', index: 5, seriesQuery: 'x' }], notes: ['offline note'] };

const running = (since?: number): TargetPods => ({ state: 'running', why: 'Deployment ml/llm has 2 available pods', ...(since === undefined ? {} : { since }) });

test('pods running since the window began (or before): no series is final, a denial naming when and what', () => {
  for (const since of [WINDOW_START, WINDOW_START - 1]) {
    const v = noSeriesYet(servedOffline, { notes: ['stale'] });
    const f = verdictToFindings(F, req, v, rulesAnswering(v), running(since));
    assert.deepEqual(f.warnings, ['stale']);
    assert.equal(f.violations.length, 1);
    assert.equal(f.violations[0]!.reason, 'metric-no-series');
    assert.equal(f.violations[0]!.field, F);
    assert.equal(
      f.violations[0]!.message,
      `${F}: Pods metric "gpu": Deployment ml/llm has 2 available pods, before the last series discovery pass's window began (2026-11-29T12:00:00.000Z), and still rules[2]'s seriesQuery matches no series; so prometheus-adapter registers no such metric and the HPA would show <unknown> forever`,
    );
  }
  // the live verdict may end the sentence its own way
  const v = noSeriesYet(servedOffline, { conclusion: 'so the adapter serves nothing for it' });
  const f = verdictToFindings(F, req, v, rulesAnswering(v), running(WINDOW_START));
  assert.match(f.violations[0]!.message, /matches no series; so the adapter serves nothing for it and the HPA would show <unknown> forever$/);
});

test('pods running for less than a window, or since an unknown time: allowed with a warning naming the rules that would serve it', () => {
  for (const pods of [running(WINDOW_START + 1), running(undefined)]) {
    const v = noSeriesYet(servedOffline, { notes: ['stale'] });
    const f = verdictToFindings(F, req, v, rulesAnswering(v), pods);
    assert.deepEqual(f.violations, []);
    assert.deepEqual(f.warnings, [
      `Pods metric "gpu": no series yet, allowed until its pods have run for a discovery interval; checked: rules[2], rules[5] would serve it for the pods (${F}); not yet: rules[2]'s seriesQuery matches no series, as Deployment ml/llm has 2 available pods; judged again on its next write`,
      `offline note`,
      `stale`,
    ]);
  }
});

test('no pod runs yet: allowed until they run; an unverifiable offline verdict says the adapter config was checked', () => {
  const none: TargetPods = { state: 'none', why: 'Deployment ml/llm is new, so no pod of it runs yet' };
  const v = noSeriesYet(servedOffline);
  const f = verdictToFindings(F, req, v, rulesAnswering(v), none);
  assert.deepEqual(f.violations, []);
  assert.match(f.warnings[0]!, /: no series yet, allowed until its pods run; checked: rules\[2\], rules\[5\] would serve it for the pods/);
  assert.match(f.warnings[0]!, /as Deployment ml\/llm is new, so no pod of it runs yet; judged again/);
  const unverifiable: MetricVerdict = { status: 'unverifiable', rules: [RULE], reason: 'rules[2] selects __name__ by regex' };
  const u = verdictToFindings(F, req, noSeriesYet(unverifiable), rulesAnswering(v), none);
  assert.deepEqual(u.violations, []);
  assert.match(u.warnings[0]!, /; checked: rules\[2\] would serve it for the pods \(/);
  assert.match(u.warnings[1]!, /could not be verified offline: rules\[2\] selects __name__ by regex$/);
});

test('no pod runs yet, and the adapter config alone does not serve it either: that denial, with the notes', () => {
  const offline: MetricVerdict = { status: 'not-served', considered: [], explanation: '', nearest: ['gpu_util'], notes: ['offline note'] };
  const v = noSeriesYet(offline, { notes: ['stale'] });
  const f = verdictToFindings(F, req, v, rulesAnswering(v), { state: 'none', why: 'new' });
  assert.equal(f.violations.length, 1);
  assert.equal(f.violations[0]!.reason, 'metric-not-served');
  assert.match(f.violations[0]!.message, /no prometheus-adapter rules entry in adapter-config\.yaml serves Pods metric "gpu", so the HPA would show <unknown> forever\. Did you mean gpu_util\?$/);
  assert.deepEqual(f.warnings, ['offline note', 'stale']);
});

test('pods unknown, or no pods passed: the live verdict stands (a denial in its own words)', () => {
  const v = noSeriesYet(servedOffline);
  for (const pods of [{ state: 'unknown' } as TargetPods, undefined]) {
    const f = verdictToFindings(F, req, v, rulesAnswering(v), pods);
    assert.deepEqual(f.violations, [{ reason: 'metric-no-series', field: F, message: `${F}: Pods metric "gpu": rules[2] matches no series` }]);
  }
  // a live verdict without beforePods is judged the same whatever the pods
  const plain: MetricVerdict = { status: 'not-served', considered: [], explanation: '', nearest: [], live: { reason: 'metric-no-series', message: 'm' } };
  assert.equal(verdictToFindings(F, req, plain, rulesAnswering(plain), running(0)).violations.length, 1);
});

test('verifyMetricsServed passes the pods on to each verdict', () => {
  const v = noSeriesYet(servedOffline);
  const allowed = verifyMetricsServed([podsMetric('gpu')], rulesAnswering(v), 'ml', running(WINDOW_START + 1));
  assert.deepEqual(allowed.violations, []);
  assert.match(allowed.warnings[0]!, /no series yet/);
  const denied = verifyMetricsServed([podsMetric('gpu')], rulesAnswering(v), 'ml', running(WINDOW_START));
  assert.deepEqual(
    denied.violations.map((x) => x.reason),
    ['metric-no-series'],
  );
});

test('bounds: 64 metrics are each looked up, 65 are refused as one violation without any lookup', () => {
  const served: MetricVerdict = { status: 'served', rules: [RULE], notes: [] };
  const atRules = rulesAnswering(served);
  const at = verifyMetricsServed(
    Array.from({ length: MAX_METRICS }, () => podsMetric('gpu')),
    atRules,
    'ml',
  );
  assert.deepEqual(at, { violations: [], warnings: [] });
  assert.equal(atRules.asked.length, MAX_METRICS);
  const overRules = rulesAnswering(served);
  const over = verifyMetricsServed(
    Array.from({ length: MAX_METRICS + 1 }, () => podsMetric('gpu')),
    overRules,
    'ml',
  );
  assert.equal(overRules.asked.length, 0);
  assert.deepEqual(over.warnings, []);
  assert.deepEqual(over.violations, [
    { reason: 'input-too-large', field: 'spec.metrics', message: `spec.metrics has 65 entries; gpu-hpa-webhook judges at most 64: split the object or remove entries` },
  ]);
});

test('bounds: a 253-character metric name is looked up, a 254-character one is refused at its field, and the others still are', () => {
  const rules = rulesAnswering({ status: 'served', rules: [RULE], notes: [] });
  const at = 'g'.repeat(MAX_NAME_LENGTH);
  assert.deepEqual(verifyMetricsServed([podsMetric(at)], rules, 'ml'), { violations: [], warnings: [] });
  assert.deepEqual(
    rules.asked.map((r) => r.name),
    [at],
  );
  const long = 'g'.repeat(MAX_NAME_LENGTH + 1);
  const out = verifyMetricsServed([podsMetric(long), podsMetric('gpu')], rules, 'ml');
  assert.equal(out.violations.length, 1);
  assert.equal(out.violations[0]!.reason, 'input-too-large');
  assert.equal(out.violations[0]!.field, 'spec.metrics[0].pods.metric.name');
  assert.match(out.violations[0]!.message, /^spec\.metrics\[0\]\.pods\.metric\.name \(the metric name\) is 254 characters long .*at most 253/);
  assert.deepEqual(
    rules.asked.map((r) => r.name),
    [at, 'gpu'],
    'the long name is never looked up; the next metric is',
  );
});

test('the HPA namespace is added to each request; without one the request is as metricRequest made it', () => {
  const rules = rulesAnswering({ status: 'served', rules: [RULE], notes: [] });
  verifyMetricsServed([podsMetric('gpu')], rules, 'ml');
  verifyMetricsServed([podsMetric('gpu')], rules);
  assert.deepEqual(rules.asked, [{ ...req, namespace: 'ml' }, req]);
  // the Namespace-metric warning quotes an excerpt of the name, and only for the Namespace kind
  const w = verifyMetricsServed(
    [{ type: 'Object', object: { metric: { name: 'load' }, describedObject: { apiVersion: 'v1', kind: 'Namespace', name: 'prod' }, target: { type: 'Value', value: '1' } } }],
    rules,
    'ml',
  );
  assert.deepEqual(w.warnings, [`the HPA reads namespace ml's metric; spec.metrics[0].object.describedObject.name "prod" is ignored`]);
});
