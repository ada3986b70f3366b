/** PNG encode/decode of RasterImages via fast-png (pure JS: browser and Node). */
import { decode, encode } from 'fast-png';
import { RenderError } from './errors';
import type { RasterImage } from './types';

/** Encodes a gray (1-channel) or RGBA image as an 8-bit PNG (RGBA images with alpha all 255 are written as RGB). */
export function encodePng(image: RasterImage): Uint8Array {
  if (image.channels === 1) {
    return encode({ width: image.width, height: image.height, data: image.data, channels: 1, depth: 8 });
  }
  const n = image.width * image.height;
  const d = image.data;
  let opaque = true;
  for (let i = 3; i < d.length; i += 4) {
    if (d[i] !== 255) {
      opaque = false;
      break;
    }
  }
  if (!opaque) return encode({ width: image.width, height: image.height, data: d, channels: 4, depth: 8 });
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) {
    rgb[j] = d[i]!;
    rgb[j + 1] = d[i + 1]!;
    rgb[j + 2] = d[i + 2]!;
  }
  return encode({ width: image.width, height: image.height, data: rgb, channels: 3, depth: 8 });
}

/** Decodes an 8-bit PNG into a RasterImage: gray stays 1 channel, gray+alpha/RGB/RGBA/palette become RGBA. */
export function decodePng(bytes: Uint8Array): RasterImage {
  const png = decode(bytes);
  if (png.depth !== 8 && !png.palette)
    throw new RenderError('bad-option', `decodePng: only 8-bit PNGs are supported (got depth ${png.depth})`);
  const { width, height } = png;
  const n = width * height;
  const src = png.data;
  if (png.channels === 1 && !png.palette) {
    return { width, height, channels: 1, data: new Uint8ClampedArray(src) };
  }
  const out = new Uint8ClampedArray(n * 4);
  if (png.palette) {
    const pal = png.palette;
    for (let i = 0; i < n; i++) {
      const c = pal[src[i]!] ?? [0, 0, 0];
      out[i * 4] = c[0]!;
      out[i * 4 + 1] = c[1]!;
      out[i * 4 + 2] = c[2]!;
      out[i * 4 + 3] = (c as number[])[3] ?? 255;
    }
    return { width, height, channels: 4, data: out };
  }
  const ch = png.channels;
  for (let i = 0; i < n; i++) {
    if (ch === 2) {
      const g = src[i * 2]!;
      out[i * 4] = g;
      out[i * 4 + 1] = g;
      out[i * 4 + 2] = g;
      out[i * 4 + 3] = src[i * 2 + 1]!;
    } else {
      out[i * 4] = src[i * ch]!;
      out[i * 4 + 1] = src[i * ch + 1]!;
      out[i * 4 + 2] = src[i * ch + 2]!;
      out[i * 4 + 3] = ch === 4 ? src[i * ch + 3]! : 255;
    }
  }
  return { width, height, channels: 4, data: out };
}
