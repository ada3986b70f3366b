/**
 * `npm run train -- --config training/configs/NAME.json [--device cpu|cuda] [--threads N] [--epochs N]
 *                   [--no-export-images] [--skip-parity]`
 *
 * 1. validates the config against training/config.schema.json (unknown key -> error before anything runs)
 *    and the split rules (train folds 1-8, validation fold 9, never 10);
 * 2. makes sure every shard directory exists (running `npm run export-images` for missing ones, or
 *    training/synth.py for `synthetic` fixture sources) and that each manifest agrees with its shard files
 *    (sizes, counts, folds, style, input size) and with the PTB-XL label table;
 * 3. runs `/usr/bin/python3 -m training.train` (training, fold-9 model selection and threshold, TF.js export);
 * 4. loads the exported model with TF.js in Node and checks parity with the PyTorch logits (< 1e-4).
 */
import { errorMessage } from '../src/lib/errors';
import { GATE_STYLE, NEGATIVE_ID_BASE } from './export-gate';
import { UPRIGHT_STYLE } from './export-upright';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFolds } from '../src/lib/ranges';
import { validateSignalConfig } from './train-signals';
import { parseCli } from './lib/cli';
import { TRAIN_CLI } from './lib/train-cli';

export { parseFolds };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const PYTHON = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';

export interface SourceConfig {
  style: string;
  dir: string;
  folds: string;
  balanced?: number;
  limit?: number;
  subset?: string;
  variants?: number;
  seed?: number;
  upright?: boolean;
}
export interface TrainConfig {
  name: string;
  seed: number;
  data: { input: { height: number; width: number; tone?: string }; train: SourceConfig[]; val: SourceConfig[] };
  model: { arch: string } & Record<string, unknown>;
  train: Record<string, unknown>;
  threshold: { rule: string; min_sensitivity?: number };
  export: { dir: string; quantization?: string; copy_to?: string; skip?: boolean };
  [k: string]: unknown;
}

/**
 * Schema + split rules, checked by training/config.py (the one checker of training/config.schema.json: run as
 * `python3 -m training.config --check`). Signal configs ("kind": "signal") are checked by train-signals.ts.
 */
export function validateConfig(value: unknown, source = 'config'): TrainConfig {
  if ((value as { kind?: unknown } | null)?.kind === 'signal') {
    return validateSignalConfig(value, source) as unknown as TrainConfig;
  }
  const r = spawnSync(PYTHON, ['-m', 'training.config', '--check', source], {
    cwd: ROOT,
    input: JSON.stringify(value),
    encoding: 'utf8',
  });
  if (r.status === 2) throw new ConfigError(`${source}: ${r.stdout.trim()}`);
  if (r.status !== 0) {
    throw new Error(
      `${PYTHON} -m training.config failed (${r.status ?? r.signal}): ${(r.stderr || r.error?.message) ?? ''}`.trim(),
    );
  }
  return value as TrainConfig;
}

export function loadConfig(file: string): TrainConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: cannot read JSON (${errorMessage(e)})`);
  }
  return validateConfig(raw, file);
}

interface Manifest {
  format: string;
  style: string;
  input: { height: number; width: number; channels: number; resize: string; pad: number; tone?: string };
  planes: number;
  count: number;
  shards: { file: string; count: number }[];
  items: {
    ecg_id: number;
    fold: number;
    label: unknown;
    style: string;
    shard: number;
    index: number;
    /** sheet-upright shards: quarter turns from the picture as rendered, and the turns that make it upright */
    variant?: number;
    upright_turns?: number;
  }[];
  renderer?: unknown;
  git_commit?: string | null;
}

/** Warns when the renderer or preprocessing changed after the shards were written (bytes may differ from
 * what `npm run eval` and the browser now produce); returns the warning or null. */
export function staleShardsWarning(dir: string): string | null {
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const commit = m.git_commit?.replace(/\+.*$/, '');
  if (!commit || !/^[0-9a-f]{7,40}$/.test(commit)) return null;
  const r = spawnSync(
    'git',
    ['diff', '--quiet', commit, '--', 'src/lib/render', 'src/lib/signal', 'src/lib/model/preprocess.ts'],
    { cwd: ROOT },
  );
  if (r.status === 1) {
    return `${dir}: rendered at ${commit.slice(0, 7)}; the renderer/preprocessing changed since (re-export for identical bytes)`;
  }
  return null;
}

const labelToInt = (v: unknown): number | null =>
  v === true || v === 1 || v === 'MI' ? 1 : v === false || v === 0 || v === 'Normal' ? 0 : null;

/** Checks one shard directory against its source config; returns a one-line summary. */
export function checkShards(
  src: SourceConfig,
  input: { height: number; width: number; tone?: string },
  truth: Map<number, { mi: boolean; fold: number }> | null,
): string {
  const mpath = path.join(src.dir, 'manifest.json');
  const fail = (msg: string): never => {
    throw new ConfigError(`${mpath}: ${msg}`);
  };
  const m = JSON.parse(readFileSync(mpath, 'utf8')) as Manifest;
  if (m.format !== 'heartnet-shards/1') fail(`format ${JSON.stringify(m.format)}, expected "heartnet-shards/1"`);
  if (m.style !== src.style) fail(`style ${m.style}, config says ${src.style}`);
  if (m.input.height !== input.height || m.input.width !== input.width) {
    fail(`input ${m.input.height}x${m.input.width}, config says ${input.height}x${input.width}`);
  }
  if ((m.input.tone ?? 'luma') !== (input.tone ?? 'luma')) {
    fail(`tone ${m.input.tone ?? 'luma'}, config says ${input.tone ?? 'luma'}`);
  }
  const planes = m.planes ?? 1;
  if (planes !== (m.style === 'dataset4' ? 12 : 1)) fail(`planes ${planes} does not fit style ${m.style}`);
  // EKG-gate shards (scripts/export-gate.ts): label 1 = a 12-lead render of a PTB-XL record, 0 = anything else
  const gate = m.style === GATE_STYLE;
  // sheet-upright shards (scripts/export-upright.ts): label 1 = the quarter turn that makes the sheet upright
  const upright = m.style === UPRIGHT_STYLE;
  const per = planes * m.input.height * m.input.width;
  let total = 0;
  for (const s of m.shards) {
    const f = path.join(src.dir, s.file);
    if (!existsSync(f)) fail(`shard ${s.file} is missing`);
    const size = statSync(f).size;
    if (size !== s.count * per) fail(`${s.file} has ${size} bytes, expected ${s.count} x ${per}`);
    total += s.count;
  }
  if (total !== m.count || m.items.length !== m.count)
    fail(`count ${m.count}, shards hold ${total}, items list ${m.items.length}`);
  const folds = new Set(parseFolds(src.folds));
  let pos = 0;
  let mismatched = 0;
  for (const it of m.items) {
    if (!folds.has(it.fold)) fail(`ecg_id ${it.ecg_id} is in fold ${it.fold}, outside ${src.folds}`);
    const sh = m.shards[it.shard];
    if (!sh || it.index < 0 || it.index >= sh.count) fail(`ecg_id ${it.ecg_id} points outside the shards`);
    const lab = labelToInt(it.label);
    if (lab === null) fail(`ecg_id ${it.ecg_id} has label ${JSON.stringify(it.label)}`);
    pos += lab!;
    if (gate) {
      // pictures carry no record; renders must be of real records of their fold, 12-lead styles labelled 1
      if (it.style === 'picture') {
        if (lab !== 0 || it.ecg_id < NEGATIVE_ID_BASE) mismatched++;
        continue;
      }
      if (lab !== (it.style === 'dataset4' ? 0 : 1)) mismatched++;
    }
    if (upright) {
      // a non-EKG picture (export-upright --negatives) is never upright; a render is, in the turn that undoes its own
      if (it.style === 'picture') {
        if (lab !== 0 || it.ecg_id < NEGATIVE_ID_BASE) mismatched++;
        continue;
      }
      if (lab !== (it.variant === it.upright_turns ? 1 : 0)) mismatched++;
    }
    if (truth) {
      const t = truth.get(it.ecg_id);
      if (!t) fail(`ecg_id ${it.ecg_id} is not in the PTB-XL label table`);
      if (t!.fold !== it.fold || (!gate && !upright && Number(t!.mi) !== lab)) mismatched++;
    }
  }
  if (mismatched) fail(`${mismatched} items disagree with the PTB-XL label table (label or fold)`);
  return (
    `${src.dir}: ${m.count} images (${pos} ${gate ? 'EKG' : upright ? 'upright' : 'MI'}), ${m.style}, ${m.input.height}x${m.input.width}x${planes}` +
    (truth ? ', labels match PTB-XL' : ' (synthetic: no label check)')
  );
}

function run(cmd: string, args: string[]): void {
  console.log(`[train] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with status ${r.status ?? r.signal}`);
}

function ensureShards(
  src: SourceConfig,
  input: { height: number; width: number; tone?: string },
  allowExport: boolean,
): void {
  if (existsSync(path.join(src.dir, 'manifest.json'))) return;
  if (!allowExport) throw new ConfigError(`${src.dir}: no shards (manifest.json missing) and --no-export-images given`);
  if (src.dir.startsWith('build/shards/synth')) {
    const base = src.dir.replace(/-(train|val)$/, '');
    run(PYTHON, [
      '-m',
      'training.synth',
      base,
      `${input.height}x${input.width}`,
      ...(src.style === 'dataset4' ? ['--style', 'dataset4'] : []),
    ]);
    return;
  }
  // the pseudo-styles' own exporters (their items are not plain renders of one style): split by the folds, and a
  // folder suffix for a second set of the same split
  const exporter: Record<string, { script: string; extra: string[] }> = {
    // SPLIT-extra: the gate's second set of wild renders (export-gate --extra, its own seed)
    [GATE_STYLE]: {
      script: 'scripts/export-gate.ts',
      extra: src.dir.endsWith('-extra') ? ['--extra', '--seed', '47'] : [],
    },
    // SPLIT-negatives: the EKG check's non-EKG pictures in four turns each
    [UPRIGHT_STYLE]: {
      script: 'scripts/export-upright.ts',
      extra: src.dir.endsWith('-negatives') ? ['--negatives', 'build/gate/negatives'] : [],
    },
  };
  const own = exporter[src.style];
  if (own) {
    const split = src.folds === '9' ? 'val' : 'train';
    run('npx', [
      'tsx',
      own.script,
      '--split',
      split,
      '--out',
      path.dirname(src.dir),
      '--input',
      `${input.height}x${input.width}`,
      ...own.extra,
    ]);
    return;
  }
  if (!existsSync(path.join(ROOT, 'scripts', 'export-images.ts'))) {
    throw new ConfigError(`${src.dir}: no shards, and scripts/export-images.ts is not there to make them`);
  }
  const args = [
    'tsx',
    'scripts/export-images.ts',
    '--style',
    src.style,
    '--folds',
    src.folds,
    '--out',
    src.dir,
    '--input',
    `${input.height}x${input.width}`,
    ...(input.tone ? ['--tone', input.tone] : []),
  ];
  if (src.balanced) args.push('--balanced', String(src.balanced));
  if (src.subset) args.push('--subset', src.subset);
  if (src.limit) args.push('--limit', String(src.limit));
  if (src.variants) args.push('--variants', String(src.variants));
  if (src.seed !== undefined) args.push('--seed', String(src.seed));
  if (src.upright) args.push('--upright');
  run('npx', args);
}

async function main(argv: string[]): Promise<void> {
  const { values: v } = parseCli(TRAIN_CLI, argv);
  const file = v.config;
  if (!file) throw new ConfigError('usage: npm run train -- --config training/configs/NAME.json');
  // Signal-classifier configs ("kind": "signal") have their own data and trainer (scripts/train-signals.ts).
  const signal = await import('./train-signals');
  if (signal.isSignalConfigFile(file)) return signal.trainSignals(argv);
  const cfg = loadConfig(file);
  console.log(`[train] config ${file} is valid (${cfg.name})`);
  // Fail before minutes of rendering when the run to continue from (config "init") has not been trained here.
  if (typeof cfg.init === 'string' && !existsSync(path.join(ROOT, 'training', 'checkpoints', `${cfg.init}.pt`))) {
    throw new ConfigError(
      `${file}: init: training/checkpoints/${cfg.init}.pt is missing; make it first with ` +
        `npm run train -- --config training/configs/${cfg.init}.json`,
    );
  }

  const sources = [...cfg.data.train, ...cfg.data.val];
  for (const s of sources) ensureShards(s, cfg.data.input, !v['no-export-images']);
  const synthetic = sources.every((s) => s.dir.startsWith('build/shards/synth'));
  let truth: Map<number, { mi: boolean; fold: number }> | null = null;
  if (!synthetic) {
    const { loadLabelledRecords } = await import('../src/lib/ptbxl/node');
    truth = new Map((await loadLabelledRecords()).map((r) => [r.ecgId, { mi: r.mi, fold: r.stratFold }]));
  }
  for (const s of sources) {
    console.log(`[train] ${checkShards(s, cfg.data.input, truth)}`);
    const stale = staleShardsWarning(s.dir);
    if (stale) console.warn(`[train] warning: ${stale}`);
  }

  const pyArgs = ['-m', 'training.train', '--config', file];
  for (const k of ['device', 'threads', 'epochs'] as const) if (v[k]) pyArgs.push(`--${k}`, v[k]);
  run(PYTHON, pyArgs);

  if (!v['skip-parity'] && !cfg.export.skip) {
    const { checkParity } = await import('../src/lib/model/node-io');
    const p = await checkParity(cfg.export.dir);
    console.log(`[train] parity TF.js vs PyTorch on ${p.n} inputs: max |logit diff| = ${p.maxDiff.toExponential(2)}`);
    if (!(p.maxDiff < 1e-4)) throw new Error(`parity failed: max |diff| ${p.maxDiff} >= 1e-4`);
  }
  if (cfg.export.copy_to) {
    cpSync(cfg.export.dir, cfg.export.copy_to, { recursive: true });
    console.log(`[train] copied ${cfg.export.dir} -> ${cfg.export.copy_to}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`[train] error: ${e.message}`);
    process.exit(1);
  });
}
