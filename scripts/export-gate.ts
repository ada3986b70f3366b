/**
 * `npm run export-gate -- --split train|val [--out build/gate/shards] [--negatives build/gate/negatives]
 *                         [--input 192x256] [--seed 31]`
 *
 * The training data of the "is this a 12-lead EKG?" gate, in the shard format of docs/CONTRACTS.md with the
 * pseudo-style `ekg-gate` (items carry their own `style`):
 * - positives (label 1): PTB-XL records of the split's folds (train: 1-8, val: 9) rendered by the TypeScript
 *   renderer in the wild family and our earlier sheet styles (POSITIVES below gives how many of each);
 * - negatives (label 0): the pictures of `training/gate_negatives.py` whose split is this one, each in
 *   NEG_VARIANTS forms (as it is, a random crop, photographed by the wild camera, a photographed crop), plus
 *   single-lead images (dataset4: an EKG, but not a 12-lead one). Negative items get ecg_id 10,000,000 + k and
 *   the fold of the split (1 or 9), so the training code's fold checks hold.
 * Everything goes through `preprocess()` with the gate's input spec, as the browser will do. The test split
 * of the negatives is never exported: `npm run eval:gate` measures on it.
 */
import { gitCommit } from './lib/git';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { preprocess, type InputSpec } from '../src/lib/model/preprocess';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { mix32, mulberry32, subRng, uniform } from '../src/lib/render/prng';
import { Canvas } from '../src/lib/render/raster';
import { render, type StyleName } from '../src/lib/render/index';
import type { RasterImage } from '../src/lib/render/types';
import { drawCameraParams, photographSheet } from '../src/lib/render/wild/camera';
import { decodeImageBytesNode } from './lib/decode-node';
import { ensureRecords } from './lib/ptbxl-setup';
import { itemSeed, selectRecords } from './lib/render-export';
import { defineCli, parseCli } from './lib/cli';
import { parseSize } from './lib/render-args';
import { writeShards, type ShardItem } from './lib/shard-writer';

export const GATE_STYLE = 'ekg-gate';
export const NEGATIVE_ID_BASE = 10_000_000;

/** Positive renders per style, for the train split; val uses a fifth of each. */
export const POSITIVES: ReadonlyArray<[StyleName, number]> = [
  ['wild-photo', 1600],
  ['wild-scan', 1000],
  ['wild-printout', 1000],
  ['photo', 500],
  ['printout', 400],
  ['dataset2', 300],
  ['dataset3', 150],
  ['dataset1', 150],
];
/** Forms of each negative picture: train, val. */
const NEG_VARIANTS = { train: 4, val: 2 } as const;
const SINGLE_LEAD = { train: 400, val: 80 } as const;

export interface NegativeItem {
  file: string;
  source: string;
  kind: string;
  split: 'train' | 'val' | 'test';
}

export function readNegatives(dir: string): NegativeItem[] {
  const p = path.join(dir, 'negatives.json');
  if (!existsSync(p)) {
    throw new Error(
      `${p} is missing: make the negatives first (/usr/bin/python3 -m training.gate_negatives, training/README.md)`,
    );
  }
  return (JSON.parse(readFileSync(p, 'utf8')) as { items: NegativeItem[] }).items;
}

/** A random crop keeping 35-90% of each side. */
export function cropImage(img: RasterImage, seed: number): RasterImage {
  const r = subRng(seed, 'gate-crop');
  const w = Math.max(8, Math.round(img.width * uniform(r, 0.35, 0.9)));
  const h = Math.max(8, Math.round(img.height * uniform(r, 0.35, 0.9)));
  const x0 = Math.floor(uniform(r, 0, img.width - w));
  const y0 = Math.floor(uniform(r, 0, img.height - h));
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    data.set(img.data.subarray(((y + y0) * img.width + x0) * 4, ((y + y0) * img.width + x0 + w) * 4), y * w * 4);
  return { width: w, height: h, channels: 4, data };
}

/** The picture lying on a table, photographed by the wild camera (as a reader would photograph a page). */
export function photographPicture(img: RasterImage, seed: number): RasterImage {
  const ppm = 3;
  const cam = drawCameraParams(seed, [img.width / ppm, img.height / ppm], 1);
  cam.sheetPxPerMm = ppm;
  const sheet = new Canvas(img.width, img.height, 4, img.data.slice());
  return photographSheet(sheet, cam, seed).toImage();
}

/** Negative form `v`: 0 as it is, 1 cropped, 2 photographed, 3 photographed after a crop. */
export function negativeForm(img: RasterImage, v: number, seed: number): RasterImage {
  if (v % 4 === 0) return img;
  if (v % 4 === 1) return cropImage(img, seed);
  if (v % 4 === 2) return photographPicture(img, seed);
  return photographPicture(cropImage(img, seed), seed);
}

interface Item extends ShardItem {
  source: string;
}

export const EXPORT_GATE_CLI = defineCli({
  command: 'npm run export-gate --',
  summary:
    'Training shards of the "is this a 12-lead EKG?" gate: PTB-XL renders (label 1) and non-EKG pictures (label 0).',
  options: {
    split: { type: 'string', value: 'train|val', help: 'which split (required)' },
    out: {
      type: 'string',
      value: 'DIR',
      default: 'build/gate/shards',
      help: 'output folder (the split is a subfolder)',
    },
    negatives: {
      type: 'string',
      value: 'DIR',
      default: 'build/gate/negatives',
      help: 'training/gate_negatives.py output',
    },
    input: { type: 'string', value: 'HxW', default: '192x256', help: 'model input size' },
    seed: { type: 'string', value: 'S', default: '31', help: 'seed of every choice' },
    'shard-size': { type: 'string', value: 'N', default: '1024', help: 'images per shard' },
    extra: {
      type: 'boolean',
      default: false,
      help: 'only wild photos and scans (EXTRA), into SPLIT-extra: more crumpled, folded and photographed sheets',
    },
  },
});

/** `--extra`: wild photo and scan renders only (a second set drawn with its own seed), train counts (val a fifth). */
export const EXTRA: ReadonlyArray<[StyleName, number]> = [
  ['wild-photo', 1500],
  ['wild-scan', 1000],
];

async function main(argv: string[]): Promise<void> {
  const { values } = parseCli(EXPORT_GATE_CLI, argv);
  const split = values.split;
  if (split !== 'train' && split !== 'val')
    throw new Error('--split must be train or val (the test split is only measured: npm run eval:gate)');
  const { height, width } = parseSize('--input', values.input);
  const spec: InputSpec = { height, width, channels: 1, resize: 'letterbox-area', pad: 255 };
  const seed = Number(values.seed);
  const shardSize = Number(values['shard-size']);
  const extra = values.extra === true;
  const out = path.resolve(values.out, extra ? `${split}-extra` : split);
  const folds = split === 'train' ? [1, 2, 3, 4, 5, 6, 7, 8] : [9];
  const fraction = split === 'train' ? 1 : 0.2;
  const dataDir = resolvePtbxlDir();
  const records = await loadLabelledRecords(dataDir);
  const items: Array<Omit<Item, 'shard' | 'index'>> = [];
  for (const [style, n] of extra ? EXTRA : POSITIVES) {
    const chosen = selectRecords(records, {
      folds,
      limit: Math.round(n * fraction),
      seed: mix32(seed ^ n ^ (style.length * 7919)),
    });
    for (const r of chosen)
      items.push({
        ecg_id: r.ecgId,
        fold: r.stratFold,
        label: 1,
        style,
        seed: itemSeed(r.ecgId, 0, style, seed),
        variant: 0,
        source: style,
      });
  }
  const single = extra ? [] : selectRecords(records, { folds, limit: SINGLE_LEAD[split], seed: mix32(seed ^ 0x5eed) });
  for (const r of single)
    items.push({
      ecg_id: r.ecgId,
      fold: r.stratFold,
      label: 0,
      style: 'dataset4',
      seed: itemSeed(r.ecgId, 0, 'dataset4', seed),
      variant: 0,
      source: 'single-lead',
    });
  // a picture's id is its place in the whole list (no picture has the same id in two splits); its forms' seeds
  // come from its place within the split
  let local = 0;
  (extra ? [] : readNegatives(values.negatives)).forEach((n, k) => {
    if (n.split !== split) return;
    for (let v = 0; v < NEG_VARIANTS[split]; v++) {
      items.push({
        ecg_id: NEGATIVE_ID_BASE + k,
        fold: folds[0]!,
        label: 0,
        style: 'picture',
        seed: mix32(seed ^ (local * 131 + v)),
        variant: v,
        source: n.source,
        file: n.file,
      });
    }
    local++;
  });
  // shuffle so every shard holds a mixture (seeded)
  const rng = mulberry32(seed ^ 0x9e3779b9);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  const placed: Item[] = items.map((it, k) => ({ ...it, shard: Math.floor(k / shardSize), index: k % shardSize }));
  await ensureRecords(
    dataDir,
    [...new Set(placed.filter((it) => it.style !== 'picture').map((it) => it.ecg_id))],
    true,
  );
  mkdirSync(out, { recursive: true });
  const shards = await writeShards(
    out,
    placed,
    height * width,
    async (it) => {
      let img: RasterImage;
      if (it.style === 'picture') {
        const decoded = (
          await decodeImageBytesNode(new Uint8Array(readFileSync(path.join(values.negatives, it.file!))))
        ).image;
        img = negativeForm(decoded, it.variant, it.seed);
      } else {
        const sig = await readRecord(dataDir, it.ecg_id);
        const imgs = render(sig, { style: it.style as StyleName, seed: it.seed, ecgId: it.ecg_id });
        img = it.style === 'dataset4' ? imgs[it.seed % 12]! : imgs[0]!;
      }
      return preprocess(img, spec);
    },
    (done, total, sec) =>
      process.stderr.write(`[export-gate] ${split}: shard ${done}/${total} (${sec.toFixed(0)} s)\n`),
  );
  const nShards = shards.length;
  const commit = gitCommit();
  const manifest = {
    format: 'heartnet-shards/1',
    style: GATE_STYLE,
    task: 'ekg-gate',
    input: spec,
    planes: 1,
    count: placed.length,
    shards,
    items: placed,
    renderer: { name: 'heartnet-render + gate negatives', seed, positives: POSITIVES, negatives: values.negatives },
    git_commit: commit,
  };
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest));
  const pos = placed.filter((it) => it.label === 1).length;
  console.log(
    `[export-gate] ${split}: ${placed.length} items (${pos} EKG, ${placed.length - pos} not) in ${nShards} shards -> ${out}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`[export-gate] error: ${e.message}`);
    process.exit(1);
  });
}
