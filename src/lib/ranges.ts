/**
 * Range lists such as PTB-XL folds and record ids: '1-8', '1,3,5-7', '9' -> sorted unique integers. The one parser
 * behind every CLI flag and config field that takes them (`--folds`, `--ids`, a training config's `folds`);
 * training/config.py `parse_folds` reads the same syntax.
 */

export type RangeProblem = 'syntax' | 'reversed' | 'outside' | 'too-long';

/**
 * Expands a range list. `fail(part, problem)` is called (and must throw) for a part that is not a number or a
 * range `a-b`, a reversed range, one outside min..max, or one longer than 10 million numbers.
 */
export function expandRanges(
  text: string,
  fail: (part: string, problem: RangeProblem) => never,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) fail(part, 'syntax');
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) fail(part, 'reversed');
    if (a < min || b > max) fail(part, 'outside');
    if (b - a > 10_000_000) fail(part, 'too-long');
    for (let k = a; k <= b; k++) out.add(k);
  }
  return [...out].sort((x, y) => x - y);
}

export class RangeListError extends Error {
  override name = 'RangeListError';
}

/** PTB-XL strat folds ('1-8', '9'): 1..10. Throws a RangeListError naming the bad part. */
export function parseFolds(text: string): number[] {
  return expandRanges(
    String(text),
    (part, problem) => {
      throw new RangeListError(
        `folds '${text}': '${part}' is ${problem === 'outside' ? 'outside 1-10' : 'not a fold or a range like 1-8'}`,
      );
    },
    1,
    10,
  );
}
