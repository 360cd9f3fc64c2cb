// Shared test inputs: the seeds' fixtures (../shared/fixtures) and the shipped policy.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { parsePolicy, type Policy } from '../../src/core/policy/schema.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The seeds' fixtures, copied from shared/fixtures into the repository (see test/fixtures/seeds/README.md).
export const SHARED_FIXTURES = fileURLToPath(new URL('../fixtures/seeds/', import.meta.url));

export function fixturePath(rel: string): string {
  return SHARED_FIXTURES + rel;
}

export function fixtureText(rel: string): string {
  return readFileSync(fixturePath(rel), 'utf8');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fixture<T = any>(rel: string): T {
  return parse(fixtureText(rel)) as T;
}

export function yamlDocs(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS());
}

export function defaultPolicy(overrides: (p: Policy) => void = () => {}): Policy {
  const p = parsePolicy(parse(readFileSync(ROOT + 'policies/default.yaml', 'utf8')), 'default.yaml');
  overrides(p);
  return p;
}

/** defaultPolicy(overrides) written as YAML to dir/name: the file a webhook process, `check` or the loop is given with --policy. */
export function policyFile(dir: string, overrides: (p: Policy) => void = () => {}, name = 'policy.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(defaultPolicy(overrides)));
  return file;
}

/** A Deployment with no GPU settings at all, opted in. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function plainDeployment(annotations: Record<string, string> = {}, extra: (d: any) => void = () => {}): any {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'llm', namespace: 'ml', labels: { 'gpu-hpa.io/enabled': 'true' }, annotations },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'llm' } },
      template: {
        metadata: { labels: { app: 'llm' } },
        spec: {
          containers: [
            { name: 'server', image: 'vllm/vllm-openai:v0.6.0', resources: { requests: { cpu: '2', memory: '8Gi' } } },
            { name: 'sidecar', image: 'envoyproxy/envoy:v1.31', resources: { requests: { cpu: '100m', memory: '64Mi' } } },
          ],
        },
      },
    },
  };
  extra(d);
  return d;
}

/** A Pods metric of an HPA: `name`, averaged over the pods. */
export function podsMetric(name: string, averageValue = '50') {
  return { type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue } } };
}

/** An autoscaling/v2 HPA llm in ml on plainDeployment()'s Deployment, 1 to 4 replicas, on `metrics`; `extra` edits it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function plainHpa(metrics: unknown[] = [podsMetric('gpu_utilization')], extra: (h: any) => void = () => {}): any {
  const h = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'llm', namespace: 'ml' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm' }, minReplicas: 1, maxReplicas: 4, metrics },
  };
  extra(h);
  return h;
}

export function sortOps<T extends { path: string; op: string }>(ops: T[]): T[] {
  return [...ops].sort((a, b) => a.path.localeCompare(b.path) || a.op.localeCompare(b.op));
}
