// The cluster cache keeps only what core/cache-fields.ts names. Two checks that a rule never reads a
// field the cache drops, over realistic objects (test/helpers/realistic-objects.ts) varied by
// fast-check, with the engine's decisions and the managed-HPA controller's reads:
// 1. decisions taken with the full objects in the ClusterView equal those taken with trimmed ones;
// 2. the full objects, wrapped in a Proxy that follows the Keep spec, record every read of a path the
//    trim drops: there must be none (this catches a read whose value happens not to change a decision).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { parseAdmissionReview } from '../../src/core/admission/review.js';
import { readSettings } from '../../src/core/annotations.js';
import { DEPLOYMENT_KEEP, HPA_KEEP, keepsEntry, trimDeployment, trimHpa, trimTo, type Keep } from '../../src/core/cache-fields.js';
import type { ClusterView } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import type { Deployment, HorizontalPodAutoscaler } from '../../src/core/k8s-types.js';
import { managedHpa } from '../../src/core/managed-hpa.js';
import { isManaged, upToDate } from '../../src/controller/managed-hpa.js';
import { defaultPolicy } from '../helpers/fixtures.js';
import { asStored, realisticDeployment, realisticHpa } from '../helpers/realistic-objects.js';
import { reviewOf, SHIPPED_RULES } from '../helpers/webhook.js';

type ValueOf<A> = A extends fc.Arbitrary<infer V> ? V : never;

const policy = defaultPolicy();
const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped rules');
const NS = 'team-00';

// --- variations of a realistic Deployment and of the HPAs around it -----------------------------

const annotationValues: Record<string, string[]> = {
  'gpu-hpa.io/max-replicas': ['3', '0', 'x', '64'],
  'gpu-hpa.io/min-replicas': ['1', '5'],
  'gpu-hpa.io/containers': ['app', 'proxy', 'app,proxy', 'nope', ''],
  'gpu-hpa.io/profile': ['training', 'nope'],
  'gpu-hpa.io/hpa': ['managed', 'external', 'bogus'],
  'gpu-hpa.io/metric': ['gpu_utilization', 'a/b'],
  'gpu-hpa.io/target': ['30', '0', '1K'],
  'gpu-hpa.io/gpus': ['2'],
  'gpu-hpa.io/gpu-resource': ['nvidia.com/mig-1g.10gb', 'example.com/tpu'],
  'gpu-hpa.io/frobnicate': ['1'],
};

const depVariation = fc.record({
  optIn: fc.constantFrom<'true' | 'false' | undefined>('true', 'false', undefined),
  annotations: fc.dictionary<string, number>(fc.constantFrom(...Object.keys(annotationValues)), fc.nat(4)),
  dropRequests: fc.constantFrom('none', 'app', 'proxy', 'all'),
  deleting: fc.boolean(),
});

const metricArb = fc.constantFrom(
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
  { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } } },
  { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'proxy', target: { type: 'Utilization', averageUtilization: 60 } } },
  { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'missing', target: { type: 'Utilization', averageUtilization: 60 } } },
  { type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: '30' } } },
);

const hpaVariation = fc.record({
  target: fc.constantFrom('svc-0', 'svc-4', 'absent'),
  metrics: fc.array(metricArb, { minLength: 1, maxLength: 3 }),
  behavior: fc.constantFrom<'none' | 'fast' | 'safe'>('none', 'fast', 'safe'),
  maxReplicas: fc.constantFrom(4, 100),
  managedLabel: fc.boolean(),
});

function deployment(i: number, v: ValueOf<typeof depVariation>): Deployment {
  const d = asStored(realisticDeployment(i), i) as Deployment & { metadata: Record<string, unknown> & { labels: Record<string, string>; annotations: Record<string, string> } };
  d.metadata.namespace = NS;
  delete d.metadata.labels['gpu-hpa.io/enabled'];
  if (v.optIn !== undefined) d.metadata.labels['gpu-hpa.io/enabled'] = v.optIn;
  for (const k of Object.keys(d.metadata.annotations)) if (k.startsWith('gpu-hpa.io/')) delete d.metadata.annotations[k];
  for (const [k, n] of Object.entries(v.annotations)) d.metadata.annotations[k] = annotationValues[k]![n % annotationValues[k]!.length]!;
  for (const c of d.spec?.template?.spec?.containers ?? []) if (v.dropRequests === 'all' || v.dropRequests === c.name) delete c.resources;
  if (v.deleting) d.metadata.deletionTimestamp = '2026-11-29T11:00:00Z';
  return d;
}

function hpa(i: number, name: string, v: ValueOf<typeof hpaVariation>): HorizontalPodAutoscaler {
  const h = asStored(realisticHpa(i * 5), i) as HorizontalPodAutoscaler & { metadata: { labels: Record<string, string> } };
  h.metadata.name = name;
  h.metadata.namespace = NS;
  h.spec!.scaleTargetRef!.name = v.target;
  h.spec!.metrics = v.metrics;
  h.spec!.maxReplicas = v.maxReplicas;
  if (v.behavior === 'none') delete h.spec!.behavior;
  else if (v.behavior === 'fast') h.spec!.behavior = { scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
  else
    h.spec!.behavior = {
      scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
      scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
    };
  if (v.managedLabel) {
    h.metadata.labels['app.kubernetes.io/managed-by'] = 'gpu-hpa-webhook';
    h.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: v.target, uid: `00000000-0000-4000-8000-${String(0).padStart(12, '0')}`, controller: true }];
  }
  return h;
}

function view(deployments: Deployment[], hpas: HorizontalPodAutoscaler[]): ClusterView {
  return {
    deployment: (ns, name) => deployments.find((d) => d.metadata?.namespace === ns && d.metadata?.name === name),
    hpas: (ns) => hpas.filter((h) => h.metadata?.namespace === ns),
    complete: true,
  };
}

const requestOf = (obj: unknown, op: 'CREATE' | 'UPDATE' = 'CREATE') => {
  const r = parseAdmissionReview(reviewOf(obj, op));
  if (!r.ok) throw new Error(r.error);
  return r.review.request;
};

/** Everything the core and the controller decide from the cluster's objects, for one cluster and one HPA under review. */
function decisions(cluster: ClusterView, deps: Deployment[], hpas: HorizontalPodAutoscaler[], review: HorizontalPodAutoscaler) {
  const engine = createEngine({ policy, rules, cluster });
  const req = requestOf(review);
  return {
    validate: engine.validate(req),
    mutate: engine.mutate(req),
    controller: deps.map((d) => {
      const read = readSettings(d, policy);
      const desired = read.settings ? managedHpa(d, read.settings) : undefined;
      const existing = hpas.find((h) => h.metadata?.name === d.metadata?.name);
      return {
        read,
        desired,
        deleting: d.metadata?.deletionTimestamp !== undefined,
        uid: d.metadata?.uid,
        managed: isManaged(existing),
        upToDate: existing && desired ? upToDate(existing, desired) : undefined,
      };
    }),
    hpas: hpas.map((h) => ({ managed: isManaged(h), owner: h.metadata?.ownerReferences?.find((r) => r.controller), uid: h.metadata?.uid, target: h.spec?.scaleTargetRef })),
  };
}

const scenario = fc.record({
  deps: fc.tuple(depVariation, depVariation),
  hpas: fc.array(hpaVariation, { minLength: 0, maxLength: 3 }),
  review: hpaVariation,
});

function build(s: ValueOf<typeof scenario>) {
  const deps = s.deps.map((v, k) => deployment(k * 4, v));
  // one cluster HPA may share the name of a Deployment (a managed HPA is named like it)
  const hpas = s.hpas.map((v, k) => hpa(k + 1, k === 0 ? 'svc-0' : `other-${k}`, v));
  const review = hpa(9, 'under-review', s.review);
  return { deps, hpas, review };
}

test('decisions with trimmed cached objects equal decisions with the full objects', () => {
  fc.assert(
    fc.property(scenario, (s) => {
      const { deps, hpas, review } = build(s);
      const full = decisions(view(deps, hpas), deps, hpas, review);
      const td = deps.map(trimDeployment);
      const th = hpas.map(trimHpa);
      const trimmed = decisions(view(td, th), td, th, review);
      assert.deepEqual(trimmed, full);
    }),
    { numRuns: 400 },
  );
});

/** `value` wrapped so that every read of a path `keep` drops is pushed to `dropped`. */
function guarded(value: unknown, keep: Keep, path: string, dropped: Set<string>): unknown {
  if (keep === 'all' || value === null || typeof value !== 'object') return value;
  const target = value as Record<PropertyKey, unknown>;
  const child = (prop: string): { keep: Keep } | undefined => {
    if ('fields' in keep) return prop in keep.fields ? { keep: keep.fields[prop]! } : undefined;
    if ('each' in keep) return /^\d+$/.test(prop) ? { keep: keep.each } : { keep: 'all' }; // length, methods
    return keepsEntry(keep.entries, prop) ? { keep: 'all' } : undefined;
  };
  const inherited = (prop: PropertyKey) => typeof prop === 'symbol' || (!Object.prototype.hasOwnProperty.call(target, prop) && prop in target);
  return new Proxy(target, {
    get(t, prop) {
      if (inherited(prop)) return Reflect.get(t, prop);
      const c = child(prop as string);
      if (!c) {
        dropped.add(`${path}.${String(prop)}`);
        return Reflect.get(t, prop);
      }
      return guarded(Reflect.get(t, prop), c.keep, `${path}.${String(prop)}`, dropped);
    },
    has(t, prop) {
      if (typeof prop === 'string' && !child(prop)) dropped.add(`${path}.${prop} (in)`);
      return Reflect.has(t, prop);
    },
  });
}

test('no rule and no controller step reads a field the cache drops (every read recorded)', () => {
  const dropped = new Set<string>();
  fc.assert(
    fc.property(scenario, (s) => {
      const { deps, hpas, review } = build(s);
      const gd = deps.map((d, k) => guarded(d, DEPLOYMENT_KEEP, `Deployment[${k}]`, dropped) as Deployment);
      const gh = hpas.map((h, k) => guarded(h, HPA_KEEP, `HPA[${k}]`, dropped) as HorizontalPodAutoscaler);
      decisions(view(gd, gh), gd, gh, review);
    }),
    { numRuns: 400 },
  );
  assert.deepEqual([...dropped], []);
});

test('the recorder sees a read of a dropped field (so the test above can fail)', () => {
  const dropped = new Set<string>();
  const d = guarded(asStored(realisticDeployment(0), 0), DEPLOYMENT_KEEP, 'Deployment', dropped) as Deployment & { status?: unknown };
  void d.spec?.replicas;
  void d.metadata?.labels?.app;
  void d.spec?.template?.spec?.containers?.[0]?.image;
  void (d.status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
  void d.metadata?.annotations?.['gpu-hpa.io/hpa'];
  assert.deepEqual([...dropped].sort(), ['Deployment.metadata.labels.app', 'Deployment.spec.replicas', 'Deployment.spec.template.spec.containers.0.image', 'Deployment.status.observedGeneration']);
});

test('a trimmed realistic Deployment keeps what the spec names and is a small part of the whole', () => {
  const full = asStored(realisticDeployment(0), 0);
  const t = trimDeployment(full) as Deployment & { status?: Record<string, unknown> };
  // of the status, only whether and since when pods are available (core/validate/target-pods.ts)
  assert.deepEqual(
    Object.keys(t.status ?? {}).filter((k) => k !== 'availableReplicas' && k !== 'conditions'),
    [],
  );
  assert.equal(t.metadata?.managedFields, undefined);
  assert.deepEqual(t.metadata?.labels, { 'gpu-hpa.io/enabled': 'true' });
  assert.deepEqual(Object.keys(t.metadata?.annotations ?? {}).sort(), ['gpu-hpa.io/hpa', 'gpu-hpa.io/max-replicas', 'gpu-hpa.io/profile']);
  assert.deepEqual(
    t.spec?.template?.spec?.containers?.map((c) => Object.keys(c)),
    [
      ['name', 'resources'],
      ['name', 'resources'],
    ],
  );
  assert.equal(t.metadata?.resourceVersion, full.metadata?.resourceVersion);
  assert.ok(JSON.stringify(t).length * 10 < JSON.stringify(full).length, `${JSON.stringify(t).length} of ${JSON.stringify(full).length} bytes`);
  // malformed input stays malformed rather than throwing (the API server validated it; a trim never crashes)
  assert.deepEqual(trimTo({ metadata: 'x', spec: { template: { spec: { containers: 'y' } } } }, DEPLOYMENT_KEEP), { metadata: 'x', spec: { template: { spec: { containers: 'y' } } } });
});
