/**
 * The combined verdict of the demo's two readings of one picture (issues 11 and 12): the image model's and the
 * digitise + signal model's. One implementation for `npm run eval:combined` and the browser demo.
 *
 * Rule: each reading's logit is measured from its own threshold (the one in its model's metadata, chosen on fold
 * 9), the two margins are averaged, and the verdict is MI when that mean reaches the verdict's own threshold
 * (`marginThreshold`, in logits). That threshold is chosen on fold 9 too, like every model's: Youden's J over our
 * fold-9 renders read both ways (`npm run eval:combined -- --choose`, which writes it to
 * data/eval/combined/IMAGE+SIGNAL.verdict.json; the demo reads it from there at build time). For a picture read
 * both ways the mean margin ranks as the plain logit mean does. A picture the digitiser could not read keeps the
 * image reading alone, at the image model's threshold.
 */

export interface ScoredReading {
  /** MI probability. */
  p: number;
  /** The model's own decision threshold (its metadata). */
  threshold: number;
}

export interface CombinedVerdict {
  /**
   * How far the verdict is from its decision boundary, in logits (>= 0: MI): the mean margin less the verdict's
   * threshold for two readings, the image reading's margin for one. Ranking pictures by it ranks them as decided.
   */
  margin: number;
  mi: boolean;
  /** For display: sigmoid of the mean logit, and the threshold it is compared with. Null without a second reading. */
  score: number | null;
  threshold: number | null;
  readings: 1 | 2;
}

export class CombineError extends Error {
  override name = 'CombineError';
}

/** log(p / (1 - p)), with p kept 1e-6 away from 0 and 1 so a saturated reading stays finite. */
export function logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function check(r: ScoredReading, what: string): void {
  const ok = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;
  if (!ok(r.p) || !ok(r.threshold) || r.threshold <= 0 || r.threshold >= 1) {
    throw new CombineError(`${what}: probability ${r.p} or threshold ${r.threshold} is not in (0, 1)`);
  }
}

/**
 * The combined verdict; `signal` null when the digitiser could not read the picture. `marginThreshold`: the
 * verdict's own threshold on the mean margin (logits), from the verdict file.
 */
export function combineReadings(
  image: ScoredReading,
  signal: ScoredReading | null,
  marginThreshold: number,
): CombinedVerdict {
  if (!Number.isFinite(marginThreshold)) throw new CombineError(`verdict threshold ${marginThreshold} is not a number`);
  check(image, 'image reading');
  const mImage = logit(image.p) - logit(image.threshold);
  if (signal === null) return { margin: mImage, mi: mImage >= 0, score: null, threshold: null, readings: 1 };
  check(signal, 'signal reading');
  const margin = (mImage + logit(signal.p) - logit(signal.threshold)) / 2 - marginThreshold;
  return {
    margin,
    mi: margin >= 0,
    score: sigmoid((logit(image.p) + logit(signal.p)) / 2),
    threshold: sigmoid((logit(image.threshold) + logit(signal.threshold)) / 2 + marginThreshold),
    readings: 2,
  };
}

export const COMBINE_RULE =
  "mean of the two readings' logits, each measured from its own model's fold-9 threshold; MI when the mean reaches the verdict's threshold (chosen on fold 9, Youden's J over our renders read both ways); an unread picture keeps the image reading at its threshold";

/** The verdict's threshold as `npm run eval:combined -- --choose` records it. */
export interface VerdictFile {
  image_model: string;
  signal_model: string;
  /** Logits, compared with the mean margin of two readings. */
  margin_threshold: number;
  threshold_rule: string;
  fold: number;
}

/** Where the verdict of image model IMAGE and pipeline SIGNAL (e.g. digitise-signal-3x4r) is kept. */
export const verdictFileName = (imageModel: string, pipelineModel: string): string =>
  `${imageModel}+${pipelineModel}.verdict.json`;

/** Checks a verdict file's fields; `file` names it in the error. */
export function parseVerdictFile(json: unknown, file: string): VerdictFile {
  const d = (json ?? {}) as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof d[k] !== 'string') throw new CombineError(`${file}: no ${k}`);
    return d[k];
  };
  if (typeof d.margin_threshold !== 'number' || !Number.isFinite(d.margin_threshold)) {
    throw new CombineError(`${file}: no margin_threshold`);
  }
  // the verdict's threshold is chosen on the validation fold only
  if (d.fold !== 9) throw new CombineError(`${file}: chosen on fold ${String(d.fold)}, not on fold 9`);
  return {
    image_model: str('image_model'),
    signal_model: str('signal_model'),
    margin_threshold: d.margin_threshold,
    threshold_rule: str('threshold_rule'),
    fold: 9,
  };
}
