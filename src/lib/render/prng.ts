/**
 * Seeded pseudo-random numbers. Integer-only state updates (Math.imul, >>>), so the same seed gives the same
 * sequence in every JavaScript engine. Never use Math.random or Date in the renderer.
 */
import { mulberry32 } from '../random';
export { mulberry32 };

/** A PRNG returning floats in [0, 1). */
export interface Rng {
  (): number;
}

/** Uniform float in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** Integer in [lo, hi] inclusive. */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Approximately standard-normal variate: sum of 4 uniforms, rescaled (Irwin-Hall; cheap and deterministic). */
export function gaussish(rng: Rng): number {
  return (rng() + rng() + rng() + rng() - 2) * 1.7320508075688772;
}

/** FNV-1a 32-bit hash of a string (UTF-16 code units), used to derive seeds. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes an integer into a well-spread uint32 (splitmix32 finaliser). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The seed export-images uses for one image: a pure function of (ecg_id, variant, style), so any image of a
 * dataset can be re-rendered alone, in Node or in the browser.
 */
export function deriveSeed(ecgId: number, variant: number, style: string): number {
  return mix32(fnv1a(`${style}:${ecgId}:${variant}`));
}

/** A child generator for an independent sub-task (e.g. the shadows of a photo), so adding draws elsewhere never shifts it. */
export function subRng(seed: number, tag: string): Rng {
  return mulberry32(mix32((seed >>> 0) ^ fnv1a(tag)));
}
