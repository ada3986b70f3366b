/**
 * npm run classify -- [--model public/models/NAME] [--gate public/models/ekg-gate] [--upright DIR|none] [--turn N] FILE...
 *
 * Classifies image files in Node with the same code path as the browser demo: magic-byte inspection and
 * messages (src/lib/model/decode.ts), decoding of every format the demo reads (scripts/lib/decode-node.ts),
 * transparent pixels over white, the sheet turned upright (the sheet-upright model, upright.ts), preprocess.ts, the
 * EKG check (its own network, ekg-gate.ts) and the model (run.ts). Prints one JSON line per file:
 *   {file, probability, decision, threshold, is_ekg, ekg_check: {score, threshold, reason, message}, model, gate,
 *    upright: {turns, scores, threshold} | null, ms, notes}
 * `decision` is "MI" / "Normal" at the metadata threshold, or "not-ekg" when the EKG check refuses the image
 * (the probability is still reported for research). Unreadable files give {file, error: {code, message}}; the
 * exit code is then 1.
 */
import { errorMessage } from '../src/lib/errors';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImageInputError } from '../src/lib/model/decode';
import { analyseImage, decide, singleImageProblem } from '../src/lib/model/browser';
import { turnQuarter } from '../src/lib/render/image';
import type { UprightScorer } from '../src/lib/model/upright';
import { decodeImageBytesNode } from './lib/decode-node';
import { defineCli, parseCli, usage, type OptionSpec } from './lib/cli';

export { decodeImageBytesNode };

/** The model directory: --model, else public/models/default.json, else the first model under public/models. */
export function resolveModelDir(arg?: string): string {
  if (arg) return arg;
  const root = 'public/models';
  const pointer = path.join(root, 'default.json');
  if (existsSync(pointer)) {
    const j = JSON.parse(readFileSync(pointer, 'utf8')) as Record<string, unknown>;
    const name = [j.model, j.name, j.default, j.path, j.dir].find((v): v is string => typeof v === 'string');
    if (name) {
      const dir = name.includes('/') ? name.replace(/^\/+/, '') : path.join(root, name);
      if (existsSync(path.join(dir, 'metadata.json'))) return dir;
      const inRoot = path.join(root, path.basename(name));
      if (existsSync(path.join(inRoot, 'metadata.json'))) return inRoot;
    }
  }
  if (existsSync(root)) {
    // Single-image models only: a 12-plane (dataset4 lead images) model cannot read one picture.
    const planes = (d: string) => {
      try {
        return (
          (JSON.parse(readFileSync(path.join(root, d, 'metadata.json'), 'utf8')) as { planes?: unknown }).planes ?? 1
        );
      } catch {
        return 1;
      }
    };
    const dirs = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'metadata.json')))
      .map((d) => d.name)
      .filter((d) => planes(d) === 1)
      .sort();
    if (dirs[0]) return path.join(root, dirs[0]);
  }
  // Before any model is exported: the tiny test fixture (near-random output; for plumbing only).
  for (const d of ['tests/fixtures/model/tiny']) if (existsSync(path.join(d, 'model.json'))) return d;
  throw new Error('no model found: pass --model public/models/NAME (a folder with model.json and metadata.json)');
}

/** The EKG check's directory: --gate, else the "gate" of public/models/default.json, else public/models/ekg-gate. */
export function resolveGateDir(arg?: string): string {
  if (arg) return arg;
  const pointer = path.join('public/models', 'default.json');
  const named = existsSync(pointer)
    ? (JSON.parse(readFileSync(pointer, 'utf8')) as { gate?: unknown }).gate
    : undefined;
  const dir = path.join('public/models', typeof named === 'string' ? named : 'ekg-gate');
  if (!existsSync(path.join(dir, 'metadata.json')))
    throw new Error(`no EKG check model in ${dir}: pass --gate public/models/NAME`);
  return dir;
}

/**
 * The sheet-upright model's directory: --upright DIR, none with --upright none, else the "upright" of
 * public/models/default.json (none when it names none: the pictures are then read as they are given).
 */
export function resolveUprightDir(arg?: string): string | null {
  if (arg === 'none') return null;
  if (arg) return arg;
  const pointer = path.join('public/models', 'default.json');
  const named = existsSync(pointer)
    ? (JSON.parse(readFileSync(pointer, 'utf8')) as { upright?: unknown }).upright
    : undefined;
  if (typeof named !== 'string') return null;
  const dir = path.join('public/models', named);
  if (!existsSync(path.join(dir, 'metadata.json')))
    throw new Error(`public/models/default.json names the sheet-upright model ${named}, but ${dir} holds none`);
  return dir;
}

/** --model, --gate and --upright, as every CLI that runs the demo's classifier and EKG check takes them. */
export const MODEL_OPTIONS = {
  model: { type: 'string', value: 'DIR', help: "the classifier (default: the demo's, public/models/default.json)" },
  gate: {
    type: 'string',
    value: 'DIR',
    help: 'the EKG check (default: public/models/default.json "gate", else ekg-gate)',
  },
  upright: {
    type: 'string',
    value: 'DIR|none',
    help: 'the sheet-upright model that turns a sideways or upside-down sheet first (default: public/models/default.json "upright"; none: read pictures as given)',
  },
} as const satisfies Record<string, OptionSpec>;

/** The sheet-upright model loaded as analyseImage takes it (null for none); dispose() frees it. */
export async function loadUpright(
  dir: string | null,
): Promise<(UprightScorer & { name: string; dispose(): void }) | null> {
  if (dir === null) return null;
  const { loadModelFromDir } = await import('../src/lib/model/node-io');
  const { predictProbabilities } = await import('../src/lib/model/run');
  const { model, meta } = await loadModelFromDir(dir, 'sheet-upright');
  return {
    name: meta.name,
    meta,
    score: (planes) => predictProbabilities(model, meta, planes),
    dispose: () => model.dispose(),
  };
}

export const CLASSIFY_CLI = defineCli({
  command: 'npm run classify --',
  summary: 'Classifies image files as the demo does (decode, preprocess, EKG check, model); one JSON line per file.',
  options: {
    ...MODEL_OPTIONS,
    turn: {
      type: 'string',
      value: 'N',
      default: '0',
      help: "quarter turns clockwise (0-3) before reading, as the demo's Turn button (the sheet-upright model is then not asked)",
    },
  },
  positionals: 'FILE...',
});

/** `--turn N`: 0-3 quarter turns clockwise; anything else is a usage error. */
export function parseTurns(arg: string): number {
  if (!/^[0-3]$/.test(arg)) throw new Error(`--turn takes 0, 1, 2 or 3 (quarter turns clockwise), not "${arg}"`);
  return Number(arg);
}

async function main() {
  const { values, positionals: files } = parseCli(CLASSIFY_CLI, process.argv.slice(2));
  if (files.length === 0) {
    console.error(usage(CLASSIFY_CLI));
    process.exit(2);
  }
  const [modelArg, gateArg] = [values.model, values.gate];
  const turns = parseTurns(values.turn);
  const modelDir = resolveModelDir(modelArg);
  const gateDir = resolveGateDir(gateArg);
  const { loadModelFromDir } = await import('../src/lib/model/node-io');
  const { predictProbabilities } = await import('../src/lib/model/run');
  const { model, meta } = await loadModelFromDir(modelDir);
  const gate = await loadModelFromDir(gateDir, 'ekg-gate');
  const gateScore = (plane: Uint8Array) => predictProbabilities(gate.model, gate.meta, [plane])[0]!;
  const upright = await loadUpright(resolveUprightDir(values.upright));
  const problem = singleImageProblem(meta);
  if (problem) {
    model.dispose();
    throw new Error(
      `${problem} Evaluate it on rendered records instead: npm run eval -- --model ${modelDir} --fold 10 --style dataset4`,
    );
  }
  let failed = 0;
  try {
    for (const file of files) {
      const t0 = performance.now();
      try {
        const bytes = new Uint8Array(readFileSync(file));
        const decoded = await decodeImageBytesNode(bytes);
        let image = decoded.image;
        for (let k = 0; k < turns; k++) image = turnQuarter(image, 90);
        const notes = turns ? [...decoded.notes, `turned ${turns} quarter turn(s) clockwise (--turn)`] : decoded.notes;
        // a picture the reader turned (--turn) is read as turned, as the demo's Turn button does
        const read = await analyseImage(image, meta, { meta: gate.meta, score: gateScore }, turns ? null : upright);
        const { plane, ekg } = read;
        const [p] = predictProbabilities(model, meta, [plane]);
        const probability = p!;
        console.log(
          JSON.stringify({
            file,
            probability,
            decision: ekg.isEkg ? decide(probability, meta) : 'not-ekg',
            threshold: meta.threshold,
            is_ekg: ekg.isEkg,
            ekg_check: ekg,
            model: meta.name,
            model_dir: modelDir,
            gate: gate.meta.name,
            width: image.width,
            height: image.height,
            upright: read.upright,
            notes: read.upright?.turns
              ? [...notes, `turned ${read.upright.turns} quarter turn(s) clockwise by the sheet-upright model`]
              : notes,
            ms: Math.round((performance.now() - t0) * 10) / 10,
          }),
        );
      } catch (e) {
        failed++;
        const code = e instanceof ImageInputError ? e.code : 'error';
        const message = errorMessage(e);
        console.log(JSON.stringify({ file, error: { code, message }, model: meta.name }));
      }
    }
  } finally {
    model.dispose();
    gate.model.dispose();
    upright?.dispose();
  }
  if (failed) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  });
}
