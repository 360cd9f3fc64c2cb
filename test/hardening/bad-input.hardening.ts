// Bad input at a real HTTPS webhook: fast-check corruptions of real reviews (bytes and envelope),
// deep nesting, a 5 MiB body, 20,000 containers, invalid UTF-8. Never a 5xx, never a 500-coded
// review (a client's mistake is not an internal error), never a hang, and the server keeps serving.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { RunningServer } from '../../src/server/serve.js';
import { fixture, plainDeployment } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { editAt, nestedArrays, nestedObjects } from '../helpers/json-edit.js';
import { makeCert, request, startWebhook, type Outcome, type Pems } from './harness.js';

let pems: Pems;
let server: RunningServer;
const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });

before(async () => {
  pems = await makeCert('hardening');
  server = await startWebhook(pems);
});
after(async () => {
  agent.destroy();
  await server.close();
});

const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) => request(`${server.url}${path}`, { body, headers, ca: pems.cert, agent, hangMs: 20_000 });

const seeds = [
  reviewOf(fixture('seed-000/deployment.yaml')),
  reviewOf(plainDeployment({ 'gpu-hpa.io/containers': 'server,sidecar' })),
  reviewOf(fixture('seed-000/hpa.yaml')),
  reviewOf(fixture('seed-003/hpa-multi.yaml')),
].map((r) => JSON.stringify(r));

/** What a bad input may get: an answer, 4xx or a review that is not an internal error. */
function assertSurvived(o: Outcome, what: string): void {
  assert.equal(o.error, undefined, `${what}: no response (${o.error})`);
  assert.ok([200, 400, 413, 415].includes(o.status), `${what}: HTTP ${o.status} ${o.body.slice(0, 300)}`);
  const body = JSON.parse(o.body) as { response?: { uid?: unknown; status?: { code?: number; message?: string } }; code?: number };
  if (o.status === 200) assert.notEqual(body.response?.status?.code, 500, `${what}: internal error ${body.response?.status?.message}`);
  else assert.equal(body.code, o.status, `${what}: error body is a Status`);
}

async function healthy(): Promise<void> {
  const h = await request(`${server.url}/healthz`, { method: 'GET', ca: pems.cert, agent, hangMs: 20_000 });
  assert.equal(h.status, 200);
}

const edit = fc.oneof(
  // cut the body short
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  // overwrite bytes, any value (so invalid UTF-8 and control characters too)
  fc.record({ op: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  // splice in JSON-ish fragments
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'null', '1e999', '-', '\u0000', '\ud800'), fc.json({ maxDepth: 2 })),
  }),
  // remove a slice
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
);

function corrupt(text: string, edits: Array<{ op: string; at: number; bytes?: Uint8Array; text?: string; len?: number }>): Buffer {
  let b = Buffer.from(text, 'utf8');
  for (const e of edits) {
    const at = e.at % (b.length + 1);
    if (e.op === 'truncate') b = b.subarray(0, at);
    else if (e.op === 'bytes' && e.bytes) {
      b = Buffer.from(b);
      for (let i = 0; i < e.bytes.length && at + i < b.length; i++) b[at + i] = e.bytes[i]!;
    } else if (e.op === 'insert' && e.text !== undefined) b = Buffer.concat([b.subarray(0, at), Buffer.from(e.text, 'utf8'), b.subarray(at)]);
    else if (e.op === 'delete' && e.len !== undefined) b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)]);
  }
  return b;
}

test('property: byte-level corruptions of real reviews get 4xx or a review, never a 5xx or an internal error', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(seeds.length - 1), fc.array(edit, { minLength: 1, maxLength: 3 }), fc.constantFrom('/mutate', '/validate'), async (i, edits, path) => {
      const body = corrupt(seeds[i]!, edits);
      assertSurvived(await post(path, body), `${path} ${body.toString('latin1').slice(0, 200)}`);
    }),
    { numRuns: 300 },
  );
  await healthy();
});

const junk = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1.5, 1e308, '', 'x', [], {}, [null], { '': null }, '__proto__', 'constructor', 'CREATE', 'admission.k8s.io/v1'),
  fc.jsonValue({ maxDepth: 3 }),
);

test('property: envelope fields replaced or removed get 400 or a review, never a 5xx or an internal error', async () => {
  const fields = [
    'apiVersion',
    'kind',
    'request',
    'request.uid',
    'request.kind',
    'request.kind.kind',
    'request.kind.group',
    'request.resource',
    'request.operation',
    'request.object',
    'request.oldObject',
    'request.namespace',
    'request.name',
    'request.subResource',
    'request.dryRun',
    'request.options',
    'request.userInfo',
    'response',
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.nat(seeds.length - 1),
      fc.array(fc.tuple(fc.constantFrom(...fields), junk, fc.boolean()), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('/mutate', '/validate'),
      async (i, edits, path) => {
        const review = JSON.parse(seeds[i]!) as Record<string, unknown>;
        for (const [field, value, remove] of edits) {
          // a copy: fast-check hands out the same instance of a constant ({}, [null]) again, and a later
          // edit writing into it would make the review cyclic (a test bug, found by CI)
          editAt(review, field, remove ? undefined : structuredClone(value));
        }
        assertSurvived(await post(path, JSON.stringify(review)), `${path} ${JSON.stringify(edits).slice(0, 300)}`);
      },
    ),
    { numRuns: 300 },
  );
  await healthy();
});

test('100,000 levels of nesting, as the body or inside the object, are a 400 naming the depth', async () => {
  const dep = JSON.stringify(reviewOf(plainDeployment()));
  const hpa = JSON.stringify(reviewOf(fixture('seed-000/hpa.yaml')));
  const bodies = {
    'arrays as the body': nestedArrays(100_000),
    'objects as the body': nestedObjects(100_000),
    'container args': dep.replace('"image":"vllm/vllm-openai:v0.6.0"', `"image":"vllm/vllm-openai:v0.6.0","args":${nestedArrays(100_000)}`),
    'spec.replicas': dep.replace('"replicas":1', `"replicas":${nestedObjects(100_000)}`),
    'HPA behavior': hpa.replace('"minReplicas":1', `"minReplicas":1,"behavior":${nestedObjects(100_000)}`),
    oldObject: dep.replace('"oldObject":null', `"oldObject":${nestedObjects(100_000)}`),
  };
  for (const [where, body] of Object.entries(bodies)) {
    assert.notEqual(body.length, dep.length, `${where}: the fixture changed, nothing was nested`);
    for (const path of ['/mutate', '/validate']) {
      const o = await post(path, body);
      assertSurvived(o, `${where} at ${path}`);
      assert.equal(o.status, 400, `${where} at ${path}: ${o.body.slice(0, 300)}`);
      assert.match(JSON.parse(o.body).message, /nests deeper than \d+ levels/);
    }
  }
  // deep but legitimate-looking strings ("[[[[" inside a value) are not nesting
  const inString = dep.replace('"name":"server"', `"name":"server","command":["${'['.repeat(10_000)}"]`);
  assertSurvived(await post('/mutate', inString), 'brackets inside a string');
  assert.equal((await post('/mutate', inString)).status, 200);
  await healthy();
});

test('a 5 MiB body is a 413, declared or chunked, and the server keeps serving', async () => {
  const big = JSON.stringify({ ...reviewOf(plainDeployment()), padding: 'x'.repeat(5 * 1024 * 1024) });
  for (const path of ['/mutate', '/validate']) {
    const declared = await post(path, big);
    assert.equal(declared.status, 413, declared.body.slice(0, 200));
    assert.equal(JSON.parse(declared.body).reason, 'RequestEntityTooLarge');
    // no Content-Length: the limit is enforced while reading
    const chunked = await post(path, big, { 'Transfer-Encoding': 'chunked' });
    assert.equal(chunked.status, 413, chunked.body.slice(0, 200));
  }
  await healthy();
  assert.equal((await post('/mutate', JSON.stringify(reviewOf(plainDeployment())))).status, 200);
});

test('20,000 containers are reviewed, not an error: a bounded denial naming the limit, on both endpoints', async () => {
  const many = plainDeployment({ 'gpu-hpa.io/containers': 'c0,c19999' });
  many.spec.template.spec.containers = Array.from({ length: 20_000 }, (_, i) => ({ name: `c${i}`, image: 'registry.example/app:1', resources: { requests: { cpu: '10m' } } }));
  for (const path of ['/mutate', '/validate']) {
    const o = await post(path, JSON.stringify(reviewOf(many)));
    assertSurvived(o, `20,000 containers at ${path}`);
    assert.equal(o.status, 200);
    // issue 17: lists a rule reads are bounded (src/core/bounds.ts MAX_CONTAINERS) before any work on them
    const r = JSON.parse(o.body).response;
    assert.equal(r.allowed, false, `${path}: over the container bound`);
    assert.ok(
      r.status.details.causes.some((c: { reason: string }) => c.reason === 'input-too-large'),
      JSON.stringify(r.status.details.causes).slice(0, 300),
    );
    assert.ok(o.body.length < 64 * 1024, `${path}: a bounded answer, ${o.body.length} bytes`);
  }
  await healthy();
});

test('invalid UTF-8 is a 400, wherever it is', async () => {
  const text = JSON.stringify(reviewOf(plainDeployment()));
  const at = text.indexOf('vllm-openai');
  const cases = {
    'lone continuation byte': Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0x80]), Buffer.from(text.slice(at))]),
    'overlong encoding': Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc0, 0xaf]), Buffer.from(text.slice(at))]),
    'encoded surrogate': Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from(text.slice(at))]),
    'truncated sequence at the end': Buffer.concat([Buffer.from(text), Buffer.from([0xe2, 0x82])]),
  };
  for (const [what, body] of Object.entries(cases)) {
    for (const path of ['/mutate', '/validate']) {
      const o = await post(path, body);
      assert.equal(o.status, 400, `${what} at ${path}: ${o.body.slice(0, 200)}`);
      assert.match(JSON.parse(o.body).message, /UTF-8/);
    }
  }
  await healthy();
});
