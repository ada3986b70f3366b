/**
 * Stages 2-4 of the digitiser, on the upright sheet: which pixels are trace, where the rows and leads are, and
 * the millivolts under each lead.
 *
 * - `traceMask`: the ink plane (max of red and green, so coloured grids read as paper) divided by the local
 *   paper level; trace where it is below `threshold` of the paper (grey grid lines are lighter than ink).
 * - `findRows`: baselines are where the trace pixels crowd: peaks of the row profile at least 10 mm apart, kept
 *   when the trace runs across at least half the width around them (text lines do not), counted without straight
 *   horizontal runs of 6 mm or more (a dark grid's broken lines).
 * - `layoutFor`: 3 rows = 3x4, 4 = 3x4 + one rhythm strip, 6 = 3x4 + three strips, 12 = 12x1 (6x2 pages read as
 *   3x4 + 3: telling them apart needs the printed labels).
 * - `findCalibration`: the 1 mV pulse at a row's start (a box about 5 mm wide standing on the baseline): its
 *   height gives millimetres per millivolt; without one, 10 mm/mV is assumed.
 * - `readPanel`: for every pixel column of a lead, the run of trace pixels that continues the trace (nearest to
 *   the previous point; the far end of a long vertical run, so QRS peaks keep their height), then resampled to
 *   100 Hz on the sheet's time axis.
 */
import { flatten, type Plane } from './planes';

/** Weight of the distance to the baseline against the distance to the previous point when choosing a run. */
export const BASELINE_PULL = 0.1;

export type ReadLayout = '3x4' | '3x4+1' | '3x4+3' | '6x2' | '12x1';

export interface PanelGeometry {
  lead: string;
  rhythm: boolean;
  row: number;
  /** Pixels of the upright sheet. */
  x0: number;
  x1: number;
  baseline: number;
  /** Seconds of the record it shows. */
  t0: number;
  t1: number;
}

/**
 * The level between grid and trace: Otsu's threshold over the pixels darker than the paper (flattened value below
 * 0.92), kept within [0.3, 0.62]. A light grid puts it at the top of the range; a dark grid (blue lines on
 * lavender, black-and-white pages) pulls it down to between the grid's darkness and the ink's.
 */
export function inkThreshold(flat: Plane): number {
  const bins = 92;
  const hist = new Float64Array(bins);
  let n = 0;
  for (const v of flat.data) {
    if (v >= 0.92) continue;
    hist[Math.min(bins - 1, Math.floor(v * 100))]!++;
    n++;
  }
  if (n < 100) return 0.62;
  let sum = 0;
  for (let i = 0; i < bins; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let t = 62;
  for (let i = 0; i < bins; i++) {
    wB += hist[i]!;
    if (wB === 0 || wB === n) continue;
    sumB += i * hist[i]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / (n - wB);
    const between = wB * (n - wB) * (mB - mF) ** 2;
    if (between > best) [best, t] = [between, i + 1];
  }
  return Math.max(0.3, Math.min(0.62, t / 100));
}

/**
 * The largest share of a sheet that trace ink takes: twelve leads' strokes and the text cover a few per cent. A
 * mask that holds more is mostly grid (dense dark grids at 3-4 px/mm, where the paper between the lines never
 * shows its full brightness and the lines pass any threshold between grid and paper).
 */
export const MAX_INK_SHARE = 0.06;

/** The value below which `share` of the plane's pixels lie (to 0.001). */
function quantile(flat: Plane, share: number): number {
  const bins = 1000;
  const hist = new Uint32Array(bins);
  for (const v of flat.data) hist[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]!++;
  const want = share * flat.data.length;
  let n = 0;
  for (let i = 0; i < bins; i++) {
    n += hist[i]!;
    if (n >= want) return (i + 1) / bins;
  }
  return 1;
}

/**
 * A threshold for a faint trace (flattened value, 1 = paper): anything 15% darker than the paper around it. A phone
 * photo's thin grey trace, lit unevenly and softened by the lens, comes out lighter than inkThreshold's ceiling
 * (0.62) over most of its length, and only its QRS spikes pass: no trace rows. The digitiser reads such a sheet a
 * second time at this level (`digitise`). Chosen on fold-9 wild photos, read without the learned segmenter: 4 of
 * 50 read at inkThreshold's level, 20 with every threshold fixed at 0.75 and 25 at 0.85; with this second reading,
 * 25. (A fixed 0.85 for every sheet would take in lighter labels and grid lines: only when the first reading fails.)
 */
export const FAINT_INK_THRESHOLD = 0.85;

/**
 * The trace pixels of an ink plane (and the flattened plane and the threshold used): at inkThreshold's level, or
 * at `minThreshold` where that is higher (a faint trace, FAINT_INK_THRESHOLD); either way, a mask that is mostly
 * grid falls back on the sheet's darkest few per cent.
 */
export function traceMask(
  ink: Plane,
  pxPerMm: number,
  minThreshold = 0,
): { mask: Uint8Array; flat: Plane; threshold: number } {
  const flat = flatten(ink, Math.max(2, Math.round(1.5 * pxPerMm)));
  const t = Math.max(minThreshold, inkThreshold(flat));
  const mask = maskAt(flat, t, pxPerMm);
  // a mask that is mostly grid: the darkest few per cent of the sheet are the ink (never below 0.2 of the paper)
  let share = 0;
  for (const v of mask) share += v;
  share /= mask.length;
  if (share <= MAX_INK_SHARE) return { mask, flat, threshold: t };
  const darker = Math.max(0.2, quantile(flat, 0.04));
  return darker < t ? { mask: maskAt(flat, darker, pxPerMm), flat, threshold: darker } : { mask, flat, threshold: t };
}

/**
 * The trace pixels of a flattened ink plane at `threshold`, without long straight lines and grid lines. Vertical
 * runs of `verticalMm` or more go as grid lines: 20 mm for reading (a trace is rarely vertical for 2 mV); where no
 * calibration pulse is found, it is looked for again in a mask that keeps them to 32 mm, since at 20 mm/mV its
 * edges are 20 mm tall.
 */
export function maskAt(flat: Plane, threshold: number, pxPerMm: number, verticalMm = 20): Uint8Array {
  const mask = new Uint8Array(flat.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = flat.data[i]! < threshold ? 1 : 0;
  removeLongLines(mask, flat.width, flat.height, Math.round(40 * pxPerMm), Math.round(verticalMm * pxPerMm));
  // dark grids: the 1 mm lines, then the 5 mm ones; then the specks they leave (a trace is one long stroke)
  const gridded = removeGridLines(mask, flat.width, flat.height, pxPerMm);
  const gridded5 = removeGridLines(mask, flat.width, flat.height, 5 * pxPerMm);
  if (gridded || gridded5) removeSpecks(mask, flat.width, flat.height, Math.max(8, Math.round(2.5 * pxPerMm)));
  return mask;
}

/** Takes out 8-connected components smaller than `minSize` pixels. */
export function removeSpecks(mask: Uint8Array, w: number, h: number, minSize: number): void {
  const seen = new Uint8Array(mask.length);
  const stack: number[] = [];
  const comp: number[] = [];
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i] || seen[i]) continue;
    comp.length = 0;
    stack.push(i);
    seen[i] = 1;
    while (stack.length) {
      const j = stack.pop()!;
      comp.push(j);
      const x = j % w;
      const y = (j - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const k = yy * w + xx;
          if (mask[k] && !seen[k]) {
            seen[k] = 1;
            stack.push(k);
          }
        }
      }
    }
    if (comp.length < minSize) for (const j of comp) mask[j] = 0;
  }
}

/**
 * Grid lines that are as dark as the ink (dark blue or black grids) pass any threshold. Their period is known
 * (`period` px, 1 mm or 5 mm), so the vertical lines' phase is found from the mask's column profile, and where the
 * lines hold far more mask pixels than the columns between them, the pixels on the lines are taken out (a trace
 * crossing a line loses a pixel or two there; the reader bridges such gaps). Horizontal lines stay: a flat stretch
 * of trace lying on one cannot be told from it locally (the long-run removal, the row finder's background level and
 * the reader's grid-dash marks deal with them). Returns whether a grid was found and taken out.
 */
export function removeGridLines(mask: Uint8Array, w: number, h: number, period: number): boolean {
  if (!(period >= 2.5)) return false;
  const col = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (mask[y * w + x]) col[x]!++;
  }
  const phaseOf = (prof: Float64Array): { phase: number; on: number; off: number } => {
    let best = { phase: 0, on: 0, off: 0 };
    for (let ph = 0; ph < period; ph += 0.25) {
      let on = 0;
      let off = 0;
      let n = 0;
      for (let c = ph; c < prof.length; c += period) {
        const i = Math.round(c);
        if (i >= prof.length) break;
        on += prof[i]!;
        const j = Math.round(c + period / 2);
        if (j < prof.length) off += prof[j]!;
        n++;
      }
      if (on > best.on) best = { phase: ph, on: on / Math.max(1, n), off: off / Math.max(1, n) };
    }
    return best;
  };
  const cx = phaseOf(col);
  // the lines carry clearly more ink than the paper between them: a grid in the mask
  if (!(cx.on > 3 * (cx.off + 1) && cx.on > 0.25 * h)) return false;
  // a pixel on a line goes when nothing inks the paper two pixels to its left and right (a trace crossing the
  // line continues sideways)
  const src = mask.slice();
  const at = (x: number, y: number) => x >= 0 && x < w && y >= 0 && y < h && src[y * w + x] === 1;
  // pieces of line shorter than `keep` go; a longer vertical stroke on a grid column is a calibration pulse's
  // edge or a separator bar, which machines align with the grid (whole grid lines went with the long lines)
  const keep = Math.round(period >= 12 ? period * 0.6 : period * 3);
  for (let c = cx.phase; c < w; c += period) {
    const i = Math.round(c);
    for (const x of [i - 1, i, i + 1]) {
      if (x < 0 || x >= w || col[x]! < 0.5 * cx.on) continue;
      eachRun(src, x, w, h, 0, (a, b) => {
        if (b - a < keep) for (let k = a; k < b; k++) if (!at(x - 2, k) && !at(x + 2, k)) mask[k * w + x] = 0;
      });
    }
  }
  return true;
}

/**
 * Takes grid lines dark enough to pass the threshold out of the mask: straight horizontal runs longer than
 * `hLen` px and vertical runs longer than `vLen` px (a trace is never flat for 40 mm, nor vertical for 20 mm:
 * 1.6 s of isoelectric line, a 2 mV wall).
 */
export function removeLongLines(mask: Uint8Array, w: number, h: number, hLen: number, vLen: number): void {
  const kill = new Uint8Array(mask.length);
  for (let y = 0; y < h; y++) eachRun(mask, y * w, 1, w, hLen, (a, b) => kill.fill(1, y * w + a, y * w + b));
  for (let x = 0; x < w; x++)
    eachRun(mask, x, w, h, 0, (a, b) => {
      if (b - a >= vLen) for (let k = a; k < b; k++) kill[k * w + x] = 1;
    });
  for (let i = 0; i < mask.length; i++) if (kill[i]) mask[i] = 0;
}

/**
 * Calls `f(a, b)` for every run [a, b) of mask pixels, `minLen` or more long, along the line of `n` pixels
 * `mask[first + k * step]` (k = 0..n-1): a row is `(y * w, 1, w)`, a column `(x, w, h)`. One walk for both
 * directions; a and b count along the line.
 */
function eachRun(
  mask: Uint8Array,
  first: number,
  step: number,
  n: number,
  minLen: number,
  f: (a: number, b: number) => void,
): void {
  let k = 0;
  while (k < n) {
    if (!mask[first + k * step]) {
      k++;
      continue;
    }
    const a = k;
    while (k < n && mask[first + k * step]) k++;
    if (k - a >= minLen) f(a, k);
  }
}

/**
 * The columns the row tests look at: the middle 90% of the sheet's width (a frame or a crop's edge can stand in
 * the outer 5% either side).
 */
function rowSpan(w: number): [number, number] {
  return [Math.floor(w * 0.05), Math.ceil(w * 0.95)];
}

/** How many columns in [x0, x1) have ink within +-band px of height y. */
function inkCover(mask: Uint8Array, w: number, y: number, band: number, x0: number, x1: number): number {
  let n = 0;
  for (let x = x0; x < x1; x++) if (inkNear(mask, w, x, y, band)) n++;
  return n;
}

/**
 * The pen's width in pixels as the mask shows it: the 30th percentile of the vertical ink runs within 2 mm of the
 * rows' baselines (flat stretches, whose runs are one pen thick, outnumber the strokes). Where a trace's ink
 * begins is half of it before the first sample's centre.
 */
export function penWidth(mask: Uint8Array, w: number, h: number, rows: readonly number[], pxPerMm: number): number {
  const runs: number[] = [];
  const band = Math.round(2 * pxPerMm);
  for (const b of rows) {
    const ya = Math.max(0, Math.round(b - band));
    const yb = Math.min(h - 1, Math.round(b + band));
    for (let x = 0; x < w; x += 2) {
      let run = 0;
      for (let y = ya; y <= yb; y++) {
        if (mask[y * w + x]) run++;
        else if (run) {
          runs.push(run);
          run = 0;
        }
      }
      if (run) runs.push(run);
    }
  }
  runs.sort((a, b) => a - b);
  return runs.length ? runs[Math.floor(runs.length * 0.3)]! : 1;
}

/** A trace row has ink near its baseline across more than this share of `rowSpan` (a text line has gaps). */
const ROW_COVER = 0.45;

/** Baselines (y, px) of the trace rows, top to bottom. */
export function findRows(traced: Uint8Array, w: number, h: number, pxPerMm: number): number[] {
  // A dark grid's horizontal lines, broken into dashes by noise and JPEG, would pass for rows of trace: the row
  // finder looks at a copy without straight horizontal runs of 6 mm or more (a trace's flat stretches go too,
  // which costs a row little: its wiggles and QRS complexes stay).
  const mask = traced.slice();
  removeLongLines(mask, w, h, Math.round(6 * pxPerMm), h + 1);
  const [x0, x1] = rowSpan(w);
  const prof = new Float64Array(h);
  for (let y = 0; y < h; y++) {
    let s = 0;
    for (let x = x0; x < x1; x++) s += mask[y * w + x]!;
    prof[y] = s;
  }
  const r = Math.max(1, Math.round(1.2 * pxPerMm));
  const sm = new Float64Array(h);
  for (let y = 0; y < h; y++) {
    let s = 0;
    for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) s += prof[k]!;
    sm[y] = s;
  }
  const minGap = 10 * pxPerMm;
  const peaks: number[] = [];
  const order = Array.from(sm.keys()).sort((a, b) => sm[b]! - sm[a]!);
  const top = sm[order[0]!]!;
  // peaks must stand out from the background level (the grid's leftovers and noise are spread evenly)
  const floor = Array.from(sm).sort((a, b) => a - b)[Math.floor(h / 2)]!;
  for (const y of order) {
    if (sm[y]! < floor + 0.3 * (top - floor)) break;
    if (peaks.every((p) => Math.abs(p - y) >= minGap)) peaks.push(y);
  }
  // a trace row has ink across most of its width near its baseline; a text line has gaps between words
  const band = Math.round(3 * pxPerMm);
  const rows = peaks.filter((yc) => {
    if (inkCover(mask, w, yc, band, x0, x1) / (x1 - x0) <= ROW_COVER) return false;
    // and QRS complexes: columns where the ink runs 3 mm or more up or down from near the baseline (grid-line
    // remnants and text lines have none), at least four separate ones
    let spikes = 0;
    let last = -Infinity;
    const tall = 3 * pxPerMm;
    for (let x = x0; x < x1; x++) {
      let run = 0;
      let best = 0;
      for (
        let y = Math.max(0, Math.round(yc - 12 * pxPerMm));
        y <= Math.min(h - 1, Math.round(yc + 12 * pxPerMm));
        y++
      ) {
        run = mask[y * w + x] ? run + 1 : 0;
        if (run > best) best = run;
      }
      if (best >= tall) {
        if (x - last > 2 * pxPerMm) spikes++;
        last = x;
      }
    }
    return spikes >= 4;
  });
  rows.sort((a, b) => a - b);
  if (rows.length < 3) return rows;
  // rows of a sheet are evenly spaced: keep the peaks on the progression of the typical spacing through the
  // strongest one (a tall QRS or a text line makes extra peaks off it)
  const gaps = rows
    .slice(1)
    .map((y, i) => y - rows[i]!)
    .sort((a, b) => a - b);
  const d = gaps[Math.floor(gaps.length / 2)]!;
  const ref = rows.reduce((a, b) => (sm[b]! > sm[a]! ? b : a));
  const kept = rows.filter((y) => {
    const k = (y - ref) / d;
    return Math.abs(k - Math.round(k)) < 0.2;
  });
  // one row per step of the progression (the stronger of two on the same step)
  const byStep = new Map<number, number>();
  for (const y of kept) {
    const k = Math.round((y - ref) / d);
    const other = byStep.get(k);
    if (other === undefined || sm[y]! > sm[other]!) byStep.set(k, y);
  }
  // a row cut off from the others by an empty step at the top or bottom is not one of them when three or more
  // rows remain: ECG-Image-Kit prints the patient's details two row spacings above the first row, and taken for
  // the first row they pushed the rhythm strip off a 3x4 + rhythm layout (holes between rows are kept: a flat
  // lead of a 12x1 sheet can leave no peak)
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  while (steps.length > 3 && steps[1]! - steps[0]! > 1) steps.shift();
  while (steps.length > 3 && steps[steps.length - 1]! - steps[steps.length - 2]! > 1) steps.pop();
  const out = steps.map((k) => byStep.get(k)!);
  // more than six rows is a 12x1 sheet, whose lead follows from the row's place in the progression: a row with no
  // peak (a flat lead, or one whose baseline the neighbours' tall waves crowd) would move every lead below it up
  // by one, so the holes are filled, between the rows either side of them, when twelve steps or fewer span them
  const span = steps.length ? steps[steps.length - 1]! - steps[0]! + 1 : 0;
  if (steps.length > 6 && span > steps.length && span <= 12) {
    const filled: number[] = [];
    for (let i = 0; i + 1 < steps.length; i++) {
      const [ka, kb] = [steps[i]!, steps[i + 1]!];
      const [ya, yb] = [byStep.get(ka)!, byStep.get(kb)!];
      for (let k = ka; k < kb; k++) filled.push(Math.round(ya + ((yb - ya) * (k - ka)) / (kb - ka)));
    }
    filled.push(out[out.length - 1]!);
    return filled;
  }
  // no layout has five rows: one at an end may be something else (a block of header text one spacing above the
  // first row passed for one on a fold-9 wild printout and pushed the rhythm strip off the sheet). An end row whose
  // ink covers under 65% of what the middle rows' does goes; five trace rows (a sixth missed) stay as they are
  if (out.length === 5) {
    const cover = out.map((y) => inkCover(mask, w, y, band, x0, x1));
    const middle = [...cover.slice(1, 4)].sort((a, b) => a - b)[1]!;
    const [top, bottom] = [cover[0]!, cover[4]!];
    if (Math.min(top, bottom) < 0.65 * middle) {
      if (top <= bottom) out.shift();
      else out.pop();
    }
  }
  return out;
}

/**
 * A quiet trace row one step below the last of three: a rhythm strip at a low gain, nearly flat, whose small
 * QRS complexes findRows does not count (on a tenth of our fold-9 wild 3x4 + 1 sheets the strip was lost so).
 * The height one row spacing (+-20%) below `rows[2]` where the most columns have ink within 1 mm, when they are at
 * least `ROW_COVER` of the width; else null. Its reading must still repeat a lead above it to be kept (the digitiser's
 * `stripRepeats` check), since a line of grid dashes can cover as much.
 */
export function rowBelow(
  traced: Uint8Array,
  w: number,
  h: number,
  rows: readonly number[],
  pxPerMm: number,
): number | null {
  if (rows.length !== 3) return null;
  const step = (rows[2]! - rows[0]!) / 2;
  const [x0, x1] = rowSpan(w);
  const band = Math.max(1, Math.round(pxPerMm));
  // the middle of the heights that reach the most columns (a flat line reaches as many from anywhere within 1 mm)
  let first = -1;
  let last = -1;
  let bestCover = ROW_COVER * (x1 - x0);
  const yTo = Math.min(h - 1 - band, Math.round(rows[2]! + 1.2 * step));
  for (let y = Math.round(rows[2]! + 0.8 * step); y <= yTo; y++) {
    const cover = inkCover(traced, w, y, band, x0, x1);
    if (cover > bestCover) [first, last, bestCover] = [y, y, cover];
    else if (cover === bestCover && last === y - 1) last = y;
  }
  return first < 0 ? null : Math.round((first + last) / 2);
}

export function layoutFor(rows: number): ReadLayout {
  if (rows >= 10) return '12x1';
  if (rows >= 6) return '3x4+3';
  if (rows === 4 || rows === 5) return '3x4+1';
  return '3x4';
}

const GRID = [
  ['I', 'aVR', 'V1', 'V4'],
  ['II', 'aVL', 'V2', 'V5'],
  ['III', 'aVF', 'V3', 'V6'],
] as const;
/** 6x2: the limb leads over the first 5 s beside the chest leads over the last 5 s. */
const SIX_BY_TWO = [
  ['I', 'V1'],
  ['II', 'V2'],
  ['III', 'V3'],
  ['aVR', 'V4'],
  ['aVL', 'V5'],
  ['aVF', 'V6'],
] as const;
const TWELVE = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
const RHYTHM: Record<ReadLayout, string[]> = {
  '3x4': [],
  '3x4+1': ['II'],
  '3x4+3': ['V1', 'II', 'V5'],
  '6x2': [],
  '12x1': [],
};

export interface Calibration {
  /** Pixel columns of the pulse's rising and falling edges. */
  x0: number;
  x1: number;
  /** Its height in pixels (1 mV). */
  height: number;
}

/**
 * Longest run of mask pixels going up from near the baseline in column x (pixels). Holes of up to half the
 * tolerance (0.6 mm) are stepped over: where the grid was as dark as the ink, removeGridLines cut every vertical
 * stroke at each grid line, and the pulse's edges came back a grid square tall (the pulse was missed on a fifth
 * of fold-9 wild printouts with a pulse, and the time axis then started at the pulse, 8 mm early). The run starts
 * at the lowest ink within the tolerance, or with `anyStart` at whichever ink there gives the tallest run (see
 * findCalibration's falling edge).
 */
function upRun(
  mask: Uint8Array,
  w: number,
  x: number,
  base: number,
  tol: number,
  maxUp: number,
  anyStart = false,
): number {
  const hole = Math.max(2, Math.round(tol / 2));
  let best = 0;
  for (let start = base + tol; start >= base - tol; start--) {
    // the bottom of a run of ink (ink just below it, within the band, belongs to the same run)
    if (start < 0 || !mask[start * w + x] || (start < base + tol && mask[(start + 1) * w + x])) continue;
    let top = start;
    for (let y = start - 1; y >= 0 && base - y <= maxUp && top - y <= hole + 1; y--) if (mask[y * w + x]) top = y;
    best = Math.max(best, base - top);
    if (!anyStart) break;
  }
  return best;
}

/** Whether column x of a w-wide mask has ink anywhere within `y` +- `band` (rows outside the mask count as paper). */
export function inkNear(mask: Uint8Array, w: number, x: number, y: number, band: number): boolean {
  const h = mask.length / w;
  for (let yy = Math.max(0, y - band); yy <= Math.min(h - 1, y + band); yy++) if (mask[yy * w + x]) return true;
  return false;
}

/**
 * Whether ink runs level across the top of a would-be pulse between its edges (at `top` +- `tol`, in at least
 * 70% of the columns): a pulse's roof, not the gap between a pulse's falling edge and the first QRS.
 */
function levelTop(mask: Uint8Array, w: number, x0: number, x1: number, top: number, tol: number): boolean {
  return inkCover(mask, w, top, tol, x0 + 1, x1) >= 0.7 * (x1 - x0 - 1);
}

/** The calibration pulse near `xFrom` .. `xTo` on the row at `base`, if there is one. */
export function findCalibration(
  mask: Uint8Array,
  w: number,
  base: number,
  xFrom: number,
  xTo: number,
  pxPerMm: number,
  /** Also take a pulse with one edge lost (only where no row shows a whole one: it is the less sure shape). */
  oneEdge = false,
): Calibration | null {
  const tol = Math.round(1.2 * pxPerMm);
  const maxUp = Math.round(24 * pxPerMm);
  const tall: number[] = [];
  // tall[i] is column from + i (a window reaching left of the sheet starts at its edge)
  const from = Math.max(0, xFrom);
  // and each column's run from whichever ink near the baseline gives the tallest (for second edges, below)
  const anyTall: number[] = [];
  for (let x = from; x < Math.min(w, xTo); x++) {
    tall.push(upRun(mask, w, x, base, tol, maxUp));
    anyTall.push(upRun(mask, w, x, base, tol, maxUp, true));
  }
  // a falling edge may stand above the trace's first sample, a few pixels under the pulse's foot (ECG-Image-Kit
  // starts the trace there): measured from the lowest ink, that column's run was the trace's and the pulse was
  // missed, the time axis beginning wherever the ink did (90 mm late on a kit page whose rows drift off their
  // baselines at first). A second edge is measured from any ink near the baseline; the first still from the
  // lowest, as before (every stroke measured the looser way is a few more would-be edges)
  // a box: two tall edges 3-12 mm apart whose heights agree, with the top between them level
  let best: Calibration | null = null;
  for (let i = 0; i < tall.length; i++) {
    const hi = tall[i]!;
    if (hi < 3.5 * pxPerMm) continue;
    for (let j = i + Math.round(3 * pxPerMm); j < Math.min(tall.length, i + Math.round(12 * pxPerMm)); j++) {
      const hj = anyTall[j]!;
      if (Math.abs(hj - hi) > 0.15 * hi) continue;
      const height = (hi + hj) / 2;
      if ((!best || height > best.height) && levelTop(mask, w, from + i, from + j, Math.round(base - height), tol))
        best = { x0: from + i, x1: from + j, height };
      break;
    }
  }
  // one edge lost (a pulse edge on a grid line goes with the line): a tall edge with a level roof 3-12 mm long
  // running from its top to one side, and not to the other (a trace of the row above, which a tall QRS can
  // reach, runs on both ways)
  if (!best && oneEdge) {
    const gap = Math.max(1, Math.round(pxPerMm));
    // the roof is level: within half a millimetre of the edge's top all along (a sloping trace is not)
    const flat = Math.max(1, Math.round(0.5 * pxPerMm));
    for (let i = 0; i < tall.length; i++) {
      const hi = tall[i]!;
      if (hi < 3.5 * pxPerMm || (best && hi <= best.height)) continue;
      const top = Math.round(base - hi);
      const x = from + i;
      for (const dir of [-1, 1]) {
        let beyond = false;
        for (let k = gap; k <= 2 * gap; k++) beyond ||= inkNear(mask, w, x - dir * k, top, flat);
        if (beyond) continue;
        // follow the roof while ink stays at its height, across gaps shorter than a millimetre
        let end = x;
        for (let k = x + dir, miss = 0; k >= 0 && k < w && miss <= gap; k += dir) {
          if (inkNear(mask, w, k, top, flat)) {
            end = k;
            miss = 0;
          } else miss++;
        }
        const len = Math.abs(end - x);
        // and its far edge is missing indeed: a shape with two edges of unequal height (a lead label's letters)
        // is no pulse
        let farEdge = 0;
        for (let k = end - gap; k <= end + gap; k++)
          if (k >= 0 && k < w) farEdge = Math.max(farEdge, upRun(mask, w, k, base, tol, maxUp));
        if (farEdge >= 0.5 * hi) continue;
        const [x0, x1] = [Math.min(x, end), Math.max(x, end)];
        if (len >= 3 * pxPerMm && len < 12 * pxPerMm && levelTop(mask, w, x0, x1, top, flat))
          best = { x0, x1, height: hi };
      }
    }
  }
  return best && { ...best, height: pulseHeight(mask, w, base, best, tol) };
}

/** Centre of the ink run through (x, y), or NaN when (x, y) is paper. */
function runCentre(mask: Uint8Array, w: number, x: number, y: number): number {
  if (y < 0 || !mask[y * w + x]) return Number.NaN;
  let a = y;
  let b = y;
  while (a > 0 && mask[(a - 1) * w + x]) a--;
  while ((b + 1) * w + x < mask.length && mask[(b + 1) * w + x]) b++;
  return (a + b) / 2;
}

/**
 * The pulse's height from stroke centre to stroke centre. The edges' run length reaches from the baseline to the
 * top stroke's upper edge, half a pen too far, which read every lead a few per cent small (10 mm/mV printouts
 * of fold 9 came back 2-5% low at 4 px/mm). Top: the middle half of the pulse's top stroke; bottom: the
 * baseline just outside its edges. Falls back on the edge height where either is missing.
 */
function pulseHeight(mask: Uint8Array, w: number, base: number, c: Calibration, tol: number): number {
  const topY = Math.round(base - c.height);
  const span = c.x1 - c.x0;
  const tops: number[] = [];
  for (let x = Math.round(c.x0 + span / 4); x <= Math.round(c.x1 - span / 4); x++) {
    const m = runCentre(mask, w, x, topY);
    if (Number.isFinite(m)) tops.push(m);
  }
  const bottoms: number[] = [];
  for (const x of [c.x0 - 3, c.x0 - 2, c.x1 + 2, c.x1 + 3]) {
    if (x < 0 || x >= w) continue;
    for (let d = 0; d <= tol; d++) {
      const m = [base + d, base - d].map((y) => runCentre(mask, w, x, y)).find(Number.isFinite);
      if (m !== undefined) {
        bottoms.push(m);
        break;
      }
    }
  }
  if (!tops.length || !bottoms.length) return c.height;
  const mid = (v: number[]) => v.sort((p, q) => p - q)[v.length >> 1]!;
  const h = mid(bottoms) - mid(tops);
  return h > 0.8 * c.height && h <= c.height ? h : c.height;
}

/**
 * Where each lead sits on the upright sheet, from the rows, the ink's horizontal extent and the paper speed (a
 * 3x4 column is 62.5 mm of paper either way: 2.5 s at 25 mm/s, 1.25 s at 50 mm/s). `xStart` is where the traces
 * begin (after a calibration pulse). `columnPx`, where separators measured it, is what a 62.5 mm column spans: a
 * page too narrow for 250 mm of trace prints shorter columns (each lead shows less than 2.5 s at the same speed).
 */
export function panelsFor(
  layout: ReadLayout,
  rows: number[],
  xStart: number,
  pxPerMm: number,
  mmPerS: 25 | 50 = 25,
  columnPx?: number,
): PanelGeometry[] {
  // a sheet's rows span 250 mm of paper: 10 s at 25 mm/s, the first 5 s at 50 mm/s
  const recordS = 250 / mmPerS;
  const pxPerS = mmPerS * pxPerMm;
  const out: PanelGeometry[] = [];
  const cols = layout === '12x1' ? 1 : layout === '6x2' ? 2 : 4;
  // columns shorter than 62.5 mm of paper show proportionally less time each (6x2: two such widths per column)
  const colS = (recordS / cols) * (columnPx === undefined ? 1 : columnPx / (62.5 * pxPerMm));
  const gridRows =
    layout === '12x1'
      ? TWELVE.map((l) => [l])
      : layout === '6x2'
        ? SIX_BY_TWO.map((r) => [...r])
        : GRID.map((r) => [...r]);
  gridRows.forEach((leads, r) => {
    const base = rows[r];
    if (base === undefined) return;
    leads.forEach((lead, c) =>
      out.push({
        lead,
        rhythm: false,
        row: r,
        x0: xStart + c * colS * pxPerS,
        x1: xStart + (c + 1) * colS * pxPerS,
        baseline: base,
        t0: c * colS,
        t1: (c + 1) * colS,
      }),
    );
  });
  // a strip runs as long as the columns above it: past 250 mm where a 50 mm/s sheet's columns are longer
  const stripS = Math.max(recordS, cols * colS);
  RHYTHM[layout].forEach((lead, k) => {
    const base = rows[gridRows.length + k];
    if (base === undefined) return;
    out.push({
      lead,
      rhythm: true,
      row: gridRows.length + k,
      x0: xStart,
      x1: xStart + stripS * pxPerS,
      baseline: base,
      t0: 0,
      t1: stripS,
    });
  });
  return out;
}

export interface Separator {
  row: number;
  /** Column boundary index (1..3 on a 3x4 row). */
  boundary: number;
  /** Centre of the mark (px): its x, and the middle of its height (it stands symmetric on the baseline). */
  x: number;
  yMid: number;
  /** The bar's pixels: columns [c0, c1] and rows [r0, r1]. */
  c0: number;
  c1: number;
  r0: number;
  r1: number;
}

/**
 * The short vertical marks many machines print where one lead's column ends and the next begins (standing
 * symmetric on the baseline). Searched within +-`tol` px of the expected boundaries `expected[c]` of the row at
 * `base`; a mark is a run of trace pixels 3-14 mm tall that crosses the baseline band, in a column whose
 * neighbours a few pixels away have no such run (a steep QRS stroke is a slope, not a one-column bar).
 */
export function findSeparators(
  mask: Uint8Array,
  w: number,
  h: number,
  row: number,
  base: number,
  expected: number[],
  tol: number,
  pxPerMm: number,
  dark?: Plane,
): Separator[] {
  const out: Separator[] = [];
  const runAt = (x: number): [number, number] | null => {
    if (x < 0 || x >= w) return null;
    // the run through the baseline band in this column
    for (let y = Math.round(base - 2 * pxPerMm); y <= Math.round(base + 2 * pxPerMm); y++) {
      if (y < 0 || y >= h || !mask[y * w + x]) continue;
      let a = y;
      let b = y;
      while (a > 0 && mask[(a - 1) * w + x]) a--;
      while (b < h - 1 && mask[(b + 1) * w + x]) b++;
      return [a, b];
    }
    return null;
  };
  expected.forEach((xe, c) => {
    let best: Separator | null = null;
    let bestLen = 0;
    for (let x = Math.round(xe - tol); x <= Math.round(xe + tol); x++) {
      const r = runAt(x);
      if (!r) continue;
      const len = r[1] - r[0] + 1;
      if (len < 3 * pxPerMm || len > 14 * pxPerMm) continue;
      // it stands symmetric on the baseline (a QRS stroke starts at the baseline and goes one way)
      if (Math.abs((r[0] + r[1] + 1) / 2 - base) > 1.5 * pxPerMm) continue;
      // a bar: the columns 3 px to each side are far shorter
      const side = Math.max(3, Math.round(0.8 * pxPerMm));
      const l = runAt(x - side);
      const rr = runAt(x + side);
      const short = (q: [number, number] | null) => !q || q[1] - q[0] + 1 < 0.5 * len;
      if (!short(l) || !short(rr)) continue;
      if (len > bestLen) {
        // centre of the bar across its width: the columns whose run has the same two ends (the bar itself, not
        // a trace that touches it), weighted by their darkness away from the baseline
        let sw = 0;
        let sx = 0;
        let c0 = x;
        let c1 = x;
        const clear = Math.round(1.5 * pxPerMm);
        for (let xx = Math.max(0, x - 2); xx <= Math.min(w - 1, x + 2); xx++) {
          const q = runAt(xx);
          if (!q || Math.abs(q[0] - r[0]) > 1 || Math.abs(q[1] - r[1]) > 1) continue;
          c0 = Math.min(c0, xx);
          c1 = Math.max(c1, xx);
          let v = 0;
          for (let y = r[0]; y <= r[1]; y++) if (Math.abs(y - base) >= clear) v += dark ? dark.data[y * w + xx]! : 1;
          sw += v;
          sx += v * (xx + 0.5);
        }
        const cx = sw > 0 ? sx / sw : x + 0.5;
        bestLen = len;
        best = { row, boundary: c + 1, x: cx, yMid: (r[0] + r[1] + 1) / 2, c0, c1, r0: r[0], r1: r[1] };
      }
    }
    if (best) out.push(best);
  });
  return out;
}

/**
 * The dashes a horizontal grid line leaves in a reading mask away from the trace rows (1 = dash pixel), or null
 * where there are none. A dark grid's lines pass the ink threshold in pieces (a JPEG's blocks break them up, so
 * the long-line removal misses them); where a lead's trace faded for a few millimetres, the reader followed such a
 * dash 5 mm off the baseline until the next gap (ECG-Image-Kit's blue and black grids: stretches of lead I read
 * flat at -0.5 mV). A grid row is a height where horizontal runs of 1.5 mm or more cover over a tenth of the
 * sheet's width, on the 5 mm lattice such rows share, and more than 1.5 mm from every trace row's baseline
 * (ECG-Image-Kit prints each baseline on a major line). The dashes stay in the mask: a flat stretch of trace can
 * lie on a grid row too, and taken out it left the reader to jump to a lead label; `readPanel` takes a run made of
 * dash pixels alone only near where the trace was (GRID_DASH_PENALTY_MM).
 */
export function gridDashes(
  mask: Uint8Array,
  w: number,
  h: number,
  baselines: readonly number[],
  pxPerMm: number,
): Uint8Array | null {
  const period = 5 * pxPerMm;
  if (!(period >= 4)) return null;
  const minRun = Math.max(3, Math.round(1.5 * pxPerMm));
  const guard = 1.5 * pxPerMm;
  const covered = new Float64Array(h);
  for (let y = 0; y < h; y++) {
    if (baselines.some((b) => Math.abs(y - b) <= guard)) continue;
    eachRun(mask, y * w, 1, w, minRun, (a, b) => (covered[y] = covered[y]! + b - a));
  }
  const dashed = (y: number) => covered[y]! > 0.1 * w;
  // the lattice: the phase whose rows, a pixel either side, hold the most cover of dashed rows
  let best = { phase: 0, cover: 0 };
  for (let ph = 0; ph < period; ph += 0.25) {
    let cover = 0;
    for (let c = ph; c < h; c += period) {
      const i = Math.round(c);
      for (let y = i - 1; y <= i + 1; y++) if (y >= 0 && y < h && dashed(y)) cover += covered[y]!;
    }
    if (cover > best.cover) best = { phase: ph, cover };
  }
  if (best.cover === 0) return null;
  const out = new Uint8Array(mask.length);
  for (let c = best.phase; c < h; c += period) {
    const i = Math.round(c);
    for (let y = i - 1; y <= i + 1; y++) {
      if (y < 0 || y >= h || !dashed(y)) continue;
      eachRun(mask, y * w, 1, w, minRun, (a, b) => out.fill(1, y * w + a, y * w + b));
    }
  }
  return out;
}

/**
 * The distance (mm) `readPanel` adds to a run made of grid-dash pixels alone: within the 12 mm the reader follows a
 * trace across, such a run is taken only within 4 mm of where the trace was (a flat stretch lying on a grid row),
 * not 5 mm away across a faded stretch.
 */
export const GRID_DASH_PENALTY_MM = 8;

/** A copy of `mask` with the separator bars taken out (they are not trace; the gaps they leave are bridged). */
export function withoutSeparators(mask: Uint8Array, w: number, bars: readonly Separator[]): Uint8Array {
  const out = mask.slice();
  for (const b of bars) for (let y = b.r0; y <= b.r1; y++) for (let x = b.c0; x <= b.c1; x++) out[y * w + x] = 0;
  return out;
}

export interface PanelReading {
  /** Samples at 100 Hz over [round(t0*100), round(t1*100)), mV (NaN = nothing read). */
  start: number;
  values: Float32Array;
  /** Share of the panel's pixel columns where the trace was found. */
  coverage: number;
}

/**
 * Reads one lead. `pxPerMv` converts heights; the band searched is `reach` px above and below the baseline;
 * `dark` (0 = paper, 1 = ink) weights the sub-pixel centre of thin runs.
 * Per pixel column: the run of trace pixels that continues the trace (nearest the previous point). A straight
 * stroke crossing a column covers the heights it passes there, so the run's centre is the trace at the column's
 * centre; where the trace turns back inside the column (a peak), its neighbours lie on one side of the run and
 * the run's far end is the peak. Values are relative to the panel's median height (the printed trace is
 * baseline-filtered, so its median sits on the isoelectric line); gaps are bridged linearly.
 */
export function readPanel(
  mask: Uint8Array,
  w: number,
  h: number,
  p: PanelGeometry,
  pxPerMm: number,
  pxPerMv: number,
  reach: number,
  fs = 100,
  dark?: Plane,
  /** The row's 0 mV line when it is known from separators (else the panel's median height is used). */
  zeroY?: number,
  /** Grid-dash pixels (`gridDashes`): a run made of them alone is taken only near the trace. */
  dashes?: Uint8Array | null,
): PanelReading {
  const xa = Math.max(0, Math.round(p.x0));
  const xb = Math.min(w, Math.round(p.x1));
  const n = Math.max(0, xb - xa);
  const top = new Float64Array(n).fill(Number.NaN);
  const bot = new Float64Array(n).fill(Number.NaN);
  const mid = new Float64Array(n).fill(Number.NaN);
  const yTop = Math.max(0, Math.round(p.baseline - reach));
  const yBot = Math.min(h - 1, Math.round(p.baseline + reach));
  const allDash = (x: number, a: number, b: number): boolean => {
    for (let y = a; y <= b; y++) if (!dashes![y * w + x]) return false;
    return true;
  };
  // the run in column x that best continues the trace at height `prev`, and how far from it it lies
  type Run = { a: number; b: number; d: number; gap: number; dash: boolean };
  const choose = (x: number, prev: number, noDash = false): Run | null => {
    let best: Run | null = null;
    let y = yTop;
    while (y <= yBot) {
      if (!mask[y * w + x]) {
        y++;
        continue;
      }
      const a = y;
      while (y <= yBot && mask[y * w + x]) y++;
      const b = y - 1;
      // continuity first, with a mild pull towards the lead's own baseline (a tall QRS of the row above or below
      // reaching into this band is near the trace only for a moment, and far from its baseline)
      const base = p.baseline < a ? a - p.baseline : p.baseline > b ? p.baseline - b : 0;
      const gap = prev < a ? a - prev : prev > b ? prev - b : 0;
      const dash = !!dashes && allDash(x, a, b);
      if (dash && noDash) continue;
      const d = gap + BASELINE_PULL * base + (dash ? GRID_DASH_PENALTY_MM * pxPerMm : 0);
      if (!best || d < best.d) best = { a, b, d, gap, dash };
    }
    return best;
  };
  // keeps column x's run; returns the height the trace goes on from
  const take = (x: number, run: { a: number; b: number }, prev: number): number => {
    let { a, b } = run;
    if (dark && b > a) {
      // a steep stroke's neighbour bleeds into this column at part coverage: keep the run's dark core
      let peak = 0;
      for (let yy = a; yy <= b; yy++) peak = Math.max(peak, dark.data[yy * w + x]!);
      while (a < b && dark.data[a * w + x]! < 0.7 * peak) a++;
      while (b > a && dark.data[b * w + x]! < 0.7 * peak) b--;
    }
    let c = (a + b) / 2;
    if (dark) {
      // darkness-weighted centre, one pixel beyond the run either side (anti-aliased edges)
      let sw = 0;
      let sy = 0;
      for (let yy = Math.max(0, a - 1); yy <= Math.min(h - 1, b + 1); yy++) {
        const wgt = dark.data[yy * w + x]!;
        sw += wgt;
        sy += wgt * yy;
      }
      if (sw > 0) c = sy / sw;
    }
    top[x - xa] = a;
    bot[x - xa] = b + 1;
    mid[x - xa] = c + 0.5;
    // the trace leaves a long run (a steep stroke) at its far end: follow it from there
    return b - a + 1 > 1.2 * pxPerMm ? (Math.abs(a - prev) > Math.abs(b - prev) ? a : b) : c;
  };
  let prev = p.baseline;
  let first = -1;
  let found = 0;
  // columns since the reader last took trace (a run not made of grid dash alone)
  let lost = 0;
  for (let x = xa; x < xb; x++) {
    let run = choose(x, prev);
    // until the trace is found, stay near the baseline (a lead label sits a few millimetres off it)
    if (run && !(run.d < (first < 0 ? 4 : 12) * pxPerMm)) run = null;
    // lost for over 2 mm (a steep stroke too faint to mask, then nothing within reach of the wave's tip; or only
    // grid dashes taken): ink near where the trace was, not a dash, else the trace found again near its baseline,
    // where it returns after a QRS complex. Before, it was found again only where some later stroke came near the
    // last point, and the samples between were lost (fold-9 wild printouts, 300 read: 7 pages better, 2 worse)
    if (first >= 0 && lost > 2 * pxPerMm && (!run || run.dash)) {
      const near = choose(x, prev, true);
      const home = choose(x, p.baseline, true);
      run = near && near.d < 12 * pxPerMm ? near : home && home.d < 4 * pxPerMm ? home : run;
    }
    if (run) {
      prev = take(x, run, prev);
      if (first < 0) first = x;
      found++;
      lost = run.dash ? lost + 1 : 0;
    } else lost++;
  }
  // a lead that starts far from its baseline (a deep S or a tall R at the column boundary) was first found some
  // columns in: follow it back to the panel's start from there, through ink that touches it (a lead label
  // printed beside the trace's start is a separate mark)
  if (first > xa) {
    prev = mid[first - xa]! - 0.5;
    for (let x = first - 1; x >= xa; x--) {
      const run = choose(x, prev);
      if (!run || run.gap > pxPerMm) break;
      prev = take(x, run, prev);
      found++;
    }
  }
  // The trace at the column edges. The pen's thickness is the typical height of a flat stretch's run; a longer
  // run is a stroke that enters the column at one end and leaves at the other (half a pen inside each end).
  // Which end is the entry follows from the previous column; where the next column continues from the entry
  // end instead, the trace turned inside this column and its far end is a peak.
  const runs = Array.from(top.keys())
    .map((i) => bot[i]! - top[i]!)
    .filter((v) => Number.isFinite(v))
    .sort((p1, p2) => p1 - p2);
  const penPx = runs.length ? runs[Math.floor(runs.length * 0.3)]! : 1;
  const half = penPx / 2;
  // how far height y lies outside column i's run (0 inside it)
  const runGap = (y: number, i: number): number => (y < top[i]! ? top[i]! - y : y > bot[i]! ? y - bot[i]! : 0);
  const ptX: number[] = [];
  const ptY: number[] = [];
  let exitY = Number.NaN;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(mid[i]!)) {
      exitY = Number.NaN;
      continue;
    }
    const x = xa + i;
    const len = bot[i]! - top[i]!;
    if (len <= penPx * 1.6) {
      ptX.push(x + 0.5);
      ptY.push(mid[i]!);
      exitY = mid[i]!;
      continue;
    }
    const hiEnd = top[i]! + half;
    const loEnd = bot[i]! - half;
    const before = i > 0 ? mid[i - 1]! : Number.NaN;
    const from = Number.isFinite(exitY) ? exitY : Number.isFinite(before) ? before : mid[i]!;
    const entry = Math.abs(hiEnd - from) <= Math.abs(loEnd - from) ? hiEnd : loEnd;
    const far = entry === hiEnd ? loEnd : hiEnd;
    // does the next column go on from the far end (a stroke) or come back from the entry end (a peak)? Judged by
    // the next column's run, not its centre: a one-sample spike puts its tip on the edge the two columns share,
    // and both columns' runs reach up to it while the next one's centre lies nearer this column's entry.
    const turned =
      i + 1 < n &&
      Number.isFinite(mid[i + 1]!) &&
      runGap(far, i + 1) > penPx &&
      runGap(entry, i + 1) < runGap(far, i + 1) - penPx;
    if (turned) {
      ptX.push(x, x + 0.5, x + 1);
      ptY.push(entry, far, entry);
      exitY = entry;
    } else {
      ptX.push(x, x + 1);
      ptY.push(entry, far);
      exitY = far;
    }
  }
  // points that share an x (two columns meeting at an edge) merge into their mean
  const mx: number[] = [];
  const my: number[] = [];
  for (let k = 0; k < ptX.length; k++) {
    if (mx.length && Math.abs(mx[mx.length - 1]! - ptX[k]!) < 1e-9) {
      my[my.length - 1] = (my[my.length - 1]! + ptY[k]!) / 2;
    } else {
      mx.push(ptX[k]!);
      my.push(ptY[k]!);
    }
  }
  const ys = my;
  const got = Array.from(ys)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const iso = zeroY ?? (got.length ? got[got.length >> 1]! : p.baseline);
  const start = Math.round(p.t0 * fs);
  const end = Math.round(p.t1 * fs);
  const values = new Float32Array(Math.max(0, end - start)).fill(Number.NaN);
  const pxPerS = (p.x1 - p.x0) / (p.t1 - p.t0);
  // sample k on the polyline; short gaps bridged, the ends held over the separator zone
  let j = 0;
  for (let k = start; k < end && mx.length; k++) {
    const x = p.x0 + (k / fs - p.t0) * pxPerS;
    while (j + 1 < mx.length && mx[j + 1]! < x) j++;
    let v: number;
    if (x <= mx[0]!) v = x >= mx[0]! - 2 * pxPerMm ? my[0]! : Number.NaN;
    else if (x >= mx[mx.length - 1]!) v = x <= mx[mx.length - 1]! + 2 * pxPerMm ? my[my.length - 1]! : Number.NaN;
    else {
      const gap = mx[j + 1]! - mx[j]!;
      v = gap > 6 * pxPerMm ? Number.NaN : my[j]! + ((my[j + 1]! - my[j]!) * (x - mx[j]!)) / (gap || 1);
    }
    if (Number.isFinite(v)) values[k - start] = (iso - v) / pxPerMv;
  }
  return { start, values, coverage: n ? found / n : 0 };
}
