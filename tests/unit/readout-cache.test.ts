import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSignals, parseExportSignalsArgs, synthRecord } from '../../scripts/export-signals';
import {
  loadReadoutSet,
  READOUT_PACKAGES,
  READOUT_SOURCES,
  readoutSetHeader,
  readoutSetMismatch,
  readoutSourcesHash,
  saveReadoutSet,
  type ReadoutSetHeader,
} from '../../scripts/lib/readout-cache';
import { CHANNELS, inputFromRecord, SAMPLES } from '../../src/lib/signal/windows';

const py = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';
const hasNumpy = existsSync(py) && spawnSync(py, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function header(ids: number[], over: Partial<ReadoutSetHeader> = {}): ReadoutSetHeader {
  return {
    ...readoutSetHeader({
      style: 'wild-printout',
      seed: 0,
      sources_sha256: 'abc',
      commit: null,
      ecg_ids: ids,
      folds: ids.map(() => 1),
      labels: ids.map(() => 0),
      unread_ecg_ids: [],
      reader: ', classical ink plane only',
    }),
    ...over,
  };
}

/** A row that is not all zeros and differs from row to row. */
function row(k: number): Float32Array {
  const x = new Float32Array(SAMPLES * CHANNELS);
  for (let i = 0; i < x.length; i += 7) x[i] = Math.sin(i * 0.001 + k) * (k + 1);
  return x;
}

describe('kept readings (scripts/lib/readout-cache.ts)', () => {
  it('come back value for value, and stand for a fresh reading only when nothing that made them changed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readouts-'));
    const file = join(dir, 'sub', 'set');
    saveReadoutSet(file, header([5, 9, 2]), [row(0), row(1), row(2)]);
    const kept = loadReadoutSet(file)!;
    expect(kept.rows.map((r) => Array.from(r))).toEqual([row(0), row(1), row(2)].map((r) => Array.from(r)));
    const want = { style: 'wild-printout', seed: 0, ecgIds: [5, 9, 2], sourcesSha256: 'abc' };
    expect(readoutSetMismatch(kept.header, want)).toBeNull();
    expect(readoutSetMismatch(kept.header, { ...want, style: 'printout' })).toMatch(/style wild-printout/);
    expect(readoutSetMismatch(kept.header, { ...want, seed: 1 })).toMatch(/seed 0/);
    expect(readoutSetMismatch(kept.header, { ...want, sourcesSha256: 'abd' })).toMatch(/other digitiser/);
    expect(readoutSetMismatch(kept.header, { ...want, ecgIds: [5, 2, 9] })).toMatch(/other records/);
    expect(readoutSetMismatch(kept.header, { ...want, ecgIds: [5, 9] })).toMatch(/other records/);
    expect(readoutSetMismatch({ ...kept.header, samples: 500 }, want)).toMatch(/input/);
  });

  it('none there: null; a damaged one: a clear error; rows of the wrong length are refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readouts-'));
    expect(loadReadoutSet(join(dir, 'nothing'))).toBeNull();
    const file = join(dir, 'set');
    saveReadoutSet(file, header([1, 2]), [row(0), row(1)]);
    writeFileSync(`${file}.f32`, readFileSync(`${file}.f32`).subarray(0, 100));
    expect(() => loadReadoutSet(file)).toThrow(/100 bytes, the header's 2 records need/);
    expect(() => saveReadoutSet(file, header([1, 2]), [row(0)])).toThrow(/1 rows for 2 records/);
    expect(() => saveReadoutSet(file, header([1]), [new Float32Array(3)])).toThrow(/row 0: 3 values/);
  });

  it("the sources' hash follows every file's bytes and path, not the time it was written", () => {
    const root = mkdtempSync(join(tmpdir(), 'sources-'));
    for (const p of READOUT_SOURCES) {
      const f = p.endsWith('.ts') ? join(root, p) : join(root, p, 'a.ts');
      mkdirSync(join(f, '..'), { recursive: true });
      writeFileSync(f, `// ${p}\n`);
    }
    const h0 = readoutSourcesHash(root);
    expect(readoutSourcesHash(root)).toBe(h0);
    writeFileSync(join(root, 'src/lib/digitise/a.ts'), '// changed\n');
    const h1 = readoutSourcesHash(root);
    expect(h1).not.toBe(h0);
    writeFileSync(join(root, 'public/models/trace-seg/b.bin'), 'w');
    const h2 = readoutSourcesHash(root);
    expect(h2).not.toBe(h1);
    // another version of the packages that run the segmenter
    const pkg = join(root, 'node_modules', READOUT_PACKAGES[0]!);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ version: '1.0.0' }));
    const h3 = readoutSourcesHash(root);
    expect(h3).not.toBe(h2);
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ version: '1.0.1' }));
    expect(readoutSourcesHash(root)).not.toBe(h3);
    expect(() => readoutSourcesHash(mkdtempSync(join(tmpdir(), 'empty-')))).toThrow(/none of/);
  });
});

describe.skipIf(!hasNumpy)('training/signal_data.py reads the kept readings as TypeScript wrote them', () => {
  it('rows (channels x time), their records in the signal set, and the fold and label checks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signals-'));
    await exportSignals(parseExportSignalsArgs(['--synthetic', '18', '--out', dir, '--quiet']));
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      items: { ecg_id: number; fold: number; label: number }[];
    };
    // readings of three training records, scaled so that they differ from the clean input
    const items = m.items.filter((it) => it.fold <= 8).slice(2, 5);
    const rows = items.map((it) => inputFromRecord(synthRecord(it.ecg_id, it.label === 1)).map((v) => v * 0.5));
    const ids = items.map((it) => it.ecg_id);
    const h = header(ids, { folds: items.map((it) => it.fold), labels: items.map((it) => it.label) });
    saveReadoutSet(join(dir, 'good'), h, rows);
    saveReadoutSet(join(dir, 'fold9'), { ...h, folds: [9, 9, 9] }, rows);
    saveReadoutSet(join(dir, 'labels'), { ...h, labels: h.labels.map((l) => 1 - l) }, rows);
    const script = `
import json, sys
import numpy as np
from training import signal_data as D
ds = D.SignalSet(sys.argv[1], set(range(1, 9)))
out = {}
x, pos, info = D.readouts_for([sys.argv[1] + "/good"], ds, set(range(1, 9)))
out["ids"] = ds.ecg_ids[pos].tolist()
out["rows"] = [r.T.reshape(-1).astype(float).tolist() for r in x]
out["info"] = info
for bad in ("fold9", "labels"):
    try:
        D.readouts_for([sys.argv[1] + "/" + bad], ds, set(range(1, 9)))
        out[bad] = "accepted"
    except D.SignalDataError as e:
        out[bad] = str(e)
print(json.dumps(out))
`;
    const r = spawnSync(py, ['-c', script, dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { ids: number[]; rows: number[][]; info: { n: number }[] } & Record<
      string,
      string
    >;
    expect(got.ids).toEqual(ids);
    got.rows.forEach((x, k) => expect(x).toEqual(Array.from(rows[k]!)));
    expect(got.info[0]!.n).toBe(3);
    expect(got.fold9).toMatch(/readings of folds \[9\]/);
    expect(got.labels).toMatch(/labels differ/);
  });
});
