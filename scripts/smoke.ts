/**
 * Deploy smoke test: builds the site exactly as .github/workflows/deploy.yml does (`npm run build`, which runs
 * `npm run setup` and `astro build`, with SITE_URL and BASE_PATH set as on GitHub Pages), then crawls the result
 * with scripts/smoke-dist.ts: every internal link and asset resolves under the base path, every fragment names an
 * id, and every file the service worker precaches exists.
 *
 *   npm run smoke                                   # build into build/smoke-dist under /heartnet-notebook, check it
 *   npm run smoke -- --base /my-repo                # as the workflow would for a repository named my-repo
 *   npm run smoke -- --dist dist --base /my-repo    # check an existing build only (the workflow, after its build)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { defineCli, parseCli } from './lib/cli';
import { smokeDist } from './smoke-dist';

export const SMOKE_CLI = defineCli({
  command: 'npm run smoke --',
  summary:
    'Builds the site as the deploy workflow does (or takes --dist) and checks links, assets and the service worker.',
  options: {
    dist: { type: 'string', value: 'DIR', help: 'check this existing build instead of building one' },
    base: {
      type: 'string',
      value: 'PATH',
      default: process.env.BASE_PATH ?? '/heartnet-notebook',
      help: 'base path (env BASE_PATH)',
    },
    out: { type: 'string', value: 'DIR', default: 'build/smoke-dist', help: 'where to build' },
  },
});

function main(): number {
  const { values } = parseCli(SMOKE_CLI, process.argv.slice(2));
  let dist = values.dist ?? null;
  const { base, out } = values;
  if (!dist) {
    const repo = base.replace(/^\/+|\/+$/g, '');
    const env = {
      ...process.env,
      BASE_PATH: base,
      SITE_URL: process.env.SITE_URL ?? `https://${repo || 'heartnet-notebook'}.github.io`,
    };
    console.log(
      `smoke: npm run build -- --outDir ${out}   (BASE_PATH=${env.BASE_PATH} SITE_URL=${env.SITE_URL}, as the deploy workflow)`,
    );
    fs.rmSync(out, { recursive: true, force: true });
    execFileSync('npm', ['run', 'build', '--', '--outDir', out], { stdio: 'inherit', env });
    dist = out;
  }
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    console.error(`smoke: ${dist}/index.html does not exist`);
    return 2;
  }
  const { pages, links, problems } = smokeDist(dist, base);
  for (const p of problems) console.error(`BROKEN ${p.page}: ${p.url} (${p.problem})`);
  console.log(
    `smoke: ${dist} under ${base}: ${pages} pages, ${links} internal links/assets checked, ${problems.length} broken`,
  );
  return problems.length ? 1 : 0;
}

process.exit(main());
