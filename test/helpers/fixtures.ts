// Shared test inputs: the seeds' fixtures (../shared/fixtures) and the shipped policy.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
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

export function sortOps<T extends { path: string; op: string }>(ops: T[]): T[] {
  return [...ops].sort((a, b) => a.path.localeCompare(b.path) || a.op.localeCompare(b.op));
}
