/**
 * The live dataset generator (`<base>/generator/`, src/components/generator/) against the built site:
 *  - every style draws a real sample record without console errors; the canvas is not blank, the aria-live
 *    description follows, the frame keeps its size (no layout shift); a screenshot of each style is attached;
 *  - "Download PNG" gives ecgid-style-seed.png whose decoded pixels equal the canvas's;
 *  - the view round-trips through the query string (and a reload);
 *  - keyboard only: Tab reaches the controls with a visible focus ring, arrow keys change the style;
 *  - "Send to the classifier": the window event when a classifier is on the page, else a PNG data URL in
 *    sessionStorage and a link to the demo;
 *  - a missing sample bundle says to run `npm run setup`;
 *  - a 375 px phone has no sideways scrolling; axe finds no WCAG 2.2 A/AA violations (light and dark);
 *  - render timings of the printout and the photo in Chromium (reported, not asserted).
 */
import type { Page } from '@playwright/test';
import { test, expect, axeViolations } from './fixtures';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { decodePng } from '../../src/lib/render/png';
import { toRgba, STYLE_NAMES } from '../../src/lib/render/index';
import type { StyleName } from '../../src/lib/render/types';
import type { SampleIndex } from '../../src/lib/ptbxl/types';
import {
  DEFAULT_GENERATOR_STATE,
  formatGeneratorQuery,
  parseGeneratorQuery,
  type GeneratorState,
} from '../../src/lib/generator-state';

const ROOT = resolve(import.meta.dirname ?? __dirname, '../..');
const INDEX_FILE = resolve(ROOT, 'public/samples/index.json');
const index: SampleIndex | null = existsSync(INDEX_FILE)
  ? (JSON.parse(readFileSync(INDEX_FILE, 'utf8')) as SampleIndex)
  : null;
const MI_RECORD = index?.records.find((r) => r.mi && r.miCodes.length > 0)?.ecgId ?? 0;
const NON_MI_RECORD = index?.records.find((r) => !r.mi)?.ecgId ?? 0;
const BASE = process.env.BASE_PATH ?? '/heartnet-notebook';

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

const gen = (page: Page) => page.locator('heartnet-generator');

async function renders(page: Page): Promise<number> {
  return Number((await gen(page).getAttribute('data-renders')) ?? 0);
}

/** Waits until the generator has drawn more than `after` images and is idle. */
async function waitDrawn(page: Page, after: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const el = document.querySelector('heartnet-generator');
      return !!el && Number(el.getAttribute('data-renders') ?? 0) > n && el.getAttribute('data-state') === 'ready';
    },
    after,
    { timeout: 60_000 },
  );
  await page.evaluate(() => window.__heartnetGenerator!.idle());
}

async function open(page: Page, query = ''): Promise<void> {
  await page.goto(`generator/${query}`);
  await waitDrawn(page, 0);
}

/** Canvas pixels (RGBA) and simple statistics. */
async function canvasPixels(
  page: Page,
): Promise<{ width: number; height: number; data: number[] | null; distinct: number; nonWhite: number }> {
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-gen-canvas]')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    let nonWhite = 0;
    for (let i = 0; i < d.length; i += 4) {
      const v = (d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!;
      if (seen.size < 64) seen.add(v);
      if (v !== 0xffffff) nonWhite++;
    }
    return { width: c.width, height: c.height, data: null, distinct: seen.size, nonWhite };
  });
}

async function canvasSha(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const c = document.querySelector<HTMLCanvasElement>('[data-gen-canvas]')!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const h = await crypto.subtle.digest('SHA-256', d);
    return [...new Uint8Array(h)].map((b) => b.toString(16).padStart(2, '0')).join('');
  });
}

test.describe('generator', () => {
  test.skip(index === null, 'public/samples/index.json is missing: run `npm run setup`');

  test('draws every style for a real record, describes it, keeps the frame size', async ({ page }, testInfo) => {
    test.setTimeout(300_000);
    const errors = watchErrors(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await open(page, `?record=${MI_RECORD}`);
    const frame = page.locator('[data-gen-frame]');
    const box0 = await frame.boundingBox();
    const rec = index!.records.find((r) => r.ecgId === MI_RECORD)!;
    // The record's metadata: codes, superclasses, report.
    for (const code of Object.keys(rec.scpCodes))
      await expect(page.locator('[data-gen-meta-codes]')).toContainText(code);
    await expect(page.locator('[data-gen-meta-super]')).toHaveText(rec.superclasses.join(', '));
    const descriptions = new Set<string>();
    for (const style of STYLE_NAMES) {
      const n = await renders(page);
      await page.locator(`input[data-gen-style][value="${style}"]`).check();
      await waitDrawn(page, n);
      const px = await canvasPixels(page);
      const cur = await page.evaluate(() => window.__heartnetGenerator!.current());
      expect(cur?.style).toBe(style);
      expect(cur?.ecgId).toBe(MI_RECORD);
      expect([px.width, px.height]).toEqual([cur!.width, cur!.height]);
      expect(px.distinct, `${style}: canvas has more than one colour`).toBeGreaterThan(1);
      expect(px.nonWhite, `${style}: canvas has ink`).toBeGreaterThan(px.width * px.height * 0.002);
      const desc = (await page.locator('[data-gen-desc]').textContent()) ?? '';
      expect(desc).toContain(`Record ${MI_RECORD}`);
      expect(desc.toLowerCase()).toContain(style.replace(/^dataset(\d)$/, 'dataset $1').replace('-', ' '));
      expect(desc).toContain(rec.miCodes[0]!);
      descriptions.add(desc);
      expect(await page.locator('[data-gen-canvas]').getAttribute('aria-label')).toBe(desc);
      await expect(page.locator('[data-gen-time]')).toContainText(/Rendered in \d+(\.\d)? ms/);
      await expect(page.locator(`[data-gen-caption="${style}"]`)).toBeVisible();
      await expect(page.locator('[data-gen-caption]:visible')).toHaveCount(1);
      const params = page.locator('[data-gen-params]');
      // the styles whose seed draws the picture list what it drew
      if (style === 'photo' || style === 'dataset3' || style.startsWith('wild-')) {
        await expect(params).toBeVisible();
        expect(await page.locator('[data-gen-params-list] > div').count()).toBeGreaterThan(0);
      } else {
        await expect(params).toBeHidden();
      }
      const box = await frame.boundingBox();
      expect(box, 'the frame keeps its size').toEqual(box0);
      const shot = testInfo.outputPath(`generator-${style}-1280.png`);
      await page.screenshot({ path: shot, fullPage: true });
      await testInfo.attach(`generator-${style}-1280.png`, { path: shot, contentType: 'image/png' });
    }
    expect(descriptions.size).toBe(STYLE_NAMES.length);
    // dataset4: one lead at full size (the lead selector is enabled for dataset 4 only).
    await expect(page.locator('[data-gen-lead]')).toBeDisabled();
    let n = await renders(page);
    await page.locator('input[data-gen-style][value="dataset4"]').check();
    await waitDrawn(page, n);
    n = await renders(page);
    await page.locator('[data-gen-lead]').selectOption('V1');
    await waitDrawn(page, n);
    expect(await page.evaluate(() => window.__heartnetGenerator!.current())).toMatchObject({
      style: 'dataset4',
      lead: 'V1',
      width: 512,
      height: 512,
    });
    await expect(page.locator('[data-gen-desc]')).toContainText('lead V1');
    // Zoom: true pixel size and 200% pixelated.
    await page.locator('input[data-gen-zoom][value="2"]').check();
    const zoomed = await page
      .locator('[data-gen-canvas]')
      .evaluate((c) => ({ w: c.getBoundingClientRect().width, r: getComputedStyle(c).imageRendering }));
    expect(zoomed).toEqual({ w: 1024, r: 'pixelated' });
    await page.locator('input[data-gen-zoom][value="1"]').check();
    expect(await page.locator('[data-gen-canvas]').evaluate((c) => c.getBoundingClientRect().width)).toBe(512);
    expect(errors).toEqual([]);
  });

  test('the seed changes dataset 3 and the photo, and the same seed gives the same image', async ({ page }) => {
    const errors = watchErrors(page);
    await open(page, `?record=${NON_MI_RECORD}&style=photo&seed=1`);
    const a = await canvasSha(page);
    let n = await renders(page);
    await page.locator('[data-gen-seed]').fill('2');
    await waitDrawn(page, n);
    const b = await canvasSha(page);
    expect(b).not.toBe(a);
    n = await renders(page);
    await page.locator('[data-gen-seed]').fill('1');
    await waitDrawn(page, n);
    expect(await canvasSha(page)).toBe(a);
    n = await renders(page);
    await page.locator('[data-gen-newseed]').click();
    await waitDrawn(page, n);
    expect(await page.locator('[data-gen-seed]').inputValue()).not.toBe('1');
    // Filters change the trace.
    n = await renders(page);
    await page.locator('input[data-gen-filter][value="lowpass"]').uncheck();
    await waitDrawn(page, n);
    await expect(page.locator('[data-gen-desc]')).toContainText(/filters: baseline-wander removal, seed \d+\.$/);
    expect(errors).toEqual([]);
  });

  test('Download PNG gives ecgid-style-seed.png with the canvas pixels', async ({ page }, testInfo) => {
    test.setTimeout(120_000);
    const errors = watchErrors(page);
    await open(page, `?record=${MI_RECORD}&seed=42`);
    for (const style of ['dataset3', 'dataset1', 'photo', 'dataset4'] as StyleName[]) {
      const n = await renders(page);
      await page.locator(`input[data-gen-style][value="${style}"]`).check();
      await waitDrawn(page, n);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('[data-gen-download]').click(),
      ]);
      const suffix = style === 'dataset4' ? '-grid' : '';
      expect(download.suggestedFilename()).toBe(`${MI_RECORD}-${style}-42${suffix}.png`);
      const file = testInfo.outputPath(download.suggestedFilename());
      await download.saveAs(file);
      const png = toRgba(decodePng(new Uint8Array(readFileSync(file))));
      const size = await page
        .locator('[data-gen-canvas]')
        .evaluate((c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
      expect([png.width, png.height]).toEqual(size);
      // Compare digests of the RGBA bytes (moving millions of numbers out of the page is slow).
      const pngSha = createHash('sha256').update(png.data).digest('hex');
      expect(await canvasSha(page), `${style}: the PNG's pixels equal the canvas's`).toBe(pngSha);
    }
    expect(errors).toEqual([]);
  });

  test('the view round-trips through the query string', async ({ page }) => {
    // Pure: parse(format(state)) = state.
    const states: GeneratorState[] = [
      { ...DEFAULT_GENERATOR_STATE },
      {
        record: 63,
        style: 'photo',
        seed: 4294967295,
        filters: ['baseline', 'notch50'],
        lead: 'all',
        zoom: '2',
        mi: 'mi',
      },
      { record: 21673, style: 'dataset4', seed: 0, filters: [], lead: 'aVF', zoom: '1', mi: 'non-mi' },
    ];
    for (const s of states) expect(parseGeneratorQuery(formatGeneratorQuery(s)).state).toEqual(s);
    expect(parseGeneratorQuery('?style=nope&seed=-1&filters=x').problems).toHaveLength(3);

    const errors = watchErrors(page);
    const rec = NON_MI_RECORD;
    await open(page, `?record=${rec}&style=dataset3&seed=99&filters=baseline,notch50&zoom=2&mi=non-mi`);
    expect(await page.evaluate(() => window.__heartnetGenerator!.current())).toMatchObject({
      ecgId: rec,
      style: 'dataset3',
      seed: 99,
    });
    await expect(page.locator('input[data-gen-style][value="dataset3"]')).toBeChecked();
    await expect(page.locator('[data-gen-seed]')).toHaveValue('99');
    await expect(page.locator('input[data-gen-filter][value="baseline"]')).toBeChecked();
    await expect(page.locator('input[data-gen-filter][value="notch50"]')).toBeChecked();
    await expect(page.locator('input[data-gen-filter][value="lowpass"]')).not.toBeChecked();
    await expect(page.locator('input[data-gen-zoom][value="2"]')).toBeChecked();
    await expect(page.locator('input[data-gen-mi][value="non-mi"]')).toBeChecked();
    await expect(page.locator('[data-gen-record]')).toHaveValue(String(rec));
    const sha = await canvasSha(page);
    // Change things; the URL follows.
    let n = await renders(page);
    await page.locator('input[data-gen-style][value="photo"]').check();
    await waitDrawn(page, n);
    n = await renders(page);
    await page.locator('[data-gen-seed]').fill('1234');
    await waitDrawn(page, n);
    const url = new URL(page.url());
    expect(url.pathname).toBe(`${BASE}/generator/`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      record: String(rec),
      style: 'photo',
      seed: '1234',
      filters: 'baseline,notch50',
      zoom: '2',
      mi: 'non-mi',
    });
    const photoSha = await canvasSha(page);
    // A reload (or a shared link) shows the same image.
    await page.reload();
    await waitDrawn(page, 0);
    expect(await canvasSha(page)).toBe(photoSha);
    // And going back to the first URL shows the first image again.
    await open(page, `?record=${rec}&style=dataset3&seed=99&filters=baseline,notch50&zoom=2&mi=non-mi`);
    expect(await canvasSha(page)).toBe(sha);
    // Unknown values are reported, not fatal.
    await open(page, '?style=bogus&seed=abc');
    await expect(page.locator('[data-gen-alert]')).toContainText('style="bogus"');
    expect(errors).toEqual([]);
  });

  test('works with the keyboard alone', async ({ page }) => {
    const errors = watchErrors(page);
    await open(page, `?record=${MI_RECORD}`);
    await page.locator('h1').click();
    const focusOn = async (selector: string): Promise<void> => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      }
      throw new Error(`Tab never reached ${selector}`);
    };
    // Record select: keyboard changes the record.
    await focusOn('[data-gen-record]');
    const ring = await page.evaluate(() => {
      const cs = getComputedStyle(document.activeElement!);
      return { style: cs.outlineStyle, width: parseFloat(cs.outlineWidth) };
    });
    expect(ring.style).not.toBe('none');
    expect(ring.width).toBeGreaterThanOrEqual(2);
    let n = await renders(page);
    await page.keyboard.press('ArrowDown');
    await waitDrawn(page, n);
    expect((await page.evaluate(() => window.__heartnetGenerator!.current()))!.ecgId).not.toBe(MI_RECORD);
    // Style radios: arrows move the choice.
    await focusOn('input[data-gen-style]:checked');
    n = await renders(page);
    await page.keyboard.press('ArrowRight');
    await waitDrawn(page, n);
    expect((await page.evaluate(() => window.__heartnetGenerator!.current()))!.style).toBe('dataset3');
    // New seed button with Enter.
    await focusOn('[data-gen-newseed]');
    n = await renders(page);
    await page.keyboard.press('Enter');
    await waitDrawn(page, n);
    // A filter with Space.
    await focusOn('input[data-gen-filter][value="baseline"]');
    n = await renders(page);
    await page.keyboard.press('Space');
    await waitDrawn(page, n);
    await expect(page.locator('input[data-gen-filter][value="baseline"]')).toBeChecked();
    // Zoom and the scrollable frame.
    await focusOn('input[data-gen-zoom]:checked');
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('[data-gen-frame]')).toHaveAttribute('data-zoom', '1');
    await focusOn('[data-gen-download]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toMatch(/^\d+-dataset3-\d+\.png$/);
    await focusOn('[data-gen-frame]');
    expect(errors).toEqual([]);
  });

  test('send to the classifier: event on a page with one, sessionStorage and a demo link otherwise', async ({
    page,
  }) => {
    const errors = watchErrors(page);
    await open(page, `?record=${MI_RECORD}&style=dataset2`);
    await page.locator('[data-gen-send]').click();
    const link = page.locator('[data-gen-demo-link]');
    await expect(link).toHaveAttribute('href', `${BASE}/demo/`);
    const stored = await page.evaluate(() => ({
      url: sessionStorage.getItem('heartnet:pending-image'),
      label: sessionStorage.getItem('heartnet:pending-image-label'),
    }));
    expect(stored.url).toMatch(/^data:image\/png;base64,/);
    expect(stored.label).toContain(String(MI_RECORD));
    const png = decodePng(new Uint8Array(Buffer.from(stored.url!.split(',')[1]!, 'base64')));
    expect([png.width, png.height]).toEqual([640, 480]);
    // With a classifier on the page: the event carries the RasterImage.
    await page.evaluate(() => {
      document.body.append(document.createElement('heartnet-classifier'));
      window.addEventListener('heartnet:send-to-classifier', (e) => {
        const d = (
          e as CustomEvent<{
            image: { width: number; height: number; channels: number; data: Uint8ClampedArray };
            label: string;
          }>
        ).detail;
        (window as unknown as { __got: unknown }).__got = {
          w: d.image.width,
          h: d.image.height,
          c: d.image.channels,
          n: d.image.data.length,
          isU8C: d.image.data instanceof Uint8ClampedArray,
          label: d.label,
        };
      });
    });
    await page.locator('[data-gen-send]').click();
    const got = await page.evaluate(() => (window as unknown as { __got: unknown }).__got);
    expect(got).toMatchObject({ w: 640, h: 480, c: 4, n: 640 * 480 * 4, isU8C: true });
    expect(errors).toEqual([]);
  });

  test('the demo page classifies an image the generator handed over through sessionStorage, once', async ({ page }) => {
    const errors = watchErrors(page);
    await open(page, `?record=${MI_RECORD}&style=dataset2`);
    await page.locator('[data-gen-send]').click();
    await page.locator('[data-gen-demo-link]').click();
    await expect(page).toHaveURL(/\/demo\/$/);
    const result = page.locator('[data-clf-result]');
    await expect(result).toHaveAttribute('data-state', /^(done|not-ekg)$/, { timeout: 60_000 });
    await expect(page.locator('[data-clf-caption]')).toContainText(String(MI_RECORD));
    await expect(page.locator('[data-clf-caption]')).toContainText('640 × 480');
    // Taken once: the hand-over is cleared, so a reload does not classify it again.
    expect(await page.evaluate(() => sessionStorage.getItem('heartnet:pending-image'))).toBeNull();
    await page.reload();
    await expect(page.locator('[data-clf-caption]')).toHaveText('No image yet.');
    expect(errors).toEqual([]);
  });

  test('fits a 375 px phone without sideways scrolling', async ({ page }, testInfo) => {
    const errors = watchErrors(page);
    await page.setViewportSize({ width: 375, height: 800 });
    await open(page, `?record=${MI_RECORD}&style=printout`);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const frame = await page.locator('[data-gen-frame]').boundingBox();
    expect(frame!.width).toBeLessThanOrEqual(375);
    const shot = testInfo.outputPath('generator-printout-375.png');
    await page.screenshot({ path: shot, fullPage: true });
    await testInfo.attach('generator-printout-375.png', { path: shot, contentType: 'image/png' });
    // Zoomed in, the frame scrolls; the page still does not.
    await page.locator('input[data-gen-zoom][value="2"]').check();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBeLessThanOrEqual(0);
    expect(await page.locator('[data-gen-frame]').evaluate((f) => f.scrollWidth > f.clientWidth)).toBe(true);
    expect(errors).toEqual([]);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe finds no WCAG 2.2 A/AA violations (${colorScheme}, photo with its parameters open)`, async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      await open(page, `?record=${MI_RECORD}&style=photo`);
      await page.locator('[data-gen-params] summary').click();
      const violations = await axeViolations(page, 'heartnet-generator');
      expect(violations).toEqual([]);
    });
  }

  test('render timings in Chromium (printout, photo; reported, not asserted)', async ({ page }, testInfo) => {
    test.setTimeout(180_000);
    await open(page, `?record=${MI_RECORD}`);
    const lines: string[] = [];
    for (const where of ['worker', 'main'] as const) {
      for (const style of [
        'dataset2',
        'printout',
        'photo',
        'dataset1',
        'wild-printout',
        'wild-scan',
        'wild-photo',
      ] as StyleName[]) {
        const times = await page.evaluate(
          ({ id, style, where }) => window.__heartnetGenerator!.bench(id, style, { runs: 15, warmup: 3, where }),
          { id: MI_RECORD, style, where },
        );
        const sorted = [...times].sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)]!;
        lines.push(
          `${where.padEnd(6)} ${style.padEnd(9)} median ${median.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms (${times.length} runs after 3 warm-up)`,
        );
      }
    }
    console.log(`generator render timings (record ${MI_RECORD}):\n${lines.join('\n')}`);
    await testInfo.attach('render-timings.txt', { body: lines.join('\n'), contentType: 'text/plain' });
  });
});

test('a missing sample bundle says to run npm run setup', async ({ page }) => {
  await page.route('**/samples/index.json', (route) => route.fulfill({ status: 404, body: 'not found' }));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('generator/');
  await expect(page.locator('[data-gen-alert]')).toContainText('npm run setup');
  await expect(gen(page)).toHaveAttribute('data-state', 'missing');
  expect(errors).toEqual([]);
});
