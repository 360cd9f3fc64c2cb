// An autoscaling/v1 HorizontalPodAutoscaler as the API server converts it to autoscaling/v2, so `check`
// judges what the cluster would store (issue 15: seed 003 writes its CPU HPA in v1). Pure: object in,
// object and notes out.
//
// Source: kubernetes pkg/apis/autoscaling/v1/conversion.go (v1.36),
// Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler and the metric conversions
// beside it; defaults from pkg/apis/autoscaling/v1/defaults.go; annotation names from
// pkg/apis/autoscaling/annotations.go; DropRoundTripHorizontalPodAutoscalerAnnotations from helpers.go.
// The awkward corners kept on purpose:
// - the metrics annotation holds v1 (v2beta1-shaped) MetricSpecs; they come first, and the
//   targetCPUUtilizationPercentage metric, when set, is appended after them;
// - an annotation that is not valid JSON is ignored by the API server (`if err == nil`), silently;
// - with no metric at all, the API server writes the implicit CPU Utilization 80 metric;
// - minReplicas defaults to 1; the round-trip annotations are dropped from the stored object.
import { isObject } from './field.js';
import { cloneJson } from './json.js';
import type { HorizontalPodAutoscaler, MetricSpec } from './k8s-types.js';
import { parseJsonQuantity } from './quantity.js';

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP_ANNOTATIONS = [
  METRIC_SPECS_ANNOTATION,
  BEHAVIOR_ANNOTATION,
  'autoscaling.alpha.kubernetes.io/scale-down-tolerance',
  'autoscaling.alpha.kubernetes.io/scale-up-tolerance',
  'autoscaling.alpha.kubernetes.io/current-metrics',
  'autoscaling.alpha.kubernetes.io/conditions',
];
/** autoscaling.DefaultCPUUtilization */
const DEFAULT_CPU_UTILIZATION = 80;

export function isV1Hpa(obj: Record<string, unknown>): boolean {
  return obj.apiVersion === 'autoscaling/v1' && obj.kind === 'HorizontalPodAutoscaler';
}

type Json = Record<string, unknown>;

function target(fields: { type: string; value?: unknown; averageValue?: unknown; averageUtilization?: unknown }): Json {
  const out: Json = { type: fields.type };
  if (fields.value !== undefined && fields.value !== null) out.value = fields.value;
  if (fields.averageValue !== undefined && fields.averageValue !== null) out.averageValue = fields.averageValue;
  if (fields.averageUtilization !== undefined && fields.averageUtilization !== null) out.averageUtilization = fields.averageUtilization;
  return out;
}

function metric(name: unknown, selector: unknown): Json {
  return selector === undefined || selector === null ? { name } : { name, selector };
}

/** One v1 MetricSpec (the annotation's form) as the v2 one: conversion.go's Convert_v1_*MetricSource_To_autoscaling_*. */
function convertMetric(m: Json): MetricSpec {
  const out: Json = { type: m.type };
  const src = (key: string): Json | undefined => (isObject(m[key]) ? m[key] : undefined);
  const resource = src('resource');
  if (resource) {
    const util = resource.targetAverageUtilization;
    out.resource = {
      name: resource.name,
      target: target({ type: util === undefined || util === null ? 'AverageValue' : 'Utilization', averageValue: resource.targetAverageValue, averageUtilization: util }),
    };
  }
  const containerResource = src('containerResource');
  if (containerResource) {
    const util = containerResource.targetAverageUtilization;
    out.containerResource = {
      name: containerResource.name,
      container: containerResource.container,
      target: target({ type: util === undefined || util === null ? 'AverageValue' : 'Utilization', averageValue: containerResource.targetAverageValue, averageUtilization: util }),
    };
  }
  const pods = src('pods');
  if (pods) out.pods = { metric: metric(pods.metricName, pods.selector), target: target({ type: 'AverageValue', averageValue: pods.targetAverageValue }) };
  const object = src('object');
  if (object) {
    const average = object.averageValue;
    const hasAverage = average !== undefined && average !== null;
    // "Only preserve non-zero targetValue for averageValue metrics" (conversion.go)
    const value = hasAverage && isZeroQuantity(object.targetValue) ? undefined : object.targetValue;
    out.object = {
      describedObject: isObject(object.target) ? pick(object.target, ['apiVersion', 'kind', 'name']) : {},
      metric: metric(object.metricName, object.selector),
      target: target({ type: hasAverage ? 'AverageValue' : 'Value', value, averageValue: average }),
    };
  }
  const external = src('external');
  if (external) {
    const value = external.targetValue;
    out.external = {
      metric: metric(external.metricName, external.metricSelector),
      target: target({ type: value === undefined || value === null ? 'AverageValue' : 'Value', value, averageValue: external.targetAverageValue }),
    };
  }
  return out;
}

/** The v1 type cannot omit targetValue: absent, or a quantity that parses to zero. */
function isZeroQuantity(q: unknown): boolean {
  if (q === undefined || q === null) return true;
  if (typeof q !== 'string' && typeof q !== 'number') return false;
  const parsed = parseJsonQuantity(q);
  return parsed.ok && parsed.quantity.isZero();
}

function pick(o: Json, keys: string[]): Json {
  const out: Json = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export interface ConvertedHpa {
  hpa: HorizontalPodAutoscaler;
  /** what the conversion did that the author may not expect (an ignored annotation, the implicit CPU metric) */
  notes: string[];
}

/** The autoscaling/v2 object the API server stores for this autoscaling/v1 one. */
export function convertV1Hpa(v1: Record<string, unknown>): ConvertedHpa {
  const notes: string[] = [];
  const meta: Json = isObject(v1.metadata) ? cloneJson(v1.metadata) : {};
  const spec: Json = isObject(v1.spec) ? v1.spec : {};
  const annotations: Record<string, unknown> = isObject(meta.annotations) ? meta.annotations : {};
  const outSpec: Json = {};
  if (spec.scaleTargetRef !== undefined) outSpec.scaleTargetRef = cloneJson(spec.scaleTargetRef);
  outSpec.minReplicas = spec.minReplicas ?? 1; // SetDefaults_HorizontalPodAutoscaler
  if (spec.maxReplicas !== undefined) outSpec.maxReplicas = spec.maxReplicas;

  let metrics: MetricSpec[] = [];
  const cpu = spec.targetCPUUtilizationPercentage;
  const cpuMetric: MetricSpec | undefined =
    cpu !== undefined && cpu !== null ? ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } } as MetricSpec) : undefined;
  const encoded = annotations[METRIC_SPECS_ANNOTATION];
  if (typeof encoded === 'string') {
    const other = parseJson(encoded);
    if (Array.isArray(other) && other.every(isObject)) metrics = [...other.map(convertMetric), ...(cpuMetric ? [cpuMetric] : [])];
    else notes.push(`annotation ${METRIC_SPECS_ANNOTATION} is not a JSON list of metrics; the API server ignores it`);
  }
  if (metrics.length === 0 && cpuMetric) metrics = [cpuMetric];
  if (metrics.length === 0) {
    metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
    notes.push(`no targetCPUUtilizationPercentage: the API server stores the default, cpu Utilization ${DEFAULT_CPU_UTILIZATION}%`);
  }
  outSpec.metrics = metrics;

  const behavior = annotations[BEHAVIOR_ANNOTATION];
  if (typeof behavior === 'string') {
    const b = parseJson(behavior);
    if (isObject(b) && Object.keys(b).length > 0) outSpec.behavior = b;
    else if (!isObject(b)) notes.push(`annotation ${BEHAVIOR_ANNOTATION} is not a JSON object; the API server ignores it`);
  }

  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(annotations)) if (!ROUND_TRIP_ANNOTATIONS.includes(k)) kept[k] = v;
  if (isObject(meta.annotations)) {
    if (Object.keys(kept).length > 0) meta.annotations = kept;
    else delete meta.annotations;
  }
  const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: meta, spec: outSpec } as HorizontalPodAutoscaler;
  return { hpa, notes };
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}
