/** Node-only: load a trace segmenter folder from disk and check it against the PyTorch logits in parity.json. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { useCpuBackend } from '../model/node-io';
import type { RasterImage } from '../render/types';
import {
  DIGITISER_POLICY,
  digitiseWith,
  loadSegmenter,
  segmentLogits,
  SegmenterError,
  type Segmenter,
  type SegmentPolicy,
} from './segment';

export const SEGMENT_PARITY_FORMAT = 'heartnet-segment-parity/1';

/** The segmenter the digitiser uses unless told otherwise (the scripts read it from here). */
export const SHIPPED_SEGMENTER_DIR = 'public/models/trace-seg';

export interface NodeDigitiser {
  read: (image: RasterImage) => ReturnType<typeof digitiseWith>;
  /** The segmenter's name, or null when the classical plane alone is used. */
  segmenter: string | null;
  policy: SegmentPolicy;
  dispose(): void;
}

/**
 * The digitiser as the scripts run it: with the segmenter in `dir` (default: the shipped one, when it is there;
 * 'none': the classical plane alone) under `policy` (default: the demo's, DIGITISER_POLICY).
 */
export async function nodeDigitiser(dir?: string, policy: SegmentPolicy = DIGITISER_POLICY): Promise<NodeDigitiser> {
  const use = dir ?? (existsSync(join(SHIPPED_SEGMENTER_DIR, 'metadata.json')) ? SHIPPED_SEGMENTER_DIR : 'none');
  if (use === 'none' || policy === 'classical') {
    return {
      read: (image) => digitiseWith(image, null, 'classical'),
      segmenter: null,
      policy: 'classical',
      dispose() {},
    };
  }
  const seg = await loadSegmenterFromDir(use);
  return {
    read: (image) => digitiseWith(image, seg, policy),
    segmenter: seg.meta.name,
    policy,
    dispose: () => seg.model.dispose(),
  };
}

export async function loadSegmenterFromDir(dir: string): Promise<Segmenter> {
  await useCpuBackend();
  return loadSegmenter(async (f) => {
    try {
      return new Uint8Array(await readFile(join(dir, f)));
    } catch (e) {
      throw new SegmenterError(`${join(dir, f)}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }, dir);
}

interface SegmentParityFile {
  format: string;
  shape: [number, number, number];
  tolerance: number;
  cases: { input: string; logits: string }[];
}

/** Runs the segmenter on parity.json's inputs (NCHW uint8) and returns the largest |TF.js - PyTorch| logit. */
export async function checkSegmenterParity(dir: string): Promise<{ maxDiff: number; tolerance: number; n: number }> {
  const seg = await loadSegmenterFromDir(dir);
  try {
    const pf = JSON.parse(await readFile(join(dir, 'parity.json'), 'utf8')) as SegmentParityFile;
    if (pf.format !== SEGMENT_PARITY_FORMAT)
      throw new SegmenterError(`${dir}/parity.json: format ${pf.format}, expected ${SEGMENT_PARITY_FORMAT}`);
    const [planes, h, w] = pf.shape;
    let maxDiff = 0;
    for (const c of pf.cases) {
      const nchw = new Uint8Array(inflateSync(Buffer.from(c.input, 'base64')));
      const rgb = new Uint8Array(h * w * planes);
      for (let p = 0; p < planes; p++) for (let i = 0; i < h * w; i++) rgb[i * planes + p] = nchw[p * h * w + i]!;
      const raw = Buffer.from(c.logits, 'base64');
      const want = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
      const got = segmentLogits(seg.model, rgb, w, h);
      for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
    }
    return { maxDiff, tolerance: pf.tolerance, n: pf.cases.length };
  } finally {
    seg.model.dispose();
  }
}
