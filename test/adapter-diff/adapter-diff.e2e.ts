// The differential test: the webhook's live verdict against the REAL prometheus-adapter v0.12.0, on generated
// configs, by both paths `serve` has (harness.ts, api-path.ts):
// - `--prometheus-url`: the rule engine overlaid with a discovery pass; one adapter per config on loopback,
//   asked directly on the HPA controller's paths — every generated config;
// - `--adapter-api`: the adapter registered through kube-apiserver's aggregation layer (APIService, Service,
//   EndpointSlice; the adapter in a network namespace of the test's own), the webhook reading its listing through
//   the API server and the HPA controller's requests going through the API server too — a deterministic sample
//   (every ADAPTER_DIFF_API_EVERY-th config), one adapter at a time behind the one registration.
// Passes only when the verdicts agree on every generated HPA metric of both paths.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, tail } from '../e2e/cluster.js';
import { createNetns } from '../loop/netns.js';
import { aggregationFlags, makePki } from '../loop/pki.js';
import { ADAPTER } from '../loop/harness.js';
import { registerAdapter, runThroughApi, type ApiPathResult } from './api-path.js';
import { generate, type GeneratedConfig } from './generator.js';
import { adapterBinary, askWebhook, kube, pool, runAdapter, servingCert, startExporter, startPrometheus, type Prom } from './harness.js';
import { CLASH, EXPORTER, OTHER_LABEL, OTHER_PODS, PLAIN, PODS, WORKLOAD_LABEL } from './series.js';

const SEED = Number(process.env.ADAPTER_DIFF_SEED ?? 12);
const CONFIGS = Number(process.env.ADAPTER_DIFF_CONFIGS ?? 220);
const CONCURRENCY = Number(process.env.ADAPTER_DIFF_CONCURRENCY ?? 6);
/** the --adapter-api path runs one adapter at a time behind the one APIService: every n-th config */
const API_EVERY = Number(process.env.ADAPTER_DIFF_API_EVERY ?? 8);

test(`the webhook's live verdicts agree with prometheus-adapter v0.12.0, asked directly and through the aggregation layer (seed ${SEED}, ${CONFIGS} configs)`, { timeout: 1_800_000 }, async () => {
  const bin = adapterBinary();
  assert.ok(existsSync(bin), `no adapter binary at ${bin}`);
  const dir = await mkdtemp(join(tmpdir(), 'gpu-hpa-adapter-diff-'));
  // the API server refuses loopback endpoints: the --adapter-api path's adapter runs in a network namespace, and
  // kube-apiserver and Prometheus bind the host side of its veth (reachable from loopback adapters too)
  const netns = createNetns();
  const pki = makePki(dir, ADAPTER);
  const cp = await startControlPlane({ controllerManager: false, host: netns.hostIp, apiserverArgs: aggregationFlags(pki) });
  const exporters = [await startExporter(PLAIN), await startExporter(CLASH)];
  let prom: Prom | undefined;
  try {
    for (const ns of [...Object.keys(PODS), EXPORTER.namespace]) await kube(cp, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const ns of Object.keys(PODS)) {
      // no controller-manager here: the ServiceAccount admission plugin wants the default ServiceAccount to exist
      await kube(cp, `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    }
    for (const [pods, labels] of [
      [PODS, WORKLOAD_LABEL],
      [OTHER_PODS, OTHER_LABEL],
    ] as const) {
      for (const [ns, names] of Object.entries(pods)) {
        for (const p of names) {
          await kube(cp, `/api/v1/namespaces/${ns}/pods`, {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { name: p, labels },
            spec: { containers: [{ name: 'main', image: 'registry.invalid/app:1' }] },
          });
        }
      }
    }
    await servingCert(dir);
    prom = await startPrometheus(dir, exporters[0]!.port, exporters[1]!.port, netns.hostIp);
    const configs = generate(SEED, CONFIGS);
    const t0 = Date.now();
    const env = { bin, cp, netns, pki, promUrl: prom.url, dir };
    const objects = await registerAdapter(env);
    // both paths at once: the loopback adapters in parallel, the aggregated one config at a time
    const sample = configs.filter((c) => c.id % API_EVERY === 0);
    const [results, apiResults] = await Promise.all([
      pool(configs, CONCURRENCY, async (cfg) => {
        const [adapter, webhook] = await Promise.all([runAdapter(bin, cp, prom!.url, dir, cfg), askWebhook(prom!.url, cfg)]);
        return { cfg, adapter, webhook };
      }),
      pool(sample, 1, async (cfg) => ({ cfg, ...(await runThroughApi(env, objects, cfg)) })),
    ]);
    const lines: string[] = [];
    let asked = 0;
    let agree = 0;
    let cfgAgree = 0;
    let values = 0;
    for (const { cfg, adapter, webhook } of results) {
      const bothRefuse = adapter.refused !== undefined && webhook.refused !== undefined;
      if ((adapter.refused === undefined) === (webhook.refused === undefined)) cfgAgree++;
      else
        lines.push(
          `config ${cfg.id}: adapter ${adapter.refused !== undefined ? `refused it (${adapter.refused})` : 'started'}, webhook ${webhook.refused !== undefined ? `refused it (${webhook.refused})` : 'accepted it'}\n${cfg.yaml}`,
        );
      if (bothRefuse || adapter.refused !== undefined || webhook.refused !== undefined) continue;
      cfg.asks.forEach((a, i) => {
        asked++;
        const ans = adapter.answers[i]!;
        const v = webhook.verdicts[i]!;
        if (ans.value) values++;
        if (ans.value === v.allow) agree++;
        else
          lines.push(
            `config ${cfg.id} ask ${i}: ${a.kind} metric ${a.name} in ${a.namespace}: adapter ${ans.value ? 'returns a value' : 'returns none'} (${ans.detail}); webhook ${v.allow ? 'allows' : 'denies'} (${v.detail})\n${cfg.yaml}`,
          );
      });
    }
    const refusedBoth = results.filter((r) => r.adapter.refused !== undefined && r.webhook.refused !== undefined).length;
    console.log(lines.join('\n---\n'));
    console.log(
      `adapter-diff seed ${SEED}: ${configs.length} configs (${refusedBoth} refused by both), config verdicts agree ${cfgAgree}/${configs.length}; ` +
        `${asked} HPA metrics asked (${values} with a value from the adapter), verdicts agree ${agree}/${asked} (${((100 * agree) / Math.max(asked, 1)).toFixed(1)} %), in ${Math.round((Date.now() - t0) / 1000)} s`,
    );
    const api = compareApiPath(apiResults);
    console.log(api.lines.join('\n---\n'));
    console.log(
      `adapter-diff seed ${SEED}, --adapter-api path (every ${API_EVERY}th config, through kube-apiserver's aggregation layer): ${apiResults.length} configs, ` +
        `${api.asked} HPA metrics asked (${api.values} with a value), verdicts agree ${api.agree}/${api.asked} with --prometheus-url --adapter-api; ` +
        `${api.apiOnlyAgree}/${api.asked} with --adapter-api alone (not asserted: the listing names metrics, not values); adapter routed in ${api.readyMedian.toFixed(1)} s (median)`,
    );
    assert.ok(asked >= 500, `only ${asked} HPA metrics were asked`);
    assert.equal(cfgAgree, configs.length, 'config acceptance disagrees');
    assert.equal(agree, asked, `${asked - agree} disagreement(s), listed above`);
    assert.ok(api.asked >= 60, `only ${api.asked} HPA metrics were asked through the aggregation layer`);
    assert.equal(api.cfgAgree, apiResults.length, 'config acceptance disagrees on the --adapter-api path');
    assert.equal(api.agree, api.asked, `${api.asked - api.agree} disagreement(s) on the --adapter-api path, listed above`);
  } finally {
    await prom?.stop();
    for (const e of exporters) await new Promise((r) => e.server.close(r));
    await cp.stop();
    netns.remove();
    if (!process.env.GPU_HPA_E2E_KEEP) await rm(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}; apiserver log: ${tail(join(cp.dir, 'kube-apiserver.log'), 5)}`);
  }
});

function compareApiPath(results: Array<ApiPathResult & { cfg: GeneratedConfig }>) {
  const lines: string[] = [];
  let asked = 0;
  let agree = 0;
  let apiOnlyAgree = 0;
  let values = 0;
  let cfgAgree = 0;
  for (const { cfg, adapter, webhook, apiOnly } of results) {
    if ((adapter.refused === undefined) === (webhook.refused === undefined)) cfgAgree++;
    else lines.push(`[api] config ${cfg.id}: adapter ${adapter.refused ?? 'started'}, webhook ${webhook.refused ?? 'accepted it'}\n${cfg.yaml}`);
    if (adapter.refused !== undefined || webhook.refused !== undefined) continue;
    cfg.asks.forEach((a, i) => {
      asked++;
      const ans = adapter.answers[i]!;
      const v = webhook.verdicts[i]!;
      if (ans.value) values++;
      if (apiOnly[i]!.allow === ans.value) apiOnlyAgree++;
      if (ans.value === v.allow) agree++;
      else
        lines.push(
          `[api] config ${cfg.id} ask ${i}: ${a.kind} metric ${a.name} in ${a.namespace}: adapter (through the API server) ${ans.value ? 'returns a value' : 'returns none'} (${ans.detail}); webhook ${v.allow ? 'allows' : 'denies'} (${v.detail})\n${cfg.yaml}`,
        );
    });
  }
  const ready = results.map((r) => r.readySeconds).sort((x, y) => x - y);
  return { lines, asked, agree, apiOnlyAgree, values, cfgAgree, readyMedian: ready[Math.floor(ready.length / 2)] ?? 0 };
}
