// Decoding an autoscaling/v2 HorizontalPodAutoscaler as the API server does, before any validation
// runs: what `kubectl apply` is refused for with "cannot be handled as a HorizontalPodAutoscaler".
//
// - Types (always): the request body is decoded into the Go types of k8s.io/api/autoscaling/v2
//   (types.go) with sigs.k8s.io/json. A value of the wrong JSON type for its field (a string where
//   an int32 is, an object where a list is, a non-integer or out-of-range number) fails the whole
//   request. JSON null is the zero value everywhere, so `metrics: [null]` decodes to an empty
//   MetricSpec (validation then refuses its missing fields). resource.Quantity decodes through
//   Quantity.UnmarshalJSON (apimachinery pkg/api/resource/quantity.go; see parseJsonQuantity), and
//   metav1.Time through Time.UnmarshalJSON (pkg/apis/meta/v1/time.go: null or an RFC 3339 string).
// - Unknown fields (only with `strict`): kubectl's default --validate=strict sends
//   fieldValidation=Strict, and the JSON serializer (apimachinery pkg/runtime/serializer/json)
//   then refuses any field the Go types do not have, matched case-sensitively: `spec.minreplicas`,
//   `scaleTargetRef.namespace`, autoscaling/v1's `targetCPUUtilizationPercentage`.
//   The webhook does not pass `strict`: the API server has already decoded what it receives, and
//   a newer API server may know fields this table does not.
import type { Violation } from '../admission/decision.js';
import { parseJsonQuantity } from '../quantity.js';
import { childPath, goValue, indexPath, isObject as isObj } from '../field.js';

type Field = 'string' | 'int32' | 'int64' | 'bool' | 'quantity' | 'time' | 'raw' | { struct: string; fields: () => Record<string, Field> } | { list: Field } | { map: Field };

const struct = (name: string, fields: () => Record<string, Field>): Field => ({ struct: name, fields });
const list = (of: Field): Field => ({ list: of });
const map = (of: Field): Field => ({ map: of });

// k8s.io/apimachinery/pkg/apis/meta/v1/types.go
const ownerReference = struct('OwnerReference', () => ({ apiVersion: 'string', kind: 'string', name: 'string', uid: 'string', controller: 'bool', blockOwnerDeletion: 'bool' }));
const managedFieldsEntry = struct('ManagedFieldsEntry', () => ({
  manager: 'string',
  operation: 'string',
  apiVersion: 'string',
  time: 'time',
  fieldsType: 'string',
  fieldsV1: 'raw', // FieldsV1.UnmarshalJSON keeps any JSON
  subresource: 'string',
}));
const objectMeta = struct('ObjectMeta', () => ({
  name: 'string',
  generateName: 'string',
  namespace: 'string',
  selfLink: 'string',
  uid: 'string',
  resourceVersion: 'string',
  generation: 'int64',
  creationTimestamp: 'time',
  deletionTimestamp: 'time',
  deletionGracePeriodSeconds: 'int64',
  labels: map('string'),
  annotations: map('string'),
  ownerReferences: list(ownerReference),
  finalizers: list('string'),
  managedFields: list(managedFieldsEntry),
}));
const labelSelector = struct('LabelSelector', () => ({
  matchLabels: map('string'),
  matchExpressions: list(struct('LabelSelectorRequirement', () => ({ key: 'string', operator: 'string', values: list('string') }))),
}));

// k8s.io/api/autoscaling/v2/types.go
const crossVersionObjectReference = struct('CrossVersionObjectReference', () => ({ kind: 'string', name: 'string', apiVersion: 'string' }));
const metricIdentifier = struct('MetricIdentifier', () => ({ name: 'string', selector: labelSelector }));
const metricTarget = struct('MetricTarget', () => ({ type: 'string', value: 'quantity', averageValue: 'quantity', averageUtilization: 'int32' }));
const metricValueStatus = struct('MetricValueStatus', () => ({ value: 'quantity', averageValue: 'quantity', averageUtilization: 'int32' }));
const metricSpec = struct('MetricSpec', () => ({
  type: 'string',
  object: struct('ObjectMetricSource', () => ({ describedObject: crossVersionObjectReference, target: metricTarget, metric: metricIdentifier })),
  pods: struct('PodsMetricSource', () => ({ metric: metricIdentifier, target: metricTarget })),
  resource: struct('ResourceMetricSource', () => ({ name: 'string', target: metricTarget })),
  containerResource: struct('ContainerResourceMetricSource', () => ({ name: 'string', target: metricTarget, container: 'string' })),
  external: struct('ExternalMetricSource', () => ({ metric: metricIdentifier, target: metricTarget })),
}));
const metricStatus = struct('MetricStatus', () => ({
  type: 'string',
  object: struct('ObjectMetricStatus', () => ({ metric: metricIdentifier, current: metricValueStatus, describedObject: crossVersionObjectReference })),
  pods: struct('PodsMetricStatus', () => ({ metric: metricIdentifier, current: metricValueStatus })),
  resource: struct('ResourceMetricStatus', () => ({ name: 'string', current: metricValueStatus })),
  containerResource: struct('ContainerResourceMetricStatus', () => ({ name: 'string', current: metricValueStatus, container: 'string' })),
  external: struct('ExternalMetricStatus', () => ({ metric: metricIdentifier, current: metricValueStatus })),
}));
const scalingRules = struct('HPAScalingRules', () => ({
  stabilizationWindowSeconds: 'int32',
  selectPolicy: 'string',
  policies: list(struct('HPAScalingPolicy', () => ({ type: 'string', value: 'int32', periodSeconds: 'int32' }))),
  tolerance: 'quantity',
}));
const hpaSpec = struct('HorizontalPodAutoscalerSpec', () => ({
  scaleTargetRef: crossVersionObjectReference,
  minReplicas: 'int32',
  maxReplicas: 'int32',
  metrics: list(metricSpec),
  behavior: struct('HorizontalPodAutoscalerBehavior', () => ({ scaleUp: scalingRules, scaleDown: scalingRules })),
}));
const hpaStatus = struct('HorizontalPodAutoscalerStatus', () => ({
  observedGeneration: 'int64',
  lastScaleTime: 'time',
  currentReplicas: 'int32',
  desiredReplicas: 'int32',
  currentMetrics: list(metricStatus),
  conditions: list(struct('HorizontalPodAutoscalerCondition', () => ({ type: 'string', status: 'string', lastTransitionTime: 'time', reason: 'string', message: 'string' }))),
}));
const horizontalPodAutoscaler = struct('HorizontalPodAutoscaler', () => ({ apiVersion: 'string', kind: 'string', metadata: objectMeta, spec: hpaSpec, status: hpaStatus }));

export interface DecodeOptions {
  /** report unknown fields (fieldValidation=Strict, kubectl's default) */
  strict?: boolean;
}

const TYPE_REASON = 'api-decode';
const UNKNOWN_REASON = 'api-unknown-field';

/** Everything the API server's decoder refuses in this HPA (empty when it decodes). */
export function decodeViolations(hpa: unknown, opts: DecodeOptions = {}): Violation[] {
  const out: Violation[] = [];
  walk(hpa, horizontalPodAutoscaler, '', out, opts.strict === true);
  return out;
}

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
// JSON numbers beyond 2^53 are not exact in JavaScript; the int64 range is checked on what we have
const INT64 = [-(2 ** 63), 2 ** 63 - 1] as const;

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

function walk(v: unknown, f: Field, path: string, out: Violation[], strict: boolean): void {
  if (v === null || v === undefined) return; // null decodes to the zero value of any Go type
  const shown = path || '(object)';
  const wrong = (want: string, goType: string) =>
    out.push({
      reason: TYPE_REASON,
      field: path,
      message: `${shown}: Invalid value: ${preview(v)}: must be ${want} (the API server cannot decode a JSON ${jsonType(v)} into ${goType})`,
    });
  if (typeof f === 'string') {
    switch (f) {
      case 'string':
        if (typeof v !== 'string') wrong('a string', 'a string');
        return;
      case 'bool':
        if (typeof v !== 'boolean') wrong('true or false', 'a bool');
        return;
      case 'int32':
      case 'int64': {
        const [lo, hi] = f === 'int32' ? INT32 : INT64;
        if (typeof v !== 'number') wrong(`an integer`, f);
        else if (!Number.isInteger(v)) wrong('a whole number', f);
        else if (v < lo || v > hi) wrong(`between ${lo} and ${hi}`, f);
        return;
      }
      case 'quantity': {
        if (typeof v !== 'string' && typeof v !== 'number') {
          wrong('a quantity string or number (e.g. "500m", "1Gi", 2)', 'a resource.Quantity');
          return;
        }
        const q = parseJsonQuantity(v);
        if (!q.ok) out.push({ reason: TYPE_REASON, field: path, message: `${shown}: Invalid value: ${goValue(v)}: ${q.error.replace(/^invalid quantity "(?:[^"\\]|\\.)*": /, '')}` });
        return;
      }
      case 'time':
        if (typeof v !== 'string') wrong('an RFC 3339 time string (e.g. "2024-01-02T15:04:05Z") or null', 'a metav1.Time');
        else if (!isRFC3339(v)) out.push({ reason: TYPE_REASON, field: path, message: `${shown}: Invalid value: ${goValue(v)}: must be an RFC 3339 time (e.g. "2024-01-02T15:04:05Z") or null` });
        return;
      case 'raw':
        return;
    }
  }
  if ('list' in f) {
    if (!Array.isArray(v)) {
      wrong('a list', `a Go slice`);
      return;
    }
    v.forEach((item, i) => walk(item, f.list, indexPath(path, i), out, strict));
    return;
  }
  if ('map' in f) {
    if (!isObj(v)) {
      wrong('a map of strings', 'a map[string]string');
      return;
    }
    for (const [k, item] of Object.entries(v)) walk(item, f.map, `${path}[${JSON.stringify(k)}]`, out, strict);
    return;
  }
  if (!isObj(v)) {
    wrong('an object', `Go struct ${f.struct}`);
    return;
  }
  const fields = f.fields();
  for (const [k, item] of Object.entries(v)) {
    const sub = Object.hasOwn(fields, k) ? fields[k] : undefined;
    if (sub === undefined) {
      if (strict) out.push({ reason: UNKNOWN_REASON, field: childPath(path, k), message: unknownField(childPath(path, k), k, Object.keys(fields)) });
      continue;
    }
    walk(item, sub, childPath(path, k), out, strict);
  }
}

/** sigs.k8s.io/json's strict error, plus the field that was probably meant. */
function unknownField(path: string, key: string, known: string[]): string {
  const base = `${path}: strict decoding error: unknown field ${JSON.stringify(path)}`;
  const sameCase = known.find((k) => k.toLowerCase() === key.toLowerCase());
  if (sameCase) return `${base} (field names are case-sensitive: did you mean ${sameCase}?)`;
  if (key === 'targetCPUUtilizationPercentage') {
    return `${base} (that is autoscaling/v1; in autoscaling/v2 write a Resource metric: {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: N}}})`;
  }
  return `${base} (known fields here: ${known.join(', ')})`;
}

function preview(v: unknown): string {
  const s = goValue(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

// time.Parse(time.RFC3339, s): "2006-01-02T15:04:05Z07:00", fractional seconds allowed
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

function isRFC3339(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) return false;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) return false;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false;
  return true;
}
