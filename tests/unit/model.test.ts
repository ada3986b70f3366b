import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MetadataError, validateMetadata } from '../../src/lib/model/metadata';
import { loadModelFromDir, unpackU8 } from '../../src/lib/model/node-io';
import { predictLogits, predictProbabilities, sigmoid } from '../../src/lib/model/run';

const FIXTURE = 'tests/fixtures/model/tiny';
const meta0 = () => JSON.parse(readFileSync(join(FIXTURE, 'metadata.json'), 'utf8')) as Record<string, unknown>;

describe('model metadata', () => {
  it('accepts the fixture metadata', () => {
    const m = validateMetadata(meta0());
    expect(m.labels).toEqual(['Normal', 'MI']);
    expect(m.input.height).toBe(48);
  });

  it.each([
    ['threshold', 1.5, /threshold must be a number in \[0, 1\]/],
    ['labels', ['MI', 'Normal'], /labels must be \["Normal","MI"\]/],
    ['input', { height: 0, width: 64, channels: 1, resize: 'letterbox-area', pad: 255 }, /input is invalid/],
    ['quantization', 'int4', /quantization must be/],
    ['planes', 3, /planes must be 1 or 12/],
  ])('rejects a bad %s with a message naming it', (key, value, msg) => {
    const m = { ...meta0(), [key]: value };
    expect(() => validateMetadata(m, 'x/metadata.json')).toThrow(MetadataError);
    expect(() => validateMetadata(m, 'x/metadata.json')).toThrow(msg);
  });

  it('rejects validation metrics from a fold other than 9 and inconsistent counts', () => {
    const m = meta0();
    const v = m.val_metrics as Record<string, unknown>;
    expect(() => validateMetadata({ ...m, val_metrics: { ...v, fold: 10 } })).toThrow(/val_metrics.fold must be 9/);
    expect(() => validateMetadata({ ...m, val_metrics: { ...v, tp: (v.tp as number) + 1 } })).toThrow(/do not add up/);
    expect(() => validateMetadata('nope')).toThrow(/not a JSON object/);
  });
});

describe('loading and running a model in Node', () => {
  it('predicts inside tf.tidy without leaking tensors, batch = one by one', async () => {
    const { model, meta } = await loadModelFromDir(FIXTURE);
    const parity = JSON.parse(readFileSync(join(FIXTURE, 'parity.json'), 'utf8')) as { cases: { input: string }[] };
    const xs = parity.cases.map((c) => unpackU8(c.input));
    const before = tf.memory().numTensors;
    const batch = predictLogits(model, meta, xs);
    const single = xs.map((x) => predictLogits(model, meta, [x])[0]!);
    expect(tf.memory().numTensors).toBe(before);
    single.forEach((v, i) => expect(Math.abs(v - batch[i]!)).toBeLessThan(1e-5));
    const probs = predictProbabilities(model, meta, xs, 2);
    probs.forEach((p, i) => expect(p).toBeCloseTo(sigmoid(batch[i]!), 6));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => predictLogits(model, meta, [new Uint8Array(10)])).toThrow(/needs 1x48x64/);
    model.dispose();
  });

  it('refuses weights that do not match metadata.weights_bytes', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'model-'));
    cpSync(FIXTURE, tmp, { recursive: true });
    writeFileSync(join(tmp, 'metadata.json'), JSON.stringify({ ...meta0(), weights_bytes: 12 }));
    await expect(loadModelFromDir(tmp)).rejects.toThrow(/weights are \d+ bytes, metadata.json says 12/);
  });

  it('names the missing file', async () => {
    await expect(loadModelFromDir('tests/fixtures/model/does-not-exist')).rejects.toThrow(/metadata.json: cannot read/);
  });

  it('sigmoid is stable at the extremes', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
  });
});
