import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { formatCertsResult, runCerts, type CertsResult } from '../../src/cli/certs.js';

let out: string;
let result: CertsResult;
before(async () => {
  out = await mkdtemp(join(tmpdir(), 'gpu-hpa-certs-'));
  result = await runCerts({ service: 'hook', namespace: 'platform', outDir: out });
});
after(async () => {
  await rm(out, { recursive: true, force: true });
});

async function webhookConfigs(): Promise<Record<string, unknown>[]> {
  const docs = [];
  for (const f of result.files.filter((f) => f.path.endsWith('.yaml'))) {
    for (const d of parseAllDocuments(await readFile(f.path, 'utf8'))) docs.push(d.toJS() as Record<string, unknown>);
  }
  return docs;
}

describe('runCerts', () => {
  it('writes the CA, the serving certificate and key, and both webhook configurations', async () => {
    assert.equal(result.generated, 'all');
    const names = result.files.map((f) => f.path.slice(out.length + 1));
    assert.deepEqual(names, ['ca.crt', 'ca.key', 'tls.crt', 'tls.key', 'webhook-mutating.yaml', 'webhook-validating.yaml']);
    const kinds = (await webhookConfigs()).map((d) => d.kind).sort();
    assert.deepEqual(kinds, ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
  });

  it('issues the certificate for the service, from the CA in caBundle', async () => {
    const caPem = await readFile(join(out, 'ca.crt'), 'utf8');
    assert.equal(Buffer.from(result.caBundle, 'base64').toString('utf8'), caPem);
    const leaf = new X509Certificate(await readFile(join(out, 'tls.crt'), 'utf8'));
    assert.ok(leaf.verify(new X509Certificate(caPem).publicKey));
    assert.equal(leaf.checkHost('hook.platform.svc'), 'hook.platform.svc');
  });

  it('points every webhook at the service with caBundle filled, and keeps its own namespace excluded', async () => {
    const docs = (await webhookConfigs()) as Array<{
      metadata: { annotations?: Record<string, string> };
      webhooks: Array<{
        clientConfig: { service: { name: string; namespace: string; path: string; port: number }; caBundle: string };
        namespaceSelector: { matchExpressions: Array<{ values: string[] }> };
      }>;
    }>;
    for (const doc of docs) {
      assert.equal(doc.metadata.annotations?.['cert-manager.io/inject-ca-from'], undefined, 'caBundle is not left to cert-manager');
      assert.equal(doc.webhooks.length, 2);
      for (const w of doc.webhooks) {
        assert.equal(w.clientConfig.service.name, 'hook');
        assert.equal(w.clientConfig.service.namespace, 'platform');
        assert.equal(w.clientConfig.service.port, 443);
        assert.match(w.clientConfig.service.path, /^\/(mutate|validate)$/);
        assert.equal(w.clientConfig.caBundle, result.caBundle);
        assert.deepEqual(w.namespaceSelector.matchExpressions[0]?.values, ['kube-system', 'platform']);
      }
    }
  });

  it('reuses what it wrote when run again', async () => {
    const again = await runCerts({ service: 'hook', namespace: 'platform', outDir: out });
    assert.equal(again.generated, 'none');
    assert.equal(again.caBundle, result.caBundle);
    assert.match(formatCertsResult(again), /Reused/);
    assert.match(formatCertsResult(again), /create secret tls hook-tls/);
  });

  it('fails, naming the folder, when it finds no webhook configuration', async () => {
    await assert.rejects(runCerts({ service: 'hook', namespace: 'platform', outDir: out, manifestsDir: out + '-none' }), /cannot read manifests directory .*-none/);
    const empty = await mkdtemp(join(tmpdir(), 'gpu-hpa-empty-'));
    try {
      await assert.rejects(runCerts({ service: 'hook', namespace: 'platform', outDir: out, manifestsDir: empty }), /no MutatingWebhookConfiguration/);
    } finally {
      await rm(empty, { recursive: true });
    }
  });
});
