// Lease election against a fake coordination.k8s.io API (compare-and-swap on resourceVersion, as the
// API server does): one leader among several, release on stop hands over at once, a crashed holder is
// replaced only after its lease duration. The real API server case is in test/e2e.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { parseKubeConfig, type KubeConfig } from '../../src/controller/kubeconfig.js';
import { LeaderElector } from '../../src/controller/leader.js';

interface Stored {
  rv: number;
  body: Record<string, unknown> & { metadata: Record<string, unknown> };
}

let lease: Stored | undefined;
/** GETs of the lease served so far: each is one elector's attempt to acquire or renew */
let gets = 0;
let server: Server;
let kc: KubeConfig;

function send(res: import('node:http').ServerResponse, code: number, body: unknown) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const status = (code: number, reason: string) => send(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message: reason });
      if (!req.url?.startsWith('/apis/coordination.k8s.io/v1/namespaces/ns/leases')) return status(404, 'NotFound');
      if (req.method === 'GET') gets++;
      if (req.method === 'GET') return lease ? send(res, 200, lease.body) : status(404, 'NotFound');
      const body = JSON.parse(raw) as Stored['body'];
      if (req.method === 'POST') {
        if (lease) return status(409, 'AlreadyExists');
        lease = { rv: 1, body: { ...body, metadata: { ...body.metadata, resourceVersion: '1' } } };
        return send(res, 201, lease.body);
      }
      if (req.method === 'PUT') {
        if (!lease || body.metadata.resourceVersion !== String(lease.rv)) return status(409, 'Conflict');
        const rv = lease.rv + 1;
        lease = { rv, body: { ...body, metadata: { ...body.metadata, resourceVersion: String(rv) } } };
        return send(res, 200, lease.body);
      }
      status(405, 'MethodNotAllowed');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  kc = parseKubeConfig(
    JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
    }),
    { file: 'test' },
  );
});

after(() => server.close());

const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

function elector(id: string, events: string[], leaseDurationSeconds = 1) {
  return new LeaderElector(kc, {
    namespace: 'ns',
    name: 'l',
    identity: id,
    leaseDurationSeconds,
    renewDeadlineMs: 500,
    retryPeriodMs: 50,
    onStartedLeading: () => events.push(`${id}+`),
    onStoppedLeading: () => events.push(`${id}-`),
  });
}

describe('LeaderElector', () => {
  test('one leader; stop releases the lease and the other takes over at once; a crashed holder is replaced after its lease duration', async () => {
    lease = undefined;
    const events: string[] = [];
    const a = elector('a', events, 30);
    const b = elector('b', events, 30);
    a.start();
    await until('a leads', () => a.isLeader());
    b.start();
    const rv = lease!.rv;
    await until('a renews three times while b tries', () => lease!.rv >= rv + 3);
    assert.equal(b.isLeader(), false, 'b waits while a renews');
    assert.equal((lease!.body.spec as { holderIdentity?: string }).holderIdentity, 'a');

    const t0 = Date.now();
    await a.stop();
    await until('b leads after the release', () => b.isLeader(), 2000);
    assert.ok(Date.now() - t0 < 2000, 'well before the 30 s lease would expire');
    assert.deepEqual(events, ['a+', 'a-', 'b+']);

    // b "crashes": its timer stops, the lease is not released (short lease for the test)
    await b.stop().catch(() => undefined);
    lease = { rv: lease!.rv, body: { ...lease!.body, spec: { ...(lease!.body.spec as object), holderIdentity: 'b', leaseDurationSeconds: 1 } } };
    const c = elector('c', events);
    const t1 = Date.now();
    const before = gets;
    c.start();
    await until('c tries three times', () => gets >= before + 3);
    // (on a machine so loaded that three tries took the whole lease duration, c may rightly lead already)
    if (Date.now() - t1 < 1000) assert.equal(c.isLeader(), false, 'the crashed holder keeps it for its lease duration');
    await until('c leads after expiry', () => c.isLeader(), 3000);
    assert.ok(Date.now() - t1 >= 1000);
    await c.stop();
  });
});
