/**
 * Build-time (Node) helper for the classifier island: which model the page serves, and the figures that explain
 * its threshold (test fold from data/eval/<model>-<style>.json when present, else the fold-9 validation figures
 * from metadata.json, labelled as such). Runs in the Astro frontmatter only; never shipped to the browser.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateMetadata, type ModelMetadata } from '../../lib/model/metadata';
import { evalFileName, parseEvalFileName, TEST_FOLD } from '../../lib/eval-files';

export interface ThresholdFigures {
  source: 'test' | 'validation';
  fold: number;
  n: number | null;
  sensitivity: number;
  specificity: number;
  /** Where the figures come from, e.g. data/eval/baseline.dataset2.json. */
  file: string;
}

export interface ModelInfo {
  /** Folder name under public/models (or the fixture folder). */
  dir: string;
  /** URL path of the model folder below the site base, e.g. "models/heartnet/". */
  urlPath: string;
  /** URL path of the EKG check's folder (default.json "gate", else models/ekg-gate/); null when none is exported. */
  gateUrlPath: string | null;
  /** URL path of the sheet-upright model's folder (default.json "upright"); null when none is named or exported. */
  uprightUrlPath: string | null;
  /** True when no exported model is in public/models and the test fixture model is served instead. */
  fixture: boolean;
  meta: ModelMetadata;
  figures: ThresholdFigures;
  style: string;
  /**
   * Test-fold AUROC on styles the model was NOT trained on (from data/eval/<model>-<style>.json), so the page can
   * warn that readings of such images mean little. Empty when no such evaluation exists.
   */
  unseenStyles: Array<{ style: string; auroc: number; file: string }>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Pulls sensitivity/specificity at the model's threshold out of an eval JSON, whatever its nesting. */
export function testFigures(json: unknown, file: string): ThresholdFigures | undefined {
  const candidates: Array<Record<string, unknown>> = [];
  const visit = (v: unknown, depth: number) => {
    if (!v || typeof v !== 'object' || depth > 3) return;
    const o = v as Record<string, unknown>;
    candidates.push(o);
    for (const k of ['test', 'metrics', 'at_threshold', 'threshold_metrics', 'fold10', 'summary'])
      visit(o[k], depth + 1);
  };
  visit(json, 0);
  for (const o of candidates) {
    const se = num(o.sensitivity) ?? num(o.recall);
    const sp = num(o.specificity);
    if (se !== undefined && sp !== undefined) {
      const fold = num(o.fold) ?? num((json as Record<string, unknown>).fold) ?? 10;
      if (fold !== 10) continue;
      return {
        source: 'test',
        fold,
        n: num(o.n) ?? num((json as Record<string, unknown>).n) ?? null,
        sensitivity: se,
        specificity: sp,
        file,
      };
    }
  }
  return undefined;
}

/** The EKG check named by default.json ("gate"), else ekg-gate, when its folder holds a gate model. */
export function findGateDir(root: string): string | null {
  let name = 'ekg-gate';
  try {
    const j = JSON.parse(readFileSync(path.join(root, 'default.json'), 'utf8')) as Record<string, unknown>;
    if (typeof j.gate === 'string') name = path.basename(j.gate.replace(/\/+$/, ''));
  } catch {
    /* no default.json: the conventional name */
  }
  const meta = path.join(root, name, 'metadata.json');
  if (!existsSync(meta) || !existsSync(path.join(root, name, 'model.json'))) return null;
  validateMetadata(JSON.parse(readFileSync(meta, 'utf8')), meta, 'ekg-gate');
  return name;
}

/** The sheet-upright model the demo turns pictures with: default.json "upright", when exported; else null. */
export function findUprightDir(root: string): string | null {
  let name: string | undefined;
  try {
    const j = JSON.parse(readFileSync(path.join(root, 'default.json'), 'utf8')) as Record<string, unknown>;
    if (typeof j.upright === 'string') name = path.basename(j.upright.replace(/\/+$/, ''));
  } catch {
    /* no default.json: no sheet-upright model */
  }
  if (name === undefined) return null;
  const meta = path.join(root, name, 'metadata.json');
  if (!existsSync(meta) || !existsSync(path.join(root, name, 'model.json'))) return null;
  validateMetadata(JSON.parse(readFileSync(meta, 'utf8')), meta, 'sheet-upright');
  return name;
}

function readDefaultName(root: string): string | undefined {
  const p = path.join(root, 'default.json');
  if (!existsSync(p)) return undefined;
  try {
    const j = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
    const v = [j.model, j.name, j.default, j.path, j.dir].find((x): x is string => typeof x === 'string');
    return v ? path.basename(v.replace(/\/+$/, '')) : undefined;
  } catch {
    return undefined;
  }
}

/** Served by src/pages/demo/fixture-model/[file].ts only while public/models holds no model. */
export const FIXTURE_MODEL_DIR = 'tests/fixtures/model/tiny';

/** Image planes per example that a model folder's metadata.json declares (1 when unreadable: validated later). */
function declaredPlanes(dir: string): number {
  try {
    const planes = (JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')) as { planes?: unknown }).planes;
    return typeof planes === 'number' ? planes : 1;
  } catch {
    return 1;
  }
}

/** The task a model folder's metadata.json declares ('mi' when absent or unreadable: validated later). */
function declaredTask(dir: string): string {
  try {
    const task = (JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')) as { task?: unknown }).task;
    return typeof task === 'string' ? task : 'mi';
  } catch {
    return 'mi';
  }
}

/**
 * Exported models the demo can serve. The demo reads one picture, so models of several images per record
 * (lead_sequence: 12 lead images, metadata planes = 12) are left out here; loadClassifier refuses them too.
 */
function publicModelDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter(
      (d) =>
        d.isDirectory() &&
        existsSync(path.join(root, d.name, 'metadata.json')) &&
        existsSync(path.join(root, d.name, 'model.json')),
    )
    .map((d) => d.name)
    .filter((d) => declaredPlanes(path.join(root, d)) === 1 && declaredTask(path.join(root, d)) === 'mi')
    .sort();
}

/** Files of the fixture model to serve, or [] when a real model exists in public/models. */
export function fixtureModelFiles(repoRoot = process.cwd()): string[] {
  if (publicModelDirs(path.join(repoRoot, 'public/models')).length > 0) return [];
  const dir = path.join(repoRoot, FIXTURE_MODEL_DIR);
  if (!existsSync(path.join(dir, 'model.json'))) return [];
  return readdirSync(dir).filter((f) => /^(model\.json|metadata\.json|.*\.bin)$/.test(f));
}

/**
 * The model the demo serves: public/models/default.json, else the first folder with metadata.json; when
 * public/models is empty, the tiny test fixture (flagged `fixture`, so the page says it is not a real model).
 */
export function findDemoModel(repoRoot = process.cwd()): ModelInfo | null {
  const root = path.join(repoRoot, 'public/models');
  const dirs = publicModelDirs(root);
  const wanted = readDefaultName(root);
  if (
    wanted &&
    !dirs.includes(wanted) &&
    existsSync(path.join(root, wanted, 'metadata.json')) &&
    declaredPlanes(path.join(root, wanted)) !== 1
  ) {
    console.warn(
      `[classifier] public/models/default.json names ${wanted}, a model of several images per record; ` +
        `the single-image demo serves ${dirs[0] ?? 'the test fixture model (when present)'} instead`,
    );
  }
  let dir = wanted && dirs.includes(wanted) ? wanted : dirs[0];
  let fixture = false;
  let metaPath = dir ? path.join(root, dir, 'metadata.json') : '';
  if (!dir) {
    if (fixtureModelFiles(repoRoot).length === 0) return null;
    dir = path.basename(FIXTURE_MODEL_DIR);
    fixture = true;
    metaPath = path.join(repoRoot, FIXTURE_MODEL_DIR, 'metadata.json');
  }
  const meta = validateMetadata(JSON.parse(readFileSync(metaPath, 'utf8')), path.relative(repoRoot, metaPath));
  // the demo's samples and figures: a printed sheet when the model was trained on one (what a reader would
  // photograph, and what the digitiser reads), else its first style
  const style = meta.styles.includes('printout') ? 'printout' : (meta.styles[0] ?? 'dataset2');
  let figures: ThresholdFigures | undefined;
  for (const name of [...new Set([meta.name, dir].map((model) => evalFileName({ model, style, fold: TEST_FOLD })))]) {
    const f = path.join(repoRoot, 'data/eval', name);
    if (!existsSync(f)) continue;
    try {
      figures = testFigures(JSON.parse(readFileSync(f, 'utf8')), `data/eval/${name}`);
    } catch {
      figures = undefined;
    }
    if (figures) break;
  }
  figures ??= {
    source: 'validation',
    fold: 9,
    n: meta.val_metrics.n,
    sensitivity: meta.val_metrics.sensitivity,
    specificity: meta.val_metrics.specificity,
    file: path.relative(repoRoot, metaPath),
  };
  const unseenStyles: ModelInfo['unseenStyles'] = [];
  const evalDir = path.join(repoRoot, 'data/eval');
  for (const name of existsSync(evalDir) ? readdirSync(evalDir).sort() : []) {
    const parsed = parseEvalFileName(name);
    if (!parsed || parsed.model !== meta.name || parsed.limit !== null || parsed.fold !== TEST_FOLD) continue;
    const other = parsed.style;
    if (meta.styles.includes(other)) continue;
    const j = JSON.parse(readFileSync(path.join(evalDir, name), 'utf8')) as Record<string, unknown>;
    const auroc = num(j.auroc);
    if (auroc !== undefined && num(j.fold) === 10)
      unseenStyles.push({ style: other, auroc, file: `data/eval/${name}` });
  }
  const gate = fixture ? null : findGateDir(root);
  const upright = fixture ? null : findUprightDir(root);
  return {
    dir,
    urlPath: fixture ? 'demo/fixture-model/' : `models/${dir}/`,
    gateUrlPath: gate ? `models/${gate}/` : null,
    uprightUrlPath: upright ? `models/${upright}/` : null,
    fixture,
    meta,
    figures,
    style,
    unseenStyles,
  };
}

/** The signal classifier the demo reads digitised leads with (a public/models folder whose metadata says kind "signal"). */
export interface SignalModelInfo {
  dir: string;
  /** URL path below the site base, e.g. "models/signal-3x4r/". */
  urlPath: string;
  name: string;
  threshold: number;
  thresholdRule: string;
  params: number | null;
  weightsBytes: number;
}

function signalMeta(dir: string): Record<string, unknown> | null {
  try {
    const j = JSON.parse(readFileSync(path.join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    return j.kind === 'signal' ? j : null;
  } catch {
    return null;
  }
}

/**
 * The signal model: default.json's "signal" when it names one, else signal-3x4r, else the first signal folder.
 * Its metadata is checked here only for what the page prints; the browser's loader checks it in full
 * (validateSignalMetadata) before any weights are fetched. Null when no signal model is exported.
 */
export function findSignalModel(repoRoot = process.cwd()): SignalModelInfo | null {
  const root = path.join(repoRoot, 'public/models');
  if (!existsSync(root)) return null;
  let wanted: string | undefined;
  try {
    const j = JSON.parse(readFileSync(path.join(root, 'default.json'), 'utf8')) as Record<string, unknown>;
    if (typeof j.signal === 'string') wanted = path.basename(j.signal.replace(/\/+$/, ''));
  } catch {
    /* no default.json */
  }
  const dirs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'model.json')))
    .map((d) => d.name)
    .filter((d) => signalMeta(path.join(root, d)) !== null)
    .sort();
  const dir = [wanted, 'signal-3x4r', dirs[0]].find((d): d is string => !!d && dirs.includes(d));
  if (!dir) return null;
  const m = signalMeta(path.join(root, dir))!;
  const where = `public/models/${dir}/metadata.json`;
  const threshold = num(m.threshold);
  if (typeof m.name !== 'string' || threshold === undefined || threshold < 0 || threshold > 1)
    throw new Error(`${where}: a signal model needs a name and a threshold in [0, 1]`);
  const weightsBytes = num(m.weights_bytes);
  if (weightsBytes === undefined) throw new Error(`${where}: weights_bytes missing`);
  return {
    dir,
    urlPath: `models/${dir}/`,
    name: m.name,
    threshold,
    thresholdRule: typeof m.threshold_rule === 'string' ? m.threshold_rule : '',
    params: num(m.params) ?? null,
    weightsBytes,
  };
}

/** The learned trace segmenter the digitiser falls back on (public/models/trace-seg), or null when not exported. */
export function findSegmenterUrlPath(repoRoot = process.cwd()): string | null {
  try {
    const j = JSON.parse(readFileSync(path.join(repoRoot, 'public/models/trace-seg/metadata.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    return j.kind === 'trace-segmenter' ? 'models/trace-seg/' : null;
  } catch {
    return null;
  }
}
