/**
 * The CLI reads every format the browser demo reads, with the same pixels reaching the model: an EKG render is
 * saved as PNG, lossless and lossy WebP, GIF, BMP and JPEG (sharp, and a BMP writer here); Chromium decodes each
 * the way the demo does (createImageBitmap with the image's own orientation, no premultiplication, no colour
 * conversion) and the pixels are compared with scripts/lib/decode-node.ts's: every format must match exactly (the
 * CLI decodes JPEG, WebP and GIF with the libraries Chromium uses, through sharp).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { test, expect } from './fixtures';
import { base64Of } from './helpers';
import { decodeImageBytesNode } from '../../scripts/lib/decode-node';
import { parseDat, parseHeader } from '../../src/lib/ptbxl/wfdb';
import type { SampleIndex } from '../../src/lib/ptbxl/types';
import { render } from '../../src/lib/render/index';
import type { RasterImage } from '../../src/lib/render/types';

const SAMPLES = resolve(import.meta.dirname ?? __dirname, '../../public/samples');

/** A 24-bit bottom-up BMP (what Windows Paint saves). */
function bmp24(img: RasterImage): Uint8Array {
  const row = Math.ceil((img.width * 3) / 4) * 4;
  const size = 54 + row * img.height;
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b[0] = 0x42;
  b[1] = 0x4d;
  dv.setUint32(2, size, true);
  dv.setUint32(10, 54, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, img.width, true);
  dv.setInt32(22, img.height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, 24, true);
  for (let y = 0; y < img.height; y++) {
    const o = 54 + (img.height - 1 - y) * row;
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      b[o + x * 3] = img.data[i + 2]!;
      b[o + x * 3 + 1] = img.data[i + 1]!;
      b[o + x * 3 + 2] = img.data[i]!;
    }
  }
  return b;
}

test('Node decodes PNG, WebP, GIF, BMP and JPEG to the pixels Chromium gives the demo', async ({ page }) => {
  const index = JSON.parse(readFileSync(resolve(SAMPLES, 'index.json'), 'utf8')) as SampleIndex;
  const e = index.records[0]!;
  const sig = parseDat(
    new Uint8Array(readFileSync(resolve(SAMPLES, e.dat))),
    parseHeader(readFileSync(resolve(SAMPLES, e.hea), 'utf8'), e.hea),
    e.dat,
  );
  const img = render(sig, { style: 'wild-photo', seed: 3 })[0]!;
  const raw = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 4 },
  });
  const files: Array<{ name: string; type: string; bytes: Uint8Array; exact: boolean }> = [
    { name: 'png', type: 'image/png', bytes: new Uint8Array(await raw.clone().png().toBuffer()), exact: true },
    {
      name: 'webp-lossless',
      type: 'image/webp',
      bytes: new Uint8Array(await raw.clone().webp({ lossless: true }).toBuffer()),
      exact: true,
    },
    {
      name: 'webp-lossy',
      type: 'image/webp',
      bytes: new Uint8Array(await raw.clone().webp({ quality: 80 }).toBuffer()),
      exact: true,
    },
    { name: 'gif', type: 'image/gif', bytes: new Uint8Array(await raw.clone().gif().toBuffer()), exact: true },
    { name: 'bmp', type: 'image/bmp', bytes: bmp24(img), exact: true },
    {
      name: 'jpeg',
      type: 'image/jpeg',
      bytes: new Uint8Array(await raw.clone().jpeg({ quality: 90 }).toBuffer()),
      exact: true,
    },
  ];
  await page.goto('./');
  const report: string[] = [];
  for (const f of files) {
    const node = (await decodeImageBytesNode(f.bytes)).image;
    // Bytes travel as base64 both ways: a JSON array of a photo's ~8 million channel values took most of a minute
    // per format to pass through Playwright.
    const browser = await page.evaluate(
      async ({ b64, type }) => {
        const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
        const bitmap = await createImageBitmap(new Blob([bytes], { type }), {
          imageOrientation: 'from-image',
          premultiplyAlpha: 'none',
          colorSpaceConversion: 'none',
        });
        const c = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = c.getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0);
        const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
        let bin = '';
        for (let i = 0; i < px.length; i += 0x8000) bin += String.fromCharCode(...px.subarray(i, i + 0x8000));
        return { width: bitmap.width, height: bitmap.height, data: btoa(bin) };
      },
      { b64: base64Of(f.bytes), type: f.type },
    );
    const browserData = new Uint8Array(Buffer.from(browser.data, 'base64'));
    expect([browser.width, browser.height], f.name).toEqual([node.width, node.height]);
    let max = 0;
    let sum = 0;
    expect(browserData.length, f.name).toBe(node.data.length);
    for (let i = 0; i < browserData.length; i++) {
      const d = Math.abs(browserData[i]! - node.data[i]!);
      if (d > max) max = d;
      sum += d;
    }
    const mean = sum / browserData.length;
    report.push(`${f.name}: max |diff| ${max}, mean ${mean.toFixed(3)}`);
    if (f.exact) expect(max, `${f.name} pixels differ`).toBe(0);
    else expect(mean, `${f.name} mean difference`).toBeLessThan(1.5);
  }
  console.log(`decode parity, Chromium vs Node:\n${report.join('\n')}`);
});
