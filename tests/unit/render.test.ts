import { describe, expect, it } from 'vitest';
import { LEAD_NAMES, type EcgSignals } from '../../src/lib/ptbxl/types';
import {
  dataset2RowOf,
  deriveSeed,
  imageHash,
  imageSize,
  render,
  renderToGoldenHash,
  renderWithInfo,
  RenderError,
  STYLE_NAMES,
  toRgba,
  type RenderOptions,
  isWildStyle,
} from '../../src/lib/render/index';
import { decodePng, encodePng } from '../../src/lib/render/png';
import { Canvas, simplifyPolyline } from '../../src/lib/render/raster';
import { drawText, textWidth } from '../../src/lib/render/font';
import { sha256Hex } from '../../src/lib/render/sha256';
import { fastBlock, referenceBlock, scaledTable, LUMA_TABLE } from '../../src/lib/render/jpeg';
import { homography } from '../../src/lib/render/styles/photo';

/** A synthetic 10 s, 100 Hz record: lead l is a 1.2 Hz sine of amplitude 0.1*(l+1) mV plus a spike per second. */
function synth(
  n = 1000,
  fs = 100,
  f: (l: number, i: number) => number = (l, i) =>
    0.1 * (l + 1) * Math.sin((2 * Math.PI * 1.2 * i) / fs) + (i % 100 === 50 ? 0.8 : 0),
): EcgSignals {
  return {
    samplingRate: fs,
    leadNames: [...LEAD_NAMES],
    leads: Array.from({ length: 12 }, (_, l) => Float32Array.from({ length: n }, (_, i) => f(l, i))),
  };
}
const flat = synth(1000, 100, () => 0);

function expectRenderError(fn: () => unknown, pattern: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RenderError);
  expect((err as Error).message).toMatch(pattern);
}

describe('render: shapes and determinism', () => {
  const sig = synth();
  for (const style of STYLE_NAMES) {
    it(`${style}: expected size, not blank, same bytes twice`, () => {
      const a = render(sig, { style, seed: 3 });
      const b = render(sig, { style, seed: 3 });
      expect(a.length).toBe(style === 'dataset4' ? 12 : 1);
      const size = imageSize(style);
      for (let k = 0; k < a.length; k++) {
        const img = a[k]!;
        // wild styles vary their size with the seed, up to imageSize
        if (isWildStyle(style)) {
          expect(img.width).toBeLessThanOrEqual(size.width);
          expect(img.height).toBeLessThanOrEqual(size.height);
        } else {
          expect([img.width, img.height]).toEqual([size.width, size.height]);
        }
        expect(img.data.length).toBe(img.width * img.height * img.channels);
        expect(imageHash(img)).toBe(imageHash(b[k]!));
        // not blank: at least two distinct values and some dark pixels
        let dark = 0;
        for (let i = 0; i < img.data.length; i += img.channels) if (img.data[i]! < 160) dark++;
        expect(dark).toBeGreaterThan(100);
      }
    });
  }
  it('photo: a different seed gives different bytes and different drawn parameters', () => {
    const a = renderWithInfo(sig, { style: 'photo', seed: 1 });
    const b = renderWithInfo(sig, { style: 'photo', seed: 2 });
    expect(imageHash(a.images[0]!)).not.toBe(imageHash(b.images[0]!));
    expect(a.info.photo).toBeDefined();
    expect(a.info.photo!.rotationDeg).not.toBe(b.info.photo!.rotationDeg);
  });
  it('photo parameters stay within their documented bounds', () => {
    for (let seed = 0; seed < 40; seed++) {
      const p = renderWithInfo(synth(200), { style: 'photo', seed, scale: 0.25 }).info.photo!;
      expect(Math.abs(p.rotationDeg)).toBeLessThanOrEqual(7);
      expect(p.perspective).toBeGreaterThanOrEqual(0);
      expect(p.perspective).toBeLessThanOrEqual(0.06);
      expect(p.jpegQuality).toBeGreaterThanOrEqual(45);
      expect(p.jpegQuality).toBeLessThanOrEqual(92);
      expect(p.blurSigma).toBeGreaterThanOrEqual(0.3);
      expect(p.blurSigma).toBeLessThanOrEqual(1.1);
      expect(p.noiseSigma).toBeGreaterThanOrEqual(1);
      expect(p.noiseSigma).toBeLessThanOrEqual(6);
      expect(p.creases.length).toBeLessThanOrEqual(2);
      expect(p.shadowDarkness).toBeLessThanOrEqual(0.35);
      for (const [x, y] of p.corners) {
        expect(x).toBeGreaterThan(-0.1 * p.width);
        expect(x).toBeLessThan(1.1 * p.width);
        expect(y).toBeGreaterThan(-0.1 * p.height);
        expect(y).toBeLessThan(1.1 * p.height);
      }
    }
  });
  it('dataset3: 1-3 five-vertex shadows, seeded; seed changes them; dataset2 is seed-independent', () => {
    const a = renderWithInfo(sig, { style: 'dataset3', seed: 11 });
    const b = renderWithInfo(sig, { style: 'dataset3', seed: 12 });
    expect(a.info.shadows!.length).toBeGreaterThanOrEqual(1);
    expect(a.info.shadows!.length).toBeLessThanOrEqual(3);
    for (const s of a.info.shadows!) expect(s.points.length).toBe(5);
    expect(imageHash(a.images[0]!)).not.toBe(imageHash(b.images[0]!));
    expect(imageHash(render(sig, { style: 'dataset2', seed: 1 })[0]!)).toBe(
      imageHash(render(sig, { style: 'dataset2', seed: 2 })[0]!),
    );
  });
  it('does not modify its input signals', () => {
    const s = synth();
    const before = s.leads.map((l) => Array.from(l));
    render(s, { style: 'printout', filters: ['baseline', 'lowpass', 'notch50'] });
    expect(s.leads.map((l) => Array.from(l))).toEqual(before);
  });
  it('scale changes the size', () => {
    const img = render(synth(), { style: 'dataset2', scale: 0.5 })[0]!;
    expect([img.width, img.height]).toEqual([320, 240]);
    const d1 = render(synth(), { style: 'dataset1', scale: 0.25 })[0]!;
    expect([d1.width, d1.height]).toEqual([512, 384]);
  });
  it('filters change the picture (raw vs filtered dataset1)', () => {
    const s = synth(1000, 100, (l, i) => 0.002 * i + Math.sin(i / 7));
    const raw = render(s, { style: 'dataset1', scale: 0.25 })[0]!;
    const filt = render(s, { style: 'dataset1', scale: 0.25, filters: ['baseline'] })[0]!;
    expect(imageHash(raw)).not.toBe(imageHash(filt));
  });
  it('renderToGoldenHash gives size and sha256 per image', () => {
    const h = renderToGoldenHash(synth(), { style: 'dataset4', scale: 0.125 });
    expect(h).toHaveLength(12);
    expect(h[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(h[0]!.width).toBe(64);
  });
  it('deriveSeed is a stable function of (ecg_id, variant, style)', () => {
    expect(deriveSeed(1, 0, 'dataset3')).toBe(deriveSeed(1, 0, 'dataset3'));
    expect(deriveSeed(1, 0, 'dataset3')).not.toBe(deriveSeed(1, 1, 'dataset3'));
    expect(deriveSeed(1, 0, 'dataset3')).not.toBe(deriveSeed(2, 0, 'dataset3'));
    expect(deriveSeed(1, 0, 'dataset3')).not.toBe(deriveSeed(1, 0, 'photo'));
    expect(deriveSeed(12345, 2, 'photo')).toBe(deriveSeed(12345, 2, 'photo'));
    const s = deriveSeed(21837, 9, 'photo');
    expect(Number.isInteger(s) && s >= 0 && s <= 0xffffffff).toBe(true);
  });
});

describe('render: traces land where expected', () => {
  it('dataset2: a 0 mV flat line draws blue at the centre row of every lead', () => {
    const img = render(flat, { style: 'dataset2' })[0]!;
    const W = img.width;
    for (let lead = 0; lead < 12; lead++) {
      const row = Math.floor(dataset2RowOf(lead, 0, 1000, 100));
      const x = 320;
      const p = (row * W + x) * 4;
      const [r, b] = [img.data[p]!, img.data[p + 2]!];
      // matplotlib C0 blue #1f77b4
      expect(b).toBeGreaterThan(r + 60);
      expect(Math.abs(r - 0x1f)).toBeLessThan(40);
      // 6 px above and below: grid, not trace (grays have r == g == b)
      for (const dy of [-6, 6]) {
        const q = ((row + dy) * W + x) * 4;
        expect(img.data[q]).toBe(img.data[q + 2]);
      }
    }
  });
  it('dataset2: a +0.5 mV line lands a quarter of the axes height above the centre, and +3 mV is clipped away', () => {
    const half = synth(1000, 100, () => 0.5);
    const img = render(half, { style: 'dataset2' })[0]!;
    const row = Math.round(dataset2RowOf(0, 0.5, 1000, 100) - 0.5);
    const p = (row * img.width + 320) * 4;
    expect(img.data[p + 2]! - img.data[p]!).toBeGreaterThan(60);
    const high = render(
      synth(1000, 100, () => 3),
      { style: 'dataset2' },
    )[0]!;
    const bg = render(flat, { style: 'dataset2' })[0]!;
    // nothing blue anywhere when every sample is off the [-1, 1] mV axes
    let blue = 0;
    for (let i = 0; i < high.data.length; i += 4) if (high.data[i + 2]! - high.data[i]! > 30) blue++;
    expect(blue).toBe(0);
    expect(imageHash(high)).not.toBe(imageHash(bg));
  });
  it('printout: a flat line is dark on the row baselines (50, 95, 140, 185 mm at 4 px/mm)', () => {
    const img = render(flat, { style: 'printout', filters: [] })[0]!;
    for (const mm of [50, 95, 140, 185]) {
      const y = mm * 4;
      const x = 160 * 4 + 2;
      const p = (y * img.width + x) * 4;
      // a 0.3 mm (1.2 px) trace centred on the pixel boundary: the two rows together take > 1 px of ink
      const ink = 255 - img.data[p]! + (255 - img.data[p - img.width * 4]!);
      expect(ink).toBeGreaterThan(255);
      // 5.5 mm above: paper between grid lines (light)
      const q = ((y - 22) * img.width + x) * 4;
      expect(img.data[q]!).toBeGreaterThan(200);
    }
  });
  it("dataset1: an outlier spike stretches the y range (the study's choppy look)", () => {
    const spiky = synth(1000, 100, (l, i) => 0.2 * Math.sin(i / 10) + (i === 500 ? 20 : 0));
    const img = render(spiky, { style: 'dataset1', scale: 0.5 })[0]!;
    // the tile's rows near the top (the spike) have ink, and the sine is squashed into a thin band
    const tile = 256;
    let inkRows = 0;
    for (let y = 0; y < tile; y++) {
      let ink = false;
      for (let x = 0; x < tile; x++) if (img.data[y * img.width + x]! < 200) ink = true;
      if (ink) inkRows++;
    }
    expect(inkRows).toBeGreaterThan(150); // the spike spans most of the height
  });
});

describe('render: bad input gives a clear RenderError', () => {
  const ok = synth(100);
  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      '11 leads',
      () => render({ ...ok, leads: ok.leads.slice(0, 11) }, { style: 'dataset2' }),
      /expected 12 leads, got 11/,
    ],
    [
      'NaN sample',
      () =>
        render(
          {
            ...ok,
            leads: ok.leads.map((l, i) => (i === 3 ? Float32Array.from(l, (v, k) => (k === 42 ? NaN : v)) : l)),
          },
          { style: 'dataset2' },
        ),
      /lead aVR sample 42 is NaN/,
    ],
    [
      'Infinity sample',
      () =>
        render(
          {
            ...ok,
            leads: ok.leads.map((l, i) => (i === 0 ? Float32Array.from(l, (v, k) => (k === 7 ? Infinity : v)) : l)),
          },
          { style: 'printout' },
        ),
      /lead I sample 7 is Infinity/,
    ],
    [
      'absurd amplitude',
      () =>
        render(
          {
            ...ok,
            leads: ok.leads.map((l, i) => (i === 11 ? Float32Array.from(l, (v, k) => (k === 3 ? 2e6 : v)) : l)),
          },
          { style: 'dataset1' },
        ),
      /lead V6 sample 3 is 2000000 mV, outside \+-100000 mV/,
    ],
    [
      'empty lead',
      () => render({ ...ok, leads: ok.leads.map(() => new Float32Array(0)) }, { style: 'dataset2' }),
      /lead I is empty/,
    ],
    [
      'mismatched lengths',
      () => render({ ...ok, leads: ok.leads.map((l, i) => (i === 5 ? l.subarray(0, 50) : l)) }, { style: 'dataset2' }),
      /different lengths: I has 100 samples, aVF has 50/,
    ],
    [
      'bad sampling rate',
      () => render({ ...ok, samplingRate: 0 }, { style: 'dataset2' }),
      /samplingRate must be a positive/,
    ],
    ['unknown style', () => render(ok, { style: 'sketch' } as unknown as RenderOptions), /unknown style 'sketch'/],
    ['scale 0', () => render(ok, { style: 'dataset2', scale: 0 }), /scale must be a positive/],
    ['negative scale', () => render(ok, { style: 'dataset2', scale: -1 }), /scale must be a positive/],
    ['NaN scale', () => render(ok, { style: 'dataset2', scale: NaN }), /scale must be a positive/],
    [
      'huge image',
      () => render(ok, { style: 'dataset1', scale: 5 }),
      /image too large: 10240x7680 px .*max 40 megapixels/,
    ],
    ['tiny image', () => render(ok, { style: 'dataset2', scale: 0.001 }), /image too small/],
    ['bad seed', () => render(ok, { style: 'photo', seed: 1.5 }), /seed must be an integer/],
    ['unknown filter', () => render(ok, { style: 'dataset2', filters: ['hum'] as never }), /unknown filter 'hum'/],
    [
      'one sample',
      () => render({ ...ok, leads: ok.leads.map((l) => l.subarray(0, 1)) }, { style: 'dataset2' }),
      /at least 2 samples/,
    ],
  ];
  for (const [name, fn, pattern] of cases) it(name, () => expectRenderError(fn, pattern));
  it('RenderError has a code', () => {
    try {
      render(ok, { style: 'nope' } as unknown as RenderOptions);
    } catch (e) {
      expect((e as RenderError).code).toBe('bad-style');
    }
  });
  it('odd but valid inputs render (short, long, other rate)', () => {
    expect(render(synth(250), { style: 'printout' })[0]!.width).toBe(1120);
    expect(render(synth(5000, 500), { style: 'dataset2' })[0]!.width).toBe(640);
    expect(render(synth(2), { style: 'dataset4', scale: 0.1 })).toHaveLength(12);
  });
});

describe('PNG', () => {
  it('round-trips RGBA and gray images', () => {
    for (const style of ['dataset2', 'dataset1'] as const) {
      const img = render(synth(), { style, scale: 0.25 })[0]!;
      const back = decodePng(encodePng(img));
      expect(back.channels).toBe(img.channels);
      expect([back.width, back.height]).toEqual([img.width, img.height]);
      expect(imageHash(back)).toBe(imageHash(img));
    }
  });
  it('starts with the PNG signature', () => {
    const png = encodePng(render(synth(), { style: 'dataset2', scale: 0.1 })[0]!);
    expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  });
  it('toRgba expands gray', () => {
    const g = render(synth(), { style: 'dataset4', scale: 0.1 })[0]!;
    const c = toRgba(g);
    expect(c.channels).toBe(4);
    expect(c.data[0]).toBe(g.data[0]);
    expect(c.data[3]).toBe(255);
  });
});

describe('rasteriser primitives', () => {
  it('an anti-aliased horizontal line covers exactly its width', () => {
    const c = new Canvas(20, 20, 1);
    c.fill([255, 255, 255]);
    c.strokePolyline([2, 18], [10, 10], 2, 2, [0, 0, 0]);
    // rows 9 and 10 fully covered (line y 9..11), rows 8 and 11 untouched in the middle
    expect(c.data[9 * 20 + 10]).toBe(0);
    expect(c.data[10 * 20 + 10]).toBe(0);
    expect(c.data[8 * 20 + 10]).toBe(255);
    expect(c.data[11 * 20 + 10]).toBe(255);
  });
  it('polyline joints are not blended twice', () => {
    const c = new Canvas(40, 40, 1);
    c.fill([255, 255, 255]);
    c.strokePolyline([5, 20, 35], [20, 20.3, 20], 3, 1.2, [0, 0, 0], undefined);
    const d = new Canvas(40, 40, 1);
    d.fill([255, 255, 255]);
    d.strokePolyline([5, 20], [20, 20.3], 2, 1.2, [0, 0, 0]);
    d.strokePolyline([20, 35], [20.3, 20], 2, 1.2, [0, 0, 0]);
    // separately stroked segments darken the joint more than one polyline does
    expect(c.data[20 * 40 + 20]!).toBeGreaterThanOrEqual(d.data[20 * 40 + 20]!);
  });
  it('polygon fill covers its area (a 10x10 square = 100 pixels of coverage)', () => {
    const c = new Canvas(30, 30, 1);
    c.fill([255, 255, 255]);
    c.fillPolygon([5.5, 5.5, 15.5, 5.5, 15.5, 15.5, 5.5, 15.5], [0, 0, 0]);
    let ink = 0;
    for (let i = 0; i < c.data.length; i++) ink += (255 - c.data[i]!) / 255;
    expect(ink).toBeCloseTo(100, 0);
  });
  it('clipping keeps pixels outside the clip box untouched', () => {
    const c = new Canvas(20, 20, 1);
    c.fill([255, 255, 255]);
    c.strokePolyline([0, 20], [0, 20], 2, 3, [0, 0, 0], { x0: 5, y0: 5, x1: 15, y1: 15 });
    expect(c.data[2 * 20 + 2]).toBe(255);
    expect(c.data[17 * 20 + 17]).toBe(255);
    expect(c.data[10 * 20 + 10]).toBe(0);
  });
  it('path simplification drops collinear vertices, keeps spikes and endpoints, stays linear on flat input', () => {
    const n = 101;
    const xs = Float32Array.from({ length: n }, (_, i) => i);
    const ys = Float32Array.from({ length: n }, (_, i) => (i === 50 ? 30 : 0.01 * Math.sin(i)));
    const m = simplifyPolyline(xs, ys, n);
    expect(m).toBeLessThan(20);
    expect([xs[0], xs[m - 1]]).toEqual([0, 100]);
    expect(Array.from(ys.subarray(0, m))).toContain(30); // the spike survives
    const big = 1_000_000;
    const fx = Float32Array.from({ length: big }, (_, i) => i * 0.001);
    const t0 = performance.now();
    const k = simplifyPolyline(fx, new Float32Array(big), big);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(k).toBeGreaterThan(big / 70);
  });
  it('results do not depend on what was rendered before (pools and caches)', () => {
    const s = synth();
    const a = imageHash(render(s, { style: 'dataset3', seed: 4 })[0]!);
    render(s, { style: 'dataset2', scale: 0.5 });
    render(s, { style: 'photo', seed: 9, scale: 0.5 });
    render(synth(700), { style: 'dataset3', seed: 1 });
    expect(imageHash(render(s, { style: 'dataset3', seed: 4 })[0]!)).toBe(a);
  });
  it('text draws ink within its box', () => {
    const c = new Canvas(100, 20, 1);
    c.fill([255, 255, 255]);
    drawText(c, 'aVR 25 mm/s', 2, 2, 14, [0, 0, 0]);
    let ink = 0;
    for (let i = 0; i < c.data.length; i++) if (c.data[i]! < 128) ink++;
    expect(ink).toBeGreaterThan(50);
    expect(textWidth('aVR', 14)).toBeCloseTo(((3 * 6 - 1) * 14) / 7);
  });
});

describe('helpers', () => {
  it('sha256 matches known vectors', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const long = new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
    expect(sha256Hex(long)).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    const million = new Uint8Array(1_000_000).fill(97);
    expect(sha256Hex(million)).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
  it('fast (AAN) JPEG block transform equals the textbook DCT', () => {
    const table = scaledTable(LUMA_TABLE, 60);
    const AAN = [1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.5411961, 0.275899379];
    const div = new Float64Array(64);
    const mul = new Float64Array(64);
    for (let u = 0; u < 8; u++)
      for (let v = 0; v < 8; v++) {
        const s = AAN[u]! * AAN[v]!;
        div[u * 8 + v] = 1 / (table[u * 8 + v]! * s * 8);
        mul[u * 8 + v] = (table[u * 8 + v]! * s) / 8;
      }
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 255 - 128;
    for (let k = 0; k < 50; k++) {
      const a = Float64Array.from({ length: 64 }, rnd);
      const b = a.slice();
      fastBlock(a, div, mul);
      referenceBlock(b, table);
      for (let i = 0; i < 64; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-3);
    }
  });
  it('homography maps the four corners', () => {
    const src: Array<[number, number]> = [
      [10, 20],
      [300, 5],
      [320, 250],
      [0, 240],
    ];
    const dst: Array<[number, number]> = [
      [0, 0],
      [100, 0],
      [100, 80],
      [0, 80],
    ];
    const h = homography(src, dst);
    for (let i = 0; i < 4; i++) {
      const [x, y] = src[i]!;
      const w = h[6]! * x + h[7]! * y + 1;
      expect((h[0]! * x + h[1]! * y + h[2]!) / w).toBeCloseTo(dst[i]![0], 6);
      expect((h[3]! * x + h[4]! * y + h[5]!) / w).toBeCloseTo(dst[i]![1], 6);
    }
  });
});
