// The pure core: (AdmissionRequest + policy + adapter rules + cluster snapshot) → Decision.
// No I/O, no clock. The HTTP server, the CLI `check` and the tests all decide through this one function
// pair, so what `check` says offline is what the webhook says in the cluster.
import { allow, bounded, deny, skip, withPatch, type Decision, type Violation } from './admission/decision.js';
import { hpaScope, kedaOwner } from './admission/hpa-scope.js';
import { judgedRules, metricApiServers } from './admission/metric-apis.js';
import { excerpt, MAX_NAME_LENGTH, type WorkMeter } from './bounds.js';
import type { AdmissionRequest, Engine } from './admission/request.js';
import { scopeOf, type ScopedKind } from './admission/scope.js';
import type { AdapterRuleSet } from './adapter/types.js';
import { isObject } from './field.js';
import { isOptedIn, optInLabelTypo, readSettings, type GpuSettings } from './annotations.js';
import type { ClusterView } from './cluster.js';
import type { Deployment, HorizontalPodAutoscaler } from './k8s-types.js';
import { mutateDeployment } from './mutate/deployment.js';
import { fillBehavior } from './mutate/hpa-behavior.js';
import type { Policy } from './policy/schema.js';
import { deploymentShape } from './shape.js';
import { judgeExistingHpas, verifyGpuBudget, verifyGpuInjected, verifyManagedMetric, verifyProfileAllowed } from './validate/deployment.js';
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
  /** counts the work done on tenant input by the nearest-name searches of annotations.ts (tests, benchmarks) */
  work?: WorkMeter;
  /**
   * Refuse unknown fields as kube-apiserver does under fieldValidation=Strict. `check` reads files
   * kubectl would send; the webhook gets objects the API server has already decoded.
   */
  strictDecoding?: boolean;
}

type Handled = ScopedKind;

function subjectOf(kind: Handled, namespace: string, req: AdmissionRequest, obj: { metadata?: { name?: string; generateName?: string } }): string {
  const name = req.name || obj.metadata?.name || (obj.metadata?.generateName ? `${obj.metadata.generateName}*` : '(unnamed)');
  return `${kind} ${excerpt(namespace, MAX_NAME_LENGTH)}/${excerpt(name, MAX_NAME_LENGTH)}`;
}

/**
 * The request's own namespace, the only one the engine looks into (issue 17: a denial never describes
 * objects of another namespace). The API server sends request.namespace and has already made the object's
 * metadata.namespace agree with it (apiserver pkg/endpoints/handlers/rest.go via
 * rest.EnsureObjectNamespaceMatchesRequestNamespace: a conflicting one is a 400 before admission), so a
 * review where they differ did not come from it: refused, and nothing is looked up. Without either: default.
 */
function namespaceOf(req: AdmissionRequest, obj: Record<string, unknown>): { namespace: string } | { conflict: Violation } {
  const meta = obj.metadata;
  const own = typeof meta === 'object' && meta !== null ? (meta as { namespace?: unknown }).namespace : undefined;
  const objNs = typeof own === 'string' && own !== '' ? own : undefined;
  const reqNs = req.namespace !== undefined && req.namespace !== '' ? req.namespace : undefined;
  if (reqNs !== undefined && objNs !== undefined && reqNs !== objNs) {
    return {
      conflict: {
        reason: 'api-namespace-mismatch',
        field: 'metadata.namespace',
        message: `metadata.namespace "${excerpt(objNs)}" does not match the request's namespace "${excerpt(reqNs)}": the API server never sends such a review`,
      },
    };
  }
  return { namespace: reqNs ?? objNs ?? 'default' };
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
  const { policy, cluster, work } = ctx;
  const strictDecoding = ctx.strictDecoding === true;
  // the rules as judged: a metric whose API another server (or none) serves is not looked up (admission/metric-apis.ts)
  const ours = policy.prometheusAdapter.service;
  const rules = judgedRules(ctx.rules, () => metricApiServers(cluster.metricApis?.(), ours, cluster.complete), ours);

  /** The kind to judge, or the decision for a request out of scope (scope.ts) or in an ignored namespace. */
  function judged(req: AdmissionRequest): Handled | Decision {
    const scope = scopeOf(req);
    if (!scope.decide) return allow(scope.warnings);
    if (req.namespace && policy.ignoreNamespaces.includes(req.namespace)) return allow();
    return scope.kind;
  }

  function malformed(kind: Handled): Decision {
    return deny([{ reason: 'malformed-object', field: 'request.object', message: `request.object is not a ${kind} object` }]);
  }

  /** The opted-in Deployment an HPA targets (in the request's own namespace), with its valid settings; undefined when unknown or not opted in. */
  function targetOf(namespace: string, hpa: HorizontalPodAutoscaler): { dep: Deployment; settings?: GpuSettings } | undefined {
    const ref = hpa.spec?.scaleTargetRef;
    if (ref?.kind !== 'Deployment' || typeof ref.name !== 'string' || ref.name.length > MAX_NAME_LENGTH) return undefined;
    const dep = cluster.deployment(namespace, ref.name);
    if (!dep) return undefined;
    return { dep, settings: isOptedIn(dep) ? readSettings(dep, policy, work).settings : undefined };
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

  /**
   * The request's object when it is one of our kinds and needs judging, or the decision that ends it; an HPA
   * out of the webhook's scope (KEDA's, or not in the policy's scope: admission/hpa-scope.ts) is skipped here,
   * for both webhooks.
   */
  function admitted(req: AdmissionRequest): { done: Decision } | { kind: Handled; obj: Record<string, unknown>; namespace: string } {
    const kind = judged(req);
    if (typeof kind !== 'string') return { done: kind };
    if (!isObject(req.object)) return { done: malformed(kind) };
    const ns = namespaceOf(req, req.object);
    if ('conflict' in ns) return { done: deny([ns.conflict]) };
    if (kind !== 'HorizontalPodAutoscaler') return { kind, obj: req.object, namespace: ns.namespace };
    const scope = hpaScope(req.object, ns.namespace, policy.scope, cluster);
    if (!scope.judge) return { done: skip(scope.skipped) };
    return { kind, obj: req.object, namespace: ns.namespace };
  }

  /** An opted-in Deployment's valid settings, or the decision that ends its review (not opted in, malformed, bad annotations, a profile its namespace may not pick). */
  function optedIn(req: AdmissionRequest, namespace: string, dep: Deployment, endpoint: 'mutate' | 'validate'): { done: Decision } | { subject: string; settings: GpuSettings; warnings: string[] } {
    if (!isOptedIn(dep)) {
      const typo = endpoint === 'mutate' ? optInLabelTypo(dep) : undefined; // said once, not by both webhooks
      return { done: allow(typo ? [typo] : []) };
    }
    const subject = subjectOf('Deployment', namespace, req, dep);
    const shape = deploymentShape(dep);
    if (shape.length > 0) return { done: enforce(policy, subject, shape, []) };
    const read = readSettings(dep, policy, work);
    if (!read.settings) return { done: enforce(policy, subject, read.violations, read.warnings) };
    const profile = verifyProfileAllowed(subject, read.settings, namespace, cluster.namespaceLabels?.(namespace), cluster.complete);
    if (profile.violations.length > 0) return { done: enforce(policy, subject, profile.violations, [...read.warnings, ...profile.warnings]) };
    return { subject, settings: read.settings, warnings: [...read.warnings, ...profile.warnings] };
  }

  const engine: Engine = {
    mutate(req) {
      const a = admitted(req);
      if ('done' in a) return a.done;
      if (a.kind === 'Deployment') {
        const dep = a.obj as Deployment;
        const o = optedIn(req, a.namespace, dep, 'mutate');
        if ('done' in o) return o.done;
        const m = mutateDeployment(dep, o.settings, policy);
        if (m.conflicts.length > 0) return enforce(policy, o.subject, m.conflicts, o.warnings);
        return withPatch(allow(o.warnings), m.patch);
      }
      const hpa = a.obj as HorizontalPodAutoscaler;
      const settings = targetOf(a.namespace, hpa)?.settings;
      if (!settings) return allow();
      return withPatch(allow(), fillBehavior(hpa, settings.profile).patch);
    },

    validate(req) {
      const a = admitted(req);
      if ('done' in a) return a.done;
      if (a.kind === 'Deployment') {
        const dep = a.obj as Deployment;
        const o = optedIn(req, a.namespace, dep, 'validate');
        if ('done' in o) return o.done;
        const metric = verifyManagedMetric(o.subject, o.settings, rules, podsOfDeployment(dep, req.operation === 'CREATE'));
        const injected = verifyGpuInjected(o.subject, dep, o.settings, policy);
        const budget = verifyGpuBudget(o.subject, dep, policy);
        // the HPAs already on this Deployment (its own namespace only), judged under its settings now
        const name = req.name || dep.metadata?.name;
        // KEDA's HPAs are KEDA's (admission/hpa-scope.ts)
        const hpas = cluster.hpas(a.namespace).filter((h) => kedaOwner(h, a.namespace) === undefined);
        const existing = name ? judgeExistingHpas(name, o.settings, hpas) : [];
        return enforce(policy, o.subject, [...metric.violations, ...injected, ...budget], [...o.warnings, ...metric.warnings, ...existing]);
      }
      const hpa = a.obj as HorizontalPodAutoscaler;
      const subject = subjectOf('HorizontalPodAutoscaler', a.namespace, req, hpa);
      // on UPDATE the API server relaxes some checks for unchanged fields (ValidateHorizontalPodAutoscalerUpdate)
      const oldObject = req.operation === 'UPDATE' && isObject(req.oldObject) ? (req.oldObject as HorizontalPodAutoscaler) : undefined;
      const violations: Violation[] = [...apiServerRules(hpa, { oldObject, strictDecoding }), ...verifyTargets(hpa)];
      const target = targetOf(a.namespace, hpa);
      const served = verifyMetricsServed(subject, hpa.spec?.metrics, rules, a.namespace, targetPods(req, hpa, target?.dep));
      violations.push(...served.violations);
      const warnings = [...served.warnings];
      if (target) violations.push(...verifyResourceRequests(subject, hpa.spec?.metrics, target.dep));
      else if (!cluster.complete && needsRequests(hpa.spec?.metrics)) {
        const ref = hpa.spec?.scaleTargetRef;
        warnings.push(`${subject}: ${excerpt(String(ref?.kind ?? 'target'))} ${excerpt(String(ref?.name ?? ''))} unknown here; its cpu/memory requests were not checked`);
      }
      if (target?.settings) {
        violations.push(...gpuSafetyRules(subject, hpa, target.settings, cluster.hpas(a.namespace)));
        warnings.push(...managedModeNotice(subject, hpa, target.settings));
      }
      return enforce(policy, subject, dedupe(violations), warnings);
    },
  };
  // every decision leaves the engine bounded (count and length of messages: src/core/bounds.ts)
  return {
    mutate: (req) => bounded(engine.mutate(req)),
    validate: (req) => bounded(engine.validate(req)),
  };
}

/** hpa-api-rules and hpa-targets may both see one bad field; report each (field, message) once. */
function dedupe(vs: Violation[]): Violation[] {
  // a handful as a rule: comparing pairs beats building long string keys for a Set; a long list
  // (an HPA with thousands of bad metrics) goes through the Set, so the cost stays linear
  if (vs.length > 16) {
    const seen = new Set<string>();
    return vs.filter((v) => {
      const k = `${v.field ?? ''}\u0000${v.message}`;
      return seen.has(k) ? false : (seen.add(k), true);
    });
  }
  return vs.filter((v, i) => {
    for (let j = 0; j < i; j++) if (vs[j]!.field === v.field && vs[j]!.message === v.message) return false;
    return true;
  });
}
