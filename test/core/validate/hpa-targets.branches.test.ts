// SPEC Validation 2, "Targets fit the metric", branch by branch (issue 19): each source's API-level
// requirement with the fix it suggests, each decode error, the limits of averageUtilization (0 and 1)
// and of int32, and each "accepted but does not work as written" finding with its negative (the
// well-formed target beside it that must pass). Assertions name reason, field and the key words of
// the fix, not whole sentences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Violation } from '../../../src/core/admission/decision.js';
import { goValue } from '../../../src/core/field.js';
import type { SourceKey } from '../../../src/core/metric-source.js';
import { apiTargetViolations, verifyTargets } from '../../../src/core/validate/hpa-targets.js';

const api = (key: SourceKey, target: unknown) => apiTargetViolations(key, { target }, `spec.metrics[0].${key}`);
const fields = (vs: Violation[]) => vs.map((v) => v.field);
function one(vs: Violation[], field: string): string {
  assert.deepEqual(fields(vs), [field], JSON.stringify(vs));
  assert.equal(vs[0]!.reason, 'api-metric-target');
  return vs[0]!.message;
}

test('API: well-formed targets of every source pass', () => {
  assert.deepEqual(api('pods', { type: 'AverageValue', averageValue: '30' }), []);
  assert.deepEqual(api('object', { type: 'Value', value: '1' }), []);
  assert.deepEqual(api('object', { type: 'AverageValue', averageValue: '1' }), []);
  assert.deepEqual(api('external', { type: 'Value', value: 1 }), []);
  assert.deepEqual(api('resource', { type: 'Utilization', averageUtilization: 1 }), [], 'averageUtilization 1 is the smallest');
  assert.deepEqual(api('containerResource', { type: 'AverageValue', averageValue: '1m' }), [], '1m is positive');
  assert.deepEqual(api('resource', { type: 'Utilization', averageUtilization: 2 ** 31 - 1 }), [], 'int32 max decodes');
});

test('API: a target that is not an object is a decode error, and nothing else is said', () => {
  for (const target of ['70', 70, [1]]) {
    const m = one(api('resource', target), 'spec.metrics[0].resource.target');
    assert.match(m, /spec\.metrics\[0\]\.resource\.target: Invalid value: /);
    assert.match(m, /an object \(MetricTarget\)/);
  }
});

test('API: decode errors of each field stop the checks there', () => {
  assert.match(one(api('pods', { type: 5, averageValue: '1' }), 'spec.metrics[0].pods.target.type'), /Invalid value: 5: must be a string/);
  assert.match(one(api('pods', { type: 'AverageValue', averageValue: { n: 1 } }), 'spec.metrics[0].pods.target.averageValue'), /a quantity string or number/);
  assert.match(one(api('object', { type: 'Value', value: true }), 'spec.metrics[0].object.target.value'), /Invalid value: true: must be a quantity string or number/);
  const typo = one(api('pods', { type: 'AverageValue', averageValue: '1K' }), 'spec.metrics[0].pods.target.averageValue');
  assert.match(typo, /spec\.metrics\[0\]\.pods\.target\.averageValue: Invalid value: "1K": /);
  assert.match(typo, /did you mean 1k/);
  assert.doesNotMatch(typo, /invalid quantity "1K"/, 'the value is shown once');
  for (const u of [1.5, 2 ** 31, -(2 ** 31) - 1, '50']) {
    assert.match(one(api('resource', { type: 'Utilization', averageUtilization: u }), 'spec.metrics[0].resource.target.averageUtilization'), /a 32-bit integer/, String(u));
  }
  // two decode errors: both, and none of the later checks
  assert.deepEqual(fields(api('pods', { type: 1, averageValue: [] })), ['spec.metrics[0].pods.target.type', 'spec.metrics[0].pods.target.averageValue']);
  // null fields are unset, not decode errors
  assert.deepEqual(api('pods', { type: 'AverageValue', averageValue: '1', value: null, averageUtilization: null }), []);
});

test('API: averageUtilization 0 and below are refused, 1 is accepted', () => {
  for (const u of [0, -1, -(2 ** 31)]) {
    const m = one(api('resource', { type: 'Utilization', averageUtilization: u }), 'spec.metrics[0].resource.target.averageUtilization');
    assert.match(m, new RegExp(`Invalid value: ${u}: must be greater than 0`));
    assert.match(m, /percentage/);
  }
});

test('API: zero and negative quantities are refused with a hint for the source', () => {
  const pods = one(api('pods', { type: 'AverageValue', averageValue: '0' }), 'spec.metrics[0].pods.target.averageValue');
  assert.match(pods, /Invalid value: "0": must be positive/);
  assert.match(pods, /per-pod average/);
  const obj = one(api('object', { type: 'Value', value: '-1' }), 'spec.metrics[0].object.target.value');
  assert.match(obj, /Invalid value: "-1": must be positive/);
  assert.match(obj, /the level the HPA scales towards/);
  assert.match(one(api('resource', { type: 'AverageValue', averageValue: '-1m' }), 'spec.metrics[0].resource.target.averageValue'), /per-pod average/);
  assert.match(one(api('containerResource', { type: 'AverageValue', averageValue: '0' }), 'spec.metrics[0].containerResource.target.averageValue'), /per-pod average/);
  assert.match(one(api('external', { type: 'AverageValue', averageValue: '0' }), 'spec.metrics[0].external.target.averageValue'), /the level/);
});

test('API: the type is required and must be one of three; the hint is per source and catches case typos', () => {
  const empty = api('object', { value: '1' });
  assert.deepEqual(fields(empty), ['spec.metrics[0].object.target.type', 'spec.metrics[0].object.target.type']);
  assert.match(empty[0]!.message, /Required value: must specify a metric target type/);
  assert.match(empty[1]!.message, /Invalid value: "": must be either Utilization, Value, or AverageValue/);
  assert.match(empty[0]!.message, /Object metrics take Value \(with value\) or AverageValue \(with averageValue\)/);
  const lower = api('resource', { type: 'averagevalue', averageValue: '1' });
  assert.equal(lower.length, 1);
  assert.match(lower[0]!.message, /case-sensitive: did you mean AverageValue\? Resource metrics take Utilization \(with averageUtilization\) or AverageValue/);
  const util = api('containerResource', { type: 'UTILIZATION', averageUtilization: 5 });
  assert.match(util[0]!.message, /did you mean Utilization\? ContainerResource metrics/);
  const ext = api('external', { type: 'Bogus', value: '1' });
  assert.match(ext[0]!.message, /\(External metrics take Value/);
  assert.doesNotMatch(ext[0]!.message, /did you mean/);
  const pods = api('pods', { type: 'Value', averageValue: '30' });
  assert.deepEqual(pods, [], 'Value with averageValue is API-valid for Pods (verifyTargets reports it)');
  const podsBad = api('pods', { type: 'value', averageValue: '30' });
  assert.match(podsBad[0]!.message, /Pods metrics need AverageValue: set spec\.metrics\[0\]\.pods\.target\.type: AverageValue and averageValue: 30/);
});

test('API: Object and External need a value or an averageValue; External may not have both', () => {
  const none = one(api('object', { type: 'Value' }), 'spec.metrics[0].object.target.averageValue');
  assert.match(none, /Required value: must set either a target value or averageValue/);
  assert.match(none, /set type: Value and value: <quantity>, or type: AverageValue and averageValue: <quantity> under spec\.metrics\[0\]\.object\.target/);
  const util = one(api('external', { type: 'Utilization', averageUtilization: 50 }), 'spec.metrics[0].external.target.averageValue');
  assert.match(util, /must set either a target value for metric or a per-pod target/);
  assert.match(util, /Utilization is only for Resource and ContainerResource metrics; for a External metric set type: Value/);
  const both = one(api('external', { type: 'Value', value: '1', averageValue: '1' }), 'spec.metrics[0].external.target.value');
  assert.match(both, /Forbidden: may not set both a target value for metric and a per-pod target/);
  assert.match(both, /keep value with type: Value/);
  assert.deepEqual(api('object', { type: 'Value', value: '1', averageValue: '1' }), [], 'Object may have both (Go checks only External)');
});

test('API: Pods need an averageValue, and the fix reuses the value that was written', () => {
  const fromValue = one(api('pods', { type: 'AverageValue', value: '30' }), 'spec.metrics[0].pods.target.averageValue');
  assert.match(fromValue, /Required value: must specify a positive target averageValue/);
  assert.match(fromValue, /averageValue: 30\)/);
  const fromNumber = one(api('pods', { type: 'AverageValue', value: 7 }), 'spec.metrics[0].pods.target.averageValue');
  assert.match(fromNumber, /averageValue: 7\)/);
  const nothing = one(api('pods', { type: 'AverageValue' }), 'spec.metrics[0].pods.target.averageValue');
  assert.match(nothing, /averageValue: <quantity>\)/);
});

test('API: Resource and ContainerResource need averageUtilization or averageValue, not both', () => {
  for (const key of ['resource', 'containerResource'] as const) {
    const none = one(api(key, { type: 'Utilization' }), `spec.metrics[0].${key}.target.averageUtilization`);
    assert.match(none, /must set either a target raw value or a target utilization/);
    assert.match(none, /set type: Utilization and averageUtilization: <percent of requests>/);
    const value = one(api(key, { type: 'AverageValue', value: '5' }), `spec.metrics[0].${key}.target.averageUtilization`);
    assert.match(value, new RegExp(`rename spec\\.metrics\\[0\\]\\.${key}\\.target\\.value to averageValue`));
    const both = one(api(key, { type: 'Utilization', averageUtilization: 50, averageValue: '1' }), `spec.metrics[0].${key}.target.averageValue`);
    assert.match(both, /Forbidden: may not set both a target raw value and a target utilization/);
    assert.match(both, /keep averageUtilization with type: Utilization/);
  }
});

// --- verifyTargets: accepted by the API server, but not what the HPA controller does -------------

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const hpaWith = (...metrics: unknown[]): any => ({ spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' }, maxReplicas: 2, metrics } });
const src = (type: string, key: string, target: object) => ({ type, [key]: { metric: { name: 'm' }, name: 'cpu', target } });
function targetFindings(metric: unknown): Violation[] {
  return verifyTargets(hpaWith(metric));
}

test('fit: well-formed targets and what verifyTargets leaves to others are silent', () => {
  assert.deepEqual(targetFindings(src('Pods', 'pods', { type: 'AverageValue', averageValue: '30' })), []);
  assert.deepEqual(targetFindings(src('Object', 'object', { type: 'Value', value: '1' })), []);
  assert.deepEqual(targetFindings(src('External', 'external', { type: 'AverageValue', averageValue: '1' })), []);
  assert.deepEqual(targetFindings(src('Resource', 'resource', { type: 'Utilization', averageUtilization: 50 })), []);
  assert.deepEqual(targetFindings(src('ContainerResource', 'containerResource', { type: 'AverageValue', averageValue: '1' })), []);
  for (const h of [{}, { spec: null }, { spec: { metrics: {} } }, hpaWith(null, 'x', { type: 'Unknown' }, { type: 'Pods' }, { type: 'Pods', pods: { target: 'x' } })]) {
    assert.deepEqual(verifyTargets(h as never), [], JSON.stringify(h));
  }
  assert.deepEqual(verifyTargets(undefined as never), []);
  // an API-level problem is not reported a second time here
  assert.deepEqual(targetFindings(src('Pods', 'pods', { type: 'Value', averageValue: '0' })), []);
  assert.deepEqual(targetFindings(src('Pods', 'pods', { type: 'AverageValue', averageValue: '30', value: 'x' })), []);
});

test('fit: Pods targets need type AverageValue (the controller reads averageValue whatever the type)', () => {
  const v = targetFindings(src('Pods', 'pods', { type: 'Value', averageValue: '30' }));
  assert.deepEqual(
    v.map((x) => [x.reason, x.field]),
    [['target-pods-average-value', 'spec.metrics[0].pods.target.type']],
  );
  assert.match(v[0]!.message, /spec\.metrics\[0\]\.pods\.target\.type: Value: Pods metrics need AverageValue/);
  assert.match(v[0]!.message, /averageValue: 30/);
  const idx = verifyTargets(hpaWith(src('Pods', 'pods', { type: 'AverageValue', averageValue: '1' }), src('Pods', 'pods', { type: 'Utilization', averageValue: '2' })));
  assert.deepEqual(fields(idx), ['spec.metrics[1].pods.target.type']);
});

test('fit: fields the controller ignores are named, one or several', () => {
  const one_ = targetFindings(src('Pods', 'pods', { type: 'AverageValue', averageValue: '30', value: '5' }));
  assert.deepEqual(
    one_.map((x) => [x.reason, x.field]),
    [['target-ignored-field', 'spec.metrics[0].pods.target.value']],
  );
  assert.match(one_[0]!.message, /value: 5 is ignored with type: AverageValue; remove it /);
  const two = targetFindings(src('Pods', 'pods', { type: 'AverageValue', averageValue: '30', value: '5', averageUtilization: 9 }));
  assert.equal(two[0]!.field, 'spec.metrics[0].pods.target.value');
  assert.match(two[0]!.message, /value: 5, averageUtilization: 9 are ignored with type: AverageValue; remove them/);
  const obj = targetFindings(src('Object', 'object', { type: 'Value', value: '1', averageValue: '2' }));
  assert.deepEqual(
    obj.map((x) => [x.reason, x.field]),
    [['target-ignored-field', 'spec.metrics[0].object.target.averageValue']],
  );
  assert.match(obj[0]!.message, /averageValue: 2 is ignored with type: Value/);
  const ext = targetFindings(src('External', 'external', { type: 'AverageValue', averageValue: '2', averageUtilization: 3 }));
  assert.deepEqual(fields(ext), ['spec.metrics[0].external.target.averageUtilization']);
  assert.match(ext[0]!.message, /averageUtilization: 3 is ignored with type: AverageValue/);
  const res = targetFindings(src('Resource', 'resource', { type: 'Utilization', averageUtilization: 50, value: '1' }));
  assert.deepEqual(
    res.map((x) => [x.reason, x.field]),
    [['target-ignored-field', 'spec.metrics[0].resource.target.value']],
  );
  const resAv = targetFindings(src('ContainerResource', 'containerResource', { type: 'AverageValue', averageValue: '1', value: 2 }));
  assert.match(resAv[0]!.message, /value: 2 is ignored with type: AverageValue/);
});

test('fit: Utilization on Object or External says which type to use instead', () => {
  const v = targetFindings(src('Object', 'object', { type: 'Utilization', value: '5' }));
  assert.deepEqual(
    v.map((x) => [x.reason, x.field]),
    [['target-utilization-source', 'spec.metrics[0].object.target.type']],
  );
  assert.match(v[0]!.message, /Utilization is only for Resource and ContainerResource metrics/);
  assert.match(v[0]!.message, /for this Object metric use type: Value \(value: 5\)/);
  const a = targetFindings(src('External', 'external', { type: 'Utilization', averageValue: '7' }));
  assert.match(a[0]!.message, /for this External metric use type: AverageValue \(averageValue: 7\)/);
});

test('fit: on Object/External the type and the field that is set must agree', () => {
  const v = targetFindings(src('Object', 'object', { type: 'Value', averageValue: '3' }));
  assert.deepEqual(
    v.map((x) => [x.reason, x.field]),
    [['target-field-mismatch', 'spec.metrics[0].object.target.averageValue']],
  );
  assert.match(v[0]!.message, /type is Value but only averageValue is set \(averageValue: 3\)/);
  assert.match(v[0]!.message, /rename spec\.metrics\[0\]\.object\.target\.averageValue to value, or set type: AverageValue/);
  const w = targetFindings(src('External', 'external', { type: 'AverageValue', value: '3' }));
  assert.deepEqual(fields(w), ['spec.metrics[0].external.target.value']);
  assert.match(w[0]!.message, /type is AverageValue but only value is set \(value: 3\)/);
  assert.match(w[0]!.message, /to averageValue, or set type: Value/);
});

test('fit: Resource metrics take Utilization or AverageValue, and the set field must match the type', () => {
  const val = targetFindings(src('Resource', 'resource', { type: 'Value', averageUtilization: 50 }));
  assert.deepEqual(
    val.map((x) => [x.reason, x.field]),
    [['target-type-for-source', 'spec.metrics[0].resource.target.type']],
  );
  assert.match(val[0]!.message, /Resource metrics are averaged over the pods/);
  assert.match(val[0]!.message, /set type: Utilization$/);
  const valAv = targetFindings(src('ContainerResource', 'containerResource', { type: 'Value', averageValue: '1' }));
  assert.match(valAv[0]!.message, /ContainerResource metrics .*set type: AverageValue$/);

  const util = targetFindings(src('Resource', 'resource', { type: 'Utilization', averageValue: '1' }));
  assert.deepEqual(
    util.map((x) => [x.reason, x.field]),
    [['target-field-mismatch', 'spec.metrics[0].resource.target.averageValue']],
  );
  assert.match(util[0]!.message, /type is Utilization but averageUtilization is not set \(averageValue: 1 is\): set type: AverageValue, or replace averageValue with averageUtilization/);
  const av = targetFindings(src('ContainerResource', 'containerResource', { type: 'AverageValue', averageUtilization: 40 }));
  assert.deepEqual(
    av.map((x) => [x.reason, x.field]),
    [['target-field-mismatch', 'spec.metrics[0].containerResource.target.averageUtilization']],
  );
  assert.match(av[0]!.message, /averageValue is not set \(averageUtilization: 40 is\): set type: Utilization, or replace averageUtilization with averageValue/);
});

test("goValue renders values as the API server's field errors do", () => {
  assert.equal(goValue('a'), '"a"');
  assert.equal(goValue(3), '3');
  assert.equal(goValue(false), 'false');
  assert.equal(goValue(undefined), 'null');
  assert.equal(goValue(null), 'null');
  assert.equal(goValue({ a: [1] }), '{"a":[1]}');
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  assert.equal(goValue(cyclic), '[object Object]');
  assert.equal(goValue(10n), '10');
});
