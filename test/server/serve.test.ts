import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeCert, type Pems } from '../helpers/tls.js';
import { createApp } from '../../src/server/app.js';
import { silentLogger } from '../../src/server/logger.js';
import { createMetrics } from '../../src/server/metrics.js';
import { installSignalHandlers, startServer, type RunningServer, type StartServerOptions } from '../../src/server/serve.js';

let pems: Pems;
let pems2: Pems;

before(async () => {
  pems = await makeCert('gpu-hpa-webhook-test');
  pems2 = await makeCert('gpu-hpa-webhook-rotated');
});

const logger = silentLogger();

function start(app: StartServerOptions['app'], extra: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  return startServer({ port: 0, host: '127.0.0.1', tls: pems, app, logger, ...extra });
}

function get(running: RunningServer, path: string, opts: { method?: string; body?: string; headers?: Record<string, string>; agent?: https.Agent; ca?: string } = {}) {
  return new Promise<{ status: number; body: string; headers: IncomingMessage['headers']; peerCert: tls.PeerCertificate; protocol: string | null }>((resolve, reject) => {
    const req = https.request(`${running.url}${path}`, { method: opts.method ?? 'GET', ca: opts.ca ?? pems.cert, headers: opts.headers, agent: opts.agent ?? false }, (res) => {
      const socket = res.socket as tls.TLSSocket;
      const peerCert = socket.getPeerCertificate();
      const protocol = socket.getProtocol();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, peerCert, protocol }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The slow client's pace between two writes: the input under test, not a wait for something to happen. */
const pace = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An app that holds every request until the test releases it, and says when one has arrived (by then
 * the server counts it in flight: serve.ts counts before it calls the app).
 */
function holding() {
  const held: ServerResponse[] = [];
  let arrived: () => void = () => {};
  const entered = new Promise<void>((resolve) => (arrived = resolve));
  return {
    entered,
    app: (_req: IncomingMessage, res: ServerResponse) => {
      held.push(res);
      arrived();
    },
    release(body: string) {
      for (const res of held.splice(0)) res.end(body);
    },
  };
}

test('serves an AdmissionReview over TLS >= 1.2', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const app = createApp({
    engine: () => ({ mutate: () => ({ allowed: true, violations: [], warnings: [] }), validate: () => ({ allowed: true, violations: [], warnings: [] }) }),
    ready: () => ({ ready: true }),
    logger,
    metrics,
  });
  const running = await start(app);
  try {
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: { uid: 'u-tls', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, resource: { group: 'apps', version: 'v1', resource: 'deployments' }, operation: 'CREATE', object: {} },
    });
    const res = await get(running, '/mutate', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.body).response.uid, 'u-tls');
    assert.ok(res.protocol === 'TLSv1.2' || res.protocol === 'TLSv1.3', String(res.protocol));
    assert.equal(running.server.listening, true);
  } finally {
    await running.close();
  }
  assert.equal(running.server.listening, false);
});

test('a client that sends its headers byte by byte is cut off by the headers timeout', async () => {
  const running = await start((_req, res) => res.end('should not get here'), {
    timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 300, checkIntervalMs: 50 },
  });
  try {
    const socket = tls.connect({ host: '127.0.0.1', port: running.address.port, ca: pems.cert, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    const startedAt = Date.now();
    const head = 'POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Padding: ' + 'a'.repeat(200) + '\r\n\r\n';
    let sent = 0;
    let cut = false;
    void closed.then(() => (cut = true));
    // one byte every 20 ms: the whole head would take ~5 s
    while (sent < head.length && !cut && !socket.destroyed) {
      socket.write(head[sent] as string);
      sent++;
      await pace(20);
    }
    const closedAt = await closed;
    assert.ok(sent < head.length, 'the server waited for the whole slow head');
    assert.ok(closedAt - startedAt < 2000, `cut off after ${closedAt - startedAt} ms`);
    assert.match(received, /^HTTP\/1\.1 408 /);
    assert.equal(running.inFlight(), 0);
  } finally {
    await running.close();
  }
});

test('a client that sends a body too slowly is cut off by the request timeout', async () => {
  const running = await start(
    (req, res) => {
      req.resume();
      req.on('end', () => res.end('done'));
    },
    { timeouts: { requestTimeoutMs: 300, checkIntervalMs: 50 } },
  );
  try {
    const socket = tls.connect({ host: '127.0.0.1', port: running.address.port, ca: pems.cert, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    socket.on('error', () => {});
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
    let cut = false;
    void closed.then(() => (cut = true));
    let sent = 0;
    while (sent < 1000 && !cut) {
      socket.write('x');
      sent++;
      await pace(10);
    }
    await closed;
    assert.ok(sent < 1000, 'the slow body was read to the end');
    assert.match(received, /^HTTP\/1\.1 408 /);
  } finally {
    await running.close();
  }
});

test('close() lets an in-flight slow review finish, and refuses new connections meanwhile', async () => {
  const events: string[] = [];
  const held = holding();
  const running = await start(held.app);
  const inflight = get(running, '/mutate', { method: 'POST', body: '{}' });
  await held.entered;
  assert.equal(running.inFlight(), 1);
  const closing = running.close().then(() => events.push('closed'));
  // close() stops listening before it returns: a new connection is refused while the review is held
  await assert.rejects(get(running, '/healthz'), /ECONNREFUSED|ECONNRESET|socket hang up/);
  assert.equal(events.length, 0, 'closed while a review was in flight');
  events.push('response');
  held.release('done');
  const res = await inflight;
  assert.equal(res.status, 200);
  assert.equal(res.body, 'done');
  assert.equal(res.headers.connection, 'close');
  await closing;
  assert.deepEqual(events, ['response', 'closed']);
  assert.equal(running.inFlight(), 0);
});

test('an idle keep-alive connection does not hold close() up', async () => {
  const running = await start((_req, res) => res.end('ok'), { timeouts: { keepAliveTimeoutMs: 30_000 } });
  const agent = new https.Agent({ keepAlive: true, ca: pems.cert });
  try {
    const res = await get(running, '/healthz', { agent });
    assert.equal(res.status, 200);
    const t0 = Date.now();
    await running.close();
    assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
  } finally {
    agent.destroy();
  }
});

test('close() hard-stops a request that outlives the shutdown timeout', async () => {
  const held = holding(); // never released
  const running = await start(held.app, { shutdownTimeoutMs: 200 });
  const stuck = get(running, '/mutate', { method: 'POST', body: '{}' });
  const failed = assert.rejects(stuck, /socket hang up|ECONNRESET/);
  await held.entered;
  const t0 = Date.now();
  await running.close();
  const took = Date.now() - t0;
  assert.ok(took >= 180 && took < 1500, `close took ${took} ms`);
  await failed;
});

test('setSecureContext rotates the serving certificate for new connections', async () => {
  const running = await start((_req, res) => res.end('ok'));
  try {
    const before = await get(running, '/healthz');
    assert.equal(before.peerCert.subject.CN, 'gpu-hpa-webhook-test');
    running.setSecureContext(pems2);
    const after = await get(running, '/healthz', { ca: pems2.cert });
    assert.equal(after.peerCert.subject.CN, 'gpu-hpa-webhook-rotated');
  } finally {
    await running.close();
  }
});

test('secureContextProvider supplies the initial certificate', async () => {
  let calls = 0;
  const running = await start((_req, res) => res.end('ok'), {
    tls: {
      secureContextProvider: () => {
        calls++;
        return pems2;
      },
    },
  });
  try {
    const res = await get(running, '/healthz', { ca: pems2.cert });
    assert.equal(res.peerCert.subject.CN, 'gpu-hpa-webhook-rotated');
    assert.equal(calls, 1);
  } finally {
    await running.close();
  }
});

test('a port in use is a rejected start, not a crash', async () => {
  const first = await start((_req, res) => res.end('ok'));
  try {
    await assert.rejects(startServer({ port: first.address.port, host: '127.0.0.1', tls: pems, app: (_q, s) => s.end(), logger }), /EADDRINUSE/);
  } finally {
    await first.close();
  }
});

test('a signal drains the server and exits 0; a second one exits 1 at once', async () => {
  const held = holding();
  const running = await start(held.app);
  const codes: number[] = [];
  let exited: () => void = () => {};
  const exit = new Promise<void>((resolve) => (exited = resolve));
  const uninstall = installSignalHandlers(running, logger, {
    signals: ['SIGUSR2'],
    exit: (c) => {
      codes.push(c);
      exited();
    },
  });
  try {
    const inflight = get(running, '/x');
    await held.entered;
    process.emit('SIGUSR2', 'SIGUSR2');
    // the drain has begun (the server no longer listens), and the review is still held: no exit yet
    await assert.rejects(get(running, '/healthz'), /ECONNREFUSED|ECONNRESET|socket hang up/);
    assert.deepEqual(codes, [], 'exited before the in-flight request finished');
    held.release('late');
    assert.equal((await inflight).body, 'late');
    await exit;
    assert.deepEqual(codes, [0]);
    process.emit('SIGUSR2', 'SIGUSR2');
    assert.deepEqual(codes, [0, 1]);
  } finally {
    uninstall();
  }
  assert.equal(process.listenerCount('SIGUSR2'), 0);
});
