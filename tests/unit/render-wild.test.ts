/**
 * The wild family (src/lib/render/wild/): every drawn parameter stays within the range its module documents,
 * every layout places the 12 leads exactly once with their time windows inside the record, the trace mask marks
 * the trace pixels, and the variety the issue asks for really occurs over a few hundred seeds.
 */
import { describe, expect, it } from 'vitest';
import { LEAD_NAMES, type EcgSignals } from '../../src/lib/ptbxl/types';
import { renderWithInfo } from '../../src/lib/render/index';
import { drawCameraParams } from '../../src/lib/render/wild/camera';
import { drawCrop, WILD_MAX_SIZE, WILD_STYLES } from '../../src/lib/render/wild/index';
import { drawScanParams, SCAN_MAX_LONG_SIDE } from '../../src/lib/render/wild/scan';
import { drawSheetParams } from '../../src/lib/render/wild/sheet';

function synth(n = 1000, fs = 100): EcgSignals {
  // a spike every second on every lead, different heights per lead
  return {
    samplingRate: fs,
    leadNames: [...LEAD_NAMES],
    leads: Array.from({ length: 12 }, (_, l) =>
      Float32Array.from({ length: n }, (_, i) => (i % 100 === 40 ? 0.5 + 0.05 * l : 0.02 * Math.sin(i / 7))),
    ),
  };
}

const SEEDS = Array.from({ length: 300 }, (_, i) => i * 7919 + 11);

describe('wild sheet parameters', () => {
  it('stay within their documented ranges', () => {
    for (const seed of SEEDS) {
      const p = drawSheetParams(seed, 100, 1000);
      expect(['A4', 'letter']).toContain(p.page);
      expect(['3x4', '3x4+1', '3x4+3', '6x2', '12x1']).toContain(p.layout);
      expect([25, 50]).toContain(p.mmPerS);
      expect([5, 10, 20]).toContain(p.mmPerMv);
      if (p.layout === '12x1') expect(p.mmPerMv).not.toBe(20);
      expect(p.traceWidthMm).toBeGreaterThanOrEqual(0.12);
      expect(p.traceWidthMm).toBeLessThanOrEqual(0.45);
      expect(p.minorWidthMm).toBeGreaterThanOrEqual(0.04);
      expect(p.majorWidthMm).toBeLessThanOrEqual(0.35);
      expect(p.labelSizeMm).toBeGreaterThanOrEqual(2);
      expect(p.labelSizeMm).toBeLessThanOrEqual(4);
      expect(p.stains.length).toBeLessThanOrEqual(2);
      expect(p.scribbles.length).toBeLessThanOrEqual(3);
      for (const c of [p.paper, p.minor, p.major, p.traceColor])
        for (const v of c) expect(v >= 0 && v <= 255).toBe(true);
    }
  });

  it('place every lead exactly once per layout, inside the page and the record', () => {
    for (const seed of SEEDS) {
      const p = drawSheetParams(seed, 100, 1000);
      const cells = p.panels.filter((q) => !q.rhythm);
      expect(cells.map((q) => q.lead).sort()).toEqual([...LEAD_NAMES].sort());
      expect(p.panels.filter((q) => q.rhythm).map((q) => q.lead)).toEqual(p.rhythmLeads);
      expect(p.rhythmLeads.length).toBe(p.layout === '3x4+1' ? 1 : p.layout === '3x4+3' ? 3 : 0);
      for (const q of p.panels) {
        expect(q.t0).toBeGreaterThanOrEqual(0);
        expect(q.t1).toBeLessThanOrEqual(10 + 1e-9);
        expect(q.t1).toBeGreaterThan(q.t0);
        expect(q.x0Mm).toBeGreaterThanOrEqual(0);
        expect(q.x1Mm).toBeLessThanOrEqual(p.pageMm[0]);
        expect(q.baselineMm).toBeGreaterThan(0);
        expect(q.baselineMm).toBeLessThan(p.pageMm[1]);
        // a panel is as long as its seconds at the paper speed
        expect(q.x1Mm - q.x0Mm).toBeCloseTo((q.t1 - q.t0) * p.mmPerS, 6);
      }
      // columns of one row follow each other in time, as a machine prints them
      const rows = new Map<number, number[]>();
      for (const q of cells) rows.set(q.row, [...(rows.get(q.row) ?? []), q.t0]);
      for (const t0s of rows.values()) t0s.forEach((t, k) => expect(t).toBeCloseTo(k * p.columnS, 9));
    }
  });

  it('show the variety the issue asks for', () => {
    const ps = SEEDS.map((s) => drawSheetParams(s, 100, 1000));
    const seen = (f: (p: (typeof ps)[number]) => string) => new Set(ps.map(f));
    expect(seen((p) => p.layout).size).toBe(5);
    expect(seen((p) => String(p.mmPerS)).size).toBe(2);
    expect(seen((p) => String(p.mmPerMv)).size).toBe(3);
    expect(seen((p) => p.paperName).size).toBe(8);
    expect(seen((p) => p.gridKind).size).toBe(3);
    expect(seen((p) => p.labelPosition).size).toBe(3);
    expect(seen((p) => p.labelFont).size).toBe(4);
    expect(seen((p) => p.calibration).size).toBe(3);
    expect(seen((p) => p.separators).size).toBe(3);
    expect(ps.some((p) => p.header.length > 0) && ps.some((p) => p.header.length === 0)).toBe(true);
    expect(ps.some((p) => p.redactions.length > 0)).toBe(true);
    expect(
      ps.some((p) => p.stains.length > 0) &&
        ps.some((p) => p.stamps.length > 0) &&
        ps.some((p) => p.scribbles.length > 0),
    ).toBe(true);
  });
});

describe('wild scanner and camera parameters', () => {
  it('scanner: dpi 72-300, skew within 3 degrees, capped size', () => {
    for (const seed of SEEDS) {
      const c = drawScanParams(seed, [297, 210], 1);
      expect(c.dpi).toBeGreaterThanOrEqual(72);
      expect(c.dpi).toBeLessThanOrEqual(300);
      expect(Math.abs(c.skewDeg)).toBeLessThanOrEqual(3);
      expect(Math.max(c.width, c.height)).toBeLessThanOrEqual(SCAN_MAX_LONG_SIDE);
      if (c.binarise) expect(c.gray).toBe(true);
      if (c.jpegQuality !== null) expect(c.jpegQuality >= 35 && c.jpegQuality <= 95).toBe(true);
    }
  });

  it('camera: ranges, and every orientation, background and disturbance occurs', () => {
    const cs = SEEDS.map((s) => drawCameraParams(s, [297, 210], 1));
    for (const c of cs) {
      expect(Math.abs(c.tiltDeg)).toBeLessThanOrEqual(10);
      expect(c.paperScale).toBeGreaterThanOrEqual(0.62);
      expect(c.paperScale).toBeLessThanOrEqual(1.12);
      expect(c.keystone).toBeLessThanOrEqual(0.16);
      expect(c.barrel).toBeGreaterThanOrEqual(-0.06);
      expect(c.barrel).toBeLessThanOrEqual(0.1);
      expect(c.blurSigma).toBeLessThanOrEqual(1.15);
      expect(c.jpegQuality >= 40 && c.jpegQuality <= 92).toBe(true);
      expect([c.width, c.height]).toEqual(c.portrait ? [540, 720] : [720, 540]);
      if (c.portrait) expect(Math.abs(c.baseRotationDeg)).toBe(90);
    }
    expect(new Set(cs.map((c) => c.baseRotationDeg))).toEqual(new Set([0, 90, -90, 180]));
    expect(new Set(cs.map((c) => c.background)).size).toBe(6);
    for (const has of [
      (c: (typeof cs)[number]) => c.curl > 0,
      (c: (typeof cs)[number]) => c.folds.length > 0,
      (c: (typeof cs)[number]) => c.wrinkles > 0,
      (c: (typeof cs)[number]) => c.shadows.length > 0,
      (c: (typeof cs)[number]) => c.glare !== null,
      (c: (typeof cs)[number]) => c.fingers.length > 0,
      (c: (typeof cs)[number]) => c.paperScale > 0.95,
    ]) {
      expect(cs.some(has)).toBe(true);
      expect(cs.every(has)).toBe(false);
    }
  });

  it('crops keep every trace', () => {
    let cropped = 0;
    for (const seed of SEEDS) {
      const p = drawSheetParams(seed, 100, 1000);
      const c = drawCrop(seed, p);
      if (c === null) continue;
      cropped++;
      for (const q of p.panels) {
        expect(q.x0Mm).toBeGreaterThanOrEqual(c.x0);
        expect(q.x1Mm).toBeLessThanOrEqual(c.x1);
        expect(q.baselineMm).toBeGreaterThan(c.y0);
        expect(q.baselineMm).toBeLessThan(c.y1);
      }
    }
    expect(cropped / SEEDS.length).toBeGreaterThan(0.2);
    expect(cropped / SEEDS.length).toBeLessThan(0.4);
  });
});

describe('wild renders', () => {
  const sig = synth();
  for (const style of WILD_STYLES) {
    it(`${style}: within the largest size, and the trace mask marks dark trace pixels`, () => {
      for (const seed of [1, 2, 3]) {
        const { images, info, traceMask } = renderWithInfo(sig, { style, seed, traceMask: true });
        const img = images[0]!;
        expect(img.width).toBeLessThanOrEqual(WILD_MAX_SIZE[style].width);
        expect(img.height).toBeLessThanOrEqual(WILD_MAX_SIZE[style].height);
        expect(info.wild).toBeDefined();
        expect(traceMask).toBeDefined();
        expect(traceMask!.length).toBe(img.width * img.height);
        // under the mask the picture is darker than 4 px away (the paper beside the trace), on average
        const W = img.width;
        const lum = (i: number) =>
          (img.data[i * 4]! * 299 + img.data[i * 4 + 1]! * 587 + img.data[i * 4 + 2]! * 114) / 1000;
        let marked = 0;
        let onTrace = 0;
        let beside = 0;
        for (let y = 4; y < img.height - 4; y++) {
          for (let x = 4; x < W - 4; x++) {
            const i = y * W + x;
            if (traceMask![i]! <= 200) continue;
            marked++;
            onTrace += lum(i);
            beside += Math.max(lum(i - 4), lum(i + 4), lum(i - 4 * W), lum(i + 4 * W));
          }
        }
        expect(marked).toBeGreaterThan(500);
        expect(onTrace / marked).toBeLessThan(beside / marked - 15);
      }
    });
  }
  it('a render without traceMask returns none, and the same seed gives the same parameters', () => {
    const a = renderWithInfo(sig, { style: 'wild-photo', seed: 9 });
    const b = renderWithInfo(sig, { style: 'wild-photo', seed: 9 });
    expect(a.traceMask).toBeUndefined();
    expect(JSON.stringify(a.info.wild)).toBe(JSON.stringify(b.info.wild));
    expect(JSON.stringify(renderWithInfo(sig, { style: 'wild-photo', seed: 10 }).info.wild)).not.toBe(
      JSON.stringify(a.info.wild),
    );
  });
});
