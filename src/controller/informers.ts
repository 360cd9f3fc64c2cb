// Watches of Deployments and HPAs in every namespace: the cache behind the webhook's ClusterView
// (the target Deployment of an HPA, the other HPAs of its namespace) and the managed-HPA controller.
// Every replica runs them (admission needs them); only the leader writes. runInformer keeps a
// client-node informer running (the adapter ConfigMap's, one object).
import {
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
import { apiServiceRegistration, type ApiServiceRegistration } from '../core/admission/metric-apis.js';
import { trimApiService, trimDeployment, trimHpa } from '../core/cache-fields.js';
import type { ClusterView } from '../core/cluster.js';
import type { Deployment, HorizontalPodAutoscaler } from '../core/k8s-types.js';
import { ListWatch, type ListWatchOptions } from './list-watch.js';

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

export interface ClusterCacheOptions {
  logger?: Logger;
  /** objects per list page (default 500, client-go's pager default), when lists are read in pages */
  pageSize?: number;
  /** how full lists are read (controller/list-watch.ts): 'stream' (default, falls back to pages) or 'pages' */
  initialList?: 'stream' | 'pages';
  /** tests: hooks of the list (paginated or streamed) and the watch (controller/list-watch.ts) */
  hooks?: Partial<Record<'deployments' | 'horizontalpodautoscalers' | 'apiservices', Pick<ListWatchOptions<never>, 'afterPage' | 'afterInitialEvent' | 'beforeWatch' | 'watchTimeoutSeconds'>>>;
}

/**
 * Deployments and HPAs in every namespace, listed (streamed, or in pages) and watched, each object trimmed
 * to what core/cache-fields.ts names before it is stored (controller/list-watch.ts).
 */
export class ClusterCache {
  readonly deployments: ListWatch<V1Deployment>;
  readonly hpas: ListWatch<V2HorizontalPodAutoscaler>;
  /**
   * APIServices: who serves custom.metrics.k8s.io and external.metrics.k8s.io (core/admission/metric-apis.ts).
   * Part of readiness: until they are known the webhook cannot tell a metric KEDA or another adapter serves
   * from one its adapter should (issue 15).
   */
  readonly apiServices: ListWatch<KubernetesObject>;
  /** the metrics APIs' registrations, recomputed after a change of any APIService */
  private registrations?: ApiServiceRegistration[];
  /**
   * Namespaces, for their labels (profiles a namespace may pick, issue 17). Not part of readiness: until
   * its first list (or without RBAC for namespaces) a namespace's labels are unknown, and only a profile with
   * a namespaceSelector is affected (src/core/validate/deployment.ts verifyProfileAllowed).
   */
  readonly namespaces: Watched<V1Namespace>;
  private namespacesSynced = false;
  private namespacesListed?: Promise<void>;
  private synced = false;
  private stopped = false;
  /** resources whose first list has not succeeded (filled by start()) */
  private readonly pending = new Set<string>();
  private lastError?: string;

  private readonly logger?: Logger;

  constructor(kc: KubeConfig, o: ClusterCacheOptions = {}) {
    this.logger = o.logger;
    const common = (what: 'deployments' | 'horizontalpodautoscalers' | 'apiservices') => ({
      kc,
      what,
      pageSize: o.pageSize,
      initialList: o.initialList,
      logger: o.logger,
      onFailure: (m: string) => (this.lastError = `${what}: ${m}`),
      ...o.hooks?.[what],
    });
    this.deployments = new ListWatch<V1Deployment>({ ...common('deployments'), path: '/apis/apps/v1/deployments', trim: trimDeployment });
    this.hpas = new ListWatch<V2HorizontalPodAutoscaler>({ ...common('horizontalpodautoscalers'), path: '/apis/autoscaling/v2/horizontalpodautoscalers', trim: trimHpa });
    this.apiServices = new ListWatch<KubernetesObject>({ ...common('apiservices'), path: '/apis/apiregistration.k8s.io/v1/apiservices', trim: trimApiService });
    const changed = () => (this.registrations = undefined);
    for (const e of ['add', 'update', 'delete'] as const) this.apiServices.on(e, changed);
    const core = kc.makeApiClient(CoreV1Api);
    this.namespaces = makeInformer(kc, '/api/v1/namespaces', () => core.listNamespace());
  }

  /** Resolves once the caches hold a full list (retrying for as long as it takes, until stop()). */
  async start(): Promise<void> {
    const run = async (lw: ListWatch<KubernetesObject>, what: string) => {
      this.pending.add(what);
      await lw.start();
      this.pending.delete(what);
    };
    this.namespacesListed = runInformer(this.namespaces, 'namespaces', this.logger, () => this.stopped).then(() => void (this.namespacesSynced = true));
    await Promise.all([run(this.deployments, 'deployments'), run(this.hpas, 'horizontalpodautoscalers'), run(this.apiServices, 'apiservices')]);
    if (!this.stopped) this.synced = true;
  }

  /** Resolves once the namespaces' first list succeeded (start() does not wait for it; `audit` does). */
  namespacesReady(): Promise<void> {
    return this.namespacesListed ?? Promise.reject(new Error('ClusterCache.start() was not called'));
  }

  syncStatus(): SyncStatus {
    if (this.synced) return { synced: true, waitingFor: [] };
    return { synced: false, waitingFor: [...this.pending], ...(this.lastError !== undefined ? { lastError: this.lastError } : {}) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deployments.stop();
    this.hpas.stop();
    this.apiServices.stop();
    await this.namespaces.stop();
  }

  /** A live view: each call reads the cache as it is now. Incomplete until the first full list. */
  view(): ClusterView {
    const synced = (): boolean => this.synced; // the getter below has the view object as its `this`
    return {
      // never "": ObjectCache.list("") would list every namespace (issue 17: no cross-namespace detail)
      deployment: (ns, name) => (ns ? (this.deployments.get(name, ns) as Deployment | undefined) : undefined),
      hpas: (ns) => (ns ? (this.hpas.list(ns) as unknown as HorizontalPodAutoscaler[]) : []),
      namespaceLabels: (ns) => {
        if (!ns || !this.namespacesSynced) return undefined;
        const n = this.namespaces.get(ns);
        return n ? (n.metadata?.labels ?? {}) : undefined;
      },
      metricApis: () => (this.synced ? (this.registrations ??= this.apiServices.list().flatMap((a) => apiServiceRegistration(a) ?? [])) : undefined),
      get complete() {
        return synced();
      },
    };
  }
}
