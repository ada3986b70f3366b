import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { exportSignals, parseExportSignalsArgs, synthRecord } from '../../scripts/export-signals';
import { readoutSetHeader, saveReadoutSet } from '../../scripts/lib/readout-cache';
import { parseSignalEvalArgs, runSignalEval } from '../../scripts/eval-signals';
import { loadSignalConfig } from '../../scripts/train-signals';
import { findDemoModel } from '../../src/components/classifier/model-info';
import { parseEvalResult, parseTrainingRun } from '../../src/lib/charts/data';
import { MetadataError, validateMetadata } from '../../src/lib/model/metadata';
import { checkParity } from '../../src/lib/model/node-io';
import { resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import {
  loadSignalClassifier,
  predictSignalLogits,
  SignalModelError,
  validateSignalMetadata,
} from '../../src/lib/signal/model';
import { checkSignalParity, loadSignalModelFromDir, unpackF32 } from '../../src/lib/signal/node-io';
import {
  CHANNELS,
  inputFromReadout,
  inputFromRecord,
  N_TRACES,
  readoutFromSignals,
  SAMPLES,
} from '../../src/lib/signal/windows';
import { applyFilters } from '../../src/lib/signal/filters';

// The committed fixture: a tiny signal model trained on synthetic records (training/configs/fixture-signal.json,
// 'MI' = inferior ST elevation), so the TF.js parity of the signal architecture is checked without PTB-XL.
const FIXTURE = 'tests/fixtures/model/signal';
const meta = () => JSON.parse(readFileSync(join(FIXTURE, 'metadata.json'), 'utf8')) as Record<string, unknown>;
const shipped = existsSync('public/models/signal-3x4r/parity.json') ? ['public/models/signal-3x4r'] : [];

describe('signal model export: TF.js matches PyTorch', () => {
  for (const dir of [FIXTURE, ...shipped]) {
    it(`${dir}: max |logit difference| < 1e-4 on every parity input (also through checkParity)`, async () => {
      const r = await checkSignalParity(dir);
      expect(r.n).toBeGreaterThanOrEqual(3);
      expect(new Set(r.torch.map((v) => v.toFixed(5))).size).toBeGreaterThan(1);
      expect(r.maxDiff).toBeLessThan(1e-4);
      expect((await checkParity(dir)).maxDiff).toBe(r.maxDiff);
    });
  }

  it('detects corrupted weights', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sigpar-'));
    cpSync(FIXTURE, tmp, { recursive: true });
    const bin = join(tmp, 'group1-shard1of1.bin');
    const w = new Uint8Array(readFileSync(bin));
    for (let i = 0; i < w.length; i += 11) w[i] = w[i]! ^ 0x40;
    writeFileSync(bin, w);
    expect((await checkSignalParity(tmp)).maxDiff).toBeGreaterThan(1e-4);
  });

  it('the graph is a Conv2D (1,k) network over the NHWC [N, 1, 1000, 26] input', () => {
    const mj = JSON.parse(readFileSync(join(FIXTURE, 'model.json'), 'utf8'));
    const layers = mj.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
    expect(layers[0]!.config.batch_input_shape).toEqual([null, 1, SAMPLES, CHANNELS]);
    const convs = layers.filter((l) => l.class_name === 'Conv2D');
    expect(convs.length).toBeGreaterThanOrEqual(5);
    for (const c of convs) expect((c.config.kernel_size as number[])[0]).toBe(1);
    const classes = new Set(layers.map((l) => l.class_name));
    for (const c of ['ZeroPadding2D', 'MaxPooling2D', 'Add', 'Activation', 'GlobalAveragePooling2D', 'Dense'])
      expect(classes).toContain(c);
  });
});

describe('running the signal model from TypeScript inputs', () => {
  it('the fixture tells synthetic MI from normal through inputFromRecord (TS filters + windows), no tensor leaks', async () => {
    const { model, meta: m } = await loadSignalModelFromDir(FIXTURE);
    const mi = Array.from({ length: 8 }, (_, k) => inputFromRecord(synthRecord(5000 + k, true)));
    const normal = Array.from({ length: 8 }, (_, k) => inputFromRecord(synthRecord(6000 + k, false)));
    const before = tf.memory().numTensors;
    const z = predictSignalLogits(model, [...mi, ...normal]);
    expect(tf.memory().numTensors).toBe(before);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(Array.from(z.subarray(0, 8)))).toBeGreaterThan(mean(Array.from(z.subarray(8))));
    // confidence channels matter: the same values with every confidence at 0 give another logit
    const x = mi[0]!.slice();
    for (let t = 0; t < SAMPLES; t++) for (let c = N_TRACES; c < CHANNELS; c++) x[t * CHANNELS + c] = 0;
    expect(Math.abs(predictSignalLogits(model, [x])[0]! - z[0]!)).toBeGreaterThan(1e-4);
    expect(() => predictSignalLogits(model, [new Float32Array(10)])).toThrow(/needs 1000x26/);
    expect(m.threshold).toBeGreaterThan(0);
    model.dispose();
  });

  it('loadSignalClassifier (HTTP, as in the browser) reads a digitiser readout; it refuses an image model before its weights', async () => {
    const requested: string[] = [];
    const fetchFn = (async (url: string) => {
      requested.push(url);
      const file = url.replace(/^http:\/\/site\/(\w+)\//, (_m, d: string) =>
        d === 'sig' ? `${FIXTURE}/` : 'tests/fixtures/model/tiny/',
      );
      return existsSync(file) ? new Response(readFileSync(file)) : new Response('missing', { status: 404 });
    }) as unknown as typeof fetch;
    const c = await loadSignalClassifier('http://site/sig/', fetchFn);
    const rec = synthRecord(5001, true);
    // a perfect digitiser's readout of the printout = the record's input
    const readout = readoutFromSignals(applyFilters(rec, ['baseline', 'lowpass']));
    const r = c.classify(inputFromReadout(readout));
    const { model } = await loadSignalModelFromDir(FIXTURE);
    const z = predictSignalLogits(model, [inputFromRecord(rec)])[0]!;
    model.dispose();
    expect(r.probability).toBeCloseTo(1 / (1 + Math.exp(-z)), 6);
    expect(r.mi).toBe(r.probability >= c.meta.threshold);
    c.dispose();
    requested.length = 0;
    await expect(loadSignalClassifier('http://site/img/', fetchFn)).rejects.toThrow(/kind must be "signal"/);
    expect(requested.some((u) => u.endsWith('.bin') || u.endsWith('model.json'))).toBe(false);
  });

  it('parity inputs decode to [1000 x 26] and keep zeros outside the windows', () => {
    const pf = JSON.parse(readFileSync(join(FIXTURE, 'parity.json'), 'utf8'));
    expect(pf.format).toBe('heartnet-signal-parity/1');
    const x = unpackF32(pf.cases[0].input);
    expect(x.length).toBe(SAMPLES * CHANNELS);
    expect(x[300 * CHANNELS + 0]).toBe(0); // lead I is printed only over 0..2.5 s
  });
});

describe('metadata: signal models and image models refuse each other', () => {
  it('the fixture validates; a changed window table, filter list or planes is refused', () => {
    expect(validateSignalMetadata(meta())).toMatchObject({ kind: 'signal', planes: 0 });
    const m = meta();
    const input = m.input as { traces: { start: number }[]; filters: string[] };
    const moved = structuredClone(input);
    moved.traces[3]!.start = 0;
    expect(() => validateSignalMetadata({ ...m, input: moved })).toThrow(/input.traces differ/);
    expect(() => validateSignalMetadata({ ...m, input: { ...input, filters: ['baseline'] } })).toThrow(/input.filters/);
    expect(() => validateSignalMetadata({ ...m, planes: 1 })).toThrow(SignalModelError);
    expect(() =>
      validateSignalMetadata(JSON.parse(readFileSync('tests/fixtures/model/tiny/metadata.json', 'utf8'))),
    ).toThrow(/kind must be "signal"/);
  });

  it('image loaders refuse a signal model (planes 0), and the demo never picks one', () => {
    expect(() => validateMetadata(meta())).toThrow(MetadataError);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const root = mkdtempSync(join(tmpdir(), 'demo-sig-'));
    mkdirSync(join(root, 'public/models'), { recursive: true });
    cpSync(FIXTURE, join(root, 'public/models/a-signal'), { recursive: true });
    expect(findDemoModel(root)).toBeNull();
    cpSync('tests/fixtures/model/tiny', join(root, 'public/models/b-image'), { recursive: true });
    expect(findDemoModel(root)!.dir).toBe('b-image');
    warn.mockRestore();
  });
});

describe('configs and arguments', () => {
  it('signal configs may train only on folds 1-8 and validate on 9', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigcfg-'));
    const c = JSON.parse(readFileSync('training/configs/signal-3x4r.json', 'utf8'));
    expect(loadSignalConfig('training/configs/signal-3x4r.json').name).toBe('signal-3x4r');
    const bad = (data: object) => {
      const f = join(dir, `c${Math.random()}.json`);
      writeFileSync(f, JSON.stringify({ ...c, data: { ...c.data, ...data } }));
      return f;
    };
    expect(() => loadSignalConfig(bad({ train_folds: '1-9' }))).toThrow(/outside 1-8/);
    expect(() => loadSignalConfig(bad({ train_folds: '8,10' }))).toThrow(/outside 1-8/);
    expect(() => loadSignalConfig(bad({ val_folds: '10' }))).toThrow(/val_folds must be 9/);
  });

  it('eval:signals reads folds 9 and 10 only unless told otherwise', () => {
    expect(parseSignalEvalArgs(['--model', FIXTURE])).toMatchObject({ fold: 10, backend: 'wasm', bootstrap: 1000 });
    expect(() => parseSignalEvalArgs(['--model', FIXTURE, '--fold', '3'])).toThrow(/training fold/);
    expect(() => parseSignalEvalArgs(['--fold', '10'])).toThrow(/usage/);
  });
});

const PY = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasTorch)('signal training pipeline on synthetic records', () => {
  it('npm run train makes the data, trains, exports (float16) and matches TF.js; the log reads as a training run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'train-signal-'));
    const c = JSON.parse(readFileSync('training/configs/fixture-signal.json', 'utf8'));
    Object.assign(c, { name: 'test-signal', log: join(dir, 'log.json') });
    c.data.dir = join(dir, 'signals');
    c.data.synthetic = 180;
    c.train.epochs = 1;
    c.export.dir = join(dir, 'model');
    delete c.export.copy_to;
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(c));
    const r = spawnSync('npx', ['tsx', 'scripts/train.ts', '--config', file], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/180 records .*synthetic: no label check/);
    expect(r.stdout).toMatch(/parity TF.js vs PyTorch on 4 inputs/);
    expect((await checkParity(join(dir, 'model'))).maxDiff).toBeLessThan(1e-4);
    const run = parseTrainingRun(JSON.parse(readFileSync(join(dir, 'log.json'), 'utf8')), 'log.json');
    expect(run.epochs).toHaveLength(1);
    // a config reaching into fold 10 is refused by the Python trainer too, before any data is read
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ ...c, data: { ...c.data, train_folds: '1-8,10' } }));
    const b = spawnSync(PY, ['-m', 'training.signal_train', '--config', badFile], { encoding: 'utf8' });
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/outside 1-8/);

    // the records packed for a rented GPU (training/signal_pack.py) come back equal within half a rounding step
    // inside every window reach, 0 beyond it, and say so in the manifest and then in the training log
    const pk = spawnSync(PY, ['-m', 'training.signal_pack', 'pack', c.data.dir, join(dir, 'packed')], {
      encoding: 'utf8',
    });
    expect(pk.status, pk.stderr).toBe(0);
    expect(pk.stdout).toMatch(/180 records .*largest rounding error inside the windows (\d\.\d+) uV/);
    const up = spawnSync(PY, ['-m', 'training.signal_pack', 'unpack', join(dir, 'packed'), join(dir, 'unpacked')], {
      encoding: 'utf8',
    });
    expect(up.status, up.stderr).toBe(0);
    const cmp = spawnSync(
      PY,
      [
        '-c',
        `import json, numpy as np
from training.signal_pack import reach_mask
a, b = '${c.data.dir}', '${join(dir, 'unpacked')}'
m = json.load(open(a + '/manifest.json'))
x = np.fromfile(a + '/signals.f32', '<f4').reshape(m['count'], 12, -1)
y = np.fromfile(b + '/signals.f32', '<f4').reshape(x.shape)
k = reach_mask(m['input'], 12, 24)
print(json.dumps({'inside': float(np.abs(x - y)[:, k].max()), 'outside': float(np.abs(y[:, ~k]).max()),
  'reach': float(k.mean()), 'transport': json.load(open(b + '/manifest.json'))['transport']['step_uv']}))`,
      ],
      { encoding: 'utf8' },
    );
    expect(cmp.status, cmp.stderr).toBe(0);
    const d = JSON.parse(cmp.stdout) as { inside: number; outside: number; reach: number; transport: number };
    expect(d.inside).toBeLessThanOrEqual(0.0025 + 1e-6); // 5 uV steps, in mV
    expect(d.outside).toBe(0);
    expect(d.reach).toBeGreaterThan(0.3);
    expect(d.reach).toBeLessThan(0.5); // lead II whole, the other 11 leads a quarter each plus the margins
    expect(d.transport).toBe(5);
    const packedCfg = join(dir, 'packed.json');
    writeFileSync(
      packedCfg,
      JSON.stringify({ ...c, log: join(dir, 'packed-log.json'), data: { ...c.data, dir: join(dir, 'unpacked') } }),
    );
    const t = spawnSync(
      PY,
      ['-m', 'training.signal_train', '--config', packedCfg, '--device', 'cpu', '--workers', '2'],
      {
        encoding: 'utf8',
      },
    );
    expect(t.status, t.stderr).toBe(0);
    const plog = JSON.parse(readFileSync(join(dir, 'packed-log.json'), 'utf8'));
    expect(plog.data.transport.step_uv).toBe(5);
    expect(plog.device).toBe('cpu');
    expect(plog.workers).toBe(2);
    const hasCuda = spawnSync(PY, ['-c', 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)']);
    if (hasCuda.status !== 0) {
      const g = spawnSync(PY, ['-m', 'training.signal_train', '--config', packedCfg, '--device', 'cuda'], {
        encoding: 'utf8',
      });
      expect(g.status).not.toBe(0);
      expect(g.stderr).toMatch(/no CUDA device/);
    }
  }, 180_000);

  it('learns from kept readings of training records, scores fold-9 readings each epoch, and refuses fold-9 readings in training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'train-readouts-'));
    const data = join(dir, 'signals');
    await exportSignals(parseExportSignalsArgs(['--synthetic', '180', '--out', data, '--quiet']));
    const m = JSON.parse(readFileSync(join(data, 'manifest.json'), 'utf8')) as {
      items: { ecg_id: number; fold: number; label: number }[];
    };
    // "readings": the clean input with half the gain, as a digitiser with a wrong scale would give
    const keep = (name: string, items: typeof m.items) =>
      saveReadoutSet(
        join(dir, name),
        readoutSetHeader({
          style: 'wild-printout',
          seed: 0,
          sources_sha256: 'test',
          commit: null,
          ecg_ids: items.map((it) => it.ecg_id),
          folds: items.map((it) => it.fold),
          labels: items.map((it) => it.label),
          unread_ecg_ids: [],
          reader: 'test',
        }),
        items.map((it) => inputFromRecord(synthRecord(it.ecg_id, it.label === 1)).map((v) => v * 0.5)),
      );
    keep('train', m.items.filter((it) => it.fold <= 8).slice(0, 40));
    keep(
      'val',
      m.items.filter((it) => it.fold === 9),
    );
    const c = JSON.parse(readFileSync('training/configs/fixture-signal.json', 'utf8'));
    Object.assign(c, { name: 'test-readouts', log: join(dir, 'log.json') });
    c.data = {
      ...c.data,
      dir: data,
      synthetic: 180,
      readouts: { train: [join(dir, 'train')], val: [join(dir, 'val')], p: 0.7 },
    };
    c.train = { ...c.train, epochs: 2, selection: 'readouts_auroc' };
    c.export = { ...c.export, dir: join(dir, 'model'), parity_cases: 2 };
    delete c.export.copy_to;
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(c));
    const r = spawnSync(PY, ['-m', 'training.signal_train', '--config', file], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const log = JSON.parse(readFileSync(join(dir, 'log.json'), 'utf8'));
    expect(log.readouts.train_records_with_readings).toBe(40);
    expect(log.readouts.train[0]).toMatchObject({ n: 40, style: 'wild-printout' });
    expect(log.selection).toMatch(/kept fold-9 readings/);
    for (const e of log.epochs) expect(e.val_auroc_readouts).toBeGreaterThanOrEqual(0);
    const meta = JSON.parse(readFileSync(join(dir, 'model', 'metadata.json'), 'utf8'));
    expect(meta.readouts).toMatchObject({ p: 0.7, train_records_with_readings: 40 });
    expect(meta.val_metrics_readouts).toMatchObject({ fold: 9, n: m.items.filter((it) => it.fold === 9).length });
    // fold-9 readings in training, and readouts_auroc without fold-9 readings: refused
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...c, data: { ...c.data, readouts: { train: [join(dir, 'val')] } } }));
    const b = spawnSync(PY, ['-m', 'training.signal_train', '--config', bad], { encoding: 'utf8' });
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/selection readouts_auroc needs/);
    const c2 = { ...c, train: { ...c.train, selection: 'auroc' } };
    writeFileSync(bad, JSON.stringify({ ...c2, data: { ...c.data, readouts: { train: [join(dir, 'val')] } } }));
    const b2 = spawnSync(PY, ['-m', 'training.signal_train', '--config', bad], { encoding: 'utf8' });
    expect(b2.status).not.toBe(0);
    expect(b2.stderr).toMatch(/readings of folds \[9\]; only folds \[1, 2, 3, 4, 5, 6, 7, 8\]/);
    writeFileSync(bad, JSON.stringify({ ...c2, data: { ...c.data, readouts: { train: [join(dir, 'none')] } } }));
    const b3 = spawnSync(PY, ['-m', 'training.signal_train', '--config', bad], { encoding: 'utf8' });
    expect(b3.status).not.toBe(0);
    expect(b3.stderr).toMatch(/no kept readings there; make them with npm run eval/);
  }, 180_000);
});

const haveRecords = existsSync(join(resolvePtbxlDir(), 'records100', '21000'));

describe.skipIf(!haveRecords)('npm run eval:signals end to end (fixture model, a few fold-10 records)', () => {
  it('writes the eval file shape the site reads', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'evsig-')), 'e.json');
    const { doc } = await runSignalEval(
      parseSignalEvalArgs(['--model', FIXTURE, '--limit', '24', '--bootstrap', '50', '--backend', 'cpu', '--out', out]),
    );
    const e = parseEvalResult(JSON.parse(readFileSync(out, 'utf8')), out);
    expect(e).toMatchObject({ model: 'fixture-signal', style: 'signals-3x4r', fold: 10, n: 24 });
    const { tp, fp, tn, fn } = doc.confusion;
    expect(tp + fp + tn + fn).toBe(24);
    expect(doc.subgroups.sex.reduce((s, g) => s + g.n, 0)).toBe(24);
    expect(doc.roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
  }, 120_000);
});
