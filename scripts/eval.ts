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
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../src/lib/errors';
import { exampleFromImages, planeNames, planesForStyle } from '../src/lib/model/example';
import { loadModelFromDir, useBackend } from '../src/lib/model/node-io';
import { predictProbabilities } from '../src/lib/model/run';
import { auroc } from '../src/lib/model/metrics';
import type { LabelledRecord } from '../src/lib/ptbxl/database';
import { readRecord } from '../src/lib/ptbxl/node';
import { render, renderUprightTurns, renderWithInfo, STYLE_NAMES, type StyleName } from '../src/lib/render/index';
import { turnUpright, type UprightScorer } from '../src/lib/model/upright';
import { loadUpright, resolveUprightDir } from './classify';
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
  /** pipeline only: every n-th record from the k-th, [k, n] (to read a fold in parallel processes) */
  shard?: [number, number];
  /** single-image models: the sheet-upright model's directory (null: renders read as drawn) */
  upright: string | null;
}

export const EVAL_CLI = defineCli({
  command: 'npm run eval --',
  summary:
    'Renders every labelled record of a PTB-XL fold, runs the exported model in Node and writes data/eval/NAME.STYLE.json.',
  options: {
    ...evalOptions(16),
    style: { type: 'string', value: 'STYLE', default: 'dataset2', help: `rendering style: ${STYLE_NAMES.join(', ')}` },
    shard: {
      type: 'string',
      value: 'K/N',
      help: 'digitise+ models with --readouts and --out only: read every N-th record from the K-th (0-based), to read a fold in N processes',
    },
    upright: {
      type: 'string',
      value: 'DIR|none',
      help: 'single-image models: the sheet-upright model that turns each picture upright first, as the demo does (default: public/models/default.json "upright"; none: read renders as drawn)',
    },
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
  const pipeline = common.model.startsWith(PIPELINE_PREFIX);
  if (pipeline && v.upright !== undefined && v.upright !== 'none')
    throw new EvalError('--upright: the digitise+ pipeline reads renders as drawn (the digitiser finds its own rows)');
  if (v.readouts !== undefined && !common.model.startsWith(PIPELINE_PREFIX))
    throw new EvalError(`--readouts keeps a digitiser's readings: only for --model ${PIPELINE_PREFIX}DIR`);
  for (const f of (v.readouts ?? '').split(',').filter(Boolean)) {
    const base = f.replace(/\.(json|f32)$/, '');
    if (common.out && resolve(common.out) === resolve(`${base}.json`))
      throw new EvalError(`--out ${common.out} would overwrite the kept readings' header ${base}.json`);
  }
  let shard: [number, number] | undefined;
  if (v.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(v.shard);
    if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2]))
      throw new EvalError(`--shard must be K/N with 0 <= K < N, got ${v.shard}`);
    if (v.readouts === undefined || common.out === undefined)
      throw new EvalError(
        '--shard reads part of a fold: give --readouts (where the part is kept) and --out (not data/eval)',
      );
    shard = [Number(m[1]), Number(m[2])];
  }
  return {
    ...common,
    style,
    upright: pipeline ? null : resolveUprightDir(v.upright),
    ...(v.readouts !== undefined ? { readouts: v.readouts } : {}),
    ...(shard ? { shard } : {}),
  };
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
  upright: UprightScorer | null,
): Promise<ScoredRun & { turns: UprightTurns[] }> {
  const scored: ScoredRecord[] = [];
  const turns: UprightTurns[] = [];
  const t0 = Date.now();
  let renderMs = 0;
  for (let a = 0; a < records.length; a += args.batch) {
    const chunk = records.slice(a, a + args.batch);
    const xs: Uint8Array[] = [];
    /** the pictures the sheet-upright model turned, read as drawn too: [index in chunk, plane] */
    const asDrawn: Array<[number, Uint8Array]> = [];
    const r0 = Date.now();
    for (const r of chunk) {
      let signals;
      try {
        signals = await readRecord(dir, r.ecgId);
      } catch (e) {
        throw new EvalError(`${errorMessage(e)} (restore fold ${args.fold}: npm run setup -- --all)`);
      }
      const seed = itemSeed(r.ecgId, 0, args.style, args.seed);
      const { images, info } = renderWithInfo(signals, { style: args.style, seed, ecgId: r.ecgId });
      let imgs = images;
      if (upright && m.planes === 1) {
        // as the demo reads a picture: turned upright first when the sheet-upright model says so; a wild photo
        // knows how its sheet was drawn, so whether it ends up the right way up is counted
        const drawn = renderUprightTurns(info);
        const { image, upright: u } = await turnUpright(images[0]!, upright);
        imgs = [image];
        turns.push({ drawn, given: u.turns, scoreAsDrawn: Number.NaN });
        if (u.turns !== 0) asDrawn.push([xs.length, exampleFromImages(images, m.meta.input, 1, signals.leadNames)]);
      }
      // export-images builds its shards with the same function: dataset4's 12 lead images -> 12 planes
      xs.push(exampleFromImages(imgs, m.meta.input, m.planes, signals.leadNames));
    }
    renderMs += Date.now() - r0;
    const probs = predictProbabilities(m.model, m.meta, xs, args.batch);
    chunk.forEach((r, i) =>
      scored.push({ ecgId: r.ecgId, label: r.mi ? 1 : 0, score: probs[i]!, sex: r.sex, age: r.age }),
    );
    if (upright && m.planes === 1) {
      const mine = turns.slice(turns.length - chunk.length);
      mine.forEach((t, i) => (t.scoreAsDrawn = probs[i]!));
      const drawnProbs = asDrawn.length
        ? predictProbabilities(
            m.model,
            m.meta,
            asDrawn.map(([, x]) => x),
            args.batch,
          )
        : [];
      asDrawn.forEach(([i], k) => (mine[i]!.scoreAsDrawn = drawnProbs[k]!));
    }
    if ((a / args.batch) % 10 === 0) {
      const s = ((Date.now() - t0) / 1000).toFixed(0);
      process.stderr.write(`[eval] ${Math.min(a + args.batch, records.length)}/${records.length} (${s} s)\n`);
    }
  }
  return { scored, seconds: (Date.now() - t0) / 1000, prepSeconds: renderMs / 1000, turns };
}

/** One render's sheet-upright step: the turns that make it upright, the turns the model gave, its score as drawn. */
interface UprightTurns {
  drawn: number;
  given: number;
  scoreAsDrawn: number;
}

/**
 * The eval file's `upright`: how the sheet-upright model turned the renders, and the AUROC of the same renders read
 * as drawn (without the step) beside the one with it, overall and for the renders drawn with the sheet turned.
 */
export function uprightSummary(
  model: string,
  dirArg: string | null,
  scored: readonly ScoredRecord[],
  turns: readonly UprightTurns[],
) {
  const n = scored.length;
  const labels = scored.map((r) => r.label);
  const drawnTurned = turns
    .map((t, i) => [t, i] as const)
    .filter(([t]) => t.drawn !== 0)
    .map(([, i]) => i);
  const aurocOf = (idx: readonly number[], score: (i: number) => number) => {
    const ls = idx.map((i) => labels[i]!);
    const pos = ls.filter((l) => l === 1).length;
    return pos > 0 && pos < ls.length ? auroc(ls, idx.map(score)) : null;
  };
  const all = scored.map((_, i) => i);
  return {
    model,
    dir: dirArg,
    n,
    turned: turns.filter((t) => t.given !== 0).length,
    right_way_up: turns.filter((t) => t.given === t.drawn).length,
    drawn_turned: drawnTurned.length,
    drawn_turned_righted: drawnTurned.filter((i) => turns[i]!.given === turns[i]!.drawn).length,
    auroc_as_drawn: aurocOf(all, (i) => turns[i]!.scoreAsDrawn),
    drawn_turned_auroc: aurocOf(drawnTurned, (i) => scored[i]!.score),
    drawn_turned_auroc_as_drawn: aurocOf(drawnTurned, (i) => turns[i]!.scoreAsDrawn),
  };
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
  const fold = await foldRecords(args, (msg) => new EvalError(msg));
  const { dir } = fold;
  const records = args.shard ? fold.records.filter((_, i) => i % args.shard![1] === args.shard![0]) : fold.records;
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
  const doc = {
    ...evalDoc(args, meta, args.style, run, input),
    unread_ecg_ids: read.unread,
    ...(args.shard ? { shard: `${args.shard[0]}/${args.shard[1]}` } : {}),
  };
  return writeEval(args, doc);
}

/**
 * Every record rendered as for an image model and read back by the digitiser as the demo runs it (the classical
 * ink plane, the learned segmenter's where that fails), as signal-model input rows. With --readouts FILE[,MORE...]
 * a record's row is taken from any of those kept sets that was made by the same sources, style and seed (each
 * record's reading depends on nothing else); the rest are read, and FILE is (re)written with all of them. So two
 * processes can read a fold's halves (--shard 0/2 and 1/2, each into its own set) and a third scores the whole
 * fold from both in seconds.
 */
export async function pipelineInputs(args: EvalArgs, dir: string, records: LabelledRecord[]) {
  const files = args.readouts ? args.readouts.split(',').filter(Boolean) : [];
  const sourcesSha256 = files.length > 0 ? cache.readoutSourcesHash() : '';
  const ecgIds = records.map((r) => r.ecgId);
  const kept = new Map<number, { row: Float32Array; unread: boolean }>();
  let keptHow: string | null = null;
  const made = { style: args.style, seed: args.seed, sourcesSha256 };
  let firstIsWhole = false; // files[0] already holds exactly these records, made as they would be now
  for (const f of files) {
    const set = cache.loadReadoutSet(f);
    if (!set) continue;
    const h = set.header;
    const why = cache.readoutSetMismatch(h, made);
    if (why) {
      process.stderr.write(`[eval] ${f} not used: ${why}\n`);
      continue;
    }
    const unreadIds = new Set(h.unread_ecg_ids);
    h.ecg_ids.forEach((id, i) => kept.set(id, { row: set.rows[i]!, unread: unreadIds.has(id) }));
    keptHow ??= h.reader;
    if (f === files[0]) firstIsWhole = cache.readoutSetMismatch(h, { ...made, ecgIds }) === null;
  }
  const missing = records.filter((r) => !kept.has(r.ecgId));
  if (files.length > 0 && kept.size > 0)
    process.stderr.write(
      `[eval] ${records.length - missing.length} of ${records.length} readings kept in ${files.join(', ')}\n`,
    );
  const t0 = Date.now();
  let prepMs = 0;
  let how = keptHow ?? '';
  if (missing.length > 0) {
    const { nodeDigitiser } = await import('../src/lib/digitise/segment-node');
    const reader = await nodeDigitiser();
    for (const [k, r] of missing.entries()) {
      const signals = await readRecord(dir, r.ecgId);
      const p0 = Date.now();
      const img = render(signals, {
        style: args.style,
        seed: itemSeed(r.ecgId, 0, args.style, args.seed),
        ecgId: r.ecgId,
      })[0]!;
      let readout: Parameters<typeof inputFromReadout>[0];
      let unread = false;
      try {
        readout = reader.read(img).readout;
      } catch {
        unread = true;
        readout = { samplingRate: 100, leads: {} };
      }
      prepMs += Date.now() - p0;
      kept.set(r.ecgId, { row: inputFromReadout(readout), unread });
      if (k % 100 === 0)
        process.stderr.write(`[eval] ${k + 1}/${missing.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
    reader.dispose();
    how = reader.segmenter
      ? `, learned segmenter ${reader.segmenter} as ${reader.policy}`
      : ', classical ink plane only';
  }
  const rows = records.map((r) => kept.get(r.ecgId)!.row);
  const unread = records.filter((r) => kept.get(r.ecgId)!.unread).map((r) => r.ecgId);
  const out = files[0];
  if (out && !firstIsWhole) {
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
    cache.saveReadoutSet(out, header, rows);
    process.stderr.write(`[eval] readings kept in ${out}\n`);
  }
  const keptFrom = missing.length === 0 && files.length > 0 ? files.join(', ') : null;
  return { rows, unread, prepMs, how, keptFrom };
}

export async function runEval(args: EvalArgs) {
  if (args.model.startsWith(PIPELINE_PREFIX)) return runPipelineEval(args);
  const m = await loadEvalModel(args);
  const { dir, records } = await foldRecords(args, (msg) => new EvalError(msg));
  const upright = m.planes === 1 ? await loadUpright(args.upright) : null;
  const run = await scoreRecords(args, m, dir, records, upright);
  m.model.dispose();
  upright?.dispose();
  if (!upright) return writeEval(args, evalDoc(args, m.meta, args.style, run));
  const u = uprightSummary(upright.name, args.upright, run.scored, run.turns);
  const input = `each render turned upright first by the sheet-upright model ${upright.name}, as the demo does (${u.turned} of ${u.n} turned; ${u.right_way_up} of ${u.n} end up the right way up)`;
  return writeEval(args, { ...evalDoc(args, m.meta, args.style, run, input), upright: u });
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
