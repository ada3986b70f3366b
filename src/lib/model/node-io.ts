/**
 * Node-only: load an exported model directory (model.json + weight shards + metadata.json) from disk with
 * `tf.io.fromMemory`, on the pure-JS cpu backend (tfjs-node is not available here), and check parity
 * against the PyTorch logits recorded at export (parity.json).
 */
import { errorMessage } from '../errors';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { validateMetadata, type ModelMetadata, type ModelTask } from './metadata';
import { predictLogits } from './run';

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

export type NodeBackend = 'cpu' | 'wasm';
let backendReady: Promise<void> | null = null;
let backendName: NodeBackend | null = null;

/** Selects the TF.js backend once per process: 'cpu' (pure JS, the default) or 'wasm' (XNNPACK). */
export function useBackend(name: NodeBackend = 'cpu'): Promise<void> {
  if (backendName && backendName !== name) {
    throw new ModelLoadError(`backend ${backendName} already selected in this process; cannot switch to ${name}`);
  }
  backendName = name;
  backendReady ??= (async () => {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const { createRequire } = await import('node:module');
      const dist = join(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'), '..');
      wasm.setWasmPaths(`${dist}/`);
    }
    if (!(await tf.setBackend(name))) throw new ModelLoadError(`TF.js backend ${name} failed to initialise`);
    await tf.ready();
  })();
  return backendReady;
}
export const useCpuBackend = () => useBackend(backendName ?? 'cpu');

interface ModelJson {
  format?: string;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Loads an exported model; `task` is what the caller needs it to be (an MI classifier unless told). */
export async function loadModelFromDir(
  dir: string,
  task: ModelTask | 'any' = 'mi',
): Promise<{ model: tf.LayersModel; meta: ModelMetadata }> {
  await useCpuBackend();
  const read = async (f: string) => {
    try {
      return await readFile(join(dir, f));
    } catch (e) {
      throw new ModelLoadError(`${join(dir, f)}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  };
  const parse = (buf: Buffer, f: string): unknown => {
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch (e) {
      throw new ModelLoadError(`${join(dir, f)}: invalid JSON (${errorMessage(e)})`);
    }
  };
  const meta = validateMetadata(parse(await read('metadata.json'), 'metadata.json'), join(dir, 'metadata.json'), task);
  const mj = parse(await read('model.json'), 'model.json') as ModelJson;
  if (!mj.modelTopology || !Array.isArray(mj.weightsManifest)) {
    throw new ModelLoadError(`${join(dir, 'model.json')}: not a TF.js layers model (no modelTopology/weightsManifest)`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of mj.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) parts.push(await read(p));
  }
  const total = parts.reduce((s, b) => s + b.length, 0);
  const data = new Uint8Array(total);
  let off = 0;
  for (const b of parts) {
    data.set(b, off);
    off += b.length;
  }
  if (total !== meta.weights_bytes) {
    throw new ModelLoadError(`${dir}: weights are ${total} bytes, metadata.json says ${meta.weights_bytes}`);
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: specs, weightData: data.buffer }),
  );
  const shape = model.inputs[0]?.shape;
  const want = [null, meta.input.height, meta.input.width, meta.planes];
  if (JSON.stringify(shape) !== JSON.stringify(want)) {
    model.dispose();
    throw new ModelLoadError(
      `${dir}: model input ${JSON.stringify(shape)} does not match metadata ${JSON.stringify(want)}`,
    );
  }
  return { model, meta };
}

export interface ParityCase {
  input: string;
  logit: number;
}
export interface ParityFile {
  format: 'heartnet-parity/1';
  shape: [number, number, number];
  tolerance: number;
  cases: ParityCase[];
}

export function unpackU8(b64: string): Uint8Array {
  return new Uint8Array(inflateSync(Buffer.from(b64, 'base64')));
}

/** Runs the model on the parity inputs; returns the PyTorch and TF.js logits and the max |difference|. */
export async function checkParity(
  dir: string,
): Promise<{ maxDiff: number; torch: number[]; tfjs: number[]; n: number }> {
  // Signal models (src/lib/signal/, float inputs) record their parity cases in their own format.
  const format = await readFile(join(dir, 'parity.json'), 'utf8').then(
    (t) => (JSON.parse(t) as { format?: unknown }).format,
    () => undefined,
  );
  if (format === 'heartnet-signal-parity/1') return (await import('../signal/node-io')).checkSignalParity(dir);
  const { model, meta } = await loadModelFromDir(dir, 'any');
  try {
    const pf = JSON.parse(await readFile(join(dir, 'parity.json'), 'utf8')) as ParityFile;
    if (pf.format !== 'heartnet-parity/1') throw new ModelLoadError(`${dir}/parity.json: unknown format ${pf.format}`);
    const inputs = pf.cases.map((c) => unpackU8(c.input));
    const got = Array.from(predictLogits(model, meta, inputs));
    const want = pf.cases.map((c) => c.logit);
    const maxDiff = Math.max(...got.map((g, i) => Math.abs(g - want[i]!)));
    return { maxDiff, torch: want, tfjs: got, n: inputs.length };
  } finally {
    model.dispose();
  }
}
