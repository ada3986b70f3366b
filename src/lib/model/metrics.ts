/**
 * Binary classification metrics for the MI model. ONE definition, mirrored by training/metrics.py (the
 * training logs); tests/unit/metrics-crosscheck.test.ts runs both on the same fixed predictions.
 *
 * Conventions: positive = MI = 1; a prediction is positive when p >= threshold; AUROC is the Mann-Whitney
 * statistic with tied scores counted one half; a ratio with a zero denominator is 0. Pure TypeScript: used
 * by `npm run eval` in Node and by the browser.
 */
import { mulberry32 } from '../random';
export { mulberry32 };

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}
export interface ThresholdMetrics extends Confusion {
  sensitivity: number;
  specificity: number;
  precision: number;
  f1: number;
  accuracy: number;
  error_rate: number;
}

export class MetricsError extends Error {
  override name = 'MetricsError';
}

type Labels = ArrayLike<number | boolean>;
type Scores = ArrayLike<number>;

function check(labels: Labels, scores: Scores): void {
  if (labels.length !== scores.length) {
    throw new MetricsError(`${labels.length} labels but ${scores.length} scores`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new MetricsError(`score ${i} is not a finite number (${scores[i]})`);
    const l = Number(labels[i]);
    if (l !== 0 && l !== 1) throw new MetricsError(`label ${i} is ${labels[i]}, expected 0/1`);
  }
}

const div = (a: number, b: number) => (b ? a / b : 0);

/** Area under the ROC curve (Mann-Whitney U / (n+ n-), ties = 1/2); NaN when one class is absent. */
export function auroc(labels: Labels, scores: Scores): number {
  check(labels, scores);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  let npos = 0;
  for (let i = 0; i < n; i++) npos += Number(labels[i]);
  const nneg = n - npos;
  if (npos === 0 || nneg === 0) return NaN;
  let rankSumPos = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (Number(labels[order[k]!]) === 1) rankSumPos += rank;
    i = j + 1;
  }
  return (rankSumPos - (npos * (npos + 1)) / 2) / (npos * nneg);
}

export function confusionAt(labels: Labels, scores: Scores, threshold: number): Confusion {
  check(labels, scores);
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const pos = scores[i]! >= threshold;
    const y = Number(labels[i]) === 1;
    if (pos && y) c.tp++;
    else if (pos) c.fp++;
    else if (y) c.fn++;
    else c.tn++;
  }
  return c;
}

export function metricsFromConfusion(c: Confusion): ThresholdMetrics {
  const n = c.tp + c.fp + c.tn + c.fn;
  const sensitivity = div(c.tp, c.tp + c.fn);
  const specificity = div(c.tn, c.tn + c.fp);
  const precision = div(c.tp, c.tp + c.fp);
  const f1 = div(2 * precision * sensitivity, precision + sensitivity);
  const accuracy = div(c.tp + c.tn, n);
  return { ...c, sensitivity, specificity, precision, f1, accuracy, error_rate: n ? 1 - accuracy : 0 };
}

export function atThreshold(labels: Labels, scores: Scores, threshold: number): ThresholdMetrics {
  return metricsFromConfusion(confusionAt(labels, scores, threshold));
}

/** Same rule as training/metrics.py choose_threshold. */
export function chooseThreshold(
  labels: Labels,
  scores: Scores,
  rule: 'youden' | 'sensitivity',
  minSensitivity = 0.85,
): number {
  check(labels, scores);
  const cands = [...new Set(Array.from(scores))].sort((a, b) => b - a);
  let best = 0.5;
  let bestJ = -Infinity;
  for (const t of cands) {
    const m = atThreshold(labels, scores, t);
    if (rule === 'sensitivity') {
      if (m.sensitivity >= minSensitivity) return t;
    } else {
      const j = m.sensitivity + m.specificity - 1;
      if (j > bestJ) {
        best = t;
        bestJ = j;
      }
    }
  }
  if (rule === 'sensitivity') return cands.length ? cands[cands.length - 1]! : 0.5;
  return best;
}

/** The central `level` interval of bootstrap statistics (linear interpolation between order statistics). */
function percentileInterval(stats: number[], level: number): [number, number] {
  if (stats.length === 0) return [NaN, NaN];
  stats.sort((x, y) => x - y);
  const q = (p: number) => {
    const pos = p * (stats.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(stats.length - 1, lo + 1);
    return stats[lo]! + (stats[hi]! - stats[lo]!) * (pos - lo);
  };
  return [q((1 - level) / 2), q(1 - (1 - level) / 2)];
}

/**
 * Percentile bootstrap of `stat` over records resampled with replacement: every column of per-record values is
 * resampled with the same draws as the labels; resamples whose statistic is NaN (one class missing) are skipped.
 */
function bootstrapInterval(
  labels: Labels,
  columns: readonly Scores[],
  stat: (labels: Float64Array, columns: Float64Array[]) => number,
  opts: { resamples?: number; seed?: number; level?: number },
): [number, number] {
  for (const c of columns) check(labels, c);
  const { resamples = 1000, seed = 0, level = 0.95 } = opts;
  const n = labels.length;
  const rnd = mulberry32(seed);
  const l = new Float64Array(n);
  const cs = columns.map(() => new Float64Array(n));
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(rnd() * n);
      l[i] = Number(labels[k]);
      for (let j = 0; j < cs.length; j++) cs[j]![i] = columns[j]![k]!;
    }
    const v = stat(l, cs);
    if (!Number.isNaN(v)) stats.push(v);
  }
  return percentileInterval(stats, level);
}

/**
 * Percentile-bootstrap intervals (at `level`, default 95%) of sensitivity and specificity at a fixed threshold,
 * from the same resampling as the AUROC's; a resample without the class a rate needs is skipped for that rate,
 * and a rate no resample could measure is null.
 */
export function bootstrapRatesCI(
  labels: Labels,
  scores: Scores,
  threshold: number,
  opts: { resamples?: number; seed?: number; level?: number } = {},
): { sensitivity: [number, number] | null; specificity: [number, number] | null } {
  const rate = (cls: number) =>
    bootstrapInterval(
      labels,
      [scores],
      (l, [s]) => {
        let n = 0;
        let right = 0;
        for (let i = 0; i < l.length; i++) {
          if (l[i] !== cls) continue;
          n++;
          if (s![i]! >= threshold === (cls === 1)) right++;
        }
        return n ? right / n : NaN;
      },
      opts,
    );
  const measured = (ci: [number, number]) => (Number.isFinite(ci[0]) ? ci : null);
  return { sensitivity: measured(rate(1)), specificity: measured(rate(0)) };
}

/**
 * Paired percentile bootstrap of AUROC(b) - AUROC(a) on the same records (both scores resampled together, so
 * the interval reflects the difference, not two independent spreads). [lo, hi] at `level`.
 */
export function bootstrapAurocDiffCI(
  labels: Labels,
  a: Scores,
  b: Scores,
  opts: { resamples?: number; seed?: number; level?: number } = {},
): [number, number] {
  return bootstrapInterval(labels, [a, b], (l, [x, y]) => auroc(l, y!) - auroc(l, x!), opts);
}

/**
 * Percentile bootstrap 95% interval of the AUROC: resample examples with replacement `resamples` times
 * (resamples missing a class are skipped), take the 2.5th and 97.5th percentiles.
 */
export function bootstrapAurocCI(
  labels: Labels,
  scores: Scores,
  opts: { resamples?: number; seed?: number; level?: number } = {},
): [number, number] {
  return bootstrapInterval(labels, [scores], (l, [s]) => auroc(l, s!), opts);
}

export interface RocPoint {
  fpr: number;
  tpr: number;
  threshold: number;
}
export interface PrPoint {
  recall: number;
  precision: number;
  threshold: number;
}

/** ROC and precision-recall points at every distinct score (high to low), starting at threshold +Infinity
 * (nothing positive). Thin with `thin()` for plotting. */
export function curves(labels: Labels, scores: Scores): { roc: RocPoint[]; pr: PrPoint[] } {
  check(labels, scores);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let P = 0;
  for (let i = 0; i < n; i++) P += Number(labels[i]);
  const N = n - P;
  const roc: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  const pr: PrPoint[] = [{ recall: 0, precision: 1, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n;) {
    const t = scores[order[i]!]!;
    while (i < n && scores[order[i]!] === t) {
      if (Number(labels[order[i]!]) === 1) tp++;
      else fp++;
      i++;
    }
    roc.push({ fpr: div(fp, N), tpr: div(tp, P), threshold: t });
    pr.push({ recall: div(tp, P), precision: div(tp, tp + fp), threshold: t });
  }
  return { roc, pr };
}

/** Keeps at most `max` points, evenly spread, always the first and last. */
export function thin<T>(points: T[], max = 200): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(points[Math.round((k * (points.length - 1)) / (max - 1))]!);
  return out;
}

export interface CalibrationBin {
  bin_lo: number;
  bin_hi: number;
  mean_pred: number;
  frac_pos: number;
  n: number;
}

/** Reliability diagram: `bins` equal-width probability bins ([lo, hi), the last one closed); empty bins
 * are reported with n = 0 and NaN-free zeros. */
export function calibrationBins(labels: Labels, probs: Scores, bins = 10): CalibrationBin[] {
  check(labels, probs);
  const sum = new Float64Array(bins);
  const pos = new Float64Array(bins);
  const cnt = new Float64Array(bins);
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (p < 0 || p > 1) throw new MetricsError(`probability ${i} is ${p}, outside [0, 1]`);
    const b = Math.min(bins - 1, Math.floor(p * bins));
    sum[b] = sum[b]! + p;
    pos[b] = pos[b]! + Number(labels[i]);
    cnt[b] = cnt[b]! + 1;
  }
  return Array.from({ length: bins }, (_, b) => ({
    bin_lo: b / bins,
    bin_hi: (b + 1) / bins,
    mean_pred: div(sum[b]!, cnt[b]!),
    frac_pos: div(pos[b]!, cnt[b]!),
    n: cnt[b]!,
  }));
}
