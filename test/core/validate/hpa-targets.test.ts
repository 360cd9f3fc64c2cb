// SPEC Validation 2, "Targets fit the metric". Expectations follow the HPA controller's use of
// each target (pods: averageValue always; object: by type; resource: averageValue else
// averageUtilization) and validation.go for what the API server already refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { apiTargetViolations, verifyTargets } from '../../../src/core/validate/hpa-targets.js';
import { apiServerRules } from '../../../src/core/validate/hpa-api-rules.js';
import type { HorizontalPodAutoscaler } from '../../../src/core/k8s-types.js';
import { SHARED_FIXTURES } from '../../helpers/fixtures.js';

type J = Record<string, unknown>;
const hpa = (...metrics: J[]): HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'gpu', namespace: 'default' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gpu' }, minReplicas: 1, maxReplicas: 4, metrics },
});
const pods = (target: J) => ({ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target } });
const object = (target: J) => ({ type: 'Object', object: { describedObject: { apiVersion: 'v1', kind: 'Service', name: 'svc' }, metric: { name: 'qps' }, target } });
const external = (target: J) => ({ type: 'External', external: { metric: { name: 'queue_depth' }, target } });
const resource = (target: J) => ({ type: 'Resource', resource: { name: 'cpu', target } });
const container = (target: J) => ({ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target } });

test('valid targets and the seed fixtures pass', () => {
  const ok = [
    hpa(pods({ type: 'AverageValue', averageValue: 30 })),
    hpa(pods({ type: 'AverageValue', averageValue: '750m' })),
    hpa(object({ type: 'Value', value: '100' }), object({ type: 'AverageValue', averageValue: '10' })),
    hpa(external({ type: 'Value', value: '1k' }), external({ type: 'AverageValue', averageValue: '1Gi' })),
    hpa(resource({ type: 'Utilization', averageUtilization: 70 }), resource({ type: 'AverageValue', averageValue: '500m' })),
    hpa(container({ type: 'Utilization', averageUtilization: 50 })),
  ];
  for (const o of ok) assert.deepEqual(verifyTargets(o), [], JSON.stringify(o.spec?.metrics));
  const root = SHARED_FIXTURES;
  for (const dir of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const f of readdirSync(join(root, dir.name)).filter((f) => /^hpa.*\.ya?ml$/.test(f))) {
      assert.deepEqual(verifyTargets(parse(readFileSync(join(root, dir.name, f), 'utf8')) as HorizontalPodAutoscaler), [], `${dir.name}/${f}`);
    }
  }
});

test('Pods metrics need AverageValue (the API server lets type Value through when averageValue is set)', () => {
  for (const type of ['Value', 'Utilization']) {
    const vs = verifyTargets(hpa(pods({ type, averageValue: '30' })));
    assert.equal(vs.length, 1, type);
    assert.equal(vs[0]?.reason, 'target-pods-average-value');
    assert.equal(vs[0]?.field, 'spec.metrics[0].pods.target.type');
    assert.match(vs[0]?.message ?? '', /Pods metrics need AverageValue: set spec\.metrics\[0\]\.pods\.target\.type: AverageValue and averageValue: 30$/);
  }
});

test('a Pods target with only `value` is refused by the API server, with the same fix attached, and reported once', () => {
  const o = hpa(pods({ type: 'Value', value: '30' }));
  assert.deepEqual(verifyTargets(o), []);
  const api = apiServerRules(o).filter((v) => v.reason === 'api-metric-target');
  assert.equal(api.length, 1);
  assert.equal(
    api[0]?.message,
    'spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue (Pods metrics need AverageValue: set spec.metrics[0].pods.target.type: AverageValue and averageValue: 30)',
  );
});

test('Utilization only on Resource/ContainerResource', () => {
  for (const [m, kind] of [
    [object({ type: 'Utilization', value: '10' }), 'object'],
    [external({ type: 'Utilization', averageValue: '10' }), 'external'],
  ] as const) {
    const vs = verifyTargets(hpa(m));
    assert.equal(vs.length, 1, kind);
    assert.equal(vs[0]?.reason, 'target-utilization-source');
    assert.match(vs[0]?.message ?? '', /Utilization is only for Resource and ContainerResource metrics/);
  }
  // with only averageUtilization the API server refuses it (no value/averageValue): API-level, with the hint
  const o = hpa(object({ type: 'Utilization', averageUtilization: 50 }));
  assert.deepEqual(verifyTargets(o), []);
  assert.match(
    apiServerRules(o)
      .map((v) => v.message)
      .join('\n'),
    /must set either a target value or averageValue \(Utilization is only for Resource and ContainerResource metrics/,
  );
});

test('the type matches the field that is set: says which field to rename', () => {
  const vs = verifyTargets(hpa(object({ type: 'AverageValue', value: '100' })));
  assert.equal(vs.length, 1);
  assert.equal(vs[0]?.reason, 'target-field-mismatch');
  assert.equal(vs[0]?.field, 'spec.metrics[0].object.target.value');
  assert.match(vs[0]?.message ?? '', /rename spec\.metrics\[0\]\.object\.target\.value to averageValue, or set type: Value/);

  const ext = verifyTargets(hpa(external({ type: 'Value', averageValue: '5' })));
  assert.match(ext[0]?.message ?? '', /rename spec\.metrics\[0\]\.external\.target\.averageValue to value, or set type: AverageValue/);

  const res = verifyTargets(hpa(resource({ type: 'Utilization', averageValue: '500m' })));
  assert.equal(res[0]?.reason, 'target-field-mismatch');
  assert.match(res[0]?.message ?? '', /set type: AverageValue, or replace averageValue with averageUtilization/);

  const res2 = verifyTargets(hpa(container({ type: 'AverageValue', averageUtilization: 60 })));
  assert.match(res2[0]?.message ?? '', /set type: Utilization, or replace averageUtilization with averageValue/);

  const val = verifyTargets(hpa(resource({ type: 'Value', averageUtilization: 60 })));
  assert.equal(val[0]?.reason, 'target-type-for-source');
  assert.match(val[0]?.message ?? '', /take Utilization or AverageValue; set type: Utilization/);
});

test('fields the controller ignores are pointed out', () => {
  const vs = verifyTargets(hpa(object({ type: 'Value', value: '100', averageValue: '10' })));
  assert.equal(vs.length, 1);
  assert.equal(vs[0]?.reason, 'target-ignored-field');
  assert.match(vs[0]?.message ?? '', /averageValue: 10 is ignored with type: Value/);
  const p = verifyTargets(hpa(pods({ type: 'AverageValue', averageValue: '30', averageUtilization: 50 })));
  assert.match(p[0]?.message ?? '', /averageUtilization: 50 is ignored/);
});

test('zero, negative and mistyped quantities are API-level findings (reported by apiServerRules, not twice)', () => {
  const cases: Array<[J, string]> = [
    [pods({ type: 'AverageValue', averageValue: '0' }), 'spec.metrics[0].pods.target.averageValue: Invalid value: "0": must be positive'],
    [pods({ type: 'AverageValue', averageValue: -5 }), 'spec.metrics[0].pods.target.averageValue: Invalid value: "-5": must be positive'],
    [object({ type: 'Value', value: '0m' }), 'spec.metrics[0].object.target.value: Invalid value: "0": must be positive'],
    [pods({ type: 'AverageValue', averageValue: '1K' }), `spec.metrics[0].pods.target.averageValue: Invalid value: "1K": unable to parse quantity's suffix`],
    [pods({ type: 'AverageValue', averageValue: '30 %' }), `spec.metrics[0].pods.target.averageValue: Invalid value: "30 %": quantities must match the regular expression`],
    [resource({ type: 'Utilization', averageUtilization: 0 }), 'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0'],
  ];
  for (const [m, msg] of cases) {
    const o = hpa(m);
    assert.deepEqual(verifyTargets(o), [], msg);
    const api = apiServerRules(o);
    assert.ok(
      api.some((v) => v.reason.startsWith('api-') && v.message.startsWith(msg)),
      `${msg}\n${JSON.stringify(api)}`,
    );
  }
});

test('type names are case-sensitive; the hint names the right one', () => {
  const vs = apiTargetViolations('object', { target: { type: 'value', value: '1' } }, 'spec.metrics[0].object');
  assert.equal(vs.length, 1);
  assert.match(vs[0]?.message ?? '', /Invalid value: "value": must be either Utilization, Value, or AverageValue \(types are case-sensitive: did you mean Value\?/);
});

test('property: verifyTargets and the API-level target checks never report the same field, and never throw', () => {
  const q = fc.oneof(fc.constantFrom('30', '0', '-1', '1K', '500m', 7, 0, true, null), fc.constant(undefined));
  const target = fc.record(
    {
      type: fc.oneof(fc.constantFrom('Value', 'AverageValue', 'Utilization', 'value', ''), fc.anything()),
      value: q,
      averageValue: q,
      averageUtilization: fc.oneof(fc.constantFrom(50, 0, -1, 1.5, '50'), fc.constant(undefined)),
    },
    { requiredKeys: [] },
  );
  const m = fc.tuple(fc.constantFrom(pods, object, external, resource, container), target).map(([mk, t]) => mk(t as J));
  fc.assert(
    fc.property(fc.array(m, { maxLength: 3 }), (metrics) => {
      const o = hpa(...metrics);
      const mine = verifyTargets(o);
      const api = apiServerRules(o).filter((v) => v.reason === 'api-metric-target');
      const apiMetrics = new Set(api.map((v) => /^spec\.metrics\[\d+\]/.exec(v.field ?? '')?.[0]));
      for (const v of mine) {
        assert.ok(!v.reason.startsWith('api-'));
        assert.ok(!apiMetrics.has(/^spec\.metrics\[\d+\]/.exec(v.field ?? '')?.[0]), `${v.message} duplicates ${JSON.stringify(api)}`);
      }
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(fc.anything(), (junk) => {
      verifyTargets(junk as HorizontalPodAutoscaler);
      verifyTargets({ spec: { metrics: [junk] } } as unknown as HorizontalPodAutoscaler);
    }),
    { numRuns: 500 },
  );
});
