import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  compositeOverWhite,
  decodeNotes,
  decodeTargetSize,
  ImageInputError,
  inspectImageBytes,
  MAX_LONG_SIDE,
  sniffKind,
} from '../../src/lib/model/decode';
import { decide } from '../../src/lib/model/browser';
import { occlude, occlusionCells, occlusionSaliency, saliencyOverlay } from '../../src/lib/model/saliency';
import { loadModelFromDir } from '../../src/lib/model/node-io';
import { predictProbabilities } from '../../src/lib/model/run';
import { preprocess } from '../../src/lib/model/preprocess';
import { decodeImageBytesNode, parseTurns } from '../../scripts/classify';

const FIX = 'tests/fixtures/images';
const read = (f: string) => new Uint8Array(readFileSync(path.join(FIX, f)));

function codeOf(f: string): string | undefined {
  try {
    inspectImageBytes(read(f));
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ImageInputError);
    return (e as ImageInputError).code;
  }
}

describe('decode: inspection of the bytes', () => {
  it('gives each bad file its own error code and message', () => {
    expect(codeOf('zero-bytes.png')).toBe('empty');
    expect(codeOf('not-an-image.png')).toBe('not-image');
    expect(codeOf('truncated.png')).toBe('truncated');
    expect(codeOf('truncated.jpg')).toBe('truncated');
    expect(codeOf('drawing.svg')).toBe('svg');
    expect(codeOf('huge-72mp.png')).toBe('too-many-pixels');
    expect(codeOf('photo.heic')).toBeUndefined(); // sniffed as HEIC; only the browser can say if it decodes
    expect(sniffKind(read('photo.heic'))).toBe('heic');
  });

  it('reads headers: animated GIF, 16-bit PNG, CMYK JPEG', () => {
    const gif = inspectImageBytes(read('animated.gif'));
    expect(gif).toMatchObject({ kind: 'gif', width: 8, height: 8, frames: 2, animated: true });
    expect(decodeNotes(gif, 8, 8).join(' ')).toMatch(/first frame/);
    const png16 = inspectImageBytes(read('sixteen-bit.png'));
    expect(png16).toMatchObject({ kind: 'png', bitDepth: 16 });
    expect(decodeNotes(png16, 96, 72).join(' ')).toMatch(/16-bit/);
    const cmyk = inspectImageBytes(read('cmyk.jpg'));
    expect(cmyk).toMatchObject({ kind: 'jpeg', components: 4, cmyk: true, width: 8, height: 8 });
  });

  it('sniffs formats from content, not names', () => {
    expect(sniffKind(new TextEncoder().encode('  <svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('svg');
    expect(sniffKind(new TextEncoder().encode('<html><body>hi</body></html>'))).toBe('unknown');
    expect(sniffKind(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]))).toBe('pdf');
    expect(() => inspectImageBytes(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d]))).toThrow(
      /PDF files are not supported/,
    );
  });

  it('caps the long side and honours EXIF rotation in the target size', () => {
    expect(decodeTargetSize({ kind: 'jpeg', width: 8000, height: 6000 })).toEqual({
      width: MAX_LONG_SIDE,
      height: 3072,
      resized: true,
    });
    expect(decodeTargetSize({ kind: 'jpeg', width: 8000, height: 6000, orientation: 6 })).toEqual({
      width: 3072,
      height: MAX_LONG_SIDE,
      resized: true,
    });
    expect(decodeTargetSize({ kind: 'png', width: 640, height: 480 })).toEqual({
      width: 640,
      height: 480,
      resized: false,
    });
  });

  it('composites transparency over white', () => {
    const d = new Uint8ClampedArray([0, 0, 0, 0, 0, 0, 0, 255, 100, 100, 100, 128]);
    compositeOverWhite(d);
    expect(Array.from(d)).toEqual([255, 255, 255, 255, 0, 0, 0, 255, 177, 177, 177, 255]);
  });

  it('Node decoding: a 16-bit PNG gives the same pixels as its 8-bit source; CMYK JPEG decodes', async () => {
    const { image, notes } = await decodeImageBytesNode(read('sixteen-bit.png'));
    expect(image.width).toBe(96);
    expect(image.data[18 * 96 * 4]).toBe(20);
    expect(image.data[0]).toBe(255);
    expect(notes.join(' ')).toMatch(/16-bit/);
    const cmyk = await decodeImageBytesNode(read('cmyk.jpg'));
    expect(cmyk.image.width).toBe(8);
    expect(cmyk.notes.join(' ')).toMatch(/CMYK/);
  });
});

describe('npm run classify --turn', () => {
  it('takes 0-3 quarter turns and refuses anything else with the rule', () => {
    expect([0, 1, 2, 3].map((n) => parseTurns(String(n)))).toEqual([0, 1, 2, 3]);
    for (const bad of ['4', '-1', '90', '1.5', ''])
      expect(() => parseTurns(bad), bad).toThrow(/--turn takes 0, 1, 2 or 3/);
  });
});

describe('decision and saliency with the tiny exported model', () => {
  it('decides at the metadata threshold', () => {
    const meta = { threshold: 0.4, labels: ['Normal', 'MI'] as ['Normal', 'MI'] };
    expect(decide(0.4, meta)).toBe('MI');
    expect(decide(0.39999, meta)).toBe('Normal');
  });

  it('occlusion saliency: one value per cell inside the image, batched, no tensor leak', async () => {
    const { model, meta } = await loadModelFromDir('tests/fixtures/model/tiny');
    try {
      const img = {
        width: 200,
        height: 100,
        channels: 1 as const,
        data: new Uint8ClampedArray(200 * 100).map((_, i) => (i % 200 === 50 || i % 37 === 0 ? 0 : 255)),
      };
      const plane = preprocess(img, meta.input);
      let batches = 0;
      const before = tf.memory().numTensors;
      const map = await occlusionSaliency(
        plane,
        meta.input,
        img.width,
        img.height,
        (planes) => {
          batches++;
          return predictProbabilities(model, meta, planes);
        },
        { rows: 4, cols: 6, batchSize: 8 },
      );
      expect(tf.memory().numTensors).toBe(before);
      expect(map).not.toBeNull();
      expect(map!.values.length).toBe(24);
      expect(Array.from(map!.values).every(Number.isFinite)).toBe(true);
      expect(batches).toBe(1 + 3);
      // The base probability is the model's probability for the plane itself.
      expect(map!.base).toBeCloseTo(predictProbabilities(model, meta, [plane])[0]!, 10);
      // Cell values are base - p(occluded).
      const c0 = map!.cells[0]!;
      const p0 = predictProbabilities(model, meta, [occlude(plane, meta.input, c0)])[0]!;
      expect(map!.values[0]).toBeCloseTo(map!.base - p0, 6);
      const ov = saliencyOverlay(map!, 200, 100);
      expect(ov.data.length).toBe(200 * 100 * 4);
      // Letterboxed 2:1 image in a 4:3 input: cells only cover the image area.
      const { content } = occlusionCells(meta.input, 200, 100, 4, 6);
      expect(content.w).toBe(meta.input.width);
      expect(content.h).toBeLessThan(meta.input.height);
    } finally {
      model.dispose();
    }
  });
});
