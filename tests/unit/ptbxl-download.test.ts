import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, downloadVerified, parseSha256Sums } from '../../scripts/lib/download';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// Fake PhysioNet: a few files, Range support, a log of requests, and switches for misbehaviour.
const files = new Map<string, Buffer>([
  ['ptbxl_database.csv', Buffer.from('ecg_id,strat_fold\n1,3\n')],
  ['records100/00000/00001_lr.hea', Buffer.from('00001_lr 12 100 1000\n')],
  ['records100/00000/00001_lr.dat', Buffer.from(Array.from({ length: 24000 }, (_, i) => (i * 7) & 0xff))],
  ['records100/00000/00002_lr.dat', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 13) & 0xff))],
]);
const sumsText = [...files].map(([p, b]) => `${sha(b)}  ${p}`).join('\n') + '\n';
files.set('SHA256SUMS.txt', Buffer.from(sumsText));
const served = { corrupt: new Set<string>(), ignoreRange: false };
const requests: Array<{ path: string; range: string | undefined }> = [];
let server: Server;
let base: string;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const p = decodeURIComponent((req.url ?? '/').replace(/^\/files\/ptb-xl\/1\.0\.1\//, ''));
    requests.push({ path: p, range: req.headers.range });
    let body = files.get(p);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    if (served.corrupt.has(p)) {
      body = Buffer.from(body);
      body[body.length - 1] = body[body.length - 1]! ^ 0xff;
    }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !served.ignoreRange) {
      const start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, {
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
        'content-length': body.length - start,
      });
      res.end(body.subarray(start));
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/ptb-xl/1.0.1/`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = mkdtempSync(path.join(tmpdir(), 'ptbxl-dl-'));
  requests.length = 0;
  served.corrupt.clear();
  served.ignoreRange = false;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sums = parseSha256Sums(sumsText);
const wanted = [
  'ptbxl_database.csv',
  'records100/00000/00001_lr.hea',
  'records100/00000/00001_lr.dat',
  'records100/00000/00002_lr.dat',
];
const local = (p: string) => path.join(dir, ...p.split('/'));

describe('parseSha256Sums', () => {
  it('reads sha256sum output (text and binary mode) and rejects junk', () => {
    const h = 'a'.repeat(64);
    expect([...parseSha256Sums(`${h}  a/b.dat\n${h.toUpperCase()} *./c.hea\n\n`)]).toEqual([
      ['a/b.dat', h],
      ['c.hea', h],
    ]);
    expect(() => parseSha256Sums('xyz  file\n', 'S.txt')).toThrow('S.txt: line 1: not "<sha256>  <path>"');
  });
});

describe('downloadVerified against a local HTTP server', () => {
  it('downloads, verifies and lays files out like the remote, in parallel', async () => {
    const ticks: string[] = [];
    const r = await downloadVerified({
      baseUrl: base,
      destDir: dir,
      files: wanted,
      sums,
      concurrency: 3,
      onFile: (f, o) => ticks.push(`${o}:${f}`),
    });
    expect(r.downloaded.sort()).toEqual([...wanted].sort());
    expect(r.skipped).toEqual([]);
    expect(r.bytes).toBe(wanted.reduce((n, f) => n + files.get(f)!.length, 0));
    for (const f of wanted) expect(readFileSync(local(f)).equals(files.get(f)!)).toBe(true);
    for (const f of wanted) expect(existsSync(`${local(f)}.part`)).toBe(false);
    expect(ticks).toHaveLength(4);
  });

  it('is idempotent: verified files are skipped without any request', async () => {
    await downloadVerified({ baseUrl: base, destDir: dir, files: wanted, sums });
    requests.length = 0;
    const r = await downloadVerified({ baseUrl: base, destDir: dir, files: wanted, sums });
    expect(r.skipped.sort()).toEqual([...wanted].sort());
    expect(r.downloaded).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('re-fetches a file present with the wrong content', async () => {
    const f = 'records100/00000/00001_lr.hea';
    mkdirSync(path.dirname(local(f)), { recursive: true });
    writeFileSync(local(f), 'garbage');
    const r = await downloadVerified({ baseUrl: base, destDir: dir, files: [f], sums });
    expect(r.downloaded).toEqual([f]);
    expect(readFileSync(local(f)).equals(files.get(f)!)).toBe(true);
  });

  it('resumes from a .part file with an HTTP Range request', async () => {
    const f = 'records100/00000/00001_lr.dat';
    const full = files.get(f)!;
    mkdirSync(path.dirname(local(f)), { recursive: true });
    writeFileSync(`${local(f)}.part`, full.subarray(0, 10000));
    const r = await downloadVerified({ baseUrl: base, destDir: dir, files: [f], sums });
    expect(r.resumed).toEqual([f]);
    expect(r.bytes).toBe(full.length - 10000);
    expect(requests).toEqual([{ path: f, range: 'bytes=10000-' }]);
    expect(readFileSync(local(f)).equals(full)).toBe(true);
    expect(existsSync(`${local(f)}.part`)).toBe(false);
  });

  it('starts over when the server ignores Range', async () => {
    served.ignoreRange = true;
    const f = 'records100/00000/00002_lr.dat';
    mkdirSync(path.dirname(local(f)), { recursive: true });
    writeFileSync(`${local(f)}.part`, files.get(f)!.subarray(0, 100));
    await downloadVerified({ baseUrl: base, destDir: dir, files: [f], sums });
    expect(readFileSync(local(f)).equals(files.get(f)!)).toBe(true);
  });

  it('finishes a .part that is already complete (416) and restarts a bad one', async () => {
    const f = 'records100/00000/00002_lr.dat';
    mkdirSync(path.dirname(local(f)), { recursive: true });
    writeFileSync(`${local(f)}.part`, files.get(f)!);
    const r = await downloadVerified({ baseUrl: base, destDir: dir, files: [f], sums });
    expect(r.resumed).toEqual([f]);
    expect(requests.map((q) => q.range)).toEqual(['bytes=5000-']);

    // a corrupt partial file (right length, wrong bytes): rejected, removed, fetched again from zero
    rmSync(local(f));
    const bad = Buffer.from(files.get(f)!);
    bad[0] = bad[0]! ^ 1;
    writeFileSync(`${local(f)}.part`, bad.subarray(0, 4000));
    requests.length = 0;
    await downloadVerified({ baseUrl: base, destDir: dir, files: [f], sums });
    expect(requests.map((q) => q.range)).toEqual(['bytes=4000-', undefined]);
    expect(readFileSync(local(f)).equals(files.get(f)!)).toBe(true);
  });

  it('fails on a checksum mismatch, leaving nothing behind', async () => {
    const f = 'records100/00000/00001_lr.dat';
    served.corrupt.add(f);
    const p = downloadVerified({ baseUrl: base, destDir: dir, files: [f, 'ptbxl_database.csv'], sums, attempts: 2 });
    await expect(p).rejects.toThrow(DownloadError);
    await expect(p).rejects.toThrow(
      /1 download\(s\) failed:\n {2}http:\/\/127\.0\.0\.1:\d+\/files\/ptb-xl\/1\.0\.1\/records100\/00000\/00001_lr\.dat: SHA-256 mismatch/,
    );
    expect(requests.filter((q) => q.path === f)).toHaveLength(2);
    expect(existsSync(local(f))).toBe(false);
    expect(existsSync(`${local(f)}.part`)).toBe(false);
    expect(existsSync(local('ptbxl_database.csv'))).toBe(true); // the others still arrive
  });

  it('reports HTTP errors and refuses files without a checksum', async () => {
    const extra = new Map(sums);
    extra.set('nope.txt', 'b'.repeat(64));
    await expect(downloadVerified({ baseUrl: base, destDir: dir, files: ['nope.txt'], sums: extra })).rejects.toThrow(
      /nope\.txt: HTTP 404/,
    );
    expect(requests).toHaveLength(1); // no retries on 404
    await expect(downloadVerified({ baseUrl: base, destDir: dir, files: ['unlisted.dat'], sums })).rejects.toThrow(
      'unlisted.dat: no SHA-256 listed for it; refusing to download unverified',
    );
  });
});
