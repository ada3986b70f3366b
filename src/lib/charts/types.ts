/** Plain data shapes the chart views take. Loaders in `data.ts` produce them; views never read files. */

/** One row of the study's fig. 6 / fig. 7 tables (metrics at the best epoch; MI is the positive class). */
export interface StudyMetricRow {
  architecture: string;
  batchSize: number;
  bestEpoch: number;
  errorRate: number;
  recall: number;
  precision: number;
  f1: number;
}

/** One row of fig. 8: 25-epoch runs on all of dataset 2. */
export interface StudyFinalRow extends StudyMetricRow {
  epochs: number;
  trainLoss: number;
  validLoss: number;
}

/** One row of fig. 13: datasets 1, 2, 3. */
export interface StudyDatasetRow {
  dataset: number;
  description: string;
  errorRate: number;
  recall: number;
  precision: number;
  f1: number;
}

/** One row of the study's exploratory per-epoch logs. */
export interface StudyLogRow {
  run: number;
  section: string;
  label: string;
  phase: 'frozen' | 'fine_tune';
  epoch: number;
  trainLoss: number;
  validLoss: number;
  errorRate: number;
  recall: number;
  precision: number;
  f1: number;
  time: string;
}

/** One epoch of one of our training runs (data/training/NAME.json). */
export interface TrainingEpoch {
  epoch: number;
  train_loss: number;
  val_loss: number;
  val_auroc: number;
  val_sensitivity: number;
  val_specificity: number;
  val_precision: number;
  val_f1: number;
  val_error_rate: number;
  /** signal runs trained with kept readings: fold 9 as the digitiser read it (training/signal_train.py) */
  val_auroc_readouts?: number;
  seconds: number;
}

/** One of our training runs, as written by the training pipeline (extra keys are kept in `config`/ignored). */
export interface TrainingRun {
  name: string;
  config: Record<string, unknown>;
  model: string;
  started: string;
  finished: string;
  git_commit: string;
  data: Record<string, unknown>;
  epochs: TrainingEpoch[];
  best_epoch: number;
  threshold: number;
  /** Number of trainable parameters, when the log has model_info.params. */
  params?: number;
  /**
   * A run trained on a rented GPU and exported here (`train.py --export-only`, its log has `fold9_at_run`): its
   * epochs were scored on the machine's own fold-9 renders, and only the exported checkpoint was scored again here
   * on the fold-9 renders every other run was selected on (`val_metrics_at_threshold`).
   */
  scoredElsewhere?: { homeAuroc: number };
  /** Repository-relative path of the file it was read from (added by the loader). */
  file: string;
}

// The curve and calibration points of an eval file are written by src/lib/model/metrics.ts (npm run eval):
// the charts read that same shape, so they use its types rather than a copy.
import type { CalibrationBin, PrPoint, RocPoint } from '../model/metrics';
export type { CalibrationBin, PrPoint, RocPoint };

/** Our test-fold evaluation of one model on one image style (data/eval/NAME.STYLE.json). */
export interface EvalResult {
  model: string;
  style: string;
  fold: number | string;
  n: number;
  threshold: number;
  auroc: number;
  auroc_ci: [number, number];
  sensitivity: number;
  specificity: number;
  precision: number;
  f1: number;
  accuracy: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  roc: RocPoint[];
  pr: PrPoint[];
  calibration: CalibrationBin[];
  baseline_all_normal_accuracy: number;
  /** Figures by sex and age band (the model card); absent in files written before `npm run eval` recorded them. */
  subgroups?: EvalSubgroups;
  /**
   * How the sheet-upright model turned the renders before the model read them (`npm run eval --upright`); absent
   * when the renders were read as drawn.
   */
  upright?: EvalUpright;
  git_commit: string;
  /** Repository-relative path of the file it was read from (added by the loader). */
  file: string;
}

/** Counts of the sheet-upright step of one evaluation (scripts/eval.ts). */
export interface EvalUpright {
  model: string;
  n: number;
  /** pictures it turned */
  turned: number;
  /** pictures that ended up the right way up */
  right_way_up: number;
  /** pictures drawn with the sheet turned (wild photos), and how many of those it turned upright */
  drawn_turned: number;
  drawn_turned_righted: number;
  /** AUROC of the same renders read as drawn (without the step); null where a group has one class only */
  auroc_as_drawn: number | null;
  /** AUROC of the renders drawn with the sheet turned, with the step and read as drawn */
  drawn_turned_auroc: number | null;
  drawn_turned_auroc_as_drawn: number | null;
}

/** One patient group's fold-10 figures (scripts/lib/subgroups.ts); null where the group cannot define a figure. */
export interface EvalSubgroup {
  key: string;
  label: string;
  n: number;
  n_mi: number;
  auroc: number | null;
  auroc_ci: [number, number] | null;
  sensitivity: number | null;
  sensitivity_ci: [number, number] | null;
  specificity: number | null;
  specificity_ci: [number, number] | null;
}

export interface EvalSubgroups {
  method: string;
  sex: EvalSubgroup[];
  age: EvalSubgroup[];
}

/** A loss curve normalised from either source, what the loss-curve view draws. */
export interface LossCurve {
  id: string;
  /** Short name ("run 3" for the study's logs, the run's `name` for ours). */
  name: string;
  label: string;
  /** "study" for the published exploratory logs, "ours" for data/training runs. */
  source: 'study' | 'ours';
  /** Where the numbers came from (repository-relative path). */
  file: string;
  points: LossPoint[];
  /** Extra validation metrics drawn in the lower panel, by display name. */
  metricNames: string[];
}

export interface LossPoint {
  /** x position: the epoch number (study logs: 0 = FastAI's frozen epoch, k+1 = fine-tune epoch k). */
  step: number;
  /** How the epoch is named in the source ("frozen", "fine-tune 3", "3"). */
  stepLabel: string;
  trainLoss: number;
  valLoss: number;
  metrics: Record<string, number>;
  /** The model called every validation image one class at this epoch (study logs only, detected from the metrics). */
  collapse?: 'all-normal' | 'all-mi';
}

/** A generic table model: every chart also ships its numbers as an accessible HTML table. */
export interface TableModel {
  caption?: string;
  columns: { key: string; label: string; numeric?: boolean }[];
  rows: Record<string, string | number>[];
  /** Optional row header column key (rendered as <th scope="row">). */
  rowHeader?: string;
  /** Optional key whose value heads a block of consecutive rows (a full-width heading row where it changes). */
  groupBy?: string;
}
