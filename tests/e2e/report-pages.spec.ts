/**
 * Pages as a reader meets them (issue #13, items 5-7): the home page shows the three live parts first, with a
 * picture of each; the images chapter shows every style side by side for one record (drawn live) above the
 * generator; and each of the Try-it chapter's "things to try" can be done on that page.
 */
import { expect, test } from './fixtures';

test('the home page shows the generator, the demo and the figures first, each with a picture', async ({ page }) => {
  await page.goto('');
  const cards = page.locator('.home-live li');
  await expect(cards).toHaveCount(3);
  const hrefs = await cards.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  expect(hrefs.map((h) => h.replace(/^.*heartnet-notebook\//, ''))).toEqual(['generator/', 'demo/', 'figures/']);
  for (let i = 0; i < 3; i++) {
    const img = cards.nth(i).locator('img');
    await expect(img).toHaveAttribute('alt', /\S.{20,}/);
    expect(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
  }
  // up front: before the abstract, and in the first screen of a laptop
  const live = (await page.locator('.home-live').boundingBox())!;
  const abstract = (await page.locator('#abstract').boundingBox())!;
  expect(live.y).toBeLessThan(abstract.y);
  expect(live.y).toBeLessThan(720);
});

test('the images chapter draws one record in every style, side by side, above the generator', async ({ page }) => {
  await page.goto('chapters/images/');
  const text = await page.locator('main').innerText();
  expect(text).not.toMatch(/in the generator at the top of this chapter/i);
  const gallery = page.locator('heartnet-gallery');
  await gallery.scrollIntoViewIfNeeded();
  await expect(page.locator('[data-gallery-status]')).toContainText('every style drawn', { timeout: 60_000 });
  const canvases = gallery.locator('canvas[data-gallery-style]');
  const styles = await canvases.evaluateAll((cs) => cs.map((c) => (c as HTMLCanvasElement).dataset.galleryStyle));
  expect(styles).toEqual(['dataset1', 'dataset2', 'dataset3', 'dataset4', 'printout', 'photo']);
  // every canvas has ink on it (not a blank white box)
  for (const s of styles) {
    const dark = await gallery.locator(`canvas[data-gallery-style="${s}"]`).evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4 * 97) if (d[i]! + d[i + 1]! + d[i + 2]! < 600) n++;
      return n;
    });
    expect(dark, s).toBeGreaterThan(20);
  }
  // side by side on a laptop: the first two tiles share a row
  const a = (await canvases.nth(0).boundingBox())!;
  const b = (await canvases.nth(1).boundingBox())!;
  expect(Math.abs(a.y - b.y)).toBeLessThan(2);
  // the gallery comes before the generator, and a tile opens its style there
  const g = (await page.locator('heartnet-generator').boundingBox())!;
  expect(a.y).toBeLessThan(g.y);
  const record = await page.locator('[data-gallery-record]').inputValue();
  await gallery.locator('[data-gallery-link="photo"]').click();
  await expect(page).toHaveURL(new RegExp(`record=${record}&style=photo`));
  await expect(page.locator('heartnet-generator input[value="photo"]')).toBeChecked();
  // another record redraws them all (a fresh load: going back from the tile's link may still be navigating)
  await page.goto('chapters/images/');
  await gallery.scrollIntoViewIfNeeded();
  await expect(page.locator('[data-gallery-status]')).toContainText('every style drawn', { timeout: 60_000 });
  const options = await page
    .locator('[data-gallery-record] option')
    .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  const other = options.find((v) => v !== record)!;
  await page.locator('[data-gallery-record]').selectOption(other);
  await expect(page.locator('[data-gallery-status]')).toContainText(`Record ${other}, every style drawn`, {
    timeout: 60_000,
  });
  await expect(gallery.locator('[data-gallery-link="dataset2"]')).toHaveAttribute(
    'href',
    new RegExp(`record=${other}&style=dataset2`),
  );
});

test("each of the Try-it chapter's things to try can be done on that page", async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('chapters/try-it/');
  // 1 and 2: styles and seeds come from the generator on the page, sent to the classifier
  const gen = page.locator('heartnet-generator');
  await expect(gen).toHaveCount(1);
  await expect(page.locator('heartnet-classifier')).toHaveCount(1);
  await gen.scrollIntoViewIfNeeded();
  await gen.locator('input[value="printout"]').check();
  await expect(gen).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(gen.locator('[data-gen-newseed]')).toBeVisible();
  await gen.locator('[data-gen-send]').click();
  const result = page.locator('[data-clf-result]');
  await expect(result).toHaveAttribute('data-state', /^(done|not-ekg)$/, { timeout: 120_000 });
  await expect(page.locator('[data-clf-caption]')).toContainText('printout');
  // 3: a picture that is not an EKG goes through the demo's file picker
  await expect(page.locator('[data-clf-file]')).toHaveCount(1);
  // every item of the list names a control that exists on the page
  const items = await page.locator('#things-to-try ~ ul li').allInnerTexts();
  expect(items.length).toBeGreaterThanOrEqual(3);
  expect(items.join(' ')).toMatch(/Send to the classifier|send/i);
});
