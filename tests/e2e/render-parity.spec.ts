/**
 * Same bytes from Chromium and Node: for three sample records x every style (fixed seeds), the sha256 of every
 * image the renderer draws in the generator page (in its Web Worker, and on the main thread, the fallback
 * path) equals the hash computed here in Node from the same WFDB files with the same library.
 * The page side is the debug hook window.__heartnetGenerator.hash (src/components/generator/generator-client.ts).
 */
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDat, parseHeader } from '../../src/lib/ptbxl/wfdb';
import type { EcgSignals, SampleIndex } from '../../src/lib/ptbxl/types';
import { renderToGoldenHash, STYLE_NAMES } from '../../src/lib/render/index';
import type { StyleName } from '../../src/lib/render/types';
import type { FilterName } from '../../src/lib/signal/filters';

const ROOT = resolve(import.meta.dirname ?? __dirname, '../..');
const SAMPLES = resolve(ROOT, 'public/samples');
/** An MI record with two MI codes, a normal one, and one older than 89 with no diagnostic superclass. */
const WANTED = [1853, 472, 7221];

function sampleIndex(): SampleIndex | null {
  const f = resolve(SAMPLES, 'index.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as SampleIndex) : null;
}

function pickRecords(index: SampleIndex): number[] {
  const ids = index.records.map((r) => r.ecgId);
  const chosen = WANTED.filter((id) => ids.includes(id));
  // A different sample selection: fall back to the first MI, first non-MI and the last record.
  for (const id of [
    index.records.find((r) => r.mi)?.ecgId,
    index.records.find((r) => !r.mi)?.ecgId,
    ids[ids.length - 1],
  ]) {
    if (chosen.length >= 3) break;
    if (id !== undefined && !chosen.includes(id)) chosen.push(id);
  }
  return chosen;
}

function readSignals(index: SampleIndex, ecgId: number): EcgSignals {
  const e = index.records.find((r) => r.ecgId === ecgId)!;
  const hea = readFileSync(resolve(SAMPLES, e.hea), 'utf8');
  const header = parseHeader(hea, e.hea);
  return parseDat(new Uint8Array(readFileSync(resolve(SAMPLES, e.dat))), header, e.dat);
}

interface Case {
  ecgId: number;
  style: StyleName;
  seed: number;
  filters?: FilterName[];
}

function cases(ids: number[]): Case[] {
  const out: Case[] = [];
  ids.forEach((ecgId, i) => {
    for (const style of STYLE_NAMES) out.push({ ecgId, style, seed: [7, 12345, 4294967295][i % 3]! });
  });
  // Filters on a dataset style and off on the printout (the filter code runs in float64 on both sides).
  out.push({ ecgId: ids[0]!, style: 'dataset2', seed: 7, filters: ['baseline', 'lowpass', 'notch50', 'notch60'] });
  out.push({ ecgId: ids[1]!, style: 'printout', seed: 7, filters: [] });
  return out;
}

async function openGenerator(page: Page): Promise<void> {
  await page.goto('generator/');
  await page.waitForFunction(
    () =>
      window.__heartnetGenerator !== undefined &&
      document.querySelector('heartnet-generator')?.getAttribute('data-state') === 'ready',
  );
}

const index = sampleIndex();

test.describe('render parity: Chromium draws the same bytes as Node', () => {
  test.skip(index === null, 'public/samples/index.json is missing: run `npm run setup`');

  for (const where of ['worker', 'main'] as const) {
    test(`every style, 3 sample records (${where === 'worker' ? 'Web Worker' : 'main thread'})`, async ({ page }) => {
      test.setTimeout(240_000);
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await openGenerator(page);
      const ids = pickRecords(index!);
      expect(ids.length).toBeGreaterThanOrEqual(2);
      const signals = new Map(ids.map((id) => [id, readSignals(index!, id)]));
      const mismatches: string[] = [];
      let compared = 0;
      for (const c of cases(ids)) {
        const node = renderToGoldenHash(signals.get(c.ecgId)!, {
          style: c.style,
          seed: c.seed,
          ecgId: c.ecgId,
          ...(c.filters ? { filters: c.filters } : {}),
        });
        const browser = await page.evaluate(
          ({ c, where }) => window.__heartnetGenerator!.hash(c.ecgId, c.style, c.seed, c.filters, where),
          { c, where },
        );
        const fmt = (h: { width: number; height: number; channels: number; sha256: string }) =>
          `${h.width}x${h.height}x${h.channels}:${h.sha256}`;
        const a = node.map(fmt);
        const b = browser.map(fmt);
        compared += a.length;
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          mismatches.push(
            `record ${c.ecgId} ${c.style} seed ${c.seed}${c.filters ? ` filters ${c.filters.join(',') || 'none'}` : ''}: node ${a[0]} ... browser ${b[0] ?? '(none)'}`,
          );
        }
      }
      expect(mismatches, mismatches.join('\n')).toEqual([]);
      expect(compared).toBeGreaterThanOrEqual(ids.length * (5 + 12));
      expect(errors).toEqual([]);
    });
  }
});
