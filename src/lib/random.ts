/**
 * The project's one seeded PRNG. Integer-only state updates (Math.imul, >>>), so the same seed gives the same
 * sequence in every JavaScript engine: the renderer (Node and Chromium must agree byte for byte), the sample
 * selection and the bootstrap intervals all draw from it. Never Math.random or Date where results must repeat.
 */

/** mulberry32: tiny, fast, 32-bit state. Returns floats in [0, 1). */
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
