/**
 * `npm run export-upright -- --split train|val [--out build/upright/shards] [--input 192x256] [--seed 53]`
 *
 * The training data of the sheet-upright model (src/lib/model/upright.ts): which way up is this EKG picture?
 * PTB-XL records of the split's folds (train: 1-8, val: 9) rendered by the TypeScript renderer in the wild family
 * and our earlier sheet styles (SOURCES), each shown in all four quarter turns: the turn that brings the sheet
 * upright is label 1, the three others label 0. A wild photo's sheet may already lie sideways or upside down in
 * its frame (the camera's base rotation, `uprightQuarterTurns`); every other style draws it upright. Shards in
 * the format of docs/CONTRACTS.md with the pseudo-style `sheet-upright`; each item's `variant` is its quarter turns
 * (clockwise) from the picture as rendered. Everything goes through `preprocess()` with the model's input spec, as
 * the browser will do.
 *
 * With `--negatives DIR` (training/gate_negatives.py's output) it writes SPLIT-negatives instead: the EKG check's
 * non-EKG pictures of that split (as they are and photographed by the wild camera, as `npm run eval:gate` forms
 * them), each in four quarter turns, all label 0: no turn of a text page or a chart is an upright EKG. Without
 * them the model turned text pages on their side, where lines of text look like rows of trace and the EKG check
 * took them for EKGs (held-out text pages let through: 5 of 188 -> 18).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { preprocess, type InputSpec } from '../src/lib/model/preprocess';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { turnClockwise } from '../src/lib/render/image';
import { mix32, mulberry32 } from '../src/lib/render/prng';
import { renderUprightTurns, renderWithInfo, type StyleName } from '../src/lib/render/index';
import type { RasterImage } from '../src/lib/render/types';
import { defineCli, parseCli } from './lib/cli';
import { decodeImageBytesNode } from './lib/decode-node';
import { negativeForm, NEGATIVE_ID_BASE, readNegatives } from './export-gate';
import { gitCommit } from './lib/git';
import { ensureRecords } from './lib/ptbxl-setup';
import { parseSize } from './lib/render-args';
import { itemSeed, selectRecords, SHARD_FORMAT } from './lib/render-export';
import { writeShards, type ShardItem } from './lib/shard-writer';

export const UPRIGHT_STYLE = 'sheet-upright';

/** Rendered pictures per style for the train split (each gives four items); val uses a fifth of each. */
export const SOURCES: ReadonlyArray<[StyleName, number]> = [
  ['wild-photo', 1600],
  ['wild-scan', 800],
  ['wild-printout', 800],
  ['photo', 300],
  ['printout', 300],
  ['dataset2', 200],
];

/** The non-EKG pictures' forms (export-gate negativeForm): as it is, and photographed by the wild camera. */
const NEGATIVE_FORMS = [0, 2] as const;

/** `variant`: clockwise quarter turns from the picture as rendered; `file`: a non-EKG picture under --negatives. */
interface Item extends ShardItem {
  /** the turns that make this picture upright (0 for every style but some wild photos; -1: not an EKG) */
  upright_turns: number;
  /** non-EKG pictures: their form (export-gate negativeForm) */
  form?: number;
}

export const EXPORT_UPRIGHT_CLI = defineCli({
  command: 'npm run export-upright --',
  summary: 'Training shards of the sheet-upright model: EKG renders in four quarter turns, the upright one labelled 1.',
  options: {
    split: { type: 'string', value: 'train|val', help: 'which split (required)' },
    out: {
      type: 'string',
      value: 'DIR',
      default: 'build/upright/shards',
      help: 'output folder (the split is a subfolder)',
    },
    input: { type: 'string', value: 'HxW', default: '192x256', help: 'model input size' },
    seed: { type: 'string', value: 'S', default: '53', help: 'seed of every choice' },
    'shard-size': { type: 'string', value: 'N', default: '1024', help: 'images per shard (a multiple of 4)' },
    pictures: { type: 'string', value: 'N', help: "pictures per style (default: SOURCES' counts, a fifth for val)" },
    negatives: {
      type: 'string',
      value: 'DIR',
      help: "only the EKG check's non-EKG pictures of the split (training/gate_negatives.py output), into SPLIT-negatives",
    },
  },
});

async function main(argv: string[]): Promise<void> {
  const { values } = parseCli(EXPORT_UPRIGHT_CLI, argv);
  const split = values.split;
  if (split !== 'train' && split !== 'val') throw new Error('--split must be train or val (fold 10 is never exported)');
  const { height, width } = parseSize('--input', values.input);
  const spec: InputSpec = { height, width, channels: 1, resize: 'letterbox-area', pad: 255 };
  const seed = Number(values.seed);
  const shardSize = Number(values['shard-size']);
  // a picture's four turns share a shard (the plane writer renders each picture once, at its first turn)
  if (!Number.isInteger(shardSize) || shardSize < 4 || shardSize % 4 !== 0)
    throw new Error(`--shard-size must be a multiple of 4, got ${values['shard-size']}`);
  const pictures = values.pictures === undefined ? null : Number(values.pictures);
  if (pictures !== null && !(Number.isInteger(pictures) && pictures > 0))
    throw new Error(`--pictures must be a positive integer, got ${values.pictures}`);
  const negDir = values.negatives;
  const out = path.resolve(values.out, negDir === undefined ? split : `${split}-negatives`);
  const folds = split === 'train' ? [1, 2, 3, 4, 5, 6, 7, 8] : [9];
  const fraction = split === 'train' ? 1 : 0.2;
  const dataDir = resolvePtbxlDir();
  const records = await loadLabelledRecords(dataDir);
  const sources: Array<{ ecg_id: number; fold: number; style: string; seed: number; file?: string; form?: number }> =
    [];
  // a non-EKG picture's id is its place in negatives.json (as export-gate numbers it); forms 0 and 2: as it is,
  // and photographed
  if (negDir !== undefined)
    readNegatives(negDir).forEach((n, k) => {
      if (n.split !== split) return;
      for (const form of NEGATIVE_FORMS)
        sources.push({
          ecg_id: NEGATIVE_ID_BASE + k,
          fold: folds[0]!,
          style: 'picture',
          seed: mix32(seed ^ (k * 131 + form)),
          file: n.file,
          form,
        });
    });
  for (const [style, n] of negDir === undefined ? SOURCES : []) {
    const chosen = selectRecords(records, {
      folds,
      limit: pictures ?? Math.round(n * fraction),
      seed: mix32(seed ^ n ^ style.length),
    });
    for (const r of chosen)
      sources.push({ ecg_id: r.ecgId, fold: r.stratFold, style, seed: itemSeed(r.ecgId, 0, style, seed) });
  }
  // shuffle the pictures (seeded) so every shard holds a mixture; a picture's four turns stay together, which
  // costs the training's shuffling nothing (it draws items across shards)
  const rng = mulberry32(seed ^ 0x9e3779b9);
  for (let i = sources.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [sources[i], sources[j]] = [sources[j]!, sources[i]!];
  }
  await ensureRecords(dataDir, [...new Set(sources.filter((s) => s.style !== 'picture').map((s) => s.ecg_id))], true);
  mkdirSync(out, { recursive: true });
  // each picture is rendered once; its four turns are cut from it
  const rendered = new Map<number, { image: RasterImage; upright: number }>();
  const placed: Item[] = [];
  sources.forEach((s, k) =>
    [0, 1, 2, 3].forEach((t) => {
      const i = k * 4 + t;
      placed.push({
        ...s,
        label: 0,
        variant: t,
        upright_turns: -1,
        shard: Math.floor(i / shardSize),
        index: i % shardSize,
      });
    }),
  );
  const shards = await writeShards(
    out,
    placed,
    height * width,
    async (it) => {
      const key = Math.floor((it.shard * shardSize + it.index) / 4);
      let r = rendered.get(key);
      if (r === undefined && it.style === 'picture') {
        rendered.clear();
        const decoded = await decodeImageBytesNode(new Uint8Array(readFileSync(path.join(negDir!, it.file!))));
        // no turn makes it an upright EKG
        r = { image: negativeForm(decoded.image, it.form!, it.seed), upright: -1 };
        rendered.set(key, r);
      }
      if (r === undefined) {
        rendered.clear();
        const sig = await readRecord(dataDir, it.ecg_id);
        const { images, info } = renderWithInfo(sig, { style: it.style as StyleName, seed: it.seed, ecgId: it.ecg_id });
        r = { image: images[0]!, upright: renderUprightTurns(info) };
        rendered.set(key, r);
      }
      it.upright_turns = r.upright;
      it.label = it.variant === r.upright ? 1 : 0;
      return preprocess(turnClockwise(r.image, it.variant), spec);
    },
    (done, total, s) => process.stderr.write(`[export-upright] ${split}: shard ${done}/${total} (${s.toFixed(0)} s)\n`),
  );
  const manifest = {
    format: SHARD_FORMAT,
    style: UPRIGHT_STYLE,
    task: 'sheet-upright',
    input: spec,
    planes: 1,
    count: placed.length,
    shards,
    items: placed,
    renderer: { name: 'heartnet-render, four quarter turns per picture', seed, sources: SOURCES },
    git_commit: gitCommit(),
  };
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest));
  const sideways = placed.filter((it) => it.variant === 0 && it.upright_turns > 0).length;
  console.log(
    `[export-upright] ${split}: ${placed.length} items (${sources.length} pictures, ${sideways} rendered turned) in ${shards.length} shards -> ${out}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`[export-upright] error: ${e.message}`);
    process.exit(1);
  });
}
