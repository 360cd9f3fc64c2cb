// SPEC Validation 1: every custom metric of an HPA is served by a prometheus-adapter rule — Pods and
// Object metrics by `rules`, External metrics by `externalRules` — for the resource the HPA asks about.
// The adapter semantics live in src/core/adapter/; this file turns an HPA metric into a MetricRequest
// and a verdict into a sentence.
import type { Violation } from '../admission/decision.js';
import { resourceForKind } from '../adapter/resources.js';
import type { AdapterRuleSet, MetricRequest, MetricVerdict } from '../adapter/types.js';
import { childPath, indexPath } from '../field.js';
import type { MetricSpec } from '../k8s-types.js';
import { brief, excerpt, MAX_METRICS, MAX_NAME_LENGTH, tooLong, tooMany } from '../bounds.js';
import type { TargetPods } from './target-pods.js';

export interface MetricCheck {
  violations: Violation[];
  warnings: string[];
}

/** The adapter lookup an HPA metric source implies, or undefined for Resource/ContainerResource metrics. */
export function metricRequest(m: MetricSpec): { request: MetricRequest; field: string } | undefined {
  if (m.type === 'Pods' && typeof m.pods?.metric?.name === 'string') {
    return { request: { kind: 'Pods', name: m.pods.metric.name, resource: { group: '', resource: 'pods' }, namespaced: true }, field: 'pods.metric.name' };
  }
  if (m.type === 'Object' && typeof m.object?.metric?.name === 'string') {
    const d = m.object.describedObject;
    if (typeof d?.kind !== 'string') return undefined; // the API-server rules report the missing describedObject
    const resource = resourceForKind(typeof d.apiVersion === 'string' ? d.apiVersion : 'v1', d.kind);
    // What the HPA controller asks (pkg/controller/podautoscaler/metrics/client.go GetObjectMetric):
    // a Namespace's metric root-scoped, every other kind's within the HPA's namespace — Nodes and
    // PersistentVolumes too (kubernetes/kubernetes#67777), which the adapter registers only
    // cluster-scoped (series_registry.go), so no rule can serve those.
    const namespaced = !(resource.group === '' && resource.resource === 'namespaces');
    return { request: { kind: 'Object', name: m.object.metric.name, resource, namespaced }, field: 'object.metric.name' };
  }
  if (m.type === 'External' && typeof m.external?.metric?.name === 'string') {
    return { request: { kind: 'External', name: m.external.metric.name, namespaced: true }, field: 'external.metric.name' };
  }
  return undefined;
}

/**
 * Turn one verdict into a violation or a warning, without the object's name (the engine puts it in front of a violation).
 * `pods`: whether the pods the metric comes from run (the HPA's target, or the opted-in Deployment itself).
 */
export function verdictToFindings(field: string, req: MetricRequest, verdict: MetricVerdict, rules: AdapterRuleSet, pods?: TargetPods): MetricCheck {
  const what = `${req.kind} metric "${req.name}"${req.kind === 'Object' && req.resource ? ` on ${req.resource.resource}` : ''}`;
  const before = verdict.status === 'not-served' ? verdict.live?.beforePods : undefined;
  if (before && pods && pods.state !== 'unknown') return beforePodsRun(field, what, req, verdict, before, rules, pods);
  switch (verdict.status) {
    case 'served':
      return { violations: [], warnings: [...verdict.notes] };
    case 'unverifiable':
      return {
        violations: [],
        warnings: [`${field}: ${what} could not be verified offline: ${verdict.reason}`, ...(verdict.notes ?? [])],
      };
    case 'not-served': {
      const notes = [...(verdict.notes ?? [])];
      // live discovery (adapter/live.ts) writes its own sentence: the rule exists, Prometheus has no usable series
      if (verdict.live) return { violations: [{ reason: verdict.live.reason, field, message: `${field}: ${what}: ${verdict.live.message}` }], warnings: notes };
      const list = req.kind === 'External' ? 'externalRules' : 'rules';
      // the registry's explanation names each rule it considered and why it does not serve this ask
      const why = verdict.explanation ? ` Considered: ${verdict.explanation}.` : '';
      const hint = verdict.nearest.length > 0 ? ` Did you mean ${verdict.nearest.join(' or ')}?` : '';
      return {
        violations: [
          {
            reason: 'metric-not-served',
            field,
            message: `${field}: no prometheus-adapter ${list} entry in ${rules.source} serves ${what}, so the HPA would show <unknown> forever.${why}${hint}`,
            short: `${req.kind} metric "${brief(req.name, 60)}" is served by no adapter ${list} entry; ${verdict.nearest.length > 0 ? `did you mean ${verdict.nearest[0]}?` : `add a ${list} entry for it`}`,
          },
        ],
        warnings: notes,
      };
    }
  }
}

type BeforePods = NonNullable<NonNullable<Extract<MetricVerdict, { status: 'not-served' }>['live']>['beforePods']>;

/**
 * Live discovery found no series for a Pods metric a rule could serve (issue 18). The series would come from the
 * target's pods, so that is final only once they have run for a whole discovery window: the pass then looked
 * at every sample since before they were available and found none. Until then the adapter config alone
 * decides, with a warning saying what was checked and what could not be yet.
 */
function beforePodsRun(
  field: string,
  what: string,
  req: MetricRequest,
  verdict: MetricVerdict,
  before: BeforePods,
  rules: AdapterRuleSet,
  pods: Exclude<TargetPods, { state: 'unknown' }>,
): MetricCheck {
  const notes = verdict.status === 'not-served' ? [...(verdict.notes ?? [])] : [];
  if (pods.state === 'running' && pods.since !== undefined && pods.since <= before.windowStart) {
    const message = `${field}: ${what}: ${pods.why}, before the last series discovery pass's window began (${new Date(before.windowStart).toISOString()}), and still ${before.detail}; ${before.conclusion ?? 'so prometheus-adapter registers no such metric'} and the HPA would show <unknown> forever`;
    return { violations: [{ reason: 'metric-no-series', field, message }], warnings: notes };
  }
  const offline = verdictToFindings(field, req, before.offline, rules);
  if (offline.violations.length > 0) return { violations: offline.violations, warnings: [...offline.warnings, ...notes] };
  const served = before.offline.status === 'not-served' ? [] : before.offline.rules.map((r) => `${r.list}[${r.index}]`);
  const until = pods.state === 'none' ? 'until its pods run' : 'until its pods have run for a discovery interval';
  // the point first: AdmissionResponse warnings are clipped at 120 characters (decision.ts clipWarning)
  const warning = `${what}: no series yet, allowed ${until}; checked: ${served.length > 0 ? `${served.join(', ')} would serve it for the pods` : 'the adapter config'} (${field}); not yet: ${before.detail}, as ${pods.why}; judged again on its next write`;
  return { violations: [], warnings: [warning, ...offline.warnings, ...notes] };
}

/**
 * `namespace`: the HPA's own, for the one Object metric the HPA controller reads there whatever it names.
 * `pods`: whether the HPA's target has running pods (issue 18: "no series" for a Pods metric is final only then).
 */
export function verifyMetricsServed(metrics: unknown, rules: AdapterRuleSet, namespace?: string, pods?: TargetPods): MetricCheck {
  const out: MetricCheck = { violations: [], warnings: [] };
  if (!Array.isArray(metrics)) return out;
  // bounds first (issue 17): no lookup for a list or a name over its bound
  if (metrics.length > MAX_METRICS) {
    out.violations.push(tooMany('spec.metrics', 'spec.metrics', metrics.length, MAX_METRICS));
    return out;
  }
  metrics.forEach((m: MetricSpec, i) => {
    if (m === null || typeof m !== 'object') return;
    const r = metricRequest(m);
    if (!r) return;
    const field = childPath(indexPath('spec.metrics', i), r.field);
    if (r.request.name.length > MAX_NAME_LENGTH) {
      out.violations.push(tooLong(field, `${field} (the metric name)`, r.request.name, MAX_NAME_LENGTH));
      return;
    }
    // the one Object metric metricRequest asks cluster-scoped is a Namespace's
    const d = m.type === 'Object' && !r.request.namespaced ? m.object?.describedObject : undefined;
    if (namespace !== undefined && d?.name !== undefined && d.name !== namespace) {
      // GetObjectMetric: "we ignore namespace name here" — the HPA's own namespace is asked
      // the point first: warnings are clipped at 120 characters (decision.ts clipWarning)
      out.warnings.push(`the HPA reads namespace ${namespace}'s metric; ${childPath(indexPath('spec.metrics', i), 'object', 'describedObject', 'name')} "${excerpt(String(d.name))}" is ignored`);
    }
    // the HPA's namespace: live discovery checks the adapter would find series there (live.ts valueFor)
    // a Pods metric is asked for the target's pods by name, when they are known (live.ts valueFor); a target
    // without pods yet has none to ask for
    const names = r.request.kind !== 'Pods' ? undefined : pods?.state === 'running' ? pods.names : pods?.state === 'none' ? [] : undefined;
    const request = namespace === undefined ? r.request : { ...r.request, namespace, ...(names ? { pods: names } : {}) };
    const f = verdictToFindings(field, request, rules.lookup(request), rules, pods);
    out.violations.push(...f.violations);
    out.warnings.push(...f.warnings);
  });
  return out;
}
