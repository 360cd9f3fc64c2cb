// The pure core: (AdmissionRequest + policy + adapter rules + cluster snapshot) → Decision.
// No I/O, no clock. The HTTP server, the CLI `check` and the tests all decide through this one function
// pair, so what `check` says offline is what the webhook says in the cluster.
//
// The engine calls no rule by name: it walks the registry (src/core/rules/registry.ts) stage by stage —
// request, then for an opted-in Deployment shape, settings and gate, then judge — and folds the findings
// into one Decision. A stage before judge that finds a violation ends the review.
import { allow, bounded, deny, MAX_WARNING_LENGTH, skip, withPatch, type Decision, type Violation } from './admission/decision.js';
import { hpaScope } from './admission/hpa-scope.js';
import { judgedRules, metricApiServers } from './admission/metric-apis.js';
import { excerpt, MAX_NAME_LENGTH } from './bounds.js';
import type { AdmissionRequest, Endpoint, Engine } from './admission/request.js';
import { scopeOf, type ScopedKind } from './admission/scope.js';
import { isOptedIn, optInLabelTypo, readSettings, type GpuSettings } from './annotations.js';
import { isObject } from './field.js';
import type { Deployment, HorizontalPodAutoscaler } from './k8s-types.js';
import type { Policy } from './policy/schema.js';
import { originOf, RULES } from './rules/registry.js';
import { objectNamespace } from './rules/request.js';
import type { DeploymentFacts, DeploymentRule, EngineContext, Findings, HpaFacts, HpaRule, OptedInFacts, RequestRule, Rule, SettingsRule, ShapeRule, Stage } from './rules/types.js';
import { podsOfDeployment, type TargetPods } from './validate/target-pods.js';

export type { EngineContext } from './rules/types.js';

function subjectOf(kind: ScopedKind, namespace: string, req: AdmissionRequest, obj: { metadata?: { name?: string; generateName?: string } }): string {
  const name = req.name || obj.metadata?.name || (obj.metadata?.generateName ? `${obj.metadata.generateName}*` : '(unnamed)');
  return `${kind} ${excerpt(namespace, MAX_NAME_LENGTH)}/${excerpt(name, MAX_NAME_LENGTH)}`;
}

/**
 * The request's own namespace, the only one the engine looks into (issue 17). A metadata.namespace that
 * disagrees with it is the request-namespace rule's finding (src/core/rules/request.ts). Without either: default.
 */
function namespaceOf(req: AdmissionRequest, obj: unknown): string {
  return req.namespace !== undefined && req.namespace !== '' ? req.namespace : (objectNamespace(obj) ?? 'default');
}

// Rules of origin api-server always deny: the API server would refuse the object anyway, and saying so
// first is the point of `check`. Every other rule follows the policy's enforcement.
//
// The rules write their messages without the object's name; here, and only here, every denial gets
// "Kind ns/name: " in front. Warnings go without it (the client shows them next to the object), and so does
// a violation sent as a warning under enforcement: warn.
function enforce(policy: Policy, subject: string, found: Violation[], warnings: string[]): Decision {
  const prefixed = (vs: Violation[]) => vs.map((v): Violation => ({ ...v, message: `${subject}: ${v.message}` }));
  if (policy.enforcement !== 'warn') return found.length > 0 ? deny(prefixed(found), warnings) : allow(warnings);
  const hard = found.filter((v) => originOf(v.reason) === 'api-server');
  const warn = [...found.filter((v) => originOf(v.reason) !== 'api-server').map(asWarning), ...warnings];
  return hard.length > 0 ? deny(prefixed(hard), warn) : allow(warn);
}

/**
 * A violation sent as a warning (enforcement: warn). AdmissionResponse warnings are cut at 120 characters,
 * so a message that does not fit gives way to its short form, which keeps the field or metric, the value
 * and the fix (issue 15).
 */
function asWarning(v: Violation): string {
  const whole = `${v.reason}: ${v.message}`;
  return whole.length <= MAX_WARNING_LENGTH || v.short === undefined ? whole : `${v.reason}: ${v.short}`;
}

/** The registry's rules for one kind, endpoint and stage, in registry order. */
function select<R extends Rule>(kind: ScopedKind, endpoint: Endpoint, stage: Stage): R[] {
  return RULES.filter((r) => r.stage === stage && r.endpoints.includes(endpoint) && (r.kinds as readonly ScopedKind[]).includes(kind)) as R[];
}

/** What the engine runs for one endpoint, read from the registry once. */
interface Plan {
  request: Record<ScopedKind, RequestRule[]>;
  shape: ShapeRule[];
  settings: SettingsRule;
  gate: DeploymentRule[];
  deployment: DeploymentRule[];
  hpa: HpaRule[];
}

/**
 * What the engine runs for one endpoint. `admitted`: the objects come from the API server's admission
 * chain, where a validating webhook is called only after the API server has validated the object —
 * the generic store's Create and Update run the strategy's Validate (rest.BeforeCreate/BeforeUpdate)
 * before createValidation/updateValidation, the validating admission (kubernetes
 * staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go). At /validate the judge-stage
 * rules of origin api-server then cannot find anything, and are not run. The request and shape stages
 * are kept: they guard the rules after them against a forged review, which no API server validated.
 */
function planFor(endpoint: Endpoint, admitted: boolean): Plan {
  const skipsApiServer = admitted && endpoint === 'validate';
  const judged = <R extends Rule>(rules: R[]) => (skipsApiServer ? rules.filter((r) => r.origin !== 'api-server') : rules);
  const settings = select<SettingsRule>('Deployment', endpoint, 'settings');
  if (settings.length !== 1 || !settings[0]) throw new Error(`rules registry: ${endpoint} needs exactly one settings rule, found ${settings.length}`);
  return {
    request: { Deployment: select('Deployment', endpoint, 'request'), HorizontalPodAutoscaler: select('HorizontalPodAutoscaler', endpoint, 'request') },
    shape: select('Deployment', endpoint, 'shape'),
    settings: settings[0],
    gate: select('Deployment', endpoint, 'gate'),
    deployment: judged(select('Deployment', endpoint, 'judge')),
    hpa: judged(select('HorizontalPodAutoscaler', endpoint, 'judge')),
  };
}

const PLANS: Record<'files' | 'admitted', Record<Endpoint, Plan>> = {
  files: { mutate: planFor('mutate', false), validate: planFor('validate', false) },
  admitted: { mutate: planFor('mutate', true), validate: planFor('validate', true) },
};

interface Found {
  violations: Violation[];
  warnings: string[];
  patch: NonNullable<Findings['patch']>;
}

/** Run rules in order and add up their findings (arrays are made only for what is found). */
function walk<F>(rules: ReadonlyArray<{ run(f: F): Findings }>, facts: F): Found {
  let violations: Violation[] | undefined;
  let warnings: string[] | undefined;
  let patch: Found['patch'] | undefined;
  for (const r of rules) {
    const f = r.run(facts);
    if (f.violations.length > 0) (violations ??= []).push(...f.violations);
    if (f.warnings && f.warnings.length > 0) (warnings ??= []).push(...f.warnings);
    if (f.patch && f.patch.length > 0) (patch ??= []).push(...f.patch);
  }
  return { violations: violations ?? [], warnings: warnings ?? [], patch: patch ?? [] };
}

export function createEngine(given: EngineContext): Engine {
  const { policy, cluster, work } = given;
  // the rules as judged: a metric whose API another server (or none) serves is not looked up (admission/metric-apis.ts)
  const ours = policy.prometheusAdapter.service;
  const ctx: EngineContext = { ...given, rules: judgedRules(given.rules, () => metricApiServers(cluster.metricApis?.(), ours, cluster.complete), ours) };
  const plans = PLANS[given.admitted === true ? 'admitted' : 'files'];

  /** The kind to judge, or the decision for a request out of scope (scope.ts) or in an ignored namespace. */
  function judged(req: AdmissionRequest): ScopedKind | Decision {
    const scope = scopeOf(req);
    if (!scope.decide) return allow(scope.warnings);
    if (req.namespace && policy.ignoreNamespaces.includes(req.namespace)) return allow();
    return scope.kind;
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

  /** A Deployment through the stages: not opted in (allowed), shape, settings, gate, judge. */
  function deployment(endpoint: Endpoint, plan: Plan, req: AdmissionRequest, namespace: string, dep: Deployment): Decision {
    if (!isOptedIn(dep)) {
      const typo = endpoint === 'mutate' ? optInLabelTypo(dep) : undefined; // said once, not by both webhooks
      return allow(typo ? [typo] : []);
    }
    const subject = subjectOf('Deployment', namespace, req, dep);
    const facts: DeploymentFacts = { ctx, req, endpoint, namespace, dep };
    const shape = walk(plan.shape, facts);
    if (shape.violations.length > 0) return enforce(policy, subject, shape.violations, shape.warnings);
    const read = plan.settings.run(facts);
    const warnings = [...(read.warnings ?? [])];
    if (!read.settings || read.violations.length > 0) return enforce(policy, subject, read.violations, warnings);
    const opted: OptedInFacts = { ctx, req, endpoint, namespace, dep, settings: read.settings };
    const gate = walk(plan.gate, opted);
    warnings.push(...gate.warnings);
    if (gate.violations.length > 0) return enforce(policy, subject, gate.violations, warnings);
    const judge = walk(plan.deployment, opted);
    warnings.push(...judge.warnings);
    // a mutation that finds nothing wrong answers with its patch and the warnings as written
    if (endpoint === 'mutate' && judge.violations.length === 0) return withPatch(allow(warnings), judge.patch);
    return enforce(policy, subject, judge.violations, warnings);
  }

  function hpa(endpoint: Endpoint, plan: Plan, req: AdmissionRequest, namespace: string, obj: HorizontalPodAutoscaler): Decision {
    const target = targetOf(namespace, obj);
    const facts: HpaFacts = {
      ctx,
      req,
      endpoint,
      namespace,
      hpa: obj,
      // on UPDATE the API server relaxes some checks for unchanged fields (ValidateHorizontalPodAutoscalerUpdate)
      oldObject: req.operation === 'UPDATE' && isObject(req.oldObject) ? req.oldObject : undefined,
      target,
      pods: targetPods(req, obj, target?.dep),
    };
    const judge = walk(plan.hpa, facts);
    if (endpoint === 'mutate' && judge.violations.length === 0) return withPatch(allow(judge.warnings), judge.patch);
    return enforce(policy, subjectOf('HorizontalPodAutoscaler', namespace, req, obj), dedupe(judge.violations), judge.warnings);
  }

  function decide(endpoint: Endpoint, req: AdmissionRequest): Decision {
    const kind = judged(req);
    if (typeof kind !== 'string') return kind;
    const plan = plans[endpoint];
    // the review itself: there is no object to name yet, so its findings deny as they are
    const request = walk(plan.request[kind], { ctx, req, endpoint, kind, object: req.object });
    if (request.violations.length > 0) return deny(request.violations);
    const namespace = namespaceOf(req, req.object);
    if (kind === 'HorizontalPodAutoscaler') {
      // an HPA out of the webhook's scope (KEDA's, or not in the policy's scope: admission/hpa-scope.ts) is skipped, for both webhooks
      const scope = hpaScope(req.object as Record<string, unknown>, namespace, policy.scope, cluster);
      if (!scope.judge) return skip(scope.skipped);
    }
    return kind === 'Deployment' ? deployment(endpoint, plan, req, namespace, req.object as Deployment) : hpa(endpoint, plan, req, namespace, req.object as HorizontalPodAutoscaler);
  }

  // every decision leaves the engine bounded (count and length of messages: src/core/bounds.ts)
  return {
    mutate: (req) => bounded(decide('mutate', req)),
    validate: (req) => bounded(decide('validate', req)),
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
