import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseSource,
  formatIdSpec,
  parseIdSpec,
  parseSetupArgs,
  runSetup,
  TEST_IDS,
} from '../../scripts/lib/ptbxl-setup';
import { loadLabelledRecords, requirePtbxlDir } from '../../src/lib/ptbxl/node';
import { selectSamples, type SampleSelection } from '../../src/lib/ptbxl/samples';
import type { SampleIndex } from '../../src/lib/ptbxl/types';
import type { LabelledRecord } from '../../src/lib/ptbxl/database';
import { recordBasePath } from '../../src/lib/ptbxl/database';

const DIR = requirePtbxlDir();
const REPO = path.resolve(__dirname, '../..');
const SMALL: SampleSelection = {
  version: 1,
  seed: 1,
  fold: 10,
  note: 'test',
  groups: [
    { name: 'mi', why: 'test', ids: [8] },
    { name: 'norm', why: 'test', ids: [1, 2] },
  ],
  ids: [1, 2, 8],
};

let tmp: string;
let records: LabelledRecord[];
beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'ptbxl-setup-'));
  records = await loadLabelledRecords(DIR);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A throw-away "repository" with only data/sample-ids.json in it. */
function fakeRepo(name: string): string {
  const root = path.join(tmp, name, 'repo');
  mkdirSync(path.join(root, 'data'), { recursive: true });
  writeFileSync(path.join(root, 'data/sample-ids.json'), JSON.stringify(SMALL));
  return root;
}

describe('command line', () => {
  it('parses id specs both ways', () => {
    expect(parseIdSpec('1-3,9,7')).toEqual([1, 2, 3, 7, 9]);
    expect(formatIdSpec([9, 1, 2, 3, 7, 8, 20])).toBe('1-3,7-9,20');
    expect(() => parseIdSpec('3-1')).toThrow('--ids: bad range "3-1"');
    expect(() => parseIdSpec('x')).toThrow('--ids: bad range "x"');
  });

  it('parses flags', () => {
    expect(parseSetupArgs([])).toMatchObject({
      all: false,
      test: false,
      quiet: false,
      bundle: true,
      ids: [],
      folds: [],
    });
    expect(parseSetupArgs(['--test'])).toMatchObject({ test: true, quiet: true });
    expect(parseSetupArgs(['--all', '--ids', '5-6', '--folds=9,10', '--no-bundle'])).toMatchObject({
      all: true,
      ids: [5, 6],
      folds: [9, 10],
      bundle: false,
    });
    expect(() => parseSetupArgs(['--folds', '11'])).toThrow('--folds: strat_folds are 1-10');
    expect(() => parseSetupArgs(['--bogus'])).toThrow(/unknown argument "--bogus"/);
  });

  it('chooses the source: PTBXL_DIR, then ../shared/ptb-xl, then PhysioNet', () => {
    expect(chooseSource({ PTBXL_DIR: DIR }, REPO)).toEqual({ kind: 'wfdb', dir: DIR });
    const shared = path.resolve(REPO, '../shared/ptb-xl');
    if (existsSync(path.join(shared, 'restore.mjs'))) {
      expect(chooseSource({ PTBXL_DIR: shared }, REPO)).toEqual({ kind: 'packs', dir: shared });
      expect(chooseSource({}, REPO)).toEqual({ kind: 'packs', dir: shared });
    }
    expect(chooseSource({}, path.join(tmp, 'nowhere/repo'))).toEqual({
      kind: 'physionet',
      baseUrl: 'https://physionet.org/files/ptb-xl/1.0.1/',
    });
    expect(() => chooseSource({ PTBXL_DIR: tmp }, REPO)).toThrow(/PTBXL_DIR=.*neither a folder with restore\.mjs/);
  });
});

describe('sample selection', () => {
  it('is deterministic and matches the committed data/sample-ids.json', () => {
    const a = selectSamples(records);
    expect(selectSamples(records)).toEqual(a);
    const committed = JSON.parse(readFileSync(path.join(REPO, 'data/sample-ids.json'), 'utf8')) as SampleSelection;
    expect(committed).toEqual(a);
    expect(selectSamples(records, { seed: 7 }).ids).not.toEqual(a.ids);
  });

  it('takes ~100 fold-10 records, half MI, every MI subtype, both sexes, ages, reports', () => {
    const sel = selectSamples(records);
    const byId = new Map(records.map((r) => [r.ecgId, r]));
    const picked = sel.ids.map((id) => byId.get(id)!);
    expect(picked).toHaveLength(100);
    expect(new Set(sel.ids).size).toBe(100);
    expect(sel.groups.flatMap((g) => g.ids).sort((x, y) => x - y)).toEqual(sel.ids);
    expect(picked.every((r) => r.stratFold === 10)).toBe(true);
    expect(picked.filter((r) => r.mi)).toHaveLength(50);
    const subtypes = new Set(picked.flatMap((r) => r.miCodes));
    for (const code of [
      'IMI',
      'AMI',
      'ASMI',
      'ALMI',
      'ILMI',
      'LMI',
      'PMI',
      'IPLMI',
      'IPMI',
      'INJAS',
      'INJAL',
      'INJIL',
      'INJIN',
      'INJLA',
    ])
      expect(subtypes.has(code), code).toBe(true);
    for (const s of ['NORM', 'STTC', 'CD', 'HYP'])
      expect(
        picked.some((r) => !r.mi && r.superclasses.includes(s as never)),
        s,
      ).toBe(true);
    expect(picked.filter((r) => r.sex === 'female').length).toBeGreaterThan(30);
    expect(picked.filter((r) => r.sex === 'male').length).toBeGreaterThan(30);
    expect(picked.some((r) => r.age === 300)).toBe(true);
    expect(picked.some((r) => r.age !== null && r.age < 30)).toBe(true);
    expect(picked.filter((r) => r.report !== '').length).toBeGreaterThan(80);
  });
});

describe('runSetup end to end (temporary repositories)', () => {
  it('copies from a WFDB folder, builds the bundle, and is idempotent', async () => {
    const root = fakeRepo('wfdb');
    const args = { ...parseSetupArgs(['--quiet', '--ids', '3']) };
    const first = await runSetup(args, { repoRoot: root, env: { PTBXL_DIR: DIR } });
    expect(first).toMatchObject({
      csvs: 'copied',
      requested: 4,
      fetched: 4,
      present: 0,
      bundle: { records: 3, written: 7, removed: 0 },
    });
    const index = JSON.parse(readFileSync(path.join(root, 'public/samples/index.json'), 'utf8')) as SampleIndex;
    expect(index.version).toBe(1);
    expect(index.source.license).toBe('CC BY 4.0');
    expect(index.records.map((r) => [r.ecgId, r.mi, r.group])).toEqual([
      [1, false, 'norm'],
      [2, false, 'norm'],
      [8, true, 'mi'],
    ]);
    expect(index.records[2]).toMatchObject({
      fold: 9,
      stratFold: 9,
      miCodes: ['IMI'],
      superclasses: ['MI'],
      sex: 'male',
      hea: 'records/00008_lr.hea',
      dat: 'records/00008_lr.dat',
    });
    expect(readdirSync(path.join(root, 'public/samples/records')).sort()).toEqual([
      '00001_lr.dat',
      '00001_lr.hea',
      '00002_lr.dat',
      '00002_lr.hea',
      '00008_lr.dat',
      '00008_lr.hea',
    ]);
    for (const r of index.records) {
      expect(
        readFileSync(path.join(root, 'public/samples', r.dat)).equals(
          readFileSync(path.join(DIR, `${recordBasePath(r.ecgId)}.dat`)),
        ),
      ).toBe(true);
    }
    const second = await runSetup(args, { repoRoot: root, env: { PTBXL_DIR: DIR } });
    expect(second).toMatchObject({
      csvs: 'present',
      requested: 4,
      fetched: 0,
      present: 4,
      bundle: { records: 3, written: 0, removed: 0 },
    });

    // A damaged record is detected (header/data checksums) and fetched again; stale bundle files are removed.
    const dat = path.join(root, 'data/ptb-xl', `${recordBasePath(2)}.dat`);
    const bytes = readFileSync(dat);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(dat, bytes);
    writeFileSync(path.join(root, 'public/samples/records/09999_lr.dat'), 'stale');
    const third = await runSetup(args, { repoRoot: root, env: { PTBXL_DIR: DIR } });
    expect(third).toMatchObject({ fetched: 1, bundle: { removed: 1 } });
  });

  it('downloads from a PhysioNet-like HTTPS mirror (here a local HTTP server) with verification', async () => {
    const root = fakeRepo('physionet');
    // Serve the real files of data/ptb-xl with a SHA256SUMS.txt, as PhysioNet does.
    const wanted = [
      'ptbxl_database.csv',
      'scp_statements.csv',
      ...[1, 2, 8, ...TEST_IDS].flatMap((id) => [`${recordBasePath(id)}.hea`, `${recordBasePath(id)}.dat`]),
    ];
    const sums = wanted
      .map(
        (f) =>
          `${createHash('sha256')
            .update(readFileSync(path.join(DIR, f)))
            .digest('hex')}  ${f}`,
      )
      .join('\n');
    const hits: string[] = [];
    const server: Server = createServer((req, res) => {
      const p = decodeURIComponent(req.url ?? '').replace(/^\//, '');
      hits.push(p);
      if (p === 'SHA256SUMS.txt') return void res.end(sums);
      if (!wanted.includes(p)) return void res.writeHead(404).end();
      res.end(readFileSync(path.join(DIR, p)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const env = { PTBXL_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
      const r = await runSetup(parseSetupArgs(['--test']), { repoRoot: root, env });
      expect(r.source).toMatch(/^PhysioNet/);
      // the fake repository's three samples (1, 2 and 8) and the records the unit tests read
      const n = new Set([1, 2, 8, ...TEST_IDS]).size;
      expect(r).toMatchObject({ csvs: 'downloaded', requested: n, fetched: n, bundle: { records: 3 } });
      expect(hits).toContain('records100/21000/21837_lr.dat');
      hits.length = 0;
      const again = await runSetup(parseSetupArgs(['--test']), { repoRoot: root, env });
      expect(again).toMatchObject({ csvs: 'present', fetched: 0 });
      expect(hits).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('restores from packs with restore.mjs when the source has them', async () => {
    const shared = path.resolve(REPO, '../shared/ptb-xl');
    if (!existsSync(path.join(shared, 'restore.mjs'))) return; // only where the packs exist
    const root = fakeRepo('packs');
    const r = await runSetup(parseSetupArgs(['--quiet', '--no-bundle']), {
      repoRoot: root,
      env: { PTBXL_DIR: shared },
    });
    expect(r).toMatchObject({ fetched: 3, bundle: null });
    expect(existsSync(path.join(root, 'data/ptb-xl/records100/00000/00008_lr.dat'))).toBe(true);
  }, 120_000);
});
