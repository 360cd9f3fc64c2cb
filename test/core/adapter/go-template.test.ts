// go-template.ts against Go's own text/template: every expected output comes from the oracle
// (go-template-oracle/main.go, run with the Go toolchain the project builds its binaries with), which parses and
// executes each template exactly as prometheus-adapter's resource_converter.go does. Hand-written cases for
// every action the adapter's templates can use, then a few hundred random combinations of them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { executeGoTemplate, GoTemplateError, parseGoTemplate, UnsupportedTemplateError } from '../../../src/core/adapter/go-template.js';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import { AdapterConfigError } from '../../../src/core/adapter/config.js';
import { ResourceConverter } from '../../../src/core/adapter/resources.js';

const ORACLE = join(dirname(fileURLToPath(import.meta.url)), 'go-template-oracle');

interface Case {
  template: string;
  group: string;
  resource: string;
}
type Outcome = { parseError: string } | { execError: string } | { out: string };

function oracle(cases: Case[]): Outcome[] {
  const out = execFileSync('go', ['run', '.'], { cwd: ORACLE, input: JSON.stringify(cases), encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' } });
  return JSON.parse(out) as Outcome[];
}

function ours(c: Case): Outcome | 'unsupported' {
  let t;
  try {
    t = parseGoTemplate(c.template);
  } catch (e) {
    if (e instanceof UnsupportedTemplateError) return 'unsupported';
    if (e instanceof GoTemplateError) return { parseError: e.message };
    throw e;
  }
  try {
    return { out: executeGoTemplate(t, { Group: c.group, Resource: c.resource }) };
  } catch (e) {
    if (e instanceof UnsupportedTemplateError) return 'unsupported';
    if (e instanceof GoTemplateError) return { execError: e.message };
    throw e;
  }
}

const kind = (o: Outcome) => ('out' in o ? 'out' : 'parseError' in o ? 'parse error' : 'exec error');

// what the adapter executes a template with: resource_converter.go makeLabelForResource (sanitized group,
// singular resource) and lbl_res.go newLabelGroupResExtractor (regexp groups)
const DATA: Array<[string, string]> = [
  ['', 'pod'],
  ['apps', 'deployment'],
  ['networking_k8s_io', 'ingress'],
  ['(?P<group>.+?)', '(?P<resource>.+?)'],
  ['', ''],
];

const TEMPLATES = [
  '<<.Resource>>',
  'kube_<<.Resource>>',
  '<<.Group>>_<<.Resource>>',
  '<<if .Group>><<.Group>>_<<end>><<.Resource>>',
  '<<- if .Group ->>  <<.Group>>_  <<- end ->>  <<.Resource>>',
  '<<if eq .Group "">><<.Resource>><<else>><<.Group>>_<<.Resource>><<end>>',
  '<<if not .Group>>core<<else if eq .Group "apps">>apps<<else>>other<<end>>_<<.Resource>>',
  '<<with .Group>><<.>>_<<end>><<.Resource>>',
  '<<with .Group>><<.>>_<<else>>core_<<end>><<.Resource>>',
  '<<with .Group>><<.>><<else with .Resource>>r_<<.>><<end>>',
  '<<with $g := .Group>><<$g>>_<<else>><<$g>>none_<<end>><<.Resource>>',
  '<<$r := .Resource>><<if and .Group (ne .Group "apps")>><<.Group>>_<<end>><<$r>>',
  '<<or .Group "core">>_<<.Resource>>',
  '<<and .Group .Resource>>',
  '<<and>>',
  '<<printf "%s_%s" .Group .Resource>>',
  '<<printf "kube_%s" .Resource>>',
  '<<.Resource | printf "%s_total">>',
  '<<"x" | printf "%s%s" .Resource>>',
  '<<.Resource | printf "%s">><<len .Group>>',
  '<<if gt (len .Group) 0>><<.Group>>_<<end>><<.Resource>>',
  '<<if lt (len .Resource) 4>>short_<<end>><<.Resource>>',
  '<<if le 3 (len .Resource)>>long_<<end>><<if ge (len .Group) 4>>g<<end>><<.Resource>>',
  '<<slice .Resource 0 3>>',
  '<<slice .Resource 1>>',
  '<<index .Resource 0>>',
  '<<index .Resource>>',
  '<<printf "%c" (index .Resource 0)>><<.Resource>>',
  '<<print .Group .Resource>>',
  '<<print 1 2 .Resource 3>>',
  '<<println .Resource>>',
  '<<html .Resource>>',
  '<<urlquery .Group>>_<<.Resource>>',
  '<<.>>',
  '<<.String>>',
  '<<.Empty>>',
  '<<$.Resource>>',
  '<<$>>',
  '<<(.).Resource>>',
  '<<(.Resource)>>',
  '<<range 2>><<.>><<end>><<.Resource>>',
  '<<range $i := 3>><<if eq $i 1>><<break>><<end>><<$i>><<end>><<.Resource>>',
  '<<range 3>><<if eq . 1>><<continue>><<end>>x<<end>><<.Resource>>',
  '<<range 0>>x<<else>>none<<end>>_<<.Resource>>',
  '<<range len .Group>>_<<end>><<.Resource>>',
  '<</* a comment */>><<.Resource>>',
  '<<- /* c */ ->>  <<.Resource>>',
  '<<$x := "a">><<$x = .Resource>><<$x>>',
  '<<eq .Group "apps" "batch">>_<<.Resource>>',
  '<<ne .Group "apps">>',
  '<<printf "%q" .Resource>>',
  '<<printf "%x" .Resource>>',
  '<<printf "%X|%x" 255 (len .Resource)>>',
  '<<printf "%d" .Resource>>',
  '<<printf "%s">>',
  '<<printf "%s" .Group .Resource>>',
  '<<printf "%-6s|%6s|%.2s" .Resource .Resource .Resource>>',
  '<<printf "%05d|%v|%t" 42 .Resource true>>',
  '<<printf "%d|%s|%v" . . .>>',
  '<<printf "%%_%s" .Resource>>',
  "<<'a'>><<0x10>><<-3>>",
  '<<`raw\\n`>><<"esc\\t">><<.Resource>>',
  '<<not .Group>>',
  '<<if .Empty>>empty<<else>><<.String>><<end>>',
  // what Go refuses, at parse or execution
  '<<.Kind>>',
  '<<.Resource.Name>>',
  '<<len .>>',
  '<<len 3>>',
  '<<range .Resource>>x<<end>>',
  '<<range $i, $e := 3>>x<<end>>',
  '<<foo .Resource>>',
  '<<$y>>',
  '<<if>>x<<end>>',
  '<<index .Resource 99>>',
  '<<slice .Resource 2 1>>',
  '<<eq .Group 1>>',
  '<<lt true false>>',
  '<<lt . .>>',
  '<<break>>',
  '<<.Group "x">>',
  '<<.String "x">>',
  '<<"a" "b">>',
  '<<.Resource | "x">>',
  '<<.Resource | .>>',
  '<<not 1 2>>',
  '<<ne 1>>',
  '<<end>>',
  '<<if .Group>>x',
  '<<.Resource',
  '<<else>>',
  '<<$x = 1>>',
  '<<(.Resource>>',
  '<<printf "%s" (slice .Resource 9)>>',
];

// the actions go-template.ts refuses (prometheus-adapter accepts them; their labels are not predicted here)
const REFUSED = [
  '<<define "x">>a<<end>><<template "x">><<.Resource>>',
  '<<template "x" .>>',
  '<<block "x" .>>b<<end>><<.Resource>>',
  '<<js .Resource>>',
  '<<call .Resource>>',
  '<<if eq .Group nil>>x<<end>>',
  '<<printf "%e" 1.5>>',
  '<<printf "%8.3f" 2>>',
  '<<printf .Resource>>',
  '<<.WithVersion "v1">>',
  '<<range 100000>>x<<end>>',
];

test('go-template: the actions a resources.template can use give what Go text/template gives (oracle: Go itself)', () => {
  const cases: Case[] = TEMPLATES.flatMap((template) => DATA.map(([group, resource]) => ({ template, group, resource })));
  const want = oracle(cases);
  const diffs: string[] = [];
  let outputs = 0;
  cases.forEach((c, i) => {
    const got = ours(c);
    const w = want[i]!;
    if ('out' in w) outputs++;
    if (got === 'unsupported') diffs.push(`${JSON.stringify(c)}: refused here, Go gives ${JSON.stringify(w)}`);
    else if (kind(got) !== kind(w) || ('out' in w && 'out' in got && got.out !== w.out)) diffs.push(`${JSON.stringify(c)}: here ${JSON.stringify(got)}, Go ${JSON.stringify(w)}`);
  });
  assert.deepEqual(diffs, []);
  assert.ok(outputs > 200, `only ${outputs} cases executed without error in Go`);
});

test('go-template: random combinations of the actions agree with Go (parse error, execution error or the same text)', () => {
  let seed = 20261129;
  const r = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const FRAG = [
    '<<.Resource>>',
    '<<.Group>>',
    '_',
    'kube_',
    '<<if .Group>>',
    '<<if not .Group>>',
    '<<if eq .Group "apps">>',
    '<<else>>',
    '<<else if .Resource>>',
    '<<end>>',
    '<<with .Group>>',
    '<<range 2>>',
    '<<range $i := len .Group>>',
    '<<.>>',
    '<<$>>',
    '<<len .Resource>>',
    '<<printf "%s-%d" .Resource 3>>',
    '<<or .Group "core">>',
    '<<and .Group .Resource>>',
    '<<$v := .Resource>>',
    '<<$v>>',
    '<<slice .Resource 1>>',
    '<<index .Group 0>>',
    '<<break>>',
    '<<- " " ->>',
    ' ',
  ];
  const cases: Case[] = [];
  for (let i = 0; i < 400; i++) {
    const n = 1 + Math.floor(r() * 6);
    const template = Array.from({ length: n }, () => pick(FRAG)).join('');
    const [group, resource] = pick(DATA);
    cases.push({ template, group, resource });
  }
  const want = oracle(cases);
  const diffs: string[] = [];
  cases.forEach((c, i) => {
    const got = ours(c);
    const w = want[i]!;
    if (got === 'unsupported' || kind(got) !== kind(w) || ('out' in w && 'out' in got && got.out !== w.out)) diffs.push(`${JSON.stringify(c)}: here ${JSON.stringify(got)}, Go ${JSON.stringify(w)}`);
  });
  assert.deepEqual(diffs, []);
});

test('go-template: what is not evaluated here is refused, naming the action — never guessed', () => {
  for (const template of REFUSED) {
    assert.equal(ours({ template, group: 'apps', resource: 'deployment' }), 'unsupported', template);
  }
  // in a config: the rule, the field and the action are named, and the config is refused
  const yaml = `rules:\n- seriesQuery: gpu_util\n  resources: {template: '<<template "x" .>>'}\n  metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)"\n`;
  assert.throws(
    () => compileAdapterConfig(yaml, 't.yaml'),
    (e: unknown) => e instanceof AdapterConfigError && /rules\[0\].*resources\.template uses the action <<template "x" \.>>.*prometheus-adapter accepts it/.test(e.issues.join('\n')),
  );
});

test('go-template: a ResourceConverter built from such a template maps labels as the adapter does', () => {
  const c = new ResourceConverter('<<with .Group>><<printf "%s_" .>><<end>><<.Resource>>', []);
  assert.deepEqual(c.labelForResource({ group: 'apps', resource: 'deployments' }), { label: 'apps_deployment', via: 'template' });
  assert.deepEqual(c.labelForResource({ group: '', resource: 'pods' }), { label: 'pod', via: 'template' });
  assert.deepEqual(c.resourceForLabel('apps_deployment'), { group: 'apps', resource: 'deployments' });
  // the extractor is the template executed with Group "(?P<group>.+?)": `with` takes that branch, so a label
  // needs a group part — "namespace" maps to nothing (lbl_res.go newLabelGroupResExtractor)
  assert.equal(c.resourceForLabel('namespace'), null);
  // an execution error for one resource: no label for it (makeLabelForResource), not a crash
  const s = new ResourceConverter('<<.Resource>><<if gt (len .Group) 20>><<index .Group 30>><<end>>', []);
  assert.deepEqual(s.labelForResource({ group: 'apps', resource: 'deployments' }), { label: 'deployment', via: 'template' });
  const l = s.labelForResource({ group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations' });
  assert.equal(l.label, null);
  assert.match(l.label === null ? l.error : '', /index out of range: 30/);
});
