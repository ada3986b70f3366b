import { describe, expect, it } from 'vitest';
import {
  letterboxGeometry,
  preprocess,
  PreprocessError,
  resizeArea,
  toGray,
  type InputSpec,
} from '../../src/lib/model/preprocess';
import type { RasterImage } from '../../src/lib/render/types';

const spec = (width: number, height: number): InputSpec => ({
  width,
  height,
  channels: 1,
  resize: 'letterbox-area',
  pad: 255,
});

function rgba(width: number, height: number, fill: (x: number, y: number) => [number, number, number]): RasterImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [r, g, b] = fill(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  return { width, height, channels: 4, data };
}

describe('preprocess', () => {
  it('converts RGBA to BT.601 luminance', () => {
    const g = toGray(rgba(3, 1, (x) => (x === 0 ? [255, 0, 0] : x === 1 ? [0, 255, 0] : [0, 0, 255])));
    expect([...g]).toEqual([76, 150, 29]);
  });

  it('area-averages exactly when downscaling by an integer factor', () => {
    const src = Uint8Array.from([0, 100, 200, 40, 0, 100, 200, 40]); // 4x2
    const out = resizeArea(src, 4, 2, 2, 1);
    expect([...out]).toEqual([50, 120]);
  });

  it('keeps a constant image constant at any scale', () => {
    const src = new Uint8Array(37 * 23).fill(123);
    for (const [w, h] of [
      [10, 7],
      [74, 46],
      [5, 3],
    ] as const) {
      const out = resizeArea(src, 37, 23, w, h);
      for (const v of out) expect(v).toBeCloseTo(123, 9);
    }
  });

  it('letterboxes a 640x480 sheet into a square input with white bars', () => {
    const img = rgba(640, 480, () => [0, 0, 0]);
    const out = preprocess(img, spec(64, 64));
    const geo = letterboxGeometry(640, 480, 64, 64);
    expect(geo).toMatchObject({ w: 64, h: 48, x0: 0, y0: 8 });
    expect(out[0]).toBe(255); // bar
    expect(out[8 * 64]).toBe(0); // first image row
    expect(out[63 * 64]).toBe(255); // bottom bar
  });

  it('rejects buffers that do not match their size, and bad specs', () => {
    expect(() => toGray({ width: 10, height: 10, channels: 4, data: new Uint8ClampedArray(10) })).toThrow(
      PreprocessError,
    );
    expect(() =>
      preprocess(
        rgba(2, 2, () => [0, 0, 0]),
        { ...spec(0, 10) },
      ),
    ).toThrow(/unsupported model input spec/);
  });
});
