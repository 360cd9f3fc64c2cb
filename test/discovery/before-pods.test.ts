// Issue 18: with live discovery, "a rule could serve the metric but its seriesQuery matches no series" is final
// for a Pods metric only once the target's pods have run for a whole discovery window. Before that — a new
// opted-in Deployment on an empty GPU pool, an HPA applied with its Deployment — the adapter config decides,
// with a warning naming what was checked and what could not be yet. (The real loop: test/loop/seed-000.loop.ts.)
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { groupSeries, liveRuleSet, seriesQueries, type DiscoveryState } from '../../src/core/adapter/live.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import type { AdapterRuleSet } from '../../src/core/adapter/types.js';
import { emptyClusterView, staticClusterView, type ClusterView } from '../../src/core/cluster.js';
import { createEngine } from '../../src/core/engine.js';
import { podsOfDeployment } from '../../src/core/validate/target-pods.js';
import { defaultPolicy, fixture, fixtureText, plainDeployment } from '../helpers/fixtures.js';
import { reviewOf } from '../helpers/webhook.js';
import { dcgmSeries, matchSelector } from './series.js';

const AT = Date.parse('2026-11-29T12:00:00Z');
const WINDOW = 60_000;
const BEFORE_WINDOW = new Date(AT - WINDOW - 1000).toISOString();
const IN_WINDOW = new Date(AT - 10_000).toISOString();

/** A pass at AT over the last minute, against a Prometheus holding `series`. */
function discovered(rules: AdapterRuleSet, series: Array<Record<string, string>>): DiscoveryState {
  const map = new Map(seriesQueries(rules).map((q) => [q, groupSeries(matchSelector(q, series))]));
  return { snapshot: { source: 'http://prometheus:9090', series: map, at: AT, windowStart: AT - WINDOW }, stale: false };
}

/** An empty GPU pool: dcgm-exporter's idle GPUs, scraped with honor_labels: false; no GPU is held by a pod. */
function idlePool(): Array<Record<string, string>> {
  return dcgmSeries().filter((s) => s.exported_pod === undefined && s.pod === undefined);
}

function engine(configText: string, series: Array<Record<string, string>>, cluster: ClusterView = emptyClusterView) {
  const base = compileAdapterConfig(configText, 'adapter.yaml');
  return createEngine({ policy: defaultPolicy((p) => (p.scope = { hpas: 'all' })), rules: liveRuleSet(base, discovered(base, series)), cluster });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function withStatus(d: any, available: number, since?: string): any {
  d.metadata.uid = 'u-1';
  d.status = { availableReplicas: available, conditions: since ? [{ type: 'Available', status: 'True', lastTransitionTime: since }] : [] };
  return d;
}

/** The opted-in Deployment as validation sees it: mutated (tolerations, GPU limit), label only otherwise. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function mutatedLabelOnly(): any {
  return plainDeployment({}, (d) => {
    d.spec.template.spec.tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }];
    d.spec.template.spec.containers[0].resources.limits = { 'nvidia.com/gpu': '1' };
  });
}

describe('an opted-in Deployment on an empty GPU pool (seed-000 rules, live discovery, enforcement deny)', () => {
  const seed000 = fixtureText('seed-000/adapter-config.yaml');

  test('CREATE: allowed, with a warning saying what was checked and what could not be yet', () => {
    const d = engine(seed000, idlePool()).validate(reviewOf(mutatedLabelOnly()).request as never);
    assert.equal(d.allowed, true, JSON.stringify(d.violations));
    const w = d.warnings.find((x) => x.includes('no series yet'));
    assert.ok(w, JSON.stringify(d.warnings));
    assert.match(w, /^Pods metric "gpu_utilization": no series yet, allowed until its pods run; checked: rules\[0\] would serve it for the pods/);
    assert.match(
      w,
      /not yet: rules\[0\]'s seriesQuery 'DCGM_FI_DEV_GPU_UTIL\{exported_namespace!="",exported_pod!=""\}' matches no series in Prometheus http:\/\/prometheus:9090, as Deployment ml\/llm is new/,
    );
  });

  test('UPDATE before any pod is available: allowed the same way', () => {
    const dep = withStatus(mutatedLabelOnly(), 0);
    const d = engine(seed000, idlePool()).validate(reviewOf(dep, 'UPDATE', dep).request as never);
    assert.equal(d.allowed, true);
    assert.match(d.warnings.join('\n'), /no series yet, allowed until its pods run;.*Deployment ml\/llm has no available pod yet/);
  });

  test("UPDATE with pods available since before the pass's window and still no series: denied (metric-no-series)", () => {
    const dep = withStatus(mutatedLabelOnly(), 2, BEFORE_WINDOW);
    const d = engine(seed000, idlePool()).validate(reviewOf(dep, 'UPDATE', dep).request as never);
    assert.equal(d.allowed, false);
    assert.deepEqual(
      d.violations.map((v) => v.reason),
      ['metric-no-series'],
    );
    assert.match(d.violations[0]!.message, new RegExp(`Deployment ml/llm has 2 available pods since ${BEFORE_WINDOW.replace(/\./g, '\\.')}, before the last series discovery pass's window began`));
    assert.match(d.violations[0]!.message, /<unknown> forever/);
  });

  test('UPDATE with pods available for less than the window: not yet known, allowed with the warning', () => {
    const dep = withStatus(mutatedLabelOnly(), 1, IN_WINDOW);
    const d = engine(seed000, idlePool()).validate(reviewOf(dep, 'UPDATE', dep).request as never);
    assert.equal(d.allowed, true);
    assert.match(d.warnings.join('\n'), /no series yet, allowed until its pods have run for a discovery interval/);
  });

  test("once the pods' series exist the verdict is the live one (served, no warning about series)", () => {
    const dep = withStatus(mutatedLabelOnly(), 1, BEFORE_WINDOW);
    const d = engine(seed000, dcgmSeries()).validate(reviewOf(dep, 'UPDATE', dep).request as never);
    assert.equal(d.allowed, true);
    assert.ok(!d.warnings.some((w) => w.includes('no series')), JSON.stringify(d.warnings));
  });
});

describe("seed-001's HPA (DCGM_FI_DEV_MEMORY_USED: no series, ever)", () => {
  const seed001 = fixtureText('seed-001/adapter-config.yaml');
  const hpa = () => reviewOf(fixture('seed-001/hpa.yaml')).request as never;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const target = (extra: (d: any) => void) => {
    const d = plainDeployment();
    d.metadata = { name: 'gpu-agent-deployment', namespace: 'default' };
    extra(d);
    return d;
  };

  test('its target runs since before the window: denied', () => {
    const cluster = staticClusterView({ deployments: [target((d) => withStatus(d, 2, BEFORE_WINDOW))], hpas: [] }, true);
    const d = engine(seed001, dcgmSeries(), cluster).validate(hpa());
    assert.equal(d.allowed, false);
    assert.deepEqual(
      d.violations.map((v) => v.reason),
      ['metric-no-series'],
    );
    assert.match(d.violations[0]!.message, /DCGM_FI_DEV_MEMORY_USED/);
  });

  test('its target exists with no pod yet, or does not exist yet (complete view): allowed with the warning', () => {
    for (const deployments of [[target(() => undefined)], []]) {
      const d = engine(seed001, dcgmSeries(), staticClusterView({ deployments, hpas: [] }, true)).validate(hpa());
      assert.equal(d.allowed, true, JSON.stringify(d.violations));
      assert.match(d.warnings.join('\n'), /^Pods metric "gpu_memory_utilization": no series yet, allowed until its pods run/m);
      assert.match(d.warnings.join('\n'), deployments.length ? /has no available pod yet/ : /does not exist yet/);
    }
  });

  test('its target is not known here (no cluster view: `check` without the Deployment): denied as before', () => {
    const d = engine(seed001, dcgmSeries()).validate(hpa());
    assert.equal(d.allowed, false);
    assert.deepEqual(
      d.violations.map((v) => v.reason),
      ['metric-no-series'],
    );
  });
});

describe('podsOfDeployment', () => {
  test('new, no status, none available, available with and without the Available condition', () => {
    const d = plainDeployment();
    assert.equal(podsOfDeployment(d, true).state, 'none');
    assert.equal(podsOfDeployment(d, false).state, 'none');
    assert.equal(podsOfDeployment(withStatus(plainDeployment(), 0, BEFORE_WINDOW), false).state, 'none');
    assert.deepEqual(podsOfDeployment(withStatus(plainDeployment(), 3, BEFORE_WINDOW), false), {
      state: 'running',
      why: `Deployment ml/llm has 3 available pods since ${BEFORE_WINDOW}`,
      since: Date.parse(BEFORE_WINDOW),
    });
    assert.deepEqual(podsOfDeployment(withStatus(plainDeployment(), 1), false), { state: 'running', why: 'Deployment ml/llm has 1 available pod' });
    const bad = plainDeployment();
    bad.status = 'garbage';
    assert.equal(podsOfDeployment(bad, false).state, 'none');
  });
});
