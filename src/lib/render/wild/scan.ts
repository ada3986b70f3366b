/**
 * wild-scan: the wild sheet through a flatbed scanner or a fax. Drawn from the seed (sub-generator
 * 'wild-scan') and returned as `ScanParams`:
 *
 *   dpi            72-300 (uniform); the sheet is drawn at that resolution, capped at 1400 px on the long side
 *                  (x scale), which is what a reader would upload after an export anyway
 *   skewDeg        -3 .. 3 (the page laid crooked on the glass), scanner-bed white outside the page
 *   gray           45%: a grey-scale scan
 *   binarise       15%: fax-like 1-bit output, threshold 0.45-0.7 of the paper level (then always grey)
 *   gamma          0.75 .. 1.35, brightness 0.92 .. 1.08 (scanner exposure)
 *   lamp           0 .. 0.1: brightness falloff towards one edge
 *   lidShadow      20%: a dark band 0.5-3% of the width along one edge (the lid's shadow)
 *   noiseSigma     0.5 .. 5 levels; specks 0-400 dust dots (fax: 50-400)
 *   jpegQuality    75%: 35 .. 95; else lossless
 *   relief         20%: the sheet was crumpled or folded before it was scanned: 0-2 folds, 6-60 wrinkles of
 *                  strength 0.04-0.35, crumple 0-0.45 (relief.ts; the scanner's light shows them as shading)
 */
import { averageChroma, jpegYcc, ycbcrPlanes } from '../jpeg';
import { blurPlane, scratch } from '../optics';
import { randInt, subRng, uniform } from '../prng';
import { Canvas } from '../raster';
import { paperRelief, shadeSheet, type ReliefParams } from './relief';

export interface ScanParams {
  dpi: number;
  /** Pixels per millimetre actually drawn (dpi / 25.4, capped). */
  pxPerMm: number;
  width: number;
  height: number;
  skewDeg: number;
  gray: boolean;
  binarise: boolean;
  threshold: number;
  gamma: number;
  brightness: number;
  lamp: number;
  lampAngleDeg: number;
  lidShadow: number;
  lidEdge: 'left' | 'right' | 'top' | 'bottom';
  noiseSigma: number;
  specks: number;
  jpegQuality: number | null;
  relief: ReliefParams | null;
}

export const SCAN_MAX_LONG_SIDE = 1400;

export function drawScanParams(seed: number, pageMm: readonly [number, number], scale: number): ScanParams {
  const r = subRng(seed, 'wild-scan');
  const dpi = Math.round(uniform(r, 72, 300));
  const pxPerMm = Math.min(dpi / 25.4, (SCAN_MAX_LONG_SIDE * scale) / Math.max(pageMm[0], pageMm[1]));
  const skewDeg = uniform(r, -3, 3);
  const binarise = r() < 0.15;
  const gray = binarise || r() < 0.45;
  const threshold = uniform(r, 0.45, 0.7);
  const gamma = uniform(r, 0.75, 1.35);
  const brightness = uniform(r, 0.92, 1.08);
  const lamp = uniform(r, 0, 0.1);
  const lampAngleDeg = uniform(r, 0, 360);
  const lidShadow = r() < 0.2 ? uniform(r, 0.005, 0.03) : 0;
  const lidEdge = (['left', 'right', 'top', 'bottom'] as const)[randInt(r, 0, 3)]!;
  const noiseSigma = uniform(r, 0.5, 5);
  const specks = binarise ? randInt(r, 50, 400) : randInt(r, 0, 400) * (r() < 0.5 ? 1 : 0);
  const jpegQuality = r() < 0.75 ? randInt(r, 35, 95) : null;
  // drawn from its own generator, so the draws above keep their values
  const rr = subRng(seed, 'wild-scan-relief');
  let relief: ReliefParams | null = null;
  if (rr() < 0.2) {
    const folds: ReliefParams['folds'] = [];
    const nf = randInt(rr, 0, 2);
    for (let k = 0; k < nf; k++) {
      const vertical = rr() < 0.5;
      const p = uniform(rr, 0.3, 0.7);
      const strength = uniform(rr, 0.05, 0.18);
      folds.push(
        vertical
          ? { x0: p * pageMm[0], y0: 0, x1: p * pageMm[0], y1: pageMm[1], strength }
          : { x0: 0, y0: p * pageMm[1], x1: pageMm[0], y1: p * pageMm[1], strength },
      );
    }
    relief = {
      folds,
      wrinkles: randInt(rr, 6, 60),
      wrinkleStrength: uniform(rr, 0.04, 0.35),
      crumple: uniform(rr, 0, 0.45),
      crumpleCell: uniform(rr, 12, 40),
    };
  }
  return {
    dpi,
    pxPerMm,
    width: Math.round(pageMm[0] * pxPerMm),
    height: Math.round(pageMm[1] * pxPerMm),
    skewDeg,
    gray,
    binarise,
    threshold,
    gamma,
    brightness,
    lamp,
    lampAngleDeg,
    lidShadow,
    lidEdge,
    noiseSigma,
    specks,
    jpegQuality,
    relief,
  };
}

/** Scans `sheet` (drawn at P.pxPerMm): skew, exposure, lamp, lid shadow, noise, specks, fax, JPEG. */
export function scanSheet(sheet: Canvas, P: ScanParams, seed: number, mask?: Uint8Array, maskOut?: Uint8Array): Canvas {
  const W = sheet.width;
  const H = sheet.height;
  if (P.relief) {
    const relief = paperRelief(P.relief, W, H, P.pxPerMm, seed);
    if (relief) shadeSheet(sheet, relief);
  }
  const sd = sheet.data;
  const { Y, Cb, Cr } = ycbcrPlanes(W, H);
  const th = (P.skewDeg * Math.PI) / 180;
  const ct = Math.cos(th);
  const st = Math.sin(th);
  const cx = W / 2;
  const cy = H / 2;
  const la = (P.lampAngleDeg * Math.PI) / 180;
  const lx = Math.cos(la) / Math.max(W, H);
  const ly = Math.sin(la) / Math.max(W, H);
  // exposure (gamma, brightness) as a table on the sheet's 8-bit values, applied before interpolation
  const lut = new Float32Array(256);
  // (rounded to 1/1024 so that an engine's last-bit difference in Math.pow cannot reach the pixels)
  for (let i = 0; i < 256; i++) lut[i] = Math.round(255 * Math.pow(i / 255, 1 / P.gamma) * P.brightness * 1024) / 1024;
  const bed = lut[246]!; // the scanner lid's white
  const cw = (W + 1) >> 1;
  for (let y = 0; y < H; y++) {
    // output pixel -> sheet pixel: rotate about the centre (the page lies skewed on the glass)
    const fy = y + 0.5 - cy;
    let u = ct * (0.5 - cx) + st * fy + cx;
    let v = -st * (0.5 - cx) + ct * fy + cy;
    const row = y * W;
    const cRow = (y >> 1) * cw;
    for (let x = 0; x < W; x++, u += ct, v -= st) {
      let r = bed;
      let g = bed;
      let b = bed;
      let mk = 0;
      const sx = u - 0.5;
      const sy = v - 0.5;
      if (sx > -1 && sy > -1 && sx < W && sy < H) {
        const ix = sx < 0 ? 0 : sx | 0;
        const iy = sy < 0 ? 0 : sy | 0;
        const ax = sx < 0 ? 0 : sx - ix;
        const ay = sy < 0 ? 0 : sy - iy;
        const x1 = ix + 1 < W ? ix + 1 : ix;
        const y1 = iy + 1 < H ? iy + 1 : iy;
        const p00 = (iy * W + ix) * 4;
        const p10 = (iy * W + x1) * 4;
        const p01 = (y1 * W + ix) * 4;
        const p11 = (y1 * W + x1) * 4;
        let t0 = lut[sd[p00]!]!;
        let t1 = lut[sd[p01]!]!;
        t0 += (lut[sd[p10]!]! - t0) * ax;
        t1 += (lut[sd[p11]!]! - t1) * ax;
        r = t0 + (t1 - t0) * ay;
        t0 = lut[sd[p00 + 1]!]!;
        t1 = lut[sd[p01 + 1]!]!;
        t0 += (lut[sd[p10 + 1]!]! - t0) * ax;
        t1 += (lut[sd[p11 + 1]!]! - t1) * ax;
        g = t0 + (t1 - t0) * ay;
        t0 = lut[sd[p00 + 2]!]!;
        t1 = lut[sd[p01 + 2]!]!;
        t0 += (lut[sd[p10 + 2]!]! - t0) * ax;
        t1 += (lut[sd[p11 + 2]!]! - t1) * ax;
        b = t0 + (t1 - t0) * ay;
        if (mask !== undefined)
          mk = mask[(sy + 0.5 < H ? (sy + 0.5) | 0 : H - 1) * W + (sx + 0.5 < W ? (sx + 0.5) | 0 : W - 1)]!;
      }
      if (maskOut !== undefined) maskOut[row + x] = mk;
      // lamp falloff towards one side
      const k = 1 - P.lamp * (0.5 + (x + 0.5 - cx) * lx + (y + 0.5 - cy) * ly);
      r *= k;
      g *= k;
      b *= k;
      if (P.gray) {
        const yv = 0.299 * r + 0.587 * g + 0.114 * b;
        r = yv;
        g = yv;
        b = yv;
      }
      Y[row + x] = 0.299 * r + 0.587 * g + 0.114 * b;
      const j = cRow + (x >> 1);
      Cb[j] = Cb[j]! + (-0.168736 * r - 0.331264 * g + 0.5 * b);
      Cr[j] = Cr[j]! + (0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  averageChroma(Cb, Cr, W, H);
  // lid shadow along one edge
  if (P.lidShadow > 0) {
    const band = Math.max(2, Math.round(P.lidShadow * (P.lidEdge === 'left' || P.lidEdge === 'right' ? W : H)));
    const vertical = P.lidEdge === 'left' || P.lidEdge === 'right';
    const ya = vertical || P.lidEdge === 'top' ? 0 : H - band;
    const yb = vertical || P.lidEdge === 'bottom' ? H : band;
    const xa = !vertical || P.lidEdge === 'left' ? 0 : W - band;
    const xb = !vertical || P.lidEdge === 'right' ? W : band;
    for (let y = ya; y < yb; y++) {
      for (let x = xa; x < xb; x++) {
        const d = P.lidEdge === 'left' ? x : P.lidEdge === 'right' ? W - 1 - x : P.lidEdge === 'top' ? y : H - 1 - y;
        if (d >= band) continue;
        const i = y * W + x;
        Y[i] = Y[i]! * (0.25 + 0.75 * (d / band));
      }
    }
  }
  // sensor noise (luma) in a light blur pass: a scanner's optics are sharp
  const tmp = scratch(W * H);
  blurPlane(Y, W, H, 0.04, tmp, P.noiseSigma * Math.sqrt(6), (seed ^ 0x27d4eb2f) >>> 0);
  // dust specks: small dark dots at seeded places
  const sp = subRng(seed, 'wild-scan-specks');
  for (let k = 0; k < P.specks; k++) {
    const x = randInt(sp, 0, W - 2);
    const y = randInt(sp, 0, H - 2);
    const v = uniform(sp, 0, 90);
    const big = sp() < 0.3;
    Y[y * W + x] = v;
    if (big) {
      Y[y * W + x + 1] = v;
      Y[(y + 1) * W + x] = v;
      Y[(y + 1) * W + x + 1] = v;
    }
  }
  if (P.binarise) {
    // fax: one bit per pixel against a fraction of the page's white level
    const t = P.threshold * 255 * P.brightness;
    for (let i = 0; i < W * H; i++) Y[i] = Y[i]! < t ? 0 : 255;
  }
  if (P.gray) {
    Cb.fill(128);
    Cr.fill(128);
  }
  const out = new Canvas(W, H, 4);
  if (P.jpegQuality !== null) {
    jpegYcc(Y, Cb, Cr, W, H, P.jpegQuality, out.data);
  } else {
    const d = out.data;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const j = (y >> 1) * cw + (x >> 1);
        const yy = Y[i]!;
        const cb = Cb[j]! - 128;
        const cr = Cr[j]! - 128;
        const p = i * 4;
        d[p] = yy + 1.402 * cr;
        d[p + 1] = yy - 0.344136 * cb - 0.714136 * cr;
        d[p + 2] = yy + 1.772 * cb;
        d[p + 3] = 255;
      }
    }
  }
  return out;
}
