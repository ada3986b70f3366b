/**
 * Names of the evaluation files in data/eval: written by `npm run eval` and `npm run eval:signals`, read back by
 * the site (src/lib/charts/data.ts, the classifier's build-time figures). One home for the pattern
 *
 *   NAME.STYLE[-nN][-foldF].json
 *
 * NAME the model, STYLE the rendering style (or `signals-3x4r`), -nN a subset of N records (`--limit N`), -foldF
 * any fold but the test fold 10 (fold 9 = validation). NAME and STYLE both contain dashes (`heartnet-wild`,
 * `wild-printout`), so they are joined by a dot, which neither may contain: with a dash, `heartnet` on
 * `wild-printout` and `heartnet-wild` on `printout` would share one file and overwrite each other.
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

const PART = /^[a-z0-9][a-z0-9_-]*$/i;

/** `NAME.STYLE[-nN][-foldF].json` (no directory). Throws for a name or style that would not parse back. */
export function evalFileName(k: EvalFileKey): string {
  for (const [what, v] of [
    ['model name', k.model],
    ['style', k.style],
  ] as const) {
    if (!PART.test(v)) throw new Error(`eval file: ${what} '${v}' must be letters, digits, '-' and '_' only`);
  }
  const limit = k.limit ? `-n${k.limit}` : '';
  const fold = k.fold === TEST_FOLD ? '' : `-fold${k.fold}`;
  return `${k.model}.${k.style}${limit}${fold}.json`;
}

export interface ParsedEvalFile {
  /** The path without `-nN`, `-foldF` and `.json`: `dir/NAME.STYLE`. */
  base: string;
  model: string;
  style: string;
  limit: number | null;
  fold: number;
}

/** Parses a path whose file name follows the pattern; null for anything else (other JSON, notes, folders). */
export function parseEvalFileName(file: string): ParsedEvalFile | null {
  const m = /^(.*?\/)?([^/.]+)\.([^/.]+?)(?:-n(\d+))?(?:-fold(\d+))?\.json$/.exec(file);
  if (!m || !PART.test(m[2]!) || !PART.test(m[3]!)) return null;
  return {
    base: `${m[1] ?? ''}${m[2]}.${m[3]}`,
    model: m[2]!,
    style: m[3]!,
    limit: m[4] === undefined ? null : Number(m[4]),
    fold: m[5] === undefined ? TEST_FOLD : Number(m[5]),
  };
}
