/**
 * Signal conditioning for plotting EKGs: baseline-wander removal, low-pass and mains notch, all zero-phase
 * (forward-backward, like scipy's filtfilt) so waves are not shifted in time. Pure functions on
 * Float32Array/number arrays; float64 inside; they run unchanged in the browser and in Node.
 *
 * The study plotted PTB-XL's 100 Hz signals raw (dataset 1 shows the outlier spikes this leaves); a real EKG
 * machine prints a filtered trace (typically 0.5-40 Hz or 0.05-150 Hz). These filters let a page compare both.
 */
import type { EcgSignals } from '../ptbxl/types';

export type FilterName = 'baseline' | 'lowpass' | 'notch50' | 'notch60';
export const FILTER_NAMES: readonly FilterName[] = ['baseline', 'lowpass', 'notch50', 'notch60'];

/** Normalised biquad (a0 = 1): y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

const SQRT1_2 = Math.SQRT1_2;

function rbj(kind: 'lowpass' | 'highpass' | 'notch', f0: number, fs: number, q: number): Biquad {
  const w0 = (2 * Math.PI * f0) / fs;
  const cw = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  let b0: number;
  let b1: number;
  let b2: number;
  if (kind === 'lowpass') {
    b0 = (1 - cw) / 2;
    b1 = 1 - cw;
    b2 = (1 - cw) / 2;
  } else if (kind === 'highpass') {
    b0 = (1 + cw) / 2;
    b1 = -(1 + cw);
    b2 = (1 + cw) / 2;
  } else {
    b0 = 1;
    b1 = -2 * cw;
    b2 = 1;
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: (-2 * cw) / a0, a2: (1 - alpha) / a0 };
}

/** 2nd-order Butterworth high-pass (RBJ cookbook, Q = 1/sqrt 2). */
export function highpassBiquad(cutoffHz: number, fs: number): Biquad {
  return rbj('highpass', cutoffHz, fs, SQRT1_2);
}
/** 2nd-order Butterworth low-pass. */
export function lowpassBiquad(cutoffHz: number, fs: number): Biquad {
  return rbj('lowpass', cutoffHz, fs, SQRT1_2);
}
/** Notch at f0 with quality q (bandwidth f0/q). */
export function notchBiquad(f0: number, fs: number, q = 30): Biquad {
  return rbj('notch', f0, fs, q);
}

/**
 * Notch at exactly Nyquist (fs/2), where the RBJ notch degenerates (its zeros and poles cancel at z = -1):
 * H(z) = (1+r)/2 * (1 + z^-1) / (1 + r z^-1): a zero on z = -1, a pole just inside it, unit gain at DC.
 * r = 0.9 gives a -3 dB width of about fs/60 per pass.
 */
export function nyquistNotch(r = 0.9): Biquad {
  const g = (1 + r) / 2;
  return { b0: g, b1: g, b2: 0, a1: r, a2: 0 };
}

/** Runs a biquad over x (float64), starting in the steady state for a constant input x[0] (scipy lfilter_zi). */
function runBiquad(f: Biquad, x: Float64Array): Float64Array {
  const { b0, b1, b2, a1, a2 } = f;
  const y = new Float64Array(x.length);
  if (x.length === 0) return y;
  const v = x[0]!;
  const den = 1 + a1 + a2;
  const g = den !== 0 ? (b0 + b1 + b2) / den : 0;
  const ys = g * v;
  let z2 = b2 * v - a2 * ys;
  let z1 = ys - b0 * v;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = b0 * xi + z1;
    z1 = b1 * xi - a1 * yi + z2;
    z2 = b2 * xi - a2 * yi;
    y[i] = yi;
  }
  return y;
}

/**
 * Zero-phase filtering: odd extension of `padLen` samples at both ends (as scipy.signal.filtfilt), filter
 * forward, then backward. The magnitude response is squared, the phase zero.
 */
export function filtfilt(f: Biquad, x: ArrayLike<number>, padLen = 3 * 100): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  if (n === 1) {
    out[0] = x[0]!;
    return out;
  }
  const p = Math.min(padLen, n - 1);
  const ext = new Float64Array(n + 2 * p);
  const first = x[0]!;
  const last = x[n - 1]!;
  for (let i = 0; i < p; i++) ext[i] = 2 * first - x[p - i]!;
  for (let i = 0; i < n; i++) ext[p + i] = x[i]!;
  for (let i = 0; i < p; i++) ext[p + n + i] = 2 * last - x[n - 2 - i]!;
  const fwd = runBiquad(f, ext);
  fwd.reverse();
  const bwd = runBiquad(f, fwd);
  bwd.reverse();
  for (let i = 0; i < n; i++) out[i] = bwd[p + i]!;
  return out;
}

/** Baseline-wander removal: zero-phase 2nd-order Butterworth high-pass, default 0.5 Hz (applied twice = 4th order magnitude). */
export function removeBaseline(x: ArrayLike<number>, fs: number, cutoffHz = 0.5): Float32Array {
  return filtfilt(highpassBiquad(cutoffHz, fs), x, Math.min(x.length - 1, Math.round(3 * fs)));
}

/**
 * Low-pass, default 35 Hz. An EKG machine's "40 Hz" filter is meaningless at fs = 100 Hz (Nyquist is 50 Hz
 * and a 2nd-order section at 40 Hz barely attenuates anything), so the default sits at 35 Hz: -6 dB there
 * after the forward-backward pass, about -20 dB at 45 Hz. The cutoff is clamped below 0.45 fs.
 */
export function lowpass(x: ArrayLike<number>, fs: number, cutoffHz = 35): Float32Array {
  const fc = Math.min(cutoffHz, 0.45 * fs);
  return filtfilt(lowpassBiquad(fc, fs), x, Math.min(x.length - 1, 30));
}

/** Where a sinusoid of frequency f lands after sampling at fs (0 .. fs/2). */
export function aliasFrequency(f: number, fs: number): number {
  const r = ((f % fs) + fs) % fs;
  return r > fs / 2 ? fs - r : r;
}

/**
 * Mains notch. What it means at fs = 100 Hz: PTB-XL's 100 Hz records were decimated from 500 Hz, and any mains
 * hum left in them appears at its alias. 50 Hz hum lands exactly on Nyquist (50 Hz, an alternating +,-,+,-
 * pattern): removed with a zero at z = -1 (`nyquistNotch`). 60 Hz hum aliases to 40 Hz: removed with a narrow
 * RBJ notch at 40 Hz (Q 30). A mains frequency that aliases to 0 Hz would be indistinguishable from the
 * baseline and is left alone (returns a copy).
 */
export function notch(x: ArrayLike<number>, fs: number, mainsHz: 50 | 60 = 50, q = 30): Float32Array {
  const fa = aliasFrequency(mainsHz, fs);
  if (fa < 0.5) return Float32Array.from(x);
  const f = Math.abs(fa - fs / 2) < 1e-9 ? nyquistNotch() : notchBiquad(fa, fs, q);
  return filtfilt(f, x, Math.min(x.length - 1, 3 * Math.round(fs)));
}

/** Applies one named filter to one lead. */
export function applyFilter(name: FilterName, x: ArrayLike<number>, fs: number): Float32Array {
  switch (name) {
    case 'baseline':
      return removeBaseline(x, fs);
    case 'lowpass':
      return lowpass(x, fs);
    case 'notch50':
      return notch(x, fs, 50);
    case 'notch60':
      return notch(x, fs, 60);
    default:
      throw new Error(`unknown filter '${String(name)}' (known: ${FILTER_NAMES.join(', ')})`);
  }
}

/** Applies `names` in order to every lead; returns new signals (the input is not modified). */
export function applyFilters(signals: EcgSignals, names: readonly FilterName[]): EcgSignals {
  if (names.length === 0) return signals;
  const leads = signals.leads.map((lead) => {
    let y: Float32Array = lead;
    for (const name of names) y = applyFilter(name, y, signals.samplingRate);
    return y;
  });
  return { samplingRate: signals.samplingRate, leadNames: signals.leadNames.slice(), leads };
}

/** Magnitude response |H(e^jw)| of a biquad at frequency f (single pass). */
export function biquadGain(b: Biquad, f: number, fs: number): number {
  const w = (2 * Math.PI * f) / fs;
  const c1 = Math.cos(w);
  const s1 = Math.sin(w);
  const c2 = Math.cos(2 * w);
  const s2 = Math.sin(2 * w);
  const nr = b.b0 + b.b1 * c1 + b.b2 * c2;
  const ni = -(b.b1 * s1 + b.b2 * s2);
  const dr = 1 + b.a1 * c1 + b.a2 * c2;
  const di = -(b.a1 * s1 + b.a2 * s2);
  return Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
}
