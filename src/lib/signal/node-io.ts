/**
 * Node-only: load a signal model folder (model.json + weights + metadata.json of kind "signal") with TF.js on
 * the backend chosen by src/lib/model/node-io.ts `useBackend`, and check parity with the PyTorch logits that
 * training/signal_train.py recorded in parity.json (format "heartnet-signal-parity/1").
 */
import { errorMessage } from '../errors';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { useCpuBackend } from '../model/node-io';
import {
  checkSignalModelShape,
  predictSignalLogits,
  SignalModelError,
  validateSignalMetadata,
  type SignalModelMetadata,
} from './model';
import { CHANNELS, SAMPLES } from './windows';

export const SIGNAL_PARITY_FORMAT = 'heartnet-signal-parity/1';

export interface SignalParityFile {
  format: typeof SIGNAL_PARITY_FORMAT;
  shape: [number, number, number];
  tolerance: number;
  cases: { input: string; logit: number; torch_unfused_logit?: number }[];
}

async function readOr(dir: string, f: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, f));
  } catch (e) {
    throw new SignalModelError(`${join(dir, f)}: cannot read (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

function parseJson(buf: Buffer, where: string): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new SignalModelError(`${where}: invalid JSON (${errorMessage(e)})`);
  }
}

export async function loadSignalModelFromDir(
  dir: string,
): Promise<{ model: tf.LayersModel; meta: SignalModelMetadata }> {
  await useCpuBackend();
  const meta = validateSignalMetadata(
    parseJson(await readOr(dir, 'metadata.json'), join(dir, 'metadata.json')),
    join(dir, 'metadata.json'),
  );
  const mj = parseJson(await readOr(dir, 'model.json'), join(dir, 'model.json')) as {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  if (!mj.modelTopology || !Array.isArray(mj.weightsManifest))
    throw new SignalModelError(`${join(dir, 'model.json')}: not a TF.js layers model`);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  for (const g of mj.weightsManifest) {
    specs.push(...g.weights);
    for (const p of g.paths) parts.push(await readOr(dir, p));
  }
  const data = new Uint8Array(Buffer.concat(parts));
  if (data.length !== meta.weights_bytes) {
    throw new SignalModelError(`${dir}: weights are ${data.length} bytes, metadata.json says ${meta.weights_bytes}`);
  }
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: specs, weightData: data.buffer }),
  );
  try {
    checkSignalModelShape(model, dir);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, meta };
}

/** Decodes one parity input (zlib + base64 float32 LE, time-major). */
export function unpackF32(b64: string): Float32Array {
  const raw = inflateSync(Buffer.from(b64, 'base64'));
  const out = new Float32Array(raw.length / 4);
  new Uint8Array(out.buffer).set(raw);
  return out;
}

/** Runs the model on parity.json's inputs: PyTorch and TF.js logits and the max |difference|. */
export async function checkSignalParity(
  dir: string,
): Promise<{ maxDiff: number; torch: number[]; tfjs: number[]; n: number }> {
  const { model } = await loadSignalModelFromDir(dir);
  try {
    const pf = parseJson(await readOr(dir, 'parity.json'), join(dir, 'parity.json')) as SignalParityFile;
    if (pf.format !== SIGNAL_PARITY_FORMAT)
      throw new SignalModelError(`${dir}/parity.json: format ${pf.format}, expected ${SIGNAL_PARITY_FORMAT}`);
    if (JSON.stringify(pf.shape) !== JSON.stringify([1, SAMPLES, CHANNELS])) {
      throw new SignalModelError(
        `${dir}/parity.json: shape ${JSON.stringify(pf.shape)}, expected [1,${SAMPLES},${CHANNELS}]`,
      );
    }
    const inputs = pf.cases.map((c) => unpackF32(c.input));
    const got = Array.from(predictSignalLogits(model, inputs));
    const want = pf.cases.map((c) => c.logit);
    return {
      maxDiff: Math.max(...got.map((g, i) => Math.abs(g - want[i]!))),
      torch: want,
      tfjs: got,
      n: inputs.length,
    };
  } finally {
    model.dispose();
  }
}
