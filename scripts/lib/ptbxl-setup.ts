/**
 * The work behind `npm run setup`: get PTB-XL (CSVs + the 100 Hz records asked for) into data/ptb-xl and build the
 * site's sample bundle in public/samples. See scripts/setup.ts for the command line.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatAge, parseDatabaseCsv, recordBasePath } from '../../src/lib/ptbxl/database';
import { PtbxlError } from '../../src/lib/ptbxl/errors';
import { expandRanges } from '../../src/lib/ranges';
import { DEFAULT_PTBXL_DIR, loadLabelledRecords, recordFiles } from '../../src/lib/ptbxl/node';
import { selectSamples, type SampleSelection } from '../../src/lib/ptbxl/samples';
import type { SampleEntry, SampleIndex } from '../../src/lib/ptbxl/types';
import { parseDat, parseHeader } from '../../src/lib/ptbxl/wfdb';
import { downloadVerified, parseSha256Sums } from './download';
import { defineCli, parseCli } from './cli';
import { ProgressBar } from './progress';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PHYSIONET_BASE = 'https://physionet.org/files/ptb-xl/1.0.1/';
export const CSV_FILES = ['ptbxl_database.csv', 'scp_statements.csv'] as const;
/** Records the unit tests read besides the samples (8 is MI; 2506 has signals but no labels in the local CSV; 9001 is the digitiser test's printout). */
export const TEST_IDS = [1, 2, 3, 8, 2506, 9001, 21837] as const;

export interface SetupArgs {
  all: boolean;
  ids: number[];
  folds: number[];
  test: boolean;
  quiet: boolean;
  selectSamples: boolean;
  bundle: boolean;
}

export const SETUP_CLI = defineCli({
  command: 'npm run setup --',
  summary: `Gets PTB-XL 1.0.1 (100 Hz) into data/ptb-xl and builds the sample bundle in public/samples: by default the two
CSVs + the records listed in data/sample-ids.json. Source: $PTBXL_DIR (restored WFDB folder, or a folder with
restore.mjs + packs), else ../shared/ptb-xl, else PhysioNet.`,
  options: {
    all: { type: 'boolean', default: false, help: 'every one of the 21,837 records (needed for training)' },
    ids: { type: 'string', value: 'SPEC', multiple: true, help: 'also these ecg_ids (ranges allowed: 1-200,9001)' },
    folds: { type: 'string', value: 'SPEC', multiple: true, help: 'also every record of these strat_folds (1-10)' },
    test: { type: 'boolean', default: false, help: 'the default set plus the records the unit tests read; quiet' },
    quiet: { type: 'boolean', short: 'q', default: false, help: 'no progress output' },
    'select-samples': {
      type: 'boolean',
      default: false,
      help: 're-choose data/sample-ids.json from the CSV (deterministic)',
    },
    'no-bundle': { type: 'boolean', default: false, help: 'skip building public/samples' },
  },
  unknown: (arg) => `unknown argument "${arg}"`,
});

/** Parses "1-200,9001" into a sorted id list. */
export function parseIdSpec(spec: string | undefined, what = '--ids'): number[] {
  if (!spec) throw new Error(`${what} needs a value like 1-200,9001`);
  return expandRanges(spec, (part) => {
    throw new Error(`${what}: bad range "${part}"`);
  });
}

/** Compresses ids into restore.mjs's "1-200,9001" syntax. */
export function formatIdSpec(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(',');
}

export function parseSetupArgs(argv: readonly string[]): SetupArgs {
  const { values: v } = parseCli(SETUP_CLI, [...argv]);
  const folds = (v.folds ?? []).flatMap((f) => parseIdSpec(f, '--folds'));
  if (folds.some((f) => f < 1 || f > 10)) throw new Error('--folds: strat_folds are 1-10');
  return {
    all: v.all,
    ids: (v.ids ?? []).flatMap((s) => parseIdSpec(s, '--ids')),
    folds,
    test: v.test,
    quiet: v.quiet || v.test,
    selectSamples: v['select-samples'],
    bundle: !v['no-bundle'],
  };
}

export type Source =
  { kind: 'packs'; dir: string } | { kind: 'wfdb'; dir: string } | { kind: 'physionet'; baseUrl: string };

/** Picks the data source: $PTBXL_DIR, else ../shared/ptb-xl next to the repo, else PhysioNet. */
export function chooseSource(env: NodeJS.ProcessEnv = process.env, repoRoot = REPO_ROOT): Source {
  const fromEnv = env.PTBXL_DIR;
  if (fromEnv) {
    const dir = path.resolve(repoRoot, fromEnv);
    if (existsSync(path.join(dir, 'restore.mjs'))) return { kind: 'packs', dir };
    if (existsSync(path.join(dir, 'ptbxl_database.csv')) && existsSync(path.join(dir, 'records100')))
      return { kind: 'wfdb', dir };
    throw new Error(
      `PTBXL_DIR=${fromEnv}: neither a folder with restore.mjs + packs nor a WFDB folder (ptbxl_database.csv + records100/)`,
    );
  }
  const shared = path.resolve(repoRoot, '../shared/ptb-xl');
  if (existsSync(path.join(shared, 'restore.mjs'))) return { kind: 'packs', dir: shared };
  return { kind: 'physionet', baseUrl: env.PTBXL_URL ?? PHYSIONET_BASE };
}

export function describeSource(s: Source): string {
  return s.kind === 'physionet'
    ? `PhysioNet (${s.baseUrl})`
    : s.kind === 'packs'
      ? `packs in ${s.dir} (restore.mjs)`
      : `WFDB folder ${s.dir}`;
}

function recordFilesOf(id: number): [string, string] {
  const base = recordBasePath(id);
  return [`${base}.hea`, `${base}.dat`];
}

/** Checks a record on disk: against SHA-256 sums when known, else by parsing it (header + data checksums). */
export async function recordIsValid(
  dataDir: string,
  id: number,
  sums: ReadonlyMap<string, string> | null,
): Promise<boolean> {
  const files = recordFilesOf(id);
  let contents: Buffer[];
  try {
    contents = await Promise.all(files.map((f) => readFile(path.join(dataDir, f))));
  } catch {
    return false;
  }
  if (sums && files.every((f) => sums.has(f))) {
    return files.every((f, i) => createHash('sha256').update(contents[i]!).digest('hex') === sums.get(f));
  }
  try {
    const [hea, dat] = files.map((f) => path.join(dataDir, f)) as [string, string];
    const bytes = contents[1]!;
    parseDat(
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      parseHeader(contents[0]!.toString('latin1'), hea),
      dat,
    );
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  if (!existsSync(a) || !existsSync(b)) return false;
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}

function runNode(args: string[], quiet: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      stdio: quiet ? ['ignore', 'ignore', 'inherit'] : ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')} exited with ${code}`)),
    );
  });
}

export interface SetupReport {
  source: string;
  csvs: 'copied' | 'present' | 'downloaded';
  requested: number;
  present: number;
  fetched: number;
  bundle: { records: number; written: number; removed: number } | null;
  seconds: number;
}

/** The whole of `npm run setup`. `log` gets the progress lines (nothing when quiet). */
export async function runSetup(
  args: SetupArgs,
  options: { repoRoot?: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<SetupReport> {
  const t0 = Date.now();
  const repoRoot = options.repoRoot ?? REPO_ROOT;
  const log = args.quiet ? () => {} : (options.log ?? ((l: string) => console.error(l)));
  const dataDir = path.join(repoRoot, 'data/ptb-xl');
  const source = chooseSource(options.env ?? process.env, repoRoot);
  log(`PTB-XL source: ${describeSource(source)}`);
  await mkdir(dataDir, { recursive: true });

  // 1. The CSVs (and the licence), plus the SHA-256 sums of the records where the source has them.
  let csvs: SetupReport['csvs'] = 'present';
  let sums: Map<string, string> | null = null;
  if (source.kind === 'physionet') {
    const sumsFile = path.join(dataDir, 'SHA256SUMS.txt');
    if (!existsSync(sumsFile)) {
      log('downloading SHA256SUMS.txt');
      const res = await fetch(`${source.baseUrl}SHA256SUMS.txt`);
      if (!res.ok) throw new Error(`${source.baseUrl}SHA256SUMS.txt: HTTP ${res.status}`);
      await writeFile(sumsFile, Buffer.from(await res.arrayBuffer()));
    }
    sums = parseSha256Sums(await readFile(sumsFile, 'utf8'), sumsFile);
    const r = await downloadVerified({
      baseUrl: source.baseUrl,
      destDir: dataDir,
      files: [...CSV_FILES, 'LICENSE.txt'].filter((f) => sums!.has(f)),
      sums,
    });
    if (r.downloaded.length) csvs = 'downloaded';
  } else {
    for (const f of [...CSV_FILES, 'LICENSE.txt']) {
      const from = path.join(source.dir, f);
      const to = path.join(dataDir, f);
      if (!existsSync(from)) {
        if (f === 'LICENSE.txt') continue;
        throw new Error(`${from}: missing in the PTB-XL source`);
      }
      if (!(await sameFile(from, to))) {
        await copyFile(from, to);
        csvs = 'copied';
      }
    }
    for (const name of ['SHA256SUMS-records100.txt', 'SHA256SUMS.txt']) {
      const file = path.join(source.dir, name);
      if (existsSync(file)) {
        sums = parseSha256Sums(await readFile(file, 'utf8'), file);
        if (!(await sameFile(file, path.join(dataDir, name)))) await copyFile(file, path.join(dataDir, name));
        break;
      }
    }
  }
  log(`CSVs: ${csvs}`);

  // 2. Which records.
  const samplesFile = path.join(repoRoot, 'data/sample-ids.json');
  let selection: SampleSelection | null;
  if (args.selectSamples || !existsSync(samplesFile)) {
    selection = selectSamples(await loadLabelledRecords(dataDir));
    await writeFile(samplesFile, `${JSON.stringify(selection, null, 2)}\n`);
    log(`wrote ${path.relative(repoRoot, samplesFile)} (${selection.ids.length} ids)`);
  } else {
    selection = JSON.parse(await readFile(samplesFile, 'utf8')) as SampleSelection;
    if (!Array.isArray(selection.ids) || !selection.ids.every((id) => Number.isInteger(id))) {
      throw new Error(`${samplesFile}: "ids" is not a list of ecg_ids`);
    }
  }
  const wanted = new Set<number>(selection.ids);
  if (args.test) TEST_IDS.forEach((id) => wanted.add(id));
  args.ids.forEach((id) => wanted.add(id));
  if (args.folds.length) {
    const csv = path.join(dataDir, 'ptbxl_database.csv');
    for (const row of parseDatabaseCsv(await readFile(csv, 'utf8'), csv))
      if (args.folds.includes(row.stratFold)) wanted.add(row.ecgId);
  }
  if (args.all) {
    if (sums) {
      for (const f of sums.keys()) {
        const m = /^records100\/\d{5}\/(\d{5})_lr\.dat$/.exec(f);
        if (m) wanted.add(Number(m[1]));
      }
    } else if (source.kind === 'wfdb') {
      for (const folder of await readdir(path.join(source.dir, 'records100'))) {
        for (const f of await readdir(path.join(source.dir, 'records100', folder))) {
          const m = /^(\d{5})_lr\.dat$/.exec(f);
          if (m) wanted.add(Number(m[1]));
        }
      }
    }
  }
  const ids = [...wanted].sort((a, b) => a - b);

  // 3. Which are missing (or fail verification), then fetch those.
  const checkBar = new ProgressBar({
    label: 'checking records',
    total: ids.length,
    quiet: args.quiet || ids.length < 2000,
  });
  const valid = await mapLimit(ids, 16, async (id) => {
    const ok = await recordIsValid(dataDir, id, sums);
    checkBar.tick();
    return ok;
  });
  checkBar.finish();
  const missing = ids.filter((_, i) => !valid[i]);
  log(
    `records: ${ids.length} wanted, ${ids.length - missing.length} already present and verified, ${missing.length} to fetch`,
  );
  if (missing.length) {
    if (source.kind === 'packs') {
      await runNode([path.join(source.dir, 'restore.mjs'), dataDir, '--ids', formatIdSpec(missing)], args.quiet);
    } else if (source.kind === 'wfdb') {
      const bar = new ProgressBar({ label: 'copying records', total: missing.length, quiet: args.quiet });
      for (const id of missing) {
        for (const f of recordFilesOf(id)) {
          await mkdir(path.dirname(path.join(dataDir, f)), { recursive: true });
          await copyFile(path.join(source.dir, f), path.join(dataDir, f));
        }
        bar.tick();
      }
      bar.finish();
    } else {
      const files = missing.flatMap(recordFilesOf);
      const bar = new ProgressBar({ label: 'downloading', total: files.length, quiet: args.quiet });
      await downloadVerified({
        baseUrl: source.baseUrl,
        destDir: dataDir,
        files,
        sums: sums!,
        concurrency: 6,
        onFile: () => bar.tick(),
        onBytes: (b) => bar.addBytes(b),
      });
      bar.finish();
    }
    // restore.mjs and downloadVerified check SHA-256 themselves; copies from a WFDB folder are checked here.
    const recheck =
      source.kind === 'wfdb'
        ? (id: number) => recordIsValid(dataDir, id, sums)
        : async (id: number) => recordFilesOf(id).every((f) => existsSync(path.join(dataDir, f)));
    const ok = await mapLimit(missing, 16, recheck);
    const stillBad = missing.filter((_, i) => !ok[i]);
    if (stillBad.length) throw new Error(`records still missing or invalid after fetching: ${formatIdSpec(stillBad)}`);
  }

  // 4. The sample bundle.
  const bundle = args.bundle
    ? await buildSampleBundle(dataDir, path.join(repoRoot, 'public/samples'), selection)
    : null;
  if (bundle)
    log(
      `sample bundle: ${bundle.records} records in public/samples (${bundle.written} files written, ${bundle.removed} stale removed)`,
    );

  return {
    source: describeSource(source),
    csvs,
    requested: ids.length,
    present: ids.length - missing.length,
    fetched: missing.length,
    bundle,
    seconds: (Date.now() - t0) / 1000,
  };
}

export const SAMPLE_SOURCE: SampleIndex['source'] = {
  dataset: 'PTB-XL, a large publicly available electrocardiography dataset',
  version: '1.0.1',
  doi: '10.13026/x4td-x982',
  license: 'CC BY 4.0',
  citation:
    'Wagner P, Strodthoff N, Bousseljot R-D, Kreiseler D, Lunze FI, Samek W, Schaeffter T. PTB-XL, a large publicly available electrocardiography dataset. Scientific Data 7:154 (2020). Goldberger A et al. PhysioBank, PhysioToolkit, and PhysioNet. Circulation 101(23):e215-e220 (2000).',
};

/** Writes `outDir/index.json` and copies each sample's WFDB files to `outDir/records/` (only files that changed). */
export async function buildSampleBundle(
  dataDir: string,
  outDir: string,
  selection: SampleSelection,
): Promise<{ records: number; written: number; removed: number }> {
  const labelled = new Map((await loadLabelledRecords(dataDir)).map((r) => [r.ecgId, r]));
  const groupOf = new Map<number, string>();
  for (const g of selection.groups ?? []) for (const id of g.ids) groupOf.set(id, g.name);
  const recordsDir = path.join(outDir, 'records');
  await mkdir(recordsDir, { recursive: true });
  let written = 0;
  const keep = new Set<string>(['index.json']);
  const entries: SampleEntry[] = [];
  for (const id of selection.ids) {
    const r = labelled.get(id);
    if (!r)
      throw new PtbxlError(
        path.join(dataDir, 'ptbxl_database.csv'),
        `sample ecg_id ${id} has no row (see data/sample-ids.json)`,
      );
    const name = path.basename(recordBasePath(id));
    const paths = { hea: `records/${name}.hea`, dat: `records/${name}.dat` };
    for (const ext of ['hea', 'dat'] as const) {
      const from = path.join(dataDir, `${recordBasePath(id)}.${ext}`);
      const to = path.join(outDir, paths[ext]);
      keep.add(`${name}.${ext}`);
      if (!(await sameFile(from, to))) {
        await copyFile(from, to);
        written++;
      }
    }
    // Make sure the browser will be able to parse what we ship.
    const hea = path.join(outDir, paths.hea);
    const dat = await readFile(path.join(outDir, paths.dat));
    parseDat(
      new Uint8Array(dat.buffer, dat.byteOffset, dat.byteLength),
      parseHeader(await readFile(hea, 'latin1'), hea),
      path.join(outDir, paths.dat),
    );
    entries.push({
      ecgId: id,
      fold: r.stratFold,
      stratFold: r.stratFold,
      mi: r.mi,
      miCodes: r.miCodes,
      superclasses: r.superclasses,
      scpCodes: r.scpCodes,
      age: r.age,
      ageLabel: formatAge(r.age),
      sex: r.sex,
      report: r.report,
      group: groupOf.get(id) ?? '',
      ...paths,
    });
  }
  let removed = 0;
  for (const f of await readdir(recordsDir)) {
    if (!keep.has(f)) {
      await rm(path.join(recordsDir, f), { force: true });
      removed++;
    }
  }
  const index: SampleIndex = { version: 1, source: SAMPLE_SOURCE, records: entries };
  const indexFile = path.join(outDir, 'index.json');
  const text = `${JSON.stringify(index, null, 1)}\n`;
  if (!existsSync(indexFile) || (await readFile(indexFile, 'utf8')) !== text) {
    await writeFile(indexFile, text);
    written++;
  }
  return { records: entries.length, written, removed };
}

/**
 * The records among `ids` that `dir` has no signal files for, after fetching them the way
 * `npm run setup -- --ids ...` does (local copy or PhysioNet) when `dir` is this repository's data/ptb-xl.
 * Lets export-images and eval work on a fresh machine without `--all`. Returns what is still missing.
 */
export async function ensureRecords(dir: string, ids: readonly number[], quiet = false): Promise<number[]> {
  const missing = () =>
    [...new Set(ids)].filter((id) => !existsSync(recordFiles(dir, id).dat) || !existsSync(recordFiles(dir, id).hea));
  let m = missing();
  if (m.length > 0 && path.resolve(dir) === path.resolve(REPO_ROOT, DEFAULT_PTBXL_DIR)) {
    if (!quiet) console.error(`fetching ${m.length} missing PTB-XL record(s) with npm run setup`);
    await runSetup({ ...parseSetupArgs([]), ids: m, bundle: false, quiet });
    m = missing();
  }
  return m;
}
