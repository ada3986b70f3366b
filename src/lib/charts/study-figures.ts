/**
 * The study's own figures, quoted in prose with <FromStudy field="..." />: read from its published tables in
 * data/study (as published), or worked out from them by a formula written down here (our arithmetic, labelled
 * so), never typed into a chapter. A field that the files cannot give fails the build.
 */
import { STUDY_FILES, loadStudyFinal, loadStudyLogs } from './data';
import { dec, int, pct } from './format';
import { studyAllNormalAccuracy } from './results';
import type { StudyFinalRow, StudyLogRow } from './types';

export interface StudyFigure {
  value: number;
  /** How the value is shown: a rate as a percentage or decimal, or a count. */
  kind: 'rate' | 'count';
  /** "published" (a number from the study's tables) or "derived" (our arithmetic on them). */
  origin: 'published' | 'derived';
  /** What it is and where it comes from, for the reader (title attribute). */
  note: string;
}

export const STUDY_FIELDS = [
  'best_error_rate',
  'best_accuracy',
  'best_recall',
  'best_precision',
  'best_f1',
  'baseline_error_rate',
  'baseline_accuracy',
  'implied_specificity',
  'implied_precision',
  'log_epochs',
  'log_runs',
  'log_recall0',
  'log_recall1',
  'log_recall1_min_error',
] as const;
export type StudyField = (typeof STUDY_FIELDS)[number];

export class StudyFigureError extends Error {}

/** The study's best final run: the lowest published error rate (ResNet152, batch 16). */
export function bestFinalRun(rows: StudyFinalRow[]): StudyFinalRow {
  if (rows.length === 0) throw new StudyFigureError(`${STUDY_FILES.final}: no rows`);
  return rows.reduce((a, b) => (b.errorRate < a.errorRate ? b : a));
}

export function studyFigures(final: StudyFinalRow[], logs: StudyLogRow[]): Record<StudyField, StudyFigure> {
  const best = bestFinalRun(final);
  const baseAcc = studyAllNormalAccuracy(logs);
  if (baseAcc === undefined) throw new StudyFigureError(`${STUDY_FILES.logs}: no all-Normal epoch in a final run`);
  const share = 1 - baseAcc; // share of MI in the study's validation images
  const acc = 1 - best.errorRate;
  // accuracy = share * recall + (1 - share) * specificity, solved for specificity; then precision from the counts
  const spec = (acc - share * best.recall) / (1 - share);
  const tp = share * best.recall;
  const fp = (1 - share) * (1 - spec);
  const recall0 = logs.filter((r) => r.recall === 0).length;
  const recall1 = logs.filter((r) => r.recall === 1);
  const src = `${STUDY_FILES.final}, ${archLabelOf(best)}`;
  const derived = `our arithmetic on the study's published figures (${STUDY_FILES.final} and the all-Normal epoch in ${STUDY_FILES.logs})`;
  return {
    best_error_rate: { value: best.errorRate, kind: 'rate', origin: 'published', note: `error rate, ${src}` },
    best_accuracy: { value: acc, kind: 'rate', origin: 'published', note: `1 − error rate, ${src}` },
    best_recall: { value: best.recall, kind: 'rate', origin: 'published', note: `recall, ${src}` },
    best_precision: { value: best.precision, kind: 'rate', origin: 'published', note: `precision, ${src}` },
    best_f1: { value: best.f1, kind: 'rate', origin: 'published', note: `F1, ${src}` },
    baseline_error_rate: {
      value: share,
      kind: 'rate',
      origin: 'published',
      note: `error rate of an epoch that called every image Normal, ${STUDY_FILES.logs}`,
    },
    baseline_accuracy: {
      value: baseAcc,
      kind: 'rate',
      origin: 'derived',
      note: `1 − that epoch's error rate, ${STUDY_FILES.logs}`,
    },
    implied_specificity: {
      value: spec,
      kind: 'rate',
      origin: 'derived',
      note: `(accuracy − share of MI × recall) / (1 − share of MI): ${derived}`,
    },
    implied_precision: {
      value: tp / (tp + fp),
      kind: 'rate',
      origin: 'derived',
      note: `share × recall / (share × recall + (1 − share) × (1 − specificity)): ${derived}`,
    },
    log_epochs: { value: logs.length, kind: 'count', origin: 'derived', note: `epochs in ${STUDY_FILES.logs}` },
    log_runs: {
      value: new Set(logs.map((r) => r.run)).size,
      kind: 'count',
      origin: 'derived',
      note: `runs in ${STUDY_FILES.logs}`,
    },
    log_recall0: {
      value: recall0,
      kind: 'count',
      origin: 'derived',
      note: `epochs with recall exactly 0, ${STUDY_FILES.logs}`,
    },
    log_recall1: {
      value: recall1.length,
      kind: 'count',
      origin: 'derived',
      note: `epochs with recall exactly 1, ${STUDY_FILES.logs}`,
    },
    log_recall1_min_error: {
      value: Math.min(...recall1.map((r) => r.errorRate)),
      kind: 'rate',
      origin: 'published',
      note: `lowest error rate among the epochs with recall 1, ${STUDY_FILES.logs}`,
    },
  };
}

function archLabelOf(r: StudyFinalRow): string {
  return `${r.architecture.replace(/^resnet/i, 'ResNet')}, batch ${r.batchSize}`;
}

/** The text for one study figure: a percentage (default for rates with `percent`), a decimal, or a count. */
export function formatStudyFigure(f: StudyFigure, opts: { digits?: number; percent?: boolean } = {}): string {
  if (f.kind === 'count') return int(f.value);
  return opts.percent ? pct(f.value, opts.digits ?? 1) : dec(f.value, opts.digits ?? 3);
}

let cache: Record<StudyField, StudyFigure> | undefined;
/** Build-time lookup from the default files. */
export function loadStudyFigures(): Record<StudyField, StudyFigure> {
  cache ??= studyFigures(loadStudyFinal(), loadStudyLogs());
  return cache;
}
