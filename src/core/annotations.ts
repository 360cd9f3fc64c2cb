// The opt-in label and the gpu-hpa.io/* annotations of a Deployment, read against the policy into
// the settings every other rule uses. Invalid values are Violations naming the annotation, the value
// given and what is allowed (SPEC "Opt-in and annotations").
import type { Violation } from './admission/decision.js';
import type { Deployment } from './k8s-types.js';
import { parseQuantity } from './quantity.js';
import { gpuResourceAllowed, type Policy, type Profile } from './policy/schema.js';
import { childPath, keyPath } from './field.js';
import { nearest } from './suggest.js';
import { brief, excerpt, excerptList, MAX_CONTAINERS, MAX_CONTAINERS_ANNOTATION_LENGTH, MAX_LISTED, MAX_NAME_LENGTH, tooLong, tooMany, type WorkMeter } from './bounds.js';

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
  if (v !== undefined) return v !== 'true' ? `label ${OPT_IN_LABEL} is "${excerpt(v)}": only "true" opts in, so this Deployment is not managed` : undefined;
  // The opt-in written as an annotation (issue 15): the webhook configurations select on labels
  // (objectSelector), so the Deployment never reaches the webhook. Said before anything else is cut.
  const annotated = obj.metadata?.annotations?.[OPT_IN_LABEL];
  if (annotated !== undefined) {
    return `${OPT_IN_LABEL} is an annotation, so not opted in: make it the label metadata.labels["${OPT_IN_LABEL}"]: "true"`;
  }
  return undefined;
}

// Kubernetes int parsing of an annotation: plain decimal digits, no sign, no spaces, no exponent.
function parseCount(raw: string): number | undefined {
  return /^[0-9]{1,9}$/.test(raw) ? Number(raw) : undefined;
}

/** The bound on each annotation's value (issue 17): names and numbers are short; the container list may be long. */
function maxLength(key: string): number {
  return key === A.containers ? MAX_CONTAINERS_ANNOTATION_LENGTH : MAX_NAME_LENGTH;
}

/**
 * Reads the annotations of an opted-in Deployment. Returns settings only when every annotation is valid;
 * otherwise the violations (all of them, so a team fixes everything in one round — one per annotation).
 * Values over their bound, and pods with more containers than MAX_CONTAINERS, end the reading before any
 * other check looks at them. `work` counts the nearest-name search (src/core/suggest.ts).
 */
export function readSettings(dep: Deployment, policy: Policy, work?: WorkMeter): { settings?: GpuSettings; violations: Violation[]; warnings: string[] } {
  const ann = dep.metadata?.annotations ?? {};
  const violations: Violation[] = [];
  const warnings: string[] = [];
  // `fix`: what to write instead, short enough for a warning with the annotation and its value (decision.ts Violation.short)
  const bad = (key: string, value: string, allowed: string, fix?: string) =>
    violations.push({
      reason: 'invalid-annotation',
      field: keyPath('metadata.annotations', key),
      message: `annotation ${key}: "${excerpt(value)}" is not valid: ${allowed}`,
      short: `${key} "${brief(value, 30)}": ${fix ?? allowed}`,
    });

  // 1. sizes first: nothing below sees a value over its bound
  for (const key of Object.values(A)) {
    const v = ann[key];
    if (typeof v === 'string' && v.length > maxLength(key)) violations.push(tooLong(keyPath('metadata.annotations', key), `annotation ${key}`, v, maxLength(key)));
  }
  const pod = dep.spec?.template?.spec;
  for (const list of ['containers', 'initContainers'] as const) {
    const items = pod?.[list];
    if (Array.isArray(items) && items.length > MAX_CONTAINERS) {
      const path = childPath('spec.template.spec', list);
      violations.push(tooMany(path, path, items.length, MAX_CONTAINERS));
    }
  }
  if (violations.length > 0) return { violations, warnings };

  const unknown: string[] = [];
  for (const key of Object.keys(ann)) if (key.startsWith('gpu-hpa.io/') && !KNOWN.has(key)) unknown.push(key);
  if (unknown.length > 0) {
    // one warning for all of them; a suggestion for the first
    const guess = nearest(unknown[0]!, [...KNOWN], 1, work)[0];
    const hint = guess ? ` (did you mean ${guess}${unknown.length > 1 ? ` for ${excerpt(unknown[0]!)}` : ''}?)` : '';
    warnings.push(unknown.length === 1 ? `unknown annotation ${excerpt(unknown[0]!)} is ignored${hint}` : `unknown annotations ${excerptList(unknown, MAX_LISTED, false)} are ignored${hint}`);
  }

  const profileName = ann[A.profile] ?? policy.defaultProfile;
  const profile = policy.profiles[profileName];
  if (!profile) {
    const names = Object.keys(policy.profiles);
    const guess = nearest(profileName, names, 1, work)[0];
    bad(
      A.profile,
      profileName,
      `must be one of the policy's profiles: ${names.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`,
      guess ? `did you mean ${guess}?` : `not a profile of the policy`,
    );
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
  let gpus = count(A.gpus, 1);
  if (gpus !== undefined && gpus > policy.maxGpusPerPod) {
    bad(A.gpus, String(gpus), `must be at most ${policy.maxGpusPerPod}, the policy's maxGpusPerPod`);
    gpus = undefined;
  }
  if (minReplicas !== undefined && maxReplicas !== undefined && maxReplicas < minReplicas) {
    const key = ann[A.maxReplicas] !== undefined ? A.maxReplicas : A.minReplicas;
    const given = ann[A.maxReplicas] !== undefined ? String(maxReplicas) : String(minReplicas);
    bad(
      key,
      given,
      ann[A.maxReplicas] !== undefined
        ? `must be at least gpu-hpa.io/min-replicas (${minReplicas})`
        : `exceeds the profile "${profileName}" default maxReplicas ${maxReplicas}: set gpu-hpa.io/max-replicas too`,
    );
  }
  if (profile && maxReplicas !== undefined && maxReplicas > profile.maxReplicasCap && ann[A.maxReplicas] !== undefined) {
    bad(A.maxReplicas, String(maxReplicas), `must be at most ${profile.maxReplicasCap}, the cap of profile "${profileName}"`);
  }

  const gpuResource = ann[A.gpuResource] ?? policy.gpuResource;
  if (!gpuResourceAllowed(policy, gpuResource)) {
    bad(A.gpuResource, gpuResource, `must be one of ${policy.allowedGpuResources.join(', ')}`);
  }

  const podContainers = (Array.isArray(pod?.containers) ? pod.containers : []).map((c) => c?.name).filter((n): n is string => typeof n === 'string');
  let containers: string[] = [];
  const containersRaw = ann[A.containers];
  if (containersRaw !== undefined) {
    const asked = new Set(
      containersRaw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );
    const inPod = new Set(podContainers);
    const missing = [...asked].filter((n) => !inPod.has(n));
    if (asked.size === 0) bad(A.containers, containersRaw, 'must name at least one container');
    else if (missing.length > 0) {
      // one violation for the annotation, however many names it gets wrong
      const guess = missing.length === 1 ? nearest(missing[0]!, podContainers, 1, work)[0] : undefined;
      const have = podContainers.length > 0 ? excerptList(podContainers, 5, false) : 'none';
      bad(
        A.containers,
        containersRaw,
        missing.length === 1
          ? `names container ${excerptList(missing)}, which is not in spec.template.spec.containers (${have})${guess ? `; did you mean ${guess}?` : ''}`
          : `names ${missing.length.toLocaleString('en-US')} containers that are not in spec.template.spec.containers (${have}): ${excerptList(missing)}`,
      );
    }
    containers = podContainers.filter((n) => asked.has(n));
  } else if (podContainers[0] !== undefined) {
    containers = [podContainers[0]];
  } else {
    violations.push({ reason: 'no-containers', field: 'spec.template.spec.containers', message: 'spec.template.spec.containers is empty: there is no container to give a GPU to' });
  }
  if (gpus !== undefined && containers.length * gpus > policy.maxGpusPerPod) {
    bad(A.gpus, String(gpus), `${containers.length} containers get ${gpus} each, ${containers.length * gpus} per pod, over the policy's maxGpusPerPod ${policy.maxGpusPerPod}`);
    gpus = undefined;
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
