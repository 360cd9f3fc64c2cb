// A small seeded PRNG for the generated corpora (test/adapter-diff, test/e2e/hpa-corpus.ts): the same
// sequence on every run and every machine, so a failing case can be replayed from its seed.

/** mulberry32: a float in [0, 1) per call, from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
