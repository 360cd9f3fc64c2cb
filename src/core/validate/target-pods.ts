// Whether the pods a Pods metric would come from run yet (issue 18). A Pods metric's series come from the
// target's own pods — dcgm-exporter labels a GPU's series with the pod that holds it — so "a rule's seriesQuery
// matches no series" means "never" only once those pods run; before that it means "not yet". Pure: it reads the
// Deployment as the request or the cluster view gives it (status and conditions are the API server's).
import type { Deployment } from '../k8s-types.js';

export type TargetPods =
  /** no pod of the target is available: a new Deployment, one with no available pod, or one not created yet */
  | { state: 'none'; why: string }
  /**
   * available pods, since `since` (ms since the epoch: the Available condition's lastTransitionTime) when known;
   * `names`: the pods the target's selector matches, when the caller knows them (a Pods metric is then checked
   * per pod, as the HPA controller asks the adapter: adapter/live.ts)
   */
  | { state: 'running'; why: string; since?: number; names?: readonly string[] }
  /** not known here (no cluster view, or a target kind the view does not hold): the verdict stays as it was */
  | { state: 'unknown' };

interface DeploymentStatus {
  availableReplicas?: number;
  conditions?: Array<{ type?: string; status?: string; lastTransitionTime?: string }>;
}

/** `isNew`: the Deployment is being created (its pods cannot exist yet, whatever the request's status says). */
export function podsOfDeployment(dep: Deployment, isNew: boolean): TargetPods {
  const name = `Deployment ${dep.metadata?.namespace ?? 'default'}/${dep.metadata?.name ?? ''}`;
  if (isNew) return { state: 'none', why: `${name} is new, so no pod of it runs yet` };
  const status = (typeof dep.status === 'object' && dep.status !== null ? dep.status : {}) as DeploymentStatus;
  const available = typeof status.availableReplicas === 'number' ? status.availableReplicas : 0;
  if (available <= 0) return { state: 'none', why: `${name} has no available pod yet` };
  // pkg/controller/deployment/sync.go: Available turns True once availableReplicas reach the minimum
  const cond = Array.isArray(status.conditions) ? status.conditions.find((c) => c?.type === 'Available' && c.status === 'True') : undefined;
  const t = typeof cond?.lastTransitionTime === 'string' ? Date.parse(cond.lastTransitionTime) : NaN;
  const why = `${name} has ${available} available pod${available === 1 ? '' : 's'}${Number.isFinite(t) ? ` since ${new Date(t).toISOString()}` : ''}`;
  return Number.isFinite(t) ? { state: 'running', why, since: t } : { state: 'running', why };
}
