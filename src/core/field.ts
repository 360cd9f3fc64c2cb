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
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
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
