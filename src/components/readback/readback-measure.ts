/**
 * How well a picture was read back, when its source is known: the seconds each printed lead shows (the wild
 * sheets' own panels, else the standard 3x4 columns and the lead II rhythm strip) and each lead's SNR against the
 * record as printed, the PhysioNet Challenge 2024 way (`snrDb`: no shift or scale, unread samples count 0), as
 * `npm run eval:digitise` measures it. Pure; runs in the digitiser's worker.
 */
import { snrDb, type Readout } from '../../lib/digitise/index';
import type { PrintedPanel } from '../../lib/handoff';
import { LAYOUT_3X4R, windowSamples } from '../../lib/signal/windows';

export interface LeadWindow {
  /** Lead name; the rhythm strip is `rhythm: true`. */
  lead: string;
  rhythm: boolean;
  /** Samples at 100 Hz, [start, end). */
  start: number;
  end: number;
}

/** The standard 3x4 + lead II rhythm windows (what our printout and ECG-Image-Kit's pages show). */
export function standardPanels(): PrintedPanel[] {
  const out: PrintedPanel[] = [];
  LAYOUT_3X4R.rows.forEach((row) =>
    row.forEach((lead, c) =>
      out.push({ lead, rhythm: false, t0: c * LAYOUT_3X4R.columnS, t1: (c + 1) * LAYOUT_3X4R.columnS }),
    ),
  );
  out.push({ lead: LAYOUT_3X4R.rhythmLead, rhythm: true, t0: 0, t1: LAYOUT_3X4R.rhythmS });
  return out;
}

/** Sample windows of printed panels (the renderer's rounding); the first rhythm strip of lead II only. */
export function printedWindows(panels: readonly PrintedPanel[] = standardPanels()): LeadWindow[] {
  const out: LeadWindow[] = [];
  let rhythm = false;
  for (const p of panels) {
    if (p.rhythm && (p.lead !== 'II' || rhythm)) continue;
    if (p.rhythm) rhythm = true;
    const [start, end] = windowSamples(p.t0, p.t1);
    if (end > start) out.push({ lead: p.lead, rhythm: p.rhythm, start, end });
  }
  return out;
}

/** Per-lead SNR (dB) of a readout against the truth over the printed windows; the rhythm strip as "II-rhythm". */
export function readbackSnrs(
  truth: Record<string, ArrayLike<number>>,
  readout: Readout,
  windows: readonly LeadWindow[],
): Record<string, number> {
  const out: Record<string, number> = {};
  const none = new Float32Array(1000).fill(Number.NaN);
  for (const w of windows) {
    const t = truth[w.lead];
    if (!t) continue;
    const read = (w.rhythm ? readout.rhythm : readout.leads[w.lead]) ?? none;
    out[w.rhythm ? `${w.lead}-rhythm` : w.lead] = snrDb(t, read, w.start, w.end);
  }
  return out;
}
