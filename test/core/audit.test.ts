// The audit (src/core/audit.ts): every HPA and opted-in Deployment judged as its next write would be, under
// enforcement deny, grouped by reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { auditCluster, enforcedPolicy } from '../../src/core/audit.js';
import { staticClusterView } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import { defaultPolicy, fixture } from '../helpers/fixtures.js';
import { SHIPPED_RULES } from '../helpers/webhook.js';

const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped');

function cluster() {
  const gpu = fixture('seed-000/deployment.yaml'); // opted in, default/gpu-hpa-test
  const web = { ...structuredClone(gpu), metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } } };
  const gpu2 = { ...structuredClone(gpu), metadata: { ...structuredClone(gpu.metadata), name: 'gpu-2' } };
  const good = fixture('seed-000/hpa.yaml'); // gpu_utilization on gpu-hpa-test: served by the shipped rules
  const typo = structuredClone(good);
  typo.metadata.name = 'typo';
  typo.spec.metrics[0].pods.metric.name = 'gpu_utilisation';
  typo.spec.scaleTargetRef.name = 'gpu-2'; // one HPA per Deployment (the single-HPA rule)
  const other = structuredClone(typo);
  other.metadata.name = 'other-team';
  other.spec.scaleTargetRef.name = 'web';
  const keda = structuredClone(typo);
  keda.metadata.name = 'keda-hpa-gpu';
  keda.spec.scaleTargetRef.name = 'web';
  keda.metadata.ownerReferences = [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'gpu', uid: 'u', controller: true }];
  for (const o of [good, typo, other, keda]) o.metadata.namespace = 'default';
  return { deployments: [gpu, gpu2, web], hpas: [good, typo, other, keda] };
}

test('under warn, the audit judges as deny would; verdicts grouped by reason, the not judged by why', () => {
  const policy = defaultPolicy((p) => (p.enforcement = 'warn'));
  const objects = cluster();
  const engine = createEngine({ policy: enforcedPolicy(policy), rules, cluster: staticClusterView(objects, true) });
  const r = auditCluster(engine, policy, objects);
  assert.equal(r.enforcement, 'warn');
  assert.deepEqual(r.summary, { hpas: 4, deployments: 2, denied: 1, allowed: 3, skipped: 2 });
  const verdict = (name: string) => r.entries.find((e) => e.name === name)?.verdict;
  assert.deepEqual(['gpu-hpa-test', 'typo', 'other-team', 'keda-hpa-gpu'].map(verdict), ['allowed', 'denied', 'skipped', 'skipped']);
  assert.deepEqual(
    r.groups.map((g) => [g.verdict, g.reason, g.entries.map((e) => `${e.kind} ${e.name}`)]),
    [
      ['denied', 'metric-not-served', ['HorizontalPodAutoscaler typo']],
      ['skipped', 'keda-owned', ['HorizontalPodAutoscaler keda-hpa-gpu']],
      ['skipped', 'target-not-opted-in', ['HorizontalPodAutoscaler other-team']],
      ['allowed', 'allowed', ['Deployment gpu-2', 'Deployment gpu-hpa-test', 'HorizontalPodAutoscaler gpu-hpa-test']],
    ],
  );
  // the message names the field and the fix, without repeating the object the entry names
  assert.match(r.groups[0]!.entries[0]!.message!, /^spec\.metrics\[0\]\.pods\.metric\.name: .*Did you mean gpu_utilization\?/);
  // the same engine under the policy as it is (warn) allows the typo: the audit is what deny would do
  assert.equal(createEngine({ policy, rules, cluster: staticClusterView(objects, true) }).validate(reviewOfTypo(objects.hpas[1])).allowed, true);
});

function reviewOfTypo(hpa: unknown) {
  return {
    uid: 'u',
    kind: { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
    resource: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
    name: 'typo',
    namespace: 'default',
    operation: 'UPDATE' as const,
    object: hpa,
    oldObject: hpa,
  };
}

test("scope all: the other team's HPA is judged too", () => {
  const policy = defaultPolicy((p) => (p.scope = { hpas: 'all' }));
  const objects = cluster();
  const r = auditCluster(createEngine({ policy: enforcedPolicy(policy), rules, cluster: staticClusterView(objects, true) }), policy, objects);
  assert.deepEqual(
    r.groups
      .find((g) => g.verdict === 'denied')
      ?.entries.map((e) => e.name)
      .sort(),
    ['other-team', 'typo'],
  );
});
