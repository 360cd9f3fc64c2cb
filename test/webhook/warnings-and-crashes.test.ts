// Through the real app and engine (issue 19): the warnings the rules give reach the AdmissionReview
// (managed-mode notice, opt-in label typo), each with its silent neighbour; and two inputs that used to
// throw out of the engine (answered HTTP 500, a fail-closed webhook refusing with an opaque error) now
// get an ordinary answer naming the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plainDeployment, plainHpa, podsMetric } from '../helpers/fixtures.js';
import { post, reviewOf, webhook } from '../helpers/webhook.js';

/** plainHpa with a behavior within the inference profile's limits. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const hpa = (metrics: unknown[], extra: (h: any) => void = () => {}) =>
  plainHpa(metrics, (h) => {
    h.spec.behavior = {
      scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
    };
    extra(h);
  });
const gpuMetric = podsMetric('gpu_utilization', '60');

test('managed-mode notice: a team HPA on a managed Deployment is allowed with the notice; external mode and the managed HPA get none', async () => {
  const managed = webhook({ deployments: [plainDeployment()] });
  const a = await post(managed.request, '/validate', reviewOf(hpa([gpuMetric])));
  assert.equal(a.allowed, true, a.message);
  assert.equal(a.warnings.filter((w) => w.includes('gpu-hpa.io/hpa: external')).length, 1, JSON.stringify(a.warnings));

  const ours = await post(managed.request, '/validate', reviewOf(hpa([gpuMetric], (h) => (h.metadata.labels = { 'app.kubernetes.io/managed-by': 'gpu-hpa-webhook' }))));
  assert.equal(ours.allowed, true, ours.message);
  assert.deepEqual(
    ours.warnings.filter((w) => w.includes('gpu-hpa.io/hpa')),
    [],
  );

  const external = webhook({ deployments: [plainDeployment({ 'gpu-hpa.io/hpa': 'external' })] });
  const e = await post(external.request, '/validate', reviewOf(hpa([gpuMetric])));
  assert.equal(e.allowed, true, e.message);
  assert.deepEqual(
    e.warnings.filter((w) => w.includes('gpu-hpa.io/hpa')),
    [],
  );
});

test('opt-in label typo: /mutate warns, naming the label and the value; /validate and a correct label stay silent', async () => {
  const w = webhook();
  const typo = plainDeployment({}, (d) => (d.metadata.labels['gpu-hpa.io/enabled'] = 'True'));
  const m = await post(w.request, '/mutate', reviewOf(typo));
  assert.equal(m.allowed, true);
  assert.equal(m.patch, undefined, 'not opted in: nothing injected');
  assert.equal(m.warnings.length, 1);
  assert.ok(m.warnings[0]!.includes('gpu-hpa.io/enabled') && m.warnings[0]!.includes('"True"'), m.warnings[0]);
  const v = await post(w.request, '/validate', reviewOf(typo));
  assert.deepEqual(v.warnings, [], 'said once, by the mutating webhook');
  const none = plainDeployment({}, (d) => delete d.metadata.labels['gpu-hpa.io/enabled']);
  assert.deepEqual((await post(w.request, '/mutate', reviewOf(none))).warnings, []);
});

test('a zero target with a huge exponent is denied as not positive, not answered with a 500', async () => {
  const w = webhook({ deployments: [plainDeployment()] });
  const h = hpa([{ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: '0e999999999' } } }]);
  const a = await post(w.request, '/validate', reviewOf(h)); // post() throws on any status but 200
  assert.equal(a.allowed, false);
  assert.deepEqual(a.reasons, ['api-metric-target']);
  assert.match(a.message, /spec\.metrics\[0\]\.pods\.target\.averageValue/);
  assert.match(a.message, /must be positive/);
  // and a huge non-zero exponent is refused by the guard, also without a 500
  const big = await post(w.request, '/validate', reviewOf(hpa([{ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: '1e999999999' } } }])));
  assert.equal(big.allowed, false);
  assert.match(big.message, /too large/);
});

test('a rule whose `as` template holds a dash is judged, not answered with a 500', async () => {
  const rulesText = `rules:
- seriesQuery: '{__name__=~"^DCGM_FI_DEV_.*",namespace!="",pod!=""}'
  resources:
    overrides:
      namespace: {resource: namespace}
      pod: {resource: pod}
  name:
    matches: "^DCGM_FI_DEV_(.*)$"
    as: "gpu-\${1}"
  metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'
`;
  const w = webhook({ rulesText, deployments: [plainDeployment({ 'gpu-hpa.io/hpa': 'external' })] });
  const a = await post(w.request, '/validate', reviewOf(hpa([{ type: 'Pods', pods: { metric: { name: 'gpu-util' }, target: { type: 'AverageValue', averageValue: '60' } } }])));
  assert.equal(a.allowed, true, a.message);
  assert.ok(
    a.warnings.some((x) => x.includes('gpu-util')),
    JSON.stringify(a.warnings),
  );
  const denied = await post(w.request, '/validate', reviewOf(hpa([{ type: 'Pods', pods: { metric: { name: 'cpu_util' }, target: { type: 'AverageValue', averageValue: '60' } } }])));
  assert.equal(denied.allowed, false);
  assert.deepEqual(denied.reasons, ['metric-not-served']);
});
