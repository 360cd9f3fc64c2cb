// What a rule is: one entry of the registry (registry.ts) — its reason codes, where it comes from,
// the kinds and endpoints it judges, the stage of the review it runs in, and the function. The engine
// (src/core/engine.ts) walks the registry stage by stage; it calls no rule by name.
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { Violation } from '../admission/decision.js';
import type { AdmissionRequest, Endpoint } from '../admission/request.js';
import type { ScopedKind } from '../admission/scope.js';
import type { AdapterRuleSet } from '../adapter/types.js';
import type { GpuSettings } from '../annotations.js';
import type { WorkMeter } from '../bounds.js';
import type { ClusterView } from '../cluster.js';
import type { Deployment, HorizontalPodAutoscaler } from '../k8s-types.js';
import type { Policy } from '../policy/schema.js';
import type { TargetPods } from '../validate/target-pods.js';

/**
 * Who refuses what a rule finds. `api-server`: the API server would refuse the object anyway, so the
 * webhook always denies (saying so first is the point of `check`). `policy`: the policy's
 * `enforcement` decides (deny, or warn and allow).
 */
export type Origin = 'api-server' | 'policy';

/**
 * When a rule runs, in this order. A violation in any stage before `judge` ends the review there.
 * - request:  the review itself (both kinds): is there an object, does its namespace agree with the request's
 * - shape:    the structure of a Deployment the GPU rules read (opted-in Deployments only)
 * - settings: the gpu-hpa.io annotations read against the policy into GpuSettings (exactly one rule)
 * - gate:     limits on the settings that end the review (a profile the namespace may not pick)
 * - judge:    every other check of the endpoint; all of them run and their findings add up
 */
export type Stage = 'request' | 'shape' | 'settings' | 'gate' | 'judge';
export const STAGES: readonly Stage[] = ['request', 'shape', 'settings', 'gate', 'judge'];

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
  /**
   * The objects are the API server's, sent by its admission chain (`serve`, and `audit` of stored
   * objects): at /validate the API server has already validated them, so the rules that predict its
   * verdict are not run (engine.ts planFor). `check` reads files no API server has seen: unset.
   */
  admitted?: boolean;
}

/** What a rule returns: violations (denials, or warnings under enforcement: warn), warnings, and for a mutation its patch. */
export interface Findings {
  violations: Violation[];
  warnings?: string[];
  patch?: PatchOperation[];
}

/** What every rule may read. */
interface Facts {
  ctx: EngineContext;
  req: AdmissionRequest;
  endpoint: Endpoint;
}

/** Stage `request`: the object as received (untrusted, maybe not an object at all). */
export interface RequestFacts extends Facts {
  kind: ScopedKind;
  object: unknown;
}

/**
 * Stages `shape` and `settings`: an opted-in Deployment. Rules write their messages without the object's
 * name: the engine puts "Deployment ns/name: " in front of each violation, once (engine.ts enforce).
 */
export interface DeploymentFacts extends Facts {
  namespace: string;
  dep: Deployment;
}

/** Stages `gate` and `judge` of a Deployment: its settings are valid. */
export interface OptedInFacts extends DeploymentFacts {
  settings: GpuSettings;
}

/** Stage `judge` of a HorizontalPodAutoscaler (messages without its name, as for a Deployment). */
export interface HpaFacts extends Facts {
  namespace: string;
  hpa: HorizontalPodAutoscaler;
  /** on UPDATE, the stored object (the API server relaxes some checks for unchanged fields) */
  oldObject?: HorizontalPodAutoscaler;
  /** the Deployment it scales when the cluster view holds it, with its settings when it is opted in */
  target?: { dep: Deployment; settings?: GpuSettings };
  /** whether the target's pods run (issue 18) */
  pods: TargetPods;
}

interface RuleInfo {
  /** kebab-case name of the rule (or small family of rules), unique in the registry */
  name: string;
  /** one line: what it checks */
  description: string;
  origin: Origin;
  endpoints: readonly Endpoint[];
  /** every reason code its violations carry, each with a one-line description (docs/rules.md) */
  codes: Readonly<Record<string, string>>;
  /** the upstream source or SPEC section it follows, when there is one */
  source?: string;
}

export type RequestRule = RuleInfo & { stage: 'request'; kinds: readonly ScopedKind[]; run(f: RequestFacts): Findings };
export type ShapeRule = RuleInfo & { stage: 'shape'; kinds: readonly ['Deployment']; run(f: DeploymentFacts): Findings };
export type SettingsRule = RuleInfo & { stage: 'settings'; kinds: readonly ['Deployment']; run(f: DeploymentFacts): Findings & { settings?: GpuSettings } };
export type DeploymentRule = RuleInfo & { stage: 'gate' | 'judge'; kinds: readonly ['Deployment']; run(f: OptedInFacts): Findings };
export type HpaRule = RuleInfo & { stage: 'judge'; kinds: readonly ['HorizontalPodAutoscaler']; run(f: HpaFacts): Findings };

export type Rule = RequestRule | ShapeRule | SettingsRule | DeploymentRule | HpaRule;

/** A rule entry with its own reason codes kept literal (registry.ts derives ReasonCode from them). */
export type Coded<R extends Rule, C extends Readonly<Record<string, string>>> = Omit<R, 'codes'> & { readonly codes: C };
