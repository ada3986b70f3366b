/**
 * Float planes the digitiser works on, and the few image operations it needs (bilinear warps and a
 * separable box blur). Pure typed-array code: the same in the browser and in Node.
 */
import type { RasterImage } from '../render/types';

export interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

export function plane(width: number, height: number): Plane {
  return { width, height, data: new Float32Array(width * height) };
}

/**
 * Luminance (BT.601) and an "ink" plane in which the grid fades and the trace stays dark: the maximum over the
 * colour channels in which the trace is dark. The trace's colour is the mean of the darkest 0.5% of pixels, the
 * paper's that of the brightest 20%; a channel counts when the trace is below 60% of the paper in it. A black
 * trace keeps all three channels, so red, orange, green and blue grids (each bright in some channel) all read as
 * paper; a blue trace keeps red and green only. Grey grids stay (lighter than the trace).
 */
export function lumaAndInk(image: RasterImage, force?: number[]): { luma: Plane; ink: Plane; channels: string } {
  const { width, height, channels, data } = image;
  const luma = plane(width, height);
  const ink = plane(width, height);
  const n = width * height;
  if (channels === 1) {
    for (let i = 0; i < n; i++) luma.data[i] = ink.data[i] = data[i]!;
    return { luma, ink, channels: 'gray' };
  }
  const hist = new Uint32Array(256);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const l = 0.299 * data[j]! + 0.587 * data[j + 1]! + 0.114 * data[j + 2]!;
    luma.data[i] = l;
    hist[l | 0]!++;
  }
  const level = (q: number): number => {
    let acc = 0;
    for (let v = 0; v < 256; v++) {
      acc += hist[v]!;
      if (acc >= q * n) return v;
    }
    return 255;
  };
  const dark = level(0.005);
  const bright = level(0.8);
  const t = [0, 0, 0];
  const p = [0, 0, 0];
  let nt = 0;
  let np = 0;
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const l = luma.data[i]!;
    if (l <= dark) {
      for (let c = 0; c < 3; c++) t[c]! += data[j + c]!;
      nt++;
    } else if (l >= bright) {
      for (let c = 0; c < 3; c++) p[c]! += data[j + c]!;
      np++;
    }
  }
  const use = [0, 1, 2].filter((c) => nt > 0 && np > 0 && t[c]! / nt < 0.6 * (p[c]! / np));
  const keep = force ?? (use.length > 0 ? use : [0, 1]);
  const [c0, c1, c2] = [keep.includes(0), keep.includes(1), keep.includes(2)];
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    let m = 0;
    if (c0 && data[j]! > m) m = data[j]!;
    if (c1 && data[j + 1]! > m) m = data[j + 1]!;
    if (c2 && data[j + 2]! > m) m = data[j + 2]!;
    ink.data[i] = m;
  }
  return { luma, ink, channels: keep.map((c) => 'RGB'[c]).join('') };
}

/** Bilinear sample with edge clamping. */
export function sample(p: Plane, x: number, y: number): number {
  const w = p.width;
  const h = p.height;
  const fx = x < 0 ? 0 : x > w - 1 ? w - 1 : x;
  const fy = y < 0 ? 0 : y > h - 1 ? h - 1 : y;
  const ix = fx | 0;
  const iy = fy | 0;
  const ax = fx - ix;
  const ay = fy - iy;
  const i0 = iy * w + ix;
  const x1 = ix + 1 < w ? 1 : 0;
  const y1 = iy + 1 < h ? w : 0;
  const a = p.data[i0]! + (p.data[i0 + x1]! - p.data[i0]!) * ax;
  const b = p.data[i0 + y1]! + (p.data[i0 + y1 + x1]! - p.data[i0 + y1]!) * ax;
  return a + (b - a) * ay;
}

/**
 * A new plane of size w x h whose pixel (x, y) is `src` at `map(x + 0.5, y + 0.5)` (pixel-centre coordinates
 * in, source pixel-centre coordinates out), or `fill` outside the source.
 */
export function warp(
  src: Plane,
  w: number,
  h: number,
  map: (x: number, y: number) => [number, number],
  fill: number,
): Plane {
  const out = plane(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [u, v] = map(x + 0.5, y + 0.5);
      const sx = u - 0.5;
      const sy = v - 0.5;
      out.data[y * w + x] =
        sx < -0.5 || sy < -0.5 || sx > src.width - 0.5 || sy > src.height - 0.5 ? fill : sample(src, sx, sy);
    }
  }
  return out;
}

/** Area-average downscale by an integer factor k (k = 1 returns the plane itself). */
export function shrink(p: Plane, k: number): Plane {
  if (k <= 1) return p;
  const w = Math.floor(p.width / k);
  const h = Math.floor(p.height / k);
  const out = plane(w, h);
  const inv = 1 / (k * k);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < k; dy++) {
        const row = (y * k + dy) * p.width + x * k;
        for (let dx = 0; dx < k; dx++) s += p.data[row + dx]!;
      }
      out.data[y * w + x] = s * inv;
    }
  }
  return out;
}

/** Running-sum box blur of radius r, rows then columns (edges average what is inside). */
export function boxBlur(p: Plane, r: number): Plane {
  const { width: w, height: h } = p;
  const tmp = new Float32Array(w * h);
  const out = plane(w, h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    let s = 0;
    let c = 0;
    for (let k = 0; k <= r && k < w; k++) {
      s += p.data[o + k]!;
      c++;
    }
    for (let x = 0; x < w; x++) {
      tmp[o + x] = s / c;
      if (x + r + 1 < w) {
        s += p.data[o + x + r + 1]!;
        c++;
      }
      if (x - r >= 0) {
        s -= p.data[o + x - r]!;
        c--;
      }
    }
  }
  for (let x = 0; x < w; x++) {
    let s = 0;
    let c = 0;
    for (let k = 0; k <= r && k < h; k++) {
      s += tmp[k * w + x]!;
      c++;
    }
    for (let y = 0; y < h; y++) {
      out.data[y * w + x] = s / c;
      if (y + r + 1 < h) {
        s += tmp[(y + r + 1) * w + x]!;
        c++;
      }
      if (y - r >= 0) {
        s -= tmp[(y - r) * w + x]!;
        c--;
      }
    }
  }
  return out;
}

/** Max filter of radius r (rows then columns). */
export function maxFilter(p: Plane, r: number): Plane {
  const { width: w, height: h } = p;
  const tmp = new Float32Array(w * h);
  const out = plane(w, h);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) {
      let m = -Infinity;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) if (p.data[o + k]! > m) m = p.data[o + k]!;
      tmp[o + x] = m;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      let m = -Infinity;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) if (tmp[k * w + x]! > m) m = tmp[k * w + x]!;
      out.data[y * w + x] = m;
    }
  }
  return out;
}

/** The local paper level (max filter then box blur, like the classifier's 'ink-flat' tone) and v / level in 0..1. */
export function flatten(p: Plane, radius: number, floor = 60): Plane {
  const level = boxBlur(maxFilter(p, radius), radius * 2);
  const out = plane(p.width, p.height);
  for (let i = 0; i < out.data.length; i++) {
    const l = level.data[i]!;
    const v = p.data[i]! / (l > floor ? l : floor);
    out.data[i] = v > 1 ? 1 : v;
  }
  return out;
}
