// The managed-HPA controller (SPEC "Managed HPAs"): for each opted-in Deployment with
// gpu-hpa.io/hpa: managed, server-side apply the HPA that core/managed-hpa.ts builds; delete it when
// the Deployment opts out or switches to external; never touch an HPA the team wrote (an Event on
// the Deployment says why). Driven by the shared informers; only the Lease holder writes.
import type { Logger } from 'pino';
import { isOptedIn, MANAGED_BY_LABEL, MANAGER_NAME, readSettings } from '../core/annotations.js';
import { excerpt, MAX_MESSAGE_LENGTH, MAX_VIOLATIONS } from '../core/bounds.js';
import type { Deployment, HorizontalPodAutoscaler } from '../core/k8s-types.js';
import { managedHpa } from '../core/managed-hpa.js';
import type { Policy } from '../core/policy/schema.js';
import type { ClusterCache } from './informers.js';
import { apiMessage, httpStatus, KubeClient } from './kube.js';
import type { KubeConfig } from './kubeconfig.js';
import { WorkQueue } from './workqueue.js';

export const FIELD_MANAGER = MANAGER_NAME;

export interface ManagedHpaControllerOptions {
  kc: KubeConfig;
  cache: ClusterCache;
  /** the policy in force (it can change on reload) */
  policy: () => Policy | undefined;
  logger?: Logger;
  /** reported as the Event's reportingInstance */
  identity?: string;
  retry?: { baseDelayMs?: number; maxDelayMs?: number };
}

export function isManaged(hpa: { metadata?: { labels?: Record<string, string> } } | undefined): boolean {
  return hpa?.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGER_NAME;
}

const key = (ns: string, name: string) => `${ns}/${name}`;
const hpaPath = (ns: string, name: string) => `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${name}`;
const resourceVersion = (h: HorizontalPodAutoscaler | undefined) => (typeof h?.metadata?.resourceVersion === 'string' ? h.metadata.resourceVersion : undefined);

export class ManagedHpaController {
  private readonly api: KubeClient;
  private readonly queue: WorkQueue;
  private leading = false;
  /** last Event message per Deployment, so a resync does not repeat it */
  private readonly lastEvent = new Map<string, string>();
  /**
   * Per Deployment, the HPA our last write returned, until the cache shows that write: `before` is the
   * resourceVersion the cache held when we wrote (undefined: none). A Deployment event that arrives first (its
   * status, written by the deployment controller right after the create) must not make us write again (issue 18).
   */
  private readonly unseen = new Map<string, { before?: string; hpa: HorizontalPodAutoscaler }>();
  /** monotonic counters, read by /metrics (controller/metrics.ts) and tests */
  readonly stats = { applies: 0, deletes: 0, conflicts: 0, errors: 0 };

  constructor(private readonly o: ManagedHpaControllerOptions) {
    this.api = new KubeClient(o.kc);
    this.queue = new WorkQueue(
      (k) => this.reconcile(k),
      (k, err, attempt, retryIn) => {
        this.stats.errors++;
        o.logger?.warn({ deployment: k, attempt, retryInMs: retryIn, err: excerpt(apiMessage(err), MAX_MESSAGE_LENGTH) }, 'managed HPA: reconcile failed; retrying');
      },
      { ...o.retry, concurrency: 2 },
    );
    const { deployments, hpas } = o.cache;
    const onDep = (d: Deployment) => this.enqueue(d.metadata?.namespace, d.metadata?.name);
    deployments.on('add', onDep);
    deployments.on('update', onDep);
    deployments.on('delete', onDep);
    const onHpa = (h: HorizontalPodAutoscaler) => {
      const ns = h.metadata?.namespace;
      // a team HPA appearing or going away changes what we may write for its target
      if (h.spec?.scaleTargetRef?.kind === 'Deployment') this.enqueue(ns, h.spec.scaleTargetRef.name);
      if (isManaged(h)) this.enqueue(ns, h.metadata?.name);
    };
    hpas.on('add', onHpa);
    hpas.on('update', onHpa);
    hpas.on('delete', (h: HorizontalPodAutoscaler) => {
      // gone after our write: the cache's "absent" is news, not a cache that has not seen the write yet
      if (h.metadata?.namespace && h.metadata.name) this.unseen.delete(key(h.metadata.namespace, h.metadata.name));
      onHpa(h);
    });
  }

  private enqueue(ns: string | undefined, name: string | undefined): void {
    if (this.leading && ns && name) this.queue.add(key(ns, name));
  }

  /** Leadership gained: work through everything the caches hold. */
  startLeading(): void {
    this.leading = true;
    this.queue.start();
    this.resyncAll();
  }

  stopLeading(): void {
    this.leading = false;
    this.queue.stop();
  }

  /** Re-examine every opted-in Deployment and every managed HPA (start, policy change). */
  resyncAll(): void {
    if (!this.leading) return;
    for (const d of this.o.cache.deployments.list()) if (isOptedIn(d)) this.enqueue(d.metadata?.namespace, d.metadata?.name);
    for (const h of this.o.cache.hpas.list()) if (isManaged(h)) this.enqueue(h.metadata?.namespace, h.metadata?.name);
  }

  queueDepth(): number {
    return this.queue.depth();
  }

  /** Resolves when no work is queued or in flight (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async reconcile(k: string): Promise<void> {
    const [ns = '', name = ''] = k.split('/');
    const dep = this.o.cache.deployments.get(name, ns);
    const cached = this.o.cache.hpas.get(name, ns);
    let existing = cached;
    const written = this.unseen.get(k);
    if (written) {
      // the cache still holds what it held when we wrote: our write is the newer truth
      if (resourceVersion(cached) === written.before) existing = written.hpa;
      else this.unseen.delete(k);
    }
    const policy = this.o.policy();
    if (!policy) throw new Error('policy not loaded');

    const live = dep && isOptedIn(dep) && !dep.metadata?.deletionTimestamp;
    const read = live ? readSettings(dep, policy) : undefined;
    if (dep && read && !read.settings) {
      // Admission refuses such annotations; one that got in anyway (webhook down) leaves the HPA as it was.
      // bounded like an admission answer (src/core/bounds.ts): a few short messages, however bad the object
      const violations = read.violations.slice(0, MAX_VIOLATIONS).map((v) => excerpt(v.message, MAX_MESSAGE_LENGTH));
      this.o.logger?.warn({ deployment: k, violations, omitted: read.violations.length - violations.length }, 'managed HPA: invalid annotations; HPA left as it is');
      return;
    }
    const settings = read?.settings;
    if (dep && settings?.hpaMode === 'managed') {
      if (existing && !isManaged(existing)) {
        return this.refuse(
          dep,
          `HorizontalPodAutoscaler ${name} exists and is not managed by ${MANAGER_NAME} (no label ${MANAGED_BY_LABEL}=${MANAGER_NAME}): it is left as the team wrote it; delete it, or set gpu-hpa.io/hpa: external`,
        );
      }
      const other = this.o.cache.hpas.list(ns).find((h) => h.metadata?.name !== name && !isManaged(h) && h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec.scaleTargetRef.name === name);
      if (other) {
        return this.refuse(dep, `HorizontalPodAutoscaler ${other.metadata?.name ?? ''} already scales this Deployment: no managed HPA is written; delete it, or set gpu-hpa.io/hpa: external`);
      }
      const desired = managedHpa(dep, settings);
      if (existing && upToDate(existing, desired)) {
        this.lastEvent.delete(k);
        return;
      }
      try {
        // server-side apply, taking over fields another manager set (force: the HPA is ours alone)
        const result = await this.api.patch<HorizontalPodAutoscaler>(hpaPath(ns, name), desired, 'apply', { fieldManager: FIELD_MANAGER, force: 'true' });
        this.unseen.set(k, { before: resourceVersion(cached), hpa: result });
      } catch (e) {
        // Refused (admission, validation, RBAC) rather than unlucky: tell the team on the Deployment, then retry with backoff.
        const s = httpStatus(e);
        if (s !== undefined && s >= 400 && s < 500 && s !== 409 && s !== 429) {
          await this.refuse(dep, `the managed HorizontalPodAutoscaler ${name} was refused by the API server: ${apiMessage(e)}`, 'ManagedHPAFailed').catch(() => undefined);
        }
        throw e;
      }
      this.lastEvent.delete(k);
      this.stats.applies++;
      this.o.logger?.info({ deployment: k, maxReplicas: settings.maxReplicas, metric: settings.metric }, existing ? 'managed HPA updated' : 'managed HPA created');
      return;
    }
    this.lastEvent.delete(k);
    // Opted out, external, or gone: our HPA (and only ours) goes.
    if (existing && isManaged(existing)) {
      const owner = existing.metadata?.ownerReferences?.find((r) => r.controller);
      // An HPA owned by another object that happens to carry our label is not ours to delete.
      if (owner && (owner.kind !== 'Deployment' || owner.name !== name)) return;
      try {
        // the uid precondition: never delete an HPA that replaced the one we looked at
        await this.api.delete(hpaPath(ns, name), { preconditions: { uid: existing.metadata?.uid } });
        this.stats.deletes++;
        this.o.logger?.info({ deployment: k, reason: !dep ? 'deployment deleted' : settings ? 'gpu-hpa.io/hpa: external' : 'opted out' }, 'managed HPA deleted');
      } catch (e) {
        const s = httpStatus(e);
        if (s !== 404 && s !== 409) throw e;
      }
    }
  }

  private async refuse(dep: Deployment, text: string, reason = 'ManagedHPAConflict'): Promise<void> {
    // an Event's message is at most 1 KiB for the API server (events.k8s.io note); ours stays under it
    const message = excerpt(text, MAX_MESSAGE_LENGTH);
    const ns = dep.metadata?.namespace ?? 'default';
    const name = dep.metadata?.name ?? '';
    const k = key(ns, name);
    if (this.lastEvent.get(k) === message) return;
    this.stats.conflicts++;
    this.o.logger?.warn({ deployment: k, message }, 'managed HPA not written');
    const now = new Date().toISOString();
    await this.api.create(`/api/v1/namespaces/${ns}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${name}.`, namespace: ns },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: ns, uid: dep.metadata?.uid },
      reason,
      message,
      type: 'Warning',
      source: { component: MANAGER_NAME },
      reportingComponent: MANAGER_NAME,
      reportingInstance: this.o.identity ?? MANAGER_NAME,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    });
    this.lastEvent.set(k, message);
  }
}

/** Whether the live HPA already says everything desired says (the API server adds defaults, so a subset check). */
export function upToDate(live: HorizontalPodAutoscaler, desired: HorizontalPodAutoscaler): boolean {
  const labels = desired.metadata?.labels ?? {};
  if (!Object.entries(labels).every(([k, v]) => live.metadata?.labels?.[k] === v)) return false;
  const owner = desired.metadata?.ownerReferences?.[0];
  if (owner && !live.metadata?.ownerReferences?.some((r) => r.uid === owner.uid && r.controller === true)) return false;
  return subset(desired.spec, live.spec);
}

function subset(want: unknown, have: unknown): boolean {
  if (want === undefined) return true;
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, i) => subset(w, have[i]));
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object') return false;
    return Object.entries(want).every(([k, v]) => subset(v, (have as Record<string, unknown>)[k]));
  }
  // quantities come back canonical ("30" for 30): compare as strings
  return String(want) === String(have);
}
