/**
 * One results table: the study's published final runs (random 80/20 split), our models on the patient-disjoint
 * test fold (data/eval), and the all-Normal baseline for each, with n and split type.
 */
import { archLabel, dec, int, pct } from './format';
import type { EvalResult, StudyFinalRow, StudyLogRow, TableModel } from './types';

/** Facts from the study (STUDY.md): PTB-XL has 21,837 records and the study held out a random 20%. */
export const PTBXL_RECORDS = 21837;
export const STUDY_VALID_FRACTION = 0.2;
export const STUDY_VALID_N = Math.round(PTBXL_RECORDS * STUDY_VALID_FRACTION);

/**
 * The all-Normal accuracy on the study's full-dataset validation set, read from its own logs: an epoch of a
 * full-dataset run ("Final Hyperparameter Trials") that predicted Normal for every image (recall 0, precision 0)
 * has error rate = share of MI. Undefined when no such epoch exists.
 */
export function studyAllNormalAccuracy(logs: StudyLogRow[]): number | undefined {
  const row = logs.find((r) => /final/i.test(r.section) && r.recall === 0 && r.precision === 0);
  return row ? 1 - row.errorRate : undefined;
}

export interface ResultsRow {
  model: string;
  whose: 'Study (published)' | 'Ours' | 'Baseline';
  /** The block the row is listed under: whose numbers and on which split. */
  group: string;
  data: string;
  split: string;
  n: string;
  accuracy: string;
  sensitivity: string;
  specificity: string;
  precision: string;
  f1: string;
  auroc: string;
  source: string;
}

const NA = '—';
export const STUDY_GROUP =
  "The study's final runs, as published: random 80/20 split of the images (not patient-disjoint)";
export const oursGroup = (fold: number | string) => `Ours: PTB-XL fold ${fold}, patient-disjoint, scored once`;

/**
 * The rows of the results table in reading order: the study's block (its all-Normal baseline first, then its
 * runs), then ours (the all-Normal baseline of each test set first, then every evaluation). The baseline leads
 * each block so every number below it is read against what calling everything "Normal" already scores.
 */
export function resultsRows(
  study: StudyFinalRow[],
  evals: EvalResult[],
  opts: { studyFile: string; logsFile: string; studyBaseline?: number },
): ResultsRow[] {
  const studySplit = 'random 80/20 (not patient-disjoint)';
  const studyN = `≈${int(STUDY_VALID_N)}`;
  const rows: ResultsRow[] = [];
  if (opts.studyBaseline !== undefined) {
    rows.push({
      model: 'Everything “Normal”',
      whose: 'Baseline',
      group: STUDY_GROUP,
      data: "the study's validation set",
      split: studySplit,
      n: studyN,
      accuracy: pct(opts.studyBaseline, 1),
      sensitivity: pct(0, 1),
      specificity: pct(1, 1),
      precision: NA,
      f1: NA,
      auroc: NA,
      source: `${opts.logsFile} (an all-Normal epoch)`,
    });
  }
  for (const r of study) {
    rows.push({
      model: `HeartNet ${archLabel(r.architecture)}, batch ${r.batchSize}`,
      whose: 'Study (published)',
      group: STUDY_GROUP,
      data: 'dataset 2 images',
      split: studySplit,
      n: studyN,
      accuracy: pct(1 - r.errorRate, 1),
      sensitivity: pct(r.recall, 1),
      specificity: NA,
      precision: pct(r.precision, 1),
      f1: dec(r.f1, 3),
      auroc: NA,
      source: `${opts.studyFile} (the study's figure 8)`,
    });
  }
  const folds = [...new Set(evals.map((e) => String(e.fold)))];
  for (const fold of folds) {
    const inFold = evals.filter((e) => String(e.fold) === fold);
    const seen = new Set<string>();
    for (const e of inFold) {
      const key = `${e.n}|${e.baseline_all_normal_accuracy}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({
        model: 'Everything “Normal”',
        whose: 'Baseline',
        group: oursGroup(e.fold),
        data: `PTB-XL fold ${e.fold}`,
        split: `PTB-XL fold ${e.fold} (patient-disjoint)`,
        n: int(e.n),
        accuracy: pct(e.baseline_all_normal_accuracy, 1),
        sensitivity: pct(0, 1),
        specificity: pct(1, 1),
        precision: NA,
        f1: NA,
        auroc: NA,
        source: e.file,
      });
    }
    for (const e of inFold) {
      rows.push({
        model: `${e.model} on ${e.style}`,
        whose: 'Ours',
        group: oursGroup(e.fold),
        // signals-3x4r: the signal classifier read the true signals in the printout's windows (npm run eval:signals)
        data: e.style === 'signals-3x4r' ? 'true signals, 3x4 + rhythm windows' : `${e.style} images`,
        split: `PTB-XL fold ${e.fold} (patient-disjoint)`,
        n: int(e.n),
        accuracy: pct(e.accuracy, 1),
        sensitivity: pct(e.sensitivity, 1),
        specificity: pct(e.specificity, 1),
        precision: pct(e.precision, 1),
        f1: dec(e.f1, 3),
        auroc: `${dec(e.auroc, 3)} (${dec(e.auroc_ci[0], 3)}–${dec(e.auroc_ci[1], 3)})`,
        source: e.file,
      });
    }
  }
  return rows;
}

/**
 * The table's columns: the model, n and the six figures. Whose numbers and the split are the row's block
 * heading; the source files are listed under the table.
 */
export const RESULTS_COLUMNS: TableModel['columns'] = [
  { key: 'model', label: 'Model' },
  { key: 'n', label: 'n', numeric: true },
  { key: 'accuracy', label: 'Accuracy', numeric: true },
  { key: 'sensitivity', label: 'Sensitivity (recall)', numeric: true },
  { key: 'specificity', label: 'Specificity', numeric: true },
  { key: 'precision', label: 'Precision', numeric: true },
  { key: 'f1', label: 'F1', numeric: true },
  { key: 'auroc', label: 'AUROC (95% CI)', numeric: true },
];

export function resultsTable(rows: ResultsRow[]): TableModel {
  return {
    caption: 'Results side by side',
    rowHeader: 'model',
    groupBy: 'group',
    columns: RESULTS_COLUMNS,
    rows: rows.map((r) => ({ ...r })),
  };
}
