/**
 * The digitiser's figures, for the report and the demo (build time only): data/eval/digitise/SET.json written by
 * `npm run eval:digitise` (scripts/eval-digitise.ts): per-lead SNR (the PhysioNet Challenge 2024 definition) of the
 * leads read back from pictures, and the MI AUROC of the digitise + signal-classifier pipeline on them.
 *
 * A set is named as the script names its file: the style of our fold-10 renders (`printout`, `wild-photo`, ...),
 * `-nN` for a seeded subset of N records, or `kit-fold9` for ECG-Image-Kit's pages. `loadDigitiseEval('printout')`
 * takes `printout.json` (the whole fold) when it exists, else the largest `printout-nN.json`. A missing file throws
 * with the command that makes it, so a chapter cannot quote a number that does not exist (like <Metric>).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as Plot from '@observablehq/plot';
import { EVAL_DIR, loadEvalResults, readJson } from './data';
import { loadExternalEval, type ExternalEval } from './external';
import { dec, int, pct } from './format';
import { findEval } from './metric';
import { colorAt } from './palette';
import { renderPlot } from './render';
import { aurocIntervalPlot } from './auroc-intervals';
import type { ChartView } from './study';
import type { EvalResult, TableModel } from './types';
import { pipelineModelName } from '../digitise/pipeline-name';
import { errorMessage } from '../errors';
import { median } from '../stats';
import { parseVerdictFile, verdictFileName, type VerdictFile } from '../model/combine';

export const DIGITISE_EVAL_DIR = join(EVAL_DIR, 'digitise');
export const DIGITISE_LEADS = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;

export class DigitiseDataError extends Error {
  override name = 'DigitiseDataError';
}

export interface DigitiseEval {
  /** Repository-relative path of the file. */
  file: string;
  /** The set as asked for (`printout`, `kit-fold9`); `limit` is the subset size when the file is a -nN one. */
  set: string;
  limit: number | null;
  what: string;
  signalModel: string;
  n: number;
  /** Pictures the digitiser could not read at all (DigitiseError). */
  failed: number;
  snrMedianDb: number;
  /**
   * Over the sheets read only: the median SNR as read, and with each lead shifted by its best lag within 0.2 s (a
   * diagnostic of how much the time axis costs; null in files written before it, or where no sheet was read).
   */
  snrReadMedianDb: number | null;
  snrAlignedMedianDb: number | null;
  snrByLeadDb: Record<string, number>;
  mi: {
    n: number;
    auroc: number | null;
    auroc_ci: [number, number] | null;
    sensitivity: number;
    specificity: number;
    threshold: number;
  };
  /**
   * The limb leads' agreement with Einthoven's and Goldberger's laws over the pages read (src/lib/signal/agreement.ts,
   * no truth needed): its median (dB) and its Spearman correlation with the pages' median SNR; null in files
   * written before it.
   */
  agreement: { n: number; medianDb: number | null; spearman: number | null } | null;
  /** Each page read with an agreement: it and the page's median SNR over its leads (for the scatter). */
  pages: Array<{ agreementDb: number; snrDb: number }>;
  /**
   * With the kit pages: the real EKG photos and scans read (no diagnoses), how many are called MI, and their median
   * limb-lead agreement (null in files written before it).
   */
  realEkg: {
    n: number;
    read: number;
    calledMi: number;
    agreementMedianDb: number | null;
    /** Each picture's agreement, where it has one. */
    agreementsDb: number[];
  } | null;
  gitCommit: string;
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRate = (v: unknown): v is number => isNum(v) && v >= 0 && v <= 1;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Checks one eval:digitise document (scripts/eval-digitise.ts) field by field. */
export function parseDigitiseEval(json: unknown, file: string, set: string, limit: number | null): DigitiseEval {
  const fail = (what: string): never => {
    throw new DigitiseDataError(`${file}: ${what} (not an eval:digitise result?)`);
  };
  if (!json || typeof json !== 'object' || Array.isArray(json)) return fail('not a JSON object');
  const o = json as Record<string, unknown>;
  if (typeof o.what !== 'string') fail('"what" must be a string');
  if (typeof o.signal_model !== 'string') fail('"signal_model" must be a string');
  if (!isCount(o.n) || o.n === 0) fail('"n" must be a positive count');
  if (!isCount(o.failed) || (o.failed as number) > (o.n as number)) fail('"failed" must be a count <= n');
  if (!isNum(o.snr_median_db)) fail('"snr_median_db" must be a number');
  for (const k of ['snr_read_median_db', 'snr_aligned_median_db'] as const)
    if (!(o[k] === undefined || o[k] === null || isNum(o[k]))) fail(`"${k}" must be a number or null`);
  const by = o.snr_by_lead_db as Record<string, unknown> | undefined;
  if (!by || typeof by !== 'object') return fail('"snr_by_lead_db" must be an object');
  const snrByLeadDb: Record<string, number> = {};
  for (const l of DIGITISE_LEADS) {
    // a lead no record printed has no median (NaN is written as null by JSON.stringify)
    if (by[l] === null || by[l] === undefined) continue;
    if (!isNum(by[l])) fail(`"snr_by_lead_db.${l}" must be a number`);
    snrByLeadDb[l] = by[l] as number;
  }
  const mi = o.mi as Record<string, unknown> | undefined;
  if (!mi || typeof mi !== 'object') return fail('"mi" must be an object');
  if (!isCount(mi.n)) fail('"mi.n" must be a count');
  if (!(mi.auroc === null || isRate(mi.auroc))) fail('"mi.auroc" must be a rate or null');
  const ci = mi.auroc_ci;
  if (!(ci === null || (Array.isArray(ci) && ci.length === 2 && ci.every(isRate))))
    fail('"mi.auroc_ci" must be a pair');
  for (const k of ['sensitivity', 'specificity', 'threshold'] as const)
    if (!isRate(mi[k])) fail(`"mi.${k}" must be a rate`);
  const real = o.real_ekg as Record<string, unknown> | undefined;
  if (real !== undefined) {
    const ok =
      real &&
      isCount(real.n) &&
      isCount(real.read) &&
      isCount(real.called_mi) &&
      real.read <= real.n &&
      real.called_mi <= real.read;
    if (!ok) fail('"real_ekg" must hold counts n >= read >= called_mi');
    const a = real.agreement_median_db;
    if (!(a === undefined || a === null || isNum(a))) fail('"real_ekg.agreement_median_db" must be a number or null');
  }
  const agr = o.agreement as Record<string, unknown> | undefined;
  if (agr !== undefined) {
    const ok =
      agr &&
      typeof agr === 'object' &&
      isCount(agr.n) &&
      (agr.median_db === null || isNum(agr.median_db)) &&
      (agr.spearman_with_page_snr === null ||
        (isNum(agr.spearman_with_page_snr) && Math.abs(agr.spearman_with_page_snr) <= 1));
    if (!ok) fail('"agreement" must hold a count n, median_db and spearman_with_page_snr (numbers or null)');
  }
  // the pages read with an agreement, each with its median SNR over its leads
  const pages: DigitiseEval['pages'] = [];
  for (const r of Array.isArray(o.records) ? (o.records as Array<Record<string, unknown>>) : []) {
    if (!r || r.error || !isNum(r.agreement) || !r.snr || typeof r.snr !== 'object') continue;
    const snr = Object.values(r.snr as Record<string, unknown>).filter(isNum);
    if (snr.length) pages.push({ agreementDb: r.agreement, snrDb: median(snr) });
  }
  return {
    file,
    set,
    limit,
    what: o.what as string,
    signalModel: o.signal_model as string,
    n: o.n as number,
    failed: o.failed as number,
    snrMedianDb: o.snr_median_db as number,
    snrReadMedianDb: isNum(o.snr_read_median_db) ? o.snr_read_median_db : null,
    snrAlignedMedianDb: isNum(o.snr_aligned_median_db) ? o.snr_aligned_median_db : null,
    snrByLeadDb,
    mi: {
      n: mi.n as number,
      auroc: mi.auroc as number | null,
      auroc_ci: ci as [number, number] | null,
      sensitivity: mi.sensitivity as number,
      specificity: mi.specificity as number,
      threshold: mi.threshold as number,
    },
    agreement: agr
      ? {
          n: agr.n as number,
          medianDb: agr.median_db as number | null,
          spearman: agr.spearman_with_page_snr as number | null,
        }
      : null,
    pages,
    realEkg: real
      ? {
          n: real.n as number,
          read: real.read as number,
          calledMi: real.called_mi as number,
          agreementMedianDb: isNum(real.agreement_median_db) ? real.agreement_median_db : null,
          agreementsDb: (Array.isArray(real.files) ? (real.files as Array<Record<string, unknown>>) : [])
            .map((f) => f?.agreement)
            .filter(isNum),
        }
      : null,
    gitCommit: typeof o.git_commit === 'string' ? o.git_commit : 'unknown',
  };
}

/** The command that writes a set's file. */
export function digitiseCommand(set: string): string {
  if (set === 'kit-fold9') return 'npm run eval:digitise -- --external';
  return `npm run eval:digitise -- --style ${set} --limit 200`;
}

/** The file of a set: SET.json, else the largest SET-nN.json; null when there is neither. */
export function digitiseEvalFile(
  set: string,
  root = process.cwd(),
  dir = DIGITISE_EVAL_DIR,
): { file: string; limit: number | null } | null {
  const abs = join(root, dir);
  if (!existsSync(abs)) return null;
  const names = readdirSync(abs);
  if (names.includes(`${set}.json`)) return { file: join(dir, `${set}.json`), limit: null };
  const escaped = set.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^${escaped}-n(\\d+)\\.json$`);
  let best: { file: string; limit: number } | null = null;
  for (const f of names) {
    const m = re.exec(f);
    if (m && (!best || Number(m[1]) > best.limit)) best = { file: join(dir, f), limit: Number(m[1]) };
  }
  return best;
}

/** The sets present in the folder (file names without -nN and .json), sorted. */
export function digitiseSets(root = process.cwd(), dir = DIGITISE_EVAL_DIR): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const sets = readdirSync(abs)
    .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
    .map((f) => f.slice(0, -'.json'.length).replace(/-n\d+$/, ''));
  return [...new Set(sets)].sort();
}

export function loadDigitiseEval(set: string, root = process.cwd(), dir = DIGITISE_EVAL_DIR): DigitiseEval {
  const found = digitiseEvalFile(set, root, dir);
  if (!found) {
    throw new DigitiseDataError(
      `${join(dir, `${set}.json`)} is missing (nor is there a ${set}-nN.json); run \`${digitiseCommand(set)}\``,
    );
  }
  return parseDigitiseEval(readJson(found.file, root), found.file.split('\\').join('/'), set, found.limit);
}

export const DIGITISE_FIELDS = [
  'records',
  'snr',
  'snr_lead',
  'n',
  'failed',
  'snr_read',
  'snr_aligned',
  'failed_rate',
  'read_rate',
  'auroc',
  'auroc_ci',
  'sensitivity',
  'specificity',
  'scored',
  'real_n',
  'real_read',
  'real_called_mi',
  'agreement',
  'agreement_spearman',
  'real_agreement',
] as const;
export type DigitiseField = (typeof DIGITISE_FIELDS)[number];

/** Decibels with a real minus sign (a hyphen before a number reads as a dash). */
export function db(v: number, digits = 1): string {
  const t = v.toFixed(digits);
  return t.startsWith('-') && Number(t) !== 0 ? `\u2212${t.slice(1)}` : t.replace(/^-/, '');
}

/** One quoted number from an eval:digitise file. SNR figures are in dB (the unit is the prose's). */
export function formatDigitise(
  e: DigitiseEval,
  field: DigitiseField,
  opts: { lead?: string; digits?: number } = {},
): string {
  switch (field) {
    case 'snr':
      return db(e.snrMedianDb, opts.digits ?? 1);
    case 'snr_lead': {
      if (!opts.lead) throw new DigitiseDataError(`${e.file}: snr_lead needs a lead`);
      const v = e.snrByLeadDb[opts.lead];
      if (v === undefined) throw new DigitiseDataError(`${e.file}: no SNR for lead ${opts.lead}`);
      return db(v, opts.digits ?? 1);
    }
    case 'snr_read':
    case 'snr_aligned': {
      const v = field === 'snr_read' ? e.snrReadMedianDb : e.snrAlignedMedianDb;
      if (v === null)
        throw new DigitiseDataError(
          `${e.file}: no ${field} (no sheet read, or an older file: run ${digitiseCommand(e.set)})`,
        );
      return db(v, opts.digits ?? 1);
    }
    case 'n':
      return int(e.n);
    case 'records':
      // "a seeded 100" for a --limit subset (the file's -nN), "all 2,198" for the whole set
      return e.limit !== null ? `a seeded ${int(e.n)}` : `all ${int(e.n)}`;
    case 'failed':
      return int(e.failed);
    case 'failed_rate':
      return pct(e.failed / e.n, opts.digits ?? 0);
    case 'read_rate':
      return pct((e.n - e.failed) / e.n, opts.digits ?? 0);
    case 'scored':
      return int(e.mi.n);
    case 'auroc':
      if (e.mi.auroc === null) throw new DigitiseDataError(`${e.file}: no MI AUROC (one class only)`);
      return dec(e.mi.auroc, opts.digits ?? 3);
    case 'auroc_ci':
      if (e.mi.auroc_ci === null) throw new DigitiseDataError(`${e.file}: no AUROC interval`);
      return `${dec(e.mi.auroc_ci[0], opts.digits ?? 3)}–${dec(e.mi.auroc_ci[1], opts.digits ?? 3)}`;
    case 'sensitivity':
    case 'specificity':
      return pct(e.mi[field], opts.digits ?? 1);
    case 'real_n':
    case 'real_read':
    case 'real_called_mi': {
      if (!e.realEkg) throw new DigitiseDataError(`${e.file}: no real EKGs read (run ${digitiseCommand('kit-fold9')})`);
      return int({ real_n: e.realEkg.n, real_read: e.realEkg.read, real_called_mi: e.realEkg.calledMi }[field]);
    }
    case 'agreement': {
      const v = e.agreement?.medianDb;
      if (v === undefined || v === null)
        throw new DigitiseDataError(`${e.file}: no limb-lead agreement (an older file: run ${digitiseCommand(e.set)})`);
      return db(v, opts.digits ?? 1);
    }
    case 'agreement_spearman': {
      const v = e.agreement?.spearman;
      if (v === undefined || v === null)
        throw new DigitiseDataError(`${e.file}: no agreement-SNR correlation (run ${digitiseCommand(e.set)})`);
      return dec(v, opts.digits ?? 2);
    }
    case 'real_agreement': {
      const v = e.realEkg?.agreementMedianDb;
      if (v === undefined || v === null)
        throw new DigitiseDataError(`${e.file}: no agreement on the real EKGs (run ${digitiseCommand('kit-fold9')})`);
      return db(v, opts.digits ?? 1);
    }
    default:
      throw new DigitiseDataError(`unknown digitise field "${String(field)}"; known: ${DIGITISE_FIELDS.join(', ')}`);
  }
}

/**
 * The sets a digitiser chart draws: our printouts and ECG-Image-Kit's pages (required: a missing one throws with
 * the command that makes it), and between them those of `optional` (our other styles) that were measured.
 */
export function loadChartSets(optional: readonly string[], root = process.cwd()): DigitiseEval[] {
  const present = optional.filter((s) => digitiseEvalFile(s, root));
  return [
    loadDigitiseEval('printout', root),
    ...present.map((s) => loadDigitiseEval(s, root)),
    loadDigitiseEval('kit-fold9', root),
  ];
}

/**
 * What the demo compares a picture's limb-lead agreement with: the median over our printouts read back, over
 * ECG-Image-Kit's pages and over the real EKG photos and scans (each null where its file lacks it; the kit's
 * and the real EKGs' files are absent in a build without ../shared/external's readings).
 */
export interface AgreementReference {
  printoutDb: number | null;
  kitDb: number | null;
  realDb: number | null;
  files: string[];
}

export function loadAgreementReference(root = process.cwd(), dir = DIGITISE_EVAL_DIR): AgreementReference | null {
  const get = (set: string) => (digitiseEvalFile(set, root, dir) ? loadDigitiseEval(set, root, dir) : null);
  const printout = get('printout');
  const kit = get('kit-fold9');
  const ref = {
    printoutDb: printout?.agreement?.medianDb ?? null,
    kitDb: kit?.agreement?.medianDb ?? null,
    realDb: kit?.realEkg?.agreementMedianDb ?? null,
    files: [printout, kit].filter((e) => e?.agreement).map((e) => e!.file),
  };
  return ref.printoutDb === null && ref.kitDb === null ? null : ref;
}

/** A readable name of a set: "our fold-10 printouts (100 records)", "ECG-Image-Kit's pages (fold 9)". */
export function setLabel(e: Pick<DigitiseEval, 'set' | 'n'>): string {
  if (e.set === 'kit-fold9') return `ECG-Image-Kit's pages of fold 9 (${int(e.n)})`;
  return `our fold-10 ${e.set} renders (${int(e.n)})`;
}

// ---------------------------------------------------------------------------------------------------------------
// The view: per-lead SNR of each set (dots), the PhysioNet Challenge 2024 definition.

export function snrView(sets: readonly DigitiseEval[]): ChartView {
  const rows = sets.flatMap((e) =>
    DIGITISE_LEADS.filter((l) => e.snrByLeadDb[l] !== undefined).map((lead) => ({
      set: setLabel(e),
      lead,
      snr: e.snrByLeadDb[lead]!,
    })),
  );
  const names = sets.map((e) => setLabel(e));
  const colors = names.map((_, i) => colorAt(i));
  const lo = Math.min(-5, ...rows.map((r) => r.snr));
  const hi = Math.max(25, ...rows.map((r) => r.snr));
  const svg = renderPlot(
    {
      height: 320,
      marginLeft: 44,
      marginBottom: 44,
      x: { domain: [...DIGITISE_LEADS], label: 'Lead', labelAnchor: 'center', labelOffset: 36 },
      y: {
        domain: [Math.floor(lo / 5) * 5, Math.ceil(hi / 5) * 5],
        grid: true,
        label: 'SNR (dB), median over records',
      },
      color: { domain: names, range: colors },
      symbol: { domain: names, range: ['circle', 'diamond', 'square', 'triangle'] },
      marks: [
        Plot.ruleY([0], { strokeOpacity: 0.6 }),
        Plot.ruleY([20], { strokeDasharray: '3 3', strokeOpacity: 0.6 }),
        Plot.ruleY([10], { strokeDasharray: '1 3', strokeOpacity: 0.6 }),
        Plot.dot(rows, {
          x: 'lead',
          y: 'snr',
          fill: 'set',
          symbol: 'set',
          r: 4.5,
          title: (d: { set: string; lead: string; snr: number }) => `${d.set}, lead ${d.lead}: ${db(d.snr)} dB`,
        }),
      ],
    },
    { ariaLabel: `Dot plot: median SNR in dB of each lead read back by the digitiser, for ${names.join(' and ')}` },
  );
  const table: TableModel = {
    caption:
      'Median SNR (dB) per lead over the records of each set (PhysioNet Challenge 2024 definition: no shift or scale; a picture the digitiser could not read counts 0 dB for every lead).',
    rowHeader: 'lead',
    columns: [
      { key: 'lead', label: 'Lead' },
      ...sets.map((e, i) => ({ key: `s${i}`, label: setLabel(e), numeric: true })),
    ],
    rows: [
      ...DIGITISE_LEADS.map((lead) => ({
        lead,
        ...Object.fromEntries(
          sets.map((e, i) => [`s${i}`, e.snrByLeadDb[lead] === undefined ? '–' : db(e.snrByLeadDb[lead]!)]),
        ),
      })),
      { lead: 'all leads', ...Object.fromEntries(sets.map((e, i) => [`s${i}`, db(e.snrMedianDb)])) },
    ],
  };
  return {
    svg,
    table,
    legend: names.map((label, i) => ({
      label,
      color: colors[i]!,
      symbol: ['dot', 'diamond', 'square', 'triangle'][i] ?? 'dot',
    })),
    marks: rows.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The reading's self-check: each page's limb-lead agreement against its median SNR, and the real EKGs' agreement
// (they have no truth, so no SNR) as ticks along the foot of the chart.

export function agreementView(sets: readonly DigitiseEval[]): ChartView {
  const withPages = sets.filter((e) => e.pages.length > 0);
  const rows = withPages.flatMap((e) => e.pages.map((p) => ({ set: setLabel(e), ...p })));
  const real = sets.find((e) => e.realEkg && e.realEkg.agreementsDb.length > 0)?.realEkg ?? null;
  const realLabel = real ? `real EKG photos and scans (${int(real.agreementsDb.length)}; no truth, so no SNR)` : null;
  const names = [...withPages.map((e) => setLabel(e)), ...(realLabel ? [realLabel] : [])];
  const colors = names.map((_, i) => colorAt(i));
  const xs = [...rows.map((r) => r.agreementDb), ...(real?.agreementsDb ?? [])];
  const ys = rows.map((r) => r.snrDb);
  const [x0, x1] = [Math.floor(Math.min(-10, ...xs) / 5) * 5, Math.ceil(Math.max(30, ...xs) / 5) * 5];
  const [y0, y1] = [Math.floor(Math.min(-10, ...ys) / 5) * 5, Math.ceil(Math.max(25, ...ys) / 5) * 5];
  const foot = (y1 - y0) * 0.06;
  const svg = renderPlot(
    {
      height: 360,
      marginLeft: 48,
      marginBottom: 44,
      x: {
        domain: [x0, x1],
        grid: true,
        label: 'Limb-lead agreement (dB)',
      },
      y: { domain: [y0 - 2 * foot, y1], grid: true, label: 'Median SNR of the page (dB)' },
      color: { domain: names, range: colors },
      symbol: { domain: names, range: ['circle', 'diamond', 'square', 'triangle'] },
      marks: [
        Plot.ruleY([0], { strokeOpacity: 0.6 }),
        Plot.ruleX([0], { strokeOpacity: 0.6 }),
        Plot.dot(rows, {
          x: 'agreementDb',
          y: 'snrDb',
          fill: 'set',
          fillOpacity: 0.6,
          symbol: 'set',
          r: 3,
          title: (d: { set: string; agreementDb: number; snrDb: number }) =>
            `${d.set}: agreement ${db(d.agreementDb)} dB, SNR ${db(d.snrDb)} dB`,
        }),
        ...(real && realLabel
          ? [
              Plot.ruleX(real.agreementsDb, {
                x: (d: number) => d,
                y1: y0 - 2 * foot,
                y2: y0 - 0.5 * foot,
                stroke: colors[names.length - 1],
                strokeWidth: 2,
                title: (d: number) => `${realLabel}: agreement ${db(d)} dB`,
              }),
            ]
          : []),
      ],
    },
    {
      ariaLabel: `Scatter plot: each page's limb-lead agreement against its median SNR, for ${names.join(', ')}`,
    },
  );
  const rho = (e: DigitiseEval) => (e.agreement?.spearman == null ? '–' : dec(e.agreement.spearman, 2));
  const med = (v: number | null | undefined) => (v == null ? '–' : db(v));
  const table: TableModel = {
    caption:
      "Limb-lead agreement per set: pages read with an agreement, its median, and how it ranks the pages by their median SNR (Spearman's rho); the real EKGs have no truth and so no SNR.",
    rowHeader: 'set',
    columns: [
      { key: 'set', label: 'Set' },
      { key: 'n', label: 'Pages', numeric: true },
      { key: 'median', label: 'Median agreement (dB)', numeric: true },
      { key: 'rho', label: 'Spearman with SNR', numeric: true },
    ],
    rows: [
      ...withPages.map((e) => ({
        set: setLabel(e),
        n: int(e.pages.length),
        median: med(e.agreement?.medianDb),
        rho: rho(e),
      })),
      ...(real && realLabel
        ? [{ set: realLabel, n: int(real.agreementsDb.length), median: med(real.agreementMedianDb), rho: '–' }]
        : []),
    ],
  };
  return {
    svg,
    table,
    legend: names.map((label, i) =>
      label === realLabel
        ? { label, color: colors[i]!, dash: false }
        : { label, color: colors[i]!, symbol: ['dot', 'diamond', 'square', 'triangle'][i] ?? 'dot' },
    ),
    marks: rows.length + (real?.agreementsDb.length ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Two readings of one picture, compared: the image model (reads the picture) and the digitiser + signal classifier
// (reads the traces it recovers), on our fold-10 renders and on ECG-Image-Kit's pages (images we did not draw).

export interface ReadingRow {
  /** "heartnet" or "digitiser + signal-3x4r". */
  reader: string;
  kind: 'image' | 'signal' | 'combined';
  /** "ours · printout", "ECG-Image-Kit", "true signals". */
  set: string;
  source: 'ours' | 'independent' | 'signals';
  /** Records in the set, and how many of them were scored (an unread picture is left out by eval:digitise). */
  n: number;
  scored: number;
  auroc: number;
  lo: number;
  hi: number;
  /** At the reader's own threshold (the combination: its verdict at the two models' own thresholds). */
  sensitivity: number;
  specificity: number;
  /** Share the EKG check refused (image model) or the digitiser could not read (signal); null where not measured. */
  unread: number | null;
  /** The combination's AUROC gain over the image model alone, with its paired bootstrap interval. */
  gain?: { value: number; lo: number; hi: number };
  file: string;
}

export interface ReadingsInput {
  image: { model: string; evals: readonly EvalResult[]; external: ExternalEval };
  signal: {
    model: string;
    trueSignals: EvalResult;
    /** Standard `npm run eval -- --model digitise+...` files, with their unread count when recorded. */
    pipeline: ReadonlyArray<{ eval: EvalResult; unread: number | null }>;
    /** eval:digitise files (ours by style, and kit-fold9). */
    digitised: readonly DigitiseEval[];
  };
  /** eval:combined files (the two readings' fixed combination), where they exist. */
  combined?: readonly CombinedEval[];
}

/** One eval:combined file (scripts/eval-combined.ts): the two readings' combined verdict (src/lib/model/combine.ts). */
export interface CombinedEval {
  file: string;
  /** A fold-10 style, or kit-fold9. */
  set: string;
  n: number;
  auroc: number;
  auroc_ci: [number, number];
  /** The combined verdict's, at its own threshold (the verdict file's). */
  sensitivity: number;
  specificity: number;
  gain: number;
  gain_ci: [number, number];
  signalUnread: number;
  imageModel: string;
  signalModel: string;
  /** The verdict threshold the file was scored at (logits on the mean margin). */
  marginThreshold: number;
}

export const COMBINED_EVAL_DIR = 'data/eval/combined';

export function parseCombinedEval(json: unknown, file: string): CombinedEval {
  const o = json as Record<string, unknown> | null;
  const c = o?.combined as Record<string, unknown> | undefined;
  const ci = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number');
  if (
    !o ||
    typeof o.set !== 'string' ||
    typeof o.n !== 'number' ||
    typeof o.signal_unread !== 'number' ||
    !c ||
    typeof c.auroc !== 'number' ||
    !ci(c.auroc_ci) ||
    typeof c.sensitivity !== 'number' ||
    typeof c.specificity !== 'number' ||
    typeof c.gain_over_image !== 'number' ||
    !ci(c.gain_over_image_ci) ||
    typeof (o.verdict as { margin_threshold?: unknown } | undefined)?.margin_threshold !== 'number'
  ) {
    throw new DigitiseDataError(
      `${file}: not an eval:combined file (set, n, signal_unread, verdict threshold, combined auroc, sensitivity, specificity and CIs); re-run npm run eval:combined`,
    );
  }
  const model = (k: string) => String((o[k] as { model?: unknown } | undefined)?.model ?? '');
  return {
    file,
    set: o.set,
    n: o.n,
    auroc: c.auroc,
    auroc_ci: c.auroc_ci as [number, number],
    sensitivity: c.sensitivity,
    specificity: c.specificity,
    gain: c.gain_over_image,
    gain_ci: c.gain_over_image_ci as [number, number],
    signalUnread: o.signal_unread,
    imageModel: model('image'),
    signalModel: model('signal'),
    marginThreshold: (o.verdict as { margin_threshold: number }).margin_threshold,
  };
}

/** The combined verdict's threshold (eval:combined --choose), or null where it has not been chosen. */
export function loadCombinedVerdict(
  imageModel: string,
  signalModel: string,
  root = process.cwd(),
): (VerdictFile & { file: string }) | null {
  const file = `${COMBINED_EVAL_DIR}/${verdictFileName(imageModel, pipelineModelName(signalModel))}`;
  if (!existsSync(join(root, file))) return null;
  try {
    return { ...parseVerdictFile(readJson(file, root), file), file };
  } catch (e) {
    throw new DigitiseDataError(errorMessage(e));
  }
}

/**
 * The eval:combined files of this image model and pipeline (IMAGE+digitise-SIGNAL.SET.json), each checked to be
 * scored at the verdict threshold its verdict file holds now (a stale file would show another verdict's figures).
 */
export function loadCombinedEvals(imageModel: string, signalModel: string, root = process.cwd()): CombinedEval[] {
  const abs = join(root, COMBINED_EVAL_DIR);
  if (!existsSync(abs)) return [];
  const prefix = `${imageModel}+${pipelineModelName(signalModel)}.`;
  const verdictFile = verdictFileName(imageModel, pipelineModelName(signalModel));
  const files = readdirSync(abs)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json') && f !== verdictFile)
    .sort();
  if (files.length === 0) return [];
  const verdict = loadCombinedVerdict(imageModel, signalModel, root);
  if (!verdict) {
    throw new DigitiseDataError(
      `${COMBINED_EVAL_DIR}/${verdictFile} is missing: the combined figures need their verdict's threshold (npm run eval:combined -- --choose, see README)`,
    );
  }
  return files.map((f) => {
    const file = `${COMBINED_EVAL_DIR}/${f}`;
    const c = parseCombinedEval(readJson(file, root), file);
    if (c.imageModel !== imageModel || c.signalModel !== pipelineModelName(signalModel)) {
      throw new DigitiseDataError(`${file}: combines ${c.imageModel} and ${c.signalModel}, not what its name says`);
    }
    if (c.marginThreshold !== verdict.margin_threshold) {
      throw new DigitiseDataError(
        `${file}: scored at verdict threshold ${c.marginThreshold}, but ${verdict.file} now holds ${verdict.margin_threshold}; re-run npm run eval:combined for it`,
      );
    }
    return c;
  });
}

const fromEval = (
  reader: string,
  kind: ReadingRow['kind'],
  set: string,
  source: ReadingRow['source'],
  e: EvalResult,
  unread: number | null,
): ReadingRow => ({
  reader,
  kind,
  set,
  source,
  n: e.n,
  scored: e.n,
  auroc: e.auroc,
  lo: e.auroc_ci[0],
  hi: e.auroc_ci[1],
  sensitivity: e.sensitivity,
  specificity: e.specificity,
  unread,
  file: e.file,
});

/** The rows of the comparison (image model first), from already loaded files. */
export function readingRows(input: ReadingsInput): ReadingRow[] {
  const { image, signal } = input;
  const rows: ReadingRow[] = image.evals.map((e) =>
    fromEval(image.model, 'image', `ours · ${e.style}`, 'ours', e, null),
  );
  const kit = image.external.kit;
  if (kit && kit.auroc !== null && kit.auroc_ci !== null) {
    rows.push({
      reader: image.model,
      kind: 'image',
      set: 'ECG-Image-Kit',
      source: 'independent',
      n: kit.n,
      scored: kit.n,
      auroc: kit.auroc,
      lo: kit.auroc_ci[0],
      hi: kit.auroc_ci[1],
      sensitivity: kit.sensitivity,
      specificity: kit.specificity,
      unread: kit.refused_rate,
      file: image.external.file,
    });
  }
  const reader = `digitiser + ${signal.model}`;
  rows.push(fromEval(signal.model, 'signal', 'true signals', 'signals', signal.trueSignals, null));
  const styles = new Set<string>();
  for (const p of signal.pipeline) {
    styles.add(p.eval.style);
    rows.push(
      fromEval(
        reader,
        'signal',
        `ours · ${p.eval.style}`,
        'ours',
        p.eval,
        p.unread === null ? null : p.unread / p.eval.n,
      ),
    );
  }
  for (const d of signal.digitised) {
    if (d.set !== 'kit-fold9' && styles.has(d.set)) continue; // the standard evaluation of the style wins
    if (d.mi.auroc === null || d.mi.auroc_ci === null) continue;
    rows.push({
      reader,
      kind: 'signal',
      set: d.set === 'kit-fold9' ? 'ECG-Image-Kit' : `ours · ${d.set}`,
      source: d.set === 'kit-fold9' ? 'independent' : 'ours',
      n: d.n,
      scored: d.mi.n,
      auroc: d.mi.auroc,
      lo: d.mi.auroc_ci[0],
      hi: d.mi.auroc_ci[1],
      sensitivity: d.mi.sensitivity,
      specificity: d.mi.specificity,
      unread: d.failed / d.n,
      file: d.file,
    });
  }
  for (const c of input.combined ?? []) {
    const independent = c.set === 'kit-fold9';
    rows.push({
      reader: 'both readings combined',
      kind: 'combined',
      set: independent ? 'ECG-Image-Kit' : `ours · ${c.set}`,
      source: independent ? 'independent' : 'ours',
      n: c.n,
      scored: c.n,
      auroc: c.auroc,
      lo: c.auroc_ci[0],
      hi: c.auroc_ci[1],
      sensitivity: c.sensitivity,
      specificity: c.specificity,
      unread: null,
      gain: { value: c.gain, lo: c.gain_ci[0], hi: c.gain_ci[1] },
      file: c.file,
    });
  }
  return rows;
}

/** "(12 of 200 unreadable" in a pipeline evaluation's `input` text (scripts/eval.ts), or null. */
export function unreadFromInput(input: unknown): number | null {
  if (typeof input !== 'string') return null;
  const m = /\((\d+) of (\d+) unreadable/.exec(input);
  return m ? Number(m[1]) : null;
}

/** Styles whose fold-10 renders the comparison looks for (the image model's and the digitiser's). */
export const READING_STYLES = ['printout', 'photo', 'wild-printout', 'wild-scan', 'wild-photo'] as const;

/**
 * Loads every file of the comparison. Required (a missing one throws with its command): a fold-10 evaluation of
 * the image model on at least one of `styles`, its eval:external file, the signal model's evaluation on true
 * fold-10 signals, a fold-10 reading of printouts by the pipeline (the standard evaluation or eval:digitise's) and
 * eval:digitise's kit-fold9. Other styles are shown when their files exist.
 */
export function loadReadings(
  imageModel: string,
  signalModel: string,
  styles: readonly string[] = READING_STYLES,
  root = process.cwd(),
): ReadingRow[] {
  const evals = loadEvalResults(EVAL_DIR, root);
  const imageEvals = styles
    .map((s) => evals.find((e) => e.model === imageModel && e.style === s && e.fold === 10))
    .filter((e): e is EvalResult => !!e);
  if (imageEvals.length === 0) findEval(evals, imageModel, styles[0] ?? 'printout'); // throws with the command
  const external = loadExternalEval(imageModel, root);
  const trueSignals = findEval(evals, signalModel, 'signals-3x4r');
  const pipelineName = pipelineModelName(signalModel);
  const pipeline = styles
    .map((s) => evals.find((e) => e.model === pipelineName && e.style === s && e.fold === 10))
    .filter((e): e is EvalResult => !!e)
    .map((e) => ({
      eval: e,
      unread: unreadFromInput((readJson(e.file, root) as { input?: unknown }).input),
    }));
  const digitised: DigitiseEval[] = [];
  for (const s of styles) {
    if (digitiseEvalFile(s, root)) digitised.push(loadDigitiseEval(s, root));
  }
  if (!pipeline.some((p) => p.eval.style === 'printout') && !digitised.some((d) => d.set === 'printout'))
    loadDigitiseEval('printout', root); // throws with the command
  digitised.push(loadDigitiseEval('kit-fold9', root));
  return readingRows({
    image: { model: imageModel, evals: imageEvals, external },
    signal: { model: signalModel, trueSignals, pipeline, digitised },
    combined: loadCombinedEvals(imageModel, signalModel, root),
  });
}

export function readingsView(rows: readonly ReadingRow[]): ChartView {
  const readers = [...new Set(rows.map((r) => r.reader))];
  // the ceiling first, then our renders, then the pages we did not draw
  const rank = (r: ReadingRow) => (r.source === 'signals' ? 0 : r.source === 'ours' ? 1 : 2);
  const { svg, legend } = aurocIntervalPlot({
    rows,
    series: 'reader',
    sets: [...new Set([...rows].sort((a, b) => rank(a) - rank(b)).map((r) => r.set))],
    rowHeight: 30,
    marginLeft: 150,
    n: (d) => d.scored,
    ariaLabel: `Dot plot with intervals: MI AUROC of ${readers.join(', ')} on the same sets of pictures`,
  });
  const table: TableModel = {
    caption:
      'MI AUROC with 95% bootstrap interval; sensitivity and specificity at each reader’s own threshold (chosen on fold 9). Not read: share of pictures the EKG check refused (image model) or the digitiser could not read (signal reading; eval:digitise leaves them out of its AUROC).',
    rowHeader: 'set',
    groupBy: 'reader',
    columns: [
      { key: 'reader', label: 'Reader' },
      { key: 'set', label: 'Pictures' },
      { key: 'n', label: 'n', numeric: true },
      { key: 'auroc', label: 'AUROC (95% CI)', numeric: true },
      { key: 'sensitivity', label: 'Sensitivity', numeric: true },
      { key: 'specificity', label: 'Specificity', numeric: true },
      { key: 'unread', label: 'Not read', numeric: true },
    ],
    rows: rows.map((r) => ({
      reader: r.reader,
      set: r.set,
      n: r.scored === r.n ? int(r.n) : `${int(r.scored)} of ${int(r.n)}`,
      auroc: `${dec(r.auroc, 3)} (${dec(r.lo, 3)}–${dec(r.hi, 3)})`,
      sensitivity: pct(r.sensitivity, 1),
      specificity: pct(r.specificity, 1),
      unread: r.unread === null ? '–' : pct(r.unread, 1),
    })),
  };
  return {
    svg,
    table,
    legend,
    marks: rows.length,
  };
}

export const READING_FIELDS = [
  'auroc',
  'auroc_ci',
  'sensitivity',
  'specificity',
  'n',
  'scored',
  'unread',
  'gain',
  'gain_ci',
] as const;
export type ReadingField = (typeof READING_FIELDS)[number];

/**
 * One figure of the comparison, as the chart shows it: `reader` "image" (the demo's image model), "signal" (the
 * digitiser + signal model), "combined" (their combined verdict, eval:combined: AUROC, its gain over the image
 * model, and sensitivity and specificity at the two models' own thresholds) or "true-signals" (the signal model on the true fold-10 signals); `set` a style of our fold-10
 * renders or "kit-fold9".
 */
export function formatReading(
  rows: readonly ReadingRow[],
  q: { reader: 'image' | 'signal' | 'combined' | 'true-signals'; set?: string; field: ReadingField; digits?: number },
): { text: string; file: string } {
  const row =
    q.reader === 'true-signals'
      ? rows.find((r) => r.source === 'signals')
      : rows.find(
          (r) =>
            r.kind === q.reader &&
            r.source !== 'signals' &&
            (q.set === 'kit-fold9' ? r.source === 'independent' : r.set === `ours · ${q.set ?? ''}`),
        );
  if (!row) {
    const have = rows.map((r) => `${r.reader} / ${r.set}`).join(', ');
    throw new DigitiseDataError(`no ${q.reader} reading of ${q.set ?? 'the true signals'} (have: ${have})`);
  }
  const d = q.digits;
  let text: string;
  switch (q.field) {
    case 'auroc':
      text = dec(row.auroc, d ?? 3);
      break;
    case 'auroc_ci':
      text = `${dec(row.lo, d ?? 3)}–${dec(row.hi, d ?? 3)}`;
      break;
    case 'sensitivity':
    case 'specificity':
      text = pct(row[q.field], d ?? 1);
      break;
    case 'gain':
    case 'gain_ci':
      if (!row.gain)
        throw new DigitiseDataError(`${row.file}: only the combined reading has a gain over the image model`);
      {
        const signed = (v: number) => `${v >= 0 ? '+' : '−'}${dec(Math.abs(v), d ?? 3)}`;
        text = q.field === 'gain' ? signed(row.gain.value) : `${signed(row.gain.lo)} to ${signed(row.gain.hi)}`;
      }
      break;
    case 'n':
      text = int(row.n);
      break;
    case 'scored':
      text = int(row.scored);
      break;
    case 'unread':
      if (row.unread === null) throw new DigitiseDataError(`${row.file}: no unread share recorded`);
      text = pct(row.unread, d ?? 0);
      break;
    default:
      throw new DigitiseDataError(`unknown reading field "${String(q.field)}"; known: ${READING_FIELDS.join(', ')}`);
  }
  return { text, file: row.file };
}
