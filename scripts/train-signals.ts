/**
 * Training of a signal model (config `"kind": "signal"`), run by `npm run train -- --config FILE` (scripts/train.ts
 * hands such configs here) or `npx tsx scripts/train-signals.ts --config FILE [--threads N] [--epochs N]
 * [--no-export-signals] [--skip-parity]`:
 *
 * 1. makes the data if the folder has no manifest: `npm run export-signals` (PTB-XL folds 1-9, the printout's
 *    filters in TypeScript) or, for `data.synthetic: N`, N synthetic records;
 * 2. checks the manifest: format, size of signals.f32, folds, the window table and filters against
 *    src/lib/signal/windows.ts as it is now, and (PTB-XL) every label and fold against the PTB-XL label table;
 * 3. runs `/usr/bin/python3 -m training.signal_train` (training, fold-9 selection and threshold, TF.js export);
 * 4. loads the export with TF.js and requires max |logit difference| < 1e-4 against parity.json.
 */
import { errorMessage } from '../src/lib/errors';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { inputSpec } from '../src/lib/signal/windows';
import { parseFolds } from '../src/lib/ranges';
import { parseCli } from './lib/cli';
import { TRAIN_CLI } from './lib/train-cli';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const PYTHON = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';

export class SignalConfigError extends Error {
  override name = 'SignalConfigError';
}

export interface SignalTrainConfig {
  name: string;
  kind: 'signal';
  data: { dir: string; train_folds: string; val_folds: string; synthetic?: number };
  export: { dir: string; copy_to?: string };
  [k: string]: unknown;
}

/** True when the JSON config at `file` is a signal config (`"kind": "signal"`). */
export function isSignalConfigFile(file: string): boolean {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8')) as { kind?: unknown };
    return j.kind === 'signal';
  } catch {
    return false;
  }
}

export function loadSignalConfig(file: string): SignalTrainConfig {
  let cfg: unknown;
  try {
    cfg = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SignalConfigError(`${file}: cannot read JSON (${errorMessage(e)})`);
  }
  return validateSignalConfig(cfg, file);
}

/** The checks of a signal config (`source` names it in messages); returns it typed. */
export function validateSignalConfig(value: unknown, source: string): SignalTrainConfig {
  const cfg = value as SignalTrainConfig;
  if (cfg.kind !== 'signal') throw new SignalConfigError(`${source}: kind must be "signal"`);
  if (typeof cfg.name !== 'string' || !cfg.data?.dir || !cfg.export?.dir)
    throw new SignalConfigError(`${source}: needs name, data.dir and export.dir`);
  const bad = parseFolds(cfg.data.train_folds).filter((f) => f < 1 || f > 8);
  if (bad.length)
    throw new SignalConfigError(
      `${source}: data.train_folds ${cfg.data.train_folds} outside 1-8 (fold 10 is for the final evaluation only)`,
    );
  if (parseFolds(cfg.data.val_folds).join(',') !== '9')
    throw new SignalConfigError(`${source}: data.val_folds must be 9`);
  return cfg;
}

interface SignalsManifest {
  format: string;
  count: number;
  leads: string[];
  samples: number;
  synthetic?: boolean;
  filters: string[];
  input: unknown;
  items: { ecg_id: number; fold: number; label: number }[];
  git_commit?: string | null;
}

/** Checks an export-signals folder; returns a one-line summary. */
export async function checkSignalData(dir: string, wantFolds: number[], synthetic: boolean): Promise<string> {
  const mpath = path.join(dir, 'manifest.json');
  const fail = (msg: string): never => {
    throw new SignalConfigError(`${mpath}: ${msg}`);
  };
  const m = JSON.parse(readFileSync(mpath, 'utf8')) as SignalsManifest;
  if (m.format !== 'heartnet-signals/1') fail(`format ${JSON.stringify(m.format)}, expected "heartnet-signals/1"`);
  if (Boolean(m.synthetic) !== synthetic) fail(`synthetic is ${Boolean(m.synthetic)}, the config expects ${synthetic}`);
  const size = statSync(path.join(dir, 'signals.f32')).size;
  if (size !== m.count * m.leads.length * m.samples * 4)
    fail(`signals.f32 has ${size} bytes, expected ${m.count} x ${m.leads.length} x ${m.samples} x 4`);
  if (m.items.length !== m.count) fail(`count ${m.count}, items ${m.items.length}`);
  if (JSON.stringify(m.input) !== JSON.stringify(inputSpec())) {
    fail('its input spec (windows, filters) differs from src/lib/signal/windows.ts now: re-export (delete the folder)');
  }
  const folds = new Set(m.items.map((i) => i.fold));
  if (folds.has(10)) fail('holds fold-10 records (the test fold never goes into training data)');
  for (const f of wantFolds) if (!folds.has(f)) fail(`has no records of fold ${f}`);
  if (!synthetic) {
    const { loadLabelledRecords } = await import('../src/lib/ptbxl/node');
    const truth = new Map((await loadLabelledRecords()).map((r) => [r.ecgId, r]));
    const wrong = m.items.filter((i) => {
      const t = truth.get(i.ecg_id);
      return !t || t.stratFold !== i.fold || Number(t.mi) !== i.label;
    });
    if (wrong.length)
      fail(`${wrong.length} items disagree with the PTB-XL label table (e.g. ecg_id ${wrong[0]!.ecg_id})`);
  }
  const pos = m.items.filter((i) => i.label === 1).length;
  return (
    `${dir}: ${m.count} records (${pos} MI), folds ${[...folds].sort((a, b) => a - b).join(',')}` +
    (synthetic ? ' (synthetic: no label check)' : ', labels match PTB-XL')
  );
}

function run(cmd: string, args: string[]): void {
  console.log(`[train-signals] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with status ${r.status ?? r.signal}`);
}

export async function trainSignals(argv: string[]): Promise<void> {
  const { values: v } = parseCli(TRAIN_CLI, argv);
  if (v.device && v.device !== 'cpu') throw new SignalConfigError('signal models train on the CPU only (--device cpu)');
  const file = v.config;
  if (!file) throw new SignalConfigError('usage: npm run train -- --config training/configs/signal-3x4r.json');
  const cfg = loadSignalConfig(file);
  console.log(`[train-signals] config ${file} (${cfg.name})`);
  const synthetic = cfg.data.synthetic !== undefined;
  if (!existsSync(path.join(cfg.data.dir, 'manifest.json'))) {
    if (v['no-export-signals'] || v['no-export-images']) {
      throw new SignalConfigError(`${cfg.data.dir}: no manifest.json and --no-export-signals given`);
    }
    const args = ['tsx', 'scripts/export-signals.ts', '--out', cfg.data.dir, '--folds', '1-9'];
    if (synthetic) args.push('--synthetic', String(cfg.data.synthetic));
    run('npx', args);
  }
  const folds = [...parseFolds(cfg.data.train_folds), 9];
  console.log(`[train-signals] ${await checkSignalData(cfg.data.dir, folds, synthetic)}`);
  const py = ['-m', 'training.signal_train', '--config', file];
  for (const k of ['threads', 'epochs'] as const) if (v[k]) py.push(`--${k}`, v[k]);
  run(PYTHON, py);
  if (!v['skip-parity']) {
    const { checkSignalParity } = await import('../src/lib/signal/node-io');
    const p = await checkSignalParity(cfg.export.dir);
    console.log(
      `[train-signals] parity TF.js vs PyTorch on ${p.n} inputs: max |logit diff| = ${p.maxDiff.toExponential(2)}`,
    );
    if (!(p.maxDiff < 1e-4)) throw new Error(`parity failed: max |diff| ${p.maxDiff} >= 1e-4`);
  }
  if (cfg.export.copy_to) {
    cpSync(cfg.export.dir, cfg.export.copy_to, { recursive: true });
    console.log(`[train-signals] copied ${cfg.export.dir} -> ${cfg.export.copy_to}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  trainSignals(process.argv.slice(2)).catch((e: Error) => {
    console.error(`[train-signals] error: ${e.message}`);
    process.exit(1);
  });
}
