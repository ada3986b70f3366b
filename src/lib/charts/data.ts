/**
 * Data loaders for the charts (build time only). They read the study's CSVs (data/study/), our training
 * runs (data/training/*.json) and our test-fold evaluations (data/eval/*.json), validate every row and
 * return plain arrays for the views. A bad file throws a ChartDataError naming the file and the row.
 *
 * The parse* functions are pure (text or parsed JSON in, arrays out); the load* functions add the file I/O.
 */
import { errorMessage } from '../errors';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseCsv } from './csv';
import { EVAL_DIR_DEFAULT, parseEvalFileName, TEST_FOLD } from '../eval-files';
import type {
  CalibrationBin,
  EvalResult,
  EvalSubgroup,
  EvalSubgroups,
  EvalUpright,
  PrPoint,
  RocPoint,
  StudyDatasetRow,
  StudyFinalRow,
  StudyLogRow,
  StudyMetricRow,
  TrainingEpoch,
  TrainingRun,
} from './types';

export class ChartDataError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ChartDataError';
  }
}

export const STUDY_DIR = 'data/study';
/**
 * Where our runs and evaluations live. The env overrides exist only to preview the "ours" charts locally with
 * the test fixtures (e.g. HEARTNET_TRAINING_DIR=tests/fixtures/charts/training astro build --outDir /tmp/x);
 * the deployed site always reads data/.
 */
export const TRAINING_DIR = process.env.HEARTNET_TRAINING_DIR ?? 'data/training';
export const EVAL_DIR = process.env.HEARTNET_EVAL_DIR ?? EVAL_DIR_DEFAULT;

export const STUDY_FILES = {
  architecture: `${STUDY_DIR}/resnet_comparison.csv`,
  batchSize: `${STUDY_DIR}/batch_size_comparison.csv`,
  final: `${STUDY_DIR}/final_results.csv`,
  datasets: `${STUDY_DIR}/dataset_comparison.csv`,
  logs: `${STUDY_DIR}/exploratory_training_logs.csv`,
} as const;

// ---------------------------------------------------------------------------------------------------------------
// CSV validation

type ColType = 'string' | 'int' | 'number' | 'rate';
type ColSpec = Record<string, ColType>;
type Cell = string | number;

/** Parse a CSV with a required header; every cell is checked against its column type. */
function readTable(text: string, file: string, spec: ColSpec): Record<string, Cell>[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (!header) throw new ChartDataError(file, 'empty file (no header row)');
  const names = header.map((h) => h.trim());
  for (const col of Object.keys(spec)) {
    if (!names.includes(col)) throw new ChartDataError(file, `missing column "${col}" (header: ${names.join(',')})`);
  }
  const out: Record<string, Cell>[] = [];
  rows.slice(1).forEach((cells, i) => {
    const where = `row ${i + 1} (line ${i + 2})`;
    if (cells.length !== names.length) {
      throw new ChartDataError(file, `${where}: expected ${names.length} fields, found ${cells.length}`);
    }
    const rec: Record<string, Cell> = {};
    for (const [col, type] of Object.entries(spec)) {
      const raw = (cells[names.indexOf(col)] ?? '').trim();
      rec[col] = checkCell(raw, type, file, `${where}, column "${col}"`);
    }
    out.push(rec);
  });
  if (out.length === 0) throw new ChartDataError(file, 'no data rows');
  return out;
}

function checkCell(raw: string, type: ColType, file: string, where: string): Cell {
  if (type === 'string') {
    if (raw === '') throw new ChartDataError(file, `${where}: empty value`);
    return raw;
  }
  const n = raw === '' ? NaN : Number(raw);
  if (!Number.isFinite(n)) throw new ChartDataError(file, `${where}: "${raw}" is not a number`);
  if (type === 'int' && !Number.isInteger(n)) throw new ChartDataError(file, `${where}: "${raw}" is not an integer`);
  if (type === 'rate' && (n < 0 || n > 1)) throw new ChartDataError(file, `${where}: ${raw} is outside [0, 1]`);
  return n;
}

const METRIC_COLS = { error_rate: 'rate', recall: 'rate', precision: 'rate', f1: 'rate' } as const;

function metricRow(r: Record<string, Cell>): StudyMetricRow {
  return {
    architecture: String(r.architecture),
    batchSize: Number(r.batch_size),
    bestEpoch: Number(r.best_epoch),
    errorRate: Number(r.error_rate),
    recall: Number(r.recall),
    precision: Number(r.precision),
    f1: Number(r.f1),
  };
}

/** fig. 6 (resnet_comparison.csv) and fig. 7 (batch_size_comparison.csv) share one schema. */
export function parseStudyMetrics(text: string, file: string): StudyMetricRow[] {
  return readTable(text, file, { architecture: 'string', batch_size: 'int', best_epoch: 'int', ...METRIC_COLS }).map(
    metricRow,
  );
}

export function parseStudyFinal(text: string, file: string): StudyFinalRow[] {
  return readTable(text, file, {
    architecture: 'string',
    batch_size: 'int',
    epochs: 'int',
    best_epoch: 'int',
    train_loss: 'number',
    valid_loss: 'number',
    ...METRIC_COLS,
  }).map((r) => ({
    ...metricRow(r),
    epochs: Number(r.epochs),
    trainLoss: Number(r.train_loss),
    validLoss: Number(r.valid_loss),
  }));
}

export function parseStudyDatasets(text: string, file: string): StudyDatasetRow[] {
  return readTable(text, file, { dataset: 'int', description: 'string', ...METRIC_COLS }).map((r) => ({
    dataset: Number(r.dataset),
    description: String(r.description),
    errorRate: Number(r.error_rate),
    recall: Number(r.recall),
    precision: Number(r.precision),
    f1: Number(r.f1),
  }));
}

export function parseStudyLogs(text: string, file: string): StudyLogRow[] {
  const rows = readTable(text, file, {
    run: 'int',
    section: 'string',
    label: 'string',
    phase: 'string',
    epoch: 'int',
    train_loss: 'number',
    valid_loss: 'number',
    ...METRIC_COLS,
    time: 'string',
  });
  return rows.map((r, i) => {
    if (r.phase !== 'frozen' && r.phase !== 'fine_tune') {
      throw new ChartDataError(
        file,
        `row ${i + 1} (line ${i + 2}), column "phase": "${r.phase}" is not frozen|fine_tune`,
      );
    }
    return {
      run: Number(r.run),
      section: String(r.section).replace(/:\s*$/, ''),
      label: String(r.label).replace(/\s+/g, ' '),
      phase: r.phase,
      epoch: Number(r.epoch),
      trainLoss: Number(r.train_loss),
      validLoss: Number(r.valid_loss),
      errorRate: Number(r.error_rate),
      recall: Number(r.recall),
      precision: Number(r.precision),
      f1: Number(r.f1),
      time: String(r.time),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// JSON validation

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(
  o: Record<string, unknown>,
  key: string,
  file: string,
  where: string,
  opts: { rate?: boolean; int?: boolean } = {},
): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ChartDataError(file, `${where}: "${key}" must be a finite number (got ${JSON.stringify(v)})`);
  }
  if (opts.int && !Number.isInteger(v))
    throw new ChartDataError(file, `${where}: "${key}" must be an integer (got ${v})`);
  if (opts.rate && (v < 0 || v > 1)) throw new ChartDataError(file, `${where}: "${key}" = ${v} is outside [0, 1]`);
  return v;
}

function str(o: Record<string, unknown>, key: string, file: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string')
    throw new ChartDataError(file, `${where}: "${key}" must be a string (got ${JSON.stringify(v)})`);
  return v;
}

/** A string that may be null (e.g. git_commit when git was unavailable): null -> "unknown". */
function optStr(o: Record<string, unknown>, key: string, file: string, where: string): string {
  return o[key] === null ? 'unknown' : str(o, key, file, where);
}

function arr(o: Record<string, unknown>, key: string, file: string, where: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new ChartDataError(file, `${where}: "${key}" must be an array`);
  return v;
}

function obj(o: Record<string, unknown>, key: string, file: string, where: string): Record<string, unknown> {
  const v = o[key];
  if (!isObj(v)) throw new ChartDataError(file, `${where}: "${key}" must be an object`);
  return v;
}

const EPOCH_RATES = [
  'val_auroc',
  'val_sensitivity',
  'val_specificity',
  'val_precision',
  'val_f1',
  'val_error_rate',
] as const;

/** Parameter count if the log has one (model_info.params, as training/train.py writes it). */
function paramsOf(json: Record<string, unknown>): number | undefined {
  const info = json.model_info;
  if (isObj(info) && typeof info.params === 'number' && Number.isFinite(info.params)) return info.params;
  return undefined;
}

/** The fold-9 AUROC recomputed here for a run trained elsewhere (a log with `fold9_at_run`), else undefined. */
function scoredElsewhere(json: Record<string, unknown>, file: string): TrainingRun['scoredElsewhere'] {
  if (json.fold9_at_run === undefined) return undefined;
  const here = obj(json, 'val_metrics_at_threshold', file, 'top level');
  return { homeAuroc: num(here, 'auroc', file, 'val_metrics_at_threshold', { rate: true }) };
}

/** Validate one of our training-run files (schema in docs/DATA-FORMATS.md). */
export function parseTrainingRun(json: unknown, file: string): TrainingRun {
  if (!isObj(json)) throw new ChartDataError(file, 'top level must be a JSON object');
  const top = 'top level';
  const epochs = arr(json, 'epochs', file, top).map((e, i): TrainingEpoch => {
    const where = `epochs[${i}]`;
    if (!isObj(e)) throw new ChartDataError(file, `${where}: must be an object`);
    const out = {
      epoch: num(e, 'epoch', file, where, { int: true }),
      train_loss: num(e, 'train_loss', file, where),
      val_loss: num(e, 'val_loss', file, where),
      seconds: num(e, 'seconds', file, where),
    } as TrainingEpoch;
    for (const k of EPOCH_RATES) out[k] = num(e, k, file, where, { rate: true });
    if (e.val_auroc_readouts !== undefined)
      out.val_auroc_readouts = num(e, 'val_auroc_readouts', file, where, { rate: true });
    return out;
  });
  if (epochs.length === 0) throw new ChartDataError(file, 'epochs: no epochs');
  epochs.forEach((e, i) => {
    if (i > 0 && e.epoch <= epochs[i - 1]!.epoch) {
      throw new ChartDataError(file, `epochs[${i}]: epoch ${e.epoch} does not increase`);
    }
  });
  const best = num(json, 'best_epoch', file, top, { int: true });
  if (!epochs.some((e) => e.epoch === best))
    throw new ChartDataError(file, `best_epoch ${best} is not one of the epochs`);
  return {
    name: str(json, 'name', file, top),
    config: obj(json, 'config', file, top),
    model: str(json, 'model', file, top),
    started: str(json, 'started', file, top),
    finished: str(json, 'finished', file, top),
    git_commit: optStr(json, 'git_commit', file, top),
    data: obj(json, 'data', file, top),
    epochs,
    best_epoch: best,
    threshold: num(json, 'threshold', file, top),
    params: paramsOf(json),
    scoredElsewhere: scoredElsewhere(json, file),
    file,
  };
}

/** Validate one of our evaluation files (schema in docs/DATA-FORMATS.md). */
export function parseEvalResult(json: unknown, file: string): EvalResult {
  if (!isObj(json)) throw new ChartDataError(file, 'top level must be a JSON object');
  const top = 'top level';
  const rate = { rate: true };
  const fold = json.fold;
  if (typeof fold !== 'number' && typeof fold !== 'string') {
    throw new ChartDataError(file, `${top}: "fold" must be a number or string`);
  }
  const ci = arr(json, 'auroc_ci', file, top);
  if (ci.length !== 2 || ci.some((v) => typeof v !== 'number' || v < 0 || v > 1)) {
    throw new ChartDataError(file, `${top}: "auroc_ci" must be [lo, hi] within [0, 1]`);
  }
  const c = obj(json, 'confusion', file, top);
  const confusion = {
    tp: num(c, 'tp', file, 'confusion', { int: true }),
    fp: num(c, 'fp', file, 'confusion', { int: true }),
    tn: num(c, 'tn', file, 'confusion', { int: true }),
    fn: num(c, 'fn', file, 'confusion', { int: true }),
  };
  const n = num(json, 'n', file, top, { int: true });
  const total = confusion.tp + confusion.fp + confusion.tn + confusion.fn;
  if (total !== n) throw new ChartDataError(file, `confusion: tp+fp+tn+fn = ${total} but n = ${n}`);
  const roc = arr(json, 'roc', file, top).map((p, i): RocPoint => {
    const where = `roc[${i}]`;
    if (!isObj(p)) throw new ChartDataError(file, `${where}: must be an object`);
    return {
      fpr: num(p, 'fpr', file, where, rate),
      tpr: num(p, 'tpr', file, where, rate),
      threshold: num(p, 'threshold', file, where),
    };
  });
  const pr = arr(json, 'pr', file, top).map((p, i): PrPoint => {
    const where = `pr[${i}]`;
    if (!isObj(p)) throw new ChartDataError(file, `${where}: must be an object`);
    return {
      recall: num(p, 'recall', file, where, rate),
      precision: num(p, 'precision', file, where, rate),
      threshold: num(p, 'threshold', file, where),
    };
  });
  const calibration = arr(json, 'calibration', file, top).map((b, i): CalibrationBin => {
    const where = `calibration[${i}]`;
    if (!isObj(b)) throw new ChartDataError(file, `${where}: must be an object`);
    return {
      bin_lo: num(b, 'bin_lo', file, where, rate),
      bin_hi: num(b, 'bin_hi', file, where, rate),
      mean_pred: num(b, 'mean_pred', file, where, rate),
      frac_pos: num(b, 'frac_pos', file, where, rate),
      n: num(b, 'n', file, where, { int: true }),
    };
  });
  return {
    model: str(json, 'model', file, top),
    style: str(json, 'style', file, top),
    fold,
    n,
    threshold: num(json, 'threshold', file, top),
    auroc: num(json, 'auroc', file, top, rate),
    auroc_ci: [ci[0] as number, ci[1] as number],
    sensitivity: num(json, 'sensitivity', file, top, rate),
    specificity: num(json, 'specificity', file, top, rate),
    precision: num(json, 'precision', file, top, rate),
    f1: num(json, 'f1', file, top, rate),
    accuracy: num(json, 'accuracy', file, top, rate),
    confusion,
    roc,
    pr,
    calibration,
    baseline_all_normal_accuracy: num(json, 'baseline_all_normal_accuracy', file, top, rate),
    subgroups: json.subgroups === undefined ? undefined : parseSubgroups(json.subgroups, file, n),
    upright: json.upright === undefined ? undefined : parseUpright(json.upright, file, n),
    git_commit: optStr(json, 'git_commit', file, top),
    file,
  };
}

/** The sheet-upright step's counts: each within the evaluated pictures, the righted ones within the drawn-turned. */
function parseUpright(json: unknown, file: string, n: number): EvalUpright {
  if (!isObj(json)) throw new ChartDataError(file, 'upright: must be an object');
  const count = (k: string) => num(json, k, file, 'upright', { int: true });
  const u: EvalUpright = {
    model: str(json, 'model', file, 'upright'),
    n: count('n'),
    turned: count('turned'),
    right_way_up: count('right_way_up'),
    drawn_turned: count('drawn_turned'),
    drawn_turned_righted: count('drawn_turned_righted'),
    auroc_as_drawn: optRate(json, 'auroc_as_drawn', file, 'upright'),
    drawn_turned_auroc: optRate(json, 'drawn_turned_auroc', file, 'upright'),
    drawn_turned_auroc_as_drawn: optRate(json, 'drawn_turned_auroc_as_drawn', file, 'upright'),
  };
  if (u.n !== n) throw new ChartDataError(file, `upright: n ${u.n} but the evaluation has ${n} pictures`);
  for (const k of ['turned', 'right_way_up', 'drawn_turned'] as const)
    if (u[k] > n) throw new ChartDataError(file, `upright: ${k} ${u[k]} exceeds n ${n}`);
  if (u.drawn_turned_righted > u.drawn_turned)
    throw new ChartDataError(file, 'upright: more drawn-turned pictures righted than drawn turned');
  return u;
}

/** A rate that may be null (not defined for the group). */
function optRate(o: Record<string, unknown>, key: string, file: string, where: string): number | null {
  return o[key] === null ? null : num(o, key, file, where, { rate: true });
}

function optCi(o: Record<string, unknown>, key: string, file: string, where: string): [number, number] | null {
  const v = o[key];
  if (v === null) return null;
  if (!Array.isArray(v) || v.length !== 2 || v.some((x) => typeof x !== 'number' || x < 0 || x > 1) || v[0] > v[1]) {
    throw new ChartDataError(file, `${where}: "${key}" must be null or [lo, hi] within [0, 1]`);
  }
  return [v[0], v[1]];
}

/** The model card's figures by sex and age band; each grouping must cover every evaluated record once. */
export function parseSubgroups(json: unknown, file: string, n: number): EvalSubgroups {
  if (!isObj(json)) throw new ChartDataError(file, 'subgroups: must be an object');
  const group = (which: 'sex' | 'age'): EvalSubgroup[] => {
    const rows = arr(json, which, file, 'subgroups').map((g, i): EvalSubgroup => {
      const where = `subgroups.${which}[${i}]`;
      if (!isObj(g)) throw new ChartDataError(file, `${where}: must be an object`);
      const out: EvalSubgroup = {
        key: str(g, 'key', file, where),
        label: str(g, 'label', file, where),
        n: num(g, 'n', file, where, { int: true }),
        n_mi: num(g, 'n_mi', file, where, { int: true }),
        auroc: optRate(g, 'auroc', file, where),
        auroc_ci: optCi(g, 'auroc_ci', file, where),
        sensitivity: optRate(g, 'sensitivity', file, where),
        sensitivity_ci: optCi(g, 'sensitivity_ci', file, where),
        specificity: optRate(g, 'specificity', file, where),
        specificity_ci: optCi(g, 'specificity_ci', file, where),
      };
      if (out.n_mi > out.n) throw new ChartDataError(file, `${where}: n_mi ${out.n_mi} > n ${out.n}`);
      return out;
    });
    const total = rows.reduce((s, g) => s + g.n, 0);
    if (total !== n) throw new ChartDataError(file, `subgroups.${which}: groups hold ${total} records but n = ${n}`);
    return rows;
  };
  return { method: str(json, 'method', file, 'subgroups'), sex: group('sex'), age: group('age') };
}

// ---------------------------------------------------------------------------------------------------------------
// File I/O (build time). Paths are repository-relative; `root` defaults to the working directory (the repo root
// for `astro build`, vitest and the scripts).

function rel(root: string, p: string): string {
  return relative(root, resolve(root, p)).split('\\').join('/');
}

function readText(file: string, root: string): string {
  const abs = resolve(root, file);
  if (!existsSync(abs)) throw new ChartDataError(rel(root, file), 'file not found');
  return readFileSync(abs, 'utf8');
}

/** A JSON file's content; a missing file or invalid JSON is a ChartDataError naming the file (every loader here uses it). */
export function readJson(file: string, root = process.cwd()): unknown {
  const text = readText(file, root);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ChartDataError(rel(root, file), `invalid JSON: ${errorMessage(e)}`);
  }
}

export function loadStudyMetrics(file: string, root = process.cwd()): StudyMetricRow[] {
  return parseStudyMetrics(readText(file, root), rel(root, file));
}
export function loadStudyFinal(file: string = STUDY_FILES.final, root = process.cwd()): StudyFinalRow[] {
  return parseStudyFinal(readText(file, root), rel(root, file));
}
export function loadStudyDatasets(file: string = STUDY_FILES.datasets, root = process.cwd()): StudyDatasetRow[] {
  return parseStudyDatasets(readText(file, root), rel(root, file));
}
export function loadStudyLogs(file: string = STUDY_FILES.logs, root = process.cwd()): StudyLogRow[] {
  return parseStudyLogs(readText(file, root), rel(root, file));
}
export function loadTrainingRun(file: string, root = process.cwd()): TrainingRun {
  return parseTrainingRun(readJson(file, root), rel(root, file));
}
export function loadEvalResult(file: string, root = process.cwd()): EvalResult {
  const e = parseEvalResult(readJson(file, root), rel(root, file));
  // a file renamed by hand, or written by another tool, must not put one model's figures under another's name
  const named = parseEvalFileName(file);
  if (named && (named.model !== e.model || named.style !== e.style))
    throw new ChartDataError(
      rel(root, file),
      `holds model "${e.model}" on style "${e.style}" but its name says "${named.model}" on "${named.style}"; re-run npm run eval`,
    );
  return e;
}

/** JSON files in a directory (sorted), optionally only names starting with `prefix`. Missing dir: []. */
export function listJson(dir: string, root = process.cwd(), prefix = ''): string[] {
  const abs = resolve(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => f.endsWith('.json') && f.startsWith(prefix) && !f.startsWith('.'))
    .sort()
    .map((f) => rel(root, join(dir, f)));
}

/** Every training run in data/training (or `dir`), optionally only sweep-*.json. */
export function loadTrainingRuns(dir = TRAINING_DIR, root = process.cwd(), prefix = ''): TrainingRun[] {
  return listJson(dir, root, prefix).map((f) => loadTrainingRun(f, root));
}

/**
 * The evaluation files the site shows by default: NAME.STYLE.json on the test fold. Validation-fold runs
 * (NAME.STYLE-fold9.json) are left out, sweep runs (sweep-*) are listed only with `which = 'sweep'`, and a subset run (NAME.STYLE-nN.json, from `npm run eval -- --limit N`)
 * only counts when the full NAME.STYLE.json does not exist (the largest N then).
 */
export function listEvalFiles(dir = EVAL_DIR, root = process.cwd(), which: 'models' | 'sweep' = 'models'): string[] {
  // the sweep's nine small runs (sweep-*.json) get their own table next to the sweep charts; the default
  // list is the models the report discusses
  const isSweep = (f: string) => /(^|\/)sweep-[^/]*$/.test(f);
  const files = listJson(dir, root)
    .map((file) => ({ file, name: parseEvalFileName(file) }))
    .filter((f) => f.name && f.name.fold === TEST_FOLD && isSweep(f.file) === (which === 'sweep'));
  const full = new Set(files.filter((f) => f.name!.limit === null).map((f) => f.name!.base));
  const bestLimited = new Map<string, { file: string; n: number }>();
  for (const { file, name } of files) {
    const { base, limit } = name!;
    if (limit === null || full.has(base)) continue;
    const cur = bestLimited.get(base);
    if (!cur || limit > cur.n) bestLimited.set(base, { file, n: limit });
  }
  const fullFiles = files.filter((f) => f.name!.limit === null).map((f) => f.file);
  return [...fullFiles, ...[...bestLimited.values()].map((v) => v.file)].sort();
}

/** Every evaluation in data/eval (or `dir`), as chosen by listEvalFiles. */
export function loadEvalResults(dir = EVAL_DIR, root = process.cwd()): EvalResult[] {
  return listEvalFiles(dir, root).map((f) => loadEvalResult(f, root));
}
