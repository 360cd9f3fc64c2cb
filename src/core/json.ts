// A deep copy of JSON data (what admission objects are). structuredClone costs ~20 µs on a small
// Deployment in Node 20, this ~2.5 µs (measured with bench/ and .cache probes; see docs/benchmarks.md).
// An own "__proto__" key (JSON.parse makes one) is defined, not assigned, so it stays data.

export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = cloneJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out as T;
}

/**
 * Freeze JSON data all the way down, for results that are memoized and handed to many callers: a
 * caller that tried to change one would throw (ESM is strict mode) instead of corrupting the next
 * answer.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
