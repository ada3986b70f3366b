/**
 * The paper's own relief, shared by the photographed and the scanned wild sheet: crumple (two octaves of smooth
 * value noise: blotches), folds (a crease and a shading step between the panels) and wrinkles (short creases, a
 * dark valley beside a bright ridge), as a shading factor (1 = flat) on a half-resolution grid in paper pixels.
 */
import { subRng, uniform } from '../prng';
import type { Canvas } from '../raster';

export interface ReliefParams {
  /** Folds in paper millimetres (a line through two points) with their strength. */
  folds: Array<{ x0: number; y0: number; x1: number; y1: number; strength: number }>;
  wrinkles: number;
  wrinkleStrength: number;
  crumple: number;
  /** Size of the crumple blotches, in half-resolution paper texels. */
  crumpleCell: number;
}

/** Integer hash -> [0, 1): cheap value noise that is the same in every engine. */
export function hash01(x: number, y: number, seed: number): number {
  let h = Math.imul(x | 0, 0x27d4eb2d) ^ Math.imul(y | 0, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * The paper's own relief as a shading factor (1 = flat) on a half-resolution grid in paper pixels: crumple
 * (smooth value noise), folds (a crease and a step between the panels) and wrinkles (short creases, a dark
 * valley beside a bright ridge). Null when the paper is flat.
 */
export function paperRelief(
  P: ReliefParams,
  Pw: number,
  Ph: number,
  ppm: number,
  seed: number,
): { tex: Float32Array; tw: number; th: number } | null {
  if (P.folds.length === 0 && P.wrinkles === 0 && P.crumple === 0) return null;
  const tw = (Pw >> 1) + 1;
  const th = (Ph >> 1) + 1;
  const tex = new Float32Array(tw * th).fill(1);
  const tpm = ppm / 2; // texels per mm
  if (P.crumple > 0) {
    const cell = P.crumpleCell;
    const s = (seed ^ 0x51ed270b) >>> 0;
    for (let y = 0; y < th; y++) {
      const gy = y / cell;
      const iy = Math.floor(gy);
      const fy = gy - iy;
      for (let x = 0; x < tw; x++) {
        const gx = x / cell;
        const ix = Math.floor(gx);
        const fx = gx - ix;
        const a = hash01(ix, iy, s);
        const b = hash01(ix + 1, iy, s);
        const c = hash01(ix, iy + 1, s);
        const d = hash01(ix + 1, iy + 1, s);
        const v1 = a + (b - a) * fx + (c - a + (a - b - c + d) * fx) * fy;
        // a finer octave at 2.5x the frequency makes blotches, not waves
        const gx2 = gx * 2.5;
        const gy2 = gy * 2.5;
        const jx = Math.floor(gx2);
        const jy = Math.floor(gy2);
        const hx = gx2 - jx;
        const hy = gy2 - jy;
        const a2 = hash01(jx, jy, s ^ 0x2c1b3c6d);
        const b2 = hash01(jx + 1, jy, s ^ 0x2c1b3c6d);
        const c2 = hash01(jx, jy + 1, s ^ 0x2c1b3c6d);
        const d2 = hash01(jx + 1, jy + 1, s ^ 0x2c1b3c6d);
        const v2 = a2 + (b2 - a2) * hx + (c2 - a2 + (a2 - b2 - c2 + d2) * hx) * hy;
        const v = 0.6 * v1 + 0.4 * v2;
        tex[y * tw + x] = 1 + P.crumple * (v - 0.5) * 2.4;
      }
    }
  }
  const line = (
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    strength: number,
    width: number,
    step: number,
  ): void => {
    // x0.. in texels
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len = Math.sqrt(dx * dx + dy * dy);
    if (len < 1) return;
    const nx = -dy / len;
    const ny = dx / len;
    const reach = width * 3;
    const bx0 = step !== 0 ? 0 : Math.max(0, Math.floor(Math.min(x0, x1) - reach));
    const bx1 = step !== 0 ? tw : Math.min(tw, Math.ceil(Math.max(x0, x1) + reach));
    const by0 = step !== 0 ? 0 : Math.max(0, Math.floor(Math.min(y0, y1) - reach));
    const by1 = step !== 0 ? th : Math.min(th, Math.ceil(Math.max(y0, y1) + reach));
    for (let y = by0; y < by1; y++) {
      for (let x = bx0; x < bx1; x++) {
        const px = x - x0;
        const py = y - y0;
        const along = (px * dx + py * dy) / (len * len);
        const d = px * nx + py * ny;
        let f = 1;
        if (step !== 0 && d > 0) f *= 1 - step;
        if (along > -0.05 && along < 1.05 && d > -reach && d < reach) {
          // tapering ends, a dark valley on one side and a bright ridge on the other
          const taper = along < 0.1 ? (along + 0.05) / 0.15 : along > 0.9 ? (1.05 - along) / 0.15 : 1;
          const u = d / width;
          f *=
            1 +
            strength *
              taper *
              (u > 0 ? 0.7 * Math.exp(-(u - 0.8) * (u - 0.8) * 1.5) : -Math.exp(-(u + 0.5) * (u + 0.5) * 2));
        }
        const i = y * tw + x;
        tex[i] = tex[i]! * f;
      }
    }
  };
  for (const f of P.folds) line(f.x0 * tpm, f.y0 * tpm, f.x1 * tpm, f.y1 * tpm, f.strength * 2, 1.2, f.strength * 0.5);
  const wr = subRng(seed, 'wild-paper-texture');
  for (let k = 0; k < P.wrinkles; k++) {
    const cx = uniform(wr, 0, tw);
    const cy = uniform(wr, 0, th);
    const len = uniform(wr, 0.1, 0.45) * Math.max(tw, th);
    const a = uniform(wr, 0, Math.PI);
    const hx = (Math.cos(a) * len) / 2;
    const hy = (Math.sin(a) * len) / 2;
    line(cx - hx, cy - hy, cx + hx, cy + hy, P.wrinkleStrength * uniform(wr, 0.5, 1.5), uniform(wr, 0.8, 2.2), 0);
  }
  return { tex, tw, th };
}

/** Shades an RGBA sheet by its relief, in place (the scanner sees the creases of crumpled paper too). */
export function shadeSheet(sheet: Canvas, r: { tex: Float32Array; tw: number; th: number }): void {
  const { width: W, height: H, data } = sheet;
  for (let y = 0; y < H; y++) {
    const trow = (y >> 1) * r.tw;
    for (let x = 0; x < W; x++) {
      const f = r.tex[trow + (x >> 1)]!;
      if (f === 1) continue;
      const o = (y * W + x) * 4;
      data[o] = data[o]! * f;
      data[o + 1] = data[o + 1]! * f;
      data[o + 2] = data[o + 2]! * f;
    }
  }
}
