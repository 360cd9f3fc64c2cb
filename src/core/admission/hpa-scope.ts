// Which HorizontalPodAutoscalers the webhook judges (issue 15: installing it never breaks autoscaling that is
// not its own). Two gates, in this order, for both webhooks (an HPA out of scope is allowed, without a patch):
// 1. an HPA owned by a KEDA ScaledObject is KEDA's: KEDA's operator writes it from the ScaledObject (kedacore/keda
//    controllers/keda/hpa.go newHPAForScaledObject: controllerutil.SetControllerReference(scaledObject, hpa), so
//    an ownerReference apiVersion keda.sh/v1alpha1, kind ScaledObject, controller: true) and rewrites any change;
//    a denial would only stop KEDA from updating it;
// 2. the policy's scope.hpas: opted-in (the default: only HPAs targeting an opted-in Deployment), all, or
//    namespaces (those in a namespace whose labels match scope.namespaceSelector).
// What cannot be known (offline `check` without the target Deployment or the Namespace among its inputs,
// serve without a cluster) is judged: `check` is asked about the objects it is given.
// Pure: reads the object and the cluster view.
import type { Skipped } from './decision.js';
import { isOptedIn, OPT_IN_LABEL } from '../annotations.js';
import { excerpt, MAX_NAME_LENGTH } from '../bounds.js';
import type { ClusterView } from '../cluster.js';
import type { HorizontalPodAutoscaler } from '../k8s-types.js';
import type { Scope } from '../policy/schema.js';
import { describeSelector, selectorMatches } from '../selector.js';

/** KEDA's API group (kedacore/keda apis/keda/v1alpha1 groupversion_info.go: keda.sh). */
const KEDA_GROUP = 'keda.sh';

export type HpaScope = { judge: true } | { judge: false; skipped: Skipped };

/** The reason codes of an HPA not judged. */
export type SkipReason = 'keda-owned' | 'target-not-deployment' | 'target-not-opted-in' | 'target-missing' | 'namespace-not-selected';

const out = (reason: SkipReason, message: string): HpaScope => ({ judge: false, skipped: { reason, message } });

/** The ScaledObject that owns an HPA ("ScaledObject ns/name"), or undefined. */
export function kedaOwner(hpa: HorizontalPodAutoscaler, namespace: string): string | undefined {
  const refs = hpa.metadata?.ownerReferences;
  if (!Array.isArray(refs)) return undefined;
  const owner = refs.find((r) => r !== null && typeof r === 'object' && typeof r.apiVersion === 'string' && r.apiVersion.split('/')[0] === KEDA_GROUP && r.kind === 'ScaledObject');
  return owner ? `ScaledObject ${excerpt(namespace, MAX_NAME_LENGTH)}/${excerpt(String(owner.name), MAX_NAME_LENGTH)}` : undefined;
}

/** Whether the webhook judges this HPA, in its namespace, under the policy's scope and what the view knows. */
export function hpaScope(hpa: HorizontalPodAutoscaler, namespace: string, scope: Scope, cluster: ClusterView): HpaScope {
  const keda = kedaOwner(hpa, namespace);
  if (keda !== undefined) return out('keda-owned', `owned by ${keda}: KEDA writes this HPA, it is not judged here`);
  switch (scope.hpas) {
    case 'all':
      return { judge: true };
    case 'opted-in': {
      const ref = hpa.spec?.scaleTargetRef;
      const target = `${excerpt(String(ref?.kind ?? 'target'))} ${excerpt(namespace, MAX_NAME_LENGTH)}/${excerpt(String(ref?.name ?? ''), MAX_NAME_LENGTH)}`;
      if (ref?.kind !== 'Deployment' || typeof ref.name !== 'string') return out('target-not-deployment', `its target ${target} is not a Deployment, and policy scope.hpas is opted-in`);
      const dep = ref.name.length > MAX_NAME_LENGTH ? undefined : cluster.deployment(namespace, ref.name);
      if (dep) return isOptedIn(dep) ? { judge: true } : out('target-not-opted-in', `its target ${target} is not opted in (label ${OPT_IN_LABEL}), and policy scope.hpas is opted-in`);
      if (cluster.complete) return out('target-missing', `its target ${target} does not exist, and policy scope.hpas is opted-in`);
      return { judge: true }; // offline: the target is not among the inputs
    }
    case 'namespaces': {
      const selector = scope.namespaceSelector ?? {};
      const labels = cluster.namespaceLabels?.(namespace);
      // offline, or the Namespace not listed yet: judged
      if (labels === undefined || selectorMatches(selector, labels)) return { judge: true };
      return out('namespace-not-selected', `namespace ${excerpt(namespace, MAX_NAME_LENGTH)} does not match policy scope.namespaceSelector (${describeSelector(selector)})`);
    }
  }
}
