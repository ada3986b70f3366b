/**
 * `npm run export-signals -- [--folds 1-9] [--out build/signals/ptbxl-printout] [--ids 1-200] [--limit N]
 *                            [--seed S] [--data DIR] [--quiet]`
 *
 * Writes the training data of the signal classifier (training/signal_train.py): every labelled PTB-XL record
 * of the folds, conditioned with the printout renderer's default filters by src/lib/signal/filters.ts (the
 * same code the renderer, the browser and `npm run eval:signals` run; Python never re-implements them), as
 * whole 10 s records so that training can shift the 3x4 + rhythm windows before cutting them.
 *
 * Output (in the ignored build/ folder; PTB-XL-derived arrays are never committed):
 * - `signals.f32`: float32 little-endian, count x 12 x 1000 (leads in PTB-XL order I..V6, mV, filtered);
 * - `manifest.json` (written last): `{ format: "heartnet-signals/1", count, leads, samples, sampling_rate,
 *   filters, input (src/lib/signal/windows.ts inputSpec(): the window table training cuts with), items:
 *   [{ ecg_id, fold, label }], git_commit }`.
 * Fold 10 is refused: it is read only by `npm run eval:signals`.
 *
 * `--synthetic N` writes N synthetic records instead (no PTB-XL; folds 1..9 in turn; 'MI' = ST elevation and
 * Q waves in the inferior leads II, III, aVF), through the same filters and manifest: the data of the committed
 * fixture model (training/configs/fixture-signal.json) and of the cross-language tests. Manifest `synthetic: true`.
 */
import { gitCommit } from './lib/git';
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { LEAD_NAMES, type EcgSignals, type LeadName } from '../src/lib/ptbxl/types';
import { mulberry32 } from '../src/lib/random';
import { applyFilters } from '../src/lib/signal/filters';
import { inputSpec, PRINTOUT_FILTERS, SAMPLES, SAMPLING_RATE } from '../src/lib/signal/windows';
import { ensureRecords } from './lib/ptbxl-setup';
import { defineCli, parseCli } from './lib/cli';
import { parseNumberArg, parseRangeList } from './lib/render-args';
import { selectRecords } from './lib/render-export';

export const SIGNALS_FORMAT = 'heartnet-signals/1';
export const DEFAULT_SIGNALS_DIR = 'build/signals/ptbxl-printout';

export const EXPORT_SIGNALS_CLI = defineCli({
  command: 'npm run export-signals --',
  summary:
    "PTB-XL records (folds 1-9) conditioned with the printout's filters, as signals.f32 + manifest.json for training.",
  options: {
    folds: { type: 'string', value: '1-9', default: '1-9', help: 'PTB-XL strat folds (never 10)' },
    out: { type: 'string', value: 'DIR', default: DEFAULT_SIGNALS_DIR, help: 'output folder' },
    ids: { type: 'string', value: 'LIST', help: 'only these ecg_ids, e.g. 1-200' },
    limit: { type: 'string', value: 'N', help: 'at most N records' },
    seed: { type: 'string', value: 'S', default: '0', help: 'seed of the --limit subset and synthetic records' },
    data: { type: 'string', value: 'DIR', help: 'PTB-XL folder (default: data/ptb-xl)' },
    synthetic: { type: 'string', value: 'N', help: 'N synthetic records instead of PTB-XL (tests)' },
    quiet: { type: 'boolean', default: false, help: 'no progress output' },
  },
});

export interface ExportSignalsArgs {
  folds: number[];
  out: string;
  ids?: number[];
  limit?: number;
  seed: number;
  data: string;
  synthetic?: number;
  quiet: boolean;
}

export function parseExportSignalsArgs(argv: string[]): ExportSignalsArgs {
  const { values } = parseCli(EXPORT_SIGNALS_CLI, argv);
  const folds = parseRangeList('--folds', values.folds, 1, 10);
  if (folds.includes(10)) throw new Error('--folds: fold 10 is the test fold, read only by npm run eval:signals');
  return {
    folds,
    out: path.resolve(values.out),
    ids: values.ids === undefined ? undefined : parseRangeList('--ids', values.ids, 1, 1_000_000),
    limit: values.limit === undefined ? undefined : parseNumberArg('--limit', values.limit, { integer: true, min: 1 }),
    seed: parseNumberArg('--seed', values.seed, { integer: true, min: 0, max: 0xffffffff }),
    data: resolvePtbxlDir(values.data),
    synthetic:
      values.synthetic === undefined
        ? undefined
        : parseNumberArg('--synthetic', values.synthetic, { integer: true, min: 2, max: 100_000 }),
    quiet: values.quiet,
  };
}

/** Relative amplitude of the QRS (and T) in each lead of a synthetic record (aVR inverted). */
const SYNTH_GAIN: Record<LeadName, number> = {
  I: 0.6,
  II: 1.0,
  III: 0.5,
  aVR: -0.8,
  aVL: 0.3,
  aVF: 0.7,
  V1: -0.6,
  V2: 0.4,
  V3: 0.8,
  V4: 1.2,
  V5: 1.1,
  V6: 0.9,
};
const INFERIOR: readonly LeadName[] = ['II', 'III', 'aVF'];

/** One synthetic 10 s, 100 Hz, 12-lead record (mV) of label `mi`: Gaussian P/Q/R/S/T waves, wander and noise. */
export function synthRecord(seed: number, mi: boolean): EcgSignals {
  const rnd = mulberry32(seed);
  const rr = 60 / (55 + 45 * rnd());
  const phase = rnd() * rr;
  const g = (t: number, mu: number, sd: number) => Math.exp(-((t - mu) ** 2) / (2 * sd * sd));
  const leads = LEAD_NAMES.map((lead) => {
    const k = SYNTH_GAIN[lead] * (0.8 + 0.4 * rnd());
    const inf = mi && INFERIOR.includes(lead);
    const wf = 0.1 + 0.3 * rnd();
    const wp = 2 * Math.PI * rnd();
    const x = new Float32Array(SAMPLES);
    for (let i = 0; i < SAMPLES; i++) {
      const t = i / SAMPLING_RATE;
      const b = (((t - phase) % rr) + rr) % rr; // time since this beat's R peak would be at 0.2 s
      let v =
        0.12 * g(b, 0.05, 0.02) +
        k * (g(b, 0.2, 0.012) - 0.25 * g(b, 0.23, 0.01)) +
        0.25 * Math.abs(k) * g(b, 0.45, 0.05);
      if (inf)
        v += -0.3 * g(b, 0.18, 0.01) + (0.25 * (b > 0.24 && b < 0.42 ? 1 : 0) * g(b, 0.33, 0.08)) / g(0.33, 0.33, 0.08);
      x[i] = v + 0.15 * Math.sin(2 * Math.PI * wf * t + wp) + 0.02 * (rnd() - 0.5);
    }
    return x;
  });
  return { samplingRate: SAMPLING_RATE, leadNames: [...LEAD_NAMES], leads };
}

type Item = { ecgId: number; stratFold: number; mi: boolean };

export async function exportSignals(
  a: ExportSignalsArgs,
): Promise<{ count: number; mi: number; seconds: number; manifest: string }> {
  const synthetic = a.synthetic !== undefined;
  let records: Item[];
  if (synthetic) {
    const rnd = mulberry32(a.seed ^ 0x5167);
    records = Array.from({ length: a.synthetic! }, (_, k) => ({
      ecgId: k + 1,
      stratFold: 1 + (k % 9),
      mi: rnd() < 0.4,
    })).filter((r) => a.folds.includes(r.stratFold));
  } else {
    records = selectRecords(await loadLabelledRecords(a.data), {
      folds: a.folds,
      ids: a.ids,
      limit: a.limit,
      seed: a.seed,
      balanced: undefined,
    });
  }
  if (records.length === 0) throw new Error(`no labelled records in folds ${a.folds.join(',')}`);
  const missing = synthetic
    ? []
    : await ensureRecords(
        a.data,
        records.map((r) => r.ecgId),
        a.quiet,
      );
  if (missing.length > 0) {
    throw new Error(
      `${missing.length} record(s) have no signal files in ${a.data} (e.g. ${missing.slice(0, 5).join(', ')}); run npm run setup -- --all`,
    );
  }
  mkdirSync(a.out, { recursive: true });
  const binFile = path.join(a.out, 'signals.f32');
  const fd = openSync(`${binFile}.tmp`, 'w');
  const t0 = performance.now();
  const buf = new Float32Array(LEAD_NAMES.length * SAMPLES);
  const bytes = new Uint8Array(buf.buffer);
  try {
    for (let k = 0; k < records.length; k++) {
      const r = records[k]!;
      const sig = synthetic ? synthRecord((a.seed * 100_003 + r.ecgId) >>> 0, r.mi) : await readRecord(a.data, r.ecgId);
      if (sig.samplingRate !== SAMPLING_RATE)
        throw new Error(`ecg_id ${r.ecgId}: ${sig.samplingRate} Hz, expected ${SAMPLING_RATE}`);
      const f = applyFilters(sig, PRINTOUT_FILTERS);
      LEAD_NAMES.forEach((lead, l) => {
        const i = f.leadNames.indexOf(lead);
        const src = f.leads[i];
        if (i < 0 || !src || src.length < SAMPLES)
          throw new Error(`ecg_id ${r.ecgId}: lead ${lead} missing or shorter than ${SAMPLES} samples`);
        buf.set(src.subarray(0, SAMPLES), l * SAMPLES);
      });
      writeSync(fd, bytes);
      if (!a.quiet && (k + 1) % 2000 === 0) {
        console.error(`export-signals: ${k + 1}/${records.length} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
  } finally {
    closeSync(fd);
  }
  renameSync(`${binFile}.tmp`, binFile);
  const manifest = {
    format: SIGNALS_FORMAT,
    source: synthetic
      ? 'synthetic (scripts/export-signals.ts synthRecord): test fixture, not PTB-XL'
      : 'PTB-XL 1.0.1, records100',
    synthetic,
    count: records.length,
    leads: [...LEAD_NAMES],
    samples: SAMPLES,
    sampling_rate: SAMPLING_RATE,
    dtype: 'float32-le',
    layout: 'count x leads x samples',
    filters: [...PRINTOUT_FILTERS],
    folds: a.folds,
    input: inputSpec(),
    items: records.map((r) => ({ ecg_id: r.ecgId, fold: r.stratFold, label: r.mi ? 1 : 0 })),
    git_commit: gitCommit(),
    created: new Date().toISOString(),
  };
  const mfile = path.join(a.out, 'manifest.json');
  writeFileSync(`${mfile}.tmp`, `${JSON.stringify(manifest)}\n`);
  renameSync(`${mfile}.tmp`, mfile);
  return {
    count: records.length,
    mi: records.filter((r) => r.mi).length,
    seconds: (performance.now() - t0) / 1000,
    manifest: mfile,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  (async () => {
    const a = parseExportSignalsArgs(process.argv.slice(2));
    const r = await exportSignals(a);
    if (!a.quiet)
      console.error(`export-signals: wrote ${r.manifest} (${r.count} records, ${r.mi} MI, ${r.seconds.toFixed(1)} s)`);
  })().catch((e: Error) => {
    console.error(`export-signals: ${e.message}`);
    process.exit(1);
  });
}
