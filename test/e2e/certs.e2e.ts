// Self-managed certificates (issue 16, item 2) against the real kube-apiserver: manifests/ installed
// from nothing (no certificate made by the test), two `serve --cert-mode self-managed` replicas with
// the ServiceAccount's own token (so manifests/rbac.yaml is all they may do). The leader fills the
// Secret and caBundle, closes HPA validation, and an HPA is judged through the webhook with TLS the
// API server verified against that caBundle. Then a forced rotation (gpu-hpa.io/rotate) while a stream
// of HPA writes runs: not one fails, and both replicas end up serving a certificate of the new CA.
// A leader killed mid-rotation: the other replica finishes it. Last, the provided-Secret mode on the
// same cluster: the user's Secret is only read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { AdmissionregistrationV1Api, AutoscalingV2Api, CoordinationV1Api, CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1Secret } from '@kubernetes/client-node';
import { mkdtemp } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCerts } from '../../src/cli/certs.js';
import { splitPemBundle } from '../../src/controller/certificates.js';
import { FAIL_CLOSED_WEBHOOK } from '../../src/core/cert-rotation.js';
import { startControlPlane, type ControlPlane } from './cluster.js';
import { policyFile } from '../helpers/fixtures.js';
import { apiMessage, apply, applyAdapterConfigMap, hpa, NS, renderManifests, ReplicaProxy, waitUntil, WebhookProcess } from './harness.js';

const SECRET = 'gpu-hpa-webhook-tls';
const PROPAGATION = '2s';
/** The default policy judging every HPA (scope.hpas: all): the HPAs here target no Deployment, and this file is about TLS, not scope. */
const allHpasPolicy = (dir: string) => policyFile(dir, (p) => (p.scope = { hpas: 'all' }), 'policy-all-hpas.yaml');

let cp: ControlPlane;
let admin: KubeConfig;
let proxy: ReplicaProxy;
const replicas: WebhookProcess[] = [];

const b64 = (s: string | undefined) => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));

async function secret(): Promise<V1Secret> {
  return admin.makeApiClient(CoreV1Api).readNamespacedSecret({ name: SECRET, namespace: NS });
}

/** caBundle of every webhook of both configurations, as fingerprints, and the fail-closed webhook's policy. */
async function webhookState(): Promise<{ bundles: string[][]; pems: string; hpaPolicy?: string }> {
  const api = admin.makeApiClient(AdmissionregistrationV1Api);
  const [m, v] = await Promise.all([api.readMutatingWebhookConfiguration({ name: 'gpu-hpa-webhook' }), api.readValidatingWebhookConfiguration({ name: 'gpu-hpa-webhook' })]);
  const hooks = [...(m.webhooks ?? []), ...(v.webhooks ?? [])];
  return {
    bundles: hooks.map((h) => splitPemBundle(b64(h.clientConfig.caBundle)).map((c) => c.cert.fingerprint256)),
    pems: b64(v.webhooks?.find((h) => h.name === FAIL_CLOSED_WEBHOOK)?.clientConfig.caBundle),
    hpaPolicy: v.webhooks?.find((h) => h.name === FAIL_CLOSED_WEBHOOK)?.failurePolicy,
  };
}

/** The certificate a replica serves, verified against `ca` for the name the API server dials here. */
function served(port: number, ca: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, ca, servername: 'gpu-hpa-webhook.gpu-hpa-webhook.svc', rejectUnauthorized: true }, () => {
      const raw = s.getPeerCertificate().raw;
      s.end();
      resolve(new X509Certificate(raw));
    });
    s.once('error', reject);
  });
}

describe('e2e: self-managed certificates on the real API server', { timeout: 10 * 60_000 }, () => {
  before(
    async () => {
      cp = await startControlPlane({ controllerManager: false });
      admin = cp.kubeConfig();
      proxy = new ReplicaProxy();
      await proxy.start();
    },
    { timeout: 5 * 60_000 },
  );

  after(async () => {
    for (const r of replicas) await r.stop();
    await proxy?.stop();
    await cp?.stop();
  });

  test('install from nothing: the leader writes the Secret and caBundle, then closes HPA validation; an HPA is judged over verified TLS', async () => {
    const objects = KubernetesObjectApi.makeApiClient(admin);
    // manifests/ as rendered; the webhook configurations reach the replicas through the proxy (a URL instead of the Service)
    await applyAdapterConfigMap(objects); // the cluster's prometheus-adapter ConfigMap (and its namespace) the manifests read
    for (const o of renderManifests()) {
      if (/WebhookConfiguration$/.test(o.kind ?? '')) {
        for (const w of (o as KubernetesObject & { webhooks: Array<{ clientConfig: { url?: string; service?: { path?: string } } }> }).webhooks) {
          w.clientConfig.url = `https://127.0.0.1:${proxy.port}${w.clientConfig.service?.path ?? '/'}`;
          delete w.clientConfig.service;
        }
      }
      await apply(objects, o);
    }
    const before = await webhookState();
    assert.deepEqual(before.bundles, [[], [], [], []], 'no caBundle shipped');
    assert.equal(before.hpaPolicy, 'Ignore', 'HPA validation ships open');
    // nothing serves yet and no caBundle: an HPA write still goes through (fail-open as shipped)
    await admin.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({ namespace: 'default', dryRun: 'All', body: hpa('early', 'absent', 'gpu_utilization') });

    const core = admin.makeApiClient(CoreV1Api);
    const tr = await core.createNamespacedServiceAccountToken({ name: 'gpu-hpa-webhook', namespace: NS, body: { spec: { audiences: [], expirationSeconds: 7200 } } });
    const kubeconfig = await cp.writeKubeconfig('webhook-sa', tr.status!.token);
    for (let i = 0; i < 2; i++) {
      const r = new WebhookProcess(`replica-${i}`, { kubeconfig, certDir: '', serveArgs: ['--cert-mode', 'self-managed', '--cert-propagation-delay', PROPAGATION, '--policy', allHpasPolicy(cp.dir)] });
      replicas.push(r);
      await r.start();
    }
    proxy.backends = replicas.map((r) => r.port);

    await waitUntil('HPA validation closed by the leader', 60_000, async () => (await webhookState()).hpaPolicy === 'Fail');
    const s = await secret();
    const cas = splitPemBundle(b64(s.data?.['ca.crt']));
    assert.equal(cas.length, 1, 'one CA');
    const state = await webhookState();
    assert.deepEqual(state.bundles, Array(4).fill([cas[0]!.cert.fingerprint256]), 'caBundle = the Secret ca.crt in every webhook');
    const leaf = new X509Certificate(b64(s.data?.['tls.crt']));
    assert.ok(leaf.checkIssued(cas[0]!.cert) && leaf.verify(cas[0]!.cert.publicKey), 'tls.crt issued by the CA');

    // every replica serves the Secret's certificate, verifiable with caBundle
    await waitUntil('both replicas serve the Secret certificate', 30_000, async () => {
      const got = await Promise.all(replicas.map((r) => served(r.port, state.pems)));
      return got.every((c) => c.fingerprint256 === leaf.fingerprint256);
    });

    // judged by the webhook: a metric no adapter rule serves is denied by it (not "failed calling webhook")
    const autoscaling = admin.makeApiClient(AutoscalingV2Api);
    await assert.rejects(autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: hpa('unserved', 'absent', 'DCGM_FI_DEV_MEMORY_USED') }), (e: unknown) => {
      assert.match(apiMessage(e), /admission webhook "horizontalpodautoscalers\.validate\.gpu-hpa\.io" denied the request/);
      return true;
    });
    await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: hpa('served', 'absent', 'gpu_utilization') });
    for (const r of replicas) assert.doesNotMatch(r.logText(200), /forbidden/i, `${r.name}: no RBAC refusal`);
    // /metrics: the leader's steps (one of each), nobody blocked
    const scraped = await Promise.all(replicas.map((r) => r.metrics()));
    const total = (step: string) => scraped.reduce((n, m) => n + Number(new RegExp(`^gpu_hpa_webhook_certificate_steps_total\\{step="${step}"\\} (\\d+)$`, 'm').exec(m)?.[1] ?? 0), 0);
    assert.deepEqual(
      ['create-ca', 'publish-bundle', 'issue-serving', 'set-failure-policy'].map(total),
      [1, 1, 1, 1],
      scraped
        .join('\n')
        .split('\n')
        .filter((l) => l.includes('certificate'))
        .join('\n'),
    );
    for (const m of scraped) assert.match(m, /^gpu_hpa_webhook_certificates_blocked 0$/m);
  });

  test('a forced rotation: both CAs trusted during the overlap, no failed admission in a stream of HPA writes, both replicas on the new certificate', async (t) => {
    const core = admin.makeApiClient(CoreV1Api);
    const autoscaling = admin.makeApiClient(AutoscalingV2Api);
    const old = await secret();
    const oldCa = splitPemBundle(b64(old.data?.['ca.crt']))[0]!.cert;
    const oldLeaf = new X509Certificate(b64(old.data?.['tls.crt']));

    // the stream: dry-run HPA creates (admission runs in full), back to back, until told to stop
    let stop = false;
    const failures: string[] = [];
    let writes = 0;
    let denied = 0;
    const stream = (async () => {
      while (!stop) {
        try {
          await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', dryRun: 'All', body: hpa(`w-${writes}`, 'absent', 'gpu_utilization') });
        } catch (e) {
          failures.push(apiMessage(e));
        }
        // and one the webhook must deny: proves every write really reached it
        try {
          await autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', dryRun: 'All', body: hpa(`d-${writes}`, 'absent', 'DCGM_FI_DEV_MEMORY_USED') });
          failures.push('an unserved metric was admitted: the webhook was not called');
        } catch (e) {
          if (/denied the request/.test(apiMessage(e))) denied++;
          else failures.push(apiMessage(e));
        }
        writes++;
      }
    })();
    await waitUntil('a few writes before the rotation', 30_000, () => writes >= 5);

    // what `kubectl annotate secret gpu-hpa-webhook-tls gpu-hpa.io/rotate=e2e-1` sends (the leader's annotations are there already)
    const rotationStarted = Date.now();
    await core.patchNamespacedSecret({ name: SECRET, namespace: NS, body: [{ op: 'add', path: '/metadata/annotations/gpu-hpa.io~1rotate', value: 'e2e-1' }] });
    // the overlap: caBundle holds the old and the new CA while tls.crt is still the old CA's
    let overlapSeen = false;
    let newCa: X509Certificate | undefined;
    await waitUntil('the rotation done: one new CA everywhere, tls.crt issued by it', 90_000, async () => {
      const [s, w] = await Promise.all([secret(), webhookState()]);
      const cas = splitPemBundle(b64(s.data?.['ca.crt'])).map((c) => c.cert);
      if (w.bundles.every((b) => b.length === 2 && b.includes(oldCa.fingerprint256))) overlapSeen = true;
      if (cas.length !== 1 || cas[0]!.fingerprint256 === oldCa.fingerprint256) return false;
      if (!w.bundles.every((b) => b.length === 1 && b[0] === cas[0]!.fingerprint256)) return false;
      const leaf = new X509Certificate(b64(s.data?.['tls.crt']));
      newCa = cas[0];
      return leaf.checkIssued(cas[0]!) && leaf.verify(cas[0]!.publicKey);
    });
    const after = await secret();
    const newLeaf = new X509Certificate(b64(after.data?.['tls.crt']));
    assert.notEqual(newLeaf.fingerprint256, oldLeaf.fingerprint256);
    assert.equal(after.metadata?.annotations?.['gpu-hpa.io/rotated-for'], 'e2e-1');
    // both replicas serve the new certificate, verified with the new caBundle alone
    const pems = (await webhookState()).pems;
    await waitUntil('both replicas serve the new certificate', 30_000, async () => {
      const got = await Promise.all(replicas.map((r) => served(r.port, pems)));
      return got.every((c) => c.fingerprint256 === newLeaf.fingerprint256);
    });
    // keep writing a little after the old CA left caBundle
    const at = writes;
    await waitUntil('writes after the rotation', 30_000, () => writes >= at + 5);
    stop = true;
    await stream;

    t.diagnostic(`rotation took ${Date.now() - rotationStarted} ms; ${writes} write pairs (admitted + denied), ${failures.length} failed; overlap seen by polling: ${overlapSeen}`);
    assert.ok(newCa && newCa.fingerprint256 !== oldCa.fingerprint256);
    assert.deepEqual(failures, [], `${failures.length} of ${writes * 2} writes failed`);
    assert.equal(denied, writes, 'every write reached the webhook');
    // the overlap is observed by polling, so it may fall between two reads; the leader's log says it too
    const log = replicas.flatMap((r) => r.lines).filter((l) => l.msg === 'caBundle published');
    assert.ok(overlapSeen || log.some((l) => l.cas === 2), 'caBundle held both CAs during the rotation');
    assert.equal((await webhookState()).hpaPolicy, 'Fail', 'HPA validation stayed closed throughout');
  });

  test('the leader crashes mid-rotation: the other replica takes the Lease and finishes it from what the Secret and caBundle say', async () => {
    const lease = await admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: 'gpu-hpa-webhook', namespace: NS });
    const leader = replicas.find((r) => r.identity === lease.spec?.holderIdentity);
    assert.ok(leader, `a replica holds the Lease (${lease.spec?.holderIdentity})`);
    const before = splitPemBundle(b64((await secret()).data?.['ca.crt']))[0]!.cert.fingerprint256;
    await admin.makeApiClient(CoreV1Api).patchNamespacedSecret({ name: SECRET, namespace: NS, body: [{ op: 'add', path: '/metadata/annotations/gpu-hpa.io~1rotate', value: 'e2e-2' }] });
    // mid-rotation: the new CA is in ca.crt next to the old one, the serving certificate not yet moved
    await waitUntil('a second CA in ca.crt', 30_000, async () => splitPemBundle(b64((await secret()).data?.['ca.crt'])).length === 2);
    await leader.kill(); // SIGKILL: no Lease release, the other waits out the lease (15 s)
    proxy.backends = replicas.filter((r) => r !== leader && r.child?.exitCode === null).map((r) => r.port);
    await waitUntil('the rotation finished by the other replica', 90_000, async () => {
      const s = await secret();
      const cas = splitPemBundle(b64(s.data?.['ca.crt'])).map((c) => c.cert);
      const w = await webhookState();
      const leaf = new X509Certificate(b64(s.data?.['tls.crt']));
      return cas.length === 1 && cas[0]!.fingerprint256 !== before && w.bundles.every((b) => b.length === 1 && b[0] === cas[0]!.fingerprint256) && leaf.checkIssued(cas[0]!);
    });
    const survivor = replicas.find((r) => r !== leader)!;
    assert.ok(
      survivor.lines.some((l) => l.msg === 'serving certificate issued'),
      'the survivor issued the new serving certificate',
    );
    // the crashed replica comes back and serves the new certificate too
    await leader.start();
    proxy.backends = replicas.map((r) => r.port);
    const leaf = new X509Certificate(b64((await secret()).data?.['tls.crt']));
    const pems = (await webhookState()).pems;
    await waitUntil('both replicas serve the new certificate', 30_000, async () =>
      (await Promise.all(replicas.map((r) => served(r.port, pems)))).every((c) => c.fingerprint256 === leaf.fingerprint256),
    );
    await assert.rejects(
      admin.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({ namespace: 'default', dryRun: 'All', body: hpa('after-failover', 'absent', 'DCGM_FI_DEV_MEMORY_USED') }),
      (e: unknown) => /admission webhook "horizontalpodautoscalers\.validate\.gpu-hpa\.io" denied the request/.test(apiMessage(e)),
    );
  });

  test('provided Secret (--cert-mode secret): the webhook only reads the Secret, publishes its ca.crt, then closes HPA validation', async () => {
    for (const r of replicas) await r.stop();
    const core = admin.makeApiClient(CoreV1Api);
    // the install as components/provided-secret renders it: no Secret of ours, the configurations as shipped
    await core.deleteNamespacedSecret({ name: SECRET, namespace: NS });
    const admission = admin.makeApiClient(AdmissionregistrationV1Api);
    const vwc = await admission.readValidatingWebhookConfiguration({ name: 'gpu-hpa-webhook' });
    for (const w of vwc.webhooks ?? []) {
      delete w.clientConfig.caBundle;
      w.failurePolicy = 'Ignore';
    }
    await admission.replaceValidatingWebhookConfiguration({ name: 'gpu-hpa-webhook', body: vwc });
    const mwc = await admission.readMutatingWebhookConfiguration({ name: 'gpu-hpa-webhook' });
    for (const w of mwc.webhooks ?? []) delete w.clientConfig.caBundle;
    await admission.replaceMutatingWebhookConfiguration({ name: 'gpu-hpa-webhook', body: mwc });
    // the user's Secret, as the README makes it (gpu-hpa-webhook certs, then kubectl create secret generic)
    const dir = await mkdtemp(join(cp.dir, 'user-certs-'));
    await runCerts({ service: 'gpu-hpa-webhook', namespace: NS, outDir: dir });
    const file = (f: string) => readFileSync(join(dir, f), 'utf8');
    const created = await core.createNamespacedSecret({
      namespace: NS,
      body: { metadata: { name: SECRET }, stringData: { 'tls.crt': file('tls.crt'), 'tls.key': file('tls.key'), 'ca.crt': file('ca.crt') } },
    });
    const tr = await core.createNamespacedServiceAccountToken({ name: 'gpu-hpa-webhook', namespace: NS, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    const kubeconfig = await cp.writeKubeconfig('webhook-sa-provided', tr.status!.token);
    const provided = [0, 1].map(
      (i) => new WebhookProcess(`provided-${i}`, { kubeconfig, certDir: '', serveArgs: ['--cert-mode', 'secret', '--cert-propagation-delay', PROPAGATION, '--policy', allHpasPolicy(cp.dir)] }),
    );
    replicas.push(...provided);
    for (const r of provided) await r.start();
    proxy.backends = provided.map((r) => r.port);

    await waitUntil('HPA validation closed by the leader', 60_000, async () => (await webhookState()).hpaPolicy === 'Fail');
    const userCa = new X509Certificate(file('ca.crt')).fingerprint256;
    assert.deepEqual((await webhookState()).bundles, Array(4).fill([userCa]), "caBundle = the user's ca.crt");
    const leaf = new X509Certificate(file('tls.crt'));
    const pems = (await webhookState()).pems;
    await waitUntil("both replicas serve the user's certificate", 30_000, async () =>
      (await Promise.all(provided.map((r) => served(r.port, pems)))).every((c) => c.fingerprint256 === leaf.fingerprint256),
    );
    await assert.rejects(
      admin.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({ namespace: 'default', dryRun: 'All', body: hpa('unserved', 'absent', 'DCGM_FI_DEV_MEMORY_USED') }),
      (e: unknown) => /admission webhook "horizontalpodautoscalers\.validate\.gpu-hpa\.io" denied the request/.test(apiMessage(e)),
    );
    assert.equal((await secret()).metadata?.resourceVersion, created.metadata?.resourceVersion, 'the Secret was only read');
  });
});
