// hpa-metrics.ts word for word (issue 19: string mutants count for files that build denial and
// warning messages), and the pods a Pods metric is asked for. The denial's sentence and its short
// form (the one AdmissionResponse shows first) are written out from SPEC Validation 1: the field, the
// adapter list that would serve the metric (`rules` for Pods and Object metrics, `externalRules` for
// External ones), the config it was read from, what was considered and the nearest served names. The
// pods: the HPA controller asks the adapter for a Pods metric of the target's pods by name
// (k8s.io/metrics custom_metrics client GetForObjects with the pods' selector; adapter/live.ts
// valueFor mirrors it), so the request carries the names when the pods are known, none when no pod
// runs yet, and no list at all when that is not known or the metric is not a Pods metric.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricVerdict } from '../../../src/core/adapter/types.js';
import { metricRequest, verdictToFindings, verifyMetricsServed } from '../../../src/core/validate/hpa-metrics.js';
import type { TargetPods } from '../../../src/core/validate/target-pods.js';
import { rulesAnswering } from '../../helpers/rules-answering.js';

const RULE = { list: 'rules' as const, index: 2, seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{pod!=""}' };
const notServed = (extra: Partial<Extract<MetricVerdict, { status: 'not-served' }>> = {}): MetricVerdict => ({ status: 'not-served', considered: [RULE], explanation: '', nearest: [], ...extra });
const pods = (name: string) => ({ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue: '30' } } });
const external = (name: string) => ({ type: 'External', external: { metric: { name }, target: { type: 'AverageValue', averageValue: '1' } } });
const F = 'spec.metrics[0].pods.metric.name';

test('not served: the whole sentence and the short form, with what was considered and the nearest names', () => {
  const req = metricRequest(pods('gpu_utilisation'))!.request;
  const v = notServed({ explanation: 'rules[2] derives gpu_utilization', nearest: ['gpu_utilization', 'gpu_util'] });
  assert.deepEqual(verdictToFindings(F, req, v, rulesAnswering(v)), {
    violations: [
      {
        reason: 'metric-not-served',
        field: F,
        message: `${F}: no prometheus-adapter rules entry in adapter-config.yaml serves Pods metric "gpu_utilisation", so the HPA would show <unknown> forever. Considered: rules[2] derives gpu_utilization. Did you mean gpu_utilization or gpu_util?`,
        short: 'Pods metric "gpu_utilisation" is served by no adapter rules entry; did you mean gpu_utilization?',
      },
    ],
    warnings: [],
  });
});

test('not served, nothing considered and nothing near: the sentence ends at "forever.", the short form says what to add', () => {
  const req = metricRequest(external('queue'))!.request;
  const v = notServed({ notes: ['a note'] });
  assert.deepEqual(verdictToFindings('spec.metrics[3].external.metric.name', req, v, rulesAnswering(v)), {
    violations: [
      {
        reason: 'metric-not-served',
        field: 'spec.metrics[3].external.metric.name',
        message: 'spec.metrics[3].external.metric.name: no prometheus-adapter externalRules entry in adapter-config.yaml serves External metric "queue", so the HPA would show <unknown> forever.',
        short: 'External metric "queue" is served by no adapter externalRules entry; add a externalRules entry for it',
      },
    ],
    warnings: ['a note'],
  });
});

test('unverifiable: the whole warning', () => {
  const req = metricRequest(pods('gpu'))!.request;
  const v: MetricVerdict = { status: 'unverifiable', rules: [RULE], reason: 'rules[2] selects __name__ by regex' };
  assert.deepEqual(verdictToFindings(F, req, v, rulesAnswering(v)), {
    violations: [],
    warnings: [`${F}: Pods metric "gpu" could not be verified offline: rules[2] selects __name__ by regex`],
  });
});

test('a Pods metric is asked for the pods by name when they are known, for none when none runs, without a list otherwise', () => {
  const served: MetricVerdict = { status: 'served', rules: [RULE], notes: [] };
  const ask = (metric: object, p?: TargetPods, namespace: string | null = 'ml') => {
    const rules = rulesAnswering(served);
    verifyMetricsServed([metric], rules, namespace ?? undefined, p);
    assert.equal(rules.asked.length, 1);
    return rules.asked[0]!;
  };
  const base = { kind: 'Pods', name: 'gpu', resource: { group: '', resource: 'pods' }, namespaced: true, namespace: 'ml' };
  assert.deepEqual(ask(pods('gpu'), { state: 'running', why: 'w', names: ['llm-a', 'llm-b'] }), { ...base, pods: ['llm-a', 'llm-b'] });
  assert.deepEqual(ask(pods('gpu'), { state: 'none', why: 'w' }), { ...base, pods: [] });
  assert.deepEqual(ask(pods('gpu'), { state: 'running', why: 'w' }), base, 'running, names not known');
  assert.deepEqual(ask(pods('gpu'), { state: 'unknown' }), base);
  assert.deepEqual(ask(pods('gpu')), base);
  // not a Pods metric: no pods, whatever the target's state
  assert.deepEqual(ask(external('queue'), { state: 'running', why: 'w', names: ['llm-a'] }), { kind: 'External', name: 'queue', namespaced: true, namespace: 'ml' });
  assert.deepEqual(ask(external('queue'), { state: 'none', why: 'w' }), { kind: 'External', name: 'queue', namespaced: true, namespace: 'ml' });
  // no namespace (offline, no HPA namespace): the request as metricRequest made it
  assert.deepEqual(ask(pods('gpu'), { state: 'running', why: 'w', names: ['llm-a'] }, null), { kind: 'Pods', name: 'gpu', resource: { group: '', resource: 'pods' }, namespaced: true });
});
