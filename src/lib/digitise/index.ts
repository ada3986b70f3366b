/**
 * The digitiser: an EKG picture -> the 12 leads as numbers (100 Hz, mV), in the browser and in Node alike.
 *
 *   1. sheet and grid (geometry.ts): find the paper in a photo and make it upright; correct the remaining skew;
 *      pixels per millimetre from the grid's period, unless that makes the traces far from the 250 mm a 10-second
 *      sheet spans (then from the traces' own length);
 *   2. trace pixels (read.ts traceMask): ink darker than the paper around it, coloured grids ignored;
 *   3. layout (read.ts): trace rows -> 3x4 / 3x4 + 1 / 3x4 + 3 / 12x1; where the traces start and end; the
 *      calibration pulse's height (mm per mV);
 *   4. signals (read.ts readPanel): per lead, the trace followed column by column, converted with the grid and
 *      the pulse, resampled to 100 Hz on the sheet's 10 s axis; a confidence per lead (the share of its width
 *      where the trace was found).
 * Every stage's result is returned (`stages`) so the page can draw what was found.
 * The output's `readout` is what the signal classifier takes (src/lib/signal/windows.ts inputFromReadout).
 */
import { LEAD_NAMES } from '../ptbxl/types';
import type { RasterImage } from '../render/types';
import {
  estimateGrid,
  estimateSkew,
  findPaper,
  gridNear,
  rectify,
  rotate,
  type GridEstimate,
  type PaperQuad,
} from './geometry';
import { lumaAndInk, plane, shrink, type Plane } from './planes';
import {
  findCalibration,
  findRows,
  findSeparators,
  inkNear,
  layoutFor,
  maskAt,
  panelsFor,
  penWidth,
  readPanel,
  rowBelow,
  FAINT_INK_THRESHOLD,
  traceMask,
  gridDashes,
  withoutSeparators,
  type Calibration,
  type PanelGeometry,
  type ReadLayout,
  type Separator,
} from './read';

export const DIGITISE_FS = 100;
export const DIGITISE_SAMPLES = 1000;

export interface Readout {
  samplingRate: number;
  /** Each lead over the sheet's 10 s at 100 Hz; NaN where the sheet does not show it or nothing was read. */
  leads: Record<string, Float32Array>;
  rhythm?: Float32Array;
  confidence: Record<string, number>;
  rhythmConfidence?: number;
}

export interface DigitiseStages {
  /** Size of the working image (after shrinking very large pictures). */
  width: number;
  height: number;
  paper: PaperQuad | null;
  /** The upright sheet's size and the skew removed from it (degrees). */
  sheetWidth: number;
  sheetHeight: number;
  skewDeg: number;
  grid: GridEstimate;
  /** Read at a faint trace's ink threshold (FAINT_INK_THRESHOLD): the sheet's own threshold found under 3 rows. */
  faintInk: boolean;
  rows: number[];
  layout: ReadLayout;
  calibration: Calibration | null;
  pxPerMv: number;
  gainSource: 'calibration pulse' | 'assumed 10 mm/mV';
  /**
   * The lead a single rhythm strip (3x4 + 1) shows: 'II' unless it repeats the column of V1, V5 or I clearly
   * better (`stripLead`), and then it is left out of the readout; null for other layouts.
   */
  rhythmLead: string | null;
  /** Paper speed: 50 mm/s where the calibration pulses are 10 mm wide (0.2 s), else 25 mm/s (`paperSpeed`). */
  mmPerS: 25 | 50;
  speedSource: 'calibration pulse' | 'assumed 25 mm/s';
  traceStart: number;
  traceEnd: number;
  separators: Separator[];
  panels: Array<PanelGeometry & { coverage: number }>;
}

export interface DigitiseResult {
  readout: Readout;
  stages: DigitiseStages;
  /** The upright sheet (luma) and its trace mask, for drawing. */
  sheet: Plane;
  mask: Uint8Array;
  ms: number;
}

export class DigitiseError extends Error {
  override name = 'DigitiseError';
}

/**
 * Horizontal extent [a, b) of the ink near a baseline: the columns with trace within +-band px, gaps < 6 mm
 * bridged. A trace inks runs of neighbouring columns; hits in runs narrower than 1 mm are dropped first: they are
 * grid lines left in the mask, one column every millimetre, which bridged out to the sheet's frame on
 * ECG-Image-Kit's grey sheets and moved the start of the time axis 8 mm early.
 */
function inkExtent(mask: Uint8Array, w: number, base: number, band: number, pxPerMm: number): [number, number] {
  const hit = new Uint8Array(w);
  for (let x = 0; x < w; x++) if (inkNear(mask, w, x, base, band)) hit[x] = 1;
  const minRun = Math.max(2, Math.round(pxPerMm));
  for (let x = 0; x < w;) {
    if (!hit[x]) {
      x++;
      continue;
    }
    let e = x;
    while (e < w && hit[e]) e++;
    if (e - x < minRun) hit.fill(0, x, e);
    x = e;
  }
  // the longest stretch of hits, allowing gaps shorter than 6 mm
  const gap = 6 * pxPerMm;
  let best: [number, number] = [0, 0];
  let a = -1;
  let last = -Infinity;
  for (let x = 0; x < w; x++) {
    if (!hit[x]) continue;
    if (x - last > gap) a = x;
    last = x;
    if (x + 1 - a > best[1] - best[0]) best = [a, x + 1];
  }
  return best;
}

/**
 * Where a row's trace really begins, from `a`, where inkExtent found its ink near the baseline: the trace followed
 * left while the column beside it has ink touching the ink of this one (within 1 mm of its span, anywhere within
 * `reach` of the baseline), up to 10 mm or a tall vertical stroke. A record's first samples can lie far off the
 * baseline (a filter's transient at the start of lead II or III): inkExtent's band misses them and the time axis
 * began up to 2 mm late.
 */
export function traceBegins(
  mask: Uint8Array,
  w: number,
  h: number,
  base: number,
  a: number,
  reach: number,
  ppm: number,
): number {
  const y0 = Math.max(0, Math.round(base - reach));
  const y1 = Math.min(h - 1, Math.round(base + reach));
  const span = (x: number, lo: number, hi: number): [number, number] | null => {
    let top = -1;
    let bottom = -1;
    for (let y = Math.max(y0, lo); y <= Math.min(y1, hi); y++) {
      if (!mask[y * w + x]) continue;
      if (top < 0) top = y;
      bottom = y;
    }
    if (top < 0) return null;
    // the whole vertical run the ink found belongs to, beyond the window it was looked for in
    while (top > y0 && mask[(top - 1) * w + x]) top--;
    while (bottom < y1 && mask[(bottom + 1) * w + x]) bottom++;
    return [top, bottom];
  };
  let cur = span(a, y0, y1);
  if (!cur || cur[1] - cur[0] >= 4 * ppm) return a;
  const slack = Math.max(1, Math.round(ppm));
  let x = a;
  const limit = Math.max(0, a - Math.round(10 * ppm));
  while (x > limit) {
    const next = span(x - 1, cur[0] - slack, cur[1] + slack);
    if (!next) break;
    cur = next;
    x--;
    // a stroke 4 mm tall or more in one column ends the search: the jump to the first sample, or the falling edge
    // of a calibration pulse joined to the trace (ECG-Image-Kit draws it into the first sample; followed on over
    // its roof, the axis began 4.5 mm early)
    if (cur[1] - cur[0] >= 4 * ppm) break;
  }
  return x;
}

/**
 * Where the trace starts after a calibration pulse on the left: right at the pulse's falling edge where its
 * trailing baseline runs on into the trace (ECG-Image-Kit, our printout), else where the ink resumes at the
 * baseline's height (+-1.2 mm) after a short gap (a pulse printed apart from the trace: the wild sheets leave 1 mm,
 * and the falling edge is 2 mm before the first sample). A gap is paper through the pulse's whole height, so the
 * strokes of a first QRS that leaves the baseline's height do not make one.
 */
function startAfterPulse(
  mask: Uint8Array,
  w: number,
  base: number,
  c: Calibration,
  ppm: number,
  penHalf: number,
): number {
  const tol = Math.round(1.2 * ppm);
  const inked = (x: number) => inkNear(mask, w, x, base, tol);
  const limit = Math.min(w - 1, c.x1 + Math.round(3 * ppm));
  const reach = Math.round(c.height);
  let gap = -1;
  for (let x = c.x1 + 1; x <= limit; x++) {
    if (!inked(x)) {
      if (gap < 0 && !inkNear(mask, w, x, base, reach)) gap = x;
    } else if (gap >= 0) {
      return x + penHalf;
    }
  }
  return c.x1;
}

/**
 * The paper speed one calibration pulse's width stands for at `pxPerMm`: its 0.2 s are 4-6.5 mm at 25 mm/s and
 * 8-12 mm at 50 mm/s; null for any other width.
 */
function pulseSpeed(pulse: Calibration, pxPerMm: number): 25 | 50 | null {
  const mm = (pulse.x1 - pulse.x0) / pxPerMm;
  return mm >= 4 && mm <= 6.5 ? 25 : mm >= 8 && mm <= 12 ? 50 : null;
}

/**
 * The paper speed from the calibration pulses' width: a pulse lasts 0.2 s, 5 mm of paper at 25 mm/s and 10 mm at
 * 50 mm/s (the speed is otherwise printed only as text). 50 mm/s takes two or more rows' pulses 8-12 mm wide, and
 * more of them than 4-6.5 mm wide (a pulse merged with a mark beside it, or a label's letters, can measure wide
 * on one row, and read at half speed every lead is lost). Else 25 mm/s, the usual speed. `pxPerMm` is the time
 * axis's scale.
 */
export function paperSpeed(
  pulses: readonly Calibration[],
  pxPerMm: number,
): { mmPerS: 25 | 50; source: DigitiseStages['speedSource'] } {
  const speeds = pulses.map((c) => pulseSpeed(c, pxPerMm));
  const wide = speeds.filter((v) => v === 50).length;
  const narrow = speeds.filter((v) => v === 25).length;
  if (wide >= 2 && wide > narrow) return { mmPerS: 50, source: 'calibration pulse' };
  return { mmPerS: 25, source: narrow > 0 ? 'calibration pulse' : 'assumed 25 mm/s' };
}

/** Pearson correlation of two traces over the samples [a, b) both have (NaN with fewer than 50). */
function correlation(x: Float32Array, y: Float32Array, a: number, b: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = a; i < b; i++) {
    const u = x[i]!;
    const v = y[i]!;
    if (!Number.isFinite(u) || !Number.isFinite(v)) continue;
    n++;
    sx += u;
    sy += v;
    sxx += u * u;
    syy += v * v;
    sxy += u * v;
  }
  if (n < 50) return Number.NaN;
  const cov = sxy - (sx * sy) / n;
  const den = Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));
  return den > 0 ? cov / den : Number.NaN;
}

/**
 * How closely a strip repeats `lead`'s printed column `c` (62.5 mm of paper each: 2.5 s at 25 mm/s, 1.25 s at
 * 50 mm/s): the correlation of the two readings over that column's samples; NaN where either is missing.
 */
function repeatsColumn(readout: Readout, strip: Float32Array | undefined, lead: string, c: number, mmPerS: 25 | 50) {
  const above = readout.leads[lead];
  const column = Math.round((62.5 / mmPerS) * DIGITISE_FS);
  return strip && above ? correlation(strip, above, c * column, (c + 1) * column) : Number.NaN;
}

/**
 * How closely a 3x4 + 3 reading's rhythm strips must repeat the leads above them; below it, the sheet is read as
 * 6x2. On fold-9 wild printouts (development) 3x4 + 3 sheets gave 0.63-1.00 where read well, 6x2 sheets -0.63 to
 * 0.30.
 */
export const STRIPS_REPEAT = 0.5;

/**
 * The mean correlation between each rhythm strip of a 3x4 + 3 reading and its lead's own column (V1 over 5-7.5 s,
 * II over 0-2.5 s, V5 over 7.5-10 s): near 1 on a 3x4 + 3 sheet, where they are the same samples drawn twice;
 * on a 6x2 sheet read as one, the rows compared hold different leads. NaN when no pair could be compared.
 */
export function stripsRepeatLeads(
  readout: Readout,
  strips: Readonly<Record<string, Float32Array>>,
  mmPerS: 25 | 50 = 25,
): number {
  const pairs: Array<[string, number]> = [
    ['V1', 2],
    ['II', 0],
    ['V5', 3],
  ];
  const rs = pairs.map(([lead, c]) => repeatsColumn(readout, strips[lead], lead, c, mmPerS)).filter(Number.isFinite);
  return rs.length ? rs.reduce((u, v) => u + v, 0) / rs.length : Number.NaN;
}

/**
 * The pulses of a second look that two or more rows agree on (the same side, x within 2 mm, height within 15%);
 * the others are dropped. A machine prints the pulse on every row at the same place, while what a looser search
 * takes for one (the row above's trace on a tall stroke in a crowded 12x1 sheet, a label) turns up on one row.
 */
export function agreedPulses<T extends { left: Calibration | null; right: Calibration | null }>(
  rows: T[],
  ppm: number,
): T[] {
  const close = (p: Calibration, q: Calibration) =>
    Math.abs(p.x0 - q.x0) <= 2 * ppm && Math.abs(p.height - q.height) <= 0.15 * Math.max(p.height, q.height);
  const keep = (side: 'left' | 'right', p: Calibration | null) =>
    p && rows.filter((r) => r[side] && r[side] !== p && close(r[side], p)).length >= 1 ? p : null;
  return rows.map((r) => ({ ...r, left: keep('left', r.left), right: keep('right', r.right) }));
}

/**
 * The pulses of the side most rows show them on, where rows disagree (more rows with a pulse on the left than on
 * the right keep their left ones, and the other way; a tie keeps both). A sheet prints its pulses on one side:
 * a pulse on the other is something else of that row (a lead label printed over a QRS, its serifs a roof, on one
 * of our fold-9 wild printouts whose pulses stand on the right).
 */
export function oneSide<T extends { left: Calibration | null; right: Calibration | null }>(rows: T[]): T[] {
  const lefts = rows.filter((r) => r.left).length;
  const rights = rows.filter((r) => r.right).length;
  if (lefts === rights) return rows;
  return rows.map((r) => (lefts > rights ? { ...r, right: null } : { ...r, left: null }));
}

/**
 * Which lead a single rhythm strip shows, of those machines print there (II, V1, V5, I): the one whose column it
 * repeats best, when that correlation reaches 0.8 and beats lead II's by 0.2 or more (I and II are often much
 * alike); else II, as most machines print. `strip` is the strip's reading on the record's 10 s axis.
 */
export function stripLead(readout: Readout, strip: Float32Array, mmPerS: 25 | 50 = 25): string {
  const r = stripMatches(readout, strip, mmPerS);
  let best = 'II';
  let bestR = -Infinity;
  for (const lead of ['V1', 'V5', 'I'] as const) {
    if (r[lead]! > bestR) [best, bestR] = [lead, r[lead]!];
  }
  return bestR >= 0.8 && !(r.II! > bestR - 0.2) ? best : 'II';
}

/** Correlation of a single rhythm strip with the columns of the leads printed there (II, V1, V5, I). */
function stripMatches(readout: Readout, strip: Float32Array, mmPerS: 25 | 50): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [lead, c] of [
    ['II', 0],
    ['V1', 2],
    ['V5', 3],
    ['I', 0],
  ] as const)
    out[lead] = repeatsColumn(readout, strip, lead, c, mmPerS);
  return out;
}

/** How well a single rhythm strip repeats the best matching of the leads printed there (NaN: none to compare). */
export function stripRepeats(readout: Readout, strip: Float32Array, mmPerS: 25 | 50 = 25): number {
  const rs = Object.values(stripMatches(readout, strip, mmPerS)).filter(Number.isFinite);
  return rs.length ? Math.max(...rs) : Number.NaN;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : NaN;
};

/**
 * Where the rows' shared time axis begins, from each row's own start: the start most rows agree on (within
 * `tol`), when one does; else the median. A row whose trace wanders more than the extent's band from its baseline
 * (baseline drift on ECG-Image-Kit pages) seems to start late, and two such rows of four moved the median, and
 * with it every lead, by seconds.
 */
export function sharedStart(starts: readonly number[], tol: number): number {
  const support = starts.map((s) => starts.filter((t) => Math.abs(t - s) <= tol).length);
  const most = Math.max(...support);
  const leaders = starts.filter((_, i) => support[i] === most);
  if (most >= 2 && Math.max(...leaders) - Math.min(...leaders) <= 2 * tol) return median(leaders);
  return median(starts);
}

/**
 * Whether column separators stand at other than 62.5 mm of the grid (`separatorPpm`: their spacing per 62.5 mm,
 * against the grid's pixels per mm, the grid measured rather than taken from a page width or a trace length): the
 * columns are not the sheet's usual 2.5 s. A page too narrow for 250 mm of trace prints shorter columns at 25 mm/s
 * (85% to 99.4% of 62.5 mm), each lead showing less than 2.5 s; at 50 mm/s a sheet can spread its columns over
 * whatever width it has, shorter or longer (85% to 120%: our wild sheets' 50 mm/s columns span 95-111% of 62.5 mm,
 * fold 9). The time scale is then the grid's, and the separators say only where the columns are; taken for the
 * time scale, their spacing put the last column's samples 5-15 early (fold-9 wild printouts at 25 mm/s,
 * development), and a 50 mm/s sheet's long columns made its scale up to a tenth too coarse. Within 0.6% of 62.5 mm
 * they are the usual columns and set the scale themselves: on fold-9 wild printouts they were as often nearer the
 * truth than a grid read at 0.1-0.4% off. (At 25 mm/s columns are never longer: 2.5 s is a quarter of the record.)
 */
export function otherColumns(grid: GridEstimate, separatorPpm: number, mmPerS: 25 | 50): boolean {
  const measured = grid.source === 'grid-1mm' || grid.source === 'grid-5mm';
  const ratio = separatorPpm / grid.pxPerMm;
  const short = ratio >= 0.85 && ratio <= 0.994;
  const long = mmPerS === 50 && ratio >= 1.006 && ratio <= 1.2;
  return measured && (short || long);
}

/**
 * The column separators on the first three rows, looked for 3 mm either side of where a time axis starting at
 * `start` puts the column boundaries, and the boundaries two or more rows agree on within 0.75 mm (a steep stroke
 * can pass for a bar in one row): [boundary, mean x]. Only the separators on agreed boundaries are returned.
 */
function columnSeparators(
  mask: Uint8Array,
  W: number,
  H: number,
  rows: readonly number[],
  start: number,
  rowPpm: number,
  ppm: number,
  dark: Plane,
): { separators: Separator[]; agreed: Array<[number, number]> } {
  const found: Separator[] = [];
  rows.forEach((b, r) => {
    const expected = [1, 2, 3].map((c) => start + c * 62.5 * rowPpm);
    found.push(...findSeparators(mask, W, H, r, b, expected, 3 * ppm, ppm, dark));
  });
  const agreed: Array<[number, number]> = [];
  for (const c of [1, 2, 3]) {
    const xs = found.filter((q) => q.boundary === c).map((q) => q.x);
    const m = median(xs);
    const close = xs.filter((x) => Math.abs(x - m) <= 0.75 * ppm);
    if (close.length >= 2) agreed.push([c, close.reduce((a, b) => a + b, 0) / close.length]);
  }
  const kept = consistentBoundaries(agreed, 62.5 * rowPpm, 0.75 * ppm);
  const separators = found.filter((q) => kept.some(([c, x]) => c === q.boundary && Math.abs(q.x - x) <= 0.75 * ppm));
  return { separators, agreed: kept };
}

/**
 * Column boundaries are equally spaced (2.5 s apart), so three agreed ones lie on a line. Where the middle one is
 * off the line through the outer two by more than `tol`, one of them is not a separator (QRS complexes line up
 * across the rows of a 3x4 sheet and can pass for one on two rows): the pair whose spacing per boundary is closest
 * to `spacing` (the time axis's guess) is kept and the third dropped. Fewer than three are returned as they are.
 */
export function consistentBoundaries(
  agreed: ReadonlyArray<readonly [number, number]>,
  spacing: number,
  tol: number,
): Array<[number, number]> {
  const all = agreed.map(([c, x]) => [c, x] as [number, number]);
  if (all.length < 3) return all;
  const [p, q, r] = all as [[number, number], [number, number], [number, number]];
  const onLine = p[1] + ((r[1] - p[1]) * (q[0] - p[0])) / (r[0] - p[0]);
  if (Math.abs(q[1] - onLine) <= tol) return all;
  const pairs: Array<[[number, number], [number, number]]> = [
    [p, q],
    [q, r],
    [p, r],
  ];
  const off = ([a, b]: [[number, number], [number, number]]) => Math.abs((b[1] - a[1]) / (b[0] - a[0]) - spacing);
  return pairs.reduce((best, pair) => (off(pair) < off(best) ? pair : best));
}

/**
 * The ink plane that shows the most trace rows. The darkest pixels of a page are often not the trace (black
 * header text and redaction boxes over a blue trace), so the channel sets that can carry ink are tried on a
 * small copy: all three (black ink), red and green (blue ink), green (red ink), red (green ink).
 */
export function chooseInk(image: RasterImage): ReturnType<typeof lumaAndInk> {
  const auto = lumaAndInk(image);
  let best = auto;
  let bestRows = -1;
  for (const force of [undefined, [0, 1, 2], [0, 1], [1], [0]]) {
    const cand = force ? lumaAndInk(image, force) : auto;
    if (force && cand.channels === auto.channels) continue;
    const k = Math.max(1, Math.floor(Math.max(cand.ink.width, cand.ink.height) / 700));
    const small = shrink(cand.ink, k);
    const ppm = Math.max(1.2, small.width / 280);
    const rows = findRows(traceMask(small, ppm).mask, small.width, small.height, ppm).length;
    if (rows > bestRows) {
      bestRows = rows;
      best = cand;
    }
  }
  return best;
}

export interface DigitiseOptions {
  /**
   * The ink plane to read the traces from (same size as the picture; 0 = trace, 255 = paper), in place of the
   * one chosen from the picture's colours: the learned trace segmentation's output (segment.ts).
   */
  ink?: Plane;
}

/**
 * Reads an EKG picture. Throws DigitiseError when no trace rows can be found. A sheet whose ink threshold finds
 * fewer than three rows is read again with a faint trace's threshold (FAINT_INK_THRESHOLD; not with a given ink
 * plane, which is already a mask); when that fails too, the first failure stands. Every sheet the first reading
 * reads is read as before.
 */
export function digitise(image: RasterImage, options: DigitiseOptions = {}): DigitiseResult {
  const t0 = performance.now();
  const sheet = uprightSheet(image, options);
  try {
    return readSheet(sheet, 0, t0);
  } catch (e) {
    if (options.ink || !(e instanceof NoRowsError)) throw e;
    try {
      return readSheet(sheet, FAINT_INK_THRESHOLD, t0);
    } catch (again) {
      if (again instanceof DigitiseError) throw e;
      throw again;
    }
  }
}

/** Fewer than three trace rows: what a second, fainter reading can mend. */
class NoRowsError extends DigitiseError {}

/** The picture's luma and ink planes, shrunk to at most 2000 px and cut to the paper where one is found. */
interface UprightSheet {
  luma: Plane;
  ink: Plane;
  /** The working image's size (after shrinking), before the paper was cut out. */
  width: number;
  height: number;
  paper: PaperQuad | null;
}

function uprightSheet(image: RasterImage, options: DigitiseOptions): UprightSheet {
  if (options.ink && (options.ink.width !== image.width || options.ink.height !== image.height))
    throw new DigitiseError(
      `the trace plane is ${options.ink.width}x${options.ink.height}; the picture is ${image.width}x${image.height}`,
    );
  // with a given ink plane only the luma is needed (the same whichever channels chooseInk would pick)
  let { luma, ink } = options.ink ? { luma: lumaAndInk(image).luma, ink: options.ink } : chooseInk(image);
  // very large pictures: work at <= 2000 px on the long side
  const k = Math.max(1, Math.ceil(Math.max(luma.width, luma.height) / 2000));
  luma = shrink(luma, k);
  ink = shrink(ink, k);
  const width = luma.width;
  const height = luma.height;
  const paper = findPaper(luma);
  if (paper) {
    luma = rectify(luma, paper, 255).plane;
    ink = rectify(ink, paper, 255).plane;
  }
  return { luma, ink, width, height, paper };
}

/** `digitise` at one ink threshold floor (0: the sheet's own threshold alone); `t0` is when the reading began. */
function readSheet(sheet: UprightSheet, minThreshold: number, t0: number): DigitiseResult {
  const { width, height, paper } = sheet;
  let { luma, ink } = sheet;
  // skew: from the trace mask at a provisional resolution (the grid does not matter for it)
  const provisional = traceMask(ink, Math.max(1.5, luma.width / 280), minThreshold).flat;
  const provisionalDark = plane(provisional.width, provisional.height);
  for (let i = 0; i < provisionalDark.data.length; i++) provisionalDark.data[i] = 1 - provisional.data[i]!;
  const skewDeg = estimateSkew(provisionalDark);
  luma = rotate(luma, skewDeg, 255);
  ink = rotate(ink, skewDeg, 255);
  const darkLuma = plane(luma.width, luma.height);
  for (let i = 0; i < darkLuma.data.length; i++) darkLuma.data[i] = 255 - luma.data[i]!;
  const grid = estimateGrid(darkLuma);
  // everything from here on is measured in millimetres of the grid; read once with the grid found, and again with
  // the scale the traces themselves give when that grid makes them implausibly long or short (below)
  const readWith = (grid: GridEstimate): DigitiseResult => {
    const ppm = grid.pxPerMm;
    const { mask, flat, threshold } = traceMask(ink, ppm, minThreshold);
    const dark = plane(flat.width, flat.height);
    for (let i = 0; i < dark.data.length; i++) dark.data[i] = 1 - flat.data[i]!;
    const W = luma.width;
    const H = luma.height;
    const found3 = findRows(mask, W, H, ppm);
    if (found3.length < 3) throw new NoRowsError(`found ${found3.length} trace row(s); a 12-lead sheet has at least 3`);
    // a quiet rhythm strip below three rows: read as one, kept below only if it repeats a lead
    const quiet = rowBelow(mask, W, H, found3, ppm);
    const rows = quiet === null ? found3 : [...found3, quiet];
    const layout = layoutFor(rows.length);
    const used =
      layout === '12x1' ? rows.slice(0, 12) : rows.slice(0, { '3x4': 3, '3x4+1': 4, '3x4+3': 6, '6x2': 6 }[layout]);
    // where the traces run: the ink's extent around each baseline, the calibration pulse cut off
    const band = Math.round(4 * ppm);
    const extents = used.map((b) => inkExtent(mask, W, b, band, ppm));
    // a pulse drawn without a foot on the baseline has only its thin edges there, which inkExtent drops as
    // grid-line leftovers: the ink seems to begin at its falling edge, and the pulse is looked for from 8 mm
    // further left when it is not found where the ink begins (not always: on a noisy page specks there can pass
    // for a pulse's edges). A 50 mm/s pulse is 10 mm wide, more than the 6 mm gap inkExtent bridges, so the ink
    // can begin after it or end before it even with its feet drawn: last, a pulse's width further out (14 mm,
    // the widest box findCalibration takes and a margin)
    // (a pulse found only that far out stands where another row has one at the same place: a printout's QRS pair
    // passed for one on a single row and started the time axis 13 mm late)
    const pulsesIn = (m: Uint8Array, oneEdge = false) => {
      const raw = used.map((b, r) => {
        const [a, e] = extents[r]!;
        const mm = (v: number) => Math.round(v * ppm);
        const find = (from: number, to: number) => findCalibration(m, W, b, from, to, ppm, oneEdge);
        const nearLeft = find(a - mm(2), a + mm(16)) ?? find(a - mm(8), a + mm(16));
        const left = nearLeft ?? find(a - mm(14), a + mm(16));
        const nearRight = left ? null : find(e - mm(16), e + mm(2));
        const right = left ? null : (nearRight ?? find(e - mm(16), e + mm(14)));
        return { left, right, far: { left: left !== nearLeft, right: right !== nearRight } };
      });
      const agreed = agreedPulses(raw, ppm);
      return oneSide(
        raw.map((p, r) => ({
          left: p.far.left ? agreed[r]!.left : p.left,
          right: p.far.right ? agreed[r]!.right : p.right,
        })),
      );
    };
    const none = (f: ReturnType<typeof pulsesIn>) => f.every((p) => !p.left && !p.right);
    let found = pulsesIn(mask);
    // none at all: a 20 mm/mV pulse's edges are as tall as the vertical lines the reading mask drops as grid, and
    // where the pulses stand on a grid line one edge can go with it; look again where such lines stay, then for
    // pulses with one edge. Only then: on ECG-Image-Kit's shaded, wrinkled pages that mask keeps shadows, and a
    // tall stroke beside one passed for a pulse's lone edge
    if (none(found)) {
      const kept = maskAt(flat, threshold, ppm, 32);
      found = agreedPulses(pulsesIn(kept), ppm);
      if (none(found)) found = agreedPulses(pulsesIn(kept, true), ppm);
    }
    let calibration: Calibration | null = null;
    // a start taken where the ink begins is half a pen before the first sample's centre, where the reading puts it
    // (the time axis began 0.5-1 sample early: fold-9 wild printouts read best shifted by a quarter to half a sample)
    const penHalf = penWidth(mask, W, H, used, ppm) / 2;
    // half the distance between rows: how far from its baseline a row's trace is looked for where it begins
    const rowReach = used.length > 1 ? (0.45 * (used[used.length - 1]! - used[0]!)) / (used.length - 1) : 10 * ppm;
    const starts: number[] = [];
    const ends: number[] = [];
    // every pulse found (row baseline, pulse): taken out of the mask before reading, like the separators
    const pulses: Array<[number, Calibration]> = [];
    used.forEach((b, r) => {
      const [a, e] = extents[r]!;
      const { left, right } = found[r]!;
      if (left) pulses.push([b, left]);
      if (right) pulses.push([b, right]);
      if (left && (!calibration || left.height > calibration.height)) calibration = left;
      if (right && (!calibration || right.height > calibration.height)) calibration = right;
      starts.push(left ? left.x1 + Math.round(1 * ppm) : traceBegins(mask, W, H, b, a, rowReach, ppm) + penHalf);
      ends.push(right ? right.x0 - Math.round(1 * ppm) : e);
    });
    // rows share the time axis. Where it starts: right where the calibration pulses end (machines and
    // ECG-Image-Kit start the traces there), else where the ink begins (the end is less sure: marks and text can
    // follow the traces)
    const traceEnd = median(ends);
    // the paper speed the pulses give at the grid's scale, before the separators may set another: it says whether
    // columns can be longer than 62.5 mm (below)
    const pulsedSpeed = paperSpeed(
      pulses.map(([, c]) => c),
      ppm,
    ).mmPerS;
    const leftPulses = pulses
      .filter(([, c]) => c.x1 < W / 2)
      .map(([b, c]) => startAfterPulse(mask, W, b, c, ppm, penHalf));
    // without pulses, two guesses at the start: the one most rows agree on, and the median; the separators decide
    const candidates =
      leftPulses.length > 0 ? [median(leftPulses)] : [...new Set([sharedStart(starts, 2 * ppm), median(starts)])];
    // a start left of the page means the scale is off: fall back on where the ink begins
    const guesses = candidates.map((s) => (s < 0 ? median(starts) : s));
    if (!(traceEnd - guesses[0]! > 20 * ppm))
      throw new DigitiseError('the trace rows are too short to be a 10-second sheet');
    // separator marks between the columns pin the time axis exactly (boundary c at start + c * 2.5 s) and stand on
    // the 0 mV line; with two or more, fit start and scale to them
    const axes = guesses.map((start) => {
      // without a grid, or with one not believed, the time axis is the traces' own length
      const rowPpm =
        grid.source === 'page-width' || grid.source === 'trace-length' ? (traceEnd - 1 - start) / 249.75 : ppm;
      return {
        start,
        rowPpm,
        ...columnSeparators(mask, W, H, layout === '12x1' ? [] : used.slice(0, 3), start, rowPpm, ppm, dark),
      };
    });
    const axis = axes.reduce((best, a) => (a.agreed.length > best.agreed.length ? a : best));
    // a boundary's marks set their rows' 0 mV line (below) and are taken out of the mask before reading: not one
    // boundary's alone (QRS complexes of different leads line up in time and can pass for one; on a fold-9 wild
    // printout with no marks at all such a false one cut a row's R waves out and moved its zero), except on six
    // rows, where a 6x2 sheet has only its middle boundary (300 fold-9 wild printouts, development: 13 pages read
    // better, 7 worse, median 6.87 -> 6.99 dB)
    const separators = axis.agreed.length < 2 && used.length !== 6 ? [] : axis.separators;
    let traceStart = axis.start;
    let rowPpm = axis.rowPpm;
    let columnPx: number | undefined;
    if (axis.agreed.length >= 2) {
      // least squares x = start + boundary * 62.5 mm * scale
      const agreed = axis.agreed;
      const mx = agreed.reduce((s, [c]) => s + c, 0) / agreed.length;
      const my = agreed.reduce((s, [, x]) => s + x, 0) / agreed.length;
      let sxy = 0;
      let sxx = 0;
      for (const [c, x] of agreed) {
        sxy += (c - mx) * (x - my);
        sxx += (c - mx) ** 2;
      }
      const slope = sxy / sxx;
      traceStart = my - slope * mx;
      // columns of another width: the boundaries place the columns; the grid, measured over the whole sheet, sets
      // the time scale
      if (otherColumns(grid, slope / 62.5, pulsedSpeed)) columnPx = slope;
      else rowPpm = slope / 62.5;
    } else if (layout !== '12x1' && otherColumns(grid, (traceEnd - traceStart) / 250, pulsedSpeed)) {
      // no separators to place the columns: the rows' own span does, a quarter of it per 62.5 mm of columns (the
      // span read from the ink or the pulses was within 0.4% of the one drawn on 59 of 71 fold-9 wild printouts read
      // at 50 mm/s or with columns of another width, development; a span misread by more passes the test only where
      // it still looks like a column's width, and moves only where one lead's column ends and the next begins)
      columnPx = (traceEnd - traceStart) / 4;
    }
    const zeroOf = (row: number): number | undefined => {
      const ys = separators.filter((q) => q.row === row).map((q) => q.yMid);
      return ys.length ? median(ys) : undefined;
    };
    const cal = calibration as Calibration | null;
    const pxPerMv = cal && cal.height > 3.5 * ppm && cal.height < 22 * ppm ? cal.height : 10 * ppm;
    const speed = paperSpeed(
      pulses.map(([, c]) => c),
      rowPpm,
    );
    const spacing = used.length > 1 ? (used[used.length - 1]! - used[0]!) / (used.length - 1) : 40 * ppm;
    const reach = Math.max(spacing * 0.9, 10 * ppm);
    const readable = withoutSeparators(mask, W, separators);
    const dashes = gridDashes(readable, W, H, used, ppm);
    // the pulses' boxes (their trailing baseline can run into the first lead's first samples, which the reader holds)
    for (const [b, c] of pulses) {
      const pen = Math.ceil(0.6 * ppm);
      for (let y = Math.max(0, Math.round(b - c.height - pen)); y <= Math.min(H - 1, Math.round(b + pen)); y++) {
        for (let x = Math.max(0, c.x0 - pen); x <= Math.min(W - 1, c.x1 + pen); x++) readable[y * W + x] = 0;
      }
    }
    const readPanels = (as: ReadLayout) => {
      const readout: Readout = { samplingRate: DIGITISE_FS, leads: {}, confidence: {} };
      const stagePanels: DigitiseStages['panels'] = [];
      const strips: Record<string, Float32Array> = {};
      for (const p of panelsFor(as, used, traceStart, rowPpm, speed.mmPerS, columnPx)) {
        const r = readPanel(readable, W, H, p, ppm, pxPerMv, reach, DIGITISE_FS, dark, zeroOf(p.row), dashes);
        stagePanels.push({ ...p, coverage: r.coverage });
        const full = new Float32Array(DIGITISE_SAMPLES).fill(Number.NaN);
        for (let i = 0; i < r.values.length && r.start + i < DIGITISE_SAMPLES; i++) full[r.start + i] = r.values[i]!;
        if (p.rhythm) {
          strips[p.lead] = full;
          if (p.lead === 'II') {
            readout.rhythm = full;
            readout.rhythmConfidence = r.coverage;
          }
        } else {
          readout.leads[p.lead] = full;
          readout.confidence[p.lead] = r.coverage;
        }
      }
      for (const l of LEAD_NAMES) if (!readout.leads[l]) readout.confidence[l] = 0;
      return { readout, stagePanels, strips };
    };
    // six rows are 3x4 + three rhythm strips (V1, II, V5) or 6x2; only the first repeats leads: each strip shows
    // again, sample for sample, what its lead's column shows above it
    let read = readPanels(layout);
    let readLayout = layout;
    if (layout === '3x4+3' && stripsRepeatLeads(read.readout, read.strips, speed.mmPerS) < STRIPS_REPEAT) {
      readLayout = '6x2';
      read = readPanels('6x2');
    }
    let { readout, stagePanels } = read;
    let usedRows = used;
    if (quiet !== null && readLayout === '3x4+1' && !(stripRepeats(readout, read.strips.II!, speed.mmPerS) >= 0.8)) {
      // the quiet row repeats no lead: not a rhythm strip after all
      readLayout = '3x4';
      usedRows = used.slice(0, 3);
      read = readPanels('3x4');
      ({ readout, stagePanels } = read);
    }
    // one rhythm strip: lead II on most machines, V1, V5 or I on some. Where it repeats one of those instead of
    // lead II's column, it is not handed on as lead II (the signal classifier takes an unread strip in its stride)
    const rhythmLead =
      readLayout === '3x4+1' && read.strips.II ? stripLead(readout, read.strips.II, speed.mmPerS) : null;
    if (rhythmLead && rhythmLead !== 'II') {
      delete readout.rhythm;
      delete readout.rhythmConfidence;
    }
    return {
      readout,
      stages: {
        width,
        height,
        paper,
        sheetWidth: W,
        sheetHeight: H,
        skewDeg,
        grid,
        faintInk: minThreshold > 0,
        rows: usedRows,
        layout: readLayout,
        rhythmLead,
        calibration: cal,
        pxPerMv,
        gainSource: pxPerMv === 10 * ppm ? 'assumed 10 mm/mV' : 'calibration pulse',
        mmPerS: speed.mmPerS,
        speedSource: speed.source,
        traceStart,
        traceEnd,
        separators,
        panels: stagePanels,
      },
      sheet: luma,
      mask,
      ms: performance.now() - t0,
    };
  };
  // the sheet read again at its traces' own length, 250 mm from where they start to where they end, or rather at the
  // grid's own period near that scale where one stands out there (gridNear): a row's ragged ends leave the length
  // a percent or two off, a sample or more by the last column, which cost a sixth of our fold-9 wild printouts
  // several dB. `r` stands when that reading finds no rows
  const atTraceLength = (r: DigitiseResult): DigitiseResult => {
    const extentPx = r.stages.traceEnd - r.stages.traceStart;
    const byLength = extentPx / 250;
    const near = gridNear(darkLuma, byLength);
    try {
      return readWith(near ?? { pxPerMm: byLength, source: 'trace-length', strength: grid.strength });
    } catch (e) {
      if (e instanceof DigitiseError) return r;
      throw e;
    }
  };
  let first: DigitiseResult;
  try {
    first = readWith(grid);
  } catch (e) {
    // no rows at the grid's scale: a grid misread far too fine (1.8 times on some of our fold-9 wild printouts)
    // asks the rows to be further apart and the ink wider than they are. Look for them at a page's width, then
    // read the sheet at the traces' own length; when that finds none either, the first failure stands
    if (!(e instanceof DigitiseError) || grid.source === 'page-width') throw e;
    let page: DigitiseResult;
    try {
      page = readWith({ pxPerMm: luma.width / 280, source: 'page-width', strength: grid.strength });
    } catch (again) {
      if (again instanceof DigitiseError) throw e;
      throw again;
    }
    return atTraceLength(page);
  }
  // a 10-second sheet (3x4, 6x2, 12x1; 25 mm/s, or 50 mm/s showing 5 s) spans about 250 mm of trace. A grid
  // that makes it under 200 mm or over 300 mm was misread (faint, dotted or 5 mm-only grids at 3-4 px/mm came
  // out 1.5-2.5 times too fine on a tenth of our fold-9 wild printouts): the sheet is read again on the traces'
  // own scale. Not when the grid is confirmed and the traces' end is what is wrong, cut short by a crease or a
  // crop: by the calibration pulse, 0.2 s wide (5 mm at 25 mm/s) by the grid; without a pulse, by column
  // separators found on two or more boundaries where the grid's axis put them (a pulse the grid makes 3 mm wide
  // overrules them)
  const extentMm = (first.stages.traceEnd - first.stages.traceStart) / grid.pxPerMm;
  const pulse = first.stages.calibration;
  const speed = pulse ? pulseSpeed(pulse, grid.pxPerMm) : null;
  // a 50 mm/s pulse (10 mm) confirms it too, unless the traces run on past 300 mm: a grid read twice too fine makes
  // a 25 mm/s pulse look 10 mm wide and its traces twice as long. (At 50 mm/s a deep wave can leave the baseline
  // for more than inkExtent's 6 mm gap, so the traces' median end can fall well short of 250 mm there.)
  const confirmed = pulse
    ? speed === 25 || (speed === 50 && extentMm <= 300)
    : new Set(first.stages.separators.map((q) => q.boundary)).size >= 2;
  if (grid.source === 'page-width' || confirmed || (extentMm >= 200 && extentMm <= 300)) return first;
  return atTraceLength(first);
}

/**
 * SNR of one read lead against the truth, the PhysioNet Challenge 2024 way: 10 log10(sum x^2 / sum (x' - x)^2)
 * over the samples where both exist (no shifting or scaling to help the reading). Unread samples inside the
 * window count as 0, as the Challenge counts a missing output.
 */
export function snrDb(truth: ArrayLike<number>, read: ArrayLike<number>, start: number, end: number): number {
  return snrAtLag(truth, read, start, end, 0);
}

/** `snrDb` with the reading taken `lag` samples later (read[i + lag] against truth[i]; outside the record: 0). */
function snrAtLag(truth: ArrayLike<number>, read: ArrayLike<number>, start: number, end: number, lag: number): number {
  let s = 0;
  let e = 0;
  for (let i = start; i < end; i++) {
    const x = truth[i]!;
    const r = read[i + lag]!;
    const y = Number.isFinite(r) ? r : 0;
    s += x * x;
    e += (y - x) * (y - x);
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}

/** The largest shift `alignedSnrDb` tries: 0.2 s at 100 Hz (5 mm of paper at 25 mm/s), well under a heartbeat. */
export const ALIGN_MAX_LAG = 20;

/**
 * A diagnostic beside the Challenge's figure, never in its place: `snrDb` with the read lead shifted in time by
 * whichever lag within +-`maxLag` samples suits it best. Where it is far above `snrDb`, the reading has the wave's
 * shape and loses it to its time axis (a start or a scale a little off), not to the trace it followed.
 */
export function alignedSnrDb(
  truth: ArrayLike<number>,
  read: ArrayLike<number>,
  start: number,
  end: number,
  maxLag = ALIGN_MAX_LAG,
): number {
  let best = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) best = Math.max(best, snrAtLag(truth, read, start, end, lag));
  return best;
}
