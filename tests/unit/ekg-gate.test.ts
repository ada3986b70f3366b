/**
 * The EKG check: its pure decision (blank pictures, the threshold, the reader's words) and the shipped network
 * (public/models/ekg-gate) on pictures whose answer is not in doubt: 12-lead renders in our styles are accepted;
 * a blank page, noise, a drawn line chart and a single lead are refused. Also the metadata guard: the gate is not
 * an MI classifier and cannot be loaded as one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseImage } from '../../src/lib/model/browser';
import {
  BLANK_MESSAGE,
  checkEkg,
  gateDecision,
  isBlank,
  NOT_EKG_MESSAGE,
  SIDEWAYS_HINT,
} from '../../src/lib/model/ekg-gate';
import { validateMetadata } from '../../src/lib/model/metadata';
import { loadModelFromDir, useBackend } from '../../src/lib/model/node-io';
import { predictProbabilities } from '../../src/lib/model/run';
import { readRecord, recordFiles, resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import { turnQuarter } from '../../src/lib/render/image';
import { render, type StyleName } from '../../src/lib/render/index';
import { Canvas } from '../../src/lib/render/raster';
import type { RasterImage } from '../../src/lib/render/types';

const GATE = 'public/models/ekg-gate';

function flat(v: number, w = 300, h = 200): RasterImage {
  return { width: w, height: h, channels: 4, data: new Uint8ClampedArray(w * h * 4).fill(v) };
}

describe('EKG check: the decision', () => {
  it('refuses blank pictures before any network, with their own words', () => {
    expect(isBlank(flat(255))).toBe(true);
    expect(isBlank(flat(30))).toBe(true);
    const d = gateDecision(0.99, { threshold: 0.7 }, true);
    expect(d).toMatchObject({ isEkg: false, reason: 'blank', message: BLANK_MESSAGE, score: 0 });
  });
  it('accepts from the threshold up and explains a refusal', () => {
    expect(gateDecision(0.7, { threshold: 0.7 }).isEkg).toBe(true);
    const no = gateDecision(0.69, { threshold: 0.7 });
    expect(no).toMatchObject({ isEkg: false, reason: 'not-ekg', message: NOT_EKG_MESSAGE });
  });
  it('a picture with contrast is not blank', () => {
    const c = new Canvas(300, 200, 4);
    c.fill([255, 255, 255]);
    c.line(10, 100, 290, 100, 2, [0, 0, 0]);
    expect(isBlank(c.toImage())).toBe(false);
  });
});

describe('EKG check: a picture turned sideways', () => {
  it('turnQuarter moves every pixel a quarter turn, each way, and back', () => {
    // 3 x 2, gray: rows [1 2 3] [4 5 6]
    const img: RasterImage = { width: 3, height: 2, channels: 1, data: Uint8ClampedArray.from([1, 2, 3, 4, 5, 6]) };
    const cw = turnQuarter(img, 90);
    expect([cw.width, cw.height]).toEqual([2, 3]);
    expect(Array.from(cw.data)).toEqual([4, 1, 5, 2, 6, 3]);
    const ccw = turnQuarter(img, -90);
    expect(Array.from(ccw.data)).toEqual([3, 6, 2, 5, 1, 4]);
    expect(turnQuarter(cw, -90)).toEqual(img);
    const rgba: RasterImage = {
      width: 2,
      height: 1,
      channels: 4,
      data: Uint8ClampedArray.from([1, 2, 3, 4, 5, 6, 7, 8]),
    };
    expect(Array.from(turnQuarter(rgba, 90).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  const meta = {
    input: { height: 24, width: 32, channels: 1 as const, resize: 'letterbox-area' as const, pad: 255 },
    threshold: 0.5,
  };
  const striped = (w: number, h: number) => {
    const c = new Canvas(w, h, 4);
    c.fill([200, 200, 200]);
    for (let y = 5; y < h; y += 10) c.line(0, y, w, y, 2, [0, 0, 0]);
    return c.toImage();
  };

  it('a refused picture taller than wide is told how to turn it; nothing is turned for it', async () => {
    const seen: number[] = [];
    const portrait = await checkEkg(striped(60, 100), { meta, score: (p) => (seen.push(p.length), 0.2) });
    expect(portrait).toMatchObject({ isEkg: false, reason: 'not-ekg', score: 0.2 });
    expect(portrait.message).toBe(`${NOT_EKG_MESSAGE} ${SIDEWAYS_HINT}`);
    // one look, at the picture as it is: the check never tries turns of its own (they let text pages through)
    expect(seen).toHaveLength(1);
    const landscape = await checkEkg(striped(100, 60), { meta, score: () => 0.2 });
    expect(landscape.message).toBe(NOT_EKG_MESSAGE);
    const accepted = await checkEkg(striped(60, 100), { meta, score: () => 0.9 });
    expect(accepted).toEqual({ isEkg: true, score: 0.9, threshold: 0.5 });
    const blank = await checkEkg(flat(255, 60, 100), { meta, score: () => 1 });
    expect(blank).toMatchObject({ reason: 'blank', message: BLANK_MESSAGE });
  });
});

describe.runIf(existsSync(`${GATE}/model.json`))('EKG check: the shipped network', () => {
  it('is an EKG check, not an MI classifier', () => {
    const meta = JSON.parse(readFileSync(`${GATE}/metadata.json`, 'utf8')) as unknown;
    expect(() => validateMetadata(meta, 'gate', 'mi')).toThrow(/the EKG check, not an MI classifier/);
    expect(validateMetadata(meta, 'gate', 'ekg-gate').labels).toEqual(['not a 12-lead EKG', '12-lead EKG']);
  });

  const dir = resolvePtbxlDir();
  it.runIf(existsSync(recordFiles(dir, 1).dat))(
    'accepts 12-lead renders, refuses noise, a line chart and a single lead',
    async () => {
      await useBackend('cpu');
      const gate = await loadModelFromDir(GATE, 'ekg-gate');
      const score = (plane: Uint8Array) => predictProbabilities(gate.model, gate.meta, [plane])[0]!;
      const classifier = {
        input: { height: 8, width: 8, channels: 1 as const, resize: 'letterbox-area' as const, pad: 255 },
      };
      const verdict = async (img: RasterImage) => (await analyseImage(img, classifier, { meta: gate.meta, score })).ekg;
      const sig = await readRecord(dir, 1);
      for (const style of ['printout', 'dataset2', 'wild-printout'] as StyleName[]) {
        const v = await verdict(render(sig, { style, seed: 3 })[0]!);
        expect(v.isEkg, `${style}: score ${v.score}`).toBe(true);
      }
      // noise
      const noise = flat(0, 320, 240);
      let s = 12345;
      for (let i = 0; i < noise.data.length; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        noise.data[i] = i % 4 === 3 ? 255 : s >>> 24;
      }
      expect((await verdict(noise)).isEkg).toBe(false);
      // a line chart: axes and one wandering line on white
      const chart = new Canvas(640, 400, 4);
      chart.fill([255, 255, 255]);
      chart.line(40, 360, 620, 360, 2, [0, 0, 0]);
      chart.line(40, 20, 40, 360, 2, [0, 0, 0]);
      const xs: number[] = [];
      const ys: number[] = [];
      for (let k = 0; k < 120; k++) {
        xs.push(40 + k * 4.8);
        ys.push(200 + 120 * Math.sin(k / 9) * Math.cos(k / 23));
      }
      chart.strokePolyline(xs, ys, xs.length, 2, [31, 119, 180]);
      expect((await verdict(chart.toImage())).isEkg).toBe(false);
      // one lead on its own (dataset 4): an EKG, but not a 12-lead one
      expect((await verdict(render(sig, { style: 'dataset4', seed: 3 })[0]!)).isEkg).toBe(false);
      gate.model.dispose();
    },
    60_000,
  );
});
