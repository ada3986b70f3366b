/**
 * `npm run eval:signals -- --model public/models/signal-3x4r [--fold 10] [--limit N] [--seed S]
 *                         [--backend wasm|cpu] [--batch 64] [--bootstrap 1000] [--out FILE] [--allow-any-fold]`
 *
 * Test-fold figures of a signal model (metadata kind "signal"), on the TRUE PTB-XL signals as a printed 3x4 +
 * rhythm sheet shows them: every labelled record of the fold is read with src/lib/ptbxl, conditioned with the
 * printout's default filters and cut into the 12 column windows + the lead II rhythm strip by
 * src/lib/signal/windows.ts `inputFromRecord` (the code the browser uses), run through the exported TF.js model,
 * and scored with src/lib/model/metrics.ts at the model's own threshold (chosen on fold 9; nothing is tuned
 * here). Writes data/eval/NAME-signals-3x4r.json in the shape `npm run eval` writes (auroc, bootstrap CI,
 * sensitivity/specificity, ROC/PR curves, calibration, subgroups by sex and age band) and one JSON line on stdout.
 * Folds: 10 (test) or 9 (validation, file NAME-signals-3x4r-fold9.json); any other needs --allow-any-fold.
 */
import { EVAL_DIR_DEFAULT, evalFileName } from '../src/lib/eval-files';
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
import { useBackend, type NodeBackend } from '../src/lib/model/node-io';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { predictSignalProbabilities } from '../src/lib/signal/model';
import { loadSignalModelFromDir } from '../src/lib/signal/node-io';
import { inputFromRecord } from '../src/lib/signal/windows';
import { ensureRecords } from './lib/ptbxl-setup';
import { subgroupFigures, type ScoredRecord } from './lib/subgroups';

/** The "style" name of this evaluation in data/eval (NAME-STYLE.json). */
export const SIGNAL_EVAL_STYLE = 'signals-3x4r';

export class SignalEvalError extends Error {
  override name = 'SignalEvalError';
}

export interface SignalEvalArgs {
  model: string;
  fold: number;
  limit?: number;
  seed: number;
  backend: NodeBackend;
  batch: number;
  bootstrap: number;
  out?: string;
  allowAnyFold: boolean;
}

export function parseSignalEvalArgs(argv: string[]): SignalEvalArgs {
  const withValue = new Set(['--model', '--fold', '--limit', '--seed', '--backend', '--batch', '--bootstrap', '--out']);
  const v: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--allow-any-fold') v[a] = 'true';
    else if (withValue.has(a)) {
      if (argv[i + 1] === undefined) throw new SignalEvalError(`${a} needs a value`);
      v[a] = argv[++i]!;
    } else throw new SignalEvalError(`unknown argument ${a}`);
  }
  const int = (k: string, def?: number): number | undefined => {
    if (v[k] === undefined) return def;
    const n = Number(v[k]);
    if (!Number.isInteger(n) || n < 0) throw new SignalEvalError(`${k} must be a non-negative integer, got ${v[k]}`);
    return n;
  };
  if (!v['--model'])
    throw new SignalEvalError('usage: npm run eval:signals -- --model public/models/signal-3x4r [--fold 10]');
  const fold = int('--fold', 10)!;
  const allowAnyFold = v['--allow-any-fold'] === 'true';
  if (fold < 1 || fold > 10) throw new SignalEvalError(`--fold must be 1-10, got ${fold}`);
  if (fold !== 9 && fold !== 10 && !allowAnyFold) {
    throw new SignalEvalError(
      `--fold ${fold} is a training fold; evaluate on 10 (test) or 9 (validation), or pass --allow-any-fold`,
    );
  }
  const backend = (v['--backend'] ?? 'wasm') as NodeBackend;
  if (backend !== 'cpu' && backend !== 'wasm')
    throw new SignalEvalError(`--backend must be cpu or wasm, got ${backend}`);
  const limit = int('--limit');
  if (limit === 0) throw new SignalEvalError('--limit must be positive');
  return {
    model: v['--model'],
    fold,
    limit,
    seed: int('--seed', 0)!,
    backend,
    batch: int('--batch', 64)!,
    bootstrap: int('--bootstrap', 1000)!,
    out: v['--out'],
    allowAnyFold,
  };
}

/** Deterministic subset (the same rule as scripts/eval.ts): shuffle with the seed, take the first N. */
function pickRecords<T>(records: T[], limit: number | undefined, seed: number): T[] {
  if (!limit || limit >= records.length) return records;
  const rnd = mulberry32(seed ^ 0x9e3779b9);
  const a = records.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, limit);
}

function gitCommit(): string | null {
  try {
    return execSync('git rev-parse HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export async function runSignalEval(args: SignalEvalArgs) {
  await useBackend(args.backend);
  const { model, meta } = await loadSignalModelFromDir(args.model);
  try {
    const dir = resolvePtbxlDir();
    const all = (await loadLabelledRecords(dir))
      .filter((r) => r.stratFold === args.fold)
      .sort((a, b) => a.ecgId - b.ecgId);
    if (all.length === 0) throw new SignalEvalError(`no labelled records in fold ${args.fold}`);
    const records = pickRecords(all, args.limit, args.seed);
    await ensureRecords(
      dir,
      records.map((r) => r.ecgId),
      true,
    );
    const labels: number[] = [];
    const probs: number[] = [];
    const people: Pick<ScoredRecord, 'sex' | 'age'>[] = [];
    const t0 = Date.now();
    let prepMs = 0;
    for (let a = 0; a < records.length; a += args.batch) {
      const chunk = records.slice(a, a + args.batch);
      const r0 = Date.now();
      const xs: Float32Array[] = [];
      for (const r of chunk) {
        xs.push(inputFromRecord(await readRecord(dir, r.ecgId)));
        labels.push(r.mi ? 1 : 0);
        people.push({ sex: r.sex, age: r.age });
      }
      prepMs += Date.now() - r0;
      probs.push(...predictSignalProbabilities(model, xs, args.batch));
      if ((a / args.batch) % 10 === 0) {
        process.stderr.write(
          `[eval:signals] ${Math.min(a + args.batch, records.length)}/${records.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
        );
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    const thr = meta.threshold;
    const m = atThreshold(labels, probs, thr);
    const auc = auroc(labels, probs);
    const ci = bootstrapAurocCI(labels, probs, { resamples: args.bootstrap, seed: args.seed });
    const { roc, pr } = curves(labels, probs);
    // by sex and age band, as npm run eval writes them (same threshold, same bootstrap)
    const subgroups = subgroupFigures(
      labels.map((label, i) => ({ label, score: probs[i]!, ...people[i]! })),
      thr,
      { resamples: args.bootstrap, seed: args.seed },
    );
    const n = labels.length;
    const nNeg = labels.filter((l) => l === 0).length;
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    const doc = {
      model: meta.name,
      model_dir: args.model,
      model_version: meta.version,
      style: SIGNAL_EVAL_STYLE,
      fold: args.fold,
      n,
      n_mi: n - nNeg,
      limit: args.limit ?? null,
      render_seed: args.seed,
      input: `true PTB-XL signals, ${meta.input.filters.join(' + ')} filtered, ${meta.input.layout} windows (${meta.input.format})`,
      threshold: thr,
      threshold_rule: meta.threshold_rule,
      auroc: auc,
      auroc_ci: ci,
      auroc_ci_method: `percentile bootstrap, ${args.bootstrap} resamples, seed ${args.seed}`,
      sensitivity: m.sensitivity,
      specificity: m.specificity,
      precision: m.precision,
      f1: m.f1,
      accuracy: m.accuracy,
      confusion: { tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn },
      roc: thin(roc, 200).map((p) => ({
        fpr: r4(p.fpr),
        tpr: r4(p.tpr),
        threshold: Number.isFinite(p.threshold) ? r4(p.threshold) : 1,
      })),
      pr: thin(pr, 200).map((p) => ({
        recall: r4(p.recall),
        precision: r4(p.precision),
        threshold: Number.isFinite(p.threshold) ? r4(p.threshold) : 1,
      })),
      calibration: calibrationBins(labels, probs, 10),
      baseline_all_normal_accuracy: nNeg / n,
      subgroups,
      backend: args.backend,
      seconds,
      render_preprocess_seconds: prepMs / 1000,
      git_commit: gitCommit() ?? 'unknown',
      created: new Date().toISOString(),
    };
    const out =
      args.out ??
      path.join(EVAL_DIR_DEFAULT, evalFileName({ model: meta.name, style: SIGNAL_EVAL_STYLE, limit: args.limit, fold: args.fold }));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
    const line = {
      model: meta.name,
      style: SIGNAL_EVAL_STYLE,
      fold: args.fold,
      n,
      auroc: auc,
      auroc_ci95: ci,
      sensitivity: m.sensitivity,
      specificity: m.specificity,
      precision: m.precision,
      f1: m.f1,
      accuracy: m.accuracy,
      threshold: thr,
    };
    return { doc, line, out };
  } finally {
    model.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  (async () => {
    const { line, out } = await runSignalEval(parseSignalEvalArgs(process.argv.slice(2)));
    console.log(JSON.stringify(line));
    process.stderr.write(`[eval:signals] wrote ${out}\n`);
  })().catch((e: Error) => {
    console.error(`[eval:signals] error: ${e.message}`);
    process.exit(1);
  });
}
