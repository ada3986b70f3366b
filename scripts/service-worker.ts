/**
 * Build-time generation of the offline service worker (dist/sw.js) from scripts/sw-template.js.
 *
 * `precachePlan(dist)` decides what a first visit caches for offline use: every page, every script, style and
 * WASM binary the pages or the demo load, the demo's models (the ones its <heartnet-classifier> is configured with:
 * the image model, the EKG check, the signal model, the trace segmenter),
 * the sample index and the sample records the pages open with (the generators' initial record and the demo's sample
 * buttons). Left out, and cached on first use instead: the other sample records (2.8 MB in all), the other exported
 * models, TF.js's multi-threaded WASM build (it needs cross-origin isolation, which GitHub Pages cannot give) and
 * the models' parity.json (a test file the demo never reads).
 * The cache version is a hash of the precached files' paths and contents and of the template.
 *
 * `serviceWorker()` is the Astro integration (astro.config.mjs) that writes sw.js after every `astro build`.
 * The worker is registered by src/layouts/sw-register.ts (production builds only).
 */
import { decodeEntities } from './lib/html';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { pickDemoSamples } from '../src/lib/demo-samples';

const TEMPLATE = fileURLToPath(new URL('./sw-template.js', import.meta.url));

export interface PrecachePlan {
  /** URLs relative to the base path ("" is the home page, "chapters/data/" a chapter). */
  urls: string[];
  /** The files behind them, relative to dist. */
  files: string[];
  bytes: number;
  version: string;
}

function walk(dir: string, root = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, root) : [path.relative(root, full).split(path.sep).join('/')];
  });
}

interface SampleRecord {
  ecgId: number;
  mi: boolean;
  hea: string;
  dat: string;
}

/** Sample records some page shows without being asked: generators' initial records and the demo's buttons. */
function recordsShownByDefault(dist: string, htmlFiles: string[]): string[] {
  const indexFile = path.join(dist, 'samples', 'index.json');
  if (!fs.existsSync(indexFile)) return [];
  const records = (JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { records: SampleRecord[] }).records ?? [];
  const wanted = new Set<SampleRecord>();
  for (const file of htmlFiles) {
    const html = fs.readFileSync(path.join(dist, file), 'utf8');
    for (const m of html.matchAll(/<heartnet-generator\b[^>]*\sdata-config="([^"]*)"/g)) {
      const config = JSON.parse(decodeEntities(m[1]!)) as { initial?: { record?: number | null } };
      const id = config.initial?.record ?? null;
      const rec = id === null ? records[0] : records.find((r) => r.ecgId === id);
      if (rec) wanted.add(rec);
    }
    if (/<heartnet-classifier\b/.test(html)) {
      for (const r of pickDemoSamples(records)) wanted.add(r); // the demo's sample buttons
    }
  }
  return [...wanted].flatMap((r) => [`samples/${r.hea}`, `samples/${r.dat}`]);
}

/** The URL (relative to the base) a file in dist is requested by. */
function urlOf(file: string): string {
  if (file === 'index.html') return '';
  if (file.endsWith('/index.html')) return file.slice(0, -'index.html'.length);
  return file;
}

/**
 * The model folders (relative to dist, ending in "/") the pages' classifiers are configured with: the image model,
 * its EKG check, the sheet-upright model, the signal model of the second reading and the digitiser's trace
 * segmenter.
 */
function demoModelDirs(dist: string, htmlFiles: string[]): Set<string> {
  const dirs = new Set<string>();
  for (const file of htmlFiles) {
    const html = fs.readFileSync(path.join(dist, file), 'utf8');
    for (const m of html.matchAll(/<heartnet-classifier\b[^>]*\sdata-config="([^"]+)"/g)) {
      const { modelUrl, gateUrl, uprightUrl, signal } = JSON.parse(decodeEntities(m[1]!)) as {
        modelUrl?: string;
        gateUrl?: string;
        uprightUrl?: string | null;
        signal?: { url?: string; segmenterUrl?: string | null } | null;
      };
      // the classifier, its EKG check, the model that turns pictures upright, the signal model the digitised leads
      // are read with and the trace segmenter the digitiser falls back on
      for (const url of [modelUrl, gateUrl, uprightUrl, signal?.url, signal?.segmenterUrl]) {
        if (!url) continue;
        const p = new URL(url, 'http://site/').pathname.split('/').filter(Boolean);
        const i = p.indexOf('models');
        const j = p.indexOf('fixture-model');
        if (i >= 0) dirs.add(`${p.slice(i).join('/')}/`);
        else if (j >= 0) dirs.add(`${p.slice(j - 1).join('/')}/`);
      }
    }
  }
  return dirs;
}

export function precachePlan(dist: string): PrecachePlan {
  const all = walk(dist).sort();
  const html = all.filter((f) => f.endsWith('.html'));
  const modelDirs = demoModelDirs(dist, html);
  const keep = (f: string): boolean => {
    if (f === 'sw.js') return false;
    if (f.endsWith('.html')) return true;
    if (f.startsWith('_assets/')) return !f.includes('threaded-simd');
    // The demo's model only (other exported models are cached if ever fetched); parity.json is for tests.
    if (f.startsWith('models/') || f.startsWith('demo/fixture-model/'))
      return [...modelDirs].some((d) => f.startsWith(d)) && !f.endsWith('/parity.json');
    if (f.startsWith('samples/')) return f === 'samples/index.json';
    return !f.includes('/'); // favicon and other top-level files
  };
  const files = [
    ...new Set([...all.filter(keep), ...recordsShownByDefault(dist, html).filter((f) => all.includes(f))]),
  ].sort();
  const hash = createHash('sha256');
  hash.update(fs.readFileSync(TEMPLATE));
  let bytes = 0;
  for (const f of files) {
    const body = fs.readFileSync(path.join(dist, f));
    bytes += body.length;
    hash.update(`${f}\0`).update(createHash('sha256').update(body).digest()).update('\0');
  }
  return { urls: files.map(urlOf), files, bytes, version: hash.digest('hex').slice(0, 16) };
}

export function renderServiceWorker(plan: Pick<PrecachePlan, 'urls' | 'version'>, base: string): string {
  const b = `/${base.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  return fs
    .readFileSync(TEMPLATE, 'utf8')
    .replace("'__VERSION__'", JSON.stringify(plan.version))
    .replace("'__BASE__'", JSON.stringify(b))
    .replace('__PRECACHE__', JSON.stringify(plan.urls, null, 1));
}

/** Writes dist/sw.js; returns the plan. */
export function writeServiceWorker(dist: string, base: string): PrecachePlan {
  const plan = precachePlan(dist);
  fs.writeFileSync(path.join(dist, 'sw.js'), renderServiceWorker(plan, base));
  return plan;
}

export function serviceWorker(): AstroIntegration {
  let base = '/';
  return {
    name: 'heartnet-service-worker',
    hooks: {
      'astro:config:done': ({ config }) => {
        base = config.base;
      },
      'astro:build:done': ({ dir, logger }) => {
        const plan = writeServiceWorker(fileURLToPath(dir), base);
        logger.info(
          `sw.js: ${plan.files.length} files (${(plan.bytes / 1024 / 1024).toFixed(2)} MB) precached, version ${plan.version}`,
        );
      },
    },
  };
}
