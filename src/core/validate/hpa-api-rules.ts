// SPEC Validation 3: what the API server would reject in an autoscaling/v2 HorizontalPodAutoscaler,
// so `check` catches it offline and /mutate never patches an object the API server will refuse.
// Ported from kubernetes/kubernetes pkg/apis/autoscaling/validation/validation.go
// (ValidateHorizontalPodAutoscaler and helpers), applied after the v2 defaulting of
// pkg/apis/autoscaling/v2/defaults.go, which the API server runs before validation.
//
// Division of work with hpa-targets.ts: every check on a metric's `target` lives there
// (apiTargetViolations, called below where Go calls validateMetricTarget; reason
// "api-metric-target"). verifyTargets in hpa-targets only adds what the API server accepts,
// so apiServerRules(hpa) + verifyTargets(hpa) never report one problem twice.
//
// Messages follow field.Error.Error(): "<path>: <Type>: <value>: <detail>", e.g.
// "spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: must be less than or
// equal to 3600". The webhook prepends the object's name. Input is untrusted JSON: a wrong JS
// type is reported (the API server would fail to decode it), never thrown.
import type { ReasonCode, Violation } from '../admission/decision.js';
import type { HPABehavior, HPAScalingPolicy, HorizontalPodAutoscaler, Quantityish } from '../k8s-types.js';
import { childPath, fieldError, indexPath, isObject as isObj, typeError, type Obj } from '../field.js';
import { METRIC_SOURCE_TYPES, SOURCE_KEYS as PRESENCE_ORDER, sourceKeyOf, type SourceKey } from '../metric-source.js';
import { apiTargetViolations, readInt32, readQuantity, readString } from './hpa-targets.js';
import { decodeViolations } from './hpa-decode.js';
import { isDNS1123Label, isPathSegmentName, isQualifiedName, parseGroupVersion } from './k8s-names.js';
import { objectMetaViolations } from './object-meta.js';

export interface ApiRuleOptions {
  /**
   * The stored object on UPDATE. Mirrors the HPA registry strategy (validationOptionsForHorizontalPodAutoscaler):
   * an HPA that already has minReplicas 0 may keep it, and an unchanged scaleTargetRef
   * apiVersion/kind is not re-validated.
   */
  oldObject?: HorizontalPodAutoscaler;
  /**
   * The HPAScaleToZero feature gate (alpha, off by default). We assume it off, as clusters run
   * it, so minReplicas must be at least 1.
   */
  scaleToZero?: boolean;
  /**
   * Refuse unknown fields, as the API server does under fieldValidation=Strict (kubectl's
   * default). `check` sets it; the webhook receives objects the API server has decoded already.
   */
  strictDecoding?: boolean;
}

const R = {
  replicas: 'api-replica-bounds',
  ref: 'api-scale-target-ref',
  metric: 'api-metric-spec',
  behavior: 'api-behavior',
} as const;

// validation.go constants
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

function specOf(hpa: unknown): { spec?: Obj; error?: Violation } {
  const spec = isObj(hpa) ? hpa['spec'] : undefined;
  if (spec === undefined || spec === null) return { spec: {} };
  if (!isObj(spec)) return { error: { reason: R.metric, field: 'spec', message: typeError('spec', spec, 'an object') } };
  return { spec };
}

// ---------------------------------------------------------------------------------------------
// replica bounds (validateHorizontalPodAutoscalerSpec, first three checks)

export function verifyReplicaBounds(hpa: HorizontalPodAutoscaler, opts: ApiRuleOptions = {}): Violation[] {
  const { spec } = specOf(hpa);
  if (!spec) return [];
  const out: Violation[] = [];
  const v = (field: string, message: string) => out.push({ reason: R.replicas, field, message });

  const min = readInt32(spec['minReplicas'], 'spec.minReplicas');
  const max = readInt32(spec['maxReplicas'], 'spec.maxReplicas');
  if (min.error) v('spec.minReplicas', min.error);
  if (max.error) v('spec.maxReplicas', max.error);
  if (min.error || max.error) return out;

  // defaults.go: an unset minReplicas becomes 1 before validation. maxReplicas is a plain
  // int32, so unset means 0.
  const minReplicas = min.value ?? 1;
  const maxReplicas = max.value ?? 0;
  const lower = minReplicasLowerBound(opts);
  if (minReplicas < lower) {
    v(
      'spec.minReplicas',
      fieldError.invalid('spec.minReplicas', minReplicas, `must be greater than or equal to ${lower}`) +
        (minReplicas === 0 ? ' (scale to zero needs the HPAScaleToZero feature gate, off by default)' : ''),
    );
  }
  if (maxReplicas < 1) {
    v('spec.maxReplicas', fieldError.invalid('spec.maxReplicas', maxReplicas, 'must be greater than 0') + (max.value === undefined ? ' (spec.maxReplicas is required)' : ''));
  }
  if (maxReplicas < minReplicas) {
    v('spec.maxReplicas', fieldError.invalid('spec.maxReplicas', maxReplicas, 'must be greater than or equal to `minReplicas`') + ` (minReplicas is ${minReplicas})`);
  }
  return out;
}

function minReplicasLowerBound(opts: ApiRuleOptions): number {
  const oldMin = isObj(opts.oldObject) && isObj(opts.oldObject['spec']) ? opts.oldObject['spec']['minReplicas'] : undefined;
  return opts.scaleToZero || oldMin === 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// scaleTargetRef (ValidateCrossVersionObjectReference)

export function verifyScaleTargetRef(hpa: HorizontalPodAutoscaler, opts: ApiRuleOptions = {}): Violation[] {
  const { spec } = specOf(hpa);
  if (!spec) return [];
  const ref = spec['scaleTargetRef'];
  const path = 'spec.scaleTargetRef';
  if (ref !== undefined && ref !== null && !isObj(ref)) return [{ reason: R.ref, field: path, message: typeError(path, ref, 'an object') }];
  const r: Obj = isObj(ref) ? ref : {};
  const out = crossVersionObjectReference(r, path, R.ref);
  out.push(...apiVersionViolations(r, path, R.ref, scaleTargetApiVersionOptions(r, opts)));
  return out;
}

/** ValidateCrossVersionObjectReference: kind and name required and valid path segments. */
function crossVersionObjectReference(ref: Obj, path: string, reason: ReasonCode): Violation[] {
  const out: Violation[] = [];
  for (const f of ['kind', 'name'] as const) {
    const s = readString(ref[f], childPath(path, f));
    if (s.error) {
      out.push({ reason, field: childPath(path, f), message: s.error });
    } else if (s.value.length === 0) {
      out.push({ reason, field: childPath(path, f), message: fieldError.required(childPath(path, f)) });
    } else {
      for (const msg of isPathSegmentName(s.value)) out.push({ reason, field: childPath(path, f), message: fieldError.invalid(childPath(path, f), s.value, msg) });
    }
  }
  return out;
}

interface ApiVersionOptions {
  allowEmptyGroup: boolean;
  allowInvalid: boolean;
}

// registry/autoscaling/horizontalpodautoscaler/strategy.go validationOptionsForHorizontalPodAutoscaler:
// scaleTargetRef.apiVersion must name a group unless the kind is ReplicationController (and is not
// re-validated on an UPDATE that keeps apiVersion and kind); Object metrics may omit the group.
function scaleTargetApiVersionOptions(ref: Obj, opts: ApiRuleOptions): ApiVersionOptions {
  const old = isObj(opts.oldObject) && isObj(opts.oldObject['spec']) && isObj(opts.oldObject['spec']['scaleTargetRef']) ? opts.oldObject['spec']['scaleTargetRef'] : undefined;
  if (old && (old['apiVersion'] ?? '') === (ref['apiVersion'] ?? '') && (old['kind'] ?? '') === (ref['kind'] ?? '')) return { allowEmptyGroup: false, allowInvalid: true };
  return { allowEmptyGroup: ref['kind'] === 'ReplicationController', allowInvalid: false };
}

// validation.go ValidateAPIVersion, with schema.ParseGroupVersion: "", "/", "v1" and "/v1" have an
// empty group; "apps/" parses (group apps, empty version) and is accepted; two slashes do not parse.
function apiVersionViolations(ref: Obj, path: string, reason: ReasonCode, o: ApiVersionOptions): Violation[] {
  if (o.allowInvalid) return [];
  const s = readString(ref['apiVersion'], childPath(path, 'apiVersion'));
  if (s.error) return [{ reason, field: childPath(path, 'apiVersion'), message: s.error }];
  const gv = parseGroupVersion(s.value);
  if ('error' in gv) {
    return [{ reason, field: childPath(path, 'apiVersion'), message: fieldError.invalid(childPath(path, 'apiVersion'), s.value, gv.error) + ' (write group/version, e.g. apps/v1)' }];
  }
  if (gv.group === '' && !o.allowEmptyGroup) {
    const kind = typeof ref['kind'] === 'string' ? ref['kind'] : '';
    const example = ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(kind) ? `apps/v1 for a ${kind}` : 'apps/v1 for a Deployment';
    return [
      {
        reason,
        field: childPath(path, 'apiVersion'),
        message: `${fieldError.invalid(childPath(path, 'apiVersion'), s.value, 'apiVersion must specify API group')} (e.g. ${example}); without it the HPA controller cannot find the scale subresource`,
      },
    ];
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// metrics (validateMetrics, validateMetricSpec and the per-source validators)

export function verifyMetricSpecs(hpa: HorizontalPodAutoscaler, opts: ApiRuleOptions = {}): Violation[] {
  const { spec, error } = specOf(hpa);
  if (error) return [error];
  if (!spec) return [];
  const metrics = spec['metrics'];
  // defaults.go: no metrics means the default 80% CPU utilization metric, which is valid.
  if (metrics === undefined || metrics === null) return minReplicasZeroCheck(spec, [], opts);
  if (!Array.isArray(metrics)) return [{ reason: R.metric, field: 'spec.metrics', message: typeError('spec.metrics', metrics, 'a list') }];
  const out: Violation[] = [];
  const types: unknown[] = [];
  metrics.forEach((raw: unknown, i: number) => {
    const path = indexPath('spec.metrics', i);
    // a null entry decodes to an empty MetricSpec (and is refused for what it lacks)
    const m = raw === null || raw === undefined ? {} : raw;
    if (!isObj(m)) {
      out.push({ reason: R.metric, field: path, message: typeError(path, m, 'an object (MetricSpec)') });
      return;
    }
    types.push(m['type']);
    out.push(...metricSpec(m, path));
  });
  out.push(...minReplicasZeroCheck(spec, types, opts));
  return dedupeMessages(out);
}

// validateMetrics: minReplicas 0 needs at least one Object or External metric. Go checks this
// whatever the HPAScaleToZero gate says, so with the gate off minReplicas: 0 carries both this and
// the lower-bound message. (No metrics means the defaulted CPU metric, which is neither.)
function minReplicasZeroCheck(spec: Obj, types: unknown[], _opts: ApiRuleOptions): Violation[] {
  if (spec['minReplicas'] !== 0) return [];
  if (types.includes('Object') || types.includes('External')) return [];
  return [{ reason: R.metric, field: 'spec.metrics', message: fieldError.forbidden('spec.metrics', 'must specify at least one Object or External metric to support scaling to zero replicas') }];
}

function metricSpec(m: Obj, path: string): Violation[] {
  const out: Violation[] = [];
  const push = (field: string, message: string) => out.push({ reason: R.metric, field, message });
  const t = readString(m['type'], childPath(path, 'type'));
  if (t.error) {
    push(childPath(path, 'type'), t.error);
    return out;
  }
  const type = t.value;
  if (type.length === 0) push(childPath(path, 'type'), fieldError.required(childPath(path, 'type'), 'must specify a metric source type'));
  if (!(METRIC_SOURCE_TYPES as readonly string[]).includes(type)) {
    // Go reports this twice (here and in the switch default); dedupeMessages keeps one.
    push(childPath(path, 'type'), fieldError.notSupported(childPath(path, 'type'), type, METRIC_SOURCE_TYPES) + caseHint(type, METRIC_SOURCE_TYPES));
  }

  const present: SourceKey[] = [];
  for (const key of PRESENCE_ORDER) {
    const src = m[key];
    if (src === undefined || src === null) continue;
    present.push(key);
    if (present.length !== 1) continue;
    if (!isObj(src)) {
      push(childPath(path, key), typeError(childPath(path, key), src, 'an object'));
      continue;
    }
    out.push(...sourceViolations(key, src, childPath(path, key)));
  }

  const expected = sourceKeyOf(type);
  if (expected !== undefined && !present.includes(expected)) {
    push(
      childPath(path, expected),
      fieldError.required(childPath(path, expected), 'must populate information for the given metric source') + (present.length ? ` (type is ${type} but ${present.join(', ')} is set)` : ''),
    );
  }
  if (present.length !== 1) {
    for (const key of [...present].filter((k) => k !== expected).sort()) {
      push(childPath(path, key), fieldError.forbidden(childPath(path, key), 'must populate the given metric source only'));
    }
  }
  return out;
}

function caseHint(value: string, allowed: readonly string[]): string {
  const match = allowed.find((s) => s.toLowerCase() === value.toLowerCase());
  return match && match !== value ? ` (values are case-sensitive: did you mean ${match}?)` : '';
}

function sourceViolations(key: SourceKey, src: Obj, path: string): Violation[] {
  const out: Violation[] = [];
  const push = (field: string, message: string) => out.push({ reason: R.metric, field, message });
  switch (key) {
    case 'object': {
      // validateObjectSource: describedObject, metric, target, then the value/averageValue requirement
      const d = src['describedObject'];
      if (d !== undefined && d !== null && !isObj(d)) {
        push(childPath(path, 'describedObject'), typeError(childPath(path, 'describedObject'), d, 'an object'));
      } else {
        const ref: Obj = isObj(d) ? d : {};
        out.push(...crossVersionObjectReference(ref, childPath(path, 'describedObject'), R.metric));
        out.push(...apiVersionViolations(ref, childPath(path, 'describedObject'), R.metric, { allowEmptyGroup: true, allowInvalid: false }));
      }
      out.push(...metricIdentifier(src['metric'], childPath(path, 'metric')));
      break;
    }
    case 'external':
    case 'pods':
      out.push(...metricIdentifier(src['metric'], childPath(path, 'metric')));
      break;
    case 'resource': {
      const n = readString(src['name'], childPath(path, 'name'));
      if (n.error) push(childPath(path, 'name'), n.error);
      else if (n.value.length === 0) push(childPath(path, 'name'), fieldError.required(childPath(path, 'name'), 'must specify a resource name') + ' (e.g. cpu or memory)');
      break;
    }
    case 'containerResource': {
      const n = readString(src['name'], childPath(path, 'name'));
      if (n.error) push(childPath(path, 'name'), n.error);
      else if (n.value.length === 0) push(childPath(path, 'name'), fieldError.required(childPath(path, 'name'), 'must specify a resource name') + ' (e.g. cpu or memory)');
      else for (const msg of containerResourceNameErrors(n.value)) push(childPath(path, 'name'), fieldError.invalid(childPath(path, 'name'), n.value, msg));
      const c = readString(src['container'], childPath(path, 'container'));
      if (c.error) push(childPath(path, 'container'), c.error);
      else if (c.value.length === 0) push(childPath(path, 'container'), fieldError.required(childPath(path, 'container'), 'must specify a container'));
      else for (const msg of dns1123LabelErrors(c.value)) push(childPath(path, 'container'), fieldError.invalid(childPath(path, 'container'), c.value, msg));
      break;
    }
  }
  out.push(...apiTargetViolations(key, src, path));
  return out;
}

// validateMetricIdentifier
function metricIdentifier(metric: unknown, path: string): Violation[] {
  if (metric !== undefined && metric !== null && !isObj(metric)) return [{ reason: R.metric, field: path, message: typeError(path, metric, 'an object (MetricIdentifier)') }];
  const m: Obj = isObj(metric) ? metric : {};
  const n = readString(m['name'], childPath(path, 'name'));
  if (n.error) return [{ reason: R.metric, field: childPath(path, 'name'), message: n.error }];
  if (n.value.length === 0) return [{ reason: R.metric, field: childPath(path, 'name'), message: fieldError.required(childPath(path, 'name'), 'must specify a metric name') }];
  return isPathSegmentName(n.value).map((msg) => ({ reason: R.metric, field: childPath(path, 'name'), message: fieldError.invalid(childPath(path, 'name'), n.value, msg) }));
}

// k8s.io/kubernetes pkg/apis/core/v1/validation/validation.go ValidateContainerResourceName and
// validateResourceName, with pkg/apis/core/helper/helpers.go (IsStandardResourceName,
// IsStandardContainerResourceName, IsQuotaHugePageResourceName) and pkg/apis/core/v1/helper
// (IsNativeResource, IsExtendedResourceName).
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);

function containerResourceNameErrors(name: string): string[] {
  // validateResourceName: a qualified name; unprefixed, a standard resource (or quota hugepages)
  const qualified = isQualifiedName(name);
  if (qualified.length > 0) return qualified;
  const unprefixed = !name.includes('/');
  if (unprefixed) {
    const errs: string[] = [];
    if (!STANDARD_RESOURCES.has(name) && !name.startsWith('hugepages-') && !name.startsWith('requests.hugepages-')) errs.push('must be a standard resource type or fully qualified');
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) errs.push('must be a standard resource for containers');
    return errs;
  }
  // prefixed: native (kubernetes.io/) or an extended resource name
  const native = name.includes('kubernetes.io/');
  const extended = !native && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
  return native || extended ? [] : ["doesn't follow extended resource name standard"];
}

// IsDNS1123Label (ValidateDNS1123Label)
function dns1123LabelErrors(v: string): string[] {
  return isDNS1123Label(v);
}

// ---------------------------------------------------------------------------------------------
// behavior (validateBehavior, validateScalingRules, validateScalingPolicy)

const SELECT_POLICIES = ['Disabled', 'Max', 'Min'] as const;
const POLICY_TYPES = ['Percent', 'Pods'] as const;

export function verifyBehavior(hpa: HorizontalPodAutoscaler): Violation[] {
  const { spec } = specOf(hpa);
  if (!spec) return [];
  const behavior = spec['behavior'];
  if (behavior === undefined || behavior === null) return [];
  if (!isObj(behavior)) return [{ reason: R.behavior, field: 'spec.behavior', message: typeError('spec.behavior', behavior, 'an object') }];
  return [...scalingRules(behavior['scaleUp'], 'spec.behavior.scaleUp'), ...scalingRules(behavior['scaleDown'], 'spec.behavior.scaleDown')];
}

function scalingRules(rules: unknown, path: string): Violation[] {
  // defaults.go fills a missing direction (and each missing field) before validation
  if (rules === undefined || rules === null) return [];
  const out: Violation[] = [];
  const push = (field: string, message: string) => out.push({ reason: R.behavior, field, message });
  if (!isObj(rules)) {
    push(path, typeError(path, rules, 'an object (HPAScalingRules)'));
    return out;
  }
  const w = readInt32(rules['stabilizationWindowSeconds'], childPath(path, 'stabilizationWindowSeconds'));
  if (w.error) push(childPath(path, 'stabilizationWindowSeconds'), w.error);
  else if (w.value !== undefined) {
    if (w.value < 0) push(childPath(path, 'stabilizationWindowSeconds'), fieldError.invalid(childPath(path, 'stabilizationWindowSeconds'), w.value, 'must be greater than or equal to zero'));
    if (w.value > MAX_STABILIZATION_WINDOW_SECONDS) {
      push(
        childPath(path, 'stabilizationWindowSeconds'),
        fieldError.invalid(childPath(path, 'stabilizationWindowSeconds'), w.value, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`),
      );
    }
  }
  const sp = rules['selectPolicy'];
  if (sp !== undefined && sp !== null) {
    if (typeof sp !== 'string') push(childPath(path, 'selectPolicy'), typeError(childPath(path, 'selectPolicy'), sp, 'a string'));
    else if (!(SELECT_POLICIES as readonly string[]).includes(sp))
      push(childPath(path, 'selectPolicy'), fieldError.notSupported(childPath(path, 'selectPolicy'), sp, SELECT_POLICIES) + caseHint(sp, SELECT_POLICIES));
  }
  // copyHPAScalingRules copies policies only when non-nil: a missing list is defaulted, an
  // explicit empty list stays empty and is rejected.
  const policies = rules['policies'];
  if (policies !== undefined && policies !== null) {
    if (!Array.isArray(policies)) push(childPath(path, 'policies'), typeError(childPath(path, 'policies'), policies, 'a list'));
    else if (policies.length === 0) push(childPath(path, 'policies'), fieldError.required(childPath(path, 'policies'), 'must specify at least one Policy') + ' (or omit policies to get the defaults)');
    // a null entry decodes to a zero HPAScalingPolicy
    else policies.forEach((p: unknown, i: number) => out.push(...scalingPolicy(p === null || p === undefined ? {} : p, indexPath(childPath(path, 'policies'), i))));
  }
  // tolerance (HPAConfigurableTolerance): a Quantity that must not be negative. With the gate
  // off the API server drops the field instead; checking it is harmless either way.
  const tol = readQuantity(rules['tolerance'], childPath(path, 'tolerance'));
  if (tol.error) push(childPath(path, 'tolerance'), tol.error);
  else if (tol.quantity && tol.quantity.sign() < 0) {
    push(childPath(path, 'tolerance'), fieldError.invalid(childPath(path, 'tolerance'), tol.quantity.toString(), 'must be greater than or equal to zero') + ' (e.g. 0.05 for 5%)');
  }
  return out;
}

function scalingPolicy(p: unknown, path: string): Violation[] {
  const out: Violation[] = [];
  const push = (field: string, message: string) => out.push({ reason: R.behavior, field, message });
  if (!isObj(p)) {
    push(path, typeError(path, p, 'an object (HPAScalingPolicy)'));
    return out;
  }
  const t = readString(p['type'], childPath(path, 'type'));
  if (t.error) push(childPath(path, 'type'), t.error);
  else if (!(POLICY_TYPES as readonly string[]).includes(t.value))
    push(childPath(path, 'type'), fieldError.notSupported(childPath(path, 'type'), t.value, POLICY_TYPES) + caseHint(t.value, POLICY_TYPES));
  const value = readInt32(p['value'], childPath(path, 'value'));
  if (value.error) push(childPath(path, 'value'), value.error);
  else if ((value.value ?? 0) <= 0) push(childPath(path, 'value'), fieldError.invalid(childPath(path, 'value'), value.value ?? 0, 'must be greater than zero'));
  const period = readInt32(p['periodSeconds'], childPath(path, 'periodSeconds'));
  if (period.error) push(childPath(path, 'periodSeconds'), period.error);
  else {
    const ps = period.value ?? 0;
    if (ps <= 0) push(childPath(path, 'periodSeconds'), fieldError.invalid(childPath(path, 'periodSeconds'), ps, 'must be greater than zero'));
    if (ps > MAX_PERIOD_SECONDS) push(childPath(path, 'periodSeconds'), fieldError.invalid(childPath(path, 'periodSeconds'), ps, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// all of it

/** Everything the API server would reject, in validateHorizontalPodAutoscalerSpec's order. */
export function apiServerRules(hpa: HorizontalPodAutoscaler, opts: ApiRuleOptions = {}): Violation[] {
  if (!isObj(hpa)) return [{ reason: R.metric, field: '', message: typeError('object', hpa, 'an object') }];
  // A body that does not decode is refused before any validation runs (hpa-decode.ts).
  const decoded = decodeViolations(hpa, { strict: opts.strictDecoding === true });
  if (decoded.length > 0) return decoded;
  const { error } = specOf(hpa);
  if (error) return [error];
  // ValidateHorizontalPodAutoscaler: ObjectMeta (CREATE rules; on UPDATE the name is the stored one), then the spec
  return [...objectMetaViolations(hpa['metadata']), ...verifyReplicaBounds(hpa, opts), ...verifyScaleTargetRef(hpa, opts), ...verifyMetricSpecs(hpa, opts), ...verifyBehavior(hpa)];
}

function dedupeMessages(vs: Violation[]): Violation[] {
  const seen = new Set<string>();
  return vs.filter((v) => (seen.has(v.message) ? false : (seen.add(v.message), true)));
}

// ---------------------------------------------------------------------------------------------
// effective behavior (pkg/apis/autoscaling/v2/defaults.go)

export interface EffectiveScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: string;
  policies: HPAScalingPolicy[];
  tolerance?: Quantityish;
}

export interface EffectiveBehavior {
  scaleUp: EffectiveScalingRules;
  scaleDown: EffectiveScalingRules;
}

/**
 * The behavior the HPA controller acts on: defaults.go's GenerateHPAScaleUpRules /
 * GenerateHPAScaleDownRules applied field by field (a field that is set wins, policies included
 * when the list is present). defaults.go leaves scaleDown.stabilizationWindowSeconds nil and the
 * controller then uses --horizontal-pod-autoscaler-downscale-stabilization (default 5m), hence 300.
 * A missing behavior behaves like the defaults. Wrongly typed fields fall back to the default
 * (apiServerRules reports them).
 */
export function effectiveBehavior(behavior: HPABehavior | undefined | null): EffectiveBehavior {
  const b: Obj = isObj(behavior) ? behavior : {};
  return {
    scaleUp: merge(b['scaleUp'], {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    }),
    scaleDown: merge(b['scaleDown'], {
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    }),
  };
}

function merge(from: unknown, defaults: EffectiveScalingRules): EffectiveScalingRules {
  if (!isObj(from)) return defaults;
  const out: EffectiveScalingRules = { ...defaults };
  const w = from['stabilizationWindowSeconds'];
  if (typeof w === 'number' && Number.isInteger(w)) out.stabilizationWindowSeconds = w;
  if (typeof from['selectPolicy'] === 'string') out.selectPolicy = from['selectPolicy'];
  if (Array.isArray(from['policies'])) out.policies = (from['policies'] as unknown[]).filter(isObj);
  const tol = from['tolerance'];
  if (typeof tol === 'string' || typeof tol === 'number') out.tolerance = tol;
  return out;
}
