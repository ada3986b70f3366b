/**
 * The static half of `npm run budget` (scripts/budget.ts): what a built site (dist/) ships, read from the files.
 *
 * - First-load JavaScript of every page, gzip: the page's <script src> and <link rel="modulepreload"> files plus
 *   everything they import statically (minified `import ... from"./x.js"` / `import"./x.js"`), and any worker
 *   script they start (`new Worker(new URL("x.js", import.meta.url))`). Dynamic `import()` chunks are not part of
 *   the first load: that is how TF.js and the model stay out of it until the demo is used.
 * - CSP: every page carries the Content-Security-Policy <meta>, without 'unsafe-eval' or 'unsafe-inline', and no
 *   inline <script>, <style> or style="" attribute (which that policy would block).
 * - Images: every <img> is SVG, WebP or AVIF and has width and height set (no layout shift, modern formats).
 * - Fonts: every @font-face in the CSS points into this site (self-hosted) at a WOFF2 file; none at all means the
 *   site uses system font stacks only.
 * - Model: the files of the model the demo page is configured with (data-config of <heartnet-classifier>).
 * - Site: all bytes in dist/.
 */
import { decodeEntities } from './html';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface PageStatic {
  /** Page URL relative to the base, e.g. "chapters/data/". */
  page: string;
  file: string;
  /** First-load JS files (relative to dist) and their gzip total. */
  js: string[];
  jsGzip: number;
  jsRaw: number;
  cssGzip: number;
  htmlGzip: number;
  problems: string[];
}

export interface StaticReport {
  pages: PageStatic[];
  fonts: { faces: number; files: string[]; note: string; problems: string[] };
  images: { count: number; problems: string[] };
  model: { dir: string | null; files: string[]; bytes: number; gzip: number };
  site: { files: number; bytes: number; gzip: number };
}

export function walk(dir: string, root = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, root) : [path.relative(root, full).split(path.sep).join('/')];
  });
}

const gzCache = new Map<string, number>();
export function gzipSize(file: string): number {
  let n = gzCache.get(file);
  if (n === undefined) {
    n = gzipSync(fs.readFileSync(file), { level: 9 }).length;
    gzCache.set(file, n);
  }
  return n;
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decodeEntities(m[2] ?? m[3] ?? m[4] ?? '') : undefined;
}

/** The file in dist a same-site URL points to, or null (external or not a file). */
export function distFileOf(dist: string, basePath: string, url: string, from = '/'): string | null {
  if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(url)) return null;
  const u = new URL(url, `http://site${from}`);
  if (!u.pathname.startsWith(basePath)) return null;
  const rel = decodeURIComponent(u.pathname.slice(basePath.length));
  for (const c of [rel, path.posix.join(rel, 'index.html')]) {
    const f = path.join(dist, c);
    if (c && fs.existsSync(f) && fs.statSync(f).isFile()) return c;
  }
  return null;
}

const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["']([^"']+\.m?js)["']/g;
const WORKER_URL = /new\s+Worker\(\s*new\s+URL\(\s*["']([^"']+\.m?js)["']\s*,\s*import\.meta\.url\s*\)/g;

/** JS files loaded on first load from the given entry files (relative to dist): static imports and workers. */
export function jsClosure(dist: string, basePath: string, entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const f = queue.shift()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const code = fs.readFileSync(path.join(dist, f), 'utf8');
    const from = `${basePath}${f}`;
    for (const re of [STATIC_IMPORT, WORKER_URL]) {
      for (const m of code.matchAll(re)) {
        const target = distFileOf(dist, basePath, m[1]!, from);
        if (target && !seen.has(target)) queue.push(target);
      }
    }
  }
  return [...seen];
}

export function pageUrlOf(file: string): string {
  if (file === 'index.html') return '';
  return file.endsWith('/index.html') ? file.slice(0, -'index.html'.length) : file;
}

export function analysePage(dist: string, basePath: string, file: string): PageStatic {
  const html = fs.readFileSync(path.join(dist, file), 'utf8');
  const from = `${basePath}${file}`;
  const problems: string[] = [];
  const entries: string[] = [];
  const css: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*>/gi)) {
    const tag = m[0];
    const src = attr(tag, 'src');
    const type = attr(tag, 'type') ?? '';
    if (src === undefined) {
      if (!/json/i.test(type)) problems.push('inline <script> (the CSP allows none)');
      continue;
    }
    const f = distFileOf(dist, basePath, src, from);
    if (f) entries.push(f);
    else problems.push(`script not in the build or from another site: ${src}`);
  }
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const rel = (attr(m[0], 'rel') ?? '').toLowerCase();
    const href = attr(m[0], 'href') ?? '';
    const f = distFileOf(dist, basePath, href, from);
    if (rel === 'modulepreload' && f) entries.push(f);
    if (rel === 'stylesheet') {
      if (f) css.push(f);
      else problems.push(`stylesheet not in the build or from another site: ${href}`);
    }
  }
  if (/<style\b/i.test(html)) problems.push('inline <style> (the CSP allows none)');
  const styleAttrs = (html.match(/<[a-z][^>]*\sstyle\s*=/gi) ?? []).length;
  if (styleAttrs) problems.push(`${styleAttrs} style="" attribute(s) (the CSP allows none)`);
  const meta = /<meta\b[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>/i.exec(html);
  if (!meta) problems.push('no Content-Security-Policy <meta>');
  else {
    const policy = attr(meta[0], 'content') ?? '';
    if (/'unsafe-eval'/.test(policy)) problems.push("CSP allows 'unsafe-eval'");
    if (/'unsafe-inline'/.test(policy)) problems.push("CSP allows 'unsafe-inline'");
    const firstScript = html.search(/<script\b|<link\b[^>]*rel=["']?(?:stylesheet|modulepreload)/i);
    if (firstScript >= 0 && firstScript < (meta.index ?? 0))
      problems.push('CSP <meta> comes after a script or stylesheet');
  }
  const js = jsClosure(dist, basePath, entries);
  return {
    page: pageUrlOf(file),
    file,
    js,
    jsGzip: js.reduce((a, f) => a + gzipSize(path.join(dist, f)), 0),
    jsRaw: js.reduce((a, f) => a + fs.statSync(path.join(dist, f)).size, 0),
    cssGzip: [...new Set(css)].reduce((a, f) => a + gzipSize(path.join(dist, f)), 0),
    htmlGzip: gzipSize(path.join(dist, file)),
    problems,
  };
}

const MODERN_IMAGE = /\.(svg|webp|avif)$/i;

export function analyseImages(
  dist: string,
  basePath: string,
  htmlFiles: string[],
): { count: number; problems: string[] } {
  const problems: string[] = [];
  let count = 0;
  for (const file of htmlFiles) {
    const html = fs.readFileSync(path.join(dist, file), 'utf8');
    for (const m of html.matchAll(/<img\b[^>]*>/gi)) {
      count++;
      const src = attr(m[0], 'src') ?? '';
      const where = `${pageUrlOf(file) || '/'} <img src="${src}">`;
      if (!MODERN_IMAGE.test(src.split(/[?#]/)[0]!)) problems.push(`${where}: not SVG, WebP or AVIF`);
      if (!attr(m[0], 'width') || !attr(m[0], 'height')) problems.push(`${where}: width and height not both set`);
      if (attr(m[0], 'alt') === undefined) problems.push(`${where}: no alt attribute`);
    }
  }
  return { count, problems };
}

export function analyseFonts(dist: string, basePath: string): StaticReport['fonts'] {
  const problems: string[] = [];
  let faces = 0;
  const cssFiles = walk(dist).filter((f) => f.endsWith('.css'));
  for (const f of cssFiles) {
    const css = fs.readFileSync(path.join(dist, f), 'utf8');
    for (const m of css.matchAll(/@font-face\s*{([^}]*)}/gi)) {
      faces++;
      for (const u of m[1]!.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
        const url = u[1]!;
        if (url.startsWith('data:')) continue;
        const target = distFileOf(dist, basePath, url, `${basePath}${f}`);
        if (!target) problems.push(`${f}: @font-face loads ${url}, which is not a file of this site`);
        else if (!/\.woff2$/i.test(target)) problems.push(`${f}: @font-face uses ${url}; ship WOFF2 (subset)`);
      }
    }
    for (const u of css.matchAll(/@import\s+(?:url\()?["']?(https?:\/\/[^"')\s]+)/gi))
      problems.push(`${f}: @import from another site: ${u[1]}`);
  }
  const files = walk(dist).filter((f) => /\.(woff2?|ttf|otf|eot)$/i.test(f));
  const note =
    faces === 0
      ? 'no @font-face: system font stacks only, nothing to self-host or subset'
      : `${faces} @font-face rule(s), all self-hosted WOFF2`;
  return { faces, files, note, problems };
}

export function analyseModel(dist: string, basePath: string, htmlFiles: string[]): StaticReport['model'] {
  for (const file of htmlFiles) {
    const html = fs.readFileSync(path.join(dist, file), 'utf8');
    const m = /<heartnet-classifier\b[^>]*\sdata-config="([^"]+)"/.exec(html);
    if (!m) continue;
    const config = JSON.parse(decodeEntities(m[1]!)) as { modelUrl?: string };
    if (!config.modelUrl) continue;
    const u = new URL(config.modelUrl, `http://site${basePath}${file}`);
    const dir = decodeURIComponent(u.pathname.slice(basePath.length)).replace(/\/?$/, '/');
    const mj = JSON.parse(fs.readFileSync(path.join(dist, dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    const files = ['metadata.json', 'model.json', ...mj.weightsManifest.flatMap((g) => g.paths)].map(
      (f) => `${dir}${f}`,
    );
    const full = files.map((f) => path.join(dist, f));
    return {
      dir,
      files,
      bytes: full.reduce((a, f) => a + fs.statSync(f).size, 0),
      gzip: full.reduce((a, f) => a + gzipSize(f), 0),
    };
  }
  return { dir: null, files: [], bytes: 0, gzip: 0 };
}

export function analyseDist(dist: string, base: string): StaticReport {
  const basePath = `/${base.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  const all = walk(dist).sort();
  const html = all.filter((f) => f.endsWith('.html'));
  return {
    pages: html.map((f) => analysePage(dist, basePath, f)),
    fonts: analyseFonts(dist, basePath),
    images: analyseImages(dist, basePath, html),
    model: analyseModel(dist, basePath, html),
    site: {
      files: all.length,
      bytes: all.reduce((a, f) => a + fs.statSync(path.join(dist, f)).size, 0),
      gzip: all.reduce((a, f) => a + gzipSize(path.join(dist, f)), 0),
    },
  };
}
