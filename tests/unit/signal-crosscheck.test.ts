import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSignals, parseExportSignalsArgs, synthRecord } from '../../scripts/export-signals';
import { applyFilters } from '../../src/lib/signal/filters';
import { CHANNELS, inputFromRecord, inputSpec, N_TRACES, SAMPLES, TRACES } from '../../src/lib/signal/windows';

// One implementation of the filters and of the windows: TypeScript filters the records (export-signals), and
// Python cuts the windows with the table the manifest carries. Here both paths must give the same input.
const py = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';
const hasNumpy = existsSync(py) && spawnSync(py, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function exportSynthetic(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'signals-'));
  return exportSignals(parseExportSignalsArgs(['--synthetic', String(n), '--out', dir, '--quiet'])).then((r) => ({
    dir,
    r,
  }));
}

describe('export-signals writes the TypeScript-filtered records and the window table', () => {
  it('manifest, sizes, and every stored sample equal applyFilters(record, printout filters)', async () => {
    const { dir, r } = await exportSynthetic(18);
    expect(r.count).toBe(18);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({
      format: 'heartnet-signals/1',
      synthetic: true,
      samples: 1000,
      filters: ['baseline', 'lowpass'],
    });
    expect(m.input).toEqual(inputSpec());
    expect(new Set(m.items.map((i: { fold: number }) => i.fold))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const all = new Float32Array(new Uint8Array(readFileSync(join(dir, 'signals.f32'))).buffer);
    expect(all.length).toBe(18 * 12 * SAMPLES);
    for (const k of [0, 17]) {
      const it = m.items[k];
      const f = applyFilters(synthRecord(it.ecg_id, it.label === 1), ['baseline', 'lowpass']);
      for (let l = 0; l < 12; l++)
        expect(Array.from(all.subarray((k * 12 + l) * SAMPLES, (k * 12 + l + 1) * SAMPLES))).toEqual(
          Array.from(f.leads[l]!),
        );
    }
  });

  it('refuses fold 10', () => {
    expect(() => parseExportSignalsArgs(['--folds', '9-10'])).toThrow(/fold 10 is the test fold/);
  });
});

describe.skipIf(!hasNumpy)('training/signal_data.py cuts the same input as src/lib/signal/windows.ts', () => {
  it('clean windows: Python == TypeScript, sample for sample', async () => {
    const { dir } = await exportSynthetic(9);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const all = new Float32Array(new Uint8Array(readFileSync(join(dir, 'signals.f32'))).buffer);
    const signals = m.items.map((_: unknown, k: number) =>
      Array.from({ length: 12 }, (_l, l) =>
        Array.from(all.subarray((k * 12 + l) * SAMPLES, (k * 12 + l + 1) * SAMPLES)),
      ),
    );
    const inFile = join(dir, 'in.json');
    const outFile = join(dir, 'out.json');
    writeFileSync(inFile, JSON.stringify({ manifest_input: m.input, signals }));
    const r = spawnSync(py, ['-m', 'training.signal_data', 'windows', inFile, outFile], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = (JSON.parse(readFileSync(outFile, 'utf8')) as { inputs: number[][] }).inputs;
    m.items.forEach((it: { ecg_id: number; label: number }, k: number) => {
      const want = inputFromRecord(synthRecord(it.ecg_id, it.label === 1));
      expect(got[k]!.length).toBe(want.length);
      expect(got[k]).toEqual(Array.from(want));
    });
  });

  it('perturbed readouts stay inside the windows, with confidences in [0.2, 1], and differ from the clean input', async () => {
    const { dir } = await exportSynthetic(9);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const all = new Float32Array(new Uint8Array(readFileSync(join(dir, 'signals.f32'))).buffer);
    const signals = [0, 1, 2].map((k) =>
      Array.from({ length: 12 }, (_l, l) =>
        Array.from(all.subarray((k * 12 + l) * SAMPLES, (k * 12 + l + 1) * SAMPLES)),
      ),
    );
    const inFile = join(dir, 'in.json');
    writeFileSync(inFile, JSON.stringify({ manifest_input: m.input, signals }));
    const outs = [1, 2].map((seed) => {
      const out = join(dir, `p${seed}.json`);
      const r = spawnSync(py, ['-m', 'training.signal_data', 'perturb', inFile, String(seed), out], {
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(out, 'utf8')) as { inputs: number[][] }).inputs;
    });
    const clean = inputFromRecord(synthRecord(m.items[0].ecg_id, m.items[0].label === 1));
    const x = outs[0]![0]!;
    let outside = 0;
    let diff = 0;
    for (let t = 0; t < SAMPLES; t++) {
      TRACES.forEach((tr, c) => {
        const v = x[t * CHANNELS + c]!;
        const k = x[t * CHANNELS + N_TRACES + c]!;
        if (t < tr.start || t >= tr.end) outside += Math.abs(v) + k;
        else if (k !== 0) expect(k).toBeGreaterThanOrEqual(0.2 - 1e-6);
        expect(k).toBeLessThanOrEqual(1);
        diff += Math.abs(v - clean[t * CHANNELS + c]!);
      });
    }
    expect(outside).toBe(0);
    expect(diff / (SAMPLES * N_TRACES)).toBeGreaterThan(1e-3);
    expect(outs[0]).not.toEqual(outs[1]); // seeded: another seed draws other perturbations
  });
});
