/**
 * The one image preprocessing step between any picture and the model: used by `npm run export-images`
 * (so training sees exactly these pixels), by `npm run eval` / `npm run classify` in Node, and by the
 * classifier in the browser. Pure TypeScript on typed arrays: canvas `drawImage` resampling differs between
 * browsers, this does not.
 *
 * Steps: RGBA or gray -> one gray plane -> area-average resize that keeps the aspect ratio (letterbox),
 * centred on a `pad`-valued (white, like paper) canvas of the model's input size. The gray plane is chosen by
 * the spec's `tone`:
 * - 'luma' (the default, and every model before the wild family): ITU-R BT.601 luminance, integer math.
 * - 'ink-flat': the brighter of red and green, so that red, pink, orange, yellow and green paper and grid lines
 *   (the colours EKG paper comes in) read as white while black, grey and blue ink stay dark (blue is kept
 *   out of the maximum because blue traces, like matplotlib's, would vanish with it); then, after the resize,
 *   divided by the local paper level (a max filter then a box blur over about 1/64 of the long side), so
 *   shadows, uneven light and tinted paper become white paper and only the ink is left. This is what lets one
 *   model read printouts from every machine, scanner and phone we know of.
 * Output: H*W uint8, row-major. Scaling to floats happens inside the exported model, so there are no
 * normalisation constants to keep in sync.
 */
import type { RasterImage } from '../render/types';

export const TONES = ['luma', 'ink-flat'] as const;
export type Tone = (typeof TONES)[number];

export interface InputSpec {
  height: number;
  width: number;
  channels: 1;
  resize: 'letterbox-area';
  /** Gray value of the letterbox bars (255 = white paper). */
  pad: number;
  /** How colour becomes the gray plane (see the module comment). Absent = 'luma'. */
  tone?: Tone;
}

export class PreprocessError extends Error {
  override name = 'PreprocessError';
}

/** Refuse work that would exhaust memory; callers downscale huge images first (see `downscaleToFit`). */
export const MAX_INPUT_PIXELS = 40_000_000;

export function validateSpec(spec: InputSpec): void {
  const ok =
    Number.isInteger(spec.height) &&
    Number.isInteger(spec.width) &&
    spec.height > 0 &&
    spec.width > 0 &&
    spec.height * spec.width <= 4_000_000 &&
    spec.channels === 1 &&
    spec.resize === 'letterbox-area' &&
    Number.isInteger(spec.pad) &&
    spec.pad >= 0 &&
    spec.pad <= 255 &&
    (spec.tone === undefined || (TONES as readonly string[]).includes(spec.tone));
  if (!ok) throw new PreprocessError(`unsupported model input spec: ${JSON.stringify(spec)}`);
}

/** Luminance of every pixel, rounded to uint8. */
export function toGray(image: RasterImage): Uint8Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  if (!(width > 0 && height > 0) || data.length !== n * channels) {
    throw new PreprocessError(`image buffer of ${data.length} bytes does not match ${width}x${height}x${channels}`);
  }
  if (n > MAX_INPUT_PIXELS) throw new PreprocessError(`image of ${width}x${height} pixels is too large to process`);
  if (channels === 1) return new Uint8Array(data.buffer, data.byteOffset, n).slice();
  const gray = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    // 299/587/114 per mille, in integers so every engine gives the same byte.
    gray[i] = ((data[j]! * 299 + data[j + 1]! * 587 + data[j + 2]! * 114 + 500) / 1000) | 0;
  }
  return gray;
}

/** max(R, G) of every pixel (gray images: the value itself): the 'ink-flat' tone's plane before flattening. */
export function toInk(image: RasterImage): Uint8Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  if (!(width > 0 && height > 0) || data.length !== n * channels) {
    throw new PreprocessError(`image buffer of ${data.length} bytes does not match ${width}x${height}x${channels}`);
  }
  if (n > MAX_INPUT_PIXELS) throw new PreprocessError(`image of ${width}x${height} pixels is too large to process`);
  if (channels === 1) return new Uint8Array(data.buffer, data.byteOffset, n).slice();
  const out = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const r = data[j]!;
    const g = data[j + 1]!;
    out[i] = r > g ? r : g;
  }
  return out;
}

/** Below this paper level a region is not brightened further (a dark desk stays dark, not noise blown up). */
export const FLAT_FLOOR = 96;

/**
 * Divides a float plane by its local paper level, in place: level = box blur (radius 2r) of a max filter
 * (radius r); value = 255 * v / max(level, FLAT_FLOOR), clamped to 255. Separable, O(w h r).
 */
export function flattenPaper(p: Float64Array, w: number, h: number, r: number): void {
  const n = w * h;
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  // max filter: rows into a, then columns into b
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      let m = 0;
      const x0 = x - r < 0 ? 0 : x - r;
      const x1 = x + r >= w ? w - 1 : x + r;
      for (let k = x0; k <= x1; k++) if (p[o + k]! > m) m = p[o + k]!;
      a[o + x] = m;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      let m = 0;
      const y0 = y - r < 0 ? 0 : y - r;
      const y1 = y + r >= h ? h - 1 : y + r;
      for (let k = y0; k <= y1; k++) if (a[k * w + x]! > m) m = a[k * w + x]!;
      b[y * w + x] = m;
    }
  }
  // box blur of radius 2r (running sums, edges clamp by averaging what is there): rows into a, columns into b
  const R = 2 * r;
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let sum = 0;
    let cnt = 0;
    for (let k = 0; k <= R && k < w; k++) {
      sum += b[o + k]!;
      cnt++;
    }
    for (let x = 0; x < w; x++) {
      a[o + x] = sum / cnt;
      const add = x + R + 1;
      const drop = x - R;
      if (add < w) {
        sum += b[o + add]!;
        cnt++;
      }
      if (drop >= 0) {
        sum -= b[o + drop]!;
        cnt--;
      }
    }
  }
  for (let x = 0; x < w; x++) {
    let sum = 0;
    let cnt = 0;
    for (let k = 0; k <= R && k < h; k++) {
      sum += a[k * w + x]!;
      cnt++;
    }
    for (let y = 0; y < h; y++) {
      const level = sum / cnt;
      const i = y * w + x;
      const v = (255 * p[i]!) / (level > FLAT_FLOOR ? level : FLAT_FLOOR);
      p[i] = v > 255 ? 255 : v;
      const add = y + R + 1;
      const drop = y - R;
      if (add < h) {
        sum += a[add * w + x]!;
        cnt++;
      }
      if (drop >= 0) {
        sum -= a[drop * w + x]!;
        cnt--;
      }
    }
  }
}

/** Where the image lands inside the model input: scale and offsets of the letterbox. */
export function letterboxGeometry(srcW: number, srcH: number, dstW: number, dstH: number) {
  const scale = Math.min(dstW / srcW, dstH / srcH);
  const w = Math.max(1, Math.min(dstW, Math.round(srcW * scale)));
  const h = Math.max(1, Math.min(dstH, Math.round(srcH * scale)));
  return { scale, w, h, x0: Math.floor((dstW - w) / 2), y0: Math.floor((dstH - h) / 2) };
}

/**
 * Area-average resample of a gray image to w x h (exact box filter: each output pixel is the
 * coverage-weighted mean of the source pixels under it). Works for up- and down-scaling.
 */
export function resizeArea(src: Uint8Array, srcW: number, srcH: number, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  const sx = srcW / w;
  const sy = srcH / h;
  // Precompute horizontal spans once: for each output column, the source columns and their weights.
  const colStart = new Int32Array(w);
  const colEnd = new Int32Array(w);
  const colW: number[][] = [];
  for (let x = 0; x < w; x++) {
    const a = x * sx;
    const b = a + sx;
    const i0 = Math.floor(a);
    const i1 = Math.min(srcW, Math.ceil(b));
    colStart[x] = i0;
    colEnd[x] = i1;
    const ws: number[] = [];
    for (let i = i0; i < i1; i++) ws.push(Math.min(b, i + 1) - Math.max(a, i));
    colW.push(ws);
  }
  const row = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    const a = y * sy;
    const b = a + sy;
    const j0 = Math.floor(a);
    const j1 = Math.min(srcH, Math.ceil(b));
    row.fill(0);
    let wsum = 0;
    for (let j = j0; j < j1; j++) {
      const wy = Math.min(b, j + 1) - Math.max(a, j);
      wsum += wy;
      const base = j * srcW;
      for (let x = 0; x < w; x++) {
        const ws = colW[x]!;
        let acc = 0;
        for (let k = 0, i = colStart[x]!; i < colEnd[x]!; i++, k++) acc += src[base + i]! * ws[k]!;
        row[x] = row[x]! + acc * wy;
      }
    }
    const norm = 1 / (wsum * sx);
    for (let x = 0; x < w; x++) out[y * w + x] = row[x]! * norm;
  }
  return out;
}

/** Any image -> the model's uint8 input plane (H*W). */
export function preprocess(image: RasterImage, spec: InputSpec): Uint8Array {
  validateSpec(spec);
  const inkFlat = spec.tone === 'ink-flat';
  const gray = inkFlat ? toInk(image) : toGray(image);
  const { w, h, x0, y0 } = letterboxGeometry(image.width, image.height, spec.width, spec.height);
  const resized = resizeArea(gray, image.width, image.height, w, h);
  if (inkFlat) flattenPaper(resized, w, h, Math.max(1, Math.round(Math.max(spec.width, spec.height) / 128)));
  const out = new Uint8Array(spec.width * spec.height).fill(spec.pad);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = resized[y * w + x]!;
      out[(y + y0) * spec.width + x + x0] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return out;
}
