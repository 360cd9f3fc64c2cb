// Renders manifests/ with kustomize and checks the install against the spec's "Manifests" contract.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MANIFESTS = join(ROOT, 'manifests');
const NS = 'gpu-hpa-webhook';
const OPT_IN_LABEL = 'gpu-hpa.io/enabled';

// Rendered objects are untyped YAML; tests walk them with this loose type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

/** kustomize on PATH or in the Go bin directory, else kubectl's built-in kustomize. */
function findKustomize(): { cmd: string; args: string[] } {
  const candidates: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(join(dir, 'kustomize'));
  try {
    const gobin = execFileSync('go', ['env', 'GOBIN'], { encoding: 'utf8' }).trim();
    const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
    if (gobin) candidates.push(join(gobin, 'kustomize'));
    if (gopath) candidates.push(join(gopath, 'bin', 'kustomize'));
  } catch {
    // no Go: PATH and ~/go/bin only
  }
  candidates.push(join(homedir(), 'go', 'bin', 'kustomize'));
  const found = candidates.find((c) => existsSync(c));
  if (found) return { cmd: found, args: ['build', MANIFESTS] };
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'kubectl'))) return { cmd: join(dir, 'kubectl'), args: ['kustomize', MANIFESTS] };
  }
  throw new Error('kustomize not found on PATH or in $(go env GOPATH)/bin: install it with `bash scripts/install-kustomize.sh`');
}

let objects: Obj[] = [];

function all(kind: string): Obj[] {
  return objects.filter((o) => o.kind === kind);
}
function one(kind: string, name?: string): Obj {
  const found = all(kind).filter((o) => name === undefined || o.metadata?.name === name);
  assert.equal(found.length, 1, `exactly one ${kind}${name ? ` ${name}` : ''} (found ${found.length})`);
  return found[0];
}

/** --flag=value or --flag value */
function flag(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === name) return args[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

before(() => {
  const { cmd, args } = findKustomize();
  const out = execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  objects = parseAllDocuments(out).map((d) => {
    assert.equal(d.errors.length, 0, String(d.errors[0]));
    return d.toJS();
  });
  assert.ok(objects.length > 0, 'kustomize rendered nothing');
});

describe('manifests/ (kustomize build)', () => {
  it('renders every kind the install needs', () => {
    for (const kind of [
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Role',
      'RoleBinding',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
      'ConfigMap',
    ]) {
      assert.ok(all(kind).length > 0, `${kind} missing`);
    }
    assert.equal(one('Namespace').metadata.name, NS);
    assert.equal(one('MutatingWebhookConfiguration').apiVersion, 'admissionregistration.k8s.io/v1');
    assert.equal(one('ValidatingWebhookConfiguration').apiVersion, 'admissionregistration.k8s.io/v1');
    // Namespaced objects all live in the webhook's namespace.
    for (const o of objects) {
      if (
        ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].includes(
          o.kind,
        )
      ) {
        assert.equal(o.metadata.namespace, undefined, `${o.kind} is cluster-scoped`);
      } else if (o.metadata.name === 'gpu-hpa-webhook-adapter-config') {
        // read access to the prometheus-adapter's ConfigMap lives where that ConfigMap is
        assert.equal(o.metadata.namespace, 'monitoring', `${o.kind}/${o.metadata.name} namespace`);
      } else {
        assert.equal(o.metadata.namespace, NS, `${o.kind}/${o.metadata.name} namespace`);
      }
    }
  });

  it('grants exactly the RBAC the spec lists, nothing broader', () => {
    const granted = new Set<string>();
    for (const role of [...all('ClusterRole'), ...all('Role')]) {
      const scope = role.kind === 'ClusterRole' ? 'cluster' : `ns:${role.metadata.namespace}`;
      for (const rule of role.rules ?? []) {
        assert.equal(rule.nonResourceURLs, undefined, 'no nonResourceURLs');
        for (const g of rule.apiGroups)
          for (const r of rule.resources)
            for (const v of rule.verbs) {
              for (const x of [g, r, v]) assert.ok(!String(x).includes('*'), `no wildcard in ${role.kind} ${role.metadata.name}`);
              granted.add(`${scope} ${g}/${r} ${v}`);
            }
      }
    }
    // only the verbs the code calls (issue 17): no get of Deployments, HPAs or ConfigMaps, no
    // update of HPAs, no patch of Events; the Lease's get/update limited to its name
    const expected = [
      ...['list', 'watch'].map((v) => `cluster apps/deployments ${v}`),
      ...['list', 'watch', 'create', 'patch', 'delete'].map((v) => `cluster autoscaling/horizontalpodautoscalers ${v}`),
      ...['create'].map((v) => `cluster /events ${v}`),
      // namespace labels for profiles' namespaceSelector (the namespaces informer)
      ...['list', 'watch'].map((v) => `cluster /namespaces ${v}`),
      // its own two webhook configurations: caBundle and HPA validation's failurePolicy (src/controller/certificates.ts)
      ...['get', 'update'].flatMap((v) => [`cluster admissionregistration.k8s.io/mutatingwebhookconfigurations ${v}`, `cluster admissionregistration.k8s.io/validatingwebhookconfigurations ${v}`]),
      // its own certificate Secret: every replica watches it, the leader writes it
      ...['get', 'list', 'watch', 'update'].map((v) => `ns:${NS} /secrets ${v}`),
      // who serves the metrics APIs (the APIService informer, issue 15)
      ...['list', 'watch'].map((v) => `cluster apiregistration.k8s.io/apiservices ${v}`),
      ...['get', 'create', 'update'].map((v) => `ns:${NS} coordination.k8s.io/leases ${v}`),
      // the prometheus-adapter's ConfigMap, and only it (resourceNames below)
      ...['list', 'watch'].map((v) => `ns:monitoring /configmaps ${v}`),
    ];
    const adapterRole = all('Role').find((r) => r.metadata.namespace === 'monitoring');
    assert.deepEqual(adapterRole.rules, [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['prometheus-adapter'], verbs: ['list', 'watch'] }]);
    const leaseRules = one('Role', 'gpu-hpa-webhook').rules.filter((r: Obj) => r.resources.includes('leases'));
    for (const r of leaseRules) {
      if (r.verbs.some((v: string) => v !== 'create')) assert.deepEqual(r.resourceNames, ['gpu-hpa-webhook'], 'Lease get/update only on its own Lease');
    }
    assert.deepEqual([...granted].sort(), expected.sort());
    // Secrets and webhook configurations: by name only, never all of them
    for (const role of [...all('ClusterRole'), ...all('Role')]) {
      for (const r of role.rules) {
        if (r.resources.includes('secrets')) assert.deepEqual(r.resourceNames, ['gpu-hpa-webhook-tls'], 'only its own Secret');
        if (r.resources.some((x: string) => /webhookconfigurations$/.test(x))) assert.deepEqual(r.resourceNames, ['gpu-hpa-webhook'], 'only its own webhook configurations');
      }
    }

    const sa = one('ServiceAccount');
    for (const [binding, roleKind] of [
      [one('ClusterRoleBinding'), 'ClusterRole'],
      [one('RoleBinding', 'gpu-hpa-webhook'), 'Role'],
      [one('RoleBinding', 'gpu-hpa-webhook-adapter-config'), 'Role'],
    ] as const) {
      assert.equal(binding.roleRef.kind, roleKind);
      assert.ok(
        all(roleKind).some((r) => r.metadata.name === binding.roleRef.name),
        `${binding.kind} refers to an existing ${roleKind}`,
      );
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: NS }]);
    }
  });

  it('configures both webhooks as the spec says', () => {
    const service = one('Service');
    // Mutation fails open; validation fails closed for HPAs (the <unknown>-forever gate) and open for
    // Deployments, so an outage never blocks a rollout or a rollback. HPA validation ships Ignore: the
    // leader sets Fail (--hpa-failure-policy) once caBundle trusts the served certificate, so no
    // install order leaves a fail-closed webhook with an empty caBundle (issue 16).
    const expectedFailurePolicy = (): string => 'Ignore';
    const dep = one('Deployment').spec.template.spec.containers[0];
    assert.equal(flag(dep.args, '--hpa-failure-policy'), 'Fail', 'the leader closes HPA validation');
    for (const [config, path] of [
      [one('MutatingWebhookConfiguration'), '/mutate'],
      [one('ValidatingWebhookConfiguration'), '/validate'],
    ] as const) {
      const webhooks: Obj[] = config.webhooks;
      assert.equal(new Set(webhooks.map((w) => w.name)).size, webhooks.length, 'webhook names unique');
      for (const w of webhooks) {
        const where = `${config.kind} ${w.name}`;
        assert.deepEqual(w.admissionReviewVersions, ['v1'], where);
        assert.equal(w.sideEffects, 'None', where);
        assert.ok(Number.isInteger(w.timeoutSeconds) && w.timeoutSeconds >= 1 && w.timeoutSeconds <= 5, `${where} timeoutSeconds`);
        assert.equal(w.failurePolicy, expectedFailurePolicy(), where);
        assert.equal(w.matchPolicy, 'Equivalent', where);
        if (config.kind === 'MutatingWebhookConfiguration') assert.equal(w.reinvocationPolicy, 'IfNeeded', where);
        assert.equal(w.clientConfig.url, undefined, where);
        assert.deepEqual(w.clientConfig.service, { name: service.metadata.name, namespace: NS, path, port: 443 }, where);
        const excluded = w.namespaceSelector?.matchExpressions?.find((e: Obj) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'NotIn');
        assert.ok(excluded, `${where} namespaceSelector NotIn`);
        assert.deepEqual([...excluded.values].sort(), ['gpu-hpa-webhook', 'kube-system'], where);
      }

      const deployments = webhooks.filter((w) => w.rules.some((r: Obj) => r.resources.includes('deployments')));
      assert.equal(deployments.length, 1, `${config.kind}: one webhook for deployments`);
      const d = deployments[0];
      assert.deepEqual(d.rules, [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'], scope: 'Namespaced' }]);
      assert.deepEqual(d.objectSelector, { matchLabels: { [OPT_IN_LABEL]: 'true' } });

      const hpas = webhooks.filter((w) => w.rules.some((r: Obj) => r.resources.includes('horizontalpodautoscalers')));
      assert.equal(hpas.length, 1, `${config.kind}: one webhook for horizontalpodautoscalers`);
      const h = hpas[0];
      assert.notEqual(h, d, 'HPAs and Deployments in separate webhooks');
      assert.deepEqual(h.rules, [
        {
          apiGroups: ['autoscaling'],
          // only v2: with matchPolicy Equivalent the API server converts autoscaling/v1 requests to v2,
          // so every HPA is judged on the v2 fields (metrics, behavior) the rules read
          apiVersions: ['v2'],
          operations: ['CREATE', 'UPDATE'],
          resources: ['horizontalpodautoscalers'],
          scope: 'Namespaced',
        },
      ]);
      assert.equal(h.matchPolicy, 'Equivalent');
      assert.equal(h.objectSelector, undefined, 'no objectSelector on HPAs: the opt-in label is on the Deployment');
    }
  });

  it('runs two hardened replicas with HTTPS probes, resources and the certificate Secret', () => {
    const dep = one('Deployment');
    const service = one('Service');
    assert.equal(dep.spec.replicas, 2);
    const pod = dep.spec.template.spec;
    const podLabels = dep.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(dep.spec.selector.matchLabels)) assert.equal(podLabels[k], v, 'selector matches pods');
    assert.equal(pod.serviceAccountName, one('ServiceAccount').metadata.name);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
    assert.ok(pod.topologySpreadConstraints?.length > 0 || pod.affinity?.podAntiAffinity, 'replicas spread across nodes');
    assert.equal(pod.hostNetwork, undefined);

    assert.equal(pod.containers.length, 1);
    const c = pod.containers[0];
    const sc = c.securityContext;
    assert.equal(sc.runAsNonRoot, true);
    assert.ok(sc.runAsUser === undefined || sc.runAsUser > 0);
    assert.equal(sc.readOnlyRootFilesystem, true);
    assert.equal(sc.allowPrivilegeEscalation, false);
    assert.deepEqual(sc.capabilities.drop, ['ALL']);
    assert.equal(sc.capabilities.add, undefined);
    assert.equal(sc.privileged ?? false, false);

    const port = c.ports.find((p: Obj) => p.containerPort === 8443);
    assert.ok(port, 'container port 8443');
    for (const [probe, path] of [
      [c.livenessProbe, '/healthz'],
      [c.readinessProbe, '/readyz'],
    ]) {
      assert.equal(probe.httpGet.path, path);
      assert.equal(probe.httpGet.scheme, 'HTTPS');
      assert.ok(probe.httpGet.port === 8443 || probe.httpGet.port === port.name, `${path} probe on 8443`);
    }
    for (const r of ['cpu', 'memory']) assert.ok(c.resources.requests[r], `requests.${r}`);
    assert.ok(c.resources.limits.memory, 'limits.memory');

    // serve --tls-cert/--tls-key from the Secret volume
    const args: string[] = c.args;
    assert.equal(args[0], 'serve');
    const mountOf = (file: string) => {
      const m = c.volumeMounts.find((vm: Obj) => file.startsWith(`${vm.mountPath.replace(/\/$/, '')}/`));
      assert.ok(m, `${file} is on a mounted volume`);
      const vol = pod.volumes.find((v: Obj) => v.name === m.name);
      assert.ok(vol, `volume ${m.name}`);
      return { mount: m, vol, key: file.slice(m.mountPath.replace(/\/$/, '').length + 1) };
    };
    // the serving certificate: the Secret the install ships (empty), served from a watch, no volume;
    // the flags name the objects through env vars an overlay's replacements keep in step
    const env = Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value]));
    const resolve = (v: string | undefined) => v?.replace(/\$\(([A-Z_]+)\)/g, (_, n: string) => env[n]);
    assert.equal(flag(args, '--tls-cert'), undefined, 'no certificate files');
    assert.equal(resolve(flag(args, '--cert-mode')), 'self-managed');
    const secret = one('Secret', resolve(flag(args, '--cert-secret')));
    assert.equal(secret.type, 'Opaque');
    assert.equal(secret.data, undefined, 'shipped empty: re-applying the manifests keeps what the leader wrote');
    assert.equal(resolve(flag(args, '--service')), service.metadata.name);
    assert.equal(resolve(flag(args, '--mutating-webhook-configuration')), one('MutatingWebhookConfiguration').metadata.name);
    assert.equal(resolve(flag(args, '--validating-webhook-configuration')), one('ValidatingWebhookConfiguration').metadata.name);
    assert.equal(flag(args, '--hpa-failure-policy'), 'Fail');
    assert.ok(!pod.volumes.some((v: Obj) => v.secret), 'no Secret volume');
    // --adapter-configmap: the cluster's prometheus-adapter ConfigMap (issue 15), NAMESPACE/NAME from the env the Role follows
    assert.equal(flag(args, '--adapter-configmap'), '$(ADAPTER_CONFIGMAP)');
    assert.equal(env.ADAPTER_CONFIGMAP, 'monitoring/prometheus-adapter');
    assert.equal(flag(args, '--adapter-config'), undefined, 'no private copy of the rules');
    // --policy from a ConfigMap rendered here, under the key it reads
    for (const f of ['--policy']) {
      const file = flag(args, f);
      assert.ok(file, `${f} set`);
      const { vol, key } = mountOf(file);
      const cm = one('ConfigMap', vol.configMap?.name);
      assert.ok(key in cm.data, `${f}: ConfigMap ${cm.metadata.name} has key ${key}`);
    }
  });

  it('serves /metrics on a port of its own, and a NetworkPolicy admits the review port from the API server and /metrics from monitoring only', () => {
    const dep = one('Deployment');
    const c = dep.spec.template.spec.containers[0];
    const metricsPort = Number(flag(c.args, '--metrics-port'));
    assert.ok(metricsPort > 0 && metricsPort !== 8443, '--metrics-port set, not the review port');
    const named = (name: string) => c.ports.find((p: Obj) => p.name === name);
    assert.equal(named('metrics')?.containerPort, metricsPort);
    assert.equal(named('https')?.containerPort, 8443);
    // the Service exposes the review port only
    assert.deepEqual(
      one('Service').spec.ports.map((p: Obj) => p.targetPort),
      ['https'],
    );

    // the Lease namespace is the pod's own (downward API), so an overlay into another namespace needs no change here
    assert.equal(flag(c.args, '--namespace'), '$(POD_NAMESPACE)');
    assert.deepEqual(c.env.find((e: Obj) => e.name === 'POD_NAMESPACE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.namespace' } });

    const np = one('NetworkPolicy');
    assert.deepEqual(np.spec.policyTypes, ['Ingress']);
    for (const [k, v] of Object.entries(np.spec.podSelector.matchLabels)) assert.equal(dep.spec.template.metadata.labels[k], v, 'selects the webhook pods');
    const byPort = new Map<string, Obj>(np.spec.ingress.map((r: Obj) => [r.ports.map((p: Obj) => p.port).join(','), r]));
    assert.deepEqual([...byPort.keys()].sort(), ['https', 'metrics'], 'one rule per port, nothing else admitted');
    const reviews = byPort.get('https');
    assert.ok(reviews.from.length > 0 && reviews.from.every((f: Obj) => f.ipBlock?.cidr && !f.podSelector && !f.namespaceSelector), 'the review port from address blocks only');
    assert.ok(!reviews.from.some((f: Obj) => f.ipBlock.cidr === '0.0.0.0/0'), 'not from everywhere');
    const scrape = byPort.get('metrics');
    assert.deepEqual(scrape.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
  });

  it('a ValidatingAdmissionPolicy bound to the webhook ServiceAccount limits its HPA writes', () => {
    const vap = one('ValidatingAdmissionPolicy');
    const binding = one('ValidatingAdmissionPolicyBinding');
    assert.equal(vap.apiVersion, 'admissionregistration.k8s.io/v1');
    assert.equal(binding.spec.policyName, vap.metadata.name);
    assert.deepEqual(binding.spec.validationActions, ['Deny']);
    const sa = one('ServiceAccount');
    assert.deepEqual(vap.spec.paramKind, { apiVersion: 'v1', kind: 'ServiceAccount' });
    assert.equal(binding.spec.paramRef.name, sa.metadata.name);
    assert.equal(binding.spec.paramRef.namespace, sa.metadata.namespace);
    assert.equal(binding.spec.paramRef.parameterNotFoundAction, 'Allow', 'an uninstalled ServiceAccount never blocks anyone');
    assert.deepEqual(vap.spec.matchConstraints.resourceRules[0].operations.sort(), ['CREATE', 'DELETE', 'UPDATE']);
    assert.deepEqual(vap.spec.matchConstraints.resourceRules[0].resources, ['horizontalpodautoscalers']);
  });

  it('exposes the webhook on 443 and keeps one replica through disruptions', () => {
    const svc = one('Service');
    const dep = one('Deployment');
    const podLabels = dep.spec.template.metadata.labels;
    assert.equal(svc.spec.ports.length, 1);
    const p = svc.spec.ports[0];
    assert.equal(p.port, 443);
    const c = dep.spec.template.spec.containers[0];
    const target = c.ports.find((cp: Obj) => cp.name === p.targetPort || cp.containerPort === p.targetPort);
    assert.equal(target?.containerPort, 8443, 'Service targets 8443');
    for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(podLabels[k], v, 'Service selects the pods');

    const pdb = one('PodDisruptionBudget');
    assert.equal(pdb.apiVersion, 'policy/v1');
    assert.equal(pdb.spec.minAvailable, 1);
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) assert.equal(podLabels[k], v, 'PDB selects the pods');
  });

  it('ships the policy of policies/, unchanged, and no private copy of the adapter rules (it reads the cluster adapter ConfigMap)', () => {
    for (const f of ['prometheus-adapter-rules.yaml', 'prometheus-adapter-values.yaml']) assert.ok(existsSync(join(ROOT, 'policies', f)), `policies/${f} exists`);
    assert.equal(all('ConfigMap').filter((c) => c.metadata.name === 'prometheus-adapter-gpu-rules').length, 0);

    const policy = readFileSync(join(ROOT, 'policies', 'default.yaml'), 'utf8');
    assert.equal(readFileSync(join(MANIFESTS, 'policy.yaml'), 'utf8'), policy, 'manifests/policy.yaml drifted; run scripts/sync-manifests.sh');
    const policyCm = all('ConfigMap').filter((c) => c.metadata.name.startsWith('gpu-hpa-webhook-policy'));
    assert.equal(policyCm.length, 1);
    assert.deepEqual(Object.values(policyCm[0].data), [policy]);
  });
});

describe('manifests/components: the certificate modes other than self-managed', () => {
  /** manifests/ with `components: [components/NAME]` uncommented, as the kustomization's comment says */
  function withComponent(name: string): Obj[] {
    const dir = join(mkdtempSync(join(tmpdir(), 'gpu-hpa-components-')), 'manifests');
    cpSync(MANIFESTS, dir, { recursive: true });
    const file = join(dir, 'kustomization.yaml');
    const text = readFileSync(file, 'utf8');
    const enabled = text.replace(/^# components:\n# {3}- components\/cert-manager.*$/m, `components:\n  - components/${name}`);
    assert.notEqual(enabled, text, 'the commented components: block is where the README says');
    writeFileSync(file, enabled);
    const { cmd, args } = findKustomize();
    const out = execFileSync(cmd, [...args.slice(0, -1), dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    return parseAllDocuments(out).map((d) => d.toJS());
  }

  for (const [component, mode] of [
    ['cert-manager', 'cert-manager'],
    ['provided-secret', 'secret'],
  ] as const) {
    it(`${component}: --cert-mode ${mode}, no Secret of the install's own, the Secret only read`, () => {
      const objs = withComponent(component);
      const dep = objs.find((o) => o.kind === 'Deployment');
      const env = Object.fromEntries(dep.spec.template.spec.containers[0].env.map((e: Obj) => [e.name, e.value]));
      assert.equal(env.CERT_MODE, mode);
      assert.deepEqual(
        objs.filter((o) => o.kind === 'Secret'),
        [],
      );
      const rule = objs.find((o) => o.kind === 'Role').rules.find((r: Obj) => r.resources.includes('secrets'));
      assert.deepEqual(rule.resourceNames, ['gpu-hpa-webhook-tls']);
      assert.deepEqual(rule.verbs, ['get', 'list', 'watch']);
      assert.equal(objs.filter((o) => o.kind === 'Certificate').length, component === 'cert-manager' ? 2 : 0);
    });
  }
});
