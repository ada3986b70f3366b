import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { checkParity, useBackend } from '../../src/lib/model/node-io';

// npm run eval and bench:model default to the wasm backend (XNNPACK); it must agree with PyTorch too.
describe('TF.js export parity on the wasm backend', () => {
  it.each(['tests/fixtures/model/tiny', 'tests/fixtures/model/leadgrid', 'tests/fixtures/model/leadseq'])(
    '%s within 1e-4',
    async (dir) => {
      await useBackend('wasm');
      expect(tf.getBackend()).toBe('wasm');
      const r = await checkParity(dir);
      expect(r.maxDiff).toBeLessThan(1e-4);
    },
  );
});
