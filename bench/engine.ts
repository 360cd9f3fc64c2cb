// The rule engine alone: validate decisions per second for an HPA whose metrics are served by
// rules among 10, 100 and 1,000 adapter rules. Lookups go through the index of derived names, so
// the cost must stay flat as rules are added (target: cost(1000) ≤ 2 × cost(10)).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { compileAdapterConfig } from '../src/core/adapter/registry.js';
import type { AdmissionRequest } from '../src/core/admission/request.js';
import { staticClusterView } from '../src/core/cluster.js';
import { createEngine } from '../src/core/engine.js';
import { defaultPolicy, fixture } from '../test/helpers/fixtures.js';
import { reviewOf } from '../test/helpers/webhook.js';

/** n rules, each for its own series app_metric_<i>_total, served as app_metric_<i>_per_second. */
export function adapterConfig(n: number): string {
  const lines = ['rules:'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  - seriesQuery: 'app_metric_${i}_total{namespace!="",pod!=""}'`,
      '    resources:',
      '      overrides:',
      '        namespace: {resource: namespace}',
      '        pod: {resource: pod}',
      '    name:',
      '      matches: "^(.*)_total$"',
      '      as: "${1}_per_second"',
      "    metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'",
    );
  }
  return lines.join('\n') + '\n';
}

/** An HPA on the seed Deployment asking for three metrics spread over the rule list, one not served. */
function hpaRequest(n: number): AdmissionRequest {
  const hpa = fixture('seed-000/hpa.yaml');
  const pods = (name: string) => ({ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue: '30' } } });
  hpa.spec.metrics = [pods('app_metric_0_per_second'), pods(`app_metric_${Math.floor(n / 2)}_per_second`), pods(`app_metric_${n - 1}_per_second`), pods('app_metric_x_per_second')];
  return reviewOf(hpa).request as unknown as AdmissionRequest;
}

export function measure(n: number, minMs = 1500): { rules: number; perSecond: number; usPerDecision: number; allowed: boolean } {
  const rules = compileAdapterConfig(adapterConfig(n), `${n} rules`);
  const engine = createEngine({ policy: defaultPolicy(), rules, cluster: staticClusterView({ deployments: [fixture('seed-000/deployment.yaml')], hpas: [] }) });
  const req = hpaRequest(n);
  const first = engine.validate(req);
  for (let i = 0; i < 2000; i++) engine.validate(req); // warm the JIT
  let count = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 500; i++) engine.validate(req);
    count += 500;
    t = performance.now();
  }
  const perSecond = (count / (t - t0)) * 1000;
  return { rules: n, perSecond, usPerDecision: 1e6 / perSecond, allowed: first.allowed };
}

export function runEngineBench(): void {
  const rows = [10, 100, 1000].map((n) => measure(n));
  console.log('| adapter rules | validate decisions/s | µs per decision | cost ÷ cost(10) |');
  console.log('| --- | --- | --- | --- |');
  const base = rows[0]!.usPerDecision;
  for (const r of rows) console.log(`| ${r.rules} | ${r.perSecond.toFixed(0)} | ${r.usPerDecision.toFixed(1)} | ${(r.usPerDecision / base).toFixed(2)} |`);
  console.log(
    `\ncost(1000)/cost(10) = ${(rows[2]!.usPerDecision / base).toFixed(2)} (target ≤ 2); each decision: an HPA with 4 Pods metrics (first, middle, last rule, and one no rule serves, with suggestions)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runEngineBench();
