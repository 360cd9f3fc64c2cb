// SPEC Validation 2, "Targets fit the metric", for autoscaling/v2 HorizontalPodAutoscaler targets.
//
// How the work is divided with hpa-api-rules.ts (so one problem is reported once):
// - This file owns every check on a metric's `target`.
//   * apiTargetViolations(): what the API server rejects in a target (validateMetricTarget and
//     the per-source target checks of pkg/apis/autoscaling/validation/validation.go), with the
//     API server's own text followed by a human fix. hpa-api-rules.ts calls it from
//     verifyMetricSpecs, at the place Go does, so apiServerRules() stays "everything the API
//     server rejects" (reason "api-metric-target").
//   * verifyTargets(): only what the API server ACCEPTS but cannot work as written: a Pods
//     target whose type is not AverageValue, Utilization on a non-resource metric, a type that
//     does not match the field that is set, fields the controller ignores. It looks only at
//     targets with no API-level violation, so it never repeats one.
// - Quantity typos and zero/negative targets are API-level (the API server refuses them), so
//   they come from apiTargetViolations, with parseQuantity's "did you mean 1k?" hints.
//
// The field.Error formatting helpers are core/field.ts's; the int32/string/quantity readers used by
// both files live here (hpa-api-rules imports them), keeping the import graph one-way.
import type { ReasonCode, Violation } from '../admission/decision.js';
import type { HorizontalPodAutoscaler } from '../k8s-types.js';
import { childPath, fieldError, goValue, indexPath, isObject, typeError, type Obj } from '../field.js';
import { sourceKeyOf, sourceTypeOf, type SourceKey } from '../metric-source.js';
import { parseJsonQuantity, type Quantity } from '../quantity.js';

// ---------------------------------------------------------------------------------------------
// Go decoding of optional fields, shared with hpa-api-rules

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Read an optional int32 field. `undefined`/`null` → unset (Go nil / zero value);
 * anything else that is not an integer in int32 range → a decode error message.
 */
export function readInt32(v: unknown, path: string): { value?: number; error?: string } {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    return { error: typeError(path, v, 'a 32-bit integer') };
  }
  return { value: v };
}

/** Read an optional string field (Go string: absent and null both decode to ""). */
export function readString(v: unknown, path: string): { value: string; error?: string } {
  if (v === undefined || v === null) return { value: '' };
  if (typeof v !== 'string') return { value: '', error: typeError(path, v, 'a string') };
  return { value: v };
}

/** Read an optional Quantity field (Go *resource.Quantity: null → nil). */
export function readQuantity(v: unknown, path: string): { quantity?: Quantity; error?: string } {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'string' && typeof v !== 'number') return { error: typeError(path, v, 'a quantity string or number') };
  const r = parseJsonQuantity(v);
  // parseQuantity's error repeats the value; the field error already shows it once
  if (!r.ok) return { error: `${path}: Invalid value: ${goValue(v)}: ${r.error.replace(`invalid quantity ${JSON.stringify(String(v))}: `, '')}` };
  return { quantity: r.quantity };
}

// ---------------------------------------------------------------------------------------------
// API-level target checks

export const API_TARGET_REASON = 'api-metric-target';

interface ReadTarget {
  type: string;
  value?: Quantity;
  averageValue?: Quantity;
  averageUtilization?: number;
  /** raw JSON of the fields, for messages */
  raw: Obj;
}

/**
 * What the API server rejects in `source.target` (sourcePath is e.g. "spec.metrics[0].pods").
 * Ports validateMetricTarget plus the target half of validate{Object,External,Pods,Resource,
 * ContainerResource}Source from pkg/apis/autoscaling/validation/validation.go, in Go's order.
 */
export function apiTargetViolations(key: SourceKey, source: Obj, sourcePath: string): Violation[] {
  const path = childPath(sourcePath, 'target');
  const out: Violation[] = [];
  const push = (field: string, message: string) => out.push({ reason: API_TARGET_REASON, field, message });

  const rawTarget = source['target'];
  if (rawTarget !== undefined && rawTarget !== null && !isObject(rawTarget)) {
    push(path, typeError(path, rawTarget, 'an object (MetricTarget)'));
    return out;
  }
  const raw: Obj = isObject(rawTarget) ? rawTarget : {};
  const t = readTarget(raw, path, push);
  if (!t) return out;

  // validateMetricTarget
  if (t.type.length === 0) push(childPath(path, 'type'), fieldError.required(childPath(path, 'type'), 'must specify a metric target type') + typeHint(key, t, path));
  if (t.type !== 'Utilization' && t.type !== 'Value' && t.type !== 'AverageValue') {
    push(childPath(path, 'type'), fieldError.invalid(childPath(path, 'type'), t.type, 'must be either Utilization, Value, or AverageValue') + typeHint(key, t, path));
  }
  if (t.value && t.value.sign() !== 1) {
    push(childPath(path, 'value'), fieldError.invalid(childPath(path, 'value'), t.value.toString(), 'must be positive') + positiveHint(key));
  }
  if (t.averageValue && t.averageValue.sign() !== 1) {
    push(childPath(path, 'averageValue'), fieldError.invalid(childPath(path, 'averageValue'), t.averageValue.toString(), 'must be positive') + positiveHint(key));
  }
  if (t.averageUtilization !== undefined && t.averageUtilization < 1) {
    push(
      childPath(path, 'averageUtilization'),
      fieldError.invalid(childPath(path, 'averageUtilization'), t.averageUtilization, 'must be greater than 0') + " (a percentage of the pods' requests, e.g. 70)",
    );
  }

  // the per-source requirements
  switch (key) {
    case 'object':
      if (!t.value && !t.averageValue) {
        push(childPath(path, 'averageValue'), fieldError.required(childPath(path, 'averageValue'), 'must set either a target value or averageValue') + valueHint(key, t, path));
      }
      break;
    case 'external':
      if (!t.value && !t.averageValue) {
        push(childPath(path, 'averageValue'), fieldError.required(childPath(path, 'averageValue'), 'must set either a target value for metric or a per-pod target') + valueHint(key, t, path));
      }
      if (t.value && t.averageValue) {
        push(
          childPath(path, 'value'),
          fieldError.forbidden(childPath(path, 'value'), 'may not set both a target value for metric and a per-pod target') +
            ` (keep value with type: Value for the metric's total, or averageValue with type: AverageValue for a per-pod target)`,
        );
      }
      break;
    case 'pods':
      if (!t.averageValue) {
        push(childPath(path, 'averageValue'), fieldError.required(childPath(path, 'averageValue'), 'must specify a positive target averageValue') + ` (${podsNeedAverageValue(t, path)})`);
      }
      break;
    case 'resource':
    case 'containerResource':
      if (t.averageUtilization === undefined && !t.averageValue) {
        push(childPath(path, 'averageUtilization'), fieldError.required(childPath(path, 'averageUtilization'), 'must set either a target raw value or a target utilization') + valueHint(key, t, path));
      }
      if (t.averageUtilization !== undefined && t.averageValue) {
        push(
          childPath(path, 'averageValue'),
          fieldError.forbidden(childPath(path, 'averageValue'), 'may not set both a target raw value and a target utilization') +
            ' (keep averageUtilization with type: Utilization, or averageValue with type: AverageValue)',
        );
      }
      break;
  }
  return out;
}

/** Decode the target's fields; decode errors are pushed and stop the checks (Go never gets that far). */
function readTarget(raw: Obj, path: string, push: (field: string, message: string) => void): ReadTarget | undefined {
  let failed = false;
  const type = readString(raw['type'], childPath(path, 'type'));
  if (type.error) {
    push(childPath(path, 'type'), type.error);
    failed = true;
  }
  const t: ReadTarget = { type: type.value, raw };
  for (const f of ['value', 'averageValue'] as const) {
    const q = readQuantity(raw[f], childPath(path, f));
    if (q.error) {
      push(childPath(path, f), q.error);
      failed = true;
    } else if (q.quantity) {
      t[f] = q.quantity;
    }
  }
  const u = readInt32(raw['averageUtilization'], childPath(path, 'averageUtilization'));
  if (u.error) {
    push(childPath(path, 'averageUtilization'), u.error);
    failed = true;
  } else if (u.value !== undefined) {
    t.averageUtilization = u.value;
  }
  return failed ? undefined : t;
}

// ---------------------------------------------------------------------------------------------
// human hints appended to the API server's text

function quantityText(t: ReadTarget, field: 'value' | 'averageValue'): string | undefined {
  const v = t.raw[field];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

function podsNeedAverageValue(t: ReadTarget, path: string): string {
  const q = quantityText(t, 'averageValue') ?? quantityText(t, 'value') ?? '<quantity>';
  return `Pods metrics need AverageValue: set ${path}.type: AverageValue and averageValue: ${q}`;
}

function allowedTypes(key: SourceKey): string {
  switch (key) {
    case 'pods':
      return 'AverageValue (with averageValue)';
    case 'object':
    case 'external':
      return 'Value (with value) or AverageValue (with averageValue)';
    default:
      return 'Utilization (with averageUtilization) or AverageValue (with averageValue)';
  }
}

function typeHint(key: SourceKey, t: ReadTarget, path: string): string {
  if (key === 'pods') return ` (${podsNeedAverageValue(t, path)})`;
  const lower = t.type.toLowerCase();
  const exact = ['Utilization', 'Value', 'AverageValue'].find((x) => x.toLowerCase() === lower);
  if (exact) return ` (types are case-sensitive: did you mean ${exact}? ${sourceTypeOf(key)} metrics take ${allowedTypes(key)})`;
  return ` (${sourceTypeOf(key)} metrics take ${allowedTypes(key)})`;
}

function positiveHint(key: SourceKey): string {
  return key === 'pods' || key === 'containerResource' || key === 'resource'
    ? ' (the per-pod average the HPA scales towards; 0 or a negative target would scale out forever)'
    : ' (the level the HPA scales towards; 0 or a negative target would scale out forever)';
}

function valueHint(key: SourceKey, t: ReadTarget, path: string): string {
  if (key === 'object' || key === 'external') {
    if (t.averageUtilization !== undefined) {
      return ` (Utilization is only for Resource and ContainerResource metrics; for a ${sourceTypeOf(key)} metric set type: Value and value: <quantity>, or type: AverageValue and averageValue: <quantity>)`;
    }
    return ` (set type: Value and value: <quantity>, or type: AverageValue and averageValue: <quantity> under ${path})`;
  }
  if (t.value) {
    return ` (resource metrics are averaged over pods: rename ${path}.value to averageValue and set type: AverageValue, or use type: Utilization with averageUtilization: <percent of requests>)`;
  }
  return ` (set type: Utilization and averageUtilization: <percent of requests>, or type: AverageValue and averageValue: <quantity>)`;
}

// ---------------------------------------------------------------------------------------------
// verifyTargets: what the API server accepts but the HPA controller cannot honour as written

/** The spec's "Targets fit the metric" checks that go beyond the API server (see the top of this file). */
export function verifyTargets(hpa: HorizontalPodAutoscaler): Violation[] {
  const spec: unknown = (hpa as { spec?: unknown } | undefined)?.spec;
  if (!isObject(spec) || !Array.isArray(spec['metrics'])) return [];
  const out: Violation[] = [];
  spec['metrics'].forEach((metric: unknown, i: number) => {
    if (!isObject(metric)) return;
    const key = sourceKeyOf(metric['type']);
    if (!key) return; // an unknown type is hpa-api-rules' finding
    const source = metric[key];
    if (!isObject(source)) return; // missing source: hpa-api-rules' finding
    const sourcePath = childPath(indexPath('spec.metrics', i), key);
    if (apiTargetViolations(key, source, sourcePath).length > 0) return; // already reported as api-metric-target
    const raw = source['target'];
    // Stryker disable next-line ConditionalExpression: unreachable — a target that is absent or not an object is an API-level finding, returned above
    if (!isObject(raw)) return;
    const t = readTarget(raw, childPath(sourcePath, 'target'), () => undefined);
    // Stryker disable next-line ConditionalExpression: unreachable — a decode error is an API-level finding, returned above
    if (!t) return;
    out.push(...fitViolations(key, t, childPath(sourcePath, 'target')));
  });
  return out;
}

function fitViolations(key: SourceKey, t: ReadTarget, path: string): Violation[] {
  const set = (['value', 'averageValue', 'averageUtilization'] as const).filter((f) => (f === 'averageUtilization' ? t.averageUtilization !== undefined : t[f] !== undefined));
  const show = (f: (typeof set)[number]) => `${f}: ${f === 'averageUtilization' ? String(t.averageUtilization) : (quantityText(t, f) ?? '')}`;
  const v = (reason: ReasonCode, field: string, message: string): Violation => ({ reason, field, message });

  if (key === 'pods') {
    // The controller always reads averageValue for Pods metrics, whatever the type says.
    if (t.type !== 'AverageValue') {
      return [v('target-pods-average-value', childPath(path, 'type'), `${path}.type: ${t.type}: ${podsNeedAverageValue(t, path)}`)];
    }
    const extra = set.filter((f) => f !== 'averageValue');
    return extra.length ? [v('target-ignored-field', `${path}.${extra[0]}`, ignored(path, extra, 'AverageValue', show))] : [];
  }

  if (key === 'object' || key === 'external') {
    if (t.type === 'Utilization') {
      const use = t.averageValue ? `type: AverageValue (averageValue: ${quantityText(t, 'averageValue')})` : `type: Value (value: ${quantityText(t, 'value')})`;
      return [
        v(
          'target-utilization-source',
          childPath(path, 'type'),
          `${path}.type: Utilization: Utilization is only for Resource and ContainerResource metrics (a percentage of the pods' requests); for this ${sourceTypeOf(key)} metric use ${use}`,
        ),
      ];
    }
    const wanted = t.type === 'Value' ? 'value' : 'averageValue';
    const other = wanted === 'value' ? 'averageValue' : 'value';
    if (t[wanted] === undefined) {
      // API accepted it, so the other quantity is set: the type and the field disagree.
      return [
        v(
          'target-field-mismatch',
          childPath(path, other),
          `${path}.type is ${t.type} but only ${other} is set (${show(other)}): rename ${path}.${other} to ${wanted}, or set type: ${other === 'value' ? 'Value' : 'AverageValue'}`,
        ),
      ];
    }
    const extra = set.filter((f) => f !== wanted);
    return extra.length ? [v('target-ignored-field', `${path}.${extra[0]}`, ignored(path, extra, t.type, show))] : [];
  }

  // resource / containerResource: the controller uses averageValue when set, else averageUtilization.
  if (t.type === 'Value') {
    const fix = t.averageValue ? 'type: AverageValue' : 'type: Utilization';
    return [v('target-type-for-source', childPath(path, 'type'), `${path}.type: Value: ${sourceTypeOf(key)} metrics are averaged over the pods and take Utilization or AverageValue; set ${fix}`)];
  }
  const wanted = t.type === 'Utilization' ? 'averageUtilization' : 'averageValue';
  if (!set.includes(wanted)) {
    const other = wanted === 'averageValue' ? 'averageUtilization' : 'averageValue';
    return [
      v(
        'target-field-mismatch',
        childPath(path, other),
        `${path}.type is ${t.type} but ${wanted} is not set (${show(other)} is): set type: ${other === 'averageValue' ? 'AverageValue' : 'Utilization'}, or replace ${other} with ${wanted}`,
      ),
    ];
  }
  const extra = set.filter((f) => f !== wanted);
  return extra.length ? [v('target-ignored-field', `${path}.${extra[0]}`, ignored(path, extra, t.type, show))] : [];
}

function ignored(path: string, extra: readonly ('value' | 'averageValue' | 'averageUtilization')[], type: string, show: (f: 'value' | 'averageValue' | 'averageUtilization') => string): string {
  return `${path}: ${extra.map(show).join(', ')} ${extra.length > 1 ? 'are' : 'is'} ignored with type: ${type}; remove ${extra.length > 1 ? 'them' : 'it'} so the target says what the HPA does`;
}
