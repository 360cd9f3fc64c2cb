// Field paths and field errors, as k8s.io/apimachinery/pkg/util/validation/field (path.go, errors.go):
// one place that renders a path ("spec.metrics[0].pods") and the API server's message shapes
// ("<path>: Invalid value: <value>: <detail>"), for every validator and decoder of the core.

export type Obj = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** field.Path.String(): keys joined with dots, indexes in brackets; "" for the root. */
export function fieldPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) out = typeof seg === 'number' ? indexPath(out, seg) : childPath(out, String(seg));
  return out;
}

/** field.Path.Child: `path` and then each name, dot-joined; `path` "" is the root. */
export function childPath(path: string, ...names: string[]): string {
  let out = path;
  for (const n of names) out = out === '' ? n : `${out}.${n}`;
  return out;
}

/** field.Path.Index: the i-th item of the list at `path`. */
export function indexPath(path: string, i: number): string {
  return `${path}[${i}]`;
}

/**
 * field.Path.Key: the entry `key` of the map at `path`. Quoted, unlike apimachinery's path[key]: the
 * webhook's keys (annotations, resource names) hold dots and slashes, which would read as more path.
 */
export function keyPath(path: string, key: string): string {
  return `${path}["${key}"]`;
}

/** field.Error BadValue rendering: strings quoted (%q), numbers/bools plain, others as JSON. */
export function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return 'null';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

export const fieldError = {
  required: (path: string, detail = ''): string => `${path}: Required value${detail ? `: ${detail}` : ''}`,
  forbidden: (path: string, detail: string): string => `${path}: Forbidden: ${detail}`,
  invalid: (path: string, value: unknown, detail: string): string => `${path}: Invalid value: ${goValue(value)}: ${detail}`,
  notSupported: (path: string, value: unknown, supported: readonly string[]): string =>
    `${path}: Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
};

/** JSON→Go decoding: a non-null value of the wrong JS type never reaches validation; the API server refuses the request. */
export function typeError(path: string, value: unknown, want: string): string {
  return fieldError.invalid(path, value, `must be ${want} (the API server cannot decode it)`);
}
