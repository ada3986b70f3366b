/**
 * wild-photo: the wild sheet photographed with a phone, in the conditions readers really take pictures in.
 * Every parameter is drawn from the seed (sub-generators 'wild-camera', 'wild-paper-texture') and returned as
 * `CameraParams`:
 *
 *   frame          720 x 540 px landscape (75%) or 540 x 720 portrait (x scale)
 *   orientation    landscape frame: the sheet upright (93%) or upside-down (7%); portrait frame: the sheet turned
 *                  90 degrees either way; plus a tilt of -10 .. 10 degrees
 *   paperScale     the sheet's long side is 0.62 .. 1.12 of the frame's long side (over ~0.95 it is cropped)
 *   centre         +-6% of the frame
 *   keystone       0 .. 0.16: one edge of the sheet shorter (camera not square to the paper), plus corner
 *                  jitter 0 .. 0.03 of the long side
 *   barrel         -0.06 .. 0.1 (radial lens distortion, r' = r (1 + k r^2), r = 1 at the frame corner)
 *   curl           40%: 0.005 .. 0.035 of the sheet size, along its width or height (edges lift and bend)
 *   folds          30%: 1-2 straight folds (a crease line and a shading step between the panels)
 *   wrinkles       30%: 6-60 creases of 10-45% of the sheet, strength 0.04-0.35, plus crumple shading 0-0.45
 *                  in blotches of 12-40 texels and a 2.5x finer octave (relief.ts)
 *   background     wood, dark desk, fabric, white table, bed sheet or clipboard (board and metal clip), jittered
 *   light          a ramp at a random angle from 0.55-0.95 to 0.95-1.15, colour tint per channel 0.86-1.08
 *                  (warm/cool/mixed light)
 *   shadows        55%: 1-2 soft shadows of a hand or a phone (capsules), darkness 0.15-0.5, softness 10-60 px
 *   glare          25%: a bright spot of radius 0.08-0.3 of the frame, strength 0.25-0.8
 *   fingers        20%: 1-2 fingers entering from a frame edge
 *   blurSigma      0.35 .. 1.15 px (defocus); noiseSigma 1 .. 8 levels; jpegQuality 40 .. 92
 *
 * How: output pixel -> paper pixel (lens, homography, curl) is computed exactly on a mesh every 8 px and
 * interpolated linearly in between, as are the light, shadows, glare and background (all smooth); the paper's
 * folds and wrinkles are a half-resolution shading texture in paper space. The camera writes YCbCr planes that
 * go through the shared blur + noise pass and JPEG stage of the photo style.
 */
import { averageChroma, jpegYcc, ycbcrPlanes } from '../jpeg';
import { blurPlane, scratch } from '../optics';
import { randInt, subRng, uniform, type Rng } from '../prng';
import { Canvas, type Rgb } from '../raster';
import { homography } from '../styles/photo';
import { hash01, paperRelief, type ReliefParams } from './relief';

export type BackgroundKind = 'wood' | 'dark desk' | 'fabric' | 'white table' | 'bed sheet' | 'clipboard';

export interface Capsule {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  radius: number;
}

export interface CameraParams extends ReliefParams {
  width: number;
  height: number;
  portrait: boolean;
  /** 0, 90, -90 or 180: how the sheet lies in the frame before the tilt. */
  baseRotationDeg: number;
  tiltDeg: number;
  paperScale: number;
  keystone: number;
  /** Paper corners in the (undistorted) frame: top-left, top-right, bottom-right, bottom-left of the sheet. */
  corners: Array<[number, number]>;
  barrel: number;
  curl: number;
  curlAxis: 'width' | 'height';
  background: BackgroundKind;
  backgroundColor: Rgb;
  lightAngleDeg: number;
  lightMin: number;
  lightMax: number;
  lightTint: [number, number, number];
  shadows: Array<Capsule & { darkness: number; softness: number }>;
  glare: { x: number; y: number; radius: number; strength: number } | null;
  fingers: Array<Capsule & { color: Rgb }>;
  blurSigma: number;
  noiseSigma: number;
  jpegQuality: number;
  /** Resolution the sheet was drawn at for this photo. */
  sheetPxPerMm: number;
}

const BACKGROUNDS: ReadonlyArray<{ kind: BackgroundKind; color: Rgb }> = [
  { kind: 'wood', color: [118, 80, 50] },
  { kind: 'dark desk', color: [52, 52, 58] },
  { kind: 'fabric', color: [60, 80, 110] },
  { kind: 'white table', color: [205, 205, 200] },
  { kind: 'bed sheet', color: [190, 195, 205] },
  { kind: 'clipboard', color: [95, 70, 45] },
];
const SKIN: Rgb[] = [
  [224, 172, 140],
  [198, 134, 96],
  [141, 85, 56],
  [95, 60, 40],
  [236, 192, 165],
];

function capsuleFromEdge(r: Rng, W: number, H: number, minLen: number, maxLen: number, radius: number): Capsule {
  const edge = randInt(r, 0, 3);
  const t = uniform(r, 0.1, 0.9);
  const len = uniform(r, minLen, maxLen);
  const ang = uniform(r, -0.5, 0.5);
  let x0: number;
  let y0: number;
  let dx: number;
  let dy: number;
  if (edge === 0) [x0, y0, dx, dy] = [t * W, -radius, Math.sin(ang), Math.cos(ang)];
  else if (edge === 1) [x0, y0, dx, dy] = [W + radius, t * H, -Math.cos(ang), Math.sin(ang)];
  else if (edge === 2) [x0, y0, dx, dy] = [t * W, H + radius, Math.sin(ang), -Math.cos(ang)];
  else [x0, y0, dx, dy] = [-radius, t * H, Math.cos(ang), Math.sin(ang)];
  return { x0, y0, x1: x0 + dx * len, y1: y0 + dy * len, radius };
}

/**
 * Clockwise quarter turns (`turnQuarter(image, 90)` applied this many times) that bring the photographed sheet
 * upright, its tilt left as it is: the label the sheet-upright model learns (scripts/export-upright.ts). A base
 * rotation of +90 degrees turns the sheet's x axis downwards in the picture (clockwise), so one counter-clockwise
 * turn (three clockwise) undoes it.
 */
export function uprightQuarterTurns(camera: Pick<CameraParams, 'baseRotationDeg'>): 0 | 1 | 2 | 3 {
  return (((-Math.round(camera.baseRotationDeg / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
}

/** Draws every camera parameter from the seed (fixed order of draws). `pageMm` is the sheet's size. */
export function drawCameraParams(seed: number, pageMm: readonly [number, number], scale: number): CameraParams {
  const r = subRng(seed, 'wild-camera');
  const portrait = r() < 0.25;
  const W = Math.round((portrait ? 540 : 720) * scale);
  const H = Math.round((portrait ? 720 : 540) * scale);
  const baseRotationDeg = portrait ? (r() < 0.5 ? 90 : -90) : r() < 0.07 ? 180 : 0;
  const tiltDeg = uniform(r, -10, 10);
  const paperScale = uniform(r, 0.62, 1.12);
  const cx = W / 2 + uniform(r, -0.06, 0.06) * W;
  const cy = H / 2 + uniform(r, -0.06, 0.06) * H;
  const keystone = uniform(r, 0, 0.16);
  const keySide = randInt(r, 0, 3);
  const jitter = uniform(r, 0, 0.03);
  const long = Math.max(W, H);
  const pw = paperScale * long;
  const ph = (pw * pageMm[1]) / pageMm[0];
  const th = ((baseRotationDeg + tiltDeg) * Math.PI) / 180;
  const ct = Math.cos(th);
  const st = Math.sin(th);
  // keystone: the edge `keySide` (0 top, 1 right, 2 bottom, 3 left) is shortened by `keystone`
  const base: Array<[number, number]> = [
    [-pw / 2, -ph / 2],
    [pw / 2, -ph / 2],
    [pw / 2, ph / 2],
    [-pw / 2, ph / 2],
  ];
  const shrink = (i: number, axis: 0 | 1) => {
    const p = base[i]!;
    p[axis] *= 1 - keystone;
  };
  // the two corners of that edge and the axis they move along (top and bottom: x; right and left: y)
  const [a, b, axis] =
    (
      [
        [0, 1, 0],
        [1, 2, 1],
        [2, 3, 0],
      ] as const
    )[keySide] ?? ([3, 0, 1] as const);
  shrink(a, axis);
  shrink(b, axis);
  const corners = base.map(([dx, dy]) => {
    const a = uniform(r, 0, 2 * Math.PI);
    const m = uniform(r, 0, jitter) * long;
    return [cx + dx * ct - dy * st + m * Math.cos(a), cy + dx * st + dy * ct + m * Math.sin(a)] as [number, number];
  });
  const barrel = uniform(r, -0.06, 0.1);
  const curl = r() < 0.4 ? uniform(r, 0.005, 0.035) : 0;
  const curlAxis = r() < 0.6 ? 'width' : 'height';
  const folds: CameraParams['folds'] = [];
  if (r() < 0.3) {
    const nf = randInt(r, 1, 2);
    for (let k = 0; k < nf; k++) {
      const vertical = r() < 0.5;
      const p = uniform(r, 0.3, 0.7);
      const skew = uniform(r, -0.04, 0.04);
      const strength = uniform(r, 0.05, 0.18);
      folds.push(
        vertical
          ? { x0: (p - skew) * pageMm[0], y0: 0, x1: (p + skew) * pageMm[0], y1: pageMm[1], strength }
          : { x0: 0, y0: (p - skew) * pageMm[1], x1: pageMm[0], y1: (p + skew) * pageMm[1], strength },
      );
    }
  }
  const hasWrinkles = r() < 0.3;
  const wrinkles = hasWrinkles ? randInt(r, 6, 60) : 0;
  const wrinkleStrength = hasWrinkles ? uniform(r, 0.04, 0.35) : 0;
  const crumple = hasWrinkles ? uniform(r, 0, 0.45) : 0;
  const crumpleCell = uniform(r, 12, 40);
  const bg = BACKGROUNDS[randInt(r, 0, BACKGROUNDS.length - 1)]!;
  const backgroundColor = bg.color.map((v) =>
    Math.max(0, Math.min(255, Math.round(v + uniform(r, -25, 25)))),
  ) as unknown as Rgb;
  const lightAngleDeg = uniform(r, 0, 360);
  const lightMin = uniform(r, 0.55, 0.95);
  const lightMax = uniform(r, 0.95, 1.15);
  const warmth = uniform(r, -1, 1);
  const lightTint: [number, number, number] = [
    1 + 0.06 * warmth + uniform(r, -0.02, 0.02),
    1 + uniform(r, -0.03, 0.03),
    1 - 0.12 * warmth + uniform(r, -0.02, 0.02),
  ];
  const shadows: CameraParams['shadows'] = [];
  if (r() < 0.55) {
    const ns = randInt(r, 1, 2);
    for (let k = 0; k < ns; k++) {
      const rad = uniform(r, 0.06, 0.22) * long;
      shadows.push({
        ...capsuleFromEdge(r, W, H, 0.2 * long, 0.7 * long, rad),
        darkness: uniform(r, 0.15, 0.5),
        softness: uniform(r, 10, 60) * scale,
      });
    }
  }
  const glare =
    r() < 0.25
      ? {
          x: uniform(r, 0.1, 0.9) * W,
          y: uniform(r, 0.1, 0.9) * H,
          radius: uniform(r, 0.08, 0.3) * long,
          strength: uniform(r, 0.25, 0.8),
        }
      : null;
  const fingers: CameraParams['fingers'] = [];
  if (r() < 0.2) {
    const nfing = randInt(r, 1, 2);
    const color = SKIN[randInt(r, 0, SKIN.length - 1)]!;
    for (let k = 0; k < nfing; k++) {
      fingers.push({ ...capsuleFromEdge(r, W, H, 0.08 * long, 0.22 * long, uniform(r, 0.025, 0.045) * long), color });
    }
  }
  const blurSigma = uniform(r, 0.35, 1.15);
  const noiseSigma = uniform(r, 1, 8);
  const jpegQuality = randInt(r, 40, 92);
  // draw the sheet at about the resolution it has in the photo (a little finer, so sampling it does not alias)
  const sheetPxPerMm = Math.max(1.5, Math.min(4, (pw / pageMm[0]) * uniform(r, 0.95, 1.25)));
  return {
    width: W,
    height: H,
    portrait,
    baseRotationDeg,
    tiltDeg,
    paperScale,
    keystone,
    corners,
    barrel,
    curl,
    curlAxis,
    folds,
    wrinkles,
    wrinkleStrength,
    crumple,
    crumpleCell,
    background: bg.kind,
    backgroundColor,
    lightAngleDeg,
    lightMin,
    lightMax,
    lightTint,
    shadows,
    glare,
    fingers,
    blurSigma,
    noiseSigma,
    jpegQuality,
    sheetPxPerMm,
  };
}

/** Smoothstep of the distance past a capsule's edge over `soft` px: 1 inside, 0 far outside. */
function capsuleCover(px: number, py: number, c: Capsule, soft: number): number {
  const dx = c.x1 - c.x0;
  const dy = c.y1 - c.y0;
  const l2 = dx * dx + dy * dy;
  let t = l2 > 0 ? ((px - c.x0) * dx + (py - c.y0) * dy) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = px - c.x0 - t * dx;
  const ey = py - c.y0 - t * dy;
  const d = Math.sqrt(ex * ex + ey * ey) - c.radius;
  const s = -d / soft;
  return s >= 1 ? 1 : s <= -1 ? 0 : 0.5 + s * (0.75 - 0.25 * s * s);
}

const MESH = 8;

/**
 * Photographs `sheet` (drawn at P.sheetPxPerMm). `mask`/`maskOut`: the sheet's trace mask and where to write
 * it as the photo sees it (nearest paper pixel; 0 under fingers and off the paper).
 */
export function photographSheet(
  sheet: Canvas,
  P: CameraParams,
  seed: number,
  mask?: Uint8Array,
  maskOut?: Uint8Array,
): Canvas {
  const W = P.width;
  const H = P.height;
  const Pw = sheet.width;
  const Ph = sheet.height;
  const pd = sheet.data;
  const hm = homography(P.corners, [
    [0, 0],
    [Pw, 0],
    [Pw, Ph],
    [0, Ph],
  ]);
  const [h0, h1, h2, h3, h4, h5, h6, h7] = Array.from(hm) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const relief = paperRelief(P, Pw, Ph, P.sheetPxPerMm, seed);
  // --- the mesh: exact mapping and smooth fields at every 8th pixel
  const nx = Math.floor(W / MESH) + 2;
  const ny = Math.floor(H / MESH) + 2;
  const nn = nx * ny;
  const mU = new Float32Array(nn);
  const mV = new Float32Array(nn);
  const mL = new Float32Array(nn); // light x shadows
  const mG = new Float32Array(nn); // glare (additive levels)
  const mB = new Float32Array(nn); // background texture factor
  const R = Math.sqrt(W * W + H * H) / 2;
  const la = (P.lightAngleDeg * Math.PI) / 180;
  const lcx = Math.cos(la) / (2 * R);
  const lcy = Math.sin(la) / (2 * R);
  const bgSeed = (seed ^ 0x68e31da4) >>> 0;
  const grainA = (((seed >>> 3) % 180) * Math.PI) / 180;
  const gcx = Math.cos(grainA);
  const gcy = Math.sin(grainA);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const px = i * MESH;
      const py = j * MESH;
      const qx = (px - W / 2) / R;
      const qy = (py - H / 2) / R;
      const f = 1 + P.barrel * (qx * qx + qy * qy);
      const ux = W / 2 + (px - W / 2) * f;
      const uy = H / 2 + (py - H / 2) * f;
      const w = h6 * ux + h7 * uy + 1;
      let u = (h0 * ux + h1 * uy + h2) / w;
      let v = (h3 * ux + h4 * uy + h5) / w;
      let shade = 1;
      if (P.curl > 0) {
        if (P.curlAxis === 'width') {
          const s = (2 * u) / Pw - 1;
          v += P.curl * Ph * s * s;
          shade = 1 - 0.25 * P.curl * 10 * s * s * (s > 0 ? 1 : 0.4);
        } else {
          const s = (2 * v) / Ph - 1;
          u += P.curl * Pw * s * s;
          shade = 1 - 0.25 * P.curl * 10 * s * s * (s > 0 ? 1 : 0.4);
        }
      }
      const k = j * nx + i;
      mU[k] = u;
      mV[k] = v;
      let light = P.lightMin + (P.lightMax - P.lightMin) * ((px - W / 2) * lcx + (py - H / 2) * lcy + 0.5);
      for (const s of P.shadows) light *= 1 - s.darkness * capsuleCover(px, py, s, s.softness);
      mL[k] = light * shade;
      if (P.glare !== null) {
        const dx = px - P.glare.x;
        const dy = py - P.glare.y;
        mG[k] = 255 * P.glare.strength * Math.exp(-(dx * dx + dy * dy) / (P.glare.radius * P.glare.radius));
      }
      // background: mottling, plus grain stripes on wood and folds on a bed sheet
      let t = 1 + 0.12 * (hash01(i, j, bgSeed) - 0.5);
      if (P.background === 'wood')
        t *= 1 + 0.1 * Math.sin((px * gcx + py * gcy) * 0.11 + 3 * hash01(i >> 2, j >> 2, bgSeed));
      else if (P.background === 'bed sheet') t *= 1 + 0.12 * Math.sin((px * gcx + py * gcy) * 0.02);
      mB[k] = t;
    }
  }
  const { Y, Cb, Cr } = ycbcrPlanes(W, H);
  const [bgR, bgG, bgB] = P.backgroundColor;
  const [tR, tG, tB] = P.lightTint;
  const k = Pw / (P.paperScale * Math.max(W, H)); // paper px per output px (about)
  const invK = 1 / k;
  const clipboard = P.background === 'clipboard';
  const fingers = P.fingers;
  const fingerBoxes = fingers.map((f) => [
    Math.min(f.x0, f.x1) - f.radius - 2,
    Math.min(f.y0, f.y1) - f.radius - 2,
    Math.max(f.x0, f.x1) + f.radius + 2,
    Math.max(f.y0, f.y1) + f.radius + 2,
  ]);
  const cw = (W + 1) >> 1;
  const rowU = new Float32Array(nx);
  const rowV = new Float32Array(nx);
  const rowL = new Float32Array(nx);
  const rowG = new Float32Array(nx);
  const rowB = new Float32Array(nx);
  const tex = relief?.tex;
  const tw = relief?.tw ?? 0;
  const thh = relief?.th ?? 0;
  for (let y = 0; y < H; y++) {
    const gy = y >> 3;
    const ty = ((y & 7) + 0.5) / MESH;
    const a0 = gy * nx;
    const a1 = a0 + nx;
    for (let i = 0; i < nx; i++) {
      rowU[i] = mU[a0 + i]! + (mU[a1 + i]! - mU[a0 + i]!) * ty;
      rowV[i] = mV[a0 + i]! + (mV[a1 + i]! - mV[a0 + i]!) * ty;
      rowL[i] = mL[a0 + i]! + (mL[a1 + i]! - mL[a0 + i]!) * ty;
      rowG[i] = mG[a0 + i]! + (mG[a1 + i]! - mG[a0 + i]!) * ty;
      rowB[i] = mB[a0 + i]! + (mB[a1 + i]! - mB[a0 + i]!) * ty;
    }
    const row = y * W;
    const cRow = (y >> 1) * cw;
    const fy = y + 0.5;
    // walk the row one mesh span (8 px) at a time: every field advances by a constant step inside a span
    let u = 0;
    let v = 0;
    let lt = 0;
    let gl = 0;
    let bt = 0;
    let du = 0;
    let dv = 0;
    let dl = 0;
    let dg = 0;
    let db = 0;
    for (let x = 0; x < W; x++, u += du, v += dv, lt += dl, gl += dg, bt += db) {
      if ((x & 7) === 0) {
        const gx = x >> 3;
        du = (rowU[gx + 1]! - rowU[gx]!) / MESH;
        dv = (rowV[gx + 1]! - rowV[gx]!) / MESH;
        dl = (rowL[gx + 1]! - rowL[gx]!) / MESH;
        dg = (rowG[gx + 1]! - rowG[gx]!) / MESH;
        db = (rowB[gx + 1]! - rowB[gx]!) / MESH;
        u = rowU[gx]! + 0.5 * du;
        v = rowV[gx]! + 0.5 * dv;
        lt = rowL[gx]! + 0.5 * dl;
        gl = rowG[gx]! + 0.5 * dg;
        bt = rowB[gx]! + 0.5 * db;
      }
      let r = bgR * bt;
      let g = bgG * bt;
      let b = bgB * bt;
      if (clipboard && u > -0.04 * Pw && u < 1.04 * Pw && v > -0.12 * Ph && v < 1.03 * Ph) {
        r = 70 * bt;
        g = 48 * bt;
        b = 30 * bt;
      }
      let m = u < Pw - u ? u : Pw - u;
      if (v < m) m = v;
      if (Ph - v < m) m = Ph - v;
      const edge = m * invK + 0.5;
      let onPaper = 0;
      if (edge > 0) {
        let sx = u - 0.5;
        let sy = v - 0.5;
        if (sx < 0) sx = 0;
        if (sy < 0) sy = 0;
        if (sx > Pw - 1) sx = Pw - 1;
        if (sy > Ph - 1) sy = Ph - 1;
        const ix = sx | 0;
        const iy = sy | 0;
        const ax = sx - ix;
        const ay = sy - iy;
        const p00 = (iy * Pw + ix) * 4;
        const p10 = ix + 1 < Pw ? p00 + 4 : p00;
        const p01 = iy + 1 < Ph ? p00 + Pw * 4 : p00;
        const p11 = ix + 1 < Pw ? p01 + 4 : p01;
        let t0 = pd[p00]!;
        let t1 = pd[p01]!;
        t0 += (pd[p10]! - t0) * ax;
        t1 += (pd[p11]! - t1) * ax;
        let pr = t0 + (t1 - t0) * ay;
        t0 = pd[p00 + 1]!;
        t1 = pd[p01 + 1]!;
        t0 += (pd[p10 + 1]! - t0) * ax;
        t1 += (pd[p11 + 1]! - t1) * ax;
        let pg = t0 + (t1 - t0) * ay;
        t0 = pd[p00 + 2]!;
        t1 = pd[p01 + 2]!;
        t0 += (pd[p10 + 2]! - t0) * ax;
        t1 += (pd[p11 + 2]! - t1) * ax;
        let pb = t0 + (t1 - t0) * ay;
        if (tex !== undefined) {
          const ti = ((sy * 0.5) | 0) * tw + ((sx * 0.5) | 0);
          const f = ti < tw * thh ? tex[ti]! : 1;
          pr *= f;
          pg *= f;
          pb *= f;
        }
        const cov = edge >= 1 ? 1 : edge;
        r += (pr - r) * cov;
        g += (pg - g) * cov;
        b += (pb - b) * cov;
        onPaper = cov;
      }
      if (clipboard && u > 0.33 * Pw && u < 0.67 * Pw && v > -0.1 * Ph && v < 0.05 * Ph) {
        // the clip's metal bar over the top of the sheet
        const sheen = 150 + 60 * (1 - (v + 0.1 * Ph) / (0.15 * Ph));
        r = sheen;
        g = sheen;
        b = sheen + 8;
        onPaper = 0;
      }
      for (let q = 0; q < fingers.length; q++) {
        const fc = fingers[q]!;
        const bb = fingerBoxes[q] as [number, number, number, number];
        if (x < bb[0] || x > bb[2] || y < bb[1] || y > bb[3]) continue;
        const c = capsuleCover(x + 0.5, fy, fc, 1.2);
        if (c > 0) {
          r += (fc.color[0] - r) * c;
          g += (fc.color[1] - g) * c;
          b += (fc.color[2] - b) * c;
          if (c > 0.5) onPaper = 0;
        }
      }
      if (maskOut !== undefined) {
        maskOut[row + x] =
          onPaper > 0.5 && mask !== undefined
            ? mask[((v < 0 ? 0 : v >= Ph ? Ph - 1 : v) | 0) * Pw + ((u < 0 ? 0 : u >= Pw ? Pw - 1 : u) | 0)]!
            : 0;
      }
      r = r * lt * tR + gl;
      g = g * lt * tG + gl;
      b = b * lt * tB + gl;
      Y[row + x] = 0.299 * r + 0.587 * g + 0.114 * b;
      const j = cRow + (x >> 1);
      Cb[j] = Cb[j]! + (-0.168736 * r - 0.331264 * g + 0.5 * b);
      Cr[j] = Cr[j]! + (0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  averageChroma(Cb, Cr, W, H);
  // optics: defocus blur ([a, 1-2a, a] twice has variance 4a, so a = sigma^2 / 4) with sensor noise on luma in
  // the same pass; chroma at half resolution
  const tmp = scratch(W * H);
  const s2 = P.blurSigma * P.blurSigma;
  blurPlane(Y, W, H, Math.min(1 / 3, s2 / 4), tmp, P.noiseSigma * Math.sqrt(6), (seed ^ 0x3c6ef372) >>> 0);
  const cwid = (W + 1) >> 1;
  const chei = (H + 1) >> 1;
  const aC = Math.min(1 / 3, s2 / 16);
  blurPlane(Cb, cwid, chei, aC, tmp);
  blurPlane(Cr, cwid, chei, aC, tmp);
  const out = new Canvas(W, H, 4);
  jpegYcc(Y, Cb, Cr, W, H, P.jpegQuality, out.data);
  return out;
}
