// SPEC Validation 1: every custom metric of an HPA is served by a prometheus-adapter rule — Pods and
// Object metrics by `rules`, External metrics by `externalRules` — for the resource the HPA asks about.
// The adapter semantics live in src/core/adapter/; this file turns an HPA metric into a MetricRequest
// and a verdict into a sentence.
import type { Violation } from '../admission/decision.js';
import { resourceForKind } from '../adapter/resources.js';
import type { AdapterRuleSet, MetricRequest, MetricVerdict, RuleRef } from '../adapter/types.js';
import type { MetricSpec } from '../k8s-types.js';

export interface MetricCheck {
  violations: Violation[];
  warnings: string[];
}


export function describeRule(r: RuleRef): string {
  return `${r.list}[${r.index}] (seriesQuery '${r.seriesQuery}')`;
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

/** Turn one verdict into a violation or a warning; `subject` names the object ("HorizontalPodAutoscaler default/x"). */
export function verdictToFindings(subject: string, field: string, req: MetricRequest, verdict: MetricVerdict, rules: AdapterRuleSet): MetricCheck {
  const what = `${req.kind} metric "${req.name}"${req.kind === 'Object' && req.resource ? ` on ${req.resource.resource}` : ''}`;
  switch (verdict.status) {
    case 'served':
      return { violations: [], warnings: verdict.notes.map((n) => `${subject}: ${n}`) };
    case 'unverifiable':
      return {
        violations: [],
        warnings: [`${subject}: ${field}: ${what} could not be verified offline: ${verdict.reason}`, ...(verdict.notes ?? []).map((n) => `${subject}: ${n}`)],
      };
    case 'not-served': {
      const notes = (verdict.notes ?? []).map((n) => `${subject}: ${n}`);
      // live discovery (adapter/live.ts) writes its own sentence: the rule exists, Prometheus has no usable series
      if (verdict.live) return { violations: [{ reason: verdict.live.reason, field, message: `${subject}: ${field}: ${what}: ${verdict.live.message}` }], warnings: notes };
      const list = req.kind === 'External' ? 'externalRules' : 'rules';
      // the registry's explanation names each rule it considered and why it does not serve this ask
      const why = verdict.explanation ? ` Considered: ${verdict.explanation}.` : '';
      const hint = verdict.nearest.length > 0 ? ` Did you mean ${verdict.nearest.join(' or ')}?` : '';
      return {
        violations: [
          {
            reason: 'metric-not-served',
            field,
            message: `${subject}: ${field}: no prometheus-adapter ${list} entry in ${rules.source} serves ${what}, so the HPA would show <unknown> forever.${why}${hint}`,
          },
        ],
        warnings: notes,
      };
    }
  }
}

/** `namespace`: the HPA's own, for the one Object metric the HPA controller reads there whatever it names. */
export function verifyMetricsServed(subject: string, metrics: unknown, rules: AdapterRuleSet, namespace?: string): MetricCheck {
  const out: MetricCheck = { violations: [], warnings: [] };
  if (!Array.isArray(metrics)) return out;
  metrics.forEach((m: MetricSpec, i) => {
    if (m === null || typeof m !== 'object') return;
    const r = metricRequest(m);
    if (!r) return;
    // the one Object metric metricRequest asks cluster-scoped is a Namespace's
    const d = m.type === 'Object' && !r.request.namespaced ? m.object?.describedObject : undefined;
    if (namespace !== undefined && d?.name !== undefined && d.name !== namespace) {
      // GetObjectMetric: "we ignore namespace name here" — the HPA's own namespace is asked
      // the point first: warnings are clipped at 120 characters (decision.ts clipWarning)
      out.warnings.push(`${subject}: the HPA reads namespace ${namespace}'s metric; spec.metrics[${i}].object.describedObject.name "${d.name}" is ignored`);
    }
    const f = verdictToFindings(subject, `spec.metrics[${i}].${r.field}`, r.request, rules.lookup(r.request), rules);
    out.violations.push(...f.violations);
    out.warnings.push(...f.warnings);
  });
  return out;
}
