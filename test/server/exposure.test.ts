// The review port is for the API server (issue 17 item 2, the TLS part of item 4): a real HTTPS
// listener (startServer) and real TLS clients — client certificates with --client-ca, the AEAD-only
// cipher list, and /metrics on a plain-HTTP port of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { createApp } from '../../src/server/app.js';
import { readClientCa } from '../../src/server/client-auth.js';
import { silentLogger } from '../../src/server/logger.js';
import { createMetrics } from '../../src/server/metrics.js';
import { startMetricsServer } from '../../src/server/metrics-server.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { tlsServerOptions } from '../../src/server/tls.js';
import { reviewOf } from '../helpers/webhook.js';
import { createEngine } from '../../src/core/engine.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { staticClusterView } from '../../src/core/cluster.js';
import { defaultPolicy } from '../helpers/fixtures.js';
import { SHIPPED_RULES } from '../helpers/webhook.js';

interface Pair {
  cert: string;
  key: string;
}

async function ca(cn: string, keyType: 'ec' | 'rsa' = 'ec'): Promise<Pair> {
  const g = await generate([{ name: 'commonName', value: cn }], {
    keyType,
    ...(keyType === 'ec' ? { curve: 'P-256' as const } : { keySize: 2048 }),
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: g.cert, key: g.private };
}

async function leaf(issuer: Pair, cn: string, usage: 'server' | 'client', keyType: 'ec' | 'rsa' = 'ec'): Promise<Pair> {
  const g = await generate([{ name: 'commonName', value: cn }], {
    keyType,
    ...(keyType === 'ec' ? { curve: 'P-256' as const } : { keySize: 2048 }),
    algorithm: 'sha256',
    ca: issuer,
    extensions: [
      { name: 'basicConstraints' as const, cA: false },
      { name: 'keyUsage' as const, digitalSignature: true, keyEncipherment: keyType === 'rsa', critical: true },
      usage === 'server' ? { name: 'extKeyUsage' as const, serverAuth: true } : { name: 'extKeyUsage' as const, clientAuth: true },
      ...(usage === 'server' ? [{ name: 'subjectAltName' as const, altNames: [{ type: 7 as const, ip: '127.0.0.1' }] }] : []),
    ],
  });
  return { cert: g.cert, key: g.private };
}

function app() {
  const engine = createEngine({ policy: defaultPolicy(), rules: compileAdapterConfig(SHIPPED_RULES, 'shipped'), cluster: staticClusterView({ deployments: [], hpas: [] }) });
  const metrics = createMetrics({ defaultMetrics: false });
  return { app: createApp({ engine: () => engine, ready: () => ({ ready: true }), logger: silentLogger(), metrics }), metrics };
}

interface Answer {
  status: number;
  body: string;
}

function call(url: string, o: { ca: string; method?: string; body?: string; client?: Pair; ciphers?: string; maxVersion?: tls.SecureVersion }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: o.method ?? 'GET',
        ca: o.ca,
        ...(o.client ? { cert: o.client.cert, key: o.client.key } : {}),
        ...(o.ciphers ? { ciphers: o.ciphers } : {}),
        ...(o.maxVersion ? { maxVersion: o.maxVersion } : {}),
        agent: false, // a fresh connection (and handshake) per call
        headers: o.body !== undefined ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

const hpaReview = () =>
  JSON.stringify(
    reviewOf({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h', namespace: 'team-a' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, minReplicas: 1, maxReplicas: 2, metrics: [] },
    }),
  );

async function withServer(clientCa: string | undefined, serving: Pair, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({
    port: 0,
    host: '127.0.0.1',
    tls: { secureContextProvider: () => tlsServerOptions({ certPem: serving.cert, keyPem: serving.key }) },
    app: app().app,
    logger: silentLogger(),
    clientCa,
  });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

test('--client-ca: reviews need a client certificate it signed; the probes do not; a rotated serving certificate keeps the requirement', async () => {
  const serverCa = await ca('webhook CA');
  const serving = await leaf(serverCa, 'webhook', 'server');
  const apiServerCa = await ca('API server client CA');
  const apiServer = await leaf(apiServerCa, 'kube-apiserver-webhook-client', 'client');
  const strangerCa = await ca('someone else');
  const stranger = await leaf(strangerCa, 'tenant', 'client');

  await withServer(apiServerCa.cert, serving, async (s) => {
    const o = { ca: serverCa.cert };
    for (const path of ['/validate', '/mutate']) {
      const none = await call(`${s.url}${path}`, { ...o, method: 'POST', body: hpaReview() });
      assert.equal(none.status, 401, `${path} without a client certificate`);
      const status = JSON.parse(none.body);
      assert.equal(status.reason, 'Unauthorized');
      assert.match(status.message, /requires a client certificate signed by the CA given with --client-ca.*no client certificate was presented/);

      const wrong = await call(`${s.url}${path}`, { ...o, method: 'POST', body: hpaReview(), client: stranger });
      assert.equal(wrong.status, 401, `${path} with a certificate of another CA`);
      assert.match(JSON.parse(wrong.body).message, /the client certificate was not accepted/);

      const good = await call(`${s.url}${path}`, { ...o, method: 'POST', body: hpaReview(), client: apiServer });
      assert.equal(good.status, 200, `${path} with the API server's certificate: ${good.body}`);
      assert.equal(JSON.parse(good.body).kind, 'AdmissionReview');
    }
    // the kubelet's probes have no client certificate
    assert.equal((await call(`${s.url}/healthz`, o)).status, 200);
    assert.equal((await call(`${s.url}/readyz?verbose`, o)).status, 200);
    // any other path is refused before routing: no 404 telling what exists
    assert.equal((await call(`${s.url}/nothing-here`, o)).status, 401);

    // cert-manager (or the leader) rotates the serving certificate: the client CA must survive it
    const rotated = await leaf(serverCa, 'webhook', 'server');
    s.setSecureContext(tlsServerOptions({ certPem: rotated.cert, keyPem: rotated.key }));
    assert.equal((await call(`${s.url}/validate`, { ...o, method: 'POST', body: hpaReview() })).status, 401);
    assert.equal((await call(`${s.url}/validate`, { ...o, method: 'POST', body: hpaReview(), client: apiServer })).status, 200);
  });

  // without --client-ca, nobody is asked for one
  await withServer(undefined, serving, async (s) => {
    assert.equal((await call(`${s.url}/validate`, { ca: serverCa.cert, method: 'POST', body: hpaReview() })).status, 200);
  });
});

test('readClientCa: a missing file, no PEM, or a leaf instead of a CA is an error naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'client-ca-'));
  await assert.rejects(readClientCa(join(dir, 'nope.pem')), /cannot read --client-ca .*nope\.pem: file not found/);
  await writeFile(join(dir, 'junk.pem'), 'hello');
  await assert.rejects(readClientCa(join(dir, 'junk.pem')), /junk\.pem holds no PEM certificate/);
  const root = await ca('root');
  await writeFile(join(dir, 'leaf.pem'), (await leaf(root, 'x', 'client')).cert);
  await assert.rejects(readClientCa(join(dir, 'leaf.pem')), /leaf\.pem: certificate 1 \(CN=x\) is not a CA/);
  await writeFile(join(dir, 'ca.pem'), root.cert);
  assert.match(await readClientCa(join(dir, 'ca.pem')), /^-----BEGIN CERTIFICATE-----/);
});

test('TLS 1.2: a client offering only CBC suites is refused; AEAD suites and TLS 1.3 are accepted (ECDSA and RSA keys)', async () => {
  for (const keyType of ['ec', 'rsa'] as const) {
    const root = await ca('root', keyType);
    const serving = await leaf(root, 'webhook', 'server', keyType);
    const kx = keyType === 'ec' ? 'ECDHE-ECDSA' : 'ECDHE-RSA';
    await withServer(undefined, serving, async (s) => {
      const o = { ca: root.cert, maxVersion: 'TLSv1.2' as const };
      for (const cbc of [`${kx}-AES128-SHA`, `${kx}-AES256-SHA384`, `${kx}-AES128-SHA256`]) {
        await assert.rejects(call(`${s.url}/healthz`, { ...o, ciphers: cbc }), /handshake failure|no shared cipher|ECONNRESET|sslv3 alert/i, `${keyType}: ${cbc} refused`);
      }
      for (const aead of [`${kx}-AES128-GCM-SHA256`, `${kx}-AES256-GCM-SHA384`, `${kx}-CHACHA20-POLY1305`]) {
        assert.equal((await call(`${s.url}/healthz`, { ...o, ciphers: aead })).status, 200, `${keyType}: ${aead} accepted`);
      }
      assert.equal((await call(`${s.url}/healthz`, { ca: root.cert })).status, 200, 'TLS 1.3');
      // a rotated certificate keeps the list
      const rotated = await leaf(root, 'webhook', 'server', keyType);
      s.setSecureContext(tlsServerOptions({ certPem: rotated.cert, keyPem: rotated.key }));
      await assert.rejects(call(`${s.url}/healthz`, { ...o, ciphers: `${kx}-AES128-SHA` }));
    });
  }
});

test('/metrics: plain HTTP on its own port, GET only; not on the review port', async () => {
  const { app: review, metrics } = app();
  const m = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: metrics.registry, logger: silentLogger() });
  const root = await ca('root');
  const serving = await leaf(root, 'webhook', 'server');
  const s = await startServer({ port: 0, host: '127.0.0.1', tls: { key: serving.key, cert: serving.cert }, app: review, logger: silentLogger() });
  try {
    await call(`${s.url}/validate`, { ca: root.cert, method: 'POST', body: hpaReview() });
    const get = (path: string, method = 'GET') =>
      new Promise<Answer>((resolve, reject) => {
        const req = http.request(`${m.url}${path}`, { method, agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const page = await get('/metrics');
    assert.equal(page.status, 200);
    assert.match(page.body, /gpu_hpa_webhook_admission_reviews_total\{endpoint="validate",kind="HorizontalPodAutoscaler",decision="(allowed|denied)"\} 1/);
    assert.equal((await get('/metrics', 'POST')).status, 405);
    assert.equal((await get('/validate')).status, 404);
    assert.equal((await call(`${s.url}/metrics`, { ca: root.cert })).status, 404, 'the review port has no /metrics');
  } finally {
    await s.close();
    await m.close();
  }
});
