/**
 * Stage 1 of the digitiser: the sheet and its grid.
 *
 * - `findPaper`: in a photo, the sheet is the largest bright region; its four corners are the extremes of x+y
 *   and x-y on that region's outline (good for tilts well below 45 degrees). When the bright region fills the
 *   frame (scans, crops, screenshots) there is nothing to rectify.
 * - `rectify`: maps that quadrilateral onto an upright rectangle (a homography), long side horizontal.
 * - `estimateSkew`: the small remaining rotation, from the angle at which horizontal projection profiles of the
 *   ink are sharpest (traces and grid lines run along the rows).
 * - `estimateGrid`: pixels per millimetre from the periodicity of the grid (row and column profiles of the
 *   darkness, their spectrum between 2.5 and 80 px; a 5 mm period is told from a 1 mm one by its harmonics and by
 *   the page size), with a page-width prior when the paper has no visible grid.
 * - `gridNear`: the grid's period close to a scale found another way (the traces' length), for when
 *   `estimateGrid` took a wrong peak.
 */
import { homography } from '../render/styles/photo';
import { boxBlur, plane, shrink, warp, type Plane } from './planes';

export type Point = [number, number];

export interface PaperQuad {
  /** top-left, top-right, bottom-right, bottom-left in image pixels. */
  corners: Point[];
  /** Fraction of the image the bright region covers. */
  coverage: number;
}

function otsu(values: Float32Array): number {
  const hist = new Float64Array(256);
  for (const v of values) hist[Math.max(0, Math.min(255, v | 0))]!++;
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let thr = 128;
  for (let t = 0; t < 256; t++) {
    wB += hist[t]!;
    if (wB === 0) continue;
    const wF = n - wB;
    if (wF === 0) break;
    sumB += t * hist[t]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      thr = t;
    }
  }
  return thr;
}

/** The largest 4-connected component of `mask` (1 = in), as a mask. */
function largestComponent(mask: Uint8Array, w: number, h: number): { mask: Uint8Array; size: number } {
  const label = new Int32Array(w * h);
  let best = 0;
  let bestLabel = 0;
  let next = 1;
  const stack: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (!mask[i] || label[i]) continue;
    let size = 0;
    stack.push(i);
    label[i] = next;
    while (stack.length) {
      const j = stack.pop()!;
      size++;
      const x = j % w;
      const y = (j / w) | 0;
      for (const k of [x > 0 ? j - 1 : -1, x < w - 1 ? j + 1 : -1, y > 0 ? j - w : -1, y < h - 1 ? j + w : -1]) {
        if (k >= 0 && mask[k] && !label[k]) {
          label[k] = next;
          stack.push(k);
        }
      }
    }
    if (size > best) {
      best = size;
      bestLabel = next;
    }
    next++;
  }
  const out = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) if (label[i] === bestLabel) out[i] = 1;
  return { mask: out, size: best };
}

/** The sheet in a photo, or null when it fills the frame (or cannot be told from the background). */
export function findPaper(luma: Plane): PaperQuad | null {
  const k = Math.max(1, Math.floor(Math.max(luma.width, luma.height) / 240));
  const small = boxBlur(shrink(luma, k), 1);
  const { width: w, height: h } = small;
  const t = otsu(small.data);
  const bright = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) bright[i] = small.data[i]! > t ? 1 : 0;
  const { mask, size } = largestComponent(bright, w, h);
  const coverage = size / (w * h);
  if (coverage > 0.9 || coverage < 0.15) return null;
  // corners: extremes of x+y and x-y over the component
  let tl: Point = [0, 0];
  let tr: Point = [0, 0];
  let br: Point = [0, 0];
  let bl: Point = [0, 0];
  let sMin = Infinity;
  let sMax = -Infinity;
  let dMin = Infinity;
  let dMax = -Infinity;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      const s = x + y;
      const d = x - y;
      if (s < sMin) [sMin, tl] = [s, [x, y]];
      if (s > sMax) [sMax, br] = [s, [x + 1, y + 1]];
      if (d > dMax) [dMax, tr] = [d, [x + 1, y]];
      if (d < dMin) [dMin, bl] = [d, [x, y + 1]];
    }
  }
  // a quadrilateral that touches the frame edge on a whole side is a crop, not a sheet lying on a table
  const touches = [tl, tr, br, bl].filter(([x, y]) => x <= 1 || y <= 1 || x >= w - 1 || y >= h - 1).length;
  if (touches >= 3) return null;
  // a sheet on a table stands out from what is around it: the band outside the quadrilateral must be clearly
  // darker than the sheet (a page that fills the frame has only more page or margin there)
  const inside = (x: number, y: number, grow: number): boolean => {
    const q = [tl, tr, br, bl];
    const cx = (tl[0] + tr[0] + br[0] + bl[0]) / 4;
    const cy = (tl[1] + tr[1] + br[1] + bl[1]) / 4;
    for (let i = 0; i < 4; i++) {
      const [ax, ay] = q[i]!;
      const [bx, by] = q[(i + 1) % 4]!;
      const side = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
      const ref = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
      const len = Math.hypot(bx - ax, by - ay) || 1;
      if (side * Math.sign(ref) < -grow * len) return false;
    }
    return true;
  };
  let inSum = 0;
  let inN = 0;
  let outSum = 0;
  let outN = 0;
  const band = Math.max(2, Math.round(Math.min(w, h) * 0.04));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small.data[y * w + x]!;
      if (inside(x, y, -band)) {
        inSum += v;
        inN++;
      } else if (!inside(x, y, 0) && inside(x, y, band)) {
        outSum += v;
        outN++;
      }
    }
  }
  if (outN < band * 4 || outSum / outN > inSum / Math.max(1, inN) - 35) return null;
  return { corners: [tl, tr, br, bl].map(([x, y]) => [x * k, y * k] as Point), coverage };
}

const dist = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/**
 * The sheet cut out and made upright: a homography from the quadrilateral onto a rectangle of about the same
 * size, turned so the long side is horizontal (an EKG page is landscape).
 */
export function rectify(
  p: Plane,
  quad: PaperQuad,
  fill = 255,
): { plane: Plane; toImage: (x: number, y: number) => Point } {
  let [tl, tr, br, bl] = quad.corners as [Point, Point, Point, Point];
  const top = (dist(tl, tr) + dist(bl, br)) / 2;
  const side = (dist(tl, bl) + dist(tr, br)) / 2;
  if (side > top) [tl, tr, br, bl] = [bl, tl, tr, br]; // portrait in the frame: turn a quarter
  const W = Math.round((dist(tl, tr) + dist(bl, br)) / 2);
  const H = Math.round((dist(tl, bl) + dist(tr, br)) / 2);
  const h = homography(
    [
      [0, 0],
      [W, 0],
      [W, H],
      [0, H],
    ],
    [tl, tr, br, bl],
  );
  const toImage = (x: number, y: number): Point => {
    const d = h[6]! * x + h[7]! * y + 1;
    return [(h[0]! * x + h[1]! * y + h[2]!) / d, (h[3]! * x + h[4]! * y + h[5]!) / d];
  };
  return { plane: warp(p, W, H, toImage, fill), toImage };
}

/**
 * Rotation (degrees, counter-clockwise positive as the image shows it) that makes rows horizontal: the angle in
 * [-limit, limit] whose sheared row profile of `dark` (darkness, 0 = paper) has the largest sum of squared
 * differences between neighbouring rows (sharp lines give big steps).
 */
export function estimateSkew(dark: Plane, limit = 5): number {
  const k = Math.max(1, Math.floor(Math.max(dark.width, dark.height) / 700));
  const p = shrink(dark, k);
  const { width: w, height: h } = p;
  const score = (deg: number): number => {
    const t = Math.tan((deg * Math.PI) / 180);
    const prof = new Float64Array(h + 2 * Math.ceil(Math.abs(t) * w) + 2);
    const off = Math.ceil(Math.abs(t) * w) + 1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const yy = y - x * t + off;
        const iy = yy | 0;
        const a = yy - iy;
        const v = p.data[y * w + x]!;
        prof[iy] = prof[iy]! + v * (1 - a);
        prof[iy + 1] = prof[iy + 1]! + v * a;
      }
    }
    let s = 0;
    for (let i = 1; i < prof.length; i++) s += (prof[i]! - prof[i - 1]!) ** 2;
    return s;
  };
  let best = 0;
  let bestScore = -Infinity;
  for (let d = -limit; d <= limit + 1e-9; d += 0.25) {
    const s = score(d);
    if (s > bestScore) [bestScore, best] = [s, d];
  }
  const coarse = best;
  for (let d = coarse - 0.25; d <= coarse + 0.25 + 1e-9; d += 0.05) {
    const s = score(d);
    if (s > bestScore) [bestScore, best] = [s, d];
  }
  return best;
}

/** `p` rotated by `deg` about its centre (same size; outside filled with `fill`). */
export function rotate(p: Plane, deg: number, fill: number): Plane {
  if (deg === 0) return p;
  const th = (deg * Math.PI) / 180;
  const c = Math.cos(th);
  const s = Math.sin(th);
  const cx = p.width / 2;
  const cy = p.height / 2;
  // output pixel (x, y) shows the input at the point rotated back
  return warp(
    p,
    p.width,
    p.height,
    (x, y) => [cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c],
    fill,
  );
}

export interface GridEstimate {
  /** Pixels per millimetre. */
  pxPerMm: number;
  /**
   * How it was found: the grid's period (and which one), the page-width prior, or (set by the digitiser, when the
   * grid's period made the traces implausibly long or short, or showed no trace rows) the traces' own length, 250 mm,
   * where no grid period stands out near that length's scale (`gridNear`, which reports the grid's source).
   */
  source: 'grid-1mm' | 'grid-5mm' | 'page-width' | 'trace-length';
  /** Relative strength of the winning period in the spectrum (0..1). */
  strength: number;
}

/** Spectral power of a (high-passed) profile at period `per` px. */
function powerAt(x: Float64Array, per: number): number {
  let re = 0;
  let im = 0;
  const w = (2 * Math.PI) / per;
  for (let i = 0; i < x.length; i++) {
    re += x[i]! * Math.cos(w * i);
    im += x[i]! * Math.sin(w * i);
  }
  return (re * re + im * im) / x.length;
}

function highPassProfile(values: Float64Array, r: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (let k = Math.max(0, i - r); k <= Math.min(n - 1, i + r); k++) {
      s += values[k]!;
      c++;
    }
    out[i] = values[i]! - s / c;
  }
  return out;
}

/** The darkness summed down each column and along each row, less its slow trend: where a grid's period shows. */
function gridProfiles(dark: Plane): { cp: Float64Array; rp: Float64Array } {
  const { width: w, height: h } = dark;
  const col = new Float64Array(w);
  const row = new Float64Array(h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = dark.data[y * w + x]!;
      col[x] = col[x]! + v;
      row[y] = row[y]! + v;
    }
  }
  return { cp: highPassProfile(col, 40), rp: highPassProfile(row, 40) };
}

/**
 * Pixels per millimetre from the grid. `dark` is the upright sheet's darkness (255 - luma); `pageMmHint` the
 * width in millimetres the image would span if it showed a whole landscape page (used only to choose between
 * the 1 mm and 5 mm periods when the spectrum cannot, and as the fallback).
 */
export function estimateGrid(dark: Plane, pageMmHint = 280): GridEstimate {
  const { width: w, height: h } = dark;
  const { cp, rp } = gridProfiles(dark);
  // a sheet (or a crop of one) spans 150-450 mm across: only the periods a 1 mm or a 5 mm grid can have then
  const ppmLo = w / 450;
  const ppmHi = w / 150;
  const spec: Array<[number, number]> = [];
  if (w < 60 || h < 40) return { pxPerMm: w / pageMmHint, source: 'page-width', strength: 0 };
  for (let per = Math.max(2.5, ppmLo); per <= Math.min(80, 5 * ppmHi); per *= 1.01)
    spec.push([per, powerAt(cp, per) + powerAt(rp, per)]);
  // refine around the best period
  let [bestPer, bestPow] = spec.reduce((a, b) => (b[1] > a[1] ? b : a));
  for (let per = bestPer * 0.99; per <= bestPer * 1.01; per += bestPer * 0.001) {
    const pw = powerAt(cp, per) + powerAt(rp, per);
    if (pw > bestPow) [bestPow, bestPer] = [pw, per];
  }
  const total = spec.reduce((s, [, p]) => s + p, 0) / spec.length;
  const strength = bestPow / (bestPow + 10 * total);
  const prior = w / pageMmHint;
  if (strength < 0.2) return { pxPerMm: prior, source: 'page-width', strength };
  // the 1 mm lines' period has a strong 5x companion (the 5 mm lines); a 5 mm period has none at 1/5
  const fifth = bestPer / 5;
  const fifthPow = fifth >= 2.5 ? powerAt(cp, fifth) + powerAt(rp, fifth) : 0;
  const fiveX = bestPer * 5 <= w / 3 ? powerAt(cp, bestPer * 5) + powerAt(rp, bestPer * 5) : 0;
  let oneMm: boolean;
  if (fifthPow > bestPow * 0.15) oneMm = false;
  else if (fiveX > bestPow * 0.3) oneMm = true;
  else oneMm = Math.abs(Math.log(bestPer / prior)) < Math.abs(Math.log(bestPer / 5 / prior));
  // a period that cannot be 1 mm (or 5 mm) on a sheet of sane size decides by itself
  if (bestPer / 5 < ppmLo) oneMm = true;
  else if (bestPer > ppmHi) oneMm = false;
  if (oneMm) return { pxPerMm: bestPer, source: 'grid-1mm', strength };
  // 5 mm lines: a period at a fifth of theirs (1 mm lines, or their own fifth harmonic) measures the grid five
  // times finer. Its peak is five times narrower, and the search's 1% steps can pass over it; the 5 mm lines'
  // broad one is pulled by the traces (0.56% off on a 12x1 fold-9 wild printout whose 1 mm peak, under 0.02% off,
  // was twice as strong: a 10-second row's last samples 5 late). Looked for finely within 1.5% of the fifth
  if (fifth >= 2.5) {
    let [onePer, onePow] = [fifth, fifthPow];
    for (let k = -75; k <= 75; k++) {
      const per = fifth * (1 + k * 2e-4);
      const pw = powerAt(cp, per) + powerAt(rp, per);
      if (pw > onePow) [onePow, onePer] = [pw, per];
    }
    if (onePow >= 0.3 * bestPow) return { pxPerMm: onePer, source: 'grid-1mm', strength };
  }
  return { pxPerMm: bestPer / 5, source: 'grid-5mm', strength };
}

/**
 * The grid's period near a scale found another way (the traces' own length, which is only good to a few percent:
 * their ends are ragged): the strongest 1 mm or 5 mm period within `tol` of it, when it stands out of the spectrum
 * around it as a grid's does; else null. Where `estimateGrid` took a wrong peak (faint, dotted or 5 mm-only grids),
 * this gives the time axis the grid's exact scale back.
 */
export function gridNear(dark: Plane, pxPerMm: number, tol = 0.06): GridEstimate | null {
  const { width: w } = dark;
  const { cp, rp } = gridProfiles(dark);
  const power = (per: number) => powerAt(cp, per) + powerAt(rp, per);
  const found: Array<GridEstimate & { fiveX: boolean }> = [];
  for (const mm of [1, 5] as const) {
    const centre = mm * pxPerMm;
    if (centre < 2.5 || centre > w / 4) continue;
    let bestPer = centre;
    let bestPow = -1;
    for (let per = centre * (1 - tol); per <= centre * (1 + tol); per *= 1.002) {
      const p = power(per);
      if (p > bestPow) [bestPow, bestPer] = [p, per];
    }
    // and finely around the best (a sample is 0.1% of a 250 mm row)
    for (let per = bestPer * 0.997, top = bestPer * 1.003; per <= top; per += bestPer * 1e-4) {
      const p = power(per);
      if (p > bestPow) [bestPow, bestPer] = [p, per];
    }
    // the spectrum around it (0.7-1.4 times the period, the peak's own neighbourhood left out)
    let sum = 0;
    let n = 0;
    for (let per = centre * 0.7; per <= centre * 1.4; per *= 1.01) {
      if (Math.abs(per / bestPer - 1) < 0.04) continue;
      sum += power(per);
      n++;
    }
    const strength = bestPow / (bestPow + 10 * (sum / Math.max(n, 1)));
    // a peak at the very edge of the window is the slope of a peak outside it, not one here; and a 1 mm period
    // comes with its 5 mm lines (as estimateGrid asks), else it may be one of the 5 mm lines' own harmonics
    const edge = Math.abs(bestPer / centre - 1) > tol * 0.95;
    const fiveX = mm === 1 && 5 * bestPer <= w / 3 ? power(5 * bestPer) : bestPow;
    // and a grid's lines run both ways: the period shows in the column and the row profile alike (rows of trace
    // equally spaced, or a trace's beats, make one profile periodic, not both)
    const [px, py] = [powerAt(cp, bestPer), powerAt(rp, bestPer)];
    const bothWays = Math.min(px, py) >= 0.1 * Math.max(px, py);
    if (!edge && bothWays && strength >= 0.2)
      found.push({
        pxPerMm: bestPer / mm,
        source: mm === 1 ? 'grid-1mm' : 'grid-5mm',
        strength,
        fiveX: fiveX >= 0.3 * bestPow,
      });
  }
  // a 5 mm period with a 1 mm one at a fifth of it (within 1%): the narrow peak measures the grid. Whether 1 mm
  // lines or the 5 mm lines' fifth harmonic, it is five times further out in the spectrum than the 5 mm lines' own,
  // whose broad peak the traces pull: 0.25-0.56% off on three 12x1 fold-9 wild printouts (development), the last
  // samples of a 10-second row 3-5 late; the 1 mm period was within 0.01%. (The 5 mm lines' power at exactly five
  // times it can then miss the companion test below.)
  const one = found.find((g) => g.source === 'grid-1mm');
  const five = found.find((g) => g.source === 'grid-5mm' && g.fiveX);
  if (one && five && Math.abs(five.pxPerMm / one.pxPerMm - 1) <= 0.01)
    return { pxPerMm: one.pxPerMm, source: one.source, strength: one.strength };
  // else the stronger of those that pass
  return found
    .filter((g) => g.fiveX)
    .reduce<GridEstimate | null>(
      (best, g) =>
        !best || g.strength > best.strength ? { pxPerMm: g.pxPerMm, source: g.source, strength: g.strength } : best,
      null,
    );
}

export { plane };
