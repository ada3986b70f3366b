import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkParity } from '../../src/lib/model/node-io';

// Committed fixtures (tiny models exported from PyTorch on synthetic shards) plus every shipped model.
const dirs = [
  'tests/fixtures/model/tiny',
  'tests/fixtures/model/leadgrid',
  'tests/fixtures/model/leadseq', // lead_sequence: 12 planes, TimeDistributed encoder
  ...(existsSync('public/models')
    ? readdirSync('public/models')
        .map((d) => join('public/models', d))
        .filter((d) => existsSync(join(d, 'parity.json')))
        // the trace segmenter's parity (a logit per pixel) is checked in segment.test.ts
        .filter((d) => !readFileSync(join(d, 'metadata.json'), 'utf8').includes('"trace-segmenter"'))
    : []),
];

describe('TF.js export parity with PyTorch', () => {
  for (const dir of dirs) {
    it(`${dir}: TF.js logits match the PyTorch logits within 1e-4`, async () => {
      const r = await checkParity(dir);
      expect(r.n).toBeGreaterThanOrEqual(2);
      // the logits must not be trivially equal (e.g. all zero)
      expect(new Set(r.torch.map((v) => v.toFixed(6))).size).toBeGreaterThan(1);
      expect(r.maxDiff).toBeLessThan(1e-4);
    });
  }

  it('detects a corrupted weight file', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'parity-'));
    cpSync('tests/fixtures/model/tiny', tmp, { recursive: true });
    const bin = join(tmp, 'group1-shard1of1.bin');
    const w = new Float32Array(new Uint8Array(readFileSync(bin)).buffer);
    for (let i = 0; i < w.length; i += 7) w[i] = w[i]! * 1.5 + 0.01;
    writeFileSync(bin, new Uint8Array(w.buffer));
    const r = await checkParity(tmp);
    expect(r.maxDiff).toBeGreaterThan(1e-4);
  });
});
