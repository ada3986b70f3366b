/**
 * npm run classify -- [--model public/models/NAME] FILE...
 *
 * Classifies image files in Node with the same code path as the browser demo: magic-byte inspection and
 * messages (src/lib/model/decode.ts), PNG/JPEG decoding with fast-png / jpeg-js (the browser uses its own
 * decoder), transparent pixels over white, preprocess.ts, the EKG gate (ekg-check.ts) and the model (run.ts).
 * Prints one JSON line per file:
 *   {file, probability, decision, is_ekg, ekg_check: {score, reason, message, features}, model, ms, notes}
 * `decision` is "MI" / "Normal" at the metadata threshold, or "not-ekg" when the gate refuses the image (the
 * probability is still reported for research). Unreadable files give {file, error: {code, message}}; the exit
 * code is then 1.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decode as decodePngBytes, convertIndexedToRgb } from 'fast-png';
import jpeg from 'jpeg-js';
import {
  compositeOverWhite, decodeNotes, decodeTargetSize, ImageInputError, inspectImageBytes, formatName, type ImageInfo,
} from '../src/lib/model/decode';
import { analyseImage, decide, singleImageProblem } from '../src/lib/model/browser';
import { resizeArea } from '../src/lib/model/preprocess';
import type { RasterImage } from '../src/lib/render/types';

/** Node counterpart of decodeImageFile: bytes -> RGBA over white, with the same checks and notes. */
export function decodeImageBytesNode(bytes: Uint8Array): { image: RasterImage; info: ImageInfo; notes: string[] } {
  const info = inspectImageBytes(bytes);
  let image: RasterImage;
  if (info.kind === 'png') {
    let png;
    try {
      png = decodePngBytes(bytes);
    } catch (e) {
      throw new ImageInputError('decode-failed', `This PNG file could not be decoded (${(e as Error).message}).`);
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
        throw new ImageInputError('decode-failed', `This ${png.depth}-bit PNG layout is not supported here; save it as an 8-bit PNG.`);
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
  } else if (info.kind === 'jpeg') {
    try {
      const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 100 });
      image = { width: d.width, height: d.height, channels: 4, data: new Uint8ClampedArray(d.data.buffer, d.data.byteOffset, d.data.length) };
    } catch (e) {
      throw new ImageInputError('decode-failed', `This JPEG file could not be decoded (${(e as Error).message}).`);
    }
    if (info.orientation !== undefined && info.orientation !== 1) image = orient(image, info.orientation);
  } else {
    throw new ImageInputError('unsupported-format', `${formatName(info.kind)} files are read by the browser demo only; the Node CLI reads PNG and JPEG.`);
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
        case 2: sx = w - 1 - x; sy = y; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sx = x; sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        case 8: sx = w - 1 - y; sy = x; break;
        default: sx = x; sy = y;
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

/** The model directory: --model, else public/models/default.json, else the first model under public/models. */
export function resolveModelDir(arg?: string): string {
  if (arg) return arg;
  const root = 'public/models';
  const pointer = path.join(root, 'default.json');
  if (existsSync(pointer)) {
    const j = JSON.parse(readFileSync(pointer, 'utf8')) as Record<string, unknown>;
    const name = [j.model, j.name, j.default, j.path, j.dir].find((v): v is string => typeof v === 'string');
    if (name) {
      const dir = name.includes('/') ? name.replace(/^\/+/, '') : path.join(root, name);
      if (existsSync(path.join(dir, 'metadata.json'))) return dir;
      const inRoot = path.join(root, path.basename(name));
      if (existsSync(path.join(inRoot, 'metadata.json'))) return inRoot;
    }
  }
  if (existsSync(root)) {
    // Single-image models only: a 12-plane (dataset4 lead images) model cannot read one picture.
    const planes = (d: string) => {
      try {
        return (JSON.parse(readFileSync(path.join(root, d, 'metadata.json'), 'utf8')) as { planes?: unknown }).planes ?? 1;
      } catch {
        return 1;
      }
    };
    const dirs = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'metadata.json')))
      .map((d) => d.name)
      .filter((d) => planes(d) === 1)
      .sort();
    if (dirs[0]) return path.join(root, dirs[0]);
  }
  // Before any model is exported: the tiny test fixture (near-random output; for plumbing only).
  for (const d of ['tests/fixtures/model/tiny']) if (existsSync(path.join(d, 'model.json'))) return d;
  throw new Error('no model found: pass --model public/models/NAME (a folder with model.json and metadata.json)');
}

async function main() {
  const args = process.argv.slice(2);
  let modelArg: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--model') modelArg = args[++i];
    else if (args[i] === '--help' || args[i] === '-h') {
      console.log('usage: npm run classify -- [--model public/models/NAME] FILE...');
      return;
    } else files.push(args[i]!);
  }
  if (files.length === 0) {
    console.error('usage: npm run classify -- [--model public/models/NAME] FILE...');
    process.exit(2);
  }
  const modelDir = resolveModelDir(modelArg);
  const { loadModelFromDir } = await import('../src/lib/model/node-io');
  const { predictProbabilities } = await import('../src/lib/model/run');
  const { model, meta } = await loadModelFromDir(modelDir);
  const problem = singleImageProblem(meta);
  if (problem) {
    model.dispose();
    throw new Error(`${problem} Evaluate it on rendered records instead: npm run eval -- --model ${modelDir} --fold 10 --style dataset4`);
  }
  let failed = 0;
  try {
    for (const file of files) {
      const t0 = performance.now();
      try {
        const bytes = new Uint8Array(readFileSync(file));
        const { image, notes } = decodeImageBytesNode(bytes);
        const { plane, ekg } = analyseImage(image, meta);
        const [p] = predictProbabilities(model, meta, [plane]);
        const probability = p!;
        const { features, ...check } = ekg;
        console.log(JSON.stringify({
          file,
          probability,
          decision: ekg.isEkg ? decide(probability, meta) : 'not-ekg',
          threshold: meta.threshold,
          is_ekg: ekg.isEkg,
          ekg_check: { ...check, features },
          model: meta.name,
          model_dir: modelDir,
          width: image.width,
          height: image.height,
          notes,
          ms: Math.round((performance.now() - t0) * 10) / 10,
        }));
      } catch (e) {
        failed++;
        const code = e instanceof ImageInputError ? e.code : 'error';
        const message = e instanceof Error ? e.message : String(e);
        console.log(JSON.stringify({ file, error: { code, message }, model: meta.name }));
      }
    }
  } finally {
    model.dispose();
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
