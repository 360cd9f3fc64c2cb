// Watches of Deployments and HPAs in every namespace: the cache behind the webhook's ClusterView
// (the target Deployment of an HPA, the other HPAs of its namespace) and the managed-HPA controller.
// Every replica runs them (admission needs them); only the leader writes.
import type { Logger } from 'pino';
import { apiServiceRegistration, type ApiServiceRegistration } from '../core/admission/metric-apis.js';
import { trimApiService, trimDeployment, trimHpa } from '../core/cache-fields.js';
import type { ClusterView } from '../core/cluster.js';
import type { Deployment, HorizontalPodAutoscaler, ObjectMeta } from '../core/k8s-types.js';
import type { KubeConfig } from './kubeconfig.js';
import { ListWatch, type ListWatchOptions } from './list-watch.js';

/** What the cache keeps of any object: its metadata (the trims of core/cache-fields.ts keep more). */
export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
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
  readonly deployments: ListWatch<Deployment>;
  readonly hpas: ListWatch<HorizontalPodAutoscaler>;
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
  readonly namespaces: ListWatch<KubernetesObject>;
  private namespacesSynced = false;
  private namespacesListed?: Promise<void>;
  private synced = false;
  private stopped = false;
  /** resources whose first list has not succeeded (filled by start()) */
  private readonly pending = new Set<string>();
  private lastError?: string;

  constructor(kc: KubeConfig, o: ClusterCacheOptions = {}) {
    const common = (what: 'deployments' | 'horizontalpodautoscalers' | 'apiservices') => ({
      kc,
      what,
      pageSize: o.pageSize,
      initialList: o.initialList,
      logger: o.logger,
      onFailure: (m: string) => (this.lastError = `${what}: ${m}`),
      ...o.hooks?.[what],
    });
    this.deployments = new ListWatch<Deployment>({ ...common('deployments'), path: '/apis/apps/v1/deployments', trim: trimDeployment });
    this.hpas = new ListWatch<HorizontalPodAutoscaler>({ ...common('horizontalpodautoscalers'), path: '/apis/autoscaling/v2/horizontalpodautoscalers', trim: trimHpa });
    this.apiServices = new ListWatch<KubernetesObject>({ ...common('apiservices'), path: '/apis/apiregistration.k8s.io/v1/apiservices', trim: trimApiService });
    const changed = () => (this.registrations = undefined);
    for (const e of ['add', 'update', 'delete'] as const) this.apiServices.on(e, changed);
    // a namespace's labels are all that is read of it (few objects, small: kept whole)
    this.namespaces = new ListWatch<KubernetesObject>({ kc, what: 'namespaces', path: '/api/v1/namespaces', trim: (n) => n, logger: o.logger });
  }

  /** Resolves once the caches hold a full list (retrying for as long as it takes, until stop()). */
  async start(): Promise<void> {
    const run = async (lw: { start(): Promise<void> }, what: string) => {
      this.pending.add(what);
      await lw.start();
      this.pending.delete(what);
    };
    this.namespacesListed = this.namespaces.start().then(() => void (this.namespacesSynced = true));
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

  stop(): Promise<void> {
    this.stopped = true;
    this.deployments.stop();
    this.hpas.stop();
    this.apiServices.stop();
    this.namespaces.stop();
    return Promise.resolve();
  }

  /** A live view: each call reads the cache as it is now. Incomplete until the first full list. */
  view(): ClusterView {
    const synced = (): boolean => this.synced; // the getter below has the view object as its `this`
    return {
      // never "": ObjectCache.list("") would list every namespace (issue 17: no cross-namespace detail)
      deployment: (ns, name) => (ns ? this.deployments.get(name, ns) : undefined),
      hpas: (ns) => (ns ? this.hpas.list(ns) : []),
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
