/**
 * Which way up is this EKG picture? A landscape printout photographed with the phone held upright lies sideways in
 * the picture, and one photographed from the other side of the desk lies upside down. The MI classifier reads such
 * pictures far worse than upright ones (fold-9 wild photos, heartnet-wild-5: AUROC 0.85 upright, 0.63 sideways,
 * 0.56 upside down), and the EKG check refuses most real EKGs turned sideways.
 *
 * The sheet-upright model (`public/models/sheet-upright/`, trained by `npm run train -- --config
 * training/configs/sheet-upright.json` on renders of folds 1-8, each in its four quarter turns) gives the chance
 * that a picture shows the sheet the right way up. A picture it calls upright (score at or above its metadata
 * threshold, chosen on fold 9 so that 99.5% of upright pictures pass) is left as it is; otherwise it is scored in
 * its three other quarter turns, and turned to the best one if that one passes the threshold. A picture no turn
 * makes upright (not an EKG, or one the model cannot place) is left as it is. This module holds that rule;
 * running the network is the caller's job, as for the EKG check (ekg-gate.ts).
 */
import { turnClockwise } from '../render/image';
import type { RasterImage } from '../render/types';
import type { ModelMetadata } from './metadata';
import { preprocess } from './preprocess';

/** The sheet-upright model as a caller hands it in: its metadata and a function scoring planes (0..1 each). */
export interface UprightScorer {
  meta: Pick<ModelMetadata, 'input' | 'threshold'>;
  /** The chance that each plane shows the sheet the right way up. */
  score: (planes: Uint8Array[]) => Promise<ArrayLike<number>> | ArrayLike<number>;
}

export interface UprightResult {
  /** Clockwise quarter turns that bring the picture upright (0 = leave it as it is). */
  turns: 0 | 1 | 2 | 3;
  /** The model's score for the picture turned 0, 1, 2 and 3 quarter turns clockwise (only [0] when it passed). */
  scores: number[];
  threshold: number;
}

/**
 * The turn decision from the scores of the picture turned 0, 1, 2 and 3 quarter turns clockwise (or only the
 * first, when it passes): see the module comment.
 */
export function uprightDecision(scores: readonly number[], threshold: number): UprightResult {
  if (!(scores.length === 4 || scores.length === 1) || !scores.every((p) => Number.isFinite(p) && p >= 0 && p <= 1)) {
    throw new Error(`the sheet-upright model gave the scores [${scores.join(', ')}]; one or four in [0, 1] expected`);
  }
  const keep: UprightResult = { turns: 0, scores: scores.slice(), threshold };
  if (scores[0]! >= threshold || scores.length === 1) return keep;
  let best = 1;
  for (let t = 2; t < 4; t++) if (scores[t]! > scores[best]!) best = t;
  return scores[best]! >= threshold ? { ...keep, turns: best as UprightResult['turns'] } : keep;
}

/** The planes the model reads: the picture turned `turns` quarter turns clockwise (each of 0, 1, 2, 3 by default). */
export function uprightPlanes(image: RasterImage, spec: ModelMetadata['input'], turns = [0, 1, 2, 3]): Uint8Array[] {
  return turns.map((t) => preprocess(turnClockwise(image, t), spec));
}

/** Scores the picture as given and, unless it passes, in its other three quarter turns; says how to turn it. */
export async function findUpright(image: RasterImage, scorer: UprightScorer): Promise<UprightResult> {
  const spec = scorer.meta.input;
  const first = Array.from(await scorer.score([preprocess(image, spec)]));
  if (first[0]! >= scorer.meta.threshold) return uprightDecision(first, scorer.meta.threshold);
  const rest = Array.from(await scorer.score(uprightPlanes(image, spec, [1, 2, 3])));
  return uprightDecision([...first, ...rest], scorer.meta.threshold);
}

/** The picture turned upright (itself when no turn is needed), with the decision. */
export async function turnUpright(
  image: RasterImage,
  scorer: UprightScorer,
): Promise<{ image: RasterImage; upright: UprightResult }> {
  const upright = await findUpright(image, scorer);
  return { image: upright.turns === 0 ? image : turnClockwise(image, upright.turns), upright };
}
