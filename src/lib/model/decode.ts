/**
 * Image file -> RasterImage (RGBA), for the in-browser classifier.
 *
 * Two layers:
 * - `inspectImageBytes(bytes)`: pure, runs in Node and the browser. Sniffs the real format from magic bytes
 *   (never from the file name or MIME type), reads the header (size, bit depth, colour model, frames, EXIF
 *   orientation) and checks the file is complete. Anything we cannot or should not decode becomes an
 *   `ImageInputError` with a specific, reader-facing message.
 * - `decodeImageFile(blob)`: browser only. `createImageBitmap` with EXIF orientation applied and huge images
 *   downscaled before they reach the GPU, then the decoded bitmap's RGBA via an (Offscreen)canvas drawn at
 *   1:1 — resizing to the model input is done by `preprocess.ts`, never by canvas scaling.
 *
 * Transparent pixels are composited over white (paper), the same way in Node (`compositeOverWhite`).
 */
import { errorMessage } from '../errors';
import type { RasterImage } from '../render/types';

export type ImageKind =
  'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'heic' | 'avif' | 'svg' | 'tiff' | 'pdf' | 'ico' | 'unknown';

export type ImageErrorCode =
  | 'empty'
  | 'too-many-bytes'
  | 'not-image'
  | 'truncated'
  | 'too-many-pixels'
  | 'svg'
  | 'unsupported-format'
  | 'heic-unsupported'
  | 'decode-failed';

/** A problem with the reader's file; `message` is written for the reader. */
export class ImageInputError extends Error {
  override name = 'ImageInputError';
  constructor(
    public readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Files above this size are refused before reading (a phone photo is 2-12 MB). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
/** Images above this many pixels are refused: decoding them would exhaust a phone's memory. */
export const MAX_PIXELS = 60_000_000;
/** Longer side of the bitmap we keep; bigger images are downscaled while decoding. */
export const MAX_LONG_SIDE = 4096;

export interface ImageInfo {
  kind: ImageKind;
  width?: number;
  height?: number;
  /** Bits per channel (PNG), or sample precision (JPEG). */
  bitDepth?: number;
  /** JPEG colour components (4 = CMYK/YCCK). */
  components?: number;
  cmyk?: boolean;
  /** More than one frame (animated GIF, APNG, animated WebP). */
  animated?: boolean;
  frames?: number;
  /** EXIF orientation 1-8 (JPEG), when present. */
  orientation?: number;
}

const FORMAT_NAMES: Record<ImageKind, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
  heic: 'HEIC',
  avif: 'AVIF',
  svg: 'SVG',
  tiff: 'TIFF',
  pdf: 'PDF',
  ico: 'ICO',
  unknown: 'unknown',
};
export function formatName(kind: ImageKind): string {
  return FORMAT_NAMES[kind];
}

function startsWith(b: Uint8Array, sig: number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}
const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
const u32be = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u16be = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u16le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u24le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16);
const i32le = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** Format from magic bytes only. */
export function sniffKind(b: Uint8Array): ImageKind {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(b, [0x42, 0x4d]) && b.length >= 26) return 'bmp';
  if (startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46])) return 'pdf';
  if (startsWith(b, [0x00, 0x00, 0x01, 0x00])) return 'ico';
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const brands = ascii(b, 8, Math.min(b.length, 8 + Math.max(8, u32be(b, 0) - 8)));
    if (/avif|avis/.test(brands)) return 'avif';
    if (/heic|heix|hevc|hevx|heim|heis|mif1|msf1/.test(brands)) return 'heic';
  }
  // SVG / XML: text that opens with "<" (after an optional BOM and whitespace) and has an <svg element.
  let i = startsWith(b, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  if (b[i] === 0x3c) {
    const head = ascii(b, i, Math.min(b.length, i + 4096)).toLowerCase();
    if (head.includes('<svg')) return 'svg';
  }
  return 'unknown';
}

function truncated(kind: string): ImageInputError {
  return new ImageInputError(
    'truncated',
    `This ${kind} file is incomplete (it ends before the image data does), so part of the picture is missing. ` +
      'Download or export it again and retry.',
  );
}

function inspectPng(b: Uint8Array, info: ImageInfo): void {
  if (b.length < 33 || ascii(b, 12, 16) !== 'IHDR') throw truncated('PNG');
  info.width = u32be(b, 16);
  info.height = u32be(b, 20);
  info.bitDepth = b[24];
  // Walk the chunks: every length must fit, and the file must end with IEND.
  let p = 8;
  let sawIdat = false;
  let sawEnd = false;
  while (p + 8 <= b.length) {
    const len = u32be(b, p);
    const type = ascii(b, p + 4, p + 8);
    if (p + 12 + len > b.length) throw truncated('PNG');
    if (type === 'IDAT') sawIdat = true;
    if (type === 'acTL' && len >= 4) {
      info.frames = u32be(b, p + 8);
      info.animated = info.frames > 1;
    }
    p += 12 + len;
    if (type === 'IEND') {
      sawEnd = true;
      break;
    }
  }
  if (!sawIdat || !sawEnd) throw truncated('PNG');
}

/** EXIF orientation from an APP1 segment body (starting at "Exif\0\0"). */
function exifOrientation(b: Uint8Array, start: number, end: number): number | undefined {
  if (ascii(b, start, start + 4) !== 'Exif') return undefined;
  const t = start + 6;
  if (t + 8 > end) return undefined;
  const le = b[t] === 0x49;
  const r16 = (i: number) => (le ? u16le(b, i) : u16be(b, i));
  const r32 = (i: number) => (le ? (u16le(b, i) | (u16le(b, i + 2) << 16)) >>> 0 : u32be(b, i));
  const ifd = t + r32(t + 4);
  if (ifd + 2 > end) return undefined;
  const n = r16(ifd);
  for (let k = 0; k < n; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) return undefined;
    if (r16(e) === 0x0112) {
      const v = r16(e + 8);
      return v >= 1 && v <= 8 ? v : undefined;
    }
  }
  return undefined;
}

function inspectJpeg(b: Uint8Array, info: ImageInfo): void {
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) throw truncated('JPEG');
    const marker = b[p + 1]!;
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      p += 2;
      continue;
    }
    const len = u16be(b, p + 2);
    const body = p + 4;
    if (p + 2 + len > b.length) throw truncated('JPEG');
    if (marker === 0xe1 && info.orientation === undefined) info.orientation = exifOrientation(b, body, p + 2 + len);
    // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      info.bitDepth = b[body];
      info.height = u16be(b, body + 1);
      info.width = u16be(b, body + 3);
      info.components = b[body + 5];
      info.cmyk = info.components === 4;
    }
    if (marker === 0xda) {
      // Entropy-coded data follows; 0xFF inside it is stuffed (FF00) so FFD9 only appears as End Of Image.
      for (let i = p + 2 + len; i + 1 < b.length; i++) {
        if (b[i] === 0xff && b[i + 1] === 0xd9) {
          if (info.width === undefined) throw truncated('JPEG');
          return;
        }
      }
      throw truncated('JPEG');
    }
    if (marker === 0xd9) break;
    p += 2 + len;
  }
  throw truncated('JPEG');
}

function inspectGif(b: Uint8Array, info: ImageInfo): void {
  if (b.length < 13) throw truncated('GIF');
  info.width = u16le(b, 6);
  info.height = u16le(b, 8);
  let p = 13;
  const flags = b[10]!;
  if (flags & 0x80) p += 3 * (1 << ((flags & 7) + 1));
  const skipSubBlocks = () => {
    while (p < b.length) {
      const n = b[p]!;
      p += 1 + n;
      if (n === 0) return;
    }
    throw truncated('GIF');
  };
  let frames = 0;
  for (;;) {
    if (p >= b.length) throw truncated('GIF');
    const c = b[p]!;
    if (c === 0x3b) break; // trailer
    if (c === 0x21) {
      p += 2;
      skipSubBlocks();
    } else if (c === 0x2c) {
      if (p + 10 > b.length) throw truncated('GIF');
      const f = b[p + 9]!;
      p += 10;
      if (f & 0x80) p += 3 * (1 << ((f & 7) + 1));
      p += 1; // LZW minimum code size
      skipSubBlocks();
      frames++;
    } else {
      throw truncated('GIF');
    }
  }
  if (frames === 0) throw truncated('GIF');
  info.frames = frames;
  info.animated = frames > 1;
}

function inspectWebp(b: Uint8Array, info: ImageInfo): void {
  if (b.length < 30) throw truncated('WebP');
  if (8 + u16le(b, 4) + (b[6]! << 16) + (b[7]! << 24) > b.length) throw truncated('WebP');
  const chunk = ascii(b, 12, 16);
  if (chunk === 'VP8X') {
    info.animated = (b[20]! & 0x02) !== 0;
    info.width = u24le(b, 24) + 1;
    info.height = u24le(b, 27) + 1;
  } else if (chunk === 'VP8L') {
    const bits = b[21]! | (b[22]! << 8) | (b[23]! << 16) | (b[24]! << 24);
    info.width = (bits & 0x3fff) + 1;
    info.height = ((bits >>> 14) & 0x3fff) + 1;
  } else if (chunk === 'VP8 ') {
    info.width = u16le(b, 26) & 0x3fff;
    info.height = u16le(b, 28) & 0x3fff;
  }
}

/**
 * Everything we can learn from the bytes without decoding pixels. Throws `ImageInputError` for empty, non-image,
 * truncated, SVG, unsupported-format and oversized files.
 */
export function inspectImageBytes(b: Uint8Array): ImageInfo {
  if (b.length === 0) {
    throw new ImageInputError(
      'empty',
      'This file is empty (0 bytes). Choose the image file itself, not a placeholder.',
    );
  }
  if (b.length > MAX_FILE_BYTES) {
    throw new ImageInputError(
      'too-many-bytes',
      `This file is ${(b.length / 1048576).toFixed(0)} MB; the limit is ${MAX_FILE_BYTES / 1048576} MB. Use a smaller export or a screenshot.`,
    );
  }
  const kind = sniffKind(b);
  const info: ImageInfo = { kind };
  switch (kind) {
    case 'png':
      inspectPng(b, info);
      break;
    case 'jpeg':
      inspectJpeg(b, info);
      break;
    case 'gif':
      inspectGif(b, info);
      break;
    case 'webp':
      inspectWebp(b, info);
      break;
    case 'bmp':
      info.width = Math.abs(i32le(b, 18));
      info.height = Math.abs(i32le(b, 22));
      if (u32be(b, 2) !== 0 && u16le(b, 2) + (u16le(b, 4) << 16) > b.length) throw truncated('BMP');
      break;
    case 'heic':
    case 'avif':
      break;
    case 'svg':
      throw new ImageInputError(
        'svg',
        'This is an SVG drawing. For safety it is not opened here; export or screenshot it as a PNG or JPEG and upload that.',
      );
    case 'tiff':
    case 'pdf':
    case 'ico':
      throw new ImageInputError(
        'unsupported-format',
        `${formatName(kind)} files are not supported. Save the EKG as a PNG or JPEG (or take a screenshot) and upload that.`,
      );
    case 'unknown':
      throw new ImageInputError(
        'not-image',
        'This file is not an image the classifier can read (its contents match no image format). Upload a PNG, JPEG, WebP, GIF or BMP.',
      );
  }
  if (info.width !== undefined && info.height !== undefined) {
    if (info.width === 0 || info.height === 0) throw truncated(formatName(kind));
    if (info.width * info.height > MAX_PIXELS) {
      throw new ImageInputError(
        'too-many-pixels',
        `This image is ${info.width} x ${info.height} pixels (${((info.width * info.height) / 1e6).toFixed(0)} megapixels); ` +
          `the limit is ${MAX_PIXELS / 1e6} megapixels. Resize it or take a screenshot and upload that.`,
      );
    }
  }
  return info;
}

/** Reader-facing notes about how the file was read (not errors). */
export function decodeNotes(info: ImageInfo, decodedW: number, decodedH: number): string[] {
  const notes: string[] = [];
  if (info.animated) {
    notes.push(
      `This is an animated ${formatName(info.kind)}${info.frames ? ` with ${info.frames} frames` : ''}; only the first frame was classified.`,
    );
  }
  if (info.kind === 'png' && info.bitDepth === 16) notes.push('This 16-bit PNG was reduced to 8 bits per channel.');
  if (info.cmyk) notes.push('This is a CMYK (print) JPEG; it was converted to RGB, so colours may shift slightly.');
  if (info.orientation !== undefined && info.orientation !== 1)
    notes.push('The photo was rotated upright using its EXIF orientation tag.');
  const w0 = info.width;
  const h0 = info.height;
  if (w0 !== undefined && h0 !== undefined && Math.max(decodedW, decodedH) < Math.max(w0, h0)) {
    notes.push(`This large image (${w0} x ${h0}) was scaled down to ${decodedW} x ${decodedH} before classifying.`);
  }
  return notes;
}

/** Target size of the decoded bitmap after EXIF rotation and the MAX_LONG_SIDE cap. */
export function decodeTargetSize(info: ImageInfo): { width: number; height: number; resized: boolean } | undefined {
  if (info.width === undefined || info.height === undefined) return undefined;
  const swap = info.orientation !== undefined && info.orientation >= 5;
  const w = swap ? info.height : info.width;
  const h = swap ? info.width : info.height;
  const s = Math.min(1, MAX_LONG_SIDE / Math.max(w, h));
  if (s === 1) return { width: w, height: h, resized: false };
  return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)), resized: true };
}

/** Alpha-composite RGBA over white in place and set alpha to 255 (transparent = paper). */
export function compositeOverWhite(data: Uint8ClampedArray): void {
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3]!;
    if (a === 255) continue;
    const k = 255 - a;
    data[i] = (data[i]! * a + 255 * k) / 255; // Uint8ClampedArray rounds to nearest
    data[i + 1] = (data[i + 1]! * a + 255 * k) / 255;
    data[i + 2] = (data[i + 2]! * a + 255 * k) / 255;
    data[i + 3] = 255;
  }
}

export interface DecodedImage {
  image: RasterImage;
  info: ImageInfo;
  notes: string[];
}

/** Browser only: decode a File/Blob to RGBA, following the rules above. */
export async function decodeImageFile(file: Blob): Promise<DecodedImage> {
  if (file.size === 0) throw inspectError(new Uint8Array(0));
  if (file.size > MAX_FILE_BYTES) {
    throw new ImageInputError(
      'too-many-bytes',
      `This file is ${(file.size / 1048576).toFixed(0)} MB; the limit is ${MAX_FILE_BYTES / 1048576} MB. Use a smaller export or a screenshot.`,
    );
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const info = inspectImageBytes(bytes);
  const target = decodeTargetSize(info);
  let bitmap: ImageBitmap;
  try {
    const blob = new Blob([bytes], { type: `image/${info.kind}` });
    // colorSpaceConversion 'none': the stored pixel values, as the Node CLI (fast-png / jpeg-js) reads them.
    const opts: ImageBitmapOptions = {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    };
    if (target?.resized)
      Object.assign(opts, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' });
    bitmap = await createImageBitmap(blob, opts);
  } catch {
    if (info.kind === 'heic' || info.kind === 'avif') {
      throw new ImageInputError(
        'heic-unsupported',
        `This browser cannot decode ${formatName(info.kind)} photos (the iPhone camera default). ` +
          'Set the camera to "Most Compatible" (JPEG), or take a screenshot of the photo and upload that.',
      );
    }
    throw new ImageInputError(
      'decode-failed',
      `The browser could not decode this ${formatName(info.kind)} file; it may be damaged. Try exporting it again as PNG or JPEG.`,
    );
  }
  try {
    let { width, height } = bitmap;
    if (width * height > MAX_PIXELS || Math.max(width, height) > MAX_LONG_SIDE * 1.01) {
      // Format without header dimensions (HEIC) that turned out huge: decode again, scaled.
      const s = MAX_LONG_SIDE / Math.max(width, height);
      const w2 = Math.max(1, Math.round(width * s));
      const h2 = Math.max(1, Math.round(height * s));
      bitmap.close();
      bitmap = await createImageBitmap(new Blob([bytes]), {
        imageOrientation: 'from-image',
        premultiplyAlpha: 'none',
        colorSpaceConversion: 'none',
        resizeWidth: w2,
        resizeHeight: h2,
        resizeQuality: 'high',
      });
      width = bitmap.width;
      height = bitmap.height;
      if (info.width === undefined) {
        info.width = Math.round(w2 / s);
        info.height = Math.round(h2 / s);
      }
    }
    const data = readBitmapRgba(bitmap);
    compositeOverWhite(data);
    const image: RasterImage = { width, height, channels: 4, data };
    return { image, info, notes: decodeNotes(info, width, height) };
  } finally {
    bitmap.close();
  }
}

function inspectError(bytes: Uint8Array): ImageInputError {
  try {
    inspectImageBytes(bytes);
  } catch (e) {
    if (e instanceof ImageInputError) return e;
  }
  return new ImageInputError('decode-failed', 'This file could not be read.');
}

/** The decoded bitmap's RGBA, drawn 1:1 (no scaling) on a canvas. */
function readBitmapRgba(bitmap: ImageBitmap): Uint8ClampedArray {
  const { width, height } = bitmap;
  type Ctx = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;
  let ctx: Ctx | null;
  if (typeof OffscreenCanvas !== 'undefined') {
    ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
  } else {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    ctx = c.getContext('2d', { willReadFrequently: true });
  }
  if (!ctx) throw new ImageInputError('decode-failed', 'This browser gave no 2D canvas to read the image pixels.');
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, width, height).data;
}

/** Reader-facing text for any error thrown while reading an image. */
export function describeImageError(e: unknown): string {
  if (e instanceof ImageInputError) return e.message;
  return `The image could not be read: ${errorMessage(e)}`;
}
