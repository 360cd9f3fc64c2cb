// readSecret / readWebhookConfiguration (src/controller/certificates.ts): what the plan is told about
// real certificates — which CA of ca.crt signs (ca.key), which CA issued tls.crt (from ca.crt or a
// caBundle only), whether the key matches and the names cover the Service. Certificates are made
// here with the generators the controller uses.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import { readSecret, readWebhookConfiguration, splitPemBundle } from '../../src/controller/certificates.js';
import { generateCa, generateServingCert, serviceHosts } from '../../src/server/tls.js';

const NOW = new Date();
const hosts = serviceHosts('gpu-hpa-webhook', 'gpu-hpa-webhook');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const fp = (pem: string) => new X509Certificate(pem).fingerprint256;

let ca1: { cert: string; key: string };
let ca2: { cert: string; key: string };
let leaf1: { cert: string; key: string };
let leaf2: { cert: string; key: string };
let otherHost: { cert: string; key: string };

before(async () => {
  ca1 = await generateCa('gpu-hpa-webhook', 'gpu-hpa-webhook', NOW, 10);
  ca2 = await generateCa('gpu-hpa-webhook', 'gpu-hpa-webhook', NOW, 10);
  leaf1 = await generateServingCert(ca1, hosts, 'gpu-hpa-webhook', 'gpu-hpa-webhook', NOW, 5);
  leaf2 = await generateServingCert(ca2, hosts, 'gpu-hpa-webhook', 'gpu-hpa-webhook', NOW, 5);
  otherHost = await generateServingCert(ca1, serviceHosts('other', 'elsewhere'), 'other', 'elsewhere', NOW, 5);
});

const secret = (data: Record<string, string>, annotations: Record<string, string> = {}): V1Secret => ({
  metadata: { name: 'gpu-hpa-webhook-tls', namespace: 'gpu-hpa-webhook', annotations },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
});

describe('readSecret', () => {
  test('absent and empty Secrets', () => {
    assert.deepEqual(readSecret(undefined, hosts).facts, { exists: false, trusted: [] });
    const empty = readSecret({ metadata: { name: 'x' } }, hosts).facts;
    assert.equal(empty.exists, true);
    assert.deepEqual(empty.trusted, []);
    assert.equal(empty.signer, undefined);
    assert.equal(empty.serving, undefined);
  });

  test('during a rotation: two CAs trusted in order, ca.key picks the signer, tls.crt still issued by the old CA', () => {
    const r = readSecret(
      secret({ 'ca.crt': ca1.cert + ca2.cert, 'ca.key': ca2.key, 'tls.crt': leaf1.cert, 'tls.key': leaf1.key }, { 'gpu-hpa.io/rotate': 'x', 'gpu-hpa.io/serving-cert-issued-at': NOW.toISOString() }),
      hosts,
    );
    assert.deepEqual(
      r.facts.trusted.map((c) => c.fingerprint),
      [fp(ca1.cert), fp(ca2.cert)],
    );
    assert.equal(r.facts.signer, fp(ca2.cert));
    assert.equal(r.signerKeyPem, ca2.key);
    assert.equal(r.facts.serving?.issuer, fp(ca1.cert));
    assert.equal(r.facts.serving?.keyMatches, true);
    assert.equal(r.facts.serving?.coversHosts, true);
    assert.equal(r.facts.rotateRequest, 'x');
    assert.deepEqual(r.facts.servingIssuedAt, new Date(NOW.toISOString()));
    assert.equal(r.caPems.get(fp(ca2.cert)), splitPemBundle(ca2.cert)[0]!.pem);
  });

  test('a key of another certificate, names of another Service, an issuer outside ca.crt', () => {
    const wrongKey = readSecret(secret({ 'ca.crt': ca1.cert, 'ca.key': ca2.key, 'tls.crt': leaf1.cert, 'tls.key': leaf2.key }), hosts).facts;
    assert.equal(wrongKey.signer, undefined, 'ca.key of no CA in ca.crt');
    assert.equal(wrongKey.serving?.keyMatches, false);
    assert.equal(readSecret(secret({ 'ca.crt': ca1.cert, 'tls.crt': otherHost.cert, 'tls.key': otherHost.key }), hosts).facts.serving?.coversHosts, false);
    // issued by ca2, which only a caBundle holds (cert-manager mode: the injector's CA)
    const s = secret({ 'ca.crt': ca1.cert, 'tls.crt': leaf2.cert, 'tls.key': leaf2.key });
    assert.equal(readSecret(s, hosts).facts.serving?.issuer, undefined);
    assert.equal(readSecret(s, hosts, [new X509Certificate(ca2.cert)]).facts.serving?.issuer, fp(ca2.cert));
  });

  test('garbage in ca.crt is left out, not trusted', () => {
    const r = readSecret(secret({ 'ca.crt': `-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n${ca1.cert}` }), hosts);
    assert.deepEqual(
      r.facts.trusted.map((c) => c.fingerprint),
      [fp(ca1.cert)],
    );
  });
});

test('readWebhookConfiguration: caBundle of each webhook as fingerprints, failurePolicy, the published-at annotation', () => {
  const r = readWebhookConfiguration('ValidatingWebhookConfiguration', 'gpu-hpa-webhook', {
    metadata: { name: 'gpu-hpa-webhook', annotations: { 'gpu-hpa.io/ca-bundle-published-at': NOW.toISOString() } },
    webhooks: [
      { name: 'a', clientConfig: { caBundle: b64(ca1.cert + ca2.cert) }, failurePolicy: 'Fail', sideEffects: 'None', admissionReviewVersions: ['v1'] },
      { name: 'b', clientConfig: {}, failurePolicy: 'Ignore', sideEffects: 'None', admissionReviewVersions: ['v1'] },
    ],
  });
  assert.deepEqual(r.facts.webhooks, [
    { name: 'a', caBundle: [fp(ca1.cert), fp(ca2.cert)], failurePolicy: 'Fail' },
    { name: 'b', caBundle: [], failurePolicy: 'Ignore' },
  ]);
  assert.deepEqual(r.facts.publishedAt, new Date(NOW.toISOString()));
  assert.equal(r.cas.length, 2);
  assert.equal(readWebhookConfiguration('MutatingWebhookConfiguration', 'x', undefined).facts.exists, false);
});
