import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { synthRecord } from '../../scripts/export-signals';
import { patchCorners, recordPatches, TRACE_PATCHES_FORMAT } from '../../scripts/export-trace-patches';
import {
  DIGITISER_POLICY,
  digitiseWith,
  segmentInk,
  SegmenterError,
  SEGMENT_MAX_SIDE,
} from '../../src/lib/digitise/segment';
import { segmentInput } from '../../src/lib/digitise/segment-input';
import { checkSegmenterParity, loadSegmenterFromDir, nodeDigitiser } from '../../src/lib/digitise/segment-node';
import { mulberry32 } from '../../src/lib/random';
import { renderWithInfo } from '../../src/lib/render/index';
import type { RasterImage } from '../../src/lib/render/types';

const SHIPPED = 'public/models/trace-seg';

describe('what the segmenter sees', () => {
  it('segmentInput gives RGB bytes from grey and RGBA pictures', () => {
    const grey: RasterImage = { width: 2, height: 1, channels: 1, data: new Uint8ClampedArray([10, 200]) };
    expect([...segmentInput(grey)]).toEqual([10, 10, 10, 200, 200, 200]);
    const rgba: RasterImage = {
      width: 2,
      height: 1,
      channels: 4,
      data: new Uint8ClampedArray([1, 2, 3, 255, 4, 5, 6, 255]),
    };
    expect([...segmentInput(rgba)]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('training data: the wild renderer trace-ink mask and the patches cut from it', () => {
  const signals = synthRecord(3, true);

  it('the mask holds the calibration pulse (drawn in the trace ink left of the first lead), not only the traces', () => {
    // a seed whose sheet prints the pulse on the left and is not cropped
    let found = false;
    for (let seed = 1; seed < 60 && !found; seed++) {
      const { info, traceMask, images } = renderWithInfo(signals, { style: 'wild-printout', seed, traceMask: true });
      const w = info.wild!;
      if (w.sheet.calibration !== 'left' || w.crop) continue;
      found = true;
      const img = images[0]!;
      const first = w.sheet.panels[0]!;
      const x0 = Math.floor(first.x0Mm * w.pxPerMm) - 2;
      const base = Math.round(first.baselineMm * w.pxPerMm);
      const top = Math.round(base - (w.sheet.mmPerMv + 2) * w.pxPerMm);
      let ink = 0;
      for (let y = Math.max(0, top); y <= base + 2; y++)
        for (let x = Math.max(0, x0 - Math.round(12 * w.pxPerMm)); x < x0; x++)
          if (traceMask![y * img.width + x]! >= 128) ink++;
      // two edges and a roof, 1 mV tall: far more than a few stray pixels
      expect(ink).toBeGreaterThan(2 * w.sheet.mmPerMv * w.pxPerMm);
    }
    expect(found).toBe(true);
  });

  it('patches line up with the picture: masked pixels are the dark ones', () => {
    const rand = mulberry32(7);
    const patches = recordPatches(signals, 1, 'wild-printout', 11, 64, 6, rand);
    expect(patches).toHaveLength(6);
    let inkSum = 0;
    let inkN = 0;
    let paperSum = 0;
    let paperN = 0;
    for (const p of patches) {
      expect(p.image.length).toBe(64 * 64 * 3);
      for (let i = 0; i < p.mask.length; i++) {
        const luma = (p.image[3 * i]! + p.image[3 * i + 1]! + p.image[3 * i + 2]!) / 3;
        if (p.mask[i]! >= 200) {
          inkSum += luma;
          inkN++;
        } else if (p.mask[i] === 0) {
          paperSum += luma;
          paperN++;
        }
      }
    }
    expect(inkN).toBeGreaterThan(50);
    expect(inkSum / inkN).toBeLessThan(paperSum / paperN - 60);
  });

  it('patchCorners stay inside the picture, and the even ones sit on the trace', () => {
    const w = 300;
    const h = 200;
    const mask = new Uint8Array(w * h);
    for (let x = 0; x < w; x++) mask[100 * w + x] = 255; // one horizontal trace
    const corners = patchCorners(mask, w, h, 48, 10, mulberry32(1));
    for (const [k, [x, y]] of corners.entries()) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x + 48).toBeLessThanOrEqual(w);
      expect(y + 48).toBeLessThanOrEqual(h);
      if (k % 2 === 0) expect(y <= 100 && 100 < y + 48).toBe(true);
    }
  });
});

describe('digitiseWith policies', () => {
  it('every policy but classical needs a segmenter', () => {
    const img: RasterImage = { width: 4, height: 4, channels: 1, data: new Uint8ClampedArray(16).fill(255) };
    expect(() => digitiseWith(img, null, 'learned')).toThrow(SegmenterError);
    expect(() => digitiseWith(img, null, 'best')).toThrow(SegmenterError);
  });
});

const PY = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;

/** A tiny patch set: grey paper, a grid, and a dark wavy line whose pixels are the mask. */
function writeTinyPatches(dir: string, folds: number[], n: number, size = 32): void {
  const img = new Uint8Array(n * size * size * 3);
  const mask = new Uint8Array(n * size * size);
  const rand = mulberry32(n + folds[0]!);
  for (let k = 0; k < n; k++) {
    const y0 = 8 + rand() * 16;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = k * size * size + y * size + x;
        const grid = x % 5 === 0 || y % 5 === 0;
        const line = Math.abs(y - (y0 + 4 * Math.sin(x / 3 + k))) < 1;
        const v = line ? 30 : grid ? 190 : 240;
        img[3 * i] = line ? v : 250;
        img[3 * i + 1] = v;
        img[3 * i + 2] = v;
        mask[i] = line ? 255 : 0;
      }
    }
  }
  writeFileSync(join(dir, 'images.u8'), img);
  writeFileSync(join(dir, 'masks.u8'), mask);
  const items = Array.from({ length: n }, (_, k) => ({ ecg_id: k + 1, fold: folds[k % folds.length]!, style: 'tiny' }));
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ format: TRACE_PATCHES_FORMAT, count: n, size, planes: 3, styles: ['tiny'], folds, items }),
  );
}

describe.skipIf(!hasTorch)('segmenter training: PyTorch -> TF.js', () => {
  it('segment_train trains, exports a model TF.js runs at any size with the PyTorch logits, and refuses fold 10', async () => {
    const root = mkdtempSync(join(tmpdir(), 'seg-'));
    const train = join(root, 'train');
    const val = join(root, 'val');
    const bad = join(root, 'bad');
    for (const d of [train, val, bad]) mkdirSync(d);
    writeTinyPatches(train, [1, 2, 3], 64);
    writeTinyPatches(val, [9], 16);
    writeTinyPatches(bad, [9, 10], 16);
    const out = join(root, 'model');
    const args = ['-m', 'training.segment_train', '--train', train, '--val', val, '--out', out];
    const r = spawnSync(PY, [...args, '--log', join(root, 'log.json'), '--max-steps', '60', '--eval-every', '30'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
    });
    expect(r.status, r.stderr).toBe(0);
    const p = await checkSegmenterParity(out);
    expect(p.n).toBe(2);
    expect(p.maxDiff).toBeLessThan(p.tolerance);
    const log = JSON.parse(readFileSync(join(root, 'log.json'), 'utf8')) as {
      history: unknown[];
      model: { kind: string };
    };
    expect(log.model.kind).toBe('trace-segmenter');
    expect(log.history.length).toBeGreaterThanOrEqual(2);
    // a training set holding fold 10 (or a validation set holding anything but 9) is refused
    const b = spawnSync(PY, ['-m', 'training.segment_train', '--train', bad, '--val', val, '--out', join(root, 'x')], {
      encoding: 'utf8',
    });
    expect(b.status).not.toBe(0);
    expect(b.stderr + b.stdout).toMatch(/folds \[9, 10\]/);
    // any picture size, large ones shrunk and scaled back: the ink plane is the picture's own size
    const seg = await loadSegmenterFromDir(out);
    try {
      const before = tf.memory().numTensors;
      const big: RasterImage = {
        width: SEGMENT_MAX_SIDE + 37,
        height: 301,
        channels: 4,
        data: new Uint8ClampedArray((SEGMENT_MAX_SIDE + 37) * 301 * 4).fill(255),
      };
      const ink = segmentInk(seg, big);
      expect([ink.width, ink.height]).toEqual([big.width, big.height]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      seg.model.dispose();
    }
    // a classifier's folder is not a segmenter
    await expect(loadSegmenterFromDir('tests/fixtures/model/signal')).rejects.toThrow(/kind/);
  }, 180_000);
});

describe.skipIf(!existsSync(join(SHIPPED, 'parity.json')))('the shipped segmenter', () => {
  it('TF.js gives the PyTorch logits on its parity inputs', async () => {
    const p = await checkSegmenterParity(SHIPPED);
    expect(p.maxDiff).toBeLessThan(p.tolerance);
  });

  it('the scripts read pictures as the demo does (fallback), unless told none', async () => {
    const shipped = await nodeDigitiser();
    expect([shipped.segmenter, shipped.policy]).toEqual(['trace-seg', DIGITISER_POLICY]);
    shipped.dispose();
    const none = await nodeDigitiser('none');
    expect([none.segmenter, none.policy]).toEqual([null, 'classical']);
    // our printout is read by the classical plane under the fallback policy: the segmenter is not even run
    const signals = synthRecord(5, false);
    const img = renderWithInfo(signals, { style: 'printout', seed: 1 }).images[0]!;
    const seg = await nodeDigitiser();
    try {
      expect(seg.read(img).reader).toBe('classical');
    } finally {
      seg.dispose();
    }
  });
});
