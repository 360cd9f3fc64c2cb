// A compiled rule set overlaid with the series Prometheus really has: what prometheus-adapter registers after
// its discovery pass, predicted from the same data it reads. Pure: the I/O shell (src/discovery/) fetches
// each rule's seriesQuery from /api/v1/series and hands the answer in as a DiscoveryState.
//
// The adapter's discovery, followed here:
// - pkg/custom-provider/provider.go (cachingMetricsLister.updateMetrics) and pkg/external-provider/
//   basic_metric_lister.go (ListAllMetrics): every rule's seriesQuery is sent once (identical selectors are
//   fetched once and shared), then each rule's FilterSeries drops names its seriesFilters/name.matches reject;
//   one failed query fails the whole pass and the previous result stays in force.
// - pkg/custom-provider/series_registry.go SetSeries: each series registers (resource, namespaced, name) for every
//   resource its label names map to (ResourcesForSeries), namespaced when a label maps to namespaces
//   (never for namespaces/nodes/persistentvolumes); a later rule's registration replaces an earlier one's.
// - pkg/external-provider/external_series_registry.go filterAndStoreMetrics: external metrics by name alone.
import { couldProduce, metricNameForSeries } from './naming.js';
import { registrationsForSeries, type CompiledAdapterRuleSet, type CompiledRule, type Registration } from './registry.js';
import type { SeriesQueryInfo } from './series-query.js';
import { grKey, isRootScopedInRegistry, NAMESPACES } from './resources.js';
import type { AdapterRuleSet, GroupResource, MetricRequest, MetricVerdict, RuleRef } from './types.js';
import { VerdictMemo } from './verdict-memo.js';

type ListName = 'rules' | 'externalRules';

/** Series with the same name and label names register identically, so discovery keeps one entry per layout. */
export interface SeriesGroup {
  /** __name__ */
  name: string;
  /** label names other than __name__, sorted */
  labels: string[];
  /** how many series have this layout */
  count: number;
  /** one series' labels (without __name__), for messages */
  example: Record<string, string>;
  /** the distinct values of the labels discovery was asked to keep (the rules' namespace labels) */
  values: Record<string, string[]>;
  /** position of the group's last series in Prometheus' answer (SetSeries: the last series named X wins) */
  last: number;
}

export interface DiscoverySnapshot {
  /** where the series came from (Prometheus URL, credentials removed), for messages */
  source: string;
  /** seriesQuery → the series /api/v1/series returned for it, grouped by layout */
  series: ReadonlyMap<string, readonly SeriesGroup[]>;
  /** when the pass finished (ms since the epoch; from the shell, the core has no clock) */
  at: number;
  /** the pass asked for series with samples since then (/api/v1/series `start`); default: `at` */
  windowStart?: number;
}

export interface DiscoveryState {
  /** the last pass that succeeded */
  snapshot?: DiscoverySnapshot;
  /** why the latest pass failed (undefined when it succeeded, or none has finished yet) */
  error?: string;
  /** the same, short (no seriesQuery), for warnings */
  errorShort?: string;
  /** true when verdicts must not rely on the snapshot: no pass succeeded yet, or the latest one failed */
  stale: boolean;
}

/**
 * Group the series of one /api/v1/series answer by (name, label names), keeping the distinct values of the
 * labels in `keep` (what the adapter's query filters on: the namespace labels, see valueLabels).
 */
export function groupSeries(raw: ReadonlyArray<Record<string, string>>, keep: ReadonlySet<string> = new Set()): SeriesGroup[] {
  const out = new Map<string, SeriesGroup>();
  raw.forEach((s, i) => {
    const name = s.__name__ ?? '';
    const labels = Object.keys(s)
      .filter((k) => k !== '__name__')
      .sort();
    const key = `${name}\u0000${labels.join('\u0000')}`;
    let g = out.get(key);
    if (g) {
      g.count++;
      g.last = i;
    } else {
      const example: Record<string, string> = {};
      for (const l of labels) example[l] = s[l]!;
      g = { name, labels, count: 1, example, values: {}, last: i };
      out.set(key, g);
    }
    for (const l of keep) {
      // a pair key (pairKey): both labels' values together, as "value\u0000value"
      const [a, b] = l.split('\u0000');
      const v = b === undefined ? s[l] : s[a!] !== undefined && s[b] !== undefined ? `${s[a!]}\u0000${s[b]}` : undefined;
      if (v === undefined) continue;
      const vs = (g.values[l] ??= []);
      if (!vs.includes(v)) vs.push(v);
    }
  });
  return [...out.values()];
}

function isCompiled(r: AdapterRuleSet): r is CompiledAdapterRuleSet {
  return 'compiled' in r && typeof (r as CompiledAdapterRuleSet).compiled === 'object';
}

const PODS: GroupResource = { group: '', resource: 'pods' };

function regKey(gr: GroupResource, namespaced: boolean, metric: string): string {
  return `${grKey(gr)}\u0000${namespaced}\u0000${metric}`;
}

/**
 * A series' shape for a message: its name and label names, values left out — they name pods and
 * namespaces of other teams (issue 17: a denial never describes another namespace's objects).
 */
function exampleText(g: SeriesGroup): string {
  const parts = Object.keys(g.example).map((k) => `${k}=…`);
  const text = `${g.name}{${parts.join(',')}}`;
  return text.length > 240 ? `${text.slice(0, 237)}…` : text;
}

/** The registration in force for a key: its rule and the series name the adapter's query will read. */
interface Winner {
  rl: RuleLive;
  seriesName: string;
}

/** What one rule's series do, after its filters and naming. */
interface RuleLive {
  cr: CompiledRule;
  /** series the seriesQuery returned */
  matched: number;
  /** derived metric name → series groups producing it */
  named: Map<string, SeriesGroup[]>;
  /** why the first dropped series was dropped (seriesFilters, name.matches) */
  firstDrop?: string;
  /** true when this rule's seriesQuery was not part of the pass (the rules changed since) */
  pending: boolean;
}

/** The state line that goes with an offline verdict when discovery cannot be trusted. */
export function staleNote(state: DiscoveryState): string {
  // AdmissionResponse warnings are clipped at 120 characters: what the operator must know comes first
  if (!state.snapshot && !state.error) return 'series discovery not done yet: judged by the adapter config alone';
  return `series discovery stale, judged by the adapter config alone: ${state.errorShort ?? state.error ?? 'no successful pass'}`;
}

/**
 * The rule set admission uses with live discovery. Stale or absent discovery → the offline verdicts plus a
 * warning; otherwise verdicts from the registrations the adapter makes for the series Prometheus has.
 */
export function liveRuleSet(base: AdapterRuleSet, state: DiscoveryState): AdapterRuleSet {
  if (!isCompiled(base)) return base;
  if (state.stale || !state.snapshot) return new OfflineWithNote(base, staleNote(state));
  return new LiveRuleSet(base, state.snapshot);
}

function withNotes(v: MetricVerdict, notes: string[]): MetricVerdict {
  if (notes.length === 0) return v;
  if (v.status === 'served') return { ...v, notes: [...v.notes, ...notes] };
  return { ...v, notes: [...(v.notes ?? []), ...notes] };
}

class OfflineWithNote implements AdapterRuleSet {
  readonly source: string;
  readonly warnings: readonly string[] | undefined;
  constructor(
    private readonly base: AdapterRuleSet,
    private readonly note: string,
  ) {
    this.source = base.source;
    this.warnings = base.warnings;
  }
  lookup(req: MetricRequest): MetricVerdict {
    return withNotes(this.base.lookup(req), [this.note]);
  }
  servedNames(list: ListName): string[] {
    return this.base.servedNames(list);
  }
}

class LiveRuleSet implements AdapterRuleSet {
  readonly source: string;
  readonly warnings: readonly string[];
  private readonly live: Record<ListName, RuleLive[]> = { rules: [], externalRules: [] };
  /** custom metrics: (resource, namespaced, name) → the rule and series name whose registration is in force (the last one) */
  private readonly customRegs = new Map<string, Winner>();
  /** external metrics: name → the rule and series name in force */
  private readonly externalRegs = new Map<string, Winner>();
  /** every series group Prometheus returned, by series name (the adapter's query reads the name, whatever the layout) */
  private readonly byName = new Map<string, SeriesGroup[]>();
  private readonly served: Record<ListName, string[]>;

  constructor(
    private readonly base: CompiledAdapterRuleSet,
    private readonly snap: DiscoverySnapshot,
  ) {
    this.source = `${base.source} + series in ${snap.source}`;
    this.warnings = base.warnings;
    const names: Record<ListName, Set<string>> = { rules: new Set(), externalRules: new Set() };
    for (const list of ['rules', 'externalRules'] as const) {
      for (const cr of base.compiled[list]) {
        const groups = snap.series.get(cr.rule.seriesQuery);
        const rl: RuleLive = { cr, matched: 0, named: new Map(), pending: groups === undefined };
        // within a rule, series in Prometheus' order: the last one registering a key names the series queried
        const ordered = [...(groups ?? [])].sort((a, b) => a.last - b.last);
        const winners = new Map<string, Winner>();
        for (const g of ordered) {
          rl.matched += g.count;
          const r = metricNameForSeries(cr.namer, g.name);
          if (!r.ok) {
            rl.firstDrop ??= r.reason;
            continue;
          }
          const arr = rl.named.get(r.name);
          if (arr) arr.push(g);
          else rl.named.set(r.name, [g]);
          if (list === 'rules') {
            for (const reg of registrationsForSeries(cr, [g])) {
              winners.set(regKey(reg, reg.namespaced, reg.metric), { rl, seriesName: g.name });
              names.rules.add(reg.metric);
            }
          } else {
            winners.set(r.name, { rl, seriesName: g.name });
            names.externalRules.add(r.name);
          }
        }
        // a later rule's registration replaces an earlier one's (series_registry.go SetSeries, external_series_registry.go)
        for (const [k, w] of winners) (list === 'rules' ? this.customRegs : this.externalRegs).set(k, w);
        this.live[list].push(rl);
      }
    }
    this.served = { rules: [...names.rules].sort(), externalRules: [...names.externalRules].sort() };
    for (const groups of snap.series.values()) {
      for (const g of groups) {
        const arr = this.byName.get(g.name) ?? [];
        if (!arr.some((x) => x.labels.join('\u0000') === g.labels.join('\u0000'))) arr.push({ ...g, values: { ...g.values } });
        else {
          // the same layout from another selector: merge its values
          const x = arr.find((y) => y.labels.join('\u0000') === g.labels.join('\u0000'))!;
          for (const [l, vs] of Object.entries(g.values)) x.values[l] = [...new Set([...(x.values[l] ?? []), ...vs])];
        }
        this.byName.set(g.name, arr);
      }
    }
  }

  servedNames(list: ListName): string[] {
    return [...this.served[list]];
  }

  private where(): string {
    return `Prometheus ${this.snap.source}`;
  }

  private readonly memo = new VerdictMemo((req) => this.decide(req));

  lookup(req: MetricRequest): MetricVerdict {
    return this.memo.lookup(req);
  }

  private decide(req: MetricRequest): MetricVerdict {
    const list: ListName = req.kind === 'External' ? 'externalRules' : 'rules';
    const resource: GroupResource = req.kind === 'Pods' ? PODS : (req.resource ?? { group: '', resource: '' });
    // rules that could derive the name, judging by the config alone (the offline view)
    const candidates = this.live[list].filter((rl) => (rl.cr.derived ? rl.cr.derived.has(req.name) : couldProduce(rl.cr.namer, req.name)) || rl.named.has(req.name));
    const pending = candidates.filter((rl) => rl.pending);
    if (pending.length > 0) {
      // the rules changed after the last pass: until the next one, the offline verdict
      return withNotes(this.base.lookup(req), [`series discovery has not yet run for ${pending.map((p) => p.cr.label).join(', ')}; judged by the adapter config alone`]);
    }
    const owner = list === 'rules' ? this.customRegs.get(regKey(resource, req.namespaced, req.name)) : this.externalRegs.get(req.name);
    if (owner) {
      const v = this.registered(req, list, resource, owner.rl);
      if (v.status !== 'served') return v;
      const none = this.valueFor(req, list, resource, owner);
      if (!none) return v;
      // No value for this namespace now. Whether that is final depends on the target's pods (a new workload's
      // pods write their series once they run): the caller decides with them, as for "no series" (issue 18).
      if (none.status === 'not-served' && none.live) {
        none.live.beforePods = { offline: v, detail: none.live.message, windowStart: this.snap.windowStart ?? this.snap.at, conclusion: 'so the adapter returns nothing for its pods' };
      }
      return none;
    }
    const producing = candidates.filter((rl) => rl.named.has(req.name));
    if (producing.length > 0) return this.unassociated(req, list, resource, producing);
    if (candidates.length > 0) return this.noSeries(req, candidates);
    // no rule could serve it at all: exactly the offline verdict
    return this.base.lookup(req);
  }

  /** The metric is registered for what the HPA asks; check the registration is usable. */
  private registered(req: MetricRequest, list: ListName, resource: GroupResource, owner: RuleLive): MetricVerdict {
    const offline = this.base.lookup(req);
    const groups = owner.named.get(req.name) ?? [];
    const ref = owner.cr.ref;
    if (owner.cr.rule.metricsQuery.trim() === '' && offline.status === 'not-served') return offline;
    if (list === 'externalRules') {
      // BuildExternal (pkg/naming/metrics_query.go) adds the namespace label matcher unless namespaced: false
      if (req.namespaced && owner.cr.rule.resources.namespaced !== false) {
        const l = owner.cr.converter.labelForResource(NAMESPACES);
        if (l.label === null) {
          // listed by the adapter (registered by name), but BuildExternal fails: every namespaced query errors
          return this.denyRegistered(
            req,
            [ref],
            'metric-series-unassociated',
            `${owner.cr.label} derives it from ${sum(groups)} series in ${this.where()}, so the adapter lists it, but the rule has no label for namespaces (${l.error}): every namespaced query for it fails and the HPA would show <unknown> forever; add resources.overrides.namespace: {resource: namespace}, or resources.namespaced: false`,
          );
        }
        if (!groups.some((g) => g.labels.includes(l.label))) {
          return this.denyRegistered(
            req,
            [ref],
            'metric-series-unassociated',
            `${owner.cr.label} derives it from ${sum(groups)} series in ${this.where()}, but none carries ${l.label}, the label the adapter filters by namespace with, so every namespaced query returns nothing and the HPA would show <unknown> forever (e.g. ${exampleText(groups[0]!)}); add resources.namespaced: false, or a namespace label`,
          );
        }
      }
      return { status: 'served', rules: [ref], notes: [] };
    }
    // Series that carry both L and exported_L were scraped with honor_labels: false; L is then the
    // scrape target's own label (the exporter's pod), and the workload's moved to exported_L.
    const notes: string[] = [];
    for (const gr of resource.resource === 'pods' && resource.group === '' ? [PODS, NAMESPACES] : [NAMESPACES]) {
      const l = owner.cr.converter.labelForResource(gr);
      if (l.label === null || l.label.startsWith('exported_')) continue;
      const clashing = groups.filter((g) => g.labels.includes(l.label) && g.labels.includes(`exported_${l.label}`));
      if (clashing.length === 0) continue;
      const msg = `${owner.cr.label} maps ${grKey(gr)} to label ${l.label}, but ${clashing.length === groups.length ? 'its' : 'some of its'} series of ${req.name} also carry exported_${l.label}: Prometheus scraped the exporter with honor_labels: false, so ${l.label} is the exporter's own ${gr.resource === 'pods' ? 'pod' : 'namespace'} and the workload's is in exported_${l.label} (e.g. ${exampleText(clashing[0]!)}); map exported_${l.label} in resources.overrides`;
      // for a Pods metric either clash (pod or namespace) sends the HPA's query to the exporter's pod, not its own
      // with the HPA's namespace known, valueFor decides from every series of the name (the query reads them all)
      if (req.kind === 'Pods' && clashing.length === groups.length && req.namespace === undefined) {
        return this.denyRegistered(req, [ref], 'metric-series-unassociated', `${msg}, or the HPA's pods never get a value`);
      }
      notes.push(msg);
    }
    if (offline.status === 'served') notes.push(...offline.notes);
    return { status: 'served', rules: [ref], notes };
  }

  /** Series derive the name, but register it for other resources (or non-namespaced) than the HPA asks about. */
  private unassociated(req: MetricRequest, list: ListName, resource: GroupResource, producing: RuleLive[]): MetricVerdict {
    const what = list === 'externalRules' ? 'external' : grKey(resource);
    const reasons: string[] = [];
    for (const rl of producing) {
      const groups = rl.named.get(req.name)!;
      const regs: Registration[] = registrationsForSeries(rl.cr, groups);
      const got = regs.filter((r) => r.metric === req.name).map((r) => `${grKey(r)}${r.namespaced ? '' : ' (cluster-scoped)'}`);
      let why: string;
      const l = rl.cr.converter.labelForResource(resource);
      const carriesResource = l.label !== null && groups.some((g) => g.labels.includes(l.label));
      if (l.label === null) why = `it has no label for ${what} (no resources.overrides entry and no resources.template)`;
      else if (!carriesResource) why = `none carries ${l.label}, the rule's label for ${what}`;
      else if (isRootScopedInRegistry(resource))
        why = `the adapter registers ${what} metrics only cluster-scoped, and the HPA controller asks for an Object metric on ${what} within the HPA's namespace (kubernetes/kubernetes#67777)`;
      else why = `they carry no label the rule maps to namespaces, so the adapter registers ${req.name} for ${what} cluster-scoped while the HPA asks per namespace`;
      let hint = '';
      if (!carriesResource && l.label !== null && resource.resource === 'pods') {
        const alt = ['exported_pod', 'pod', 'pod_name', 'kubernetes_pod_name'].find((a) => a !== l.label && groups.some((g) => g.labels.includes(a)));
        if (alt)
          hint = `; they carry ${alt}${alt === 'exported_pod' ? ' (the workload pod when Prometheus scrapes the exporter with honor_labels: false)' : ''} — map it with resources.overrides ${alt}: {resource: pod}`;
      }
      reasons.push(
        `${rl.cr.label} derives ${req.name} from ${sum(groups)} series in ${this.where()}, registered for ${got.length > 0 ? got.join(', ') : 'no resource'}: ${why} (e.g. ${exampleText(groups[0]!)})${hint}`,
      );
    }
    return this.deny(
      req,
      producing.map((p) => p.cr.ref),
      'metric-series-unassociated',
      `the adapter would not serve it for ${what}, so the HPA would show <unknown> forever: ${reasons.join('; ')}`,
    );
  }

  /** A rule could serve the name, but the series Prometheus has now do not produce it. */
  private noSeries(req: MetricRequest, candidates: RuleLive[]): MetricVerdict {
    const reasons = candidates.map((rl) => {
      const q = `seriesQuery '${rl.cr.rule.seriesQuery}'`;
      const ruleName = `${rl.cr.ref.list}[${rl.cr.ref.index}]`;
      const hints = this.base.warnings.filter((w) => (rl.cr.query.names ?? []).some((n) => w.startsWith(`${rl.cr.label}: ${n} `))).map((w) => w.slice(rl.cr.label.length + 2));
      const hint = hints.length > 0 ? ` (${hints.join('; ')})` : '';
      if (rl.matched === 0) return `${ruleName}'s ${q} matches no series in ${this.where()}${hint}`;
      const produced = [...rl.named.keys()];
      return `${ruleName}'s ${q} matches ${rl.matched} series, but none is named ${req.name}: ${produced.length > 0 ? `they give ${produced.slice(0, 5).join(', ')}` : (rl.firstDrop ?? 'every one is dropped')}${hint}`;
    });
    const v = this.deny(
      req,
      candidates.map((c) => c.cr.ref),
      'metric-no-series',
      `the adapter config could serve it, but ${reasons.join('; ')}; so prometheus-adapter registers no such metric and the HPA would show <unknown> forever`,
    );
    // A Pods metric's series come from the target's pods (dcgm-exporter labels a GPU with the pod holding it):
    // the caller, which knows whether they run, decides between "not yet" and "never" (issue 18).
    if (req.kind === 'Pods' && v.status === 'not-served' && v.live) {
      v.live.beforePods = { offline: this.base.lookup(req), detail: reasons.join('; '), windowStart: this.snap.windowStart ?? this.snap.at };
    }
    return v;
  }

  // ---- value level: the metric is registered; would the adapter's query return anything for this HPA? ----
  // pkg/naming/metrics_query.go Build / BuildExternal: the query reads the registration's series name (the last
  // series registering it, series_registry.go SetSeries) with `<namespace label>="<the HPA's namespace>"` (and
  // for a Namespace object, the namespace label equal to it); pkg/custom-provider/provider.go metricsFor keeps
  // only results carrying the resource label. No namespace label for the rule: Build fails, the API answers
  // NotFound. So: registered, but no series of that name in the HPA's namespace → the HPA gets nothing.
  private valueFor(req: MetricRequest, list: ListName, resource: GroupResource, w: Winner): MetricVerdict | undefined {
    if (req.namespace === undefined) return undefined;
    const cr = w.rl.cr;
    const ref = cr.ref;
    const externalRoot = list === 'externalRules' && cr.rule.resources.namespaced === false;
    const needNs = list === 'externalRules' ? !externalRoot : req.namespaced || sameResource(resource, NAMESPACES);
    let nsLabel: string | null = null;
    if (needNs) {
      const l = cr.converter.labelForResource(NAMESPACES);
      if (l.label === null) {
        return this.denyRegistered(
          req,
          [ref],
          'metric-series-unassociated',
          `${cr.label} registers ${req.name}, but has no label for namespaces (${l.error}), so the adapter cannot build the query for namespace ${req.namespace} and answers NotFound; add resources.overrides.namespace: {resource: namespace}`,
        );
      }
      nsLabel = l.label;
    }
    const resLabel = list === 'rules' ? cr.converter.labelForResource(resource).label : null;
    const inNs = (g: SeriesGroup) => (resLabel === null || g.labels.includes(resLabel)) && (nsLabel === null || (g.values[nsLabel] ?? []).includes(req.namespace!));
    // a Pods metric whose target's pods are known: provider.go GetMetricBySelector lists the selector's pods and
    // queries `<pod label>=~"<their names>"`, keeping the results per pod — a series of another pod of the
    // namespace answers nothing for this HPA
    const wanted = req.kind === 'Pods' && req.pods !== undefined && nsLabel !== null && resLabel !== null ? new Set(req.pods.map((p) => `${req.namespace}\u0000${p}`)) : undefined;
    const key = nsLabel !== null && resLabel !== null ? pairKey(nsLabel, resLabel) : '';
    const carries = (g: SeriesGroup) => inNs(g) && (wanted === undefined || (g.values[key] ?? []).some((v) => wanted.has(v)));
    const groups = this.byName.get(w.seriesName) ?? [];
    if (wanted !== undefined && groups.some(inNs) && !groups.some(carries)) {
      const n = wanted.size;
      return this.denyRegistered(
        req,
        [ref],
        'metric-no-series',
        `${cr.label} registers ${req.name}, and ${this.where()} has series ${w.seriesName} with ${nsLabel}="${req.namespace}", but ${n === 0 ? "the HPA's target has no pod yet" : `none whose ${resLabel} is one of the ${n} pod${n === 1 ? '' : 's'} of the HPA's target`}: the adapter queries only the pods the HPA's selector matches, so the HPA gets no value`,
      );
    }
    if (!groups.some(carries)) {
      const seen = nsLabel === null ? [] : [...new Set(groups.flatMap((g) => g.values[nsLabel] ?? []))].sort();
      // how many other namespaces have them, never which (issue 17: no other namespace's detail)
      const where = nsLabel === null ? '' : seen.length > 0 ? `; only ${seen.length} other namespace${seen.length === 1 ? ' has' : 's have'} them` : `; none carries ${nsLabel}`;
      return this.denyRegistered(
        req,
        [ref],
        'metric-no-series',
        `${cr.label} registers ${req.name}, but the adapter queries series ${w.seriesName}${nsLabel ? ` with ${nsLabel}="${req.namespace}"` : ''}${resLabel ? ` by ${resLabel}` : ''} and ${this.where()} has none${where}: the HPA in ${req.namespace} gets no value`,
      );
    }
    // other series the metricsQuery joins with (e.g. `… / sum(DCGM_FI_DEV_FB_FREE{<<.LabelMatchers>>}) by (…)`)
    for (const other of joinedSeries(cr.rule.metricsQuery)) {
      const og = this.snap.series.get(other) ?? [];
      // joined on the query's labels: the other side needs the resource label and the namespace too
      const ok = og.some(carries);
      if (!ok) {
        return this.denyRegistered(
          req,
          [ref],
          'metric-no-series',
          `${cr.label}'s metricsQuery joins ${req.name} with ${other}, and ${this.where()} has no ${other} series${nsLabel ? ` with ${nsLabel}="${req.namespace}"` : ''}, so the query returns nothing for the HPA in ${req.namespace}`,
        );
      }
    }
    return undefined;
  }

  private deny(_req: MetricRequest, considered: RuleRef[], reason: 'metric-no-series' | 'metric-series-unassociated', message: string): MetricVerdict {
    return { status: 'not-served', considered, explanation: message, nearest: [], live: { reason, message } };
  }

  /** registered for what the HPA asks, but the adapter's query returns nothing for it */
  private denyRegistered(_req: MetricRequest, considered: RuleRef[], reason: 'metric-no-series' | 'metric-series-unassociated', message: string): MetricVerdict {
    return { status: 'not-served', considered, explanation: message, nearest: [], live: { reason, message, registered: true } };
  }
}

function sum(groups: readonly SeriesGroup[]): number {
  return groups.reduce((n, g) => n + g.count, 0);
}

/**
 * Every distinct seriesQuery of a rule set, in config order (what a discovery pass fetches, each once), then
 * the other series the metricsQueries join with (see joinedSeries), by name.
 */
export function seriesQueries(rules: AdapterRuleSet): string[] {
  if (!isCompiled(rules)) return [];
  const out = new Set<string>();
  for (const list of ['rules', 'externalRules'] as const) for (const cr of rules.compiled[list]) out.add(cr.rule.seriesQuery);
  for (const list of ['rules', 'externalRules'] as const) for (const cr of rules.compiled[list]) for (const n of joinedSeries(cr.rule.metricsQuery)) out.add(n);
  // the adapter's query reads every series of the registered name, not only those its seriesQuery selected
  for (const list of ['rules', 'externalRules'] as const)
    for (const cr of rules.compiled[list]) {
      const n = nameOnlySelector(cr.query);
      if (n !== null) out.add(n);
    }
  return [...out];
}

/**
 * A seriesQuery without its label matchers: every series of the names it selects (`{__name__=~"a|b"}`), for
 * the value check (metrics_query.go Build queries `<<.Series>>{…}` by name). null when the query has no label
 * matcher to drop, or names nothing.
 */
export function nameOnlySelector(q: SeriesQueryInfo): string | null {
  if (!q.parsed || !q.matchers.some((m) => m.label !== '__name__')) return null;
  const re = q.names ? q.names.map((n) => n.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|') : q.nameRegex;
  if (re === null) return null;
  return `{__name__=~${JSON.stringify(re)}}`;
}

/** The key under which a series group keeps the (namespace, pod) value pairs of two labels. */
export function pairKey(nsLabel: string, podLabel: string): string {
  return `${nsLabel}\u0000${podLabel}`;
}

/**
 * The labels whose values discovery keeps: every rule's label for namespaces (what the adapter's queries filter
 * on), and for `rules` the (namespace label, pod label) pairs — a Pods metric's query asks for the target's pods
 * by name within the namespace (metrics_query.go Build: `<pod label>=~"a|b"`).
 */
export function valueLabels(rules: AdapterRuleSet): Set<string> {
  const out = new Set<string>();
  if (!isCompiled(rules)) return out;
  for (const list of ['rules', 'externalRules'] as const) {
    for (const cr of rules.compiled[list]) {
      const l = cr.converter.labelForResource(NAMESPACES);
      if (l.label === null) continue;
      out.add(l.label);
      const p = list === 'rules' ? cr.converter.labelForResource(PODS) : { label: null };
      if (p.label !== null) out.add(pairKey(l.label, p.label));
    }
  }
  return out;
}

/**
 * Series a metricsQuery joins with its own by an arithmetic or `and` operator (`<<.Series>> … / other{…}`):
 * when one side has no series for the namespace, the query returns nothing. Only plain selectors followed by
 * `{` are read; a query with `or`, `unless`, absent() or vector() may answer without them, so none is named.
 */
export function joinedSeries(metricsQuery: string): string[] {
  const q = metricsQuery.replace(/<<[\s\S]*?>>/g, ' ');
  if (/\b(or|unless|absent|absent_over_time|vector)\b/.test(q)) return [];
  const out = new Set<string>();
  for (const m of q.matchAll(/(^|[^a-zA-Z0-9_:.])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)) out.add(m[2]!);
  return [...out];
}

function sameResource(a: GroupResource, b: GroupResource): boolean {
  return a.group === b.group && a.resource === b.resource;
}
