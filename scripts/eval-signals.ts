/**
 * `npm run eval:signals -- --model public/models/signal-3x4r [--fold 10] [--limit N] [--seed S]
 *                         [--backend wasm|cpu] [--batch 64] [--bootstrap 1000] [--out FILE] [--allow-any-fold]`
 *
 * Test-fold figures of a signal model (metadata kind "signal"), on the TRUE PTB-XL signals as a printed 3x4 +
 * rhythm sheet shows them: every labelled record of the fold is read with src/lib/ptbxl, conditioned with the
 * printout's default filters and cut into the 12 column windows + the lead II rhythm strip by
 * src/lib/signal/windows.ts `inputFromRecord` (the code the browser uses), run through the exported TF.js model,
 * and scored with src/lib/model/metrics.ts at the model's own threshold (chosen on fold 9; nothing is tuned
 * here). Writes data/eval/NAME-signals-3x4r.json in the shape `npm run eval` writes (auroc, bootstrap CI,
 * sensitivity/specificity, ROC/PR curves, calibration, subgroups by sex and age band) and one JSON line on stdout.
 * Folds: 10 (test) or 9 (validation, file NAME-signals-3x4r-fold9.json); any other needs --allow-any-fold.
 */
import { pathToFileURL } from 'node:url';
import { useBackend } from '../src/lib/model/node-io';
import { readRecord } from '../src/lib/ptbxl/node';
import { predictSignalProbabilities } from '../src/lib/signal/model';
import { loadSignalModelFromDir } from '../src/lib/signal/node-io';
import { inputFromRecord } from '../src/lib/signal/windows';
import { defineCli, parseCli } from './lib/cli';
import { evalDoc, evalOptions, foldRecords, parseEvalCommon, writeEval, type EvalCommonArgs } from './lib/eval-common';
import type { ScoredRecord } from './lib/subgroups';

/** The "style" name of this evaluation in data/eval (NAME.STYLE.json). */
export const SIGNAL_EVAL_STYLE = 'signals-3x4r';

export class SignalEvalError extends Error {
  override name = 'SignalEvalError';
}

export type SignalEvalArgs = EvalCommonArgs;

export const EVAL_SIGNALS_CLI = defineCli({
  command: 'npm run eval:signals --',
  summary: 'Test-fold figures of a signal model on the true PTB-XL signals in 3x4 + rhythm windows.',
  options: evalOptions(64),
  error: (m) => new SignalEvalError(m),
});

export function parseSignalEvalArgs(argv: string[]): SignalEvalArgs {
  const { values } = parseCli(EVAL_SIGNALS_CLI, argv);
  const usage = 'usage: npm run eval:signals -- --model public/models/signal-3x4r [--fold 10]';
  return parseEvalCommon(values, (m) => new SignalEvalError(m), usage);
}

export async function runSignalEval(args: SignalEvalArgs) {
  await useBackend(args.backend);
  const { model, meta } = await loadSignalModelFromDir(args.model);
  try {
    const { dir, records } = await foldRecords(args, (m) => new SignalEvalError(m));
    const scored: ScoredRecord[] = [];
    const t0 = Date.now();
    let prepMs = 0;
    for (let a = 0; a < records.length; a += args.batch) {
      const chunk = records.slice(a, a + args.batch);
      const r0 = Date.now();
      const xs: Float32Array[] = [];
      for (const r of chunk) xs.push(inputFromRecord(await readRecord(dir, r.ecgId)));
      prepMs += Date.now() - r0;
      const probs = predictSignalProbabilities(model, xs, args.batch);
      chunk.forEach((r, i) =>
        scored.push({ ecgId: r.ecgId, label: r.mi ? 1 : 0, score: probs[i]!, sex: r.sex, age: r.age }),
      );
      if ((a / args.batch) % 10 === 0) {
        const s = ((Date.now() - t0) / 1000).toFixed(0);
        process.stderr.write(`[eval:signals] ${Math.min(a + args.batch, records.length)}/${records.length} (${s} s)\n`);
      }
    }
    const run = { scored, seconds: (Date.now() - t0) / 1000, prepSeconds: prepMs / 1000 };
    const { filters, layout, format } = meta.input;
    const input = `true PTB-XL signals, ${filters.join(' + ')} filtered, ${layout} windows (${format})`;
    return writeEval(args, evalDoc(args, meta, SIGNAL_EVAL_STYLE, run, input));
  } finally {
    model.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  (async () => {
    const { line, out } = await runSignalEval(parseSignalEvalArgs(process.argv.slice(2)));
    console.log(JSON.stringify(line));
    process.stderr.write(`[eval:signals] wrote ${out}\n`);
  })().catch((e: Error) => {
    console.error(`[eval:signals] error: ${e.message}`);
    process.exit(1);
  });
}
