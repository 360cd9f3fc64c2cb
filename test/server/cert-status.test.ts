// The served certificate's expiry on /metrics, and /readyz failing once it has expired (issue 16
// item 2): the real `serve` (a child process) with a certificate that expired an hour ago, then
// rotated to a valid one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { eventually, metricValue, request, spawnServe } from '../hardening/harness.js';

async function servingCert(notBefore: Date, notAfter: Date) {
  const g = await generate([{ name: 'commonName', value: 'gpu-hpa-webhook.gpu-hpa-webhook.svc' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { cert: g.cert, key: g.private };
}

test('serve: the certificate expiry on /metrics; /readyz 503 while the served certificate is expired, 200 once renewed', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cert-status-'));
  const hour = 3_600_000;
  const now = Date.now();
  const expired = await servingCert(new Date(now - 48 * hour), new Date(now - hour));
  await writeFile(join(dir, 'tls.crt'), expired.cert);
  await writeFile(join(dir, 'tls.key'), expired.key);
  const s = await spawnServe(join(dir, 'certs'), ['--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')]);
  try {
    const expiry = (pem: string) => Math.floor(new Date(new X509Certificate(pem).validTo).getTime() / 1000);
    assert.equal(metricValue(await s.metrics(), 'gpu_hpa_webhook_tls_cert_expiry_timestamp_seconds'), expiry(expired.cert));
    // the kubelet's probe does not verify the certificate (nor does this request)
    const r = await request(`${s.url}/readyz`, { method: 'GET', hangMs: 10_000 });
    assert.equal(r.status, 503, r.body);
    assert.match(r.body, /the serving certificate \(CN=gpu-hpa-webhook\.gpu-hpa-webhook\.svc\) expired at .*renew it/);

    const renewed = await servingCert(new Date(now - hour), new Date(now + 30 * 24 * hour));
    await writeFile(join(dir, 'tls.key'), renewed.key);
    await writeFile(join(dir, 'tls.crt'), renewed.cert);
    await eventually(
      'ready with the renewed certificate',
      () => request(`${s.url}/readyz`, { method: 'GET', hangMs: 10_000 }),
      (o) => o.status === 200,
    );
    assert.equal(metricValue(await s.metrics(), 'gpu_hpa_webhook_tls_cert_expiry_timestamp_seconds'), expiry(renewed.cert));
  } finally {
    s.child.kill('SIGTERM');
    await s.exited;
  }
});
