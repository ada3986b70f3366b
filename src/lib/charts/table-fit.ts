/**
 * Tables that fit (issue #13): every table of the report shows all of its columns at any width. A table whose
 * columns fit the text column is drawn as a table; in a narrower box (a phone, or a wide table in the 40rem text
 * column) the same markup is shown stacked, one block per row with each value under its column's name
 * (`data-label` on every cell, read by CSS). Which layout a table gets is decided by a CSS container query on its
 * wrapper (`.table-fit`, global.css), against the width the table needs, estimated here at build time from its
 * text. No script, so no layout shift; tests/e2e/reading.spec.ts checks at 1280 and 375 px that no cell is clipped.
 */

/** A table that needs at most this many rem fits a phone's text column (375 px less the page margins). */
export const PHONE_REM = 21;
/** The text column of a chapter (global.css --measure); a table that needs more is always stacked. */
export const COLUMN_REM = 40;

export interface FitColumn {
  label: string;
  numeric?: boolean;
}

/** Average advance of a character, in em, for the body font (digits and lower case; generous on purpose). */
const CHAR_EM = 0.58;
/** Headers are bold: their characters are wider. */
const BOLD = 1.12;

/**
 * Estimated width (rem) a table needs without wrapping numbers: numeric cells never wrap, text cells wrap at
 * spaces but not below their longest word, and a header wraps at its longest word.
 */
export function estimateTableRem(
  columns: FitColumn[],
  rows: string[][],
  opts: { fontRem?: number; padRem?: number } = {},
): number {
  const { fontRem = 0.875, padRem = 1 } = opts;
  const longestWord = (s: string) => Math.max(0, ...s.split(/\s+/).map((w) => w.length));
  let chars = 0;
  columns.forEach((c, i) => {
    const cells = rows.map((r) => (r[i] ?? '').trim());
    const head = longestWord(c.label) * BOLD;
    const body = c.numeric
      ? Math.max(0, ...cells.map((s) => s.length))
      : Math.max(0, ...cells.map((s) => Math.min(s.length, Math.max(longestWord(s), 18))));
    chars += Math.max(head, body);
  });
  return chars * CHAR_EM * fontRem + columns.length * padRem;
}

/** A wide figure's box on a wide screen: the text column plus the side-note column (global.css). */
export const WIDE_REM = 56;
/** The widths (rem) below which a table is stacked, one CSS container query each (global.css). */
export const STACK_STEPS = [30, COLUMN_REM, WIDE_REM] as const;

/**
 * The class that makes a table stack where it would not fit: `fits` (never stacks), `stack-N` (stacks in boxes
 * narrower than N rem, the first step that holds the table) or `stack-always`. `maxRem` is the widest box the
 * table can get (COLUMN_REM, or WIDE_REM for a wide figure): a table wider than that is always stacked.
 */
export function stackClass(needRem: number, maxRem: number = COLUMN_REM): string {
  if (needRem <= PHONE_REM) return 'fits';
  const step = STACK_STEPS.find((s) => needRem <= s && s <= maxRem);
  return step === undefined ? 'stack-always' : `stack-${step}`;
}
