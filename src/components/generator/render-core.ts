/**
 * What the generator's Web Worker does (and the main thread, when a worker cannot start): fetch one sample
 * record's WFDB files, parse them, render, hash and time renders. Uses the same pure modules as Node, so the
 * bytes match the CLI's and the golden tests'.
 */
import { parseDat, parseHeader } from '../../lib/ptbxl/wfdb';
import type { EcgSignals } from '../../lib/ptbxl/types';
import { renderToGoldenHash, renderWithInfo } from '../../lib/render/index';
import type { RasterImage, RenderInfo, RenderOptions } from '../../lib/render/types';

export interface RecordRef {
  ecgId: number;
  /** Absolute URLs of the record's .hea and .dat files. */
  hea: string;
  dat: string;
}

export type CoreRequest =
  | { kind: 'render'; rec: RecordRef; options: RenderOptions }
  | { kind: 'hash'; rec: RecordRef; options: RenderOptions }
  | { kind: 'bench'; rec: RecordRef; options: RenderOptions; runs: number; warmup: number };

export type CoreResult =
  | { kind: 'render'; images: RasterImage[]; info: RenderInfo; renderMs: number; loadMs: number }
  | { kind: 'hash'; hashes: Array<{ width: number; height: number; channels: 1 | 4; sha256: string }> }
  | { kind: 'bench'; times: number[] };

const cache = new Map<number, Promise<EcgSignals>>();

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.split('/').pop()}: HTTP ${res.status} ${res.statusText}`.trim());
  return new Uint8Array(await res.arrayBuffer());
}

/** Fetches and parses a record once (later calls reuse it). */
export function loadRecord(rec: RecordRef): Promise<EcgSignals> {
  let p = cache.get(rec.ecgId);
  if (!p) {
    p = (async () => {
      const [heaBytes, dat] = await Promise.all([fetchBytes(rec.hea), fetchBytes(rec.dat)]);
      const heaName = rec.hea.split('/').pop() ?? 'record.hea';
      const header = parseHeader(new TextDecoder().decode(heaBytes), heaName);
      return parseDat(dat, header, rec.dat.split('/').pop() ?? 'record.dat');
    })();
    p.catch(() => cache.delete(rec.ecgId));
    if (cache.size > 24) cache.clear();
    cache.set(rec.ecgId, p);
  }
  return p;
}

export async function runCore(req: CoreRequest): Promise<CoreResult> {
  const t0 = performance.now();
  const signals = await loadRecord(req.rec);
  const loadMs = performance.now() - t0;
  if (req.kind === 'hash') return { kind: 'hash', hashes: renderToGoldenHash(signals, req.options) };
  if (req.kind === 'bench') {
    // consecutive seeds: for the styles whose seed draws the picture (photo, wild) the cost varies with it
    const seeded = (i: number): RenderOptions => ({ ...req.options, seed: ((req.options.seed ?? 0) + i) >>> 0 });
    for (let i = 0; i < req.warmup; i++) renderWithInfo(signals, seeded(req.runs + i));
    const times: number[] = [];
    for (let i = 0; i < req.runs; i++) {
      const s = performance.now();
      renderWithInfo(signals, seeded(i));
      times.push(performance.now() - s);
    }
    return { kind: 'bench', times };
  }
  const s = performance.now();
  const { images, info } = renderWithInfo(signals, req.options);
  const renderMs = performance.now() - s;
  return { kind: 'render', images, info, renderMs, loadMs };
}
