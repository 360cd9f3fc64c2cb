// The compiled adapter rule set: what prometheus-adapter would serve, predicted offline.
// Custom metrics (HPA Pods/Object) come only from `rules` (pkg/custom-provider/series_registry.go: a metric is
// registered per (group-resource, namespaced, name) for each series a rule names); external metrics only from
// `externalRules` (pkg/external-provider/external_series_registry.go: registered by name alone, and every query
// adds the namespace label unless `resources.namespaced: false`, pkg/naming/metrics_query.go BuildExternal).
// Offline a series' labels are those its seriesQuery guarantees plus the labels the rule's overrides name.
import { AdapterConfigError, type DiscoveryRule, parseAdapterConfig, ruleLabel } from './config.js';
import { asTemplateWarnings, compileNamer, couldProduce, metricNameForSeries, type MetricNamer } from './naming.js';
import { grKey, isRootScopedInRegistry, NAMESPACES, ResourceConverter, sameGR } from './resources.js';
import { parseSeriesQuery, type SeriesQueryInfo } from './series-query.js';
import type { AdapterRuleSet, GroupResource, MetricRequest, MetricVerdict, RuleRef } from './types.js';
import { MAX_NAME_LENGTH, workMeter, type WorkMeter } from '../bounds.js';
import { memoize } from '../memo.js';
import { nearest } from '../suggest.js';
import { VerdictMemo } from './verdict-memo.js';

type ListName = 'rules' | 'externalRules';

export interface CompiledRule {
  ref: RuleRef;
  /** "rules[2] (seriesQuery 'X')" */
  label: string;
  rule: DiscoveryRule;
  namer: MetricNamer;
  converter: ResourceConverter;
  query: SeriesQueryInfo;
  /** derived API name → the series names producing it; null when the series names are unknowable offline */
  derived: Map<string, string[]> | null;
  /** labels every series of this rule carries offline: guaranteed by the query, or asserted by an override */
  labels: Set<string>;
}

/** One registration as SetSeries would make it (provider.CustomMetricInfo). */
export interface Registration {
  group: string;
  resource: string;
  namespaced: boolean;
  metric: string;
}

export interface CompiledAdapterRuleSet extends AdapterRuleSet {
  readonly warnings: readonly string[];
  readonly compiled: { readonly rules: readonly CompiledRule[]; readonly externalRules: readonly CompiledRule[] };
  /** edit-distance cells the "did you mean" searches have filled so far (src/core/suggest.ts) */
  readonly suggestWork: WorkMeter;
}

type Assoc = { status: 'yes' } | { status: 'maybe'; reason: string } | { status: 'no'; reason: string };

const YES: Assoc = { status: 'yes' };

function grText(gr: GroupResource): string {
  return grKey(gr);
}

/** Is the label on every series of the rule (offline view)? */
function labelAssoc(cr: CompiledRule, gr: GroupResource, what: string): Assoc {
  const l = cr.converter.labelForResource(gr);
  if (l.label === null) {
    return { status: 'no', reason: `has no label for ${what} (no resources.overrides entry for ${grText(gr)} and no resources.template)` };
  }
  if (cr.query.absent.has(l.label)) {
    return { status: 'no', reason: `maps ${what} to label ${l.label}, but its seriesQuery only selects series without ${l.label}` };
  }
  if (l.via === 'override') return YES;
  if (cr.query.present.has(l.label)) {
    // the template label must also map back (ResourcesForSeries) to the same resource
    const back = cr.converter.resourceForLabel(l.label);
    if (back && sameGR(back, gr)) return YES;
    return { status: 'no', reason: `resources.template gives label ${l.label} for ${what}, but that label does not map back to ${grText(gr)}` };
  }
  if (!cr.query.parsed) return { status: 'maybe', reason: `the label ${l.label} for ${what} comes from resources.template and ${cr.query.namesUnknownBecause}` };
  return {
    status: 'maybe',
    reason: `the label ${l.label} for ${what} comes from resources.template and its seriesQuery does not require it (add ${l.label}!="" to the seriesQuery, or an override); whether the series carry it is only known to Prometheus`,
  };
}

function worst(...as: Assoc[]): Assoc {
  return as.find((a) => a.status === 'no') ?? as.find((a) => a.status === 'maybe') ?? YES;
}

/** Would a custom-metrics request for (resource, namespaced) find this rule's registration? */
function customAssoc(cr: CompiledRule, resource: GroupResource, namespaced: boolean): Assoc {
  if (cr.rule.metricsQuery.trim() === '') {
    return { status: 'no', reason: 'has no metricsQuery, so every query fails with "empty query produced by metrics query template"' };
  }
  const what = resource.group === '' && resource.resource === 'pods' ? 'pods' : grText(resource);
  const res = labelAssoc(cr, resource, what);
  if (isRootScopedInRegistry(resource)) {
    // series_registry.go: namespaces, nodes and persistentvolumes are always registered non-namespaced
    if (namespaced) {
      return worst(res, {
        status: 'no',
        reason: `can only serve ${what} as a cluster-scoped metric, but the request is namespaced (the HPA controller asks for an Object metric of any kind but Namespace within the HPA's namespace, kubernetes/kubernetes#67777)`,
      });
    }
    return res;
  }
  const ns = labelAssoc(cr, NAMESPACES, 'namespaces');
  if (namespaced) {
    if (ns.status === 'no')
      return worst(res, { status: 'no', reason: `has no namespace label (${ns.reason.replace(/^has no label for namespaces /, '')}), so its ${what} metrics are not namespaced` });
    return worst(res, ns);
  }
  if (ns.status === 'yes') return worst(res, { status: 'no', reason: `registers ${what} metrics as namespaced (it has a namespace label), but the request is cluster-scoped` });
  return res;
}

/** Would an external-metrics request (always namespaced for an HPA) be answerable by this rule? */
function externalAssoc(cr: CompiledRule, namespaced: boolean): Assoc {
  if (cr.rule.metricsQuery.trim() === '') {
    return { status: 'no', reason: 'has no metricsQuery, so every query fails with "empty query produced by metrics query template"' };
  }
  if (!namespaced || cr.rule.resources.namespaced === false) return YES;
  const ns = labelAssoc(cr, NAMESPACES, 'namespaces');
  if (ns.status === 'no') {
    return {
      status: 'no',
      reason:
        'has no label for namespaces, so the adapter fails every query for it ("unable to convert resource namespaces into label: no generic resource label form specified for this metric"); add resources.overrides.namespace: {resource: namespace}, or resources.namespaced: false',
    };
  }
  return ns;
}

function compileRule(rule: DiscoveryRule, list: ListName, index: number, warnings: string[]): CompiledRule {
  const label = ruleLabel(list, index, rule.seriesQuery);
  let converter: ResourceConverter;
  let namer: MetricNamer;
  try {
    // NamersFromConfig order: resource converter, metrics query, filters, name
    converter = new ResourceConverter(rule.resources.template, rule.resources.overrides);
    checkMetricsQueryTemplate(rule.metricsQuery);
    namer = compileNamer(rule);
  } catch (e) {
    throw new AdapterConfigError('', [`${label}: ${(e as Error).message}`]);
  }
  const query = parseSeriesQuery(rule.seriesQuery);
  const labels = new Set(query.present);
  for (const [l] of rule.resources.overrides) if (!query.absent.has(l)) labels.add(l);
  let derived: Map<string, string[]> | null = null;
  if (query.names) {
    derived = new Map();
    for (const series of query.names) {
      const r = metricNameForSeries(namer, series);
      if (!r.ok) {
        warnings.push(`${label}: ${r.reason}, so the rule serves nothing for it`);
        continue;
      }
      if (r.name === '') {
        warnings.push(`${label}: series ${series} gets the empty metric name from name.as ${JSON.stringify(namer.nameAs)}`);
        continue;
      }
      derived.set(r.name, [...(derived.get(r.name) ?? []), series]);
    }
  }
  for (const w of asTemplateWarnings(namer)) warnings.push(`${label}: ${w}`);
  for (const g of converter.guessedOverrides) warnings.push(`${label}: resources.overrides ${g} is not a built-in resource; the adapter refuses to start unless the cluster serves it (a CRD?)`);
  for (const a of converter.ambiguousOverrides) warnings.push(`${label}: resources.overrides ${a}; the adapter queries with whichever label its map iteration picks last`);
  if (rule.metricsQuery.trim() === '') warnings.push(`${label}: has no metricsQuery, so every query for its metrics fails`);
  if (list === 'rules' && rule.resources.namespaced !== null) {
    warnings.push(`${label}: resources.namespaced only affects externalRules; custom-metrics queries ignore it`);
  }
  if (query.names) {
    for (const n of query.names) {
      const hint = DCGM_MISTAKES[n];
      if (hint) warnings.push(`${label}: ${n} ${hint}`);
    }
  }
  return { ref: { list, index, seriesQuery: rule.seriesQuery }, label, rule, namer, converter, query, derived, labels };
}

/** Why a rule can never produce a value when every series name it selects is one dcgm-exporter does not export. */
function neverExported(cr: CompiledRule): string | undefined {
  const names = cr.query.names;
  if (!names || names.length === 0 || !names.every((n) => DCGM_MISTAKES[n] !== undefined)) return undefined;
  return `uses ${names.join(', ')}, not a DCGM field; use DCGM_FI_DEV_FB_USED`;
}

// Series names that guides use but dcgm-exporter does not export.
const DCGM_MISTAKES: Record<string, string> = {
  DCGM_FI_DEV_MEMORY_USED: 'is not a DCGM field: dcgm-exporter exports framebuffer memory as DCGM_FI_DEV_FB_USED / DCGM_FI_DEV_FB_FREE',
  DCGM_FI_DEV_MEMORY_TOTAL: 'is not a DCGM field: dcgm-exporter exports framebuffer memory as DCGM_FI_DEV_FB_USED / DCGM_FI_DEV_FB_FREE',
};

/** text/template Parse errors fail the adapter at startup (NewMetricsQuery); only the unclosed action is checked. */
function checkMetricsQueryTemplate(q: string): void {
  let i = 0;
  for (;;) {
    const open = q.indexOf('<<', i);
    if (open < 0) return;
    const close = q.indexOf('>>', open + 2);
    if (close < 0) throw new Error(`unable to construct metrics query: unable to parse metrics query template ${JSON.stringify(q)}: template: metrics-query: unclosed action`);
    i = close + 2;
  }
}

/** Registrations SetSeries makes for concrete series of one rule (the same logic, for discovery and tests). */
export function registrationsForSeries(cr: CompiledRule, series: Array<{ name: string; labels: Iterable<string> }>): Registration[] {
  const out = new Map<string, Registration>();
  for (const s of series) {
    const r = metricNameForSeries(cr.namer, s.name);
    if (!r.ok) continue;
    const { resources, namespaced } = cr.converter.resourcesForLabels(s.labels);
    for (const gr of resources) {
      const reg: Registration = { group: gr.group, resource: gr.resource, namespaced: isRootScopedInRegistry(gr) ? false : namespaced, metric: r.name };
      out.set(`${reg.group}/${reg.resource}/${reg.namespaced}/${reg.metric}`, reg);
    }
  }
  return [...out.values()];
}

/** The resources a rule associates offline (labels it is sure of). */
function associatedResources(cr: CompiledRule): GroupResource[] {
  return cr.converter.resourcesForLabels(cr.labels).resources;
}

class RuleSet implements CompiledAdapterRuleSet {
  readonly warnings: string[];
  readonly compiled: { rules: CompiledRule[]; externalRules: CompiledRule[] };
  private readonly byName: Record<ListName, Map<string, CompiledRule[]>> = { rules: new Map(), externalRules: new Map() };
  private readonly unknownNames: Record<ListName, CompiledRule[]> = { rules: [], externalRules: [] };
  private readonly served: Record<ListName, string[]>;
  readonly suggestWork: WorkMeter = workMeter();

  constructor(
    readonly source: string,
    rules: CompiledRule[],
    externalRules: CompiledRule[],
    warnings: string[],
  ) {
    this.compiled = { rules, externalRules };
    this.warnings = warnings;
    const served: Record<ListName, Set<string>> = { rules: new Set(), externalRules: new Set() };
    for (const [list, crs] of [
      ['rules', rules],
      ['externalRules', externalRules],
    ] as const) {
      for (const cr of crs) {
        if (!cr.derived) {
          this.unknownNames[list].push(cr);
          continue;
        }
        const ok = list === 'rules' ? associatedResources(cr).length > 0 && cr.rule.metricsQuery.trim() !== '' : externalAssoc(cr, true).status === 'yes';
        for (const name of cr.derived.keys()) {
          const arr = this.byName[list].get(name);
          if (arr) arr.push(cr);
          else this.byName[list].set(name, [cr]);
          if (ok) served[list].add(name);
        }
      }
    }
    this.served = { rules: [...served.rules].sort(), externalRules: [...served.externalRules].sort() };
    this.collisionWarnings(rules);
  }

  /** series_registry.go keys registrations by (resource, namespaced, name): a later rule silently replaces an earlier one. */
  private collisionWarnings(rules: CompiledRule[]): void {
    const seen = new Map<string, CompiledRule>();
    for (const cr of rules) {
      if (!cr.derived) continue;
      for (const name of cr.derived.keys()) {
        for (const gr of associatedResources(cr)) {
          const key = `${name}\u0000${grKey(gr)}`;
          const prev = seen.get(key);
          if (prev && !disjoint(prev.query, cr.query)) {
            this.warnings.push(
              `${cr.label} and ${prev.label} both derive ${name} for ${grKey(gr)}; where both match series the adapter keeps only ${cr.ref.list}[${cr.ref.index}]'s (make the seriesQueries exclusive, e.g. with a label one requires and the other forbids)`,
            );
          }
          seen.set(key, cr);
        }
      }
    }
  }

  servedNames(list: ListName): string[] {
    return [...this.served[list]];
  }

  // Misses repeat (the same HPA is re-validated on every update), so suggestions are memoized per list
  // in the core's one bounded LRU (core/memo.ts); frozen, and copied out so no caller changes another's.
  private readonly nearestMemo = memoize(
    4096,
    ({ list, name }: { list: ListName; name: string }) => Object.freeze(nearest(name, this.served[list], 3, this.suggestWork)),
    ({ list, name }) => `${list}\u0000${name}`,
  );

  private nearest(list: ListName, name: string): string[] {
    // one search, linear in the served names; none at all for a name over MAX_NAME_LENGTH, never kept in the memo
    if (name.length > MAX_NAME_LENGTH) return nearest(name, this.served[list], 3, this.suggestWork);
    return [...this.nearestMemo({ list, name })];
  }

  private readonly memo = new VerdictMemo((req) => this.decide(req));

  lookup(req: MetricRequest): MetricVerdict {
    return this.memo.lookup(req);
  }

  private decide(req: MetricRequest): MetricVerdict {
    const list: ListName = req.kind === 'External' ? 'externalRules' : 'rules';
    const other: ListName = list === 'rules' ? 'externalRules' : 'rules';
    const resource: GroupResource = req.kind === 'Pods' ? { group: '', resource: 'pods' } : (req.resource ?? { group: '', resource: '' });
    const what = req.kind === 'Pods' ? 'pods' : req.kind === 'Object' ? grKey(resource) : 'external';
    const assoc = (cr: CompiledRule): Assoc => (list === 'rules' ? customAssoc(cr, resource, req.namespaced) : externalAssoc(cr, req.namespaced));

    const served: RuleRef[] = [];
    const servedRules: CompiledRule[] = [];
    const maybe: Array<{ cr: CompiledRule; reason: string }> = [];
    const reasons: string[] = [];
    const considered: RuleRef[] = [];

    for (const cr of this.byName[list].get(req.name) ?? []) {
      const a = assoc(cr);
      if (a.status === 'yes') {
        served.push(cr.ref);
        servedRules.push(cr);
      } else if (a.status === 'maybe') maybe.push({ cr, reason: `${cr.label} derives ${req.name}, but ${a.reason}` });
      else {
        considered.push(cr.ref);
        reasons.push(`${cr.label} derives ${req.name} but ${a.reason}`);
      }
    }
    if (served.length > 0) {
      const notes = maybe.map((m) => m.reason);
      // Rules built only on series dcgm-exporter never exports (seed 001's DCGM_FI_DEV_MEMORY_USED) register
      // nothing in a cluster whose series come from dcgm-exporter: said offline, with the fields to build on.
      // Not a denial here: a recording rule may produce such a series; live discovery (live.ts) sees the
      // series Prometheus really holds and denies once the target's pods have run without any.
      if (servedRules.every((cr) => neverExported(cr) !== undefined)) notes.push(...servedRules.map((cr) => `${req.name}: ${cr.ref.list}[${cr.ref.index}] ${neverExported(cr)}`));
      if (servedRules.length > 1 && list === 'rules') {
        // Mutually exclusive selectors (alternative label layouts, as the shipped DCGM rules have) are by
        // design; only overlapping ones are worth a warning.
        const exclusive = servedRules.every((a, i) => servedRules.every((b, j) => i === j || disjoint(a.query, b.query)));
        if (!exclusive) notes.push(`${servedRules.length} rules serve ${req.name} for ${what}; the adapter keeps only the last one's series (series_registry.go)`);
      }
      return { status: 'served', rules: served, notes };
    }
    for (const cr of this.unknownNames[list]) {
      if (!couldProduce(cr.namer, req.name)) continue;
      const a = assoc(cr);
      if (a.status === 'no') {
        considered.push(cr.ref);
        reasons.push(`${cr.label} might derive ${req.name} (${cr.query.namesUnknownBecause}) but ${a.reason}`);
      } else {
        maybe.push({ cr, reason: `${cr.label} may derive ${req.name}: ${cr.query.namesUnknownBecause}${a.status === 'maybe' ? `; also ${a.reason}` : ''}` });
      }
    }
    if (maybe.length > 0) {
      return { status: 'unverifiable', rules: maybe.map((m) => m.cr.ref), reason: maybe.map((m) => m.reason).join('; ') };
    }
    const elsewhere = this.byName[other].get(req.name) ?? [];
    for (const cr of elsewhere) {
      considered.push(cr.ref);
      reasons.push(
        list === 'rules'
          ? `${cr.label} derives ${req.name}, but externalRules serve only External metrics; a ${req.kind} metric needs an entry in rules`
          : `${cr.label} derives ${req.name}, but rules serve only Pods and Object metrics; an External metric needs an entry in externalRules`,
      );
    }
    if (reasons.length === 0) {
      const all = this.compiled[list];
      if (all.length === 0) reasons.push(`${this.source} has no ${list}`);
      // Name what each rule does derive (first few), so the reader sees the rules considered.
      for (const cr of all.slice(0, 5)) {
        considered.push(cr.ref);
        const names = cr.derived ? [...cr.derived.keys()] : [];
        reasons.push(`${cr.label} derives ${names.length > 0 ? names.join(', ') : 'no name offline'}`);
      }
      if (all.length > 5) reasons.push(`and ${all.length - 5} more ${list} entries, none deriving ${req.name}`);
    }
    return { status: 'not-served', considered, explanation: reasons.join('; '), nearest: this.nearest(list, req.name) };
  }
}

/** Two seriesQueries that can never select the same series (a label one requires and the other forbids). */
function disjoint(a: SeriesQueryInfo, b: SeriesQueryInfo): boolean {
  for (const l of a.present) if (b.absent.has(l)) return true;
  for (const l of b.present) if (a.absent.has(l)) return true;
  return false;
}

/**
 * Compile an adapter config file's text (the file the adapter reads) into a rule set. Throws AdapterConfigError,
 * naming every problem, where the adapter would refuse to start.
 */
export function compileAdapterConfig(text: string, source: string): CompiledAdapterRuleSet {
  const { config, warnings } = parseAdapterConfig(text, source);
  const issues: string[] = [];
  const compileList = (list: ListName, rules: DiscoveryRule[]): CompiledRule[] => {
    const out: CompiledRule[] = [];
    rules.forEach((r, i) => {
      try {
        out.push(compileRule(r, list, i, warnings));
      } catch (e) {
        if (e instanceof AdapterConfigError) issues.push(...e.issues);
        else throw e;
      }
    });
    return out;
  };
  const rules = compileList('rules', config.rules);
  const externalRules = compileList('externalRules', config.externalRules);
  if (issues.length > 0) throw new AdapterConfigError(source, issues);
  return new RuleSet(source, rules, externalRules, warnings);
}
