// Slow clients (slowloris: headers a byte at a time; bodies a byte at a time) against the real
// HTTPS listener: the server's timeouts cut them off, and reviews from other clients keep being
// answered while they hang on.
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import type { RunningServer } from '../../src/server/serve.js';
import { plainDeployment } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { makeCert, pace, request, startWebhook, type Pems } from './harness.js';

let pems: Pems;
let server: RunningServer;

before(async () => {
  pems = await makeCert('slow-clients');
  // short timeouts so the test is quick; production's defaults are 10 s
  server = await startWebhook(pems, { timeouts: { headersTimeoutMs: 400, requestTimeoutMs: 400, checkIntervalMs: 50 } });
});
after(() => server.close());

/**
 * A client that dribbles `payload` one byte per `everyMs` until the server hangs up or it has sent
 * everything (bounded). Returns how much it sent and what it got back.
 */
async function dribble(payload: string, head = '', everyMs = 25): Promise<{ sent: number; total: number; received: string }> {
  const socket = tls.connect({ host: '127.0.0.1', port: server.address.port, ca: pems.cert, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  let closed = false;
  const done = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void done.then(() => (closed = true));
  if (head) socket.write(head);
  let sent = 0;
  while (sent < payload.length && !closed) {
    socket.write(payload[sent]!);
    sent++;
    await pace(everyMs);
  }
  if (!closed) socket.destroy();
  await done;
  return { sent, total: payload.length, received };
}

test('slowloris headers and slow bodies are cut off by the timeouts while other reviews are answered', { timeout: 60_000 }, async () => {
  const body = JSON.stringify(reviewOf(plainDeployment()));
  // ~200 bytes at 25 ms each: 5 s to send in full, far past the 400 ms timeouts
  const slowHead = 'POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Padding: ' + 'a'.repeat(120) + '\r\n\r\n';
  const bodyHead = `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  const slow = [...Array.from({ length: 10 }, () => dribble(slowHead)), ...Array.from({ length: 10 }, () => dribble(body.slice(0, 200), bodyHead))];

  // meanwhile, ordinary clients (keep-alive, as the API server's) get every review answered
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  const answers = await Promise.all(Array.from({ length: 40 }, () => request(`${server.url}/mutate`, { body, ca: pems.cert, agent, hangMs: 20_000 })));
  agent.destroy();
  for (const a of answers) {
    assert.equal(a.status, 200, `an ordinary review failed while slow clients hung on: ${a.error ?? a.body}`);
    assert.equal(JSON.parse(a.body).response.allowed, true);
  }

  for (const r of await Promise.all(slow)) {
    assert.ok(r.sent < r.total, `a slow client was let to send all ${r.total} bytes`);
    assert.match(r.received, /^HTTP\/1\.1 408 /, 'cut off with 408 Request Timeout');
  }
  assert.equal(server.inFlight(), 0);
});
