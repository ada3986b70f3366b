/**
 * Model cards (issue #13): one card per shipped model (every public/models/NAME with a metadata.json; the demo's
 * model, named by public/models/default.json, first), built from the model's metadata, its training log
 * (data/training) and its test-fold evaluations (data/eval): one per style the model was trained on
 * (metadata.styles), each with the figures by sex and age band that `npm run eval` records.
 *
 * A missing evaluation throws (MetricLookupError, with the command that makes it), so the build fails as it does
 * for <Metric>. An evaluation written before `npm run eval` recorded subgroups is not an error: its card says so
 * and names the command that re-runs it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as Plot from '@observablehq/plot';
import { ChartDataError, readJson } from './data';
import { aurocWithCi } from './evaluation';
import { dec, int, pct } from './format';
import { findEval } from './metric';
import { PALETTE } from './palette';
import { renderPlot } from './render';
import type { ChartView } from './study';
import type { EvalResult, EvalSubgroup, TableModel, TrainingRun } from './types';

export const MODELS_DIR = process.env.HEARTNET_MODELS_DIR ?? 'public/models';
export const EXTERNAL_EVAL_DIR = process.env.HEARTNET_EXTERNAL_EVAL_DIR ?? 'data/eval/external';

export interface ShippedModel {
  name: string;
  /** Repository-relative folder (public/models/NAME). */
  dir: string;
  isDefault: boolean;
  version: string;
  styles: string[];
  planes: number;
  input: { height: number; width: number };
  threshold: number;
  thresholdRule: string;
  params?: number;
  weightsBytes?: number;
  dataVersion?: string;
  /** The network's family as the metadata names it (resnet, lead_sequence, ...). */
  arch?: string;
  /** Repository-relative path of the training log named by the metadata, when it exists. */
  trainingLog?: string;
  /** 'signal' for the signal classifier (metadata kind "signal": reads traces, not an image; input.width = samples). */
  kind?: 'signal';
}

function rel(root: string, p: string): string {
  return relative(root, resolve(root, p)).split('\\').join('/');
}

/** A JSON file that must hold an object (metadata, logs, evaluations). */
function readObject(file: string): Record<string, unknown> {
  const v = readJson(file);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ChartDataError(file, 'not a JSON object');
  return v as Record<string, unknown>;
}

/** Validate one model's metadata.json into the fields a card shows. */
export function parseModelMetadata(
  json: Record<string, unknown>,
  file: string,
  dir: string,
  isDefault: boolean,
  root = process.cwd(),
): ShippedModel {
  const str = (k: string) => {
    if (typeof json[k] !== 'string') throw new ChartDataError(file, `"${k}" must be a string`);
    return json[k] as string;
  };
  const num = (k: string) => {
    if (typeof json[k] !== 'number' || !Number.isFinite(json[k]))
      throw new ChartDataError(file, `"${k}" must be a number`);
    return json[k] as number;
  };
  const styles = json.styles;
  if (!Array.isArray(styles) || styles.length === 0 || styles.some((s) => typeof s !== 'string')) {
    throw new ChartDataError(file, '"styles" must be a non-empty list of style names');
  }
  let input = json.input as Record<string, unknown> | undefined;
  const signal = json.kind === 'signal';
  // a signal model (src/lib/signal/model.ts) reads traces: [1 x samples] instead of an image's height x width
  if (signal && input && typeof input.samples === 'number') input = { height: 1, width: input.samples };
  if (!input || typeof input.height !== 'number' || typeof input.width !== 'number')
    throw new ChartDataError(file, '"input" needs height and width');
  const log =
    typeof json.training_log === 'string' && existsSync(resolve(root, json.training_log))
      ? rel(root, json.training_log)
      : undefined;
  return {
    name: str('name'),
    dir,
    isDefault,
    version: typeof json.version === 'string' ? json.version : 'unknown',
    styles: styles as string[],
    planes: typeof json.planes === 'number' ? json.planes : 1,
    input: { height: input.height, width: input.width },
    threshold: num('threshold'),
    thresholdRule: str('threshold_rule'),
    params: typeof json.params === 'number' ? json.params : undefined,
    weightsBytes: typeof json.weights_bytes === 'number' ? json.weights_bytes : undefined,
    dataVersion: typeof json.data_version === 'string' ? json.data_version : undefined,
    arch:
      typeof (json.arch as Record<string, unknown> | undefined)?.arch === 'string'
        ? ((json.arch as Record<string, unknown>).arch as string)
        : undefined,
    trainingLog: log,
    ...(signal ? { kind: 'signal' as const } : {}),
  };
}

/** Every shipped model: each folder of `dir` with a metadata.json, the one default.json names first. */
export function loadShippedModels(dir = MODELS_DIR, root = process.cwd()): ShippedModel[] {
  const abs = resolve(root, dir);
  if (!existsSync(abs)) throw new ChartDataError(rel(root, dir), 'no models folder: nothing is shipped');
  const defFile = join(abs, 'default.json');
  const def = existsSync(defFile) ? readObject(defFile).model : undefined;
  const models = readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(abs, e.name, 'metadata.json')))
    // the EKG check is not an MI model: its figures (npm run eval:gate) are in the Results chapter; nor is the
    // sheet-upright model (its turns are counted in each evaluation's "upright" and in eval:external), nor the
    // digitiser's trace segmenter (chapter "Reading the leads back", training log in data/training/segmenter)
    .filter((e) => {
      const m = readObject(join(abs, e.name, 'metadata.json'));
      return m.task !== 'ekg-gate' && m.task !== 'sheet-upright' && m.kind !== 'trace-segmenter';
    })
    .map((e) => {
      const file = join(abs, e.name, 'metadata.json');
      return parseModelMetadata(readObject(file), rel(root, file), rel(root, join(dir, e.name)), e.name === def, root);
    });
  if (typeof def === 'string' && !models.some((m) => m.name === def)) {
    throw new ChartDataError(rel(root, defFile), `names model "${def}", which has no ${dir}/${def}/metadata.json`);
  }
  return models.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
}

export interface CardEval {
  style: string;
  eval: EvalResult;
  /** The command that re-runs this evaluation with subgroup figures, when the file has none yet. */
  rerun?: string;
}

export const evalCommand = (m: ShippedModel, style: string) =>
  m.kind === 'signal'
    ? `npm run eval:signals -- --model ${m.dir} --fold 10`
    : `npm run eval -- --model ${m.dir} --fold 10 --style ${style}`;

/** The model's evaluation on every style it was trained on; a missing one throws (the build fails). */
export function cardEvals(m: ShippedModel, evals: readonly EvalResult[]): CardEval[] {
  return m.styles.map((style) => {
    const e = findEval(evals, m.name, style);
    return { style, eval: e, rerun: e.subgroups ? undefined : evalCommand(m, style) };
  });
}

/** Fewer MI records than this in a group and its sensitivity interval is wide (the card says so). */
export const SMALL_GROUP_MI = 30;

export interface SubgroupRow {
  style: string;
  by: 'sex' | 'age';
  group: EvalSubgroup;
}

export function subgroupRows(ces: CardEval[]): SubgroupRow[] {
  return ces.flatMap((c) =>
    c.eval.subgroups
      ? (['sex', 'age'] as const).flatMap((by) => c.eval.subgroups![by].map((group) => ({ style: c.style, by, group })))
      : [],
  );
}

const ci = (v: number | null, c: [number, number] | null, digits = 3) =>
  v === null ? '—' : c ? `${dec(v, digits)} (${dec(c[0], digits)}–${dec(c[1], digits)})` : dec(v, digits);

/** The figures of one style as a table: a row per group, "—" where a group cannot define a figure. */
export function subgroupTable(m: ShippedModel, style: string, rows: SubgroupRow[]): TableModel {
  return {
    caption: `${m.name} on ${style} images, fold 10, by sex and age band`,
    rowHeader: 'group',
    groupBy: 'by',
    columns: [
      { key: 'group', label: 'Group' },
      { key: 'n', label: 'Records (MI)', numeric: true },
      { key: 'auroc', label: 'AUROC (95% CI)', numeric: true },
      { key: 'sensitivity', label: 'Sensitivity (95% CI)', numeric: true },
      { key: 'specificity', label: 'Specificity (95% CI)', numeric: true },
    ],
    rows: rows
      .filter((r) => r.style === style)
      .map((r) => ({
        by: r.by === 'sex' ? 'By sex' : 'By age (years; PTB-XL writes ages over 89 as 300, counted as 80 or older)',
        group: r.group.label,
        n: `${int(r.group.n)} (${int(r.group.n_mi)})`,
        auroc: ci(r.group.auroc, r.group.auroc_ci),
        sensitivity: ci(r.group.sensitivity, r.group.sensitivity_ci),
        specificity: ci(r.group.specificity, r.group.specificity_ci),
      })),
  };
}

export const SUBGROUP_METRICS = ['AUROC', 'Sensitivity', 'Specificity'] as const;

interface Datum {
  style: string;
  group: string;
  metric: (typeof SUBGROUP_METRICS)[number];
  value: number;
  lo: number;
  hi: number;
  n: number;
  nMi: number;
}

/**
 * Dot-and-interval chart: a row per group (sexes, then age bands), a column per figure, a panel per style. Groups
 * without a figure (no MI record, say) have no dot; the table says "—".
 */
export function subgroupView(
  m: ShippedModel,
  ces: CardEval[],
): (Omit<ChartView, 'table'> & { tables: TableModel[] }) | undefined {
  const rows = subgroupRows(ces);
  if (rows.length === 0) return undefined;
  const data: Datum[] = [];
  // the few records without an age stay in the table; as dots they would only add noise
  for (const r of rows.filter((x) => x.group.key !== 'unknown')) {
    const g = r.group;
    const add = (metric: Datum['metric'], v: number | null, c: [number, number] | null) => {
      if (v !== null)
        data.push({
          style: r.style,
          group: g.label,
          metric,
          value: v,
          lo: c?.[0] ?? v,
          hi: c?.[1] ?? v,
          n: g.n,
          nMi: g.n_mi,
        });
    };
    add('AUROC', g.auroc, g.auroc_ci);
    add('Sensitivity', g.sensitivity, g.sensitivity_ci);
    add('Specificity', g.specificity, g.specificity_ci);
  }
  const styles = [...new Set(rows.map((r) => r.style))];
  const groups = [...new Set(data.map((d) => d.group))];
  const color = { AUROC: PALETTE[0], Sensitivity: PALETTE[4], Specificity: PALETTE[2] } as const;
  const tip = (d: Datum) =>
    `${m.name} on ${d.style}, ${d.group} (${int(d.n)} records, ${int(d.nMi)} MI)\n${d.metric} ${dec(d.value, 3)} (95% CI ${dec(d.lo, 3)}–${dec(d.hi, 3)})`;
  const svg = renderPlot(
    {
      height: styles.length * (groups.length * 22 + 40) + 60,
      marginLeft: 64,
      marginRight: styles.length > 1 ? 64 : 12,
      marginTop: 30,
      marginBottom: 44,
      x: {
        domain: [0, 1],
        ticks: [0, 0.5, 1],
        tickFormat: (d: number) => (d === 0.5 ? '.5' : String(d)),
        grid: true,
        label: 'value with 95% interval (0 to 1)',
        labelAnchor: 'center',
        labelOffset: 36,
      },
      y: { domain: groups, label: null, tickSize: 0 },
      fx: { domain: [...SUBGROUP_METRICS], label: null, padding: 0.18 },
      fy: { domain: styles, label: null, padding: 0.25, axis: styles.length > 1 ? 'right' : null },
      color: { domain: [...SUBGROUP_METRICS], range: SUBGROUP_METRICS.map((k) => color[k]) },
      marks: [
        Plot.frame({ strokeOpacity: 0.15 }),
        Plot.ruleY(data, {
          y: 'group',
          x1: 'lo',
          x2: 'hi',
          fx: 'metric',
          fy: 'style',
          stroke: 'metric',
          strokeWidth: 2,
        }),
        Plot.dot(data, { x: 'value', y: 'group', fx: 'metric', fy: 'style', fill: 'metric', r: 3.5, title: tip }),
      ],
    },
    {
      ariaLabel: `Dot plot with 95% intervals: ${m.name}'s fold-10 AUROC, sensitivity and specificity by sex and age band, for each image style`,
    },
  );
  return {
    svg,
    marks: data.length,
    legend: SUBGROUP_METRICS.map((k) => ({ label: `${k} (bar: 95% interval)`, color: color[k], symbol: 'dot' })),
    tables: styles.map((s) => subgroupTable(m, s, rows)),
  };
}

/** Groups whose intervals are wide because they hold few MI records, for the card's caveats. */
export function smallGroups(ces: CardEval[]): { style: string; label: string; nMi: number }[] {
  return subgroupRows(ces)
    .filter((r) => r.group.n > 0 && r.group.n_mi < SMALL_GROUP_MI && r.group.key !== 'unknown')
    .map((r) => ({ style: r.style, label: r.group.label, nMi: r.group.n_mi }));
}

export interface GroupGap {
  style: string;
  by: 'sex' | 'age';
  worse: EvalSubgroup;
  better: EvalSubgroup;
}

/**
 * Where the model measurably does worse for one group: within a style and a grouping, the group with the lowest
 * AUROC against the one with the highest, when their 95% intervals do not overlap (the worse group's upper end
 * below the better group's lower end). Groups without an interval are left out.
 */
export function groupGaps(ces: CardEval[]): GroupGap[] {
  const out: GroupGap[] = [];
  for (const c of ces) {
    if (!c.eval.subgroups) continue;
    for (const by of ['sex', 'age'] as const) {
      const gs = c.eval.subgroups[by].filter((g) => g.auroc !== null && g.auroc_ci !== null && g.key !== 'unknown');
      if (gs.length < 2) continue;
      const worse = gs.reduce((a, b) => (b.auroc! < a.auroc! ? b : a));
      const better = gs.reduce((a, b) => (b.auroc! > a.auroc! ? b : a));
      if (worse.auroc_ci![1] < better.auroc_ci![0]) out.push({ style: c.style, by, worse, better });
    }
  }
  return out;
}

/** The whole-fold figures of each style, one row each (the card's "Metrics"). */
export function cardMetricsTable(m: ShippedModel, ces: CardEval[]): TableModel {
  const base = [...new Set(ces.map((c) => pct(c.eval.baseline_all_normal_accuracy, 1)))];
  return {
    caption: `${m.name}: fold 10 at the threshold chosen on fold 9 (${dec(m.threshold, 3)}); calling every record Normal scores ${base.join(' / ')} accuracy here`,
    rowHeader: 'style',
    columns: [
      { key: 'style', label: 'Images' },
      { key: 'n', label: 'Records (MI)', numeric: true },
      { key: 'auroc', label: 'AUROC (95% CI)', numeric: true },
      { key: 'sensitivity', label: 'Sensitivity', numeric: true },
      { key: 'specificity', label: 'Specificity', numeric: true },
    ],
    rows: ces.map((c) => {
      const e = c.eval;
      return {
        style: c.style,
        n: `${int(e.n)} (${int(e.confusion.tp + e.confusion.fn)})`,
        auroc: aurocWithCi(e),
        sensitivity: pct(e.sensitivity, 1),
        specificity: pct(e.specificity, 1),
      };
    }),
  };
}

/** What the model learned from, from its training log (data/training/NAME.json `data`). */
export function trainingSummary(run: TrainingRun | undefined): string | undefined {
  if (!run) return undefined;
  const d = run.data as Record<string, unknown>;
  const n = typeof d.train_n === 'number' ? d.train_n : undefined;
  const pos = typeof d.train_pos === 'number' ? d.train_pos : undefined;
  const vn = typeof d.val_n === 'number' ? d.val_n : undefined;
  const vpos = typeof d.val_pos === 'number' ? d.val_pos : undefined;
  const styles = Array.isArray(d.style)
    ? (d.style as string[]).join(', ')
    : typeof d.style === 'string'
      ? d.style
      : undefined;
  if (n === undefined) return undefined;
  return (
    `${int(n)} training images${pos !== undefined ? ` (${int(pos)} MI)` : ''} from PTB-XL folds 1–8` +
    `${styles ? ` in ${styles} style` : ''}; checkpoint and threshold chosen on ${vn !== undefined ? `${int(vn)} ` : ''}fold-9 images` +
    `${vpos !== undefined ? ` (${int(vpos)} MI)` : ''}. Best epoch ${int(run.best_epoch)} of ${int(run.epochs.length)}.` +
    (run.scoredElsewhere
      ? " Trained on a rented GPU: the checkpoint was chosen on that machine's own fold-9 renders, and the threshold and fold-9 figures were computed again here on the renders the other models were chosen on."
      : '')
  );
}

export interface ExternalEval {
  file: string;
  /** Figures found in the file (top level or per variant), when it has them in the usual fields. */
  rows: {
    variant: string;
    n?: number;
    auroc?: number;
    auroc_ci?: [number, number];
    sensitivity?: number;
    specificity?: number;
    accepted?: number;
  }[];
}

/**
 * Evaluations on images we did not draw (`npm run eval:external`, data/eval/external/*.json) that name this model.
 * Read tolerantly: the figures shown are the usual fields where present (top level, or each entry of `variants`).
 */
export function externalEvals(m: ShippedModel, dir = EXTERNAL_EVAL_DIR, root = process.cwd()): ExternalEval[] {
  const abs = resolve(root, dir);
  if (!existsSync(abs)) return [];
  const out: ExternalEval[] = [];
  for (const f of readdirSync(abs)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const file = rel(root, join(dir, f));
    const j = readObject(join(abs, f));
    const model = typeof j.model === 'string' ? j.model.replace(/^.*\//, '') : undefined;
    if (model !== m.name) continue;
    const pick = (o: Record<string, unknown>, variant: string) => {
      const n = (k: string) => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : undefined);
      const c =
        Array.isArray(o.auroc_ci) && o.auroc_ci.length === 2 && o.auroc_ci.every((x) => typeof x === 'number')
          ? (o.auroc_ci as [number, number])
          : undefined;
      const refused = n('refused_rate');
      const accepted =
        n('accepted_rate') ??
        n('accept_rate') ??
        n('gate_accept_rate') ??
        (refused !== undefined ? 1 - refused : undefined);
      return {
        variant,
        n: n('n'),
        auroc: n('auroc'),
        auroc_ci: c,
        sensitivity: n('sensitivity'),
        specificity: n('specificity'),
        accepted,
      };
    };
    const rows: ExternalEval['rows'] = [];
    const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    // the layout `npm run eval:external` writes: sets (kit-fold9, real-ekg, ...), each with figures and by_variant
    if (obj(j.sets)) {
      for (const [name, set] of Object.entries(j.sets)) {
        if (!obj(set)) continue;
        rows.push(pick(set, name));
        if (obj(set.by_variant))
          for (const [v, o] of Object.entries(set.by_variant)) if (obj(o)) rows.push(pick(o, `${name} · ${v}`));
      }
    }
    const variants = j.variants;
    if (Array.isArray(variants)) {
      variants.forEach((v, i) => {
        if (obj(v)) rows.push(pick(v, String(v.name ?? v.variant ?? i)));
      });
    } else if (obj(variants)) {
      for (const [k, v] of Object.entries(variants)) if (obj(v)) rows.push(pick(v, k));
    }
    if (rows.length === 0) rows.push(pick(j, typeof j.set === 'string' ? j.set : f.replace(/\.json$/, '')));
    out.push({
      file,
      rows: rows.filter((r) => r.auroc !== undefined || r.sensitivity !== undefined || r.accepted !== undefined),
    });
  }
  return out;
}
