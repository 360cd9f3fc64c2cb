// "Did you mean …?" — the one nearest-name search of the webhook: served metric names (adapter
// registry), profile, container and annotation names (annotations.ts). One threshold, one cost bound:
// a name longer than MAX_NAME_LENGTH gets no suggestion at all (no work), and otherwise each candidate
// costs at most one band of an edit-distance table (|word| × (2·maxDistance + 1) cells), so a search is
// linear in the number of candidates, whatever the tenant sends. Every cell filled is counted on the
// optional WorkMeter (the property tests bound it; wall clock is never asserted).
import { MAX_NAME_LENGTH, type WorkMeter } from './bounds.js';

/** The one threshold: how far a candidate may be and still read as a typo of `word` (1 to 3 edits). */
export function maxTypoDistance(word: string): number {
  return Math.min(3, Math.max(1, Math.floor(word.length / 3)));
}

/**
 * Levenshtein distance when it is at most `max`, else max + 1; fills only the diagonal band of width
 * 2·max + 1 (cells outside it are > max anyway) and stops once a whole row exceeds max.
 */
export function boundedDistance(a: string, b: string, max: number, work?: WorkMeter): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const big = max + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j <= max ? j : big;
  let cells = 0;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    cur[0] = i <= max ? i : big;
    if (lo > 1) cur[lo - 1] = big;
    let rowMin = cur[0];
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ai === b.charCodeAt(j - 1) ? 0 : 1));
      cur[j] = v > big ? big : v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < b.length) cur[hi + 1] = big;
    cells += hi - lo + 1;
    if (rowMin > max) {
      if (work) work.steps += cells;
      return big;
    }
    [prev, cur] = [cur, prev];
  }
  if (work) work.steps += cells;
  const d = prev[b.length]!;
  return d > max ? big : d;
}

/**
 * Up to `limit` candidates within maxTypoDistance of `word` (compared case-insensitively), nearest
 * first, then alphabetical; [] for a word over MAX_NAME_LENGTH.
 */
export function nearest(word: string, candidates: Iterable<string>, limit = 3, work?: WorkMeter): string[] {
  if (word.length === 0 || word.length > MAX_NAME_LENGTH || limit <= 0) return [];
  const max = maxTypoDistance(word);
  const w = word.toLowerCase();
  const scored: Array<[string, number]> = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (work) work.steps++;
    if (seen.has(c) || Math.abs(c.length - word.length) > max) continue;
    seen.add(c);
    const d = boundedDistance(w, c.toLowerCase(), max, work);
    if (c !== word && d <= max) scored.push([c, d]); // a case-only difference (distance 0) is the best hint
  }
  return scored
    .sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, limit)
    .map(([c]) => c);
}
