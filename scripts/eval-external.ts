/**
 * `npm run eval:external -- [--model public/models/NAME] [--gate public/models/ekg-gate] [--dir ../shared/external]
 *                           [--bootstrap 1000] [--out FILE]`
 *
 * Scores a model and the EKG check on EKG images that nobody on this project drew (the development set
 * described in ../shared/external/README.md; it is never trained on and never committed):
 * - `kit-fold9/`: PTB-XL fold-9 records drawn by ECG-Image-Kit, labelled MI / not (labels.csv): MI AUROC with a
 *   bootstrap CI, sensitivity and specificity at the model's own threshold (chosen on our fold-9 renders, not
 *   here), per variant (plain, wrinkles, augment) and overall; plus how many the EKG check refuses.
 * - `real-ekg/`: photos and scans of real 12-lead EKGs with no diagnosis: how many the EKG check accepts, as
 *   they are, turned a quarter turn (`real-ekg-sideways`: a sheet photographed with the phone held upright) and
 *   a half turn (`real-ekg-upside-down`), and how many of the turned ones the sheet-upright model turns back.
 *   There is no MI label, so no MI figure is computed; the model's scores are summarised (median, share over
 *   the threshold) only to show what a reader would see.
 * Writes data/eval/external/MODEL.json and prints one JSON line. When the folder is absent (a fresh clone has
 * no ../shared) it says so and exits 0 without writing anything.
 * Images go through exactly the demo's path (analyseImage): decode-node.ts -> the sheet-upright model's turn
 * (--upright, default the demo's) -> preprocess (model's spec) + the EKG check.
 */
import { gitCommit } from './lib/git';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyseImage } from '../src/lib/model/browser';
import { turnClockwise } from '../src/lib/render/image';
import { atThreshold, auroc, bootstrapAurocCI } from '../src/lib/model/metrics';
import { loadModelFromDir, useBackend } from '../src/lib/model/node-io';
import { predictProbabilities } from '../src/lib/model/run';
import { loadUpright, MODEL_OPTIONS, resolveGateDir, resolveModelDir, resolveUprightDir } from './classify';
import { defineCli, parseCli, type OptionSpec } from './lib/cli';
import { decodeImageBytesNode, pictureFiles } from './lib/decode-node';
import { median } from '../src/lib/stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where the development set lives beside a checkout: EXTERNAL_DIR, else ../shared/external. */
export const DEFAULT_EXTERNAL_DIR = process.env.EXTERNAL_DIR ?? path.resolve(ROOT, '..', 'shared', 'external');

export interface ImageScore {
  file: string;
  /** MI score of the model. */
  p: number;
  /** EKG check score, and whether it accepted. */
  gate: number;
  accepted: boolean;
  /** Clockwise quarter turns the sheet-upright model gave the picture before the check and the model read it. */
  turns: number;
  label?: 0 | 1;
  variant?: string;
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** MI figures of a labelled group (every image, whatever the EKG check said) and the check's refusals. */
export function summariseLabelled(rows: ImageScore[], threshold: number, bootstrap: number, seed = 0) {
  const labels = rows.map((r) => r.label!);
  const probs = rows.map((r) => r.p);
  const m = atThreshold(labels, probs, threshold);
  const nMi = labels.filter((l) => l === 1).length;
  const acc = rows.filter((r) => r.accepted);
  return {
    n: rows.length,
    n_mi: nMi,
    auroc: nMi > 0 && nMi < rows.length ? auroc(labels, probs) : null,
    auroc_ci: nMi > 0 && nMi < rows.length ? bootstrapAurocCI(labels, probs, { resamples: bootstrap, seed }) : null,
    sensitivity: m.sensitivity,
    specificity: m.specificity,
    accuracy: m.accuracy,
    confusion: { tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn },
    refused: rows.length - acc.length,
    refused_rate: (rows.length - acc.length) / rows.length,
  };
}

function parseLabels(
  csv: string,
  where: string,
): Array<{ file: string; ecgId: number; label: 0 | 1; variant: string }> {
  const lines = csv.trim().split(/\r?\n/);
  const head = lines[0]!.split(',');
  const col = (k: string) => {
    const i = head.indexOf(k);
    if (i < 0) throw new Error(`${where}: no column ${k}`);
    return i;
  };
  const [f, e, l, v] = [col('file'), col('ecg_id'), col('label'), col('variant')];
  return lines.slice(1).map((line) => {
    const c = line.split(',');
    const lab = c[l]!.trim().toLowerCase();
    if (lab !== 'mi' && lab !== 'normal') throw new Error(`${where}: label ${lab} is neither mi nor normal`);
    return { file: c[f]!, ecgId: Number(c[e]), label: lab === 'mi' ? 1 : 0, variant: c[v]! };
  });
}

/** The real EKG pictures turned before reading: set name, clockwise quarter turns, what the set is. */
export const TURNED_SETS: ReadonlyArray<readonly [string, number, string]> = [
  [
    'real-ekg-sideways',
    1,
    'the real EKG pictures turned a quarter turn clockwise (a landscape sheet photographed with the phone held upright)',
  ],
  [
    'real-ekg-upside-down',
    2,
    'the real EKG pictures turned a half turn (a sheet photographed from the other side of the desk)',
  ],
];

/** --dir and --bootstrap of the CLIs that score the development set. */
export const EXTERNAL_OPTIONS = {
  dir: { type: 'string', value: 'DIR', default: DEFAULT_EXTERNAL_DIR, help: 'the development set (env EXTERNAL_DIR)' },
  bootstrap: { type: 'string', value: 'N', default: '1000', help: 'bootstrap resamples of the AUROC CI' },
} as const satisfies Record<string, OptionSpec>;

export const EVAL_EXTERNAL_CLI = defineCli({
  command: 'npm run eval:external --',
  summary: 'Scores images we did not draw (kit-fold9, real-ekg) with the classifier and its EKG check.',
  options: {
    ...MODEL_OPTIONS,
    ...EXTERNAL_OPTIONS,
    out: { type: 'string', value: 'FILE', help: 'output (default: data/eval/external/MODEL.json)' },
  },
});

async function main(argv: string[]): Promise<void> {
  const { values } = parseCli(EVAL_EXTERNAL_CLI, argv);
  const dir = values.dir;
  const kitDir = path.join(dir, 'kit-fold9');
  const realDir = path.join(dir, 'real-ekg');
  if (!existsSync(kitDir) && !existsSync(realDir)) {
    console.log(
      JSON.stringify({
        skipped: true,
        reason: `no external development set at ${dir} (it is not part of the repository)`,
      }),
    );
    return;
  }
  await useBackend('wasm');
  const modelDir = resolveModelDir(values.model);
  const gateDir = resolveGateDir(values.gate);
  const { model, meta } = await loadModelFromDir(modelDir);
  const gate = await loadModelFromDir(gateDir, 'ekg-gate');
  const gateScore = (plane: Uint8Array) => predictProbabilities(gate.model, gate.meta, [plane])[0]!;
  const uprightDir = resolveUprightDir(values.upright);
  const upright = await loadUpright(uprightDir);
  const bootstrap = Number(values.bootstrap);
  /** A file's picture turned `quarters` quarter turns clockwise, then read as the demo reads it. */
  const score = async (file: string, quarters = 0): Promise<ImageScore> => {
    const { image } = await decodeImageBytesNode(new Uint8Array(readFileSync(file)));
    const read = await analyseImage(
      turnClockwise(image, quarters),
      meta,
      { meta: gate.meta, score: gateScore },
      upright,
    );
    return {
      file: path.basename(file),
      p: predictProbabilities(model, meta, [read.plane])[0]!,
      gate: read.ekg.score,
      accepted: read.ekg.isEkg,
      turns: read.upright?.turns ?? 0,
    };
  };
  const t0 = Date.now();
  const sets: Record<string, unknown> = {};
  const images: Record<string, ImageScore[]> = {};
  if (existsSync(kitDir)) {
    const rows: ImageScore[] = [];
    for (const it of parseLabels(
      readFileSync(path.join(kitDir, 'labels.csv'), 'utf8'),
      path.join(kitDir, 'labels.csv'),
    )) {
      rows.push({ ...(await score(path.join(kitDir, it.file))), label: it.label, variant: it.variant });
    }
    const variants = [...new Set(rows.map((r) => r.variant!))].sort();
    sets['kit-fold9'] = {
      what: 'PTB-XL fold-9 records drawn by ECG-Image-Kit (3x4 + rhythm strip, letter page; plain, wrinkled, augmented)',
      ...summariseLabelled(rows, meta.threshold, bootstrap),
      // every page is upright: a turn is a wrong one
      turned: upright ? rows.filter((r) => r.turns !== 0).length : null,
      by_variant: Object.fromEntries(
        variants.map((v) => [
          v,
          summariseLabelled(
            rows.filter((r) => r.variant === v),
            meta.threshold,
            bootstrap,
          ),
        ]),
      ),
    };
    images['kit-fold9'] = rows;
    process.stderr.write(
      `[eval:external] kit-fold9: ${rows.length} images (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`,
    );
  }
  if (existsSync(realDir)) {
    const files = pictureFiles(realDir);
    const rows: ImageScore[] = [];
    for (const f of files) rows.push(await score(path.join(realDir, f)));
    const acc = rows.filter((r) => r.accepted);
    sets['real-ekg'] = {
      what: 'photos and scans of real 12-lead EKG printouts (public domain, no diagnosis labels)',
      n: rows.length,
      accepted: acc.length,
      accepted_rate: acc.length / rows.length,
      median_gate_score: median(rows.map((r) => r.gate)),
      // no labels: descriptive only, not a performance figure
      median_mi_score: median(rows.map((r) => r.p)),
      over_threshold_rate: rows.filter((r) => r.p >= meta.threshold).length / rows.length,
      // the pictures are upright as published: a turn is a wrong one
      turned: upright ? rows.filter((r) => r.turns !== 0).length : null,
    };
    images['real-ekg'] = rows;
    // The same pictures turned a quarter turn clockwise (a landscape printout photographed with the phone held
    // upright) and a half turn (photographed from the other side of the desk): how many the sheet-upright model
    // turns back upright, how many the check then accepts, and of those, how many the model gives the call it
    // gave the picture as published
    const over = (p: number) => p >= meta.threshold;
    for (const [set, quarters, what] of TURNED_SETS) {
      const turned: ImageScore[] = [];
      for (const f of files) turned.push(await score(path.join(realDir, f), quarters));
      const accepted = turned.filter((r) => r.accepted);
      sets[set] = {
        what,
        n: turned.length,
        turned_upright: upright ? turned.filter((r) => (quarters + r.turns) % 4 === 0).length : null,
        accepted: accepted.length,
        accepted_rate: accepted.length / turned.length,
        same_call_as_upright: turned.filter((r, i) => r.accepted && over(r.p) === over(rows[i]!.p)).length,
      };
      images[set] = turned;
    }
  }
  model.dispose();
  gate.model.dispose();
  upright?.dispose();
  const commit = gitCommit() ?? 'unknown';
  const doc = {
    model: meta.name,
    model_dir: modelDir,
    gate: gate.meta.name,
    gate_dir: gateDir,
    threshold: meta.threshold,
    threshold_rule: meta.threshold_rule,
    gate_threshold: gate.meta.threshold,
    upright: upright?.name ?? null,
    upright_dir: uprightDir,
    upright_threshold: upright?.meta.threshold ?? null,
    source:
      'ECG-Image-Kit renders of PTB-XL fold 9 and public-domain real EKG photos (../shared/external, not in the repository)',
    sets,
    images: Object.fromEntries(
      Object.entries(images).map(([k, rows]) => [k, rows.map((r) => ({ ...r, p: r4(r.p), gate: r4(r.gate) }))]),
    ),
    bootstrap: `percentile bootstrap, ${bootstrap} resamples, seed 0`,
    seconds: (Date.now() - t0) / 1000,
    git_commit: commit,
    created: new Date().toISOString(),
  };
  const out = values.out ?? path.join('data', 'eval', 'external', `${meta.name}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  const kit = sets['kit-fold9'] as ReturnType<typeof summariseLabelled> | undefined;
  const real = sets['real-ekg'] as { accepted_rate: number } | undefined;
  const sideways = sets['real-ekg-sideways'] as { accepted_rate: number } | undefined;
  console.log(
    JSON.stringify({
      model: meta.name,
      gate: gate.meta.name,
      kit_auroc: kit?.auroc ?? null,
      kit_auroc_ci: kit?.auroc_ci ?? null,
      kit_sensitivity: kit?.sensitivity ?? null,
      kit_specificity: kit?.specificity ?? null,
      kit_refused_rate: kit?.refused_rate ?? null,
      real_accepted_rate: real?.accepted_rate ?? null,
      real_sideways_accepted_rate: sideways?.accepted_rate ?? null,
    }),
  );
  process.stderr.write(`[eval:external] wrote ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`[eval:external] error: ${e.message}`);
    process.exit(1);
  });
}
