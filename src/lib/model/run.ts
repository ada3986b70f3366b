/**
 * Run an exported HeartNet model on preprocessed uint8 planes (from `preprocess()`), in Node or the browser.
 * Every tensor is created and released inside `tf.tidy`; only plain typed arrays come out.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from './metadata';

export class ModelRunError extends Error {
  override name = 'ModelRunError';
}

/**
 * `examples`: one Uint8Array per example, laid out planes x H x W (planes = metadata.planes; for one plane
 * that is just the H*W image). Returns one logit per example.
 */
export function predictLogits(
  model: tf.LayersModel,
  meta: Pick<ModelMetadata, 'input' | 'planes'>,
  examples: readonly Uint8Array[],
): Float32Array {
  const { height: h, width: w } = meta.input;
  const p = meta.planes;
  const per = p * h * w;
  if (examples.length === 0) return new Float32Array(0);
  const buf = new Float32Array(examples.length * per);
  examples.forEach((ex, i) => {
    if (ex.length !== per) {
      throw new ModelRunError(`example ${i} has ${ex.length} values, the model needs ${p}x${h}x${w} = ${per}`);
    }
    buf.set(ex, i * per);
  });
  const out = tf.tidy(() => {
    let x = tf.tensor4d(buf, [examples.length, p, h, w]);
    x = p === 1 ? x.reshape([examples.length, h, w, 1]) : x.transpose([0, 2, 3, 1]);
    const y = model.predict(x) as tf.Tensor;
    return y.reshape([examples.length]);
  });
  try {
    return out.dataSync() as Float32Array;
  } finally {
    out.dispose();
  }
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** MI probabilities, predicted in batches of `batchSize`. */
export function predictProbabilities(
  model: tf.LayersModel,
  meta: Pick<ModelMetadata, 'input' | 'planes'>,
  examples: readonly Uint8Array[],
  batchSize = 16,
): Float64Array {
  const probs = new Float64Array(examples.length);
  for (let a = 0; a < examples.length; a += batchSize) {
    const logits = predictLogits(model, meta, examples.slice(a, a + batchSize));
    logits.forEach((z, i) => (probs[a + i] = sigmoid(z)));
  }
  return probs;
}
