// The adapter's own listing preferred over the rules' prediction (listed.ts), and the verdict memo
// (verdict-memo.ts), branch by branch (issue 19). A fixed rule set stands in for the compiled rules
// (pure logic): each listing state (absent, custom only, external only, both) against each verdict.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preferAdapterListing } from '../../../src/core/adapter/listed.js';
import type { AdapterRuleSet, MetricRequest, MetricVerdict } from '../../../src/core/adapter/types.js';
import { VerdictMemo } from '../../../src/core/adapter/verdict-memo.js';

const RULE = { list: 'rules' as const, index: 1, seriesQuery: 'q' };
const served: MetricVerdict = { status: 'served', rules: [RULE], notes: [] };
const notServed: MetricVerdict = { status: 'not-served', considered: [RULE], explanation: 'why', nearest: ['n'], notes: ['inner note'] };
const unverifiable: MetricVerdict = { status: 'unverifiable', rules: [], reason: 'regex' };

function inner(verdict: MetricVerdict, names: string[] = ['from_rules']): AdapterRuleSet {
  return { source: 'rules.yaml', lookup: () => verdict, servedNames: () => names };
}
const pods = (name: string): MetricRequest => ({ kind: 'Pods', name, resource: { group: '', resource: 'pods' }, namespaced: true });
const ext = (name: string): MetricRequest => ({ kind: 'External', name, namespaced: true });
const obj = (name: string, namespaced = true): MetricRequest => ({ kind: 'Object', name, resource: { group: 'apps', resource: 'deployments' }, namespaced });
const SRC = 'prometheus-adapter via https://10.0.0.1:6443';

test('no listing, or one with neither API: the rules answer alone', () => {
  const rs = inner(served);
  assert.equal(preferAdapterListing(rs, undefined), rs);
  assert.equal(preferAdapterListing(rs, { source: SRC }), rs);
  assert.notEqual(preferAdapterListing(rs, { source: SRC, external: [] }), rs);
  assert.notEqual(preferAdapterListing(rs, { source: SRC, custom: [] }), rs);
});

test('listed and predicted: the prediction stands; listed but not predicted: served with a note naming the API', () => {
  const listing = {
    source: SRC,
    custom: [
      { name: 'pods/gpu_util', namespaced: true },
      { name: 'deployments.apps/rps', namespaced: true },
    ],
    external: ['queue_depth'],
  };
  assert.equal(preferAdapterListing(inner(served), listing).lookup(pods('gpu_util')), served);
  const rs = preferAdapterListing(inner(notServed), listing);
  assert.equal(rs.source, 'rules.yaml');
  const p = rs.lookup(pods('gpu_util'));
  assert.equal(p.status, 'served');
  assert.deepEqual(p.status === 'served' && p.rules, []);
  assert.match(
    p.status === 'served' ? p.notes[0]! : '',
    /^prometheus-adapter via https:\/\/10\.0\.0\.1:6443 lists pods\/gpu_util \(custom\.metrics\.k8s\.io\), though the rules here would not serve it/,
  );
  const o = rs.lookup(obj('rps'));
  assert.match(o.status === 'served' ? o.notes[0]! : '', /lists deployments\.apps\/rps \(custom\.metrics\.k8s\.io\)/);
  const e = rs.lookup(ext('queue_depth'));
  assert.match(e.status === 'served' ? e.notes[0]! : '', /lists queue_depth \(external\.metrics\.k8s\.io\)/);
});

test('a custom metric is listed per scope: a namespaced ask is not served by a root-scoped listing', () => {
  const listing = { source: SRC, custom: [{ name: 'namespaces/load', namespaced: false }] };
  const rs = preferAdapterListing(inner(notServed), listing);
  const root: MetricRequest = { kind: 'Object', name: 'load', resource: { group: '', resource: 'namespaces' }, namespaced: false };
  assert.equal(rs.lookup(root).status, 'served');
  assert.equal(rs.lookup({ ...root, namespaced: true }).status, 'not-served');
  // an Object request without a resource reads as the empty resource
  assert.equal(rs.lookup({ kind: 'Object', name: 'load', namespaced: false }).status, 'not-served');
  const bare = preferAdapterListing(inner(notServed), { source: SRC, custom: [{ name: '/load', namespaced: false }] });
  assert.equal(bare.lookup({ kind: 'Object', name: 'load', namespaced: false }).status, 'served');
});

test("not listed and not predicted: the rules' denial, with a note that the adapter agrees", () => {
  const rs = preferAdapterListing(inner(notServed), { source: SRC, custom: [], external: [] });
  const v = rs.lookup(pods('x'));
  assert.equal(v.status, 'not-served');
  if (v.status !== 'not-served') return;
  assert.equal(v.explanation, 'why');
  assert.deepEqual(v.nearest, ['n']);
  assert.deepEqual(v.notes, ['inner note', `${SRC} does not list pods/x either`]);
  assert.equal(v.live, undefined);
  const noNotes = preferAdapterListing(inner({ ...notServed, notes: undefined }), { source: SRC, external: [] }).lookup(ext('q'));
  assert.deepEqual(noNotes.status === 'not-served' && noNotes.notes, [`${SRC} does not list q either`]);
});

test('predicted but not listed: denied as metric-not-listed, naming the rules, the API and the relist interval', () => {
  const rs = preferAdapterListing(inner(served), { source: SRC, custom: [] });
  const v = rs.lookup(pods('gpu_util'));
  assert.equal(v.status, 'not-served');
  if (v.status !== 'not-served') return;
  assert.equal(v.live?.reason, 'metric-not-listed');
  assert.deepEqual(v.considered, [RULE]);
  assert.deepEqual(v.nearest, []);
  assert.equal(v.explanation, v.live?.message);
  assert.ok(v.explanation.startsWith(`${SRC} does not list pods/gpu_util in custom.metrics.k8s.io/v1beta1`), v.explanation);
  assert.ok(v.explanation.includes('(rules[1])'), v.explanation);
  assert.ok(v.explanation.includes('--metrics-relist-interval'), v.explanation);
  const u = preferAdapterListing(inner(unverifiable), { source: SRC, external: [] }).lookup(ext('q'));
  assert.ok(u.status === 'not-served' && u.explanation.includes('external.metrics.k8s.io/v1beta1'));
  assert.ok(u.status === 'not-served' && u.explanation.includes('(unverified)'));
});

test('only one API listed: the other kind of metric keeps the prediction', () => {
  const customOnly = preferAdapterListing(inner(notServed), { source: SRC, custom: [{ name: 'pods/a', namespaced: true }] });
  assert.equal(customOnly.lookup(ext('a')), notServed);
  const externalOnly = preferAdapterListing(inner(served), { source: SRC, external: ['a'] });
  assert.equal(externalOnly.lookup(pods('zzz')), served);
});

test("servedNames: the listing's names (metric part, sorted, once) where listed, else the rules'", () => {
  const rs = preferAdapterListing(inner(served), {
    source: SRC,
    custom: [
      { name: 'pods/b', namespaced: true },
      { name: 'namespaces/b', namespaced: false },
      { name: 'pods/a', namespaced: true },
    ],
  });
  assert.deepEqual(rs.servedNames('rules'), ['a', 'b']);
  assert.deepEqual(rs.servedNames('externalRules'), ['from_rules']);
  const e = preferAdapterListing(inner(served), { source: SRC, external: ['z', 'y'] });
  assert.deepEqual(e.servedNames('externalRules'), ['y', 'z']);
  assert.deepEqual(e.servedNames('rules'), ['from_rules']);
});

test('VerdictMemo: one decision per distinct request, frozen, and the oldest dropped past the bound', () => {
  const asked: MetricRequest[] = [];
  const memo = new VerdictMemo((r) => (asked.push(r), { status: 'served', rules: [], notes: [r.name] }), 2);
  const a1 = memo.lookup(pods('a'));
  assert.equal(memo.lookup(pods('a')), a1);
  assert.equal(asked.length, 1);
  assert.ok(Object.isFrozen(a1));
  assert.ok(Object.isFrozen((a1 as { notes: string[] }).notes));
  // every part of the request is in the key
  memo.lookup(ext('a'));
  assert.equal(asked.length, 2);
  const m2 = new VerdictMemo((r) => (asked.push(r), served), 10);
  const before = asked.length;
  m2.lookup(obj('a', true));
  m2.lookup(obj('a', false));
  m2.lookup({ ...obj('a', true), resource: { group: '', resource: 'deployments' } });
  m2.lookup(obj('b', true));
  m2.lookup({ kind: 'Object', name: 'a', namespaced: true });
  assert.equal(asked.length - before, 5);
  // bound 2: pods/a, external/a are kept; a third drops the oldest (pods/a)
  memo.lookup(pods('c'));
  const n: number = asked.length; // annotated: the assert.equal(asked.length, …) calls above narrow asked.length to a literal
  memo.lookup(ext('a'));
  assert.equal(asked.length, n, 'external a is still kept');
  memo.lookup(pods('a'));
  assert.equal(asked.length, n + 1, 'pods a was dropped');
  // the default bound keeps many
  const big = new VerdictMemo((r) => (asked.push(r), served));
  for (let i = 0; i < 100; i++) big.lookup(pods(`m${i}`));
  const m = asked.length;
  for (let i = 0; i < 100; i++) big.lookup(pods(`m${i}`));
  assert.equal(asked.length, m);
});

test('listed, but the adapter query returns nothing for this HPA (live.ts: registered): the listing does not overturn the denial', () => {
  const noValue: MetricVerdict = {
    status: 'not-served',
    considered: [RULE],
    explanation: 'no series in team-c',
    nearest: [],
    live: { reason: 'metric-no-series', message: 'no series in team-c', registered: true },
  };
  const rs = preferAdapterListing(inner(noValue), { source: SRC, custom: [{ name: 'pods/gpu_util', namespaced: true }], external: ['queue_depth'] });
  assert.equal(rs.lookup(pods('gpu_util')), noValue);
  assert.equal(rs.lookup(ext('queue_depth')), noValue);
});
