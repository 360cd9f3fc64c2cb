// The opt-in label and the gpu-hpa.io/* annotations of a Deployment, read against the policy into
// the settings every other rule uses. Invalid values are Violations naming the annotation, the value
// given and what is allowed (SPEC "Opt-in and annotations").
import type { Violation } from './admission/decision.js';
import type { Deployment } from './k8s-types.js';
import { parseQuantity } from './quantity.js';
import { gpuResourceAllowed, type Policy, type Profile } from './policy/schema.js';
import { nearest } from './suggest.js';

export const OPT_IN_LABEL = 'gpu-hpa.io/enabled';
export const MUTATED_ANNOTATION = 'gpu-hpa.io/mutated';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGER_NAME = 'gpu-hpa-webhook';

export const A = {
  metric: 'gpu-hpa.io/metric',
  target: 'gpu-hpa.io/target',
  minReplicas: 'gpu-hpa.io/min-replicas',
  maxReplicas: 'gpu-hpa.io/max-replicas',
  gpus: 'gpu-hpa.io/gpus',
  gpuResource: 'gpu-hpa.io/gpu-resource',
  containers: 'gpu-hpa.io/containers',
  profile: 'gpu-hpa.io/profile',
  hpa: 'gpu-hpa.io/hpa',
} as const;

const KNOWN = new Set<string>([...Object.values(A), MUTATED_ANNOTATION]);

export type HpaMode = 'managed' | 'external';

export interface GpuSettings {
  metric: string;
  /** the per-pod AverageValue target as written (annotation or profile), already known to parse */
  target: string;
  minReplicas: number;
  maxReplicas: number;
  gpus: number;
  gpuResource: string;
  /** names of the containers that get GPUs, in the order of spec.template.spec.containers */
  containers: string[];
  profileName: string;
  profile: Profile;
  hpaMode: HpaMode;
}

export function isOptedIn(obj: { metadata?: { labels?: Record<string, string> } } | undefined): boolean {
  return obj?.metadata?.labels?.[OPT_IN_LABEL] === 'true';
}

/** A label set to something other than "true" never reaches the webhook (objectSelector): tell `check` users. */
export function optInLabelTypo(obj: Deployment): string | undefined {
  const v = obj.metadata?.labels?.[OPT_IN_LABEL];
  return v !== undefined && v !== 'true' ? `label ${OPT_IN_LABEL} is "${v}": only "true" opts in, so this Deployment is not managed` : undefined;
}

// Kubernetes int parsing of an annotation: plain decimal digits, no sign, no spaces, no exponent.
function parseCount(raw: string): number | undefined {
  return /^[0-9]{1,9}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * Reads the annotations of an opted-in Deployment. Returns settings only when every annotation is valid;
 * otherwise the violations (all of them, so a team fixes everything in one round).
 */
export function readSettings(dep: Deployment, policy: Policy): { settings?: GpuSettings; violations: Violation[]; warnings: string[] } {
  const ann = dep.metadata?.annotations ?? {};
  const violations: Violation[] = [];
  const warnings: string[] = [];
  const bad = (key: string, value: string, allowed: string) =>
    violations.push({ reason: 'invalid-annotation', field: `metadata.annotations["${key}"]`, message: `annotation ${key}: "${value}" is not valid: ${allowed}` });

  for (const key of Object.keys(ann)) {
    if (key.startsWith('gpu-hpa.io/') && !KNOWN.has(key)) {
      const guess = nearest(key, [...KNOWN], 1)[0];
      warnings.push(`unknown annotation ${key} is ignored${guess ? ` (did you mean ${guess}?)` : ''}`);
    }
  }

  const profileName = ann[A.profile] ?? policy.defaultProfile;
  const profile = policy.profiles[profileName];
  if (!profile) {
    const names = Object.keys(policy.profiles);
    const guess = nearest(profileName, names, 1)[0];
    bad(A.profile, profileName, `must be one of the policy's profiles: ${names.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`);
  }

  const hpaRaw = ann[A.hpa] ?? 'managed';
  if (hpaRaw !== 'managed' && hpaRaw !== 'external') bad(A.hpa, hpaRaw, 'must be "managed" (the webhook owns the HPA) or "external" (you bring your own HPA)');

  const metric = ann[A.metric] ?? policy.defaultMetric;
  // A custom metric name is a path segment in the custom metrics API (k8s path segment name rules).
  if (metric === '' || metric === '.' || metric === '..' || /[/%]/.test(metric)) bad(A.metric, metric, 'must be a metric name such as gpu_utilization (no "/" or "%")');

  const target = ann[A.target] ?? profile?.target ?? '';
  if (ann[A.target] !== undefined) {
    const q = parseQuantity(target);
    if (!q.ok) bad(A.target, target, `must be a Kubernetes quantity such as 30 or 750m (${q.error})`);
    else if (q.quantity.sign() <= 0) bad(A.target, target, 'must be greater than zero: it is the per-pod average the HPA aims for');
  }

  const count = (key: string, dflt: number | undefined): number | undefined => {
    const raw = ann[key];
    if (raw === undefined) return dflt;
    const n = parseCount(raw);
    if (n === undefined || n < 1) {
      bad(key, raw, 'must be a whole number of at least 1');
      return undefined;
    }
    return n;
  };
  const minReplicas = count(A.minReplicas, 1);
  const maxReplicas = count(A.maxReplicas, profile?.maxReplicas);
  const gpus = count(A.gpus, 1);
  if (minReplicas !== undefined && maxReplicas !== undefined && maxReplicas < minReplicas) {
    const key = ann[A.maxReplicas] !== undefined ? A.maxReplicas : A.minReplicas;
    const given = ann[A.maxReplicas] !== undefined ? String(maxReplicas) : String(minReplicas);
    bad(key, given, ann[A.maxReplicas] !== undefined
      ? `must be at least gpu-hpa.io/min-replicas (${minReplicas})`
      : `exceeds the profile "${profileName}" default maxReplicas ${maxReplicas}: set gpu-hpa.io/max-replicas too`);
  }
  if (profile && maxReplicas !== undefined && maxReplicas > profile.maxReplicasCap && ann[A.maxReplicas] !== undefined) {
    bad(A.maxReplicas, String(maxReplicas), `must be at most ${profile.maxReplicasCap}, the cap of profile "${profileName}"`);
  }

  const gpuResource = ann[A.gpuResource] ?? policy.gpuResource;
  if (!gpuResourceAllowed(policy, gpuResource)) {
    bad(A.gpuResource, gpuResource, `must be one of ${policy.allowedGpuResources.join(', ')}`);
  }

  const podContainers = (dep.spec?.template?.spec?.containers ?? []).map((c) => c?.name).filter((n): n is string => typeof n === 'string');
  let containers: string[] = [];
  const containersRaw = ann[A.containers];
  if (containersRaw !== undefined) {
    const asked = containersRaw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (asked.length === 0) bad(A.containers, containersRaw, 'must name at least one container');
    for (const name of asked) {
      if (!podContainers.includes(name)) {
        const guess = nearest(name, podContainers, 1)[0];
        bad(A.containers, containersRaw, `names container "${name}", which is not in spec.template.spec.containers (${podContainers.join(', ') || 'none'})${guess ? `; did you mean ${guess}?` : ''}`);
      }
    }
    containers = podContainers.filter((n) => asked.includes(n));
  } else if (podContainers[0] !== undefined) {
    containers = [podContainers[0]];
  } else {
    violations.push({ reason: 'no-containers', field: 'spec.template.spec.containers', message: 'spec.template.spec.containers is empty: there is no container to give a GPU to' });
  }

  if (violations.length > 0 || !profile || minReplicas === undefined || maxReplicas === undefined || gpus === undefined) {
    return { violations, warnings };
  }
  return {
    settings: { metric, target, minReplicas, maxReplicas, gpus, gpuResource, containers, profileName, profile, hpaMode: hpaRaw as HpaMode },
    violations,
    warnings,
  };
}
