// Who serves the metrics APIs an HPA reads (issue 15: judge only what this webhook can know). The HPA
// controller reads Pods and Object metrics from custom.metrics.k8s.io and External metrics from
// external.metrics.k8s.io, through whatever the APIService registrations of those groups point at: the
// prometheus-adapter whose rules this webhook reads ("ours", named in the policy), another server (KEDA's
// metrics server registers v1beta1.external.metrics.k8s.io for Service keda/keda-operator-metrics-apiserver,
// another vendor's adapter, …), or nothing. Only a metric type served by ours is judged against the adapter
// rules; for the others the HPA gets a warning naming who serves it.
//
// The version the HPA controller reads (pkg/controller/podautoscaler/metrics/client.go, built on k8s.io/metrics):
// - External metrics: k8s.io/metrics pkg/client/external_metrics is a v1beta1 client, so the registration of
//   v1beta1.external.metrics.k8s.io decides;
// - custom metrics: k8s.io/metrics pkg/client/custom_metrics (multi_client.go, discovery.go PreferredVersion)
//   asks discovery for the group's preferred version among those it speaks (v1beta2, v1beta1). The aggregator
//   orders a group's versions by spec.versionPriority, highest first, then by Kubernetes version order
//   (kube-aggregator pkg/apis/apiregistration/helpers.go SortedByGroupAndVersion, version.CompareKubeAwareVersionStrings).
// Pure: the registrations come from the cluster view (an informer in serve and audit, the manifests in check).
import type { AdapterRuleSet, MetricRequest, MetricVerdict } from '../adapter/types.js';
import { excerpt } from '../bounds.js';

/** An apiregistration.k8s.io/v1 APIService, as far as the core reads it. */
export interface ApiServiceRegistration {
  /** metadata.name, e.g. v1beta1.external.metrics.k8s.io */
  name: string;
  group: string;
  version: string;
  /** spec.service; absent: a local APIService, served by kube-apiserver itself */
  service?: { namespace: string; name: string };
  versionPriority?: number;
  /** status.conditions[type=Available]: false with its reason when the aggregator cannot reach the server */
  available?: { status: boolean; reason?: string };
}

export type MetricApiGroup = 'custom.metrics.k8s.io' | 'external.metrics.k8s.io';
export const METRIC_API_GROUPS: readonly MetricApiGroup[] = ['custom.metrics.k8s.io', 'external.metrics.k8s.io'];

/** The versions of each group the HPA controller's clients speak, most preferred first. */
const CLIENT_VERSIONS: Record<MetricApiGroup, readonly string[]> = {
  'custom.metrics.k8s.io': ['v1beta2', 'v1beta1'],
  'external.metrics.k8s.io': ['v1beta1'],
};

export type MetricApiServer =
  /** the prometheus-adapter whose rules the webhook reads */
  | { by: 'ours'; apiService: string }
  /** someone else: "Service keda/keda-operator-metrics-apiserver" */
  | { by: 'other'; apiService: string; who: string; unavailable?: string }
  /** no registration the HPA controller reads (`registered`: the versions registered that it does not read) */
  | { by: 'none'; registered: string[] };

/** Who serves each group; a group absent is not known. */
export type MetricApiServers = Readonly<Partial<Record<MetricApiGroup, MetricApiServer>>>;

export interface ServiceRef {
  namespace: string;
  name: string;
}

/** Kubernetes version order (apimachinery pkg/version CompareKubeAwareVersionStrings): positive when a comes first (is preferred). */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return { major: Number(m[1]), stage: m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, minor: m[3] === undefined ? 0 : Number(m[3]) };
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return x ? 1 : y ? -1 : a < b ? 1 : a > b ? -1 : 0; // non-Kubernetes versions last, then alphabetically
  // GA before beta before alpha (whatever the major), then the higher major, then the higher minor:
  // v10, v2, v1, v11beta2, v10beta3, v3beta1, v12alpha1, v11alpha2 (the order the function's doc gives)
  return x.stage - y.stage || x.major - y.major || x.minor - y.minor;
}

/** The registration of a group the HPA controller reads, or undefined when none it can read is registered. */
export function readRegistration(group: MetricApiGroup, registrations: readonly ApiServiceRegistration[]): ApiServiceRegistration | undefined {
  const speaks = CLIENT_VERSIONS[group];
  const candidates = registrations.filter((r) => r.group === group && speaks.includes(r.version));
  if (group === 'external.metrics.k8s.io') return candidates[0];
  // discovery's order: versionPriority (highest first), then Kubernetes version order
  return [...candidates].sort((a, b) => (b.versionPriority ?? 0) - (a.versionPriority ?? 0) || compareKubeVersions(b.version, a.version))[0];
}

/** Who serves one group. */
export function metricApiServer(group: MetricApiGroup, registrations: readonly ApiServiceRegistration[], ours: ServiceRef): MetricApiServer {
  const reg = readRegistration(group, registrations);
  if (!reg) return { by: 'none', registered: registrations.filter((r) => r.group === group).map((r) => r.version) };
  const s = reg.service;
  if (s && s.namespace === ours.namespace && s.name === ours.name) return { by: 'ours', apiService: reg.name };
  const who = s ? `Service ${s.namespace}/${s.name}` : 'kube-apiserver itself (a local APIService)';
  const unavailable = reg.available?.status === false ? (reg.available.reason ?? 'not available') : undefined;
  return unavailable === undefined ? { by: 'other', apiService: reg.name, who } : { by: 'other', apiService: reg.name, who, unavailable };
}

/**
 * Who serves each metrics API; a group left out is not known (then the webhook judges as before, against the
 * rules it reads). `registrations` undefined: nothing is known (serve without a cluster, check without
 * APIService manifests). `complete` false: the registrations are some of the cluster's (the manifests `check`
 * was given), so a group none of them names is unknown rather than served by nothing.
 */
export function metricApiServers(registrations: readonly ApiServiceRegistration[] | undefined, ours: ServiceRef, complete: boolean): MetricApiServers {
  const out: Partial<Record<MetricApiGroup, MetricApiServer>> = {};
  if (registrations === undefined) return out;
  for (const group of METRIC_API_GROUPS) {
    if (!complete && !registrations.some((r) => r.group === group)) continue;
    out[group] = metricApiServer(group, registrations, ours);
  }
  return out;
}

/** The group an HPA metric type is read from: External → external.metrics.k8s.io; Pods and Object → custom.metrics.k8s.io. */
export function metricApiGroupOf(kind: 'Pods' | 'Object' | 'External'): MetricApiGroup {
  return kind === 'External' ? 'external.metrics.k8s.io' : 'custom.metrics.k8s.io';
}

/**
 * Why a metric is not judged against the adapter rules, or undefined when it is (served by ours, or not known).
 * The metric comes first: AdmissionResponse warnings are clipped at 120 characters (decision.ts clipWarning).
 */
export function notJudgedNote(what: string, group: MetricApiGroup, server: MetricApiServer | undefined, ours: ServiceRef): string | undefined {
  if (server === undefined || server.by === 'ours') return undefined;
  const adapter = `the prometheus-adapter ${ours.namespace}/${ours.name}`;
  if (server.by === 'other') {
    const down = server.unavailable !== undefined ? `; not available: ${server.unavailable}` : '';
    return `${what}: not checked, served by ${server.who}, not ${adapter} (APIService ${server.apiService}${down})`;
  }
  const other = server.registered.length > 0 ? ` (registered: ${server.registered.join(', ')}, which the HPA controller does not read)` : '';
  return `${what}: not checked, no APIService serves ${group} for the HPA controller${other}, so it cannot read the metric; ${adapter}'s rules do not apply`;
}

/**
 * The adapter rules as the engine judges by: a metric whose API someone else serves (or nothing serves) is
 * not looked up in the rules; its verdict is "served" with a note naming who serves it, which the validators
 * turn into a warning. `servers` is read on each lookup: the cluster view behind it is live.
 */
export function judgedRules(rules: AdapterRuleSet, servers: () => MetricApiServers, ours: ServiceRef): AdapterRuleSet {
  return {
    source: rules.source,
    servedNames: (list) => rules.servedNames(list),
    lookup(req: MetricRequest): MetricVerdict {
      const group = metricApiGroupOf(req.kind);
      const what = `${req.kind} metric "${excerpt(req.name)}"`;
      const note = notJudgedNote(what, group, servers()[group], ours);
      return note === undefined ? rules.lookup(req) : { status: 'served', rules: [], notes: [note] };
    },
  };
}

/** An APIService object (a manifest, or from the API) as a registration; undefined when it is not one of the metrics APIs' or is malformed. */
export function apiServiceRegistration(obj: unknown): ApiServiceRegistration | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  const o = obj as { metadata?: { name?: unknown }; spec?: Record<string, unknown>; status?: { conditions?: unknown } };
  const spec = o.spec ?? {};
  const group = spec.group;
  const version = spec.version;
  if (typeof group !== 'string' || !(METRIC_API_GROUPS as readonly string[]).includes(group) || typeof version !== 'string') return undefined;
  const out: ApiServiceRegistration = { name: typeof o.metadata?.name === 'string' ? o.metadata.name : `${version}.${group}`, group, version };
  const svc = spec.service as { namespace?: unknown; name?: unknown } | null | undefined;
  if (svc && typeof svc.namespace === 'string' && typeof svc.name === 'string') out.service = { namespace: svc.namespace, name: svc.name };
  if (typeof spec.versionPriority === 'number') out.versionPriority = spec.versionPriority;
  const conditions = Array.isArray(o.status?.conditions) ? (o.status.conditions as Array<{ type?: unknown; status?: unknown; reason?: unknown }>) : [];
  const available = conditions.find((c) => c?.type === 'Available');
  if (available && (available.status === 'True' || available.status === 'False')) {
    out.available = available.status === 'True' ? { status: true } : { status: false, ...(typeof available.reason === 'string' ? { reason: available.reason } : {}) };
  }
  return out;
}
