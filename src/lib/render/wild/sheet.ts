/**
 * The "wild" sheet: a 12-lead EKG page as the many machines and printers in the world lay it out. Every choice
 * is drawn from the seed within the ranges below (each aspect from its own sub-generator, so adding a draw to
 * one never shifts another) and returned as `SheetParams`, which the generator page lists and the digitiser
 * reads as ground truth (`panels`: where each lead was drawn and which seconds it shows).
 *
 *   page          A4 landscape 297 x 210 mm (55%) or US letter landscape 279.4 x 215.9 mm
 *   layout        3x4 (20%), 3x4 + 1 rhythm strip (45%), 3x4 + 3 strips (15%), 6x2 (12%), 12x1 (8%)
 *   rhythm leads  one strip: II (60%), V1, V5 or I; three strips: V1, II, V5
 *   speed         25 mm/s (88%) or 50 mm/s; a column shows min(10 s / columns, column width / speed)
 *   gain          10 mm/mV (75%), 5 mm/mV (15%; 40% for 12x1) or 20 mm/mV (10%; never for 12x1)
 *   margins       left/right 4-16 mm; top band 18-70 mm when there is a header (else 6-40), footer 6-20 mm
 *   grid region   the whole page (35%, as ECG-Image-Kit draws) or the trace area plus 0-6 mm
 *   paper         pink/red 30%, red 12%, orange 10%, green 10%, blue 10%, grey 12%, black-on-white 8%, white 8%
 *                 (each colour jittered by +-10 levels; page tint strength 0.3-1)
 *   grid kind     1 mm + 5 mm lines (60%), 5 mm lines only (20%), 5 mm lines with 1 mm dots (20%)
 *   grid weights  minor 0.04-0.16 mm, major 0.10-0.35 mm
 *   trace         black 50%, dark grey 15%, dark blue 15%, matplotlib blue 10%, dark brown 10%; 0.12-0.45 mm
 *   labels        above the trace (45%), at the baseline (30%) or below it (25%); cap height 2-4 mm;
 *                 regular, bold, condensed or slanted
 *   calibration   1 mV x 0.2 s pulse at the left of every row (60%), at the right (15%) or none (25%)
 *   separators    short ticks between columns (50%), full-height lines (15%) or none (35%)
 *   header        60%: ID / name / date line (name and date redacted with black boxes in half of them),
 *                 measurements (rate, PR, QRS, QT/QTc, axes) 70%, 1-4 interpretation lines drawn from a fixed
 *                 list *independently of the record* (so text can never give the label away)
 *   footer        60%: speed, gain and filter band as printed labels, plus a device line
 *   marks         coffee stains 20% (1-2), a rubber stamp 15%, handwriting-like scribbles 30% (1-3)
 *
 * Paper and grid are drawn as separable per-row/per-column coverage profiles (one pass over the pixels), the
 * rest with the shared rasteriser. Pure and deterministic like every style.
 */
import type { EcgSignals } from '../../ptbxl/types';
import { drawTextStyled, textWidth, type FontStyle } from '../font';
import { randInt, subRng, uniform, type Rng } from '../prng';
import { Canvas, hex, simplifyPolyline, type Rgb } from '../raster';

export type WildLayout = '3x4' | '3x4+1' | '3x4+3' | '6x2' | '12x1';
export type GridKind = '1+5mm' | '5mm' | 'dotted';
export type LabelPosition = 'above' | 'baseline' | 'below';

/** Where one lead (or rhythm strip) was drawn, in page millimetres, and which seconds of the record it shows. */
export interface LeadPanel {
  lead: string;
  /** Rhythm strip (full-width row) rather than a layout cell. */
  rhythm: boolean;
  row: number;
  x0Mm: number;
  x1Mm: number;
  baselineMm: number;
  t0: number;
  t1: number;
}

export interface MarkStain {
  cx: number;
  cy: number;
  r: number;
  alpha: number;
}
export interface MarkStamp {
  x: number;
  y: number;
  text: string;
  color: Rgb;
  sizeMm: number;
}
export interface MarkScribble {
  x: number;
  y: number;
  lengthMm: number;
  heightMm: number;
  color: Rgb;
  widthMm: number;
  loops: number;
  seed: number;
}

export interface SheetParams {
  page: 'A4' | 'letter';
  pageMm: [number, number];
  layout: WildLayout;
  rhythmLeads: string[];
  mmPerS: 25 | 50;
  mmPerMv: 5 | 10 | 20;
  /** Seconds shown by one layout column. */
  columnS: number;
  paperName: string;
  paper: Rgb;
  minor: Rgb;
  major: Rgb;
  gridKind: GridKind;
  gridMm: { x0: number; y0: number; x1: number; y1: number };
  minorWidthMm: number;
  majorWidthMm: number;
  traceColor: Rgb;
  traceWidthMm: number;
  labelPosition: LabelPosition;
  labelSizeMm: number;
  labelFont: FontStyle;
  calibration: 'left' | 'right' | 'none';
  separators: 'ticks' | 'lines' | 'none';
  header: string[];
  headerSizeMm: number;
  /** Black boxes over header fields (page mm: x0, y0, x1, y1). */
  redactions: Array<[number, number, number, number]>;
  footer: string[];
  textColor: Rgb;
  stains: MarkStain[];
  stamps: MarkStamp[];
  scribbles: MarkScribble[];
  panels: LeadPanel[];
}

const PAPERS: ReadonlyArray<{ name: string; w: number; paper: string; minor: string; major: string }> = [
  { name: 'pink/red', w: 30, paper: '#fff8f6', minor: '#f5bcbc', major: '#e07070' },
  { name: 'red', w: 12, paper: '#ffffff', minor: '#f29a9a', major: '#d83a3a' },
  { name: 'orange', w: 10, paper: '#f6cfa0', minor: '#e9a56a', major: '#c9702e' },
  { name: 'green', w: 10, paper: '#e4f1e6', minor: '#a9d3b2', major: '#5fa777' },
  { name: 'blue', w: 10, paper: '#e6e8fa', minor: '#b3b9ec', major: '#6f7bd6' },
  { name: 'grey', w: 12, paper: '#fbfbfb', minor: '#d2d2d2', major: '#9a9a9a' },
  { name: 'black-on-white', w: 8, paper: '#ffffff', minor: '#b0b0b0', major: '#3c3c3c' },
  { name: 'white', w: 8, paper: '#ffffff', minor: '#ececec', major: '#d6d6d6' },
];

const TRACE_COLORS: ReadonlyArray<{ w: number; c: Rgb }> = [
  { w: 50, c: [15, 15, 18] },
  { w: 15, c: [60, 60, 64] },
  { w: 15, c: [20, 30, 90] },
  { w: 10, c: [31, 119, 180] },
  { w: 10, c: [70, 35, 20] },
];

/** Interpretation lines: drawn at random for every record, whatever its diagnosis. */
const STATEMENTS = [
  'Sinus rhythm',
  'Normal sinus rhythm',
  'Sinus bradycardia',
  'Sinus tachycardia',
  'Normal ECG',
  'Borderline ECG',
  'Abnormal ECG',
  'Otherwise normal ECG',
  'Left axis deviation',
  'Right bundle branch block',
  'Incomplete right bundle branch block',
  'Left ventricular hypertrophy',
  'Nonspecific T wave abnormality',
  'Possible inferior infarct, age undetermined',
  'Anterior infarct, age undetermined',
  'Septal infarct, cannot rule out',
  'ST elevation, consider early repolarization',
  'Low voltage QRS',
  'Prolonged QT',
  'First degree AV block',
  'Atrial fibrillation',
  'Premature ventricular complexes',
  'When compared with ECG of 12-MAR-2019',
  'No significant change',
  '*** Poor data quality, interpretation may be adversely affected',
  'Unconfirmed report',
  'Confirmed by: (redacted)',
  'Reviewed',
  'Pediatric criteria used',
  'Consider ischemia',
] as const;
const DEVICES = [
  'MAC 5500 HD',
  'CardioSoft 7.0',
  'PageWriter TC50',
  'ELI 250c',
  'CP 150',
  'AT-102 plus',
  'ECG-1250',
  'Cardiovit AT-10',
];
const STAMP_WORDS = ['RECEIVED', 'COPY', 'REVIEWED', 'SCANNED', 'URGENT', 'FILED', 'ED', 'CARDIOLOGY'];
const STAMP_COLORS: Rgb[] = [hex('#c0392b'), hex('#1f4e9c'), hex('#6a1b9a'), hex('#333333')];
const INK_COLORS: Rgb[] = [hex('#1a2a8a'), hex('#111111'), hex('#0b3d91'), hex('#7a1010')];

const LAYOUTS: ReadonlyArray<{ w: number; v: WildLayout }> = [
  { w: 20, v: '3x4' },
  { w: 45, v: '3x4+1' },
  { w: 15, v: '3x4+3' },
  { w: 12, v: '6x2' },
  { w: 8, v: '12x1' },
];
const ROWS_3x4 = [
  ['I', 'aVR', 'V1', 'V4'],
  ['II', 'aVL', 'V2', 'V5'],
  ['III', 'aVF', 'V3', 'V6'],
] as const;
const LIMB = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF'] as const;
const CHEST = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
const ALL_LEADS = [...LIMB, ...CHEST];

/** Weighted choice: `items[i].w` are relative weights. */
export function pick<T extends { w: number }>(rng: Rng, items: readonly T[]): T {
  let total = 0;
  for (const it of items) total += it.w;
  let r = rng() * total;
  for (const it of items) {
    r -= it.w;
    if (r < 0) return it;
  }
  return items[items.length - 1]!;
}

function jitter(rng: Rng, c: Rgb, amount: number): Rgb {
  return [0, 1, 2].map((k) =>
    Math.max(0, Math.min(255, Math.round(c[k]! + uniform(rng, -amount, amount)))),
  ) as unknown as Rgb;
}

/** Blend towards white: strength 1 = the palette colour, 0 = white. */
function tintStrength(c: Rgb, s: number): Rgb {
  return [0, 1, 2].map((k) => Math.round(255 - (255 - c[k]!) * s)) as unknown as Rgb;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Draws every sheet parameter from the seed (fixed order of draws within each sub-generator). */
export function drawSheetParams(seed: number, fs: number, nSamples: number, ecgId?: number): SheetParams {
  const L = subRng(seed, 'wild-layout');
  const letter = L() < 0.45;
  const pageMm: [number, number] = letter ? [279.4, 215.9] : [297, 210];
  const layout = pick(L, LAYOUTS).v;
  const rhythmLeads =
    layout === '3x4+1'
      ? [
          pick(L, [
            { w: 60, v: 'II' },
            { w: 15, v: 'V1' },
            { w: 15, v: 'V5' },
            { w: 10, v: 'I' },
          ]).v,
        ]
      : layout === '3x4+3'
        ? ['V1', 'II', 'V5']
        : [];
  const mmPerS: 25 | 50 = L() < 0.88 ? 25 : 50;
  const gr = L();
  const mmPerMv: 5 | 10 | 20 = layout === '12x1' ? (gr < 0.4 ? 5 : 10) : gr < 0.75 ? 10 : gr < 0.9 ? 5 : 20;
  const T = subRng(seed, 'wild-text');
  const hasHeader = T() < 0.6;
  const hasFooter = T() < 0.6;
  const marginL = uniform(L, 4, 16);
  const marginR = uniform(L, 4, 16);
  const top = hasHeader ? uniform(L, 18, 70) : uniform(L, 6, 40);
  const bottom = uniform(L, 6, 20) + (hasFooter ? 6 : 0);
  const r = L();
  const calibration: SheetParams['calibration'] = r < 0.6 ? 'left' : r < 0.75 ? 'right' : 'none';
  const s = L();
  const separators: SheetParams['separators'] = s < 0.5 ? 'ticks' : s < 0.65 ? 'lines' : 'none';
  const lp = L();
  const labelPosition: LabelPosition = lp < 0.45 ? 'above' : lp < 0.75 ? 'baseline' : 'below';
  const labelSizeMm = uniform(L, 2, 4);
  const labelFont = (['regular', 'bold', 'condensed', 'slanted'] as const)[randInt(L, 0, 3)]!;
  const fullGrid = L() < 0.35;
  const gridPad = uniform(L, 0, 6);

  // geometry of the trace area
  const calW = calibration === 'none' ? 0 : 0.2 * mmPerS + 4;
  const x0 = marginL + (calibration === 'left' ? calW : 0);
  const xMax = pageMm[0] - marginR - (calibration === 'right' ? calW : 0);
  const y0 = top;
  const y1 = pageMm[1] - bottom;
  const nCols = layout === '6x2' ? 2 : layout === '12x1' ? 1 : 4;
  const recordS = nSamples / fs;
  const columnS = Math.min(recordS / nCols, (xMax - x0) / nCols / mmPerS);
  const colMm = columnS * mmPerS;
  const traceX1 = x0 + nCols * colMm;
  const rowLeads: string[][] =
    layout === '6x2'
      ? LIMB.map((l, i) => [l, CHEST[i] as string])
      : layout === '12x1'
        ? ALL_LEADS.map((l) => [l])
        : ROWS_3x4.map((row) => [...row]);
  const nRows = rowLeads.length + rhythmLeads.length;
  const spacing = (y1 - y0) / nRows;
  const panels: LeadPanel[] = [];
  rowLeads.forEach((leads, row) => {
    const base = y0 + (row + 0.6) * spacing;
    leads.forEach((lead, c) => {
      panels.push({
        lead,
        rhythm: false,
        row,
        x0Mm: x0 + c * colMm,
        x1Mm: x0 + (c + 1) * colMm,
        baselineMm: base,
        t0: c * columnS,
        t1: (c + 1) * columnS,
      });
    });
  });
  rhythmLeads.forEach((lead, k) => {
    const row = rowLeads.length + k;
    const t1 = Math.min(recordS, (traceX1 - x0) / mmPerS);
    panels.push({
      lead,
      rhythm: true,
      row,
      x0Mm: x0,
      x1Mm: x0 + t1 * mmPerS,
      baselineMm: y0 + (row + 0.6) * spacing,
      t0: 0,
      t1,
    });
  });
  const gridMm = fullGrid
    ? { x0: 0, y0: 0, x1: pageMm[0], y1: pageMm[1] }
    : {
        x0: Math.max(0, Math.floor(marginL - gridPad)),
        y0: Math.max(0, Math.floor(y0 - spacing * 0.5 - gridPad)),
        x1: Math.min(pageMm[0], Math.ceil(pageMm[0] - marginR + gridPad)),
        y1: Math.min(pageMm[1], Math.ceil(y1 + gridPad)),
      };

  // paper and pen
  const P = subRng(seed, 'wild-paper');
  const pal = pick(P, PAPERS);
  const strength = uniform(P, 0.3, 1);
  const paper = jitter(P, tintStrength(hex(pal.paper), strength), 10);
  const minor = jitter(P, hex(pal.minor), 10);
  const major = jitter(P, hex(pal.major), 10);
  const g = P();
  const gridKind: GridKind = g < 0.6 ? '1+5mm' : g < 0.8 ? '5mm' : 'dotted';
  const minorWidthMm = uniform(P, 0.04, 0.16);
  const majorWidthMm = uniform(P, 0.1, 0.35);
  const traceColor = pick(P, TRACE_COLORS).c;
  const traceWidthMm = uniform(P, 0.12, 0.45);
  const textColor: Rgb = jitter(P, [35, 35, 40], 15);

  // header and footer text (independent of the record's diagnosis)
  const header: string[] = [];
  const redactions: SheetParams['redactions'] = [];
  const headerSizeMm = uniform(T, 2, 3.2);
  if (hasHeader) {
    const redact = T() < 0.5;
    const id = ecgId !== undefined ? String(ecgId).padStart(5, '0') : String(randInt(T, 10000, 99999));
    const nameLine = `ID: ${id}   Name: ${redact ? '          ' : 'Anonymous'}   DOB: ${redact ? '          ' : '--'}`;
    header.push(nameLine);
    if (redact) {
      const cell = headerSizeMm / 7;
      const at = (col: number) => 8 + col * 6 * cell;
      const nameAt = nameLine.indexOf('Name: ') + 6;
      const dobAt = nameLine.indexOf('DOB: ') + 5;
      redactions.push([at(nameAt) - 0.5, 6 - 0.6, at(nameAt + 10) + 0.5, 6 + headerSizeMm + 0.6]);
      redactions.push([at(dobAt) - 0.5, 6 - 0.6, at(dobAt + 10) + 0.5, 6 + headerSizeMm + 0.6]);
    }
    if (T() < 0.7) {
      header.push(
        `Vent. rate ${randInt(T, 48, 130)} BPM   PR interval ${randInt(T, 110, 230)} ms   QRS duration ${randInt(T, 70, 150)} ms`,
      );
      header.push(
        `QT/QTc ${randInt(T, 320, 460)}/${randInt(T, 380, 500)} ms   P-R-T axes ${randInt(T, -30, 90)} ${randInt(T, -60, 120)} ${randInt(T, -40, 140)}`,
      );
    }
    const nStat = randInt(T, 1, 4);
    for (let k = 0; k < nStat; k++) header.push(STATEMENTS[randInt(T, 0, STATEMENTS.length - 1)] as string);
    if (T() < 0.5)
      header.push(
        `${pad2(randInt(T, 1, 28))}-${['JAN', 'MAR', 'JUN', 'SEP', 'NOV'][randInt(T, 0, 4)]}-20${pad2(randInt(T, 5, 24))} ${pad2(randInt(T, 0, 23))}:${pad2(randInt(T, 0, 59))}`,
      );
  }
  const footer: string[] = [];
  if (hasFooter) {
    const band = ['0.05-150 Hz', '0.5-40 Hz', '0.05-40 Hz', '0.15-100 Hz', '0.5-35 Hz'][randInt(T, 0, 4)]!;
    footer.push(`${mmPerS} mm/s   ${mmPerMv} mm/mV   ${band}   ${T() < 0.5 ? '50' : '60'} Hz`);
    footer.push(`${DEVICES[randInt(T, 0, DEVICES.length - 1)]}   ${T() < 0.5 ? 'Unconfirmed' : ''}   Page 1 of 1`);
  }

  // marks on the paper
  const M = subRng(seed, 'wild-marks');
  const stains: MarkStain[] = [];
  if (M() < 0.2) {
    const n = randInt(M, 1, 2);
    for (let k = 0; k < n; k++)
      stains.push({
        cx: uniform(M, 0.1, 0.9) * pageMm[0],
        cy: uniform(M, 0.1, 0.9) * pageMm[1],
        r: uniform(M, 12, 38),
        alpha: uniform(M, 0.12, 0.35),
      });
  }
  const stamps: MarkStamp[] = [];
  if (M() < 0.15) {
    stamps.push({
      x: uniform(M, 0.05, 0.7) * pageMm[0],
      y: uniform(M, 0.05, 0.8) * pageMm[1],
      text: STAMP_WORDS[randInt(M, 0, STAMP_WORDS.length - 1)]!,
      color: STAMP_COLORS[randInt(M, 0, STAMP_COLORS.length - 1)]!,
      sizeMm: uniform(M, 4, 8),
    });
  }
  const scribbles: MarkScribble[] = [];
  if (M() < 0.3) {
    const n = randInt(M, 1, 3);
    for (let k = 0; k < n; k++) {
      scribbles.push({
        x: uniform(M, 0.03, 0.75) * pageMm[0],
        y: uniform(M, 0.05, 0.92) * pageMm[1],
        lengthMm: uniform(M, 20, 70),
        heightMm: uniform(M, 3, 8),
        color: INK_COLORS[randInt(M, 0, INK_COLORS.length - 1)]!,
        widthMm: uniform(M, 0.25, 0.6),
        loops: randInt(M, 4, 14),
        seed: randInt(M, 0, 0x7fffffff),
      });
    }
  }

  return {
    page: letter ? 'letter' : 'A4',
    pageMm,
    layout,
    rhythmLeads,
    mmPerS,
    mmPerMv,
    columnS,
    paperName: pal.name,
    paper,
    minor,
    major,
    gridKind,
    gridMm,
    minorWidthMm,
    majorWidthMm,
    traceColor,
    traceWidthMm,
    labelPosition,
    labelSizeMm,
    labelFont,
    calibration,
    separators,
    header,
    headerSizeMm,
    redactions,
    footer,
    textColor,
    stains,
    stamps,
    scribbles,
    panels,
  };
}

/**
 * Coverage (0..1) of each pixel column [i, i+1) by lines `every` mm apart inside [a, b] mm, `width` mm wide
 * (or, for dots, by dots `width` wide): the exact overlap length, so thin lines fade instead of aliasing.
 */
function profile(n: number, ppm: number, a: number, b: number, every: number, widthMm: number): Float32Array {
  const out = new Float32Array(n);
  const half = Math.max(widthMm * ppm, 0.35) / 2;
  for (let mm = Math.ceil(a / every - 1e-9) * every; mm <= b + 1e-9; mm += every) {
    const c = mm * ppm;
    const lo = c - half;
    const hi = c + half;
    for (let i = Math.max(0, Math.floor(lo)); i < Math.min(n, Math.ceil(hi)); i++) {
      const cov = Math.min(i + 1, hi) - Math.max(i, lo);
      if (cov > out[i]!) out[i] = cov > 1 ? 1 : cov;
    }
  }
  return out;
}

/** Paper colour with the grid blended in, written straight into the RGBA buffer (one pass). */
function drawPaperAndGrid(c: Canvas, p: SheetParams, ppm: number): void {
  const W = c.width;
  const H = c.height;
  const d = c.data;
  const g = p.gridMm;
  const [pr, pg, pb] = p.paper;
  const [nr, ng, nb] = p.minor;
  const [mr, mg, mb] = p.major;
  const dotted = p.gridKind === 'dotted';
  const minorEvery = p.gridKind === '5mm' ? 0 : 1;
  const colMinor = minorEvery
    ? profile(W, ppm, g.x0, g.x1, 1, dotted ? Math.max(p.minorWidthMm, 0.2) : p.minorWidthMm)
    : null;
  const rowMinor = minorEvery
    ? profile(H, ppm, g.y0, g.y1, 1, dotted ? Math.max(p.minorWidthMm, 0.2) : p.minorWidthMm)
    : null;
  const colMajor = profile(W, ppm, g.x0, g.x1, 5, p.majorWidthMm);
  const rowMajor = profile(H, ppm, g.y0, g.y1, 5, p.majorWidthMm);
  const gx0 = Math.max(0, Math.floor(g.x0 * ppm - 1));
  const gx1 = Math.min(W, Math.ceil(g.x1 * ppm + 1));
  const gy0 = Math.max(0, Math.floor(g.y0 * ppm - 1));
  const gy1 = Math.min(H, Math.ceil(g.y1 * ppm + 1));
  c.fill(p.paper);
  // One grid row as drawn where no horizontal line passes: most rows are exactly this, and are copied.
  const rowBytes = W * 4;
  const plain = new Uint8ClampedArray(rowBytes);
  const shadeRow = (dst: Uint8ClampedArray, o0: number, rMaj: number, rMin: number): void => {
    let o = o0 + gx0 * 4;
    for (let x = gx0; x < gx1; x++, o += 4) {
      const cMaj = colMajor[x]!;
      let a = rMaj > cMaj ? rMaj : cMaj;
      let r = pr;
      let gg = pg;
      let b = pb;
      if (colMinor !== null) {
        const cm = colMinor[x]!;
        // lines: the union of row and column coverage; dots: only where both cross
        const m = dotted ? cm * rMin : rMin > cm ? rMin : cm;
        if (m > 0) {
          r += (nr - r) * m;
          gg += (ng - gg) * m;
          b += (nb - b) * m;
        }
      }
      if (a > 0) {
        if (a > 1) a = 1;
        r += (mr - r) * a;
        gg += (mg - gg) * a;
        b += (mb - b) * a;
      }
      dst[o] = r;
      dst[o + 1] = gg;
      dst[o + 2] = b;
    }
  };
  plain.set(d.subarray(0, rowBytes));
  shadeRow(plain, 0, 0, 0);
  for (let y = gy0; y < gy1; y++) {
    const rMaj = rowMajor[y]!;
    const rMin = rowMinor ? rowMinor[y]! : 0;
    if (rMaj === 0 && rMin === 0) {
      d.set(plain, y * rowBytes);
      continue;
    }
    shadeRow(d, y * rowBytes, rMaj, rMin);
  }
}

let xs = new Float32Array(0);
let ys = new Float32Array(0);

function ensureScratch(n: number): void {
  if (xs.length < n) {
    xs = new Float32Array(n);
    ys = new Float32Array(n);
  }
}

/**
 * A handwriting-like scribble from its own seed: a run of loops along a slanted baseline whose height, width
 * and lean change from loop to loop (tall and short letters), with gaps between "words".
 */
function scribblePath(s: MarkScribble, ppm: number): Array<{ xs: number[]; ys: number[] }> {
  const rng = subRng(s.seed, 'scribble');
  const words: Array<{ xs: number[]; ys: number[] }> = [];
  const slope = uniform(rng, -0.15, 0.15);
  const perLoop = s.lengthMm / (s.loops + 2);
  let x = s.x;
  let cur = { xs: [] as number[], ys: [] as number[] };
  for (let k = 0; k < s.loops; k++) {
    if (k > 0 && rng() < 0.18) {
      words.push(cur);
      cur = { xs: [], ys: [] };
      x += perLoop * uniform(rng, 0.6, 1.2);
    }
    const tall = rng() < 0.25;
    const amp = s.heightMm * (tall ? uniform(rng, 0.7, 1) : uniform(rng, 0.25, 0.45));
    const wid = perLoop * uniform(rng, 0.6, 1.3);
    const lean = uniform(rng, -0.2, 0.35) * amp;
    for (let i = 0; i < 10; i++) {
      const ph = (i / 10) * 2 * Math.PI;
      const px = x + (i / 10) * wid + Math.cos(ph + Math.PI / 2) * wid * 0.35 + (lean * (1 - Math.cos(ph))) / 2;
      const py = s.y + (x - s.x) * slope - amp * (1 - Math.cos(ph)) * 0.5;
      cur.xs.push(px * ppm);
      cur.ys.push(py * ppm);
    }
    x += wid;
  }
  words.push(cur);
  return words.filter((w) => w.xs.length > 1);
}

export interface SheetDrawing {
  canvas: Canvas;
  /** Coverage 0..255 per pixel of the trace ink (traces, calibration pulses, separators; only when asked for): the
   * ground truth a digitiser segments. */
  traceMask?: Uint8Array;
}

/** Draws the sheet at `ppm` pixels per millimetre (RGBA). */
export function drawSheet(signals: EcgSignals, p: SheetParams, ppm: number, withTraceMask = false): SheetDrawing {
  const W = Math.round(p.pageMm[0] * ppm);
  const H = Math.round(p.pageMm[1] * ppm);
  const c = new Canvas(W, H, 4);
  drawPaperAndGrid(c, p, ppm);

  // stains soak into the paper under the ink
  for (const st of p.stains) {
    const n = 48;
    const ring: number[] = [];
    const rx: number[] = [];
    const ry: number[] = [];
    for (let k = 0; k <= n; k++) {
      const a = (k / n) * 2 * Math.PI;
      const wob = 1 + 0.06 * Math.sin(3 * a + st.cx) + 0.04 * Math.sin(7 * a + st.cy);
      const x = (st.cx + st.r * wob * Math.cos(a)) * ppm;
      const y = (st.cy + st.r * wob * 0.9 * Math.sin(a)) * ppm;
      ring.push(x, y);
      rx.push(x);
      ry.push(y);
    }
    c.maskPolygon(ring, 2);
    c.composite([150, 105, 60], st.alpha * 0.35);
    c.maskPolyline(rx, ry, rx.length, Math.max(0.6, 0.9 * ppm));
    c.composite([120, 75, 35], st.alpha);
  }

  const fs = signals.samplingRate;
  const n = signals.leads[0]?.length ?? 0;
  ensureScratch(n + 8);
  const pxPerS = p.mmPerS * ppm;
  const pxPerMv = p.mmPerMv * ppm;
  const half = Math.max(0.45, (p.traceWidthMm * ppm) / 2);
  const leadIndex = (name: string): number => {
    const i = signals.leadNames.findIndex((ln) => ln.toUpperCase() === name.toUpperCase());
    return i >= 0 ? i : 0;
  };
  for (const panel of p.panels) {
    const lead = signals.leads[leadIndex(panel.lead)]!;
    const i0 = Math.max(0, Math.min(n, Math.round(panel.t0 * fs)));
    const i1 = Math.max(0, Math.min(n, Math.round(panel.t1 * fs)));
    let k = 0;
    const base = panel.baselineMm * ppm;
    const x0 = panel.x0Mm * ppm;
    for (let i = i0; i < i1; i++, k++) {
      xs[k] = x0 + (i / fs - panel.t0) * pxPerS;
      ys[k] = base - lead[i]! * pxPerMv;
    }
    if (k > 0) c.maskPolyline(xs, ys, simplifyPolyline(xs, ys, k), half);
  }
  // calibration pulses and separators in the trace's ink
  const rows = new Map<number, LeadPanel>();
  for (const panel of p.panels) if (!rows.has(panel.row)) rows.set(panel.row, panel);
  const rowEnd = new Map<number, number>();
  for (const panel of p.panels) rowEnd.set(panel.row, Math.max(rowEnd.get(panel.row) ?? 0, panel.x1Mm));
  for (const [row, first] of rows) {
    const base = first.baselineMm * ppm;
    if (p.calibration !== 'none') {
      const w = 0.2 * pxPerS;
      const cx = p.calibration === 'left' ? first.x0Mm * ppm - w - 3 * ppm : rowEnd.get(row)! * ppm + 1 * ppm;
      const px = [cx, cx + ppm, cx + ppm, cx + ppm + w, cx + ppm + w, cx + 2 * ppm + w];
      const py = [base, base, base - pxPerMv, base - pxPerMv, base, base];
      c.maskPolyline(px, py, 6, half);
    }
  }
  if (p.separators !== 'none') {
    for (const panel of p.panels) {
      if (panel.rhythm || panel.x0Mm === rows.get(panel.row)!.x0Mm) continue;
      const x = panel.x0Mm * ppm;
      const base = panel.baselineMm * ppm;
      const reach = p.separators === 'ticks' ? 3 * ppm : Math.max(4 * ppm, 0.45 * pxPerMv * 2);
      c.maskRect(x - half, base - reach, x + half, base + reach);
    }
  }
  // the mask handed out is everything drawn in the trace's ink: traces, calibration pulses and separators, the
  // marks a reader of the sheet needs (the digitiser takes its gain and time axis from the last two)
  let traceMask: Uint8Array | undefined;
  if (withTraceMask) {
    traceMask = new Uint8Array(W * H);
    c.accumulateMask(traceMask);
  }
  c.composite(p.traceColor);

  // lead labels
  const labelPx = p.labelSizeMm * ppm;
  for (const panel of p.panels) {
    const x = panel.x0Mm * ppm + 1.2 * ppm;
    const base = panel.baselineMm * ppm;
    const y =
      p.labelPosition === 'above'
        ? base - 0.55 * pxPerMv - labelPx
        : p.labelPosition === 'baseline'
          ? base - labelPx - 1.2 * ppm
          : base + 2.5 * ppm;
    drawTextStyled(c, panel.lead, x, y, labelPx, p.textColor, p.labelFont);
  }
  // header, redactions, footer
  const hs = p.headerSizeMm * ppm;
  p.header.forEach((line, k) => drawTextStyled(c, line, 8 * ppm, 6 * ppm + k * hs * 1.6, hs, p.textColor, 'regular'));
  for (const [a, b, e, f] of p.redactions) c.maskRect(a * ppm, b * ppm, e * ppm, f * ppm);
  c.composite([10, 10, 10]);
  const fsz = Math.min(hs, 2.6 * ppm);
  p.footer.forEach((line, k) =>
    drawTextStyled(c, line, 8 * ppm, H - (p.footer.length - k) * fsz * 1.7 - 1.5 * ppm, fsz, p.textColor, 'regular'),
  );
  // ink added by people: stamps and scribbles
  for (const st of p.stamps) {
    const sz = st.sizeMm * ppm;
    const tw = textWidth(st.text, sz);
    const x0 = st.x * ppm;
    const y0 = st.y * ppm;
    const m = 0.35 * sz;
    const bw = Math.max(0.6, 0.12 * sz);
    c.maskRect(x0 - m, y0 - m, x0 + tw + m, y0 - m + bw);
    c.maskRect(x0 - m, y0 + sz + m - bw, x0 + tw + m, y0 + sz + m);
    c.maskRect(x0 - m, y0 - m, x0 - m + bw, y0 + sz + m);
    c.maskRect(x0 + tw + m - bw, y0 - m, x0 + tw + m, y0 + sz + m);
    c.composite(st.color, 0.75);
    drawTextStyled(c, st.text, x0, y0, sz, st.color, 'bold', 0.75);
  }
  for (const s of p.scribbles) {
    for (const word of scribblePath(s, ppm))
      c.maskPolyline(word.xs, word.ys, word.xs.length, Math.max(0.45, (s.widthMm * ppm) / 2));
    c.composite(s.color, 0.9);
  }
  return { canvas: c, traceMask };
}
