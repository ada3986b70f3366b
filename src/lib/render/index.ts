/**
 * EKG image renderer: EcgSignals (12 leads, mV) + options -> RasterImage(s).
 *
 * Pure and deterministic (same signals + options -> same bytes in Node and in Chromium); no DOM, no canvas,
 * no node: imports. In a page, draw a result with
 *   ctx.putImageData(new ImageData(toRgba(img).data, img.width, img.height), 0, 0)
 *
 * Styles (see the doc comment of each renderer for the study's description beside ours):
 *   dataset1  styles/datasets.ts renderDataset1   2048x1536 gray, 12 autoscaled gray tiles
 *   dataset2  styles/datasets.ts renderDataset2   640x480 RGBA, WFDB sheet, blue trace on ECG grid
 *   dataset3  styles/datasets.ts renderDataset3   dataset2 + 1-3 polygon shadows
 *   dataset4  styles/datasets.ts renderDataset4   12 x 512x512 gray, one lead each
 *   printout  styles/printout.ts renderPrintout   1120x860 RGBA, red grid, 3x4 + rhythm strip
 *   photo     styles/photo.ts    renderPhoto      720x540 RGBA, the printout photographed
 *   wild-printout / wild-scan / wild-photo  wild/   renderWild   pages laid out, printed, scanned and
 *             photographed as in the world outside this project (seeded layouts, papers, pens, text,
 *             marks, scanners and cameras; size varies with the seed, at most WILD_MAX_SIZE)
 */
import type { EcgSignals } from '../ptbxl/types';
import { applyFilters, FILTER_NAMES, type FilterName } from '../signal/filters';
import { RenderError } from './errors';
import { sha256Hex } from './sha256';
import { renderDataset1, renderDataset2, renderDataset3, renderDataset4 } from './styles/datasets';
import { renderPhoto } from './styles/photo';
import { renderPrintout } from './styles/printout';
import { STYLE_NAMES, type RasterImage, type RenderInfo, type RenderOptions, type StyleName } from './types';
import { isWildStyle, renderWild, WILD_MAX_SIZE } from './wild/index';
import { uprightQuarterTurns } from './wild/camera';

export { RenderError } from './errors';
export type { RenderErrorCode } from './errors';
export { STYLE_NAMES } from './types';
export type { PhotoParams, RasterImage, RenderInfo, RenderOptions, ShadowPolygon, StyleName } from './types';
export { deriveSeed } from './prng';
export { isRasterImage, toRgba } from './image';
export { sha256Hex } from './sha256';
export { dataset2RowOf } from './styles/datasets';
export { isWildStyle, WILD_STYLES, type WildInfo, type WildStyle } from './wild/index';

/** Bumped whenever any style's pixels change on purpose (recorded in export manifests). */
export const RENDERER_VERSION = 6;

/** Largest image the renderer will make, in pixels (per image). */
export const MAX_PIXELS = 40_000_000;
/** Largest |sample| accepted, in mV (PTB-XL stays within about +-35 mV; microvolts passed as mV would not). */
export const MAX_ABS_MV = 100_000;
/** Longest signal accepted, in samples per lead. */
export const MAX_SAMPLES = 1_000_000;

/** Native size (scale 1) of one image of each style, and its channel count. */
export const STYLE_SIZES: Readonly<
  Record<StyleName, { width: number; height: number; channels: 1 | 4; images: number }>
> = {
  dataset1: { width: 2048, height: 1536, channels: 1, images: 1 },
  dataset2: { width: 640, height: 480, channels: 4, images: 1 },
  dataset3: { width: 640, height: 480, channels: 4, images: 1 },
  dataset4: { width: 512, height: 512, channels: 1, images: 12 },
  printout: { width: 1120, height: 860, channels: 4, images: 1 },
  photo: { width: 720, height: 540, channels: 4, images: 1 },
  // the wild styles' size depends on the seed: these are the largest
  'wild-printout': { ...WILD_MAX_SIZE['wild-printout'], channels: 4, images: 1 },
  'wild-scan': { ...WILD_MAX_SIZE['wild-scan'], channels: 4, images: 1 },
  'wild-photo': { ...WILD_MAX_SIZE['wild-photo'], channels: 4, images: 1 },
};

/** Filters each style applies when `options.filters` is not given. */
export function defaultFilters(style: StyleName): FilterName[] {
  return style === 'printout' || style === 'photo' || isWildStyle(style) ? ['baseline', 'lowpass'] : [];
}

/** Pixel size of one image of `style` at `scale` (what `render` will produce; for wild styles the largest). */
export function imageSize(style: StyleName, scale = 1): { width: number; height: number } {
  const s = STYLE_SIZES[style];
  if (style === 'dataset1') {
    const tile = Math.round(512 * scale);
    return { width: tile * 4, height: tile * 3 };
  }
  return { width: Math.round(s.width * scale), height: Math.round(s.height * scale) };
}

/** Throws RenderError unless `signals` is 12 equal-length leads of finite samples at a positive rate. */
export function validateSignals(signals: EcgSignals): void {
  if (signals === null || typeof signals !== 'object' || !Array.isArray(signals.leads)) {
    throw new RenderError('bad-signals', 'signals must be an object with a leads array');
  }
  const fs = signals.samplingRate;
  if (typeof fs !== 'number' || !Number.isFinite(fs) || fs <= 0) {
    throw new RenderError('bad-signals', `samplingRate must be a positive finite number (got ${String(fs)})`);
  }
  if (signals.leads.length !== 12) {
    throw new RenderError('bad-signals', `expected 12 leads, got ${signals.leads.length}`);
  }
  if (!Array.isArray(signals.leadNames) || signals.leadNames.length !== 12) {
    throw new RenderError(
      'bad-signals',
      `expected 12 lead names, got ${Array.isArray(signals.leadNames) ? signals.leadNames.length : 'none'}`,
    );
  }
  const n = signals.leads[0]?.length ?? 0;
  signals.leads.forEach((lead, l) => {
    const name = signals.leadNames[l] ?? `#${l}`;
    if (!lead || typeof lead.length !== 'number')
      throw new RenderError('bad-signals', `lead ${name} is not an array of samples`);
    if (lead.length === 0) throw new RenderError('bad-signals', `lead ${name} is empty`);
    if (lead.length !== n) {
      throw new RenderError(
        'bad-signals',
        `leads have different lengths: ${signals.leadNames[0] ?? '#0'} has ${n} samples, ${name} has ${lead.length}`,
      );
    }
  });
  if (n < 2) throw new RenderError('bad-signals', `signals need at least 2 samples per lead (got ${n})`);
  if (n > MAX_SAMPLES)
    throw new RenderError('bad-signals', `signals too long: ${n} samples per lead (max ${MAX_SAMPLES})`);
  signals.leads.forEach((lead, l) => {
    for (let i = 0; i < lead.length; i++) {
      const v = lead[i]!;
      if (!Number.isFinite(v)) {
        throw new RenderError(
          'bad-samples',
          `lead ${signals.leadNames[l] ?? `#${l}`} sample ${i} is ${String(v)} (samples must be finite mV values)`,
        );
      }
      if (v > MAX_ABS_MV || v < -MAX_ABS_MV) {
        throw new RenderError(
          'bad-samples',
          `lead ${signals.leadNames[l] ?? `#${l}`} sample ${i} is ${v} mV, outside +-${MAX_ABS_MV} mV (wrong units?)`,
        );
      }
    }
  });
}

interface ResolvedOptions {
  style: StyleName;
  seed: number;
  scale: number;
  filters: FilterName[];
}

/** Checks options and fills in defaults; throws RenderError on anything unknown or absurd. */
export function resolveOptions(options: RenderOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new RenderError('bad-option', 'options must be an object');
  const style = options.style;
  if (!(STYLE_NAMES as readonly string[]).includes(style as string)) {
    throw new RenderError('bad-style', `unknown style '${String(style)}' (known: ${STYLE_NAMES.join(', ')})`);
  }
  const seed = options.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RenderError('bad-option', `seed must be an integer in 0..4294967295 (got ${String(seed)})`);
  }
  const scale = options.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0) {
    throw new RenderError('bad-size', `scale must be a positive finite number (got ${String(scale)})`);
  }
  const { width, height } = imageSize(style, scale);
  if (width < 8 || height < 8) {
    throw new RenderError('bad-size', `image too small: ${width}x${height} px at scale ${scale} (min 8 px a side)`);
  }
  if (width * height > MAX_PIXELS) {
    throw new RenderError(
      'bad-size',
      `image too large: ${width}x${height} px at scale ${scale} (max ${MAX_PIXELS / 1e6} megapixels)`,
    );
  }
  const filters = options.filters === undefined ? defaultFilters(style) : [...options.filters];
  for (const f of filters) {
    if (!FILTER_NAMES.includes(f))
      throw new RenderError('bad-option', `unknown filter '${String(f)}' (known: ${FILTER_NAMES.join(', ')})`);
  }
  return { style, seed, scale, filters };
}

/**
 * Clockwise quarter turns that bring a render's sheet upright: its camera's (`uprightQuarterTurns`) for a wild
 * photo, 0 for every style that draws the sheet upright. What the sheet-upright model learns, what
 * `export-images --upright` applies and what `npm run eval` counts as the right way up.
 */
export function renderUprightTurns(info: RenderInfo): 0 | 1 | 2 | 3 {
  const camera = info.wild?.camera;
  return camera ? uprightQuarterTurns(camera) : 0;
}

/**
 * Renders and also returns what was drawn at random (dataset3 shadows, photo camera parameters, the wild
 * styles' sheet, scanner and camera), and for wild styles with `options.traceMask` the pixels of the trace ink.
 */
export function renderWithInfo(
  signals: EcgSignals,
  options: RenderOptions,
): { images: RasterImage[]; info: RenderInfo; traceMask?: Uint8Array } {
  const o = resolveOptions(options);
  validateSignals(signals);
  const sig = applyFilters(signals, o.filters);
  const info: RenderInfo = { style: o.style, seed: o.seed, filters: o.filters };
  switch (o.style) {
    case 'dataset1':
      return { images: [renderDataset1(sig, o.scale).toImage()], info };
    case 'dataset2':
      return { images: [renderDataset2(sig, o.scale).toImage()], info };
    case 'dataset3': {
      const { canvas, shadows } = renderDataset3(sig, o.scale, o.seed);
      return { images: [canvas.toImage()], info: { ...info, shadows } };
    }
    case 'dataset4':
      return { images: renderDataset4(sig, o.scale).map((c) => c.toImage()), info };
    case 'printout':
      return { images: [renderPrintout(sig, o.scale, o.filters, options.ecgId, options.headerText).toImage()], info };
    case 'photo': {
      const { canvas, params } = renderPhoto(sig, o.scale, o.seed, o.filters, options.ecgId, options.headerText);
      return { images: [canvas.toImage()], info: { ...info, photo: params } };
    }
    case 'wild-printout':
    case 'wild-scan':
    case 'wild-photo': {
      const w = renderWild(o.style, sig, o.seed, o.scale, options.ecgId, options.traceMask === true);
      return { images: [w.image], info: { ...info, wild: w.info }, traceMask: w.traceMask };
    }
  }
}

/** The contract's entry point: one image for every style but dataset4 (which gives 12). */
export function render(signals: EcgSignals, options: RenderOptions): RasterImage[] {
  return renderWithInfo(signals, options).images;
}

/** sha256 (hex) of an image's pixel bytes. */
export function imageHash(image: RasterImage): string {
  return sha256Hex(image.data);
}

/**
 * Renders and hashes every image: what the golden tests compare (tests/fixtures/render/golden.json), usable
 * from a browser page to check that Chromium draws the same bytes as Node.
 */
export function renderToGoldenHash(
  signals: EcgSignals,
  options: RenderOptions,
): Array<{ width: number; height: number; channels: 1 | 4; sha256: string }> {
  return render(signals, options).map((img) => ({
    width: img.width,
    height: img.height,
    channels: img.channels,
    sha256: imageHash(img),
  }));
}
