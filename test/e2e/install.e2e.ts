// An install into another namespace under another name (issue 16 item 3), on the real kube-apiserver:
// overlays/another-namespace as kustomize renders it (namespace platform, prefix acme-), every object
// server-side applied, then a webhook replica running with the overlay's ServiceAccount token and the
// namespace the downward API would give it. Proves the replacements: the Lease and the adapter
// ConfigMap are reachable with the prefixed Role, the ValidatingAdmissionPolicy binds the prefixed
// ServiceAccount, and the webhooks exclude the install's own namespace (not the default one).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, AutoscalingV2Api, CoordinationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { freePort, REPO_ROOT, startControlPlane, type ControlPlane } from './cluster.js';
import { ADAPTER_CONFIGMAP, apiMessage, apply, applyAdapterConfigMap, waitUntil } from './harness.js';
import { kustomizeBuild } from '../helpers/kustomize.js';

const NS = 'platform';
const PREFIX = 'acme-';
const SA = `${PREFIX}gpu-hpa-webhook`;

function kustomize(dir: string): KubernetesObject[] {
  return kustomizeBuild<KubernetesObject>(join(REPO_ROOT, dir));
}

let cp: ControlPlane;
let admin: KubeConfig;
let sa: KubeConfig;
let saKubeconfig = '';
let rendered: KubernetesObject[] = [];
const children: ChildProcess[] = [];

describe('e2e: overlays/another-namespace installs and runs on the real API server', { timeout: 10 * 60_000 }, () => {
  before(
    async () => {
      cp = await startControlPlane({ controllerManager: false });
      admin = cp.kubeConfig();
      rendered = kustomize('overlays/another-namespace');
    },
    { timeout: 5 * 60_000 },
  );

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await cp?.stop();
  });

  test('every rendered object is accepted (server-side dry run, then applied), and nothing names the default namespace', async () => {
    const objects = KubernetesObjectApi.makeApiClient(admin);
    const text = JSON.stringify(rendered);
    // the only "gpu-hpa-webhook" namespaces left would be hard-coded references the overlay missed
    for (const o of rendered) {
      const ns = (o.metadata as { namespace?: string }).namespace;
      // the Role reading the prometheus-adapter's ConfigMap stays where that ConfigMap is
      const where = o.metadata?.name === `${PREFIX}gpu-hpa-webhook-adapter-config` ? 'monitoring' : NS;
      assert.ok(ns === undefined || ns === where, `${o.kind}/${o.metadata?.name} in namespace ${ns}`);
    }
    // the cluster's prometheus-adapter ConfigMap, which the install reads (and its namespace, where the Role goes)
    await applyAdapterConfigMap(objects);
    assert.doesNotMatch(text, /"namespace":"gpu-hpa-webhook"/);
    // the Namespace first, then the rest (dry run needs the namespace to exist)
    const order = [...rendered].sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
    for (const o of order) {
      if (o.kind !== 'Namespace') await apply(objects, o, { dryRun: true });
      await apply(objects, o);
    }
    const tr = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({ name: SA, namespace: NS, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
    saKubeconfig = await cp.writeKubeconfig('acme-sa', tr.status!.token);
    sa = new KubeConfig();
    sa.loadFromFile(saKubeconfig);
  });

  test('a replica with the prefixed ServiceAccount takes the Lease in its own namespace, reads the cluster adapter ConfigMap and manages the prefixed certificates', async () => {
    // the Deployment's own flags, $(VAR) resolved from its env as the kubelet does: the replacements must have named every object right
    const dep = rendered.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: Array<{ args: string[]; env: Array<{ name: string; value?: string }> }> } } } };
    const container = dep.spec.template.spec.containers[0]!;
    const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
    assert.equal(env.ADAPTER_CONFIGMAP, ADAPTER_CONFIGMAP);
    const certArgs = container.args
      .filter((a) => /^--(cert-mode|cert-secret|service|mutating-webhook-configuration|validating-webhook-configuration|hpa-failure-policy)=/.test(a))
      .map((a) => a.replace(/\$\(([A-Z_]+)\)/g, (_, n: string) => env[n] ?? ''));
    assert.deepEqual(certArgs, [
      '--cert-mode=self-managed',
      `--cert-secret=${PREFIX}gpu-hpa-webhook-tls`,
      `--service=${PREFIX}gpu-hpa-webhook`,
      `--mutating-webhook-configuration=${PREFIX}gpu-hpa-webhook`,
      `--validating-webhook-configuration=${PREFIX}gpu-hpa-webhook`,
      '--hpa-failure-policy=Fail',
    ]);
    const port = await freePort();
    const metricsPort = await freePort();
    let log = '';
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'src/cli/main.ts'),
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--metrics-port',
        String(metricsPort),
        ...certArgs,
        '--cert-propagation-delay',
        '1s',
        '--kubeconfig',
        saKubeconfig,
        // what the Deployment passes: --namespace=$(POD_NAMESPACE), the downward API's metadata.namespace
        '--namespace',
        NS,
        // what the Deployment passes: --adapter-configmap=$(ADAPTER_CONFIGMAP)
        '--adapter-configmap',
        ADAPTER_CONFIGMAP,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    children.push(child);
    child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    const leases = admin.makeApiClient(CoordinationV1Api);
    await waitUntil(`the Lease in ${NS}`, 90_000, async () => {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${log.slice(-2000)}`);
      const l = await leases.readNamespacedLease({ name: 'gpu-hpa-webhook', namespace: NS });
      return Boolean(l.spec?.holderIdentity);
    });
    await waitUntil('ready (adapter ConfigMap read, cluster view synced)', 60_000, async () => {
      const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      return /^gpu_hpa_webhook_cluster_cache_synced 1$/m.test(await r.text());
    });
    // the prefixed Secret filled and the prefixed configurations' caBundle written, with the prefixed Role and ClusterRole
    const admission = admin.makeApiClient(AdmissionregistrationV1Api);
    await waitUntil('HPA validation closed by the leader', 60_000, async () => {
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${log.slice(-2000)}`);
      const v = await admission.readValidatingWebhookConfiguration({ name: `${PREFIX}gpu-hpa-webhook` });
      return v.webhooks?.find((w) => w.name === 'horizontalpodautoscalers.validate.gpu-hpa.io')?.failurePolicy === 'Fail';
    });
    const secret = await admin.makeApiClient(CoreV1Api).readNamespacedSecret({ name: `${PREFIX}gpu-hpa-webhook-tls`, namespace: NS });
    const leaf = new X509Certificate(Buffer.from(secret.data!['tls.crt']!, 'base64'));
    assert.equal(leaf.checkHost(`${PREFIX}gpu-hpa-webhook.${NS}.svc`), `${PREFIX}gpu-hpa-webhook.${NS}.svc`, 'named for the prefixed Service');
    const m = await admission.readMutatingWebhookConfiguration({ name: `${PREFIX}gpu-hpa-webhook` });
    assert.ok(
      m.webhooks?.every((w) => (w.clientConfig.caBundle ?? '') !== ''),
      'caBundle in the mutating configuration',
    );
    assert.doesNotMatch(log, /forbidden/i, 'no RBAC refusal in the log');
    child.kill('SIGTERM');
  });

  test('the Helm chart (another namespace and name) is accepted by the real API server: server-side dry run, then applied', async () => {
    const helm = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-helm.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
      .trim()
      .split('\n')
      .pop()!;
    const out = execFileSync(
      helm,
      ['template', 'gpu', join(REPO_ROOT, 'charts', 'gpu-hpa-webhook'), '--set', 'namespace=chart-ns', '--set', 'name=chart-gpu', '--set', 'adapter.configMap=monitoring/prometheus-adapter'],
      { encoding: 'utf8' },
    );
    const objs = parseAllDocuments(out)
      .map((d) => d.toJS() as KubernetesObject)
      .filter(Boolean);
    const objects = KubernetesObjectApi.makeApiClient(admin);
    await applyAdapterConfigMap(KubernetesObjectApi.makeApiClient(admin)); // idempotent: the namespace may exist
    const order = [...objs].sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
    for (const o of order) {
      if (o.kind !== 'Namespace') await apply(objects, o, { dryRun: true });
      await apply(objects, o);
    }
    // the chart's webhooks exclude chart-ns, not platform: keep them from judging the next test's HPAs
    for (const o of objs.filter((x) => /WebhookConfiguration$/.test(x.kind ?? ''))) await objects.delete(o);
  });

  test('the ValidatingAdmissionPolicy binds the prefixed ServiceAccount; the webhooks leave the install namespace alone', async () => {
    const hpa = (name: string): KubernetesObject =>
      ({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, namespace: NS },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
          minReplicas: 1,
          maxReplicas: 2,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        },
      }) as KubernetesObject;
    // In `platform` the HPA webhook (no pod behind its Service) is not called:
    // the namespaceSelector names this install's namespace. The admin's write goes through.
    await apply(KubernetesObjectApi.makeApiClient(admin), hpa('by-admin'));
    // The ServiceAccount's unmanaged HPA: refused by the policy bound through paramRef to acme-gpu-hpa-webhook.
    await waitUntil('the policy refuses the prefixed ServiceAccount', 60_000, async () => {
      try {
        await KubernetesObjectApi.makeApiClient(sa).patch(hpa('by-sa'), undefined, 'All', 'gpu-hpa-webhook', true, PatchStrategy.ServerSideApply);
        return false;
      } catch (e) {
        return /ValidatingAdmissionPolicy 'acme-gpu-hpa-webhook-managed-hpas'.*labelled app.kubernetes.io\/managed-by=gpu-hpa-webhook/.test(apiMessage(e));
      }
    });
    // elsewhere the HPA webhook is in force, closed by the leader above (nothing serves it here): refused
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'team-b' } } });
    await assert.rejects(
      admin.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({ namespace: 'team-b', body: { ...hpa('h'), metadata: { name: 'h', namespace: 'team-b' } } }),
      (e: unknown) => /failed calling webhook "horizontalpodautoscalers.validate.gpu-hpa.io"/.test(apiMessage(e)),
    );
  });
});
