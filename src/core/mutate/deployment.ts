// Mutation of an opted-in Deployment (SPEC "Mutation"): tolerations, GPU limits/requests, the policy's
// extras, and the gpu-hpa.io/mutated record. Works on a deep copy changed by plain code; the patch is
// fast-json-patch.compare(received, result), so nothing the team wrote is rewritten or reordered.
// Idempotent: on its own output nothing is left to inject, so no patch (reinvocationPolicy IfNeeded).
import type { Violation } from '../admission/decision.js';
import { MUTATED_ANNOTATION, A, type GpuSettings } from '../annotations.js';
import type { Container, Deployment } from '../k8s-types.js';
import type { Policy } from '../policy/schema.js';
import { parseQuantity } from '../quantity.js';
import { describeToleration, isCovered } from '../tolerations.js';
import { cloneJson } from '../json.js';

export interface Injected {
  tolerations?: string[];
  resources?: Record<string, Record<string, string>>;
  nodeSelector?: string[];
  runtimeClassName?: string;
}

export interface DeploymentMutation {
  /** the mutated copy (identical to the input when nothing was injected) */
  object: Deployment;
  injected: Injected;
  /** explicit conflicting values: the webhook refuses rather than overwrite */
  conflicts: Violation[];
}

function sameQuantity(a: unknown, b: number): boolean {
  if (typeof a !== 'string' && typeof a !== 'number') return false;
  const q = parseQuantity(a);
  const w = parseQuantity(b);
  return q.ok && w.ok && q.quantity.cmp(w.quantity) === 0;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mutateDeployment(received: Deployment, settings: GpuSettings, policy: Policy): DeploymentMutation {
  const dep = cloneJson(received);
  const injected: Injected = {};
  const conflicts: Violation[] = [];

  dep.spec ??= {};
  dep.spec.template ??= {};
  dep.spec.template.spec ??= {};
  const pod = dep.spec.template.spec;

  // 1. tolerations the policy requires, unless one the team wrote covers it
  for (const t of policy.tolerations) {
    if (!Array.isArray(pod.tolerations) && pod.tolerations !== undefined) break; // malformed: validation reports it
    if (!isCovered(pod.tolerations, t)) {
      pod.tolerations = [...(pod.tolerations ?? []), cloneJson(t)];
      (injected.tolerations ??= []).push(describeToleration(t));
    }
  }

  // 2. GPU limits (and requests where the container sets requests for the resource)
  const want = String(settings.gpus);
  const containers: Container[] = Array.isArray(pod.containers) ? pod.containers : [];
  containers.forEach((c, i) => {
    if (!isRecord(c) || typeof c.name !== 'string' || !settings.containers.includes(c.name)) return;
    const path = `spec.template.spec.containers[${i}].resources`;
    if (c.resources !== undefined && !isRecord(c.resources)) return;
    const limits = c.resources?.limits;
    const requests = c.resources?.requests;
    // another GPU resource already asked for: the team must say which one it means
    for (const key of Object.keys(isRecord(limits) ? limits : {})) {
      if (key !== settings.gpuResource && (key.startsWith('nvidia.com/') || key === policy.gpuResource)) {
        conflicts.push({
          reason: 'gpu-resource-conflict',
          field: `${path}.limits["${key}"]`,
          message: `container "${c.name}" already asks for ${key}, but ${A.gpuResource} is ${settings.gpuResource}; set ${A.gpuResource}: ${key} or remove the limit`,
        });
      }
    }
    const have = isRecord(limits) ? limits[settings.gpuResource] : undefined;
    if (have !== undefined && !sameQuantity(have, settings.gpus)) {
      conflicts.push({
        reason: 'gpu-count-conflict',
        field: `${path}.limits["${settings.gpuResource}"]`,
        message: `container "${c.name}" asks for ${String(have)} ${settings.gpuResource} but ${A.gpus} says ${settings.gpus}; make them agree (the webhook never overwrites an explicit value)`,
      });
    }
    const haveReq = isRecord(requests) ? requests[settings.gpuResource] : undefined;
    if (haveReq !== undefined && !sameQuantity(haveReq, settings.gpus)) {
      conflicts.push({
        reason: 'gpu-count-conflict',
        field: `${path}.requests["${settings.gpuResource}"]`,
        message: `container "${c.name}" requests ${String(haveReq)} ${settings.gpuResource} but ${A.gpus} says ${settings.gpus}; extended resources need requests equal to limits`,
      });
    }
    if (have === undefined && (limits === undefined || isRecord(limits))) {
      c.resources ??= {};
      c.resources.limits = { ...(c.resources.limits ?? {}), [settings.gpuResource]: want };
      ((injected.resources ??= {})[c.name] ??= {})[`limits.${settings.gpuResource}`] = want;
    }
  });

  // 3. the policy's extras, only where absent
  const selector = policy.nodeSelector;
  if (Object.keys(selector).length > 0 && (pod.nodeSelector === undefined || isRecord(pod.nodeSelector))) {
    for (const [k, v] of Object.entries(selector)) {
      if (pod.nodeSelector?.[k] === undefined) {
        pod.nodeSelector = { ...(pod.nodeSelector ?? {}), [k]: v };
        (injected.nodeSelector ??= []).push(`${k}=${v}`);
      }
    }
  }
  if (policy.runtimeClassName && pod.runtimeClassName === undefined) {
    pod.runtimeClassName = policy.runtimeClassName;
    injected.runtimeClassName = policy.runtimeClassName;
  }

  if (conflicts.length > 0) return { object: received, injected: {}, conflicts };
  if (Object.keys(injected).length === 0) return { object: received, injected, conflicts };

  // 4. the record of what was injected; only written when something was, so a second pass is a no-op
  dep.metadata ??= {};
  dep.metadata.annotations = { ...(dep.metadata.annotations ?? {}), [MUTATED_ANNOTATION]: JSON.stringify(injected) };
  return { object: dep, injected, conflicts };
}
