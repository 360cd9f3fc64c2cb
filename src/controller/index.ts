// What `serve` runs when it has a cluster (--kubeconfig, or in a pod): the informer-backed
// ClusterView for admission, the adapter ConfigMap watch, and the leader-elected managed-HPA controller.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigStore } from '../loaders/config-store.js';
import { configMapLabel, parseConfigMapRef, watchAdapterConfigMap, type AdapterConfigMapWatch } from './adapter-configmap.js';
import { ClusterCache, type ClusterCacheOptions, type SyncStatus } from './informers.js';
import { loadKubeConfig } from './kube.js';
import { LeaderElector } from './leader.js';
import { registerAuditMetrics, type AuditMetrics } from './audit-metrics.js';
import { registerControllerMetrics } from './metrics.js';
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
  /** where the controller's metrics go (serve's /metrics registry) */
  registry?: Registry;
  /** more work only the leader does (the certificate controller) */
  leaderTasks?: Array<{ startLeading(): void; stopLeading(): void }>;
  /** the cluster cache's page size and test hooks */
  cache?: Omit<ClusterCacheOptions, 'logger'>;
}

export interface ClusterIntegration {
  controller: ManagedHpaController;
  elector: LeaderElector;
  cache: ClusterCache;
  /** for /readyz: admission needs the target Deployments and the other HPAs */
  syncStatus(): SyncStatus;
  /** policy or rules changed: managed HPAs may need rewriting, the audit's verdicts are stale */
  configChanged(): void;
  /** the audit kept for what the caches hold (undefined without a metrics registry) */
  audit?: AuditMetrics;
  stop(): Promise<void>;
}

/** The label ConfigStore should use for rules that come from --adapter-configmap (validates the flag). */
export function adapterConfigMapLabel(v: string | undefined): string | undefined {
  return v === undefined ? undefined : configMapLabel(parseConfigMapRef(v));
}

/**
 * Starts the watches and returns at once: the HTTPS server must come up (and /healthz answer) even
 * while the API server is unreachable, or the kubelet would restart a healthy process in a loop.
 * Until the first lists succeed /readyz says not ready (syncStatus), so the Service sends no
 * reviews, and the controller does not campaign: it would act on an empty cache.
 */
export function startClusterIntegration(o: ClusterIntegrationOptions): ClusterIntegration {
  const kc = loadKubeConfig(o.kubeconfig);
  const { store, logger } = o;
  let stopped = false;

  let cmWatch: AdapterConfigMapWatch | undefined;
  if (o.adapterConfigMap) {
    const ref = parseConfigMapRef(o.adapterConfigMap);
    cmWatch = watchAdapterConfigMap(kc, ref, (text, label) => store.setAdapterRulesText(text, label), logger);
    // not ready until it appears (the store has no rules); say so in the log if it takes long
    void Promise.race([cmWatch.started, new Promise<false>((r) => setTimeout(() => r(false), o.configMapWaitMs ?? 30_000).unref())]).then((found) => {
      if (!found && !stopped) logger.error({ configmap: configMapLabel(ref) }, 'adapter ConfigMap not found (yet): not ready until it appears');
    });
  }

  const cache = new ClusterCache(kc, { logger, ...o.cache });
  // the pod name (hostname) tells operators which replica holds the Lease and wrote the Events
  const identity = `${hostname()}_${randomBytes(4).toString('hex')}`;
  const controller = new ManagedHpaController({ kc, cache, policy: () => store.current().policy, logger, identity });
  const elector = new LeaderElector(kc, {
    identity,
    namespace: o.leaseNamespace,
    name: o.leaseName ?? 'gpu-hpa-webhook',
    logger,
    onStartedLeading: () => {
      controller.startLeading();
      for (const t of o.leaderTasks ?? []) t.startLeading();
    },
    onStoppedLeading: () => {
      controller.stopLeading();
      for (const t of o.leaderTasks ?? []) t.stopLeading();
    },
  });
  let audit: AuditMetrics | undefined;
  if (o.registry) {
    audit = registerAuditMetrics({ registry: o.registry, cache, engine: () => store.auditEngine() });
    registerControllerMetrics(o.registry, {
      stats: controller.stats,
      queueDepth: () => controller.queueDepth(),
      isLeader: () => elector.isLeader(),
      synced: () => cache.syncStatus().synced,
    });
  }
  void cache
    .start()
    .then(() => {
      if (stopped) return;
      store.setCluster(cache.view());
      elector.start();
      logger.info({ identity: elector.identity, lease: `${o.leaseNamespace}/${o.leaseName ?? 'gpu-hpa-webhook'}` }, 'cluster view synced; campaigning for the managed-HPA lease');
    })
    .catch((err: unknown) => logger.error({ err }, 'starting the cluster integration failed'));

  return {
    controller,
    elector,
    cache,
    syncStatus: () => cache.syncStatus(),
    configChanged: () => {
      controller.resyncAll();
      audit?.invalidate();
    },
    audit,
    async stop() {
      stopped = true;
      await elector.stop();
      await Promise.allSettled([cache.stop(), cmWatch?.stop()]);
    },
  };
}
