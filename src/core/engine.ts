// The pure core: (AdmissionRequest + policy + adapter rules + cluster snapshot) → Decision.
// No I/O, no clock. The HTTP server, the CLI `check` and the tests all decide through this one function
// pair, so what `check` says offline is what the webhook says in the cluster.
import { allow, deny, withPatch, type Decision, type Violation } from './admission/decision.js';
import type { AdmissionRequest, Engine } from './admission/request.js';
import type { AdapterRuleSet } from './adapter/types.js';
import { isOptedIn, optInLabelTypo, readSettings, type GpuSettings } from './annotations.js';
import type { ClusterView } from './cluster.js';
import type { Deployment, HorizontalPodAutoscaler } from './k8s-types.js';
import { mutateDeployment } from './mutate/deployment.js';
import { fillBehavior } from './mutate/hpa-behavior.js';
import type { Policy } from './policy/schema.js';
import { deploymentShape } from './shape.js';
import { verifyGpuInjected, verifyManagedMetric } from './validate/deployment.js';
import { apiServerRules } from './validate/hpa-api-rules.js';
import { verifyMetricsServed } from './validate/hpa-metrics.js';
import { needsRequests, verifyResourceRequests } from './validate/hpa-resource-metrics.js';
import { gpuSafetyRules, managedModeNotice } from './validate/hpa-safety.js';
import { verifyTargets } from './validate/hpa-targets.js';
import { podsOfDeployment, type TargetPods } from './validate/target-pods.js';

export interface EngineContext {
  policy: Policy;
  rules: AdapterRuleSet;
  cluster: ClusterView;
}

type Handled = 'Deployment' | 'HorizontalPodAutoscaler';

/** Which of our two kinds a request is about (by group and kind; other kinds are allowed untouched). */
export function handledKind(req: AdmissionRequest): Handled | undefined {
  const { group, kind } = req.kind;
  if (group === 'apps' && kind === 'Deployment') return 'Deployment';
  if (group === 'autoscaling' && kind === 'HorizontalPodAutoscaler') return 'HorizontalPodAutoscaler';
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function subjectOf(kind: Handled, req: AdmissionRequest, obj: { metadata?: { name?: string; generateName?: string } }): string {
  const name = req.name || obj.metadata?.name || (obj.metadata?.generateName ? `${obj.metadata.generateName}*` : '(unnamed)');
  return `${kind} ${req.namespace ?? 'default'}/${name}`;
}

// API-server rules (reason "api-…") always deny: the API server would refuse the object anyway, and
// saying so first is the point of `check`. Every other rule follows the policy's enforcement.
function enforce(policy: Policy, subject: string, found: Violation[], warnings: string[]): Decision {
  const prefix = `${subject}: `;
  const strip = (m: string) => (m.startsWith(prefix) ? m.slice(prefix.length) : m);
  // every denial message names the object first, whichever rule wrote it
  const violations = found.map((v) => (v.message.startsWith(prefix) ? v : named(v, prefix + v.message)));
  let hard = violations;
  let warn = warnings.length > 0 ? warnings.map(strip) : warnings;
  if (policy.enforcement === 'warn') {
    hard = violations.filter((v) => v.reason.startsWith('api-'));
    warn = [...violations.filter((v) => !v.reason.startsWith('api-')).map((v) => `${v.reason}: ${strip(v.message)}`), ...warn];
  }
  return hard.length > 0 ? deny(hard, warn) : allow(warn);
}

/** A violation with another message (spelled out: an object spread was a tenth of an HPA decision). */
function named(v: Violation, message: string): Violation {
  return v.field === undefined ? { reason: v.reason, message } : { reason: v.reason, message, field: v.field };
}

export function createEngine(ctx: EngineContext): Engine {
  const { policy, rules, cluster } = ctx;

  function skip(req: AdmissionRequest): Handled | undefined {
    if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return undefined;
    if (req.subResource) return undefined; // scale/status writes carry no spec we judge
    if (req.namespace && policy.ignoreNamespaces.includes(req.namespace)) return undefined;
    return handledKind(req);
  }

  function malformed(kind: Handled): Decision {
    return deny([{ reason: 'malformed-object', field: 'request.object', message: `request.object is not a ${kind} object` }]);
  }

  /** The opted-in Deployment an HPA targets, with its valid settings; undefined when unknown or not opted in. */
  function targetOf(req: AdmissionRequest, hpa: HorizontalPodAutoscaler): { dep: Deployment; settings?: GpuSettings } | undefined {
    const ref = hpa.spec?.scaleTargetRef;
    if (ref?.kind !== 'Deployment' || typeof ref.name !== 'string') return undefined;
    const dep = cluster.deployment(req.namespace ?? hpa.metadata?.namespace ?? 'default', ref.name);
    if (!dep) return undefined;
    return { dep, settings: isOptedIn(dep) ? readSettings(dep, policy).settings : undefined };
  }

  /** Whether an HPA's target has running pods: a Deployment the view holds, or knows not to exist yet (issue 18). */
  function targetPods(req: AdmissionRequest, hpa: HorizontalPodAutoscaler, dep: Deployment | undefined): TargetPods {
    if (dep) return podsOfDeployment(dep, false);
    const ref = hpa.spec?.scaleTargetRef;
    if (ref?.kind === 'Deployment' && typeof ref.name === 'string' && cluster.complete) {
      return { state: 'none', why: `Deployment ${req.namespace ?? hpa.metadata?.namespace ?? 'default'}/${ref.name} does not exist yet` };
    }
    return { state: 'unknown' };
  }

  /** The request's object when it is one of our kinds and needs judging, or the decision that ends it. */
  function admitted(req: AdmissionRequest): { done: Decision } | { kind: Handled; obj: Record<string, unknown> } {
    const kind = skip(req);
    if (!kind) return { done: allow() };
    return isObject(req.object) ? { kind, obj: req.object } : { done: malformed(kind) };
  }

  /** An opted-in Deployment's valid settings, or the decision that ends its review (not opted in, malformed, bad annotations). */
  function optedIn(req: AdmissionRequest, dep: Deployment, endpoint: 'mutate' | 'validate'): { done: Decision } | { subject: string; settings: GpuSettings; warnings: string[] } {
    if (!isOptedIn(dep)) {
      const typo = endpoint === 'mutate' ? optInLabelTypo(dep) : undefined; // said once, not by both webhooks
      return { done: allow(typo ? [typo] : []) };
    }
    const subject = subjectOf('Deployment', req, dep);
    const shape = deploymentShape(dep);
    if (shape.length > 0) return { done: enforce(policy, subject, shape, []) };
    const read = readSettings(dep, policy);
    if (!read.settings) return { done: enforce(policy, subject, read.violations, read.warnings) };
    return { subject, settings: read.settings, warnings: read.warnings };
  }

  return {
    mutate(req) {
      const a = admitted(req);
      if ('done' in a) return a.done;
      if (a.kind === 'Deployment') {
        const dep = a.obj as Deployment;
        const o = optedIn(req, dep, 'mutate');
        if ('done' in o) return o.done;
        const m = mutateDeployment(dep, o.settings, policy);
        if (m.conflicts.length > 0) return enforce(policy, o.subject, m.conflicts, o.warnings);
        return withPatch(allow(o.warnings), m.patch);
      }
      if (req.kind.version !== 'v2') return allow();
      const hpa = a.obj as HorizontalPodAutoscaler;
      const settings = targetOf(req, hpa)?.settings;
      if (!settings) return allow();
      return withPatch(allow(), fillBehavior(hpa, settings.profile).patch);
    },

    validate(req) {
      const a = admitted(req);
      if ('done' in a) return a.done;
      if (a.kind === 'Deployment') {
        const dep = a.obj as Deployment;
        const o = optedIn(req, dep, 'validate');
        if ('done' in o) return o.done;
        const metric = verifyManagedMetric(o.subject, o.settings, rules, podsOfDeployment(dep, req.operation === 'CREATE'));
        const injected = verifyGpuInjected(o.subject, dep, o.settings, policy);
        return enforce(policy, o.subject, [...metric.violations, ...injected], [...o.warnings, ...metric.warnings]);
      }
      const hpa = a.obj as HorizontalPodAutoscaler;
      const subject = subjectOf('HorizontalPodAutoscaler', req, hpa);
      if (req.kind.version !== 'v2') {
        return allow([`${req.kind.group}/${req.kind.version} HorizontalPodAutoscaler is not checked; register the webhook for autoscaling/v2 with matchPolicy: Equivalent`]);
      }
      // on UPDATE the API server relaxes some checks for unchanged fields (ValidateHorizontalPodAutoscalerUpdate)
      const oldObject = req.operation === 'UPDATE' && isObject(req.oldObject) ? (req.oldObject as HorizontalPodAutoscaler) : undefined;
      const violations: Violation[] = [...apiServerRules(hpa, { oldObject }), ...verifyTargets(hpa)];
      const target = targetOf(req, hpa);
      const served = verifyMetricsServed(subject, hpa.spec?.metrics, rules, req.namespace, targetPods(req, hpa, target?.dep));
      violations.push(...served.violations);
      const warnings = [...served.warnings];
      if (target) violations.push(...verifyResourceRequests(subject, hpa.spec?.metrics, target.dep));
      else if (!cluster.complete && needsRequests(hpa.spec?.metrics)) {
        warnings.push(`${subject}: ${hpa.spec?.scaleTargetRef?.kind ?? 'target'} ${hpa.spec?.scaleTargetRef?.name ?? ''} unknown here; its cpu/memory requests were not checked`);
      }
      if (target?.settings) {
        violations.push(...gpuSafetyRules(subject, hpa, target.settings, cluster.hpas(req.namespace ?? 'default')));
        warnings.push(...managedModeNotice(subject, hpa, target.settings));
      }
      return enforce(policy, subject, dedupe(violations), warnings);
    },
  };
}

/** hpa-api-rules and hpa-targets may both see one bad field; report each (field, message) once. */
function dedupe(vs: Violation[]): Violation[] {
  // a handful at most: comparing pairs beats building long string keys for a Set
  return vs.filter((v, i) => {
    for (let j = 0; j < i; j++) if (vs[j]!.field === v.field && vs[j]!.message === v.message) return false;
    return true;
  });
}
