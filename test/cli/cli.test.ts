// The CLI as a user runs it: a child process, exit codes 0/1/2, text and --output json.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { fixturePath, fixtureText, ROOT } from '../helpers/fixtures.js';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const tmp = () => mkdtempSync(join(tmpdir(), 'gpu-hpa-cli-'));

test('check: the seed-000 HPA with the seed-000 adapter config exits 0', () => {
  const r = cli('check', '-f', fixturePath('seed-000/hpa.yaml'), '--adapter-config', fixturePath('seed-000/adapter-config.yaml'));
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /ALLOWED HorizontalPodAutoscaler default\/gpu-hpa-test/);
  assert.match(r.out, /1 object: 1 allowed, 0 denied, 0 skipped/);
});

test('check: the same HPA with a misspelt metric exits 1 and suggests the served name', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'hpa.yaml'), fixtureText('seed-000/hpa.yaml').replace('gpu_utilization', 'gpu_utilisation'));
  const r = cli('check', '-f', join(dir, 'hpa.yaml'), '--adapter-config', fixturePath('seed-000/adapter-config.yaml'));
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.out, /DENIED +HorizontalPodAutoscaler default\/gpu-hpa-test/);
  assert.match(r.out, /did you mean gpu_utilization\?/i);
});

test('check --output json over a directory: one verdict per object, machine-readable', () => {
  const r = cli('check', '-f', fixturePath('seed-003'), '--adapter-config', fixturePath('seed-000/adapter-config.yaml'), '-o', 'json');
  assert.equal(r.code, 1, r.err);
  const report = JSON.parse(r.out);
  // seed-003 holds 4 HPAs and an adapter-config.yaml that is not a Kubernetes object (skipped)
  const hpas = report.results.filter((x: { kind: string }) => x.kind === 'HorizontalPodAutoscaler');
  assert.equal(hpas.length, 4);
  const custom = hpas.find((x: { source: string }) => x.source.endsWith('hpa-custom.yaml#1'));
  assert.equal(custom.verdict, 'denied');
  assert.equal(custom.violations[0].reason, 'metric-not-served');
  assert.equal(report.summary.objects, report.results.length);
});

test('check: a Deployment and its HPA together — the HPA is judged against the mutated Deployment', () => {
  const dir = tmp();
  const dep = fixtureText('seed-000/deployment.yaml');
  const hpa = fixtureText('seed-000/hpa.yaml');
  writeFileSync(join(dir, 'all.yaml'), `${hpa}\n---\n${dep}`);
  const r = cli('check', '-f', join(dir, 'all.yaml'), '--adapter-config', fixturePath('seed-000/adapter-config.yaml'), '-o', 'json');
  const report = JSON.parse(r.out);
  const h = report.results.find((x: { kind: string }) => x.kind === 'HorizontalPodAutoscaler');
  // seed-000's HPA has no behavior: the webhook fills the profile's, so it passes the safety rules
  assert.equal(h.verdict, 'allowed', JSON.stringify(h));
  assert.equal(h.patch[0].path, '/spec/behavior');
  const d = report.results.find((x: { kind: string }) => x.kind === 'Deployment');
  assert.equal(d.verdict, 'allowed', JSON.stringify(d));
  assert.ok(d.patch.length > 0);
  assert.equal(r.code, 0, r.out);
});

test('check: configuration and usage errors exit 2 with a message naming the problem', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'helm-values.yaml'), 'rules:\n  existing: my-rules\n');
  const bad = cli('check', '-f', fixturePath('seed-000/hpa.yaml'), '--adapter-config', join(dir, 'helm-values.yaml'));
  assert.equal(bad.code, 2);
  assert.match(bad.err, /helm-values\.yaml/);
  assert.match(bad.err, /rules\.existing/);
  writeFileSync(join(dir, 'policy.yaml'), readFileSync(join(ROOT, 'policies/default.yaml'), 'utf8').replace('enforcement: deny', 'enforcement: block'));
  const badPolicy = cli('check', '-f', fixturePath('seed-000/hpa.yaml'), '--policy', join(dir, 'policy.yaml'));
  assert.equal(badPolicy.code, 2);
  assert.match(badPolicy.err, /enforcement/);
  assert.equal(cli('check').code, 2, 'missing -f');
  assert.equal(cli('check', '-f', '/nonexistent.yaml').code, 2);
  assert.equal(cli('check', '-f', fixturePath('seed-000/hpa.yaml'), '--bogus').code, 2);
  assert.equal(cli('--help').code, 0);
});

test('render: the mutated Deployment and its managed HPA as YAML', () => {
  const r = cli('render', '-f', fixturePath('seed-000/deployment.yaml'));
  assert.equal(r.code, 0, r.err);
  const docs = parseAllDocuments(r.out).map((d) => d.toJS());
  assert.deepEqual(
    docs.map((d) => d.kind),
    ['Deployment', 'HorizontalPodAutoscaler'],
  );
  assert.equal(docs[0].spec.template.spec.nodeSelector['nvidia.com/gpu.present'], 'true');
  const hpa = docs[1];
  assert.equal(hpa.apiVersion, 'autoscaling/v2');
  assert.equal(hpa.metadata.name, 'gpu-hpa-test');
  assert.equal(hpa.metadata.labels['app.kubernetes.io/managed-by'], 'gpu-hpa-webhook');
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gpu-hpa-test' });
  assert.deepEqual(hpa.spec.metrics, [{ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: '60' } } }]);
  assert.equal(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, 600);
});

test('certs: CA, serving certificate and webhook configurations with caBundle', () => {
  const out = tmp();
  const r = cli('certs', '--service', 'gpu-hpa-webhook', '--namespace', 'gpu-hpa-webhook', '--out', out, '-o', 'json');
  assert.equal(r.code, 0, r.err);
  const result = JSON.parse(r.out);
  const ca = readFileSync(join(out, 'ca.crt'), 'utf8');
  assert.equal(result.caBundle, Buffer.from(ca).toString('base64'));
  const configs = result.files.map((f: { path: string }) => f.path).filter((p: string) => /webhook/.test(p) && p.endsWith('.yaml'));
  assert.ok(configs.length >= 1);
  for (const p of configs) {
    const text = readFileSync(p.startsWith('/') ? p : join(out, p), 'utf8');
    for (const doc of parseAllDocuments(text).map((d) => d.toJS())) {
      for (const w of doc.webhooks ?? []) {
        assert.equal(w.clientConfig.caBundle, result.caBundle);
        // shipped Ignore until a caBundle is in (manifests/webhook-validating.yaml); these files carry one
        if (w.name === 'horizontalpodautoscalers.validate.gpu-hpa.io') assert.equal(w.failurePolicy, 'Fail');
      }
    }
  }
});

test('serve --cert-mode: a cluster is needed, files do not mix with it, the modes and durations are checked (exit 2 naming the flag)', () => {
  const env = { ...process.env, KUBERNETES_SERVICE_HOST: '' };
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'serve', ...args], { encoding: 'utf8', cwd: ROOT, env });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    return r.stderr;
  };
  assert.match(run('--cert-mode', 'self-managed'), /--cert-mode self-managed reads the Secret through the API: give --kubeconfig, or run in a pod/);
  assert.match(run('--cert-mode', 'secret', '--tls-cert', 'a', '--tls-key', 'b'), /--cert-mode secret serves the Secret --cert-secret: leave out --tls-cert\/--tls-key/);
  assert.match(run('--cert-mode', 'vault'), /option '--cert-mode <mode>' argument 'vault' is invalid\. Allowed choices are self-managed, cert-manager, secret/);
  assert.match(run('--hpa-failure-policy', 'fail'), /Allowed choices are Fail, Ignore/);
  assert.match(run('--cert-propagation-delay', 'soon'), /--cert-propagation-delay "soon": a duration/);
});

test('serve: --metrics-port on the review port, a bad port, or a --client-ca that is no CA exit 2 naming the flag', () => {
  const same = cli('serve', '--port', '18443', '--metrics-port', '18443');
  assert.equal(same.code, 2, same.out + same.err);
  assert.match(same.err, /--metrics-port 18443 is the review port \(--port\)/);
  const bad = cli('serve', '--metrics-port', 'http');
  assert.equal(bad.code, 2, bad.out + bad.err);
  assert.match(bad.err, /--metrics-port "http": must be an integer between 1 and 65535/);
  const dir = tmp();
  writeFileSync(join(dir, 'ca.pem'), 'not a certificate');
  const ca = cli('serve', '--host', '127.0.0.1', '--port', '18444', '--metrics-port', '18445', '--cert-dir', join(dir, 'certs'), '--client-ca', join(dir, 'ca.pem'));
  assert.equal(ca.code, 2, ca.out + ca.err);
  assert.match(ca.err, /--client-ca .*ca\.pem holds no PEM certificate/);
});

test("the README's check examples run as written from a fresh clone (paths inside the repository)", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const commands = [...readme.replace(/\\\n\s*/g, ' ').matchAll(/^npx gpu-hpa-webhook (check [^\n]*)/gm)].map((m) => m[1]!.trim()).filter((c) => !c.includes('--prometheus-url')); // that one needs a Prometheus (test:prometheus)
  assert.ok(commands.length > 0, 'the README has a check example');
  for (const c of commands) {
    const r = cli(...c.split(/\s+/));
    assert.equal(r.code, 0, `README: npx gpu-hpa-webhook ${c}\n${r.out}${r.err}`);
  }
});

test('check: an unreadable file is reported (as JSON with -o json), the others are still checked, exit 2', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'a-broken.yaml'), 'apiVersion: autoscaling/v2\nkind: [\n');
  writeFileSync(join(dir, 'b-hpa.yaml'), fixtureText('seed-000/hpa.yaml'));
  // kubectl's reading: a repeated key keeps its last value; 0x3 is an integer (YAML 1.1 flavour)
  writeFileSync(
    join(dir, 'c-dup.yaml'),
    'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: dup}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 0\n  maxReplicas: 0x3\n',
  );
  const r = cli('check', '-f', dir, '--adapter-config', fixturePath('seed-000/adapter-config.yaml'), '-o', 'json');
  assert.equal(r.code, 2, r.out + r.err);
  const report = JSON.parse(r.out);
  assert.deepEqual(
    report.errors.map((e: { file: string }) => e.file),
    [join(dir, 'a-broken.yaml')],
  );
  assert.match(report.errors[0].message, /a-broken\.yaml/);
  assert.equal(report.summary.objects, 2);
  const dup = report.results.find((x: { name: string }) => x.name === 'dup');
  assert.deepEqual(
    dup.violations.filter((v: { reason: string }) => v.reason.startsWith('api-')),
    [],
  );
  const text = cli('check', '-f', dir, '--adapter-config', fixturePath('seed-000/adapter-config.yaml'));
  assert.equal(text.code, 2);
  assert.match(text.out, /ERROR\s+.*a-broken\.yaml/);
  assert.match(text.out, /1 file could not be read/);
});

test("check --adapter-config takes the prometheus-community chart's values form (rules.custom) as the adapter would get it", () => {
  const dir = tmp();
  // seed-000's rule as the guide's Helm values write it
  const rule = fixtureText('seed-000/adapter-config.yaml')
    .replace(/^rules:\n/, '')
    .replace(/^/gm, '  ');
  writeFileSync(join(dir, 'values.yaml'), `prometheus:\n  url: http://prometheus.monitoring.svc\nrules:\n  default: false\n  custom:\n${rule}`);
  const ok = cli('check', '-f', fixturePath('seed-000/hpa.yaml'), '--adapter-config', join(dir, 'values.yaml'));
  assert.equal(ok.code, 0, ok.out + ok.err);
  writeFileSync(join(dir, 'hpa.yaml'), fixtureText('seed-000/hpa.yaml').replace('gpu_utilization', 'gpu_utilisation'));
  const bad = cli('check', '-f', join(dir, 'hpa.yaml'), '--adapter-config', join(dir, 'values.yaml'));
  assert.equal(bad.code, 1, bad.out + bad.err);
  assert.match(bad.out, /did you mean gpu_utilization\?/i);
});

test('check: a Helm template and non-manifest YAML are skipped with the reason; the rest is still checked', () => {
  const dir = tmp();
  writeFileSync(
    join(dir, 'a-template.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "app.fullname" . }}\n  labels:\n    {{- include "app.labels" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n',
  );
  writeFileSync(join(dir, 'b-values.yaml'), 'replicaCount: 1\nimage: {repository: nginx}\n');
  writeFileSync(join(dir, 'c-list.yaml'), '- a\n- b\n---\njust text\n---\napiVersion: {a: 1}\nkind: {b: 2}\nmetadata: {name: {x: 1}}\n');
  writeFileSync(join(dir, 'd-hpa.yaml'), fixtureText('seed-000/hpa.yaml'));
  const r = cli('check', '-f', dir, '--adapter-config', fixturePath('seed-000/adapter-config.yaml'), '-o', 'json');
  assert.equal(r.code, 0, r.out + r.err);
  const report = JSON.parse(r.out);
  assert.deepEqual(report.errors, []);
  const by = (f: string) => report.results.filter((x: { source: string }) => x.source.startsWith(join(dir, f)));
  const [tpl] = by('a-template.yaml');
  assert.equal(tpl.verdict, 'skipped');
  assert.match(tpl.reason, /a Helm \(Go\) template.*helm template/);
  assert.match(by('b-values.yaml')[0].reason, /not a Kubernetes object: no apiVersion and no kind \(top-level keys: replicaCount, image\)/);
  assert.deepEqual(
    by('c-list.yaml').map((x: { reason: string }) => x.reason.replace(/:.*/, '')),
    ['not a Kubernetes object', 'not a Kubernetes object', 'not a Kubernetes object'],
  );
  assert.match(by('c-list.yaml')[0].reason, /a YAML list/);
  assert.match(by('c-list.yaml')[1].reason, /a string/);
  assert.match(by('c-list.yaml')[2].reason, /apiVersion is not a non-empty string and kind is not a non-empty string/);
  assert.equal(by('d-hpa.yaml')[0].verdict, 'allowed');
  assert.deepEqual(report.summary, { objects: 6, allowed: 1, denied: 0, skipped: 5 });
  const text = cli('check', '-f', dir, '--adapter-config', fixturePath('seed-000/adapter-config.yaml'));
  assert.equal(text.code, 0);
  assert.doesNotMatch(text.out, /object Object/);
  assert.match(text.out, /SKIPPED .*a-template\.yaml#1\n {2}\(a Helm \(Go\) template/);
});

test('check: an empty input is a usage error (exit 2), in text and in --output json', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'empty.yaml'), '# nothing yet\n---\n');
  for (const target of [join(dir, 'empty.yaml'), mkdtempSync(join(tmpdir(), 'gpu-hpa-cli-empty-'))]) {
    const text = cli('check', '-f', target);
    assert.equal(text.code, 2, text.out + text.err);
    assert.match(text.out, /ERROR +\(input\): nothing to check in .*: no YAML or JSON document/);
    assert.doesNotMatch(text.out, /could not be read/);
    const json = cli('check', '-f', target, '-o', 'json');
    assert.equal(json.code, 2);
    const report = JSON.parse(json.out);
    assert.equal(report.errors.length, 1);
    assert.match(report.errors[0].message, /nothing to check/);
  }
});

test('audit: --kubeconfig is required; a bad flag or an unreadable kubeconfig is a usage error', () => {
  assert.equal(cli('audit').code, 2, 'missing --kubeconfig');
  const missing = cli('audit', '--kubeconfig', '/nonexistent/kubeconfig');
  assert.equal(missing.code, 2, missing.out + missing.err);
  assert.match(missing.err, /nonexistent\/kubeconfig/);
  const timeout = cli('audit', '--kubeconfig', '/nonexistent/kubeconfig', '--timeout', 'soon');
  assert.equal(timeout.code, 2);
  assert.match(timeout.err, /--timeout "soon"/);
});
