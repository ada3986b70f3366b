import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabelledRecord } from '../../src/lib/ptbxl/database';
import { readRecord, recordFiles, resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import { preprocess } from '../../src/lib/model/preprocess';
import { deriveSeed, render, renderWithInfo } from '../../src/lib/render/index';
import { turnClockwise } from '../../src/lib/render/image';
import { uprightQuarterTurns } from '../../src/lib/render/wild/camera';
import { itemSeed, makePlan, selectRecords, type ExportSettings } from '../../scripts/lib/render-export';
import { main as exportMain, parseExportArgs } from '../../scripts/export-images';
import { parseFilterList, parseRangeList, parseSize } from '../../scripts/lib/render-args';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function fakeRecords(n: number): LabelledRecord[] {
  return Array.from(
    { length: n },
    (_, i) => ({ ecgId: i + 1, stratFold: (i % 10) + 1, mi: i % 4 === 0 }) as unknown as LabelledRecord,
  );
}
const base: ExportSettings = {
  style: 'dataset2',
  folds: [1, 2, 3, 4, 5, 6, 7, 8],
  out: '/tmp/x',
  variants: 1,
  input: { height: 64, width: 64, channels: 1, resize: 'letterbox-area', pad: 255 },
  seed: 0,
  png: false,
  workers: 0,
  shardSize: 4,
  scale: 1,
  data: '/tmp/none',
};

describe('export-images planning', () => {
  const recs = fakeRecords(200);
  it('keeps only the requested folds, in ecg_id order', () => {
    const s = selectRecords(recs, { folds: [9], seed: 0 });
    expect(s.every((r) => r.stratFold === 9)).toBe(true);
    expect(s.map((r) => r.ecgId)).toEqual([...s.map((r) => r.ecgId)].sort((a, b) => a - b));
    expect(s).toHaveLength(20);
  });
  it('--balanced N gives N MI + N non-MI, seeded and reproducible', () => {
    const a = selectRecords(recs, { folds: [1, 2, 3, 4, 5, 6, 7, 8], balanced: 10, seed: 5 });
    const b = selectRecords(recs, { folds: [1, 2, 3, 4, 5, 6, 7, 8], balanced: 10, seed: 5 });
    const c = selectRecords(recs, { folds: [1, 2, 3, 4, 5, 6, 7, 8], balanced: 10, seed: 6 });
    expect(a.filter((r) => r.mi)).toHaveLength(10);
    expect(a.filter((r) => !r.mi)).toHaveLength(10);
    expect(a.map((r) => r.ecgId)).toEqual(b.map((r) => r.ecgId));
    expect(a.map((r) => r.ecgId)).not.toEqual(c.map((r) => r.ecgId));
    expect(() => selectRecords(recs, { folds: [1], balanced: 100, seed: 0 })).toThrow(
      /--balanced 100: the selection has only/,
    );
  });
  it('--limit and --ids', () => {
    expect(selectRecords(recs, { folds: [1, 2, 3], limit: 7, seed: 0 })).toHaveLength(7);
    expect(selectRecords(recs, { folds: [1, 2], ids: [1, 2, 11], seed: 0 }).map((r) => r.ecgId)).toEqual([1, 2, 11]);
    expect(() => selectRecords(recs, { folds: [1], ids: [2], seed: 0 })).toThrow(
      /--ids: 1 id\(s\) are not labelled records in folds 1: 2/,
    );
  });
  it('--subset K/M keeps ecg_id % M = K before --limit draws (the pool a GPU machine holds)', () => {
    const pool = selectRecords(recs, { folds: [1, 2, 3, 4, 5, 6, 7, 8], subset: { k: 0, m: 3 }, seed: 0 });
    expect(pool.length).toBeGreaterThan(10);
    expect(pool.every((r) => r.ecgId % 3 === 0 && r.stratFold <= 8)).toBe(true);
    const drawn = selectRecords(recs, { folds: [1, 2, 3, 4, 5, 6, 7, 8], subset: { k: 0, m: 3 }, limit: 9, seed: 4 });
    expect(drawn).toHaveLength(9);
    expect(drawn.every((r) => r.ecgId % 3 === 0)).toBe(true);
    expect(parseExportArgs(['--style', 'printout', '--out', '/tmp/x', '--subset', '2/5']).subset).toEqual({
      k: 2,
      m: 5,
    });
    for (const bad of ['5/5', '1', 'a/3', '1/0']) {
      expect(() => parseExportArgs(['--style', 'printout', '--out', '/tmp/x', '--subset', bad])).toThrow(
        /--subset must be K\/M with 0 <= K < M/,
      );
    }
  });
  it('plans variants and shards with derived seeds', () => {
    const chosen = selectRecords(recs, { folds: [1], seed: 0 }).slice(0, 5);
    const plan = makePlan(chosen, { ...base, variants: 2, style: 'photo' });
    expect(plan.items).toHaveLength(10);
    expect(plan.shards.map((s) => s.count)).toEqual([4, 4, 2]);
    expect(plan.items[3]).toMatchObject({ shard: 0, index: 3, variant: 1, ecg_id: chosen[1]!.ecgId });
    expect(plan.items[0]!.seed).toBe(deriveSeed(chosen[0]!.ecgId, 0, 'photo'));
    expect(itemSeed(5, 1, 'photo', 0)).toBe(deriveSeed(5, 1, 'photo'));
    expect(itemSeed(5, 1, 'photo', 9)).not.toBe(deriveSeed(5, 1, 'photo'));
    expect(makePlan(chosen, { ...base, style: 'dataset4' }).planes).toBe(12);
  });
  it('argument parsers', () => {
    expect(parseRangeList('--folds', '1-3,8')).toEqual([1, 2, 3, 8]);
    expect(() => parseRangeList('--folds', '0-11', 1, 10)).toThrow(/outside 1..10/);
    expect(() => parseRangeList('--folds', 'x')).toThrow(/not a number or a range/);
    expect(parseSize('--input', '128x96')).toEqual({ height: 128, width: 96 });
    expect(() => parseSize('--input', '128')).toThrow(/must look like 256x256/);
    expect(parseFilterList('none')).toEqual([]);
    expect(() => parseFilterList('baseline,hum')).toThrow(/unknown filter 'hum'/);
  });
});

const dataDir = resolvePtbxlDir();
const IDS = [1, 2, 3, 8];
const haveData =
  IDS.every((id) => existsSync(recordFiles(dataDir, id).dat)) && existsSync(path.join(dataDir, 'ptbxl_database.csv'));

describe.skipIf(!haveData)('export-images end to end (PTB-XL test records)', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'heartnet-export-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const run = (args: string[]) =>
    spawnSync(TSX, ['scripts/export-images.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
  const out = path.join(tmp, 'd3');
  const args = [
    '--style',
    'dataset3',
    '--folds',
    '1-10',
    '--ids',
    IDS.join(','),
    '--variants',
    '2',
    '--input',
    '48x64',
    '--shard-size',
    '3',
    '--out',
    out,
    '--quiet',
  ];

  it('writes shards + manifest on 2 workers; bytes = preprocess(render(record, derived seed))', async () => {
    const r = run(args);
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(m.format).toBe('heartnet-shards/1');
    expect(m).toMatchObject({
      style: 'dataset3',
      planes: 1,
      count: 8,
      input: { height: 48, width: 64, channels: 1, resize: 'letterbox-area', pad: 255 },
    });
    expect(m.shards).toEqual([
      { file: 'shard-00000.u8', count: 3 },
      { file: 'shard-00001.u8', count: 3 },
      { file: 'shard-00002.u8', count: 2 },
    ]);
    for (const s of m.shards) expect(statSync(path.join(out, s.file)).size).toBe(s.count * 48 * 64);
    expect(m.items.map((it: { ecg_id: number }) => it.ecg_id)).toEqual([1, 1, 2, 2, 3, 3, 8, 8]);
    for (const it of m.items) expect([0, 1]).toContain(it.label);
    // item 4 = ecg 3 variant 0: shard 1, index 1
    const it = m.items[4];
    expect(it).toMatchObject({ ecg_id: 3, variant: 0, shard: 1, index: 1, seed: deriveSeed(3, 0, 'dataset3') });
    const sig = await readRecord(dataDir, 3);
    const want = preprocess(render(sig, { style: 'dataset3', seed: it.seed, ecgId: 3 })[0]!, m.input);
    const shard = readFileSync(path.join(out, 'shard-00001.u8'));
    expect(Buffer.from(shard.subarray(48 * 64, 2 * 48 * 64)).equals(Buffer.from(want))).toBe(true);
  });
  it('resumes: only missing shards are rendered again, to the same bytes', () => {
    const f = path.join(out, 'shard-00001.u8');
    const before = readFileSync(f);
    unlinkSync(f);
    const r = run(args.filter((a) => a !== '--quiet'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming: 2 shard\(s\) already done/);
    expect(r.stderr).toMatch(/3 images rendered/);
    expect(readFileSync(f).equals(before)).toBe(true);
  });
  it('refuses to mix a different export into the same folder', async () => {
    await expect(exportMain([...args.slice(0, -3), '--seed', '5', '--out', out, '--quiet'])).rejects.toThrow(
      /holds an export made with different arguments/,
    );
  });
  it('--png writes PNG files and a manifest (in this process, --workers 0)', async () => {
    const pout = path.join(tmp, 'png');
    await exportMain([
      '--style',
      'dataset4',
      '--folds',
      '1-10',
      '--ids',
      '1,2',
      '--png',
      '--workers',
      '0',
      '--out',
      pout,
      '--quiet',
    ]);
    const m = JSON.parse(readFileSync(path.join(pout, 'manifest.json'), 'utf8'));
    expect(m.format).toBe('heartnet-png/1');
    expect(m.items[0].files).toHaveLength(12);
    for (const f of m.items[1].files) expect(statSync(path.join(pout, f)).size).toBeGreaterThan(100);
  });
  it("--upright turns each wild photo back by its camera's quarter turns, and leaves the upright ones as drawn", async () => {
    const uout = path.join(tmp, 'upright');
    await exportMain([
      ...['--style', 'wild-photo', '--folds', '1-10', '--ids', IDS.join(','), '--variants', '2'],
      ...['--input', '48x64', '--workers', '0', '--shard-size', '16', '--upright', '--out', uout, '--quiet'],
    ]);
    const m = JSON.parse(readFileSync(path.join(uout, 'manifest.json'), 'utf8'));
    expect(m.renderer.upright).toMatch(/uprightQuarterTurns/);
    const shard = readFileSync(path.join(uout, 'shard-00000.u8'));
    const turns: number[] = [];
    for (const it of m.items) {
      const sig = await readRecord(dataDir, it.ecg_id);
      const { images, info } = renderWithInfo(sig, { style: 'wild-photo', seed: it.seed, ecgId: it.ecg_id });
      const t = uprightQuarterTurns(info.wild!.camera!);
      turns.push(t);
      const want = preprocess(turnClockwise(images[0]!, t), m.input);
      const got = shard.subarray(it.index * 48 * 64, (it.index + 1) * 48 * 64);
      expect(Buffer.from(got).equals(Buffer.from(want)), `ecg ${it.ecg_id} v${it.variant}`).toBe(true);
    }
    // these seeds draw both kinds: the test checks a turn, not only the identity
    expect(turns.some((t) => t !== 0)).toBe(true);
    expect(turns.some((t) => t === 0)).toBe(true);
    // the same export without --upright is another plan: refused in the same folder
    await expect(
      exportMain([
        ...['--style', 'wild-photo', '--folds', '1-10', '--ids', IDS.join(','), '--variants', '2'],
        ...['--input', '48x64', '--workers', '0', '--shard-size', '16', '--out', uout, '--quiet'],
      ]),
    ).rejects.toThrow(/different arguments/);
  }, 60_000);
  it('clear errors for bad arguments', () => {
    expect(() => parseExportArgs(['--style', 'sketch', '--out', path.join(tmp, 'x')])).toThrow(
      /unknown style 'sketch'/,
    );
    expect(() => parseExportArgs(['--style', 'dataset2'])).toThrow(/--style and --out are required/);
    expect(() => parseExportArgs(['--style', 'dataset2', '--out', 'y', '--input', '7x7'])).toThrow(/out of range/);
    expect(() => parseExportArgs(['--style', 'dataset2', '--out', 'y', '--folds', '11'])).toThrow(/outside 1..10/);
    expect(() => parseExportArgs(['--style', 'dataset2', '--out', 'y', '--bogus'])).toThrow(/bogus/);
    expect(parseExportArgs(['--style', 'dataset2', '--out', 'y'])).toMatchObject({
      folds: [1, 2, 3, 4, 5, 6, 7, 8],
      variants: 1,
      workers: 2,
      input: { height: 256, width: 256 },
    });
  });
});
