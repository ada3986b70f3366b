/**
 * The study's four image datasets, re-drawn without matplotlib.
 *
 * Geometry follows matplotlib's defaults, which is what the study's plots used: a 6.4 x 4.8 in figure at
 * 100 dpi (640 x 480 px), subplot box left .125 / right .9 / bottom .11 / top .88 of the figure, hspace .2
 * between stacked axes, data margins of 5% (axes.xmargin/ymargin), line width 1.5 pt (2.08 px at 100 dpi).
 */
import type { EcgSignals } from '../../ptbxl/types';
import { Canvas, hex, simplifyPolyline, type Clip, type Rgb } from '../raster';
import { randInt, subRng, uniform } from '../prng';
import type { ShadowPolygon } from '../types';

const PT = 100 / 72; // pixels per point at 100 dpi
const SUBPLOT = { left: 0.125, right: 0.9, bottom: 0.11, top: 0.88, hspace: 0.2 } as const;
const WHITE: Rgb = [255, 255, 255];
const MPL_BLUE: Rgb = hex('#1f77b4'); // matplotlib's first colour-cycle colour, WFDB's default trace colour
const MPL_GRAY: Rgb = hex('#808080'); // matplotlib 'gray'
const GRID_MINOR: Rgb = hex('#ededed');
const GRID_MAJOR: Rgb = hex('#bababa');
const SPINE: Rgb = [0, 0, 0];

/** Module-level cache of static backgrounds (grids), keyed by everything they depend on. Deterministic. */
const backgroundCache = new Map<string, Uint8ClampedArray>();
function cachedBackground(key: string, make: () => Canvas): Uint8ClampedArray {
  let bg = backgroundCache.get(key);
  if (bg === undefined) {
    if (backgroundCache.size > 16) backgroundCache.clear();
    bg = make().data;
    backgroundCache.set(key, bg);
  }
  return bg;
}

/** Maps one lead into a clip box with given x/y data limits and strokes it. Reuses the coordinate buffers. */
let xsBuf = new Float32Array(0);
let ysBuf = new Float32Array(0);
function plotLead(
  canvas: Canvas,
  lead: Float32Array,
  fs: number,
  box: Clip,
  xlim: readonly [number, number],
  ylim: readonly [number, number],
  width: number,
  color: Rgb,
): void {
  const n = lead.length;
  if (xsBuf.length < n) {
    xsBuf = new Float32Array(n);
    ysBuf = new Float32Array(n);
  }
  const sx = (box.x1 - box.x0) / (xlim[1] - xlim[0]);
  const sy = (box.y1 - box.y0) / (ylim[1] - ylim[0]);
  for (let i = 0; i < n; i++) {
    xsBuf[i] = box.x0 + (i / fs - xlim[0]) * sx;
    ysBuf[i] = box.y0 + (ylim[1] - lead[i]!) * sy;
  }
  canvas.strokePolyline(xsBuf, ysBuf, simplifyPolyline(xsBuf, ysBuf, n), width, color, box);
}

/** matplotlib's autoscaled limits of [lo, hi] with 5% margins (a flat signal gets +-0.05 around it, a zero one +-0.055... simplified to +-0.05*max(1,|v|)). */
function autoLimits(lo: number, hi: number): [number, number] {
  if (hi > lo) {
    const m = 0.05 * (hi - lo);
    return [lo - m, hi + m];
  }
  const d = 0.05 * Math.max(1, Math.abs(lo));
  return [lo - d, hi + d];
}

function minMax(a: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** The plot box inside a tile of size w x h (matplotlib's default subplot box). */
function subplotBox(x: number, y: number, w: number, h: number): Clip {
  return {
    x0: x + SUBPLOT.left * w,
    x1: x + SUBPLOT.right * w,
    y0: y + (1 - SUBPLOT.top) * h,
    y1: y + (1 - SUBPLOT.bottom) * h,
  };
}

/** One lead the study's dataset-1/-4 way: gray line, axes off, y autoscaled to the lead's own min/max. */
function drawPlainLead(canvas: Canvas, lead: Float32Array, fs: number, x: number, y: number, size: number): void {
  const box = subplotBox(x, y, size, size);
  const [lo, hi] = minMax(lead);
  const tEnd = (lead.length - 1) / fs;
  const xlim = autoLimits(0, tEnd);
  // a 640x480 plot squeezed to 512x512: 1.5 pt line ~ 2.08 px * (512/640 .. 512/480) -> ~1.9 px at 512
  plotLead(canvas, lead, fs, box, xlim, autoLimits(lo, hi), 1.5 * PT * 0.9 * (size / 512), MPL_GRAY);
}

/**
 * dataset1 - the study: "each lead plotted directly with matplotlib (no filtering, no grid, gray line), each
 * lead resized to 512x512 grayscale, 12 leads tiled 3 rows x 4 columns: one 2048x1536 PNG; looks choppy,
 * with spikes from outlier samples".
 * Ours: the same, drawn straight into 512 x 512 tiles (x `scale`): gray (#808080) 1.9 px line, no axes,
 * matplotlib's default subplot margins and 5% autoscale margins, so one outlier sample stretches the y range
 * and flattens the rest exactly as in the study. Tiles row-major in lead order I, II, III, aVR / aVL, aVF,
 * V1, V2 / V3-V6. 1-channel gray, 2048 x 1536 at scale 1.
 */
export function renderDataset1(signals: EcgSignals, scale: number): Canvas {
  const tile = Math.round(512 * scale);
  const canvas = new Canvas(tile * 4, tile * 3, 1);
  canvas.fill(WHITE);
  signals.leads.forEach((lead, l) => {
    drawPlainLead(canvas, lead, signals.samplingRate, (l % 4) * tile, Math.floor(l / 4) * tile, tile);
  });
  return canvas;
}

/**
 * dataset4 - the study: "each lead alone in its own 512x512 image (12 images per record), for an RNN".
 * Ours: 12 one-channel images, each exactly one dataset1 tile.
 */
export function renderDataset4(signals: EcgSignals, scale: number): Canvas[] {
  const tile = Math.round(512 * scale);
  return signals.leads.map((lead) => {
    const canvas = new Canvas(tile, tile, 1);
    canvas.fill(WHITE);
    drawPlainLead(canvas, lead, signals.samplingRate, 0, 0, tile);
    return canvas;
  });
}

interface Dataset2Layout {
  width: number;
  height: number;
  axes: Clip[];
  xlim: [number, number];
  ylim: [number, number];
  lineWidth: number;
}

function dataset2Layout(n: number, fs: number, scale: number): Dataset2Layout {
  const width = Math.round(640 * scale);
  const height = Math.round(480 * scale);
  const x0 = SUBPLOT.left * width;
  const x1 = SUBPLOT.right * width;
  const top = (1 - SUBPLOT.top) * height;
  const bottom = (1 - SUBPLOT.bottom) * height;
  const h = (bottom - top) / (12 + 11 * SUBPLOT.hspace);
  const axes: Clip[] = [];
  for (let i = 0; i < 12; i++) {
    const y0 = top + i * h * (1 + SUBPLOT.hspace);
    axes.push({ x0, x1, y0, y1: y0 + h });
  }
  return { width, height, axes, xlim: autoLimits(0, (n - 1) / fs), ylim: [-1, 1], lineWidth: 1.5 * PT * scale };
}

/** The static part of a dataset2 sheet: white figure, 12 axes with WFDB's ECG grid and black spines. */
function drawDataset2Background(L: Dataset2Layout, scale: number): Canvas {
  const c = new Canvas(L.width, L.height, 4);
  c.fill(WHITE);
  const [xa, xb] = L.xlim;
  const gw = 1.5 * PT * scale; // WFDB draws grid lines with ax.plot: default 1.5 pt width
  for (const box of L.axes) {
    const sx = (box.x1 - box.x0) / (xb - xa);
    const sy = (box.y1 - box.y0) / 2;
    // WFDB: grid from t = 0 to upround(xmax, 0.2 s) and over the whole y range; clipped to the axes
    const tMax = Math.ceil(xb / 0.2 - 1e-9) * 0.2;
    const gx0 = box.x0 + (0 - xa) * sx;
    for (const [step, color] of [
      [0.04, GRID_MINOR],
      [0.2, GRID_MAJOR],
    ] as const) {
      const nT = Math.round(tMax / step);
      for (let k = 0; k <= nT; k++) {
        const x = box.x0 + (k * step - xa) * sx;
        c.maskRect(Math.max(box.x0, x - gw / 2), box.y0, Math.min(box.x1, x + gw / 2), box.y1);
        c.composite(color);
      }
      const vStep = step === 0.04 ? 0.125 : 0.5;
      const nV = Math.round(2 / vStep);
      for (let k = 0; k <= nV; k++) {
        const y = box.y0 + k * vStep * sy;
        c.maskRect(gx0, Math.max(box.y0, y - gw / 2), box.x1, Math.min(box.y1, y + gw / 2));
        c.composite(color);
      }
    }
    // spines: 0.8 pt black frame, centred on the axes edge
    const sw = 0.8 * PT * scale;
    c.maskRect(box.x0 - sw / 2, box.y0 - sw / 2, box.x1 + sw / 2, box.y0 + sw / 2);
    c.maskRect(box.x0 - sw / 2, box.y1 - sw / 2, box.x1 + sw / 2, box.y1 + sw / 2);
    c.maskRect(box.x0 - sw / 2, box.y0 + sw / 2, box.x0 + sw / 2, box.y1 - sw / 2);
    c.maskRect(box.x1 - sw / 2, box.y0 + sw / 2, box.x1 + sw / 2, box.y1 - sw / 2);
    c.composite(SPINE);
  }
  return c;
}

/**
 * dataset2 - the study: "WFDB-style plot: 12 leads stacked vertically in one column, each with an EKG-paper
 * grid (minor 0.04 s / 0.125 mV in light gray #ededed, major 0.2 s / 0.5 mV in #bababa), y-limits fixed to
 * [-1, 1] mV, no ticks or labels, blue trace: 640x480 PNG".
 * Ours: what wfdb.plot_wfdb(ecg_grids='all') draws at matplotlib defaults, with ticks and labels removed:
 * 12 axes of ~26 px each inside the default subplot box, grid lines 1.5 pt wide (so at this size the minor
 * grid merges into a light-gray field striped by the major lines), the grid starting at t = 0 while the
 * x axis keeps matplotlib's 5% margin, black 0.8 pt spines, trace #1f77b4 1.5 pt, clipped to [-1, 1] mV.
 * RGBA 640 x 480 at scale 1.
 */
export function renderDataset2(signals: EcgSignals, scale: number): Canvas {
  const n = signals.leads[0]?.length ?? 0;
  const fs = signals.samplingRate;
  const L = dataset2Layout(n, fs, scale);
  const bg = cachedBackground(`dataset2:${scale}:${n}:${fs}`, () => drawDataset2Background(L, scale));
  const canvas = new Canvas(L.width, L.height, 4, bg.slice());
  signals.leads.forEach((lead, l) => {
    plotLead(canvas, lead, fs, L.axes[l]!, L.xlim, L.ylim, L.lineWidth, MPL_BLUE);
  });
  return canvas;
}

/** Pixel row of value `mv` in lead `lead`'s axes of a dataset2 image (for tests and overlays). */
export function dataset2RowOf(lead: number, mv: number, n: number, fs: number, scale = 1): number {
  const L = dataset2Layout(n, fs, scale);
  const box = L.axes[lead]!;
  return box.y0 + ((1 - mv) / 2) * (box.y1 - box.y0);
}

/**
 * dataset3 - the study: "Dataset 2 plus 1-3 random 5-vertex polygonal shadows darkening part of the image".
 * Ours: 1-3 polygons (count, vertices and darkness from the seed); each has 5 vertices at sorted random
 * angles and radii 15-45% of the image height around a random centre (so it is a simple star-shaped
 * polygon, never self-intersecting), filled black with opacity 0.25-0.6, anti-aliased.
 */
export function renderDataset3(
  signals: EcgSignals,
  scale: number,
  seed: number,
): { canvas: Canvas; shadows: ShadowPolygon[] } {
  const canvas = renderDataset2(signals, scale);
  const rng = subRng(seed, 'dataset3-shadows');
  const count = randInt(rng, 1, 3);
  const shadows: ShadowPolygon[] = [];
  const W = canvas.width;
  const H = canvas.height;
  for (let s = 0; s < count; s++) {
    const cx = uniform(rng, 0, W);
    const cy = uniform(rng, 0, H);
    const angles: number[] = [];
    for (let k = 0; k < 5; k++) angles.push(uniform(rng, 0, 2 * Math.PI));
    angles.sort((a, b) => a - b);
    const points: Array<[number, number]> = angles.map((a) => {
      const r = uniform(rng, 0.15, 0.45) * H;
      return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
    });
    const darkness = uniform(rng, 0.25, 0.6);
    canvas.maskPolygon(points.flat());
    canvas.compositeDarken(darkness);
    shadows.push({ points, darkness });
  }
  return { canvas, shadows };
}
