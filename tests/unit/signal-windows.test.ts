import { describe, expect, it } from 'vitest';
import { synthRecord } from '../../scripts/export-signals';
import { LEAD_NAMES } from '../../src/lib/ptbxl/types';
import { defaultFilters } from '../../src/lib/render/index';
import { PRINTOUT } from '../../src/lib/render/styles/printout';
import { applyFilters } from '../../src/lib/signal/filters';
import {
  CHANNELS,
  inputFromReadout,
  inputFromRecord,
  inputSpec,
  LAYOUT_3X4R,
  N_TRACES,
  PRINTOUT_FILTERS,
  readoutFromSignals,
  SAMPLES,
  SignalInputError,
  TRACES,
  windowSamples,
} from '../../src/lib/signal/windows';

const at = (x: Float32Array, t: number, c: number) => x[t * CHANNELS + c]!;
const conf = (x: Float32Array, t: number, c: number) => x[t * CHANNELS + N_TRACES + c]!;
const trace = (name: string) => TRACES.findIndex((t) => t.name === name);

describe("the 3x4 + rhythm layout is the printout renderer's", () => {
  it('same rows, column width and rhythm lead as PRINTOUT; same default filters', () => {
    expect(LAYOUT_3X4R.rows.map((r) => [...r])).toEqual(PRINTOUT.layout.map((r) => [...r]));
    expect(LAYOUT_3X4R.columnS).toBe(PRINTOUT.columnS);
    expect(LAYOUT_3X4R.rhythmLead).toBe(PRINTOUT.rhythmLead);
    expect([...PRINTOUT_FILTERS]).toEqual(defaultFilters('printout'));
    expect([...PRINTOUT_FILTERS]).toEqual(defaultFilters('photo'));
  });

  it('13 traces: the 12 leads in PTB-XL order, each in its own 2.5 s column, then the 10 s lead II strip', () => {
    expect(TRACES.map((t) => t.name)).toEqual([...LEAD_NAMES, 'II-rhythm']);
    expect(CHANNELS).toBe(26);
    const w = Object.fromEntries(TRACES.map((t) => [t.name, [t.start, t.end]]));
    expect(w).toMatchObject({
      I: [0, 250],
      II: [0, 250],
      III: [0, 250],
      aVR: [250, 500],
      aVL: [250, 500],
      aVF: [250, 500],
      V1: [500, 750],
      V2: [500, 750],
      V3: [500, 750],
      V4: [750, 1000],
      V5: [750, 1000],
      V6: [750, 1000],
      'II-rhythm': [0, 1000],
    });
    expect(windowSamples(2.5, 5)).toEqual([250, 500]);
    const spec = inputSpec();
    expect(spec.tensor).toEqual([null, 1, SAMPLES, CHANNELS]);
    expect(spec.traces.map((t) => t.lead_index)).toEqual([...LEAD_NAMES.map((_, i) => i), 1]);
  });
});

describe('inputFromReadout: a digitiser readout -> model input', () => {
  const full = (v: number) => new Float32Array(SAMPLES).fill(v);
  it('keeps each lead only inside its window, with its confidence; zero elsewhere', () => {
    const x = inputFromReadout({
      samplingRate: 100,
      leads: { aVR: full(0.5), V6: full(-1) },
      rhythm: full(2),
      confidence: { aVR: 0.7 },
    });
    const c = trace('aVR');
    expect(at(x, 249, c)).toBe(0);
    expect(conf(x, 249, c)).toBe(0);
    expect(at(x, 250, c)).toBe(0.5);
    expect(conf(x, 250, c)).toBeCloseTo(0.7, 6);
    expect(at(x, 499, c)).toBe(0.5);
    expect(at(x, 500, c)).toBe(0);
    expect(at(x, 999, trace('V6'))).toBe(-1);
    expect(conf(x, 999, trace('V6'))).toBe(1);
    expect(at(x, 0, trace('II-rhythm'))).toBe(2);
    expect(at(x, 999, trace('II-rhythm'))).toBe(2);
    // leads not read: all zero, confidence zero
    for (let t = 0; t < SAMPLES; t++) expect(at(x, t, trace('I')) + conf(x, t, trace('I'))).toBe(0);
  });

  it('NaN samples are gaps (value and confidence 0); per-sample confidence arrays are used as given', () => {
    const v = full(1);
    v[10] = NaN;
    const c = full(0.9);
    c[11] = 0.25;
    const x = inputFromReadout({ samplingRate: 100, leads: { I: v }, confidence: { I: c } });
    expect([at(x, 10, 0), conf(x, 10, 0)]).toEqual([0, 0]);
    expect(conf(x, 11, 0)).toBe(0.25);
    expect(conf(x, 12, 0)).toBeCloseTo(0.9, 6);
  });

  it('moves a lead read only outside its window into it (a 50 mm/s sheet shows each column for 1.25 s)', () => {
    // the 50 mm/s 3x4 sheet: aVR read over 1.25-2.5 s, V1 over 2.5-3.75 s (their windows start at 2.5 and 5 s);
    // I over 0-1.25 s, inside its window, stays where it is; the rhythm strip is never moved
    const part = (from: number, to: number, v: (t: number) => number) =>
      Float32Array.from({ length: SAMPLES }, (_, t) => (t >= from && t < to ? v(t) : NaN));
    const x = inputFromReadout({
      samplingRate: 100,
      leads: { I: part(0, 125, () => 1), aVR: part(125, 250, (t) => t), V1: part(250, 375, (t) => -t) },
      rhythm: part(0, 500, () => 3),
    });
    expect([at(x, 0, trace('I')), at(x, 124, trace('I')), at(x, 125, trace('I'))]).toEqual([1, 1, 0]);
    expect([at(x, 250, trace('aVR')), at(x, 374, trace('aVR')), at(x, 375, trace('aVR'))]).toEqual([125, 249, 0]);
    expect(conf(x, 250, trace('aVR'))).toBe(1);
    expect([at(x, 500, trace('V1')), at(x, 624, trace('V1')), at(x, 625, trace('V1'))]).toEqual([-250, -374, 0]);
    expect([at(x, 499, trace('II-rhythm')), at(x, 500, trace('II-rhythm'))]).toEqual([3, 0]);
    // nothing read anywhere: nothing moved
    for (let t = 0; t < SAMPLES; t++) expect(at(x, t, trace('V4')) + conf(x, t, trace('V4'))).toBe(0);
    // columns of 1.34 s (a 50 mm/s sheet spread over 268 mm): aVR read over 1.34-2.68 s reaches 18 samples into its
    // window and is moved all the same; a lead read over most of its window with a little before it is not
    const y = inputFromReadout({
      samplingRate: 100,
      leads: { aVR: part(134, 268, (t) => t), V2: part(490, 750, (t) => t) },
    });
    expect([at(y, 250, trace('aVR')), at(y, 383, trace('aVR')), at(y, 384, trace('aVR'))]).toEqual([134, 267, 0]);
    expect([at(y, 500, trace('V2')), at(y, 749, trace('V2'))]).toEqual([500, 749]);
  });

  it('refuses other sampling rates, short traces and confidences outside [0, 1]', () => {
    expect(() => inputFromReadout({ samplingRate: 500, leads: {} })).toThrow(SignalInputError);
    expect(() => inputFromReadout({ samplingRate: 100, leads: { V4: new Float32Array(800) } })).toThrow(
      /V4: 800 samples, the window needs 1000/,
    );
    expect(() => inputFromReadout({ samplingRate: 100, leads: { I: full(0) }, confidence: { I: 1.5 } })).toThrow(
      /confidence must be in \[0, 1\]/,
    );
  });
});

describe('inputFromRecord: a record as the printout shows it', () => {
  const rec = synthRecord(7, true);
  it('applies the printout filters to the whole record, then cuts the windows (the digitiser-perfect readout)', () => {
    const x = inputFromRecord(rec);
    const f = applyFilters(rec, ['baseline', 'lowpass']);
    expect(Array.from(x)).toEqual(Array.from(inputFromReadout(readoutFromSignals(f))));
    for (const [name, t] of [
      ['I', 0],
      ['I', 249],
      ['aVF', 300],
      ['V3', 700],
      ['V5', 999],
      ['II-rhythm', 800],
    ] as const) {
      const tr = TRACES[trace(name)]!;
      expect(at(x, t, trace(name))).toBe(f.leads[tr.leadIndex]![t]);
      expect(conf(x, t, trace(name))).toBe(1);
    }
    // the filters matter: unfiltered windows differ (the synthetic record carries baseline wander)
    const raw = inputFromRecord(rec, []);
    expect(Math.abs(at(raw, 100, 0) - at(x, 100, 0))).toBeGreaterThan(1e-3);
  });

  it('the II column and the rhythm strip agree over 0..2.5 s', () => {
    const x = inputFromRecord(rec);
    for (let t = 0; t < 250; t++) expect(at(x, t, trace('II'))).toBe(at(x, t, trace('II-rhythm')));
    expect(at(x, 300, trace('II'))).toBe(0);
    expect(at(x, 300, trace('II-rhythm'))).not.toBe(0);
  });

  it('refuses records that are not 100 Hz or shorter than 10 s', () => {
    expect(() => inputFromRecord({ ...rec, samplingRate: 500 })).toThrow(/500 Hz/);
    expect(() => inputFromRecord({ ...rec, leads: rec.leads.map((l) => l.subarray(0, 500)) })).toThrow(
      /500 samples, need 1000/,
    );
  });
});
