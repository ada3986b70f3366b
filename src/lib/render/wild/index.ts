/**
 * The wild family: EKG pages as they arrive from outside our own renderer. One seeded sheet (layout, paper,
 * pen, text, marks: sheet.ts) seen three ways:
 *
 *   wild-printout  the sheet as a clean digital export (PDF render, screenshot), 2.6-4 px/mm (x scale)
 *   wild-scan      through a flatbed scanner or fax (scan.ts)
 *   (both: 30% are cropped to the traces, 2-10 mm around them, as screenshots and cut-out scans often are)
 *   wild-photo     through a phone camera (camera.ts)
 *
 * Every drawn parameter is returned (`WildInfo`) so the generator can list it and the digitiser can be scored
 * against it; with `traceMask` the exact pixels of the trace ink (traces, calibration pulses, separators) come back
 * too (same size as the image, 0..255).
 */
import type { EcgSignals } from '../../ptbxl/types';
import { subRng, uniform } from '../prng';
import type { RasterImage } from '../types';
import { drawCameraParams, photographSheet, type CameraParams } from './camera';
import { drawScanParams, scanSheet, type ScanParams } from './scan';
import { drawSheet, drawSheetParams, type SheetParams } from './sheet';

export const WILD_STYLES = ['wild-printout', 'wild-scan', 'wild-photo'] as const;
export type WildStyle = (typeof WILD_STYLES)[number];

/** A crop of the page, in page millimetres. */
export interface CropMm {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface WildInfo {
  sheet: SheetParams;
  /** wild-printout and wild-scan: the part of the page the image keeps (null = the whole page). */
  crop?: CropMm | null;
  /** Resolution the sheet was drawn at, px per mm (for wild-printout and wild-scan: of the output image too). */
  pxPerMm: number;
  scan?: ScanParams;
  camera?: CameraParams;
}

export interface WildRender {
  image: RasterImage;
  info: WildInfo;
  traceMask?: Uint8Array;
}

export function isWildStyle(style: string): style is WildStyle {
  return (WILD_STYLES as readonly string[]).includes(style);
}

/** 30% of printouts and scans keep only the traces and a few millimetres around them. */
export function drawCrop(seed: number, sheet: SheetParams): CropMm | null {
  const r = subRng(seed, 'wild-crop');
  if (r() >= 0.3) return null;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  const rowGap =
    (sheet.panels.length > 1 ? sheet.panels[sheet.panels.length - 1]!.baselineMm - sheet.panels[0]!.baselineMm : 40) /
    Math.max(1, sheet.panels[sheet.panels.length - 1]!.row);
  for (const p of sheet.panels) {
    x0 = Math.min(x0, p.x0Mm);
    x1 = Math.max(x1, p.x1Mm);
    y0 = Math.min(y0, p.baselineMm - 0.6 * rowGap);
    y1 = Math.max(y1, p.baselineMm + 0.4 * rowGap);
  }
  const cal = sheet.calibration === 'none' ? 0 : 0.2 * sheet.mmPerS + 4;
  if (sheet.calibration === 'left') x0 -= cal;
  else if (sheet.calibration === 'right') x1 += cal;
  return {
    x0: Math.max(0, x0 - uniform(r, 2, 10)),
    y0: Math.max(0, y0 - uniform(r, 2, 10)),
    x1: Math.min(sheet.pageMm[0], x1 + uniform(r, 2, 10)),
    y1: Math.min(sheet.pageMm[1], y1 + uniform(r, 2, 10)),
  };
}

/** Cuts `crop` (mm) out of an RGBA image drawn at `ppm` (and out of its trace mask). */
function applyCrop(
  image: RasterImage,
  crop: CropMm,
  ppm: number,
  mask?: Uint8Array,
): { image: RasterImage; mask?: Uint8Array } {
  const x0 = Math.max(0, Math.floor(crop.x0 * ppm));
  const y0 = Math.max(0, Math.floor(crop.y0 * ppm));
  const x1 = Math.min(image.width, Math.ceil(crop.x1 * ppm));
  const y1 = Math.min(image.height, Math.ceil(crop.y1 * ppm));
  const w = x1 - x0;
  const h = y1 - y0;
  const data = new Uint8ClampedArray(w * h * 4);
  const m = mask ? new Uint8Array(w * h) : undefined;
  for (let y = 0; y < h; y++) {
    data.set(image.data.subarray(((y + y0) * image.width + x0) * 4, ((y + y0) * image.width + x1) * 4), y * w * 4);
    if (m && mask) m.set(mask.subarray((y + y0) * image.width + x0, (y + y0) * image.width + x1), y * w);
  }
  return { image: { width: w, height: h, channels: 4, data }, mask: m };
}

/** Renders one wild image. `signals` are already filtered (the caller applies the style's filters). */
export function renderWild(
  style: WildStyle,
  signals: EcgSignals,
  seed: number,
  scale: number,
  ecgId?: number,
  withTraceMask = false,
): WildRender {
  const n = signals.leads[0]?.length ?? 0;
  const sheet = drawSheetParams(seed, signals.samplingRate, n, ecgId);
  if (style === 'wild-printout') {
    const pxPerMm = uniform(subRng(seed, 'wild-printout'), 2.6, 4) * scale;
    const { canvas, traceMask } = drawSheet(signals, sheet, pxPerMm, withTraceMask);
    const crop = drawCrop(seed, sheet);
    const image = canvas.toImage();
    if (crop === null) return { image, info: { sheet, pxPerMm, crop }, traceMask };
    const cut = applyCrop(image, crop, pxPerMm, traceMask);
    return { image: cut.image, info: { sheet, pxPerMm, crop }, traceMask: cut.mask };
  }
  if (style === 'wild-scan') {
    const scan = drawScanParams(seed, sheet.pageMm, scale);
    const drawn = drawSheet(signals, sheet, scan.pxPerMm, withTraceMask);
    const maskOut = withTraceMask ? new Uint8Array(drawn.canvas.width * drawn.canvas.height) : undefined;
    const out = scanSheet(drawn.canvas, scan, seed, drawn.traceMask, maskOut);
    drawn.canvas.toImage();
    const crop = drawCrop(seed, sheet);
    if (crop === null)
      return { image: out.toImage(), info: { sheet, pxPerMm: scan.pxPerMm, scan, crop }, traceMask: maskOut };
    const cut = applyCrop(out.toImage(), crop, scan.pxPerMm, maskOut);
    return { image: cut.image, info: { sheet, pxPerMm: scan.pxPerMm, scan, crop }, traceMask: cut.mask };
  }
  const camera: CameraParams = drawCameraParams(seed, sheet.pageMm, scale);
  const drawn = drawSheet(signals, sheet, camera.sheetPxPerMm, withTraceMask);
  const maskOut = withTraceMask ? new Uint8Array(camera.width * camera.height) : undefined;
  const out = photographSheet(drawn.canvas, camera, seed, drawn.traceMask, maskOut);
  drawn.canvas.toImage();
  return { image: out.toImage(), info: { sheet, pxPerMm: camera.sheetPxPerMm, camera }, traceMask: maskOut };
}

/** Largest image a wild style can produce at scale 1 (for reserving space and for size checks). */
export const WILD_MAX_SIZE: Readonly<Record<WildStyle, { width: number; height: number }>> = {
  'wild-printout': { width: 1188, height: 864 },
  'wild-scan': { width: 1400, height: 1083 },
  'wild-photo': { width: 720, height: 720 },
};

export type { CameraParams, ScanParams, SheetParams };
