/**
 * The combined verdict of the demo's two readings of one picture (issues 11 and 12): the image model's and the
 * digitise + signal model's. One implementation for `npm run eval:combined` and the browser demo.
 *
 * Rule (nothing fitted): each reading's logit is measured from its own threshold (the one in its model's
 * metadata, chosen on fold 9), and the verdict is MI when the mean of the two margins is at or above zero. For
 * a picture read both ways this is the equal-weight mean of the two logits against the mean of the thresholds'
 * logits, so among such pictures it ranks as the plain logit mean does. A picture the digitiser could not read
 * keeps the image reading alone, at the image model's threshold.
 */

export interface ScoredReading {
  /** MI probability. */
  p: number;
  /** The model's own decision threshold (its metadata). */
  threshold: number;
}

export interface CombinedVerdict {
  /** The mean margin in logits (>= 0: MI). */
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

/** The combined verdict; `signal` null when the digitiser could not read the picture. */
export function combineReadings(image: ScoredReading, signal: ScoredReading | null): CombinedVerdict {
  check(image, 'image reading');
  const mImage = logit(image.p) - logit(image.threshold);
  if (signal === null) return { margin: mImage, mi: mImage >= 0, score: null, threshold: null, readings: 1 };
  check(signal, 'signal reading');
  const margin = (mImage + logit(signal.p) - logit(signal.threshold)) / 2;
  return {
    margin,
    mi: margin >= 0,
    score: sigmoid((logit(image.p) + logit(signal.p)) / 2),
    threshold: sigmoid((logit(image.threshold) + logit(signal.threshold)) / 2),
    readings: 2,
  };
}

export const COMBINE_RULE =
  "mean of the two readings' logits, each measured from its own model's fold-9 threshold; MI when the mean is at or above zero; nothing fitted (an unread picture keeps the image reading at its threshold)";
