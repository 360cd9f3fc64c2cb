// Watches of Deployments and HPAs in every namespace: the cache behind the webhook's ClusterView
// (the target Deployment of an HPA, the other HPAs of its namespace) and the managed-HPA controller.
// Every replica runs them (admission needs them); only the leader writes.
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
  type V1Deployment,
  type V1Namespace,
  type V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterView } from '../core/cluster.js';
import type { Deployment, HorizontalPodAutoscaler } from '../core/k8s-types.js';

export type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/**
 * Start an informer and keep it running; resolves once a list has succeeded. client-node's start()
 * reports a failed list through 'error' (and resolves anyway), and a failed watch stops the informer:
 * both are retried here with backoff (apiserver restart, expired resourceVersion, RBAC not yet bound).
 */
export async function runInformer<T extends KubernetesObject>(
  inf: Watched<T>,
  what: string,
  logger?: Logger,
  stopped?: () => boolean,
  /** told each failure, for readiness to say why the cache is not synced */
  onFailure?: (message: string) => void,
): Promise<void> {
  let delay = 1000;
  let failed = false;
  let synced!: () => void;
  const done = new Promise<void>((r) => (synced = r));
  const attempt = async () => {
    failed = false;
    await inf.start().catch(() => (failed = true));
    if (!failed) {
      delay = 1000;
      synced();
    }
  };
  inf.on('error', (err: unknown) => {
    failed = true;
    if (stopped?.()) return;
    const message = (err as Error)?.message ?? String(err);
    onFailure?.(message);
    logger?.warn({ watch: what, retryInMs: delay, err: message }, 'list/watch failed; retrying');
    // a referenced timer: while the first list is retried nothing else may keep the process alive
    setTimeout(() => {
      if (!stopped?.()) void attempt();
    }, delay);
    delay = Math.min(delay * 2, 30_000);
  });
  await attempt();
  return done;
}

/** Whether the cache holds a full list yet, and if not, what it waits for and the last failure. */
export interface SyncStatus {
  synced: boolean;
  /** the resources whose first list has not succeeded */
  waitingFor: string[];
  lastError?: string;
}

export class ClusterCache {
  readonly deployments: Watched<V1Deployment>;
  readonly hpas: Watched<V2HorizontalPodAutoscaler>;
  /**
   * Namespaces, for their labels (profiles a namespace may pick, issue 17). Not part of readiness: until
   * its first list (or without RBAC for namespaces) a namespace's labels are unknown, and only a profile with
   * a namespaceSelector is affected (src/core/validate/deployment.ts verifyProfileAllowed).
   */
  readonly namespaces: Watched<V1Namespace>;
  private namespacesSynced = false;
  private synced = false;
  private stopped = false;
  /** resources whose first list has not succeeded (filled by start()) */
  private readonly pending = new Set<string>();
  private lastError?: string;

  constructor(kc: KubeConfig, private readonly logger?: Logger) {
    const apps = kc.makeApiClient(AppsV1Api);
    const autoscaling = kc.makeApiClient(AutoscalingV2Api);
    this.deployments = makeInformer(kc, '/apis/apps/v1/deployments', () => apps.listDeploymentForAllNamespaces());
    this.hpas = makeInformer(kc, '/apis/autoscaling/v2/horizontalpodautoscalers', () => autoscaling.listHorizontalPodAutoscalerForAllNamespaces());
    const core = kc.makeApiClient(CoreV1Api);
    this.namespaces = makeInformer(kc, '/api/v1/namespaces', () => core.listNamespace());
  }

  /** Resolves once both caches hold a full list (retrying for as long as it takes, until stop()). */
  async start(): Promise<void> {
    const run = async <T extends KubernetesObject>(inf: Watched<T>, what: string) => {
      this.pending.add(what);
      await runInformer(inf, what, this.logger, () => this.stopped, (m) => (this.lastError = `${what}: ${m}`));
      this.pending.delete(what);
    };
    void runInformer(this.namespaces, 'namespaces', this.logger, () => this.stopped).then(() => (this.namespacesSynced = true));
    await Promise.all([run(this.deployments, 'deployments'), run(this.hpas, 'horizontalpodautoscalers')]);
    this.synced = true;
  }

  syncStatus(): SyncStatus {
    if (this.synced) return { synced: true, waitingFor: [] };
    return { synced: false, waitingFor: [...this.pending], ...(this.lastError !== undefined ? { lastError: this.lastError } : {}) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.deployments.stop(), this.hpas.stop(), this.namespaces.stop()]);
  }

  /** A live view: each call reads the cache as it is now. Incomplete until the first full list. */
  view(): ClusterView {
    const self = this;
    return {
      // never "": ObjectCache.list("") would list every namespace (issue 17: no cross-namespace detail)
      deployment: (ns, name) => (ns ? (self.deployments.get(name, ns) as Deployment | undefined) : undefined),
      hpas: (ns) => (ns ? (self.hpas.list(ns) as unknown as HorizontalPodAutoscaler[]) : []),
      namespaceLabels: (ns) => {
        if (!ns || !self.namespacesSynced) return undefined;
        const n = self.namespaces.get(ns);
        return n ? (n.metadata?.labels ?? {}) : undefined;
      },
      get complete() {
        return self.synced;
      },
    };
  }
}
