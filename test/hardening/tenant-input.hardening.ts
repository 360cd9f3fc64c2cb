// Issue 17, attacks by a tenant with the rights of an application team, sent to a real `serve` (the CLI
// as a child process): objects the API server accepts, built to make the webhook work hard or answer big.
// - an HPA whose Pods metric name is 2,000 characters (a valid path segment: the API server's
//   validateMetricIdentifier passes it), sent twice;
// - a Deployment whose gpu-hpa.io/containers names 20,000 containers that do not exist (129 KB, under the
//   API server's 256 KiB annotation limit), to both webhooks.
// The webhook must stay alive, /healthz must answer, and each review must get a short answer that quotes
// only an excerpt of the value. A hang is detected with hangMs (a detector, not a timing assertion).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixture, plainDeployment } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { request, spawnServe, type Outcome, type ServeProcess } from './harness.js';

let dir: string;
let serve: ServeProcess;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gpu-hpa-tenant-'));
  serve = await spawnServe(join(dir, 'certs'));
});
after(async () => {
  serve.child.kill('SIGKILL');
  await serve.exited;
  rmSync(dir, { recursive: true, force: true });
});

/** The most an answer may be: MAX_VIOLATIONS messages of MAX_MESSAGE_LENGTH, twice (message and causes), and change. */
const ANSWER_BOUND = 64 * 1024;

// deterministic "random" characters, so a failure can be replayed
function randomName(n: number, seed: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789_';
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += chars[x % chars.length];
  }
  return s;
}

const post = (path: string, review: unknown) => request(`${serve.url}${path}`, { body: JSON.stringify(review), ca: serve.ca, hangMs: 60_000 });
const healthz = () => request(`${serve.url}/healthz`, { method: 'GET', ca: serve.ca, hangMs: 60_000 });

interface Answer {
  allowed: boolean;
  message: string;
  causes: Array<{ reason?: string; field?: string; message: string }>;
}

function answerOf(o: Outcome, what: string): Answer {
  assert.equal(o.error, undefined, `${what}: no answer (${o.error}); serve stderr/stdout tail: ${serve.logs().slice(-500)}`);
  assert.equal(o.status, 200, `${what}: HTTP ${o.status} ${o.body.slice(0, 300)}`);
  assert.ok(o.body.length <= ANSWER_BOUND, `${what}: the answer is ${o.body.length} bytes`);
  const r = (JSON.parse(o.body) as { response: { allowed: boolean; status?: { message?: string; details?: { causes?: Answer['causes'] } } } }).response;
  return { allowed: r.allowed, message: r.status?.message ?? '', causes: r.status?.details?.causes ?? [] };
}

async function alive(what: string): Promise<void> {
  const h = await healthz();
  assert.equal(h.status, 200, `${what}: /healthz ${h.status} ${h.error ?? ''}`);
  assert.equal(serve.child.exitCode, null, `${what}: serve exited`);
}

test('a 2,000-character Pods metric name, twice: answered short, /healthz answers, serve stays up', async () => {
  for (const seed of [1, 2]) {
    const name = randomName(2000, seed);
    const hpa = fixture('seed-000/hpa.yaml');
    hpa.metadata.namespace = 'team-a';
    hpa.spec.metrics[0].pods.metric.name = name;
    // the review and a liveness probe at once, as the kubelet would probe while the API server calls
    const [review, health] = await Promise.all([post('/validate', reviewOf(hpa)), healthz()]);
    const a = answerOf(review, `metric name #${seed}`);
    assert.equal(health.status, 200, `/healthz during the review: ${health.status} ${health.error ?? ''}`);
    assert.equal(a.allowed, false);
    assert.deepEqual(
      a.causes.map((c) => [c.reason, c.field]),
      [['input-too-large', 'spec.metrics[0].pods.metric.name']],
    );
    assert.ok(!review.body.includes(name.slice(0, 200)), 'the answer quotes only a short excerpt of the name');
    assert.match(a.message, /is 2,000 characters long .*judges at most 253/);
    await alive(`after metric name #${seed}`);
  }
});

test('gpu-hpa.io/containers with 20,000 unknown names: one violation naming a few and the count, at both webhooks', async () => {
  const names = Array.from({ length: 20_000 }, (_, i) => `c${i}`);
  const value = names.join(',');
  assert.ok(value.length > 100_000 && value.length < 256 * 1024, `${value.length} characters: what the API server stores`);
  const dep = plainDeployment({ 'gpu-hpa.io/containers': value });
  dep.metadata.namespace = 'team-a';
  for (const path of ['/mutate', '/validate']) {
    const [review, health] = await Promise.all([post(path, reviewOf(dep)), healthz()]);
    const a = answerOf(review, path);
    assert.equal(health.status, 200, `/healthz during ${path}: ${health.status} ${health.error ?? ''}`);
    assert.equal(a.allowed, false);
    assert.equal(a.causes.length, 1, JSON.stringify(a.causes).slice(0, 500));
    assert.equal(a.causes[0]!.field, 'metadata.annotations["gpu-hpa.io/containers"]');
    assert.match(a.message, /names 20,000 containers that are not in spec\.template\.spec\.containers \(server, sidecar\): "c0", "c1", "c2" and 19,997 more/);
    assert.ok(!review.body.includes(names.slice(0, 100).join(',')), 'the value is quoted as an excerpt only');
  }
  await alive('after the containers annotation');
});
