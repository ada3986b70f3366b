// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import { distPrune } from './scripts/dist-prune.ts';
import { serviceWorker } from './scripts/service-worker.ts';

// GitHub Pages serves a project site under /<repo>/. The deploy workflow sets SITE_URL and BASE_PATH;
// locally the same non-root base is the default, so every test exercises base-aware links.
const site = process.env.SITE_URL ?? 'https://heartnet-notebook.github.io';
const base = process.env.BASE_PATH ?? '/heartnet-notebook';

export default defineConfig({
  site,
  base,
  trailingSlash: 'ignore',
  // distPrune(): drops files no page fetches (the models' parity.json, read by tests from public/models);
  // serviceWorker(): then writes dist/sw.js (offline cache of the report and the demo) after each build.
  integrations: [mdx(), distPrune(), serviceWorker()],
  // Every stylesheet external: the Content-Security-Policy (src/lib/csp.ts) allows no inline <style>.
  build: { assets: '_assets', inlineStylesheets: 'never' },
  vite: {
    // tfjs is loaded with a dynamic import() by the demo only; keep it out of the first-load graph.
    optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
    // 0: Astro inlines no <script> (it inlines small ones below this limit) and Vite makes no data: URLs,
    // so script-src and img-src stay 'self' without hashes.
    build: { assetsInlineLimit: 0 },
  },
});
