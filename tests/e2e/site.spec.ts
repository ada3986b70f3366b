/**
 * Site-wide end-to-end checks against the built site (`astro build`, served by `astro preview` under the
 * base path, see playwright.config.ts):
 *  - every page reachable from the home page opens without console errors or page errors;
 *  - every internal link and asset (href/src/srcset) answers 200 and stays under the base path;
 *  - every fragment link (#id), the table of contents included, lands on an element with that id;
 *  - the "not a medical device" notice is visible on every page;
 *  - no page makes a request to another origin (and tests/e2e/fixtures.ts fails any test whose pages leave localhost);
 *  - every page the build holds (found in dist/, or E2E_DIST) is reached by the crawl;
 *  - axe-core finds no WCAG 2.2 A/AA violation of any impact (contrast, names, target size, ...) on every built
 *    page, in the light and the dark colour scheme, and on a phone.
 * The last test feeds the same auditor a deliberately broken page, so a regression in the auditor itself
 * (one that would let broken links through) fails the suite too.
 */
import type { Page, APIRequestContext } from '@playwright/test';
import { test, expect, axeResults } from './fixtures';
import { builtPages, DIST } from './helpers';

interface Audit {
  /** Problems found, one line each; empty when the page is fine. */
  problems: string[];
  /** Same-origin URLs of HTML pages linked from this page (no fragment). */
  pages: string[];
  /** Same-origin non-fragment URLs of everything referenced (pages and assets). */
  urls: string[];
  /** Fragment links to other pages: [target page URL, id, where it came from]. */
  foreignFragments: [string, string, string][];
  /** Ids present on this page. */
  ids: string[];
}

const ATTRS: [string, string][] = [
  ['a[href]', 'href'],
  ['area[href]', 'href'],
  ['link[href]', 'href'],
  ['script[src]', 'src'],
  ['img[src]', 'src'],
  ['source[src]', 'src'],
  ['video[src]', 'src'],
  ['audio[src]', 'src'],
  ['iframe[src]', 'src'],
  ['video[poster]', 'poster'],
  ['use[href]', 'href'],
  ['object[data]', 'data'],
];

function stripHash(u: URL): string {
  const c = new URL(u.href);
  c.hash = '';
  return c.href;
}

function looksLikePage(u: URL): boolean {
  const last = u.pathname.split('/').pop() ?? '';
  return last === '' || last.endsWith('.html') || !last.includes('.');
}

/** Open `url` and audit it. Never throws for page problems; they are returned as lines. */
async function auditPage(page: Page, url: string, basePath: string, options: { axe?: boolean } = {}): Promise<Audit> {
  const problems: string[] = [];
  const origin = new URL(url).origin;
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  };
  const onPageError = (e: Error) => problems.push(`page error: ${e.message}`);
  const onRequest = (r: { url(): string }) => {
    const u = r.url();
    if (u.startsWith('data:') || u.startsWith('blob:')) return;
    if (new URL(u).origin !== origin) problems.push(`request to another origin: ${u}`);
  };
  const onResponse = (r: { url(): string; status(): number }) => {
    if (new URL(r.url()).origin === origin && r.status() >= 400) {
      problems.push(`HTTP ${r.status()} while loading ${r.url()}`);
    }
  };
  page.on('console', onConsole);
  page.on('pageerror', onPageError);
  page.on('request', onRequest);
  page.on('response', onResponse);
  try {
    const res = await page.goto(url, { waitUntil: 'load' });
    if (!res || res.status() !== 200) problems.push(`page answered ${res?.status() ?? 'nothing'}`);
    // let deferred scripts and their requests settle
    await page.waitForLoadState('networkidle').catch(() => undefined);

    const found = await page.evaluate((attrs) => {
      const out: { attr: string; raw: string; resolved: string; toc: boolean }[] = [];
      for (const [sel, attr] of attrs) {
        for (const el of Array.from(document.querySelectorAll(sel))) {
          const raw = el.getAttribute(attr) ?? '';
          let resolved: string;
          try {
            resolved = new URL(raw, document.baseURI).href;
          } catch {
            resolved = `invalid:${raw}`;
          }
          out.push({ attr: `${sel}`, raw, resolved, toc: !!el.closest('[data-toc]') });
        }
      }
      for (const el of Array.from(document.querySelectorAll('[srcset]'))) {
        for (const part of (el.getAttribute('srcset') ?? '').split(',')) {
          const raw = part.trim().split(/\s+/)[0];
          if (raw) out.push({ attr: 'srcset', raw, resolved: new URL(raw, document.baseURI).href, toc: false });
        }
      }
      const ids = Array.from(document.querySelectorAll('[id]')).map((e) => e.id);
      return { out, ids };
    }, ATTRS);

    const here = stripHash(new URL(page.url()));
    const ids = new Set(found.ids);
    const dupes = found.ids.filter((id, i) => found.ids.indexOf(id) !== i);
    if (dupes.length) problems.push(`duplicate ids: ${[...new Set(dupes)].join(', ')}`);

    const pages = new Set<string>();
    const urls = new Set<string>();
    const foreignFragments: [string, string, string][] = [];
    for (const { attr, raw, resolved, toc } of found.out) {
      if (resolved.startsWith('invalid:')) {
        problems.push(`${attr} has an invalid URL: ${raw}`);
        continue;
      }
      const u = new URL(resolved);
      if (u.protocol === 'mailto:' || u.protocol === 'tel:') continue;
      if (u.origin !== origin) {
        // Links to other sites are fine; resources from them are not.
        if (!attr.startsWith('a[') && !attr.startsWith('area['))
          problems.push(`${attr} loads from another origin: ${raw}`);
        continue;
      }
      if (!u.pathname.startsWith(basePath)) {
        problems.push(`${attr} escapes the base path ${basePath}: ${raw}`);
        continue;
      }
      const target = stripHash(u);
      const id = u.hash ? decodeURIComponent(u.hash.slice(1)) : '';
      if (target === here) {
        if (id && !ids.has(id))
          problems.push(`${toc ? 'TOC link' : 'fragment link'} ${raw} has no element with id "${id}"`);
        if (!id && !raw.startsWith('#') && attr.startsWith('a[')) urls.add(target);
        continue;
      }
      if (id) foreignFragments.push([target, id, `${here} ${raw}`]);
      urls.add(target);
      if ((attr.startsWith('a[') || attr.startsWith('area[')) && looksLikePage(u)) pages.add(target);
    }

    // Page-level requirements.
    const notice = page.locator('[data-medical-notice]');
    if ((await notice.count()) === 0) {
      problems.push('no medical notice ([data-medical-notice]) on the page');
    } else {
      if (!(await notice.first().isVisible())) problems.push('medical notice is not visible');
      const text = (await notice.first().textContent({ timeout: 5_000 })) ?? '';
      if (!/not a medical device/i.test(text)) problems.push('medical notice does not say "not a medical device"');
    }
    const h1 = await page.locator('h1').count();
    if (h1 !== 1) problems.push(`expected one <h1>, found ${h1}`);

    if (options.axe) problems.push(...(await axeProblems(page)));

    return { problems, pages: [...pages], urls: [...urls], foreignFragments, ids: found.ids };
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onPageError);
    page.off('request', onRequest);
    page.off('response', onResponse);
  }
}

/** WCAG 2.2 A/AA checks with axe-core (injected through the DevTools protocol, so no request and no CSP exception); every impact. */
async function axeProblems(page: Page): Promise<string[]> {
  return (await axeResults(page)).map(
    (v) =>
      `axe ${v.impact} ${v.id}: ${v.nodes
        .slice(0, 3)
        .map((t) => t.join(' '))
        .join(' | ')}`,
  );
}

/** GET every URL once (cached) and report anything that is not a 200. */
async function checkUrls(
  request: APIRequestContext,
  urls: Iterable<string>,
  cache: Map<string, number>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const u of urls) {
    if (!cache.has(u)) {
      const res = await request.get(u, { failOnStatusCode: false });
      cache.set(u, res.status());
    }
    const status = cache.get(u);
    if (status !== 200) problems.push(`${u} answered ${status}`);
  }
  return problems;
}

test.describe('built site', () => {
  test('every page: no errors, links and assets resolve, fragments and TOC land, notice visible, same origin only', async ({
    page,
    request,
    baseURL,
  }) => {
    test.setTimeout(600_000);
    expect(baseURL, 'baseURL comes from playwright.config.ts').toBeTruthy();
    const start = new URL(baseURL!);
    const basePath = start.pathname.endsWith('/') ? start.pathname : `${start.pathname}/`;

    const queue: string[] = [start.href];
    const seen = new Set<string>(queue);
    const idsByPage = new Map<string, Set<string>>();
    const fragments: [string, string, string][] = [];
    const statusCache = new Map<string, number>();
    const problems: string[] = [];
    let tocLinks = 0;

    while (queue.length) {
      const url = queue.shift()!;
      // axe runs on every built page in both colour schemes in its own test below.
      const audit = await auditPage(page, url, basePath);
      idsByPage.set(stripHash(new URL(page.url())), new Set(audit.ids));
      idsByPage.set(url, new Set(audit.ids));
      tocLinks += await page.locator('[data-toc] a[href^="#"]').count();
      problems.push(...audit.problems.map((p) => `${url}: ${p}`));
      problems.push(...(await checkUrls(request, audit.urls, statusCache)).map((p) => `${url}: ${p}`));
      fragments.push(...audit.foreignFragments);
      for (const p of audit.pages) {
        if (!seen.has(p) && statusCache.get(p) === 200) {
          seen.add(p);
          queue.push(p);
        }
      }
    }

    for (const [target, id, from] of fragments) {
      const ids = idsByPage.get(target);
      if (!ids) problems.push(`${from}: fragment target page ${target} was not crawled`);
      else if (!ids.has(id)) problems.push(`${from}: ${target} has no element with id "${id}"`);
    }

    // Every page of the build is linked from somewhere (404.html is served for missing pages, not linked).
    const crawled = new Set([...seen].map((u) => new URL(u).pathname));
    const unreached = builtPages().filter((p) => p !== '404.html' && !crawled.has(`${basePath}${p}`));
    expect(unreached, 'built pages no link leads to').toEqual([]);

    // The report must actually have been crawled: home, eleven chapters, and tables of contents on them.
    const chapterPages = [...seen].filter((u) => new URL(u).pathname.startsWith(`${basePath}chapters/`));
    expect(chapterPages.length, `chapters crawled: ${chapterPages.join(', ')}`).toBeGreaterThanOrEqual(11);
    expect(tocLinks, 'TOC links found across chapters').toBeGreaterThan(20);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  test('chapter layout: TOC targets exist, headings have ids, citations point into the chapter', async ({ page }) => {
    await page.goto('chapters/data/');
    const toc = page.locator('nav[data-toc]');
    await expect(toc).toBeVisible();
    const hrefs = await toc.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(3);
    for (const href of hrefs) {
      expect(href.startsWith('#'), `TOC href ${href} is a fragment`).toBe(true);
      await expect(page.locator(`[id="${href.slice(1)}"]`)).toHaveCount(1);
    }
    // Clicking a TOC entry scrolls its heading into view.
    const last = hrefs[hrefs.length - 1]!;
    await toc.locator(`a[href="${last}"]`).click();
    await expect(page.locator(`[id="${last.slice(1)}"]`)).toBeInViewport();
    expect(new URL(page.url()).hash).toBe(last);

    const cites = await page.locator('.cite a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(cites.length).toBeGreaterThan(0);
    for (const c of cites) await expect(page.locator(`[id="${c.slice(1)}"]`)).toHaveCount(1);
    await expect(page.locator('[data-medical-notice]')).toBeVisible();
  });

  test('dark colour scheme and a phone viewport pass the same accessibility checks', async ({ browser, baseURL }) => {
    const start = new URL(baseURL!);
    const basePath = start.pathname.endsWith('/') ? start.pathname : `${start.pathname}/`;
    const context = await browser.newContext({ colorScheme: 'dark', viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    const problems: string[] = [];
    for (const path of [
      '',
      'chapters/introduction/',
      'chapters/results/',
      'chapters/try-it/',
      'chapters/references/',
    ]) {
      const url = new URL(path, start).href;
      const audit = await auditPage(page, url, basePath, { axe: true });
      problems.push(...audit.problems.map((p) => `${url}: ${p}`));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) problems.push(`${url}: page is ${overflow}px wider than a 375px phone`);
    }
    await context.close();
    expect(problems, problems.join('\n')).toEqual([]);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe: every built page has no WCAG 2.2 A/AA violation (${colorScheme})`, async ({ browser, baseURL }) => {
      test.setTimeout(600_000);
      const start = new URL(baseURL!);
      const context = await browser.newContext({ colorScheme });
      const page = await context.newPage();
      const problems: string[] = [];
      const pages = builtPages();
      expect(pages.length, `pages found in ${DIST}`).toBeGreaterThanOrEqual(14);
      for (const p of pages) {
        const url = new URL(p, start).href;
        const res = await page.goto(url, { waitUntil: 'load' });
        if (p !== '404.html' && res?.status() !== 200) problems.push(`${url}: answered ${res?.status()}`);
        await page.waitForLoadState('networkidle').catch(() => undefined);
        problems.push(...(await axeProblems(page)).map((x) => `${url}: ${x}`));
      }
      await context.close();
      expect(problems, problems.join('\n')).toEqual([]);
    });
  }

  test('try-it chapter carries the strong medical notice', async ({ page }) => {
    await page.goto('chapters/try-it/');
    const strong = page.locator('[data-notice="medical"]').first();
    await expect(strong).toBeVisible();
    await expect(strong).toContainText(/not a medical device/i);
    await expect(strong).toContainText(/emergency/i);
  });

  test('the auditor itself catches broken links, missing ids, bad assets and foreign requests', async ({
    page,
    baseURL,
  }) => {
    test.info().annotations.push({ type: 'allow-offsite-request', description: 'https://example.invalid/' });
    const start = new URL(baseURL!);
    const basePath = start.pathname.endsWith('/') ? start.pathname : `${start.pathname}/`;
    const fake = new URL('__e2e_selftest__/', start).href;
    // A page that is wrong in every way the real crawl checks for, served only to this test.
    await page.route(fake, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: `<!doctype html><html><head><title>x</title>
          <link rel="stylesheet" href="${basePath}does-not-exist.css">
          <script>console.error('boom')</script></head><body>
          <nav data-toc><a href="#missing-heading">Missing</a></nav>
          <a href="/not-under-base/">root link</a>
          <img src="https://example.invalid/pixel.png" alt="">
          <img src="${basePath}favicon.svg">
          <h1>One</h1><h1>Two</h1></body></html>`,
      }),
    );
    await page.route('https://example.invalid/**', (route) => route.abort());
    const audit = await auditPage(page, fake, basePath, { axe: true });
    const all = audit.problems.join('\n');
    expect(all).toMatch(/console error: boom/);
    expect(all).toMatch(/HTTP 404 while loading .*does-not-exist\.css/);
    expect(all).toMatch(/TOC link #missing-heading has no element/);
    expect(all).toMatch(/escapes the base path/);
    expect(all).toMatch(/loads from another origin: https:\/\/example\.invalid/);
    expect(all).toMatch(/request to another origin/);
    expect(all).toMatch(/no medical notice/);
    expect(all).toMatch(/expected one <h1>, found 2/);
    expect(all).toMatch(/axe critical image-alt/);
  });
});
