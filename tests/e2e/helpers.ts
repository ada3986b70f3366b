/**
 * Shared helpers of the issue-#7 specs (security, offline, a11y): a real EKG image to upload, drawn by the site's
 * own renderer from a test-fold sample record, and the demo's upload/wait routine.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';

export const DIST = process.env.E2E_DIST ?? 'dist';

const cached = new Map<string, string>();

/** A PNG of the first fold-10 sample record (dataset2 style unless told), written once per worker to a temp dir. */
export async function sampleEkgPng(style: 'dataset2' | 'printout' = 'dataset2'): Promise<string> {
  const hit = cached.get(style);
  if (hit) return hit;
  const index = 'public/samples/index.json';
  if (!existsSync(index)) throw new Error('public/samples is missing: run `npm run setup` first');
  const { render, toRgba } = await import('../../src/lib/render/index');
  const { encodePng } = await import('../../src/lib/render/png');
  const { parseHeader, parseDat } = await import('../../src/lib/ptbxl/wfdb');
  const j = JSON.parse(readFileSync(index, 'utf8')) as {
    records: Array<{ ecgId: number; stratFold?: number; fold?: number; hea: string; dat: string }>;
  };
  const r = j.records.find((x) => (x.stratFold ?? x.fold) === 10) ?? j.records[0]!;
  const header = parseHeader(readFileSync(path.join('public/samples', r.hea), 'utf8'), r.hea);
  const signals = parseDat(new Uint8Array(readFileSync(path.join('public/samples', r.dat))), header, r.dat);
  const [img] = render(signals, { style, seed: r.ecgId });
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'heartnet-e2e-')), `${r.ecgId}-${style}.png`);
  writeFileSync(file, encodePng(toRgba(img!)));
  cached.set(style, file);
  return file;
}

/**
 * Bytes as base64, for handing pixels to page.evaluate: a JSON array of every channel value of a picture takes
 * Playwright many times longer (decode parity took 1.8 min that way). The page decodes with atob.
 */
export function base64Of(bytes: Uint8Array | Uint8ClampedArray): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export interface Reading {
  state: string;
  probability?: number;
  text: string;
}

/** Waits for the demo to finish one more classification than `before` and returns its result. */
export async function waitReading(page: Page, before: number): Promise<Reading> {
  await page.waitForFunction(
    (b) => Number(document.querySelector('heartnet-classifier')?.getAttribute('data-seq') ?? 0) > b,
    before,
    { timeout: 120_000 },
  );
  return page.locator('[data-clf-result]').evaluate((r: HTMLElement) => ({
    state: r.dataset.state ?? '',
    probability: r.dataset.probability === undefined ? undefined : Number(r.dataset.probability),
    text: r.querySelector('[data-clf-reading]')?.textContent ?? '',
  }));
}

export async function classifierSeq(page: Page): Promise<number> {
  return Number((await page.locator('heartnet-classifier').getAttribute('data-seq')) ?? 0);
}

/** Uploads `file` through the demo's file input and waits for its reading. */
export async function uploadToDemo(page: Page, file: string): Promise<Reading> {
  const before = await classifierSeq(page);
  await page.locator('[data-clf-file]').setInputFiles(file);
  return waitReading(page, before);
}

/** Every HTML page of the build, as a URL path relative to the base ("", "chapters/data/", "404.html"). */
export function builtPages(dist = DIST): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.html'))
        out.push(path.relative(dist, path.join(dir, e.name)).split(path.sep).join('/'));
    }
  };
  walk(dist);
  return out
    .map((f) => (f === 'index.html' ? '' : f.endsWith('/index.html') ? f.slice(0, -'index.html'.length) : f))
    .sort();
}
