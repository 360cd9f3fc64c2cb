// Realistic Deployments and HPAs, as a cluster holds them: env, probes, volumes, several containers,
// a last-applied-configuration annotation, labels, and (for what is stored, not applied) managedFields
// and a status. One in four Deployments opts in with gpu-hpa.io annotations; one HPA per five
// Deployments. Used by the cache-trim tests (full objects against trimmed ones) and by
// `npm run bench:scale` (server-side applied to a real API server at 5,000–50,000 objects).
import type { Deployment, HorizontalPodAutoscaler } from '../../src/core/k8s-types.js';

export const NAMESPACES = 80;

export const namespaceOf = (i: number) => `team-${String(i % NAMESPACES).padStart(2, '0')}`;
export const deploymentName = (i: number) => `svc-${i}`;

/** What the API server adds to a stored object (for tests that trim objects without an API server). */
export function asStored<T extends Deployment | HorizontalPodAutoscaler>(obj: T, i: number): T {
  const spec = JSON.stringify(obj.spec ?? {});
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(1000 + i),
      generation: 1,
      creationTimestamp: '2026-11-29T10:00:00Z',
      managedFields: [
        {
          manager: 'bench',
          operation: 'Apply',
          apiVersion: obj.apiVersion,
          time: '2026-11-29T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': JSON.parse(spec.replace(/"([a-zA-Z]+)":/g, '"f:$1":')) as unknown },
        },
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: obj.apiVersion,
          time: '2026-11-29T10:00:05Z',
          fieldsType: 'FieldsV1',
          subresource: 'status',
          fieldsV1: { 'f:status': { 'f:replicas': {}, 'f:conditions': {} } },
        },
      ],
    },
    status: obj.kind === 'Deployment' ? deploymentStatus() : hpaStatus(),
  };
}

export function deploymentStatus(): Record<string, unknown> {
  return {
    observedGeneration: 1,
    replicas: 2,
    updatedReplicas: 2,
    readyReplicas: 2,
    availableReplicas: 2,
    conditions: [
      {
        type: 'Available',
        status: 'True',
        lastUpdateTime: '2026-11-29T10:00:05Z',
        lastTransitionTime: '2026-11-29T10:00:05Z',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
      },
      {
        type: 'Progressing',
        status: 'True',
        lastUpdateTime: '2026-11-29T10:00:05Z',
        lastTransitionTime: '2026-11-29T10:00:00Z',
        reason: 'NewReplicaSetAvailable',
        message: 'ReplicaSet "svc-7d9c8b6f5d" has successfully progressed.',
      },
    ],
  };
}

export function hpaStatus(): Record<string, unknown> {
  return {
    currentReplicas: 2,
    desiredReplicas: 2,
    currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 41, averageValue: '205m' } } }],
    conditions: [
      { type: 'AbleToScale', status: 'True', lastTransitionTime: '2026-11-29T10:00:05Z', reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
      {
        type: 'ScalingActive',
        status: 'True',
        lastTransitionTime: '2026-11-29T10:00:05Z',
        reason: 'ValidMetricFound',
        message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization',
      },
    ],
  };
}

/** The i-th Deployment, as a team would apply it (no status, no managedFields). */
export function realisticDeployment(i: number): Deployment {
  const name = deploymentName(i);
  const optedIn = i % 4 === 0;
  const labels: Record<string, string> = { app: name, 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': `product-${i % 13}`, team: `team-${i % 7}` };
  if (optedIn) labels['gpu-hpa.io/enabled'] = 'true';
  const annotations: Record<string, string> = { 'deployment.kubernetes.io/revision': '1', 'example.com/owner': `owner-${i % 17}@example.com` };
  if (optedIn) {
    annotations['gpu-hpa.io/max-replicas'] = String(2 + (i % 6));
    annotations['gpu-hpa.io/hpa'] = i % 8 === 0 ? 'managed' : 'external';
    if (i % 12 === 0) annotations['gpu-hpa.io/profile'] = 'training';
  }
  const env = Array.from({ length: 8 }, (_, k) => ({ name: `SETTING_${k}`, value: `value-${k}-${i}` }));
  env.push({ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } } as never);
  const probe = (path: string) => ({ httpGet: { path, port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  const spec = {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: name, team: `team-${i % 7}` }, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' } },
      spec: {
        serviceAccountName: 'default',
        securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001 },
        containers: [
          {
            name: 'app',
            image: `registry.example.com/team-${i % 7}/${name}:1.${i % 50}.0`,
            ports: [
              { name: 'http', containerPort: 8080, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
            ],
            env,
            resources: i % 10 === 3 ? { limits: { memory: '1Gi' } } : { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
            livenessProbe: probe('/healthz'),
            readinessProbe: probe('/readyz'),
            volumeMounts: [
              { name: 'config', mountPath: '/etc/app' },
              { name: 'cache', mountPath: '/var/cache/app' },
            ],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          },
          {
            name: 'proxy',
            image: 'envoyproxy/envoy:v1.31.0',
            args: ['--config-path', '/etc/envoy/envoy.yaml', '--log-level', 'warn'],
            ports: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            volumeMounts: [{ name: 'envoy', mountPath: '/etc/envoy' }],
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: `${name}-config` } },
          { name: 'envoy', configMap: { name: 'envoy' } },
          { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
        ],
        tolerations: optedIn ? [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] : [],
      },
    },
  };
  // client-side apply leaves the whole object in an annotation: the largest field of many real objects
  annotations['kubectl.kubernetes.io/last-applied-configuration'] = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: namespaceOf(i), labels }, spec });
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: namespaceOf(i), labels, annotations }, spec };
}

/** The HPA of the i-th Deployment (i a multiple of five): cpu for most, the GPU metric for opted-in targets. */
export function realisticHpa(i: number): HorizontalPodAutoscaler {
  const name = deploymentName(i);
  const gpu = i % 4 === 0;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: gpu && i % 8 === 0 ? `${name}-team` : name, namespace: namespaceOf(i), labels: { app: name, team: `team-${i % 7}` } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: 1,
      maxReplicas: 4 + (i % 5),
      metrics: gpu
        ? [{ type: 'Pods', pods: { metric: { name: 'gpu_utilization' }, target: { type: 'AverageValue', averageValue: '60' } } }]
        : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      behavior: gpu
        ? {
            scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] },
            scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
          }
        : undefined,
    },
  };
}
