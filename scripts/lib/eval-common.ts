/**
 * What `npm run eval` (images) and `npm run eval:signals` (true signals) share: their arguments, the fold's records,
 * and the eval file's figures (at the model's own threshold, bootstrap CI, ROC/PR, calibration, subgroups) and
 * name (src/lib/eval-files.ts). Each CLI only turns a record into model inputs and scores them.
 */
import { gitCommit } from './git';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EVAL_DIR_DEFAULT, evalFileName } from '../../src/lib/eval-files';
import {
  atThreshold,
  auroc,
  bootstrapAurocCI,
  calibrationBins,
  curves,
  mulberry32,
  thin,
} from '../../src/lib/model/metrics';
import type { NodeBackend } from '../../src/lib/model/node-io';
import type { LabelledRecord } from '../../src/lib/ptbxl/database';
import { loadLabelledRecords, resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import type { OptionSpec } from './cli';
import { ensureRecords } from './ptbxl-setup';
import { subgroupFigures, type ScoredRecord } from './subgroups';

export interface EvalCommonArgs {
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

/** The option table both eval CLIs take (`batch` default differs: records per model call). */
export function evalOptions(batch: number) {
  return {
    model: { type: 'string', value: 'DIR', help: 'the exported model folder (required)' },
    fold: {
      type: 'string',
      value: 'N',
      default: '10',
      help: '10 (test) or 9 (validation); others need --allow-any-fold',
    },
    limit: { type: 'string', value: 'N', help: 'a reproducible subset of N records (file NAME.STYLE-nN.json)' },
    seed: {
      type: 'string',
      value: 'S',
      default: '0',
      help: 'seed of the --limit subset, the renders and the bootstrap',
    },
    backend: {
      type: 'string',
      value: 'wasm|cpu',
      default: 'wasm',
      help: 'TF.js backend (wasm is ~20x faster than cpu)',
    },
    batch: { type: 'string', value: 'N', default: String(batch), help: 'records per model call' },
    bootstrap: { type: 'string', value: 'N', default: '1000', help: 'bootstrap resamples of the AUROC CI' },
    out: { type: 'string', value: 'FILE', help: 'output file (default: data/eval/NAME.STYLE[-nN][-foldF].json)' },
    'allow-any-fold': {
      type: 'boolean',
      default: false,
      help: 'allow a training fold (those records were trained on)',
    },
  } as const satisfies Record<string, OptionSpec>;
}

type CommonValues = {
  [K in keyof ReturnType<typeof evalOptions>]: K extends 'allow-any-fold'
    ? boolean
    : K extends 'model' | 'limit' | 'out'
      ? string | undefined
      : string;
};

/** Checks the common values; `fail` builds the CLI's error, `usageText` is thrown without --model. */
export function parseEvalCommon(v: CommonValues, fail: (m: string) => Error, usageText: string): EvalCommonArgs {
  const int = (k: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw fail(`--${k} must be a non-negative integer, got ${text}`);
    return n;
  };
  if (!v.model) throw fail(usageText);
  const fold = int('fold', v.fold);
  const allowAnyFold = v['allow-any-fold'];
  if (fold < 1 || fold > 10) throw fail(`--fold must be 1-10, got ${fold}`);
  if (fold !== 9 && fold !== 10 && !allowAnyFold) {
    throw fail(`--fold ${fold} is a training fold; evaluate on 10 (test) or 9 (validation), or pass --allow-any-fold`);
  }
  const backend = v.backend as NodeBackend;
  if (backend !== 'cpu' && backend !== 'wasm') throw fail(`--backend must be cpu or wasm, got ${backend}`);
  const limit = v.limit === undefined ? undefined : int('limit', v.limit);
  if (limit === 0) throw fail('--limit must be positive');
  const [seed, batch, bootstrap] = [int('seed', v.seed), int('batch', v.batch), int('bootstrap', v.bootstrap)];
  return { model: v.model, fold, limit, seed, backend, batch, bootstrap, out: v.out, allowAnyFold };
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

/** The fold's labelled records in ecg_id order (a seeded subset with --limit), restored locally when missing. */
export async function foldRecords(args: EvalCommonArgs, fail: (m: string) => Error) {
  const dir = resolvePtbxlDir();
  const all = (await loadLabelledRecords(dir))
    .filter((r) => r.stratFold === args.fold)
    .sort((a, b) => a.ecgId - b.ecgId);
  if (all.length === 0) throw fail(`no labelled records in fold ${args.fold}`);
  const records: LabelledRecord[] = pickRecords(all, args.limit, args.seed);
  await ensureRecords(
    dir,
    records.map((r) => r.ecgId),
    true,
  );
  return { dir, records };
}

export interface ScoredRun {
  scored: ScoredRecord[];
  seconds: number;
  /** Time spent turning records into model inputs (render + preprocess, or windows). */
  prepSeconds: number;
}

/** The eval file's content. `input` (signal models) says what the model read. */
export function evalDoc(
  args: EvalCommonArgs,
  meta: { name: string; version: string; threshold: number; threshold_rule: string },
  style: string,
  run: ScoredRun,
  input?: string,
) {
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
    style,
    fold: args.fold,
    n,
    n_mi: n - nNeg,
    limit: args.limit ?? null,
    render_seed: args.seed,
    ...(input !== undefined ? { input } : {}),
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
    // by sex and age band for the model card (same threshold, same bootstrap as the whole fold)
    subgroups: subgroupFigures(run.scored, thr, boot),
    // every record's score, [ecg_id, label, probability], so two models' readings of the same pictures can be
    // paired (npm run eval:combined) without running either again
    scores: run.scored.map((r) => [r.ecgId, r.label, Math.round(r.score * 1e6) / 1e6]),
    backend: args.backend,
    seconds: run.seconds,
    render_preprocess_seconds: run.prepSeconds,
    git_commit: gitCommit() ?? 'unknown',
    created: new Date().toISOString(),
  };
}

/**
 * Indented JSON with every array of plain numbers on one line: the per-record `scores` ([ecg_id, label, p] each)
 * would otherwise take five lines a record.
 */
export function evalJson(doc: unknown): string {
  const NUM = String.raw`-?\d[\d.eE+-]*`;
  return (
    JSON.stringify(doc, null, 1).replace(
      new RegExp(String.raw`\[\s*(${NUM}(?:,\s*${NUM})*)\s*\]`, 'g'),
      (_, body: string) => `[${body.split(/,\s*/).join(', ')}]`,
    ) + '\n'
  );
}

/** Writes the eval file (--out, else data/eval/NAME.STYLE...json); returns it with the one-line summary. */
export function writeEval(args: EvalCommonArgs, doc: ReturnType<typeof evalDoc> & Record<string, unknown>) {
  const key = { model: doc.model, style: doc.style, limit: args.limit, fold: args.fold };
  const out = args.out ?? path.join(EVAL_DIR_DEFAULT, evalFileName(key));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, evalJson(doc));
  const { model, style, fold, n, auroc, auroc_ci: auroc_ci95, sensitivity, specificity, precision, f1, accuracy } = doc;
  const line = {
    model,
    style,
    fold,
    n,
    auroc,
    auroc_ci95,
    sensitivity,
    specificity,
    precision,
    f1,
    accuracy,
    threshold: doc.threshold,
  };
  return { doc, line, out };
}
