// Least privilege against the real kube-apiserver (issue 17 item 3): manifests/ as kustomize renders
// them (ClusterRole, Role, the ValidatingAdmissionPolicy and its binding) installed on a real
// control plane, then requests made with the webhook ServiceAccount's own token. The API server —
// its RBAC authorizer and its CEL admission — decides; nothing here predicts the answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdmissionregistrationV1Api,
  ApiregistrationV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from './cluster.js';
import { apiMessage, apply, applyAdapterConfigMap, httpStatus, NS, renderManifests, waitUntil } from './harness.js';

const SA = 'gpu-hpa-webhook';
const TEAM = 'team-a';

let cp: ControlPlane;
let admin: KubeConfig;
let sa: KubeConfig;
let deploymentUid = '';

function hpaObject(
  name: string,
  o: { labelled?: boolean; owner?: 'deployment' | 'none'; target?: { apiVersion: string; kind: string; name: string }; maxReplicas?: number } = {},
): KubernetesObject & Record<string, unknown> {
  const target = o.target ?? { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' };
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name,
      namespace: TEAM,
      ...(o.labelled === false ? {} : { labels: { 'app.kubernetes.io/managed-by': 'gpu-hpa-webhook' } }),
      ...((o.owner ?? 'deployment') === 'deployment'
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: target.name, uid: deploymentUid, controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: {
      scaleTargetRef: target,
      minReplicas: 1,
      maxReplicas: o.maxReplicas ?? 3,
      metrics: [{ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: '60' } } }],
    },
  };
}

/** The controller's own write: server-side apply with its field manager. */
function ssa(kc: KubeConfig, obj: KubernetesObject, dryRun = false) {
  return KubernetesObjectApi.makeApiClient(kc).patch(obj, undefined, dryRun ? 'All' : undefined, 'gpu-hpa-webhook', true, PatchStrategy.ServerSideApply);
}

async function refused(what: string, p: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.equal(httpStatus(e), status, `${what}: HTTP ${httpStatus(e)} ${apiMessage(e)}`);
    assert.match(apiMessage(e), message, what);
    return;
  }
  assert.fail(`${what}: expected the API server to refuse it`);
}

describe('e2e: the webhook ServiceAccount against the real API server (RBAC + ValidatingAdmissionPolicy)', { timeout: 10 * 60_000 }, () => {
  before(
    async () => {
      cp = await startControlPlane({ controllerManager: false });
      admin = cp.kubeConfig();
      const objects = KubernetesObjectApi.makeApiClient(admin);
      // everything kustomize renders but the webhook configurations (no webhook runs here: the HPA
      // validation would fail closed; this test is about what the API server itself allows)
      await applyAdapterConfigMap(objects);
      for (const o of renderManifests()) if (!/WebhookConfiguration$/.test(o.kind ?? '')) await apply(objects, o);
      const core = admin.makeApiClient(CoreV1Api);
      const tr = await core.createNamespacedServiceAccountToken({ name: SA, namespace: NS, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
      sa = new KubeConfig();
      sa.loadFromFile(await cp.writeKubeconfig('webhook-sa', tr.status!.token));

      await core.createNamespace({ body: { metadata: { name: TEAM } } });
      const d = await admin.makeApiClient(AppsV1Api).createNamespacedDeployment({
        namespace: TEAM,
        body: {
          metadata: { name: 'app', labels: { app: 'app' } },
          spec: { selector: { matchLabels: { app: 'app' } }, template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'c', image: 'registry.example/app:1' }] } } },
        },
      });
      deploymentUid = d.metadata!.uid!;
      // a team's own HPA, written by the team (admin here)
      await apply(objects, hpaObject('team-hpa', { labelled: false, owner: 'none' }), { manager: 'team' });

      // The API server loads policies and bindings asynchronously: wait until a dry run is refused.
      await waitUntil('the ValidatingAdmissionPolicy in force', 60_000, async () => {
        try {
          await ssa(sa, hpaObject('probe', { labelled: false }), true);
          return false;
        } catch (e) {
          return /ValidatingAdmissionPolicy/.test(apiMessage(e));
        }
      });
    },
    { timeout: 5 * 60_000 },
  );

  after(async () => {
    await cp?.stop();
  });

  test('the managed HPA the controller writes: created, updated and deleted', async () => {
    const created = await ssa(sa, hpaObject('app'));
    assert.equal(created.metadata?.labels?.['app.kubernetes.io/managed-by'], 'gpu-hpa-webhook');
    const updated = (await ssa(sa, hpaObject('app', { maxReplicas: 5 }))) as KubernetesObject & { spec: { maxReplicas: number } };
    assert.equal(updated.spec.maxReplicas, 5);
    await KubernetesObjectApi.makeApiClient(sa).delete(hpaObject('app'));
    await refused('gone', admin.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'app', namespace: TEAM }), 404, /not found/);
  });

  test('HPAs it does not manage: refused by the API server', async () => {
    const vap = /ValidatingAdmissionPolicy 'gpu-hpa-webhook-managed-hpas'.*denied request/;
    await refused(
      'an unlabelled HPA',
      ssa(sa, hpaObject('x', { labelled: false })),
      403,
      new RegExp(`${vap.source}.*may only write HorizontalPodAutoscalers labelled app.kubernetes.io/managed-by=gpu-hpa-webhook; ${TEAM}/x is not`),
    );
    await refused(
      'a labelled HPA on a StatefulSet',
      ssa(sa, hpaObject('sts', { target: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'app' } })),
      403,
      /may only write HorizontalPodAutoscalers that scale a Deployment.*scales a StatefulSet/,
    );
    await refused('a labelled HPA no Deployment controls', ssa(sa, hpaObject('orphan', { owner: 'none' })), 403, /controlled by the Deployment they scale/);
    // a team's own HPA: neither taken over (labelled by the webhook) nor deleted
    await refused(
      'taking over a team HPA',
      ssa(sa, { ...hpaObject('team-hpa'), metadata: { name: 'team-hpa', namespace: TEAM, labels: { 'app.kubernetes.io/managed-by': 'gpu-hpa-webhook' } } }),
      403,
      /may not take over HorizontalPodAutoscaler team-a\/team-hpa/,
    );
    await refused('deleting a team HPA', KubernetesObjectApi.makeApiClient(sa).delete(hpaObject('team-hpa')), 403, /team-a\/team-hpa is not \(DELETE refused\)/);
    // the team's HPA is untouched, and the policy binds no one else: the admin still writes unlabelled HPAs
    const team = await admin.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'team-hpa', namespace: TEAM });
    assert.equal(team.metadata?.labels?.['app.kubernetes.io/managed-by'], undefined);
    await ssa(admin, hpaObject('admin-hpa', { labelled: false, owner: 'none' }), true);
  });

  test('verbs the code never calls: refused by RBAC', async () => {
    const forbidden = /forbidden: User "system:serviceaccount:gpu-hpa-webhook:gpu-hpa-webhook" cannot/;
    const autoscaling = sa.makeApiClient(AutoscalingV2Api);
    const apps = sa.makeApiClient(AppsV1Api);
    const core = sa.makeApiClient(CoreV1Api);
    const leases = sa.makeApiClient(CoordinationV1Api);
    await refused('get an HPA', autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'team-hpa', namespace: TEAM }), 403, forbidden);
    const body = hpaObject('team-hpa', { labelled: false, owner: 'none' }) as never;
    await refused('update (PUT) an HPA', autoscaling.replaceNamespacedHorizontalPodAutoscaler({ name: 'team-hpa', namespace: TEAM, body }), 403, forbidden);
    await refused('get a Deployment', apps.readNamespacedDeployment({ name: 'app', namespace: TEAM }), 403, forbidden);
    await refused(
      'patch a Deployment',
      KubernetesObjectApi.makeApiClient(sa).patch(
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace: TEAM }, spec: { replicas: 9 } } as KubernetesObject,
        undefined,
        undefined,
        'x',
        true,
        PatchStrategy.ServerSideApply,
      ),
      403,
      forbidden,
    );
    await refused('list Secrets', core.listSecretForAllNamespaces(), 403, forbidden);
    await refused('get a ConfigMap', core.readNamespacedConfigMap({ name: 'prometheus-adapter', namespace: 'monitoring' }), 403, forbidden);
    // the adapter's ConfigMap is listed and watched by name only (resourceNames + the informer's fieldSelector)
    await refused('list the ConfigMaps of monitoring', core.listNamespacedConfigMap({ namespace: 'monitoring' }), 403, forbidden);
    await refused('list another ConfigMap by name', core.listNamespacedConfigMap({ namespace: 'monitoring', fieldSelector: 'metadata.name=grafana' }), 403, forbidden);
    await refused('list ConfigMaps in its own namespace', core.listNamespacedConfigMap({ namespace: NS }), 403, forbidden);
    await refused('list Events', core.listNamespacedEvent({ namespace: TEAM }), 403, forbidden);
    await refused('read another Lease', leases.readNamespacedLease({ name: 'someone-else', namespace: NS }), 403, forbidden);
    await refused('a Lease in another namespace', leases.createNamespacedLease({ namespace: TEAM, body: { metadata: { name: 'gpu-hpa-webhook' }, spec: {} } }), 403, forbidden);
    // certificates (src/controller/certificates.ts): its own Secret and webhook configurations only
    await admin.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'someone-elses' }, stringData: { k: 'v' } } });
    await refused('read another Secret of its namespace', core.readNamespacedSecret({ name: 'someone-elses', namespace: NS }), 403, forbidden);
    await refused('list the Secrets of its namespace', core.listNamespacedSecret({ namespace: NS }), 403, forbidden);
    await refused('watch another Secret by name', core.listNamespacedSecret({ namespace: NS, fieldSelector: 'metadata.name=someone-elses' }), 403, forbidden);
    const admission = sa.makeApiClient(AdmissionregistrationV1Api);
    await admin.makeApiClient(AdmissionregistrationV1Api).createValidatingWebhookConfiguration({ body: { metadata: { name: 'someone-elses' }, webhooks: [] } });
    await refused('read another ValidatingWebhookConfiguration', admission.readValidatingWebhookConfiguration({ name: 'someone-elses' }), 403, forbidden);
    await refused('list ValidatingWebhookConfigurations', admission.listValidatingWebhookConfiguration(), 403, forbidden);
    await refused('create a MutatingWebhookConfiguration', admission.createMutatingWebhookConfiguration({ body: { metadata: { name: 'gpu-hpa-webhook' }, webhooks: [] } }), 403, forbidden);
    // what it does call still works
    const own = await core.readNamespacedSecret({ name: 'gpu-hpa-webhook-tls', namespace: NS });
    await core.replaceNamespacedSecret({ name: 'gpu-hpa-webhook-tls', namespace: NS, body: own });
    await core.listNamespacedSecret({ namespace: NS, fieldSelector: 'metadata.name=gpu-hpa-webhook-tls' });
    await sa.makeApiClient(AutoscalingV2Api).listHorizontalPodAutoscalerForAllNamespaces();
    await sa.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces();
    await core.listNamespacedConfigMap({ namespace: 'monitoring', fieldSelector: 'metadata.name=prometheus-adapter' });
    await sa.makeApiClient(ApiregistrationV1Api).listAPIService();
    await core.createNamespacedEvent({
      namespace: TEAM,
      body: { metadata: { generateName: 'app.' }, involvedObject: { kind: 'Deployment', name: 'app', namespace: TEAM }, reason: 'Test', message: 'm', type: 'Normal' },
    });
    await leases.createNamespacedLease({ namespace: NS, body: { metadata: { name: 'gpu-hpa-webhook' }, spec: { holderIdentity: 'test' } } });
    const lease = await leases.readNamespacedLease({ name: 'gpu-hpa-webhook', namespace: NS });
    await leases.replaceNamespacedLease({ name: 'gpu-hpa-webhook', namespace: NS, body: lease });
  });
});
