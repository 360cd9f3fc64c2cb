// AdmissionReviews for HPAs through the real app and engine (SPEC "Validation" 1–5, HPA mutation),
// with the seeds' own manifests and adapter configs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPolicy, fixture, fixtureText, plainDeployment, plainHpa } from '../helpers/fixtures.js';
import { post, reviewOf, webhook } from '../helpers/webhook.js';

const seed000 = fixtureText('seed-000/adapter-config.yaml');
const seed001 = fixtureText('seed-001/adapter-config.yaml');
const seed003 = fixtureText('seed-003/adapter-config.yaml');

const hpa = plainHpa;
const podsMetric = (name: string, target: object = { type: 'AverageValue', averageValue: '30' }) => ({ type: 'Pods', pods: { metric: { name }, target } });

// --- 1. metrics served, with prometheus-adapter's semantics ---------------------------------------

test('seed-000 HPA is allowed with the seed-000 rules', async () => {
  const a = await post(webhook({ rulesText: seed000 }).request, '/validate', reviewOf(fixture('seed-000/hpa.yaml')));
  assert.equal(a.allowed, true, a.message);
});

test('seed-000 HPA is allowed with the shipped DCGM rules', async () => {
  const a = await post(webhook().request, '/validate', reviewOf(fixture('seed-000/hpa.yaml')));
  assert.equal(a.allowed, true, a.message);
});

test('seed-003 request-rate HPA is denied with the seed-000 rules, and allowed with its own', async () => {
  const h = fixture('seed-003/hpa-custom.yaml');
  const denied = await post(webhook({ rulesText: seed000, rulesSource: 'seed-000/adapter-config.yaml' }).request, '/validate', reviewOf(h));
  assert.equal(denied.allowed, false);
  assert.deepEqual(denied.reasons, ['metric-not-served']);
  assert.match(denied.message, /HorizontalPodAutoscaler production\/web-app-hpa: spec\.metrics\[0\]\.pods\.metric\.name: .*Pods metric "http_requests_per_second"/);
  assert.match(denied.message, /seed-000\/adapter-config\.yaml/);
  assert.match(denied.message, /rules\[0\]/);
  const allowed = await post(webhook({ rulesText: seed003 }).request, '/validate', reviewOf(h));
  assert.equal(allowed.allowed, true, allowed.message);
});

test('a misspelt metric is denied with the served name suggested', async () => {
  const h = fixture('seed-000/hpa.yaml');
  h.spec.metrics[0].pods.metric.name = 'gpu_utilisation';
  const a = await post(webhook({ rulesText: seed000 }).request, '/validate', reviewOf(h));
  assert.equal(a.allowed, false);
  assert.match(a.message, /did you mean gpu_utilization\?/i);
});

test('seed-001 HPA (template <<.Resource>> rule) is allowed offline with the seed-001 rules', async () => {
  const a = await post(webhook({ rulesText: seed001 }).request, '/validate', reviewOf(fixture('seed-001/hpa.yaml')));
  assert.equal(a.allowed, true, a.message);
});

test('seed-001 multi-metric HPA: the Object metric requests_per_second on a Service is served by no rule', async () => {
  const a = await post(webhook({ rulesText: seed001 }).request, '/validate', reviewOf(fixture('seed-001/hpa-multi-metric.yaml')));
  assert.equal(a.allowed, false);
  assert.deepEqual(a.reasons, ['metric-not-served']);
  assert.match(a.message, /spec\.metrics\[1\]\.object\.metric\.name: .*Object metric "requests_per_second" on services/);
});

test('an External metric is never served by custom `rules`', async () => {
  const h = hpa([{ type: 'External', external: { metric: { name: 'gpu_utilization' }, target: { type: 'Value', value: '30' } } }]);
  const a = await post(webhook({ rulesText: seed000 }).request, '/validate', reviewOf(h));
  assert.equal(a.allowed, false);
  assert.match(a.message, /no prometheus-adapter externalRules entry/);
});

test('an External metric served by externalRules is allowed', async () => {
  const rules = `externalRules:\n  - seriesQuery: 'queue_depth{queue!=""}'\n    resources: {overrides: {namespace: {resource: namespace}}}\n    metricsQuery: 'sum(queue_depth{<<.LabelMatchers>>})'\n`;
  const h = hpa([{ type: 'External', external: { metric: { name: 'queue_depth' }, target: { type: 'AverageValue', averageValue: '5' } } }]);
  const a = await post(webhook({ rulesText: rules }).request, '/validate', reviewOf(h));
  assert.equal(a.allowed, true, a.message);
});

test('a Pods metric whose rule maps no label to pods is denied', async () => {
  const rules = `rules:\n  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{namespace!="",Hostname!=""}'\n    resources: {overrides: {namespace: {resource: namespace}, Hostname: {resource: node}}}\n    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: gpu_utilization}\n    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n`;
  const a = await post(webhook({ rulesText: rules }).request, '/validate', reviewOf(hpa([podsMetric('gpu_utilization')])));
  assert.equal(a.allowed, false);
  assert.deepEqual(a.reasons, ['metric-not-served']);
  assert.match(a.message, /pod/);
});

// A rule serving DCGM's GPU utilization per node (Hostname) and per namespace. The HPA controller
// asks for an Object metric on a Node within the HPA's namespace (GetObjectMetric, kubernetes#67777);
// the adapter registers node metrics only cluster-scoped: such an HPA stays <unknown>. A Namespace's
// metric is asked cluster-scoped, and served.
const perNodeRules = `rules:\n  - seriesQuery: 'DCGM_FI_DEV_GPU_UTIL{Hostname!=""}'\n    resources: {overrides: {Hostname: {resource: node}, namespace: {resource: namespace}}}\n    name: {matches: "^DCGM_FI_DEV_GPU_UTIL$", as: node_gpu_utilization}\n    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n`;
const objectMetric = (apiVersion: string, kind: string, name: string) => ({
  type: 'Object',
  object: { describedObject: { apiVersion, kind, name }, metric: { name: 'node_gpu_utilization' }, target: { type: 'Value', value: '50' } },
});

test('an Object metric on a Node is denied: the HPA controller asks for it namespaced, the adapter serves nodes only cluster-scoped', async () => {
  const a = await post(webhook({ rulesText: perNodeRules }).request, '/validate', reviewOf(hpa([objectMetric('v1', 'Node', 'gpu-node-1')])));
  assert.equal(a.allowed, false);
  assert.deepEqual(a.reasons, ['metric-not-served']);
  assert.match(a.message, /Object metric "node_gpu_utilization" on nodes/);
  assert.match(a.message, /cluster-scoped .* namespaced .*kubernetes\/kubernetes#67777/);
});

test('an Object metric on a PersistentVolume is denied alike; on a Namespace it is served', async () => {
  const pvRules = perNodeRules.replace('Hostname: {resource: node}', 'Hostname: {resource: persistentvolume}');
  const pv = await post(webhook({ rulesText: pvRules }).request, '/validate', reviewOf(hpa([objectMetric('v1', 'PersistentVolume', 'pv-1')])));
  assert.equal(pv.allowed, false);
  assert.match(pv.message, /on persistentvolumes/);
  const ns = await post(webhook({ rulesText: perNodeRules }).request, '/validate', reviewOf(hpa([objectMetric('v1', 'Namespace', 'ml')])));
  assert.equal(ns.allowed, true, ns.message);
  assert.deepEqual(ns.warnings, []);
  // the HPA controller reads its own namespace's metric whatever describedObject names
  const other = await post(webhook({ rulesText: perNodeRules }).request, '/validate', reviewOf(hpa([objectMetric('v1', 'Namespace', 'team-b')])));
  assert.equal(other.allowed, true, other.message);
  assert.equal(other.warnings.length, 1, JSON.stringify(other.warnings));
  assert.match(other.warnings[0]!, /the HPA reads namespace ml's metric; spec\.metrics\[0\]\.object\.describedObject\.name "team-b" is ignored/);
});

test('a rule selecting names by regex cannot be verified offline: allowed with a warning', async () => {
  const rules = `rules:\n  - seriesQuery: '{__name__=~"^DCGM_FI_.*",namespace!="",pod!=""}'\n    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}\n    name: {matches: "^DCGM_FI_DEV_(.*)$", as: "gpu_\${1}"}\n    metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n`;
  const a = await post(webhook({ rulesText: rules }).request, '/validate', reviewOf(hpa([podsMetric('gpu_GPU_UTIL')])));
  assert.equal(a.allowed, true, a.message);
  assert.equal(a.warnings.length, 1);
  assert.match(a.warnings[0]!, /could not be verified offline/);
  assert.ok(a.warnings[0]!.length <= 120);
});

// --- 2. targets fit the metric ---------------------------------------------------------------------

const targetCases: Array<[string, object, RegExp]> = [
  ['Pods metric with a Value target', podsMetric('gpu_utilization', { type: 'Value', value: '30' }), /AverageValue/],
  ['Pods metric with Utilization', podsMetric('gpu_utilization', { type: 'Utilization', averageUtilization: 30 }), /AverageValue/],
  ['a zero target', podsMetric('gpu_utilization', { type: 'AverageValue', averageValue: '0' }), /must be positive/],
  // ParseQuantity: "1K" matches the format regexp, then the suffix K is unknown (quantity.go ErrSuffix)
  ['1K (Kubernetes has no K suffix)', podsMetric('gpu_utilization', { type: 'AverageValue', averageValue: '1K' }), /unable to parse quantity's suffix \(did you mean 1k/],
  ['type AverageValue with only value set', podsMetric('gpu_utilization', { type: 'AverageValue', value: '30' }), /averageValue/],
];
for (const [name, metric, re] of targetCases) {
  test(`targets: ${name} is denied`, async () => {
    const a = await post(webhook({ rulesText: seed000 }).request, '/validate', reviewOf(hpa([metric])));
    assert.equal(a.allowed, false);
    assert.match(a.message, re);
  });
}

test('targets: quantities 30, 500m, 1k, 1Gi are accepted', async () => {
  const { request } = webhook({ rulesText: seed000 });
  for (const q of ['30', '500m', '1k', '1Gi', 30]) {
    const a = await post(request, '/validate', reviewOf(hpa([podsMetric('gpu_utilization', { type: 'AverageValue', averageValue: q })])));
    assert.equal(a.allowed, true, `${q}: ${a.message}`);
  }
});

// --- 3. what the API server would reject -----------------------------------------------------------

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const apiCases: Array<[string, (h: any) => void, RegExp]> = [
  ['minReplicas 0', (h) => (h.spec.minReplicas = 0), /minReplicas/],
  [
    'maxReplicas below minReplicas',
    (h) => {
      h.spec.minReplicas = 5;
      h.spec.maxReplicas = 2;
    },
    /maxReplicas/,
  ],
  ['stabilizationWindowSeconds 4000', (h) => (h.spec.behavior = { scaleUp: { stabilizationWindowSeconds: 4000, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } }), /3600/],
  ['periodSeconds 0', (h) => (h.spec.behavior = { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 0 }] } }), /periodSeconds/],
  ['periodSeconds 1801', (h) => (h.spec.behavior = { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } }), /1800/],
  ['empty policies', (h) => (h.spec.behavior = { scaleDown: { policies: [] } }), /at least one Policy/],
  ['policy value 0', (h) => (h.spec.behavior = { scaleDown: { policies: [{ type: 'Percent', value: 0, periodSeconds: 60 }] } }), /value/],
  ['selectPolicy Sometimes', (h) => (h.spec.behavior = { scaleDown: { selectPolicy: 'Sometimes', policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] } }), /selectPolicy/],
];
for (const [name, mutate, re] of apiCases) {
  test(`API-server rule: ${name} is denied, even under enforcement warn`, async () => {
    for (const policy of [defaultPolicy(), defaultPolicy((p) => (p.enforcement = 'warn'))]) {
      const a = await post(webhook({ rulesText: seed000, policy }).request, '/validate', reviewOf(hpa([podsMetric('gpu_utilization')], mutate)));
      assert.equal(a.allowed, false, name);
      assert.match(a.message, re);
    }
  });
}

test("the seeds' HPAs are all valid for the API server (no api-* reason)", async () => {
  const { request } = webhook({ rulesText: seed003 });
  for (const f of [
    'seed-000/hpa.yaml',
    'seed-001/hpa.yaml',
    'seed-001/hpa-multi-metric.yaml',
    'seed-003/hpa-cpu.yaml',
    'seed-003/hpa-memory.yaml',
    'seed-003/hpa-custom.yaml',
    'seed-003/hpa-multi.yaml',
  ]) {
    const a = await post(request, '/validate', reviewOf(fixture(f)));
    assert.deepEqual(
      a.reasons.filter((r) => r.startsWith('api-')),
      [],
      `${f}: ${a.message}`,
    );
  }
});

// --- 4. safe behavior for GPU workloads -------------------------------------------------------------

const optedIn = plainDeployment({ 'gpu-hpa.io/hpa': 'external' });
const safeBehavior = {
  scaleUp: { stabilizationWindowSeconds: 30, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
  scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
};

test('safety: an HPA on an opted-in Deployment with the profile-like behavior is allowed', async () => {
  const a = await post(webhook({ rulesText: seed000, deployments: [optedIn] }).request, '/validate', reviewOf(hpa([podsMetric('gpu_utilization')], (h) => (h.spec.behavior = safeBehavior))));
  assert.equal(a.allowed, true, a.message);
});

test('safety: a short scale-down stabilization window is denied', async () => {
  const b = structuredClone(safeBehavior);
  b.scaleDown.stabilizationWindowSeconds = 60;
  const a = await post(webhook({ rulesText: seed000, deployments: [optedIn] }).request, '/validate', reviewOf(hpa([podsMetric('gpu_utilization')], (h) => (h.spec.behavior = b))));
  assert.deepEqual(a.reasons, ['unsafe-scale-down-stabilization']);
  assert.match(a.message, /is 60; profile "inference" needs at least 300/);
});

test("safety: the API server's default scale-down (100 % per 15 s) is unbounded for the profile", async () => {
  const a = await post(
    webhook({ rulesText: seed000, deployments: [optedIn] }).request,
    '/validate',
    reviewOf(hpa([podsMetric('gpu_utilization')], (h) => (h.spec.behavior = { scaleUp: safeBehavior.scaleUp }))),
  );
  assert.deepEqual(a.reasons, ['unbounded-scale-down']);
  assert.match(a.message, /Percent 100 per 15s \(= 400%\/min, limit 50\)/);
});

test('safety: maxReplicas over the profile cap is denied', async () => {
  const a = await post(
    webhook({ rulesText: seed000, deployments: [optedIn] }).request,
    '/validate',
    reviewOf(
      hpa([podsMetric('gpu_utilization')], (h) => {
        h.spec.behavior = safeBehavior;
        h.spec.maxReplicas = 33;
      }),
    ),
  );
  assert.deepEqual(a.reasons, ['max-replicas-over-cap']);
});

test('safety: a second HPA for the same Deployment is denied', async () => {
  const first = hpa([podsMetric('gpu_utilization')], (h) => {
    h.spec.behavior = safeBehavior;
    h.metadata.name = 'llm-a';
  });
  const second = hpa([podsMetric('gpu_utilization')], (h) => {
    h.spec.behavior = safeBehavior;
    h.metadata.name = 'llm-b';
  });
  const a = await post(webhook({ rulesText: seed000, deployments: [optedIn], hpas: [first] }).request, '/validate', reviewOf(second));
  assert.deepEqual(a.reasons, ['duplicate-hpa']);
  assert.match(a.message, /already scaled by HorizontalPodAutoscaler llm-a/);
  // the same HPA updated is not its own rival
  const b = await post(webhook({ rulesText: seed000, deployments: [optedIn], hpas: [first] }).request, '/validate', reviewOf(first, 'UPDATE', first));
  assert.equal(b.allowed, true, b.message);
});

test('safety rules do not apply to HPAs of Deployments that did not opt in', async () => {
  // a GPU of its own: a GPU metric on pods without one is another rule's denial (hpa-gpu-metric-target)
  const notOpted = plainDeployment({}, (d) => {
    delete d.metadata.labels['gpu-hpa.io/enabled'];
    d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': 1 };
  });
  const a = await post(webhook({ rulesText: seed000, deployments: [notOpted] }).request, '/validate', reviewOf(hpa([podsMetric('gpu_utilization')])));
  assert.equal(a.allowed, true, a.message);
});

// --- 5. resource metrics need requests ---------------------------------------------------------------

test('resource metrics: cpu Utilization on a Deployment with a container lacking a cpu request is denied', async () => {
  const dep = plainDeployment({}, (d) => {
    delete d.metadata.labels['gpu-hpa.io/enabled'];
    d.metadata = { ...d.metadata, name: 'web-app', namespace: 'production' };
    delete d.spec.template.spec.containers[1].resources.requests.cpu;
  });
  // a Deployment that did not opt in: its HPA is judged only when the policy's scope says all
  const all = defaultPolicy((p) => (p.scope = { hpas: 'all' }));
  const out = await post(webhook({ deployments: [dep] }).request, '/validate', reviewOf(fixture('seed-003/hpa-cpu.yaml')));
  assert.deepEqual([out.allowed, out.reasons], [true, []], 'scope.hpas opted-in (the default): not judged');
  const a = await post(webhook({ deployments: [dep], policy: all }).request, '/validate', reviewOf(fixture('seed-003/hpa-cpu.yaml')));
  assert.deepEqual(a.reasons, ['resource-metric-without-requests']);
  assert.match(a.message, /no cpu request in container "sidecar"/);
  // a limit counts: the API server defaults requests from limits
  dep.spec.template.spec.containers[1].resources.limits = { cpu: '1' };
  const b = await post(webhook({ deployments: [dep], policy: all }).request, '/validate', reviewOf(fixture('seed-003/hpa-cpu.yaml')));
  assert.equal(b.allowed, true, b.message);
});

test('resource metrics: with the target unknown (no cluster), the requests are reported as not checked', async () => {
  const a = await post(webhook({ deployments: [] }).request, '/validate', reviewOf(fixture('seed-003/hpa-cpu.yaml')));
  assert.equal(a.allowed, true);
  assert.deepEqual(a.warnings, ['Deployment web-app unknown here; its cpu/memory requests were not checked']);
});

// --- HPA mutation: behavior filled from the profile ---------------------------------------------------

test("/mutate: an HPA of an opted-in Deployment without behavior gets the profile's", async () => {
  const profile = defaultPolicy().profiles.inference!;
  const a = await post(webhook({ deployments: [optedIn] }).request, '/mutate', reviewOf(hpa([podsMetric('gpu_utilization')])));
  assert.deepEqual(a.patch, [{ op: 'add', path: '/spec/behavior', value: profile.behavior }]);
});

test('/mutate: only the missing half of a behavior is filled; HPAs of other Deployments are untouched', async () => {
  const profile = defaultPolicy().profiles.inference!;
  const own = { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } };
  const a = await post(webhook({ deployments: [optedIn] }).request, '/mutate', reviewOf(hpa([podsMetric('gpu_utilization')], (h) => (h.spec.behavior = own))));
  assert.deepEqual(a.patch, [{ op: 'add', path: '/spec/behavior/scaleDown', value: profile.behavior.scaleDown }]);
  const b = await post(webhook({ deployments: [] }).request, '/mutate', reviewOf(hpa([podsMetric('gpu_utilization')])));
  assert.equal(b.patch, undefined);
});

test('/mutate: a null behavior or half is unset (the API server would default it) and is filled', async () => {
  const profile = defaultPolicy().profiles.inference!;
  const a = await post(webhook({ deployments: [optedIn] }).request, '/mutate', reviewOf(hpa([podsMetric('gpu_utilization')], (h) => (h.spec.behavior = null))));
  assert.deepEqual(a.patch, [{ op: 'add', path: '/spec/behavior', value: profile.behavior }]);
  const own = { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] }, scaleDown: null };
  const b = await post(webhook({ deployments: [optedIn] }).request, '/mutate', reviewOf(hpa([podsMetric('gpu_utilization')], (h) => (h.spec.behavior = own))));
  assert.deepEqual(b.patch, [{ op: 'add', path: '/spec/behavior/scaleDown', value: profile.behavior.scaleDown }]);
});
