/**
 * The signal classifier's input: what a printed 3x4 + rhythm-strip EKG shows, as numbers.
 *
 * A printout (src/lib/render/styles/printout.ts) draws each of the 12 leads only in its own 2.5 s column
 * window (rows I aVR V1 V4 / II aVL V2 V5 / III aVF V3 V6; column c shows seconds c*2.5 .. (c+1)*2.5) and a
 * 10 s lead II rhythm strip under them, after the conditioning filters of `defaultFilters('printout')`
 * (baseline 0.5 Hz high-pass + 35 Hz low-pass, applied to the whole 10 s record). A digitiser reading such a
 * sheet therefore returns 12 leads at 100 Hz with gaps outside their windows (plus the rhythm strip) and a
 * confidence per lead. This module turns either that readout or a PTB-XL record into the model input, one
 * implementation for the browser, `npm run eval:signals` and `npm run export-signals` (whose manifest carries
 * the window table below so that training/signal_data.py cuts the very same windows).
 *
 * Input tensor (NHWC, `[N, 1, SAMPLES, CHANNELS]` = `[N, 1, 1000, 26]`, float32, time-major when flattened:
 * `x[t * 26 + c]`):
 * - channels 0..12: the 13 traces in `TRACES` order (the 12 leads in PTB-XL order I, II, III, aVR, aVL, aVF,
 *   V1..V6, each inside its own column window only, then the lead II rhythm strip over 0..10 s), in mV;
 *   0 outside the trace's window and where nothing was read;
 * - channels 13..25: the confidence of the same trace at that sample, in [0, 1]; 0 outside the window and
 *   where nothing was read (a gap), 1 for a perfectly read trace.
 * Pure: no Node or DOM imports.
 */
import { LEAD_NAMES, type EcgSignals, type LeadName } from '../ptbxl/types';
import { applyFilters, type FilterName } from './filters';

/** The printed layout this input reproduces (the same numbers as `PRINTOUT` in the printout renderer;
 * tests/unit/signal-windows.test.ts checks that they agree). */
export const LAYOUT_3X4R = {
  name: '3x4+rhythm',
  columnS: 2.5,
  rows: [
    ['I', 'aVR', 'V1', 'V4'],
    ['II', 'aVL', 'V2', 'V5'],
    ['III', 'aVF', 'V3', 'V6'],
  ] as const,
  rhythmLead: 'II' as const,
  rhythmS: 10,
} as const;

export const SIGNAL_FORMAT = 'signal-3x4r/1';
/** Sampling rate of the input (Hz); a digitiser resamples to it. */
export const SAMPLING_RATE = 100;
/** Samples per trace (10 s at 100 Hz). */
export const SAMPLES = 1000;
/** The conditioning the printout renderer applies by default (`defaultFilters('printout')`), applied by
 * `inputFromRecord` to the whole record before the windows are cut. */
export const PRINTOUT_FILTERS: readonly FilterName[] = ['baseline', 'lowpass'];

/** One trace of the input: a lead over a window of samples [start, end). */
export interface Trace {
  /** 'I' ... 'V6', or 'II-rhythm' for the rhythm strip. */
  name: string;
  lead: LeadName;
  /** Index of `lead` in PTB-XL's lead order (LEAD_NAMES). */
  leadIndex: number;
  /** Printed row (0..2 for the grid, 3 for the rhythm strip) and column (0..3; null for the rhythm strip). */
  row: number;
  column: number | null;
  /** Window in samples at SAMPLING_RATE: [start, end). */
  start: number;
  end: number;
}

/** Sample range of a time window, rounded as the printout renderer rounds it (`Math.round(t * fs)`). */
export function windowSamples(t0: number, t1: number, fs = SAMPLING_RATE, n = SAMPLES): [number, number] {
  return [Math.min(n, Math.round(t0 * fs)), Math.min(n, Math.round(t1 * fs))];
}

function buildTraces(): Trace[] {
  const out: Trace[] = [];
  for (const lead of LEAD_NAMES) {
    const row = LAYOUT_3X4R.rows.findIndex((r) => (r as readonly string[]).includes(lead));
    const column = (LAYOUT_3X4R.rows[row] as readonly string[]).indexOf(lead);
    const [start, end] = windowSamples(column * LAYOUT_3X4R.columnS, (column + 1) * LAYOUT_3X4R.columnS);
    out.push({ name: lead, lead, leadIndex: LEAD_NAMES.indexOf(lead), row, column, start, end });
  }
  const [start, end] = windowSamples(0, LAYOUT_3X4R.rhythmS);
  const lead = LAYOUT_3X4R.rhythmLead;
  out.push({ name: `${lead}-rhythm`, lead, leadIndex: LEAD_NAMES.indexOf(lead), row: 3, column: null, start, end });
  return out;
}

/** The 13 traces, in input channel order. */
export const TRACES: readonly Trace[] = buildTraces();
export const N_TRACES = TRACES.length;
/** Values of the 13 traces, then their confidences. */
export const CHANNELS = 2 * N_TRACES;

/** What `metadata.json` and the export manifest record about the input (training/signal_data.py reads it). */
export interface SignalInputSpec {
  format: typeof SIGNAL_FORMAT;
  layout: string;
  sampling_rate: number;
  samples: number;
  channels: number;
  /** NHWC shape of one batch: [null, 1, samples, channels]. */
  tensor: [null, 1, number, number];
  units: 'mV';
  filters: FilterName[];
  channel_order: string;
  traces: {
    name: string;
    lead: string;
    lead_index: number;
    row: number;
    column: number | null;
    start: number;
    end: number;
  }[];
}

export function inputSpec(): SignalInputSpec {
  return {
    format: SIGNAL_FORMAT,
    layout: LAYOUT_3X4R.name,
    sampling_rate: SAMPLING_RATE,
    samples: SAMPLES,
    channels: CHANNELS,
    tensor: [null, 1, SAMPLES, CHANNELS],
    units: 'mV',
    filters: [...PRINTOUT_FILTERS],
    channel_order:
      `channels 0..${N_TRACES - 1}: trace values (mV, 0 outside the window or where unread); ` +
      `channels ${N_TRACES}..${CHANNELS - 1}: the same traces' confidence (0..1, 0 outside the window or where unread); ` +
      'flattened time-major: x[t * channels + c]',
    traces: TRACES.map((t) => ({
      name: t.name,
      lead: t.lead,
      lead_index: t.leadIndex,
      row: t.row,
      column: t.column,
      start: t.start,
      end: t.end,
    })),
  };
}

export class SignalInputError extends Error {
  override name = 'SignalInputError';
}

/**
 * What a digitiser reads off a 3x4 + rhythm sheet, already in mV and resampled to 100 Hz on the sheet's
 * 10 s time axis (sample t = t/100 s after the left edge of the first column).
 * - `leads[name]`: SAMPLES values; NaN (or any non-finite value) where nothing was read. Only the samples
 *   inside the lead's own column window are used; anything outside it is ignored (the sheet shows nothing
 *   there, so the model never sees anything there). A missing lead = nothing read. A lead read only outside
 *   its window is moved into it (`windowStart`): a 50 mm/s sheet shows the record's first 5 s, each column
 *   1.25 s, so aVR, V1 and V4 are read at 1.25, 2.5 and 3.75 s rather than at 2.5, 5 and 7.5 s.
 * - `rhythm`: the lead II rhythm strip over the whole 10 s, same conventions.
 * - `confidence[name]` / `rhythmConfidence`: a number in [0, 1] for the whole trace, or one per sample;
 *   default 1. Training maps confidence to noise as c = 1 - (RMS read-out error in mV) / 0.1, clipped to
 *   [0.2, 1] (training/signal_data.py), so a digitiser should report roughly that.
 */
export interface SignalReadout {
  samplingRate: number;
  leads: Partial<Record<LeadName, ArrayLike<number>>>;
  rhythm?: ArrayLike<number>;
  confidence?: Partial<Record<LeadName, number | ArrayLike<number>>>;
  rhythmConfidence?: number | ArrayLike<number>;
}

function confAt(c: number | ArrayLike<number> | undefined, t: number, what: string): number {
  if (c === undefined) return 1;
  const v = typeof c === 'number' ? c : c[t];
  if (v === undefined || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new SignalInputError(`${what}: confidence must be in [0, 1], got ${String(v)} at sample ${t}`);
  }
  return v;
}

/**
 * Where a lead's samples are taken from for its window [start, end): the window itself where the lead was read
 * there, else the first sample read anywhere (its column on a sheet that shows the columns elsewhere in time); the
 * window's start when nothing was read at all. Read "there" means for half the window or more, or for no fewer
 * samples than before it: a 50 mm/s sheet's columns spread over a page wider than 250 mm last a little longer
 * than 1.25 s, so aVR, read over 1.34-2.68 s, reaches 18 samples into its 2.5-5 s window, and those alone would
 * have been its input. Each lead moves by its own first read sample: the leads of a column stay simultaneous where
 * the digitiser read them all from the column's first sample, not where one lead's first samples went unread.
 */
export function windowStart(sig: ArrayLike<number>, start: number, end: number): number {
  let first = -1;
  let before = 0;
  let inside = 0;
  for (let t = 0; t < sig.length; t++) {
    if (!Number.isFinite(sig[t]!)) continue;
    if (first < 0) first = t;
    if (t < start) before++;
    else if (t < end) inside++;
  }
  if (first < 0) return start;
  return inside > 0 && (2 * inside >= end - start || inside >= before) ? start : first;
}

/** The model input (`SAMPLES * CHANNELS` floats, time-major) for one readout. */
export function inputFromReadout(r: SignalReadout): Float32Array {
  if (r.samplingRate !== SAMPLING_RATE) {
    throw new SignalInputError(
      `readout at ${r.samplingRate} Hz; the signal model reads ${SAMPLING_RATE} Hz (resample first)`,
    );
  }
  const x = new Float32Array(SAMPLES * CHANNELS);
  TRACES.forEach((tr, c) => {
    const isRhythm = tr.column === null;
    const sig = isRhythm ? r.rhythm : r.leads[tr.lead];
    if (sig === undefined || sig === null) return;
    if (sig.length < tr.end)
      throw new SignalInputError(`${tr.name}: ${sig.length} samples, the window needs ${tr.end}`);
    const conf = isRhythm ? r.rhythmConfidence : r.confidence?.[tr.lead];
    if (conf !== undefined && typeof conf !== 'number' && conf.length < tr.end) {
      throw new SignalInputError(`${tr.name}: ${conf.length} confidence values, the window needs ${tr.end}`);
    }
    const from = isRhythm ? tr.start : windowStart(sig, tr.start, tr.end);
    const stop = Math.min(sig.length, conf !== undefined && typeof conf !== 'number' ? conf.length : Infinity);
    for (let t = tr.start; t < tr.end && from + t - tr.start < stop; t++) {
      const v = sig[from + t - tr.start]!;
      if (!Number.isFinite(v)) continue;
      const k = confAt(conf, from + t - tr.start, tr.name);
      x[t * CHANNELS + c] = v;
      x[t * CHANNELS + N_TRACES + c] = k;
    }
  });
  return x;
}

/**
 * What a perfect digitiser would read off the printout of `signals` (no filtering here: pass the signals as
 * printed, i.e. already conditioned): each lead inside its window, NaN elsewhere, and the rhythm strip.
 */
export function readoutFromSignals(signals: EcgSignals): SignalReadout {
  if (signals.samplingRate !== SAMPLING_RATE) {
    throw new SignalInputError(`record at ${signals.samplingRate} Hz; the signal model reads ${SAMPLING_RATE} Hz`);
  }
  const leads: Partial<Record<LeadName, Float32Array>> = {};
  let rhythm: Float32Array | undefined;
  for (const tr of TRACES) {
    const i = signals.leadNames.indexOf(tr.lead);
    if (i < 0) throw new SignalInputError(`record has no lead ${tr.lead} (leads: ${signals.leadNames.join(', ')})`);
    const src = signals.leads[i]!;
    if (src.length < SAMPLES)
      throw new SignalInputError(`lead ${tr.lead}: ${src.length} samples, need ${SAMPLES} (10 s)`);
    const out = new Float32Array(SAMPLES).fill(NaN);
    for (let t = tr.start; t < tr.end; t++) out[t] = src[t]!;
    if (tr.column === null) rhythm = out;
    else leads[tr.lead] = out;
  }
  return { samplingRate: SAMPLING_RATE, leads, rhythm };
}

/**
 * The model input for a raw record (e.g. PTB-XL, in mV): the printout's conditioning filters over the whole
 * record (`filters`, default PRINTOUT_FILTERS, the renderer's implementation), then the windows.
 */
export function inputFromRecord(signals: EcgSignals, filters: readonly FilterName[] = PRINTOUT_FILTERS): Float32Array {
  return inputFromReadout(readoutFromSignals(applyFilters(signals, filters)));
}
