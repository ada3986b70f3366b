/** Node-only parts of the PTB-XL data layer: reading files from a restored WFDB folder. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { labelRecords, parseDatabaseCsv, parseScpStatements, recordBasePath, type LabelledRecord } from './database';
import { PtbxlError } from './errors';
import type { EcgSignals } from './types';
import { parseDat, parseHeader, type WfdbHeader } from './wfdb';

/**
 * The repository root: the nearest folder above this module that holds package.json and data/sample-ids.json.
 * From the sources that is three levels up (src/lib/ptbxl); from a bundle that `astro build` wrote (dist/chunks,
 * build/x/chunks) it is fewer, and a fixed '../../..' pointed outside the repository, so the site was built
 * without PTB-XL's statement descriptions. Falls back to the working directory.
 */
export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)));

export function findRepoRoot(from: string): string {
  for (let dir = from, i = 0; i < 8; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'data', 'sample-ids.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return process.cwd();
}

/** Where `npm run setup` puts PTB-XL, relative to the repository root. */
export const DEFAULT_PTBXL_DIR = 'data/ptb-xl';

/**
 * The PTB-XL folder to read: `PTBXL_DATA` if set (a restored WFDB folder), else `<repo>/data/ptb-xl`.
 * Absolute path. Does not check that it exists (see `requirePtbxlDir`).
 */
export function resolvePtbxlDir(dir?: string): string {
  const chosen = dir ?? process.env.PTBXL_DATA ?? DEFAULT_PTBXL_DIR;
  return path.resolve(REPO_ROOT, chosen);
}

/** Like `resolvePtbxlDir`, but throws a `PtbxlError` telling to run `npm run setup` when the CSVs are missing. */
export function requirePtbxlDir(dir?: string): string {
  const resolved = resolvePtbxlDir(dir);
  for (const f of ['ptbxl_database.csv', 'scp_statements.csv']) {
    if (!existsSync(path.join(resolved, f))) {
      throw new PtbxlError(path.join(resolved, f), 'missing: PTB-XL is not set up here; run `npm run setup` first');
    }
  }
  return resolved;
}

/** Absolute paths of a record's `.hea` and `.dat` in a WFDB folder. */
export function recordFiles(dir: string, ecgId: number): { hea: string; dat: string } {
  const base = path.join(resolvePtbxlDir(dir), recordBasePath(ecgId));
  return { hea: `${base}.hea`, dat: `${base}.dat` };
}

async function readOrExplain(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PtbxlError(file, 'missing; run `npm run setup` (or `npm run setup -- --all` for every record)');
    }
    throw err;
  }
}

/** Reads and parses a record's header. */
export async function readHeader(dir: string, ecgId: number): Promise<WfdbHeader> {
  const { hea } = recordFiles(dir, ecgId);
  return parseHeader((await readOrExplain(hea)).toString('latin1'), hea);
}

/** Reads one 100 Hz record (12 leads, mV) from a WFDB folder, checking it against its header. */
export async function readRecord(dir: string, ecgId: number): Promise<EcgSignals> {
  const { hea, dat } = recordFiles(dir, ecgId);
  const header = parseHeader((await readOrExplain(hea)).toString('latin1'), hea);
  const bytes = await readOrExplain(dat);
  return parseDat(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), header, dat);
}

/** Parses both CSVs of a PTB-XL folder and labels every record (21,811 for the local copy). */
export async function loadLabelledRecords(dir?: string): Promise<LabelledRecord[]> {
  const root = requirePtbxlDir(dir);
  const dbFile = path.join(root, 'ptbxl_database.csv');
  const stFile = path.join(root, 'scp_statements.csv');
  const [db, st] = await Promise.all([readFile(dbFile, 'utf8'), readFile(stFile, 'utf8')]);
  return labelRecords(parseDatabaseCsv(db, dbFile), parseScpStatements(st, stFile), dbFile);
}
