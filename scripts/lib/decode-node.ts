/**
 * Node counterpart of the browser's `decodeImageFile` (src/lib/model/decode.ts): file bytes -> RGBA over white,
 * with the same checks, limits and reader notes, for `npm run classify`, `npm run eval:external` and the gate's
 * exporter. Decoders: PNG with fast-png; JPEG, WebP, GIF (first frame), AVIF and HEIC (where libheif can) with
 * sharp (libvips, maintained, the decoders browsers use: libjpeg-turbo, libwebp, giflib, libavif); CMYK JPEGs with
 * jpeg-js; BMP with bmp-ts. So the CLI reads every format the browser demo reads.
 */
import { errorMessage } from '../../src/lib/errors';
import { readdirSync } from 'node:fs';
import { decode as decodePngBytes, convertIndexedToRgb } from 'fast-png';
import jpeg from 'jpeg-js';
import {
  compositeOverWhite,
  decodeNotes,
  decodeTargetSize,
  ImageInputError,
  inspectImageBytes,
  formatName,
  type ImageInfo,
} from '../../src/lib/model/decode';
import { resizeArea } from '../../src/lib/model/preprocess';
import type { RasterImage } from '../../src/lib/render/types';

/** WebP, GIF, AVIF, HEIC through sharp: the first frame, EXIF-rotated upright like the browser's 'from-image'. */
async function decodeWithSharp(bytes: Uint8Array, info: ImageInfo): Promise<RasterImage> {
  const sharp = (await import('sharp')).default;
  try {
    const { data, info: out } = await sharp(bytes, { animated: false, limitInputPixels: 100_000_000 })
      .rotate()
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: out.width,
      height: out.height,
      channels: 4,
      data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length),
    };
  } catch (e) {
    if (info.kind === 'heic' || info.kind === 'avif') {
      throw new ImageInputError(
        'heic-unsupported',
        `This ${formatName(info.kind)} photo could not be decoded here (${errorMessage(e)}); save it as JPEG.`,
      );
    }
    throw new ImageInputError(
      'decode-failed',
      `This ${formatName(info.kind)} file could not be decoded (${errorMessage(e)}).`,
    );
  }
}

/** BMP through bmp-ts (ABGR in its buffer; 24-bit and smaller images are opaque). */
async function decodeBmp(bytes: Uint8Array): Promise<RasterImage> {
  const { decode } = await import('bmp-ts');
  let bmp;
  try {
    bmp = decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), { toRGBA: true });
  } catch (e) {
    throw new ImageInputError('decode-failed', `This BMP file could not be decoded (${errorMessage(e)}).`);
  }
  const n = bmp.width * bmp.height;
  const out = new Uint8ClampedArray(n * 4);
  out.set(bmp.data.subarray(0, n * 4));
  if (bmp.bitPP <= 24) for (let i = 3; i < n * 4; i += 4) out[i] = 255;
  return { width: bmp.width, height: bmp.height, channels: 4, data: out };
}

/** The picture files of a folder, by name (the development sets' pages and photos), sorted. */
export function pictureFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(png|jpe?g|webp|gif|bmp)$/i.test(f))
    .sort();
}

/** Node counterpart of decodeImageFile: bytes -> RGBA over white, with the same checks and notes. */
export async function decodeImageBytesNode(
  bytes: Uint8Array,
): Promise<{ image: RasterImage; info: ImageInfo; notes: string[] }> {
  const info = inspectImageBytes(bytes);
  let image: RasterImage;
  if (info.kind === 'png') {
    let png;
    try {
      png = decodePngBytes(bytes);
    } catch (e) {
      throw new ImageInputError('decode-failed', `This PNG file could not be decoded (${errorMessage(e)}).`);
    }
    const { width, height } = png;
    const n = width * height;
    const out = new Uint8ClampedArray(n * 4);
    if (png.palette) {
      const rgb = convertIndexedToRgb(png);
      const ch = rgb.length / n;
      for (let i = 0; i < n; i++) {
        out[i * 4] = rgb[i * ch]!;
        out[i * 4 + 1] = rgb[i * ch + 1]!;
        out[i * 4 + 2] = rgb[i * ch + 2]!;
        out[i * 4 + 3] = ch === 4 ? rgb[i * ch + 3]! : 255;
      }
    } else {
      const ch = png.channels;
      const src = png.data;
      if (src.length !== n * ch) {
        throw new ImageInputError(
          'decode-failed',
          `This ${png.depth}-bit PNG layout is not supported here; save it as an 8-bit PNG.`,
        );
      }
      const to8 = png.depth === 16 ? (v: number) => Math.round(v / 257) : (v: number) => v;
      for (let i = 0; i < n; i++) {
        const s = i * ch;
        const g = to8(src[s]!);
        if (ch <= 2) {
          out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = g;
          out[i * 4 + 3] = ch === 2 ? to8(src[s + 1]!) : 255;
        } else {
          out[i * 4] = g;
          out[i * 4 + 1] = to8(src[s + 1]!);
          out[i * 4 + 2] = to8(src[s + 2]!);
          out[i * 4 + 3] = ch === 4 ? to8(src[s + 3]!) : 255;
        }
      }
    }
    image = { width, height, channels: 4, data: out };
  } else if (info.kind === 'jpeg' && !info.cmyk) {
    // libjpeg-turbo through sharp: the decoder Chromium uses, so the pixels match the demo's (tests/e2e/decode-parity)
    image = await decodeWithSharp(bytes, info);
  } else if (info.kind === 'jpeg') {
    // CMYK print JPEGs: jpeg-js's plain conversion (the browser converts them too; colours may shift slightly)
    try {
      const d = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxMemoryUsageInMB: 1024,
        maxResolutionInMP: 100,
      });
      image = {
        width: d.width,
        height: d.height,
        channels: 4,
        data: new Uint8ClampedArray(d.data.buffer, d.data.byteOffset, d.data.length),
      };
    } catch (e) {
      throw new ImageInputError('decode-failed', `This JPEG file could not be decoded (${errorMessage(e)}).`);
    }
    if (info.orientation !== undefined && info.orientation !== 1) image = orient(image, info.orientation);
  } else if (info.kind === 'bmp') {
    image = await decodeBmp(bytes);
  } else {
    image = await decodeWithSharp(bytes, info);
  }
  compositeOverWhite(image.data);
  const target = decodeTargetSize(info);
  if (target?.resized) image = downscaleRgba(image, target.width, target.height);
  return { image, info, notes: decodeNotes(info, image.width, image.height) };
}

/** Applies an EXIF orientation (1-8) to an RGBA image. */
function orient(img: RasterImage, o: number): RasterImage {
  const { width: w, height: h, data } = img;
  const swap = o >= 5;
  const W = swap ? h : w;
  const H = swap ? w : h;
  const out = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sx: number;
      let sy: number;
      switch (o) {
        case 2:
          sx = w - 1 - x;
          sy = y;
          break;
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4:
          sx = x;
          sy = h - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        case 8:
          sx = w - 1 - y;
          sy = x;
          break;
        default:
          sx = x;
          sy = y;
      }
      out.set(data.subarray((sy * w + sx) * 4, (sy * w + sx) * 4 + 4), (y * W + x) * 4);
    }
  }
  return { width: W, height: H, channels: 4, data: out };
}

/** Box-filter downscale per channel (what the browser does with resizeQuality 'high' is close, not identical). */
function downscaleRgba(img: RasterImage, w: number, h: number): RasterImage {
  const n = img.width * img.height;
  const out = new Uint8ClampedArray(w * h * 4);
  for (let c = 0; c < 4; c++) {
    const plane = new Uint8Array(n);
    for (let i = 0; i < n; i++) plane[i] = img.data[i * 4 + c]!;
    const r = resizeArea(plane, img.width, img.height, w, h);
    for (let i = 0; i < w * h; i++) out[i * 4 + c] = Math.round(r[i]!);
  }
  return { width: w, height: h, channels: 4, data: out };
}
