// Bounds on tenant input and on what the webhook says about it (issue 17). Everything a request
// carries is untrusted and, short of the 3 MiB body limit, unbounded: the API server's own validation
// passes an HPA whose Pods metric name is 2,000 characters (validateMetricIdentifier only asks for a
// valid path segment, kubernetes pkg/apis/autoscaling/validation/validation.go), and an annotation
// value of 200 KiB (ValidateAnnotationsSize caps all annotations together at 256 KiB,
// apimachinery pkg/api/validation/objectmeta.go TotalAnnotationSizeLimitB). So each string and list
// a rule reads is measured here before any algorithm sees it, every message quotes only an excerpt,
// and a decision carries a bounded number of bounded messages.
import type { Violation } from './admission/decision.js';

/**
 * Names a rule compares or searches (metric names, container names, profile names, scalar annotation
 * values). Kubernetes object names are DNS subdomains of at most 253 characters (apimachinery
 * IsDNS1123Subdomain); metric names have no bound in the API server — the HPA controller puts one in a
 * URL path segment of the custom metrics API, limited only by the API server's 1 MiB request header
 * bound — nor in Prometheus. No exporter comes near 253, so longer ones are refused unjudged.
 */
export const MAX_NAME_LENGTH = 253;
/** gpu-hpa.io/containers: the API server's cap on all annotations together, so whatever it stores is read. */
export const MAX_CONTAINERS_ANNOTATION_LENGTH = 256 * 1024;
/**
 * Containers (and, separately, initContainers) of a pod template that the rules look at. The API
 * server has no count limit (only the object's size: etcd's 1.5 MiB request limit); 256 is far beyond
 * any real pod.
 */
export const MAX_CONTAINERS = 256;
/** spec.metrics entries of an HPA that are looked up (the API server has no count limit either). */
export const MAX_METRICS = 64;
/** characters of a tenant's value quoted in a message */
export const EXCERPT_LENGTH = 64;
/** characters of one violation message or warning in a decision */
export const MAX_MESSAGE_LENGTH = 1000;
/** violations a decision carries (the rest are counted) */
export const MAX_VIOLATIONS = 10;
/** warnings a decision carries (the last slot says how many were left out) */
export const MAX_WARNINGS = 10;
/** names listed in one message ("a", "b", "c" and 19,997 more) */
export const MAX_LISTED = 3;

/** The reason code of every bound in this file. */
export const INPUT_TOO_LARGE = 'input-too-large';

/** A value for a message: the first `max` characters and how many more there were. */
export function excerpt(raw: string, max = EXCERPT_LENGTH): string {
  // input is untrusted JSON: a "string" field may hold null or a number (the fuzz tests send them)
  const value = typeof raw === 'string' ? raw : String(raw);
  if (value.length <= max) return value;
  // never cut a surrogate pair in half (the JSON encoder would write a lone surrogate)
  let end = max;
  const c = value.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${value.slice(0, end)}…(${(value.length - end).toLocaleString('en-US')} more characters)`;
}

/** A name cut to `max` characters with a bare ellipsis: for the short forms of messages (Violation.short), where every character counts. */
export function brief(raw: string, max: number): string {
  const value = typeof raw === 'string' ? raw : String(raw);
  if (value.length <= max) return value;
  let end = max - 1;
  const c = value.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${value.slice(0, end)}…`;
}

/** `"a", "b", "c" and 19,997 more` — each quoted as an excerpt, at most `max` of them. */
export function excerptList(items: readonly string[], max = MAX_LISTED, quote = true): string {
  const shown = items.slice(0, max).map((s) => (quote ? JSON.stringify(excerpt(s)) : excerpt(s)));
  const more = items.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more.toLocaleString('en-US')} more` : shown.join(', ');
}

/** The one violation for a string over its bound: names the field and the sizes, quotes an excerpt. */
export function tooLong(field: string, what: string, value: string, max: number): Violation {
  return {
    reason: INPUT_TOO_LARGE,
    field,
    message: `${what} is ${value.length.toLocaleString('en-US')} characters long ("${excerpt(value)}"); gpu-hpa-webhook judges at most ${max}: use a shorter value`,
  };
}

/** The one violation for a list over its bound. */
export function tooMany(field: string, what: string, count: number, max: number): Violation {
  return {
    reason: INPUT_TOO_LARGE,
    field,
    message: `${what} has ${count.toLocaleString('en-US')} entries; gpu-hpa-webhook judges at most ${max}: split the object or remove entries`,
  };
}

/**
 * A counter of work done on tenant input by the algorithms whose cost depends on it (the nearest-name
 * search counts the edit-distance cells it fills). Pure data: whoever wants the figure passes one in.
 */
export interface WorkMeter {
  steps: number;
}

export function workMeter(): WorkMeter {
  return { steps: 0 };
}
