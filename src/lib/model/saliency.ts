/**
 * Occlusion saliency: which parts of the picture moved the MI probability?
 *
 * The preprocessed model input (H*W uint8) is covered, one cell of a coarse grid at a time, with blank paper
 * (the letterbox pad value), and the model is run on all occluded copies in batches. A cell's value is
 * p(original) - p(occluded): positive where the ink there pushed the prediction towards MI, negative where it
 * pushed towards normal. Only cells that overlap the image (not the letterbox bars) are occluded.
 *
 * The model call is injected (`predict`), so this module is pure: the browser passes a tf.tidy-wrapped
 * predictor and Node tests a tiny real model. Cost: rows*cols extra forward passes (default 6 x 8 = 48),
 * run in batches of `batchSize`.
 */
import type { RasterImage } from '../render/types';
import { letterboxGeometry, type InputSpec } from './preprocess';

/** Runs the model on a batch of preprocessed planes, returning one MI probability per plane. */
export type BatchPredictor = (planes: Uint8Array[]) => Promise<ArrayLike<number>> | ArrayLike<number>;

export interface SaliencyOptions {
  rows?: number;
  cols?: number;
  batchSize?: number;
  /** Called after every batch with the fraction done. */
  onProgress?: (fraction: number) => void;
  /** Stops early (returns null) when it becomes true. */
  signal?: { aborted: boolean };
}

export interface SaliencyMap {
  rows: number;
  cols: number;
  /** Cell rectangles in model-input pixels, row-major. */
  cells: Array<{ x0: number; y0: number; x1: number; y1: number }>;
  /** p(original) - p(occluded) per cell; NaN for cells outside the image. */
  values: Float32Array;
  base: number;
  /** Model-input rectangle the image occupies (letterbox). */
  content: { x0: number; y0: number; w: number; h: number };
}

export function occlusionCells(spec: InputSpec, imageW: number, imageH: number, rows: number, cols: number) {
  const { w, h, x0, y0 } = letterboxGeometry(imageW, imageH, spec.width, spec.height);
  const cells: SaliencyMap['cells'] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      cells.push({
        x0: x0 + Math.floor((c * w) / cols),
        x1: x0 + Math.floor(((c + 1) * w) / cols),
        y0: y0 + Math.floor((r * h) / rows),
        y1: y0 + Math.floor(((r + 1) * h) / rows),
      });
    }
  }
  return { cells, content: { x0, y0, w, h } };
}

/** The input with one rectangle painted over with the pad value. */
export function occlude(
  plane: Uint8Array,
  spec: InputSpec,
  cell: { x0: number; y0: number; x1: number; y1: number },
): Uint8Array {
  const out = plane.slice();
  for (let y = cell.y0; y < cell.y1; y++) out.fill(spec.pad, y * spec.width + cell.x0, y * spec.width + cell.x1);
  return out;
}

export async function occlusionSaliency(
  plane: Uint8Array,
  spec: InputSpec,
  imageW: number,
  imageH: number,
  predict: BatchPredictor,
  options: SaliencyOptions = {},
): Promise<SaliencyMap | null> {
  const rows = options.rows ?? 6;
  const cols = options.cols ?? 8;
  const batchSize = Math.max(1, options.batchSize ?? 8);
  const { cells, content } = occlusionCells(spec, imageW, imageH, rows, cols);
  const base = (await predict([plane]))[0]!;
  const values = new Float32Array(cells.length).fill(NaN);
  const todo = cells.map((c, i) => ({ c, i })).filter(({ c }) => c.x1 > c.x0 && c.y1 > c.y0);
  for (let k = 0; k < todo.length; k += batchSize) {
    if (options.signal?.aborted) return null;
    const chunk = todo.slice(k, k + batchSize);
    const probs = await predict(chunk.map(({ c }) => occlude(plane, spec, c)));
    chunk.forEach(({ i }, j) => (values[i] = base - probs[j]!));
    options.onProgress?.(Math.min(1, (k + chunk.length) / todo.length));
  }
  return { rows, cols, cells, values, base, content };
}

/**
 * An RGBA overlay the size of the original image: red where occluding raised the evidence for MI (positive
 * values), blue where it pointed to normal, transparent near zero. Colour scale is symmetric around 0 and
 * normalised to the largest |value| (at least `minScale`, so noise-level maps stay faint).
 */
export function saliencyOverlay(map: SaliencyMap, imageW: number, imageH: number, minScale = 0.02): RasterImage {
  let maxAbs = minScale;
  for (const v of map.values) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const data = new Uint8ClampedArray(imageW * imageH * 4);
  const { x0, y0, w, h } = map.content;
  for (let y = 0; y < imageH; y++) {
    // Image pixel -> model-input pixel -> cell.
    const my = y0 + ((y + 0.5) * h) / imageH;
    for (let x = 0; x < imageW; x++) {
      const mx = x0 + ((x + 0.5) * w) / imageW;
      const r = Math.min(map.rows - 1, Math.floor(((my - y0) / h) * map.rows));
      const c = Math.min(map.cols - 1, Math.floor(((mx - x0) / w) * map.cols));
      const v = map.values[r * map.cols + c]!;
      if (!Number.isFinite(v)) continue;
      const t = Math.max(-1, Math.min(1, v / maxAbs));
      const i = (y * imageW + x) * 4;
      if (t >= 0) {
        data[i] = 230;
        data[i + 1] = 40;
        data[i + 2] = 40;
      } else {
        data[i] = 40;
        data[i + 1] = 90;
        data[i + 2] = 230;
      }
      data[i + 3] = Math.round(Math.abs(t) * 150);
    }
  }
  return { width: imageW, height: imageH, channels: 4, data };
}
