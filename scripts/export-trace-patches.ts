/**
 * `npm run export-trace-patches -- [--folds 1-8] [--records 1200] [--patches 8] [--size 96]
 *                                  [--styles wild-printout,wild-scan,wild-photo] [--out DIR] [--seed S]`
 *
 * The training data of the learned trace segmenter (training/segment_train.py): PTB-XL records drawn by the wild
 * renderer, which also hands out the exact pixels of every trace (renderWithInfo's `traceMask`), cut into square
 * patches. Half the patches are centred near a trace pixel, half anywhere (paper, grid, text, background), so
 * the network sees both what to mark and what to leave.
 *
 * Output (in the ignored build/ folder; renders of PTB-XL are never committed):
 * - `images.u8`: count x size x size x 3, the network's input (src/lib/digitise/segment-input.ts, the same
 *   conversion the browser runs);
 * - `masks.u8`: count x size x size, the trace's coverage 0..255;
 * - `manifest.json` (written last): `{ format: "heartnet-trace-patches/1", count, size, styles, folds, seed,
 *   items: [{ ecg_id, fold, style }], git_commit }`.
 * Fold 10 is refused: it is only ever measured.
 */
import { gitCommit } from './lib/git';
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { segmentInput } from '../src/lib/digitise/segment-input';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { mulberry32 } from '../src/lib/random';
import type { EcgSignals } from '../src/lib/ptbxl/types';
import { renderWithInfo, type StyleName } from '../src/lib/render/index';
import { ensureRecords } from './lib/ptbxl-setup';
import { defineCli, parseCli } from './lib/cli';
import { parseNumberArg, parseRangeList } from './lib/render-args';
import { itemSeed, selectRecords } from './lib/render-export';

export const TRACE_PATCHES_FORMAT = 'heartnet-trace-patches/1';
const WILD_STYLES = ['wild-printout', 'wild-scan', 'wild-photo'] as const;

export const EXPORT_TRACE_PATCHES_CLI = defineCli({
  command: 'npm run export-trace-patches --',
  summary: 'Wild renders of PTB-XL with their exact trace masks, cut into patches for training/segment_train.py.',
  options: {
    folds: { type: 'string', value: '1-8', default: '1-8', help: 'PTB-XL strat folds (never 10)' },
    records: { type: 'string', value: 'N', default: '1200', help: 'records drawn (seeded subset of the folds)' },
    patches: { type: 'string', value: 'K', default: '8', help: 'patches per image' },
    size: { type: 'string', value: 'PX', default: '96', help: 'patch side in pixels' },
    styles: { type: 'string', value: 'LIST', default: WILD_STYLES.join(','), help: 'wild styles, comma-separated' },
    out: { type: 'string', value: 'DIR', default: 'build/segment/train', help: 'output folder' },
    seed: { type: 'string', value: 'S', default: '0', help: 'seed of the subset, the renders and the patches' },
    data: { type: 'string', value: 'DIR', help: 'PTB-XL folder (default: data/ptb-xl)' },
  },
});

export interface TracePatchArgs {
  folds: number[];
  records: number;
  patches: number;
  size: number;
  styles: StyleName[];
  out: string;
  seed: number;
  data: string;
}

export function parseTracePatchArgs(argv: string[]): TracePatchArgs {
  const { values: v } = parseCli(EXPORT_TRACE_PATCHES_CLI, argv);
  const folds = parseRangeList('--folds', v.folds);
  if (folds.includes(10)) throw new Error('--folds: fold 10 is the test fold and is never exported for training');
  const styles = v.styles.split(',').map((s) => s.trim()) as StyleName[];
  for (const s of styles)
    if (!(WILD_STYLES as readonly string[]).includes(s))
      throw new Error(`--styles: ${s} has no trace mask; use ${WILD_STYLES.join(', ')}`);
  const size = parseNumberArg('--size', v.size, { min: 16, integer: true });
  return {
    folds,
    records: parseNumberArg('--records', v.records, { min: 1, integer: true }),
    patches: parseNumberArg('--patches', v.patches, { min: 1, integer: true }),
    size,
    styles,
    out: v.out,
    seed: parseNumberArg('--seed', v.seed, { min: 0, integer: true }),
    data: v.data ?? resolvePtbxlDir(),
  };
}

/** Top-left corners of `k` patches: even ones near a random trace pixel, odd ones anywhere. */
export function patchCorners(
  mask: Uint8Array,
  width: number,
  height: number,
  size: number,
  k: number,
  rand: () => number,
): Array<[number, number]> {
  const trace: number[] = [];
  for (let i = 0; i < mask.length; i += 7) if (mask[i]! >= 128) trace.push(i);
  const clamp = (v: number, hi: number) => Math.max(0, Math.min(hi, Math.round(v)));
  const out: Array<[number, number]> = [];
  for (let j = 0; j < k; j++) {
    if (j % 2 === 0 && trace.length > 0) {
      const i = trace[Math.floor(rand() * trace.length)]!;
      const cx = (i % width) + (rand() - 0.5) * size * 0.6;
      const cy = Math.floor(i / width) + (rand() - 0.5) * size * 0.6;
      out.push([clamp(cx - size / 2, width - size), clamp(cy - size / 2, height - size)]);
    } else {
      out.push([clamp(rand() * (width - size), width - size), clamp(rand() * (height - size), height - size)]);
    }
  }
  return out;
}

/** The `k` patches (RGB, mask) of one record drawn in `style` with seed `seed`; none when the image is smaller. */
export function recordPatches(
  signals: EcgSignals,
  ecgId: number,
  style: StyleName,
  seed: number,
  size: number,
  k: number,
  rand: () => number,
): Array<{ image: Uint8Array; mask: Uint8Array }> {
  const { images, traceMask } = renderWithInfo(signals, { style, seed, ecgId, traceMask: true });
  const img = images[0]!;
  if (!traceMask) throw new Error(`${style} gave no trace mask`);
  if (img.width < size || img.height < size) return [];
  const rgb = segmentInput(img);
  return patchCorners(traceMask, img.width, img.height, size, k, rand).map(([x0, y0]) => {
    const image = new Uint8Array(size * size * 3);
    const mask = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) {
      const row = (y0 + y) * img.width + x0;
      image.set(rgb.subarray(row * 3, (row + size) * 3), y * size * 3);
      mask.set(traceMask.subarray(row, row + size), y * size);
    }
    return { image, mask };
  });
}

export async function exportTracePatches(a: TracePatchArgs, log: (s: string) => void = () => {}): Promise<number> {
  const all = await loadLabelledRecords(a.data);
  const chosen = selectRecords(all, { folds: a.folds, limit: a.records, seed: a.seed });
  await ensureRecords(
    a.data,
    chosen.map((r) => r.ecgId),
    true,
  );
  mkdirSync(a.out, { recursive: true });
  const imgFile = path.join(a.out, 'images.u8');
  const maskFile = path.join(a.out, 'masks.u8');
  const fi = openSync(imgFile + '.tmp', 'w');
  const fm = openSync(maskFile + '.tmp', 'w');
  const items: Array<{ ecg_id: number; fold: number; style: string }> = [];
  const rand = mulberry32(a.seed ^ 0x5e6a);
  const t0 = Date.now();
  for (const [n, rec] of chosen.entries()) {
    const signals = await readRecord(a.data, rec.ecgId);
    for (const style of a.styles) {
      const seed = itemSeed(rec.ecgId, 0, style, a.seed);
      for (const p of recordPatches(signals, rec.ecgId, style, seed, a.size, a.patches, rand)) {
        writeSync(fi, p.image);
        writeSync(fm, p.mask);
        items.push({ ecg_id: rec.ecgId, fold: rec.stratFold, style });
      }
    }
    if ((n + 1) % 100 === 0)
      log(`[export-trace-patches] ${n + 1}/${chosen.length} records (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  closeSync(fi);
  closeSync(fm);
  renameSync(imgFile + '.tmp', imgFile);
  renameSync(maskFile + '.tmp', maskFile);
  const manifest = {
    format: TRACE_PATCHES_FORMAT,
    count: items.length,
    size: a.size,
    planes: 3,
    styles: a.styles,
    folds: a.folds,
    seed: a.seed,
    items,
    git_commit: gitCommit() ?? 'unknown',
  };
  writeFileSync(path.join(a.out, 'manifest.json'), JSON.stringify(manifest) + '\n');
  return items.length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const a = parseTracePatchArgs(process.argv.slice(2));
    const n = await exportTracePatches(a, (s) => process.stderr.write(s + '\n'));
    process.stderr.write(`[export-trace-patches] wrote ${n} patches of ${a.size} px to ${a.out}\n`);
  } catch (e) {
    process.stderr.write(`export-trace-patches: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
}
