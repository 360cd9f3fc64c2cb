// Who serves the metrics APIs (src/core/admission/metric-apis.ts): the registration the HPA controller reads,
// ours / someone else / nothing, and the rule view the engine judges by.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';
import { apiServiceRegistration, compareKubeVersions, judgedRules, metricApiServer, metricApiServers, readRegistration, type ApiServiceRegistration } from '../../../src/core/admission/metric-apis.js';
import { SHIPPED_RULES } from '../../helpers/webhook.js';

const ours = { namespace: 'monitoring', name: 'prometheus-adapter' };
const reg = (group: string, version: string, service?: { namespace: string; name: string }, versionPriority = 100): ApiServiceRegistration => ({
  name: `${version}.${group}`,
  group,
  version,
  ...(service ? { service } : {}),
  versionPriority,
});
const adapter = (g: string, v = 'v1beta1') => reg(g, v, ours);
const keda = reg('external.metrics.k8s.io', 'v1beta1', { namespace: 'keda', name: 'keda-operator-metrics-apiserver' });

test('Kubernetes version order: GA, then beta, then alpha, each by major then minor (CompareKubeAwareVersionStrings)', () => {
  const sorted = ['v11alpha2', 'v1', 'foo1', 'v3beta1', 'v10beta3', 'v2', 'v12alpha1', 'v10', 'v11beta2'].sort((a, b) => compareKubeVersions(b, a));
  assert.deepEqual(sorted, ['v10', 'v2', 'v1', 'v11beta2', 'v10beta3', 'v3beta1', 'v12alpha1', 'v11alpha2', 'foo1']);
});

test('the registration the HPA controller reads: external v1beta1 only; custom by versionPriority, then version order', () => {
  assert.equal(readRegistration('external.metrics.k8s.io', [reg('external.metrics.k8s.io', 'v1beta2', ours)]), undefined, 'the external client speaks v1beta1 only');
  const other = { namespace: 'vendor', name: 'metrics' };
  const v1 = reg('custom.metrics.k8s.io', 'v1beta1', ours, 100);
  const v2 = reg('custom.metrics.k8s.io', 'v1beta2', other, 100);
  assert.equal(readRegistration('custom.metrics.k8s.io', [v1, v2])?.version, 'v1beta2', 'same priority: the newer version');
  assert.equal(readRegistration('custom.metrics.k8s.io', [v1, { ...v2, versionPriority: 10 }])?.version, 'v1beta1', 'a higher versionPriority wins');
  assert.equal(readRegistration('custom.metrics.k8s.io', [reg('custom.metrics.k8s.io', 'v1alpha9', ours)]), undefined, 'a version the client does not speak');
});

test('ours, someone else (named), or nothing', () => {
  assert.deepEqual(metricApiServer('external.metrics.k8s.io', [adapter('external.metrics.k8s.io')], ours), { by: 'ours', apiService: 'v1beta1.external.metrics.k8s.io' });
  assert.deepEqual(metricApiServer('external.metrics.k8s.io', [keda, adapter('custom.metrics.k8s.io')], ours), {
    by: 'other',
    apiService: 'v1beta1.external.metrics.k8s.io',
    who: 'Service keda/keda-operator-metrics-apiserver',
  });
  // the same Service name in another namespace is not ours
  assert.equal(metricApiServer('custom.metrics.k8s.io', [reg('custom.metrics.k8s.io', 'v1beta1', { namespace: 'other', name: 'prometheus-adapter' })], ours).by, 'other');
  assert.deepEqual(metricApiServer('external.metrics.k8s.io', [adapter('custom.metrics.k8s.io')], ours), { by: 'none', registered: [] });
  const down = metricApiServer('external.metrics.k8s.io', [{ ...keda, available: { status: false, reason: 'MissingEndpoints' } }], ours);
  assert.equal(down.by === 'other' && down.unavailable, 'MissingEndpoints');
});

test('what is known: nothing without registrations; a group no manifest names is unknown offline, served by nothing in a cluster', () => {
  assert.deepEqual(metricApiServers(undefined, ours, true), {});
  assert.deepEqual(Object.keys(metricApiServers([keda], ours, false)), ['external.metrics.k8s.io']);
  assert.deepEqual(metricApiServers([keda], ours, true)['custom.metrics.k8s.io'], { by: 'none', registered: [] });
});

test('the rule view: a metric someone else serves is not looked up, and says who serves it; ours is judged by the rules', () => {
  const rules = compileAdapterConfig(SHIPPED_RULES, 'shipped');
  let servers = metricApiServers([keda, adapter('custom.metrics.k8s.io')], ours, true);
  const view = judgedRules(rules, () => servers, ours);
  const external = { kind: 'External' as const, name: 's0-prometheus', namespaced: true };
  const pods = { kind: 'Pods' as const, name: 'gpu_utilisation', resource: { group: '', resource: 'pods' }, namespaced: true };
  assert.equal(rules.lookup(external).status, 'not-served', 'the DCGM rules serve no such External metric');
  const v = view.lookup(external);
  assert.equal(v.status, 'served');
  assert.match(
    v.status === 'served' ? v.notes[0]! : '',
    /^External metric "s0-prometheus": not checked, served by Service keda\/keda-operator-metrics-apiserver, not the prometheus-adapter monitoring\/prometheus-adapter \(APIService v1beta1\.external\.metrics\.k8s\.io\)$/,
  );
  assert.equal(view.lookup(pods).status, 'not-served', 'custom metrics are ours: judged');
  // the view reads the servers on each lookup (the cluster view behind it is live)
  servers = metricApiServers([adapter('external.metrics.k8s.io'), adapter('custom.metrics.k8s.io')], ours, true);
  assert.equal(view.lookup(external).status, 'not-served');
  servers = metricApiServers([], ours, true);
  const none = view.lookup(pods);
  assert.match(none.status === 'served' ? none.notes[0]! : '', /no APIService serves custom\.metrics\.k8s\.io for the HPA controller/);
});

test('APIService objects: the metrics groups only, with service, priority and availability', () => {
  assert.deepEqual(
    apiServiceRegistration({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.external.metrics.k8s.io' },
      spec: {
        group: 'external.metrics.k8s.io',
        version: 'v1beta1',
        service: { namespace: 'keda', name: 'keda-operator-metrics-apiserver', port: 443 },
        versionPriority: 100,
        groupPriorityMinimum: 100,
      },
      status: { conditions: [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck' }] },
    }),
    {
      name: 'v1beta1.external.metrics.k8s.io',
      group: 'external.metrics.k8s.io',
      version: 'v1beta1',
      service: { namespace: 'keda', name: 'keda-operator-metrics-apiserver' },
      versionPriority: 100,
      available: { status: false, reason: 'FailedDiscoveryCheck' },
    },
  );
  assert.equal(apiServiceRegistration({ spec: { group: 'apps', version: 'v1' } }), undefined);
  assert.equal(apiServiceRegistration(null), undefined);
  assert.equal(apiServiceRegistration({ spec: { group: 'custom.metrics.k8s.io', version: 'v1beta2', service: null } })?.service, undefined, 'a local APIService');
});
