// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';

// GitHub Pages serves a project site under /<repo>/. The deploy workflow sets SITE_URL and BASE_PATH;
// locally the same non-root base is the default, so every test exercises base-aware links.
const site = process.env.SITE_URL ?? 'https://heartnet-notebook.github.io';
const base = process.env.BASE_PATH ?? '/heartnet-notebook';

export default defineConfig({
  site,
  base,
  trailingSlash: 'ignore',
  integrations: [mdx()],
  build: { assets: '_assets' },
  vite: {
    // tfjs is loaded with a dynamic import() by the demo only; keep it out of the first-load graph.
    optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  },
});
