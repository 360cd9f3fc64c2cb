// Every rule of the webhook, in the order the engine runs them (src/core/engine.ts walks this list stage
// by stage; within a stage, findings keep this order). The reason codes of all entries are the type
// ReasonCode: a violation with a code no entry declares does not typecheck. docs/rules.md is generated
// from this list (`npm run docs:rules`; test/core/rules/registry.test.ts fails when it is stale).
//
// A new rule: one file in this folder exporting one entry — `const codes = { 'my-code': 'one line' } as
// const;` then `export const myRule: Coded<HpaRule, typeof codes> = { name, description, origin, stage,
// kinds, endpoints, codes, run }` (types.ts: DeploymentRule, HpaRule, ... and what `run` receives) —, one
// line in ENTRIES below, then `npm run docs:rules`. The codes stay a separate `as const` object so
// ReasonCode can be derived from them without depending on the functions (which return Violations).
import type { Origin, Rule } from './types.js';
import { requestNamespace, requestObject } from './request.js';
import { deploymentShape } from './deployment-shape.js';
import { gpuAnnotations } from './gpu-annotations.js';
import { profileNamespace } from './profile-namespace.js';
import { gpuInjection } from './gpu-injection.js';
import { existingHpas, gpuBudget, gpuInjected, managedMetric } from './deployment-checks.js';
import { hpaBehaviorDefaults } from './hpa-behavior-defaults.js';
import { hpaApiServer } from './hpa-api-server.js';
import { hpaTargets } from './hpa-targets.js';
import { hpaMetricsServed } from './hpa-metrics-served.js';
import { hpaResourceRequests } from './hpa-resource-requests.js';
import { hpaGpuMetricTarget } from './hpa-gpu-metric-target.js';
import { managedMode, replicaCap, scaleDownStabilization, scaleRates, singleHpa } from './hpa-gpu-safety.js';

const ENTRIES = [
  // both kinds
  requestObject,
  requestNamespace,
  // Deployment
  deploymentShape,
  gpuAnnotations,
  profileNamespace,
  gpuInjection,
  managedMetric,
  gpuInjected,
  gpuBudget,
  existingHpas,
  // HorizontalPodAutoscaler
  hpaBehaviorDefaults,
  hpaApiServer,
  hpaTargets,
  hpaMetricsServed,
  hpaResourceRequests,
  hpaGpuMetricTarget,
  scaleDownStabilization,
  scaleRates,
  replicaCap,
  singleHpa,
  managedMode,
] as const;

type CodesOf<E> = E extends { codes: infer C } ? keyof C & string : never;

/** A stable, kebab-case code per kind of finding: used in metrics labels, logs, `check` output and docs/rules.md. */
export type ReasonCode = CodesOf<(typeof ENTRIES)[number]>;

export const RULES: readonly Rule[] = ENTRIES;

/** Each reason code's origin; a code two rules declare must have one origin (checked when this module loads). */
const ORIGINS: ReadonlyMap<string, Origin> = (() => {
  const m = new Map<string, Origin>();
  for (const r of RULES) {
    for (const code of Object.keys(r.codes)) {
      const had = m.get(code);
      if (had !== undefined && had !== r.origin) throw new Error(`rules registry: reason ${code} is ${had} in one rule and ${r.origin} in ${r.name}`);
      m.set(code, r.origin);
    }
  }
  return m;
})();

/** Where a reason code comes from. */
export function originOf(code: ReasonCode): Origin {
  const o = ORIGINS.get(code);
  if (o === undefined) throw new Error(`rules registry: no rule declares reason ${code}`);
  return o;
}
