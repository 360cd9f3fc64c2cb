// The one memo of the core: a pure function's results, remembered in a bounded cache that drops the
// least recently used entry first (npm lru-cache). Used where the same few inputs come back in every
// review (quantities, metric verdicts, suggestions, compiled regular expressions). Results must be
// immutable (frozen, or never changed by callers): every caller gets the same object.
import { LRUCache } from 'lru-cache';

type Key = string | number;

/** `compute`, remembered for the last `max` distinct keys; `keyOf` names an argument that is not a key itself. */
export function memoize<A, V extends object>(max: number, compute: (arg: A) => V, keyOf: (arg: A) => Key = (a) => a as Key): (arg: A) => V {
  const cache = new LRUCache<Key, V>({ max });
  return (arg) => {
    const key = keyOf(arg);
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = compute(arg)));
    return v;
  };
}
