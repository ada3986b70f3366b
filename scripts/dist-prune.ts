/**
 * Build-time pruning of dist/: files that public/ must hold for the repository's own tools but that no page or
 * script of the site ever fetches. Today that is each exported model's parity.json (PyTorch logits for fixed
 * inputs, read by `npm run train`, the unit tests and `npm run bench:model` from public/models/): 1.4 MB in all,
 * which would otherwise count against the site's size budget and be deployed for nobody.
 *
 * `distPrune()` is the Astro integration (astro.config.mjs); it runs before the service worker is written, so the
 * precache never names a pruned file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** Paths under dist/ (forward slashes) that are pruned. */
export function isTestOnlyFile(rel: string): boolean {
  return /^models\/[^/]+\/parity\.json$/.test(rel);
}

/** Removes the test-only files from a built site; returns what it removed, relative to `dist`. */
export function pruneDist(dist: string): string[] {
  const models = path.join(dist, 'models');
  if (!fs.existsSync(models)) return [];
  const removed: string[] = [];
  for (const d of fs.readdirSync(models, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const rel = `models/${d.name}/parity.json`;
    if (isTestOnlyFile(rel) && fs.existsSync(path.join(dist, rel))) {
      fs.rmSync(path.join(dist, rel));
      removed.push(rel);
    }
  }
  return removed;
}

export function distPrune(): AstroIntegration {
  return {
    name: 'heartnet-dist-prune',
    hooks: {
      'astro:build:done': ({ dir, logger }) => {
        const removed = pruneDist(fileURLToPath(dir));
        if (removed.length) logger.info(`removed ${removed.length} test-only file(s): ${removed.join(', ')}`);
      },
    },
  };
}
