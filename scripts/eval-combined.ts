/**
 * `npm run eval:combined -- --image FILE --signal FILE` pairs two readings of the same pictures and scores their
 * combination: the image model's and the digitise + signal pipeline's, each written by `npm run eval` (their
 * `scores` list every record's probability), or with `--kit NAME` the image model's and the pipeline's readings of
 * ECG-Image-Kit's fold-9 pages (data/eval/external/NAME.json and data/eval/digitise/kit-fold9.json).
 *
 * The combination is the demo's combined verdict (src/lib/model/combine.ts): the mean of the two logits, each
 * measured from its own model's fold-9 threshold (recorded in the two files), MI when it reaches the verdict's
 * threshold. A picture the digitiser could not read keeps the image reading alone. Scored: AUROC with a bootstrap
 * CI, the paired bootstrap CI of the combination's gain over the image reading, and the verdict's sensitivity and
 * specificity. Writes data/eval/combined/IMAGE+SIGNAL.SET.json (SET: the style of fold 10, or kit-fold9).
 *
 * The verdict's threshold is chosen once, on fold 9 and never on what is scored:
 * `npm run eval:combined -- --choose --image A,B --signal A',B'` pairs fold-9 files style by style (printout and
 * wild printout), pools the pictures read both ways, takes the margin that maximises Youden's J, and writes
 * data/eval/combined/IMAGE+SIGNAL.verdict.json, which the scoring above and the demo read.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../src/lib/errors';
import {
  combineReadings,
  COMBINE_RULE,
  CombineError,
  parseVerdictFile,
  verdictFileName,
  type VerdictFile,
} from '../src/lib/model/combine';
import { atThreshold, auroc, bootstrapAurocCI, bootstrapAurocDiffCI, chooseThreshold } from '../src/lib/model/metrics';
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

/** The two readings of each picture, paired (checked to be the same pictures, labels and fold). */
function pairReadings(image: Reading, signal: Reading) {
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
  return ids.map((id) => {
    const x = image.scores.get(id)!;
    const y = signal.scores.get(id)!;
    if (x.label !== y.label)
      throw new CombineError(`picture ${id}: label ${x.label} in one file, ${y.label} in the other`);
    if (x.p === null) throw new CombineError(`${image.file}: picture ${id} has no image-model score`);
    return {
      id,
      label: x.label,
      image: { p: x.p, threshold: image.threshold },
      signal: y.p === null ? null : { p: y.p, threshold: signal.threshold },
    };
  });
}

/** Pairs the two readings picture by picture and scores each alone and their combined verdict. */
export function combine(
  image: Reading,
  signal: Reading,
  verdict: VerdictFile & { file: string },
  opts: { resamples: number; seed: number },
) {
  if (verdict.image_model !== image.model || verdict.signal_model !== signal.model) {
    throw new CombineError(
      `${verdict.file} is the verdict of ${verdict.image_model} + ${verdict.signal_model}, not of ${image.model} + ${signal.model}`,
    );
  }
  const pairs = pairReadings(image, signal);
  const labels = pairs.map((q) => q.label);
  const a = pairs.map((q) => q.image.p);
  // an unread picture: the pipeline has nothing to say, the combination is the image reading
  const b = pairs.map((q) => q.signal?.p ?? 0);
  const c = pairs.map((q) => combineReadings(q.image, q.signal, verdict.margin_threshold).margin);
  const unread = pairs.filter((q) => q.signal === null).length;
  const atZero = atThreshold(labels, c, 0);
  const scored = (y: number[], s: number[]) => ({ auroc: auroc(y, s), auroc_ci: bootstrapAurocCI(y, s, opts) });
  const one = (s: number[]) => scored(labels, s);
  // the pipeline alone is ranked over the pictures it read (an unread page has no signal score)
  const signalRead = labels.map((_, i) => i).filter((i) => pairs[i]!.signal !== null);
  return {
    set: image.set,
    n: labels.length,
    n_mi: labels.filter((l) => l === 1).length,
    signal_unread: unread,
    rule: COMBINE_RULE,
    verdict: { file: verdict.file, margin_threshold: verdict.margin_threshold, threshold_rule: verdict.threshold_rule },
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

const VERDICT_RULE =
  "the mean margin that maximises Youden's J (sensitivity + specificity - 1) over fold-9 pictures read both ways, pooled over the styles given";

/**
 * The verdict's threshold from fold-9 readings (image and pipeline files paired style by style): Youden's J over
 * the pooled pictures that both read. Fold 9 only: the threshold must never see the pictures it is scored on.
 */
export function chooseVerdict(pairsOfReadings: Array<[Reading, Reading]>) {
  if (pairsOfReadings.length === 0) throw new CombineError('--choose needs at least one --image and --signal file');
  const [image0, signal0] = pairsOfReadings[0]!;
  const labels: number[] = [];
  const margins: number[] = [];
  const perSet: Array<{
    set: string;
    image_file: string;
    signal_file: string;
    margins: number[];
    labels: number[];
    n: number;
    unread: number;
  }> = [];
  for (const [image, signal] of pairsOfReadings) {
    for (const r of [image, signal]) {
      if (r.identity.fold !== 9) {
        throw new CombineError(`${r.file} reads fold ${String(r.identity.fold)}; the verdict is chosen on fold 9 only`);
      }
    }
    if (image.model !== image0.model || signal.model !== signal0.model) {
      throw new CombineError(`${image.file} and ${signal.file} are not ${image0.model} and ${signal0.model}`);
    }
    const pairs = pairReadings(image, signal);
    const read = pairs.filter((q) => q.signal !== null);
    const m = read.map((q) => combineReadings(q.image, q.signal, 0).margin);
    const l = read.map((q) => q.label);
    perSet.push({
      set: image.set,
      image_file: image.file,
      signal_file: signal.file,
      margins: m,
      labels: l,
      n: pairs.length,
      unread: pairs.length - read.length,
    });
    labels.push(...l);
    margins.push(...m);
  }
  const t = chooseThreshold(labels, margins, 'youden');
  const at = (l: number[], m: number[], x: number) => {
    const r = atThreshold(l, m, x);
    return { sensitivity: r.sensitivity, specificity: r.specificity };
  };
  return {
    image_model: image0.model,
    signal_model: signal0.model,
    margin_threshold: t,
    threshold_rule: VERDICT_RULE,
    fold: 9,
    rule: COMBINE_RULE,
    n_read_both_ways: labels.length,
    pooled: { auroc: auroc(labels, margins), at_zero: at(labels, margins, 0), at_threshold: at(labels, margins, t) },
    sets: perSet.map((p) => ({
      set: p.set,
      image_file: p.image_file,
      signal_file: p.signal_file,
      n: p.n,
      signal_unread: p.unread,
      auroc: auroc(p.labels, p.margins),
      at_zero: at(p.labels, p.margins, 0),
      at_threshold: at(p.labels, p.margins, t),
    })),
  };
}

/** The verdict file for these two readings (--verdict, else the standard name); the command that writes it when missing. */
function readVerdict(file: string): VerdictFile & { file: string } {
  if (!existsSync(file)) {
    throw new CombineError(
      `${file} is missing: choose the verdict's threshold on fold 9 first (npm run eval:combined -- --choose --image ... --signal ..., see README)`,
    );
  }
  return { ...parseVerdictFile(readJson(file), file), file };
}

export const EVAL_COMBINED_CLI = defineCli({
  command: 'npm run eval:combined --',
  summary:
    "Pairs the image model's and the digitise + signal pipeline's readings of the same pictures and scores their fixed combination.",
  options: {
    image: {
      type: 'string',
      value: 'FILE',
      help: "an image model's npm run eval file (fold 10; with --choose: fold-9 files, comma-separated)",
    },
    signal: {
      type: 'string',
      value: 'FILE',
      help: 'the digitise + signal pipeline file of the same fold and style (with --choose: one per --image file)',
    },
    choose: { type: 'boolean', help: "choose the verdict's threshold on fold-9 files and write the verdict file" },
    verdict: {
      type: 'string',
      value: 'FILE',
      help: 'verdict file (default: data/eval/combined/IMAGE+SIGNAL.verdict.json)',
    },
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

const COMBINED_DIR = 'data/eval/combined';

export function runCombined(
  argv: string[],
):
  | { out: string; doc: ReturnType<typeof combine>; chosen?: undefined }
  | { out: string; chosen: ReturnType<typeof chooseVerdict>; doc?: undefined } {
  const { values } = parseCli(EVAL_COMBINED_CLI, argv);
  const stamp = () => ({ git_commit: gitCommit() ?? 'unknown', created: new Date().toISOString() });
  const write = (out: string, doc: unknown) => {
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  };
  if (values.choose) {
    if (values.kit)
      throw new CombineError('--choose takes fold-9 eval files, not --kit (ECG-Image-Kit is measured only)');
    const images = (values.image ?? '').split(',').filter(Boolean);
    const signals = (values.signal ?? '').split(',').filter(Boolean);
    if (images.length === 0 || images.length !== signals.length) {
      throw new CombineError('--choose needs as many --signal files as --image files (comma-separated, fold 9)');
    }
    const chosen = chooseVerdict(images.map((f, i) => [readEvalReading(f), readEvalReading(signals[i]!)]));
    const out = values.out ?? path.join(COMBINED_DIR, verdictFileName(chosen.image_model, chosen.signal_model));
    write(out, { ...chosen, ...stamp() });
    return { out, chosen };
  }
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
  const verdict = readVerdict(values.verdict ?? path.join(COMBINED_DIR, verdictFileName(image.model, signal.model)));
  const doc = { ...combine(image, signal, verdict, opts), ...stamp() };
  const out = values.out ?? path.join(COMBINED_DIR, `${image.model}+${signal.model}.${image.set}.json`);
  write(out, doc);
  return { out, doc };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const r = runCombined(process.argv.slice(2));
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    if (r.chosen) {
      const c = r.chosen;
      console.log(JSON.stringify({ margin_threshold: r4(c.margin_threshold), n: c.n_read_both_ways, ...c.pooled }));
    } else {
      const doc = r.doc;
      console.log(
        JSON.stringify({
          set: doc.set,
          n: doc.n,
          image: r4(doc.image.auroc),
          signal: r4(doc.signal.auroc),
          combined: r4(doc.combined.auroc),
          sensitivity: r4(doc.combined.sensitivity),
          specificity: r4(doc.combined.specificity),
          gain: r4(doc.combined.gain_over_image),
          gain_ci: doc.combined.gain_over_image_ci.map(r4),
        }),
      );
    }
    process.stderr.write(`[eval:combined] wrote ${r.out}\n`);
  } catch (e) {
    console.error(`[eval:combined] error: ${errorMessage(e)}`);
    process.exit(1);
  }
}
