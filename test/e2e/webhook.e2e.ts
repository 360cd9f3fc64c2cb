// End to end through a real kube-apiserver (issue 3): the webhook registered by the configurations
// `gpu-hpa-webhook certs` writes from manifests/, two replicas running with the ServiceAccount and
// RBAC of manifests/, the managed-HPA controller writing through the API, the garbage collector of a
// real kube-controller-manager. Slow (a control plane per run): `npm run test:e2e`, not `npm test`.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubernetesObject, V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { readSettings } from '../../src/core/annotations.js';
import type { Deployment } from '../../src/core/k8s-types.js';
import { defaultPolicy, fixture } from '../helpers/fixtures.js';
import { apiMessage, apply, deployment, hpa, httpStatus, NS, ReplicaProxy, setUp, waitUntil, WebhookProcess, type Env } from './harness.js';

const policy = defaultPolicy();
const MANAGED = { 'app.kubernetes.io/managed-by': 'gpu-hpa-webhook' };

let env: Env;

async function getHpa(name: string, namespace = 'default'): Promise<V2HorizontalPodAutoscaler | undefined> {
  try {
    return await env.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace });
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw e;
  }
}

async function getDeployment(name: string, namespace = 'default'): Promise<V1Deployment | undefined> {
  try {
    return await env.apps.readNamespacedDeployment({ name, namespace });
  } catch (e) {
    if (httpStatus(e) === 404) return undefined;
    throw e;
  }
}

async function waitHpa(name: string, ok: (h: V2HorizontalPodAutoscaler) => boolean = () => true, namespace = 'default', timeoutMs = 30_000): Promise<V2HorizontalPodAutoscaler> {
  let last: V2HorizontalPodAutoscaler | undefined;
  await waitUntil(`HPA ${namespace}/${name}`, timeoutMs, async () => {
    last = await getHpa(name, namespace);
    return last !== undefined && ok(last);
  });
  return last!;
}

async function waitGone(what: string, read: () => Promise<unknown>, timeoutMs = 60_000): Promise<void> {
  await waitUntil(`${what} to be deleted`, timeoutMs, async () => (await read()) === undefined);
}

/** create, expecting the API server to refuse; returns its message */
async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return apiMessage(e);
  }
  assert.fail('expected the API server to refuse the request');
}

function expectGpuInjected(d: V1Deployment, gpus = '1'): void {
  const pod = d.spec?.template.spec;
  assert.ok(
    pod?.tolerations?.some((t) => t.key === 'nvidia.com/gpu' && t.operator === 'Exists' && t.effect === 'NoSchedule'),
    'GPU toleration stored',
  );
  assert.equal(String(pod?.containers[0]?.resources?.limits?.['nvidia.com/gpu']), gpus, 'GPU limit stored');
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function toPlain<T>(o: unknown): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

describe('e2e: real kube-apiserver', { timeout: 15 * 60_000 }, () => {
  before(
    async () => {
      env = await setUp(2);
      await env.core.createNamespace({ body: { metadata: { name: 'team-a' } } });
    },
    { timeout: 5 * 60_000 },
  );

  after(async () => {
    if (env) await env.stop();
  });

  test('seed-000 and a Deployment with no GPU settings are stored with tolerations and GPU limits; the managed HPA follows', async () => {
    const seed = fixture<KubernetesObject & { metadata: { namespace: string } }>('seed-000/deployment.yaml');
    const plain = deployment('no-gpu-settings', {});
    for (const d of [seed, plain]) await apply(env.objects, d, { manager: 'team' });

    const stored = await getDeployment(seed.metadata.name!, seed.metadata.namespace);
    expectGpuInjected(stored!);
    const storedPlain = (await getDeployment('no-gpu-settings'))!;
    expectGpuInjected(storedPlain);
    assert.equal(storedPlain.spec?.template.spec?.nodeSelector?.['nvidia.com/gpu.present'], 'true');
    assert.ok(storedPlain.metadata?.annotations?.['gpu-hpa.io/mutated'], 'records what was injected');

    for (const d of [stored!, storedPlain]) {
      const h = await waitHpa(d.metadata!.name!, () => true, d.metadata!.namespace);
      assert.deepEqual(h.metadata?.labels, MANAGED);
      assert.deepEqual(toPlain(h.metadata?.ownerReferences), [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata!.name, uid: d.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
      const settings = readSettings(toPlain<Deployment>(d), policy).settings!;
      assert.deepEqual(toPlain(h.spec?.behavior), settings.profile.behavior, "the profile's behavior");
      assert.deepEqual(toPlain(h.spec?.metrics), [{ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: settings.target } } }]);
      assert.equal(h.spec?.maxReplicas, settings.maxReplicas);
      assert.ok(
        h.metadata?.managedFields?.some((m) => m.manager === 'gpu-hpa-webhook' && m.operation === 'Apply'),
        'server-side applied by gpu-hpa-webhook',
      );
    }

    // The same Deployment applied again: nothing changes, neither it nor its HPA.
    const hpaBefore = (await getHpa('no-gpu-settings'))!;
    await apply(env.objects, plain, { manager: 'team' });
    await apply(env.objects, seed, { manager: 'team' });
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await getDeployment('no-gpu-settings'))!.metadata?.resourceVersion, storedPlain.metadata?.resourceVersion);
    assert.equal((await getDeployment(seed.metadata.name!, seed.metadata.namespace))!.metadata?.resourceVersion, stored!.metadata?.resourceVersion);
    assert.equal((await getHpa('no-gpu-settings'))!.metadata?.resourceVersion, hpaBefore.metadata?.resourceVersion);
  });

  test('max-replicas change updates the HPA; removing the label or switching to external deletes it; deleting the Deployment lets the GC delete it', async () => {
    const d = deployment('lifecycle', { 'gpu-hpa.io/max-replicas': '4' });
    await apply(env.objects, d, { manager: 'team' });
    await waitHpa('lifecycle', (h) => h.spec?.maxReplicas === 4);

    (d.metadata as { annotations: Record<string, string> }).annotations['gpu-hpa.io/max-replicas'] = '6';
    await apply(env.objects, d, { manager: 'team' });
    await waitHpa('lifecycle', (h) => h.spec?.maxReplicas === 6);

    // opt out: the label goes (the team's apply no longer carries it)
    const out = deployment('lifecycle', { 'gpu-hpa.io/max-replicas': '6' }, { optIn: false });
    await apply(env.objects, out, { manager: 'team' });
    assert.equal((await getDeployment('lifecycle'))!.metadata?.labels?.['gpu-hpa.io/enabled'], undefined);
    await waitGone('HPA default/lifecycle after opt-out', () => getHpa('lifecycle'));

    // Back in; then gpu-hpa.io/hpa: external hands the HPA over to the team: the managed one goes
    await apply(env.objects, d, { manager: 'team' });
    await waitHpa('lifecycle', (h) => h.spec?.maxReplicas === 6);
    await apply(env.objects, deployment('lifecycle', { 'gpu-hpa.io/max-replicas': '6', 'gpu-hpa.io/hpa': 'external' }), { manager: 'team' });
    await waitGone('HPA default/lifecycle after switching to external', () => getHpa('lifecycle'));

    // Back to managed, then delete with foreground propagation: only the garbage collector removes the
    // Deployment's foregroundDeletion finalizer, after deleting its dependents.
    await apply(env.objects, d, { manager: 'team' });
    await waitHpa('lifecycle');
    await env.apps.deleteNamespacedDeployment({ name: 'lifecycle', namespace: 'default', propagationPolicy: 'Foreground' });
    await waitGone('HPA default/lifecycle', () => getHpa('lifecycle'));
    await waitGone('Deployment default/lifecycle (foreground: finished by the garbage collector)', () => getDeployment('lifecycle'));
  });

  test('a dry-run create (dryRun=All) stores nothing and creates no HPA', async () => {
    const d = await env.apps.createNamespacedDeployment({ namespace: 'default', dryRun: 'All', body: deployment('dry-run', {}) });
    expectGpuInjected(d); // admission ran (sideEffects: None)
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await getDeployment('dry-run'), undefined);
    assert.equal(await getHpa('dry-run'), undefined);
  });

  test("an HPA whose metric no adapter rule serves is refused with the webhook's message", async () => {
    // an opted-in Deployment bringing its own HPA: the default policy judges the HPAs of opted-in Deployments
    await apply(env.objects, deployment('anything', { 'gpu-hpa.io/hpa': 'external' }, { namespace: 'team-a' }));
    // the replicas judge its HPAs once their caches hold it (an HPA on a target they have not seen is out of the default scope)
    await waitUntil('both replicas to see Deployment team-a/anything', 30_000, async () => {
      for (let i = 0; i < 4; i++) {
        try {
          await env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'team-a', dryRun: 'All', body: hpa('probe', 'anything', 'DCGM_FI_DEV_MEMORY_USED', {}, 'team-a') });
          return false;
        } catch {
          /* refused by the webhook: it judges this target */
        }
      }
      return true;
    });
    const msg = await refused(env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'team-a', body: hpa('unserved', 'anything', 'DCGM_FI_DEV_MEMORY_USED', {}, 'team-a') }));
    assert.match(msg, /admission webhook "horizontalpodautoscalers\.validate\.gpu-hpa\.io" denied the request/);
    assert.match(msg, /DCGM_FI_DEV_MEMORY_USED/);
    assert.equal(await getHpa('unserved', 'team-a'), undefined);
  });

  test('a second HPA for the same Deployment is refused', async () => {
    await waitHpa('no-gpu-settings');
    const msg = await refused(env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: hpa('second', 'no-gpu-settings', 'gpu_utilization') }));
    assert.match(msg, /denied the request/);
    assert.match(msg, /no-gpu-settings/);
  });

  test("a team's HPA for a gpu-hpa.io/hpa: external Deployment is validated and kept as written", async () => {
    await apply(env.objects, deployment('byo', { 'gpu-hpa.io/hpa': 'external' }), { manager: 'team' });
    const behavior = {
      scaleUp: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
      scaleDown: { stabilizationWindowSeconds: 900, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] },
    };
    // validated: an unsafe one is refused (scale-down stabilization under the profile's minimum)
    const unsafe = hpa('byo-hpa', 'byo', 'gpu_utilization', { behavior: { ...behavior, scaleDown: { ...behavior.scaleDown, stabilizationWindowSeconds: 0 } } });
    assert.match(await refused(env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: unsafe })), /denied the request/);

    const written = hpa('byo-hpa', 'byo', 'gpu_utilization', { behavior });
    const created = await env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'default', body: written });
    assert.deepEqual(toPlain(created.spec), written.spec);
    await new Promise((r) => setTimeout(r, 3000));
    const now = (await getHpa('byo-hpa'))!;
    assert.equal(now.metadata?.resourceVersion, created.metadata?.resourceVersion, 'the controller leaves it alone');
    assert.equal(await getHpa('byo'), undefined, 'no managed HPA for an external Deployment');
  });

  test("a team's own HPA named like a managed Deployment is never overwritten; an Event says why", async () => {
    const team = hpa(
      'teams-own',
      'teams-own',
      'gpu_utilization',
      { behavior: { scaleDown: { stabilizationWindowSeconds: 900, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 300 }] } } },
      'team-a',
    );
    const created = await env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'team-a', body: team });
    await apply(env.objects, deployment('teams-own', {}, { namespace: 'team-a' }), { manager: 'team' });
    let message = '';
    await waitUntil('ManagedHPAConflict Event', 30_000, async () => {
      const evs = await env.core.listNamespacedEvent({ namespace: 'team-a', fieldSelector: 'involvedObject.name=teams-own,reason=ManagedHPAConflict' });
      message = evs.items[0]?.message ?? '';
      return evs.items.length > 0;
    });
    assert.match(message, /not managed by gpu-hpa-webhook/);
    const now = (await getHpa('teams-own', 'team-a'))!;
    assert.equal(now.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.equal(now.metadata?.labels?.['app.kubernetes.io/managed-by'], undefined);
  });

  test('a managed HPA the API server refuses (the namespace is at its HPA quota): a ManagedHPAFailed Event with its reason, retried, counted on /metrics', async () => {
    await env.core.createNamespace({ body: { metadata: { name: 'team-q' } } });
    await env.core.createNamespacedResourceQuota({ namespace: 'team-q', body: { metadata: { name: 'no-hpas' }, spec: { hard: { 'count/horizontalpodautoscalers.autoscaling': '0' } } } });
    await waitUntil('the quota computed', 30_000, async () => (await env.core.readNamespacedResourceQuota({ name: 'no-hpas', namespace: 'team-q' })).status?.hard !== undefined);
    await apply(env.objects, deployment('over-quota', {}, { namespace: 'team-q' }), { manager: 'team' });
    const failedEvents = async () => (await env.core.listNamespacedEvent({ namespace: 'team-q', fieldSelector: 'involvedObject.name=over-quota,reason=ManagedHPAFailed' })).items;
    await waitUntil('ManagedHPAFailed Event', 30_000, async () => (await failedEvents()).length > 0);
    const [event] = await failedEvents();
    assert.equal(event?.type, 'Warning');
    assert.match(event?.message ?? '', /the managed HorizontalPodAutoscaler over-quota was refused by the API server: .*exceeded quota: no-hpas/);
    assert.equal(await getHpa('over-quota', 'team-q'), undefined);

    // retried with backoff, counted as failed reconciles; the same refusal is not told twice
    const leaderId = (await env.coordination.readNamespacedLease({ name: 'gpu-hpa-webhook', namespace: NS })).spec?.holderIdentity;
    const leader = env.webhooks.find((w) => w.identity === leaderId)!;
    await waitUntil('a retry', 30_000, () => leader.lines.filter((l) => l.msg === 'managed HPA: reconcile failed; retrying' && l.deployment === 'team-q/over-quota').length >= 2);
    assert.equal((await failedEvents()).length, 1);
    const metrics = await leader.metrics();
    const sample = (series: string) =>
      Number(
        metrics
          .split('\n')
          .find((l) => l.startsWith(series + ' '))
          ?.slice(series.length + 1),
      );
    assert.ok(sample('gpu_hpa_webhook_managed_hpa_reconcile_errors_total') >= 2, metrics);
    assert.ok(sample('gpu_hpa_webhook_managed_hpa_not_written_total') >= 1, metrics);

    // quota raised: the next retry writes it
    await env.core.patchNamespacedResourceQuota({ name: 'no-hpas', namespace: 'team-q', body: [{ op: 'replace', path: '/spec/hard/count~1horizontalpodautoscalers.autoscaling', value: '1' }] });
    await waitHpa('over-quota', () => true, 'team-q', 60_000);
  });

  test('the adapter ConfigMap is watched: the rules in force change when it changes', async () => {
    const custom = hpa('queue-depth', 'anything', 'queue_depth', {}, 'team-a');
    assert.match(await refused(env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'team-a', body: custom })), /queue_depth/);
    const cm = await env.core.readNamespacedConfigMap({ name: 'prometheus-adapter', namespace: 'monitoring' });
    const config = parse(cm.data!['config.yaml']!) as { rules: unknown[] };
    config.rules.push({
      seriesQuery: 'queue_depth{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^queue_depth$' },
      metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    });
    cm.data!['config.yaml'] = JSON.stringify(config);
    await env.core.replaceNamespacedConfigMap({ name: 'prometheus-adapter', namespace: 'monitoring', body: cm });
    // both replicas must have it before every create is allowed; poll through the proxy
    await waitUntil('queue_depth served', 30_000, async () => {
      await env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'team-a', dryRun: 'All', body: custom });
      return true;
    });
    await waitUntil('every replica reloaded', 10_000, () =>
      env.webhooks.every((w) => w.lines.some((l) => l.msg === 'adapter rules loaded' && l.from !== undefined) && w.lines.filter((l) => l.msg === 'adapter rules loaded').length >= 2),
    );
  });

  test('every object in manifests/ is accepted by the API server with server-side dry run', async () => {
    // As the installer's own field manager, so the applied webhook configurations (service) replace
    // the loopback url the test installed instead of being merged with it.
    for (const o of env.manifests) {
      await apply(env.objects, o, { dryRun: true }).catch((e: unknown) => {
        assert.fail(`${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}: ${apiMessage(e)}`);
      });
    }
    assert.ok(env.manifests.some((o) => o.kind === 'MutatingWebhookConfiguration'));
    assert.ok(env.manifests.some((o) => o.kind === 'ValidatingWebhookConfiguration'));
  });

  test('two webhook processes: only the Lease holder writes HPAs; stop it (or crash it) and the other takes over', async () => {
    const holder = async () => (await env.coordination.readNamespacedLease({ name: 'gpu-hpa-webhook', namespace: NS })).spec?.holderIdentity;
    const leaderId = await holder();
    const leader = env.webhooks.find((w) => w.identity === leaderId);
    const follower = env.webhooks.find((w) => w.identity !== leaderId);
    assert.ok(leader && follower, `lease holder ${leaderId} is one of the replicas (${env.webhooks.map((w) => w.identity).join(', ')})`);
    assert.ok(leader.writes().length > 0, 'the leader wrote the managed HPAs so far');
    assert.equal(follower.writes().length, 0, `the follower wrote nothing:\n${JSON.stringify(follower.writes())}`);
    // and /metrics says the same of each
    const scrape = (w: WebhookProcess) => w.metrics();
    const sample = (text: string, series: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(series + ' '))
          ?.slice(series.length + 1),
      );
    const [lm, fm] = [await scrape(leader), await scrape(follower)];
    assert.equal(sample(lm, 'gpu_hpa_webhook_leader'), 1, lm);
    assert.equal(sample(fm, 'gpu_hpa_webhook_leader'), 0, fm);
    assert.ok(sample(lm, 'gpu_hpa_webhook_managed_hpa_writes_total{action="apply"}') >= 1, lm);
    assert.equal(sample(fm, 'gpu_hpa_webhook_managed_hpa_writes_total{action="apply"}'), 0, fm);
    for (const m of [lm, fm]) assert.equal(sample(m, 'gpu_hpa_webhook_cluster_cache_synced'), 1);

    assert.equal(await leader.stop(), 0, 'SIGTERM: drained, lease released, exit 0');
    env.proxy.backends = [follower.port];
    await waitUntil('the other replica holds the lease', 30_000, async () => (await holder()) === follower.identity);

    await apply(env.objects, deployment('after-failover', { 'gpu-hpa.io/max-replicas': '3' }), { manager: 'team' });
    await waitHpa('after-failover', (h) => h.spec?.maxReplicas === 3);
    assert.ok(
      follower.writes().some((l) => l.deployment === 'default/after-failover'),
      'the new leader wrote it',
    );

    // back to two replicas; then a crash (no release): the other takes over once the lease expires
    await leader.start();
    env.proxy.backends = env.webhooks.map((w) => w.port);
    assert.equal(await holder(), follower.identity, 'a restarted replica does not take the lease from a live holder');
    await follower.kill();
    env.proxy.backends = [leader.port];
    await waitUntil('the restarted replica holds the lease after the old one crashed', 40_000, async () => (await holder()) === leader.identity, 1000);
    await apply(env.objects, deployment('after-crash', {}), { manager: 'team' });
    await waitHpa('after-crash');
    assert.ok(leader.writes().some((l) => l.deployment === 'default/after-crash'));
    await follower.start();
    env.proxy.backends = env.webhooks.map((w) => w.port);
  });

  test('started while the API server is unreachable: serving but not ready, then ready and campaigning once it answers', async () => {
    // The API server behind a proxy that accepts and drops every connection (a load balancer with
    // no healthy backend), then forwards them: as at a node's boot or an apiserver restart.
    const gate = new ReplicaProxy();
    await gate.start();
    const api = new URL(env.cp.server);
    const kc = JSON.parse(readFileSync(env.webhookArgs.kubeconfig, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
    for (const c of kc.clusters) c.cluster.server = `https://127.0.0.1:${gate.port}`;
    const kubeconfig = `${env.webhookArgs.kubeconfig}.gated`;
    writeFileSync(kubeconfig, JSON.stringify(kc), { mode: 0o600 });
    const late = new WebhookProcess('late', { ...env.webhookArgs, kubeconfig });
    try {
      await late.start('listening');
      const ca = readFileSync(join(env.webhookArgs.certDir, 'ca.crt'), 'utf8');
      const get = (path: string) => httpsGet(`https://127.0.0.1:${late.port}${path}`, ca);
      assert.equal((await get('/healthz')).status, 200, 'alive while the API server is away');
      const notReady = await get('/readyz');
      assert.equal(notReady.status, 503, notReady.body);
      // the adapter rules come from the ConfigMap, which cannot be read yet either: either reason is true
      assert.match(notReady.body, /adapter rules not loaded|cluster view not synced/);
      assert.equal(late.identity, undefined, 'no campaign before the cache is synced');

      gate.backends = [Number(api.port)];
      await waitUntil('the late replica ready', 60_000, async () => (await get('/readyz')).status === 200);
      await waitUntil('the late replica campaigning', 10_000, () => late.identity !== undefined);
      assert.ok(
        late.lines.some((l) => l.msg === 'list/watch failed; retrying'),
        late.logText(),
      );
    } finally {
      await late.stop();
      await gate.stop();
    }
  });

  test('with the webhook down and the shipped failure policies: Deployments fail open, HPAs fail closed', async () => {
    for (const w of env.webhooks) await w.stop();
    const down = env.webhooks.map((w) => w.port);
    env.proxy.backends = down; // nothing listens there any more: every call fails

    // A Deployment outside the opt-in never reaches the webhook.
    await env.apps.createNamespacedDeployment({ namespace: 'team-a', body: deployment('plain', {}, { namespace: 'team-a', optIn: false }) });
    // An opted-in Deployment is created too: both Deployment webhooks fail open (Ignore), so an
    // outage never blocks a rollout; it is stored as written, without the GPU injection.
    const created = await env.apps.createNamespacedDeployment({ namespace: 'team-a', body: deployment('while-down', {}, { namespace: 'team-a' }) });
    assert.equal(created.metadata?.annotations?.['gpu-hpa.io/mutated'], undefined, 'no mutation while the webhook is down');

    const hpaMsg = await refused(env.autoscaling.createNamespacedHorizontalPodAutoscaler({ namespace: 'team-a', body: hpa('while-down', 'plain', 'gpu_utilization', {}, 'team-a') }));
    assert.match(hpaMsg, /failed calling webhook "horizontalpodautoscalers\.validate\.gpu-hpa\.io"/);
  });
});
