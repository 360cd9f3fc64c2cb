// What enforcing would break, before it is enforced (issue 15; Kyverno's audit mode is the anchor): every HPA
// and every opted-in Deployment of a cluster judged as the webhook would judge its next write (an UPDATE that
// changes nothing: both webhooks, mutation then validation), under `enforcement: deny` whatever the policy says,
// so a platform team running `warn` sees what `deny` would refuse. `gpu-hpa-webhook audit` prints it; the
// running webhook keeps it for what its caches hold and exports the denials on /metrics.
// Pure: the engine and the objects come in, verdicts go out.
import jsonpatch from 'fast-json-patch';
import type { Decision, Violation } from './admission/decision.js';
import type { AdmissionRequest, Engine } from './admission/request.js';
import { isOptedIn } from './annotations.js';
import { cloneJson } from './json.js';
import type { Deployment, HorizontalPodAutoscaler } from './k8s-types.js';
import type { Policy } from './policy/schema.js';

export type AuditKind = 'Deployment' | 'HorizontalPodAutoscaler';

export interface AuditEntry {
  kind: AuditKind;
  namespace: string;
  name: string;
  /** denied: refused under enforcement deny; skipped: out of the webhook's scope (not judged) */
  verdict: 'allowed' | 'denied' | 'skipped';
  violations: Violation[];
  /** why it is not judged (verdict skipped): a stable code and the sentence */
  skipped?: { reason: string; message: string };
  warnings: string[];
}

export interface AuditGroup {
  verdict: AuditEntry['verdict'];
  /** the violation's reason code (denied), the skip code (skipped), or "allowed" */
  reason: string;
  entries: Array<{ kind: AuditKind; namespace: string; name: string; message?: string }>;
}

export interface AuditReport {
  /** the policy's enforcement now; the verdicts are those of `deny` */
  enforcement: Policy['enforcement'];
  entries: AuditEntry[];
  /** by reason: an object denied for two reasons is under both */
  groups: AuditGroup[];
  summary: { hpas: number; deployments: number; denied: number; allowed: number; skipped: number };
}

/** The policy the audit judges by: the same, enforced. */
export function enforcedPolicy(policy: Policy): Policy {
  return policy.enforcement === 'deny' ? policy : { ...policy, enforcement: 'deny' };
}

const RESOURCES: Record<AuditKind, { group: string; version: string; resource: string }> = {
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  HorizontalPodAutoscaler: { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers' },
};

/** The review of an UPDATE that changes nothing: what the object's next write looks like to the webhooks. */
function noopUpdate(kind: AuditKind, obj: Deployment | HorizontalPodAutoscaler, namespace: string, name: string): AdmissionRequest {
  const r = RESOURCES[kind];
  return {
    uid: `audit-${kind}-${namespace}-${name}`,
    kind: { group: r.group, version: r.version, kind },
    resource: r,
    name,
    namespace,
    operation: 'UPDATE',
    object: obj,
    oldObject: obj,
    dryRun: true,
  };
}

/** Mutation, the patch applied, then validation: the two webhooks in the API server's order. */
function review(engine: Engine, req: AdmissionRequest): Decision {
  const m = engine.mutate(req);
  if (!m.allowed) return m;
  const patched = m.patch && m.patch.length > 0 ? jsonpatch.applyPatch(cloneJson(req.object), m.patch, false, false).newDocument : req.object;
  const v = engine.validate({ ...req, object: patched });
  return { ...v, warnings: [...m.warnings, ...v.warnings] };
}

/** One object's verdict. */
export function auditObject(engine: Engine, kind: AuditKind, obj: Deployment | HorizontalPodAutoscaler): AuditEntry {
  const namespace = obj.metadata?.namespace ?? 'default';
  const name = obj.metadata?.name ?? '(unnamed)';
  const d = review(engine, noopUpdate(kind, obj, namespace, name));
  const base = { kind, namespace, name, warnings: d.warnings };
  if (d.skipped !== undefined) return { ...base, verdict: 'skipped', violations: [], skipped: d.skipped };
  return { ...base, verdict: d.allowed ? 'allowed' : 'denied', violations: d.violations };
}

/**
 * Every HPA and opted-in Deployment, judged by `engine` (built from enforcedPolicy(policy) over a view of the
 * same objects), sorted by namespace, kind, name, and grouped by reason.
 */
export function auditCluster(engine: Engine, policy: Policy, objects: { deployments: readonly Deployment[]; hpas: readonly HorizontalPodAutoscaler[] }): AuditReport {
  const deployments = objects.deployments.filter((d) => isOptedIn(d));
  const entries = [...objects.hpas.map((h) => auditObject(engine, 'HorizontalPodAutoscaler', h)), ...deployments.map((d) => auditObject(engine, 'Deployment', d))].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
  const count = (v: AuditEntry['verdict']) => entries.filter((e) => e.verdict === v).length;
  return {
    enforcement: policy.enforcement,
    entries,
    groups: groupByReason(entries),
    summary: { hpas: objects.hpas.length, deployments: deployments.length, denied: count('denied'), allowed: count('allowed'), skipped: count('skipped') },
  };
}

/** Denials by violation reason (most objects first), then the skipped by skip reason, then the allowed. */
export function groupByReason(entries: readonly AuditEntry[]): AuditGroup[] {
  const groups = new Map<string, AuditGroup>();
  const add = (verdict: AuditEntry['verdict'], reason: string, e: AuditEntry, message?: string) => {
    const key = `${verdict}\u0000${reason}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { verdict, reason, entries: [] }));
    const ref = { kind: e.kind, namespace: e.namespace, name: e.name };
    // the entry names the object: its messages' own "Kind ns/name: " prefix would say it twice
    const prefix = `${e.kind} ${e.namespace}/${e.name}: `;
    g.entries.push(message === undefined ? ref : { ...ref, message: message.startsWith(prefix) ? message.slice(prefix.length) : message });
  };
  for (const e of entries) {
    if (e.verdict === 'denied') {
      // one line per reason: an object denied twice for one reason (two bad metrics) is listed once, with its first message
      const seen = new Set<string>();
      for (const v of e.violations) {
        if (seen.has(v.reason)) continue;
        seen.add(v.reason);
        add('denied', v.reason, e, v.message);
      }
    } else if (e.verdict === 'skipped') add('skipped', e.skipped?.reason ?? 'out-of-scope', e, e.skipped?.message);
    else add('allowed', 'allowed', e);
  }
  const rank = { denied: 0, skipped: 1, allowed: 2 } as const;
  return [...groups.values()].sort((a, b) => rank[a.verdict] - rank[b.verdict] || b.entries.length - a.entries.length || a.reason.localeCompare(b.reason));
}
