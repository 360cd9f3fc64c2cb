// The rules registry (src/core/rules/registry.ts): its entries are consistent, the engine takes its
// rules from it and from nowhere else, a reason code outside it does not typecheck, and docs/rules.md is
// what `npm run docs:rules` writes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fjp from 'fast-json-patch';
import type { Violation } from '../../../src/core/admission/decision.js';
import type { AdmissionRequest } from '../../../src/core/admission/request.js';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import { staticClusterView } from '../../../src/core/cluster.js';
import { createEngine } from '../../../src/core/engine.js';
import { originOf, RULES } from '../../../src/core/rules/registry.js';
import { renderRules, RULES_DOC } from '../../../scripts/docs-rules.js';
import { defaultPolicy, fixture, plainDeployment } from '../../helpers/fixtures.js';
import { reviewOf, SHIPPED_RULES } from '../../helpers/webhook.js';

test('docs/rules.md is current (run npm run docs:rules after changing the registry)', async () => {
  assert.equal(readFileSync(RULES_DOC, 'utf8'), await renderRules());
});

test('rule names are unique kebab-case; every entry says what it checks, for which kinds and endpoints', () => {
  const names = RULES.map((r) => r.name);
  assert.equal(new Set(names).size, names.length, `duplicate rule names: ${names.join(', ')}`);
  for (const r of RULES) {
    assert.match(r.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, r.name);
    assert.ok(r.description.length > 0 && !r.description.includes('\n'), `${r.name}: one-line description`);
    assert.ok(r.kinds.length > 0 && r.endpoints.length > 0, `${r.name}: kinds and endpoints`);
    for (const code of Object.keys(r.codes)) assert.match(code, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, `${r.name}: ${code}`);
  }
});

test('a reason code has one origin; the API-server ones are those named api-… plus malformed-object', () => {
  const api = RULES.flatMap((r) => Object.keys(r.codes) as Array<Violation['reason']>).filter((c) => originOf(c) === 'api-server');
  assert.deepEqual([...new Set(api)].sort(), [
    'api-behavior',
    'api-decode',
    'api-malformed-object',
    'api-metric-spec',
    'api-metric-target',
    'api-namespace-mismatch',
    'api-object-meta',
    'api-replica-bounds',
    'api-scale-target-ref',
    'api-unknown-field',
    'malformed-object',
  ]);
  assert.equal(originOf('duplicate-hpa'), 'policy');
});

test('a reason code no rule declares does not typecheck', () => {
  // @ts-expect-error 'max-replica-cap' is a typo of max-replicas-over-cap: ReasonCode is the registry's union, not string
  const typo: Violation = { reason: 'max-replica-cap', message: 'm' };
  assert.equal(typo.reason, 'max-replica-cap');
});

test('the engine imports no rule module: it walks the registry', () => {
  const src = readFileSync(new URL('../../../src/core/engine.ts', import.meta.url), 'utf8');
  const imports = [...src.matchAll(/^import .* from '(\.[^']+)';$/gm)].map((m) => m[1]);
  assert.deepEqual(
    imports.filter((p) => /\/(validate|mutate)\//.test(p!) && !p!.endsWith('/target-pods.js')),
    [],
  );
});

// Every violation the engine gives comes with a code a rule of that kind and endpoint declares.
const request = (object: unknown, operation = 'CREATE') => ({ ...(reviewOf(object).request as unknown as AdmissionRequest), operation }) as AdmissionRequest;
const declared = (kind: string, endpoint: string) =>
  new Set(RULES.filter((r) => (r.kinds as readonly string[]).includes(kind) && (r.endpoints as readonly string[]).includes(endpoint)).flatMap((r) => Object.keys(r.codes)));

test('every violation of a corpus of bad objects carries a code its kind and endpoint declare', () => {
  const deployment = fixture('seed-000/deployment.yaml');
  const hpa = fixture('seed-000/hpa.yaml');
  const engine = createEngine({
    policy: defaultPolicy(),
    rules: compileAdapterConfig(SHIPPED_RULES, 'shipped'),
    cluster: staticClusterView({ deployments: [deployment], hpas: [{ ...hpa, metadata: { ...hpa.metadata, name: 'rival' } }] }),
  });
  const deployments = [
    plainDeployment({ 'gpu-hpa.io/gpus': 'many', 'gpu-hpa.io/profile': 'nope' }),
    plainDeployment({}, (d) => (d.spec.template.spec.containers = 'x')),
    plainDeployment({}, (d) => (d.spec.template.spec.containers[0].resources = { limits: { 'nvidia.com/gpu': '7' } })),
    plainDeployment({ 'gpu-hpa.io/metric': 'no_such_metric' }),
    { ...plainDeployment(), metadata: { ...plainDeployment().metadata, namespace: 'elsewhere' } },
    'not an object',
  ];
  const hpas = [
    hpa,
    { ...hpa, spec: { ...hpa.spec, minReplicas: 0, maxReplicas: 500, metrics: [{ type: 'Pods', pods: { metric: { name: 'nope' }, target: { type: 'Value', value: '1' } } }] } },
    { ...hpa, spec: { ...hpa.spec, behavior: { scaleDown: { stabilizationWindowSeconds: 5000 } } } },
    { ...hpa, spec: { ...hpa.spec, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] } },
    { ...hpa, spec: 'x' },
  ];
  const seen = new Set<string>();
  for (const [kind, objects] of [
    ['Deployment', deployments],
    ['HorizontalPodAutoscaler', hpas],
  ] as const) {
    for (const obj of objects) {
      for (const endpoint of ['mutate', 'validate'] as const) {
        const req = { ...request(obj), kind: { group: kind === 'Deployment' ? 'apps' : 'autoscaling', version: kind === 'Deployment' ? 'v1' : 'v2', kind } };
        if ((obj as { metadata?: { namespace?: string } }).metadata?.namespace === 'elsewhere') req.namespace = 'ml'; // the API server never sends this
        const d = engine[endpoint](req);
        for (const v of d.violations) {
          seen.add(v.reason);
          assert.ok(declared(kind, endpoint).has(v.reason), `${kind} ${endpoint}: ${v.reason} is not declared by a rule for it`);
        }
        if (d.patch) fjp.applyPatch(structuredClone(obj), d.patch); // a patch applies to what it was computed on
      }
    }
  }
  // the corpus reaches every stage
  for (const code of ['malformed-object', 'api-namespace-mismatch', 'api-malformed-object', 'invalid-annotation', 'gpu-count-conflict', 'metric-not-served', 'api-replica-bounds', 'duplicate-hpa']) {
    assert.ok(seen.has(code), `the corpus should reach ${code}; saw ${[...seen].join(', ')}`);
  }
});
