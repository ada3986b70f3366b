/**
 * Figures on images we did not draw, for the report (build time only): data/eval/external/MODEL.json written by
 * `npm run eval:external` (ECG-Image-Kit renders of PTB-XL fold 9, real EKG photos and scans) and
 * data/eval/gate/NAME.json written by `npm run eval:gate` (the EKG check on held-out non-EKG pictures and on
 * fold-10 renders). Every file is validated; a missing one throws with the command that makes it, so a chapter
 * cannot quote a number that does not exist.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EVAL_DIR, readJson } from './data';
import { dec, pct } from './format';
import { aurocIntervalPlot } from './auroc-intervals';
import type { ChartView } from './study';
import type { EvalResult, TableModel } from './types';

export class ExternalDataError extends Error {
  override name = 'ExternalDataError';
}

export interface LabelledSummary {
  n: number;
  n_mi: number;
  auroc: number | null;
  auroc_ci: [number, number] | null;
  sensitivity: number;
  specificity: number;
  accuracy: number;
  refused: number;
  refused_rate: number;
}

export interface ExternalEval {
  file: string;
  model: string;
  gate: string;
  threshold: number;
  /** The EKG check's threshold when the file was written (the check is retrained now and then); null if absent. */
  gateThreshold: number | null;
  kit: (LabelledSummary & { by_variant: Record<string, LabelledSummary> }) | null;
  real: {
    n: number;
    accepted: number;
    accepted_rate: number;
    median_gate_score: number;
    median_mi_score: number;
    over_threshold_rate: number;
  } | null;
  /** The real pictures turned before reading (each absent in files written before it was measured). */
  turned: Partial<Record<TurnedSetName, TurnedSet>>;
  /** The sheet-upright model the pictures went through (null: read as given, or a file from before it). */
  upright: string | null;
  /** How many upright pictures it turned (a wrong turn each): kit pages, real pictures as published. */
  wrongTurns: { kit: number | null; real: number | null };
}

/** The real EKG pictures turned before reading: a quarter turn clockwise, a half turn. */
export type TurnedSetName = 'real-ekg-sideways' | 'real-ekg-upside-down';
const TURNED_SET_NAMES: readonly TurnedSetName[] = ['real-ekg-sideways', 'real-ekg-upside-down'];

export interface TurnedSet {
  n: number;
  accepted: number;
  accepted_rate: number;
  /** Of those accepted, how many the model gave the call it gave the picture as published. */
  same_call_as_upright: number;
  /** How many the sheet-upright model turned back upright (null: no such model in the file). */
  turned_upright: number | null;
}

export interface Rate {
  n: number;
  k: number;
  rate: number;
  ci95: [number, number];
}

export interface GateEval {
  file: string;
  gate: string;
  threshold: number;
  photosAndDocuments: Rate;
  hardNegatives: Rate;
  bySource: Record<string, Rate>;
  falseRefusals: Rate;
  refusalsByStyle: Record<string, Rate>;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRate = (v: unknown): v is number => isNum(v) && v >= 0 && v <= 1;

function labelled(v: unknown, where: string): LabelledSummary {
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== 'object') throw new ExternalDataError(`${where}: not an object`);
  for (const k of ['n', 'n_mi', 'refused'] as const)
    if (!Number.isInteger(o[k])) throw new ExternalDataError(`${where}.${k}: not a count`);
  for (const k of ['sensitivity', 'specificity', 'accuracy', 'refused_rate'] as const)
    if (!isRate(o[k])) throw new ExternalDataError(`${where}.${k}: not a rate`);
  if (!(o.auroc === null || isRate(o.auroc))) throw new ExternalDataError(`${where}.auroc: not a rate or null`);
  const ci = o.auroc_ci;
  if (!(ci === null || (Array.isArray(ci) && ci.length === 2 && ci.every(isRate))))
    throw new ExternalDataError(`${where}.auroc_ci: not a pair of rates`);
  return o as unknown as LabelledSummary;
}

export function parseExternalEval(json: unknown, file: string): ExternalEval {
  const o = json as Record<string, unknown>;
  if (
    !o ||
    typeof o !== 'object' ||
    typeof o.model !== 'string' ||
    typeof o.gate !== 'string' ||
    !isRate(o.threshold)
  ) {
    throw new ExternalDataError(`${file}: not an eval:external result (model, gate, threshold)`);
  }
  const sets = (o.sets ?? {}) as Record<string, unknown>;
  let kit: ExternalEval['kit'] = null;
  if (sets['kit-fold9'] !== undefined) {
    const k = sets['kit-fold9'] as Record<string, unknown>;
    const by = (k.by_variant ?? {}) as Record<string, unknown>;
    kit = {
      ...labelled(k, `${file} kit-fold9`),
      by_variant: Object.fromEntries(Object.entries(by).map(([v, s]) => [v, labelled(s, `${file} kit-fold9.${v}`)])),
    };
  }
  let real: ExternalEval['real'] = null;
  if (sets['real-ekg'] !== undefined) {
    const r = sets['real-ekg'] as Record<string, unknown>;
    if (!Number.isInteger(r.n) || !Number.isInteger(r.accepted) || !isRate(r.accepted_rate))
      throw new ExternalDataError(`${file} real-ekg: n, accepted, accepted_rate`);
    real = r as unknown as NonNullable<ExternalEval['real']>;
  }
  const turned: ExternalEval['turned'] = {};
  for (const name of TURNED_SET_NAMES) {
    if (sets[name] === undefined) continue;
    const r = sets[name] as Record<string, unknown>;
    const counts = ['n', 'accepted', 'same_call_as_upright'];
    if (counts.some((k) => !Number.isInteger(r[k])) || !isRate(r.accepted_rate))
      throw new ExternalDataError(`${file} ${name}: ${counts.join(', ')}, accepted_rate`);
    turned[name] = {
      ...(r as unknown as TurnedSet),
      turned_upright: Number.isInteger(r.turned_upright) ? (r.turned_upright as number) : null,
    };
  }
  const count = (v: unknown) => (Number.isInteger(v) ? (v as number) : null);
  const wrongTurns = {
    kit: count((sets['kit-fold9'] as Record<string, unknown> | undefined)?.turned),
    real: count((sets['real-ekg'] as Record<string, unknown> | undefined)?.turned),
  };
  const gateThreshold = isRate(o.gate_threshold) ? o.gate_threshold : null;
  const upright = typeof o.upright === 'string' ? o.upright : null;
  return {
    file,
    model: o.model,
    gate: o.gate,
    threshold: o.threshold,
    gateThreshold,
    kit,
    real,
    turned,
    upright,
    wrongTurns,
  };
}

function rate(v: unknown, where: string): Rate {
  const o = v as Record<string, unknown>;
  if (!o || !Number.isInteger(o.n) || !Number.isInteger(o.k) || !isRate(o.rate) || !Array.isArray(o.ci95))
    throw new ExternalDataError(`${where}: not a rate {n, k, rate, ci95}`);
  return o as unknown as Rate;
}

export function parseGateEval(json: unknown, file: string): GateEval {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of unknown shape, checked field by field below
  const o = json as Record<string, any>;
  if (!o || typeof o.gate !== 'string' || !isRate(o.threshold) || !o.false_accepts || !o.false_refusals) {
    throw new ExternalDataError(`${file}: not an eval:gate result`);
  }
  const fa = o.false_accepts as Record<string, unknown>;
  const fr = o.false_refusals as Record<string, unknown>;
  const map = (m: unknown, where: string) =>
    Object.fromEntries(
      Object.entries((m ?? {}) as Record<string, unknown>).map(([k, v]) => [k, rate(v, `${where}.${k}`)]),
    );
  return {
    file,
    gate: o.gate,
    threshold: o.threshold,
    photosAndDocuments: rate(fa.photos_and_documents, `${file} photos_and_documents`),
    hardNegatives: rate(fa.hard_negatives, `${file} hard_negatives`),
    bySource: map(fa.by_source, `${file} by_source`),
    falseRefusals: rate(fr.all, `${file} false_refusals.all`),
    refusalsByStyle: map(fr.by_style, `${file} false_refusals.by_style`),
  };
}

export function loadExternalEval(model: string, root = process.cwd()): ExternalEval {
  const file = join(EVAL_DIR, 'external', `${model}.json`);
  const p = join(root, file);
  if (!existsSync(p))
    throw new ExternalDataError(
      `${file} is missing; run \`npm run eval:external -- --model public/models/${model}\` (needs ../shared/external)`,
    );
  return parseExternalEval(readJson(file, root), file);
}

export function loadGateEval(gate: string, root = process.cwd()): GateEval {
  const file = join(EVAL_DIR, 'gate', `${gate}.json`);
  const p = join(root, file);
  if (!existsSync(p))
    throw new ExternalDataError(`${file} is missing; run \`npm run eval:gate -- --gate public/models/${gate}\``);
  return parseGateEval(readJson(file, root), file);
}

/** The sets of an eval:external file a chapter can quote. */
export type ExternalSet = 'kit-fold9' | 'real-ekg' | TurnedSetName;

/**
 * Fields a chapter can quote: kit-fold9 (overall or one variant), real-ekg acceptance, the sideways pictures'
 * acceptance, and the gate's rates.
 */
export const EXTERNAL_FIELDS = [
  'auroc',
  'auroc_ci',
  'sensitivity',
  'specificity',
  'refused_rate',
  'n',
  'accepted_rate',
  'accepted',
  'over_threshold_rate',
  'median_mi_score',
  'same_call_as_upright',
  'turned_upright',
  'turned',
] as const;
export type ExternalField = (typeof EXTERNAL_FIELDS)[number];
export const GATE_FIELDS = ['fa_photos_documents', 'fa_hard', 'fr_renders', 'threshold'] as const;
export type GateField = (typeof GATE_FIELDS)[number];

/** One quoted number from an eval:external file. */
export function formatExternal(
  e: ExternalEval,
  q: { set: ExternalSet; field: ExternalField; variant?: string; digits?: number },
): string {
  if (q.set === 'real-ekg-sideways' || q.set === 'real-ekg-upside-down') {
    const t = e.turned[q.set];
    if (!t) throw new ExternalDataError(`${e.file}: no ${q.set} figures; re-run npm run eval:external`);
    if (q.field === 'accepted_rate') return pct(t.accepted_rate, q.digits ?? 0);
    if (q.field === 'accepted' || q.field === 'n' || q.field === 'same_call_as_upright') return String(t[q.field]);
    if (q.field === 'turned_upright') {
      if (t.turned_upright === null)
        throw new ExternalDataError(`${e.file} ${q.set}: no sheet-upright model was run; re-run npm run eval:external`);
      return String(t.turned_upright);
    }
    throw new ExternalDataError(`${q.set} has no ${q.field}`);
  }
  if (q.field === 'turned') {
    const n = q.set === 'real-ekg' ? e.wrongTurns.real : e.wrongTurns.kit;
    if (n === null)
      throw new ExternalDataError(`${e.file} ${q.set}: no sheet-upright model was run; re-run npm run eval:external`);
    return String(n);
  }
  if (q.set === 'real-ekg') {
    if (!e.real) throw new ExternalDataError(`${e.file}: no real-ekg figures`);
    if (q.field === 'accepted_rate') return pct(e.real.accepted_rate, q.digits ?? 0);
    if (q.field === 'accepted') return String(e.real.accepted);
    if (q.field === 'n') return String(e.real.n);
    // no labels, but how often the model calls a real EKG MI still says something (see the chapter)
    if (q.field === 'over_threshold_rate' || q.field === 'median_mi_score') {
      const v = e.real[q.field];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new ExternalDataError(`${e.file} real-ekg: no ${q.field}; re-run npm run eval:external`);
      return q.field === 'over_threshold_rate' ? pct(v, q.digits ?? 0) : dec(v, q.digits ?? 2);
    }
    throw new ExternalDataError(`real-ekg has no ${q.field} (no diagnosis labels)`);
  }
  if (!e.kit) throw new ExternalDataError(`${e.file}: no kit-fold9 figures`);
  const s = q.variant ? e.kit.by_variant[q.variant] : e.kit;
  if (!s) throw new ExternalDataError(`${e.file}: no kit-fold9 variant ${q.variant}`);
  switch (q.field) {
    case 'auroc':
      if (s.auroc === null) throw new ExternalDataError(`${e.file}: AUROC undefined (one class only)`);
      return dec(s.auroc, q.digits ?? 3);
    case 'auroc_ci':
      if (s.auroc_ci === null) throw new ExternalDataError(`${e.file}: no AUROC interval`);
      return `${dec(s.auroc_ci[0], q.digits ?? 3)}–${dec(s.auroc_ci[1], q.digits ?? 3)}`;
    case 'sensitivity':
    case 'specificity':
    case 'refused_rate':
      return pct(s[q.field], q.digits ?? 0);
    case 'n':
      return String(s.n);
    default:
      throw new ExternalDataError(`kit-fold9 has no ${q.field}`);
  }
}

/** One quoted number from an eval:gate file. */
export function formatGate(g: GateEval, field: GateField, digits?: number): string {
  switch (field) {
    case 'fa_photos_documents':
      return pct(g.photosAndDocuments.rate, digits ?? 1);
    case 'fa_hard':
      return pct(g.hardNegatives.rate, digits ?? 1);
    case 'fr_renders':
      return pct(g.falseRefusals.rate, digits ?? 1);
    case 'threshold':
      return dec(g.threshold, digits ?? 2);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The view: "Images we did not draw" — each model's AUROC (95% CI) on our own fold-10 renders, style by style,
// then on ECG-Image-Kit's renders (all, and each variant), with the EKG check's refusals in the table.

export interface DropRow {
  model: string;
  /** "ours · wild-photo", "ECG-Image-Kit · all", ... */
  set: string;
  source: 'ours' | 'independent';
  n: number;
  auroc: number;
  lo: number;
  hi: number;
  sensitivity: number;
  specificity: number;
  /** Share refused by the EKG check (independent images only; our renders are not passed through it here). */
  refused: number | null;
  /** The EKG check's threshold in the file the refusals come from (null: not recorded, or our renders). */
  gateThreshold: number | null;
}

/** Rows of the comparison for the given models (our fold-10 evals of their styles + their eval:external file). */
export function dropRows(
  models: string[],
  evals: readonly EvalResult[],
  externals: readonly ExternalEval[],
  styles: readonly string[],
): DropRow[] {
  const rows: DropRow[] = [];
  for (const model of models) {
    for (const style of styles) {
      const e = evals.find((x) => x.model === model && x.style === style && x.fold === 10);
      if (!e) continue;
      rows.push({
        model,
        set: `ours · ${style}`,
        source: 'ours',
        n: e.n,
        auroc: e.auroc,
        lo: e.auroc_ci[0],
        hi: e.auroc_ci[1],
        sensitivity: e.sensitivity,
        specificity: e.specificity,
        refused: null,
        gateThreshold: null,
      });
    }
    const x = externals.find((k) => k.model === model);
    if (!x?.kit) continue;
    const parts: Array<[string, LabelledSummary]> = [['all', x.kit], ...Object.entries(x.kit.by_variant)];
    for (const [name, s] of parts) {
      if (s.auroc === null || s.auroc_ci === null) continue;
      rows.push({
        model,
        set: `ECG-Image-Kit · ${name}`,
        source: 'independent',
        n: s.n,
        auroc: s.auroc,
        lo: s.auroc_ci[0],
        hi: s.auroc_ci[1],
        sensitivity: s.sensitivity,
        specificity: s.specificity,
        refused: s.refused_rate,
        gateThreshold: x.gateThreshold,
      });
    }
  }
  return rows;
}

export function dropView(rows: DropRow[]): ChartView {
  const models = [...new Set(rows.map((r) => r.model))];
  const { svg, legend } = aurocIntervalPlot({
    rows,
    series: 'model',
    sets: [...new Set(rows.map((r) => r.set))],
    rowHeight: 26,
    marginLeft: 190,
    n: (d) => d.n,
    ariaLabel: `Dot plot with intervals: MI AUROC of ${models.join(' and ')} on our own renders and on ECG-Image-Kit's`,
  });
  // the EKG check is retrained now and then: say so when the files' refusals come from different versions of it
  const checks = new Map<number, string[]>();
  for (const r of rows) {
    if (r.gateThreshold === null) continue;
    const names = checks.get(r.gateThreshold) ?? [];
    if (!names.includes(r.model)) names.push(r.model);
    checks.set(r.gateThreshold, names);
  }
  const versions =
    checks.size > 1
      ? ` The refusals come from different versions of the EKG check, retrained between evaluations: ${[...checks]
          .map(([t, names]) => `threshold ${dec(t, 3)} for ${names.join(' and ')}`)
          .join('; ')}.`
      : '';
  const table: TableModel = {
    caption: `MI AUROC with 95% bootstrap interval; sensitivity and specificity at each model’s own threshold (chosen on our fold-9 renders); refused = share the EKG check turned away.${versions}`,
    rowHeader: 'set',
    groupBy: 'model',
    columns: [
      { key: 'model', label: 'Model' },
      { key: 'set', label: 'Images' },
      { key: 'n', label: 'n', numeric: true },
      { key: 'auroc', label: 'AUROC (95% CI)', numeric: true },
      { key: 'sensitivity', label: 'Sensitivity', numeric: true },
      { key: 'specificity', label: 'Specificity', numeric: true },
      { key: 'refused', label: 'Refused', numeric: true },
    ],
    rows: rows.map((r) => ({
      model: r.model,
      set: r.set,
      n: r.n,
      auroc: `${dec(r.auroc, 3)} (${dec(r.lo, 3)}–${dec(r.hi, 3)})`,
      sensitivity: pct(r.sensitivity, 1),
      specificity: pct(r.specificity, 1),
      refused: r.refused === null ? '–' : pct(r.refused, 1),
    })),
  };
  return {
    svg,
    table,
    legend,
    marks: rows.length,
  };
}
