// charts/gpu-hpa-webhook: `helm lint` passes, and `helm template` with the default values renders
// the same objects as `kubectl kustomize manifests/`, so the two installs never drift (issue 16).
// helm is the pinned version scripts/install-helm.sh builds from its Go module.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { kustomizeBin } from './helpers/kustomize.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHART = join(ROOT, 'charts', 'gpu-hpa-webhook');

// Rendered objects are untyped YAML.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

function helmBin(): string {
  const out = execFileSync('bash', [join(ROOT, 'scripts', 'install-helm.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const bin = out.trim().split('\n').pop() ?? '';
  assert.ok(existsSync(bin), `scripts/install-helm.sh printed ${bin}`);
  return bin;
}

function parse(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => {
      assert.equal(d.errors.length, 0, String(d.errors[0]));
      return d.toJS();
    })
    .filter((o) => o !== null && o !== undefined);
}

let helm = '';
function template(...set: string[]): Obj[] {
  return parse(execFileSync(helm, ['template', 'gpu-hpa-webhook', CHART, ...set.flatMap((s) => ['--set', s])], { encoding: 'utf8' }));
}

/** The generated policy ConfigMap's hash differs (kustomize's vs the chart's sha256): compare without it. */
function normalize(objects: Obj[]): Obj[] {
  const text = JSON.stringify(objects).replace(/gpu-hpa-webhook-policy-[a-z0-9]{10}/g, 'gpu-hpa-webhook-policy-<hash>');
  const key = (o: Obj) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  return (JSON.parse(text) as Obj[]).sort((a, b) => key(a).localeCompare(key(b)));
}

before(() => {
  helm = helmBin();
});

describe('charts/gpu-hpa-webhook', () => {
  it('helm lint passes', () => {
    const out = execFileSync(helm, ['lint', '--strict', CHART], { encoding: 'utf8' });
    assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('renders, with its default values, the same objects as kustomize renders manifests/', () => {
    const chart = normalize(template());
    const kustomized = normalize(parse(execFileSync(kustomizeBin(), ['build', join(ROOT, 'manifests')], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })));
    assert.deepEqual(
      chart.map((o) => `${o.kind}/${o.metadata.name}`),
      kustomized.map((o) => `${o.kind}/${o.metadata.name}`),
    );
    for (let i = 0; i < chart.length; i++) assert.deepEqual(chart[i], kustomized[i], `${chart[i].kind}/${chart[i].metadata.name}`);
  });

  it('ships the policy and adapter rules of policies/, unchanged', () => {
    for (const [file, copy] of [
      ['default.yaml', 'policy.yaml'],
      ['prometheus-adapter-rules.yaml', 'prometheus-adapter-rules.yaml'],
    ] as const) {
      assert.equal(readFileSync(join(CHART, 'files', copy), 'utf8'), readFileSync(join(ROOT, 'policies', file), 'utf8'), `charts/gpu-hpa-webhook/files/${copy} drifted: run scripts/sync-manifests.sh`);
    }
  });

  it('another namespace and name: nothing points at the defaults', () => {
    const objects = template('namespace=platform', 'name=acme-gpu-hpa');
    const text = JSON.stringify(objects);
    assert.doesNotMatch(text, /"namespace":"gpu-hpa-webhook"/);
    const binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    assert.deepEqual([binding.spec.paramRef.name, binding.spec.paramRef.namespace], ['acme-gpu-hpa', 'platform']);
    for (const cfg of objects.filter((o) => /WebhookConfiguration$/.test(o.kind))) {
      for (const w of cfg.webhooks) {
        assert.deepEqual(w.clientConfig.service, { name: 'acme-gpu-hpa', namespace: 'platform', path: w.clientConfig.service.path, port: 443 });
        assert.deepEqual(w.namespaceSelector.matchExpressions[0].values, ['kube-system', 'platform']);
      }
      assert.equal(cfg.metadata.annotations['cert-manager.io/inject-ca-from'], 'platform/gpu-hpa-webhook-tls');
    }
    // the certificate controller may touch only the renamed configurations and its Secret
    const clusterRole = objects.find((o) => o.kind === 'ClusterRole');
    assert.deepEqual(clusterRole.rules.find((r: Obj) => r.resources.includes('validatingwebhookconfigurations')).resourceNames, ['acme-gpu-hpa']);
    const env = Object.fromEntries(objects.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
    assert.deepEqual([env.SERVICE_NAME, env.WEBHOOK_CONFIGURATION, env.CERT_SECRET], ['acme-gpu-hpa', 'acme-gpu-hpa', 'gpu-hpa-webhook-tls']);
  });

  it('values: cert-manager mode, a provided caBundle, the cluster adapter ConfigMap, scheduling, client CA', () => {
    const env = (objs: Obj[]) => Object.fromEntries(objs.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
    const secrets = (objs: Obj[]) => objs.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name);
    // self-managed (default): the empty Secret the leader fills; cert-manager and secret: none (theirs, yours)
    assert.deepEqual(secrets(template()), ['gpu-hpa-webhook-tls']);
    assert.equal(env(template()).CERT_MODE, 'self-managed');
    const cm = template('certificates.mode=cert-manager');
    assert.deepEqual(secrets(cm), []);
    const secretVerbs = (objs: Obj[]) => objs.find((o) => o.kind === 'Role' && o.metadata.name === 'gpu-hpa-webhook').rules.find((r: Obj) => r.resources.includes('secrets')).verbs;
    assert.deepEqual(secretVerbs(template()), ['get', 'list', 'watch', 'update'], 'self-managed: the leader writes the Secret');
    assert.deepEqual(secretVerbs(cm), ['get', 'list', 'watch'], 'cert-manager: the Secret is only read');
    assert.equal(env(cm).CERT_MODE, 'cert-manager');
    assert.deepEqual(
      cm
        .filter((o) => o.kind === 'Certificate')
        .map((o) => o.metadata.name)
        .sort(),
      ['gpu-hpa-webhook-ca', 'gpu-hpa-webhook-tls'],
    );
    // failurePolicy.hpaValidation is what the leader sets; the configuration always ships Ignore
    const open = template('failurePolicy.hpaValidation=Ignore');
    assert.ok(open.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].args.includes('--hpa-failure-policy=Ignore'));
    const hpaHook = (objs: Obj[]) => objs.find((o) => o.kind === 'ValidatingWebhookConfiguration').webhooks.find((w: Obj) => w.name === 'horizontalpodautoscalers.validate.gpu-hpa.io');
    assert.equal(hpaHook(template()).failurePolicy, 'Ignore');
    assert.ok(
      template()
        .find((o) => o.kind === 'Deployment')
        .spec.template.spec.containers[0].args.includes('--hpa-failure-policy=Fail'),
    );
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64');
    const provided = template('certificates.mode=secret', `certificates.caBundle=${ca}`);
    assert.deepEqual(secrets(provided), []);
    assert.equal(env(provided).CERT_MODE, 'secret');
    assert.deepEqual(secretVerbs(provided), ['get', 'list', 'watch'], 'provided Secret: only read');
    for (const cfg of provided.filter((o) => /WebhookConfiguration$/.test(o.kind))) for (const w of cfg.webhooks) assert.equal(w.clientConfig.caBundle, ca);
    const adapter = template(
      'adapter.configMap=monitoring/prometheus-adapter:config.yaml',
      'priorityClassName=system-cluster-critical',
      'nodeSelector.role=infra',
      'clientCA.secretName=apiserver-client-ca',
    );
    const dep = adapter.find((o) => o.kind === 'Deployment');
    const args: string[] = dep.spec.template.spec.containers[0].args;
    assert.ok(args.includes('--adapter-configmap=$(ADAPTER_CONFIGMAP)'));
    assert.equal(dep.spec.template.spec.containers[0].env.find((e: Obj) => e.name === 'ADAPTER_CONFIGMAP').value, 'monitoring/prometheus-adapter:config.yaml');
    assert.ok(!args.some((a) => a.startsWith('--adapter-config=')));
    assert.ok(args.includes('--client-ca=/etc/gpu-hpa-webhook/client-ca/ca.crt'));
    assert.equal(dep.spec.template.spec.priorityClassName, 'system-cluster-critical');
    assert.deepEqual(dep.spec.template.spec.nodeSelector, { role: 'infra' });
    const role = adapter.find((o) => o.kind === 'Role' && o.metadata.namespace === 'monitoring');
    assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['prometheus-adapter'], verbs: ['list', 'watch'] }]);
    assert.equal(adapter.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-adapter-gpu-rules').length, 0);
    // adapter.configMap empty: the chart's private copy of the DCGM rules instead, and no Role outside the release's namespace
    const embedded = template('adapter.configMap=');
    const copy = embedded.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'prometheus-adapter-gpu-rules');
    assert.equal(copy.data['config.yaml'], readFileSync(join(CHART, 'files', 'prometheus-adapter-rules.yaml'), 'utf8'));
    assert.ok(embedded.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].args.includes('--adapter-config=/etc/gpu-hpa-webhook/adapter/config.yaml'));
    assert.deepEqual(
      embedded.filter((o) => o.metadata.namespace === 'monitoring'),
      [],
    );
  });
});
