import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, readFile, rename, rm, stat, symlink, writeFile, mkdir, copyFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { ensureSelfSignedCerts, loadTlsFiles, serviceHosts, TlsFileError, TlsReloader, type SelfSignedCerts, type TlsMaterial } from '../../src/server/tls.js';

const SVC = { service: 'gpu-hpa-webhook', namespace: 'gpu-hpa-webhook' };
const DAY = 24 * 60 * 60 * 1000;

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gpu-hpa-tls-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function dir(name: string): Promise<string> {
  const d = join(root, name);
  await mkdir(d, { recursive: true });
  return d;
}

describe('ensureSelfSignedCerts', () => {
  let first: SelfSignedCerts;
  let certDir: string;
  before(async () => {
    certDir = await dir('gen');
    first = await ensureSelfSignedCerts(certDir, SVC);
  });

  it('writes ca.crt, tls.crt and tls.key (key mode 0600) into the directory', async () => {
    assert.equal(first.generated, 'all');
    assert.deepEqual(first.paths, {
      ca: join(certDir, 'ca.crt'),
      caKey: join(certDir, 'ca.key'),
      cert: join(certDir, 'tls.crt'),
      key: join(certDir, 'tls.key'),
    });
    assert.equal(await readFile(first.paths.ca, 'utf8'), first.caPem);
    assert.equal(await readFile(first.paths.cert, 'utf8'), first.certPem);
    assert.equal(await readFile(first.paths.key, 'utf8'), first.keyPem);
    assert.equal((await stat(first.paths.key)).mode & 0o777, 0o600);
    assert.equal((await stat(first.paths.caKey)).mode & 0o777, 0o600);
  });

  it('issues the serving certificate from the CA, for every service name', () => {
    const ca = new X509Certificate(first.caPem);
    const leaf = new X509Certificate(first.certPem);
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca), 'issuer is the CA');
    assert.ok(leaf.verify(ca.publicKey), 'signed by the CA key');
    assert.ok(!leaf.verify(leaf.publicKey), 'not self-signed');
    for (const host of ['localhost', 'gpu-hpa-webhook', 'gpu-hpa-webhook.gpu-hpa-webhook', 'gpu-hpa-webhook.gpu-hpa-webhook.svc', 'gpu-hpa-webhook.gpu-hpa-webhook.svc.cluster.local']) {
      assert.equal(leaf.checkHost(host, { wildcards: false }), host, `SAN ${host}`);
    }
    assert.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(leaf.checkHost('other.gpu-hpa-webhook.svc'), undefined);
    assert.ok(leaf.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'extended key usage serverAuth');
    assert.ok(new Date(leaf.validTo).getTime() > Date.now() + 300 * DAY);
  });

  it('reuses the files on restart: same bytes', async () => {
    const again = await ensureSelfSignedCerts(certDir, SVC);
    assert.equal(again.generated, 'none');
    assert.equal(again.caPem, first.caPem);
    assert.equal(again.certPem, first.certPem);
    assert.equal(again.keyPem, first.keyPem);
    assert.equal(await readFile(first.paths.cert, 'utf8'), first.certPem);
  });

  it('renews a serving certificate near expiry under the same CA', async () => {
    const d = await dir('renew');
    const orig = await ensureSelfSignedCerts(d, SVC);
    const later = new Date(Date.now() + 340 * DAY); // 25 days before expiry, inside the 30-day window
    const renewed = await ensureSelfSignedCerts(d, { ...SVC, now: later });
    assert.equal(renewed.generated, 'cert');
    assert.equal(renewed.caPem, orig.caPem);
    assert.notEqual(renewed.certPem, orig.certPem);
    assert.ok(new X509Certificate(renewed.certPem).verify(new X509Certificate(orig.caPem).publicKey));
  });

  it('issues a new certificate when the service changes, and when a file is corrupt', async () => {
    const d = await dir('change');
    const orig = await ensureSelfSignedCerts(d, SVC);
    const moved = await ensureSelfSignedCerts(d, { service: 'hook', namespace: 'platform' });
    assert.equal(moved.generated, 'cert');
    assert.equal(new X509Certificate(moved.certPem).checkHost('hook.platform.svc'), 'hook.platform.svc');
    assert.equal(moved.caPem, orig.caPem);

    await writeFile(join(d, 'tls.crt'), 'not a certificate');
    const fixed = await ensureSelfSignedCerts(d, { service: 'hook', namespace: 'platform' });
    assert.equal(fixed.generated, 'cert');
    assert.ok(new X509Certificate(fixed.certPem).checkPrivateKey(await keyObject(fixed.keyPem)));

    await rm(join(d, 'ca.key'));
    await writeFile(join(d, 'tls.key'), (await ensureSelfSignedCerts(await dir('other'), SVC)).keyPem);
    const fresh = await ensureSelfSignedCerts(d, { service: 'hook', namespace: 'platform' });
    assert.equal(fresh.generated, 'all', 'a key that does not match and no CA key: start over');
    assert.notEqual(fresh.caPem, orig.caPem);
  });

  it('refuses names that are not DNS labels', async () => {
    await assert.rejects(ensureSelfSignedCerts(await dir('bad'), { service: 'Bad_Name', namespace: 'x' }), { name: 'CertOptionsError', message: /invalid service name "Bad_Name"/ });
    await assert.rejects(ensureSelfSignedCerts(await dir('bad'), { service: 'ok', namespace: 'No.Dots' }), { name: 'CertOptionsError', message: /invalid namespace/ });
  });

  it('serviceHosts lists the in-cluster names and extra hosts without duplicates', () => {
    assert.deepEqual(serviceHosts('s', 'n', ['10.0.0.1', 's']), ['localhost', '127.0.0.1', 's', 's.n', 's.n.svc', 's.n.svc.cluster.local', '10.0.0.1']);
  });
});

async function keyObject(pem: string) {
  const { createPrivateKey } = await import('node:crypto');
  return createPrivateKey(pem);
}

describe('loadTlsFiles', () => {
  let a: SelfSignedCerts;
  let b: SelfSignedCerts;
  before(async () => {
    a = await ensureSelfSignedCerts(await dir('load-a'), SVC);
    b = await ensureSelfSignedCerts(await dir('load-b'), SVC);
  });

  it('loads a matching pair', async () => {
    const m = await loadTlsFiles(a.paths.cert, a.paths.key);
    assert.equal(m.certPem, a.certPem);
    assert.equal(m.fingerprint256, new X509Certificate(a.certPem).fingerprint256);
  });

  it('names the missing file', async () => {
    const missing = join(root, 'nope', 'tls.crt');
    await assert.rejects(loadTlsFiles(missing, a.paths.key), (err: unknown) => {
      assert.ok(err instanceof TlsFileError);
      assert.equal(err.file, missing);
      assert.match(err.message, /nope\/tls\.crt: file not found/);
      return true;
    });
  });

  it('names the file that is not PEM', async () => {
    const junk = join(await dir('junk'), 'junk.pem');
    await writeFile(junk, 'hello');
    await assert.rejects(loadTlsFiles(junk, a.paths.key), { name: 'TlsFileError', file: junk, message: /junk\.pem is not a PEM certificate/ });
    await assert.rejects(loadTlsFiles(a.paths.cert, junk), { file: junk, message: /junk\.pem is not a PEM private key/ });
  });

  it('names the key that does not belong to the certificate', async () => {
    await assert.rejects(loadTlsFiles(a.paths.cert, b.paths.key), { file: b.paths.key, message: /does not match the certificate/ });
  });
});

/** The fingerprint of the certificate a fresh TLS connection is served. */
async function servedFingerprint(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' });
  try {
    await once(socket, 'secureConnect');
    return socket.getPeerCertificate().fingerprint256;
  } finally {
    socket.destroy();
  }
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/**
 * Resolves with the next `type` event of the reloader, or rejects after ms. Other events are
 * ignored: a reader may catch a file half-written (e.g. truncated) and reject that state first.
 */
function nextEvent(r: TlsReloader, type: 'reload', ms?: number): Promise<TlsMaterial>;
function nextEvent(r: TlsReloader, type: 'reject', ms?: number): Promise<Error>;
function nextEvent(reloader: TlsReloader, type: 'reload' | 'reject', ms = 5000): Promise<unknown> {
  const r: EventEmitter = reloader;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      r.off(type, listener);
      reject(new Error(`no ${type} event within ${ms} ms`));
    }, ms);
    const listener = (value: unknown) => {
      clearTimeout(timer);
      r.off(type, listener);
      resolve(value);
    };
    r.on(type, listener);
  });
}

/** The answers of the next `n` checks the reloader runs of its own (its poll timer or a file event). */
function checksRun(reloader: TlsReloader, n: number): Promise<boolean[]> {
  const check = reloader.check.bind(reloader);
  const answers: boolean[] = [];
  return new Promise((resolve) => {
    reloader.check = async () => {
      const changed = await check();
      answers.push(changed);
      if (answers.length === n) {
        reloader.check = check;
        resolve(answers);
      }
      return changed;
    };
  });
}

describe('TlsReloader', () => {
  let a: SelfSignedCerts;
  let b: SelfSignedCerts;
  let fpA: string;
  let fpB: string;
  before(async () => {
    a = await ensureSelfSignedCerts(await dir('pair-a'), SVC);
    b = await ensureSelfSignedCerts(await dir('pair-b'), SVC);
    fpA = new X509Certificate(a.certPem).fingerprint256;
    fpB = new X509Certificate(b.certPem).fingerprint256;
    assert.notEqual(fpA, fpB);
  });

  it('swaps the certificate of a live server when the files change (fs.watch), and keeps the old on an invalid pair', async () => {
    const d = await dir('live');
    const certPath = join(d, 'tls.crt');
    const keyPath = join(d, 'tls.key');
    await copyFile(a.paths.cert, certPath);
    await copyFile(a.paths.key, keyPath);
    // No polling: the directory watch alone must notice.
    const reloader = new TlsReloader({ certPath, keyPath, pollIntervalMs: 0, debounceMs: 100 });
    await reloader.start();
    assert.equal(reloader.serverOptions().minVersion, 'TLSv1.2');
    const server = createServer(reloader.serverOptions(), (_req, res) => res.end('ok'));
    reloader.attach(server);
    const port = await listen(server);
    try {
      assert.equal(await servedFingerprint(port), fpA);

      const reloaded = nextEvent(reloader, 'reload');
      await writeFile(keyPath, b.keyPem);
      await writeFile(certPath, b.certPem);
      assert.equal((await reloaded).fingerprint256, fpB);
      assert.equal(await servedFingerprint(port), fpB);
      assert.equal(reloader.current().fingerprint256, fpB);

      // A's certificate with B's key: rejected, B stays.
      let rejected = nextEvent(reloader, 'reject');
      await writeFile(certPath, a.certPem);
      await rejected;
      assert.equal(await reloader.check(), false);
      assert.equal(await servedFingerprint(port), fpB);
      assert.equal(reloader.current().fingerprint256, fpB);

      // Garbage: rejected, B stays.
      rejected = nextEvent(reloader, 'reject');
      await writeFile(certPath, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      await rejected;
      assert.equal(await reloader.check(), false);
      assert.equal(await servedFingerprint(port), fpB);

      // A whole pair again: A is served.
      const back = nextEvent(reloader, 'reload');
      await writeFile(keyPath, a.keyPem);
      await writeFile(certPath, a.certPem);
      assert.equal((await back).fingerprint256, fpA);
      assert.equal(await servedFingerprint(port), fpA);
    } finally {
      reloader.stop();
      server.close();
    }
  });

  it('follows a Kubernetes secret volume (..data symlink swap), by polling too', async () => {
    const d = await dir('secret-volume');
    const writeVersion = async (name: string, pair: SelfSignedCerts) => {
      await mkdir(join(d, name));
      await writeFile(join(d, name, 'tls.crt'), pair.certPem);
      await writeFile(join(d, name, 'tls.key'), pair.keyPem);
    };
    await writeVersion('..v1', a);
    await symlink('..v1', join(d, '..data'));
    await symlink('..data/tls.crt', join(d, 'tls.crt'));
    await symlink('..data/tls.key', join(d, 'tls.key'));

    const reloads: TlsMaterial[] = [];
    const reloader = new TlsReloader({
      certPath: join(d, 'tls.crt'),
      keyPath: join(d, 'tls.key'),
      pollIntervalMs: 100,
      debounceMs: 20,
      onReload: (m) => reloads.push(m),
    });
    await reloader.start();
    const server = createServer(reloader.serverOptions());
    reloader.attach(server);
    const port = await listen(server);
    try {
      assert.equal(await servedFingerprint(port), fpA);
      const event = nextEvent(reloader, 'reload');
      await writeVersion('..v2', b);
      await symlink('..v2', join(d, '..data_tmp'));
      await rename(join(d, '..data_tmp'), join(d, '..data')); // atomic, as the kubelet does it
      assert.equal((await event).fingerprint256, fpB);
      assert.equal(await servedFingerprint(port), fpB);
      // Unchanged files: later polls do not reload again. (The first check seen may still be the one that
      // swapped: a check called while one runs shares its answer.)
      const later = await checksRun(reloader, 3); // the reloader's own timer and file events
      assert.equal(later.at(-1), false);
      assert.equal(reloads.length, 1);
    } finally {
      reloader.stop();
      server.close();
    }
  });

  it('reports a bad pair once, not on every poll', async () => {
    const d = await dir('once');
    const certPath = join(d, 'tls.crt');
    const keyPath = join(d, 'tls.key');
    await writeFile(certPath, a.certPem);
    await writeFile(keyPath, a.keyPem);
    const errors: Error[] = [];
    const reloader = new TlsReloader({ certPath, keyPath, pollIntervalMs: 0, onReject: (e) => errors.push(e) });
    await reloader.start();
    try {
      await writeFile(keyPath, b.keyPem);
      assert.equal(await reloader.check(), false);
      assert.equal(await reloader.check(), false);
      assert.equal(errors.length, 1);
      assert.equal(reloader.current().fingerprint256, fpA);
      await rm(keyPath);
      assert.equal(await reloader.check(), false);
      assert.equal(errors.length, 2);
      assert.match(errors[1]?.message ?? '', /tls\.key: file not found/);
    } finally {
      reloader.stop();
    }
  });

  it('refuses to start on an unusable pair', async () => {
    const reloader = new TlsReloader({ certPath: a.paths.cert, keyPath: b.paths.key });
    await assert.rejects(reloader.start(), TlsFileError);
    reloader.stop();
  });
});
