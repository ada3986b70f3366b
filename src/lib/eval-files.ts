/**
 * Names of the evaluation files in data/eval: written by `npm run eval` and `npm run eval:signals`, read back by
 * the site (src/lib/charts/data.ts, the classifier's build-time figures). One home for the pattern
 *
 *   NAME-STYLE[-nN][-foldF].json
 *
 * NAME the model, STYLE the rendering style (or `signals-3x4r`), -nN a subset of N records (`--limit N`), -foldF
 * any fold but the test fold 10 (fold 9 = validation). Both NAME and STYLE may contain dashes, so a name is
 * parsed back only into its base (NAME-STYLE), limit and fold.
 */

export const EVAL_DIR_DEFAULT = 'data/eval';
export const TEST_FOLD = 10;

export interface EvalFileKey {
  model: string;
  style: string;
  /** Records evaluated when a subset (--limit); null or undefined for the whole fold. */
  limit?: number | null;
  fold: number;
}

/** `NAME-STYLE[-nN][-foldF].json` (no directory). */
export function evalFileName(k: EvalFileKey): string {
  const limit = k.limit ? `-n${k.limit}` : '';
  const fold = k.fold === TEST_FOLD ? '' : `-fold${k.fold}`;
  return `${k.model}-${k.style}${limit}${fold}.json`;
}

export interface ParsedEvalFile {
  /** The path without `-nN`, `-foldF` and `.json`: `dir/NAME-STYLE`. */
  base: string;
  limit: number | null;
  fold: number;
}

/** Parses a path whose file name follows the pattern; null for anything that is not a .json file. */
export function parseEvalFileName(file: string): ParsedEvalFile | null {
  const m = /^(.*?)(?:-n(\d+))?(?:-fold(\d+))?\.json$/.exec(file);
  if (!m) return null;
  return {
    base: m[1]!,
    limit: m[2] === undefined ? null : Number(m[2]),
    fold: m[3] === undefined ? TEST_FOLD : Number(m[3]),
  };
}
