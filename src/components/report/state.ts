/**
 * Per-page counters for figures and footnotes. Keyed by the page's Request object, which Astro shares
 * between a page and every component it renders, so each page starts at 1. No global type changes needed.
 */
export interface ReportState {
  figure: number;
  table: number;
  footnote: number;
  /** occurrences so far, per reference id */
  cites: Map<string, number>;
}

const states = new WeakMap<object, ReportState>();

export function reportState(key: object): ReportState {
  let s = states.get(key);
  if (!s) {
    s = { figure: 0, table: 0, footnote: 0, cites: new Map() };
    states.set(key, s);
  }
  return s;
}
