/**
 * Static smoke test of a built site, as GitHub Pages will serve it: every internal href/src/srcset in every
 * HTML page must resolve to a file in dist/, honouring the base path, fragment links must name an id, and every
 * file the service worker precaches must exist. `npm run smoke` (scripts/smoke.ts) builds as the deploy
 * workflow does and runs this.
 *
 *   npx tsx scripts/smoke-dist.ts [DIST] [BASE_PATH]
 */
import { decodeEntities } from './lib/html';
import fs from 'node:fs';
import path from 'node:path';
import { defineCli, parseCli } from './lib/cli';

export interface SmokeProblem {
  page: string;
  url: string;
  problem: string;
}

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The file a URL path maps to inside dist (directory index, or `.html` twin), or null. */
function resolveFile(dist: string, urlPath: string): string | null {
  const rel = decodeURIComponent(urlPath).replace(/^\/+/, '');
  const candidates = [path.join(dist, rel), path.join(dist, rel, 'index.html'), path.join(dist, `${rel}.html`)];
  for (const c of candidates) if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  return null;
}

function ids(html: string): Set<string> {
  return new Set([...html.matchAll(/\sid=["']([^"']+)["']/g)].map((m) => decodeEntities(m[1]!)));
}

export function smokeDist(dist: string, base: string): { pages: number; links: number; problems: SmokeProblem[] } {
  const basePath = `/${base.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  const pages = walk(dist).filter((f) => f.endsWith('.html'));
  const problems: SmokeProblem[] = [];
  let links = 0;
  for (const page of pages) {
    const html = fs.readFileSync(page, 'utf8');
    const pageUrl = '/' + path.relative(dist, page).split(path.sep).join('/');
    const pageIds = ids(html);
    const urls = [
      ...[...html.matchAll(/\s(?:href|src|poster|data-src)=["']([^"']*)["']/g)].map((m) => m[1]!),
      ...[...html.matchAll(/\ssrcset=["']([^"']*)["']/g)].flatMap((m) =>
        m[1]!.split(',').map((s) => s.trim().split(/\s+/)[0]!),
      ),
    ].map(decodeEntities);
    for (const raw of urls) {
      if (!raw || /^(https?:|mailto:|data:|blob:|javascript:)/i.test(raw)) continue;
      links++;
      if (raw.startsWith('#')) {
        if (raw.length > 1 && !pageIds.has(decodeURIComponent(raw.slice(1)))) {
          problems.push({ page: pageUrl, url: raw, problem: 'fragment names no id on the page' });
        }
        continue;
      }
      const u = new URL(raw, `http://site${basePath}${pageUrl.replace(/index\.html$/, '')}`);
      if (basePath && !u.pathname.startsWith(`${basePath}/`) && u.pathname !== basePath) {
        problems.push({ page: pageUrl, url: raw, problem: `ignores the base path ${basePath}` });
        continue;
      }
      const file = resolveFile(dist, u.pathname.slice(basePath.length));
      if (!file) {
        problems.push({ page: pageUrl, url: raw, problem: 'no such file in the build' });
        continue;
      }
      if (u.hash.length > 1 && file.endsWith('.html')) {
        const target = ids(fs.readFileSync(file, 'utf8'));
        if (!target.has(decodeURIComponent(u.hash.slice(1)))) {
          problems.push({ page: pageUrl, url: raw, problem: 'fragment names no id on the target page' });
        }
      }
    }
  }
  problems.push(...checkServiceWorker(dist));
  return { pages: pages.length, links, problems };
}

/** Every file the service worker (sw.js, see scripts/service-worker.ts) precaches must exist, or its install fails. */
export function checkServiceWorker(dist: string): SmokeProblem[] {
  const sw = path.join(dist, 'sw.js');
  if (!fs.existsSync(sw)) return [];
  const m = /const PRECACHE = (\[[\s\S]*?\]);/.exec(fs.readFileSync(sw, 'utf8'));
  if (!m) return [{ page: '/sw.js', url: 'PRECACHE', problem: 'sw.js has no precache list' }];
  return (JSON.parse(m[1]!) as string[])
    .filter((u) => !resolveFile(dist, u))
    .map((u) => ({ page: '/sw.js', url: u, problem: 'precached by the service worker but not in the build' }));
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const cli = defineCli({
    command: 'npx tsx scripts/smoke-dist.ts',
    summary: 'Checks a built site: internal links and assets under the base path, fragments, the service worker list.',
    options: {},
    positionals: '[DIST (default dist)] [BASE (default $BASE_PATH or /heartnet-notebook)]',
  });
  const [dist = 'dist', base = process.env.BASE_PATH ?? '/heartnet-notebook'] = parseCli(
    cli,
    process.argv.slice(2),
  ).positionals;
  if (!fs.existsSync(dist)) {
    console.error(`smoke-dist: ${dist} does not exist; run \`npm run build\` first`);
    process.exit(2);
  }
  const { pages, links, problems } = smokeDist(dist, base);
  for (const p of problems) console.error(`BROKEN ${p.page}: ${p.url} (${p.problem})`);
  console.log(`smoke-dist: ${pages} pages, ${links} internal links/assets checked, ${problems.length} broken`);
  process.exit(problems.length ? 1 : 0);
}
