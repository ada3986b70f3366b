/**
 * `npm run render -- --id 123 --style printout --seed 7 --out x.png [--filters baseline,lowpass|none]
 *                    [--scale s] [--data DIR] [--info]`
 *
 * Renders one PTB-XL record (read from data/ptb-xl, or --data / PTBXL_DATA) in one style and writes a PNG.
 * dataset4 gives 12 images: written as x-I.png, x-II.png, ... x-V6.png. `--info` prints what the renderer
 * drew at random (dataset3 shadows, photo camera parameters) as JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { RenderError, renderWithInfo, STYLE_NAMES, type StyleName } from '../src/lib/render/index';
import { encodePng } from '../src/lib/render/png';
import { errorMessage } from '../src/lib/errors';
import { defineCli, parseCli, usage } from './lib/cli';
import { parseFilterList, parseNumberArg } from './lib/render-args';

export const RENDER_CLI = defineCli({
  command: 'npm run render --',
  summary: 'Renders one PTB-XL record in one style and writes a PNG (dataset4: 12 files, OUT-I.png ... OUT-V6.png).',
  options: {
    id: { type: 'string', value: 'ECG_ID', help: 'the record (required)' },
    out: { type: 'string', value: 'FILE.png', help: 'where to write (required)' },
    style: { type: 'string', value: 'STYLE', default: 'printout', help: STYLE_NAMES.join(', ') },
    seed: { type: 'string', value: 'N', default: '0', help: 'uint32 seed of every random choice' },
    filters: { type: 'string', value: 'LIST', help: "baseline,lowpass,notch50,notch60 or none (default: the style's)" },
    scale: { type: 'string', value: 'S', default: '1', help: 'pixel size multiplier' },
    data: { type: 'string', value: 'DIR', help: 'PTB-XL folder (default: data/ptb-xl, or PTBXL_DATA)' },
    info: { type: 'boolean', default: false, help: 'print what the renderer drew at random as JSON' },
  },
  error: (m) => new RenderError('bad-option', m),
});

export async function main(argv: string[]): Promise<void> {
  const { values } = parseCli(RENDER_CLI, argv);
  if (!values.id || !values.out)
    throw new RenderError('bad-option', `--id and --out are required\n${usage(RENDER_CLI)}`);
  const id = parseNumberArg('--id', values.id, { integer: true, min: 1 });
  const seed = parseNumberArg('--seed', values.seed, { integer: true, min: 0, max: 0xffffffff });
  const scale = parseNumberArg('--scale', values.scale, { min: Number.MIN_VALUE });
  const style = values.style as StyleName;
  if (!(STYLE_NAMES as readonly string[]).includes(style)) {
    throw new RenderError('bad-style', `unknown style '${style}' (known: ${STYLE_NAMES.join(', ')})`);
  }
  const filters = values.filters === undefined ? undefined : parseFilterList(values.filters);
  const dir = resolvePtbxlDir(values.data);
  const signals = await readRecord(dir, id);
  const t0 = performance.now();
  const { images, info } = renderWithInfo(signals, { style, seed, scale, filters, ecgId: id });
  const ms = performance.now() - t0;
  const out = path.resolve(values.out);
  mkdirSync(path.dirname(out), { recursive: true });
  const files: string[] = [];
  if (images.length === 1) {
    writeFileSync(out, encodePng(images[0]!));
    files.push(out);
  } else {
    const ext = path.extname(out) || '.png';
    const base = out.slice(0, out.length - path.extname(out).length);
    images.forEach((img, k) => {
      const f = `${base}-${signals.leadNames[k] ?? k}${ext}`;
      writeFileSync(f, encodePng(img));
      files.push(f);
    });
  }
  const img = images[0]!;
  console.error(
    `wrote ${files.length === 1 ? files[0] : `${files.length} files (${path.basename(files[0]!)} ...)`}: ` +
      `${img.width}x${img.height}x${img.channels}, ${style}, seed ${seed}, filters ${info.filters.join(',') || 'none'}, ${ms.toFixed(0)} ms`,
  );
  if (values.info) console.log(JSON.stringify(info, null, 2));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`render: ${errorMessage(err)}`);
    process.exit(1);
  });
}
