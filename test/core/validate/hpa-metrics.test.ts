// hpa-metrics.ts alone (its HTTP path is in test/webhook/hpas.test.ts): a served metric, and one that is not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import { verifyMetricsServed } from '../../../src/core/validate/hpa-metrics.js';
import { SHIPPED_RULES } from '../../helpers/webhook.js';

const rules = compileAdapterConfig(SHIPPED_RULES, 'policies/prometheus-adapter-rules.yaml');
const pods = (name: string) => ({ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue: '30' } } });

test("a Pods metric the shipped rules serve: no findings; Resource metrics are not the adapter's", () => {
  const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };
  assert.deepEqual(verifyMetricsServed([pods('gpu_utilization'), cpu], rules, 'ml'), { violations: [], warnings: [] });
});

test('a metric no rule serves is denied at its field, naming the rules file', () => {
  const { violations } = verifyMetricsServed([pods('gpu_utilization'), pods('gpu_utilisation_typo')], rules, 'ml');
  assert.equal(violations.length, 1);
  assert.equal(violations[0]?.reason, 'metric-not-served');
  assert.equal(violations[0]?.field, 'spec.metrics[1].pods.metric.name');
  assert.match(violations[0].message, /policies\/prometheus-adapter-rules\.yaml/);
});
