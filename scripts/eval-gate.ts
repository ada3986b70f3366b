/**
 * `npm run eval:gate -- [--gate public/models/ekg-gate] [--negatives build/gate/negatives] [--per-style 150]
 *                       [--out data/eval/gate/NAME.json]`
 *
 * Measures the EKG check on what it was not trained or thresholded on:
 * - false accepts on the test part (25%, by file) of every negative source of training/gate_negatives.py, each
 *   picture as it is and photographed by the wild camera (scripts/export-gate.ts negativeForm 0 and 2), grouped
 *   as the issue asks: photographs and documents, and hard negatives;
 * - false refusals on fold-10 renders of PTB-XL in every 12-lead style (--per-style records each), and on
 *   single-lead images (dataset4), which it should refuse.
 * Every picture goes the demo's way (analyseImage): turned upright by the sheet-upright model first when the demo
 * has one (--upright), then the check; how many of each group the model turned is counted. Rates come with 95%
 * Wilson intervals. The external folders are scored by `npm run eval:external`.
 */
import { gitCommit } from './lib/git';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseImage } from '../src/lib/model/browser';
import { loadModelFromDir, useBackend } from '../src/lib/model/node-io';
import { predictProbabilities } from '../src/lib/model/run';
import { loadLabelledRecords, readRecord, resolvePtbxlDir } from '../src/lib/ptbxl/node';
import { render, type StyleName } from '../src/lib/render/index';
import type { RasterImage } from '../src/lib/render/types';
import { loadUpright, resolveGateDir, resolveUprightDir } from './classify';
import { negativeForm, POSITIVES, readNegatives } from './export-gate';
import { decodeImageBytesNode } from './lib/decode-node';
import { ensureRecords } from './lib/ptbxl-setup';
import { itemSeed, selectRecords } from './lib/render-export';
import { defineCli, parseCli } from './lib/cli';

/** The two groups of negatives. */
export const PHOTOS_AND_DOCUMENTS = ['wallpapers', 'skimage', 'text-page'];
export const HARD_NEGATIVES = ['line-chart', 'stock-chart', 'graph-paper', 'monitor', 'single-strip', 'single-lead'];

/** 95% Wilson score interval of k successes in n. */
export function wilson(k: number, n: number, z = 1.959964): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = p + (z * z) / (2 * n);
  const h = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, (c - h) / d), Math.min(1, (c + h) / d)];
}

const rate = (k: number, n: number) => ({ n, k, rate: n ? k / n : 0, ci95: wilson(k, n) });

export const EVAL_GATE_CLI = defineCli({
  command: 'npm run eval:gate --',
  summary: 'False accepts and false refusals of the EKG check on data it was not trained or thresholded on.',
  options: {
    gate: {
      type: 'string',
      value: 'DIR',
      help: 'the gate model (default: public/models/default.json "gate", else ekg-gate)',
    },
    negatives: {
      type: 'string',
      value: 'DIR',
      default: 'build/gate/negatives',
      help: 'training/gate_negatives.py output',
    },
    upright: {
      type: 'string',
      value: 'DIR|none',
      help: 'the sheet-upright model in front of the check (default: public/models/default.json "upright")',
    },
    'per-style': { type: 'string', value: 'N', default: '150', help: 'fold-10 records per 12-lead style' },
    out: { type: 'string', value: 'FILE', help: 'output (default: data/eval/gate/NAME.json)' },
  },
});

async function main(argv: string[]): Promise<void> {
  const { values } = parseCli(EVAL_GATE_CLI, argv);
  await useBackend('wasm');
  const gateDir = resolveGateDir(values.gate);
  const gate = await loadModelFromDir(gateDir, 'ekg-gate');
  const uprightDir = resolveUprightDir(values.upright);
  const upright = await loadUpright(uprightDir);
  // the check as the demo runs it (the classifier's plane is not needed here: the gate's own input stands in)
  const gateScorer = {
    meta: gate.meta,
    score: (plane: Uint8Array) => predictProbabilities(gate.model, gate.meta, [plane])[0]!,
  };
  const turnedBy: Record<string, number> = {};
  const accepts = async (img: RasterImage, group: string): Promise<boolean> => {
    const read = await analyseImage(img, { input: gate.meta.input }, gateScorer, upright);
    if (read.upright?.turns) turnedBy[group] = (turnedBy[group] ?? 0) + 1;
    return read.ekg.isEkg;
  };
  const t0 = Date.now();
  // negatives: test split, as-is and photographed
  const negatives = readNegatives(values.negatives).filter((n) => n.split === 'test');
  const bySource: Record<string, { n: number; k: number }> = {};
  for (const [k, n] of negatives.entries()) {
    const img = (await decodeImageBytesNode(new Uint8Array(readFileSync(path.join(values.negatives, n.file))))).image;
    for (const form of [0, 2]) {
      const a = await accepts(negativeForm(img, form, 0x7e57 + k * 7 + form), n.source);
      const s = (bySource[n.source] ??= { n: 0, k: 0 });
      s.n++;
      if (a) s.k++;
    }
  }
  // fold-10 renders
  const dataDir = resolvePtbxlDir();
  const records = (await loadLabelledRecords(dataDir)).filter((r) => r.stratFold === 10);
  const perStyle = Number(values['per-style']);
  const styles = [...POSITIVES.map(([s]) => s), 'dataset4' as StyleName];
  const positives: Record<string, { n: number; k: number }> = {};
  for (const style of styles) {
    const chosen = selectRecords(records, { folds: [10], limit: perStyle, seed: 10 });
    await ensureRecords(
      dataDir,
      chosen.map((r) => r.ecgId),
      true,
    );
    const c = { n: 0, k: 0 };
    for (const r of chosen) {
      const imgs = render(await readRecord(dataDir, r.ecgId), {
        style,
        seed: itemSeed(r.ecgId, 0, style, 10),
        ecgId: r.ecgId,
      });
      const seed = itemSeed(r.ecgId, 0, style, 10);
      c.n++;
      if (
        await accepts(style === 'dataset4' ? imgs[seed % 12]! : imgs[0]!, style === 'dataset4' ? 'single-lead' : style)
      )
        c.k++;
    }
    if (style === 'dataset4') bySource['single-lead'] = c;
    else positives[style] = c;
    process.stderr.write(`[eval:gate] ${style}: ${c.k}/${c.n} accepted (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  gate.model.dispose();
  upright?.dispose();
  const group = (names: string[]) => {
    let n = 0;
    let k = 0;
    for (const s of names) {
      n += bySource[s]?.n ?? 0;
      k += bySource[s]?.k ?? 0;
    }
    return rate(k, n);
  };
  let pn = 0;
  let pk = 0;
  for (const c of Object.values(positives)) {
    pn += c.n;
    pk += c.k;
  }
  const commit = gitCommit() ?? 'unknown';
  const doc = {
    gate: gate.meta.name,
    gate_dir: gateDir,
    threshold: gate.meta.threshold,
    threshold_rule: gate.meta.threshold_rule,
    upright: upright?.name ?? null,
    upright_dir: uprightDir,
    // pictures the sheet-upright model turned before the check read them, per source or style
    turned: turnedBy,
    false_accepts: {
      photos_and_documents: group(PHOTOS_AND_DOCUMENTS),
      hard_negatives: group(HARD_NEGATIVES),
      by_source: Object.fromEntries(Object.entries(bySource).map(([s, c]) => [s, rate(c.k, c.n)])),
      note: 'test split of training/gate_negatives.py (never trained or thresholded on), each picture as it is and photographed; single-lead = dataset4 lead images of fold-10 records',
    },
    false_refusals: {
      all: rate(pn - pk, pn),
      by_style: Object.fromEntries(Object.entries(positives).map(([s, c]) => [s, rate(c.n - c.k, c.n)])),
      note: `fold-10 PTB-XL records rendered by our renderer (${perStyle} per style)`,
    },
    seconds: (Date.now() - t0) / 1000,
    git_commit: commit,
    created: new Date().toISOString(),
  };
  const out = values.out ?? path.join('data', 'eval', 'gate', `${gate.meta.name}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
  console.log(
    JSON.stringify({
      gate: gate.meta.name,
      fa_photos_documents: doc.false_accepts.photos_and_documents.rate,
      fa_hard: doc.false_accepts.hard_negatives.rate,
      fr_fold10: doc.false_refusals.all.rate,
    }),
  );
  process.stderr.write(`[eval:gate] wrote ${out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: Error) => {
    console.error(`[eval:gate] error: ${e.message}`);
    process.exit(1);
  });
}
