/**
 * `npm run eval -- --model public/models/NAME --fold 10 --style printout [--limit N] [--seed S]
 *                  [--backend wasm|cpu (default wasm: ~20x faster than the pure-JS cpu backend)] [--batch 16] [--bootstrap 1000] [--out FILE] [--allow-any-fold]`
 *
 * The only source of the model figures on the site. Renders every labelled record of the PTB-XL fold with
 * the TypeScript renderer (seed per record = the exporter's itemSeed(ecg_id, variant 0, style, S), S = --seed,
 * default 0: the very images `npm run export-images -- --folds 10 --seed S` would write),
 * preprocesses with src/lib/model/preprocess.ts using the model's metadata input spec (src/lib/model/example.ts, as
 * export-images: dataset4's 12 lead images become a 12-plane example for a 12-plane model), runs the exported
 * TF.js model in Node, and writes data/eval/NAME-STYLE.json (NAME-STYLE-nN.json with --limit) plus one JSON
 * line on stdout (ROC/PR start at threshold 1 = nothing called MI), with `subgroups`: the same figures by sex and
 * age band (scripts/lib/subgroups.ts) for the model card. The decision threshold is the model's own (chosen on fold 9); nothing is tuned here.
 * Folds: 10 (test) or 9 (validation); any other needs --allow-any-fold (those records were trained on).
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  atThreshold,
  auroc,
  bootstrapAurocCI,
  calibrationBins,
  curves,
  mulberry32,
  thin,
} from '../src/lib/model/metrics';
import { EVAL_DIR_DEFAULT, evalFileName } from '../src/lib/eval-files';
import { loadModelFromDir, useBackend, type NodeBackend } from '../src/lib/model/node-io';
import { exampleFromImages, planeNames, planesForStyle } from '../src/lib/model/example';
import { predictProbabilities } from '../src/lib/model/run';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import type { LabelledRecord } from '../src/lib/ptbxl/database';
import type { ModelMetadata } from '../src/lib/model/metadata';
import { errorMessage } from '../src/lib/errors';
import { render, STYLE_NAMES, type StyleName } from '../src/lib/render/index';
import { ensureRecords } from './lib/ptbxl-setup';
import { defineCli, parseCli } from './lib/cli';
import { itemSeed } from './lib/render-export';
import { subgroupFigures, type ScoredRecord } from './lib/subgroups';

export class EvalError extends Error {
  override name = 'EvalError';
}

export interface EvalArgs {
  model: string;
  fold: number;
  style: StyleName;
  limit?: number;
  seed: number;
  backend: NodeBackend;
  batch: number;
  bootstrap: number;
  out?: string;
  allowAnyFold: boolean;
}

export const EVAL_CLI = defineCli({
  command: 'npm run eval --',
  summary:
    'Renders every labelled record of a PTB-XL fold, runs the exported model in Node and writes data/eval/NAME-STYLE.json.',
  options: {
    model: { type: 'string', value: 'DIR', help: 'the exported model folder, e.g. public/models/heartnet (required)' },
    fold: {
      type: 'string',
      value: 'N',
      default: '10',
      help: '10 (test) or 9 (validation); others need --allow-any-fold',
    },
    style: { type: 'string', value: 'STYLE', default: 'dataset2', help: `rendering style: ${STYLE_NAMES.join(', ')}` },
    limit: { type: 'string', value: 'N', help: 'a reproducible subset of N records (file NAME-STYLE-nN.json)' },
    seed: {
      type: 'string',
      value: 'S',
      default: '0',
      help: 'render seed (as export-images --seed) and bootstrap seed',
    },
    backend: {
      type: 'string',
      value: 'wasm|cpu',
      default: 'wasm',
      help: 'TF.js backend (wasm is ~20x faster than cpu)',
    },
    batch: { type: 'string', value: 'N', default: '16', help: 'records per model call' },
    bootstrap: { type: 'string', value: 'N', default: '1000', help: 'bootstrap resamples of the AUROC CI' },
    out: { type: 'string', value: 'FILE', help: 'output file (default: data/eval/NAME-STYLE[-nN][-foldF].json)' },
    'allow-any-fold': {
      type: 'boolean',
      default: false,
      help: 'allow a training fold (those records were trained on)',
    },
  },
  error: (m) => new EvalError(m),
});

export function parseEvalArgs(argv: string[]): EvalArgs {
  const { values: v } = parseCli(EVAL_CLI, argv);
  const int = (k: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new EvalError(`--${k} must be a non-negative integer, got ${text}`);
    return n;
  };
  if (!v.model) throw new EvalError('usage: npm run eval -- --model public/models/NAME --fold 10 --style printout');
  const style = v.style as StyleName;
  if (!STYLE_NAMES.includes(style))
    throw new EvalError(`--style must be one of ${STYLE_NAMES.join(', ')}, got ${style}`);
  const fold = int('fold', v.fold);
  const allowAnyFold = v['allow-any-fold'];
  if (fold < 1 || fold > 10) throw new EvalError(`--fold must be 1-10, got ${fold}`);
  if (fold !== 9 && fold !== 10 && !allowAnyFold) {
    throw new EvalError(
      `--fold ${fold} is a training fold; evaluate on 10 (test) or 9 (validation), or pass --allow-any-fold`,
    );
  }
  const backend = v.backend as NodeBackend;
  if (backend !== 'cpu' && backend !== 'wasm') throw new EvalError(`--backend must be cpu or wasm, got ${backend}`);
  const limit = v.limit === undefined ? undefined : int('limit', v.limit);
  if (limit === 0) throw new EvalError('--limit must be positive');
  const [seed, batch, bootstrap] = [int('seed', v.seed), int('batch', v.batch), int('bootstrap', v.bootstrap)];
  return { model: v.model, fold, style, limit, seed, backend, batch, bootstrap, out: v.out, allowAnyFold };
}

function gitCommit(): string | null {
  try {
    return execSync('git rev-parse HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** Deterministic subset: shuffle the fold's records with the seed, take the first N. */
export function pickRecords<T>(records: T[], limit: number | undefined, seed: number): T[] {
  if (!limit || limit >= records.length) return records;
  const rnd = mulberry32(seed ^ 0x9e3779b9);
  const a = records.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, limit);
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

/** The fold's labelled records (a seeded subset with --limit), restored locally if missing. */
async function foldRecords(args: EvalArgs) {
  const dir = resolvePtbxlDir();
  const all = (await loadLabelledRecords(dir))
    .filter((r) => r.stratFold === args.fold)
    .sort((a, b) => a.ecgId - b.ecgId);
  if (all.length === 0) throw new EvalError(`no labelled records in fold ${args.fold}`);
  const records = pickRecords(all, args.limit, args.seed);
  await ensureRecords(
    dir,
    records.map((r) => r.ecgId),
    true,
  );
  return { dir, records };
}

/** Renders, preprocesses and scores every record in batches: labels, MI scores, sex and age, timings. */
async function scoreRecords(
  args: EvalArgs,
  m: Awaited<ReturnType<typeof loadEvalModel>>,
  dir: string,
  records: LabelledRecord[],
) {
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
      const imgs = render(signals, {
        style: args.style,
        seed: itemSeed(r.ecgId, 0, args.style, args.seed),
        ecgId: r.ecgId,
      });
      // export-images builds its shards with the same function: dataset4's 12 lead images -> 12 planes
      xs.push(exampleFromImages(imgs, m.meta.input, m.planes, signals.leadNames));
    }
    renderMs += Date.now() - r0;
    const probs = predictProbabilities(m.model, m.meta, xs, args.batch);
    chunk.forEach((r, i) => scored.push({ label: r.mi ? 1 : 0, score: probs[i]!, sex: r.sex, age: r.age }));
    if ((a / args.batch) % 10 === 0) {
      const s = ((Date.now() - t0) / 1000).toFixed(0);
      process.stderr.write(`[eval] ${Math.min(a + args.batch, records.length)}/${records.length} (${s} s)\n`);
    }
  }
  return { scored, seconds: (Date.now() - t0) / 1000, renderSeconds: renderMs / 1000 };
}

/** The eval file: figures at the model's own threshold, bootstrap CI, curves, calibration, subgroups. */
function evalDoc(args: EvalArgs, meta: ModelMetadata, run: Awaited<ReturnType<typeof scoreRecords>>) {
  const labels = run.scored.map((r) => r.label);
  const probs = run.scored.map((r) => r.score);
  const thr = meta.threshold;
  const boot = { resamples: args.bootstrap, seed: args.seed };
  const m = atThreshold(labels, probs, thr);
  const { roc, pr } = curves(labels, probs);
  const n = labels.length;
  const nNeg = labels.filter((l) => l === 0).length;
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  const t4 = (t: number) => (Number.isFinite(t) ? r4(t) : 1);
  return {
    model: meta.name,
    model_dir: args.model,
    model_version: meta.version,
    style: args.style,
    fold: args.fold,
    n,
    n_mi: n - nNeg,
    limit: args.limit ?? null,
    render_seed: args.seed,
    threshold: thr,
    threshold_rule: meta.threshold_rule,
    auroc: auroc(labels, probs),
    auroc_ci: bootstrapAurocCI(labels, probs, boot),
    auroc_ci_method: `percentile bootstrap, ${args.bootstrap} resamples, seed ${args.seed}`,
    sensitivity: m.sensitivity,
    specificity: m.specificity,
    precision: m.precision,
    f1: m.f1,
    accuracy: m.accuracy,
    confusion: { tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn },
    roc: thin(roc, 200).map((p) => ({ fpr: r4(p.fpr), tpr: r4(p.tpr), threshold: t4(p.threshold) })),
    pr: thin(pr, 200).map((p) => ({ recall: r4(p.recall), precision: r4(p.precision), threshold: t4(p.threshold) })),
    calibration: calibrationBins(labels, probs, 10),
    baseline_all_normal_accuracy: nNeg / n,
    // the model card's figures by sex and age band (same threshold, same bootstrap as the whole fold)
    subgroups: subgroupFigures(run.scored, thr, boot),
    backend: args.backend,
    seconds: run.seconds,
    render_preprocess_seconds: run.renderSeconds,
    git_commit: gitCommit() ?? 'unknown',
    created: new Date().toISOString(),
  };
}

export async function runEval(args: EvalArgs) {
  const m = await loadEvalModel(args);
  const { dir, records } = await foldRecords(args);
  const run = await scoreRecords(args, m, dir, records);
  m.model.dispose();
  const doc = evalDoc(args, m.meta, run);
  const key = { model: m.meta.name, style: args.style, limit: args.limit, fold: args.fold };
  const out = args.out ?? path.join(EVAL_DIR_DEFAULT, evalFileName(key));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  const {
    model,
    style,
    fold,
    n,
    auroc: auc,
    auroc_ci,
    sensitivity,
    specificity,
    precision,
    f1,
    accuracy,
    threshold,
  } = doc;
  const line = {
    model,
    style,
    fold,
    n,
    auroc: auc,
    auroc_ci95: auroc_ci,
    sensitivity,
    specificity,
    precision,
    f1,
    accuracy,
    threshold,
  };
  return { doc, line, out };
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
