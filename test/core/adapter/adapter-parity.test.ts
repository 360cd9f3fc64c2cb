// Semantics the differential test against the real prometheus-adapter v0.12.0 (test/adapter-diff) found
// our port getting wrong; each case is the adapter's own rule, cited from its source.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResourceTemplate, ResourceConverter } from '../../../src/core/adapter/resources.js';
import { compileAdapterConfig } from '../../../src/core/adapter/registry.js';

test('ResourcesForSeries: a label that maps to nothing (job, instance) makes the series namespaced (pkg/naming/resource_converter.go)', () => {
  const c = new ResourceConverter('', [['pod', { group: '', resource: 'pod' }]]);
  // the adapter sets namespaced for every label whose group-resource is not namespaces/nodes/persistentvolumes,
  // and an unmapped label's is the zero GroupResource
  assert.deepEqual(c.resourcesForLabels(['pod', 'job', 'instance']), { resources: [{ group: '', resource: 'pods' }], namespaced: true });
  const ns = new ResourceConverter('', [['namespace', { group: '', resource: 'namespace' }]]);
  assert.equal(ns.resourcesForLabels(['namespace']).namespaced, false, 'only namespaces: not namespaced');
  assert.equal(ns.resourcesForLabels(['namespace', 'queue']).namespaced, true, 'an unmapped label: namespaced');
  const t = new ResourceConverter('<<.Resource>>', []);
  // "gpu" matches the template but is no resource: skipped (Normalized fails), so it does not count
  assert.equal(t.resourcesForLabels(['node', 'gpu']).namespaced, false);
  assert.equal(t.resourcesForLabels(['node', 'pod']).namespaced, true);
});

test('resource templates: Go text/template if/else/end, eq/ne/not and trim markers are executed, not refused (text/template, resource_converter.go)', () => {
  const c = new ResourceConverter('<<if .Group>><<.Group>>_<<end>><<.Resource>>', []);
  assert.deepEqual(c.labelForResource({ group: '', resource: 'pods' }), { label: 'pod', via: 'template' });
  assert.deepEqual(c.labelForResource({ group: 'apps', resource: 'deployments' }), { label: 'apps_deployment', via: 'template' });
  // lbl_res.go executes it with Group="(?P<group>.+?)": the if-branch, so labels of the form group_resource
  assert.deepEqual(c.resourceForLabel('apps_deployment'), { group: 'apps', resource: 'deployments' });
  const e = new ResourceConverter('<<if eq .Group "">><<.Resource>><<else>><<.Group>>_<<.Resource>><<end>>', []);
  assert.deepEqual(e.labelForResource({ group: '', resource: 'namespaces' }), { label: 'namespace', via: 'template' });
  assert.deepEqual(e.labelForResource({ group: 'apps', resource: 'deployments' }), { label: 'apps_deployment', via: 'template' });
  const trim = new ResourceConverter('<<- if .Group ->>  <<.Group>>_  <<- end ->>  <<.Resource>>', []);
  assert.deepEqual(trim.labelForResource({ group: 'apps', resource: 'deployments' }), { label: 'apps_deployment', via: 'template' });
  assert.deepEqual(trim.labelForResource({ group: '', resource: 'pods' }), { label: 'pod', via: 'template' });
  const nested = parseResourceTemplate('<<if not .Group>>core_<<else if ne .Group "apps">>x_<<else>>apps_<<end>><<.Resource>>');
  assert.equal(nested.nodes.length, 2);
  // a config using them loads, as the adapter starts with it
  assert.doesNotThrow(() =>
    compileAdapterConfig(
      'rules:\n- seriesQuery: x\n  resources: {template: "<<if .Group>><<.Group>>_<<end>><<.Resource>>"}\n  metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)"\n',
      't.yaml',
    ),
  );
  // what text/template itself refuses stays refused, with its wording
  assert.throws(() => parseResourceTemplate('<<if .Group>>x'), /unexpected EOF/);
  assert.throws(() => parseResourceTemplate('<<end>>'), /unexpected \{\{end\}\}/);
  assert.throws(() => new ResourceConverter('<<.Kind>>', []), /can't evaluate field Kind/);
});
