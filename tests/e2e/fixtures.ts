/**
 * The e2e suite's `test`: Playwright's, plus an automatic guard on every test (every spec imports `test` and
 * `expect` from here, never from '@playwright/test' directly):
 *
 *  - no request leaves localhost: any request from any page, worker or service worker of any browser context the
 *    test opens (its `context`, and every `browser.newContext()`/`browser.newPage()`) to a host other than
 *    127.0.0.1/localhost fails the test. A test that needs an off-site URL on purpose (the auditor's self-test)
 *    names its prefix in an `allow-offsite-request` annotation.
 *  - no Content-Security-Policy violation: every document reports `securitypolicyviolation` events (recorded by an
 *    init script) and Chromium's "Refused to ..." console errors; any of them fails the test, unless it matches an
 *    `allow-csp-violation` annotation (the test that proves the policy is enforced).
 *
 * Helpers: `injectAxe(page)` adds axe-core through the DevTools protocol, not as an inline <script> (the site's
 * CSP would refuse that); `cspViolations(page)` lists what the page recorded so far.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';

export { expect };

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLocalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return true;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return LOCAL_HOSTS.has(u.hostname);
}

/** Plain JS (no bundler helpers) run in every document before its own scripts; exempt from CSP. */
const CSP_RECORDER = `(() => {
  const list = (window.__cspViolations = window.__cspViolations || []);
  document.addEventListener('securitypolicyviolation', (e) => {
    list.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') + ' at ' + e.sourceFile + ':' + e.lineNumber);
  });
})();`;

interface Guard {
  offsite: string[];
  csp: string[];
  pages: Set<Page>;
}

async function guardContext(ctx: BrowserContext, g: Guard): Promise<void> {
  for (const p of ctx.pages()) g.pages.add(p);
  ctx.on('page', (p) => g.pages.add(p));
  ctx.on('request', (r) => {
    if (!isLocalUrl(r.url())) g.offsite.push(`${r.method()} ${r.url()}`);
  });
  ctx.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) g.csp.push(`console: ${m.text()}`);
  });
  await ctx.addInitScript({ content: CSP_RECORDER });
}

/** The violations `page` has recorded (securitypolicyviolation events). */
export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => ((window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []).slice());
}

const AXE_SOURCE = readFileSync(
  fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)),
  'utf8',
);

/** Makes `window.axe` available without an inline script (evaluated through the DevTools protocol). */
export async function injectAxe(page: Page): Promise<void> {
  const has = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!has) await page.evaluate(AXE_SOURCE);
}

/** The WCAG 2.0-2.2 A and AA rule tags every accessibility check in the suite runs. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  /** Each offending node's axe target (selector path). */
  nodes: string[][];
}

/** Runs axe-core (all impacts, WCAG_TAGS) on the element matching `selector`, or on the whole document. */
export async function axeResults(page: Page, selector?: string): Promise<AxeViolation[]> {
  await injectAxe(page);
  return page.evaluate(
    async ({ selector, tags }) => {
      const axe = (
        window as unknown as {
          axe: {
            run: (
              ctx: unknown,
              opts: unknown,
            ) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }>;
          };
        }
      ).axe;
      const ctx = selector ? document.querySelector(selector) : document;
      if (!ctx) throw new Error(`axe: nothing matches ${selector}`);
      const r = await axe.run(ctx, { runOnly: { type: 'tag', values: tags } });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target) }));
    },
    { selector, tags: WCAG_TAGS },
  );
}

/** axeResults as one line per violation: "id (impact): first five targets". */
export async function axeViolations(page: Page, selector?: string): Promise<string[]> {
  return (await axeResults(page, selector)).map(
    (v) =>
      `${v.id} (${v.impact}): ${v.nodes
        .slice(0, 5)
        .map((t) => JSON.stringify(t))
        .join(', ')}`,
  );
}

export const test = base.extend<{ siteGuard: void }>({
  siteGuard: [
    async ({ browser, context }, use, testInfo) => {
      const g: Guard = { offsite: [], csp: [], pages: new Set() };
      await guardContext(context, g);
      const original = browser.newContext.bind(browser);
      browser.newContext = async (options) => {
        const ctx = await original(options);
        await guardContext(ctx, g);
        return ctx;
      };
      try {
        await use();
        // Violations recorded by pages still open at the end (the console catches those of closed ones).
        for (const p of g.pages) {
          if (p.isClosed()) continue;
          const v = await cspViolations(p).catch(() => [] as string[]);
          g.csp.push(...v.map((x) => `${p.url()}: ${x}`));
        }
      } finally {
        browser.newContext = original;
      }
      const allowed = (type: string) =>
        testInfo.annotations.filter((a) => a.type === type).map((a) => a.description ?? '');
      const offsite = g.offsite.filter((u) => !allowed('allow-offsite-request').some((p) => p && u.includes(p)));
      const csp = [...new Set(g.csp)].filter((v) => !allowed('allow-csp-violation').some((p) => p && v.includes(p)));
      expect(offsite, 'requests that left localhost').toEqual([]);
      expect(csp, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});
