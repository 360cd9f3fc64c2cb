// Safe in a shared cluster (issue 15), against the real API server with the webhook enforcing (deny, every HPA
// judged: scope.hpas all, the strictest), installed as manifests/ ships it (it reads the cluster's
// prometheus-adapter ConfigMap, monitoring/prometheus-adapter):
// - a KEDA-shaped setup: the ScaledObject CRD, an APIService for external.metrics.k8s.io pointing at KEDA's
//   metrics Service, a ScaledObject owning its HPA (as kedacore/keda controllers/keda/hpa.go writes it): the
//   HPA is created and updated, unpatched; another team's External-metric HPA is admitted with a warning
//   naming who serves the metric;
// - another team's custom-metric HPA served by a rule of the real adapter ConfigMap: admitted (a typo denied);
// - the running webhook's audit gauge, and `gpu-hpa-webhook audit` over the cluster seeded with good and bad objects.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { REPO_ROOT } from './cluster.js';
import { ADAPTER_CONFIGMAP, apply, applyAdapterConfigMap, deployment, hpa, setUp, waitUntil, type Env } from './harness.js';

const DCGM_RULES = readFileSync(join(REPO_ROOT, 'policies', 'prometheus-adapter-rules.yaml'), 'utf8');
// another team's rule in the cluster's adapter config (seed 003's request rate)
const TEAM_RULE = `
  - seriesQuery: 'http_requests_total{namespace!="",pod!=""}'
    resources:
      overrides:
        namespace: {resource: namespace}
        pod: {resource: pod}
    name:
      matches: "^(.*)_total$"
      as: "\${1}_per_second"
    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'
`;
const KEDA = { namespace: 'keda', service: 'keda-operator-metrics-apiserver' };

let env: Env;
let adminKubeconfig = '';
// the shipped policy, judging every HPA (scope.hpas all): KEDA's HPA must stay admitted even so
const policyFile = join(mkdtempSync(join(tmpdir(), 'gpu-hpa-shared-')), 'policy.yaml');

const externalHpa = (name: string, namespace: string, target: string) =>
  hpa(
    name,
    target,
    'unused',
    {
      metrics: [
        { type: 'External', external: { metric: { name: 's0-prometheus', selector: { matchLabels: { 'scaledobject.keda.sh/name': target } } }, target: { type: 'AverageValue', averageValue: '10' } } },
      ],
    },
    namespace,
  );

/** A dry-run create through the API server, with the Warning headers it answers (AdmissionResponse warnings). */
async function dryRunCreate(kc: KubeConfig, obj: KubernetesObject & { metadata: { namespace: string } }): Promise<{ status: number; warnings: string[]; body: string }> {
  const server = kc.getCurrentCluster()!.server;
  const url = new URL(`${server}/apis/autoscaling/v2/namespaces/${obj.metadata.namespace}/horizontalpodautoscalers?dryRun=All`);
  const opts: Record<string, unknown> = { method: 'POST', headers: { 'content-type': 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const raw = res.headers.warning;
        const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
        resolve({ status: res.statusCode ?? 0, warnings: list, body });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(obj));
  });
}

describe('e2e: coexisting with KEDA and other teams in a shared cluster', { timeout: 15 * 60_000 }, () => {
  before(
    async () => {
      const policy = readFileSync(join(REPO_ROOT, 'policies', 'default.yaml'), 'utf8').replace('hpas: opted-in', 'hpas: all');
      assert.ok(policy.includes('hpas: all'));
      writeFileSync(policyFile, policy);
      env = await setUp(1, {
        serveArgs: ['--policy', policyFile],
        // the machine is shared: a replica (tsx compiling the sources) may start slowly
        startTimeoutMs: 240_000,
        beforeServe: async (cp, objects) => {
          // the cluster's adapter config: the DCGM rules merged in, and another team's rule
          await applyAdapterConfigMap(objects, `${DCGM_RULES}\n${TEAM_RULE}`);
          // KEDA as its chart installs it, as far as the API server sees: the CRD, the metrics Service, the APIService
          await apply(objects, {
            apiVersion: 'apiextensions.k8s.io/v1',
            kind: 'CustomResourceDefinition',
            metadata: { name: 'scaledobjects.keda.sh' },
            spec: {
              group: 'keda.sh',
              scope: 'Namespaced',
              names: { plural: 'scaledobjects', singular: 'scaledobject', kind: 'ScaledObject', listKind: 'ScaledObjectList' },
              versions: [{ name: 'v1alpha1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
            },
          } as KubernetesObject);
          for (const ns of [KEDA.namespace, 'team-k', 'team-b', 'team-x']) await apply(objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
          await apply(objects, {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: KEDA.service, namespace: KEDA.namespace },
            spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] },
          } as KubernetesObject);
          const apiService = (group: string, ns: string, name: string) =>
            ({
              apiVersion: 'apiregistration.k8s.io/v1',
              kind: 'APIService',
              metadata: { name: `v1beta1.${group}` },
              spec: { group, version: 'v1beta1', service: { namespace: ns, name }, insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
            }) as KubernetesObject;
          await apply(objects, apiService('external.metrics.k8s.io', KEDA.namespace, KEDA.service));
          await apply(objects, apiService('custom.metrics.k8s.io', 'monitoring', 'prometheus-adapter'));
          await waitUntil('the ScaledObject CRD served', 30_000, async () => {
            await cp.kubeConfig().makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'keda.sh', version: 'v1alpha1', namespace: 'team-k', plural: 'scaledobjects' });
            return true;
          });
        },
      });
      adminKubeconfig = env.cp.kubeconfigPath;
    },
    { timeout: 10 * 60_000 },
  );
  after(async () => env?.stop());

  test('the webhook enforces: a misspelt GPU metric on an opted-in Deployment is denied', async () => {
    // opted in, bringing its own HPA (KEDA's)
    await apply(env.objects, deployment('gpu-worker', { 'gpu-hpa.io/hpa': 'external' }, { namespace: 'team-k' }));
    const bad = await dryRunCreate(env.kc, hpa('typo', 'gpu-worker', 'gpu_utilisation', {}, 'team-k') as never);
    assert.equal(bad.status, 403, bad.body);
    assert.match(bad.body, /metric-not-served|gpu_utilisation/);
  });

  test("a ScaledObject's HPA (External metric KEDA serves) is created and updated while enforcing, unpatched", async () => {
    const custom = env.kc.makeApiClient(CustomObjectsApi);
    const so = (await custom.createNamespacedCustomObject({
      group: 'keda.sh',
      version: 'v1alpha1',
      namespace: 'team-k',
      plural: 'scaledobjects',
      body: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'gpu-worker', namespace: 'team-k' },
        spec: { scaleTargetRef: { name: 'gpu-worker' }, triggers: [{ type: 'prometheus' }] },
      },
    })) as { metadata: { uid: string } };
    const owned = externalHpa('keda-hpa-gpu-worker', 'team-k', 'gpu-worker') as unknown as KubernetesObject & { metadata: Record<string, unknown>; spec: { maxReplicas: number } };
    owned.metadata.labels = { 'app.kubernetes.io/managed-by': 'keda-operator' };
    owned.metadata.ownerReferences = [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'gpu-worker', uid: so.metadata.uid, controller: true, blockOwnerDeletion: true }];
    // as KEDA's operator writes it: create, then update (a changed trigger)
    const created = await env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'team-k', body: owned as never });
    assert.equal(created.spec?.behavior, undefined, 'no behavior filled in: the mutating webhook left it alone');
    created.spec!.maxReplicas = 7;
    const updated = await env.autoscaling.replaceNamespacedHorizontalPodAutoscaler({ name: 'keda-hpa-gpu-worker', namespace: 'team-k', body: created });
    assert.equal(updated.spec?.maxReplicas, 7);
    assert.equal(updated.spec?.behavior, undefined);
    // the same HPA without KEDA's ownerReference is judged: a second HPA on gpu-worker is refused (once the
    // webhook's cache holds KEDA's)
    const bare = externalHpa('team-copy', 'team-k', 'gpu-worker');
    await waitUntil('a copy without the ownerReference refused', 30_000, async () => (await dryRunCreate(env.kc, bare as never)).status === 403);
  });

  test("another team's External-metric HPA, served by KEDA's metrics server: admitted, with a warning naming who serves it", async () => {
    await apply(env.objects, deployment('queue-worker', {}, { namespace: 'team-x', optIn: false }));
    const r = await dryRunCreate(env.kc, externalHpa('queue', 'team-x', 'queue-worker') as never);
    assert.equal(r.status, 201, r.body);
    // a Warning header: 299 - "text" with the text's quotes escaped (RFC 7234)
    const texts = r.warnings.map((w) => w.replace(/^299 - "(.*)"$/, '$1').replace(/\\"/g, '"'));
    // the point first: the API server clips a warning at 120 characters
    assert.ok(
      texts.some((w) => w.startsWith('External metric "s0-prometheus": not checked, served by Service keda/keda-operator-metrics-apiserver')),
      JSON.stringify(texts),
    );
  });

  test("another team's custom-metric HPA, served by a rule of the cluster's adapter ConfigMap: admitted; a typo denied", async () => {
    await apply(env.objects, deployment('web', {}, { namespace: 'team-b', optIn: false }));
    const ok = hpa('web', 'web', 'http_requests_per_second', {}, 'team-b');
    await env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'team-b', body: ok });
    const typo = await dryRunCreate(env.kc, hpa('web-typo', 'web', 'http_request_per_second', {}, 'team-b') as never);
    assert.equal(typo.status, 403, typo.body);
    assert.match(typo.body, new RegExp(`ConfigMap ${ADAPTER_CONFIGMAP} key config\\.yaml`));
  });

  test('the running webhook exports what enforcing would deny: a rule removed from the adapter ConfigMap shows on /metrics', async () => {
    const w = env.webhooks[0]!;
    const gauge = /^gpu_hpa_webhook_audit_would_deny_objects\{namespace="team-b",kind="HorizontalPodAutoscaler",reason="metric-not-served"\} 1$/m;
    assert.doesNotMatch(await w.metrics(), gauge);
    await applyAdapterConfigMap(env.objects, DCGM_RULES); // the other team's rule is gone from the adapter
    await waitUntil('team-b/web counted as would-be-denied', 60_000, async () => gauge.test(await w.metrics()));
  });

  test('gpu-hpa-webhook audit: every HPA and opted-in Deployment, grouped by reason (text and json)', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'audit', '--kubeconfig', adminKubeconfig, '--policy', policyFile, ...args], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      });
    const j = run('-o', 'json');
    assert.equal(j.status, 1, j.stderr + j.stdout); // something would be denied
    const report = JSON.parse(j.stdout) as { groups: Array<{ verdict: string; reason: string; entries: Array<{ kind: string; namespace: string; name: string }> }>; rules: string };
    assert.equal(report.rules, `ConfigMap ${ADAPTER_CONFIGMAP} key config.yaml`);
    const names = (verdict: string, reason: string) => report.groups.find((g) => g.verdict === verdict && g.reason === reason)?.entries.map((e) => `${e.kind} ${e.namespace}/${e.name}`) ?? [];
    assert.deepEqual(names('denied', 'metric-not-served'), ['HorizontalPodAutoscaler team-b/web']);
    assert.deepEqual(names('skipped', 'keda-owned'), ['HorizontalPodAutoscaler team-k/keda-hpa-gpu-worker']);
    assert.ok(names('allowed', 'allowed').includes('Deployment team-k/gpu-worker'), JSON.stringify(report.groups));
    const t = run();
    assert.equal(t.status, 1, t.stderr);
    assert.match(t.stdout, /WOULD BE DENIED \[metric-not-served\] \(1\)\n {2}HorizontalPodAutoscaler team-b\/web: spec\.metrics\[0\]\.pods\.metric\.name: /);
    assert.match(t.stdout, /NOT JUDGED \[keda-owned\] \(1\)/);
  });

  test('audit: a missing adapter ConfigMap is a usage error naming it', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'audit', '--kubeconfig', adminKubeconfig, '--adapter-configmap', 'monitoring/nope'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /ConfigMap monitoring\/nope key config\.yaml: not found/);
  });
});
