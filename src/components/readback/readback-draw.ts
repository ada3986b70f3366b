/**
 * Canvas drawings of what the digitiser read, shared by the demo and the report's stage-by-stage figure:
 * - `drawSheet`: the upright sheet it worked on (grey), optionally its trace pixels (tinted, or alone on white),
 *   a 5 mm ruler at the grid pitch it found, the trace rows and each lead's panel outlined and named;
 * - `drawLeads`: the leads read back as clean traces in the printed 3 × 4 order plus the lead II rhythm strip,
 *   each over the seconds it was read, with the true signal beneath when the picture's record is known.
 * - `stageItems`: the stages in plain words, as list items (the text beside both drawings).
 * Colours are fixed (the drawings are paper-white in either colour scheme) and named in the captions, and each
 * canvas gets a text alternative from its caller. No state; no inline styles.
 */
import { el } from '../dom';
import type { Digitised } from './readback-core';
import type { LeadWindow } from './readback-measure';
import { dbText, readSpan, type StageLine } from './readback-text';

/** One `<li>` per stage ("Grid (assumed): ..." where the digitiser fell back on a default). */
export function stageItems(lines: readonly StageLine[]): HTMLLIElement[] {
  return lines.map((l) =>
    el(
      'li',
      { data: { stage: l.stage, ok: String(l.ok) } },
      el('strong', {}, `${l.stage}${l.ok ? '' : ' (assumed)'}: `),
      l.text,
    ),
  );
}

export const COLORS = {
  paper: '#ffffff',
  ink: '#1d1d1f',
  truth: '#0072b2',
  row: '#0072b2',
  panel: '#d55e00',
  separator: '#009e73',
  mask: '#c0132f',
  ruler: '#6a3d9a',
  muted: '#6b6b70',
} as const;

export interface SheetView {
  /** Tint the trace pixels over the sheet ('tint'), show them alone ('only'), or not at all. */
  mask?: 'tint' | 'only' | false;
  /** Outline the rows and the lead panels (and the column marks). */
  layout?: boolean;
  /** A ruler of 5 mm ticks at the grid pitch found. */
  ruler?: boolean;
  /** Longest side drawn, px (default 1280). */
  maxSide?: number;
}

function fullImage(d: Digitised, mask: SheetView['mask']): ImageData {
  const { width: w, height: h, data } = d.sheet;
  const out = new ImageData(w, h);
  const px = out.data;
  for (let i = 0, j = 0; i < w * h; i++, j += 4) {
    const m = d.mask[i]! > 0;
    if (mask === 'only') {
      const v = m ? 29 : 255;
      px[j] = px[j + 1] = px[j + 2] = v;
    } else if (mask === 'tint' && m) {
      px[j] = 192;
      px[j + 1] = 19;
      px[j + 2] = 47;
    } else {
      // the sheet's luma, lightened a little so the outlines stand out
      const v = Math.max(0, Math.min(255, 70 + data[i]! * 0.73));
      px[j] = px[j + 1] = px[j + 2] = v;
    }
    px[j + 3] = 255;
  }
  return out;
}

/** Draws the upright sheet with what the stages found; returns the drawing's scale (canvas px per sheet px). */
export function drawSheet(canvas: HTMLCanvasElement, d: Digitised, view: SheetView = {}): number {
  const { width: w, height: h } = d.sheet;
  const s = Math.min(1, (view.maxSide ?? 1280) / Math.max(w, h));
  canvas.width = Math.max(1, Math.round(w * s));
  canvas.height = Math.max(1, Math.round(h * s));
  const full = new OffscreenCanvas(w, h);
  full.getContext('2d')!.putImageData(fullImage(d, view.mask ?? false), 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(full, 0, 0, canvas.width, canvas.height);
  const st = d.stages;
  const lw = Math.max(1.5, canvas.width / 500);
  if (view.ruler) {
    const mm5 = 5 * st.grid.pxPerMm * s;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(0, 0, canvas.width, 18 * lw);
    ctx.strokeStyle = COLORS.ruler;
    ctx.lineWidth = lw;
    ctx.beginPath();
    for (let k = 0, x = 0; x <= canvas.width; k++, x = k * mm5) {
      const tall = k % 2 === 0 ? 12 : 7;
      ctx.moveTo(x, 0);
      ctx.lineTo(x, tall * lw);
    }
    ctx.stroke();
    ctx.fillStyle = COLORS.ruler;
    ctx.font = `${Math.round(9 * lw)}px system-ui, sans-serif`;
    ctx.fillText('ticks every 5 mm', 2 * mm5 + 4 * lw, 11 * lw);
  }
  if (view.layout) {
    const spacing = st.rows.length > 1 ? (st.rows[st.rows.length - 1]! - st.rows[0]!) / (st.rows.length - 1) : h / 4;
    const half = spacing * 0.45;
    ctx.setLineDash([6 * lw, 4 * lw]);
    ctx.strokeStyle = COLORS.row;
    ctx.lineWidth = lw;
    for (const y of st.rows) {
      ctx.beginPath();
      ctx.moveTo(st.traceStart * s, y * s);
      ctx.lineTo(st.traceEnd * s, y * s);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.strokeStyle = COLORS.panel;
    ctx.lineWidth = lw * 1.2;
    ctx.font = `bold ${Math.round(10 * lw)}px system-ui, sans-serif`;
    for (const p of st.panels) {
      const x = p.x0 * s;
      const y = (p.baseline - half) * s;
      ctx.strokeRect(x, y, (p.x1 - p.x0) * s, 2 * half * s);
      const label = p.rhythm ? `${p.lead} (rhythm)` : p.lead;
      const tw = ctx.measureText(label).width;
      ctx.fillStyle = 'rgba(255,255,255,0.85)';
      ctx.fillRect(x + lw, y + lw, tw + 4 * lw, 12 * lw);
      ctx.fillStyle = COLORS.panel;
      ctx.fillText(label, x + 3 * lw, y + 10 * lw);
    }
    ctx.strokeStyle = COLORS.separator;
    ctx.lineWidth = lw * 1.5;
    for (const q of st.separators) {
      ctx.strokeRect((q.c0 - 2) * s, (q.r0 - 2) * s, (q.c1 - q.c0 + 4) * s, (q.r1 - q.r0 + 4) * s);
    }
  }
  return s;
}

export interface LeadsView {
  /** The true signal (the record as printed), lead name -> 100 Hz samples. */
  truth?: Record<string, ArrayLike<number>> | null;
  /** Where each lead was printed (for the truth's window) and its SNR ("II-rhythm" for the strip). */
  windows?: readonly LeadWindow[] | null;
  snr?: Record<string, number> | null;
}

const GRID_ORDER = [
  ['I', 'aVR', 'V1', 'V4'],
  ['II', 'aVL', 'V2', 'V5'],
  ['III', 'aVF', 'V3', 'V6'],
] as const;

interface Cell {
  name: string;
  read: ArrayLike<number> | undefined;
  truth: ArrayLike<number> | undefined;
  span: [number, number] | null;
  snr: number | undefined;
}

/** Draws the 12 leads and the rhythm strip read back (and the truth beneath them); width in canvas px. */
export function drawLeads(canvas: HTMLCanvasElement, d: Digitised, view: LeadsView = {}, width = 1200): void {
  const cells: Cell[][] = GRID_ORDER.map((row) =>
    row.map((lead) => {
      const read = d.readout.leads[lead];
      const w = view.windows?.find((x) => x.lead === lead && !x.rhythm);
      const span = readSpan(read) ?? (w ? ([w.start, w.end] as [number, number]) : null);
      return { name: lead, read, truth: view.truth?.[lead], span, snr: view.snr?.[lead] };
    }),
  );
  const rw = view.windows?.find((x) => x.rhythm);
  const rhythm: Cell = {
    name: 'II (rhythm)',
    read: d.readout.rhythm,
    truth: view.truth?.II,
    span: readSpan(d.readout.rhythm) ?? (rw ? [rw.start, rw.end] : null),
    snr: view.snr?.['II-rhythm'],
  };
  const rowH = Math.round(width / 8);
  const rows = [...cells.map((r) => ({ cells: r })), { cells: [rhythm] }];
  canvas.width = width;
  canvas.height = rowH * rows.length;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = COLORS.paper;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const font = Math.round(width / 80);
  rows.forEach((row, r) => {
    const cw = width / row.cells.length;
    row.cells.forEach((c, k) => drawCell(ctx, c, k * cw, r * rowH, cw, rowH, font, !!view.truth));
  });
}

function drawCell(
  ctx: CanvasRenderingContext2D,
  c: Cell,
  x0: number,
  y0: number,
  w: number,
  h: number,
  font: number,
  withTruth: boolean,
): void {
  const pad = font * 0.6;
  ctx.strokeStyle = '#e4e1da';
  ctx.lineWidth = 1;
  ctx.strokeRect(x0 + 0.5, y0 + 0.5, w - 1, h - 1);
  ctx.font = `bold ${font}px system-ui, sans-serif`;
  ctx.fillStyle = COLORS.ink;
  const snr = c.snr !== undefined ? `  ${dbText(c.snr)}` : '';
  ctx.fillText(`${c.name}${snr}`, x0 + pad, y0 + font + pad * 0.5);
  if (!c.span) {
    ctx.font = `${font}px system-ui, sans-serif`;
    ctx.fillStyle = COLORS.muted;
    ctx.fillText('not read', x0 + pad, y0 + h / 2 + font / 2);
    return;
  }
  const [a, b] = c.span;
  // vertical scale: at least +-1 mV over the cell, more when the trace needs it (capped at +-3 mV)
  let peak = 1;
  for (const sig of [c.read, withTruth ? c.truth : undefined]) {
    if (!sig) continue;
    for (let i = a; i < b; i++) {
      const v = sig[i]!;
      if (Number.isFinite(v)) peak = Math.max(peak, Math.abs(v));
    }
  }
  peak = Math.min(3, peak * 1.1);
  const top = y0 + font + pad;
  const mid = top + (y0 + h - pad - top) / 2;
  const k = (y0 + h - pad - top) / 2 / peak;
  const xs = (w - 2 * pad) / Math.max(1, b - a - 1);
  ctx.strokeStyle = '#d9d6cf';
  ctx.beginPath();
  ctx.moveTo(x0 + pad, mid);
  ctx.lineTo(x0 + w - pad, mid);
  ctx.stroke();
  const line = (sig: ArrayLike<number>, color: string, width: number, alpha: number) => {
    ctx.strokeStyle = color;
    ctx.globalAlpha = alpha;
    ctx.lineWidth = width;
    ctx.lineJoin = 'round';
    ctx.beginPath();
    let pen = false;
    for (let i = a; i < b; i++) {
      const v = sig[i]!;
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      const x = x0 + pad + (i - a) * xs;
      const y = mid - Math.max(-peak, Math.min(peak, v)) * k;
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.stroke();
    ctx.globalAlpha = 1;
  };
  if (withTruth && c.truth) line(c.truth, COLORS.truth, Math.max(2.5, font / 4), 0.55);
  if (c.read) line(c.read, COLORS.ink, Math.max(1.2, font / 9), 1);
  const t = (v: number) => (v / 100).toFixed(v % 100 === 0 ? 0 : 1);
  ctx.font = `${Math.round(font * 0.85)}px system-ui, sans-serif`;
  ctx.fillStyle = COLORS.muted;
  const label = `${t(a)}–${t(b)} s`;
  ctx.fillText(label, x0 + w - pad - ctx.measureText(label).width, y0 + font + pad * 0.5);
}
