// Builds the real app with the real engine for AdmissionReview tests (supertest), from policy, adapter
// config text and the objects the cluster holds.
import { readFileSync } from 'node:fs';
import supertest from 'supertest';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { staticClusterView } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import type { Policy } from '../../src/core/policy/schema.js';
import { createApp } from '../../src/server/app.js';
import { silentLogger } from '../../src/server/logger.js';
import { createMetrics } from '../../src/server/metrics.js';
import { defaultPolicy, fixturePath, ROOT } from './fixtures.js';

export const SHIPPED_RULES = readFileSync(ROOT + 'policies/prometheus-adapter-rules.yaml', 'utf8');

export function rulesFromFixture(seed: string) {
  return compileAdapterConfig(readFileSync(fixturePath(`${seed}/adapter-config.yaml`), 'utf8'), `${seed}/adapter-config.yaml`);
}

export interface WebhookOptions {
  policy?: Policy;
  rulesText?: string;
  rulesSource?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  deployments?: any[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  hpas?: any[];
}

export function webhook(o: WebhookOptions = {}) {
  const policy = o.policy ?? defaultPolicy();
  const rules = compileAdapterConfig(o.rulesText ?? SHIPPED_RULES, o.rulesSource ?? 'test rules');
  const cluster = staticClusterView({ deployments: o.deployments ?? [], hpas: o.hpas ?? [] });
  const engine = createEngine({ policy, rules, cluster });
  const metrics = createMetrics({ defaultMetrics: false });
  const app = createApp({ engine: () => engine, ready: () => ({ ready: true }), logger: silentLogger(), metrics });
  return { app, metrics, request: supertest(app) };
}

let seq = 0;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function reviewOf(object: any, operation: 'CREATE' | 'UPDATE' | 'DELETE' = 'CREATE', oldObject?: unknown) {
  const [group, version] = String(object.apiVersion).includes('/') ? String(object.apiVersion).split('/') : ['', String(object.apiVersion)];
  const resource = object.kind === 'Deployment' ? 'deployments' : object.kind === 'HorizontalPodAutoscaler' ? 'horizontalpodautoscalers' : String(object.kind).toLowerCase() + 's';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${++seq}`,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource },
      requestKind: { group, version, kind: object.kind },
      name: object.metadata?.name,
      namespace: object.metadata?.namespace ?? 'default',
      operation,
      userInfo: { username: 'alice' },
      object: operation === 'DELETE' ? null : object,
      oldObject: oldObject ?? null,
      dryRun: false,
    },
  };
}

export interface Answer {
  uid: string;
  allowed: boolean;
  message: string;
  reasons: string[];
  warnings: string[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  patch: any[] | undefined;
}

export async function post(req: ReturnType<typeof webhook>['request'], path: '/mutate' | '/validate', review: ReturnType<typeof reviewOf>): Promise<Answer> {
  const res = await req.post(path).set('Content-Type', 'application/json').send(JSON.stringify(review));
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text}`);
  const r = res.body.response;
  if (res.body.apiVersion !== 'admission.k8s.io/v1' || res.body.kind !== 'AdmissionReview') throw new Error('envelope not echoed');
  return {
    uid: r.uid,
    allowed: r.allowed,
    message: r.status?.message ?? '',
    reasons: (r.status?.details?.causes ?? []).map((c: { reason?: string }) => c.reason),
    warnings: r.warnings ?? [],
    patch: r.patch ? JSON.parse(Buffer.from(r.patch, 'base64').toString('utf8')) : undefined,
  };
}
