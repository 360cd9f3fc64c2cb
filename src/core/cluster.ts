// What the core may know about the cluster besides the object under review: the Deployment an HPA
// targets, the other HPAs in its namespace, and the labels of a namespace (profiles a namespace may pick).
// Every lookup names one namespace, never "" (client-node's ObjectCache.list("") lists every namespace):
// the engine asks only about the request's own namespace (issue 17: no cross-namespace detail). The server fills it from an informer cache (or knows
// nothing when it runs without a cluster); `check` fills it from the manifests it was given.
// Pure data in, no I/O: a view is a snapshot.
import type { ApiServiceRegistration } from './admission/metric-apis.js';
import type { Deployment, HorizontalPodAutoscaler } from './k8s-types.js';

export interface ClusterView {
  /** the Deployment namespace/name, or undefined when it is not known (not found, or no cluster) */
  deployment(namespace: string, name: string): Deployment | undefined;
  /** HPAs in the namespace (excluding none: callers skip the object under review by name) */
  hpas(namespace: string): HorizontalPodAutoscaler[];
  /** the labels of a Namespace, or undefined when not known (not found, not synced yet, or no cluster) */
  namespaceLabels?(namespace: string): Readonly<Record<string, string>> | undefined;
  /**
   * The APIService registrations of the metrics APIs (custom.metrics.k8s.io, external.metrics.k8s.io), or
   * undefined when not known: who serves the metrics an HPA reads (admission/metric-apis.ts).
   */
  metricApis?(): readonly ApiServiceRegistration[] | undefined;
  /** false when the view has no cluster behind it: rules that need cluster state say "not verified" */
  readonly complete: boolean;
}

export const emptyClusterView: ClusterView = {
  deployment: () => undefined,
  hpas: () => [],
  complete: false,
};

/** A Namespace object as far as the core reads it. */
export interface NamespaceObject {
  metadata?: { name?: string; labels?: Record<string, string> };
}

export function staticClusterView(
  objects: { deployments: Deployment[]; hpas: HorizontalPodAutoscaler[]; namespaces?: NamespaceObject[]; apiServices?: ApiServiceRegistration[] },
  complete = false,
): ClusterView {
  // read the arrays on every call: `check` appends to them as it admits objects in order
  return {
    deployment: (ns, name) => objects.deployments.find((d) => (d.metadata?.namespace ?? 'default') === ns && d.metadata?.name === name),
    hpas: (ns) => objects.hpas.filter((h) => (h.metadata?.namespace ?? 'default') === ns),
    namespaceLabels: (ns) => {
      const n = objects.namespaces?.find((o) => o.metadata?.name === ns);
      return n ? (n.metadata?.labels ?? {}) : undefined;
    },
    metricApis: () => objects.apiServices,
    complete,
  };
}
