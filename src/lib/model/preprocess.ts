/**
 * The one image preprocessing step between any picture and the model: used by `npm run export-images`
 * (so training sees exactly these pixels), by `npm run eval` / `npm run classify` in Node, and by the
 * classifier in the browser. Pure TypeScript on typed arrays: canvas `drawImage` resampling differs between
 * browsers, this does not.
 *
 * Steps: RGBA or gray -> luminance (ITU-R BT.601 weights, integer math) -> area-average resize that keeps the
 * aspect ratio (letterbox), centred on a `pad`-valued (white, like paper) canvas of the model's input size.
 * Output: H*W uint8, row-major. Scaling to floats happens inside the exported model, so there are no
 * normalisation constants to keep in sync.
 */
import type { RasterImage } from '../render/types';

export interface InputSpec {
  height: number;
  width: number;
  channels: 1;
  resize: 'letterbox-area';
  /** Gray value of the letterbox bars (255 = white paper). */
  pad: number;
}

export class PreprocessError extends Error {
  override name = 'PreprocessError';
}

/** Refuse work that would exhaust memory; callers downscale huge images first (see `downscaleToFit`). */
export const MAX_INPUT_PIXELS = 40_000_000;

export function validateSpec(spec: InputSpec): void {
  const ok =
    Number.isInteger(spec.height) && Number.isInteger(spec.width) && spec.height > 0 && spec.width > 0 &&
    spec.height * spec.width <= 4_000_000 && spec.channels === 1 && spec.resize === 'letterbox-area' &&
    Number.isInteger(spec.pad) && spec.pad >= 0 && spec.pad <= 255;
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
  const gray = toGray(image);
  const { w, h, x0, y0 } = letterboxGeometry(image.width, image.height, spec.width, spec.height);
  const resized = resizeArea(gray, image.width, image.height, w, h);
  const out = new Uint8Array(spec.width * spec.height).fill(spec.pad);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = resized[y * w + x]!;
      out[(y + y0) * spec.width + x + x0] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return out;
}
