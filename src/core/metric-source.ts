// The metric source types of autoscaling/v2 (MetricSourceType, k8s.io/api/autoscaling/v2/types.go):
// each type and the JSON key of its source struct, in the order validateMetricSpec inspects the
// sources (pkg/apis/autoscaling/validation/validation.go). The one table the validators read.

export const METRIC_SOURCES = [
  { type: 'Object', key: 'object' },
  { type: 'External', key: 'external' },
  { type: 'Pods', key: 'pods' },
  { type: 'Resource', key: 'resource' },
  { type: 'ContainerResource', key: 'containerResource' },
] as const;

export type MetricSourceType = (typeof METRIC_SOURCES)[number]['type'];
/** The JSON key of each metric source (validation.go typesPresent names). */
export type SourceKey = (typeof METRIC_SOURCES)[number]['key'];

/** The keys in validateMetricSpec's order. */
export const SOURCE_KEYS: readonly SourceKey[] = METRIC_SOURCES.map((s) => s.key);

/** The types sorted, as Go lists supported values (sets.NewString(...).List()). */
export const METRIC_SOURCE_TYPES: readonly MetricSourceType[] = METRIC_SOURCES.map((s) => s.type).sort();

export function sourceKeyOf(type: unknown): SourceKey | undefined {
  return METRIC_SOURCES.find((s) => s.type === type)?.key;
}

export function sourceTypeOf(key: SourceKey): MetricSourceType {
  return METRIC_SOURCES.find((s) => s.key === key)!.type;
}
