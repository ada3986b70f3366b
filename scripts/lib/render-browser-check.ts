/**
 * Developer check: does Chromium draw the same bytes as Node? Bundles the renderer with esbuild, renders
 * PTB-XL records in every style in headless Chromium (/usr/bin/chromium, via Playwright) and in Node, and
 * compares the sha256 of every image.
 *
 *   npx tsx scripts/lib/render-browser-check.ts [--ids 1,9001] [--seed 7]
 *
 * Exit status 1 when any hash differs. (A Playwright e2e test can do the same through a site page using
 * `renderToGoldenHash` and tests/fixtures/render/golden.json.)
 */
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import path from 'node:path';
import { readRecord, resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import { renderToGoldenHash, STYLE_NAMES } from '../../src/lib/render/index';
import { defineCli, parseCli } from './cli';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

const CHECK_CLI = defineCli({
  command: 'npx tsx scripts/lib/render-browser-check.ts',
  summary: 'Renders records in Chromium (the bundled renderer) and in Node, and compares the bytes of every style.',
  options: {
    ids: { type: 'string', value: 'LIST', default: '1,9001', help: 'ecg_ids, comma-separated' },
    seed: { type: 'string', value: 'S', default: '7', help: 'render seed' },
  },
});
const { values } = parseCli(CHECK_CLI, process.argv.slice(2));
const ids = values.ids.split(',').map(Number);
const seed = Number(values.seed);

const entry = `
  import { renderToGoldenHash, STYLE_NAMES } from ${JSON.stringify(path.join(ROOT, 'src/lib/render/index.ts'))};
  globalThis.heartnetRenderHashes = (signals, seed, ecgId) => {
    const s = { ...signals, leads: signals.leads.map((l) => Float32Array.from(l)) };
    const out = {};
    for (const style of STYLE_NAMES) out[style] = renderToGoldenHash(s, { style, seed, ecgId }).map((h) => h.sha256);
    return out;
  };`;
const bundle = await build({
  stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' },
  bundle: true,
  format: 'iife',
  write: false,
  logLevel: 'warning',
});
const code = bundle.outputFiles[0]!.text;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
let failures = 0;
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><title>render check</title>');
  await page.addScriptTag({ content: code });
  console.log(`Chromium ${browser.version()} vs Node ${process.version}`);
  for (const id of ids) {
    const signals = await readRecord(resolvePtbxlDir(), id);
    const plain = {
      samplingRate: signals.samplingRate,
      leadNames: signals.leadNames,
      leads: signals.leads.map((l) => Array.from(l)),
    };
    const inChrome = (await page.evaluate(
      ([s, sd, i]) =>
        (
          globalThis as unknown as { heartnetRenderHashes: (a: unknown, b: number, c: number) => unknown }
        ).heartnetRenderHashes(s, sd, i),
      [plain, seed, id] as const,
    )) as Record<string, string[]>;
    for (const style of STYLE_NAMES) {
      const inNode = renderToGoldenHash(signals, { style, seed, ecgId: id }).map((h) => h.sha256);
      const same = JSON.stringify(inNode) === JSON.stringify(inChrome[style]);
      if (!same) failures++;
      console.log(`ecg_id ${id} ${style.padEnd(9)} ${same ? 'same bytes' : 'DIFFERENT'}  ${inNode[0]!.slice(0, 16)}`);
    }
  }
} finally {
  await browser.close();
}
if (failures > 0) {
  console.error(`${failures} image set(s) differ between Node and Chromium`);
  process.exit(1);
}
