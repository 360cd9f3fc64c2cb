// The differential test: the webhook's live verdict (the rule engine overlaid with a discovery pass, the code
// path of `serve --prometheus-url`) against the REAL prometheus-adapter v0.12.0, on generated configs
// (harness.ts says how each side is asked). Passes only when they agree on every generated HPA metric.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startControlPlane, tail } from '../e2e/cluster.js';
import { generate } from './generator.js';
import { adapterBinary, askWebhook, kube, pool, runAdapter, servingCert, startExporter, startPrometheus, type Prom } from './harness.js';
import { CLASH, EXPORTER, PLAIN, PODS, WORKLOAD_LABEL } from './series.js';

const SEED = Number(process.env.ADAPTER_DIFF_SEED ?? 12);
const CONFIGS = Number(process.env.ADAPTER_DIFF_CONFIGS ?? 220);
const CONCURRENCY = Number(process.env.ADAPTER_DIFF_CONCURRENCY ?? 6);

test(`the webhook's live verdicts agree with prometheus-adapter v0.12.0 (seed ${SEED}, ${CONFIGS} configs)`, { timeout: 1_200_000 }, async () => {
  const bin = adapterBinary();
  assert.ok(existsSync(bin), `no adapter binary at ${bin}`);
  const dir = await mkdtemp(join(tmpdir(), 'gpu-hpa-adapter-diff-'));
  const cp = await startControlPlane({ controllerManager: false });
  const exporters = [await startExporter(PLAIN), await startExporter(CLASH)];
  let prom: Prom | undefined;
  try {
    for (const ns of [...Object.keys(PODS), EXPORTER.namespace]) await kube(cp, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const [ns, pods] of Object.entries(PODS)) {
      // no controller-manager here: the ServiceAccount admission plugin wants the default ServiceAccount to exist
      await kube(cp, `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
      for (const p of pods) {
        await kube(cp, `/api/v1/namespaces/${ns}/pods`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: p, labels: WORKLOAD_LABEL },
          spec: { containers: [{ name: 'main', image: 'registry.invalid/app:1' }] },
        });
      }
    }
    await servingCert(dir);
    prom = await startPrometheus(dir, exporters[0]!.port, exporters[1]!.port);
    const configs = generate(SEED, CONFIGS);
    const t0 = Date.now();
    const results = await pool(configs, CONCURRENCY, async (cfg) => {
      const [adapter, webhook] = await Promise.all([runAdapter(bin, cp, prom!.url, dir, cfg), askWebhook(prom!.url, cfg)]);
      return { cfg, adapter, webhook };
    });
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
    assert.ok(asked >= 500, `only ${asked} HPA metrics were asked`);
    assert.equal(cfgAgree, configs.length, 'config acceptance disagrees');
    assert.equal(agree, asked, `${asked - agree} disagreement(s), listed above`);
  } finally {
    await prom?.stop();
    for (const e of exporters) await new Promise((r) => e.server.close(r));
    await cp.stop();
    if (!process.env.GPU_HPA_E2E_KEEP) await rm(dir, { recursive: true, force: true });
    else console.log(`kept ${dir}; apiserver log: ${tail(join(cp.dir, 'kube-apiserver.log'), 5)}`);
  }
});
