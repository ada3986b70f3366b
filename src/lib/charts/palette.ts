/**
 * Colour-blind-safe categorical palette (Okabe & Ito 2008), used through CSS custom properties so the chart CSS
 * can swap in lighter variants for dark mode. The hex fallbacks keep the SVG meaningful on its own.
 */
export const PALETTE = [
  'var(--chart-c1, #0072B2)', // blue
  'var(--chart-c2, #E69F00)', // orange
  'var(--chart-c3, #009E73)', // bluish green
  'var(--chart-c4, #CC79A7)', // reddish purple
  'var(--chart-c5, #D55E00)', // vermillion
  'var(--chart-c6, #56B4E9)', // sky blue
] as const;

/** Fixed colours for the four study metrics, so every chart uses the same key. */
export const METRIC_COLORS: Record<string, string> = {
  'Error rate': PALETTE[4],
  Recall: PALETTE[0],
  Precision: PALETTE[3],
  F1: PALETTE[2],
};

export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
