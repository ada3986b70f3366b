/**
 * Offline after the first visit (issue #7): the service worker (dist/sw.js, built by scripts/service-worker.ts,
 * registered by src/layouts/sw-register.ts) precaches the report and the demo with its model. Here, with service
 * workers allowed (the rest of the suite blocks them, see playwright.config.ts):
 *  1. one visit to the home page installs the worker, which caches every precache entry and takes control;
 *  2. the browser context goes offline (pages and the worker: a fetch from inside the worker must fail);
 *  3. a chart chapter and a generator chapter reload from the cache, the generator draws its record, and the demo
 *     page loads, fetches TF.js, the WASM binary and the model from the cache and classifies an uploaded image,
 *     then reads a printout back (the digitiser's worker) and gives the signal model's reading.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';
import { DIST, sampleEkgPng, uploadToDemo } from './helpers';

test.use({ serviceWorkers: 'allow' });

/** The precache list as written into sw.js. */
function precacheList(): string[] {
  const code = readFileSync(path.join(DIST, 'sw.js'), 'utf8');
  const m = /const PRECACHE = (\[[\s\S]*?\]);/.exec(code);
  if (!m) throw new Error('sw.js has no PRECACHE list');
  return JSON.parse(m[1]!) as string[];
}

interface SwStatus {
  version: string;
  cached: number;
  precache: number;
}

async function swStatus(page: import('@playwright/test').Page): Promise<SwStatus> {
  return page.evaluate(
    () =>
      new Promise<SwStatus>((resolve) => {
        const sw = navigator.serviceWorker;
        const onMessage = (e: MessageEvent) => {
          if (e.data?.type !== 'heartnet:sw-status') return;
          sw.removeEventListener('message', onMessage);
          resolve(e.data as SwStatus);
        };
        sw.addEventListener('message', onMessage);
        sw.controller!.postMessage({ type: 'heartnet:sw-status' });
      }),
  );
}

test('after one visit, the report and the demo work offline', async ({ page, context, baseURL }) => {
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));

  // 1. First visit: install, precache, take control.
  await page.goto('');
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  const status = await swStatus(page);
  const list = precacheList();
  expect(status.precache).toBe(list.length);
  expect(status.cached).toBeGreaterThanOrEqual(list.length);
  expect(list).toEqual(expect.arrayContaining(['', 'chapters/results/', 'demo/', 'samples/index.json']));
  expect(
    list.some((u) => u.startsWith('models/') && u.endsWith('.bin')),
    'model weights precached',
  ).toBe(true);
  const [worker] = context.serviceWorkers();
  expect(worker, 'the service worker is running').toBeTruthy();
  expect(new URL(worker!.url()).pathname).toBe(`${new URL(baseURL!).pathname}sw.js`);

  // 2. Offline, for the pages and the worker alike.
  await context.setOffline(true);
  const probe = await worker!.evaluate(
    (u) =>
      fetch(u, { cache: 'no-store' }).then(
        () => 'online',
        () => 'offline',
      ),
    `${baseURL}__not_cached__${Date.now()}`,
  );
  expect(probe, 'the service worker cannot reach the network').toBe('offline');

  // 3a. A chapter with charts reloads from the cache.
  let res = await page.goto('chapters/results/');
  expect(res?.status()).toBe(200);
  expect(res?.fromServiceWorker()).toBe(true);
  await expect(page.locator('h1')).toBeVisible();
  await expect(page.locator('.chart-figure').first()).toBeVisible();
  await page.reload();
  await expect(page.locator('h1')).toBeVisible();

  // 3b. A chapter with a generator: it draws its first record from the cached sample bundle.
  res = await page.goto('chapters/data/');
  expect(res?.fromServiceWorker()).toBe(true);
  await page.waitForFunction(
    () => document.querySelector('heartnet-generator')?.getAttribute('data-state') === 'ready',
    null,
    { timeout: 60_000 },
  );

  // 3c. The demo: runtime, WASM and model from the cache, then a classification.
  res = await page.goto('demo/');
  expect(res?.fromServiceWorker()).toBe(true);
  const got = await uploadToDemo(page, await sampleEkgPng());
  expect(got.state, got.text).toBe('done');
  expect(got.probability).toBeGreaterThanOrEqual(0);

  // 3d. The second reading: the digitiser's worker and the signal model come from the cache too.
  const printout = await uploadToDemo(page, await sampleEkgPng('printout'));
  expect(['done', 'not-ekg'], printout.text).toContain(printout.state);
  await expect(page.locator('[data-clf-readback]')).toHaveAttribute('data-state', 'done');
  if (printout.state === 'done') await expect(page.locator('[data-clf-signal-probability]')).toBeVisible();

  // A page that was never cached gets the offline notice, not a browser error page.
  res = await page.goto('chapters/not-a-chapter/');
  expect(res?.status()).toBe(503);
  await expect(page.locator('h1')).toHaveText('You are offline');

  await context.setOffline(false);
  expect(errors.filter((e) => !/503|Failed to load resource/.test(e))).toEqual([]);
});
