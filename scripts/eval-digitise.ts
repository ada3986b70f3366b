/**
 * `npm run eval:digitise -- --style printout [--fold 10] [--limit 200] [--seed 0] [--signal public/models/signal-3x4r]`
 * `npm run eval:digitise -- --external [--dir ../shared/external]`
 *
 * The digitiser (src/lib/digitise) measured two ways, and the digitise + signal-classifier pipeline scored:
 * - per-lead SNR, the PhysioNet Challenge 2024 definition (10 log10 of signal over error energy, no shifting or
 *   scaling; unread samples count as 0), over the seconds each lead is printed. Truth: for our renders, the record
 *   as the renderer printed it (its default filters) and the panels it drew (render info); for ECG-Image-Kit's
 *   renders of fold 9 (labels.csv names the PTB-XL record), the raw record in the standard 3x4 + rhythm windows;
 * - MI AUROC (bootstrap CI), sensitivity and specificity at the signal classifier's own threshold (chosen on
 *   fold 9's true signals), from the digitised readouts.
 * With --external, the real EKG photos and scans beside the kit pages (real-ekg, no diagnoses) are read too: how
 * many the digitiser reads and how many of those the signal classifier calls MI (`real_ekg`).
 * Writes data/eval/digitise/STYLE.json (or kit-fold9.json) and prints one JSON line. Our renders: fold 10 only
 * (or 9); the external set is skipped cleanly when absent.
 */
import { gitCommit } from './lib/git';
import { errorMessage } from '../src/lib/errors';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ALIGN_MAX_LAG, alignedSnrDb, snrDb, type Readout } from '../src/lib/digitise/index';
import { DIGITISER_POLICY, SEGMENT_POLICIES, type SegmentPolicy } from '../src/lib/digitise/segment';
import { nodeDigitiser, SHIPPED_SEGMENTER_DIR, type NodeDigitiser } from '../src/lib/digitise/segment-node';
import { atThreshold, auroc, bootstrapAurocCI } from '../src/lib/model/metrics';
import { useBackend } from '../src/lib/model/node-io';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { LEAD_NAMES, type EcgSignals } from '../src/lib/ptbxl/types';
import { renderWithInfo, STYLE_NAMES, type StyleName } from '../src/lib/render/index';
import { applyFilters, type FilterName } from '../src/lib/signal/filters';
import { predictSignalProbabilities } from '../src/lib/signal/model';
import { loadSignalModelFromDir } from '../src/lib/signal/node-io';
import { inputFromReadout, LAYOUT_3X4R, windowSamples } from '../src/lib/signal/windows';
import { limbLeadAgreement } from '../src/lib/signal/agreement';
import { median, medianOrNull, spearman } from '../src/lib/stats';
import { EXTERNAL_OPTIONS } from './eval-external';
import { defineCli, parseCli } from './lib/cli';
import { decodeImageBytesNode, pictureFiles } from './lib/decode-node';
import { ensureRecords } from './lib/ptbxl-setup';
import { itemSeed, selectRecords } from './lib/render-export';

export interface LeadWindow {
  lead: string;
  start: number;
  end: number;
}

/** The standard 3x4 windows (2.5 s columns) and the lead II rhythm strip: what ECG-Image-Kit's pages show. */
export function standardWindows(): LeadWindow[] {
  const out: LeadWindow[] = [];
  LAYOUT_3X4R.rows.forEach((row) =>
    row.forEach((lead, c) => {
      const [start, end] = windowSamples(c * LAYOUT_3X4R.columnS, (c + 1) * LAYOUT_3X4R.columnS);
      out.push({ lead, start, end });
    }),
  );
  return out;
}

/**
 * Per-lead SNR of a readout against `truth` over `windows` (a lead never read scores as all-zero output); `score`
 * is the Challenge's `snrDb`, or the diagnostic `alignedSnrDb`.
 */
export function leadSnrs(
  truth: EcgSignals,
  readout: Readout,
  windows: readonly LeadWindow[],
  score: typeof snrDb = snrDb,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of windows) {
    const li = LEAD_NAMES.indexOf(w.lead as (typeof LEAD_NAMES)[number]);
    const read = readout.leads[w.lead] ?? new Float32Array(1000).fill(Number.NaN);
    out[w.lead] = score(truth.leads[li]!, read, w.start, w.end);
  }
  return out;
}

/** Per-lead decibels to a tenth, for the file (Infinity stays: JSON writes it as null). */
const tenths = (snr: Record<string, number>) =>
  Object.fromEntries(Object.entries(snr).map(([k, v]) => [k, Number.isFinite(v) ? Math.round(v * 10) / 10 : v]));

interface Row {
  id: string;
  label: 0 | 1;
  snr: Record<string, number>;
  /** The same leads shifted by their best lag (alignedSnrDb); absent for a sheet not read. */
  aligned?: Record<string, number>;
  p: number | null;
  error?: string;
  layout?: string;
  /** Whose ink plane the reading came from (with --segmenter). */
  reader?: 'classical' | 'learned';
  /** The limb leads' agreement with Einthoven's and Goldberger's laws (src/lib/signal/agreement.ts), dB; null
   * where too few limb leads were read at the same instants. */
  agreement?: number | null;
}

/** A reading's limb-lead agreement in dB, to a tenth (null when it has none). */
export function readoutAgreement(readout: Readout): number | null {
  const a = limbLeadAgreement(readout);
  return a === null ? null : Math.round(a.db * 10) / 10;
}

/**
 * The limb-lead agreement over the pages read: its median, and how well it ranks the pages by their median SNR
 * (Spearman), which is what would make it a stand-in for the SNR where there is no truth (real photos).
 */
function agreementSummary(rows: Row[]) {
  const withIt = rows.filter((r) => !r.error && typeof r.agreement === 'number');
  const pageSnr = withIt.map((r) => median(Object.values(r.snr)));
  const a = withIt.map((r) => r.agreement!);
  return {
    n: withIt.length,
    median_db: medianOrNull(a),
    spearman_with_page_snr: spearman(a, pageSnr),
    note: "limb leads read back (II = I + III, aVR + aVL + aVF = 0; src/lib/signal/agreement.ts): 10 log10 of the leads' energy over the relations' residual, each page's pooled value; no truth needed. The Spearman correlation is with each page's median SNR over its leads",
  };
}

function summarise(rows: Row[], threshold: number, bootstrap: number) {
  const all = rows.flatMap((r) => Object.values(r.snr));
  const scored = rows.filter((r) => r.p !== null);
  const labels = scored.map((r) => r.label);
  const probs = scored.map((r) => r.p!);
  const m = atThreshold(labels, probs, threshold);
  const both = labels.some((l) => l === 1) && labels.some((l) => l === 0);
  return {
    n: rows.length,
    failed: rows.filter((r) => r.error).length,
    snr_median_db: median(all),
    snr_by_lead_db: Object.fromEntries(LEAD_NAMES.map((l) => [l, median(rows.map((r) => r.snr[l] ?? NaN))])),
    snr_note:
      'median over records x leads; a sheet the digitiser could not read counts 0 dB for every lead (all-zero output)',
    // the sheets read: their leads as read, and shifted in time by their best lag (a diagnostic, not the Challenge's)
    snr_read_median_db: median(rows.filter((r) => !r.error).flatMap((r) => Object.values(r.snr))),
    snr_aligned_median_db: median(rows.flatMap((r) => Object.values(r.aligned ?? {}))),
    snr_aligned_note: `median over the records read x leads, each lead shifted by the lag within +-${ALIGN_MAX_LAG} samples (${ALIGN_MAX_LAG * 10} ms) that suits it best: how much of the error is the time axis`,
    agreement: agreementSummary(rows),
    mi: {
      n: scored.length,
      auroc: both ? auroc(labels, probs) : null,
      auroc_ci: both ? bootstrapAurocCI(labels, probs, { resamples: bootstrap, seed: 0 }) : null,
      sensitivity: m.sensitivity,
      specificity: m.specificity,
      threshold,
    },
  };
}

export const EVAL_DIGITISE_CLI = defineCli({
  command: 'npm run eval:digitise --',
  summary:
    'Per-lead SNR of the digitiser and MI AUROC of digitiser + signal classifier, on our renders or ECG-Image-Kit.',
  options: {
    style: { type: 'string', value: 'STYLE', default: 'printout', help: 'rendering style of our fold renders' },
    fold: { type: 'string', value: 'N', default: '10', help: 'PTB-XL fold of our renders' },
    limit: { type: 'string', value: 'N', help: 'at most N records' },
    seed: { type: 'string', value: 'S', default: '0', help: 'render and bootstrap seed' },
    signal: { type: 'string', value: 'DIR', default: 'public/models/signal-3x4r', help: 'the signal classifier' },
    external: { type: 'boolean', default: false, help: "ECG-Image-Kit's fold-9 pages instead of our renders" },
    segmenter: {
      type: 'string',
      value: 'DIR|none',
      help: `the learned trace segmenter (default ${SHIPPED_SEGMENTER_DIR} when present; none: classical only)`,
    },
    policy: {
      type: 'string',
      value: 'POLICY',
      help: `${SEGMENT_POLICIES.join(', ')} (src/lib/digitise/segment.ts; default ${DIGITISER_POLICY}, the demo's)`,
    },
    ...EXTERNAL_OPTIONS,
    out: { type: 'string', value: 'FILE', help: 'output file' },
  },
});

/** The real EKG photos and scans (no diagnoses): how many the digitiser reads, and how many of those are called MI. */
interface RealEkgReadings {
  what: string;
  n: number;
  read: number;
  /** Read pictures the signal model calls MI at its threshold. */
  called_mi: number;
  /** Median limb-lead agreement (dB) over the pictures read that have one. */
  agreement_median_db: number | null;
  files: Array<{ file: string; p: number | null; layout?: string; agreement?: number | null; error?: string }>;
}

/** A picture file (the kit's pages, the real EKGs) decoded as the CLI decodes it, then read by `reader`. */
async function digitiseFile(reader: NodeDigitiser, file: string) {
  const { image } = await decodeImageBytesNode(new Uint8Array(readFileSync(file)));
  return reader.read(image);
}

async function readRealEkgFile(reader: NodeDigitiser, file: string, classify: (r: Readout) => number) {
  try {
    const r = await digitiseFile(reader, file);
    return { p: classify(r.readout), layout: r.stages.layout, agreement: readoutAgreement(r.readout) };
  } catch (e) {
    return { p: null, error: errorMessage(e) };
  }
}

/** Reads ../shared/external/real-ekg when it is there (null when not: it is not part of the repository). */
async function readRealEkg(
  reader: NodeDigitiser,
  dir: string,
  classify: (r: Readout) => number,
  threshold: number,
): Promise<RealEkgReadings | null> {
  if (!existsSync(dir)) return null;
  const names = pictureFiles(dir);
  const files: RealEkgReadings['files'] = [];
  for (const f of names) files.push({ file: f, ...(await readRealEkgFile(reader, path.join(dir, f), classify)) });
  const read = files.filter((f) => f.p !== null);
  return {
    what: 'photos and scans of real 12-lead EKGs (../shared/external/real-ekg), no diagnoses: read or not, and the signal reading',
    n: files.length,
    read: read.length,
    called_mi: read.filter((f) => f.p! >= threshold).length,
    agreement_median_db: medianOrNull(read.map((f) => f.agreement).filter((v): v is number => typeof v === 'number')),
    files,
  };
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseCli(EVAL_DIGITISE_CLI, argv);
  await useBackend('wasm');
  const sig = await loadSignalModelFromDir(values.signal);
  const policy = (values.policy ?? DIGITISER_POLICY) as SegmentPolicy;
  if (!SEGMENT_POLICIES.includes(policy)) throw new Error(`--policy must be one of ${SEGMENT_POLICIES.join(', ')}`);
  // how every picture is read (--segmenter, --policy)
  const reader = await nodeDigitiser(values.segmenter, policy);
  const classify = (readout: Readout): number => predictSignalProbabilities(sig.model, [inputFromReadout(readout)])[0]!;
  const dataDir = resolvePtbxlDir();
  const rows: Row[] = [];
  const t0 = Date.now();
  let what: string;
  let outName: string;
  let realEkg: RealEkgReadings | null = null;
  if (values.external) {
    const kitDir = path.join(values.dir, 'kit-fold9');
    if (!existsSync(kitDir)) {
      console.log(
        JSON.stringify({
          skipped: true,
          reason: `no ECG-Image-Kit set at ${kitDir} (it is not part of the repository)`,
        }),
      );
      return;
    }
    const lines = readFileSync(path.join(kitDir, 'labels.csv'), 'utf8').trim().split(/\r?\n/).slice(1);
    const items = lines
      .map((l) => l.split(','))
      .map(([file, id, , label]) => ({ file: file!, ecgId: Number(id), label: (label === 'mi' ? 1 : 0) as 0 | 1 }));
    await ensureRecords(
      dataDir,
      items.map((i) => i.ecgId),
      true,
    );
    for (const it of items) {
      const truth = await readRecord(dataDir, it.ecgId);
      try {
        const r = await digitiseFile(reader, path.join(kitDir, it.file));
        rows.push({
          id: it.file,
          label: it.label,
          snr: leadSnrs(truth, r.readout, standardWindows()),
          aligned: leadSnrs(truth, r.readout, standardWindows(), alignedSnrDb),
          p: classify(r.readout),
          layout: r.stages.layout,
          reader: r.reader,
          agreement: readoutAgreement(r.readout),
        });
      } catch (e) {
        rows.push({
          id: it.file,
          label: it.label,
          snr: Object.fromEntries(LEAD_NAMES.map((l) => [l, 0])),
          p: null,
          error: errorMessage(e),
        });
      }
    }
    what =
      'ECG-Image-Kit renders of PTB-XL fold 9 (../shared/external/kit-fold9); truth: the raw records in the 3x4 windows';
    outName = 'kit-fold9';
    realEkg = await readRealEkg(reader, path.join(values.dir, 'real-ekg'), classify, sig.meta.threshold);
  } else {
    const style = values.style as StyleName;
    if (!STYLE_NAMES.includes(style) || style === 'dataset4')
      throw new Error(`--style must be a single-image style, got ${values.style}`);
    const fold = Number(values.fold);
    if (fold !== 9 && fold !== 10) throw new Error('--fold must be 10 (test) or 9 (validation)');
    const all = (await loadLabelledRecords(dataDir)).filter((r) => r.stratFold === fold);
    const chosen = selectRecords(all, {
      folds: [fold],
      limit: values.limit ? Number(values.limit) : undefined,
      seed: Number(values.seed),
    });
    await ensureRecords(
      dataDir,
      chosen.map((r) => r.ecgId),
      true,
    );
    for (const rec of chosen) {
      const signals = await readRecord(dataDir, rec.ecgId);
      const { images, info } = renderWithInfo(signals, {
        style,
        seed: itemSeed(rec.ecgId, 0, style, Number(values.seed)),
        ecgId: rec.ecgId,
      });
      const truth = applyFilters(signals, info.filters as FilterName[]);
      // the seconds each lead was printed: the wild sheet's panels, else the standard 3x4 windows
      const windows: LeadWindow[] = info.wild
        ? info.wild.sheet.panels
            .filter((p) => !p.rhythm)
            .map((p) => ({ lead: p.lead, start: Math.round(p.t0 * 100), end: Math.round(p.t1 * 100) }))
        : standardWindows();
      try {
        const r = reader.read(images[0]!);
        rows.push({
          id: String(rec.ecgId),
          label: rec.mi ? 1 : 0,
          snr: leadSnrs(truth, r.readout, windows),
          aligned: leadSnrs(truth, r.readout, windows, alignedSnrDb),
          p: classify(r.readout),
          layout: r.stages.layout,
          reader: r.reader,
          agreement: readoutAgreement(r.readout),
        });
      } catch (e) {
        rows.push({
          id: String(rec.ecgId),
          label: rec.mi ? 1 : 0,
          snr: Object.fromEntries(windows.map((w) => [w.lead, 0])),
          p: null,
          error: errorMessage(e),
        });
      }
      if (rows.length % 50 === 0)
        process.stderr.write(
          `[eval:digitise] ${rows.length}/${chosen.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
        );
    }
    what = `our ${style} renders of PTB-XL fold ${fold}${values.limit ? ` (a seeded ${values.limit})` : ''}; truth: the records as printed (the style's filters), in the panels drawn`;
    outName = `${style}${values.limit ? `-n${values.limit}` : ''}${fold === 9 ? '-fold9' : ''}`;
  }
  sig.model.dispose();
  reader.dispose();
  const commit = gitCommit() ?? 'unknown';
  const summary = summarise(rows, sig.meta.threshold, Number(values.bootstrap));
  const doc = {
    what,
    signal_model: sig.meta.name,
    segmenter: reader.segmenter,
    policy: reader.policy,
    ...summary,
    ...(realEkg ? { real_ekg: realEkg } : {}),
    seconds: (Date.now() - t0) / 1000,
    git_commit: commit,
    created: new Date().toISOString(),
    records: rows.map((r) => ({
      ...r,
      snr: tenths(r.snr),
      ...(r.aligned ? { aligned: tenths(r.aligned) } : {}),
    })),
  };
  const out = values.out ?? path.join('data', 'eval', 'digitise', `${outName}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  console.log(
    JSON.stringify({
      set: outName,
      n: summary.n,
      failed: summary.failed,
      snr_median_db: summary.snr_median_db,
      mi_auroc: summary.mi.auroc,
      mi_auroc_ci: summary.mi.auroc_ci,
    }),
  );
  process.stderr.write(`[eval:digitise] wrote ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`[eval:digitise] error: ${e.message}`);
    process.exit(1);
  });
}
