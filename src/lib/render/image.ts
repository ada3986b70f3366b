/**
 * Small helpers on RasterImage that pages can import without pulling in the renderer's styles (the islands'
 * first-load JavaScript stays small): gray -> RGBA for putImageData, a quarter turn, and a shape check for images
 * that come from outside (events, storage).
 */
import type { RasterImage } from './types';

/** Any image as RGBA (for putImageData / ImageData). Gray is expanded; RGBA is returned as is. */
export function toRgba(image: RasterImage): RasterImage {
  if (image.channels === 4) return image;
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const v = image.data[i]!;
    out[i * 4] = v;
    out[i * 4 + 1] = v;
    out[i * 4 + 2] = v;
    out[i * 4 + 3] = 255;
  }
  return { width: image.width, height: image.height, channels: 4, data: out };
}

/** The image turned a quarter turn: 90 = clockwise, -90 = counter-clockwise (width and height swap). */
export function turnQuarter(image: RasterImage, turn: 90 | -90): RasterImage {
  const { width: w, height: h, channels: c, data } = image;
  const out = new Uint8ClampedArray(data.length);
  // new size h x w; clockwise: (x, y) -> (h - 1 - y, x); counter-clockwise: (x, y) -> (y, w - 1 - x)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const nx = turn === 90 ? h - 1 - y : y;
      const ny = turn === 90 ? x : w - 1 - x;
      const si = (y * w + x) * c;
      const di = (ny * h + nx) * c;
      for (let k = 0; k < c; k++) out[di + k] = data[si + k]!;
    }
  }
  return { width: h, height: w, channels: c, data: out };
}

/** The image turned `quarters` quarter turns clockwise (any integer; 4 gives it back, negative turns go the other way). */
export function turnClockwise(image: RasterImage, quarters: number): RasterImage {
  const q = ((Math.round(quarters) % 4) + 4) % 4;
  if (q === 3) return turnQuarter(image, -90);
  let out = image;
  for (let k = 0; k < q; k++) out = turnQuarter(out, 90);
  return out;
}

/** The image as an ImageData (RGBA), ready for putImageData. */
export function toImageData(image: RasterImage): ImageData {
  return new ImageData(toRgba(image).data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height);
}

/** True when `v` is a well-formed RasterImage (positive integer size, 1 or 4 channels, data of the right length). */
export function isRasterImage(v: unknown): v is RasterImage {
  if (!v || typeof v !== 'object') return false;
  const r = v as RasterImage;
  return (
    Number.isInteger(r.width) &&
    Number.isInteger(r.height) &&
    r.width > 0 &&
    r.height > 0 &&
    (r.channels === 1 || r.channels === 4) &&
    r.data instanceof Uint8ClampedArray &&
    r.data.length === r.width * r.height * r.channels
  );
}
