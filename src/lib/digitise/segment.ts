/**
 * The learned trace segmenter (training/segment_train.py; a folder such as public/models/trace-seg): a small
 * fully convolutional network that marks the pixels drawn in the trace's ink (traces, calibration pulses,
 * separators) and leaves grid, text, stains and background. It was trained on our wild renders, whose renderer
 * hands out those exact pixels. Its output becomes the ink plane the digitiser reads (digitise(image, { ink })):
 * 0 where the network is sure of trace, 255 where it is sure of paper, so the rest of the digitiser (threshold,
 * rows, pulses, reading) runs on it unchanged.
 *
 * Browser and Node alike: the folder's files are read through the `read` function the caller passes (fetch in
 * the page, the file system in Node).
 */
import * as tf from '@tensorflow/tfjs';
import type { RasterImage } from '../render/types';
import { digitise, DigitiseError, type DigitiseResult } from './index';
import type { Plane } from './planes';
import { SEGMENT_PLANES, segmentInput } from './segment-input';

export const SEGMENTER_KIND = 'trace-segmenter';
/** Pictures larger than this (long side, px) are segmented at an integer fraction of their size. */
export const SEGMENT_MAX_SIDE = 1400;

export interface SegmenterMetadata {
  kind: typeof SEGMENTER_KIND;
  name: string;
  version: number;
  input: { planes: 3; any_size: true; receptive_field_px: number };
  threshold_logit: number;
  params: number;
  weights_bytes: number;
  fold9_pixels: { precision: number; recall: number; f1: number; iou: number };
  git_commit: string | null;
}

export class SegmenterError extends Error {
  override name = 'SegmenterError';
}

export function validateSegmenterMetadata(value: unknown, where = 'metadata.json'): SegmenterMetadata {
  const m = value as Partial<SegmenterMetadata> | null;
  if (!m || typeof m !== 'object') throw new SegmenterError(`${where}: not a JSON object`);
  if (m.kind !== SEGMENTER_KIND)
    throw new SegmenterError(`${where}: kind ${String(m.kind)}, expected ${SEGMENTER_KIND}`);
  if (m.input?.planes !== SEGMENT_PLANES || m.input.any_size !== true)
    throw new SegmenterError(`${where}: input must be ${SEGMENT_PLANES} planes of any size`);
  if (typeof m.threshold_logit !== 'number' || !Number.isFinite(m.threshold_logit))
    throw new SegmenterError(`${where}: threshold_logit must be a number`);
  if (typeof m.weights_bytes !== 'number') throw new SegmenterError(`${where}: weights_bytes missing`);
  return m as SegmenterMetadata;
}

export interface Segmenter {
  model: tf.LayersModel;
  meta: SegmenterMetadata;
}

/** Loads a segmenter folder: metadata.json (checked first), model.json and its weights. */
export async function loadSegmenter(read: (file: string) => Promise<Uint8Array>, where: string): Promise<Segmenter> {
  const json = async (f: string): Promise<unknown> => {
    const bytes = await read(f);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (e) {
      throw new SegmenterError(`${where}/${f}: invalid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  };
  const meta = validateSegmenterMetadata(await json('metadata.json'), `${where}/metadata.json`);
  const mj = (await json('model.json')) as {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!mj.modelTopology || !Array.isArray(mj.weightsManifest))
    throw new SegmenterError(`${where}/model.json: not a TF.js layers model`);
  const parts = await Promise.all(mj.weightsManifest.flatMap((g) => g.paths).map(read));
  const weightData = new Uint8Array(parts.reduce((s, b) => s + b.length, 0));
  let off = 0;
  for (const p of parts) {
    weightData.set(p, off);
    off += p.length;
  }
  if (weightData.length !== meta.weights_bytes)
    throw new SegmenterError(
      `${where}: weights are ${weightData.length} bytes, metadata.json says ${meta.weights_bytes}`,
    );
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: mj.modelTopology,
      weightSpecs: mj.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer,
    }),
  );
  const shape = model.inputs[0]?.shape;
  if (JSON.stringify(shape) !== JSON.stringify([null, null, null, SEGMENT_PLANES])) {
    model.dispose();
    throw new SegmenterError(`${where}: model input ${JSON.stringify(shape)}; expected [null,null,null,3]`);
  }
  return { model, meta };
}

/** Per-pixel logits (H x W) of RGB bytes (H x W x 3). */
export function segmentLogits(model: tf.LayersModel, rgb: Uint8Array, width: number, height: number): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(rgb), [1, height, width, SEGMENT_PLANES]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** RGB bytes shrunk by an integer factor k (box average). */
function shrinkRgb(rgb: Uint8Array, w: number, h: number, k: number): { rgb: Uint8Array; w: number; h: number } {
  const W = Math.floor(w / k);
  const H = Math.floor(h / k);
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        let s = 0;
        for (let dy = 0; dy < k; dy++)
          for (let dx = 0; dx < k; dx++) s += rgb[((y * k + dy) * w + x * k + dx) * 3 + c]!;
        out[(y * W + x) * 3 + c] = Math.round(s / (k * k));
      }
    }
  }
  return { rgb: out, w: W, h: H };
}

/**
 * The ink plane of `image` as the segmenter sees it, the picture's own size: 255 * (1 - p(trace)), the
 * threshold logit mapped to 127.5. Large pictures are segmented shrunk (SEGMENT_MAX_SIDE) and the plane is
 * scaled back up (bilinear).
 */
export function segmentInk(seg: Segmenter, image: RasterImage): Plane {
  const { width, height } = image;
  const k = Math.max(1, Math.ceil(Math.max(width, height) / SEGMENT_MAX_SIDE));
  let rgb = segmentInput(image);
  let w = width;
  let h = height;
  if (k > 1) ({ rgb, w, h } = shrinkRgb(rgb, width, height, k));
  const z = segmentLogits(seg.model, rgb, w, h);
  const t = seg.meta.threshold_logit;
  const small = new Float32Array(w * h);
  for (let i = 0; i < small.length; i++) small[i] = 255 / (1 + Math.exp(z[i]! - t));
  const out: Plane = { width, height, data: small };
  if (k === 1) return out;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) / k - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) / k - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const a = small[y0 * w + x0]! * (1 - tx) + small[y0 * w + x1]! * tx;
      const b = small[y1 * w + x0]! * (1 - tx) + small[y1 * w + x1]! * tx;
      data[y * width + x] = a * (1 - ty) + b * ty;
    }
  }
  return { width, height, data };
}

/**
 * How a picture is read when a segmenter is at hand:
 * - 'classical': the ink plane chosen from the picture's colours (no network);
 * - 'learned': the segmenter's ink plane;
 * - 'fallback': classical, and the segmenter's plane only where the classical reading fails;
 * - 'best': both, keeping the reading whose leads were found over more of their width (mean lead confidence).
 */
export const SEGMENT_POLICIES = ['classical', 'learned', 'fallback', 'best'] as const;
export type SegmentPolicy = (typeof SEGMENT_POLICIES)[number];
/**
 * The digitiser's policy wherever it runs (demo, CLI, evaluations). Chosen on fold 9 and the kit pages: the learned
 * plane alone lost the calibration pulses (a vertical stroke looks like a grid line to it) and read our printouts at
 * -0.4 dB against 21 dB, and 'best' picked it too often; as a fallback it reads pages the classical plane cannot
 * (fold-9 wild photos 4 -> 13 of 50) and leaves every other reading as it was.
 */
export const DIGITISER_POLICY: SegmentPolicy = 'fallback';

const meanConfidence = (r: DigitiseResult): number => {
  const v = Object.values(r.readout.confidence);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
};

/** Reads `image` under `policy` (a segmenter is needed for every policy but 'classical'); `reader` says whose
 * ink plane the reading came from. */
export function digitiseWith(
  image: RasterImage,
  seg: Segmenter | null,
  policy: SegmentPolicy,
): DigitiseResult & { reader: 'classical' | 'learned' } {
  if (policy === 'classical') return { ...digitise(image), reader: 'classical' };
  if (!seg) throw new SegmenterError(`policy ${policy} needs a trace segmenter`);
  const learned = () => {
    const t0 = performance.now();
    const r = digitise(image, { ink: segmentInk(seg, image) });
    return { ...r, ms: performance.now() - t0, reader: 'learned' as const };
  };
  if (policy === 'learned') return learned();
  let classical: DigitiseResult | null = null;
  let failure: unknown = null;
  try {
    classical = digitise(image);
  } catch (e) {
    if (!(e instanceof DigitiseError)) throw e;
    failure = e;
  }
  if (classical && policy === 'fallback') return { ...classical, reader: 'classical' };
  let other: ReturnType<typeof learned> | null = null;
  try {
    other = learned();
  } catch (e) {
    if (!(e instanceof DigitiseError)) throw e;
    if (!classical) throw failure as Error;
  }
  if (!classical) return other!;
  if (other && meanConfidence(other) > meanConfidence(classical)) return other;
  return { ...classical, reader: 'classical' };
}
