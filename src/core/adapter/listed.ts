// prometheus-adapter's own answer, preferred over our prediction: the metrics it lists in its discovery
// documents (GET /apis/custom.metrics.k8s.io/v1beta1 and /apis/external.metrics.k8s.io/v1beta1 through the
// API server). custom-metrics-apiserver names a custom metric "<resource>[.<group>]/<metric>" with the
// registration's Namespaced flag (pkg/apiserver/installer, from provider.ListAllMetrics); external metrics by
// name. Pure: the listing comes in as data from src/discovery/adapter-api.ts.
import { grKey } from './resources.js';
import type { AdapterRuleSet, GroupResource, MetricRequest, MetricVerdict } from './types.js';

export interface AdapterListing {
  /** for messages: "prometheus-adapter via https://10.0.0.1:6443" */
  source: string;
  /** custom.metrics.k8s.io resources; undefined when the API is not served (no adapter, or it is down) */
  custom?: ReadonlyArray<{ name: string; namespaced: boolean }>;
  /** external.metrics.k8s.io metric names; undefined when not served */
  external?: readonly string[];
}

export function preferAdapterListing(inner: AdapterRuleSet, listing: AdapterListing | undefined): AdapterRuleSet {
  if (!listing || (listing.custom === undefined && listing.external === undefined)) return inner;
  return new Listed(inner, listing);
}

class Listed implements AdapterRuleSet {
  readonly source: string;
  readonly warnings: readonly string[] | undefined;
  private readonly custom?: Set<string>;
  private readonly external?: Set<string>;

  constructor(
    private readonly inner: AdapterRuleSet,
    private readonly listing: AdapterListing,
  ) {
    this.source = inner.source;
    this.warnings = inner.warnings;
    if (listing.custom) this.custom = new Set(listing.custom.map((r) => `${r.name}\u0000${r.namespaced}`));
    if (listing.external) this.external = new Set(listing.external);
  }

  servedNames(list: 'rules' | 'externalRules'): string[] {
    if (list === 'rules' && this.listing.custom) return [...new Set(this.listing.custom.map((r) => r.name.slice(r.name.indexOf('/') + 1)))].sort();
    if (list === 'externalRules' && this.listing.external) return [...this.listing.external].sort();
    return this.inner.servedNames(list);
  }

  lookup(req: MetricRequest): MetricVerdict {
    const verdict = this.inner.lookup(req);
    const resource: GroupResource = req.kind === 'Pods' ? { group: '', resource: 'pods' } : (req.resource ?? { group: '', resource: '' });
    const listed = req.kind === 'External' ? this.external : this.custom;
    if (!listed) return verdict; // that API is not served: our prediction stands
    const name = req.kind === 'External' ? req.name : `${grKey(resource)}/${req.name}`;
    const api = req.kind === 'External' ? 'external.metrics.k8s.io' : 'custom.metrics.k8s.io';
    const has = req.kind === 'External' ? listed.has(name) : listed.has(`${name}\u0000${req.namespaced}`);
    if (has) {
      if (verdict.status === 'served') return verdict;
      // registered, so listed — but Prometheus has nothing the adapter's query would return for this HPA
      if (verdict.status === 'not-served' && verdict.live?.registered) return verdict;
      return { status: 'served', rules: [], notes: [`${this.listing.source} lists ${name} (${api}), though the rules here would not serve it: is the adapter on another config?`] };
    }
    if (verdict.status === 'not-served') return { ...verdict, notes: [...(verdict.notes ?? []), `${this.listing.source} does not list ${name} either`] };
    const rules = verdict.rules.map((r) => `${r.list}[${r.index}]`).join(', ');
    const message = `${this.listing.source} does not list ${name} in ${api}/v1beta1, so the HPA would show <unknown> forever; the rules here would serve it (${rules || 'unverified'}), so the adapter runs another config or has not relisted since (--metrics-relist-interval)`;
    return { status: 'not-served', considered: verdict.rules, explanation: message, nearest: [], live: { reason: 'metric-not-listed', message } };
  }
}
