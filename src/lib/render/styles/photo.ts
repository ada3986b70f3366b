/**
 * photo - a printout as a phone camera sees it (the study's "lighting and camera distortions; ideally real
 * photographed EKGs"; the PhysioNet 2024 challenge showed phone photos are where image models break).
 *
 * Ours: the printout style is rendered (at 0.63 x scale), then photographed: placed on a background with a
 * perspective (projective) warp and an in-plane rotation, lit unevenly, partly shadowed, tinted, blurred,
 * given sensor noise and compressed as a JPEG. Every parameter is drawn from the seed within the bounds
 * below and returned as PhotoParams:
 *   output              720 x 540 px (x scale), RGBA (a size that keeps a render under 50 ms in a browser)
 *   paperScale          0.78 .. 0.94 of the frame width (reduced if the paper would not fit the height)
 *   rotationDeg         -7 .. 7
 *   perspective         0 .. 0.06 of the paper width: independent displacement of each corner
 *   centre jitter       +-3% of the frame
 *   background          one of 5 table/cloth colours, +-12 levels
 *   tint                each channel x 0.88 .. 1 (warm/cool paper, white balance)
 *   lighting            linear gradient at a random angle from lightMin 0.72..0.92 to lightMax 0.98..1.1
 *   shadow              probability 0.6: straight soft-edged shadow, darkness 0.12..0.35, softness 4..12% of width
 *   blurSigma           0.3 .. 1.1 px ([a, 1-2a, a] twice, one separable 5-tap pass; chroma at half resolution)
 *   noiseSigma          1 .. 6 levels (luma)
 *   jpegQuality         45 .. 92
 *   creases             0 .. 2 fold lines across the paper, strength 0.04 .. 0.12
 * The camera writes YCbCr planes (luma full size, chroma 4:2:0) that go straight into the JPEG stage.
 */
import type { EcgSignals } from '../../ptbxl/types';
import type { FilterName } from '../../signal/filters';
import { averageChroma, jpegYcc, ycbcrPlanes } from '../jpeg';
import { blurPlane, scratch } from '../optics';
import { randInt, subRng, uniform, type Rng } from '../prng';
import { Canvas } from '../raster';
import type { PhotoParams } from '../types';
import { renderPrintout } from './printout';

const BACKGROUNDS: ReadonlyArray<readonly [number, number, number]> = [
  [92, 64, 45], // wood
  [58, 58, 62], // dark desk
  [150, 150, 145], // gray table
  [40, 52, 78], // blue cloth
  [170, 160, 140], // beige
];

/** Solves the 8x8 system for the homography mapping src[i] -> dst[i] (4 points). Returns h0..h7 (h8 = 1). */
export function homography(
  src: ReadonlyArray<readonly [number, number]>,
  dst: ReadonlyArray<readonly [number, number]>,
): Float64Array {
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [x, y] = src[i]!;
    const [u, v] = dst[i]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let piv = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    const tmp = A[c]!;
    A[c] = A[piv]!;
    A[piv] = tmp;
    const rowC = A[c]!;
    const d = rowC[c]!;
    for (let k = c; k < 9; k++) rowC[k] = rowC[k]! / d;
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const row = A[r]!;
      const f = row[c]!;
      if (f === 0) continue;
      for (let k = c; k < 9; k++) row[k] = row[k]! - f * rowC[k]!;
    }
  }
  const h = new Float64Array(8);
  for (let i = 0; i < 8; i++) h[i] = A[i]![8]!;
  return h;
}

/** Draws every photo parameter from the seed (fixed order of draws). */
export function drawPhotoParams(
  seed: number,
  width: number,
  height: number,
  paperW: number,
  paperH: number,
): PhotoParams {
  const rng: Rng = subRng(seed, 'photo-camera');
  let paperScale = uniform(rng, 0.78, 0.94);
  const aspect = paperW / paperH;
  if ((paperScale * width) / aspect > 0.92 * height) paperScale = (0.92 * height * aspect) / width;
  const rotationDeg = uniform(rng, -7, 7);
  const perspective = uniform(rng, 0, 0.06);
  const cx = width / 2 + uniform(rng, -0.03, 0.03) * width;
  const cy = height / 2 + uniform(rng, -0.03, 0.03) * height;
  const pw = paperScale * width;
  const ph = pw / aspect;
  const th = (rotationDeg * Math.PI) / 180;
  const ct = Math.cos(th);
  const st = Math.sin(th);
  const corners: Array<[number, number]> = (
    [
      [-pw / 2, -ph / 2],
      [pw / 2, -ph / 2],
      [pw / 2, ph / 2],
      [-pw / 2, ph / 2],
    ] as const
  ).map(([dx, dy]) => {
    const a = uniform(rng, 0, 2 * Math.PI);
    const m = uniform(rng, 0, perspective) * pw;
    return [cx + dx * ct - dy * st + m * Math.cos(a), cy + dx * st + dy * ct + m * Math.sin(a)];
  });
  const bg = BACKGROUNDS[randInt(rng, 0, BACKGROUNDS.length - 1)]!;
  const background: [number, number, number] = [0, 1, 2].map((k) =>
    Math.max(0, Math.min(255, Math.round(bg[k]! + uniform(rng, -12, 12)))),
  ) as [number, number, number];
  const tint: [number, number, number] = [uniform(rng, 0.88, 1), uniform(rng, 0.88, 1), uniform(rng, 0.88, 1)];
  const lightAngleDeg = uniform(rng, 0, 360);
  const lightMin = uniform(rng, 0.72, 0.92);
  const lightMax = uniform(rng, 0.98, 1.1);
  const hasShadow = rng() < 0.6;
  const shadowDarkness = hasShadow ? uniform(rng, 0.12, 0.35) : 0;
  const shadowAngleDeg = uniform(rng, 0, 360);
  const shadowOffset = uniform(rng, 0.15, 0.45); // fraction of the half-diagonal from the centre to the edge
  const shadowSoftness = uniform(rng, 0.04, 0.12);
  const blurSigma = uniform(rng, 0.3, 1.1);
  const noiseSigma = uniform(rng, 1, 6);
  const jpegQuality = randInt(rng, 45, 92);
  const nCreases = randInt(rng, 0, 2);
  const creases: PhotoParams['creases'] = [];
  for (let k = 0; k < nCreases; k++) {
    // a fold across the paper: vertical-ish or horizontal-ish through a random point (paper pixel coordinates)
    const vertical = rng() < 0.5;
    const p = uniform(rng, 0.25, 0.75);
    const skew = uniform(rng, -0.05, 0.05);
    const strength = uniform(rng, 0.04, 0.12);
    creases.push(
      vertical
        ? { x0: (p - skew) * paperW, y0: 0, x1: (p + skew) * paperW, y1: paperH, strength }
        : { x0: 0, y0: (p - skew) * paperH, x1: paperW, y1: (p + skew) * paperH, strength },
    );
  }
  return {
    width,
    height,
    corners,
    rotationDeg,
    paperScale,
    perspective,
    background,
    tint,
    lightAngleDeg,
    lightMin,
    lightMax,
    shadowDarkness,
    shadowAngleDeg,
    shadowOffset,
    shadowSoftness,
    blurSigma,
    noiseSigma,
    jpegQuality,
    creases,
  };
}

interface WarpNumbers {
  h0: number;
  h1: number;
  h2: number;
  h3: number;
  h4: number;
  h5: number;
  h6: number;
  h7: number;
  invK: number;
  bgR: number;
  bgG: number;
  bgB: number;
  tR: number;
  tG: number;
  tB: number;
  lMin: number;
  lSpan: number;
  lcx: number;
  lcy: number;
  sDark: number;
  scx: number;
  scy: number;
  sOff: number;
  sSoft: number;
}

/**
 * The camera: for every output pixel, the paper pixel under it (bilinear), creases, tint, light and shadow,
 * written straight into the JPEG encoder's colour space: Y at full resolution and Cb, Cr as 2x2 sums (zeroed
 * planes from ycbcrPlanes; averageChroma turns them into means).
 * Colour conversion is linear, so blurring these planes afterwards equals blurring RGB first. The projective
 * map, the light ramp and the shadow ramp are affine along a row, so they advance by one addition per pixel.
 */
function warpPaper(
  Y: Float32Array,
  Cb: Float32Array,
  Cr: Float32Array,
  W: number,
  H: number,
  pd: Uint8ClampedArray,
  Pw: number,
  Ph: number,
  n: WarpNumbers,
  cNx: Float64Array,
  cNy: Float64Array,
  cOff: Float64Array,
  cS: Float64Array,
): void {
  const {
    h0,
    h1,
    h2,
    h3,
    h4,
    h5,
    h6,
    h7,
    invK,
    bgR,
    bgG,
    bgB,
    tR,
    tG,
    tB,
    lMin,
    lSpan,
    lcx,
    lcy,
    sDark,
    scx,
    scy,
    sOff,
    sSoft,
  } = n;
  const nC = cNx.length;
  const cw = (W + 1) >> 1;
  for (let y = 0; y < H; y++) {
    const fy = y + 0.5;
    // values at x = 0 (fx = 0.5) and their per-pixel steps
    let uN = h0 * 0.5 + h1 * fy + h2;
    let vN = h3 * 0.5 + h4 * fy + h5;
    let wq = h6 * 0.5 + h7 * fy + 1;
    let light = lMin + lSpan * ((0.5 - W / 2) * lcx + (fy - H / 2) * lcy + 0.5);
    const lStep = lSpan * lcx;
    let sh = ((0.5 - W / 2) * scx + (fy - H / 2) * scy - sOff) / sSoft;
    const shStep = scx / sSoft;
    const cRow = (y >> 1) * cw;
    const row = y * W;
    for (let x = 0; x < W; x++, uN += h0, vN += h3, wq += h6, light += lStep, sh += shStep) {
      const u = uN / wq;
      const v = vN / wq;
      let r = bgR;
      let g = bgG;
      let b = bgB;
      let m = u < Pw - u ? u : Pw - u;
      if (v < m) m = v;
      if (Ph - v < m) m = Ph - v;
      const edge = m * invK + 0.5;
      if (edge > 0) {
        // bilinear sample of the paper (pixel centres at +0.5)
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
        // lerp along x on both rows, then along y
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
        let f = 1;
        for (let q = 0; q < nC; q++) {
          const dist = u * cNx[q]! + v * cNy[q]! - cOff[q]!;
          if (dist > -6 && dist < 6) {
            const cs = cS[q]!;
            f *= dist >= 0 ? 1 + 0.6 * cs * Math.exp(-dist * dist * 0.25) : 1 - cs * Math.exp(-dist * dist * 0.5);
          }
        }
        pr *= tR * f;
        pg *= tG * f;
        pb *= tB * f;
        const cov = edge >= 1 ? 1 : edge;
        r += (pr - r) * cov;
        g += (pg - g) * cov;
        b += (pb - b) * cov;
      }
      let lt = light;
      if (sDark > 0) {
        const t = sh <= -1 ? 0 : sh >= 1 ? 1 : 0.5 + sh * (0.75 - 0.25 * sh * sh); // smoothstep over [-1, 1]
        lt *= 1 - sDark * t;
      }
      r *= lt;
      g *= lt;
      b *= lt;
      Y[row + x] = 0.299 * r + 0.587 * g + 0.114 * b;
      const j = cRow + (x >> 1);
      Cb[j] = Cb[j]! + (-0.168736 * r - 0.331264 * g + 0.5 * b);
      Cr[j] = Cr[j]! + (0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
}

export function renderPhoto(
  signals: EcgSignals,
  scale: number,
  seed: number,
  filters: readonly FilterName[],
  ecgId?: number,
  headerText?: string,
): { canvas: Canvas; params: PhotoParams } {
  const paper = renderPrintout(signals, 0.63 * scale, filters, ecgId, headerText);
  const W = Math.round(720 * scale);
  const H = Math.round(540 * scale);
  const P = drawPhotoParams(seed, W, H, paper.width, paper.height);
  const out = new Canvas(W, H, 4);
  const pd = paper.data;
  const Pw = paper.width;
  const Ph = paper.height;
  // output pixel -> paper pixel
  const hm = homography(P.corners, [
    [0, 0],
    [Pw, 0],
    [Pw, Ph],
    [0, Ph],
  ]);
  const h0 = hm[0]!,
    h1 = hm[1]!,
    h2 = hm[2]!,
    h3 = hm[3]!;
  const h4 = hm[4]!,
    h5 = hm[5]!,
    h6 = hm[6]!,
    h7 = hm[7]!;
  const k = Pw / (P.paperScale * W); // paper px per output px (approx.)
  const [bgR, bgG, bgB] = P.background;
  const [tR, tG, tB] = P.tint;
  // lighting: linear ramp along the light direction over the frame diagonal
  const la = (P.lightAngleDeg * Math.PI) / 180;
  const diag = Math.sqrt(W * W + H * H);
  const lcx = Math.cos(la) / diag;
  const lcy = Math.sin(la) / diag;
  const sa = (P.shadowAngleDeg * Math.PI) / 180;
  const scx = Math.cos(sa);
  const scy = Math.sin(sa);
  const sOff = P.shadowOffset * diag * 0.5;
  const sSoft = P.shadowSoftness * W;
  const nC = P.creases.length;
  const cNx = new Float64Array(nC);
  const cNy = new Float64Array(nC);
  const cOff = new Float64Array(nC);
  const cS = new Float64Array(nC);
  P.creases.forEach((c, q) => {
    const dx = c.x1 - c.x0;
    const dy = c.y1 - c.y0;
    const len = Math.sqrt(dx * dx + dy * dy);
    cNx[q] = -dy / len / k;
    cNy[q] = dx / len / k;
    cOff[q] = (-dy * c.x0 + dx * c.y0) / len / k;
    cS[q] = c.strength;
  });
  const lMin = P.lightMin;
  const lSpan = P.lightMax - P.lightMin;
  const sDark = P.shadowDarkness;
  const invK = 1 / k;
  const { Y, Cb, Cr } = ycbcrPlanes(W, H);
  const tmp = scratch(W * H);
  warpPaper(
    Y,
    Cb,
    Cr,
    W,
    H,
    pd,
    Pw,
    Ph,
    {
      h0,
      h1,
      h2,
      h3,
      h4,
      h5,
      h6,
      h7,
      invK,
      bgR,
      bgG,
      bgB,
      tR,
      tG,
      tB,
      lMin,
      lSpan,
      lcx,
      lcy,
      sDark,
      scx,
      scy,
      sOff,
      sSoft,
    },
    cNx,
    cNy,
    cOff,
    cS,
  );
  averageChroma(Cb, Cr, W, H);
  // optics: blur ([a, 1-2a, a] twice has variance 4a, so a = sigma^2 / 4), luma at full resolution and chroma
  // at half (sigma / 2 in its pixels): the eye and JPEG both keep little chroma detail. Sensor noise goes on
  // luma only, in the same pass.
  blurPlane(
    Y,
    W,
    H,
    Math.min(1 / 3, (P.blurSigma * P.blurSigma) / 4),
    tmp,
    P.noiseSigma * Math.sqrt(6),
    (seed ^ 0x5bd1e995) >>> 0,
  );
  const cw = (W + 1) >> 1;
  const ch = (H + 1) >> 1;
  const aC = Math.min(1 / 3, (P.blurSigma * P.blurSigma) / 16);
  blurPlane(Cb, cw, ch, aC, tmp);
  blurPlane(Cr, cw, ch, aC, tmp);
  jpegYcc(Y, Cb, Cr, W, H, P.jpegQuality, out.data);
  return { canvas: out, params: P };
}
