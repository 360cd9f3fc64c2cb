// listed.ts's notes and denial word for word (issue 19: string mutants count, the denial reaches the
// AdmissionResponse): the listing's source, the metric as custom-metrics-apiserver names it
// ("<resource>[.<group>]/<metric>", or the bare name for external metrics), the API, the rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preferAdapterListing } from '../../../src/core/adapter/listed.js';
import type { AdapterRuleSet, MetricRequest, MetricVerdict } from '../../../src/core/adapter/types.js';

const SRC = 'prometheus-adapter via https://10.0.0.1:6443';
const rules = (verdict: MetricVerdict): AdapterRuleSet => ({ source: 'rules.yaml', lookup: () => verdict, servedNames: () => [] });
const served: MetricVerdict = {
  status: 'served',
  rules: [
    { list: 'rules', index: 0, seriesQuery: 'a' },
    { list: 'externalRules', index: 3, seriesQuery: 'b' },
  ],
  notes: [],
};
const notServed: MetricVerdict = { status: 'not-served', considered: [], explanation: 'why', nearest: [] };
const obj: MetricRequest = { kind: 'Object', name: 'rps', resource: { group: 'apps', resource: 'deployments' }, namespaced: true };
const ext: MetricRequest = { kind: 'External', name: 'queue_depth', namespaced: true };

test('predicted but not listed: the denial in full, every rule named', () => {
  const v = preferAdapterListing(rules(served), { source: SRC, custom: [], external: [] }).lookup(obj);
  const msg = `${SRC} does not list deployments.apps/rps in custom.metrics.k8s.io/v1beta1, so the HPA would show <unknown> forever; the rules here would serve it (rules[0], externalRules[3]), so the adapter runs another config or has not relisted since (--metrics-relist-interval)`;
  assert.deepEqual(v, { status: 'not-served', considered: served.status === 'served' ? served.rules : [], explanation: msg, nearest: [], live: { reason: 'metric-not-listed', message: msg } });
  const e = preferAdapterListing(rules(served), { source: SRC, external: [] }).lookup(ext);
  assert.equal(
    e.status === 'not-served' && e.explanation,
    `${SRC} does not list queue_depth in external.metrics.k8s.io/v1beta1, so the HPA would show <unknown> forever; the rules here would serve it (rules[0], externalRules[3]), so the adapter runs another config or has not relisted since (--metrics-relist-interval)`,
  );
});

test('listed but not predicted, and neither: the notes in full', () => {
  const listed = preferAdapterListing(rules(notServed), { source: SRC, custom: [{ name: 'deployments.apps/rps', namespaced: true }], external: ['queue_depth'] });
  assert.deepEqual(listed.lookup(obj), {
    status: 'served',
    rules: [],
    notes: [`${SRC} lists deployments.apps/rps (custom.metrics.k8s.io), though the rules here would not serve it: is the adapter on another config?`],
  });
  assert.deepEqual(listed.lookup(ext), {
    status: 'served',
    rules: [],
    notes: [`${SRC} lists queue_depth (external.metrics.k8s.io), though the rules here would not serve it: is the adapter on another config?`],
  });
  // the custom listing key carries the scope: the same name, root-scoped, is not this namespaced ask
  const other = preferAdapterListing(rules(notServed), { source: SRC, custom: [{ name: 'deployments.apps/rps', namespaced: false }] });
  assert.deepEqual(other.lookup(obj), { ...notServed, notes: [`${SRC} does not list deployments.apps/rps either`] });
});
