/**
 * printout - what the study asked for next ("black trace on a red grid, the standard 3x4 layout with a
 * rhythm strip"): a resting 12-lead EKG as an electrocardiograph prints it.
 *
 * Ours, in paper millimetres (4 px/mm at scale 1, page 280 x 215 mm -> 1120 x 860 px RGBA):
 * - pink/red millimetre grid over 10..270 mm x 25..205 mm: 1 mm minor lines, 5 mm major lines;
 * - 25 mm/s and 10 mm/mV;
 * - 3 rows x 4 columns, rows I aVR V1 V4 / II aVL V2 V5 / III aVF V3 V6; column c shows its own 2.5 s window
 *   (c*2.5 .. (c+1)*2.5 s) as real machines do, so the four columns together span the 10 s record;
 * - a 10 s lead II rhythm strip as the 4th row;
 * - a 1 mV x 0.2 s calibration pulse at the start of every row, short separator bars between columns;
 * - lead labels, and a header: ecg id, speed, gain, filter band, sampling rate;
 * - near-black trace 0.3 mm wide, not clipped to its row (tall QRS complexes overlap the next row, as on paper).
 */
import type { EcgSignals } from '../../ptbxl/types';
import type { FilterName } from '../../signal/filters';
import { drawText } from '../font';
import { Canvas, hex, simplifyPolyline, type Rgb } from '../raster';

export const PRINTOUT = {
  pxPerMm: 4,
  paperMm: [280, 215] as const,
  gridMm: { x0: 10, x1: 270, y0: 25, y1: 205 },
  baselinesMm: [50, 95, 140, 185] as const,
  traceX0Mm: 20,
  mmPerS: 25,
  mmPerMv: 10,
  columnS: 2.5,
  layout: [
    ['I', 'aVR', 'V1', 'V4'],
    ['II', 'aVL', 'V2', 'V5'],
    ['III', 'aVF', 'V3', 'V6'],
  ] as const,
  rhythmLead: 'II',
} as const;

const PAPER: Rgb = [255, 252, 250];
const MINOR: Rgb = hex('#f5b8b8');
const MAJOR: Rgb = hex('#e06666');
const INK: Rgb = [20, 20, 24];
const TEXT: Rgb = [30, 30, 40];

/** Text describing the filters applied, for the header. */
export function filterLabel(filters: readonly FilterName[], fs: number): string {
  const hp = filters.includes('baseline');
  const lp = filters.includes('lowpass');
  const band = hp && lp ? '0.5-35 Hz' : hp ? 'high-pass 0.5 Hz' : lp ? 'low-pass 35 Hz' : 'none';
  const notches = filters.filter((f) => f === 'notch50' || f === 'notch60').map((f) => (f === 'notch50' ? '50' : '60'));
  const notchText = notches.length > 0 ? `  notch ${notches.join('/')} Hz` : '';
  return `filter ${band}${notchText}  ${fs} Hz`;
}

const gridCache = new Map<string, Uint8ClampedArray>();

function drawPaper(scale: number): Canvas {
  const ppm = PRINTOUT.pxPerMm * scale;
  const W = Math.round(PRINTOUT.paperMm[0] * ppm);
  const H = Math.round(PRINTOUT.paperMm[1] * ppm);
  const c = new Canvas(W, H, 4);
  c.fill(PAPER);
  const g = PRINTOUT.gridMm;
  const minorW = Math.max(0.5, 0.15 * ppm);
  const majorW = Math.max(0.8, 0.3 * ppm);
  // minor lines first, then major ones over them. Below 2.5 px/mm the 1 mm lines would alias into a moire
  // pattern, so the minor grid becomes a flat tint of the same average darkness.
  const minorAsTint = ppm < 2.5;
  if (minorAsTint) {
    const f = Math.min(1, minorW / ppm);
    c.fillRect(g.x0 * ppm, g.y0 * ppm, g.x1 * ppm, g.y1 * ppm, MINOR, f + f - f * f);
  }
  for (const [every, color, w] of [
    [1, MINOR, minorW],
    [5, MAJOR, majorW],
  ] as const) {
    if (every === 1 && minorAsTint) continue;
    for (let mm = g.x0; mm <= g.x1; mm += every) {
      const x = mm * ppm;
      c.maskRect(x - w / 2, g.y0 * ppm - w / 2, x + w / 2, g.y1 * ppm + w / 2);
    }
    for (let mm = g.y0; mm <= g.y1; mm += every) {
      const y = mm * ppm;
      c.maskRect(g.x0 * ppm - w / 2, y - w / 2, g.x1 * ppm + w / 2, y + w / 2);
    }
    // crossing points were added twice: the additive mask clamps at 1, so overlaps stay opaque, not darker
    c.composite(color);
  }
  return c;
}

let xs = new Float32Array(0);
let ys = new Float32Array(0);

/** Renders the printout. `ecgId`/`headerText` go into the header. */
export function renderPrintout(
  signals: EcgSignals,
  scale: number,
  filters: readonly FilterName[],
  ecgId?: number,
  headerText?: string,
): Canvas {
  const key = String(scale);
  let paper = gridCache.get(key);
  if (paper === undefined) {
    if (gridCache.size > 8) gridCache.clear();
    paper = drawPaper(scale).data;
    gridCache.set(key, paper);
  }
  const ppm = PRINTOUT.pxPerMm * scale;
  const W = Math.round(PRINTOUT.paperMm[0] * ppm);
  const H = Math.round(PRINTOUT.paperMm[1] * ppm);
  const c = new Canvas(W, H, 4, paper.slice());
  const fs = signals.samplingRate;
  const n = signals.leads[0]?.length ?? 0;
  const traceW = 0.3 * ppm;
  const leadIndex = (name: string): number => {
    const i = signals.leadNames.findIndex((ln) => ln.toUpperCase() === name.toUpperCase());
    return i >= 0 ? i : 0;
  };
  if (xs.length < n + 2) {
    xs = new Float32Array(n + 2);
    ys = new Float32Array(n + 2);
  }
  const x0 = PRINTOUT.traceX0Mm * ppm;
  const pxPerS = PRINTOUT.mmPerS * ppm;
  const pxPerMv = PRINTOUT.mmPerMv * ppm;
  const labelSize = 2.6 * ppm;

  const drawSegment = (lead: Float32Array, i0: number, i1: number, t0: number, baseY: number): void => {
    let k = 0;
    for (let i = i0; i < i1; i++, k++) {
      xs[k] = x0 + (i / fs - t0) * pxPerS;
      ys[k] = baseY - lead[i]! * pxPerMv;
    }
    c.maskPolyline(xs, ys, simplifyPolyline(xs, ys, k), traceW / 2);
  };

  const rows = PRINTOUT.baselinesMm.length;
  for (let r = 0; r < rows; r++) {
    const baseY = (PRINTOUT.baselinesMm[r] as number) * ppm;
    // calibration pulse: 1 mV (10 mm) high, 0.2 s (5 mm) wide, on 2 mm of baseline either side
    const cx = 11.5 * ppm;
    const cw = 0.2 * pxPerS;
    const pulseX = [cx, cx + 2 * ppm, cx + 2 * ppm, cx + 2 * ppm + cw, cx + 2 * ppm + cw, cx + 4 * ppm + cw];
    const pulseY = [baseY, baseY, baseY - pxPerMv, baseY - pxPerMv, baseY, baseY];
    c.maskPolyline(pulseX, pulseY, 6, traceW / 2);
    if (r < 3) {
      const names = PRINTOUT.layout[r] as readonly string[];
      for (let col = 0; col < 4; col++) {
        const t0 = col * PRINTOUT.columnS;
        const i0 = Math.min(n, Math.round(t0 * fs));
        const i1 = Math.min(n, Math.round((t0 + PRINTOUT.columnS) * fs));
        drawSegment(signals.leads[leadIndex(names[col]!)]!, i0, i1, 0, baseY);
        if (col > 0) {
          const bx = x0 + t0 * pxPerS;
          c.maskRect(bx - traceW / 2, baseY - 3 * ppm, bx + traceW / 2, baseY + 3 * ppm);
        }
      }
    } else {
      drawSegment(signals.leads[leadIndex(PRINTOUT.rhythmLead)]!, 0, Math.min(n, Math.round(10 * fs)), 0, baseY);
    }
    c.composite(INK);
    // labels after the trace so they stay legible
    if (r < 3) {
      const names = PRINTOUT.layout[r] as readonly string[];
      for (let col = 0; col < 4; col++) {
        drawText(
          c,
          names[col]!,
          x0 + col * PRINTOUT.columnS * pxPerS + 1.5 * ppm,
          baseY - 8.5 * ppm,
          labelSize,
          TEXT,
          true,
        );
      }
    } else {
      drawText(c, PRINTOUT.rhythmLead, x0 + 1.5 * ppm, baseY - 8.5 * ppm, labelSize, TEXT, true);
    }
  }

  // header
  const hs = 3 * ppm;
  const idText = ecgId !== undefined ? `PTB-XL ecg_id ${ecgId}` : 'PTB-XL record';
  drawText(c, idText + (headerText ? `   ${headerText}` : ''), 10 * ppm, 7 * ppm, hs, TEXT, true);
  drawText(c, `25 mm/s   10 mm/mV   ${filterLabel(filters, fs)}`, 10 * ppm, 13 * ppm, hs, TEXT, true);
  drawText(c, 'HeartNet Notebook - plotted from PTB-XL (CC BY 4.0)', 10 * ppm, 209 * ppm, 2 * ppm, [120, 110, 110]);
  return c;
}
