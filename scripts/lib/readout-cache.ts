/**
 * The digitise + signal pipeline's inputs kept on disk: what the digitiser read from each rendered page, as the
 * signal model's input rows (src/lib/signal/windows.ts inputFromReadout). Reading a fold back takes half an hour
 * on one core; scoring the rows takes seconds. With a kept set, `npm run eval` can score another signal model on
 * the very same readings, and training can learn from real readings (training/signal_data.py reads the same
 * files).
 *
 * A set is two files: NAME.json (the header below) and NAME.f32 (records x samples x channels float32, little
 * endian, in the header's record order). A set is only reused when everything that made it is unchanged: the
 * digitiser's, renderer's and input builder's sources and the learned segmenter's files (hashed, not named by
 * commit, so uncommitted edits count), the style, the seed and the records. Rendered from PTB-XL: keep under
 * build/, never commit.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { SIGNAL_FORMAT, SAMPLES, CHANNELS } from '../../src/lib/signal/windows';

export const READOUT_SET_FORMAT = 'heartnet-readout-set/1';

/**
 * Everything whose change changes what the digitiser reads from a rendered page: the record reader, the renderer
 * (and the seeded random numbers it draws), the digitiser, the learned segmenter and how Node loads it, and the
 * input builder.
 */
export const READOUT_SOURCES = [
  'src/lib/ptbxl',
  'src/lib/random.ts',
  'src/lib/render',
  'src/lib/digitise',
  'public/models/trace-seg',
  'src/lib/model/node-io.ts',
  'src/lib/signal/windows.ts',
  'src/lib/signal/filters.ts',
];

/** The packages that run the learned segmenter: their installed versions are part of the stamp. */
export const READOUT_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-cpu',
];

export interface ReadoutSetHeader {
  format: typeof READOUT_SET_FORMAT;
  input_format: string;
  samples: number;
  channels: number;
  style: string;
  seed: number;
  /** sha256 over READOUT_SOURCES' files (path and bytes, sorted by path) */
  sources_sha256: string;
  commit: string | null;
  ecg_ids: number[];
  folds: number[];
  labels: number[];
  unread_ecg_ids: number[];
  /** how the pages were read (the digitiser's ink planes) */
  reader: string;
  created: string;
}

/** A header for readings of `ecg_ids` (format, input shape and time filled in). */
export function readoutSetHeader(
  h: Omit<ReadoutSetHeader, 'format' | 'input_format' | 'samples' | 'channels' | 'created'>,
): ReadoutSetHeader {
  return {
    format: READOUT_SET_FORMAT,
    input_format: SIGNAL_FORMAT,
    samples: SAMPLES,
    channels: CHANNELS,
    ...h,
    created: new Date().toISOString(),
  };
}

export class ReadoutSetError extends Error {
  override name = 'ReadoutSetError';
}

function filesUnder(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [path];
  return readdirSync(full)
    .sort()
    .flatMap((name) => filesUnder(root, join(path, name)));
}

/** The installed version of a package (from the root's node_modules), or "absent". */
function installedVersion(root: string, name: string): string {
  const file = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return 'absent';
  return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
}

/** sha256 over the sources' relative paths and bytes and the segmenter's package versions (root: the repository). */
export function readoutSourcesHash(root = process.cwd()): string {
  const h = createHash('sha256');
  const files = READOUT_SOURCES.flatMap((p) => filesUnder(root, p)).sort();
  if (files.length === 0) throw new ReadoutSetError(`none of ${READOUT_SOURCES.join(', ')} under ${root}`);
  for (const f of files) {
    h.update(relative(root, join(root, f)));
    h.update('\0');
    h.update(readFileSync(join(root, f)));
    h.update('\0');
  }
  for (const name of READOUT_PACKAGES) h.update(`${name}@${installedVersion(root, name)}\0`);
  return h.digest('hex');
}

const rowLength = SAMPLES * CHANNELS;

function paths(file: string) {
  const base = file.replace(/\.(json|f32)$/, '');
  return { json: `${base}.json`, f32: `${base}.f32` };
}

export function saveReadoutSet(file: string, header: ReadoutSetHeader, rows: Float32Array[]): void {
  if (rows.length !== header.ecg_ids.length)
    throw new ReadoutSetError(`${rows.length} rows for ${header.ecg_ids.length} records`);
  const p = paths(file);
  mkdirSync(dirname(p.json), { recursive: true });
  // one float32 array written as its bytes, as loadReadoutSet views them (little-endian, as every platform Node
  // and numpy's "<f4" here run on)
  const all = new Float32Array(rows.length * rowLength);
  rows.forEach((r, i) => {
    if (r.length !== rowLength) throw new ReadoutSetError(`row ${i}: ${r.length} values, expected ${rowLength}`);
    all.set(r, i * rowLength);
  });
  writeFileSync(`${p.f32}.tmp`, new Uint8Array(all.buffer));
  renameSync(`${p.f32}.tmp`, p.f32);
  writeFileSync(`${p.json}.tmp`, JSON.stringify(header) + '\n');
  renameSync(`${p.json}.tmp`, p.json);
}

export interface ReadoutSetWant {
  style: string;
  seed: number;
  /** the records wanted, in order; left out, a set of any records is judged on how its readings were made */
  ecgIds?: number[];
  sourcesSha256: string;
}

/** Why a kept set cannot stand for a fresh reading (of exactly `ecgIds`, where given), or null when it can. */
export function readoutSetMismatch(h: ReadoutSetHeader, want: ReadoutSetWant): string | null {
  if (h.format !== READOUT_SET_FORMAT) return `format ${h.format}, not ${READOUT_SET_FORMAT}`;
  if (h.input_format !== SIGNAL_FORMAT || h.samples !== SAMPLES || h.channels !== CHANNELS)
    return `input ${h.input_format} ${h.samples}x${h.channels}, the signal input is ${SIGNAL_FORMAT} ${SAMPLES}x${CHANNELS}`;
  if (h.style !== want.style) return `style ${h.style}, not ${want.style}`;
  if (h.seed !== want.seed) return `seed ${h.seed}, not ${want.seed}`;
  if (h.sources_sha256 !== want.sourcesSha256) return 'made by other digitiser, renderer or segmenter sources';
  const ids = want.ecgIds;
  if (ids && (h.ecg_ids.length !== ids.length || h.ecg_ids.some((id, i) => id !== ids[i])))
    return `other records (${h.ecg_ids.length} kept, ${ids.length} wanted)`;
  return null;
}

/** The kept set at FILE, or null where there is none; throws where it is there but damaged. */
export function loadReadoutSet(file: string): { header: ReadoutSetHeader; rows: Float32Array[] } | null {
  const p = paths(file);
  if (!existsSync(p.json) || !existsSync(p.f32)) return null;
  const header = JSON.parse(readFileSync(p.json, 'utf8')) as ReadoutSetHeader;
  const buf = readFileSync(p.f32);
  const n = header.ecg_ids?.length ?? -1;
  if (buf.length !== n * rowLength * 4)
    throw new ReadoutSetError(`${p.f32}: ${buf.length} bytes, the header's ${n} records need ${n * rowLength * 4}`);
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  const rows = Array.from({ length: n }, (_, i) => all.subarray(i * rowLength, (i + 1) * rowLength));
  return { header, rows };
}
