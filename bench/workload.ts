// The AdmissionReviews the benchmark sends and the configuration the benchmarked webhook runs with:
// the seeds' real objects, so the numbers are for what the API server actually sends.
import { readFileSync } from 'node:fs';
import fjp from 'fast-json-patch';
import { parseAdmissionReview } from '../src/core/admission/review.js';
import { fixture, plainDeployment, ROOT } from '../test/helpers/fixtures.js';
import { reviewOf } from '../test/helpers/webhook.js';
import { webhookEngine, type WorkloadConfig } from './webhook-engine.js';

export type { WorkloadConfig };

export interface Scenario {
  name: string;
  path: '/mutate' | '/validate';
  body: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withUid = (object: any, uid: string) => {
  const r = reviewOf(object);
  r.request.uid = uid;
  return JSON.stringify(r);
};

export function scenarios(): Scenario[] {
  const seedDeployment = fixture('seed-000/deployment.yaml');
  // opted in but with no GPU settings at all: the whole patch (limits, tolerations, nodeSelector) is computed
  const noGpu = plainDeployment();
  return [
    { name: 'mutate seed Deployment', path: '/mutate', body: withUid(seedDeployment, 'b-1') },
    { name: 'mutate no-GPU Deployment', path: '/mutate', body: withUid(noGpu, 'b-2') },
    { name: 'validate seed Deployment', path: '/validate', body: withUid(seedDeployment, 'b-3') },
    { name: 'validate seed-000 HPA', path: '/validate', body: withUid(fixture('seed-000/hpa.yaml'), 'b-4') },
    { name: 'validate seed-001 multi-metric HPA', path: '/validate', body: withUid(fixture('seed-001/hpa-multi-metric.yaml'), 'b-5') },
    { name: 'validate seed-003 multi HPA', path: '/validate', body: withUid(fixture('seed-003/hpa-multi.yaml'), 'b-6') },
    // In a cluster the HPA reaches /validate after /mutate filled its behavior from the profile:
    // the common case, allowed (the seed HPAs above are denials: their default behavior is unbounded).
    { name: 'validate seed-000 HPA as mutated (allowed)', path: '/validate', body: withUid(mutated(fixture('seed-000/hpa.yaml')), 'b-7') },
  ];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function mutated(object: any): unknown {
  const engine = webhookEngine(workloadConfig());
  const parsed = parseAdmissionReview(reviewOf(object));
  if (!parsed.ok) throw new Error(parsed.error);
  const d = engine.mutate(parsed.review.request);
  if (!d.allowed || !d.patch) throw new Error(`bench workload: /mutate did not patch ${object?.metadata?.name}`);
  return fjp.applyPatch(structuredClone(object), d.patch).newDocument;
}

export function workloadConfig(): WorkloadConfig {
  return {
    policyText: readFileSync(ROOT + 'policies/default.yaml', 'utf8'),
    rulesText: readFileSync(ROOT + 'policies/prometheus-adapter-rules.yaml', 'utf8'),
    deployments: [fixture('seed-000/deployment.yaml'), plainDeployment()],
  };
}
