// The peer's module: what gpu-hpa-webhook does on the two benchmarked bodies, written the way a Pepr
// module is (one Capability; When(...).Mutate / .Validate callbacks, as in Pepr's docs and its
// hello-pepr sample). The mutation is the webhook's for an opted-in Deployment: the GPU limit on the
// named container (first by default), the GPU toleration unless one covers it, the node selector
// where the key is unset, and the record annotation. The validation is the allowed-HPA path: target
// kind, replica bounds, each metric served by a known name with a parseable target, behaviour bounds
// (scale-up rate, scale-down stabilization) as the default policy's inference profile sets them.
// Far less than the webhook checks (no adapter-rule analysis, no API-server parity): a lower bound
// on what the peer would cost doing the same work.
import { a, Capability, PeprModule } from 'pepr';

const GPU = 'nvidia.com/gpu';
const TOLERATION = { key: GPU, operator: 'Exists', effect: 'NoSchedule' };
const NODE_SELECTOR: Record<string, string> = { 'nvidia.com/gpu.present': 'true' };
const SERVED = new Set(['gpu_utilization', 'gpu_memory_used_bytes', 'gpu_framebuffer_used_ratio']);
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]i?|[KMGTPE]i)?$/;

const gpu = new Capability({ name: 'gpu-hpa', description: 'GPU Deployments and their HPAs', namespaces: [] });
const { When } = gpu;

When(a.Deployment)
  .IsCreatedOrUpdated()
  .WithLabel('gpu-hpa.io/enabled', 'true')
  .Mutate((req) => {
    const dep = req.Raw;
    const ann = dep.metadata?.annotations ?? {};
    const resource = ann['gpu-hpa.io/gpu-resource'] ?? GPU;
    const gpus = ann['gpu-hpa.io/gpus'] ?? '1';
    const pod = dep.spec?.template?.spec;
    if (!pod) return;
    const names = (ann['gpu-hpa.io/containers'] ?? pod.containers[0]?.name ?? '').split(',');
    const record: { tolerations?: string[]; resources?: Record<string, Record<string, string>>; nodeSelector?: string[] } = {};
    const tolerations = pod.tolerations ?? [];
    if (!tolerations.some((t) => (t.key === GPU || (t.key === undefined && t.operator === 'Exists')) && (t.effect === undefined || t.effect === 'NoSchedule'))) {
      pod.tolerations = [...tolerations, TOLERATION];
      record.tolerations = [`${GPU}:NoSchedule`];
    }
    for (const c of pod.containers) {
      if (!names.includes(c.name)) continue;
      c.resources ??= {};
      c.resources.limits ??= {};
      if (c.resources.limits[resource] === undefined) {
        c.resources.limits[resource] = gpus;
        (record.resources ??= {})[c.name] = { [`limits.${resource}`]: gpus };
      }
    }
    for (const [k, v] of Object.entries(NODE_SELECTOR)) {
      if (pod.nodeSelector?.[k] !== undefined) continue;
      (pod.nodeSelector ??= {})[k] = v;
      (record.nodeSelector ??= []).push(`${k}=${v}`);
    }
    req.SetAnnotation('gpu-hpa.io/mutated', JSON.stringify(record));
  });

interface Policy {
  type?: string;
  value?: number;
  periodSeconds?: number;
}

When(a.HorizontalPodAutoscaler, { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' })
  .IsCreatedOrUpdated()
  .Validate((req) => {
    // the v2 object, read through the v1 type a.HorizontalPodAutoscaler carries
    const spec = (req.Raw as unknown as { spec?: Record<string, unknown> }).spec ?? {};
    const problems: string[] = [];
    const ref = spec.scaleTargetRef as { kind?: string; name?: string } | undefined;
    if (ref?.kind !== 'Deployment' || !ref.name) problems.push('spec.scaleTargetRef must name a Deployment');
    const min = (spec.minReplicas as number | undefined) ?? 1;
    const max = spec.maxReplicas as number | undefined;
    if (typeof max !== 'number' || min < 1 || max < min || max > 32) problems.push('spec.minReplicas/maxReplicas out of bounds');
    const metrics = (spec.metrics as { type?: string; pods?: { metric?: { name?: string }; target?: { type?: string; averageValue?: unknown } } }[] | undefined) ?? [];
    metrics.forEach((m, i) => {
      if (m.type !== 'Pods' || !m.pods?.metric?.name || !SERVED.has(m.pods.metric.name)) problems.push(`spec.metrics[${i}]: not a served Pods metric`);
      else if (m.pods.target?.type !== 'AverageValue' || !QUANTITY.test(String(m.pods.target.averageValue))) problems.push(`spec.metrics[${i}].pods.target: AverageValue with a quantity`);
    });
    const behavior = spec.behavior as { scaleUp?: { policies?: Policy[] }; scaleDown?: { stabilizationWindowSeconds?: number; policies?: Policy[] } } | undefined;
    const perMinute = (p: Policy) => ((p.value ?? 0) * 60) / (p.periodSeconds || 60);
    const up = behavior?.scaleUp?.policies ?? [];
    if (up.length === 0 || up.some((p) => (p.type === 'Pods' && perMinute(p) > 4) || (p.type === 'Percent' && perMinute(p) > 100))) problems.push('spec.behavior.scaleUp: unbounded');
    if ((behavior?.scaleDown?.stabilizationWindowSeconds ?? 0) < 300) problems.push('spec.behavior.scaleDown.stabilizationWindowSeconds below 300');
    return problems.length === 0 ? req.Approve() : req.Deny(problems.join('; '));
  });

/** The module, started on `port` once its store is ready (Pepr binds /mutate and /validate then). */
export function startPepr(port: number): void {
  const mod = new PeprModule({ description: 'gpu-hpa-webhook bench peer', pepr: { uuid: 'gpu-hpa-bench', onError: 'reject', webhookTimeout: 10, alwaysIgnore: { namespaces: [] } } }, [gpu], {
    deferStart: true,
  });
  mod.start(port);
}
