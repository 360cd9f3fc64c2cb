// enforcement: warn (issue 15 item 5): every violation the policy would deny becomes a warning, and an
// AdmissionResponse warning is cut at 120 characters — so each one must keep the field or metric, the
// value and the fix within them. One case per rule with a long message; the expected tokens are the
// inputs' own values and the fixes the rules are meant to give, written here, not read from the output.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_WARNING_LENGTH } from '../../src/core/admission/decision.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { staticClusterView } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import { defaultPolicy, fixtureText, plainDeployment } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';

const warnPolicy = defaultPolicy((p) => (p.enforcement = 'warn'));
const rules = compileAdapterConfig(fixtureText('seed-000/adapter-config.yaml'), 'a-long-path/to/the/platform-team/prometheus-adapter/values-rendered-config.yaml');
const stored = plainDeployment({ 'gpu-hpa.io/profile': 'inference' }, (d) => {
  d.metadata.name = 'llm-inference-server-with-a-long-name';
  d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': 1 };
});

function hpa(spec: Record<string, unknown>, name = 'llm-inference-server-hpa') {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'ml' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm-inference-server-with-a-long-name' },
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: '60' } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] } },
      ...spec,
    },
  };
}

function warningsFor(object: Record<string, unknown>, others: Record<string, unknown>[] = []): string[] {
  const engine = createEngine({ policy: warnPolicy, rules, cluster: staticClusterView({ deployments: [stored], hpas: others }) });
  const d = engine.validate(reviewOf(object).request as never);
  assert.equal(d.allowed, true, `warn never denies a policy rule: ${JSON.stringify(d.violations)}`);
  for (const w of d.warnings) assert.ok(w.length <= MAX_WARNING_LENGTH, `${w.length} characters: ${w}`);
  return d.warnings;
}

function one(warnings: string[], reason: string): string {
  const w = warnings.filter((x) => x.startsWith(`${reason}: `));
  assert.equal(w.length, 1, `one ${reason} warning in ${JSON.stringify(warnings)}`);
  assert.ok(!w[0]!.endsWith('…'), `cut: ${w[0]}`);
  return w[0]!;
}

test('warn: a metric no rule serves keeps the metric and the did-you-mean', () => {
  const w = one(warningsFor(hpa({ metrics: [{ type: 'Pods', pods: { metric: { name: 'gpu_utilisation' }, target: { type: 'AverageValue', averageValue: '60' } } }] })), 'metric-not-served');
  assert.match(w, /"gpu_utilisation"/);
  assert.match(w, /did you mean gpu_utilization\?/);
});

test('warn: a short scale-down window keeps the value and the minimum', () => {
  const w = one(
    warningsFor(hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 45, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] } } })),
    'unsafe-scale-down-stabilization',
  );
  assert.match(w, /\b45\b/);
  assert.match(w, /at least 300/);
});

test('warn: maxReplicas over the cap keeps the value and the cap', () => {
  const w = one(warningsFor(hpa({ maxReplicas: 100 })), 'max-replicas-over-cap');
  assert.match(w, /\b100\b/);
  assert.match(w, /at most 32/);
});

test('warn: a fast scale-up keeps the policy and the fix', () => {
  const behavior = {
    scaleUp: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 900, periodSeconds: 15 }] },
    scaleDown: { stabilizationWindowSeconds: 600, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
  };
  const w = one(warningsFor(hpa({ behavior })), 'unbounded-scale-up');
  assert.match(w, /Percent 900 per 15s/);
  assert.match(w, /lengthen periodSeconds/);
});

test('warn: a second HPA on the target keeps the rival and the fix', () => {
  const rival = hpa({}, 'the-first-hpa-the-team-wrote-long-ago');
  const w = one(warningsFor(hpa({}), [rival]), 'duplicate-hpa');
  assert.match(w, /the-first-hpa-the-team-wrote-long-ago/);
  assert.match(w, /edit or delete/);
});

test('warn: a profile name typo keeps the annotation, the value and the suggestion', () => {
  const engine = createEngine({ policy: warnPolicy, rules, cluster: staticClusterView({ deployments: [], hpas: [] }) });
  const many = defaultPolicy((p) => {
    p.enforcement = 'warn';
    for (let i = 0; i < 12; i++) p.profiles[`batch-profile-number-${i}`] = p.profiles.training!;
  });
  const d = createEngine({ policy: many, rules, cluster: staticClusterView({ deployments: [], hpas: [] }) }).validate(
    reviewOf(plainDeployment({ 'gpu-hpa.io/profile': 'inferense' })).request as never,
  );
  assert.equal(d.allowed, true);
  const w = one(d.warnings, 'invalid-annotation');
  assert.ok(w.length <= MAX_WARNING_LENGTH, w);
  assert.match(w, /gpu-hpa\.io\/profile "inferense"/);
  assert.match(w, /did you mean inference\?/);
  void engine;
});
