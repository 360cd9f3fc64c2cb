// Issue 18 §3: the managed-HPA controller wrote a new HPA twice within ~10 ms (a CREATE, then an UPDATE review of
// the same object): a Deployment event (its status, written by the deployment controller right after the
// create) reached the controller before its HPA cache had seen the first write. Against a real API server, with
// the controller's HPA watch held back so that ordering is certain rather than likely.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import { ClusterCache } from '../../src/controller/informers.js';
import { ManagedHpaController } from '../../src/controller/managed-hpa.js';
import { defaultPolicy } from '../helpers/fixtures.js';
import { startControlPlane, type ControlPlane } from './cluster.js';
import { deployment, httpStatus, waitUntil } from './harness.js';

describe('the managed HPA is written once', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane({ controllerManager: false });
    await cp
      .kubeConfig()
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: 'team-a' } } });
  });
  after(async () => cp?.stop());

  async function statusWritten(apps: AppsV1Api, name: string): Promise<V1Deployment> {
    // what the deployment controller writes right after a create
    const d = await apps.readNamespacedDeployment({ name, namespace: 'team-a' });
    d.status = {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      unavailableReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: 'created' }],
    };
    return apps.replaceNamespacedDeploymentStatus({ name, namespace: 'team-a', body: d });
  }

  test('a Deployment event that arrives before the HPA watch has seen the write does not write again', async () => {
    const kc = cp.kubeConfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const cache = new ClusterCache(cp.clientConfig());
    // only the Deployments are watched: the HPA cache never sees the controller's write
    await cache.deployments.start();
    const controller = new ManagedHpaController({ kc: cp.clientConfig(), cache, policy: () => defaultPolicy() });
    try {
      controller.startLeading();
      await apps.createNamespacedDeployment({ namespace: 'team-a', body: deployment('once', {}, { namespace: 'team-a' }) });
      await waitUntil('the first write', 30_000, () => controller.stats.applies === 1);
      await controller.idle();
      const written = await statusWritten(apps, 'once');
      await waitUntil('the status update in the Deployment cache', 30_000, () => cache.deployments.get('once', 'team-a')?.metadata?.resourceVersion === written.metadata?.resourceVersion);
      await controller.idle();
      assert.equal(controller.stats.applies, 1, 'one write for one desired HPA');
      const hpa = await kc.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'once', namespace: 'team-a' });
      assert.equal(hpa.metadata?.labels?.['app.kubernetes.io/managed-by'], 'gpu-hpa-webhook');

      // a change of what is desired is still written, though the cache has not seen the first write yet
      const d = await apps.readNamespacedDeployment({ name: 'once', namespace: 'team-a' });
      d.metadata!.annotations = { ...d.metadata!.annotations, 'gpu-hpa.io/max-replicas': '3' };
      await apps.replaceNamespacedDeployment({ name: 'once', namespace: 'team-a', body: d });
      await waitUntil('the second write', 30_000, () => controller.stats.applies === 2);
      await controller.idle();
      const updated = await kc.makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'once', namespace: 'team-a' });
      assert.equal(updated.spec?.maxReplicas, 3);
      assert.equal(controller.stats.applies, 2);
    } finally {
      cache.deployments.stop();
      controller.stopLeading();
    }
  });

  test('with the HPA watch running: an HPA deleted after the write is written again', async () => {
    const kc = cp.kubeConfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const autoscaling = kc.makeApiClient(AutoscalingV2Api);
    const cache = new ClusterCache(cp.clientConfig());
    await cache.start();
    const controller = new ManagedHpaController({ kc: cp.clientConfig(), cache, policy: () => defaultPolicy() });
    try {
      controller.startLeading();
      await apps.createNamespacedDeployment({ namespace: 'team-a', body: deployment('again', {}, { namespace: 'team-a' }) });
      await statusWritten(apps, 'again').catch(() => undefined);
      await waitUntil('the HPA in the cache', 30_000, () => cache.hpas.get('again', 'team-a') !== undefined);
      await controller.idle();
      assert.equal(controller.stats.applies, 1);
      await autoscaling.deleteNamespacedHorizontalPodAutoscaler({ name: 'again', namespace: 'team-a' });
      await waitUntil('the HPA written again', 30_000, async () => {
        try {
          await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'again', namespace: 'team-a' });
          return true;
        } catch (e) {
          if (httpStatus(e) === 404) return false;
          throw e;
        }
      });
      // the count follows the write's answer: wait for it rather than read it the moment the HPA is visible
      await waitUntil('the second write counted', 30_000, () => controller.stats.applies >= 2);
      await controller.idle();
      assert.equal(controller.stats.applies, 2);
    } finally {
      controller.stopLeading();
      await cache.stop();
    }
  });
});
