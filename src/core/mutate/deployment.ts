// Mutation of an opted-in Deployment (SPEC "Mutation"): tolerations, GPU limits/requests, the policy's
// extras, and the gpu-hpa.io/mutated record. Reads the object as received and writes RFC 6902 "add"
// operations for what is absent (src/core/patch.ts), so nothing the team wrote is rewritten or
// reordered. A member that is null counts as absent (it decodes to Go's nil in the API server).
// Idempotent: on its own output nothing is left to inject, so no patch (reinvocationPolicy IfNeeded).
import type { Operation } from 'fast-json-patch';
import type { Violation } from '../admission/decision.js';
import { MUTATED_ANNOTATION, A, type GpuSettings } from '../annotations.js';
import type { Deployment, Toleration } from '../k8s-types.js';
import type { Policy } from '../policy/schema.js';
import { parseQuantity } from '../quantity.js';
import { describeToleration, isCovered } from '../tolerations.js';
import { childPath, indexPath, isObject, keyPath } from '../field.js';
import { cloneJson } from '../json.js';
import { add, escapeToken, unset } from '../patch.js';

export interface Injected {
  tolerations?: string[];
  resources?: Record<string, Record<string, string>>;
  nodeSelector?: string[];
  runtimeClassName?: string;
}

export interface DeploymentMutation {
  /** RFC 6902 operations against the received object; empty when nothing is injected or on conflict */
  patch: Operation[];
  injected: Injected;
  /** explicit conflicting values: the webhook refuses rather than overwrite */
  conflicts: Violation[];
}

/** Whether a quantity the team wrote equals the GPU count (1 == "1" == "1000m"). */
function sameQuantity(a: unknown, gpus: number): boolean {
  // Stryker disable next-line all: a fast path — without it the parse below gives the same answer
  if (a === gpus || a === String(gpus)) return true; // the common spellings, without parsing
  // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: parseQuantity refuses a non-scalar itself (quantity.ts); this only narrows the type
  if (typeof a !== 'string' && typeof a !== 'number') return false;
  const q = parseQuantity(a);
  const w = parseQuantity(gpus);
  return q.ok && w.ok && q.quantity.cmp(w.quantity) === 0;
}

// The pod spec's paths, spelled out once (building them per review from tokens was a tenth of it).
const POD = '/spec/template/spec';
const TOLERATIONS = `${POD}/tolerations`;
const NODE_SELECTOR = `${POD}/nodeSelector`;

export function mutateDeployment(received: Deployment, settings: GpuSettings, policy: Policy): DeploymentMutation {
  const injected: Injected = {};
  const conflicts: Violation[] = [];
  const patch: Operation[] = [];
  // The shape check (src/core/shape.ts) runs first and guarantees a pod spec with a containers
  // array; without one there is nothing to inject into.
  const pod = received.spec?.template?.spec;
  if (!isObject(pod)) return { patch, injected, conflicts };

  // 1. tolerations the policy requires, unless one the team wrote (or one added just now) covers it
  const tolerations = pod.tolerations as unknown;
  if (unset(tolerations) || Array.isArray(tolerations)) {
    // Stryker disable next-line ArrayDeclaration: with no list, `have` is only read by isCovered, which no string element satisfies (tolerations.ts)
    const have = Array.isArray(tolerations) ? (tolerations as Toleration[]) : [];
    const added: Toleration[] = [];
    for (const t of policy.tolerations) {
      if (isCovered(have, t) || isCovered(added, t)) continue;
      added.push(cloneJson(t));
      (injected.tolerations ??= []).push(describeToleration(t));
    }
    if (added.length > 0) {
      if (unset(tolerations)) patch.push(add(TOLERATIONS, added));
      else for (let k = 0; k < added.length; k++) patch.push(add(`${TOLERATIONS}/${have.length + k}`, added[k]));
    } // anything else is malformed: the shape check reports it
  }

  // 2. GPU limits (and requests where the container sets requests for the resource)
  const want = String(settings.gpus);
  // Stryker disable next-line ArrayDeclaration: a made-up element is not an object, so the loop skips it as it skips malformed containers
  const containers: unknown[] = Array.isArray(pod.containers) ? pod.containers : [];
  const resourceToken = escapeToken(settings.gpuResource);
  for (const [i, c] of containers.entries()) {
    if (!isObject(c)) continue;
    // Stryker disable next-line ConditionalExpression: settings.containers holds strings only, so includes() below refuses a non-string name too; this narrows the type
    if (typeof c.name !== 'string') continue;
    if (!settings.containers.includes(c.name)) continue;
    const field = childPath(indexPath('spec.template.spec.containers', i), 'resources');
    const resources = c.resources;
    if (!unset(resources) && !isObject(resources)) continue;
    const limits = resources?.limits;
    const requests = resources?.requests;
    // another GPU resource already asked for: the team must say which one it means
    for (const key of Object.keys(isObject(limits) ? limits : {})) {
      if (key !== settings.gpuResource && (key.startsWith('nvidia.com/') || key === policy.gpuResource)) {
        conflicts.push({
          reason: 'gpu-resource-conflict',
          field: keyPath(childPath(field, 'limits'), key),
          message: `container "${c.name}" already asks for ${key}, but ${A.gpuResource} is ${settings.gpuResource}; set ${A.gpuResource}: ${key} or remove the limit`,
        });
      }
    }
    const have = isObject(limits) ? limits[settings.gpuResource] : undefined;
    if (have !== undefined && !sameQuantity(have, settings.gpus)) {
      conflicts.push({
        reason: 'gpu-count-conflict',
        field: keyPath(childPath(field, 'limits'), settings.gpuResource),
        message: `container "${c.name}" asks for ${String(have)} ${settings.gpuResource} but ${A.gpus} says ${settings.gpus}; make them agree (the webhook never overwrites an explicit value)`,
      });
    }
    const haveReq = isObject(requests) ? requests[settings.gpuResource] : undefined;
    if (haveReq !== undefined && !sameQuantity(haveReq, settings.gpus)) {
      conflicts.push({
        reason: 'gpu-count-conflict',
        field: keyPath(childPath(field, 'requests'), settings.gpuResource),
        message: `container "${c.name}" requests ${String(haveReq)} ${settings.gpuResource} but ${A.gpus} says ${settings.gpus}; extended resources need requests equal to limits`,
      });
    }
    if (have !== undefined || !(unset(limits) || isObject(limits))) continue;
    const base = `${POD}/containers/${i}/resources`;
    if (unset(resources)) patch.push(add(base, { limits: { [settings.gpuResource]: want } }));
    else if (unset(limits)) patch.push(add(`${base}/limits`, { [settings.gpuResource]: want }));
    else patch.push(add(`${base}/limits/${resourceToken}`, want));
    ((injected.resources ??= {})[c.name] ??= {})[`limits.${settings.gpuResource}`] = want;
  }

  // 3. the policy's extras, only where absent
  const selector = pod.nodeSelector as unknown;
  if (unset(selector) || isObject(selector)) {
    const missing: Record<string, string> = {};
    for (const [k, v] of Object.entries(policy.nodeSelector)) {
      if (isObject(selector) && selector[k] !== undefined) continue;
      missing[k] = v;
      (injected.nodeSelector ??= []).push(`${k}=${v}`);
    }
    if (injected.nodeSelector) {
      if (unset(selector)) patch.push(add(NODE_SELECTOR, missing));
      else for (const [k, v] of Object.entries(missing)) patch.push(add(`${NODE_SELECTOR}/${escapeToken(k)}`, v));
    }
  }
  if (policy.runtimeClassName && unset(pod.runtimeClassName)) {
    patch.push(add(`${POD}/runtimeClassName`, policy.runtimeClassName));
    injected.runtimeClassName = policy.runtimeClassName;
  }

  if (conflicts.length > 0) return { patch: [], injected: {}, conflicts };
  if (patch.length === 0) return { patch, injected, conflicts };

  // 4. the record of what was injected; only written when something was, so a second pass is a no-op
  const record = JSON.stringify(injected);
  const meta = received.metadata as unknown;
  if (unset(meta)) patch.push(add('/metadata', { annotations: { [MUTATED_ANNOTATION]: record } }));
  else if (isObject(meta) && unset(meta.annotations)) patch.push(add('/metadata/annotations', { [MUTATED_ANNOTATION]: record }));
  else patch.push(add(`/metadata/annotations/${escapeToken(MUTATED_ANNOTATION)}`, record));
  return { patch, injected, conflicts };
}
