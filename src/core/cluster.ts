// What the core may know about the cluster besides the object under review: the Deployment an HPA
// targets and the other HPAs in its namespace. The server fills it from an informer cache (or knows
// nothing when it runs without a cluster); `check` fills it from the manifests it was given.
// Pure data in, no I/O: a view is a snapshot.
import type { Deployment, HorizontalPodAutoscaler } from './k8s-types.js';

export interface ClusterView {
  /** the Deployment namespace/name, or undefined when it is not known (not found, or no cluster) */
  deployment(namespace: string, name: string): Deployment | undefined;
  /** HPAs in the namespace (excluding none: callers skip the object under review by name) */
  hpas(namespace: string): HorizontalPodAutoscaler[];
  /** false when the view has no cluster behind it: rules that need cluster state say "not verified" */
  readonly complete: boolean;
}

export const emptyClusterView: ClusterView = {
  deployment: () => undefined,
  hpas: () => [],
  complete: false,
};

export function staticClusterView(objects: { deployments: Deployment[]; hpas: HorizontalPodAutoscaler[] }, complete = false): ClusterView {
  // read the arrays on every call: `check` appends to them as it admits objects in order
  return {
    deployment: (ns, name) => objects.deployments.find((d) => (d.metadata?.namespace ?? 'default') === ns && d.metadata?.name === name),
    hpas: (ns) => objects.hpas.filter((h) => (h.metadata?.namespace ?? 'default') === ns),
    complete,
  };
}
