// prometheus-adapter's own discovery, asked through the API server (the aggregated custom and external
// metrics APIs' discovery documents), refreshed like the Prometheus discovery. A 404 means the API is not
// registered (no adapter); a 503 that the APIService is unavailable (adapter down): both leave that API out,
// so our prediction stands.
import type { Logger } from 'pino';
import type { AdapterListing } from '../core/adapter/listed.js';
import { KubeClient } from '../controller/kube.js';
import type { KubeConfig } from '../controller/kubeconfig.js';

async function getJson(kc: KubeConfig, path: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  // client certificate, CA, bearer token as the kubeconfig says
  const client = new KubeClient(kc);
  try {
    const { status, text } = await client.raw('GET', path, { timeoutMs });
    try {
      return { status, body: text ? JSON.parse(text) : undefined };
    } catch {
      return { status, body: undefined };
    }
  } finally {
    client.close();
  }
}

async function resources(kc: KubeConfig, groupVersion: string, timeoutMs: number): Promise<Array<{ name: string; namespaced: boolean }> | undefined> {
  const r = await getJson(kc, `/apis/${groupVersion}`, timeoutMs);
  if (r.status === 404 || r.status === 503) return undefined;
  if (r.status !== 200) throw new Error(`GET /apis/${groupVersion}: HTTP ${r.status}`);
  const list = (r.body as { resources?: unknown } | undefined)?.resources;
  if (!Array.isArray(list)) throw new Error(`GET /apis/${groupVersion}: not an APIResourceList`);
  return list
    .filter((x): x is { name: string; namespaced?: boolean } => typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string')
    .map((x) => ({ name: x.name, namespaced: x.namespaced === true }));
}

export async function fetchAdapterListing(kc: KubeConfig, timeoutMs = 10_000): Promise<AdapterListing> {
  const [custom, external] = await Promise.all([resources(kc, 'custom.metrics.k8s.io/v1beta1', timeoutMs), resources(kc, 'external.metrics.k8s.io/v1beta1', timeoutMs)]);
  return { source: 'prometheus-adapter', custom, external: external?.map((r) => r.name) };
}

/** Periodic listing; the latest good answer is kept, a failed one drops it (our prediction then stands). */
export class AdapterListingRefresher {
  private listing?: AdapterListing;
  private timer?: NodeJS.Timeout;
  constructor(private readonly o: { kc: KubeConfig; intervalMs: number; timeoutMs?: number; logger?: Logger; onUpdate?: () => void }) {}

  current(): AdapterListing | undefined {
    return this.listing;
  }

  async refresh(): Promise<AdapterListing | undefined> {
    try {
      this.listing = await fetchAdapterListing(this.o.kc, this.o.timeoutMs);
      if (!this.listing.custom && !this.listing.external) this.o.logger?.debug('prometheus-adapter metrics APIs not served; judging by the rules and Prometheus');
    } catch (e) {
      this.listing = undefined;
      this.o.logger?.warn({ err: (e as Error).message }, "prometheus-adapter's discovery could not be read through the API server; judging by the rules and Prometheus");
    }
    this.o.onUpdate?.();
    return this.listing;
  }

  start(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
