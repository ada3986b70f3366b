/**
 * `npm run digitise -- FILE... [--out build/digitised] [--ecg-id N] [--filters printout|raw]`
 *
 * Reads EKG pictures back into signals with the digitiser the browser demo runs (src/lib/digitise): for each
 * file it writes OUT/NAME.csv (time in s, then I ... V6 and II-rhythm in mV at 100 Hz; empty where the sheet
 * does not show a lead or nothing was read) and prints one JSON line: the layout, grid, gain and skew found,
 * each lead's confidence and, when the truth is known, each lead's SNR (the PhysioNet Challenge 2024 way) and
 * their median. The truth is known with --ecg-id N (a PTB-XL record in data/ptb-xl; --filters printout compares
 * with the record as our printouts draw it, raw with the record itself) or, for ECG-Image-Kit images, from a
 * labels.csv beside the file (compared raw, in the standard 3x4 windows). Where the classical ink plane finds no
 * trace rows, the learned trace segmenter's plane is read instead (--segmenter; `ink_plane` says which). Unreadable files print
 * {file, error}; the exit code is then 1.
 */
import { errorMessage } from '../src/lib/errors';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIGITISE_FS, DIGITISE_SAMPLES, type Readout } from '../src/lib/digitise/index';
import { nodeDigitiser, SHIPPED_SEGMENTER_DIR } from '../src/lib/digitise/segment-node';
import { useBackend } from '../src/lib/model/node-io';
import { readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { LEAD_NAMES } from '../src/lib/ptbxl/types';
import { applyFilters } from '../src/lib/signal/filters';
import { PRINTOUT_FILTERS } from '../src/lib/signal/windows';
import { leadSnrs, standardWindows } from './eval-digitise';
import { defineCli, parseCli, usage } from './lib/cli';
import { decodeImageBytesNode } from './lib/decode-node';

export function readoutCsv(r: Readout): string {
  const cols = [...LEAD_NAMES, 'II-rhythm'];
  const lines = [`time_s,${cols.join(',')}`];
  for (let i = 0; i < DIGITISE_SAMPLES; i++) {
    const cells = [...LEAD_NAMES.map((l) => r.leads[l]?.[i]), r.rhythm?.[i]].map((v) =>
      v === undefined || !Number.isFinite(v) ? '' : v.toFixed(4),
    );
    lines.push(`${(i / DIGITISE_FS).toFixed(2)},${cells.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The PTB-XL record a picture shows, when a labels.csv beside it (ECG-Image-Kit's) names it. */
function kitRecordOf(file: string): number | undefined {
  const labels = path.join(path.dirname(file), 'labels.csv');
  if (!existsSync(labels)) return undefined;
  const line = readFileSync(labels, 'utf8')
    .split(/\r?\n/)
    .find((l) => l.startsWith(`${path.basename(file)},`));
  return line ? Number(line.split(',')[1]) : undefined;
}

export const DIGITISE_CLI = defineCli({
  command: 'npm run digitise --',
  summary:
    'Reads the leads back from EKG pictures: a CSV per image and a JSON line with layout, grid, gain and confidence.',
  options: {
    out: { type: 'string', value: 'DIR', default: 'build/digitised', help: 'where the CSVs go' },
    'ecg-id': { type: 'string', value: 'N', help: 'the PTB-XL record shown (per-lead SNR against the truth)' },
    filters: { type: 'string', value: 'printout|raw', default: 'printout', help: 'conditioning of the truth' },
    segmenter: {
      type: 'string',
      value: 'DIR|none',
      help: `learned trace segmenter, used where the classical ink plane finds no rows (default ${SHIPPED_SEGMENTER_DIR})`,
    },
  },
  positionals: 'FILE...',
});

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseCli(DIGITISE_CLI, argv);
  if (positionals.length === 0) {
    console.log(usage(DIGITISE_CLI));
    process.exitCode = 2;
    return;
  }
  mkdirSync(values.out, { recursive: true });
  await useBackend('wasm');
  const reader = await nodeDigitiser(values.segmenter);
  let failed = 0;
  for (const file of positionals) {
    try {
      const { image } = await decodeImageBytesNode(new Uint8Array(readFileSync(file)));
      const r = reader.read(image);
      const csv = path.join(values.out, `${path.basename(file).replace(/\.[^.]+$/, '')}.csv`);
      writeFileSync(csv, readoutCsv(r.readout));
      const given = values['ecg-id'] ? Number(values['ecg-id']) : undefined;
      const kit = given === undefined ? kitRecordOf(file) : undefined;
      let snr: Record<string, number> | null = null;
      if (given !== undefined || kit !== undefined) {
        const rec = await readRecord(resolvePtbxlDir(), (given ?? kit)!);
        const truth = given !== undefined && values.filters === 'printout' ? applyFilters(rec, PRINTOUT_FILTERS) : rec;
        snr = leadSnrs(truth, r.readout, standardWindows());
      }
      const vals = snr ? Object.values(snr).sort((a, b) => a - b) : [];
      const s = r.stages;
      console.log(
        JSON.stringify({
          file,
          csv,
          layout: s.layout,
          ink_plane: r.reader,
          px_per_mm: s.grid.pxPerMm,
          grid: s.grid.source,
          skew_deg: s.skewDeg,
          paper_found: s.paper !== null,
          gain: s.gainSource,
          px_per_mv: s.pxPerMv,
          separators: s.separators.length,
          confidence: r.readout.confidence,
          ...(snr
            ? {
                snr_db: snr,
                snr_median_db: (vals[5]! + vals[6]!) / 2,
                truth:
                  given !== undefined ? `ecg_id ${given} (${values.filters})` : `ecg_id ${kit} (raw, from labels.csv)`,
              }
            : {}),
          ms: Math.round(r.ms),
        }),
      );
    } catch (e) {
      failed++;
      console.log(JSON.stringify({ file, error: errorMessage(e) }));
    }
  }
  reader.dispose();
  if (failed) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`[digitise] error: ${e.message}`);
    process.exit(2);
  });
}
