import { describe, expect, it } from 'vitest';
import { LEAD_NAMES } from '../../src/lib/ptbxl/types';
import {
  aliasFrequency,
  applyFilter,
  applyFilters,
  biquadGain,
  highpassBiquad,
  lowpass,
  lowpassBiquad,
  notch,
  removeBaseline,
} from '../../src/lib/signal/filters';

const FS = 100;
const N = 1000;
const sine = (f: number, a = 1, phase = 0) =>
  Float32Array.from({ length: N }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / FS + phase));
const add = (...xs: Float32Array[]) => Float32Array.from({ length: N }, (_, i) => xs.reduce((s, x) => s + x[i]!, 0));
/** Amplitude of the component at f over the middle 600 samples (least-squares sin/cos fit). */
function amplitudeAt(x: ArrayLike<number>, f: number, from = 200, to = 800): number {
  let ss = 0,
    sc = 0,
    cc = 0,
    ssn = 0,
    ccn = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin((2 * Math.PI * f * i) / FS);
    const c = Math.cos((2 * Math.PI * f * i) / FS);
    ss += x[i]! * s;
    sc += x[i]! * c;
    ssn += s * s;
    ccn += c * c;
    cc += s * c;
  }
  void cc;
  const a = ccn > 1e-9 ? sc / ccn : 0;
  const b = ssn > 1e-9 ? ss / ssn : 0;
  return Math.sqrt(a * a + b * b);
}
const maxAbs = (x: ArrayLike<number>, from = 200, to = 800) => {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
};

describe('baseline-wander removal (0.5 Hz zero-phase high-pass)', () => {
  it('removes a 0.1 Hz wander and a DC offset, keeps a 5 Hz wave', () => {
    const wave = sine(5, 0.5);
    const x = add(sine(0.1, 1), wave, new Float32Array(N).fill(2));
    const y = removeBaseline(x, FS);
    let err = 0;
    for (let i = 100; i < 900; i++) err = Math.max(err, Math.abs(y[i]! - wave[i]!));
    expect(err).toBeLessThan(0.05);
  });
  it('passes 2 Hz with > 97% of its amplitude', () => {
    expect(amplitudeAt(removeBaseline(sine(2), FS), 2)).toBeGreaterThan(0.97);
  });
  it('is zero-phase: a symmetric bump keeps its peak position', () => {
    const bump = Float32Array.from({ length: N }, (_, i) => Math.exp(-((i - 500) ** 2) / 50));
    const y = removeBaseline(bump, FS);
    let arg = 0;
    for (let i = 0; i < N; i++) if (y[i]! > y[arg]!) arg = i;
    expect(arg).toBe(500);
  });
});

describe('low-pass (35 Hz)', () => {
  it('keeps 5 Hz, attenuates 45 Hz', () => {
    const y = lowpass(add(sine(5), sine(45)), FS);
    expect(amplitudeAt(y, 5)).toBeGreaterThan(0.98);
    expect(amplitudeAt(y, 45)).toBeLessThan(0.2);
  });
  it('single-section magnitude response is -3 dB at the cutoff', () => {
    expect(biquadGain(lowpassBiquad(35, FS), 35, FS)).toBeCloseTo(Math.SQRT1_2, 3);
    expect(biquadGain(highpassBiquad(0.5, FS), 0.5, FS)).toBeCloseTo(Math.SQRT1_2, 3);
  });
});

describe('mains notch at fs = 100 Hz', () => {
  it('alias frequencies: 50 Hz -> 50 (Nyquist), 60 Hz -> 40 Hz, 100 Hz -> 0', () => {
    expect(aliasFrequency(50, 100)).toBe(50);
    expect(aliasFrequency(60, 100)).toBe(40);
    expect(aliasFrequency(100, 100)).toBe(0);
    expect(aliasFrequency(60, 500)).toBe(60);
  });
  it('notch50 removes the +,-,+,- Nyquist pattern and keeps 10 Hz', () => {
    const hum = Float32Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 0.3 : -0.3));
    const y = notch(add(sine(10), hum), FS, 50);
    // residual at Nyquist: the mean of the alternating-sign product
    let nyq = 0;
    for (let i = 200; i < 800; i++) nyq += (i % 2 === 0 ? 1 : -1) * y[i]!;
    expect(Math.abs(nyq / 600)).toBeLessThan(0.01);
    expect(amplitudeAt(y, 10)).toBeGreaterThan(0.95);
  });
  it('notch60 removes 60 Hz hum (aliased to 40 Hz) and keeps 10 Hz', () => {
    const y = notch(add(sine(10), sine(40, 0.3)), FS, 60);
    expect(amplitudeAt(y, 40)).toBeLessThan(0.02);
    expect(amplitudeAt(y, 10)).toBeGreaterThan(0.98);
  });
});

describe('applyFilters', () => {
  const sig = {
    samplingRate: FS,
    leadNames: [...LEAD_NAMES],
    leads: Array.from({ length: 12 }, (_, l) => add(sine(0.2, 1), sine(3, 0.1 * (l + 1)))),
  };
  it('returns the same object for no filters and never mutates its input', () => {
    expect(applyFilters(sig, [])).toBe(sig);
    const copy = sig.leads.map((l) => Array.from(l));
    const out = applyFilters(sig, ['baseline', 'lowpass', 'notch50', 'notch60']);
    expect(sig.leads.map((l) => Array.from(l))).toEqual(copy);
    expect(out.leads).toHaveLength(12);
    expect(maxAbs(out.leads[0]!)).toBeLessThan(0.2);
  });
  it('rejects unknown filter names', () => {
    expect(() => applyFilter('hum' as never, sig.leads[0]!, FS)).toThrow(/unknown filter 'hum'/);
  });
  it('handles very short signals', () => {
    expect(Array.from(removeBaseline([1], FS))).toEqual([1]);
    expect(removeBaseline([1, 2, 3], FS)).toHaveLength(3);
    expect(lowpass(new Float32Array(0), FS)).toHaveLength(0);
  });
});
