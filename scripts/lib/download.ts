/**
 * Verified, resumable, parallel HTTPS downloads (used by `npm run setup` to fetch PTB-XL from PhysioNet).
 * Each file goes to `<dest>.part` first (resumed with an HTTP Range request when a partial file exists), is checked
 * against its SHA-256 and only then renamed into place. Files already present with the right hash are skipped.
 */
import { errorMessage } from '../../src/lib/errors';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Parses a `sha256sum`-style file ("<hex>  <path>" or "<hex> *<path>") into path -> lowercase hex. */
export function parseSha256Sums(text: string, fileName = 'SHA256SUMS.txt'): Map<string, string> {
  const sums = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+)$/.exec(line);
    if (!m) throw new Error(`${fileName}: line ${i + 1}: not "<sha256>  <path>"`);
    sums.set(m[2]!.replace(/^\.\//, ''), m[1]!.toLowerCase());
  });
  return sums;
}

/** SHA-256 (hex) of a file on disk. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadOptions {
  /** Base URL, e.g. `https://physionet.org/files/ptb-xl/1.0.1/` (a trailing slash is added if missing). */
  baseUrl: string;
  /** Local folder mirroring the remote layout. */
  destDir: string;
  /** Remote paths relative to `baseUrl`, e.g. `records100/00000/00001_lr.dat`. */
  files: readonly string[];
  /** Expected SHA-256 per path; a path without an entry is refused. */
  sums: ReadonlyMap<string, string>;
  /** Parallel downloads (default 4). */
  concurrency?: number;
  /** Attempts per file for network errors and bad checksums (default 3). */
  attempts?: number;
  /** Injected for tests; defaults to global fetch. */
  fetchImpl?: typeof fetch;
  /** Called after each file (skipped or fetched) and with streamed byte counts. */
  onFile?: (file: string, outcome: 'skipped' | 'downloaded' | 'resumed') => void;
  onBytes?: (bytes: number) => void;
}

export interface DownloadResult {
  skipped: string[];
  downloaded: string[];
  /** Subset of `downloaded` that continued an existing `.part` file. */
  resumed: string[];
  bytes: number;
}

/** Downloads one file into `dest` (via `dest.part`), resuming and verifying. Returns whether it resumed. */
async function fetchOne(
  url: string,
  dest: string,
  expected: string,
  opts: DownloadOptions,
  counters: { bytes: number },
): Promise<'downloaded' | 'resumed'> {
  const doFetch = opts.fetchImpl ?? fetch;
  const part = `${dest}.part`;
  await mkdir(path.dirname(dest), { recursive: true });
  let offset = existsSync(part) ? (await stat(part)).size : 0;
  const resumedFrom = offset;
  const headers: Record<string, string> = {};
  if (offset > 0) headers.Range = `bytes=${offset}-`;
  const res = await doFetch(url, { headers });
  if (res.status === 416 && offset > 0) {
    // The partial file is already complete (or longer than the remote one): verify it below as is.
    await res.body?.cancel();
  } else if (res.status === 200 || (res.status === 206 && offset > 0)) {
    if (res.status === 206) {
      const range = res.headers.get('content-range') ?? '';
      const m = /^bytes (\d+)-/.exec(range);
      if (!m || Number(m[1]) !== offset) {
        await res.body?.cancel();
        throw new DownloadError(`${url}: server answered Range bytes=${offset}- with "${range}"`);
      }
    } else {
      offset = 0; // server ignored the Range header: start over
    }
    if (!res.body) throw new DownloadError(`${url}: empty response body`);
    const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w' });
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      counters.bytes += chunk.length;
      opts.onBytes?.(chunk.length);
    });
    await pipeline(body, out);
  } else {
    await res.body?.cancel();
    throw new DownloadError(`${url}: HTTP ${res.status} ${res.statusText}`);
  }
  const actual = await sha256File(part);
  if (actual !== expected) {
    await rm(part, { force: true });
    throw new DownloadError(`${url}: SHA-256 mismatch (expected ${expected}, got ${actual}); partial file removed`);
  }
  await rename(part, dest);
  return resumedFrom > 0 ? 'resumed' : 'downloaded';
}

/**
 * Makes every file of `opts.files` present under `opts.destDir` with its expected SHA-256. Existing verified files are
 * skipped; existing files with a wrong hash are fetched again. Throws `DownloadError` naming the files that failed.
 */
export async function downloadVerified(opts: DownloadOptions): Promise<DownloadResult> {
  const base = opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`;
  const attempts = Math.max(1, opts.attempts ?? 3);
  const result: DownloadResult = { skipped: [], downloaded: [], resumed: [], bytes: 0 };
  const counters = { bytes: 0 };
  const failures: string[] = [];
  for (const f of opts.files) {
    if (!opts.sums.has(f)) throw new DownloadError(`${f}: no SHA-256 listed for it; refusing to download unverified`);
  }
  const queue = [...opts.files];
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const expected = opts.sums.get(file)!;
      const dest = path.join(opts.destDir, ...file.split('/'));
      if (existsSync(dest)) {
        if ((await sha256File(dest)) === expected) {
          result.skipped.push(file);
          opts.onFile?.(file, 'skipped');
          continue;
        }
        await rm(dest, { force: true });
      }
      let lastError: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const outcome = await fetchOne(
            base + file.split('/').map(encodeURIComponent).join('/'),
            dest,
            expected,
            opts,
            counters,
          );
          result.downloaded.push(file);
          if (outcome === 'resumed') result.resumed.push(file);
          opts.onFile?.(file, outcome);
          lastError = undefined;
          break;
        } catch (err) {
          lastError = err;
          if (err instanceof DownloadError && /HTTP 4\d\d/.test(err.message) && !/HTTP 416/.test(err.message)) break;
        }
      }
      if (lastError !== undefined) failures.push(errorMessage(lastError));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  result.bytes = counters.bytes;
  if (failures.length) {
    throw new DownloadError(
      `${failures.length} download(s) failed:\n  ${failures.slice(0, 10).join('\n  ')}${failures.length > 10 ? '\n  ...' : ''}`,
    );
  }
  return result;
}
