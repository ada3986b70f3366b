/**
 * Performance budgets of the built site (issue #7). Prints every figure and exits 1 when a budget is exceeded.
 *
 *   npm run budget                                   # dist/ under /heartnet-notebook
 *   npx tsx scripts/budget.ts --dist build/x --port 4398 --runs 3 --json test-results/budget.json
 *   npx tsx scripts/budget.ts --static               # the file checks only, no browser
 *
 * Static (scripts/lib/budget-static.ts): first-load JS per page (gzip), CSP-clean markup, image formats and
 * sizes, fonts, the demo model's bytes, the whole site's bytes.
 * Browser: `astro preview` serves the build on 127.0.0.1 and the system Chromium (Playwright, as the e2e tests)
 * loads every page cold (fresh profile, service worker blocked) with the CPU throttled 4x through CDP
 * `Emulation.setCPUThrottlingRate`, and records through PerformanceObserver:
 *   - LCP (largest-contentful-paint; median of --runs loads at 1280x800, of two more where that median is over the budget);
 *   - CLS (layout-shift entries without recent input, largest 1 s / 5 s session window) at 1280x800;
 *   - island shifts: the page is loaded again in a viewport as tall as the page (1280 and 375 wide), so every
 *     element is on screen while the islands (generator, classifier, charts) hydrate; every layout-shift entry after
 *     the HTML was parsed (domInteractive: from then on only scripts change the page) is listed with the elements
 *     that moved (a shift must come back in a second load to count). Budget: none, i.e. islands reserve their
 *     space. Shifts while the HTML is still streaming in (progressive rendering) are listed as notes; at 1280x800
 *     they count in CLS like any other.
 *   - the JavaScript actually fetched during that first load (workers included), gzip, as a cross-check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { analyseDist, distFileOf, gzipSize, type StaticReport } from './lib/budget-static';
import { CliError, defineCli, parseCli } from './lib/cli';

export const BUDGETS = {
  /** First-load JavaScript of any page, KB gzip (TF.js and the model load only when the demo is used). */
  jsKbGzip: 100,
  /** Largest contentful paint of any page, ms, on localhost with the CPU throttled 4x. */
  lcpMs: 1500,
  /** Cumulative layout shift of any page at 1280x800. */
  cls: 0.01,
  /** Layout shifts anywhere on a page once its HTML is parsed (full-page viewport): islands reserve their space. */
  islandShifts: 0,
  /** The demo's model (metadata, topology, weights), bytes: a phone download. */
  modelBytes: 5 * 1024 * 1024,
  /** Everything in dist/, bytes (catches e.g. PTB-XL records shipped by mistake). */
  siteBytes: 20 * 1024 * 1024,
};

interface Args {
  dist: string;
  base: string;
  port: number;
  runs: number;
  json: string;
  browser: boolean;
  only: string | null;
}

export const BUDGET_CLI = defineCli({
  command: 'npm run budget --',
  summary: 'Performance budgets of the built site: prints every figure, exits 1 over a budget.',
  options: {
    dist: {
      type: 'string',
      value: 'DIR',
      default: process.env.E2E_DIST ?? 'dist',
      help: 'the build to measure (env E2E_DIST)',
    },
    base: {
      type: 'string',
      value: 'PATH',
      default: process.env.BASE_PATH ?? '/heartnet-notebook',
      help: 'its base path (env BASE_PATH)',
    },
    port: {
      type: 'string',
      value: 'N',
      default: process.env.BUDGET_PORT ?? '4398',
      help: 'astro preview port (env BUDGET_PORT)',
    },
    runs: { type: 'string', value: 'N', default: '3', help: 'page loads per page (LCP: the median)' },
    json: { type: 'string', value: 'FILE', default: 'test-results/budget.json', help: 'where the figures go' },
    static: { type: 'boolean', default: false, help: 'skip the browser (static figures only)' },
    only: { type: 'string', value: 'PAGE', help: 'measure only this page (e.g. demo/)' },
  },
});

function parseBudgetArgs(argv: string[]): Args {
  const { values: v } = parseCli(BUDGET_CLI, argv);
  const num = (flag: string, text: string) => {
    const n = Number(text);
    if (!Number.isFinite(n)) throw new CliError(`${flag} must be a number, got ${text}`);
    return n;
  };
  return {
    dist: v.dist,
    base: v.base,
    port: num('--port', v.port),
    runs: Math.max(1, num('--runs', v.runs)),
    json: v.json,
    browser: !v.static,
    only: v.only ?? null,
  };
}

const kb = (n: number) => (n / 1024).toFixed(1);
const mb = (n: number) => (n / 1024 / 1024).toFixed(2);

// ---------- browser measurements ----------

export interface Shift {
  value: number;
  time: number;
  sources: string[];
  /** After the HTML was parsed (navigation timing's domInteractive): caused by scripts, i.e. the islands. */
  afterParse?: boolean;
}

interface PageRun {
  lcpMs: number;
  lcpElement: string;
  cls: number;
  shifts: Shift[];
  js: string[];
  height: number;
}

/**
 * Installed before any page script: observers for LCP and layout shifts. (Init scripts are exempt from CSP.)
 * Plain JS in a string: tsx would wrap named functions in a `__name` helper that the page does not have.
 */
const PERF_INIT = `(() => {
  const describe = (n) => {
    if (!n) return '(removed)';
    if (!(n instanceof Element)) return n.nodeName.toLowerCase();
    const parts = [];
    let e = n;
    while (e && parts.length < 4) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList[0] ? '.' + e.classList[0] : ''));
      e = e.parentElement;
    }
    return parts.join(' > ');
  };
  const perf = (window.__perf = { lcp: 0, lcpEl: '', shifts: [] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      perf.lcp = e.renderTime || e.loadTime || e.startTime;
      perf.lcpEl = describe(e.element);
    }
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      perf.shifts.push({
        value: e.value,
        time: e.startTime,
        sources: (e.sources || []).map((s) => describe(s.node) + ' (y ' + Math.round(s.previousRect.y) + '→' + Math.round(s.currentRect.y) +
          ', h ' + Math.round(s.previousRect.height) + '→' + Math.round(s.currentRect.height) + ')'),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
})();`;

/** The element a shift source names, without its rectangles: "main > table > thead > th.num (y 1→2, h 3→3)" → "main > table > thead > th.num". */
const sourceElement = (s: string) => s.replace(/ \(y [^)]*\)$/, '');

/**
 * The shifts after parsing in one load that a second load of the same page repeats: a shift an island causes moves
 * the same element every time, while a frame that happens to paint the end of parsing after domInteractive (seen
 * on a loaded CI machine: a model card's table re-widening its columns in one load, a chart legend pushed down by
 * its caption's last line in the next) moves whichever element the parser was at. A shift counts when an element
 * it moved also moved after parsing in the other load.
 */
export function repeatedShifts(first: Shift[], again: Shift[]): { first: Shift[]; again: Shift[] } {
  const moved = (xs: Shift[]) => new Set(xs.filter((x) => x.afterParse).flatMap((x) => x.sources.map(sourceElement)));
  const inFirst = moved(first);
  const inAgain = moved(again);
  const keep = (xs: Shift[], other: Set<string>) =>
    xs.map((x) => ({ ...x, afterParse: !!x.afterParse && x.sources.some((y) => other.has(sourceElement(y))) }));
  return { first: keep(first, inAgain), again: keep(again, inFirst) };
}

/** CLS as web-vitals defines it: the largest session window (gaps < 1 s, at most 5 s long). */
export function clsOf(shifts: { value: number; time: number }[]): number {
  let best = 0;
  let cur = 0;
  let first = -Infinity;
  let last = -Infinity;
  for (const s of [...shifts].sort((a, b) => a.time - b.time)) {
    if (s.time - last < 1000 && s.time - first < 5000) cur += s.value;
    else {
      cur = s.value;
      first = s.time;
    }
    last = s.time;
    best = Math.max(best, cur);
  }
  return best;
}

async function loadOnce(browser: Browser, url: string, viewport: { width: number; height: number }): Promise<PageRun> {
  const context: BrowserContext = await browser.newContext({ viewport, serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.addInitScript({ content: PERF_INIT });
    const js = new Set<string>();
    const onRequest = (r: { url(): string }) => {
      const u = new URL(r.url());
      if (/\.m?js$/.test(u.pathname)) js.add(u.href);
    };
    page.on('request', onRequest);
    context.on('request', onRequest);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForLoadState('networkidle').catch(() => undefined);
    // Islands settle: generators finish their first drawing.
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll<HTMLElement>('heartnet-generator')].every(
            (g) => !/^(loading|rendering)$/.test(g.dataset.state ?? ''),
          ),
        null,
        { timeout: 30_000 },
      )
      .catch(() => undefined);
    await page.waitForTimeout(1000);
    const perf = await page.evaluate(() => {
      const p = (window as unknown as { __perf: { lcp: number; lcpEl: string; shifts: Shift[] } }).__perf;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { ...p, height: document.documentElement.scrollHeight, parsedAt: nav?.domInteractive ?? 0 };
    });
    const shifts = perf.shifts.map((x) => ({ ...x, afterParse: x.time >= perf.parsedAt }));
    return { lcpMs: perf.lcp, lcpElement: perf.lcpEl, cls: clsOf(shifts), shifts, js: [...js], height: perf.height };
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function waitForServer(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`astro preview exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`astro preview did not answer ${url} within ${timeoutMs / 1000} s`);
}

export interface BrowserFigures {
  page: string;
  lcpMs: number;
  lcpRuns: number[];
  lcpElement: string;
  cls: number;
  /** The layout shifts of the 1280x800 loads (for CLS). */
  shifts: Shift[];
  /** Shifts in the full-page viewports after the HTML was parsed: the islands' doing. Budget: none. */
  islandShifts: Shift[];
  /** Shifts in the full-page viewports while the HTML was still being parsed (progressive rendering); reported. */
  parseShifts: Shift[];
  jsFetched: string[];
  jsFetchedGzip: number;
}

async function measureBrowser(args: Args, report: StaticReport, basePath: string): Promise<BrowserFigures[]> {
  const origin = `http://127.0.0.1:${args.port}`;
  // Something already answering there would be measured instead of this build.
  if (
    await fetch(origin).then(
      () => true,
      () => false,
    )
  )
    throw new Error(`port ${args.port} is in use; pass --port`);
  // Its own process group, so that stopping it also stops the server npx starts.
  const child = spawn(
    'npx',
    ['astro', 'preview', '--host', '127.0.0.1', '--port', String(args.port), '--outDir', args.dist],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BASE_PATH: basePath.replace(/\/$/, '') || '/' },
      detached: true,
    },
  );
  const stopServer = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
  };
  const onSignal = () => {
    stopServer();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let log = '';
  child.stdout?.on('data', (d) => (log += String(d)));
  child.stderr?.on('data', (d) => (log += String(d)));
  const out: BrowserFigures[] = [];
  let browser: Browser | null = null;
  try {
    await waitForServer(`${origin}${basePath}`, child).catch((e: Error) => {
      throw new Error(`${e.message}\n${log}`);
    });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    for (const p of report.pages) {
      if (args.only && p.page !== args.only) continue;
      const url = `${origin}${basePath}${p.page}`;
      const runs: PageRun[] = [];
      for (let i = 0; i < args.runs; i++) runs.push(await loadOnce(browser, url, { width: 1280, height: 800 }));
      // A median over the LCP budget gets two more loads, and the median of all of them decides. Single loads on
      // this 2-core machine under 4x throttling vary by half (Training, 41 KB: 1,932/1,004/1,156 ms; Results:
      // 1,332/1,900/1,596 ms), so two slow loads of three fail a page that usually paints in time; a page that is
      // really slow stays over the budget in most of five loads. Every load is in lcpRuns.
      if (median(runs.map((r) => r.lcpMs)) > BUDGETS.lcpMs) {
        for (let i = 0; i < 2; i++) runs.push(await loadOnce(browser, url, { width: 1280, height: 800 }));
        console.error(
          `budget: ${p.page || '/'}: LCP median over ${BUDGETS.lcpMs} ms in ${args.runs} loads; measured ${runs.length}: ${runs.map((r) => Math.round(r.lcpMs)).join('/')} ms`,
        );
      }
      // As tall as the page (capped: Chromium composites huge viewports slowly); the JSON records both heights.
      const pageHeight = Math.max(...runs.map((r) => r.height));
      const height = Math.min(pageHeight + 200, 32_000);
      // A shift after parsing must move the same element in a second load too (repeatedShifts): a real one (hydration
      // changing the page) does, and a one-off frame of a machine under load (seen now and then in the page header,
      // with no script touching it) does not. Both loads' shifts are kept in the JSON.
      const tallLoad = async (viewport: { width: number; height: number }): Promise<PageRun> => {
        const first = await loadOnce(browser!, url, viewport);
        if (!first.shifts.some((x) => x.afterParse)) return first;
        const again = await loadOnce(browser!, url, viewport);
        const repeated = repeatedShifts(first.shifts, again.shifts);
        const mark = (xs: Shift[], k: number) =>
          xs.map((x) => ({ ...x, sources: x.sources.map((y) => `load ${k}: ${y}`) }));
        const dropped = first.shifts.filter((x, i) => x.afterParse && !repeated.first[i]!.afterParse);
        if (dropped.length > 0)
          console.error(
            `budget: ${p.page || '/'}: ${dropped.length} shift(s) after parsing at ${viewport.width}px moved elements that did not move in a second load; not counted:\n    ${dropped.flatMap((x) => x.sources).join('\n    ')}`,
          );
        return { ...first, shifts: [...mark(repeated.first, 1), ...mark(repeated.again, 2)] };
      };
      const tall = [
        await tallLoad({ width: 1280, height }),
        await tallLoad({ width: 375, height: Math.min(pageHeight * 3 + 200, 32_000) }),
      ];
      if (pageHeight + 200 > height)
        console.error(
          `budget: ${p.page}: page is ${pageHeight} px tall; the shift check covers its first ${height} px`,
        );
      const tallShifts = tall.flatMap((r, k) =>
        r.shifts.map((x) => ({ ...x, sources: x.sources.map((y) => `${k === 0 ? '1280' : '375'}px: ${y}`) })),
      );
      // The same for the CLS of the standard runs: a single run over the budget must come back in another load. One
      // run of three on the home page once measured 0.015 (its three pictures' column narrowing for a frame at
      // 298 ms, no script touching them) and 0 in every load before and after.
      let cls = Math.max(...runs.map((r) => r.cls));
      if (runs.filter((r) => r.cls > BUDGETS.cls).length === 1) {
        const again = await loadOnce(browser, url, { width: 1280, height: 800 });
        if (again.cls <= BUDGETS.cls) {
          console.error(
            `budget: ${p.page || '/'}: CLS ${cls.toFixed(4)} in one load did not come back in another (${again.cls.toFixed(4)}); not counted`,
          );
          cls = Math.max(again.cls, ...runs.map((r) => r.cls).filter((c) => c <= BUDGETS.cls));
        }
      }
      const jsFetched = [...new Set(runs.flatMap((r) => r.js))];
      const jsFiles = jsFetched
        .map((u) => distFileOf(args.dist, basePath, new URL(u).pathname))
        .filter((f): f is string => !!f);
      const fig: BrowserFigures = {
        page: p.page,
        lcpMs: median(runs.map((r) => r.lcpMs)),
        lcpRuns: runs.map((r) => Math.round(r.lcpMs)),
        lcpElement: runs[0]!.lcpElement,
        cls,
        shifts: runs.flatMap((r, k) =>
          r.shifts.map((x) => ({ ...x, sources: x.sources.map((y) => `run ${k + 1}: ${y}`) })),
        ),
        islandShifts: tallShifts.filter((x) => x.afterParse),
        parseShifts: tallShifts.filter((x) => !x.afterParse),
        jsFetched: jsFiles,
        jsFetchedGzip: jsFiles.reduce((a, f) => a + gzipSize(path.join(args.dist, f)), 0),
      };
      out.push(fig);
      console.error(
        `budget: ${p.page || '/'}: LCP ${fig.lcpRuns.join('/')} ms, CLS ${fig.cls.toFixed(4)}, ${fig.islandShifts.length} shift(s) in the tall viewports`,
      );
    }
  } finally {
    await browser?.close();
    stopServer();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return out;
}

// ---------- report ----------

async function main(): Promise<number> {
  const args = parseBudgetArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(args.dist, 'index.html'))) {
    console.error(
      `budget: ${args.dist}/index.html not found; build first (npm run build, or npx astro build --outDir ${args.dist})`,
    );
    return 2;
  }
  const basePath = `/${args.base.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
  const report = analyseDist(args.dist, args.base);
  const browserFigures = args.browser ? await measureBrowser(args, report, basePath) : [];
  const byPage = new Map(browserFigures.map((b) => [b.page, b]));
  const failures: string[] = [];

  const rows: string[][] = [
    [
      'page',
      'JS KB gz (files)',
      'JS fetched KB gz',
      'CSS KB gz',
      'HTML KB gz',
      'LCP ms (runs)',
      'CLS',
      'island shifts',
    ],
  ];
  for (const p of report.pages) {
    if (args.only && p.page !== args.only) continue;
    const b = byPage.get(p.page);
    const name = `/${p.page}`;
    rows.push([
      name,
      kb(p.jsGzip),
      b ? kb(b.jsFetchedGzip) : '-',
      kb(p.cssGzip),
      kb(p.htmlGzip),
      b ? `${Math.round(b.lcpMs)} (${b.lcpRuns.join('/')})` : '-',
      b ? b.cls.toFixed(4) : '-',
      b ? String(b.islandShifts.length) : '-',
    ]);
    const jsMax = Math.max(p.jsGzip, b?.jsFetchedGzip ?? 0);
    if (jsMax > BUDGETS.jsKbGzip * 1024)
      failures.push(`${name}: first-load JS ${kb(jsMax)} KB gzip > ${BUDGETS.jsKbGzip} KB`);
    for (const pr of p.problems) failures.push(`${name}: ${pr}`);
    if (b) {
      if (b.lcpMs > BUDGETS.lcpMs)
        failures.push(`${name}: LCP ${Math.round(b.lcpMs)} ms > ${BUDGETS.lcpMs} ms (element: ${b.lcpElement})`);
      if (b.cls > BUDGETS.cls) {
        failures.push(
          `${name}: CLS ${b.cls.toFixed(4)} > ${BUDGETS.cls}:\n    ${b.shifts.map((x) => `${x.value.toFixed(4)} at ${Math.round(x.time)} ms: ${x.sources.join('; ')}`).join('\n    ')}`,
        );
      }
      if (b.islandShifts.length > BUDGETS.islandShifts) {
        failures.push(
          `${name}: ${b.islandShifts.length} layout shift(s) after the HTML was parsed (islands):\n    ${b.islandShifts.flatMap((x) => x.sources).join('\n    ')}`,
        );
      }
      if (b.parseShifts.length) {
        console.log(
          `note: ${name}: ${b.parseShifts.length} shift(s) while the HTML was still being parsed (progressive rendering; counted in CLS only):\n    ${b.parseShifts.flatMap((x) => x.sources).join('\n    ')}`,
        );
      }
      const unlisted = b.jsFetched.filter((f) => !p.js.includes(f));
      if (unlisted.length)
        console.log(`note: ${name} fetched JS the static analysis did not list: ${unlisted.join(', ')}`);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log('\nPer page (first load, cold cache; gzip -9 sizes of the built files):');
  for (const r of rows)
    console.log('  ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));

  const m = report.model;
  const maxJs = Math.max(...report.pages.map((p) => p.jsGzip));
  console.log('\nSite:');
  console.log(`  largest first-load JS: ${kb(maxJs)} KB gzip (budget ${BUDGETS.jsKbGzip} KB)`);
  if (browserFigures.length) {
    console.log(
      `  largest LCP: ${Math.round(Math.max(...browserFigures.map((b) => b.lcpMs)))} ms (budget ${BUDGETS.lcpMs} ms; 4x CPU throttling, localhost, median of ${args.runs} loads, of ${args.runs + 2} where those were over)`,
    );
    console.log(
      `  largest CLS: ${Math.max(...browserFigures.map((b) => b.cls)).toFixed(4)} (budget ${BUDGETS.cls}); layout shifts in full-page viewports: ${browserFigures.reduce((a, b) => a + b.islandShifts.length, 0)} (budget ${BUDGETS.islandShifts})`,
    );
  }
  console.log(
    `  model: ${m.dir ?? '(none)'}: ${m.files.length} files, ${m.bytes} bytes (${mb(m.bytes)} MB; ${mb(m.gzip)} MB gzip; budget ${mb(BUDGETS.modelBytes)} MB), loaded only when the demo is used`,
  );
  console.log(
    `  total site: ${report.site.files} files, ${report.site.bytes} bytes (${mb(report.site.bytes)} MB; ${mb(report.site.gzip)} MB gzip; budget ${mb(BUDGETS.siteBytes)} MB)`,
  );
  console.log(
    `  images: ${report.images.count} <img>, ${report.images.problems.length} problem(s) (SVG/WebP/AVIF with width and height)`,
  );
  console.log(
    `  fonts: ${report.fonts.note}${report.fonts.files.length ? `; font files: ${report.fonts.files.join(', ')}` : ''}`,
  );
  if (m.bytes > BUDGETS.modelBytes) failures.push(`model ${mb(m.bytes)} MB > ${mb(BUDGETS.modelBytes)} MB`);
  if (report.site.bytes > BUDGETS.siteBytes)
    failures.push(`site ${mb(report.site.bytes)} MB > ${mb(BUDGETS.siteBytes)} MB`);
  failures.push(...report.images.problems, ...report.fonts.problems);

  fs.mkdirSync(path.dirname(args.json), { recursive: true });
  fs.writeFileSync(
    args.json,
    JSON.stringify({ budgets: BUDGETS, static: report, browser: browserFigures, failures }, null, 1),
  );
  if (failures.length) {
    console.log(`\nbudget: ${failures.length} budget(s) exceeded:`);
    for (const f of failures) console.log(`  FAIL ${f}`);
    return 1;
  }
  console.log(`\nbudget: all budgets met (${args.json})`);
  return 0;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`budget: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(2);
    },
  );
}
