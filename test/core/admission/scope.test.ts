import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scopeOf } from '../../../src/core/admission/scope.js';
import { createEngine } from '../../../src/core/engine.js';
import { runCheck } from '../../../src/cli/check.js';
import { staticClusterView } from '../../../src/core/cluster.js';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import { defaultPolicy, fixture } from '../../helpers/fixtures.js';
import { reviewOf } from '../../helpers/webhook.js';
import type { AdmissionRequest } from '../../../src/core/admission/request.js';

const dep = { group: 'apps', version: 'v1', kind: 'Deployment' };
const hpa = { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' };

test('in scope: CREATE and UPDATE of apps/v1 Deployments and autoscaling/v2 HPAs, main resource only', () => {
  for (const operation of ['CREATE', 'UPDATE'] as const) {
    assert.deepEqual(scopeOf({ kind: dep, operation }), { decide: true, kind: 'Deployment' });
    assert.deepEqual(scopeOf({ kind: hpa, operation }), { decide: true, kind: 'HorizontalPodAutoscaler' });
  }
  assert.deepEqual(scopeOf({ kind: dep, operation: 'DELETE' }), { decide: false, skipped: 'operation DELETE', warnings: [] });
  assert.deepEqual(scopeOf({ kind: dep, operation: 'UPDATE', subResource: 'scale' }), { decide: false, skipped: 'subresource scale', warnings: [] });
  assert.deepEqual(scopeOf({ kind: { group: '', version: 'v1', kind: 'ConfigMap' }, operation: 'CREATE' }), { decide: false, skipped: 'kind not handled', warnings: [] });
  // same kind name, another group: not ours, and no warning
  assert.deepEqual(scopeOf({ kind: { group: 'example.com', version: 'v1', kind: 'Deployment' }, operation: 'CREATE' }), { decide: false, skipped: 'kind not handled', warnings: [] });
});

test('another version of our kinds is out of scope with one warning, the same from the server, the engine and check', () => {
  const v1 = { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler' };
  const s = scopeOf({ kind: v1, operation: 'CREATE' });
  assert.equal(s.decide, false);
  const warnings = s.decide ? [] : s.warnings;
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /^gpu-hpa-webhook: autoscaling\/v1 HorizontalPodAutoscaler not checked; it handles autoscaling\/v2/);
  assert.deepEqual(scopeOf({ kind: { group: 'apps', version: 'v1beta2', kind: 'Deployment' }, operation: 'UPDATE' }).decide, false);

  // the engine asks the same gate
  const rules = compileAdapterConfig('rules: []\n', 'empty');
  const engine = createEngine({ policy: defaultPolicy(), rules, cluster: staticClusterView({ deployments: [], hpas: [] }) });
  const object = { ...fixture('seed-000/hpa.yaml'), apiVersion: 'autoscaling/v1' };
  const req = { ...reviewOf(object).request, kind: v1 } as unknown as AdmissionRequest;
  for (const d of [engine.mutate(req), engine.validate(req)]) {
    assert.equal(d.allowed, true);
    assert.deepEqual(d.warnings, warnings);
    assert.equal(d.patch, undefined);
  }
  // check does not skip it: a file holds what the API server would convert, so check judges the
  // autoscaling/v2 object the API server stores (src/core/hpa-v1.ts; issue 15) and says so
  const report = runCheck([{ source: 'hpa-v1.yaml', object }], defaultPolicy(), rules);
  assert.notEqual(report.results[0]?.verdict, 'skipped');
  assert.ok(
    report.results[0]?.warnings.some((w) => w.includes('autoscaling/v1 judged as the autoscaling/v2 object')),
    JSON.stringify(report.results[0]),
  );
});
