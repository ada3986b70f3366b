/**
 * The signal classifier's side of a model folder (`public/models/signal-3x4r/`): its `metadata.json` (kind
 * "signal", the 3x4 + rhythm input spec of ./windows.ts, threshold from fold 9) and running the TF.js model on
 * inputs made by `inputFromReadout` / `inputFromRecord`. Browser and Node. Image-model code refuses these
 * folders: their metadata says `planes: 0` (no image planes), which `validateMetadata` rejects.
 */
import * as tf from '@tensorflow/tfjs';
import type { ValMetrics } from '../model/metadata';
import { CHANNELS, inputSpec, SAMPLES, SIGNAL_FORMAT, type SignalInputSpec } from './windows';

export interface SignalModelMetadata {
  name: string;
  kind: 'signal';
  version: string;
  labels: ['Normal', 'MI'];
  positive_label: 'MI';
  output: 'logit';
  input: SignalInputSpec;
  planes: 0;
  threshold: number;
  threshold_rule: string;
  styles: string[];
  val_metrics: ValMetrics;
  /** Fold 9 read through a fixed, seeded set of digitiser-like perturbations (training/signal_data.py). */
  val_metrics_perturbed?: ValMetrics & { seed: number };
  augment?: Record<string, unknown>;
  /** training records shown, with probability p, as the digitiser read their rendered pages (training/signal_data.py ReadoutSet) */
  readouts?: {
    p: number;
    train: { style: string; n: number; commit: string | null }[];
    train_records_with_readings: number;
  };
  /** fold 9 as the digitiser read it (kept readings), at the threshold */
  val_metrics_readouts?: ValMetrics & {
    fold: number;
    n: number;
    sets: { style: string; n: number; commit: string | null }[];
  };
  data_version: string;
  git_commit: string | null;
  exported: string;
  weights_bytes: number;
  quantization: 'none' | 'float16';
  quantization_check?: { fold9_auroc_float32: number; fold9_auroc_float16: number; delta: number } | null;
  params?: number;
  arch?: Record<string, unknown>;
  training_log?: string;
}

export class SignalModelError extends Error {
  override name = 'SignalModelError';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRatio = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** True when a parsed metadata.json describes a signal model (`kind: "signal"`). */
export function isSignalMetadata(value: unknown): boolean {
  return isObj(value) && value.kind === 'signal';
}

/**
 * Checks a signal model's metadata and that its input is exactly the one this code builds (same format, size,
 * filters and window table as `inputSpec()`): a model trained on other windows must not be fed these.
 */
export function validateSignalMetadata(value: unknown, source = 'metadata.json'): SignalModelMetadata {
  const fail = (field: string, problem: string): never => {
    throw new SignalModelError(`${source}: ${field} ${problem}`);
  };
  if (!isObj(value)) return fail('(root)', 'is not a JSON object');
  const m = value;
  if (m.kind !== 'signal') fail('kind', `must be "signal", got ${JSON.stringify(m.kind)} (an image model?)`);
  for (const k of ['name', 'version', 'threshold_rule', 'data_version', 'exported'] as const) {
    if (typeof m[k] !== 'string' || (m[k] as string).length === 0) fail(k, 'must be a non-empty string');
  }
  if (!Array.isArray(m.labels) || m.labels[0] !== 'Normal' || m.labels[1] !== 'MI' || m.labels.length !== 2) {
    fail('labels', `must be ["Normal","MI"], got ${JSON.stringify(m.labels)}`);
  }
  if (m.positive_label !== 'MI') fail('positive_label', 'must be "MI"');
  if (m.output !== 'logit') fail('output', 'must be "logit"');
  if (m.planes !== 0)
    fail('planes', `must be 0 (a signal model reads no image planes), got ${JSON.stringify(m.planes)}`);
  if (!isObj(m.input)) return fail('input', 'must be an object');
  const want = inputSpec();
  const inp = m.input;
  if (inp.format !== SIGNAL_FORMAT)
    fail('input.format', `is ${JSON.stringify(inp.format)}; this code builds ${SIGNAL_FORMAT}`);
  for (const k of ['sampling_rate', 'samples', 'channels', 'units', 'layout'] as const) {
    if (inp[k] !== want[k])
      fail(`input.${k}`, `is ${JSON.stringify(inp[k])}; this code builds ${JSON.stringify(want[k])}`);
  }
  if (JSON.stringify(inp.filters) !== JSON.stringify(want.filters)) {
    fail('input.filters', `are ${JSON.stringify(inp.filters)}; this code applies ${JSON.stringify(want.filters)}`);
  }
  if (JSON.stringify(inp.traces) !== JSON.stringify(want.traces)) {
    fail(
      'input.traces',
      'differ from the window table of src/lib/signal/windows.ts (the model was trained on other windows)',
    );
  }
  if (!isRatio(m.threshold)) fail('threshold', `must be a number in [0, 1], got ${JSON.stringify(m.threshold)}`);
  if (!Array.isArray(m.styles) || m.styles.length === 0) fail('styles', 'must be a non-empty array');
  if (!(m.git_commit === null || typeof m.git_commit === 'string')) fail('git_commit', 'must be a string or null');
  if (!isCount(m.weights_bytes) || m.weights_bytes === 0) fail('weights_bytes', 'must be a positive integer');
  if (!(m.quantization === 'none' || m.quantization === 'float16')) fail('quantization', 'must be "none" or "float16"');
  const v = m.val_metrics;
  if (!isObj(v)) return fail('val_metrics', 'must be an object');
  if (v.fold !== 9) fail('val_metrics.fold', `must be 9, got ${JSON.stringify(v.fold)}`);
  for (const k of ['n', 'tp', 'fp', 'tn', 'fn'] as const)
    if (!isCount(v[k])) fail(`val_metrics.${k}`, 'must be a count');
  for (const k of ['auroc', 'sensitivity', 'specificity', 'precision', 'f1', 'accuracy'] as const) {
    if (!isRatio(v[k])) fail(`val_metrics.${k}`, `must be a number in [0, 1], got ${JSON.stringify(v[k])}`);
  }
  if ((v.tp as number) + (v.fp as number) + (v.tn as number) + (v.fn as number) !== v.n)
    fail('val_metrics', 'confusion counts do not add up to n');
  return m as unknown as SignalModelMetadata;
}

/** Checks that a loaded TF.js model takes the signal input [null, 1, SAMPLES, CHANNELS]. */
export function checkSignalModelShape(model: tf.LayersModel, where: string): void {
  const shape = model.inputs[0]?.shape;
  const want = [null, 1, SAMPLES, CHANNELS];
  if (JSON.stringify(shape) !== JSON.stringify(want)) {
    throw new SignalModelError(
      `${where}: model input ${JSON.stringify(shape)}, the signal input is ${JSON.stringify(want)}`,
    );
  }
}

/** One logit per input (each `SAMPLES * CHANNELS` floats from ./windows.ts); tensors are freed inside. */
export function predictSignalLogits(model: tf.LayersModel, inputs: readonly Float32Array[]): Float32Array {
  const per = SAMPLES * CHANNELS;
  if (inputs.length === 0) return new Float32Array(0);
  const buf = new Float32Array(inputs.length * per);
  inputs.forEach((x, i) => {
    if (x.length !== per)
      throw new SignalModelError(
        `input ${i} has ${x.length} values, the signal model needs ${SAMPLES}x${CHANNELS} = ${per}`,
      );
    buf.set(x, i * per);
  });
  const out = tf.tidy(() =>
    (model.predict(tf.tensor4d(buf, [inputs.length, 1, SAMPLES, CHANNELS])) as tf.Tensor).reshape([inputs.length]),
  );
  try {
    return out.dataSync() as Float32Array;
  } finally {
    out.dispose();
  }
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** MI probabilities, in batches. */
export function predictSignalProbabilities(
  model: tf.LayersModel,
  inputs: readonly Float32Array[],
  batchSize = 64,
): Float64Array {
  const probs = new Float64Array(inputs.length);
  for (let a = 0; a < inputs.length; a += batchSize) {
    predictSignalLogits(model, inputs.slice(a, a + batchSize)).forEach((z, i) => (probs[a + i] = sigmoid(z)));
  }
  return probs;
}

/** The signal model's reading of one input: MI probability and the decision at the model's fold-9 threshold. */
export interface SignalReading {
  probability: number;
  mi: boolean;
  threshold: number;
}

export function readingOf(probability: number, meta: Pick<SignalModelMetadata, 'threshold'>): SignalReading {
  return { probability, mi: probability >= meta.threshold, threshold: meta.threshold };
}

/** A loaded signal model: what the demo (issue 12 part 3) needs to read a digitiser's output. */
export interface SignalClassifier {
  meta: SignalModelMetadata;
  model: tf.LayersModel;
  /** Reads one input made by ./windows.ts (inputFromReadout for a digitiser readout, inputFromRecord for a record). */
  classify(input: Float32Array): SignalReading;
  dispose(): void;
}

/**
 * Loads a signal model folder over HTTP (browser; Node with a `fetch`): metadata.json first (refusing image models
 * and other windows before any weights are fetched), then model.json and its weights.
 */
export async function loadSignalClassifier(dirUrl: string, fetchFn: typeof fetch = fetch): Promise<SignalClassifier> {
  const dir = dirUrl.endsWith('/') ? dirUrl : `${dirUrl}/`;
  const get = async (f: string): Promise<Response> => {
    const r = await fetchFn(`${dir}${f}`);
    if (!r.ok) throw new SignalModelError(`${dir}${f}: HTTP ${r.status}`);
    return r;
  };
  const meta = validateSignalMetadata(await (await get('metadata.json')).json(), `${dir}metadata.json`);
  const mj = (await (await get('model.json')).json()) as {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!mj.modelTopology || !Array.isArray(mj.weightsManifest))
    throw new SignalModelError(`${dir}model.json: not a TF.js layers model`);
  const specs = mj.weightsManifest.flatMap((g) => g.weights);
  const parts = await Promise.all(
    mj.weightsManifest.flatMap((g) => g.paths).map(async (p) => new Uint8Array(await (await get(p)).arrayBuffer())),
  );
  const weightData = new Uint8Array(parts.reduce((s, b) => s + b.length, 0));
  let off = 0;
  for (const p of parts) {
    weightData.set(p, off);
    off += p.length;
  }
  if (weightData.length !== meta.weights_bytes) {
    throw new SignalModelError(
      `${dir}: weights are ${weightData.length} bytes, metadata.json says ${meta.weights_bytes}`,
    );
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: specs, weightData: weightData.buffer }),
  );
  try {
    checkSignalModelShape(model, dir);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return {
    meta,
    model,
    classify: (input) => readingOf(predictSignalProbabilities(model, [input])[0]!, meta),
    dispose: () => model.dispose(),
  };
}
