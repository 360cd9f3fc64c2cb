// The decoding and ObjectMeta rules check follows (kube-apiserver v1.36.3): expected outcomes come
// from the Go sources cited in src/core/validate/hpa-decode.ts, object-meta.ts and k8s-names.ts;
// test/e2e/check-differential.e2e.ts confirms them against the real API server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonQuantity } from '../../../src/core/quantity.js';
import { apiServerRules } from '../../../src/core/validate/hpa-api-rules.js';
import { decodeViolations } from '../../../src/core/validate/hpa-decode.js';
import { isQualifiedName, parseGroupVersion } from '../../../src/core/validate/k8s-names.js';
import { objectMetaViolations } from '../../../src/core/validate/object-meta.js';
import type { HorizontalPodAutoscaler } from '../../../src/core/k8s-types.js';

type J = Record<string, unknown>;
const valid = (): J => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 3 },
});
const withSpec = (spec: J): HorizontalPodAutoscaler => ({ ...valid(), spec: { ...(valid()['spec'] as J), ...spec } });
const reasons = (o: unknown, strict = true) => apiServerRules(o as HorizontalPodAutoscaler, { strictDecoding: strict }).map((v) => v.reason);

test('strict decoding: unknown fields are refused (case-sensitive), only when strict', () => {
  for (const [o, field] of [
    [withSpec({ minreplicas: 2 }), 'spec.minreplicas'],
    [withSpec({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'x' } }), 'spec.scaleTargetRef.namespace'],
    [withSpec({ targetCPUUtilizationPercentage: 80 }), 'spec.targetCPUUtilizationPercentage'],
    [{ ...valid(), status: { replicas: 1 } }, 'status.replicas'],
  ] as const) {
    const vs = decodeViolations(o, { strict: true });
    assert.deepEqual(
      vs.map((v) => [v.reason, v.field]),
      [['api-unknown-field', field]],
    );
    assert.deepEqual(decodeViolations(o), [], 'not strict: the webhook gets decoded objects');
  }
  assert.match(decodeViolations(withSpec({ minreplicas: 2 }), { strict: true })[0]!.message, /did you mean minReplicas\?/);
});

test('decoding: wrong JSON types are refused, null is the zero value, [null] an empty struct', () => {
  for (const spec of [{ maxReplicas: '3' }, { maxReplicas: 1.5 }, { maxReplicas: 2 ** 31 }, { metrics: {} }, { behavior: [] }, { scaleTargetRef: 'web' }]) {
    assert.deepEqual(reasons(withSpec(spec)), ['api-decode'], JSON.stringify(spec));
  }
  const selector = (s: unknown) => withSpec({ metrics: [{ type: 'External', external: { metric: { name: 'q', selector: s }, target: { type: 'Value', value: '1' } } }] });
  for (const s of ['a=b', { matchLabels: 'a=b' }, { matchLabels: { a: 1 } }, { matchExpressions: {} }]) assert.deepEqual(reasons(selector(s)), ['api-decode'], JSON.stringify(s));
  // shapes Go decodes; the operator is not validated for metric selectors
  for (const s of [null, {}, { matchLabels: { a: null } }, { matchExpressions: [{ key: 'a', operator: 'Bogus' }] }]) assert.deepEqual(reasons(selector(s)), [], JSON.stringify(s));
  assert.deepEqual(reasons(withSpec({ minReplicas: null, metrics: null, behavior: null })), []);
  const nullMetric = apiServerRules(withSpec({ metrics: [null] }));
  assert.ok(
    nullMetric.some((v) => v.message.startsWith('spec.metrics[0].type: Required value')),
    JSON.stringify(nullMetric),
  );
  assert.deepEqual(reasons({ ...valid(), metadata: { name: 'web', creationTimestamp: 'yesterday' } }), ['api-decode']);
  assert.deepEqual(reasons({ ...valid(), metadata: { name: 'web', creationTimestamp: '2024-01-02T15:04:05Z' } }), []);
});

test('JSON quantities: only the white space Go writes raw is trimmed', () => {
  for (const ok of [' 1', '1 ', '1\u00a0', '\u30001']) assert.ok(parseJsonQuantity(ok).ok, JSON.stringify(ok));
  for (const bad of ['1\n', '\t1', '1\u2028', '1\r']) assert.equal(parseJsonQuantity(bad).ok, false, JSON.stringify(bad));
  const block = withSpec({ metrics: [{ type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '1\n' } } }] });
  assert.deepEqual(reasons(block), ['api-decode']);
});

test('ObjectMeta: names, generateName, labels, annotations, finalizers, owner references', () => {
  const meta = (m: J) => objectMetaViolations(m).map((v) => v.field);
  assert.deepEqual(meta({ name: 'web.v1' }), []);
  for (const name of ['Web', '-web', 'web-', 'a..b', 'a_b', 'x'.repeat(254)]) assert.deepEqual(meta({ name }), ['metadata.name'], name);
  assert.deepEqual(meta({ name: 'x'.repeat(253) }), []);
  assert.deepEqual(meta({}), ['metadata.name']);
  assert.deepEqual(meta({ generateName: 'web-' }), []);
  // maskTrailingDash drops the last two characters: "-" alone stays invalid, "ab-" becomes "a"+"a"
  assert.deepEqual(meta({ generateName: 'Web-' }), ['metadata.generateName', 'metadata.name']);
  assert.deepEqual(meta({ generateName: 'a.' }), ['metadata.generateName']);
  assert.deepEqual(meta({ generateName: 'x'.repeat(70) }), []);
  assert.deepEqual(meta({ name: 'w', labels: { 'example.com/app': 'Web_1.x', app: '' } }), []);
  assert.deepEqual(meta({ name: 'w', labels: { '-app': 'x' } }), ['metadata.labels']);
  assert.deepEqual(meta({ name: 'w', labels: { app: 'v'.repeat(64) } }), ['metadata.labels']);
  assert.deepEqual(meta({ name: 'w', annotations: { 'Example.COM/Key': 'any' } }), [], 'annotation keys are checked in lower case');
  assert.deepEqual(meta({ name: 'w', annotations: { a: 'x'.repeat(262143) } }), []);
  assert.deepEqual(meta({ name: 'w', annotations: { a: 'x'.repeat(262144) } }), ['metadata.annotations']);
  assert.deepEqual(meta({ name: 'w', finalizers: ['example.com/f', 'kubernetes'] }), []);
  assert.deepEqual(meta({ name: 'w', finalizers: ['foo'] }), ['metadata.finalizers[0]']);
  assert.deepEqual(meta({ name: 'w', finalizers: ['orphan', 'foregroundDeletion'] }), ['metadata.finalizers']);
  const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u' };
  assert.deepEqual(meta({ name: 'w', ownerReferences: [owner] }), []);
  assert.deepEqual(meta({ name: 'w', ownerReferences: [{ ...owner, uid: '' }] }), ['metadata.ownerReferences.uid']);
  assert.deepEqual(meta({ name: 'w', ownerReferences: [{ ...owner, apiVersion: 'v1', kind: 'Event' }] }), ['metadata.ownerReferences']);
  assert.deepEqual(
    meta({
      name: 'w',
      ownerReferences: [
        { ...owner, controller: true },
        { ...owner, controller: true },
      ],
    }),
    ['metadata.ownerReferences'],
  );
  assert.deepEqual(meta({ name: 'w', generation: -1 }), ['metadata.generation']);
});

test('ParseGroupVersion and label keys, as in apimachinery', () => {
  assert.deepEqual(parseGroupVersion('apps/'), { group: 'apps', version: '' });
  assert.deepEqual(parseGroupVersion('/v1'), { group: '', version: 'v1' });
  assert.deepEqual(parseGroupVersion('/'), { group: '', version: '' });
  assert.ok('error' in parseGroupVersion('a/b/c'));
  const ref = (apiVersion: string, kind = 'Deployment') => reasons(withSpec({ scaleTargetRef: { apiVersion, kind, name: 'web' } }));
  assert.deepEqual(ref('apps/'), []);
  for (const v of ['', '/', '/v1', 'v1', 'a/b/c']) assert.deepEqual(ref(v), ['api-scale-target-ref'], v);
  assert.deepEqual(ref('/v1', 'ReplicationController'), []);
  assert.deepEqual(isQualifiedName(`${'p'.repeat(253)}/k`), []);
  assert.equal(isQualifiedName(`${'p'.repeat(254)}/k`).length, 1);
  assert.equal(isQualifiedName('/k')[0], 'prefix part must be non-empty');
});

test('ContainerResource names and minReplicas 0', () => {
  const cr = (name: string) => reasons(withSpec({ metrics: [{ type: 'ContainerResource', containerResource: { name, container: 'app', target: { type: 'Utilization', averageUtilization: 50 } } }] }));
  for (const ok of ['cpu', 'memory', 'hugepages-2Mi', 'nvidia.com/gpu', 'kubernetes.io/anything']) assert.deepEqual(cr(ok), [], ok);
  for (const bad of ['gpu', 'pods', 'requests.cpu', 'requests.example.com/x', 'example.com/', `${'d'.repeat(246)}/x`]) assert.ok(cr(bad).includes('api-metric-spec'), bad);
  const zero = apiServerRules(withSpec({ minReplicas: 0 })).map((v) => v.message);
  assert.ok(zero.some((m) => m.startsWith('spec.minReplicas: Invalid value: 0: must be greater than or equal to 1')));
  assert.ok(zero.some((m) => m.includes('must specify at least one Object or External metric to support scaling to zero replicas')));
});
