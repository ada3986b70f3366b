import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/lib/model/node-io';
import { checkSignalParity } from '../../src/lib/signal/node-io';

// The browser runs the signal model on WebGL or WASM and eval:signals defaults to wasm: it must agree with
// PyTorch there too (the cpu backend is checked in signal-model.test.ts).
const dirs = [
  'tests/fixtures/model/signal',
  ...(existsSync('public/models/signal-3x4r/parity.json') ? ['public/models/signal-3x4r'] : []),
];

describe('signal model parity on the wasm backend', () => {
  it.each(dirs)('%s within 1e-4', async (dir) => {
    await useBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const r = await checkSignalParity(dir);
    expect(r.maxDiff).toBeLessThan(1e-4);
  });
});
