/**
 * The in-browser classifier against the built site (npx astro build && npx playwright test tests/e2e/classifier.spec.ts).
 * Setup renders fold-10 sample records in every 12-lead style with the Node renderer into a temp dir and runs
 * `npm run classify` on them; the demo must give the same decisions (probabilities within 1e-3).
 */
import type { Browser, Page } from '@playwright/test';
import { axeViolations, expect, test } from './fixtures';
import { base64Of } from './helpers';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

test.describe.configure({ mode: 'serial' });

const FIXTURES = 'tests/fixtures/images';
const STYLES = ['dataset1', 'dataset2', 'dataset3', 'printout', 'photo'];
const RECORDS = 2;

interface CliResult {
  file: string;
  probability: number;
  decision: string;
  is_ekg: boolean;
  model: string;
}

let tmp = '';
const rendered: string[] = [];
const expected = new Map<string, CliResult>();
let modelFiles: string[] = [];
/** The signal model's files (issue 12's second reading): fetched once, when the digitiser first reads a picture. */
let signalFiles: string[] = [];
let signalUrlPath = '';
let segmenterFiles: string[] = [];
let segmenterUrlPath = '';
const timings: Record<string, unknown> = {};

test.beforeAll(async () => {
  test.setTimeout(300_000);
  tmp = mkdtempSync(path.join(os.tmpdir(), 'heartnet-clf-'));
  const index = 'public/samples/index.json';
  if (!existsSync(index)) throw new Error('public/samples is missing: run `npm run setup` first');
  const { render, toRgba } = await import('../../src/lib/render/index');
  const { encodePng } = await import('../../src/lib/render/png');
  const { parseHeader, parseDat } = await import('../../src/lib/ptbxl/wfdb');
  const j = JSON.parse(readFileSync(index, 'utf8')) as {
    records: Array<{ ecgId: number; stratFold?: number; fold?: number; mi: boolean; hea: string; dat: string }>;
  };
  const fold10 = j.records.filter((r) => (r.stratFold ?? r.fold) === 10);
  const pick = [fold10.find((r) => r.mi), fold10.find((r) => !r.mi)]
    .filter((r): r is NonNullable<typeof r> => !!r)
    .slice(0, RECORDS);
  for (const r of pick) {
    const header = parseHeader(readFileSync(path.join('public/samples', r.hea), 'utf8'), r.hea);
    const signals = parseDat(new Uint8Array(readFileSync(path.join('public/samples', r.dat))), header, r.dat);
    for (const style of STYLES) {
      const [img] = render(signals, { style: style as 'dataset2', seed: r.ecgId });
      const file = path.join(tmp, `${r.ecgId}-${style}.png`);
      writeFileSync(file, encodePng(toRgba(img!)));
      rendered.push(file);
    }
  }
  const { findDemoModel, FIXTURE_MODEL_DIR } = await import('../../src/components/classifier/model-info');
  const info = findDemoModel();
  if (!info) throw new Error('no model for the demo');
  const modelDir = info.fixture ? FIXTURE_MODEL_DIR : path.join('public/models', info.dir);
  const filesOf = (dir: string) => {
    const j = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: Array<{ paths: string[] }>;
    };
    return ['metadata.json', 'model.json', ...j.weightsManifest.flatMap((g) => g.paths)];
  };
  // the classifier's files and the EKG check's (each fetched once)
  modelFiles = [
    ...filesOf(modelDir),
    ...(info.gateUrlPath ? filesOf(path.join('public', info.gateUrlPath)) : []),
    ...(info.uprightUrlPath ? filesOf(path.join('public', info.uprightUrlPath)) : []),
  ];
  const { findSignalModel } = await import('../../src/components/classifier/model-info');
  const signal = info.fixture ? null : findSignalModel();
  signalFiles = signal ? filesOf(path.join('public', signal.urlPath)) : [];
  signalUrlPath = signal ? `/${signal.urlPath}` : '';
  // the digitiser's trace segmenter, fetched (once) the first time the classical ink plane finds no trace rows
  const { findSegmenterUrlPath } = await import('../../src/components/classifier/model-info');
  const seg = signal ? findSegmenterUrlPath() : null;
  segmenterFiles = seg ? filesOf(path.join('public', seg)) : [];
  segmenterUrlPath = seg ? `/${seg}` : '';
  const out = execFileSync('npx', ['tsx', 'scripts/classify.ts', '--model', modelDir, ...rendered], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as CliResult;
    expected.set(r.file, r);
  }
  expect(expected.size).toBe(rendered.length);
});

test.afterAll(() => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/classifier-timings.json', JSON.stringify(timings, null, 1));
});

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });
  return errors;
}

async function upload(
  page: Page,
  file: string,
): Promise<{
  state: string;
  probability?: number;
  decision?: string;
  errorCode?: string;
  modelMs?: number;
  text: string;
}> {
  const el = page.locator('heartnet-classifier');
  const before = Number((await el.getAttribute('data-seq')) ?? 0);
  await page.locator('[data-clf-file]').setInputFiles(file);
  await page.waitForFunction(
    (b) => Number(document.querySelector('heartnet-classifier')?.getAttribute('data-seq') ?? 0) > b,
    before,
    { timeout: 60_000 },
  );
  return page.locator('[data-clf-result]').evaluate((r: HTMLElement) => ({
    state: r.dataset.state ?? '',
    probability: r.dataset.probability === undefined ? undefined : Number(r.dataset.probability),
    decision: r.dataset.decision,
    errorCode: r.dataset.errorCode,
    modelMs: r.dataset.modelMs === undefined ? undefined : Number(r.dataset.modelMs),
    text: r.querySelector('[data-clf-reading]')?.textContent ?? '',
  }));
}

test('same decisions as `npm run classify`, no network during classification but the models (once)', async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.goto('demo/');
  await page.waitForLoadState('networkidle');
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const t0 = Date.now();
  let first = true;
  let afterFirst = 0;
  for (const file of rendered) {
    const got = await upload(page, file);
    const want = expected.get(file)!;
    if (first) {
      timings.first_classification_after_load_ms = Date.now() - t0;
      afterFirst = requests.length;
      first = false;
    }
    if (want.decision === 'not-ekg') {
      expect(got.state, `${file}: the CLI's EKG check refused it`).toBe('not-ekg');
    } else {
      expect(got.state, `${file}: ${got.text}`).toBe('done');
      expect(
        Math.abs(got.probability! - want.probability),
        `${file}: browser ${got.probability} vs CLI ${want.probability}`,
      ).toBeLessThanOrEqual(1e-3);
      expect(got.decision).toBe(want.decision);
    }
  }
  timings.backend_default = await page.evaluate(() => (window.__heartnet?.backend as () => string)());
  // Only the model files (each once) and code chunks were fetched: the image model, its EKG check and the
  // sheet-upright model during the first classification, the signal model (and its code) when the digitiser first read a picture back, the trace
  // segmenter when the digitiser first fell back on it.
  const isCode = (u: string) => /\/_assets\/.*\.(js|wasm)$/.test(new URL(u).pathname);
  const nameOf = (u: string) => new URL(u).pathname.split('/').pop()!;
  const isSignal = (u: string) => signalUrlPath !== '' && new URL(u).pathname.includes(signalUrlPath);
  const isSegmenter = (u: string) => segmenterUrlPath !== '' && new URL(u).pathname.includes(segmenterUrlPath);
  const late = requests.slice(afterFirst).filter((u) => !isCode(u) && !isSignal(u) && !isSegmenter(u));
  expect(late, 'no request after the first classification but the signal model and the segmenter').toEqual([]);
  const signalUsed = await page.evaluate(() => (window.__heartnet?.signalClassifications as () => number)() > 0);
  const segmenterUsed = requests.some(isSegmenter);
  const names = requests.filter((u) => !isCode(u)).map(nameOf);
  expect(names.sort()).toEqual(
    [...modelFiles, ...(signalUsed ? signalFiles : []), ...(segmenterUsed ? segmenterFiles : [])].sort(),
  );
  for (const u of requests) expect(new URL(u).origin).toBe(new URL(page.url()).origin);
  expect(errors).toEqual([]);
});

const BAD: Array<{ file: string; state: 'error' | 'not-ekg' | 'decoded'; code?: string; text: RegExp }> = [
  { file: 'zero-bytes.png', state: 'error', code: 'empty', text: /empty \(0 bytes\)/ },
  { file: 'not-an-image.png', state: 'error', code: 'not-image', text: /not an image/ },
  { file: 'truncated.png', state: 'error', code: 'truncated', text: /PNG file is incomplete/ },
  { file: 'truncated.jpg', state: 'error', code: 'truncated', text: /JPEG file is incomplete/ },
  { file: 'drawing.svg', state: 'error', code: 'svg', text: /SVG drawing/ },
  { file: 'huge-72mp.png', state: 'error', code: 'too-many-pixels', text: /72 megapixels/ },
  { file: 'photo.heic', state: 'error', code: 'heic-unsupported', text: /cannot decode HEIC/ },
  { file: 'animated.gif', state: 'not-ekg', text: /animated GIF with 2 frames; only the first frame/ },
  { file: 'sixteen-bit.png', state: 'decoded', text: /16-bit PNG was reduced to 8 bits/ },
  { file: 'cmyk.jpg', state: 'not-ekg', text: /CMYK/ },
];

test('every bad file gets its own message and no console error', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('demo/');
  for (const b of BAD) {
    const got = await upload(page, path.join(FIXTURES, b.file));
    // 'decoded': read fine (with its note); whether the EKG check accepts the test card does not matter here.
    if (b.state === 'decoded') expect(['done', 'not-ekg'], `${b.file}: ${got.text}`).toContain(got.state);
    else expect(got.state, `${b.file}: ${got.text}`).toBe(b.state);
    if (b.code) expect(got.errorCode, b.file).toBe(b.code);
    expect(got.text, b.file).toMatch(b.text);
  }
  expect(await page.evaluate(() => (window as unknown as { __svgRan?: boolean }).__svgRan)).toBeUndefined();
  expect(errors).toEqual([]);
});

test('no tensors leak: tf.memory().numTensors is the same after 1 and after 21 classifications', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('demo/');
  const file = rendered.find((f) => f.endsWith('dataset2.png'))!;
  await upload(page, file);
  const mem = () => page.evaluate(() => (window.__heartnet?.memory as () => { numTensors: number })().numTensors);
  const n1 = await mem();
  // 20 more: a leak of even one tensor per classification shows as 20
  for (let i = 0; i < 20; i++) await upload(page, file);
  expect(await page.evaluate(() => (window.__heartnet?.classifications as () => number)())).toBe(21);
  expect(await mem()).toBe(n1);
});

async function noWebglPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext();
  await ctx.addInitScript(() => {
    const block = (proto: { getContext: (...a: unknown[]) => unknown }) => {
      const orig = proto.getContext;
      proto.getContext = function (this: unknown, type: unknown, ...rest: unknown[]) {
        if (typeof type === 'string' && /webgl/i.test(type)) return null;
        return orig.call(this, type, ...rest);
      };
    };
    block(HTMLCanvasElement.prototype as never);
    if (typeof OffscreenCanvas !== 'undefined') block(OffscreenCanvas.prototype as never);
  });
  return ctx.newPage();
}

test('without WebGL the demo runs on a fallback backend and says which', async ({ browser }) => {
  const page = await noWebglPage(browser);
  const errors = watchConsole(page);
  await page.goto('demo/');
  const file = rendered.find((f) => f.endsWith('dataset2.png'))!;
  const got = await upload(page, file);
  expect(got.state).toBe('done');
  expect(Math.abs(got.probability! - expected.get(file)!.probability)).toBeLessThanOrEqual(1e-3);
  const backend = await page.evaluate(() => (window.__heartnet?.backend as () => string)());
  expect(['wasm', 'cpu']).toContain(backend);
  await expect(page.locator('[data-clf-status]')).toContainText(
    backend === 'wasm' ? 'WebAssembly' : 'plain JavaScript',
  );
  await expect(page.locator('[data-clf-status]')).toContainText('webgl:');
  await expect(page.locator('[data-clf-backend]')).toContainText(backend === 'wasm' ? 'WebAssembly' : 'JavaScript');
  timings.backend_without_webgl = backend;
  expect(errors).toEqual([]);
  await page.context().close();
});

// WASM (the backend most readers without a GPU get, and the one the timing target is set on) reads every rendered
// image; software WebGL and plain-JavaScript CPU, a minute or more for all ten, read one record in three styles.
const PINNED_SUBSET = /-(dataset2|printout|photo)\.png$/;

for (const backend of ['webgl', 'wasm', 'cpu'] as const) {
  test(`pinned ${backend} backend agrees with the CLI; warm ms per image`, async ({ page }) => {
    const errors = watchConsole(page);
    await page.goto(`demo/?backend=${backend}`);
    const file = rendered.find((f) => f.endsWith('dataset2.png'))!;
    const first = await upload(page, file);
    expect(first.state, first.text).toBe('done');
    expect(await page.evaluate(() => (window.__heartnet?.backend as () => string)())).toBe(backend);
    const ms: number[] = [];
    const files = backend === 'wasm' ? rendered : rendered.filter((f) => PINNED_SUBSET.test(f)).slice(0, 3);
    expect(files.length).toBeGreaterThan(backend === 'wasm' ? 3 : 2);
    for (const f of files) {
      const got = await upload(page, f);
      const want = expected.get(f)!;
      if (want.decision === 'not-ekg') continue;
      expect(Math.abs(got.probability! - want.probability), `${backend} ${f}`).toBeLessThanOrEqual(1e-3);
      ms.push(got.modelMs!);
    }
    ms.sort((x, y) => x - y);
    timings[`${backend}_warm_model_ms_median`] = ms[Math.floor(ms.length / 2)];
    expect(errors).toEqual([]);
  });
}

test('TensorFlow.js is not part of the first load of any page', async ({ page }) => {
  const dist = process.env.E2E_DIST ?? 'dist';
  const assets = path.join(dist, '_assets');
  const tfChunks = readdirSync(assets).filter(
    (f) => f.endsWith('.js') && readFileSync(path.join(assets, f), 'utf8').includes('tfjsflags'),
  );
  expect(tfChunks.length, 'the build has a tfjs chunk').toBeGreaterThan(0);
  // No built HTML references a tfjs chunk (script src or modulepreload), nor does any entry script import one statically.
  const htmlFiles: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.html')) htmlFiles.push(path.join(d, e.name));
    }
  };
  walk(dist);
  for (const f of htmlFiles) {
    const html = readFileSync(f, 'utf8');
    for (const c of tfChunks) expect(html.includes(c), `${f} references ${c}`).toBe(false);
    for (const m of html.matchAll(/<script[^>]+src="[^"]*\/_assets\/([^"]+\.js)"/g)) {
      const entry = readFileSync(path.join(assets, m[1]!), 'utf8');
      for (const c of tfChunks)
        expect(
          new RegExp(`import[^()]*["'][^"']*${c.replace('.', '\\.')}["']`).test(entry),
          `${m[1]} statically imports ${c}`,
        ).toBe(false);
      expect(entry.includes('tfjsflags'), `${m[1]} contains tfjs`).toBe(false);
    }
  }
  // Network: a chapter page and the demo page before interaction load no tfjs chunk.
  const chapters = htmlFiles.filter((f) => f.includes(`${path.sep}chapters${path.sep}`)).slice(0, 3);
  const pages = [...chapters.map((f) => path.relative(dist, path.dirname(f)) + '/'), 'demo/'];
  for (const p of pages) {
    const seen: string[] = [];
    const onReq = (r: { url: () => string }) => seen.push(r.url());
    page.on('request', onReq);
    await page.goto(p);
    await page.waitForLoadState('networkidle');
    page.off('request', onReq);
    const hits = seen.filter((u) => tfChunks.some((c) => u.endsWith(c)));
    expect(hits, `${p} loaded tfjs before interaction`).toEqual([]);
  }
});

test('screenshot of the demo with a result and the saliency overlay', async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 1100 });
  await page.goto('demo/');
  const file = rendered.find((f) => f.endsWith('printout.png')) ?? rendered[0]!;
  const got = await upload(page, file);
  expect(['done', 'not-ekg']).toContain(got.state);
  if (got.state === 'done') {
    const t0 = Date.now();
    await page.locator('[data-clf-saliency]').check();
    await expect(page.locator('[data-clf-saliency-text]')).toContainText('Occlusion map:', { timeout: 120_000 });
    timings.saliency_ms = Date.now() - t0;
  }
  await page.locator('heartnet-classifier').screenshot({ path: 'test-results/classifier-demo.png' });
});

test('an image sent by the generator (heartnet:send-to-classifier) is classified like an upload', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('demo/');
  const file = rendered.find((f) => f.endsWith('dataset2.png'))!;
  const { decodePng } = await import('../../src/lib/render/png');
  const img = decodePng(new Uint8Array(readFileSync(file)));
  const before = Number((await page.locator('heartnet-classifier').getAttribute('data-seq')) ?? 0);
  await page.evaluate(
    ({ w, h, c, b64 }) => {
      const data = Uint8ClampedArray.from(atob(b64), (ch) => ch.charCodeAt(0));
      const image = { width: w, height: h, channels: c, data };
      window.dispatchEvent(
        new CustomEvent('heartnet:send-to-classifier', { detail: { image, label: 'From the generator' } }),
      );
    },
    { w: img.width, h: img.height, c: img.channels, b64: base64Of(img.data) },
  );
  await page.waitForFunction(
    (b) => Number(document.querySelector('heartnet-classifier')?.getAttribute('data-seq') ?? 0) > b,
    before,
  );
  const r = page.locator('[data-clf-result]');
  await expect(r).toHaveAttribute('data-state', 'done');
  expect(
    Math.abs(Number(await r.getAttribute('data-probability')) - expected.get(file)!.probability),
  ).toBeLessThanOrEqual(1e-3);
  await expect(page.locator('[data-clf-caption]')).toContainText('From the generator');
  // A malformed event gets a message, not a crash.
  await page.evaluate(() =>
    window.dispatchEvent(
      new CustomEvent('heartnet:send-to-classifier', { detail: { image: { width: 2 }, label: 'x' } }),
    ),
  );
  await expect(page.locator('[data-clf-error]')).toContainText('not an image');
  expect(errors).toEqual([]);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe: no WCAG 2.2 A/AA violations on the demo with a result (${colorScheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto('demo/');
    await upload(
      page,
      rendered.find((f) => f.endsWith('dataset2.png'))!,
    );
    await page.locator('.clf-threshold-details summary').click();
    const violations = await axeViolations(page, 'heartnet-classifier');
    expect(violations).toEqual([]);
  });
}

test('the demo states the test-fold AUROC on every evaluated style the model was not trained on', async ({ page }) => {
  const def = JSON.parse(readFileSync('public/models/default.json', 'utf8')) as { model: string };
  const meta = JSON.parse(readFileSync(path.join('public/models', def.model, 'metadata.json'), 'utf8')) as {
    name: string;
    styles: string[];
  };
  const unseen = readdirSync('data/eval')
    .filter((f) => f.startsWith(`${meta.name}-`) && f.endsWith('.json'))
    .map((f) => ({
      style: f.slice(meta.name.length + 1, -5),
      j: JSON.parse(readFileSync(path.join('data/eval', f), 'utf8')) as { auroc: number; fold: number },
    }))
    .filter((u) => !meta.styles.includes(u.style) && u.j.fold === 10);
  await page.goto('demo/');
  const note = page.locator('[data-clf-unseen]');
  if (unseen.length === 0) {
    await expect(note).toHaveCount(0);
    return;
  }
  for (const u of unseen) await expect(note).toContainText(`${u.j.auroc.toFixed(2)} on ${u.style} images`);
});
