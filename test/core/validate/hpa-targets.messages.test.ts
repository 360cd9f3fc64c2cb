// hpa-targets.ts word for word (issue 19: string mutants count for files that build denial messages,
// and a hint that loses its type, its field or its value is a defect the team reads). The API server's
// part of each message is the text of pkg/apis/autoscaling/validation/validation.go
// (validateMetricTarget and the per-source checks) in field.Error's format ("<path>: Required value:
// <detail>", "<path>: Invalid value: <value>: <detail>", "<path>: Forbidden: <detail>"); the part in
// parentheses is the webhook's fix. Also: a target that is null or absent decodes as Go's zero
// MetricTarget (k8s.io/api autoscaling/v2 types.go: `Target MetricTarget`, not a pointer), so it is
// judged as an empty target, not as a decode error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceKey } from '../../../src/core/metric-source.js';
import { apiTargetViolations, verifyTargets } from '../../../src/core/validate/hpa-targets.js';

const P = 'spec.metrics[0]';
const api = (key: SourceKey, source: Record<string, unknown>) => apiTargetViolations(key, source, `${P}.${key}`);
const msgs = (key: SourceKey, target: unknown) => api(key, { target }).map((v) => [v.field, v.message]);

test('a null or absent target is an empty MetricTarget: the type and the source’s quantity are required', () => {
  const T = `${P}.pods.target`;
  const expected = [
    [`${T}.type`, `${T}.type: Required value: must specify a metric target type (Pods metrics need AverageValue: set ${T}.type: AverageValue and averageValue: <quantity>)`],
    [`${T}.type`, `${T}.type: Invalid value: "": must be either Utilization, Value, or AverageValue (Pods metrics need AverageValue: set ${T}.type: AverageValue and averageValue: <quantity>)`],
    [`${T}.averageValue`, `${T}.averageValue: Required value: must specify a positive target averageValue (Pods metrics need AverageValue: set ${T}.type: AverageValue and averageValue: <quantity>)`],
  ];
  assert.deepEqual(msgs('pods', null), expected);
  assert.deepEqual(
    api('pods', {}).map((v) => [v.field, v.message]),
    expected,
  );
  // nothing of it reaches verifyTargets a second time
  const hpa = { spec: { metrics: [{ type: 'Pods', pods: { metric: { name: 'm' }, target: null } }] } };
  assert.deepEqual(verifyTargets(hpa as never), []);
});

test('a target that is not an object: the decode error alone, in full', () => {
  assert.deepEqual(msgs('resource', '70'), [[`${P}.resource.target`, `${P}.resource.target: Invalid value: "70": must be an object (MetricTarget) (the API server cannot decode it)`]]);
});

test('the API server’s texts with the fix for each source, in full', () => {
  const O = `${P}.object.target`;
  assert.deepEqual(msgs('object', { type: 'Value' }), [
    [
      `${O}.averageValue`,
      `${O}.averageValue: Required value: must set either a target value or averageValue (set type: Value and value: <quantity>, or type: AverageValue and averageValue: <quantity> under ${O})`,
    ],
  ]);
  const E = `${P}.external.target`;
  assert.deepEqual(msgs('external', { type: 'Utilization', averageUtilization: 50 }), [
    [
      `${E}.averageValue`,
      `${E}.averageValue: Required value: must set either a target value for metric or a per-pod target (Utilization is only for Resource and ContainerResource metrics; for a External metric set type: Value and value: <quantity>, or type: AverageValue and averageValue: <quantity>)`,
    ],
  ]);
  assert.deepEqual(msgs('external', { type: 'Value', value: '1', averageValue: '2' }), [
    [
      `${E}.value`,
      `${E}.value: Forbidden: may not set both a target value for metric and a per-pod target (keep value with type: Value for the metric's total, or averageValue with type: AverageValue for a per-pod target)`,
    ],
  ]);
  const R = `${P}.resource.target`;
  assert.deepEqual(msgs('resource', { type: 'Utilization' }), [
    [
      `${R}.averageUtilization`,
      `${R}.averageUtilization: Required value: must set either a target raw value or a target utilization (set type: Utilization and averageUtilization: <percent of requests>, or type: AverageValue and averageValue: <quantity>)`,
    ],
  ]);
  assert.deepEqual(msgs('resource', { type: 'AverageValue', value: '5' }), [
    [
      `${R}.averageUtilization`,
      `${R}.averageUtilization: Required value: must set either a target raw value or a target utilization (resource metrics are averaged over pods: rename ${R}.value to averageValue and set type: AverageValue, or use type: Utilization with averageUtilization: <percent of requests>)`,
    ],
  ]);
  assert.deepEqual(msgs('resource', { type: 'Utilization', averageUtilization: 50, averageValue: '1' }), [
    [
      `${R}.averageValue`,
      `${R}.averageValue: Forbidden: may not set both a target raw value and a target utilization (keep averageUtilization with type: Utilization, or averageValue with type: AverageValue)`,
    ],
  ]);
  assert.deepEqual(msgs('resource', { type: 'Utilization', averageUtilization: 0 }), [
    [`${R}.averageUtilization`, `${R}.averageUtilization: Invalid value: 0: must be greater than 0 (a percentage of the pods' requests, e.g. 70)`],
  ]);
  assert.deepEqual(msgs('object', { type: 'Value', value: '0' }), [
    [`${O}.value`, `${O}.value: Invalid value: "0": must be positive (the level the HPA scales towards; 0 or a negative target would scale out forever)`],
  ]);
  assert.deepEqual(msgs('pods', { type: 'AverageValue', averageValue: '-1' }), [
    [
      `${P}.pods.target.averageValue`,
      `${P}.pods.target.averageValue: Invalid value: "-1": must be positive (the per-pod average the HPA scales towards; 0 or a negative target would scale out forever)`,
    ],
  ]);
  assert.deepEqual(msgs('containerResource', { type: 'averagevalue', averageValue: '1' }), [
    [
      `${P}.containerResource.target.type`,
      `${P}.containerResource.target.type: Invalid value: "averagevalue": must be either Utilization, Value, or AverageValue (types are case-sensitive: did you mean AverageValue? ContainerResource metrics take Utilization (with averageUtilization) or AverageValue (with averageValue))`,
    ],
  ]);
  assert.deepEqual(msgs('external', { type: 'Bogus', value: '1' }), [
    [`${E}.type`, `${E}.type: Invalid value: "Bogus": must be either Utilization, Value, or AverageValue (External metrics take Value (with value) or AverageValue (with averageValue))`],
  ]);
});

test('what verifyTargets finds, in full', () => {
  const one = (metric: object) => verifyTargets({ spec: { metrics: [metric] } } as never).map((v) => [v.reason, v.field, v.message]);
  const T = `${P}.pods.target`;
  assert.deepEqual(one({ type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'Value', averageValue: '30' } } }), [
    ['target-pods-average-value', `${T}.type`, `${T}.type: Value: Pods metrics need AverageValue: set ${T}.type: AverageValue and averageValue: 30`],
  ]);
  assert.deepEqual(one({ type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '30', value: '5' } } }), [
    ['target-ignored-field', `${T}.value`, `${T}: value: 5 is ignored with type: AverageValue; remove it so the target says what the HPA does`],
  ]);
  const O = `${P}.object.target`;
  assert.deepEqual(one({ type: 'Object', object: { metric: { name: 'm' }, describedObject: { kind: 'Service', name: 's' }, target: { type: 'Utilization', value: '5' } } }), [
    [
      'target-utilization-source',
      `${O}.type`,
      `${O}.type: Utilization: Utilization is only for Resource and ContainerResource metrics (a percentage of the pods' requests); for this Object metric use type: Value (value: 5)`,
    ],
  ]);
  assert.deepEqual(one({ type: 'Object', object: { metric: { name: 'm' }, describedObject: { kind: 'Service', name: 's' }, target: { type: 'Value', averageValue: '3' } } }), [
    ['target-field-mismatch', `${O}.averageValue`, `${O}.type is Value but only averageValue is set (averageValue: 3): rename ${O}.averageValue to value, or set type: AverageValue`],
  ]);
  const R = `${P}.resource.target`;
  assert.deepEqual(one({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Value', averageUtilization: 50 } } }), [
    ['target-type-for-source', `${R}.type`, `${R}.type: Value: Resource metrics are averaged over the pods and take Utilization or AverageValue; set type: Utilization`],
  ]);
  assert.deepEqual(one({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageValue: '1' } } }), [
    [
      'target-field-mismatch',
      `${R}.averageValue`,
      `${R}.type is Utilization but averageUtilization is not set (averageValue: 1 is): set type: AverageValue, or replace averageValue with averageUtilization`,
    ],
  ]);
});
