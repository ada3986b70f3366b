/**
 * The demo's second reading (issue 12): the picture read back into signals by the digitiser (in a worker) and read
 * by the signal model, beside the image model's reading
 * (npx astro build && npx playwright test tests/e2e/readback.spec.ts).
 * Setup renders a fold-10 sample record as our printout and, for the timing, as wild phone photos, with the Node
 * renderer; the Node digitiser and signal model give the score the demo must show.
 */
import type { Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { axeViolations, expect, test } from './fixtures';
import { base64Of, classifierSeq, uploadToDemo, waitReading } from './helpers';

test.describe.configure({ mode: 'serial' });

interface Sample {
  ecgId: number;
  stratFold?: number;
  fold?: number;
  mi: boolean;
  hea: string;
  dat: string;
}

let tmp = '';
let printoutPng = '';
let notEkgPng = '';
let record: Sample;
let nodeProbability = Number.NaN;
let printoutImage: { width: number; height: number; channels: 1 | 4; data: Uint8ClampedArray };
let printoutFilters: string[] = [];
const wildPhotos: Array<{ file: string; seed: number }> = [];
/** A wild photo the classical ink plane cannot read and the segmenter's can, and the Node pipeline's score of it. */
let learnedPhoto: { file: string; seed: number; probability: number } | null = null;
const timings: Record<string, unknown> = {};

/** The generator's seed index of the first photo of the record only the segmenter reads; see its use. */
const LEARNED_PHOTO_HINT = 19;
const LEARNED_PHOTO_SEARCH = 40;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'heartnet-readback-'));
  const index = JSON.parse(readFileSync('public/samples/index.json', 'utf8')) as { records: Sample[] };
  record = index.records.find((r) => (r.stratFold ?? r.fold) === 10 && r.mi) ?? index.records[0]!;
  const { renderWithInfo, toRgba, deriveSeed } = await import('../../src/lib/render/index');
  const { encodePng } = await import('../../src/lib/render/png');
  const { parseHeader, parseDat } = await import('../../src/lib/ptbxl/wfdb');
  const signals = parseDat(
    new Uint8Array(readFileSync(path.join('public/samples', record.dat))),
    parseHeader(readFileSync(path.join('public/samples', record.hea), 'utf8'), record.hea),
    record.dat,
  );
  const { images, info } = renderWithInfo(signals, { style: 'printout', seed: record.ecgId, ecgId: record.ecgId });
  printoutImage = toRgba(images[0]!);
  printoutFilters = info.filters;
  printoutPng = path.join(tmp, `${record.ecgId}-printout.png`);
  writeFileSync(printoutPng, encodePng(printoutImage));
  // the phone photos of the timing test: one record, seeds as the generator's "New seed" makes them
  // (E2E_READBACK_PHOTOS, default 5)
  for (let k = 0; k < Number(process.env.E2E_READBACK_PHOTOS ?? 5); k++) {
    const seed = deriveSeed(record.ecgId, k, 'wild-photo');
    const [img] = renderWithInfo(signals, { style: 'wild-photo', seed, ecgId: record.ecgId }).images;
    const file = path.join(tmp, `${record.ecgId}-wild-photo-${seed}.png`);
    writeFileSync(file, encodePng(toRgba(img!)));
    wildPhotos.push({ file, seed });
  }
  // a picture that is not an EKG: soft colour fields and a few discs, no traces, no grid
  const w = 640;
  const h = 480;
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const disc = [
        [160, 200, 90],
        [420, 150, 70],
        [500, 360, 110],
      ].some(([cx, cy, r]) => (x - cx!) ** 2 + (y - cy!) ** 2 < r! ** 2);
      data[i] = disc ? 40 : 120 + (x * 100) / w;
      data[i + 1] = disc ? 110 : 170 + (y * 60) / h;
      data[i + 2] = disc ? 60 : 210;
      data[i + 3] = 255;
    }
  }
  notEkgPng = path.join(tmp, 'not-an-ekg.png');
  writeFileSync(notEkgPng, encodePng({ width: w, height: h, channels: 4, data }));
  // what the Node digitiser and signal model make of the printout
  const { digitise } = await import('../../src/lib/digitise/index');
  const { loadSignalModelFromDir } = await import('../../src/lib/signal/node-io');
  const { predictSignalProbabilities } = await import('../../src/lib/signal/model');
  const { inputFromReadout } = await import('../../src/lib/signal/windows');
  const sig = await loadSignalModelFromDir('public/models/signal-3x4r');
  nodeProbability = predictSignalProbabilities(sig.model, [inputFromReadout(digitise(printoutImage).readout)])[0]!;
  // the fallback (DIGITISER_POLICY): a photo of this record, by the generator's seeds, that only the segmenter's
  // plane reads. The search starts at the index that was the first such photo when this was written
  // (LEARNED_PHOTO_HINT) and wraps round: each photo that neither plane reads costs ~10 s of Node segmenter time, and
  // the search from 0 passed eight of them. A digitiser change that moves the first such photo only costs time.
  const { nodeDigitiser } = await import('../../src/lib/digitise/segment-node');
  const reader = await nodeDigitiser();
  for (let j = 0; j < LEARNED_PHOTO_SEARCH && reader.segmenter && !learnedPhoto; j++) {
    const k = (LEARNED_PHOTO_HINT + j) % LEARNED_PHOTO_SEARCH;
    const seed = deriveSeed(record.ecgId, k, 'wild-photo');
    const img = toRgba(renderWithInfo(signals, { style: 'wild-photo', seed, ecgId: record.ecgId }).images[0]!);
    try {
      const r = reader.read(img);
      if (r.reader !== 'learned') continue;
      const file = path.join(tmp, `${record.ecgId}-learned-${seed}.png`);
      writeFileSync(file, encodePng(img));
      learnedPhoto = {
        file,
        seed,
        probability: predictSignalProbabilities(sig.model, [inputFromReadout(r.readout)])[0]!,
      };
    } catch {
      /* unread either way */
    }
  }
  reader.dispose();
  sig.model.dispose();
});

test.afterAll(() => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/readback-timings.json', JSON.stringify(timings, null, 1));
});

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Non-white pixels on a canvas (is something drawn?). */
const inked = (page: Page, sel: string) =>
  page.locator(sel).evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! < 200 || d[i + 1]! < 200 || d[i + 2]! < 200) n++;
    return n;
  });

test('a printout: the sheet with rows and panels, the stages, the leads and the signal reading beside the image reading', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await page.goto('demo/');
  const got = await uploadToDemo(page, printoutPng);
  expect(['done', 'not-ekg'], got.text).toContain(got.state);
  const rb = page.locator('[data-clf-readback]');
  await expect(rb).toHaveAttribute('data-state', 'done');
  expect(Number(await rb.getAttribute('data-leads-read'))).toBeGreaterThanOrEqual(10);
  await expect(page.locator('[data-clf-stages] li')).toHaveCount(7);
  await expect(page.locator('[data-clf-stages]')).toContainText('px per mm');
  expect(await inked(page, '[data-clf-sheet]')).toBeGreaterThan(1000);
  expect(await inked(page, '[data-clf-leads]')).toBeGreaterThan(1000);
  await expect(page.locator('[data-clf-leads-caption]')).toContainText('the true signal is unknown');
  // the reading's self-check, the one measure an uploaded picture has: a printout's limb leads keep Einthoven's law
  await expect(page.locator('[data-clf-leads-caption]')).toContainText('II = I + III');
  expect(Number(await rb.getAttribute('data-agreement-db'))).toBeGreaterThan(8);
  if (got.state === 'done') {
    const box = page.locator('[data-clf-signal-reading]');
    await expect(box.locator('[data-clf-signal-probability]')).toBeVisible();
    await expect(box).toContainText('Not a diagnosis');
    await expect(box).toContainText('its own threshold');
    const p = Number(await box.getAttribute('data-signal-probability'));
    expect(Math.abs(p - nodeProbability), `browser ${p} vs Node ${nodeProbability}`).toBeLessThanOrEqual(1e-3);
    // the image model's reading is still there, unchanged in kind
    await expect(page.locator('[data-clf-reading] [data-clf-probability]')).toBeVisible();
    // and the two together: the rule of lib/model/combine.ts on the two scores, at the two models' thresholds and
    // the verdict's own (its verdict file)
    const together = page.locator('[data-clf-combined-reading]');
    await expect(together).toHaveAttribute('data-state', 'done');
    await expect(together).toContainText('Not a diagnosis');
    await expect(together).toContainText("ECG-Image-Kit's pages");
    // where the verdict measured worse than the image model alone (our simulated phone photos), the box says so
    const { loadReadings } = await import('../../src/lib/charts/digitise');
    const demoName = (JSON.parse(readFileSync('public/models/default.json', 'utf8')) as { model: string }).model;
    const rows = loadReadings(
      (JSON.parse(readFileSync(`public/models/${demoName}/metadata.json`, 'utf8')) as { name: string }).name,
      'signal-3x4r',
    );
    const photoCombined = rows.find((r) => r.kind === 'combined' && r.set === 'ours · wild-photo');
    const photoImage = rows.find((r) => r.kind === 'image' && r.set === 'ours · wild-photo');
    if (photoCombined && photoImage && photoCombined.auroc < photoImage.auroc)
      await expect(together.locator('[data-clf-combined-measured]')).toContainText(
        `On our simulated phone photos (n ${photoCombined.n}) it ranked the pictures worse than the image model alone`,
      );
    const pImage = Number(await page.locator('[data-clf-result]').getAttribute('data-probability'));
    const { combineReadings } = await import('../../src/lib/model/combine');
    const meta = (name: string) =>
      JSON.parse(readFileSync(`public/models/${name}/metadata.json`, 'utf8')) as { threshold: number };
    const demo = (JSON.parse(readFileSync('public/models/default.json', 'utf8')) as { model: string }).model;
    const { loadCombinedVerdict } = await import('../../src/lib/charts/digitise');
    const verdict = loadCombinedVerdict(demo, 'signal-3x4r');
    expect(verdict, 'the combined box is shown only with a verdict file').not.toBeNull();
    const v = combineReadings(
      { p: pImage, threshold: meta(demo).threshold },
      { p, threshold: meta('signal-3x4r').threshold },
      verdict!.margin_threshold,
    );
    await expect(together).toHaveAttribute('data-combined-decision', v.mi ? 'MI' : 'Normal');
    await expect(together.locator('[data-clf-combined-score]')).toHaveText(v.score!.toFixed(3));
  }
  // the trace-mask view is a keyboard-reachable checkbox
  const mask = page.locator('[data-clf-mask]');
  await mask.focus();
  await page.keyboard.press('Space');
  await expect(mask).toBeChecked();
  timings.printout = await page.evaluate(() => (window.__heartnet?.readback as () => unknown)());
  expect(errors).toEqual([]);
});

test('no tensors leak across digitised readings', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('demo/');
  await uploadToDemo(page, printoutPng);
  const mem = () => page.evaluate(() => (window.__heartnet?.memory as () => { numTensors: number })().numTensors);
  const signals = () => page.evaluate(() => (window.__heartnet?.signalClassifications as () => number)());
  const n1 = await mem();
  const s1 = await signals();
  for (let i = 0; i < 8; i++) await uploadToDemo(page, printoutPng);
  expect(await signals()).toBe(s1 + 8);
  expect(await mem()).toBe(n1);
});

test('a picture from the generator: the true signal beside each lead, with its SNR', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await page.goto('demo/');
  const before = await classifierSeq(page);
  await page.evaluate(
    ({ w, h, b64, source }) => {
      const data = Uint8ClampedArray.from(atob(b64), (ch) => ch.charCodeAt(0));
      const image = { width: w, height: h, channels: 4, data };
      window.dispatchEvent(
        new CustomEvent('heartnet:send-to-classifier', { detail: { image, label: 'From the generator', source } }),
      );
    },
    {
      w: printoutImage.width,
      h: printoutImage.height,
      b64: base64Of(printoutImage.data),
      source: { ecgId: record.ecgId, style: 'printout', seed: record.ecgId, filters: printoutFilters },
    },
  );
  await waitReading(page, before);
  const rb = page.locator('[data-clf-readback]');
  await expect(rb).toHaveAttribute('data-state', 'done');
  await expect(page.locator('[data-clf-leads-caption]')).toContainText(`true signal of PTB-XL record ${record.ecgId}`);
  const snr = Number(await rb.getAttribute('data-snr-median'));
  // our clean printouts read back at about 18 dB (data/eval/digitise/printout-n100.json); far below would be a bug
  expect(snr).toBeGreaterThan(10);
  timings.generator_snr_median_db = snr;
  expect(errors).toEqual([]);
});

test('a photo the threshold cannot read is read from the trained segmenter’s plane, with the score Node gives', async ({
  page,
}) => {
  test.skip(!learnedPhoto, 'no shipped segmenter, or no photo of this record that only its plane reads');
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await page.goto('demo/?backend=wasm');
  await uploadToDemo(page, learnedPhoto!.file);
  const rb = page.locator('[data-clf-readback]');
  await expect(rb).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(page.locator('[data-clf-stages]')).toContainText('trained network');
  const last = (await page.evaluate(() => (window.__heartnet?.readback as () => Record<string, unknown>)()))!;
  expect(last.reader).toBe('learned');
  const box = page.locator('[data-clf-signal-reading]');
  if (await box.locator('[data-clf-signal-probability]').count()) {
    const p = Number(await box.getAttribute('data-signal-probability'));
    // the segmenter runs on WASM here and on the CPU backend in Node: a pixel on the threshold may fall either way
    expect(Math.abs(p - learnedPhoto!.probability), `browser ${p} vs Node ${learnedPhoto!.probability}`).toBeLessThan(
      0.02,
    );
  }
  timings.learned_photo = last;
  expect(errors).toEqual([]);
});

test('a picture that is not an EKG: the digitiser says it found no trace rows; the image model still answers', async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.goto('demo/');
  const got = await uploadToDemo(page, notEkgPng);
  expect(['done', 'not-ekg']).toContain(got.state);
  expect(got.text.length).toBeGreaterThan(20);
  await expect(page.locator('[data-clf-readback]')).toHaveAttribute('data-state', 'failed');
  await expect(page.locator('[data-clf-signal-failure]')).toContainText('could not find the trace rows');
  await expect(page.locator('[data-clf-readback-failure]')).toContainText('could not find the trace rows');
  await expect(page.locator('[data-clf-readback-body]')).toBeHidden();
  // no second reading: a verdict, if any, is the image model's alone; a refused picture gets none
  const together = page.locator('[data-clf-combined-reading]');
  if (got.state === 'done') {
    await expect(together.locator('[data-clf-combined-image-only]')).toContainText("the image model's alone");
    const decision = await page.locator('[data-clf-result]').getAttribute('data-decision');
    await expect(together).toHaveAttribute('data-combined-decision', decision === 'MI' ? 'MI' : 'Normal');
  } else {
    await expect(together).toHaveAttribute('data-state', 'withheld');
  }
  expect(errors).toEqual([]);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe: no WCAG 2.2 A/AA violations with both readings and the leads drawn (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('demo/');
    await uploadToDemo(page, printoutPng);
    await expect(page.locator('[data-clf-readback]')).toHaveAttribute('data-state', 'done');
    expect(await axeViolations(page, 'heartnet-classifier')).toEqual([]);
  });
}

test('digitise + classify time per wild phone photo on WASM (issue 12: at most 2 s)', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('demo/?backend=wasm');
  // the first picture loads the models and starts the worker; it is timed apart
  await uploadToDemo(page, printoutPng);
  const rows: Array<Record<string, unknown>> = [];
  for (const w of wildPhotos) {
    await uploadToDemo(page, w.file);
    const r = (await page.evaluate(() => (window.__heartnet?.readback as () => Record<string, unknown>)()))!;
    rows.push({ seed: w.seed, ...r });
  }
  const total = rows.map((r) => Number(r.totalMs ?? r.roundTripMs)).sort((a, b) => a - b);
  timings.wild_photo = {
    backend: await page.evaluate(() => (window.__heartnet?.backend as () => string)()),
    per_photo: rows,
    median_total_ms: total[total.length >> 1],
    max_total_ms: total[total.length - 1],
    read: rows.filter((r) => r.ok).length,
  };
  expect(await page.evaluate(() => (window.__heartnet?.backend as () => string)())).toBe('wasm');
  // 2 s is the target on an idle machine; E2E_READBACK_MS lets a loaded one report instead of fail
  expect(total[total.length >> 1]).toBeLessThanOrEqual(Number(process.env.E2E_READBACK_MS ?? 2000));
});

test('the Reading-back chapter sits between Results and Try it, and draws the stages live by keyboard', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = watchConsole(page);
  await page.goto('');
  const titles = await page.locator('.chapter-list a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  const at = (slug: string) => titles.findIndex((h) => h.endsWith(`chapters/${slug}/`));
  expect(at('reading-back')).toBe(at('results') + 1);
  expect(at('try-it')).toBe(at('reading-back') + 1);
  await page.goto('chapters/reading-back/');
  const fig = page.locator('heartnet-readback-stages');
  await expect(fig).toHaveAttribute('data-state', 'idle');
  // where the leads drawing sits inside the figure (the page may scroll meanwhile)
  const leadsTop = () =>
    page.evaluate(() => {
      const f = document.querySelector('heartnet-readback-stages')!.getBoundingClientRect().top;
      return document.querySelector('[data-rbs-canvas="leads"]')!.getBoundingClientRect().top - f;
    });
  const before = await leadsTop();
  await page.locator('[data-rbs-run]').focus();
  await page.keyboard.press('Enter');
  await expect(fig).toHaveAttribute('data-state', /done|failed/, { timeout: 120_000 });
  await expect(fig).toHaveAttribute('data-state', 'done');
  // its space was reserved: drawing moved none of the drawings
  expect(await leadsTop()).toBeCloseTo(before, 0);
  for (const k of ['picture', 'sheet', 'mask', 'layout', 'leads'])
    expect(await inked(page, `[data-rbs-canvas="${k}"]`), k).toBeGreaterThan(500);
  await expect(page.locator('[data-rbs-lines] li[data-ok]')).toHaveCount(7);
  await expect(page.locator('[data-rbs-lines]')).toContainText('SNR: median');
  expect(Number(await fig.getAttribute('data-snr-median'))).toBeGreaterThan(10);
  expect(await axeViolations(page, 'heartnet-readback-stages')).toEqual([]);
  // a wild phone photo: read, or a plain sentence saying it could not be
  await page.locator('[data-rbs-style][value="wild-photo"]').check();
  await page.locator('[data-rbs-run]').click();
  await expect(fig).toHaveAttribute('data-runs', '2', { timeout: 120_000 });
  if ((await fig.getAttribute('data-state')) === 'failed')
    await expect(page.locator('[data-rbs-status]')).toContainText('could not');
  expect(errors).toEqual([]);
});
