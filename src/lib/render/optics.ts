/**
 * Camera and scanner optics shared by the photo styles: a separable blur of float planes with sensor noise
 * added in the same pass. Deterministic (fixed-order float arithmetic, an integer xorshift for the noise).
 */

/**
 * Separable 5-tap blur of one float plane, in place (edges clamp): the kernel [a, 1-2a, a] applied twice,
 * i.e. [a^2, 2a(1-2a), 2a^2 + (1-2a)^2, 2a(1-2a), a^2], horizontally into `tmp`, then vertically back.
 */
export function blurPlane(
  p: Float32Array,
  w: number,
  h: number,
  a: number,
  tmp: Float32Array,
  noise = 0,
  seed = 0,
): void {
  const b = 1 - 2 * a;
  const k0 = 2 * a * a + b * b;
  const k1 = 2 * a * b;
  const k2 = a * a;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 2; x < w - 2; x++) {
      const i = o + x;
      tmp[i] = k0 * p[i]! + k1 * (p[i - 1]! + p[i + 1]!) + k2 * (p[i - 2]! + p[i + 2]!);
    }
    for (let x = 0; x < w; x = x === 1 && w > 4 ? w - 2 : x + 1) {
      const at = (k: number) => p[o + (k < 0 ? 0 : k > w - 1 ? w - 1 : k)]!;
      tmp[o + x] = k0 * at(x) + k1 * (at(x - 1) + at(x + 1)) + k2 * (at(x - 2) + at(x + 2));
    }
  }
  // vertical, then the sensor: triangular noise in [-noise, noise] (two 16-bit uniforms from one xorshift32
  // draw per pixel in raster order) and the clamp to the 0..255 an encoder receives
  let ns = seed >>> 0 || 0x9e3779b9;
  const scale = noise / 65536;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    const u1 = (y > 0 ? y - 1 : 0) * w;
    const u2 = (y > 1 ? y - 2 : 0) * w;
    const n1 = (y < h - 1 ? y + 1 : h - 1) * w;
    const n2 = (y < h - 2 ? y + 2 : h - 1) * w;
    for (let x = 0; x < w; x++) {
      let v = k0 * tmp[o + x]! + k1 * (tmp[u1 + x]! + tmp[n1 + x]!) + k2 * (tmp[u2 + x]! + tmp[n2 + x]!);
      if (noise !== 0) {
        ns ^= ns << 13;
        ns ^= ns >>> 17;
        ns ^= ns << 5;
        v += ((ns & 0xffff) + ((ns >>> 16) & 0xffff)) * scale - noise;
      }
      p[o + x] = v <= 0 ? 0 : v >= 255 ? 255 : v;
    }
  }
}

/** The blur's scratch plane, reused between photos of the same size (fully rewritten by each pass). */
let blurScratch: Float32Array | null = null;
export function scratch(n: number): Float32Array {
  if (blurScratch === null || blurScratch.length !== n) blurScratch = new Float32Array(n);
  return blurScratch;
}
