// SIGTERM to the real CLI (`serve`) under load: requests it had already accepted are answered,
// then it exits 0. "Accepted" is made certain: reviews whose headers the server has (the in-flight
// gauge counts them) but whose bodies are only sent after the signal.
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { plainDeployment } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { eventually, metricValue, request, spawnServe, type Outcome, type ServeProcess } from './harness.js';

/** A review sent in two halves: the headers and half the body now, the rest when finish() is called. */
function halfSent(url: string, ca: string, uid: string) {
  const review = reviewOf(plainDeployment());
  review.request.uid = uid;
  const body = Buffer.from(JSON.stringify(review));
  let finish!: () => void;
  const answer = new Promise<Outcome>((resolve) => {
    const req = https.request(`${url}/mutate`, { method: 'POST', ca, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      res.on('error', (e) => resolve({ status: 0, body: '', headers: {}, error: e.message }));
    });
    req.on('error', (e) => resolve({ status: 0, body: '', headers: {}, error: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.flushHeaders();
    req.write(body.subarray(0, body.length >> 1));
    finish = () => req.end(body.subarray(body.length >> 1));
  });
  return { answer, finish: () => finish() };
}

test('SIGTERM under load: every accepted review is answered, then exit 0', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-hpa-sigterm-'));
  let serve: ServeProcess | undefined;
  try {
    serve = await spawnServe(join(dir, 'certs'));
    const s = serve;
    const metrics = s.metrics;

    // background load: ordinary reviews on new and kept-alive connections until the server is gone
    const body = JSON.stringify(reviewOf(plainDeployment()));
    const load: Outcome[] = [];
    let loaded: () => void = () => {};
    const twentyAnswered = new Promise<void>((resolve) => (loaded = resolve));
    let stop = false;
    const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 2 });
    const worker = async (agent: https.Agent | false) => {
      for (let i = 0; i < 5_000 && !stop; i++) {
        const o = await request(`${s.url}/mutate`, { body, ca: s.ca, agent, hangMs: 30_000 });
        load.push(o);
        if (load.length === 20) loaded();
        if (o.error === 'ECONNREFUSED') break; // the listener is closed: draining or gone
      }
    };
    const workers = Promise.all([worker(false), worker(false), worker(keepAlive)]);
    await twentyAnswered;

    // 8 reviews the server has accepted (headers in, body pending)
    const pending = Array.from({ length: 8 }, (_, i) => halfSent(s.url, s.ca, `accepted-${i}`));
    await eventually('8 reviews in flight', metrics, (t) => metricValue(t, 'gpu_hpa_webhook_admission_in_flight') >= 8);

    const from = s.logs().length;
    s.child.kill('SIGTERM');
    // the drain has begun: serve says so once its listener is closed, and new connections are refused
    await s.logLine('"draining"', (l) => l.includes('"msg":"draining: no new connections'), from);
    assert.equal((await request(`${s.url}/healthz`, { method: 'GET', ca: s.ca, hangMs: 10_000 })).error, 'ECONNREFUSED');
    for (const p of pending) p.finish();
    const answers = await Promise.all(pending.map((p) => p.answer));
    answers.forEach((a, i) => {
      assert.equal(a.status, 200, `accepted review ${i} was not answered: ${a.error ?? a.body}`);
      const r = JSON.parse(a.body).response;
      assert.equal(r.uid, `accepted-${i}`);
      assert.equal(r.allowed, true);
    });
    assert.equal(await s.exited, 0, 'exit 0 after the drain');
    stop = true;
    await workers;
    keepAlive.destroy();

    // the load: answered, or refused at connect once the listener closed; never an HTTP error
    assert.ok(load.filter((o) => o.status === 200).length >= 20);
    for (const o of load) {
      if (o.status !== 0) assert.equal(o.status, 200, o.body);
      else assert.ok(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(o.error ?? ''), `load request failed with ${o.error}`);
    }
    assert.match(s.logs(), /"msg":"server closed"/);
  } finally {
    serve?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
