// The serving certificate and key replaced on disk (as cert-manager does, and non-atomically, so the
// reloader sees a mismatched pair in between) while reviews keep coming: no request fails, and new
// connections are then served the new certificate.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TlsReloader, tlsServerOptions } from '../../src/server/tls.js';
import { plainDeployment } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { makeCert, request, startWebhook, type Outcome } from './harness.js';

test('cert and key replaced on disk under load: no failed request, and the new certificate is served', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-hpa-tls-'));
  const certPath = join(dir, 'tls.crt');
  const keyPath = join(dir, 'tls.key');
  const a = await makeCert('webhook-old');
  const b = await makeCert('webhook-new');
  const fpA = new X509Certificate(a.cert).fingerprint256;
  const fpB = new X509Certificate(b.cert).fingerprint256;
  writeFileSync(certPath, a.cert);
  writeFileSync(keyPath, a.key, { mode: 0o600 });
  let rejected = 0;
  const reloader = new TlsReloader({ certPath, keyPath, pollIntervalMs: 100, debounceMs: 20, onReject: () => rejected++ });
  const material = await reloader.start();
  const server = await startWebhook({ secureContextProvider: () => tlsServerOptions(material) });
  reloader.attach(server.server);
  const body = JSON.stringify(reviewOf(plainDeployment()));
  const ca = [a.cert, b.cert]; // the client trusts both, as a caBundle does during a CA rotation
  const outcomes: Outcome[] = [];
  let loaded: () => void = () => {};
  const thirtyAnswered = new Promise<void>((resolve) => (loaded = resolve));
  let rotated = false;
  let newServed = 0;
  try {
    // load: new connections (each handshake picks the context in force) and a keep-alive client
    // (its open connection keeps the old certificate, and must keep working)
    const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 2 });
    const worker = async (agent: https.Agent | false) => {
      // bounded: stop once the new certificate has answered 20 times, or after 3,000 requests
      while (newServed < 20 && outcomes.length < 3_000) {
        const o = await request(`${server.url}/mutate`, { body, ca, agent, hangMs: 20_000 });
        outcomes.push(o);
        if (outcomes.length === 30) loaded();
        if (rotated && o.fingerprint === fpB) newServed++;
      }
    };
    const load = Promise.all([worker(false), worker(false), worker(false), worker(keepAlive), worker(keepAlive)]);
    await thirtyAnswered;
    // the certificate first, the key once the reloader has seen the mismatched pair and refused it
    // (its 'reject' event; the old pair keeps serving meanwhile)
    const refused = once(reloader, 'reject');
    writeFileSync(certPath, b.cert);
    await refused;
    assert.ok(rejected >= 1);
    writeFileSync(keyPath, b.key, { mode: 0o600 });
    rotated = true;
    await load;
    keepAlive.destroy();

    const failed = outcomes.filter((o) => o.status !== 200);
    assert.deepEqual(
      failed.map((o) => o.error ?? `HTTP ${o.status}`),
      [],
      'every request during the rotation was answered',
    );
    assert.ok(
      outcomes.some((o) => o.fingerprint === fpA),
      'the old certificate served before the rotation',
    );
    assert.ok(newServed >= 20, `the new certificate was not served (after ${outcomes.length} requests; mismatched pairs refused: ${rejected})`);
    // and a fresh connection now gets the new one
    const fresh = await request(`${server.url}/healthz`, { method: 'GET', ca: b.cert, hangMs: 10_000 });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.fingerprint, fpB);
  } finally {
    reloader.stop();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
