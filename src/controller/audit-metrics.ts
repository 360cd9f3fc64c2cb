// The running webhook's audit (issue 15): what `gpu-hpa-webhook audit` prints, kept for the objects its caches
// hold, exported on /metrics as gpu_hpa_webhook_audit_would_deny_objects{namespace, kind, reason}: the HPAs and
// opted-in Deployments the webhook would deny on their next write under `enforcement: deny` (so a platform
// team running `warn` knows what switching breaks). A namespace's verdicts are recomputed when one of its
// Deployments or HPAs changes (a verdict reads the target and the sibling HPAs, never another namespace:
// issue 17), and all of them when the configuration (a new engine) or the APIServices change; the work is done when
// Prometheus scrapes, not on every watch event.
import { Gauge, type Registry } from 'prom-client';
import type { Engine } from '../core/admission/request.js';
import { auditObject, type AuditEntry } from '../core/audit.js';
import { isOptedIn } from '../core/annotations.js';
import type { ClusterCache } from './informers.js';

export interface AuditMetricsOptions {
  registry: Registry;
  cache: ClusterCache;
  /** the engine of the configuration in force, with enforcement deny (ConfigStore.auditEngine) */
  engine: () => Engine | undefined;
}

export interface AuditMetrics {
  /** the configuration changed: every verdict is stale */
  invalidate(): void;
  /** the verdicts now (tests), recomputing the stale namespaces */
  entries(): AuditEntry[];
}

export function registerAuditMetrics(o: AuditMetricsOptions): AuditMetrics {
  const verdicts = new Map<string, AuditEntry[]>();
  const dirty = new Set<string>();
  let all = true;
  const { cache } = o;
  const touched = (obj: { metadata?: { namespace?: string } }) => dirty.add(obj.metadata?.namespace ?? '');
  for (const lw of [cache.deployments, cache.hpas] as const) for (const e of ['add', 'update', 'delete'] as const) lw.on(e, touched);
  for (const e of ['add', 'update', 'delete'] as const) cache.apiServices.on(e, () => (all = true));

  const judge = (engine: Engine, ns: string): AuditEntry[] => [
    ...cache.hpas.list(ns).map((h) => auditObject(engine, 'HorizontalPodAutoscaler', h)),
    ...cache.deployments
      .list(ns)
      .filter((d) => isOptedIn(d))
      .map((d) => auditObject(engine, 'Deployment', d)),
  ];

  let judgedBy: Engine | undefined;
  const refresh = (): void => {
    const engine = o.engine();
    if (!engine || !cache.syncStatus().synced) return;
    // a new engine is a new configuration (a reload, a live-discovery pass): every verdict is stale
    if (engine !== judgedBy) {
      all = true;
      judgedBy = engine;
    }
    const namespaces = all ? new Set([...cache.hpas.list(), ...cache.deployments.list()].map((x) => x.metadata?.namespace ?? '')) : dirty;
    if (all) verdicts.clear();
    for (const ns of namespaces) {
      const entries = judge(engine, ns);
      if (entries.length > 0) verdicts.set(ns, entries);
      else verdicts.delete(ns);
    }
    all = false;
    dirty.clear();
  };

  new Gauge({
    name: 'gpu_hpa_webhook_audit_would_deny_objects',
    help: 'HPAs and opted-in Deployments in the cluster cache that the webhook would deny on their next write under enforcement: deny, by namespace, kind and reason (an object denied for two reasons counts under both).',
    labelNames: ['namespace', 'kind', 'reason'] as const,
    registers: [o.registry],
    collect() {
      refresh();
      this.reset();
      const counts = new Map<string, { namespace: string; kind: string; reason: string; n: number }>();
      for (const entries of verdicts.values()) {
        for (const e of entries) {
          if (e.verdict !== 'denied') continue;
          for (const reason of new Set(e.violations.map((v) => v.reason))) {
            const k = `${e.namespace}\u0000${e.kind}\u0000${reason}`;
            const c = counts.get(k) ?? { namespace: e.namespace, kind: e.kind, reason, n: 0 };
            c.n++;
            counts.set(k, c);
          }
        }
      }
      for (const c of counts.values()) this.set({ namespace: c.namespace, kind: c.kind, reason: c.reason }, c.n);
    },
  });

  return {
    invalidate: () => (all = true),
    entries() {
      refresh();
      return [...verdicts.values()].flat();
    },
  };
}
