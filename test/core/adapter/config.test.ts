// Config strictness as prometheus-adapter applies it: pkg/config/loader.go FromYAML uses yaml.UnmarshalStrict
// (gopkg.in/yaml.v2) into pkg/config/config.go's structs, so unknown keys, duplicate keys and type mismatches
// refuse the file; scalars decode into string fields whatever they look like; null leaves the zero value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { AdapterConfigError, parseAdapterConfig } from '../../../src/core/adapter/config.js';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';

// shared/ sits beside the repository (CI: a fresh clone with shared/ next to it)
const FIXTURES = fileURLToPath(new URL('../../fixtures/seeds', import.meta.url));

function issuesOf(text: string): string[] {
  try {
    parseAdapterConfig(text, 'test.yaml');
  } catch (e) {
    assert.ok(e instanceof AdapterConfigError, `expected AdapterConfigError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail('expected the config to be refused');
}

test('seed fixtures parse (seed-000, seed-001 with its three rules, seed-003)', () => {
  const s0 = parseAdapterConfig(readFileSync(`${FIXTURES}/seed-000/adapter-config.yaml`, 'utf8')).config;
  assert.equal(s0.rules.length, 1);
  assert.deepEqual(s0.rules[0]!.resources.overrides, [
    ['exported_namespace', { group: '', resource: 'namespace' }],
    ['exported_pod', { group: '', resource: 'pod' }],
  ]);
  assert.deepEqual(s0.rules[0]!.name, { matches: '^(.*)$', as: 'gpu_utilization' });
  const s1 = parseAdapterConfig(readFileSync(`${FIXTURES}/seed-001/adapter-config.yaml`, 'utf8')).config;
  assert.equal(s1.rules.length, 3);
  assert.equal(s1.rules[2]!.resources.template, '<<.Resource>>');
  assert.deepEqual(s1.rules[2]!.resources.overrides, []);
  const s3 = parseAdapterConfig(readFileSync(`${FIXTURES}/seed-003/adapter-config.yaml`, 'utf8')).config;
  assert.equal(s3.rules[0]!.name.as, '${1}_per_second');
});

// Unknown keys at every level (yaml.v2 strict: "field X not found in type config.Y").
const UNKNOWN_KEY_CASES: Array<[string, string, string]> = [
  ['top level', 'rulez: []\n', 'rulez'],
  ['rule', 'rules:\n- seriesQuery: x\n  metricQuery: y\n', 'metricQuery'],
  ['name', 'rules:\n- seriesQuery: x\n  name: {match: "a"}\n', 'name.match'],
  ['resources', 'rules:\n- seriesQuery: x\n  resources: {overide: {}}\n', 'resources.overide'],
  ['override target', 'rules:\n- seriesQuery: x\n  resources: {overrides: {pod: {resouce: pod}}}\n', 'resources.overrides.pod.resouce'],
  ['series filter', 'rules:\n- seriesQuery: x\n  seriesFilters: [{isnot: a}]\n', 'seriesFilters[0].isnot'],
  ['externalRules rule', 'externalRules:\n- seriesQuery: x\n  foo: 1\n', 'foo'],
  ['resourceRules', 'resourceRules: {cpu: {containerQuery: a, nodeQuerys: b}}\n', 'resourceRules.cpu.nodeQuerys'],
  ['labelValueReplacements (an unmerged PR, not in the adapter)', 'rules:\n- seriesQuery: x\n  labelValueReplacements: []\n', 'labelValueReplacements'],
];

test('unknown keys are refused at every level, naming the path and what is allowed', () => {
  for (const [what, yaml, path] of UNKNOWN_KEY_CASES) {
    const issues = issuesOf(yaml);
    assert.equal(issues.length, 1, `${what}: ${issues.join(' | ')}`);
    assert.match(issues[0]!, new RegExp(`${path.replace(/[.[\]]/g, '\\$&')}: unknown key`), what);
    assert.match(issues[0]!, /allowed here: /, what);
  }
});

test('errors name the rule by index and seriesQuery', () => {
  const issues = issuesOf("rules:\n- seriesQuery: 'a{x!=\"\"}'\n- seriesQuery: 'DCGM_X'\n  nmae: {}\n");
  assert.match(issues[0]!, /^rules\[1\] \(seriesQuery 'DCGM_X'\): nmae: unknown key "nmae" \(line 4\)/);
});

test('duplicate keys are refused (yaml.v2 strict), with both lines', () => {
  const issues = issuesOf('rules:\n- seriesQuery: a\n  seriesQuery: b\n');
  assert.match(issues[0]!, /seriesQuery: key "seriesQuery" is defined twice \(line 3\), first at line 2/);
  assert.match(issuesOf('rules: []\nrules: []\n')[0]!, /defined twice/);
  assert.match(issuesOf('rules:\n- seriesQuery: a\n  resources:\n    overrides:\n      pod: {resource: pod}\n      pod: {resource: pods}\n')[0]!, /overridden twice/);
});

// The prometheus-community chart's values form, read as charts/prometheus-adapter/templates/configmap.yaml
// (chart 5.3.0) renders it: rules.default's six rules then rules.custom under rules, rules.external under
// externalRules, rules.resource under resourceRules; rules.existing means the chart renders no config.
const ROOT_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const strip = (rs: Array<{ line: number }>) => rs.map(({ line: _line, ...r }) => r);

test("the chart's values form: rules.custom with rules.default off is the config file's rules, in order", () => {
  const values = 'rules:\n  default: false\n  custom:\n  - seriesQuery: a{x!=""}\n    name: {as: y}\n    metricsQuery: q\n  - seriesQuery: b\n    metricsQuery: r\n';
  const file = 'rules:\n- seriesQuery: a{x!=""}\n  name: {as: y}\n  metricsQuery: q\n- seriesQuery: b\n  metricsQuery: r\n';
  assert.deepEqual(strip(parseAdapterConfig(values).config.rules), strip(parseAdapterConfig(file).config.rules));
  assert.deepEqual(parseAdapterConfig(values).config.externalRules, []);
});

test("the chart's values form: rules.default absent or true puts the chart's six default rules first; false leaves them out", () => {
  const custom = '  custom:\n  - seriesQuery: mine\n    metricsQuery: q\n';
  for (const [what, text] of [
    ['absent (the chart default is true)', `rules:\n${custom}`],
    ['true', `rules:\n  default: true\n${custom}`],
  ] as const) {
    const { config, warnings } = parseAdapterConfig(text, 'values.yaml');
    assert.equal(config.rules.length, 7, what);
    assert.equal(config.rules[6]!.seriesQuery, 'mine', `${what}: rules.custom comes after the defaults`);
    assert.match(config.rules[0]!.seriesQuery, /container_/, what);
    assert.match(warnings.join('\n'), /rules\.custom\[i\] is served as rules\[6\+i\]/, what);
  }
  assert.equal(parseAdapterConfig(`rules:\n  default: false\n${custom}`).config.rules.length, 1);
  // the defaults serve cAdvisor's container_* series and every namespaced series: a lookup may match them
  const withDefaults = compileAdapterConfig('rules: {}\n', 'values.yaml');
  const ask = { kind: 'Pods' as const, name: 'cpu_usage', resource: { group: '', resource: 'pods' }, namespaced: true };
  assert.equal(withDefaults.lookup(ask).status, 'unverifiable');
  assert.equal(compileAdapterConfig('rules: {default: false, custom: [{seriesQuery: x, metricsQuery: q}]}\n', 'v').lookup(ask).status, 'not-served');
});

test("the chart's values form: rules.external is externalRules, rules.resource is resourceRules", () => {
  const { config } = parseAdapterConfig(
    'rules:\n  default: false\n  external:\n  - seriesQuery: queue_depth\n    resources: {namespaced: false}\n    metricsQuery: q\n  resource:\n    window: 3m\n    cpu: {containerQuery: c, nodeQuery: n, containerLabel: container}\n',
  );
  assert.equal(config.rules.length, 0);
  assert.equal(config.externalRules.length, 1);
  assert.equal(config.externalRules[0]!.seriesQuery, 'queue_depth');
  assert.equal(config.externalRules[0]!.resources.namespaced, false);
  assert.equal(config.resourceRules?.window, '3m');
  assert.equal(config.resourceRules?.cpu.containerLabel, 'container');
});

test("the chart's values form: other chart values are not rules; mistakes name the values path", () => {
  // a whole values file: prometheus:, image:, … configure the adapter's Deployment and are not read
  assert.equal(parseAdapterConfig('prometheus: {url: http://prometheus}\nimage: {tag: v0.12.0}\nrules: {default: false, custom: [{seriesQuery: x}]}\n').config.rules.length, 1);
  const existing = issuesOf('rules:\n  existing: my-adapter-rules\n');
  assert.equal(existing.length, 1);
  assert.match(existing[0]!, /rules\.existing: "my-adapter-rules" names a ConfigMap of your own/);
  assert.match(existing[0]!, /--adapter-configmap/);
  const typo = issuesOf('rules:\n  customs: []\n');
  assert.match(typo[0]!, /rules\.customs: unknown key "customs".*allowed here: default, custom, existing, external, resource/);
  assert.match(issuesOf('rules:\n  custom:\n  - seriesQuery: x\n    nmae: {}\n')[0]!, /^rules\.custom\[0\] \(seriesQuery 'x'\): nmae: unknown key/);
  assert.match(issuesOf('rules:\n  custom: {seriesQuery: x}\n')[0]!, /rules\.custom: expected a list/);
  const stray = parseAdapterConfig('rules: {default: false}\nexternalRules: [{seriesQuery: x}]\n', 'v.yaml');
  assert.deepEqual(stray.config.externalRules, [], 'Helm ignores a top-level externalRules');
  assert.match(stray.warnings.join('\n'), /top-level externalRules is not a chart value \(the chart reads rules\.external\)/);
});

test('the DCGM rules ship in both forms, and both forms serve the same rules', () => {
  const file = parseAdapterConfig(readFileSync(`${ROOT_DIR}policies/prometheus-adapter-rules.yaml`, 'utf8')).config;
  const values = parseAdapterConfig(readFileSync(`${ROOT_DIR}policies/prometheus-adapter-values.yaml`, 'utf8')).config;
  assert.ok(file.rules.length > 0);
  // the values file leaves rules.default as the platform team has it (the chart's default: on)
  assert.deepEqual(strip(values.rules.slice(values.rules.length - file.rules.length)), strip(file.rules));
  assert.deepEqual(strip(values.externalRules), strip(file.externalRules));
});

test('type mismatches (yaml.v2 cannot unmarshal)', () => {
  assert.match(issuesOf('rules:\n- seriesQuery: {a: 1}\n')[0]!, /seriesQuery: expected a string, got a mapping/);
  assert.match(issuesOf('rules:\n- seriesQuery: x\n  seriesFilters: {is: a}\n')[0]!, /seriesFilters: expected a list/);
  assert.match(issuesOf('rules:\n- seriesQuery: x\n  resources: {overrides: [pod]}\n')[0]!, /overrides: expected a mapping/);
  assert.match(issuesOf('- a\n')[0]!, /expected a mapping with keys rules, resourceRules, externalRules/);
  assert.match(issuesOf('externalRules:\n- seriesQuery: x\n  resources: {namespaced: maybe}\n')[0]!, /namespaced: expected true or false, got "maybe"/);
  assert.match(issuesOf('resourceRules: {window: 5}\n')[0]!, /window: "5" is not a valid duration/);
});

test('scalars decode into string fields as yaml.v2 does; YAML 1.1 booleans; nulls are zero values', () => {
  const { config } = parseAdapterConfig('rules:\n- seriesQuery: 123\n  name: {as: true, matches: ~}\n  metricsQuery:\nexternalRules:\n- seriesQuery: x\n  resources: {namespaced: no}\n');
  assert.equal(config.rules[0]!.seriesQuery, '123');
  assert.equal(config.rules[0]!.name.as, 'true');
  assert.equal(config.rules[0]!.name.matches, '');
  assert.equal(config.rules[0]!.metricsQuery, '');
  assert.equal(config.externalRules[0]!.resources.namespaced, false, 'plain no is false in YAML 1.1');
  assert.equal(issuesOf('externalRules:\n- seriesQuery: y\n  resources: {namespaced: "on"}\n').length, 1, 'a quoted "on" is a string, not a bool');
  assert.equal(config.resourceRules, null);
});

test('empty files, ConfigMaps and multi-document files', () => {
  assert.match(parseAdapterConfig('', 'x').warnings[0]!, /empty/);
  assert.match(parseAdapterConfig('# only a comment\n', 'x').warnings[0]!, /empty/);
  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: adapter}\ndata:\n  config.yaml: |\n    rules: []\n';
  assert.match(issuesOf(cm)[0]!, /Kubernetes manifest.*--adapter-configmap/);
  const multi = parseAdapterConfig('rules: []\n---\nrules: [{seriesQuery: x}]\n', 'x');
  assert.equal(multi.config.rules.length, 0, 'yaml.v2 Unmarshal reads the first document');
  assert.ok(multi.warnings.some((w) => /reads only the first/.test(w)));
});

test('anchors and merge keys resolve as in yaml.v2', () => {
  // a top-level anchor holder is itself an unknown key for the adapter
  assert.match(issuesOf('x-res: &res {template: "<<.Resource>>"}\nrules: []\n')[0]!, /x-res: unknown key/);
  const merged = parseAdapterConfig('rules:\n- &base\n  seriesQuery: a\n  metricsQuery: q\n- <<: *base\n  seriesQuery: b\n').config;
  assert.equal(merged.rules[1]!.seriesQuery, 'b');
  assert.equal(merged.rules[1]!.metricsQuery, 'q');
});

test('compile errors from NamersFromConfig are AdapterConfigErrors naming the rule', () => {
  const cases: Array<[string, RegExp]> = [
    // pkg/naming/metric_namer.go: two or more groups without `as`
    [
      "rules:\n- seriesQuery: 'x_total'\n  name: {matches: '^(.*)_(.*)$'}\n  metricsQuery: q\n",
      /must specify an 'as' value for name matcher "\^\(\.\*\)_\(\.\*\)\$" associated with series query "x_total"/,
    ],
    // NewReMatcher: both / neither
    ['rules:\n- seriesQuery: x\n  seriesFilters: [{is: a, isNot: b}]\n', /cannot have both an `is` \("a"\) and `isNot` \("b"\) expression in a single filter/],
    ['rules:\n- seriesQuery: x\n  seriesFilters: [{}]\n', /must have either an `is` or `isNot` expression in a filter/],
    // RE2 refuses lookarounds/backreferences
    [
      "rules:\n- seriesQuery: x\n  name: {matches: '^(?!go_)(.*)$'}\n",
      /unable to generate series name filter from name rules associated with series query "x": unable to compile series filter .*invalid or unsupported Perl syntax: `\(\?!`/,
    ],
    // lbl_res.go: template without .Resource
    ["rules:\n- seriesQuery: x\n  resources: {template: 'kube_<<.Group>>'}\n", /must include at least `\{\{\.Resource\}\}` in the label template/],
    // NewResourceConverter: an override the RESTMapper can't normalize
    ['rules:\n- seriesQuery: x\n  resources: {overrides: {d: {group: apps, resource: pod}}}\n', /unable to normalize group-resource/],
  ];
  for (const [yaml, re] of cases) {
    assert.throws(
      () => compileAdapterConfig(yaml, 't'),
      (e: unknown) => e instanceof AdapterConfigError && e.issues.some((i) => re.test(i)) && e.issues.every((i) => /^(rules|externalRules)\[\d+\] \(seriesQuery '/.test(i)),
      yaml,
    );
  }
});

test('parsing arbitrary YAML never throws anything but AdapterConfigError (fast-check)', () => {
  const keys = fc.constantFrom(
    'rules',
    'externalRules',
    'resourceRules',
    'seriesQuery',
    'name',
    'matches',
    'as',
    'resources',
    'overrides',
    'template',
    'namespaced',
    'seriesFilters',
    'is',
    'isNot',
    'metricsQuery',
    'resource',
    'group',
    'window',
    'cpu',
    'x',
  );
  const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('^(.*)_total$', '$1', '<<.Resource>>', '(?P<x>', 'a{b="c"}', '{__name__=~"a|b"}'));
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(keys, tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(
    fc.property(
      fc.oneof(
        value.map((v) => stringify(v)),
        fc.string(),
      ),
      (text) => {
        try {
          compileAdapterConfig(text, 'fuzz');
        } catch (e) {
          assert.ok(e instanceof AdapterConfigError, `non-AdapterConfigError for ${JSON.stringify(text)}: ${String(e)}`);
        }
      },
    ),
    { numRuns: 1500 },
  );
});
