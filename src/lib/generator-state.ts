/**
 * The live generator's view state and its query-string form, so a view can be shared by its URL
 * (TensorFlow-Playground style): `?record=63&style=photo&seed=7&filters=baseline,lowpass&lead=V1&zoom=2&mi=mi`.
 *
 * Pure (no DOM): parse and format only. Unknown or malformed values are ignored (the default is kept) and
 * reported in `problems`, so a hand-edited URL never breaks the page.
 *
 * Parameters (all optional; a parameter equal to its default is left out of the formatted query):
 *   record   PTB-XL ecg_id of a sample record (integer >= 1); default: the first sample record
 *   style    dataset1 | dataset2 | dataset3 | dataset4 | printout | photo; default dataset2
 *   seed     integer 0..4294967295; default 7
 *   filters  comma-separated subset of baseline, lowpass, notch50, notch60, or `none`; absent = the style's
 *            default (none for dataset1-4, baseline+lowpass for printout/photo)
 *   lead     dataset4 only: a lead name (I ... V6) or `all` (12 images in a grid); default all
 *   zoom     fit | 1 | 2; default fit
 *   mi       record list filter: all | mi | non-mi; default all
 */
import { FILTER_NAMES, type FilterName } from './signal/filters';
import { STYLE_NAMES, type StyleName } from './render/types';
import { LEAD_NAMES, type LeadName } from './ptbxl/types';

export type Zoom = 'fit' | '1' | '2';
export type MiFilter = 'all' | 'mi' | 'non-mi';
export type LeadChoice = 'all' | LeadName;

export interface GeneratorState {
  /** ecg_id, or null for "the first sample record". */
  record: number | null;
  style: StyleName;
  seed: number;
  /** Explicit filters (canonical order), or null for the style's default. */
  filters: FilterName[] | null;
  lead: LeadChoice;
  zoom: Zoom;
  mi: MiFilter;
}

export const DEFAULT_GENERATOR_STATE: Readonly<GeneratorState> = Object.freeze({
  record: null,
  style: 'dataset2',
  seed: 7,
  filters: null,
  lead: 'all',
  zoom: 'fit',
  mi: 'all',
});

export const MAX_SEED = 0xffffffff;
const ZOOMS: readonly Zoom[] = ['fit', '1', '2'];
const MI_FILTERS: readonly MiFilter[] = ['all', 'mi', 'non-mi'];

/** Filters in the renderer's canonical order (FILTER_NAMES), without duplicates. */
export function canonicalFilters(filters: Iterable<FilterName>): FilterName[] {
  const set = new Set(filters);
  return FILTER_NAMES.filter((f) => set.has(f));
}

/** Parses a query string (with or without the leading '?'). Invalid values keep the default and add a problem line. */
export function parseGeneratorQuery(
  search: string | URLSearchParams,
  defaults: Readonly<GeneratorState> = DEFAULT_GENERATOR_STATE,
): { state: GeneratorState; problems: string[] } {
  const q =
    typeof search === 'string' ? new URLSearchParams(search.startsWith('?') ? search.slice(1) : search) : search;
  const state: GeneratorState = { ...defaults, filters: defaults.filters ? [...defaults.filters] : null };
  const problems: string[] = [];
  const bad = (name: string, value: string, why: string) => problems.push(`${name}=${JSON.stringify(value)}: ${why}`);

  const record = q.get('record');
  if (record !== null && record !== '') {
    if (/^\d{1,6}$/.test(record) && Number(record) >= 1) state.record = Number(record);
    else bad('record', record, 'not a PTB-XL ecg_id (a whole number from 1)');
  }
  const style = q.get('style');
  if (style !== null && style !== '') {
    if ((STYLE_NAMES as readonly string[]).includes(style)) state.style = style as StyleName;
    else bad('style', style, `unknown style (known: ${STYLE_NAMES.join(', ')})`);
  }
  const seed = q.get('seed');
  if (seed !== null && seed !== '') {
    if (/^\d{1,10}$/.test(seed) && Number(seed) <= MAX_SEED) state.seed = Number(seed);
    else bad('seed', seed, `not a whole number in 0..${MAX_SEED}`);
  }
  const filters = q.get('filters');
  if (filters !== null) {
    if (filters === 'none' || filters === '') state.filters = [];
    else {
      const parts = filters.split(',').map((s) => s.trim());
      const unknown = parts.filter((p) => !(FILTER_NAMES as readonly string[]).includes(p));
      if (unknown.length)
        bad('filters', filters, `unknown filter ${unknown.join(', ')} (known: ${FILTER_NAMES.join(', ')})`);
      else state.filters = canonicalFilters(parts as FilterName[]);
    }
  }
  const lead = q.get('lead');
  if (lead !== null && lead !== '') {
    const match = LEAD_NAMES.find((l) => l.toLowerCase() === lead.toLowerCase());
    if (lead === 'all') state.lead = 'all';
    else if (match) state.lead = match;
    else bad('lead', lead, `unknown lead (known: all, ${LEAD_NAMES.join(', ')})`);
  }
  const zoom = q.get('zoom');
  if (zoom !== null && zoom !== '') {
    if ((ZOOMS as readonly string[]).includes(zoom)) state.zoom = zoom as Zoom;
    else bad('zoom', zoom, 'expected fit, 1 or 2');
  }
  const mi = q.get('mi');
  if (mi !== null && mi !== '') {
    if ((MI_FILTERS as readonly string[]).includes(mi)) state.mi = mi as MiFilter;
    else bad('mi', mi, 'expected all, mi or non-mi');
  }
  return { state, problems };
}

/**
 * The query string (without '?') for a state: only what differs from `defaults`, in a fixed order.
 * `parseGeneratorQuery(formatGeneratorQuery(s)).state` equals `s` for every valid state.
 */
export function formatGeneratorQuery(
  state: Readonly<GeneratorState>,
  defaults: Readonly<GeneratorState> = DEFAULT_GENERATOR_STATE,
): string {
  const q = new URLSearchParams();
  if (state.record !== null && state.record !== defaults.record) q.set('record', String(state.record));
  if (state.style !== defaults.style) q.set('style', state.style);
  if (state.seed !== defaults.seed) q.set('seed', String(state.seed));
  if (state.filters !== null) {
    const f = canonicalFilters(state.filters);
    q.set('filters', f.length ? f.join(',') : 'none');
  }
  if (state.lead !== defaults.lead) q.set('lead', state.lead);
  if (state.zoom !== defaults.zoom) q.set('zoom', state.zoom);
  if (state.mi !== defaults.mi) q.set('mi', state.mi);
  // URLSearchParams encodes ',' as %2C; keep the list readable.
  return q.toString().replace(/%2C/g, ',');
}

/** Replaces the generator's parameters in `href`'s query, keeping any other parameters and the fragment. */
export function withGeneratorQuery(
  href: string,
  state: Readonly<GeneratorState>,
  defaults: Readonly<GeneratorState> = DEFAULT_GENERATOR_STATE,
): string {
  const url = new URL(href);
  for (const k of ['record', 'style', 'seed', 'filters', 'lead', 'zoom', 'mi']) url.searchParams.delete(k);
  const ours = formatGeneratorQuery(state, defaults);
  const rest = url.searchParams.toString();
  url.search = [rest, ours].filter(Boolean).join('&');
  return url.href;
}

/** A random uint32 seed (crypto when available). */
export function randomSeed(): number {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (c?.getRandomValues) return c.getRandomValues(new Uint32Array(1))[0]!;
  return Math.floor(Math.random() * (MAX_SEED + 1));
}
