// The platform team's policy (policies/default.yaml is the embedded default). Parsed with zod, strict:
// an unknown key is an error, and every error names the path of the bad field.
import { z } from 'zod';

const positiveInt = z.number().int().min(1);

/** autoscaling/v2 HPAScalingRules as a profile states them (validated again by the HPA API rules). */
const scalingPolicy = z.strictObject({
  type: z.enum(['Pods', 'Percent']),
  value: positiveInt,
  periodSeconds: z.number().int().min(1).max(1800),
});
const scalingRules = z.strictObject({
  stabilizationWindowSeconds: z.number().int().min(0).max(3600).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z.array(scalingPolicy).min(1),
});

/** Upper bounds on how fast a GPU workload may scale, per minute (a 15 s policy counts 4×). */
const rateBounds = z.strictObject({
  maxPercentPerMinute: positiveInt.optional(),
  maxPodsPerMinute: positiveInt.optional(),
});

/**
 * metav1.LabelSelector (matchLabels, matchExpressions with In/NotIn/Exists/DoesNotExist), as the API
 * server validates it (apimachinery pkg/apis/meta/v1/validation ValidateLabelSelectorRequirement):
 * In and NotIn need values, Exists and DoesNotExist take none.
 */
export const labelSelectorSchema = z
  .strictObject({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.strictObject({
          key: z.string().min(1),
          operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
          values: z.array(z.string()).optional(),
        }),
      )
      .optional(),
  })
  .superRefine((sel, ctx) => {
    (sel.matchExpressions ?? []).forEach((e, i) => {
      const n = e.values?.length ?? 0;
      if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0) {
        ctx.addIssue({ code: 'custom', path: ['matchExpressions', i, 'values'], message: `must be specified when operator is ${e.operator}` });
      }
      if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0) {
        ctx.addIssue({ code: 'custom', path: ['matchExpressions', i, 'values'], message: `may not be specified when operator is ${e.operator}` });
      }
    });
  });
export type LabelSelector = z.output<typeof labelSelectorSchema>;

export const profileSchema = z.strictObject({
  description: z.string().optional(),
  /** per-pod AverageValue target (a Kubernetes quantity) when gpu-hpa.io/target is absent */
  target: z.union([z.string(), z.number()]).transform(String),
  /** maxReplicas when gpu-hpa.io/max-replicas is absent */
  maxReplicas: positiveInt,
  /** the most replicas any HPA of this profile may ask for */
  maxReplicasCap: positiveInt,
  /** HPA behavior written into managed HPAs and filled into teams' HPAs that lack it */
  behavior: z.strictObject({ scaleUp: scalingRules, scaleDown: scalingRules }),
  /** a scale-down stabilization window shorter than this is unsafe for GPU pods (slow to start) */
  minScaleDownStabilizationSeconds: z.number().int().min(0).max(3600),
  scaleUpLimit: rateBounds.optional(),
  scaleDownLimit: rateBounds.optional(),
  /**
   * the namespaces whose Deployments may pick this profile (by the Namespace's labels); absent: every
   * namespace. Offline (`check`, `serve` without a cluster) the labels are unknown: see README "Policy".
   */
  namespaceSelector: labelSelectorSchema.optional(),
});

const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

// An extended resource name as the API server accepts one: a domain-qualified name outside kubernetes.io.
const extendedResource = z.string().regex(/^(?!(?:[^/]*\.)?kubernetes\.io\/)[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, {
  message: 'must be a domain-qualified extended resource name such as nvidia.com/gpu',
});

/** A DNS-1123 label: a namespace or Service name. */
const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a DNS-1123 label (lowercase letters, digits and -)' });

/**
 * Which HPAs the webhook judges (README "Scope in a shared cluster"). Deployments are judged only when
 * opted in, whatever this says.
 * - opted-in: only HPAs whose scaleTargetRef is an opted-in Deployment (the safe choice in a shared cluster);
 * - all: every HPA in every namespace the webhook configurations send;
 * - namespaces: every HPA in a namespace whose labels match namespaceSelector.
 */
export const scopeSchema = z
  .strictObject({
    hpas: z.enum(['opted-in', 'all', 'namespaces']),
    namespaceSelector: labelSelectorSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.hpas === 'namespaces' && s.namespaceSelector === undefined) {
      ctx.addIssue({ code: 'custom', path: ['namespaceSelector'], message: 'is required when hpas is "namespaces" (the labels of the namespaces whose HPAs are judged)' });
    }
    if (s.hpas !== 'namespaces' && s.namespaceSelector !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['namespaceSelector'], message: `is read only when hpas is "namespaces" (it is "${s.hpas}"): remove it, or set hpas: namespaces` });
    }
  });
export type Scope = z.output<typeof scopeSchema>;

/**
 * The prometheus-adapter whose rules the webhook reads: its Service, as the APIServices of
 * custom.metrics.k8s.io and external.metrics.k8s.io name it (spec.service). The default is what the
 * prometheus-community chart renders for release prometheus-adapter in namespace monitoring
 * (charts/prometheus-adapter templates/custom-metrics-apiservice.yaml: the fullname, which is the release
 * name when it contains the chart name).
 */
const prometheusAdapterSchema = z.strictObject({
  service: z.strictObject({ namespace: dnsLabel, name: dnsLabel }),
});
export const DEFAULT_PROMETHEUS_ADAPTER = { service: { namespace: 'monitoring', name: 'prometheus-adapter' } } as const;

export const policySchema = z
  .strictObject({
    apiVersion: z.literal('gpu-hpa.io/v1alpha1'),
    kind: z.literal('GpuHpaPolicy'),
    gpuResource: extendedResource,
    /** resources a team may pick with gpu-hpa.io/gpu-resource; `prefix*` matches by prefix */
    allowedGpuResources: z.array(z.string().min(1)).min(1),
    tolerations: z.array(toleration),
    /** the most GPUs one pod may ask for, over all its containers and init containers, whatever the resource */
    maxGpusPerPod: positiveInt.default(8),
    nodeSelector: z.record(z.string(), z.string()).default({}),
    runtimeClassName: z.string().min(1).optional(),
    defaultMetric: z.string().min(1),
    defaultProfile: z.string().min(1),
    enforcement: z.enum(['deny', 'warn']).default('deny'),
    ignoreNamespaces: z.array(z.string()).default([]),
    scope: scopeSchema.default({ hpas: 'opted-in' }),
    prometheusAdapter: prometheusAdapterSchema.default({ service: { ...DEFAULT_PROMETHEUS_ADAPTER.service } }),
    profiles: z.record(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/), profileSchema),
  })
  .superRefine((p, ctx) => {
    if (!(p.defaultProfile in p.profiles)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultProfile'],
        message: `names profile "${p.defaultProfile}", which is not among profiles (${Object.keys(p.profiles).join(', ')})`,
      });
    }
    for (const [name, prof] of Object.entries(p.profiles)) {
      if (prof.maxReplicas > prof.maxReplicasCap) {
        ctx.addIssue({ code: 'custom', path: ['profiles', name, 'maxReplicas'], message: `${prof.maxReplicas} exceeds maxReplicasCap ${prof.maxReplicasCap}` });
      }
      const sd = prof.behavior.scaleDown.stabilizationWindowSeconds ?? 300;
      if (sd < prof.minScaleDownStabilizationSeconds) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', name, 'behavior', 'scaleDown', 'stabilizationWindowSeconds'],
          message: `${sd} is below the profile's own minScaleDownStabilizationSeconds ${prof.minScaleDownStabilizationSeconds}`,
        });
      }
    }
  });

export type Policy = z.output<typeof policySchema>;
export type Profile = z.output<typeof profileSchema>;

export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid policy ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PolicyError';
  }
}

/** Validate an already-parsed document (YAML parsing is the loader's job). Throws PolicyError. */
export function parsePolicy(doc: unknown, source: string): Policy {
  const r = policySchema.safeParse(doc);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new PolicyError(source, problems);
}

/** Whether a pod's resource name is a GPU the policy accounts for: the policy's resources, and any nvidia.com/ one. */
export function isGpuResource(policy: Policy, resource: string): boolean {
  return resource === policy.gpuResource || resource.startsWith('nvidia.com/') || gpuResourceAllowed(policy, resource);
}

/** Whether a team may request this extended resource under the policy. */
export function gpuResourceAllowed(policy: Policy, resource: string): boolean {
  return policy.allowedGpuResources.some((p) => (p.endsWith('*') ? resource.startsWith(p.slice(0, -1)) : resource === p));
}
