/**
 * `npm run bench:model -- [--model public/models/NAME] [--backend cpu|wasm] [--runs 20] [--batch 1]`
 * (default model: the demo's, from public/models/default.json)
 *
 * Warm inference time of an exported model in Node: loads it, runs 3 warm-up predictions, then times
 * `--runs` predictions of `--batch` images (the model's parity inputs, repeated) and prints ms/image.
 * A benchmark, not a test: it prints figures and never fails on speed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelFromDir, unpackU8, useBackend, type NodeBackend } from '../src/lib/model/node-io';
import { predictLogits } from '../src/lib/model/run';
import { defineCli, parseCli } from './lib/cli';
import { parseNumberArg } from './lib/render-args';

export const BENCH_MODEL_CLI = defineCli({
  command: 'npm run bench:model --',
  summary: 'Warm inference time of an exported model in Node (ms/image); prints figures, never fails on speed.',
  options: {
    model: { type: 'string', value: 'DIR', help: "the model folder (default: the demo's, public/models/default.json)" },
    backend: { type: 'string', value: 'cpu|wasm', default: 'wasm', help: 'TF.js backend' },
    runs: { type: 'string', value: 'N', default: '20', help: 'timed predictions' },
    batch: { type: 'string', value: 'N', default: '1', help: 'images per prediction' },
  },
});

async function main(argv: string[]) {
  const { values } = parseCli(BENCH_MODEL_CLI, argv);
  let dir = values.model;
  if (!dir) {
    // the demo's model (public/models/default.json), else the first exported model, else the test fixture
    const named = existsSync('public/models/default.json')
      ? join(
          'public/models',
          (JSON.parse(readFileSync('public/models/default.json', 'utf8')) as { model: string }).model,
        )
      : undefined;
    const shipped = existsSync('public/models')
      ? readdirSync('public/models').map((d) => join('public/models', d))
      : [];
    dir =
      [named, ...shipped].find((d) => d !== undefined && existsSync(join(d, 'model.json'))) ??
      'tests/fixtures/model/tiny';
  }
  const backend = values.backend as NodeBackend;
  const runs = parseNumberArg('--runs', values.runs, { integer: true, min: 1 });
  const batch = parseNumberArg('--batch', values.batch, { integer: true, min: 1 });
  await useBackend(backend);
  // any exported image model: a classifier, the EKG check, the sheet-upright model
  const { model, meta } = await loadModelFromDir(dir, 'any');
  const parity = JSON.parse(readFileSync(join(dir, 'parity.json'), 'utf8')) as { cases: { input: string }[] };
  const inputs = parity.cases.map((c) => unpackU8(c.input));
  const xs = Array.from({ length: batch }, (_, i) => inputs[i % inputs.length]!);
  for (let i = 0; i < 3; i++) predictLogits(model, meta, xs);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    predictLogits(model, meta, xs);
    times.push((performance.now() - t0) / batch);
  }
  times.sort((a, b) => a - b);
  const out = {
    model: meta.name,
    dir,
    backend: tf.getBackend(),
    input: `${meta.input.height}x${meta.input.width}x${meta.planes}`,
    weights_bytes: meta.weights_bytes,
    batch,
    runs,
    ms_per_image_median: +times[Math.floor(runs / 2)]!.toFixed(2),
    ms_per_image_min: +times[0]!.toFixed(2),
    tensors_after: tf.memory().numTensors,
  };
  model.dispose();
  console.log(JSON.stringify(out));
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`[bench:model] error: ${e.message}`);
  process.exit(1);
});
