// The differential test's generator: prometheus-adapter configs and the HPA metrics asked of them, from a
// deterministic seed. It knows nothing of our port (src/core/adapter): the names it asks for come from its
// own hand-written reading of each building block (`names`), plus near misses; which of them the adapter
// serves, and for whom, is the real adapter's answer.
import { stringify } from 'yaml';
import { mulberry32 } from '../helpers/prng.js';
import { DEPLOYMENT, WORKLOAD_NAMESPACES } from './series.js';

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

interface QueryOpt {
  q: string;
  /** the series names it can select (the generator's own reading) */
  series: string[];
}
interface NameOpt {
  matches?: string;
  as?: string;
  /** the API name for a series name, or null when the rule drops it */
  fn: (s: string) => string | null;
}
type Resources = { template?: string; overrides?: Record<string, { group?: string; resource: string }>; namespaced?: boolean };

const DCGM = ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_MEM_COPY_UTIL', 'DCGM_FI_DEV_SM_CLOCK', 'DCGM_FI_DEV_GPU_TEMP'];

const DCGM_QUERIES: QueryOpt[] = [
  { q: 'DCGM_FI_DEV_GPU_UTIL{namespace!="",pod!=""}', series: ['DCGM_FI_DEV_GPU_UTIL'] },
  { q: 'DCGM_FI_DEV_GPU_UTIL', series: ['DCGM_FI_DEV_GPU_UTIL'] },
  { q: '{__name__=~"DCGM_FI_DEV_.*"}', series: DCGM },
  { q: '{__name__=~"DCGM_FI_DEV_.*",exported_pod!=""}', series: ['DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_MEM_COPY_UTIL'] },
  { q: '{__name__=~"DCGM_FI_DEV_GPU_TEMP|DCGM_FI_DEV_POWER_USAGE"}', series: ['DCGM_FI_DEV_GPU_TEMP', 'DCGM_FI_DEV_POWER_USAGE'] },
  { q: 'DCGM_FI_DEV_POWER_USAGE', series: ['DCGM_FI_DEV_POWER_USAGE'] },
  { q: 'DCGM_FI_DEV_MEM_COPY_UTIL', series: ['DCGM_FI_DEV_MEM_COPY_UTIL'] },
  { q: 'DCGM_FI_DEV_FB_USED{pod!=""}', series: ['DCGM_FI_DEV_FB_USED'] },
  { q: 'DCGM_FI_DEV_GPU_TEMP{exported_namespace!=""}', series: ['DCGM_FI_DEV_GPU_TEMP'] },
  { q: 'DCGM_FI_DEV_SM_CLOCK', series: ['DCGM_FI_DEV_SM_CLOCK'] },
  { q: 'DCGM_FI_DEV_MEMORY_USED', series: ['DCGM_FI_DEV_MEMORY_USED'] },
];

const DCGM_NAMES: NameOpt[] = [
  { fn: (s) => s },
  { matches: '^DCGM_FI_DEV_(.*)$', fn: (s) => s.replace(/^DCGM_FI_DEV_/, '') },
  { matches: '^DCGM_FI_DEV_(.*)$', as: 'gpu_${1}', fn: (s) => `gpu_${s.replace(/^DCGM_FI_DEV_/, '')}` },
  { matches: '^DCGM_FI_DEV_(GPU|FB)_(.*)$', as: '${1}_${2}', fn: (s) => (/^DCGM_FI_DEV_(GPU|FB)_/.test(s) ? s.replace(/^DCGM_FI_DEV_/, '') : null) },
  {
    matches: '^DCGM_FI_DEV_(GPU|FB)_(.*)$',
    as: 'dcgm_$2',
    fn: (s) => {
      const m = /^DCGM_FI_DEV_(GPU|FB)_(.*)$/.exec(s);
      return m ? `dcgm_${m[2]}` : null;
    },
  },
  { matches: '^DCGM_FI_DEV_GPU_UTIL$', as: 'gpu_utilization', fn: (s) => (s === 'DCGM_FI_DEV_GPU_UTIL' ? 'gpu_utilization' : null) },
  { matches: '_UTIL$', as: 'gpu_util_any', fn: (s) => (s.endsWith('_UTIL') ? 'gpu_util_any' : null) },
  { matches: 'POWER', fn: (s) => (s.includes('POWER') ? s : null) },
];

const DCGM_FILTERS: Array<Array<{ is?: string; isNot?: string }>> = [[], [], [{ isNot: '^DCGM_FI_DEV_FB_.*' }], [{ is: 'UTIL$|TEMP$' }]];
const filterFn = (fs: Array<{ is?: string; isNot?: string }>) => (s: string) => fs.every((f) => (f.is !== undefined ? new RegExp(f.is).test(s) : !new RegExp(f.isNot!).test(s)));

/** resources.template values using text/template actions beyond if/else/eq/ne/not */
const TEMPLATE_ACTIONS = [
  '<<with .Group>><<.>>_<<end>><<.Resource>>',
  '<<printf "%s" .Resource>>',
  '<<.Resource | printf "exported_%s">>',
  '<<if and .Group (ne .Group "apps")>><<.Group>>_<<end>><<.Resource>>',
  '<<or .Group "">><<.Resource>>',
  '<<$r := .Resource>><<if eq (len .Group) 0>><<$r>><<else>><<.Group>>_<<$r>><<end>>',
  '<<- /* workload labels */ ->> <<range 1>>exported_<<end>><<.Resource>>',
  '<<if .Empty>>none<<else>><<.String>><<end>>',
  '<<if lt (len .Resource) 4>><<.Resource>><<else>>kube_<<.Resource>><<end>>',
  '<<with $g := .Group>><<$g>>_<<else>><<print "">><<end>><<.Resource>>',
];

const POD_RESOURCES: Resources[] = [
  { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
  { overrides: { exported_namespace: { resource: 'namespace' }, exported_pod: { resource: 'pod' } } },
  { overrides: { namespace: { resource: 'namespace' }, exported_pod: { resource: 'pod' } } },
  { template: '<<.Resource>>' },
  { template: 'exported_<<.Resource>>' },
  { template: '<<if .Group>><<.Group>>_<<end>><<.Resource>>' },
  { template: '<<- if .Group ->><<.Group>>_<<- end ->><<.Resource>>' },
  { template: '<<if eq .Group "">><<.Resource>><<else>><<.Group>>_<<.Resource>><<end>>' },
  { template: '<<.Resource>>', overrides: { exported_pod: { resource: 'pod' } } },
  { template: '<<.Resource>>', overrides: { exported_namespace: { resource: 'namespace' }, exported_pod: { resource: 'pod' } } },
  { overrides: { pod: { resource: 'pod' } } },
  { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pods' }, Hostname: { resource: 'node' } } },
  // the rest of Go's text/template (issue 12 §2): with, and/or, printf, len, pipelines, variables, range,
  // methods of the template's dot (schema.GroupResource), comments — each changes which labels map to what
  ...TEMPLATE_ACTIONS.map((template): Resources => ({ template })),
  { template: '<<.Resource | printf "exported_%s">>', overrides: { namespace: { resource: 'namespace' } } },
];

const SUM = 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)';
const GAUGE_QUERIES = [
  SUM,
  SUM,
  'avg(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
  'max_over_time(<<.Series>>{<<.LabelMatchers>>}[1m])',
  `${SUM} / sum(DCGM_FI_DEV_FB_FREE{<<.LabelMatchers>>}) by (<<.GroupBy>>)`,
  `${SUM} / on(<<.GroupBy>>) sum(gpu_missing_total{<<.LabelMatchers>>}) by (<<.GroupBy>>)`,
];

interface RuleGen {
  rule: Record<string, unknown>;
  /** API names the generator expects the rule to derive */
  names: string[];
}

function genDcgmRule(r: Rand): RuleGen {
  const q = pick(r, DCGM_QUERIES);
  const filters = pick(r, DCGM_FILTERS);
  // now and then two groups without `as`: the adapter refuses the whole config, and so must we
  const name = r() < 0.03 ? { matches: '^DCGM_(FI)_DEV_(.*)$', fn: () => null } : pick(r, DCGM_NAMES);
  const rule: Record<string, unknown> = { seriesQuery: q.q };
  if (filters.length > 0) rule.seriesFilters = filters;
  rule.resources = pick(r, POD_RESOURCES);
  if (name.matches !== undefined) rule.name = name.as !== undefined ? { matches: name.matches, as: name.as } : { matches: name.matches };
  rule.metricsQuery = pick(r, GAUGE_QUERIES);
  const names = q.series
    .filter(filterFn(filters))
    .map(name.fn)
    .filter((n): n is string => n !== null);
  return { rule, names };
}

function genCounterRule(r: Rand): RuleGen {
  const q = pick(r, [
    { q: 'http_requests_total{namespace!="",pod!=""}', series: ['http_requests_total'] },
    { q: '{__name__=~".*_total"}', series: ['http_requests_total', 'gpu_jobs_processed_total'] },
    { q: 'gpu_jobs_processed_total', series: ['gpu_jobs_processed_total'] },
    { q: '{__name__=~"http_requests_total|gpu_jobs_processed_total",pod!=""}', series: ['http_requests_total', 'gpu_jobs_processed_total'] },
  ]);
  const name = pick(r, [
    { matches: '^(.*)_total$', as: '${1}_per_second', fn: (s: string) => s.replace(/_total$/, '_per_second') },
    { matches: '^(.*)_total$', fn: (s: string) => s.replace(/_total$/, '') },
    { matches: '', fn: (s: string) => s },
  ]);
  const rule: Record<string, unknown> = {
    seriesQuery: q.q,
    resources: pick(r, [
      { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      { template: '<<.Resource>>' },
      { template: '<<if .Group>>skip_<<.Group>>_<<end>><<.Resource>>' },
      { overrides: { pod: { resource: 'pod' } } },
      { template: '<<with .Group>><<printf "%s_" .>><<end>><<.Resource>>' },
    ] as Resources[]),
  };
  if (name.matches) rule.name = name.as ? { matches: name.matches, as: name.as } : { matches: name.matches };
  rule.metricsQuery = pick(r, ['sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)', 'sum(increase(<<.Series>>{<<.LabelMatchers>>}[1m])) by (<<.GroupBy>>)', SUM]);
  return { rule, names: q.series.map(name.fn) };
}

function genOtherRule(r: Rand): RuleGen {
  return pick(r, [
    () => ({
      rule: {
        seriesQuery: 'kube_deployment_gpu_util{namespace!=""}',
        resources: pick(r, [
          { overrides: { namespace: { resource: 'namespace' }, deployment: { group: 'apps', resource: 'deployment' } } },
          { template: '<<.Resource>>' },
          { template: '<<if .Group>><<.Group>>_<<end>><<.Resource>>' },
          { template: '<<if .Group>><<slice .Group 0 4>>_<<end>><<.Resource>>' },
        ] as Resources[]),
        metricsQuery: SUM,
      },
      names: ['kube_deployment_gpu_util'],
    }),
    () => ({
      rule: {
        seriesQuery: 'gpu_mem_bytes',
        resources: pick(r, [
          { template: 'kube_<<.Resource>>' },
          { template: '<<.Resource>>' },
          { overrides: { kube_namespace: { resource: 'namespace' }, kube_pod: { resource: 'pod' } } },
        ] as Resources[]),
        metricsQuery: SUM,
      },
      names: ['gpu_mem_bytes'],
    }),
    () => ({
      rule: { seriesQuery: 'app_queue_depth', resources: pick(r, [{ overrides: { namespace: { resource: 'namespace' } } }, { template: '<<.Resource>>' }] as Resources[]), metricsQuery: SUM },
      names: ['app_queue_depth'],
    }),
    () => ({ rule: { seriesQuery: 'node_gpu_power', resources: { template: '<<.Resource>>' }, metricsQuery: SUM }, names: ['node_gpu_power'] }),
  ])();
}

function genExternalRule(r: Rand): RuleGen {
  return pick(r, [
    () => {
      const res = pick(r, [
        { overrides: { namespace: { resource: 'namespace' } } },
        {},
        { namespaced: false },
        { template: '<<.Resource>>' },
        { overrides: { namespace: { resource: 'namespace' } }, namespaced: false },
      ] as Resources[]);
      return { rule: { seriesQuery: 'app_queue_depth', resources: res, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})' }, names: ['app_queue_depth'] };
    },
    () => {
      const res = pick(r, [{ namespaced: false }, {}, { overrides: { namespace: { resource: 'namespace' } } }] as Resources[]);
      return { rule: { seriesQuery: 'cluster_gpu_free', resources: res, metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>})' }, names: ['cluster_gpu_free'] };
    },
    () => {
      const res = pick(r, [{ overrides: { namespace: { resource: 'namespace' } } }, { overrides: { exported_namespace: { resource: 'namespace' } } }, {}, { namespaced: false }] as Resources[]);
      const q = pick(r, ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_GPU_TEMP', '{__name__=~"DCGM_FI_DEV_GPU_UTIL|DCGM_FI_DEV_GPU_TEMP"}']);
      return {
        rule: { seriesQuery: q, resources: res, name: { matches: '^DCGM_FI_DEV_GPU_(.*)$', as: 'gpu_${1}_external' }, metricsQuery: 'avg(<<.Series>>{<<.LabelMatchers>>})' },
        names: q.includes('|') ? ['gpu_UTIL_external', 'gpu_TEMP_external'] : [`gpu_${q.slice('DCGM_FI_DEV_GPU_'.length)}_external`],
      };
    },
    () => {
      // a rule without namespace mapping next to one with it, for the same name
      const res = pick(r, [{}, { overrides: { namespace: { resource: 'namespace' } } }] as Resources[]);
      return {
        rule: {
          seriesQuery: pick(r, ['http_requests_total', 'gpu_jobs_processed_total']),
          resources: res,
          name: { matches: '^(.*)_total$', as: 'requests_external' },
          metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[1m]))',
        },
        names: ['requests_external'],
      };
    },
  ])();
}

/** Readiness sentinels, one pair per config: through the aggregation layer they tell this config's adapter from the last one. */
export const sentinel = (id: number) => ({ custom: `diff_sentinel_ready_${id}`, external: `diff_sentinel_external_${id}` });

export type AskKind = 'Pods' | 'Deployment' | 'Namespace' | 'External';

export interface Ask {
  kind: AskKind;
  name: string;
  namespace: string;
}

export interface GeneratedConfig {
  id: number;
  yaml: string;
  asks: Ask[];
}

const DISTRACTORS = ['gpu_utilization', 'DCGM_FI_DEV_MEMORY_USED', 'GPU_UTIL', 'gpu_GPU_UTIL', 'requests_external', 'http_requests_per_second', 'app_queue_depth', 'gpu_UTIL_external'];

export function generate(seed: number, count: number, asksPerConfig = 3): GeneratedConfig[] {
  const r = mulberry32(seed);
  const out: GeneratedConfig[] = [];
  for (let id = 0; id < count; id++) {
    const rules: RuleGen[] = [];
    const nRules = 1 + Math.floor(r() * 3);
    for (let i = 0; i < nRules; i++) rules.push(pick(r, [genDcgmRule, genDcgmRule, genCounterRule, genOtherRule])(r));
    const ext: RuleGen[] = [];
    const nExt = Math.floor(r() * 3);
    for (let i = 0; i < nExt; i++) ext.push(genExternalRule(r));
    const ready = {
      seriesQuery: 'diff_sentinel',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^diff_sentinel$', as: sentinel(id).custom },
      metricsQuery: SUM,
    };
    const extSentinel = { seriesQuery: 'diff_sentinel', resources: { namespaced: false }, name: { matches: '^diff_sentinel$', as: sentinel(id).external }, metricsQuery: 'sum(<<.Series>>)' };
    const yaml = stringify({ rules: [...rules.map((x) => x.rule), ready], externalRules: [...ext.map((x) => x.rule), extSentinel] }, { lineWidth: 0 });
    const customNames = [...new Set(rules.flatMap((x) => x.names))];
    const extNames = [...new Set(ext.flatMap((x) => x.names))];
    const asks: Ask[] = [];
    for (let i = 0; i < asksPerConfig; i++) {
      const namespace = pick(r, [...WORKLOAD_NAMESPACES, 'team-a', 'team-b']);
      const roll = r();
      if (roll < 0.12) asks.push({ kind: 'Pods', name: pick(r, DISTRACTORS), namespace });
      else if (roll < 0.3 && extNames.length > 0) asks.push({ kind: 'External', name: pick(r, extNames), namespace });
      else if (customNames.length === 0) asks.push({ kind: 'External', name: pick(r, DISTRACTORS), namespace });
      else {
        const name = pick(r, customNames);
        const k = r();
        asks.push({ kind: k < 0.7 ? 'Pods' : k < 0.85 ? 'Deployment' : 'Namespace', name, namespace });
      }
    }
    out.push({ id, yaml, asks });
  }
  return out;
}

/** The HPA metric (spec.metrics[0]) for an ask, as a user would write it. */
export function hpaMetric(a: Ask): Record<string, unknown> {
  const target = { type: 'AverageValue', averageValue: '50' };
  switch (a.kind) {
    case 'Pods':
      return { type: 'Pods', pods: { metric: { name: a.name }, target } };
    case 'Deployment':
      return { type: 'Object', object: { metric: { name: a.name }, describedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: DEPLOYMENT }, target: { type: 'Value', value: '50' } } };
    case 'Namespace':
      return { type: 'Object', object: { metric: { name: a.name }, describedObject: { apiVersion: 'v1', kind: 'Namespace', name: a.namespace }, target: { type: 'Value', value: '50' } } };
    case 'External':
      return { type: 'External', external: { metric: { name: a.name }, target } };
  }
}
