/**
 * Demo details a reader trips over (issue #13, item 8): one honest name for the model's output, an occlusion-map
 * caption that belongs to the image on screen, the generator's "sent" answer next to its button, and the sample
 * record's German report shown beside PTB-XL's English statement descriptions; and, for a sheet photographed
 * sideways, the sheet-upright model that turns it before it is read and the Turn button.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './fixtures';
import { classifierSeq, sampleEkgPng, uploadToDemo, waitReading } from './helpers';

test('the demo calls its output a score, not a probability, everywhere a reader sees it', async ({ page }) => {
  await page.goto('demo/');
  const file = await sampleEkgPng();
  const r = await uploadToDemo(page, file);
  expect(['done', 'not-ekg']).toContain(r.state);
  if (r.state === 'not-ekg') await page.locator('[data-clf-force]').click();
  await expect(page.locator('[data-clf-probability]')).toBeVisible({ timeout: 60_000 });
  const text = await page.locator('main').innerText();
  expect(text).toContain('MI score');
  expect(text).toMatch(/not a probability/);
  expect(text).not.toMatch(/MI probability|the probability it assigns|lowered the MI probability/i);
});

test('the occlusion-map caption describes the image on screen, not the previous one', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('demo/');
  const intro = (await page.locator('[data-clf-saliency-text]').innerText()).trim();
  const file = await sampleEkgPng();
  const r = await uploadToDemo(page, file);
  if (r.state === 'not-ekg') await page.locator('[data-clf-force]').click();
  await page.locator('[data-clf-saliency]').check();
  await expect(page.locator('[data-clf-saliency-text]')).toContainText('Occlusion map:', { timeout: 180_000 });
  const firstMap = (await page.locator('[data-clf-saliency-text]').innerText()).trim();
  // a new image with the map switched off: the old map's numbers must go
  await page.locator('[data-clf-saliency]').uncheck();
  await uploadToDemo(page, file);
  await expect(page.locator('[data-clf-saliency-text]')).not.toContainText('Occlusion map:');
  expect((await page.locator('[data-clf-saliency-text]').innerText()).trim()).toBe(intro);
  expect(firstMap).not.toBe(intro);
});

test("the generator's answer to 'Send to the classifier' appears next to the button", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('generator/');
  const send = page.locator('[data-gen-send]');
  await expect(send).toBeEnabled({ timeout: 60_000 });
  await send.click();
  const link = page.locator('[data-gen-demo-link]');
  await expect(link).toBeVisible();
  const b = (await send.boundingBox())!;
  const l = (await link.boundingBox())!;
  // on the same row or just under it, not below the 4:3 image frame
  expect(Math.abs(l.y - b.y)).toBeLessThan(80);
  // and it is announced
  await expect(page.locator('[data-gen-send-status]')).toHaveAttribute('role', 'status');
});

test("the sample record's report stands beside PTB-XL's English statement descriptions", async ({ page }) => {
  await page.goto('generator/');
  const codes = page.locator('[data-gen-meta-codes] li');
  await expect(codes.first()).toBeVisible();
  const n = await codes.count();
  expect(n).toBeGreaterThan(0);
  // every code carries its English description from scp_statements.csv (not just the bare code)
  for (let i = 0; i < n; i++) expect((await codes.nth(i).innerText()).trim()).toMatch(/^[A-Z0-9_]+\s+.*[a-z]{3,}/);
  await expect(page.locator('[data-gen-meta-report]')).not.toBeEmpty();
});

test('the Turn button reads the picture a quarter turn round; four turns give the first reading back', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto('demo/');
  const turn = page.locator('[data-clf-turn]');
  await expect(turn).toBeDisabled();
  const upright = await uploadToDemo(page, await sampleEkgPng('printout'));
  expect(upright.state, upright.text).toBe('done');
  const size = async () =>
    /(\d+) × (\d+) px/
      .exec(await page.locator('[data-clf-caption]').innerText())!
      .slice(1)
      .map(Number);
  const [w, h] = await size();
  const readings = [];
  for (let k = 1; k <= 4; k++) {
    const before = await classifierSeq(page);
    await turn.click();
    const r = await waitReading(page, before);
    readings.push(r);
    // the picture on screen is the one read: sideways after odd turns, and the caption counts them
    expect(await size()).toEqual(k % 2 ? [h, w] : [w, h]);
    if (k < 4) await expect(page.locator('[data-clf-caption]')).toContainText(`turned ${k} quarter turn`);
    else await expect(page.locator('[data-clf-caption]')).not.toContainText('turned');
    // a sideways picture the check refuses says how to turn it
    if (r.state === 'not-ekg' && k % 2) expect(r.text).toContain('taller than wide');
  }
  // four quarter turns are the picture as it came: the same pixels, the same reading
  expect(readings[3]!.state).toBe('done');
  expect(Math.abs(readings[3]!.probability! - upright.probability!)).toBeLessThanOrEqual(1e-6);
});

test('a printout photographed sideways or upside down is turned upright before it is read, and says so', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.goto('demo/');
  const uprightFile = await sampleEkgPng('printout');
  const upright = await uploadToDemo(page, uprightFile);
  expect(upright.state, upright.text).toBe('done');
  await expect(page.locator('heartnet-classifier')).toHaveAttribute('data-upright-turns', '0');
  const { decodePng, encodePng } = await import('../../src/lib/render/png');
  const { turnClockwise } = await import('../../src/lib/render/image');
  const img = decodePng(new Uint8Array(readFileSync(uprightFile)));
  for (const [given, back] of [
    [1, '3'],
    [2, '2'],
  ] as const) {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'heartnet-turned-')), `turned-${given}.png`);
    writeFileSync(file, encodePng(turnClockwise(img, given)));
    const r = await uploadToDemo(page, file);
    // the sheet-upright model turns it back: the very pixels of the upright picture, so the very same reading
    await expect(page.locator('heartnet-classifier')).toHaveAttribute('data-upright-turns', back);
    await expect(page.locator('[data-clf-caption]')).toContainText('turned upright by the sheet-upright model');
    expect(r.state, r.text).toBe('done');
    expect(Math.abs(r.probability! - upright.probability!)).toBeLessThanOrEqual(1e-6);
  }
});
