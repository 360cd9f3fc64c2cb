// RFC 6902 "add" operations written by the mutators directly against the object as received. The
// mutators only ever add what is absent, so they know each operation as they decide it; diffing a
// mutated deep copy (fast-json-patch's compare) cost two deep clones and a full walk per review and
// was the largest part of a mutate decision (docs/benchmarks.md).
import type { Operation } from 'fast-json-patch';

/** One reference token of a JSON Pointer (RFC 6901 §4: "~" → "~0", "/" → "~1"). */
export function escapeToken(token: string): string {
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

/**
 * An add of `value` at `path`. On an object member that exists, RFC 6902 §4.1 says add replaces it:
 * the mutators rely on that only for members that are null (Go's encoder and a bare `key:` in YAML
 * both mean "unset"), never to overwrite a value someone wrote.
 */
export function add(path: string, value: unknown): Operation {
  return { op: 'add', path, value };
}

/** Whether a member is unset: absent or null (the API server decodes both to Go's nil). */
export function unset(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}
