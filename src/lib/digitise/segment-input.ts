/**
 * What the learned trace segmenter (training/segment_train.py, run by segment.ts) sees: the picture as RGB
 * bytes, height x width x 3, whatever the picture's channel count. The patch export that trains it
 * (scripts/export-trace-patches.ts) and the browser/Node inference both call this, so the two cannot drift.
 */
import type { RasterImage } from '../render/types';

export const SEGMENT_PLANES = 3;

export function segmentInput(image: RasterImage): Uint8Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  const out = new Uint8Array(n * 3);
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i]!;
  } else {
    // RGBA: alpha is dropped (always 255 in a RasterImage)
    for (let i = 0; i < n; i++) {
      out[3 * i] = data[4 * i]!;
      out[3 * i + 1] = data[4 * i + 1]!;
      out[3 * i + 2] = data[4 * i + 2]!;
    }
  }
  return out;
}
