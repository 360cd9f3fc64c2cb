// Property: corrupted AdmissionReviews of real objects never make the real engine throw (which the
// app would answer with a 500-coded response) and never get an HTTP 5xx.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fixture, fixtureText, plainDeployment } from '../helpers/fixtures.js';
import { reviewOf, webhook } from '../helpers/webhook.js';

const seeds = [
  reviewOf(fixture('seed-000/deployment.yaml')),
  reviewOf(plainDeployment({ 'gpu-hpa.io/containers': 'server,sidecar', 'gpu-hpa.io/gpus': '2' })),
  reviewOf(fixture('seed-000/hpa.yaml')),
  reviewOf(fixture('seed-001/hpa-multi-metric.yaml')),
  reviewOf(fixture('seed-003/hpa-multi.yaml')),
  reviewOf(fixture('seed-003/hpa-memory.yaml')),
];

// every path (as keys) inside a JSON value
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function setAt(root: unknown, path: Array<string | number>, value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  let cur = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete cur[last];
  else cur[last] = value;
  return root;
}

const junk = fc.oneof(fc.constantFrom(null, true, 0, -1, 1e308, '', 'x', '1K', '-0', [], {}, [null], { '': null }, '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 3 }));

test('property: corrupted reviews get no 5xx and no engine exception', async () => {
  const { request } = webhook({ rulesText: fixtureText('seed-000/adapter-config.yaml'), deployments: [plainDeployment(), fixture('seed-000/deployment.yaml')] });
  await fc.assert(
    fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), junk, fc.boolean()), { minLength: 1, maxLength: 4 }), fc.constantFrom('/mutate', '/validate'), async (i, edits, path) => {
      let review: unknown = structuredClone(seeds[i]!);
      for (const [n, value, remove] of edits) {
        // corrupt only inside request.object (the envelope's own checks are tested in test/server)
        const inside = paths((review as { request: { object: unknown } }).request.object, ['request', 'object']);
        const p = inside[n % inside.length]!;
        review = setAt(review, p, structuredClone(value), remove && p.length > 2);
      }
      const res = await request.post(path).set('Content-Type', 'application/json').send(JSON.stringify(review));
      assert.ok(res.status < 500, `HTTP ${res.status}: ${res.text}`);
      if (res.status === 200) assert.notEqual(res.body.response?.status?.code, 500, `engine threw: ${res.body.response?.status?.message}\n${JSON.stringify(review).slice(0, 2000)}`);
    }),
    { numRuns: 400 },
  );
});
