/**
 * JPEG compression artefacts without a JPEG codec: the lossy part of baseline JPEG, done exactly as an
 * encoder + decoder would (RGB -> YCbCr, 4:2:0 chroma subsampling, 8x8 DCT, quantisation with the IJG tables
 * scaled by `quality`, dequantisation, inverse DCT, chroma upsampling, YCbCr -> RGB). The Huffman stage is
 * lossless and is skipped, so the pixels are those of an encode/decode round trip (up to the decoder's IDCT
 * rounding) at a fraction of the cost, and with no dependency on Node's Buffer (jpeg-js needs it), so the
 * same code runs in the browser. Deterministic: float arithmetic in a fixed order, a cosine table built once.
 */

// prettier-ignore
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
// prettier-ignore
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/** IJG quality scaling of a base table (quality 1..100). */
export function scaledTable(base: readonly number[], quality: number): Float32Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const s = q < 50 ? Math.floor(5000 / q) : 200 - 2 * q;
  const t = new Float32Array(64);
  for (let i = 0; i < 64; i++) t[i] = Math.min(255, Math.max(1, Math.floor((base[i]! * s + 50) / 100)));
  return t;
}

/** M[u*8+x] = c(u)/2 cos((2x+1) u pi / 16): the orthonormal 8-point DCT-II matrix. */
const M = new Float64Array(64);
for (let u = 0; u < 8; u++) {
  const cu = u === 0 ? Math.SQRT1_2 : 1;
  for (let x = 0; x < 8; x++) M[u * 8 + x] = (cu / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
}

const blk = new Float64Array(64);
const tmp = new Float64Array(64);

/** Reference (slow, obvious) quantise-dequantise of one level-shifted 8x8 block, in place: for tests. */
export function referenceBlock(block: Float64Array, table: Float32Array): void {
  for (let u = 0; u < 8; u++) {
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let y = 0; y < 8; y++) s += M[u * 8 + y]! * block[y * 8 + x]!;
      tmp[u * 8 + x] = s;
    }
  }
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let s = 0;
      for (let x = 0; x < 8; x++) s += tmp[u * 8 + x]! * M[v * 8 + x]!;
      const q = table[u * 8 + v]!;
      block[u * 8 + v] = Math.round(s / q) * q;
    }
  }
  for (let y = 0; y < 8; y++) {
    for (let v = 0; v < 8; v++) {
      let s = 0;
      for (let u = 0; u < 8; u++) s += M[u * 8 + y]! * block[u * 8 + v]!;
      tmp[y * 8 + v] = s;
    }
  }
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let v = 0; v < 8; v++) s += tmp[y * 8 + v]! * M[v * 8 + x]!;
      block[y * 8 + x] = s;
    }
  }
}

// AAN (Arai-Agui-Nakajima) scaled DCT, as libjpeg's jfdctflt/jidctflt: 5 multiplications per 8-point pass.
const AAN = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.5411961, 0.275899379];

/** Per-table divisors/multipliers folding the AAN output scaling into quantisation. */
function aanTables(table: Float32Array): { div: Float64Array; mul: Float64Array } {
  const div = new Float64Array(64);
  const mul = new Float64Array(64);
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      const q = table[u * 8 + v]!;
      const s = AAN[u]! * AAN[v]!;
      div[u * 8 + v] = 1 / (q * s * 8);
      mul[u * 8 + v] = (q * s) / 8;
    }
  }
  return { div, mul };
}

/** In-place forward AAN DCT of 8 values at stride `st` from `o`. */
function fdct8(d: Float64Array, o: number, st: number): void {
  const d0 = d[o]!,
    d1 = d[o + st]!,
    d2 = d[o + 2 * st]!,
    d3 = d[o + 3 * st]!;
  const d4 = d[o + 4 * st]!,
    d5 = d[o + 5 * st]!,
    d6 = d[o + 6 * st]!,
    d7 = d[o + 7 * st]!;
  const t0 = d0 + d7,
    t7 = d0 - d7,
    t1 = d1 + d6,
    t6 = d1 - d6;
  const t2 = d2 + d5,
    t5 = d2 - d5,
    t3 = d3 + d4,
    t4 = d3 - d4;
  let t10 = t0 + t3;
  const t13 = t0 - t3;
  let t11 = t1 + t2;
  let t12 = t1 - t2;
  d[o] = t10 + t11;
  d[o + 4 * st] = t10 - t11;
  const z1 = (t12 + t13) * 0.707106781;
  d[o + 2 * st] = t13 + z1;
  d[o + 6 * st] = t13 - z1;
  t10 = t4 + t5;
  t11 = t5 + t6;
  t12 = t6 + t7;
  const z5 = (t10 - t12) * 0.382683433;
  const z2 = 0.5411961 * t10 + z5;
  const z4 = 1.306562965 * t12 + z5;
  const z3 = t11 * 0.707106781;
  const z11 = t7 + z3;
  const z13 = t7 - z3;
  d[o + 5 * st] = z13 + z2;
  d[o + 3 * st] = z13 - z2;
  d[o + st] = z11 + z4;
  d[o + 7 * st] = z11 - z4;
}

/** In-place inverse AAN DCT of 8 (pre-scaled) coefficients at stride `st` from `o`. */
function idct8(d: Float64Array, o: number, st: number): void {
  let t0 = d[o]!,
    t1 = d[o + 2 * st]!,
    t2 = d[o + 4 * st]!,
    t3 = d[o + 6 * st]!;
  const t10 = t0 + t2;
  const t11 = t0 - t2;
  const t13 = t1 + t3;
  const t12 = (t1 - t3) * 1.414213562 - t13;
  t0 = t10 + t13;
  t3 = t10 - t13;
  t1 = t11 + t12;
  t2 = t11 - t12;
  const t4 = d[o + st]!,
    t5 = d[o + 3 * st]!,
    t6 = d[o + 5 * st]!,
    t7 = d[o + 7 * st]!;
  const z13 = t6 + t5;
  const z10 = t6 - t5;
  const z11 = t4 + t7;
  const z12 = t4 - t7;
  const u7 = z11 + z13;
  const u11 = (z11 - z13) * 1.414213562;
  const z5 = (z10 + z12) * 1.847759065;
  const u10 = 1.0823922 * z12 - z5;
  const u12 = -2.61312593 * z10 + z5;
  const u6 = u12 - u7;
  const u5 = u11 - u6;
  const u4 = u10 + u5;
  d[o] = t0 + u7;
  d[o + 7 * st] = t0 - u7;
  d[o + st] = t1 + u6;
  d[o + 6 * st] = t1 - u6;
  d[o + 2 * st] = t2 + u5;
  d[o + 5 * st] = t2 - u5;
  d[o + 4 * st] = t3 + u4;
  d[o + 3 * st] = t3 - u4;
}

/** Fast quantise-dequantise of one level-shifted block in place (same result as referenceBlock up to float rounding). */
export function fastBlock(b: Float64Array, div: Float64Array, mul: Float64Array): void {
  for (let r = 0; r < 8; r++) fdct8(b, r * 8, 1);
  for (let c = 0; c < 8; c++) fdct8(b, c, 8);
  let nonzero = 0;
  for (let i = 0; i < 64; i++) {
    const q = Math.round(b[i]! * div[i]!);
    if (q !== 0) nonzero++;
    b[i] = q * mul[i]!;
  }
  if (nonzero === 0) return;
  if (nonzero === 1 && b[0] !== 0) {
    // DC only: the inverse transform is exactly the constant b[0] (AAN scaling is folded into mul)
    b.fill(b[0]!);
    return;
  }
  for (let c = 0; c < 8; c++) idct8(b, c, 8);
  for (let r = 0; r < 8; r++) idct8(b, r * 8, 1);
}

/** Quantises one plane (w x h, float, 0..255) block by block in place. */
function quantisePlane(p: Float32Array, w: number, h: number, table: Float32Array): void {
  const { div, mul } = aanTables(table);
  for (let by = 0; by < h; by += 8) {
    for (let bx = 0; bx < w; bx += 8) {
      // load (edge blocks replicate the last row/column, as encoders pad)
      if (bx + 8 <= w && by + 8 <= h) {
        for (let y = 0; y < 8; y++) {
          const sy = (by + y) * w + bx;
          for (let x = 0; x < 8; x++) blk[y * 8 + x] = p[sy + x]! - 128;
        }
      } else {
        for (let y = 0; y < 8; y++) {
          const sy = Math.min(by + y, h - 1) * w;
          for (let x = 0; x < 8; x++) blk[y * 8 + x] = p[sy + Math.min(bx + x, w - 1)]! - 128;
        }
      }
      fastBlock(blk, div, mul);
      for (let y = 0; y < 8 && by + y < h; y++) {
        const row = (by + y) * w + bx;
        for (let x = 0; x < 8 && bx + x < w; x++) p[row + x] = blk[y * 8 + x]! + 128;
      }
    }
  }
}

export const LUMA_TABLE = LUMA_Q;
export const CHROMA_TABLE = CHROMA_Q;

/** Applies JPEG's loss at `quality` (1-100) to an RGBA or gray buffer in place. */
export function jpegArtefacts(
  data: Uint8ClampedArray,
  width: number,
  height: number,
  channels: 1 | 4,
  quality: number,
): void {
  const n = width * height;
  if (channels === 1) {
    const Y = new Float32Array(n);
    for (let i = 0; i < n; i++) Y[i] = data[i]!;
    quantisePlane(Y, width, height, scaledTable(LUMA_Q, quality));
    for (let i = 0; i < n; i++) data[i] = Y[i]!;
    return;
  }
  const rgb = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    rgb[i * 3] = data[i * 4]!;
    rgb[i * 3 + 1] = data[i * 4 + 1]!;
    rgb[i * 3 + 2] = data[i * 4 + 2]!;
  }
  jpegRgb(rgb, width, height, quality, data);
}

/**
 * The YCbCr work planes for a width x height image (Y full size, Cb and Cr 4:2:0), reused between calls of
 * the same size. Cb and Cr come back zeroed (callers accumulate 2x2 sums into them, see averageChroma); Y is
 * fully rewritten by every caller, so results never depend on history.
 */
let planeCache: { n: number; nc: number; Y: Float32Array; Cb: Float32Array; Cr: Float32Array } | null = null;
export function ycbcrPlanes(width: number, height: number): { Y: Float32Array; Cb: Float32Array; Cr: Float32Array } {
  const n = width * height;
  const nc = ((width + 1) >> 1) * ((height + 1) >> 1);
  if (planeCache === null || planeCache.n !== n || planeCache.nc !== nc) {
    planeCache = { n, nc, Y: new Float32Array(n), Cb: new Float32Array(nc), Cr: new Float32Array(nc) };
  } else {
    planeCache.Cb.fill(0);
    planeCache.Cr.fill(0);
  }
  return planeCache;
}

/** Turns 2x2 chroma sums into means centred on 128 (edge cells of odd sizes average fewer pixels), in place. */
export function averageChroma(Cb: Float32Array, Cr: Float32Array, width: number, height: number): void {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  for (let cy = 0; cy < ch; cy++) {
    const ny = Math.min(2, height - 2 * cy);
    for (let cx = 0; cx < cw; cx++) {
      const k = ny * Math.min(2, width - 2 * cx);
      const j = cy * cw + cx;
      Cb[j] = Cb[j]! / k + 128;
      Cr[j] = Cr[j]! / k + 128;
    }
  }
}

/**
 * JPEG loss for an interleaved float RGB image (values clamped to 0..255 first, as an encoder's input would
 * be); writes the decoded result into `out` (RGBA, alpha 255).
 */
export function jpegRgb(
  rgb: Float32Array,
  width: number,
  height: number,
  quality: number,
  out: Uint8ClampedArray,
): void {
  const cw = (width + 1) >> 1;
  const { Y, Cb, Cr } = ycbcrPlanes(width, height);
  for (let y = 0; y < height; y++) {
    const cy = (y >> 1) * cw;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let r = rgb[i * 3]!;
      let g = rgb[i * 3 + 1]!;
      let b = rgb[i * 3 + 2]!;
      // clamp and round to the 8-bit values an encoder would receive ((v + 0.5) | 0 = Math.round for v >= 0)
      r = r <= 0 ? 0 : r >= 255 ? 255 : (r + 0.5) | 0;
      g = g <= 0 ? 0 : g >= 255 ? 255 : (g + 0.5) | 0;
      b = b <= 0 ? 0 : b >= 255 ? 255 : (b + 0.5) | 0;
      Y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
      const j = cy + (x >> 1);
      Cb[j] = Cb[j]! + (-0.168736 * r - 0.331264 * g + 0.5 * b);
      Cr[j] = Cr[j]! + (0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  averageChroma(Cb, Cr, width, height);
  jpegYcc(Y, Cb, Cr, width, height, quality, out);
}

/**
 * The lossy core of JPEG on planes that are already in YCbCr: Y (width x height) and Cb, Cr subsampled 4:2:0
 * (ceil(width/2) x ceil(height/2)), all 0..255 with chroma centred on 128. Quantises the three planes in place
 * and writes the decoded RGB into `out` (RGBA, alpha 255). The photo style builds its planes directly (it blurs
 * luma at full resolution and chroma at half), so it skips an RGB work image and one colour conversion.
 */
export function jpegYcc(
  Y: Float32Array,
  Cb: Float32Array,
  Cr: Float32Array,
  width: number,
  height: number,
  quality: number,
  out: Uint8ClampedArray,
): void {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  quantisePlane(Y, width, height, scaledTable(LUMA_Q, quality));
  const cq = scaledTable(CHROMA_Q, quality);
  quantisePlane(Cb, cw, ch, cq);
  quantisePlane(Cr, cw, ch, cq);
  for (let y = 0; y < height; y++) {
    const cy = (y >> 1) * cw;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const j = cy + (x >> 1);
      const yy = Y[i]!;
      const cb = Cb[j]! - 128;
      const cr = Cr[j]! - 128;
      const p = i * 4;
      out[p] = yy + 1.402 * cr;
      out[p + 1] = yy - 0.344136 * cb - 0.714136 * cr;
      out[p + 2] = yy + 1.772 * cb;
      out[p + 3] = 255;
    }
  }
}
