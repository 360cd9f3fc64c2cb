// `serve` with a cluster whose API server does not answer (down, or the network not yet up when the
// pod starts): the HTTPS server still comes up, /healthz says alive so the kubelet does not restart
// it in a loop, /readyz says not ready and why (so the Service sends it no reviews), a review sent
// anyway is answered, and SIGTERM still exits 0 while the lists are being retried.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixture } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { freePort, request, spawnServe, type ServeProcess } from './harness.js';

test('API server unreachable: /healthz ok, /readyz 503 naming the lists it waits for and the last error; reviews answered; SIGTERM exits 0', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-hpa-noapi-'));
  // a port nothing listens on: every list is refused at once
  const apiPort = await freePort();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:' + apiPort + '", insecure-skip-tls-verify: true}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u}}]',
      'current-context: x',
      '',
    ].join('\n'),
  );
  let serve: ServeProcess | undefined;
  try {
    // resolves once /healthz answers 200: before the listener waited for the first lists, it never did
    serve = await spawnServe(join(dir, 'certs'), ['--kubeconfig', kubeconfig]);
    const s = serve;
    const get = (path: string) => request(`${s.url}${path}`, { method: 'GET', ca: s.ca, hangMs: 10_000 });

    // the informer records the failure, then logs it: /readyz names it from then on
    await s.logLine('"list/watch failed; retrying"', (l) => l.includes('"msg":"list/watch failed; retrying"'));
    const ready = await get('/readyz');
    assert.match(ready.body, /last error/);
    assert.equal(ready.status, 503);
    assert.match(ready.body, /^not ready: cluster view not synced: waiting for the first list of /);
    assert.match(ready.body, /deployments/);
    assert.match(ready.body, /horizontalpodautoscalers/);
    assert.match(ready.body, /ECONNREFUSED/);
    assert.equal((await get('/healthz')).status, 200);

    // a review that reaches it anyway (a misrouted call) gets an answer, not a 5xx
    const r = await request(`${s.url}/validate`, { body: JSON.stringify(reviewOf(fixture('seed-000/hpa.yaml'))), ca: s.ca, hangMs: 10_000 });
    assert.equal(r.status, 200, r.body);
    assert.equal(typeof JSON.parse(r.body).response.allowed, 'boolean');

    assert.ok(s.logs().includes('list/watch failed; retrying'), 'the log says the lists are retried');
    assert.ok(!s.logs().includes('campaigning for the managed-HPA lease'), 'no campaign on an empty cache');

    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  } finally {
    serve?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
