// The autoscaling/v2 HPA the webhook owns for an opted-in Deployment with gpu-hpa.io/hpa: managed
// (SPEC "Managed HPAs"). Pure: `render` prints it and the controller server-side applies it.
import { MANAGED_BY_LABEL, MANAGER_NAME, type GpuSettings } from './annotations.js';
import type { Deployment, HorizontalPodAutoscaler } from './k8s-types.js';
import { cloneJson } from './json.js';

export function managedHpa(dep: Deployment, settings: GpuSettings): HorizontalPodAutoscaler {
  const name = dep.metadata?.name ?? '';
  const meta: NonNullable<HorizontalPodAutoscaler['metadata']> = {
    name,
    namespace: dep.metadata?.namespace ?? 'default',
    labels: { [MANAGED_BY_LABEL]: MANAGER_NAME },
  };
  // The owner's uid is only known once the Deployment exists; `render` output omits the reference.
  if (dep.metadata?.uid) {
    meta.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true }];
  }
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: settings.minReplicas,
      maxReplicas: settings.maxReplicas,
      metrics: [
        {
          type: 'Pods',
          pods: { metric: { name: settings.metric }, target: { type: 'AverageValue', averageValue: settings.target } },
        },
      ],
      behavior: cloneJson(settings.profile.behavior),
    },
  };
}
