/**
 * `npm run eval -- --model public/models/NAME --fold 10 --style printout [--limit N] [--seed S]
 *                  [--backend wasm|cpu (default wasm: ~20x faster than the pure-JS cpu backend)] [--batch 16] [--bootstrap 1000] [--out FILE] [--allow-any-fold]`
 *
 * `--model digitise+public/models/signal-3x4r` scores the digitise + signal-classifier pipeline instead (issue 12):
 * the same renders, read back into signals, written as data/eval/digitise-signal-3x4r.STYLE.json.
 *
 * The only source of the model figures on the site. Renders every labelled record of the PTB-XL fold with
 * the TypeScript renderer (seed per record = the exporter's itemSeed(ecg_id, variant 0, style, S), S = --seed,
 * default 0: the very images `npm run export-images -- --folds 10 --seed S` would write),
 * preprocesses with src/lib/model/preprocess.ts using the model's metadata input spec (src/lib/model/example.ts, as
 * export-images: dataset4's 12 lead images become a 12-plane example for a 12-plane model), runs the exported
 * TF.js model in Node, and writes data/eval/NAME.STYLE.json (NAME.STYLE-nN.json with --limit) plus one JSON
 * line on stdout (ROC/PR start at threshold 1 = nothing called MI), with `subgroups`: the same figures by sex and
 * age band (scripts/lib/subgroups.ts) for the model card. The decision threshold is the model's own (chosen on fold 9); nothing is tuned here.
 * Folds: 10 (test) or 9 (validation); any other needs --allow-any-fold (those records were trained on).
 */
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../src/lib/errors';
import { exampleFromImages, planeNames, planesForStyle } from '../src/lib/model/example';
import { loadModelFromDir, useBackend } from '../src/lib/model/node-io';
import { predictProbabilities } from '../src/lib/model/run';
import type { LabelledRecord } from '../src/lib/ptbxl/database';
import { readRecord } from '../src/lib/ptbxl/node';
import { render, STYLE_NAMES, type StyleName } from '../src/lib/render/index';
import { defineCli, parseCli } from './lib/cli';
import {
  evalDoc,
  evalOptions,
  foldRecords,
  parseEvalCommon,
  pickRecords,
  writeEval,
  type EvalCommonArgs,
  type ScoredRun,
} from './lib/eval-common';
import { itemSeed } from './lib/render-export';
import type { ScoredRecord } from './lib/subgroups';
import { pipelineModelName } from '../src/lib/digitise/pipeline-name';
import { inputFromReadout } from '../src/lib/signal/windows';
import * as cache from './lib/readout-cache';
import { gitCommit } from './lib/git';

export { pickRecords };

export class EvalError extends Error {
  override name = 'EvalError';
}

export interface EvalArgs extends EvalCommonArgs {
  style: StyleName;
  /** pipeline only: where the digitised input rows are kept (scripts/lib/readout-cache.ts) */
  readouts?: string;
}

export const EVAL_CLI = defineCli({
  command: 'npm run eval --',
  summary:
    'Renders every labelled record of a PTB-XL fold, runs the exported model in Node and writes data/eval/NAME.STYLE.json.',
  options: {
    ...evalOptions(16),
    style: { type: 'string', value: 'STYLE', default: 'dataset2', help: `rendering style: ${STYLE_NAMES.join(', ')}` },
    readouts: {
      type: 'string',
      value: 'FILE',
      help: 'digitise+ models only: keep the readings in FILE(.json, .f32) under build/, and take them from there when the digitiser, style, seed and records are unchanged',
    },
  },
  error: (m) => new EvalError(m),
});

export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values: v } = parseCli(EVAL_CLI, argv);
  const fail = (m: string) => new EvalError(m);
  const common = parseEvalCommon(
    v,
    fail,
    'usage: npm run eval -- --model public/models/NAME --fold 10 --style printout',
  );
  const style = v.style as StyleName;
  if (!STYLE_NAMES.includes(style))
    throw new EvalError(`--style must be one of ${STYLE_NAMES.join(', ')}, got ${style}`);
  if (v.readouts !== undefined && !common.model.startsWith(PIPELINE_PREFIX))
    throw new EvalError(`--readouts keeps a digitiser's readings: only for --model ${PIPELINE_PREFIX}DIR`);
  return { ...common, style, ...(v.readouts !== undefined ? { readouts: v.readouts } : {}) };
}

/** The model, checked against what the style renders (planes, their names). */
async function loadEvalModel(args: EvalArgs) {
  await useBackend(args.backend);
  const loaded = await loadModelFromDir(args.model);
  const { model, meta } = loaded;
  const planes = planesForStyle(args.style);
  const refuse = (msg: string): never => {
    model.dispose();
    throw new EvalError(msg);
  };
  if (planes !== meta.planes) {
    refuse(`style ${args.style} gives ${planes} image(s) per record, model ${meta.name} takes ${meta.planes}`);
  }
  const names = planeNames(planes).join(',');
  if (meta.plane_names && meta.plane_names.join(',') !== names) {
    refuse(`model ${meta.name} takes planes ${meta.plane_names.join(',')}; the ${args.style} render gives ${names}`);
  }
  return { ...loaded, planes };
}

/**
 * Renders (seed per record = the exporter's itemSeed(ecg_id, variant 0, style, --seed)), preprocesses and scores
 * every record in batches.
 */
async function scoreRecords(
  args: EvalArgs,
  m: Awaited<ReturnType<typeof loadEvalModel>>,
  dir: string,
  records: LabelledRecord[],
): Promise<ScoredRun> {
  const scored: ScoredRecord[] = [];
  const t0 = Date.now();
  let renderMs = 0;
  for (let a = 0; a < records.length; a += args.batch) {
    const chunk = records.slice(a, a + args.batch);
    const xs: Uint8Array[] = [];
    const r0 = Date.now();
    for (const r of chunk) {
      let signals;
      try {
        signals = await readRecord(dir, r.ecgId);
      } catch (e) {
        throw new EvalError(`${errorMessage(e)} (restore fold ${args.fold}: npm run setup -- --all)`);
      }
      const seed = itemSeed(r.ecgId, 0, args.style, args.seed);
      const imgs = render(signals, { style: args.style, seed, ecgId: r.ecgId });
      // export-images builds its shards with the same function: dataset4's 12 lead images -> 12 planes
      xs.push(exampleFromImages(imgs, m.meta.input, m.planes, signals.leadNames));
    }
    renderMs += Date.now() - r0;
    const probs = predictProbabilities(m.model, m.meta, xs, args.batch);
    chunk.forEach((r, i) =>
      scored.push({ ecgId: r.ecgId, label: r.mi ? 1 : 0, score: probs[i]!, sex: r.sex, age: r.age }),
    );
    if ((a / args.batch) % 10 === 0) {
      const s = ((Date.now() - t0) / 1000).toFixed(0);
      process.stderr.write(`[eval] ${Math.min(a + args.batch, records.length)}/${records.length} (${s} s)\n`);
    }
  }
  return { scored, seconds: (Date.now() - t0) / 1000, prepSeconds: renderMs / 1000 };
}

/** `--model digitise+DIR`: the digitiser (src/lib/digitise) reads the rendered picture, the signal classifier in DIR scores it. */
export const PIPELINE_PREFIX = 'digitise+';

/**
 * The digitise + signal pipeline as a model: every record rendered as for an image model, read back into signals
 * by the digitiser and scored by the signal classifier at its own threshold (fold 9, true signals). A picture the
 * digitiser cannot read is scored as an empty readout (the classifier sees nothing), so every record counts; the
 * file lists those pictures (`unread_ecg_ids`), so that eval:combined can give them the image reading alone, as the
 * demo's combined verdict does.
 */
async function runPipelineEval(args: EvalArgs) {
  const { loadSignalModelFromDir } = await import('../src/lib/signal/node-io');
  const { predictSignalProbabilities } = await import('../src/lib/signal/model');
  await useBackend(args.backend);
  const sig = await loadSignalModelFromDir(args.model.slice(PIPELINE_PREFIX.length));
  const { dir, records } = await foldRecords(args, (msg) => new EvalError(msg));
  const t0 = Date.now();
  const read = await pipelineInputs(args, dir, records);
  const scored: ScoredRecord[] = records.map((r, k) => ({
    ecgId: r.ecgId,
    label: r.mi ? 1 : 0,
    score: predictSignalProbabilities(sig.model, [read.rows[k]!])[0]!,
    sex: r.sex,
    age: r.age,
  }));
  sig.model.dispose();
  const meta = { ...sig.meta, name: pipelineModelName(sig.meta.name) };
  const kept = read.keptFrom ? `; readings kept in ${read.keptFrom}, made by these digitiser sources` : '';
  const input = `pictures read back by the digitiser${read.how} (${read.unread.length} of ${records.length} unreadable, scored as empty readouts${kept})`;
  const run = { scored, seconds: (Date.now() - t0) / 1000, prepSeconds: read.prepMs / 1000 };
  const doc = { ...evalDoc(args, meta, args.style, run, input), unread_ecg_ids: read.unread };
  return writeEval(args, doc);
}

/**
 * Every record rendered as for an image model and read back by the digitiser as the demo runs it (the classical
 * ink plane, the learned segmenter's where that fails), as signal-model input rows. With --readouts FILE the rows
 * are taken from FILE where it was made by the same sources, style, seed and records, and written there otherwise.
 */
export async function pipelineInputs(args: EvalArgs, dir: string, records: LabelledRecord[]) {
  const sourcesSha256 = args.readouts ? cache.readoutSourcesHash() : '';
  const ecgIds = records.map((r) => r.ecgId);
  if (args.readouts) {
    const kept = cache.loadReadoutSet(args.readouts);
    const why =
      kept && cache.readoutSetMismatch(kept.header, { style: args.style, seed: args.seed, ecgIds, sourcesSha256 });
    if (kept && !why) {
      process.stderr.write(`[eval] readings taken from ${args.readouts} (${kept.header.created})\n`);
      const h = kept.header;
      return { rows: kept.rows, unread: h.unread_ecg_ids, prepMs: 0, how: h.reader, keptFrom: args.readouts };
    }
    if (kept) process.stderr.write(`[eval] ${args.readouts} not used: ${why}; reading the pages again\n`);
  }
  const { nodeDigitiser } = await import('../src/lib/digitise/segment-node');
  const reader = await nodeDigitiser();
  const rows: Float32Array[] = [];
  const unread: number[] = [];
  const t0 = Date.now();
  let prepMs = 0;
  for (const [k, r] of records.entries()) {
    const signals = await readRecord(dir, r.ecgId);
    const p0 = Date.now();
    const img = render(signals, {
      style: args.style,
      seed: itemSeed(r.ecgId, 0, args.style, args.seed),
      ecgId: r.ecgId,
    })[0]!;
    let readout: Parameters<typeof inputFromReadout>[0];
    try {
      readout = reader.read(img).readout;
    } catch {
      unread.push(r.ecgId);
      readout = { samplingRate: 100, leads: {} };
    }
    prepMs += Date.now() - p0;
    rows.push(inputFromReadout(readout));
    if (k % 100 === 0)
      process.stderr.write(`[eval] ${k + 1}/${records.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  reader.dispose();
  const how = reader.segmenter
    ? `, learned segmenter ${reader.segmenter} as ${reader.policy}`
    : ', classical ink plane only';
  if (args.readouts) {
    const header = cache.readoutSetHeader({
      style: args.style,
      seed: args.seed,
      sources_sha256: sourcesSha256,
      commit: gitCommit(),
      ecg_ids: ecgIds,
      folds: records.map((r) => r.stratFold),
      labels: records.map((r) => (r.mi ? 1 : 0)),
      unread_ecg_ids: unread,
      reader: how,
    });
    cache.saveReadoutSet(args.readouts, header, rows);
    process.stderr.write(`[eval] readings kept in ${args.readouts}\n`);
  }
  return { rows, unread, prepMs, how, keptFrom: null as string | null };
}

export async function runEval(args: EvalArgs) {
  if (args.model.startsWith(PIPELINE_PREFIX)) return runPipelineEval(args);
  const m = await loadEvalModel(args);
  const { dir, records } = await foldRecords(args, (msg) => new EvalError(msg));
  const run = await scoreRecords(args, m, dir, records);
  m.model.dispose();
  return writeEval(args, evalDoc(args, m.meta, args.style, run));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  (async () => {
    const args = parseEvalArgs(process.argv.slice(2));
    const { line, out } = await runEval(args);
    console.log(JSON.stringify(line));
    process.stderr.write(`[eval] wrote ${out}\n`);
  })().catch((e: Error) => {
    console.error(`[eval] error: ${e.message}`);
    process.exit(1);
  });
}
