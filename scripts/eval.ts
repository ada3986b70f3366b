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
  atThreshold, auroc, bootstrapAurocCI, calibrationBins, curves, mulberry32, thin,
} from '../src/lib/model/metrics';
import { EVAL_DIR_DEFAULT, evalFileName } from '../src/lib/eval-files';
import { loadModelFromDir, useBackend, type NodeBackend } from '../src/lib/model/node-io';
import { exampleFromImages, planeNames, planesForStyle } from '../src/lib/model/example';
import { predictProbabilities } from '../src/lib/model/run';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { render, STYLE_NAMES, type StyleName } from '../src/lib/render/index';
import { ensureRecords } from './lib/ptbxl-setup';
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

export function parseEvalArgs(argv: string[]): EvalArgs {
  const flags = new Set(['--allow-any-fold']);
  const withValue = new Set(['--model', '--fold', '--style', '--limit', '--seed', '--backend', '--batch', '--bootstrap', '--out']);
  const v: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (flags.has(a)) v[a] = 'true';
    else if (withValue.has(a)) {
      if (argv[i + 1] === undefined) throw new EvalError(`${a} needs a value`);
      v[a] = argv[++i]!;
    } else throw new EvalError(`unknown argument ${a}`);
  }
  const int = (k: string, def?: number): number | undefined => {
    if (v[k] === undefined) return def;
    const n = Number(v[k]);
    if (!Number.isInteger(n) || n < 0) throw new EvalError(`${k} must be a non-negative integer, got ${v[k]}`);
    return n;
  };
  if (!v['--model']) throw new EvalError('usage: npm run eval -- --model public/models/NAME --fold 10 --style printout');
  const style = (v['--style'] ?? 'dataset2') as StyleName;
  if (!STYLE_NAMES.includes(style)) throw new EvalError(`--style must be one of ${STYLE_NAMES.join(', ')}, got ${style}`);
  const fold = int('--fold', 10)!;
  const allowAnyFold = v['--allow-any-fold'] === 'true';
  if (fold < 1 || fold > 10) throw new EvalError(`--fold must be 1-10, got ${fold}`);
  if (fold !== 9 && fold !== 10 && !allowAnyFold) {
    throw new EvalError(`--fold ${fold} is a training fold; evaluate on 10 (test) or 9 (validation), or pass --allow-any-fold`);
  }
  const backend = (v['--backend'] ?? 'wasm') as NodeBackend;
  if (backend !== 'cpu' && backend !== 'wasm') throw new EvalError(`--backend must be cpu or wasm, got ${backend}`);
  const limit = int('--limit');
  if (limit === 0) throw new EvalError('--limit must be positive');
  return {
    model: v['--model'], fold, style, limit, seed: int('--seed', 0)!, backend, batch: int('--batch', 16)!,
    bootstrap: int('--bootstrap', 1000)!, out: v['--out'], allowAnyFold,
  };
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

export async function runEval(args: EvalArgs) {
  await useBackend(args.backend);
  const { model, meta } = await loadModelFromDir(args.model);
  const planes = planesForStyle(args.style);
  if (planes !== meta.planes) {
    model.dispose();
    throw new EvalError(`style ${args.style} gives ${planes} image(s) per record, model ${meta.name} takes ${meta.planes}`);
  }
  if (meta.plane_names && meta.plane_names.join(',') !== planeNames(planes).join(',')) {
    model.dispose();
    throw new EvalError(`model ${meta.name} takes planes ${meta.plane_names.join(',')}; the ${args.style} render gives ${planeNames(planes).join(',')}`);
  }
  const dir = resolvePtbxlDir();
  const all = (await loadLabelledRecords(dir)).filter((r) => r.stratFold === args.fold).sort((a, b) => a.ecgId - b.ecgId);
  if (all.length === 0) throw new EvalError(`no labelled records in fold ${args.fold}`);
  const records = pickRecords(all, args.limit, args.seed);
  await ensureRecords(dir, records.map((r) => r.ecgId), true);
  const labels: number[] = [];
  const probs: number[] = [];
  const people: Pick<ScoredRecord, 'sex' | 'age'>[] = [];
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
        throw new EvalError(`${(e as Error).message} (restore fold ${args.fold}: npm run setup -- --all, or ` +
          `node /work/shared/ptb-xl/restore.mjs data/ptb-xl --folds ${args.fold})`);
      }
      const imgs = render(signals, { style: args.style, seed: itemSeed(r.ecgId, 0, args.style, args.seed), ecgId: r.ecgId });
      // export-images builds its shards with the same function: dataset4's 12 lead images -> 12 planes
      xs.push(exampleFromImages(imgs, meta.input, planes, signals.leadNames));
      labels.push(r.mi ? 1 : 0);
      people.push({ sex: r.sex, age: r.age });
    }
    renderMs += Date.now() - r0;
    probs.push(...predictProbabilities(model, meta, xs, args.batch));
    if ((a / args.batch) % 10 === 0) {
      process.stderr.write(`[eval] ${Math.min(a + args.batch, records.length)}/${records.length} ` +
        `(${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    }
  }
  model.dispose();
  const seconds = (Date.now() - t0) / 1000;
  const thr = meta.threshold;
  const m = atThreshold(labels, probs, thr);
  const auc = auroc(labels, probs);
  const ci = bootstrapAurocCI(labels, probs, { resamples: args.bootstrap, seed: args.seed });
  const { roc, pr } = curves(labels, probs);
  // the model card's figures by sex and age band (same threshold, same bootstrap as the whole fold)
  const subgroups = subgroupFigures(
    labels.map((label, i) => ({ label, score: probs[i]!, ...people[i]! })),
    thr,
    { resamples: args.bootstrap, seed: args.seed },
  );
  const n = labels.length;
  const nNeg = labels.filter((l) => l === 0).length;
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  const doc = {
    model: meta.name, model_dir: args.model, model_version: meta.version, style: args.style, fold: args.fold, n,
    n_mi: n - nNeg, limit: args.limit ?? null, render_seed: args.seed, threshold: thr, threshold_rule: meta.threshold_rule,
    auroc: auc, auroc_ci: ci, auroc_ci_method: `percentile bootstrap, ${args.bootstrap} resamples, seed ${args.seed}`,
    sensitivity: m.sensitivity, specificity: m.specificity, precision: m.precision, f1: m.f1, accuracy: m.accuracy,
    confusion: { tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn },
    roc: thin(roc, 200).map((p) => ({ fpr: r4(p.fpr), tpr: r4(p.tpr), threshold: Number.isFinite(p.threshold) ? r4(p.threshold) : 1 })),
    pr: thin(pr, 200).map((p) => ({ recall: r4(p.recall), precision: r4(p.precision), threshold: Number.isFinite(p.threshold) ? r4(p.threshold) : 1 })),
    calibration: calibrationBins(labels, probs, 10),
    baseline_all_normal_accuracy: nNeg / n,
    subgroups,
    backend: args.backend, seconds, render_preprocess_seconds: renderMs / 1000,
    git_commit: gitCommit() ?? 'unknown', created: new Date().toISOString(),
  };
  const out = args.out ?? path.join(EVAL_DIR_DEFAULT, evalFileName({ model: meta.name, style: args.style, limit: args.limit, fold: args.fold }));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  const line = {
    model: meta.name, style: args.style, fold: args.fold, n, auroc: auc, auroc_ci95: ci, sensitivity: m.sensitivity,
    specificity: m.specificity, precision: m.precision, f1: m.f1, accuracy: m.accuracy, threshold: thr,
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
