import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findDemoModel } from '../../src/components/classifier/model-info';
import { loadClassifier, ModelUnavailableError, singleImageProblem } from '../../src/lib/model/browser';
import { ExampleError, exampleFromImages, planeNames, planesForStyle } from '../../src/lib/model/example';
import { MetadataError, validateMetadata } from '../../src/lib/model/metadata';
import { checkParity, loadModelFromDir, unpackU8 } from '../../src/lib/model/node-io';
import type { InputSpec } from '../../src/lib/model/preprocess';
import { predictLogits } from '../../src/lib/model/run';
import { readRecord, recordFiles, resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import { LEAD_NAMES } from '../../src/lib/ptbxl/types';
import { render } from '../../src/lib/render/index';
import type { RasterImage } from '../../src/lib/render/types';
import { parseEvalArgs, runEval } from '../../scripts/eval';
import { main as exportMain } from '../../scripts/export-images';
import { itemSeed } from '../../scripts/lib/render-export';

// The dataset4 model (training/models.py LeadSequence): 12 lead images per record. Fixture: a tiny lead_sequence
// trained on synthetic 12-plane shards (training/configs/fixture-leadseq.json), parity-checked in parity*.test.ts.
const FIXTURE = 'tests/fixtures/model/leadseq';
const SPEC: InputSpec = { height: 8, width: 8, channels: 1, resize: 'letterbox-area', pad: 255 };
const gray = (v: number, w = 16, h = 16): RasterImage => ({
  width: w,
  height: h,
  channels: 1,
  data: new Uint8ClampedArray(w * h).fill(v),
});
const fixtureMeta = () => JSON.parse(readFileSync(join(FIXTURE, 'metadata.json'), 'utf8')) as Record<string, unknown>;

describe('dataset4 examples: 12 lead images -> one 12-plane input', () => {
  it('preprocesses each image into its plane, in lead order', () => {
    const images = Array.from({ length: 12 }, (_, p) => gray(10 * p));
    const x = exampleFromImages(images, SPEC, 12, LEAD_NAMES);
    expect(x).toHaveLength(12 * 64);
    for (let p = 0; p < 12; p++) expect(new Set(x.subarray(p * 64, (p + 1) * 64))).toEqual(new Set([10 * p]));
    expect(Array.from(exampleFromImages([gray(7)], SPEC, 1))).toEqual(new Array(64).fill(7));
  });

  it('refuses a count of images that is not the model plane count, and a non-standard lead order', () => {
    expect(() => exampleFromImages([gray(0)], SPEC, 12)).toThrow(ExampleError);
    expect(() => exampleFromImages([gray(0)], SPEC, 12)).toThrow(/gave 1 image\(s\) per record; the model takes 12/);
    const swapped: string[] = [...LEAD_NAMES];
    swapped.splice(1, 1, 'V1');
    swapped.splice(6, 1, 'II');
    expect(() =>
      exampleFromImages(
        Array.from({ length: 12 }, () => gray(0)),
        SPEC,
        12,
        swapped,
      ),
    ).toThrow(/lead order I,V1,III/);
  });

  it('planes per style and plane names', () => {
    expect(planesForStyle('dataset4')).toBe(12);
    for (const s of ['dataset1', 'dataset2', 'dataset3', 'printout', 'photo']) expect(planesForStyle(s)).toBe(1);
    expect(planeNames(12)).toEqual([...LEAD_NAMES]);
    expect(planeNames(1)).toEqual(['image']);
  });
});

describe('lead_sequence fixture model', () => {
  it('metadata says 12 planes, channels 1, in lead order; plane_names must match planes', () => {
    const m = validateMetadata(fixtureMeta());
    expect(m).toMatchObject({
      planes: 12,
      input: { channels: 1, height: 48, width: 48 },
      plane_names: [...LEAD_NAMES],
    });
    expect(() => validateMetadata({ ...fixtureMeta(), plane_names: ['I'] })).toThrow(MetadataError);
    expect(() => validateMetadata({ ...fixtureMeta(), plane_names: ['I'] })).toThrow(/plane_names must list 12/);
  });

  it('runs on NCHW examples and tells the leads apart (swapping two lead images changes the logit)', async () => {
    const { model, meta } = await loadModelFromDir(FIXTURE);
    const pf = JSON.parse(readFileSync(join(FIXTURE, 'parity.json'), 'utf8')) as {
      cases: { input: string; logit: number }[];
    };
    const x = unpackU8(pf.cases[0]!.input);
    const plane = 48 * 48;
    const y = x.slice();
    y.set(x.subarray(1 * plane, 2 * plane), 6 * plane); // V1 <- II
    y.set(x.subarray(6 * plane, 7 * plane), 1 * plane); // II <- V1
    const before = tf.memory().numTensors;
    const [a, b] = predictLogits(model, meta, [x, y]);
    expect(tf.memory().numTensors).toBe(before); // TimeDistributed steps run inside tf.tidy too
    expect(Math.abs(a! - pf.cases[0]!.logit)).toBeLessThan(1e-4);
    expect(Math.abs(a! - b!)).toBeGreaterThan(1e-3);
    expect(() => predictLogits(model, meta, [x.subarray(0, plane)])).toThrow(/needs 12x48x48/);
    model.dispose();
    expect((await checkParity(FIXTURE)).maxDiff).toBeLessThan(1e-4);
  });
});

describe('the single-image demo refuses 12-plane models', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('singleImageProblem explains why', () => {
    expect(singleImageProblem({ name: 'x', planes: 1 })).toBeNull();
    expect(singleImageProblem({ name: 'lead-sequence', planes: 12 })).toMatch(
      /"lead-sequence" takes 12 lead images per record.*cannot read a single picture/,
    );
  });

  it('loadClassifier stops with a clear ModelUnavailableError before downloading the weights', async () => {
    const requested: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      requested.push(url);
      const file = join(FIXTURE, url.replace('http://site/models/leadseq/', ''));
      return existsSync(file) ? new Response(readFileSync(file)) : new Response('missing', { status: 404 });
    });
    const p = loadClassifier('http://site/models/leadseq/', { backends: ['cpu'], gateDir: null });
    await expect(p).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(loadClassifier('http://site/models/leadseq/', { backends: ['cpu'], gateDir: null })).rejects.toThrow(
      /takes 12 lead images/,
    );
    expect(requested.some((u) => u.endsWith('metadata.json'))).toBe(true);
    expect(requested.some((u) => u.endsWith('.bin') || u.endsWith('model.json'))).toBe(false);
  });

  it('the demo page never picks a 12-plane model, even when default.json names one', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const root = mkdtempSync(join(tmpdir(), 'demo-models-'));
    mkdirSync(join(root, 'public/models'), { recursive: true });
    cpSync(FIXTURE, join(root, 'public/models/a-lead-sequence'), { recursive: true });
    writeFileSync(join(root, 'public/models/default.json'), JSON.stringify({ model: 'a-lead-sequence' }));
    expect(findDemoModel(root)).toBeNull(); // only a 12-plane model: no demo model (and no crash)
    cpSync('tests/fixtures/model/tiny', join(root, 'public/models/b-single'), { recursive: true });
    const info = findDemoModel(root)!;
    expect(info.dir).toBe('b-single');
    expect(info.meta.planes).toBe(1);
    expect(warn.mock.calls.flat().join(' ')).toMatch(
      /default.json names a-lead-sequence, a model of several images per record/,
    );
  });
});

const PY = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasTorch)('lead_sequence training pipeline on synthetic 12-plane shards', () => {
  it('trains, exports (float16) and matches TF.js within 1e-4', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'train-leadseq-'));
    const c = JSON.parse(readFileSync('training/configs/fixture-leadseq.json', 'utf8'));
    Object.assign(c, { name: 'test-leadseq' });
    c.train.epochs = 1;
    c.export.dir = join(dir, 'model');
    c.export.quantization = 'float16';
    delete c.export.copy_to;
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(c));
    const r = spawnSync('npx', ['tsx', 'scripts/train.ts', '--config', file], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/48x48x12 \(synthetic/);
    expect(r.stdout).toMatch(/parity TF.js vs PyTorch on 3 inputs/);
    const { meta, model } = await loadModelFromDir(join(dir, 'model'));
    model.dispose();
    expect(meta).toMatchObject({ planes: 12, quantization: 'float16', plane_names: [...LEAD_NAMES] });
    expect((await checkParity(join(dir, 'model'))).maxDiff).toBeLessThan(1e-4);
    const topo = JSON.stringify(JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')).modelTopology);
    for (const cls of ['Permute', 'Reshape', 'TimeDistributed', 'Flatten'])
      expect(topo).toContain(`"class_name":"${cls}"`);
  }, 120_000);
});

const dataDir = resolvePtbxlDir();
const IDS = [1, 2, 3, 8];
const haveRecords =
  IDS.every((id) => existsSync(recordFiles(dataDir, id).dat)) && existsSync(join(dataDir, 'records100', '21000'));

describe.skipIf(!haveRecords)('dataset4 end to end: export-images, eval (PTB-XL records)', () => {
  it('export-images writes 12 planes per record, byte for byte the examples npm run eval builds', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'd4-')), 'shards');
    await exportMain([
      '--style',
      'dataset4',
      '--folds',
      '1-10',
      '--ids',
      IDS.join(','),
      '--input',
      '48x48',
      '--workers',
      '0',
      '--out',
      out,
      '--quiet',
    ]);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({
      format: 'heartnet-shards/1',
      style: 'dataset4',
      planes: 12,
      count: 4,
      input: { height: 48, width: 48, channels: 1 },
    });
    const shard = new Uint8Array(readFileSync(join(out, 'shard-00000.u8')));
    expect(shard).toHaveLength(4 * 12 * 48 * 48);
    const it2 = m.items[2];
    const signals = await readRecord(dataDir, it2.ecg_id);
    // eval's path: render with the exporter's seed, then exampleFromImages with the model's input spec
    const imgs = render(signals, {
      style: 'dataset4',
      seed: itemSeed(it2.ecg_id, 0, 'dataset4', 0),
      ecgId: it2.ecg_id,
    });
    const x = exampleFromImages(imgs, m.input, 12, signals.leadNames);
    const per = 12 * 48 * 48;
    expect(Buffer.from(shard.subarray(2 * per, 3 * per)).equals(Buffer.from(x))).toBe(true);
    // each plane is a different lead image
    expect(Buffer.from(x.subarray(0, 48 * 48)).equals(Buffer.from(x.subarray(48 * 48, 2 * 48 * 48)))).toBe(false);
  });

  it('npm run eval runs the 12-plane model on dataset4 renders, and refuses a 1-image style for it', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eval-d4-')), 'e.json');
    const { doc } = await runEval(
      parseEvalArgs([
        '--model',
        FIXTURE,
        '--fold',
        '9',
        '--style',
        'dataset4',
        '--limit',
        '4',
        '--bootstrap',
        '20',
        '--backend',
        'cpu',
        '--out',
        out,
      ]),
    );
    expect(doc).toMatchObject({ model: 'fixture-leadseq', style: 'dataset4', fold: 9, n: 4 });
    const { tp, fp, tn, fn } = doc.confusion;
    expect(tp + fp + tn + fn).toBe(4);
    await expect(
      runEval(
        parseEvalArgs(['--model', FIXTURE, '--fold', '9', '--style', 'dataset2', '--limit', '2', '--backend', 'cpu']),
      ),
    ).rejects.toThrow(/style dataset2 gives 1 image\(s\) per record, model fixture-leadseq takes 12/);
  }, 120_000);
});
