/**
 * `npm run eval:combined -- --image FILE --signal FILE` pairs two readings of the same pictures and scores their
 * combination: the image model's and the digitise + signal pipeline's, each written by `npm run eval` (their
 * `scores` list every record's probability), or with `--kit NAME` the image model's and the pipeline's readings of
 * ECG-Image-Kit's fold-9 pages (data/eval/external/NAME.json and data/eval/digitise/kit-fold9.json).
 *
 * The combination is the demo's combined verdict (src/lib/model/combine.ts), not fitted: the mean of the two
 * logits, each measured from its own model's fold-9 threshold (recorded in the two files), MI at or above zero. A
 * picture the digitiser could not read keeps the image reading alone. Nothing is tuned here: AUROC with a
 * bootstrap CI, the paired bootstrap CI of the combination's gain over the image reading, and the verdict's
 * sensitivity and specificity.
 *
 * Writes data/eval/combined/IMAGE+SIGNAL.SET.json (SET: the style of fold 10, or kit-fold9).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../src/lib/errors';
import { combineReadings, COMBINE_RULE, CombineError } from '../src/lib/model/combine';
import { atThreshold, auroc, bootstrapAurocCI, bootstrapAurocDiffCI } from '../src/lib/model/metrics';
import { defineCli, parseCli } from './lib/cli';
import { parseNumberArg } from './lib/render-args';
import { gitCommit } from './lib/git';
import { pipelineModelName, pipelineSignalModel } from '../src/lib/digitise/pipeline-name';

export { CombineError };

/** One reading of a set of pictures: picture id -> [label, probability or null when unread]. */
export interface Reading {
  model: string;
  file: string;
  set: string;
  /** What else must agree between two readings of "the same pictures" (fold, render seed). */
  identity: Record<string, unknown>;
  scores: Map<string, { label: number; p: number | null }>;
  /** The reading model's own decision threshold (chosen on fold 9), as its file records it. */
  threshold: number;
  gitCommit: string;
}

const readJson = (file: string): Record<string, unknown> => {
  if (!existsSync(file)) throw new CombineError(`${file} is missing`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new CombineError(`${file}: not valid JSON (${errorMessage(e)})`);
  }
};

/** A fold-10 evaluation file of `npm run eval` (image model or digitise + signal pipeline). */
export function readEvalReading(file: string): Reading {
  const d = readJson(file);
  if (!Array.isArray(d.scores)) {
    throw new CombineError(`${file} has no per-record scores; re-run the evaluation that wrote it (npm run eval)`);
  }
  const scores = new Map<string, { label: number; p: number | null }>();
  for (const row of d.scores as unknown[]) {
    if (!Array.isArray(row) || row.length !== 3 || !row.every((v) => typeof v === 'number')) {
      throw new CombineError(`${file}: a score is not [ecg_id, label, probability]`);
    }
    scores.set(String(row[0]), { label: row[1]!, p: row[2]! });
  }
  // a pipeline file: the pictures the digitiser could not read were scored as empty readouts; here they are unread
  if (pipelineSignalModel(String(d.model)) !== null) {
    if (!Array.isArray(d.unread_ecg_ids)) {
      throw new CombineError(
        `${file} does not list its unread pictures (unread_ecg_ids); re-run the evaluation that wrote it (npm run eval)`,
      );
    }
    for (const id of d.unread_ecg_ids as unknown[]) {
      const row = scores.get(String(id));
      if (!row) throw new CombineError(`${file}: unread picture ${String(id)} is not among its scores`);
      row.p = null;
    }
  }
  return {
    model: String(d.model),
    file,
    set: String(d.style),
    threshold: thresholdOf(d.threshold, file),
    identity: { fold: d.fold, render_seed: d.render_seed, limit: d.limit },
    scores,
    gitCommit: String(d.git_commit ?? 'unknown'),
  };
}

/** ECG-Image-Kit's fold-9 pages as read by the image model (eval:external) or the pipeline (eval:digitise). */
export function readKitReading(file: string, kind: 'external' | 'digitise'): Reading {
  const d = readJson(file);
  const rows =
    kind === 'external'
      ? ((d.images as Record<string, unknown> | undefined)?.['kit-fold9'] as unknown[] | undefined)
      : (d.records as unknown[] | undefined);
  if (!Array.isArray(rows)) throw new CombineError(`${file} has no kit-fold9 pages`);
  const scores = new Map<string, { label: number; p: number | null }>();
  for (const r of rows as Array<Record<string, unknown>>) {
    const id = kind === 'external' ? r.file : r.id;
    if (typeof id !== 'string' || typeof r.label !== 'number' || !(typeof r.p === 'number' || r.p === null)) {
      throw new CombineError(`${file}: a kit page without a file name, a label or a probability`);
    }
    scores.set(id, { label: r.label, p: r.p });
  }
  const model = kind === 'external' ? String(d.model) : pipelineModelName(String(d.signal_model));
  const threshold = thresholdOf(
    kind === 'external' ? d.threshold : (d.mi as Record<string, unknown> | undefined)?.threshold,
    file,
  );
  return {
    model,
    file,
    set: 'kit-fold9',
    identity: {},
    scores,
    threshold,
    gitCommit: String(d.git_commit ?? 'unknown'),
  };
}

function thresholdOf(v: unknown, file: string): number {
  if (typeof v !== 'number' || !(v > 0 && v < 1)) throw new CombineError(`${file}: no decision threshold in (0, 1)`);
  return v;
}

const rates = (m: ReturnType<typeof atThreshold>) => ({
  sensitivity: m.sensitivity,
  specificity: m.specificity,
  confusion: { tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn },
});

/** Pairs the two readings picture by picture and scores each alone and their combined verdict. */
export function combine(image: Reading, signal: Reading, opts: { resamples: number; seed: number }) {
  if (image.set !== signal.set) {
    throw new CombineError(`${image.file} reads ${image.set} but ${signal.file} reads ${signal.set}`);
  }
  for (const [k, v] of Object.entries(image.identity)) {
    if (JSON.stringify(signal.identity[k]) !== JSON.stringify(v)) {
      throw new CombineError(
        `${image.file} and ${signal.file} are not the same pictures: ${k} ${JSON.stringify(v)} vs ${JSON.stringify(signal.identity[k])}`,
      );
    }
  }
  const ids = [...image.scores.keys()];
  const missing = ids.filter((id) => !signal.scores.has(id));
  if (missing.length || signal.scores.size !== ids.length) {
    throw new CombineError(
      `${image.file} and ${signal.file} score different pictures (${missing.length} of ${ids.length} not in both, e.g. ${missing[0] ?? [...signal.scores.keys()].find((k) => !image.scores.has(k))})`,
    );
  }
  const labels: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  let unread = 0;
  for (const id of ids) {
    const x = image.scores.get(id)!;
    const y = signal.scores.get(id)!;
    if (x.label !== y.label)
      throw new CombineError(`picture ${id}: label ${x.label} in one file, ${y.label} in the other`);
    if (x.p === null) throw new CombineError(`${image.file}: picture ${id} has no image-model score`);
    labels.push(x.label);
    a.push(x.p);
    // an unread picture: the pipeline has nothing to say, the combination is the image reading
    if (y.p === null) unread++;
    b.push(y.p ?? 0);
    const verdict = combineReadings(
      { p: x.p, threshold: image.threshold },
      y.p === null ? null : { p: y.p, threshold: signal.threshold },
    );
    c.push(verdict.margin);
  }
  const atZero = atThreshold(labels, c, 0);
  const scored = (y: number[], s: number[]) => ({ auroc: auroc(y, s), auroc_ci: bootstrapAurocCI(y, s, opts) });
  const one = (s: number[]) => scored(labels, s);
  // the pipeline alone is ranked over the pictures it read (an unread page has no signal score)
  const signalRead = labels.map((_, i) => i).filter((i) => signal.scores.get(ids[i]!)!.p !== null);
  return {
    set: image.set,
    n: labels.length,
    n_mi: labels.filter((l) => l === 1).length,
    signal_unread: unread,
    rule: COMBINE_RULE,
    image: {
      model: image.model,
      file: image.file,
      git_commit: image.gitCommit,
      threshold: image.threshold,
      ...one(a),
      ...rates(atThreshold(labels, a, image.threshold)),
    },
    signal: {
      model: signal.model,
      file: signal.file,
      git_commit: signal.gitCommit,
      threshold: signal.threshold,
      n: signalRead.length,
      ...scored(
        signalRead.map((i) => labels[i]!),
        signalRead.map((i) => b[i]!),
      ),
    },
    combined: {
      ...one(c),
      ...rates(atZero),
      gain_over_image: auroc(labels, c) - auroc(labels, a),
      gain_over_image_ci: bootstrapAurocDiffCI(labels, a, c, opts),
    },
    bootstrap: {
      resamples: opts.resamples,
      seed: opts.seed,
      method: 'percentile; the gain CI resamples both together',
    },
  };
}

export const EVAL_COMBINED_CLI = defineCli({
  command: 'npm run eval:combined --',
  summary:
    "Pairs the image model's and the digitise + signal pipeline's readings of the same pictures and scores their fixed combination.",
  options: {
    image: { type: 'string', value: 'FILE', help: "an image model's npm run eval file (fold 10)" },
    signal: { type: 'string', value: 'FILE', help: 'the digitise + signal pipeline file of the same fold and style' },
    kit: {
      type: 'string',
      value: 'NAME',
      help: 'instead: ECG-Image-Kit fold 9, image model NAME (eval:external) + eval:digitise --external',
    },
    bootstrap: { type: 'string', value: 'N', default: '1000', help: 'bootstrap resamples' },
    seed: { type: 'string', value: 'S', default: '0', help: 'bootstrap seed' },
    out: { type: 'string', value: 'FILE', help: 'output (default: data/eval/combined/IMAGE+SIGNAL.SET.json)' },
  },
  error: (m) => new CombineError(m),
});

export function runCombined(argv: string[]): { out: string; doc: ReturnType<typeof combine> } {
  const { values } = parseCli(EVAL_COMBINED_CLI, argv);
  let image: Reading;
  let signal: Reading;
  if (values.kit) {
    image = readKitReading(path.join('data/eval/external', `${values.kit}.json`), 'external');
    signal = readKitReading('data/eval/digitise/kit-fold9.json', 'digitise');
  } else {
    if (!values.image || !values.signal) throw new CombineError('give --image FILE and --signal FILE, or --kit NAME');
    image = readEvalReading(values.image);
    signal = readEvalReading(values.signal);
  }
  const opts = {
    resamples: parseNumberArg('--bootstrap', values.bootstrap, { integer: true, min: 1 }),
    seed: parseNumberArg('--seed', values.seed, { integer: true, min: 0 }),
  };
  const doc = {
    ...combine(image, signal, opts),
    git_commit: gitCommit() ?? 'unknown',
    created: new Date().toISOString(),
  };
  const out = values.out ?? path.join('data/eval/combined', `${image.model}+${signal.model}.${image.set}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  return { out, doc };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { out, doc } = runCombined(process.argv.slice(2));
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    console.log(
      JSON.stringify({
        set: doc.set,
        n: doc.n,
        image: r4(doc.image.auroc),
        signal: r4(doc.signal.auroc),
        combined: r4(doc.combined.auroc),
        gain: r4(doc.combined.gain_over_image),
        gain_ci: doc.combined.gain_over_image_ci.map(r4),
      }),
    );
    process.stderr.write(`[eval:combined] wrote ${out}\n`);
  } catch (e) {
    console.error(`[eval:combined] error: ${errorMessage(e)}`);
    process.exit(1);
  }
}
