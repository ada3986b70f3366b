import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEkg, EKG_NET, featureVector, measureEkgFeatures } from '../../src/lib/model/ekg-check';
import { cropBand, makeNegative, NEGATIVE_KINDS } from '../../scripts/measure-ekg-check';
import { render } from '../../src/lib/render/index';
import { parseDat, parseHeader } from '../../src/lib/ptbxl/wfdb';
import type { RasterImage } from '../../src/lib/render/types';

const blank = (w: number, h: number, v = 255): RasterImage => ({ width: w, height: h, channels: 4, data: new Uint8ClampedArray(w * h * 4).fill(v) });

describe('EKG check: hard rules', () => {
  it('refuses blank pages, strips and mostly-dark pictures with their own reasons', () => {
    expect(checkEkg(blank(400, 300)).reason).toBe('blank');
    expect(checkEkg(blank(400, 300, 0)).reason).toBe('blank');
    const strip = makeNegative('text', 3);
    const wide: RasterImage = { ...strip, height: Math.floor(strip.width / 5), data: strip.data.slice(0, strip.width * Math.floor(strip.width / 5) * 4) };
    expect(checkEkg(wide).reason).toBe('strip');
    const r = checkEkg(makeNegative('noise', 1));
    expect(r.isEkg).toBe(false);
    expect(r.message).toBeTruthy();
  });

  it('is deterministic and the network has the right input size', () => {
    const img = makeNegative('chart', 2);
    expect(measureEkgFeatures(img)).toEqual(measureEkgFeatures(img));
    expect(EKG_NET.mu.length).toBe(featureVector(measureEkgFeatures(img)).length);
    expect(EKG_NET.w1.every((row) => row.length === EKG_NET.mu.length)).toBe(true);
  });

  it('refuses generated non-EKG images of every kind (a few seeds not used for fitting)', () => {
    let accepted = 0;
    let n = 0;
    for (const kind of NEGATIVE_KINDS) {
      if (kind === 'strip') continue;
      for (const seed of [50001, 50002]) {
        n++;
        if (checkEkg(makeNegative(kind, seed)).isEkg) accepted++;
      }
    }
    expect(accepted).toBeLessThanOrEqual(1);
    expect(n).toBe(16);
  });
});

const samples = 'public/samples/index.json';
describe.runIf(existsSync(samples))('EKG check on renders of real records', () => {
  it('accepts every 12-lead style and refuses a single-lead band', () => {
    const j = JSON.parse(readFileSync(samples, 'utf8')) as { records: Array<{ hea: string; dat: string; ecgId: number }> };
    const r = j.records[j.records.length - 1]!;
    const header = parseHeader(readFileSync(path.join('public/samples', r.hea), 'utf8'), r.hea);
    const signals = parseDat(new Uint8Array(readFileSync(path.join('public/samples', r.dat))), header, r.dat);
    for (const style of ['dataset1', 'dataset2', 'dataset3', 'printout', 'photo'] as const) {
      const [img] = render(signals, { style, seed: 77 });
      const res = checkEkg(img!);
      expect(res.isEkg, `${style}: ${res.reason} ${res.score}`).toBe(true);
    }
    const [d2] = render(signals, { style: 'dataset2', seed: 1 });
    expect(checkEkg(cropBand(d2!, 5, 12)).isEkg).toBe(false);
  });
});
