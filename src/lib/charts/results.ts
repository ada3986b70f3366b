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

export function resultsRows(
  study: StudyFinalRow[],
  evals: EvalResult[],
  opts: { studyFile: string; logsFile: string; studyBaseline?: number },
): ResultsRow[] {
  const studySplit = 'random 80/20 (not patient-disjoint)';
  const studyN = `≈${int(STUDY_VALID_N)}`;
  const rows: ResultsRow[] = study.map((r) => ({
    model: `HeartNet ${archLabel(r.architecture)}, batch ${r.batchSize}`,
    whose: 'Study (published)',
    data: 'dataset 2 images',
    split: studySplit,
    n: studyN,
    accuracy: pct(1 - r.errorRate, 1),
    sensitivity: pct(r.recall, 1),
    specificity: NA,
    precision: pct(r.precision, 1),
    f1: dec(r.f1, 3),
    auroc: NA,
    source: `${opts.studyFile} (fig. 8)`,
  }));
  if (opts.studyBaseline !== undefined) {
    rows.push({
      model: 'Everything “Normal”',
      whose: 'Baseline',
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
  for (const e of evals) {
    rows.push({
      model: e.model,
      whose: 'Ours',
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
  const seen = new Set<string>();
  for (const e of evals) {
    const key = `${e.fold}|${e.n}|${e.baseline_all_normal_accuracy}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({
      model: 'Everything “Normal”',
      whose: 'Baseline',
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
  return rows;
}

export const RESULTS_COLUMNS: TableModel['columns'] = [
  { key: 'model', label: 'Model' },
  { key: 'whose', label: 'Whose' },
  { key: 'data', label: 'Images' },
  { key: 'split', label: 'Split' },
  { key: 'n', label: 'n (evaluated)', numeric: true },
  { key: 'accuracy', label: 'Accuracy', numeric: true },
  { key: 'sensitivity', label: 'Sensitivity (recall)', numeric: true },
  { key: 'specificity', label: 'Specificity', numeric: true },
  { key: 'precision', label: 'Precision', numeric: true },
  { key: 'f1', label: 'F1', numeric: true },
  { key: 'auroc', label: 'AUROC (95% CI)', numeric: true },
  { key: 'source', label: 'Numbers from' },
];

export function resultsTable(rows: ResultsRow[]): TableModel {
  return {
    caption: 'Results side by side',
    rowHeader: 'model',
    columns: RESULTS_COLUMNS,
    rows: rows.map((r) => ({ ...r })),
  };
}
