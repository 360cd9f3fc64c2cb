// The differential test's second path (issue 12 §2, `--adapter-api`): the adapter registered through the real
// kube-apiserver's aggregation layer, as in a cluster — APIService v1beta1.custom.metrics.k8s.io and
// v1beta1.external.metrics.k8s.io, a Service without selector and an EndpointSlice at the adapter's address
// (test/loop's registration, reused) — and the webhook reading prometheus-adapter's own discovery through the
// API server (src/discovery/adapter-api.ts), as `serve --adapter-api` does.
//
// The API server refuses loopback endpoints, so the adapter runs in a network namespace the test creates
// (test/loop/netns.ts); kube-apiserver and Prometheus bind the host side of its veth. One API server and one
// registration serve the whole run: each config's adapter process takes the same address in turn. Between
// two configs the APIService's availability may be marked down; touching the APIServices makes the
// aggregator's availability controller look again at once instead of at its 30 s resync.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubernetesObjectApi } from '@kubernetes/client-node';
import { AdapterConfigError } from '../../src/core/adapter/config.js';
import { preferAdapterListing, type AdapterListing } from '../../src/core/adapter/listed.js';
import { compileAdapterConfig } from '../../src/core/adapter/registry.js';
import { fetchAdapterListing } from '../../src/discovery/adapter-api.js';
import { discoverOnce } from '../../src/discovery/refresher.js';
import { parsePrometheusUrl } from '../../src/discovery/prometheus.js';
import { stopProc, tail, type ControlPlane } from '../e2e/cluster.js';
import { apply } from '../e2e/harness.js';
import { startAdapter } from '../loop/components.js';
import { ADAPTER, adapterRegistration } from '../loop/harness.js';
import type { Netns } from '../loop/netns.js';
import type { LoopPki } from '../loop/pki.js';
import { sentinel, type GeneratedConfig } from './generator.js';
import { ADAPTER_MAX_AGE_MS, askAdapter, httpsGet, judge, type AdapterRun, type Verdict } from './harness.js';

const GROUPS = ['custom.metrics.k8s.io', 'external.metrics.k8s.io'];

export interface ApiPathEnv {
  bin: string;
  cp: ControlPlane;
  netns: Netns;
  pki: LoopPki;
  promUrl: string;
  dir: string;
}

export interface ApiPathResult {
  adapter: AdapterRun;
  /** `serve --prometheus-url … --adapter-api`: the live verdict with the adapter's own listing preferred */
  webhook: { refused?: string; verdicts: Verdict[] };
  /** `serve --adapter-api` alone: the rules' offline verdict with the adapter's listing preferred */
  apiOnly: Verdict[];
  /** seconds from the adapter's start to its API served through the aggregation layer */
  readySeconds: number;
}

/** The registration, once for the run (test/loop/harness.ts adapterRegistration, both metrics APIs). */
export async function registerAdapter(env: ApiPathEnv): Promise<KubernetesObjectApi> {
  const objects = KubernetesObjectApi.makeApiClient(env.cp.kubeConfig());
  await apply(objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ADAPTER.namespace } }, { manager: 'adapter-diff' });
  for (const o of adapterRegistration(env.netns.nsIp, env.pki.adapterCaBundle, GROUPS)) await apply(objects, o, { manager: 'adapter-diff' });
  return objects;
}

const listed = (l: AdapterListing, id: number): boolean => (l.custom ?? []).some((r) => r.name === `pods/${sentinel(id).custom}`) && (l.external ?? []).includes(sentinel(id).external);

export async function runThroughApi(env: ApiPathEnv, objects: KubernetesObjectApi, cfg: GeneratedConfig): Promise<ApiPathResult> {
  const configFile = join(env.dir, `api-config-${cfg.id}.yaml`);
  await writeFile(configFile, cfg.yaml);
  const t0 = Date.now();
  const proc = startAdapter({
    bin: env.bin,
    exec: env.netns.exec,
    kubeconfig: env.cp.kubeconfigPath,
    prometheusUrl: env.promUrl,
    configFile,
    cert: env.pki.adapterCert,
    key: env.pki.adapterKey,
    port: ADAPTER.port,
    // one discovery pass is all the test reads: the series are in before any adapter starts
    relistInterval: '1h',
    dir: env.dir,
  });
  const exited = () => proc.child.exitCode !== null || proc.child.signalCode !== null;
  // its output as it comes (the log file is written asynchronously); complete once the child's stdio closed
  let out = '';
  proc.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<void>((r) => proc.child.once('close', () => r()));
  try {
    // 1. the adapter itself answers (host → namespace over the veth), with this config's sentinels
    const direct = `https://${env.netns.nsIp}:${ADAPTER.port}`;
    for (const deadline = Date.now() + 60_000; ;) {
      if (exited()) {
        await closed;
        const refused =
          out
            .split('\n')
            .filter((l) => /unable|error|must|invalid/i.test(l))
            .slice(-2)
            .join(' | ') || `exit ${proc.child.exitCode}`;
        return { adapter: { refused, answers: [] }, webhook: { refused: refusedByWebhook(cfg), verdicts: [] }, apiOnly: [], readySeconds: 0 };
      }
      try {
        const [c, e] = await Promise.all(GROUPS.map((g) => httpsGet(`${direct}/apis/${g}/v1beta1`, env.cp.adminToken)));
        if (c!.status === 200 && c!.body.includes(`pods/${sentinel(cfg.id).custom}"`) && e!.status === 200 && e!.body.includes(`"${sentinel(cfg.id).external}"`)) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`adapter for config ${cfg.id} not ready in 60s:\n${tail(proc.log, 30)}`);
      await sleep(500);
    }
    // 2. the aggregation layer routes to it: touch the APIServices so availability is checked now, then wait
    //    until the API server's answer is this adapter's (its sentinels)
    for (const g of GROUPS) {
      await apply(
        objects,
        { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `v1beta1.${g}`, annotations: { 'adapter-diff/config': String(cfg.id) } } },
        { manager: 'adapter-diff-touch' },
      );
    }
    const kc = env.cp.clientConfig();
    let listing: AdapterListing | undefined;
    for (const deadline = Date.now() + 60_000; ;) {
      try {
        listing = await fetchAdapterListing(kc);
        if (listed(listing, cfg.id)) break;
      } catch {
        // the API server's proxy errors while the endpoint is down
      }
      if (exited()) throw new Error(`adapter for config ${cfg.id} exited:\n${tail(proc.log, 30)}`);
      if (Date.now() > deadline) throw new Error(`config ${cfg.id}: the API server did not route to the adapter in 60s (last listing: ${JSON.stringify(listing)?.slice(0, 300)})`);
      await sleep(500);
    }
    const readySeconds = (Date.now() - t0) / 1000;
    // 3. the webhook's verdicts, as `serve` computes them with that listing
    const refused = refusedByWebhook(cfg);
    if (refused !== undefined) return { adapter: { answers: [] }, webhook: { refused, verdicts: [] }, apiOnly: [], readySeconds };
    const rules = compileAdapterConfig(cfg.yaml, `config-${cfg.id}`);
    const { rules: live, state } = await discoverOnce(rules, parsePrometheusUrl(env.promUrl), { timeoutMs: 60_000, lookbackMs: ADAPTER_MAX_AGE_MS });
    if (state.stale) throw new Error(`discovery failed for config ${cfg.id}: ${state.error}`);
    const webhook = { verdicts: judge(preferAdapterListing(live, listing), cfg) };
    const apiOnly = judge(preferAdapterListing(rules, listing), cfg);
    // 4. the adapter's answers through the API server, on the HPA controller's paths
    const answers = [];
    for (const a of cfg.asks) answers.push(await askAdapter(env.cp.server, env.cp.adminToken, a));
    return { adapter: { answers }, webhook, apiOnly, readySeconds };
  } finally {
    // its answers are in: no need for a graceful shutdown (the next config's adapter takes the address)
    await stopProc(proc, 1000);
  }
}

function refusedByWebhook(cfg: GeneratedConfig): string | undefined {
  try {
    compileAdapterConfig(cfg.yaml, `config-${cfg.id}`);
    return undefined;
  } catch (e) {
    if (!(e instanceof AdapterConfigError)) throw e;
    return e.issues.join(' | ');
  }
}
