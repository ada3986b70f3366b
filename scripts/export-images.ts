/**
 * `npm run export-images -- --style dataset2 --folds 1-8 --out DIR [--variants K] [--input 256x256]
 *                           [--limit N] [--ids 1-200,9001] [--subset K/M] [--balanced N] [--seed S] [--png]
 *                           [--workers 2] [--shard-size 512] [--scale 1] [--filters baseline,lowpass|none]
 *                           [--data DIR] [--tone luma|ink-flat] [--upright]`
 *
 * Renders an image dataset for training, in the shard format of docs/CONTRACTS.md:
 * render(record, style, seed) -> preprocess(image, input spec) (src/lib/model/preprocess.ts) -> uint8 planes,
 * `shard-NNNNN.u8` files of --shard-size items each, and `manifest.json` (written last). Labels are the study's
 * MI label. Each image's seed is deriveSeed(ecg_id, variant, style) (mixed with --seed when not 0), so any
 * image can be re-rendered alone, in Node or in the page.
 *
 * - Parallel: --workers worker threads (default 2 = the machine's cores), each rendering whole shards.
 * - Resumable: shards are written atomically (tmp + rename); a rerun with the same arguments skips every
 *   shard whose file already has the right size. `export-plan.json` records the plan; a rerun with
 *   different arguments into the same folder is refused.
 * - --png writes PNG files (png/NNNNN-vK.png; dataset4: -leadNN) and the same manifest with
 *   format "heartnet-png/1", `shards: []` and each item's `files`.
 * - --balanced N draws N MI + N non-MI records from the folds (seeded), like the study's 777/777 subset;
 *   --limit N keeps a seeded random N records; --ids restricts to those ecg_ids.
 * - --upright turns each picture back by its camera's quarter turns (only wild photos are drawn turned): the
 *   sheets a model behind the demo's sheet-upright step is handed.
 */
import { gitCommit } from './lib/git';
import { errorMessage } from '../src/lib/errors';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadLabelledRecords, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { ensureRecords } from './lib/ptbxl-setup';
import { RenderError, STYLE_NAMES, type StyleName } from '../src/lib/render/index';
import { TONES, type Tone } from '../src/lib/model/preprocess';
import { defineCli, parseCli, usage } from './lib/cli';
import { ProgressBar } from './lib/progress';
import { parseFilterList, parseNumberArg, parseRangeList, parseSize } from './lib/render-args';
import {
  ensureDir,
  makePlan,
  manifestOf,
  missingRecords,
  planKey,
  renderShard,
  selectRecords,
  shardDone,
  type ExportSettings,
  type Plan,
} from './lib/render-export';

export const EXPORT_IMAGES_CLI = defineCli({
  command: 'npm run export-images --',
  summary:
    'Renders PTB-XL records and writes preprocessed model inputs as shards (or --png files) for training/train.py.',
  options: {
    style: { type: 'string', value: 'STYLE', help: `${STYLE_NAMES.join(', ')} (required)` },
    out: {
      type: 'string',
      value: 'DIR',
      help: 'output folder (required; a resumed export must use the same arguments)',
    },
    folds: { type: 'string', value: '1-8', default: '1-8', help: 'PTB-XL strat folds' },
    variants: { type: 'string', value: 'K', default: '1', help: 'renders per record (seeds differ)' },
    input: { type: 'string', value: 'HxW', default: '256x256', help: 'model input size' },
    limit: { type: 'string', value: 'N', help: 'at most N records' },
    ids: { type: 'string', value: 'LIST', help: 'only these ecg_ids, e.g. 1-200,9001' },
    subset: { type: 'string', value: 'K/M', help: 'only ecg_ids with id % M = K (a fixed pool of records)' },
    balanced: { type: 'string', value: 'N', help: 'N MI and N other records' },
    seed: { type: 'string', value: 'S', default: '0', help: 'render seed base' },
    png: { type: 'boolean', default: false, help: 'write PNG files (heartnet-png/1) instead of shards' },
    workers: { type: 'string', value: 'N', default: '2', help: 'render worker threads (0: main thread)' },
    'shard-size': { type: 'string', value: 'N', default: '512', help: 'images per shard' },
    scale: { type: 'string', value: 'S', default: '1', help: 'pixel size multiplier' },
    filters: { type: 'string', value: 'LIST', help: "baseline,lowpass,notch50,notch60 or none (default: the style's)" },
    data: { type: 'string', value: 'DIR', help: 'PTB-XL folder (default: data/ptb-xl)' },
    tone: { type: 'string', value: 'TONE', default: 'luma', help: `colour to gray: ${TONES.join(', ')}` },
    upright: {
      type: 'boolean',
      default: false,
      help: 'turn each picture back the way its camera turned it (wild photos drawn sideways or upside down)',
    },
    quiet: { type: 'boolean', default: false, help: 'no progress bar' },
  },
  error: (m) => new RenderError('bad-option', m),
});

export function parseExportArgs(argv: string[]): ExportSettings & { quiet: boolean } {
  const { values } = parseCli(EXPORT_IMAGES_CLI, argv);
  if (!values.style || !values.out)
    throw new RenderError('bad-option', `--style and --out are required\n${usage(EXPORT_IMAGES_CLI)}`);
  if (!(STYLE_NAMES as readonly string[]).includes(values.style)) {
    throw new RenderError('bad-style', `unknown style '${values.style}' (known: ${STYLE_NAMES.join(', ')})`);
  }
  const { height, width } = parseSize('--input', values.input);
  if (!(TONES as readonly string[]).includes(values.tone)) {
    throw new RenderError('bad-option', `--tone must be one of ${TONES.join(', ')} (got ${values.tone})`);
  }
  const tone = values.tone as Tone;
  return {
    style: values.style as StyleName,
    folds: parseRangeList('--folds', values.folds, 1, 10),
    out: path.resolve(values.out),
    variants: parseNumberArg('--variants', values.variants, { integer: true, min: 1, max: 1000 }),
    // 'luma' is left out of the spec, so luma exports keep the manifests (and resume keys) they always had
    input: { height, width, channels: 1, resize: 'letterbox-area', pad: 255, ...(tone === 'luma' ? {} : { tone }) },
    limit: values.limit === undefined ? undefined : parseNumberArg('--limit', values.limit, { integer: true, min: 1 }),
    ids: values.ids === undefined ? undefined : parseRangeList('--ids', values.ids, 1, 1_000_000),
    subset: values.subset === undefined ? undefined : parseSubset(values.subset),
    balanced:
      values.balanced === undefined
        ? undefined
        : parseNumberArg('--balanced', values.balanced, { integer: true, min: 1 }),
    seed: parseNumberArg('--seed', values.seed, { integer: true, min: 0, max: 0xffffffff }),
    png: values.png,
    workers: parseNumberArg('--workers', values.workers, { integer: true, min: 0, max: 64 }),
    shardSize: parseNumberArg('--shard-size', values['shard-size'], { integer: true, min: 1, max: 100_000 }),
    scale: parseNumberArg('--scale', values.scale, { min: Number.MIN_VALUE }),
    filters: values.filters === undefined ? undefined : parseFilterList(values.filters),
    data: resolvePtbxlDir(values.data),
    ...(values.upright ? { upright: true } : {}),
    quiet: values.quiet,
  };
}

/** `--subset K/M`: integers with 0 <= K < M. */
export function parseSubset(text: string): { k: number; m: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const mod = m ? Number(m[2]) : NaN;
  if (!(mod >= 1 && k >= 0 && k < mod)) {
    throw new RenderError('bad-option', `--subset must be K/M with 0 <= K < M (got '${text}')`);
  }
  return { k, m: mod };
}

/** Runs the pending shards on `n` worker threads (0 = in this thread). */
async function runShards(plan: Plan, pending: number[], s: ExportSettings, bar: ProgressBar): Promise<void> {
  if (s.workers === 0 || pending.length === 0) {
    for (const k of pending) await renderShard(plan, k, s, () => bar.tick());
    return;
  }
  const queue = pending.slice();
  const nWorkers = Math.min(s.workers, queue.length);
  // Workers do not inherit tsx's loader: a tiny bootstrap registers it, then imports the TypeScript worker.
  const workerFile = new URL('./lib/render-worker.ts', import.meta.url).href;
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(workerFile)}); })`;
  await new Promise<void>((resolve, reject) => {
    let alive = nWorkers;
    let failed = false;
    const workers: Worker[] = [];
    for (let w = 0; w < nWorkers; w++) {
      const worker = new Worker(bootstrap, { eval: true, workerData: { plan, settings: s } });
      workers.push(worker);
      const next = () => {
        const k = queue.shift();
        worker.postMessage(k === undefined ? null : { shard: k });
      };
      worker.on('message', (m: { type: string; shard?: number; message?: string }) => {
        if (m.type === 'item') bar.tick();
        else if (m.type === 'ready' || m.type === 'done') next();
        else if (m.type === 'error' && !failed) {
          failed = true;
          for (const other of workers) void other.terminate();
          reject(new Error(`shard ${m.shard}: ${m.message}`));
        }
      });
      worker.on('error', (err) => {
        if (failed) return;
        failed = true;
        for (const other of workers) void other.terminate();
        reject(err);
      });
      worker.on('exit', () => {
        alive--;
        if (alive === 0 && !failed) resolve();
      });
    }
  });
}

export async function main(argv: string[]): Promise<void> {
  const s = parseExportArgs(argv);
  const records = await loadLabelledRecords(s.data);
  const chosen = selectRecords(records, s);
  if (chosen.length === 0) throw new RenderError('bad-option', `no records selected (folds ${s.folds.join(',')})`);
  const plan = makePlan(chosen, s);
  const missing = await ensureRecords(s.data, missingRecords(plan, s.data), s.quiet);
  if (missing.length > 0) {
    throw new RenderError(
      'bad-option',
      `${missing.length} selected record(s) have no signal files in ${s.data} (e.g. ${missing.slice(0, 5).join(', ')}); run \`npm run setup -- --all\``,
    );
  }
  ensureDir(s.out);
  const planFile = path.join(s.out, 'export-plan.json');
  const key = planKey(plan, s);
  if (existsSync(planFile)) {
    if (readFileSync(planFile, 'utf8') !== key) {
      throw new RenderError(
        'bad-option',
        `${s.out} holds an export made with different arguments (export-plan.json differs); use another --out or delete the folder`,
      );
    }
  } else {
    writeFileSync(planFile, key);
  }
  const pending: number[] = [];
  let skippedItems = 0;
  plan.shards.forEach((sh, k) => {
    if (shardDone(plan, k, s)) skippedItems += sh.count;
    else pending.push(k);
  });
  const nMi = chosen.filter((r) => r.mi).length;
  const log = (msg: string) => {
    if (!s.quiet) console.error(msg);
  };
  log(
    `export-images: ${s.style}, ${chosen.length} records (${nMi} MI) x ${s.variants} variant(s) = ${plan.items.length} images, ` +
      `${plan.shards.length} shard(s), input ${s.input.height}x${s.input.width}, ${s.workers} worker(s)` +
      (skippedItems > 0 ? `; resuming: ${plan.shards.length - pending.length} shard(s) already done` : ''),
  );
  const bar = new ProgressBar({
    label: 'rendering',
    total: plan.items.length - skippedItems,
    quiet: s.quiet || pending.length === 0,
  });
  const t0 = performance.now();
  await runShards(plan, pending, s, bar);
  bar.finish();
  const secs = (performance.now() - t0) / 1000;
  const manifest = manifestOf(plan, s, gitCommit());
  const mfile = path.join(s.out, 'manifest.json');
  writeFileSync(`${mfile}.tmp`, `${JSON.stringify(manifest)}\n`);
  renameSync(`${mfile}.tmp`, mfile);
  const rendered = plan.items.length - skippedItems;
  log(
    `export-images: wrote ${mfile} (${rendered} images rendered in ${secs.toFixed(1)} s${rendered > 0 ? `, ${(rendered / secs).toFixed(1)} images/s` : ''})`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`export-images: ${errorMessage(err)}`);
    process.exit(1);
  });
}
