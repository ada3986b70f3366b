/**
 * A small deterministic software rasteriser: anti-aliased thick polylines, filled polygons, axis-aligned
 * rectangles and bitmap text, drawn into a byte buffer (gray or RGBA).
 *
 * Shapes are first drawn as coverage (0..1) into a float mask, then composited once with a colour. Drawing a
 * polyline as max-coverage of its segments means joints are never blended twice (no dark beads at the
 * vertices). Only + - * / Math.sqrt/floor/ceil/min/max are used on the pixel path, all exact in IEEE-754, so
 * Node and Chromium produce identical bytes.
 */
import type { RasterImage } from './types';

export type Rgb = readonly [number, number, number];

/** Clip rectangle in pixel coordinates (x0 <= x < x1, y0 <= y < y1; fractional edges are honoured). */
export interface Clip {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Coverage masks of finished canvases, by pixel count. A mask is only pooled when fully composited (every
 * touched pixel reset to 0 by `composite`), so a pooled mask is all zeros and results never depend on history.
 */
const maskPool = new Map<number, Float32Array>();

export class Canvas {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 4;
  readonly data: Uint8ClampedArray;
  private mask: Float32Array | null = null;
  // dirty box of the mask, inclusive-exclusive; empty when mx0 >= mx1
  private mx0 = 0;
  private my0 = 0;
  private mx1 = 0;
  private my1 = 0;

  constructor(width: number, height: number, channels: 1 | 4, data?: Uint8ClampedArray) {
    this.width = width;
    this.height = height;
    this.channels = channels;
    this.data = data ?? new Uint8ClampedArray(width * height * channels);
  }

  /** The finished image. Hands the (all-zero) coverage mask back to the pool for the next canvas of this size. */
  toImage(): RasterImage {
    if (this.mask !== null && this.mx0 >= this.mx1) {
      maskPool.set(this.mask.length, this.mask);
      this.mask = null;
    }
    return { width: this.width, height: this.height, channels: this.channels, data: this.data };
  }

  /** Fills the whole canvas with one colour (alpha 255). */
  fill(color: Rgb): void {
    const d = this.data;
    if (this.channels === 1) {
      d.fill(gray(color));
      return;
    }
    const [r, g, b] = color;
    // fill one row then copy it
    const row = this.width * 4;
    for (let i = 0; i < row; i += 4) {
      d[i] = r;
      d[i + 1] = g;
      d[i + 2] = b;
      d[i + 3] = 255;
    }
    for (let y = 1; y < this.height; y++) d.copyWithin(y * row, 0, row);
  }

  private getMask(): Float32Array {
    if (this.mask === null) {
      const n = this.width * this.height;
      const pooled = maskPool.get(n);
      if (pooled !== undefined) maskPool.delete(n);
      this.mask = pooled ?? new Float32Array(n);
    }
    return this.mask;
  }

  private touch(x0: number, y0: number, x1: number, y1: number): void {
    if (this.mx0 >= this.mx1) {
      this.mx0 = x0;
      this.my0 = y0;
      this.mx1 = x1;
      this.my1 = y1;
      return;
    }
    if (x0 < this.mx0) this.mx0 = x0;
    if (y0 < this.my0) this.my0 = y0;
    if (x1 > this.mx1) this.mx1 = x1;
    if (y1 > this.my1) this.my1 = y1;
  }

  /**
   * Adds a thick anti-aliased polyline (round joins and caps) to the mask: coverage of a pixel is
   * clamp(halfWidth + 0.5 - distance(pixel centre, segment), 0, 1), combined by max over segments.
   * Pixels outside `clip` get nothing (matplotlib-style clipping to the axes).
   */
  maskPolyline(xs: ArrayLike<number>, ys: ArrayLike<number>, n: number, halfWidth: number, clip?: Clip): void {
    if (n <= 0) return;
    const m = this.getMask();
    const W = this.width;
    const cx0 = clip ? Math.max(0, Math.floor(clip.x0)) : 0;
    const cy0 = clip ? Math.max(0, Math.floor(clip.y0)) : 0;
    const cx1 = clip ? Math.min(W, Math.ceil(clip.x1)) : W;
    const cy1 = clip ? Math.min(this.height, Math.ceil(clip.y1)) : this.height;
    if (cx0 >= cx1 || cy0 >= cy1) return;
    // fractional clip edges scale coverage of the edge pixels
    const fx0 = clip ? clip.x0 : 0;
    const fy0 = clip ? clip.y0 : 0;
    const fx1 = clip ? clip.x1 : W;
    const fy1 = clip ? clip.y1 : this.height;
    const reach = halfWidth + 0.5;
    const reach2 = reach * reach;
    // inside this distance coverage is exactly 1 (no sqrt needed)
    const inner2 = reach > 1 ? (reach - 1) * (reach - 1) : -1;
    let bx0 = cx1;
    let by0 = cy1;
    let bx1 = cx0;
    let by1 = cy0;
    const segs = n === 1 ? 1 : n - 1;
    for (let s = 0; s < segs; s++) {
      const ax = xs[s]!;
      const ay = ys[s]!;
      const ex = n === 1 ? ax : xs[s + 1]!;
      const ey = n === 1 ? ay : ys[s + 1]!;
      let x0 = Math.floor(Math.min(ax, ex) - reach);
      let x1 = Math.ceil(Math.max(ax, ex) + reach);
      let y0 = Math.floor(Math.min(ay, ey) - reach);
      let y1 = Math.ceil(Math.max(ay, ey) + reach);
      if (x0 < cx0) x0 = cx0;
      if (y0 < cy0) y0 = cy0;
      if (x1 > cx1) x1 = cx1;
      if (y1 > cy1) y1 = cy1;
      if (x0 >= x1 || y0 >= y1) continue;
      if (x0 < bx0) bx0 = x0;
      if (y0 < by0) by0 = y0;
      if (x1 > bx1) bx1 = x1;
      if (y1 > by1) by1 = y1;
      const dx = ex - ax;
      const dy = ey - ay;
      const len2 = dx * dx + dy * dy;
      const inv = len2 > 0 ? 1 / len2 : 0;
      for (let y = y0; y < y1; y++) {
        const py = y + 0.5 - ay;
        let yc = 1;
        if (y < fy0) yc = y + 1 - fy0;
        else if (y + 1 > fy1) yc = fy1 - y;
        const row = y * W;
        for (let x = x0; x < x1; x++) {
          const px = x + 0.5 - ax;
          let t = (px * dx + py * dy) * inv;
          if (t < 0) t = 0;
          else if (t > 1) t = 1;
          const qx = px - t * dx;
          const qy = py - t * dy;
          const q2 = qx * qx + qy * qy;
          if (q2 >= reach2) continue;
          let c = q2 <= inner2 ? 1 : reach - Math.sqrt(q2);
          if (c > 1) c = 1;
          if (x < fx0) c *= x + 1 - fx0;
          else if (x + 1 > fx1) c *= fx1 - x;
          c *= yc;
          const i = row + x;
          if (c > m[i]!) m[i] = c;
        }
      }
    }
    if (bx0 < bx1) this.touch(bx0, by0, bx1, by1);
  }

  /** Adds an axis-aligned rectangle [x0,x1) x [y0,y1) (fractional edges = partial coverage) to the mask, additively. */
  maskRect(x0: number, y0: number, x1: number, y1: number): void {
    const ix0 = Math.max(0, Math.floor(x0));
    const iy0 = Math.max(0, Math.floor(y0));
    const ix1 = Math.min(this.width, Math.ceil(x1));
    const iy1 = Math.min(this.height, Math.ceil(y1));
    if (ix0 >= ix1 || iy0 >= iy1) return;
    const m = this.getMask();
    const W = this.width;
    for (let y = iy0; y < iy1; y++) {
      const cy = Math.min(y + 1, y1) - Math.max(y, y0);
      if (cy <= 0) continue;
      for (let x = ix0; x < ix1; x++) {
        const cx = Math.min(x + 1, x1) - Math.max(x, x0);
        if (cx <= 0) continue;
        const i = y * W + x;
        const v = m[i]! + cx * cy;
        m[i] = v > 1 ? 1 : v;
      }
    }
    this.touch(ix0, iy0, ix1, iy1);
  }

  /**
   * Adds a filled polygon (non-zero winding) to the mask with `sub` sub-scanlines per pixel row and exact
   * horizontal span coverage. `pts` = [x0, y0, x1, y1, ...].
   */
  maskPolygon(pts: ArrayLike<number>, sub = 4): void {
    const n = pts.length >> 1;
    if (n < 3) return;
    let minY = Infinity;
    let maxY = -Infinity;
    let minX = Infinity;
    let maxX = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = pts[2 * i]!;
      const y = pts[2 * i + 1]!;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
    }
    const y0 = Math.max(0, Math.floor(minY));
    const y1 = Math.min(this.height, Math.ceil(maxY));
    const x0 = Math.max(0, Math.floor(minX));
    const x1 = Math.min(this.width, Math.ceil(maxX));
    if (y0 >= y1 || x0 >= x1) return;
    const m = this.getMask();
    const W = this.width;
    const acc = new Float32Array(x1 - x0 + 1);
    const xsBuf: number[] = [];
    const dirBuf: number[] = [];
    const w = 1 / sub;
    for (let y = y0; y < y1; y++) {
      acc.fill(0);
      for (let s = 0; s < sub; s++) {
        const sy = y + (s + 0.5) * w;
        xsBuf.length = 0;
        dirBuf.length = 0;
        for (let i = 0; i < n; i++) {
          const ax = pts[2 * i]!;
          const ay = pts[2 * i + 1]!;
          const j = i + 1 === n ? 0 : i + 1;
          const bx = pts[2 * j]!;
          const by = pts[2 * j + 1]!;
          if (ay === by) continue;
          const up = ay < by;
          const lo = up ? ay : by;
          const hi = up ? by : ay;
          if (sy < lo || sy >= hi) continue;
          xsBuf.push(ax + ((sy - ay) * (bx - ax)) / (by - ay));
          dirBuf.push(up ? 1 : -1);
        }
        const k = xsBuf.length;
        if (k < 2) continue;
        // insertion sort by x (k is tiny), carrying the direction along
        for (let a = 1; a < k; a++) {
          const vx = xsBuf[a]!;
          const vd = dirBuf[a]!;
          let b = a - 1;
          while (b >= 0 && xsBuf[b]! > vx) {
            xsBuf[b + 1] = xsBuf[b]!;
            dirBuf[b + 1] = dirBuf[b]!;
            b--;
          }
          xsBuf[b + 1] = vx;
          dirBuf[b + 1] = vd;
        }
        let wind = 0;
        for (let a = 0; a < k - 1; a++) {
          wind += dirBuf[a]!;
          if (wind === 0) continue;
          let sa = xsBuf[a]!;
          let sb = xsBuf[a + 1]!;
          if (sa < x0) sa = x0;
          if (sb > x1) sb = x1;
          if (sa >= sb) continue;
          const ia = Math.floor(sa);
          const ib = Math.floor(sb);
          if (ia === ib) {
            acc[ia - x0] = acc[ia - x0]! + (sb - sa) * w;
          } else {
            acc[ia - x0] = acc[ia - x0]! + (ia + 1 - sa) * w;
            for (let x = ia + 1; x < ib; x++) acc[x - x0] = acc[x - x0]! + w;
            if (ib < x1) acc[ib - x0] = acc[ib - x0]! + (sb - ib) * w;
          }
        }
      }
      const row = y * W;
      for (let x = x0; x < x1; x++) {
        let c = acc[x - x0]!;
        if (c <= 0) continue;
        if (c > 1) c = 1;
        const i = row + x;
        if (c > m[i]!) m[i] = c;
      }
    }
    this.touch(x0, y0, x1, y1);
  }

  /**
   * Writes the coverage gathered so far (before `composite` clears it) into `out` (one byte per pixel,
   * 0..255, keeping the larger value where `out` already has one): the exact pixels a shape will ink, which
   * the wild renderer hands out as the ground-truth trace mask.
   */
  accumulateMask(out: Uint8Array): void {
    if (this.mx0 >= this.mx1 || this.mask === null) return;
    const m = this.mask;
    const W = this.width;
    for (let y = this.my0; y < this.my1; y++) {
      for (let i = y * W + this.mx0, e = y * W + this.mx1; i < e; i++) {
        const v = Math.round(m[i]! * 255);
        if (v > out[i]!) out[i] = v;
      }
    }
  }

  /** Blends `color` into the image with the mask's coverage (times alpha), then clears the mask. */
  composite(color: Rgb, alpha = 1): void {
    if (this.mx0 >= this.mx1 || this.mask === null) return;
    const m = this.mask;
    const d = this.data;
    const W = this.width;
    if (this.channels === 1) {
      const v = gray(color);
      for (let y = this.my0; y < this.my1; y++) {
        for (let i = y * W + this.mx0, e = y * W + this.mx1; i < e; i++) {
          const c = m[i]!;
          if (c === 0) continue;
          m[i] = 0;
          const a = c * alpha;
          const o = d[i]!;
          d[i] = o + (v - o) * a;
        }
      }
    } else {
      const [r, g, b] = color;
      for (let y = this.my0; y < this.my1; y++) {
        for (let i = y * W + this.mx0, e = y * W + this.mx1; i < e; i++) {
          const c = m[i]!;
          if (c === 0) continue;
          m[i] = 0;
          const a = c * alpha;
          const p = i * 4;
          const o0 = d[p]!;
          const o1 = d[p + 1]!;
          const o2 = d[p + 2]!;
          d[p] = o0 + (r - o0) * a;
          d[p + 1] = o1 + (g - o1) * a;
          d[p + 2] = o2 + (b - o2) * a;
        }
      }
    }
    this.mx0 = this.mx1 = this.my0 = this.my1 = 0;
  }

  /** Darkens (multiplies towards black) by the mask's coverage times `darkness`, then clears the mask. */
  compositeDarken(darkness: number): void {
    this.composite([0, 0, 0], darkness);
  }

  /** Direct anti-aliased axis-aligned rectangle fill (no mask). */
  fillRect(x0: number, y0: number, x1: number, y1: number, color: Rgb, alpha = 1): void {
    this.maskRect(x0, y0, x1, y1);
    this.composite(color, alpha);
  }

  /** Draws a thick polyline in one colour. */
  strokePolyline(
    xs: ArrayLike<number>,
    ys: ArrayLike<number>,
    n: number,
    width: number,
    color: Rgb,
    clip?: Clip,
  ): void {
    this.maskPolyline(xs, ys, n, width / 2, clip);
    this.composite(color);
  }

  /** Draws one straight line segment. */
  line(ax: number, ay: number, bx: number, by: number, width: number, color: Rgb, clip?: Clip): void {
    this.strokePolyline([ax, bx], [ay, by], 2, width, color, clip);
  }

  /** Fills a polygon in one colour (alpha = opacity). */
  fillPolygon(pts: ArrayLike<number>, color: Rgb, alpha = 1): void {
    this.maskPolygon(pts);
    this.composite(color, alpha);
  }
}

/**
 * Path simplification, as matplotlib does before drawing (rcParam path.simplify_threshold = 1/9 px):
 * drops vertices while every dropped one lies within `tol` pixels of the straight segment that replaces it
 * (and projects inside it, so spikes are never cut). Compacts xs/ys in place; returns the new length.
 * Halves the vertex count of a typical EKG trace at no visible cost.
 */
export function simplifyPolyline(xs: Float32Array, ys: Float32Array, n: number, tol = 1 / 9): number {
  if (n <= 2) return n;
  let out = 1; // xs[0] stays
  let a = 0;
  let j = 2;
  const tol2 = tol * tol;
  while (j < n) {
    const ax = xs[a]!;
    const ay = ys[a]!;
    const dx = xs[j]! - ax;
    const dy = ys[j]! - ay;
    const len2 = dx * dx + dy * dy;
    // runs are capped at 64 vertices so a long flat trace stays O(n)
    let ok = len2 > 0 && j - a <= 64;
    for (let i = a + 1; ok && i < j; i++) {
      const px = xs[i]! - ax;
      const py = ys[i]! - ay;
      const dot = px * dx + py * dy;
      const cross = px * dy - py * dx;
      if (dot < 0 || dot > len2 || cross * cross > tol2 * len2) ok = false;
    }
    if (ok) {
      j++;
    } else {
      // keep vertex j - 1 and start a new run there
      a = j - 1;
      xs[out] = xs[a]!;
      ys[out] = ys[a]!;
      out++;
      j = a + 2;
    }
  }
  xs[out] = xs[n - 1]!;
  ys[out] = ys[n - 1]!;
  return out + 1;
}

/** Rec. 601 luma of an RGB colour, rounded; what a gray canvas stores for that colour. */
export function gray(color: Rgb): number {
  return Math.round(0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]);
}

/** Parses '#rrggbb'. */
export function hex(text: string): Rgb {
  const v = parseInt(text.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
