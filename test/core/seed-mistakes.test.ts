// The mistakes the seed guides make, caught offline (issue 15 item 5). Each test names the seed it
// comes from; the inputs are written here as a team following that guide would write them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optInLabelTypo } from '../../src/core/annotations.js';
import { MAX_WARNING_LENGTH } from '../../src/core/admission/decision.js';
import { defaultPolicy, fixture, fixtureText, plainDeployment, plainHpa, podsMetric } from '../helpers/fixtures.js';
import { formatCheckText, runCheck } from '../../src/cli/check.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { convertV1Hpa } from '../../src/core/hpa-v1.js';
import { createEngine } from '../../src/core/engine.js';
import { staticClusterView } from '../../src/core/cluster.js';
import { reviewOf } from '../helpers/webhook.js';

test('the opt-in written as an annotation: a warning that says to make it a label, kept whole under 120 characters', () => {
  const dep = plainDeployment({}, (d) => {
    delete d.metadata.labels['gpu-hpa.io/enabled'];
    d.metadata.annotations['gpu-hpa.io/enabled'] = 'true';
  });
  const w = optInLabelTypo(dep);
  assert.ok(w, 'an annotation-only opt-in must be reported');
  assert.ok(w.length <= MAX_WARNING_LENGTH, `${w.length} characters: ${w}`);
  assert.match(w, /annotation/);
  assert.match(w, /metadata\.labels\["gpu-hpa\.io\/enabled"\]: "true"/);
  // the neighbour: the label itself set (with or without the annotation) is not this warning
  const both = plainDeployment({}, (d) => (d.metadata.annotations['gpu-hpa.io/enabled'] = 'true'));
  assert.equal(optInLabelTypo(both), undefined);
});

test('seed 003: an autoscaling/v1 CPU HPA on containers without requests is judged as converted, and denied with the fix', () => {
  const rules = compileAdapterConfig('rules: []\n', 'empty');
  const allHpas = defaultPolicy((p) => (p.scope = { hpas: 'all' })); // the Deployment is not opted in (scope.hpas: all)
  const dep = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web-app', namespace: 'production' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  };
  const hpa = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web-app', namespace: 'production' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-app' }, minReplicas: 2, maxReplicas: 20, targetCPUUtilizationPercentage: 70 },
  };
  const report = runCheck(
    [
      { source: 'deployment.yaml', object: dep },
      { source: 'hpa.yaml', object: hpa },
    ],
    allHpas,
    rules,
  );
  const verdict = report.results.find((r) => r.source === 'hpa.yaml');
  assert.equal(verdict?.verdict, 'denied', JSON.stringify(verdict));
  const v = verdict.violations.find((x) => x.reason === 'resource-metric-without-requests');
  assert.ok(v, JSON.stringify(verdict.violations));
  assert.match(v.message, /cpu/);
  assert.match(v.message, /resources\.requests\.cpu/);
  // the neighbour: the same HPA on a Deployment with a cpu request is allowed
  const withRequests = structuredClone(dep);
  (withRequests.spec.template.spec.containers[0] as Record<string, unknown>).resources = { requests: { cpu: '250m' } };
  const ok = runCheck(
    [
      { source: 'deployment.yaml', object: withRequests },
      { source: 'hpa.yaml', object: hpa },
    ],
    allHpas,
    rules,
  );
  assert.equal(ok.results.find((r) => r.source === 'hpa.yaml')?.verdict, 'allowed', JSON.stringify(ok.results));
});

test('autoscaling/v1 conversion: notes for what the API server does silently', () => {
  const base = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, maxReplicas: 3 } };
  const implicit = convertV1Hpa(base);
  assert.deepEqual(implicit.hpa.spec?.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.ok(
    implicit.notes.some((n) => n.includes('cpu Utilization 80%')),
    implicit.notes.join('\n'),
  );
  const broken = convertV1Hpa({ ...base, metadata: { name: 'h', annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '[{' } } });
  assert.ok(
    broken.notes.some((n) => n.includes('autoscaling.alpha.kubernetes.io/metrics') && n.includes('ignores')),
    broken.notes.join('\n'),
  );
  assert.equal(broken.hpa.metadata?.annotations, undefined, 'the round-trip annotation is dropped, as the API server drops it');
  const set = convertV1Hpa({ ...base, spec: { ...base.spec, targetCPUUtilizationPercentage: 70 } });
  assert.deepEqual(set.notes, []);
  assert.equal(set.hpa.spec?.minReplicas, 1, 'minReplicas defaults to 1');
});

test('seed 001: a metric served only by rules on DCGM_FI_DEV_MEMORY_USED says, offline, that it is no DCGM field and what to use', () => {
  const rule = (series: string, as: string) =>
    `  - seriesQuery: '${series}{namespace!="",pod!=""}'\n    resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}\n    name: {matches: "${series}", as: "${as}"}\n    metricsQuery: 'sum(${series}{<<.LabelMatchers>>}) by (<<.GroupBy>>)'\n`;
  const rules = compileAdapterConfig(`rules:\n${rule('DCGM_FI_DEV_MEMORY_USED', 'gpu_memory_used')}${rule('DCGM_FI_DEV_FB_USED', 'gpu_fb_used')}`, 'adapter.yaml');
  const bad = rules.lookup({ kind: 'Pods', name: 'gpu_memory_used', resource: { group: '', resource: 'pods' }, namespaced: true });
  assert.equal(bad.status, 'served');
  assert.ok(bad.status === 'served');
  const note = bad.notes.find((n) => n.includes('DCGM_FI_DEV_MEMORY_USED'));
  assert.ok(note, JSON.stringify(bad.notes));
  assert.ok(note.length <= MAX_WARNING_LENGTH, note);
  assert.match(note, /^gpu_memory_used: rules\[0\] /);
  assert.match(note, /use DCGM_FI_DEV_FB_USED$/);
  // the neighbour: the rule on a field dcgm-exporter does export gets no such note
  const good = rules.lookup({ kind: 'Pods', name: 'gpu_fb_used', resource: { group: '', resource: 'pods' }, namespaced: true });
  assert.ok(good.status === 'served');
  assert.deepEqual(good.notes, []);
});

test("check reports the adapter config's own warnings (seed 001), in text and in the JSON report; none for a clean config", () => {
  const seed001 = compileAdapterConfig(fixtureText('seed-001/adapter-config.yaml'), 'seed-001/adapter-config.yaml');
  const report = runCheck([{ source: 'hpa.yaml', object: fixture('seed-001/hpa.yaml') }], defaultPolicy(), seed001);
  assert.equal(report.adapterConfig.source, 'seed-001/adapter-config.yaml');
  assert.ok(
    report.adapterConfig.warnings.some((w) => w.startsWith('rules[0]') && w.includes('DCGM_FI_DEV_MEMORY_USED is not a DCGM field')),
    JSON.stringify(report.adapterConfig),
  );
  const text = formatCheckText(report);
  assert.match(text, /^WARNING prometheus-adapter config seed-001\/adapter-config\.yaml$/m);
  assert.match(text, /^ {2}! rules\[1\] .*DCGM_FI_DEV_MEMORY_TOTAL is not a DCGM field/m);
  const clean = runCheck([{ source: 'hpa.yaml', object: fixture('seed-000/hpa.yaml') }], defaultPolicy(), compileAdapterConfig(fixtureText('seed-000/adapter-config.yaml'), 'seed-000'));
  assert.deepEqual(clean.adapterConfig.warnings, []);
  assert.doesNotMatch(formatCheckText(clean), /prometheus-adapter config/);
});

test('an HPA on a GPU metric whose target requests no GPU is denied with the fix; a GPU in a container or init container, or a non-GPU metric, is not', () => {
  const rules = compileAdapterConfig(fixtureText('seed-000/adapter-config.yaml'), 'seed-000');
  // not opted in, and no container asks for a GPU
  const cpuOnly = plainDeployment({}, (d) => (d.metadata.labels = {}));
  const judge = (dep: unknown, metric: string) =>
    runCheck(
      [
        { source: 'dep.yaml', object: dep as Record<string, unknown> },
        { source: 'hpa.yaml', object: plainHpa([podsMetric(metric)]) },
      ],
      defaultPolicy((p) => (p.scope = { hpas: 'all' })), // the Deployment is not opted in (scope.hpas: all)
      rules,
    ).results.find((r) => r.source === 'hpa.yaml')!;
  const denied = judge(cpuOnly, 'gpu_utilization');
  assert.equal(denied.verdict, 'denied', JSON.stringify(denied));
  const v = denied.violations.find((x) => x.reason === 'gpu-metric-without-gpu');
  assert.ok(v, JSON.stringify(denied.violations));
  assert.equal(v.field, 'spec.metrics[0].pods.metric.name');
  assert.match(v.message, /"gpu_utilization" comes from DCGM_FI_DEV_GPU_UTIL/);
  assert.match(v.message, new RegExp(`Deployment ${cpuOnly.metadata.name} requests none`));
  assert.match(v.message, /resources\.limits\["nvidia\.com\/gpu"\]/);

  const withGpu = structuredClone(cpuOnly);
  withGpu.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': 1 };
  assert.equal(
    judge(withGpu, 'gpu_utilization').violations.find((x) => x.reason === 'gpu-metric-without-gpu'),
    undefined,
  );
  const initGpu = structuredClone(cpuOnly);
  initGpu.spec.template.spec.initContainers = [{ name: 'warm', image: 'cuda', restartPolicy: 'Always', resources: { limits: { 'nvidia.com/gpu': 1 } } }];
  assert.equal(
    judge(initGpu, 'gpu_utilization').violations.find((x) => x.reason === 'gpu-metric-without-gpu'),
    undefined,
  );
  // a metric no DCGM rule serves is another rule's business (metric-not-served), not this one's
  assert.equal(
    judge(cpuOnly, 'http_requests_per_second').violations.find((x) => x.reason === 'gpu-metric-without-gpu'),
    undefined,
  );
});

test('the GPU-metric rule leaves opted-in targets to the gpu-injected rule: their GPUs come from the mutating webhook', () => {
  const rules = compileAdapterConfig(fixtureText('seed-000/adapter-config.yaml'), 'seed-000');
  const engine = createEngine({
    policy: defaultPolicy(),
    rules,
    cluster: staticClusterView({ deployments: [plainDeployment()], hpas: [] }), // opted in, stored without its GPU limit
  });
  const d = engine.validate(reviewOf(plainHpa()).request as never);
  assert.equal(
    d.violations.find((v) => v.reason === 'gpu-metric-without-gpu'),
    undefined,
    JSON.stringify(d.violations),
  );
});
