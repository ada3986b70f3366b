import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digitise } from '../../src/lib/digitise/index';
import { readRecord, recordFiles, resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import { render } from '../../src/lib/render/index';
import { mulberry32 } from '../../src/lib/random';
import type { LeadName } from '../../src/lib/ptbxl/types';
import { AGREEMENT_MIN_SAMPLES, limbLeadAgreement } from '../../src/lib/signal/agreement';

const N = 1000;

/** Six limb leads of one heart vector (x, y) that wanders like a beating heart, as a 12-lead machine derives them. */
function limbLeads(seed: number): Record<LeadName, Float32Array> {
  const rnd = mulberry32(seed);
  const I = new Float32Array(N);
  const II = new Float32Array(N);
  const phase = rnd() * 6.28;
  for (let t = 0; t < N; t++) {
    // a QRS-like spike every 0.8 s and a slow T-like wave, different in the two axes
    const beat = (t + phase * 10) % 80;
    const qrs = Math.exp(-(((beat - 20) / 2) ** 2));
    const tw = Math.exp(-(((beat - 50) / 8) ** 2));
    I[t] = 0.8 * qrs + 0.2 * tw + 0.02 * (rnd() - 0.5);
    II[t] = 1.2 * qrs - 0.1 * tw + 0.02 * (rnd() - 0.5);
  }
  const III = I.map((_, t) => II[t]! - I[t]!);
  const aVR = I.map((_, t) => -(I[t]! + II[t]!) / 2);
  const aVL = I.map((_, t) => I[t]! - II[t]! / 2);
  const aVF = I.map((_, t) => II[t]! - I[t]! / 2);
  return { I, II, III, aVR, aVL, aVF } as Record<LeadName, Float32Array>;
}

/** Adds independent noise to each lead at `snrDb` below that lead's own energy. */
function withNoise(leads: Record<string, Float32Array>, snrDb: number, seed: number) {
  const rnd = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const out: Record<string, Float32Array> = {};
  for (const [name, s] of Object.entries(leads)) {
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    const energy = s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length;
    const sd = Math.sqrt(energy / 10 ** (snrDb / 10));
    out[name] = s.map((v) => v + sd * gauss());
  }
  return out;
}

describe('limbLeadAgreement: the limb leads read back checked against Einthoven and Goldberger', () => {
  it('leads derived from one heart vector agree to the cap; both relations are used', () => {
    const a = limbLeadAgreement({ leads: limbLeads(1) })!;
    expect(a.relations.map((r) => r.name)).toEqual(['II = I + III', 'aVR + aVL + aVF = 0']);
    expect(a.relations.every((r) => r.samples === N)).toBe(true);
    expect(a.db).toBeGreaterThan(55);
  });

  it('a constant offset per lead (a misplaced zero line) changes nothing', () => {
    const leads = limbLeads(2);
    const shifted = Object.fromEntries(Object.entries(leads).map(([k, s], i) => [k, s.map((v) => v + 0.3 * (i - 2))]));
    expect(limbLeadAgreement({ leads: shifted })!.db).toBeGreaterThan(55);
  });

  it('independent read-out errors at S dB per lead score about S - 5 dB', () => {
    for (const snr of [20, 10, 5]) {
      const a = limbLeadAgreement({ leads: withNoise(limbLeads(3), snr, 7 + snr) })!;
      expect(a.db).toBeGreaterThan(snr - 5 - 1.5);
      expect(a.db).toBeLessThan(snr - 5 + 1.5);
    }
  });

  it('leads from three different records (the wrong rows followed) score near -5 dB, far below a good reading', () => {
    const [a, b, c] = [limbLeads(4), limbLeads(5), limbLeads(6)];
    // unrelated beats: shift each record's beats apart in time
    const roll = (s: Float32Array, k: number) => s.map((_, t) => s[(t + k) % N]!);
    const mixed = {
      I: a.I,
      II: roll(b.II, 23),
      III: roll(c.III, 51),
      aVR: a.aVR,
      aVL: roll(b.aVL, 37),
      aVF: roll(c.aVF, 61),
    };
    const got = limbLeadAgreement({ leads: mixed })!.db;
    expect(got).toBeLessThan(0);
    expect(got).toBeGreaterThan(-9);
  });

  it('a 3 x 4 sheet: only the samples where a relation has all three leads count', () => {
    const leads = limbLeads(8);
    const cut = (s: Float32Array, from: number, to: number) => s.map((v, t) => (t >= from && t < to ? v : NaN));
    const sheet = {
      I: cut(leads.I, 0, 250),
      II: cut(leads.II, 0, 250),
      III: cut(leads.III, 0, 250),
      aVR: cut(leads.aVR, 250, 500),
      aVL: cut(leads.aVL, 250, 500),
      // aVF read over only part of its column (a gap in the ink)
      aVF: cut(leads.aVF, 300, 500),
    };
    const a = limbLeadAgreement({ leads: sheet })!;
    expect(a.relations.map((r) => r.samples)).toEqual([250, 200]);
    expect(a.db).toBeGreaterThan(55);
  });

  it('no value where it cannot judge: missing leads, too few simultaneous samples, or flat lines', () => {
    const leads = limbLeads(9);
    expect(limbLeadAgreement({ leads: {} })).toBeNull();
    expect(limbLeadAgreement({ leads: { I: leads.I, II: leads.II } })).toBeNull();
    const short = (s: Float32Array) => s.map((v, t) => (t < AGREEMENT_MIN_SAMPLES - 1 ? v : NaN));
    expect(limbLeadAgreement({ leads: { I: short(leads.I), II: short(leads.II), III: short(leads.III) } })).toBeNull();
    const flat = new Float32Array(N).fill(0.1);
    expect(limbLeadAgreement({ leads: { I: flat, II: flat, III: flat } })).toBeNull();
    // one relation judged, the other missing: the value is that relation's
    const one = limbLeadAgreement({ leads: withNoise({ I: leads.I, II: leads.II, III: leads.III }, 15, 1) })!;
    expect(one.relations).toHaveLength(1);
    expect(one.db).toBeCloseTo(one.relations[0]!.db, 10);
  });
});

const dir = resolvePtbxlDir();
describe.runIf(existsSync(recordFiles(dir, 9001).dat))(
  'agreement of a real record and of our printout read back',
  () => {
    it('the record itself keeps both laws; read back it keeps them less; leads read from the wrong rows break them', async () => {
      const sig = await readRecord(dir, 9001);
      const truth = limbLeadAgreement({
        leads: Object.fromEntries(sig.leadNames.map((l, i) => [l, sig.leads[i]!])),
      })!;
      expect(truth.db).toBeGreaterThan(30);
      const r = digitise(render(sig, { style: 'printout', seed: 1, ecgId: 9001 })[0]!);
      const read = limbLeadAgreement(r.readout)!;
      expect(read.db).toBeGreaterThan(8);
      expect(read.db).toBeLessThan(truth.db);
      // the same reading with lead II taken from V2's row and aVF from V5's (a misplaced row): no longer a heart's
      const wrong = { leads: { ...r.readout.leads, II: r.readout.leads.V2!, aVF: r.readout.leads.V5! } };
      const moved = (s: Float32Array, by: number) => s.map((_, t) => s[(t + by) % s.length]!);
      wrong.leads.II = moved(wrong.leads.II, 500); // V2 is printed in 5-7.5 s; bring it under I and III
      wrong.leads.aVF = moved(wrong.leads.aVF, 500);
      expect(limbLeadAgreement(wrong)!.db).toBeLessThan(read.db - 6);
    }, 60_000);
  },
);
