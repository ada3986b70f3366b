/**
 * `metadata.json` that sits next to every exported model (`public/models/NAME/`): what the model expects,
 * how to read its output and where its validation figures come from. Written by training/train.py,
 * checked here by everything that loads a model (Node CLI and browser).
 */
import { errorMessage } from '../errors';
import { validateSpec, type InputSpec } from './preprocess';

export interface ValMetrics {
  fold: 9;
  n: number;
  auroc: number;
  threshold: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  sensitivity: number;
  specificity: number;
  precision: number;
  f1: number;
  accuracy: number;
  error_rate?: number;
}

export interface ModelMetadata {
  name: string;
  version: string;
  /** Absent for MI classifiers; 'ekg-gate' for the EKG check; 'sheet-upright' for the orientation model. */
  task?: ModelTask;
  /** [negative, positive]: ['Normal', 'MI'] for classifiers (TASK_LABELS). */
  labels: [string, string];
  positive_label: string;
  /** The single model output: a logit for the positive label (sigmoid gives its score). */
  output: 'logit';
  input: InputSpec;
  /** Image planes per example (12 for dataset4 lead images, else 1). */
  planes: number;
  /** What each plane is, in input order (12-plane models: the leads I ... V6); absent for older exports. */
  plane_names?: string[];
  /** Probability at or above which the model says MI; chosen on fold 9. */
  threshold: number;
  threshold_rule: string;
  styles: string[];
  val_metrics: ValMetrics;
  data_version: string;
  git_commit: string | null;
  exported: string;
  weights_bytes: number;
  quantization: 'none' | 'float16';
  quantization_check?: { fold9_auroc_float32: number; fold9_auroc_float16: number; delta: number } | null;
  params?: number;
  arch?: Record<string, unknown>;
  training_log?: string;
}

/**
 * What a model's logit means: MI vs not (the classifiers), a 12-lead EKG vs any other picture (the gate), or an EKG
 * picture the right way up vs turned (the sheet-upright model, src/lib/model/upright.ts).
 */
export type ModelTask = 'mi' | 'ekg-gate' | 'sheet-upright';
const TASKS_WHAT: Readonly<Record<ModelTask, string>> = {
  mi: 'an MI classifier',
  'ekg-gate': 'the EKG check',
  'sheet-upright': 'the sheet-upright model',
};
/** Each task's labels, negative then positive (training/train.py TASKS writes the same). */
export const TASK_LABELS: Readonly<Record<ModelTask, readonly [string, string]>> = {
  mi: ['Normal', 'MI'],
  'ekg-gate': ['not a 12-lead EKG', '12-lead EKG'],
  'sheet-upright': ['turned', 'upright'],
};

export class MetadataError extends Error {
  override name = 'MetadataError';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRatio = (v: unknown): v is number => isNum(v) && v >= 0 && v <= 1;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Checks `value` (parsed JSON) and returns it typed; throws MetadataError naming `source` and the field. */
export function validateMetadata(
  value: unknown,
  source = 'metadata.json',
  expectTask: ModelTask | 'any' = 'mi',
): ModelMetadata {
  const fail = (field: string, problem: string): never => {
    throw new MetadataError(`${source}: ${field} ${problem}`);
  };
  if (!isObj(value)) return fail('(root)', 'is not a JSON object');
  const m = value;
  for (const k of ['name', 'version', 'threshold_rule', 'data_version', 'exported'] as const) {
    if (typeof m[k] !== 'string' || (m[k] as string).length === 0) fail(k, 'must be a non-empty string');
  }
  const task = m.task === undefined ? 'mi' : m.task;
  if (typeof task !== 'string' || !Object.hasOwn(TASK_LABELS, task))
    fail(
      'task',
      `must be one of ${Object.keys(TASK_LABELS)
        .map((t) => JSON.stringify(t))
        .join(', ')}, got ${JSON.stringify(m.task)}`,
    );
  if (expectTask !== 'any' && task !== expectTask) {
    fail('task', `is ${JSON.stringify(task)}: this is ${TASKS_WHAT[task as ModelTask]}, not ${TASKS_WHAT[expectTask]}`);
  }
  const want = TASK_LABELS[task as ModelTask];
  if (!Array.isArray(m.labels) || m.labels.length !== 2 || m.labels[0] !== want[0] || m.labels[1] !== want[1]) {
    fail('labels', `must be ${JSON.stringify(want)}, got ${JSON.stringify(m.labels)}`);
  }
  if (m.positive_label !== want[1])
    fail('positive_label', `must be ${JSON.stringify(want[1])}, got ${JSON.stringify(m.positive_label)}`);
  if (m.output !== 'logit') fail('output', `must be "logit", got ${JSON.stringify(m.output)}`);
  if (!isObj(m.input)) fail('input', 'must be an object');
  try {
    validateSpec(m.input as unknown as InputSpec);
  } catch (e) {
    fail('input', `is invalid (${errorMessage(e)})`);
  }
  if (!(m.planes === 1 || m.planes === 12)) fail('planes', `must be 1 or 12, got ${JSON.stringify(m.planes)}`);
  if (m.plane_names !== undefined) {
    const n = m.plane_names;
    if (!Array.isArray(n) || n.length !== m.planes || !n.every((s) => typeof s === 'string' && s.length > 0)) {
      fail('plane_names', `must list ${String(m.planes)} plane name(s), got ${JSON.stringify(n)}`);
    }
  }
  if (!isRatio(m.threshold)) fail('threshold', `must be a number in [0, 1], got ${JSON.stringify(m.threshold)}`);
  if (!Array.isArray(m.styles) || m.styles.length === 0 || !m.styles.every((s) => typeof s === 'string')) {
    fail('styles', 'must be a non-empty array of style names');
  }
  if (!(m.git_commit === null || typeof m.git_commit === 'string')) fail('git_commit', 'must be a string or null');
  if (!isCount(m.weights_bytes) || (m.weights_bytes as number) === 0)
    fail('weights_bytes', 'must be a positive integer');
  if (!(m.quantization === 'none' || m.quantization === 'float16')) {
    fail('quantization', `must be "none" or "float16", got ${JSON.stringify(m.quantization)}`);
  }
  const v = m.val_metrics;
  if (!isObj(v)) return fail('val_metrics', 'must be an object');
  if (v.fold !== 9) fail('val_metrics.fold', `must be 9 (validation fold), got ${JSON.stringify(v.fold)}`);
  for (const k of ['n', 'tp', 'fp', 'tn', 'fn'] as const)
    if (!isCount(v[k])) fail(`val_metrics.${k}`, 'must be a count');
  for (const k of ['auroc', 'sensitivity', 'specificity', 'precision', 'f1', 'accuracy'] as const) {
    if (!isRatio(v[k])) fail(`val_metrics.${k}`, `must be a number in [0, 1], got ${JSON.stringify(v[k])}`);
  }
  if ((v.tp as number) + (v.fp as number) + (v.tn as number) + (v.fn as number) !== v.n) {
    fail('val_metrics', 'confusion counts do not add up to n');
  }
  return m as unknown as ModelMetadata;
}
