// Building bad JSON for the tests that throw it at the webhook (test/server/app.test.ts,
// test/server/depth.test.ts, test/hardening/bad-input.hardening.ts).

/**
 * Set the member at a dotted path (`request.kind.group`) of a decoded JSON value, or delete it when
 * `value` is undefined. Written as an own property, so a last key `__proto__` or `constructor` makes a
 * member of that name (as JSON.parse would) instead of touching the prototype. Returns false, changing
 * nothing, when a parent on the way is not an object.
 */
export function editAt(root: Record<string, unknown>, path: string, value: unknown): boolean {
  const keys = path.split('.');
  let cur: unknown = root;
  for (const k of keys.slice(0, -1)) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[k] : undefined;
  if (typeof cur !== 'object' || cur === null) return false;
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete (cur as Record<string, unknown>)[last];
  else Object.defineProperty(cur, last, { value, enumerable: true, configurable: true, writable: true });
  return true;
}

/** `n` arrays nested in each other: `[[[…]]]`. */
export const nestedArrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);

/** `n` objects nested in each other: `{"a":{"a":…1}}`. */
export const nestedObjects = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
