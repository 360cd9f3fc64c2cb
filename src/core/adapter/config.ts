// Strict reading of a prometheus-adapter config file, as the adapter reads it: pkg/config/loader.go calls
// yaml.UnmarshalStrict (gopkg.in/yaml.v2) into pkg/config/config.go's MetricsDiscoveryConfig, so unknown keys,
// duplicate keys and type mismatches refuse the whole file. Scalars are read with the failsafe schema (all
// strings) and typed here the way yaml.v2 types them into Go fields: any scalar fits a string field (`as: 1`
// is "1"), null leaves the zero value, a mapping or sequence where a scalar belongs is a type error.
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments, type YAMLMap } from 'yaml';

/** pkg/config/config.go RegexFilter */
export interface RegexFilter {
  is: string;
  isNot: string;
}

/** pkg/config/config.go GroupResource */
export interface ConfigGroupResource {
  group: string;
  resource: string;
}

/** pkg/config/config.go ResourceMapping (`namespaced` exists since the external-metrics namespacing change) */
export interface ResourceMapping {
  template: string;
  /** label → group-resource, in file order */
  overrides: Array<[string, ConfigGroupResource]>;
  /** null when absent (queries are namespaced by default: pkg/naming/metric_namer.go NamersFromConfig) */
  namespaced: boolean | null;
}

/** pkg/config/config.go NameMapping */
export interface NameMapping {
  matches: string;
  as: string;
}

/** pkg/config/config.go DiscoveryRule */
export interface DiscoveryRule {
  seriesQuery: string;
  seriesFilters: RegexFilter[];
  resources: ResourceMapping;
  name: NameMapping;
  metricsQuery: string;
  /** 1-based line of the rule in the file, for messages */
  line: number;
}

export interface ResourceRule {
  containerQuery: string;
  nodeQuery: string;
  resources: ResourceMapping;
  containerLabel: string;
}

export interface ResourceRules {
  cpu: ResourceRule;
  memory: ResourceRule;
  window: string;
}

/** pkg/config/config.go MetricsDiscoveryConfig */
export interface MetricsDiscoveryConfig {
  rules: DiscoveryRule[];
  externalRules: DiscoveryRule[];
  resourceRules: ResourceRules | null;
}

/** An adapter config the adapter itself would refuse (or that this checker cannot read). */
export class AdapterConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`invalid prometheus-adapter config ${source}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'AdapterConfigError';
  }
}

export interface ParsedAdapterConfig {
  config: MetricsDiscoveryConfig;
  warnings: string[];
}

// The Go structs' yaml tags, per level: pkg/config/config.go.
const KEYS = {
  config: ['rules', 'resourceRules', 'externalRules'],
  rule: ['seriesQuery', 'seriesFilters', 'resources', 'name', 'metricsQuery'],
  filter: ['is', 'isNot'],
  resources: ['template', 'overrides', 'namespaced'],
  groupResource: ['group', 'resource'],
  name: ['matches', 'as'],
  resourceRules: ['cpu', 'memory', 'window'],
  resourceRule: ['containerQuery', 'nodeQuery', 'resources', 'containerLabel'],
} as const;

// yaml.v2 resolve.go: YAML 1.1 booleans and nulls.
const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const YAML_NULL = new Set(['', '~', 'null', 'Null', 'NULL']);

// prometheus/common model.ParseDuration
const PROM_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

class Reader {
  readonly issues: string[] = [];
  readonly warnings: string[] = [];
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  line(node: Node | null | undefined): number {
    const r = node?.range;
    return r ? this.lines.linePos(r[0]).line : 0;
  }

  at(node: Node | null | undefined): string {
    const l = this.line(node);
    return l ? ` (line ${l})` : '';
  }

  deref(node: unknown): Node | null {
    let n = node as Node | null | undefined;
    for (let i = 0; i < 32 && n && isAlias(n); i++) n = n.resolve(this.doc);
    return n ?? null;
  }

  isNull(node: Node | null): boolean {
    return node === null || (isScalar(node) && node.type === 'PLAIN' && YAML_NULL.has(String(node.value)));
  }

  kindOf(node: Node | null): string {
    if (isMap(node)) return '!!map';
    if (isSeq(node)) return '!!seq';
    return '!!str';
  }

  /** a Go string field: any scalar; null → "" */
  str(node: unknown, path: string, ctx: string): string {
    const n = this.deref(node);
    if (this.isNull(n)) return '';
    if (isScalar(n)) return String(n.value);
    this.issues.push(`${ctx}${path}: expected a string, got a ${isMap(n) ? 'mapping' : 'list'}${this.at(n)} (yaml: cannot unmarshal ${this.kindOf(n)} into string)`);
    return '';
  }

  /** a Go *bool field */
  bool(node: unknown, path: string, ctx: string): boolean | null {
    const n = this.deref(node);
    if (this.isNull(n)) return null;
    if (isScalar(n)) {
      const v = String(n.value);
      if (n.type === 'PLAIN' && YAML11_TRUE.has(v)) return true;
      if (n.type === 'PLAIN' && YAML11_FALSE.has(v)) return false;
      this.issues.push(`${ctx}${path}: expected true or false, got ${JSON.stringify(v)}${this.at(n)} (yaml: cannot unmarshal !!str \`${v}\` into bool)`);
      return null;
    }
    this.issues.push(`${ctx}${path}: expected true or false, got a ${isMap(n) ? 'mapping' : 'list'}${this.at(n)}`);
    return null;
  }

  /** a mapping decoded into a Go struct: unknown and duplicate keys are errors (yaml.UnmarshalStrict) */
  struct(node: unknown, path: string, ctx: string, allowed: readonly string[], typeName: string): Map<string, Node | null> | null {
    const n = this.deref(node);
    const out = new Map<string, Node | null>();
    if (this.isNull(n)) return out;
    if (!isMap(n)) {
      this.issues.push(
        `${ctx}${path || 'the document'}: expected a mapping with keys ${allowed.join(', ')}, got a ${isSeq(n) ? 'list' : 'scalar'}${this.at(n)} (yaml: cannot unmarshal ${this.kindOf(n)} into ${typeName})`,
      );
      return null;
    }
    const seen = new Map<string, number>();
    for (const pair of this.pairs(n)) {
      const keyNode = this.deref(pair.key);
      const key = isScalar(keyNode) ? String(keyNode.value) : JSON.stringify(keyNode?.toJSON?.() ?? null);
      const where = path ? `${path}.${key}` : key;
      const prev = seen.get(key);
      if (prev !== undefined) {
        this.issues.push(`${ctx}${where}: key "${key}" is defined twice${this.at(keyNode)}, first at line ${prev} (yaml: mapping key already defined)`);
        continue;
      }
      seen.set(key, this.line(keyNode));
      if (!allowed.includes(key)) {
        this.issues.push(`${ctx}${where}: unknown key "${key}"${this.at(keyNode)}; allowed here: ${allowed.join(', ')} (yaml: field ${key} not found in type ${typeName})`);
        continue;
      }
      out.set(key, this.deref(pair.value));
    }
    return out;
  }

  /** map pairs, with YAML merge keys (`<<: *anchor`) expanded as yaml.v2 does */
  pairs(map: YAMLMap): Array<{ key: unknown; value: unknown }> {
    const out: Array<{ key: unknown; value: unknown }> = [];
    const merged: Array<{ key: unknown; value: unknown }> = [];
    for (const p of map.items) {
      const k = this.deref(p.key);
      if (isScalar(k) && k.value === '<<' && k.type === 'PLAIN') {
        const v = this.deref(p.value);
        const sources = isSeq(v) ? v.items.map((i) => this.deref(i as Node)) : [v];
        for (const src of sources) if (isMap(src)) merged.push(...this.pairs(src));
        continue;
      }
      out.push({ key: p.key, value: p.value });
    }
    // explicit keys win over merged ones
    const explicit = new Set(
      out.map((p) => {
        const k = this.deref(p.key);
        return isScalar(k) ? String(k.value) : '';
      }),
    );
    return [
      ...out,
      ...merged.filter((p) => {
        const k = this.deref(p.key);
        return !(isScalar(k) && explicit.has(String(k.value)));
      }),
    ];
  }

  seq(node: unknown, path: string, ctx: string, typeName: string, hint?: string): Node[] {
    const n = this.deref(node);
    if (this.isNull(n)) return [];
    if (!isSeq(n)) {
      this.issues.push(`${ctx}${path}: expected a list${this.at(n)} (yaml: cannot unmarshal ${this.kindOf(n)} into ${typeName})${hint ? `. ${hint}` : ''}`);
      return [];
    }
    return n.items.map((i) => this.deref(i as Node) as Node);
  }

  groupResource(node: unknown, path: string, ctx: string): ConfigGroupResource {
    const m = this.struct(node, path, ctx, KEYS.groupResource, 'config.GroupResource');
    return { group: this.str(m?.get('group'), `${path}.group`, ctx), resource: this.str(m?.get('resource'), `${path}.resource`, ctx) };
  }

  resources(node: unknown, path: string, ctx: string): ResourceMapping {
    const m = this.struct(node, path, ctx, KEYS.resources, 'config.ResourceMapping');
    const overrides: Array<[string, ConfigGroupResource]> = [];
    const ov = m?.get('overrides');
    if (ov !== undefined && !this.isNull(ov)) {
      if (!isMap(ov)) {
        this.issues.push(`${ctx}${path}.overrides: expected a mapping of label → {group, resource}${this.at(ov)} (yaml: cannot unmarshal ${this.kindOf(ov)} into map[string]config.GroupResource)`);
      } else {
        const seen = new Set<string>();
        for (const pair of this.pairs(ov)) {
          const k = this.deref(pair.key);
          const label = isScalar(k) ? String(k.value) : '';
          if (seen.has(label)) {
            this.issues.push(`${ctx}${path}.overrides.${label}: label "${label}" is overridden twice${this.at(k)} (yaml: mapping key already defined)`);
            continue;
          }
          seen.add(label);
          overrides.push([label, this.groupResource(pair.value, `${path}.overrides.${label}`, ctx)]);
        }
      }
    }
    return {
      template: this.str(m?.get('template'), `${path}.template`, ctx),
      overrides,
      namespaced: this.bool(m?.get('namespaced'), `${path}.namespaced`, ctx),
    };
  }

  rule(node: Node, path: string): DiscoveryRule {
    // name the rule by its seriesQuery in every message, as the adapter's own errors do
    const pre = isMap(node) ? this.deref(node.items.find((p) => isScalar(p.key) && p.key.value === 'seriesQuery')?.value) : null;
    const sq = isScalar(pre) ? String(pre.value) : '';
    const ctx = `${path} (seriesQuery '${sq}'): `;
    const m = this.struct(node, '', ctx, KEYS.rule, 'config.DiscoveryRule');
    const filters = this.seq(m?.get('seriesFilters'), 'seriesFilters', ctx, '[]config.RegexFilter').map((f, i) => {
      const fm = this.struct(f, `seriesFilters[${i}]`, ctx, KEYS.filter, 'config.RegexFilter');
      return { is: this.str(fm?.get('is'), `seriesFilters[${i}].is`, ctx), isNot: this.str(fm?.get('isNot'), `seriesFilters[${i}].isNot`, ctx) };
    });
    const nm = this.struct(m?.get('name'), 'name', ctx, KEYS.name, 'config.NameMapping');
    return {
      seriesQuery: this.str(m?.get('seriesQuery'), 'seriesQuery', ctx),
      seriesFilters: filters,
      resources: this.resources(m?.get('resources'), 'resources', ctx),
      name: { matches: this.str(nm?.get('matches'), 'name.matches', ctx), as: this.str(nm?.get('as'), 'name.as', ctx) },
      metricsQuery: this.str(m?.get('metricsQuery'), 'metricsQuery', ctx),
      line: this.line(node),
    };
  }

  resourceRule(node: unknown, path: string): ResourceRule {
    const ctx = '';
    const m = this.struct(node, path, ctx, KEYS.resourceRule, 'config.ResourceRule');
    return {
      containerQuery: this.str(m?.get('containerQuery'), `${path}.containerQuery`, ctx),
      nodeQuery: this.str(m?.get('nodeQuery'), `${path}.nodeQuery`, ctx),
      resources: this.resources(m?.get('resources'), `${path}.resources`, ctx),
      containerLabel: this.str(m?.get('containerLabel'), `${path}.containerLabel`, ctx),
    };
  }
}

// The prometheus-community chart's values form (charts/prometheus-adapter, values.yaml `rules:`), as its
// templates/configmap.yaml (chart 5.3.0) renders it into the adapter's config.yaml:
//   rules:          if rules.default or rules.custom: the chart's six default rules when rules.default, then rules.custom
//   externalRules:  rules.external, when not empty
//   resourceRules:  rules.resource, when set
// rules.existing names a ConfigMap of the user's own and the chart renders none. Any other top-level key
// of a values file (prometheus:, image:, …) configures the Deployment, not the rules, and is not read.
const VALUES_RULES_KEYS = ['default', 'custom', 'existing', 'external', 'resource'] as const;

/**
 * The six rules the chart renders when rules.default is true (its default), restated as data from
 * prometheus-community/helm-charts charts/prometheus-adapter/templates/configmap.yaml (chart 5.3.0,
 * adapter v0.12.0): cAdvisor container_* series (seconds counters, other counters, gauges) and every
 * other namespaced series (gauges, counters, seconds counters).
 */
const CHART_DEFAULT_RULES = `
- seriesQuery: '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}'
  seriesFilters: []
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: ^container_(.*)_seconds_total$, as: ""}
  metricsQuery: sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[5m])) by (<<.GroupBy>>)
- seriesQuery: '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}'
  seriesFilters: [{isNot: ^container_.*_seconds_total$}]
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: ^container_(.*)_total$, as: ""}
  metricsQuery: sum(rate(<<.Series>>{<<.LabelMatchers>>,container!="POD"}[5m])) by (<<.GroupBy>>)
- seriesQuery: '{__name__=~"^container_.*",container!="POD",namespace!="",pod!=""}'
  seriesFilters: [{isNot: ^container_.*_total$}]
  resources: {overrides: {namespace: {resource: namespace}, pod: {resource: pod}}}
  name: {matches: ^container_(.*)$, as: ""}
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>,container!="POD"}) by (<<.GroupBy>>)
- seriesQuery: '{namespace!="",__name__!~"^container_.*"}'
  seriesFilters: [{isNot: .*_total$}]
  resources: {template: <<.Resource>>}
  name: {matches: "", as: ""}
  metricsQuery: sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)
- seriesQuery: '{namespace!="",__name__!~"^container_.*"}'
  seriesFilters: [{isNot: .*_seconds_total}]
  resources: {template: <<.Resource>>}
  name: {matches: ^(.*)_total$, as: ""}
  metricsQuery: sum(rate(<<.Series>>{<<.LabelMatchers>>}[5m])) by (<<.GroupBy>>)
- seriesQuery: '{namespace!="",__name__!~"^container_.*"}'
  seriesFilters: []
  resources: {template: <<.Resource>>}
  name: {matches: ^(.*)_seconds_total$, as: ""}
  metricsQuery: sum(rate(<<.Series>>{<<.LabelMatchers>>}[5m])) by (<<.GroupBy>>)
`;

/** The chart's default rules, as the rendered config.yaml's rules[0..5] (line 0: they are in no file of the user's). */
function chartDefaultRules(): DiscoveryRule[] {
  const lines = new LineCounter();
  const doc = parseAllDocuments(CHART_DEFAULT_RULES, { schema: 'failsafe', uniqueKeys: false, lineCounter: lines })[0] as Document;
  const r = new Reader(doc, lines);
  return r.seq(doc.contents, 'rules', '', '[]config.DiscoveryRule').map((n, i) => ({ ...r.rule(n, `rules[${i}]`), line: 0 }));
}

/** The value under a key of a mapping (merge keys expanded), or undefined when absent. */
function valueOf(r: Reader, map: YAMLMap, key: string): Node | null | undefined {
  const p = r.pairs(map).find((x) => {
    const k = r.deref(x.key);
    return isScalar(k) && String(k.value) === key;
  });
  return p === undefined ? undefined : r.deref(p.value);
}

/** The chart's values form (`rules:` a mapping) turned into the config the chart renders from it. */
function parseChartValues(r: Reader, root: YAMLMap, source: string): ParsedAdapterConfig {
  const ctx = 'chart values ';
  const m = r.struct(valueOf(r, root, 'rules'), 'rules', ctx, VALUES_RULES_KEYS, 'the chart values rules');
  for (const stray of ['externalRules', 'resourceRules']) {
    if (valueOf(r, root, stray) !== undefined) {
      r.warnings.push(`${source}: top-level ${stray} is not a chart value (the chart reads rules.${stray === 'externalRules' ? 'external' : 'resource'}); ignored, as Helm would`);
    }
  }
  const existing = r.str(m?.get('existing'), 'rules.existing', ctx);
  if (existing !== '') {
    r.issues.push(
      `${ctx}rules.existing: "${existing}" names a ConfigMap of your own; the chart renders no config from these values and the adapter reads that ConfigMap: point --adapter-configmap at it (NAMESPACE/${existing})`,
    );
  }
  // absent: the chart's values.yaml says `default: true`; an explicit null removes the key in Helm (falsy)
  const defNode = m?.get('default');
  const useDefault = defNode === undefined ? true : r.bool(defNode, 'rules.default', ctx) === true;
  const custom = r.seq(m?.get('custom'), 'rules.custom', ctx, '[]config.DiscoveryRule');
  const base = useDefault ? chartDefaultRules() : [];
  // rendered after the defaults: rules.custom[i] is the adapter's rules[defaults + i]
  const rules = [...base, ...custom.map((n, i) => r.rule(n, `rules.custom[${i}]`))];
  const externalRules = r.seq(m?.get('external'), 'rules.external', ctx, '[]config.DiscoveryRule').map((n, i) => r.rule(n, `rules.external[${i}]`));
  const resourceRules = readResourceRules(r, m?.get('resource'), 'rules.resource');
  if (r.issues.length > 0) throw new AdapterConfigError(source, r.issues);
  if (useDefault && custom.length > 0)
    r.warnings.push(`${source}: chart values: rules.default is on, so rules.custom[i] is served as rules[${base.length}+i], after the chart's ${base.length} default rules`);
  if (rules.length === 0 && externalRules.length === 0) r.warnings.push(`${source} has no rules.custom, rules.external nor rules.default: the adapter would serve no custom or external metrics`);
  return { config: { rules, externalRules, resourceRules }, warnings: r.warnings };
}

function readResourceRules(r: Reader, rr: Node | null | undefined, path: string): ResourceRules | null {
  if (rr === undefined || r.isNull(rr)) return null;
  const m = r.struct(rr, path, '', KEYS.resourceRules, 'config.ResourceRules');
  const window = r.str(m?.get('window'), `${path}.window`, '');
  // pmodel.Duration's UnmarshalYAML: "0" or a unit-suffixed duration; an empty string is an error too
  if (m?.has('window') && (window === '' || (window !== '0' && !PROM_DURATION.test(window)))) {
    r.issues.push(`${path}.window: ${JSON.stringify(window)} is not a valid duration (use e.g. 1m, 30s)${r.at(m.get('window'))}`);
  }
  return { cpu: r.resourceRule(m?.get('cpu'), `${path}.cpu`), memory: r.resourceRule(m?.get('memory'), `${path}.memory`), window };
}

/** Parse and type-check an adapter config with the adapter's strictness; throws AdapterConfigError listing every problem. */
export function parseAdapterConfig(text: string, source = 'adapter config'): ParsedAdapterConfig {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, lineCounter: lines, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const empty: MetricsDiscoveryConfig = { rules: [], externalRules: [], resourceRules: null };
  if (list.length === 0) return { config: empty, warnings: [`${source} is empty: the adapter would serve no custom or external metrics`] };
  const doc = list[0]!;
  if (doc.errors.length > 0) {
    throw new AdapterConfigError(
      source,
      doc.errors.map((e) => `YAML syntax: ${e.message.split('\n')[0]}`),
    );
  }
  const r = new Reader(doc, lines);
  if (list.length > 1) r.warnings.push(`${source} has ${list.length} YAML documents; the adapter (yaml.v2 Unmarshal) reads only the first`);
  const root = r.deref(doc.contents);
  if (r.isNull(root)) return { config: empty, warnings: [...r.warnings, `${source} is empty: the adapter would serve no custom or external metrics`] };

  // A ConfigMap or Helm values file handed over instead of the config file: say what to pass instead.
  if (isMap(root)) {
    const keys = root.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
    if (keys.includes('kind') && keys.includes('data')) {
      throw new AdapterConfigError(source, [
        'this is a Kubernetes manifest (kind/data), not the adapter config file: pass the content of its config.yaml key, or use --adapter-configmap NAMESPACE/NAME[:KEY]',
      ]);
    }
  }

  // the prometheus-community chart's values form: `rules` is a mapping (custom, external, default, …)
  if (isMap(root) && isMap(valueOf(r, root, 'rules'))) return parseChartValues(r, root, source);

  const top = r.struct(root, '', '', KEYS.config, 'config.MetricsDiscoveryConfig');
  const rules = r.seq(top?.get('rules'), 'rules', '', '[]config.DiscoveryRule').map((n, i) => r.rule(n, `rules[${i}]`));
  const externalRules = r
    .seq(top?.get('externalRules'), 'externalRules', '', '[]config.DiscoveryRule', isMap(top?.get('externalRules')) ? 'externalRules is a list of rules, like rules' : undefined)
    .map((n, i) => r.rule(n, `externalRules[${i}]`));
  const resourceRules = readResourceRules(r, top?.get('resourceRules'), 'resourceRules');
  if (r.issues.length > 0) throw new AdapterConfigError(source, r.issues);
  if (rules.length === 0 && externalRules.length === 0) r.warnings.push(`${source} has no rules and no externalRules: the adapter would serve no custom or external metrics`);
  return { config: { rules, externalRules, resourceRules }, warnings: r.warnings };
}

/** "rules[2] (seriesQuery 'X')" */
export function ruleLabel(list: 'rules' | 'externalRules', index: number, seriesQuery: string): string {
  return `${list}[${index}] (seriesQuery '${seriesQuery}')`;
}
