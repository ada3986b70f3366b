/**
 * Small statistics shared by the scripts, the charts and the demo, defined once.
 */

/** The median (the mean of the two middle values for an even count), infinities included, NaN ignored; NaN for none. */
export function median(values: readonly number[]): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
