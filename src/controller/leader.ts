// Leader election on a coordination.k8s.io/v1 Lease, the way client-go's leaderelection does it:
// acquire when the lease is free or expired (judged by our own clock since we last saw it change,
// so clock skew between replicas does not matter), renew every retry period, step down when a renew
// has not succeeded within the renew deadline. On stop the lease is released so another replica
// takes over at once instead of waiting out the lease.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { httpStatus, KubeClient } from './kube.js';
import type { KubeConfig } from './kubeconfig.js';

/** The fields of a coordination.k8s.io/v1 Lease read and written here (times: metav1.MicroTime, RFC 3339). */
interface V1Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number; [k: string]: unknown };
}

/** metav1.MicroTime's format (RFC 3339 with microseconds): the API server parses fractional seconds of any length. */
const microTime = () => new Date().toISOString().replace(/Z$/, '000Z');

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  logger?: Logger;
}

export class LeaderElector {
  readonly identity: string;
  private readonly api: KubeClient;
  private readonly path: string;
  private readonly leaseSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private leading = false;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private lastRenew = 0;
  /** what we last saw of someone else's lease, and when (our clock) */
  private observed?: { record: string; at: number };

  constructor(
    kc: KubeConfig,
    private readonly o: LeaderElectionOptions,
  ) {
    this.api = new KubeClient(kc);
    this.path = `/apis/coordination.k8s.io/v1/namespaces/${o.namespace}/leases`;
    this.identity = o.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    this.leaseSeconds = o.leaseDurationSeconds ?? 15;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryMs = o.retryPeriodMs ?? 2_000;
  }

  isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  /** Stop campaigning; release the lease if we hold it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const lease = await this.api.get<V1Lease>(`${this.path}/${this.o.name}`);
      if (lease.spec?.holderIdentity !== this.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime() };
      await this.api.replace(`${this.path}/${this.o.name}`, lease);
      this.o.logger?.info({ lease: `${this.o.namespace}/${this.o.name}` }, 'leader lease released');
    } catch (e) {
      this.o.logger?.warn({ err: (e as Error).message }, 'could not release the leader lease; it expires on its own');
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (e) {
      this.o.logger?.warn({ err: (e as Error).message }, 'leader election: lease request failed');
    }
    if (this.stopped) return;
    const now = Date.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) this.setLeading(true);
    } else if (this.leading && now - this.lastRenew > this.renewDeadlineMs) {
      this.setLeading(false);
    }
    this.timer = setTimeout(() => void this.tick(), this.retryMs);
    this.timer.unref();
  }

  private setLeading(v: boolean): void {
    if (this.leading === v) return;
    this.leading = v;
    this.o.logger?.info({ identity: this.identity, lease: `${this.o.namespace}/${this.o.name}` }, v ? 'became leader' : 'stopped leading');
    (v ? this.o.onStartedLeading : this.o.onStoppedLeading)();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { name, namespace } = this.o;
    const now = microTime();
    let lease: V1Lease;
    try {
      lease = await this.api.get<V1Lease>(`${this.path}/${name}`);
    } catch (e) {
      if (httpStatus(e) !== 404) throw e;
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: { holderIdentity: this.identity, leaseDurationSeconds: this.leaseSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      };
      try {
        await this.api.create(this.path, body);
        return true;
      } catch (err) {
        if (httpStatus(err) === 409) return false; // another replica created it first
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity;
    if (holder && holder !== this.identity) {
      // Someone else's: free only once it has not changed for its whole duration, by our clock.
      const record = `${holder}|${spec.renewTime ?? ''}|${spec.leaseDurationSeconds ?? ''}`;
      if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
      if (Date.now() - this.observed.at < (spec.leaseDurationSeconds ?? this.leaseSeconds) * 1000) return false;
    }
    const mine = holder === this.identity;
    lease.spec = {
      ...spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseSeconds,
      renewTime: now,
      acquireTime: mine ? spec.acquireTime : now,
      leaseTransitions: mine ? spec.leaseTransitions : (spec.leaseTransitions ?? 0) + 1,
    };
    try {
      // resourceVersion in the body makes this a compare-and-swap: a concurrent writer gets 409.
      await this.api.replace(`${this.path}/${name}`, lease);
      return true;
    } catch (e) {
      if (httpStatus(e) === 409) return false;
      throw e;
    }
  }
}
