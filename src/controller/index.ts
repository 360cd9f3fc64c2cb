// What `serve` runs when it has a cluster (--kubeconfig, or in a pod): the informer-backed
// ClusterView for admission, the adapter ConfigMap watch, and the leader-elected managed-HPA controller.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ConfigStore } from '../loaders/config-store.js';
import { configMapLabel, parseConfigMapRef, watchAdapterConfigMap, type AdapterConfigMapWatch } from '../loaders/adapter-configmap.js';
import { ClusterCache } from './informers.js';
import { loadKubeConfig } from './kube.js';
import { LeaderElector } from './leader.js';
import { ManagedHpaController } from './managed-hpa.js';

export interface ClusterIntegrationOptions {
  kubeconfig?: string;
  store: ConfigStore;
  logger: Logger;
  /** namespace of the leader-election Lease (the webhook's own) */
  leaseNamespace: string;
  leaseName?: string;
  adapterConfigMap?: string;
  /** how long to wait at start for the adapter ConfigMap before serving not-ready */
  configMapWaitMs?: number;
}

export interface ClusterIntegration {
  controller: ManagedHpaController;
  elector: LeaderElector;
  cache: ClusterCache;
  /** policy or rules changed: managed HPAs may need rewriting */
  configChanged(): void;
  stop(): Promise<void>;
}

/** The label ConfigStore should use for rules that come from --adapter-configmap (validates the flag). */
export function adapterConfigMapLabel(v: string | undefined): string | undefined {
  return v === undefined ? undefined : configMapLabel(parseConfigMapRef(v));
}

export async function startClusterIntegration(o: ClusterIntegrationOptions): Promise<ClusterIntegration> {
  const kc = loadKubeConfig(o.kubeconfig);
  const { store, logger } = o;

  let cmWatch: AdapterConfigMapWatch | undefined;
  if (o.adapterConfigMap) {
    const ref = parseConfigMapRef(o.adapterConfigMap);
    cmWatch = watchAdapterConfigMap(kc, ref, (text, label) => store.setAdapterRulesText(text, label), logger);
    const found = await Promise.race([cmWatch.started, new Promise<false>((r) => setTimeout(() => r(false), o.configMapWaitMs ?? 30_000).unref())]);
    if (!found) logger.error({ configmap: configMapLabel(ref) }, 'adapter ConfigMap not found (yet): not ready until it appears');
  }

  const cache = new ClusterCache(kc, logger);
  await cache.start();
  store.setCluster(cache.view());

  // the pod name (hostname) tells operators which replica holds the Lease and wrote the Events
  const identity = `${hostname()}_${randomBytes(4).toString('hex')}`;
  const controller = new ManagedHpaController({ kc, cache, policy: () => store.current().policy, logger, identity });
  const elector = new LeaderElector(kc, {
    identity,
    namespace: o.leaseNamespace,
    name: o.leaseName ?? 'gpu-hpa-webhook',
    logger,
    onStartedLeading: () => controller.startLeading(),
    onStoppedLeading: () => controller.stopLeading(),
  });
  elector.start();
  logger.info({ identity: elector.identity, lease: `${o.leaseNamespace}/${o.leaseName ?? 'gpu-hpa-webhook'}` }, 'cluster view synced; campaigning for the managed-HPA lease');

  return {
    controller,
    elector,
    cache,
    configChanged: () => controller.resyncAll(),
    async stop() {
      await elector.stop();
      await Promise.allSettled([cache.stop(), cmWatch?.stop()]);
    },
  };
}
