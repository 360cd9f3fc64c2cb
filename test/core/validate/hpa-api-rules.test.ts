// Success and error cases after kubernetes/kubernetes pkg/apis/autoscaling/validation/validation_test.go
// (TestValidateHorizontalPodAutoscaler, TestValidateHorizontalPodAutoscalerBehavior...), written
// as autoscaling/v2 JSON. Expected substrings are the Go messages of validation.go; the
// defaulting cases follow pkg/apis/autoscaling/v2/defaults.go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { apiServerRules, effectiveBehavior, verifyBehavior, verifyMetricSpecs, verifyReplicaBounds, verifyScaleTargetRef } from '../../../src/core/validate/hpa-api-rules.js';
import type { HorizontalPodAutoscaler } from '../../../src/core/k8s-types.js';
import { SHARED_FIXTURES } from '../../helpers/fixtures.js';

type J = Record<string, unknown>;

/** The Go tests' base object: ReplicationController "myrc", min 1, max 5. */
function hpa(spec: J = {}): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'myautoscaler', namespace: 'default' },
    spec: { scaleTargetRef: { kind: 'ReplicationController', name: 'myrc' }, minReplicas: 1, maxReplicas: 5, ...spec },
  };
}
const metric = (m: J) => hpa({ metrics: [m] });
const cpuUtil = (u: unknown = 70) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: u } } });
const rules = (scaleUp: unknown, scaleDown?: unknown) => hpa({ behavior: { scaleUp, ...(scaleDown === undefined ? {} : { scaleDown }) } });
const policy = (p: J = {}) => ({ type: 'Pods', value: 1, periodSeconds: 1800, ...p });

const messages = (o: HorizontalPodAutoscaler) => apiServerRules(o).map((v) => v.message);

test('success cases (validation_test.go TestValidateHorizontalPodAutoscaler successCases)', () => {
  const ok: Array<[string, HorizontalPodAutoscaler]> = [
    ['resource utilization', metric(cpuUtil())],
    ['no metrics (defaulted to 80% CPU)', hpa()],
    ['resource average value', metric({ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '300m' } } })],
    ['pods average value', metric({ type: 'Pods', pods: { metric: { name: 'somemetric' }, target: { type: 'AverageValue', averageValue: '300m' } } })],
    ['container resource', metric({ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'test-container', target: { type: 'Utilization', averageUtilization: 70 } } })],
    [
      'object value',
      metric({
        type: 'Object',
        object: { describedObject: { kind: 'ReplicationController', name: 'myrc' }, metric: { name: 'somemetric' }, target: { type: 'Value', value: '300m' } },
      }),
    ],
    [
      'object average value (no describedObject apiVersion: allowed for object metrics)',
      metric({
        type: 'Object',
        object: { describedObject: { kind: 'ReplicationController', name: 'myrc' }, metric: { name: 'somemetric' }, target: { type: 'AverageValue', averageValue: '300m' } },
      }),
    ],
    ['external value', metric({ type: 'External', external: { metric: { name: 'somemetric', selector: { matchLabels: { label: 'value' } } }, target: { type: 'Value', value: '300m' } } })],
    ['external average value', metric({ type: 'External', external: { metric: { name: 'somemetric' }, target: { type: 'AverageValue', averageValue: '300m' } } })],
    [
      'behavior at the limits',
      rules(
        { stabilizationWindowSeconds: 3600, selectPolicy: 'Disabled', policies: [policy()] },
        { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies: [policy({ type: 'Percent', periodSeconds: 1 })] },
      ),
    ],
    ['behavior with only a window: policies and selectPolicy are defaulted', rules({ stabilizationWindowSeconds: 60 })],
    ['empty scaling rules are defaulted', rules({}, {})],
    ['behavior: {}', hpa({ behavior: {} })],
    ['policies: null is defaulted', rules({ policies: null })],
    ['minReplicas omitted (defaults to 1)', hpa({ minReplicas: undefined, maxReplicas: 1 })],
    ['metrics: [] (defaulted)', hpa({ metrics: [] })],
    ['Deployment with apps/v1', hpa({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } })],
    ['zero tolerance', rules({ tolerance: '0' }, { tolerance: '0.05' })],
    ['averageValue as a JSON number', metric({ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: 30 } } })],
  ];
  for (const [name, o] of ok) assert.deepEqual(apiServerRules(o), [], name);
});

test('the seed fixtures are valid for the API server', () => {
  const root = SHARED_FIXTURES;
  let n = 0;
  for (const dir of readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)) {
    for (const f of readdirSync(join(root, dir)).filter((f) => /^hpa.*\.ya?ml$/.test(f))) {
      const o = parse(readFileSync(join(root, dir, f), 'utf8')) as HorizontalPodAutoscaler;
      assert.deepEqual(apiServerRules(o), [], `${dir}/${f}`);
      n++;
    }
  }
  assert.ok(n >= 7, `found ${n} fixtures`);
});

test('error cases (validation_test.go TestValidateHorizontalPodAutoscaler errorCases)', () => {
  const cases: Array<[HorizontalPodAutoscaler, string, string]> = [
    [hpa({ scaleTargetRef: { name: 'myrc' } }), 'api-scale-target-ref', 'spec.scaleTargetRef.kind: Required value'],
    [hpa({ scaleTargetRef: { kind: '..', name: 'myrc' } }), 'api-scale-target-ref', `spec.scaleTargetRef.kind: Invalid value: "..": may not be '..'`],
    [hpa({ scaleTargetRef: { kind: 'ReplicationController' } }), 'api-scale-target-ref', 'spec.scaleTargetRef.name: Required value'],
    [hpa({ scaleTargetRef: { kind: 'ReplicationController', name: '..' } }), 'api-scale-target-ref', `spec.scaleTargetRef.name: Invalid value: "..": may not be '..'`],
    [hpa({ scaleTargetRef: { kind: 'ReplicationController', name: 'a/b%c' } }), 'api-scale-target-ref', `may not contain '%'`],
    [hpa({ minReplicas: -1 }), 'api-replica-bounds', 'spec.minReplicas: Invalid value: -1: must be greater than or equal to 1'],
    [hpa({ minReplicas: 0 }), 'api-replica-bounds', 'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1'],
    [hpa({ minReplicas: 7, maxReplicas: 5 }), 'api-replica-bounds', 'spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`'],
    [hpa({ maxReplicas: 0 }), 'api-replica-bounds', 'spec.maxReplicas: Invalid value: 0: must be greater than 0'],
    [hpa({ maxReplicas: undefined }), 'api-replica-bounds', 'spec.maxReplicas: Invalid value: 0: must be greater than 0'],
    [
      metric({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70, averageValue: '300m' } } }),
      'api-metric-target',
      'spec.metrics[0].resource.target.averageValue: Forbidden: may not set both a target raw value and a target utilization',
    ],
    [
      metric({ type: 'Resource', resource: { target: { type: 'Utilization', averageUtilization: 70 } } }),
      'api-metric-spec',
      'spec.metrics[0].resource.name: Required value: must specify a resource name',
    ],
    [metric(cpuUtil(-10)), 'api-metric-target', 'spec.metrics[0].resource.target.averageUtilization: Invalid value: -10: must be greater than 0'],
    [metric(cpuUtil(0)), 'api-metric-target', 'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0'],
    [
      metric({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } }),
      'api-metric-target',
      'spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization',
    ],
    [
      metric({ type: 'Pods', pods: { metric: {}, target: { type: 'AverageValue', averageValue: '100m' } } }),
      'api-metric-spec',
      'spec.metrics[0].pods.metric.name: Required value: must specify a metric name',
    ],
    [
      metric({ type: 'Pods', pods: { metric: { name: 'some/metric' }, target: { type: 'AverageValue', averageValue: '100m' } } }),
      'api-metric-spec',
      `spec.metrics[0].pods.metric.name: Invalid value: "some/metric": may not contain '/'`,
    ],
    [
      metric({ type: 'Pods', pods: { metric: { name: 'somemetric' }, target: { type: 'AverageValue' } } }),
      'api-metric-target',
      'spec.metrics[0].pods.target.averageValue: Required value: must specify a positive target averageValue',
    ],
    [
      metric({ type: 'Object', object: { describedObject: { name: 'myrc' }, metric: { name: 'somemetric' }, target: { type: 'Value', value: '100m' } } }),
      'api-metric-spec',
      'spec.metrics[0].object.describedObject.kind: Required value',
    ],
    [
      metric({ type: 'Object', object: { describedObject: { kind: 'ReplicationController', name: 'myrc' }, metric: {}, target: { type: 'Value', value: '100m' } } }),
      'api-metric-spec',
      'spec.metrics[0].object.metric.name: Required value: must specify a metric name',
    ],
    [
      metric({ type: 'Object', object: { describedObject: { kind: 'ReplicationController', name: 'myrc' }, metric: { name: 'somemetric' }, target: { type: 'Value' } } }),
      'api-metric-target',
      'spec.metrics[0].object.target.averageValue: Required value: must set either a target value or averageValue',
    ],
    [
      metric({ type: 'External', external: { metric: {}, target: { type: 'Value', value: '300m' } } }),
      'api-metric-spec',
      'spec.metrics[0].external.metric.name: Required value: must specify a metric name',
    ],
    [
      metric({ type: 'External', external: { metric: { name: 'somemetric' }, target: { type: 'Value' } } }),
      'api-metric-target',
      'spec.metrics[0].external.target.averageValue: Required value: must set either a target value for metric or a per-pod target',
    ],
    [
      metric({ type: 'External', external: { metric: { name: 'somemetric' }, target: { type: 'Value', value: '300m', averageValue: '300m' } } }),
      'api-metric-target',
      'spec.metrics[0].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target',
    ],
    [metric({}), 'api-metric-spec', 'spec.metrics[0].type: Required value: must specify a metric source type'],
    [metric({ type: 'InvalidType' }), 'api-metric-spec', 'spec.metrics[0].type: Unsupported value: "InvalidType": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"'],
    [
      metric({
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        pods: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '1' } },
      }),
      'api-metric-spec',
      'spec.metrics[0].pods: Forbidden: must populate the given metric source only',
    ],
    [metric({ type: 'Pods' }), 'api-metric-spec', 'spec.metrics[0].pods: Required value: must populate information for the given metric source'],
    [
      metric({ type: 'ContainerResource', containerResource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }),
      'api-metric-spec',
      'spec.metrics[0].containerResource.container: Required value: must specify a container',
    ],
    [
      metric({ type: 'ContainerResource', containerResource: { name: 'cpu', container: 'Bad_Name', target: { type: 'Utilization', averageUtilization: 70 } } }),
      'api-metric-spec',
      `spec.metrics[0].containerResource.container: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of`,
    ],
    [
      metric({ type: 'ContainerResource', containerResource: { name: 'gpu', container: 'c', target: { type: 'Utilization', averageUtilization: 70 } } }),
      'api-metric-spec',
      'spec.metrics[0].containerResource.name: Invalid value: "gpu": must be a standard resource for containers',
    ],
    [
      metric({ type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 70 } } }),
      'api-metric-target',
      'spec.metrics[0].resource.target.type: Required value: must specify a metric target type',
    ],
    [
      metric({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Percent', averageUtilization: 70 } } }),
      'api-metric-target',
      'spec.metrics[0].resource.target.type: Invalid value: "Percent": must be either Utilization, Value, or AverageValue',
    ],
    [
      metric({ type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '0' } } }),
      'api-metric-target',
      'spec.metrics[0].pods.target.averageValue: Invalid value: "0": must be positive',
    ],
    [
      metric({ type: 'Object', object: { describedObject: { kind: 'Service', name: 's' }, metric: { name: 'm' }, target: { type: 'Value', value: '-1' } } }),
      'api-metric-target',
      'spec.metrics[0].object.target.value: Invalid value: "-1": must be positive',
    ],
  ];
  for (const [o, reason, msg] of cases) {
    const vs = apiServerRules(o);
    const hit = vs.find((v) => v.message.startsWith(msg) || v.message.includes(msg));
    assert.ok(hit, `expected ${JSON.stringify(msg)} in ${JSON.stringify(vs.map((v) => v.message))}`);
    assert.equal(hit.reason, reason, msg);
    assert.ok(hit.field && hit.message.startsWith(hit.field), `message starts with its field: ${hit.message}`);
  }
});

test('behavior errors (validation_test.go TestValidateHorizontalPodAutoscaler behavior cases)', () => {
  const up = 'spec.behavior.scaleUp';
  const down = 'spec.behavior.scaleDown';
  const cases: Array<[HorizontalPodAutoscaler, string]> = [
    [rules({ stabilizationWindowSeconds: -1, policies: [policy()] }), `${up}.stabilizationWindowSeconds: Invalid value: -1: must be greater than or equal to zero`],
    [rules({ stabilizationWindowSeconds: 3601, policies: [policy()] }), `${up}.stabilizationWindowSeconds: Invalid value: 3601: must be less than or equal to 3600`],
    [rules({ policies: [policy()] }, { stabilizationWindowSeconds: 4000 }), `${down}.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600`],
    [rules({ policies: [] }), `${up}.policies: Required value: must specify at least one Policy`],
    [rules({}, { policies: [] }), `${down}.policies: Required value: must specify at least one Policy`],
    [rules({ selectPolicy: 'Sum', policies: [policy()] }), `${up}.selectPolicy: Unsupported value: "Sum": supported values: "Disabled", "Max", "Min"`],
    [rules({ policies: [policy({ type: 'Repetition' })] }), `${up}.policies[0].type: Unsupported value: "Repetition": supported values: "Percent", "Pods"`],
    [rules({ policies: [policy({ value: 0 })] }), `${up}.policies[0].value: Invalid value: 0: must be greater than zero`],
    [rules({ policies: [policy({ value: -1 })] }), `${up}.policies[0].value: Invalid value: -1: must be greater than zero`],
    [rules({ policies: [policy({ periodSeconds: 0 })] }), `${up}.policies[0].periodSeconds: Invalid value: 0: must be greater than zero`],
    [rules({ policies: [policy({ periodSeconds: 1801 })] }), `${up}.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800`],
    [rules({ policies: [policy(), policy({ periodSeconds: -5 })] }), `${up}.policies[1].periodSeconds: Invalid value: -5: must be greater than zero`],
    [rules({ tolerance: '-0.1' }), `${up}.tolerance: Invalid value: "-100m": must be greater than or equal to zero`],
  ];
  for (const [o, msg] of cases) {
    const vs = verifyBehavior(o);
    const hit = vs.find((v) => v.message.startsWith(msg));
    assert.ok(hit, `expected ${JSON.stringify(msg)} in ${JSON.stringify(vs.map((v) => v.message))}`);
    assert.equal(hit.reason, 'api-behavior');
    assert.deepEqual(
      apiServerRules(o).filter((v) => v.reason === 'api-behavior'),
      vs,
    );
  }
  // the brief's exact example
  assert.deepEqual(messages(rules({}, { stabilizationWindowSeconds: 4000 })), ['spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600']);
});

test('one violation per finding, each rule family separately callable', () => {
  assert.deepEqual(
    verifyReplicaBounds(hpa({ minReplicas: 3, maxReplicas: 2 })).map((v) => v.field),
    ['spec.maxReplicas'],
  );
  assert.deepEqual(
    verifyScaleTargetRef(hpa({ scaleTargetRef: {} })).map((v) => v.field),
    ['spec.scaleTargetRef.kind', 'spec.scaleTargetRef.name', 'spec.scaleTargetRef.apiVersion'],
  );
  // an unknown type is one violation, although Go appends NotSupported twice
  assert.equal(verifyMetricSpecs(metric({ type: 'Bogus' })).length, 1);
  // "" is Required plus NotSupported, as in Go
  assert.equal(verifyMetricSpecs(metric({ type: '' })).length, 2);
  assert.match(verifyMetricSpecs(metric({ type: 'pods', pods: {} }))[0]?.message ?? '', /did you mean Pods\?/);
});

test('only the first present metric source is validated, as validateMetricSpec does', () => {
  // object comes first in Go's order: its errors are reported, the pods source is only forbidden
  const vs = verifyMetricSpecs(
    metric({
      type: 'Pods',
      object: { describedObject: { kind: 'Service', name: 's' }, metric: { name: 'm' }, target: { type: 'Value', value: '1' } },
      pods: { metric: {}, target: {} },
    }),
  );
  const msgs = vs.map((v) => v.message);
  assert.ok(msgs.includes('spec.metrics[0].object: Forbidden: must populate the given metric source only'), msgs.join('\n'));
  assert.ok(!msgs.some((m) => m.startsWith('spec.metrics[0].pods.metric')), msgs.join('\n'));
});

test('scaleTargetRef.apiVersion: a group is needed except for ReplicationController; an unchanged ref is not re-validated on UPDATE', () => {
  const dep = (apiVersion?: string) => hpa({ scaleTargetRef: { apiVersion, kind: 'Deployment', name: 'web' } });
  assert.equal(verifyScaleTargetRef(dep()).length, 1);
  assert.equal(verifyScaleTargetRef(dep('v1')).length, 1);
  assert.equal(verifyScaleTargetRef(dep('apps/v1/v2')).length, 1);
  assert.deepEqual(verifyScaleTargetRef(dep('apps/v1')), []);
  assert.deepEqual(verifyScaleTargetRef(dep('v1'), { oldObject: dep('v1') }), []);
  assert.equal(verifyScaleTargetRef(dep('v1'), { oldObject: dep('apps/v1') }).length, 1);
});

test('UPDATE of an HPA that already has minReplicas 0 keeps it, but needs an Object or External metric', () => {
  const zero = hpa({ minReplicas: 0, metrics: [cpuUtil()] });
  assert.ok(messages(zero).some((m) => m.startsWith('spec.minReplicas: Invalid value: 0: must be greater than or equal to 1')));
  const upd = apiServerRules(zero, { oldObject: hpa({ minReplicas: 0 }) }).map((v) => v.message);
  assert.deepEqual(upd, ['spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas']);
  const withObject = hpa({
    minReplicas: 0,
    metrics: [{ type: 'Object', object: { describedObject: { kind: 'Service', name: 's' }, metric: { name: 'qps' }, target: { type: 'Value', value: '10' } } }],
  });
  assert.deepEqual(apiServerRules(withObject, { oldObject: hpa({ minReplicas: 0 }) }), []);
});

test('wrong JSON types are violations, never exceptions', () => {
  const cases: Array<[unknown, string]> = [
    [hpa({ minReplicas: '2' }), 'spec.minReplicas'],
    [hpa({ maxReplicas: 2.5 }), 'spec.maxReplicas'],
    [hpa({ maxReplicas: 2 ** 31 }), 'spec.maxReplicas'],
    [hpa({ scaleTargetRef: 'web' }), 'spec.scaleTargetRef'],
    [hpa({ scaleTargetRef: { kind: 7, name: 'x' } }), 'spec.scaleTargetRef.kind'],
    [hpa({ metrics: 'cpu' }), 'spec.metrics'],
    [hpa({ metrics: [7] }), 'spec.metrics[0]'],
    [metric({ type: 'Pods', pods: 'x' }), 'spec.metrics[0].pods'],
    [metric({ type: 'Pods', pods: { metric: { name: 'm' }, target: 'x' } }), 'spec.metrics[0].pods.target'],
    [metric({ type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: true } } }), 'spec.metrics[0].pods.target.averageValue'],
    [metric({ type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '1K' } } }), 'spec.metrics[0].pods.target.averageValue'],
    [metric(cpuUtil('70')), 'spec.metrics[0].resource.target.averageUtilization'],
    [hpa({ behavior: 'fast' }), 'spec.behavior'],
    [rules({ policies: {} }), 'spec.behavior.scaleUp.policies'],
    [rules({ policies: ['x'] }), 'spec.behavior.scaleUp.policies[0]'],
    [rules({ stabilizationWindowSeconds: '60' }), 'spec.behavior.scaleUp.stabilizationWindowSeconds'],
    [rules({ tolerance: {} }), 'spec.behavior.scaleUp.tolerance'],
    [{ spec: 42 }, 'spec'],
  ];
  for (const [o, field] of cases) {
    const vs = apiServerRules(o as HorizontalPodAutoscaler);
    assert.ok(
      vs.some((v) => v.field === field),
      `${field}: ${JSON.stringify(vs)}`,
    );
  }
  const typo = apiServerRules(metric({ type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '1K' } } }));
  assert.match(typo[0]?.message ?? '', /^spec\.metrics\[0\]\.pods\.target\.averageValue: Invalid value: "1K": unable to parse quantity's suffix \(did you mean 1k/);
});

test('property: apiServerRules never throws, whatever the input', () => {
  const anyHpa = fc.oneof(
    fc.anything(),
    fc.record({ spec: fc.anything() }),
    fc.record({
      spec: fc.record(
        {
          minReplicas: fc.anything(),
          maxReplicas: fc.anything(),
          scaleTargetRef: fc.anything(),
          metrics: fc.array(
            fc.record(
              { type: fc.constantFrom('Pods', 'Object', 'External', 'Resource', 'ContainerResource', 'x'), pods: fc.anything(), object: fc.anything(), resource: fc.anything() },
              { requiredKeys: [] },
            ),
          ),
          behavior: fc.record({ scaleUp: fc.anything(), scaleDown: fc.record({ policies: fc.anything(), tolerance: fc.anything() }, { requiredKeys: [] }) }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
    }),
  );
  fc.assert(
    fc.property(anyHpa, (o) => {
      const vs = apiServerRules(o as HorizontalPodAutoscaler);
      for (const v of vs) assert.ok(v.reason.startsWith('api-') && typeof v.message === 'string');
    }),
    { numRuns: 1500 },
  );
});

test('effectiveBehavior applies defaults.go field by field', () => {
  const defaults = {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
  };
  assert.deepEqual(effectiveBehavior(undefined), defaults);
  assert.deepEqual(effectiveBehavior({}), defaults);
  const b = effectiveBehavior({ scaleDown: { stabilizationWindowSeconds: 600 }, scaleUp: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } });
  assert.deepEqual(b.scaleDown, { ...defaults.scaleDown, stabilizationWindowSeconds: 600 });
  assert.deepEqual(b.scaleUp, { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] });
  assert.equal(effectiveBehavior({ scaleUp: { tolerance: '0.05' } }).scaleUp.tolerance, '0.05');
});
