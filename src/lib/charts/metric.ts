/**
 * Numbers quoted in the prose (`<Metric>` in a chapter) are looked up here, in the same evaluation files the
 * charts draw, so a sentence can never disagree with a figure and no result is typed in by hand. A lookup
 * that finds no data throws: the build fails rather than print a number that does not exist.
 */
import { dec, int, pct } from './format';
import type { EvalResult, TrainingRun } from './types';

export const METRIC_FIELDS = [
  'auroc',
  'auroc_ci',
  'sensitivity',
  'specificity',
  'precision',
  'f1',
  'accuracy',
  'n',
  'threshold',
  'baseline',
  // the sheet-upright step (counts; files evaluated with it only)
  'upright_turned',
  'upright_right_way_up',
  'upright_drawn_turned',
  'upright_drawn_turned_righted',
  'upright_auroc_as_drawn',
  'upright_drawn_turned_auroc',
  'upright_drawn_turned_auroc_as_drawn',
] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];

export interface MetricQuery {
  model: string;
  style: string;
  field: MetricField;
  /** Digits after the decimal point (default 3 for AUROC-like values, 1 for percentages). */
  digits?: number;
  /** Show rates as percentages (sensitivity 0.85 -> "85.0%"); AUROC, F1 and thresholds stay decimals. */
  percent?: boolean;
}

export class MetricLookupError extends Error {}

export function findEval(results: readonly EvalResult[], model: string, style: string): EvalResult {
  const r = results.find((e) => e.model === model && e.style === style);
  if (!r) {
    const have = results.map((e) => `${e.model}/${e.style}`).join(', ') || 'none';
    throw new MetricLookupError(
      `no evaluation of model "${model}" on style "${style}" in data/eval (have: ${have}); run \`npm run eval -- --model public/models/${model} --fold 10 --style ${style}\``,
    );
  }
  return r;
}

/** A rate as a percentage (1 digit unless told) or a decimal (3 digits unless told). */
function formatRate(v: number, q: { percent?: boolean; digits?: number }): string {
  return q.percent ? pct(v, q.digits ?? 1) : dec(v, q.digits ?? 3);
}

/** The text a chapter prints for one number, and the file it came from (for the title attribute). */
export function formatMetric(results: readonly EvalResult[], q: MetricQuery): { text: string; file: string } {
  if (!(METRIC_FIELDS as readonly string[]).includes(q.field)) {
    throw new MetricLookupError(`unknown metric field "${q.field}"; known: ${METRIC_FIELDS.join(', ')}`);
  }
  const r = findEval(results, q.model, q.style);
  const rate = (v: number) => formatRate(v, q);
  let text: string;
  switch (q.field) {
    case 'n':
      text = int(r.n);
      break;
    case 'upright_turned':
    case 'upright_right_way_up':
    case 'upright_drawn_turned':
    case 'upright_drawn_turned_righted': {
      if (!r.upright)
        throw new MetricLookupError(
          `${r.file} read its renders as drawn (no sheet-upright step); re-run npm run eval with the demo's --upright`,
        );
      text = int(r.upright[q.field.slice('upright_'.length) as 'turned']);
      break;
    }
    case 'upright_auroc_as_drawn':
    case 'upright_drawn_turned_auroc':
    case 'upright_drawn_turned_auroc_as_drawn': {
      const v = r.upright?.[q.field.slice('upright_'.length) as 'auroc_as_drawn'];
      if (v === undefined)
        throw new MetricLookupError(
          `${r.file} read its renders as drawn (no sheet-upright step); re-run npm run eval with the demo's --upright`,
        );
      if (v === null) throw new MetricLookupError(`${r.file}: upright.${q.field} undefined (one class only)`);
      text = dec(v, q.digits ?? 3);
      break;
    }
    case 'auroc_ci':
      text = `${dec(r.auroc_ci[0], q.digits ?? 3)}–${dec(r.auroc_ci[1], q.digits ?? 3)}`;
      break;
    case 'baseline':
      text = rate(r.baseline_all_normal_accuracy);
      break;
    case 'auroc':
    case 'f1':
    case 'threshold':
      text = dec(r[q.field], q.digits ?? 3);
      break;
    default:
      text = rate(r[q.field]);
  }
  return { text, file: r.file };
}

// ---------------------------------------------------------------------------------------------------------------
// Training runs (data/training/NAME.json): the validation figures of a run's best epoch (fold 9), for prose about
// training and the sweep: <Metric run="sweep-bs-16" field="val_auroc" />.

export const RUN_FIELDS = [
  'val_auroc',
  'val_sensitivity',
  'val_specificity',
  'val_precision',
  'val_f1',
  'val_error_rate',
  'val_loss',
  'val_auroc_readouts',
  'params',
  'best_epoch',
] as const;
export type RunField = (typeof RUN_FIELDS)[number];

export interface RunMetricQuery {
  run: string;
  field: RunField;
  digits?: number;
  percent?: boolean;
}

export function findRun(runs: readonly TrainingRun[], name: string): TrainingRun {
  const r = runs.find((x) => x.name === name);
  if (!r) {
    throw new MetricLookupError(
      `no training run "${name}" in data/training (have: ${runs.map((x) => x.name).join(', ') || 'none'}); run \`npm run train -- --config training/configs/${name}.json\``,
    );
  }
  return r;
}

/** The text for one figure of a training run's best epoch, and the file it came from. */
export function formatRunMetric(runs: readonly TrainingRun[], q: RunMetricQuery): { text: string; file: string } {
  if (!(RUN_FIELDS as readonly string[]).includes(q.field)) {
    throw new MetricLookupError(`unknown run field "${q.field}"; known: ${RUN_FIELDS.join(', ')}`);
  }
  const r = findRun(runs, q.run);
  if (q.field === 'best_epoch') return { text: int(r.best_epoch), file: r.file };
  if (q.field === 'params') {
    if (r.params === undefined) throw new MetricLookupError(`${r.file}: no model_info.params`);
    const text =
      r.params < 1e6
        ? `${int(Math.round(r.params / 1e3))} thousand`
        : `${(r.params / 1e6).toFixed(q.digits ?? 2)} million`;
    return { text, file: r.file };
  }
  // A run trained on a rented GPU: its epochs were scored on the machine's fold-9 renders, other images than the
  // ones every other run is compared on, so its AUROC is the one recomputed here and the rest is not quoted.
  if (r.scoredElsewhere) {
    if (q.field !== 'val_auroc')
      throw new MetricLookupError(
        `${r.file}: ${q.field} of run "${r.name}" was measured on the GPU machine's fold-9 renders; only val_auroc was recomputed here`,
      );
    return { text: formatRate(r.scoredElsewhere.homeAuroc, q), file: r.file };
  }
  const best = r.epochs.find((e) => e.epoch === r.best_epoch)!;
  const v = best[q.field];
  if (v === undefined)
    throw new MetricLookupError(
      `${r.file}: epoch ${best.epoch} has no ${q.field} (a run trained without kept readings)`,
    );
  return { text: formatRate(v, q), file: r.file };
}
