/**
 * Our hyper-parameter sweep beside the study's: network (architecture) or batch size against the best epoch's
 * validation metrics. Study values: figs. 6/7 (data/study); ours: data/training/sweep-*.json.
 */
import * as Plot from '@observablehq/plot';
import { archLabel, dec, raw } from './format';
import { colorAt } from './palette';
import { renderPlot } from './render';
import type { ChartView } from './study';
import type { StudyMetricRow, TrainingRun } from './types';

export type SweepBy = 'architecture' | 'batch';

/** File-name prefixes of the two sweep phases in data/training (training/sweep.py). */
export const SWEEP_PREFIX: Record<SweepBy, string> = { architecture: 'sweep-arch-', batch: 'sweep-bs-' };

/**
 * The study's four metrics (at a 0.5 cut-off, as FastAI reports them; ours at the same cut-off, the training
 * log's epoch metrics) and the AUROC, which needs no cut-off and which the study did not publish.
 */
export const SWEEP_METRICS = ['Error rate', 'Recall', 'Precision', 'F1', 'AUROC'] as const;
const STUDY_SWEEP_METRICS = SWEEP_METRICS.slice(0, 4);

export interface SweepPoint {
  who: 'Study (published)' | 'Ours';
  key: string;
  metric: (typeof SWEEP_METRICS)[number];
  value: number;
  detail: string;
  /** Sort order of `key` on the y axis (study rows first, ours by parameter count or batch size). */
  order: number;
}

/** Look up the first defined value among dotted paths in a run's config ("train.batch_size"). */
function configValue(run: TrainingRun, paths: string[]): unknown {
  for (const p of paths) {
    let v: unknown = run.config;
    for (const k of p.split('.'))
      v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (v !== undefined) return v;
  }
  return undefined;
}

export function batchSizeOf(run: TrainingRun): number | undefined {
  const b = configValue(run, ['train.batch_size', 'batch_size', 'batchSize', 'batch']);
  return typeof b === 'number' ? b : undefined;
}

/** The network a run used: sweep-arch-NAME gives NAME; else config arch/model; with its size when logged. */
export function networkOf(run: TrainingRun): string | undefined {
  const fromName = /^sweep-arch-(.+)$/.exec(run.name)?.[1];
  const v = fromName ?? configValue(run, ['model.arch', 'arch', 'architecture', 'network', 'model']) ?? run.model;
  if (typeof v !== 'string') return undefined;
  const size = run.params !== undefined ? ` · ${(run.params / 1e6).toFixed(2)}M` : '';
  return `${archLabel(v)}${size}`;
}

/** The value a run is swept over: its network or its batch size. */
export function sweepKey(run: TrainingRun, by: SweepBy): string | undefined {
  if (by === 'architecture') return networkOf(run);
  const b = batchSizeOf(run);
  return b === undefined ? undefined : `batch ${b}`;
}

const RESNET_DEPTH = (a: string) => Number(/(\d+)/.exec(a)?.[1] ?? 0);

export function sweepPoints(study: StudyMetricRow[], ours: TrainingRun[], by: SweepBy): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const r of study) {
    const key = by === 'architecture' ? archLabel(r.architecture) : `batch ${r.batchSize}`;
    const order = by === 'architecture' ? RESNET_DEPTH(r.architecture) : r.batchSize;
    const detail = `${archLabel(r.architecture)}, batch ${r.batchSize}, best epoch ${r.bestEpoch}`;
    const vals = [r.errorRate, r.recall, r.precision, r.f1];
    STUDY_SWEEP_METRICS.forEach((metric, i) =>
      points.push({ who: 'Study (published)', key, metric, value: vals[i]!, detail, order }),
    );
  }
  ours.forEach((run, idx) => {
    const key = sweepKey(run, by);
    const e = run.epochs.find((x) => x.epoch === run.best_epoch);
    if (!key || !e) return;
    // Our networks go below the study's ResNets, smallest first; batch sizes interleave with the study's.
    const order = by === 'architecture' ? 1e4 + (run.params ?? idx) : (batchSizeOf(run) ?? 0);
    const detail = `run ${run.name}, best epoch ${run.best_epoch}`;
    const vals = [e.val_error_rate, e.val_sensitivity, e.val_precision, e.val_f1, e.val_auroc];
    SWEEP_METRICS.forEach((metric, i) => points.push({ who: 'Ours', key, metric, value: vals[i]!, detail, order }));
  });
  return points;
}

function keyOrder(points: SweepPoint[]): string[] {
  const order = new Map<string, number>();
  for (const p of points) order.set(p.key, Math.min(order.get(p.key) ?? Infinity, p.order));
  return [...order.keys()].sort((a, b) => order.get(a)! - order.get(b)! || a.localeCompare(b));
}

export function sweepView(study: StudyMetricRow[], ours: TrainingRun[], by: SweepBy): ChartView {
  const points = sweepPoints(study, ours, by);
  const keys = keyOrder(points);
  const who = ['Study (published)', 'Ours'];
  const colors = [colorAt(1), colorAt(0)];
  const svg = renderPlot(
    {
      height: SWEEP_METRICS.length * (keys.length * 20 + 34) + 50,
      marginLeft: 150,
      marginRight: 16,
      marginTop: 24,
      marginBottom: 44,
      x: {
        domain: [0, 1],
        grid: true,
        label: 'validation value at the best epoch (0 to 1)',
        labelAnchor: 'center',
        labelOffset: 36,
      },
      y: { domain: keys, label: null, tickSize: 0 },
      fy: { domain: [...SWEEP_METRICS], axis: null, padding: 0.3 },
      color: { domain: who, range: colors },
      symbol: { domain: who, range: ['circle', 'diamond'] },
      marks: [
        Plot.text([...SWEEP_METRICS], {
          fy: (d: string) => d,
          text: (d: string) => d,
          frameAnchor: 'top-left',
          lineAnchor: 'bottom',
          dx: -146,
          dy: -4,
          fontWeight: 600,
          textAnchor: 'start',
          fill: 'currentColor',
        }),
        Plot.ruleY(
          keys.flatMap((k) => SWEEP_METRICS.map((m) => ({ k, m }))),
          { y: 'k', fy: 'm', strokeOpacity: 0.15 },
        ),
        Plot.dot(points, {
          x: 'value',
          y: 'key',
          fy: 'metric',
          fill: 'who',
          symbol: 'who',
          r: 5,
          title: (d: SweepPoint) => `${d.who}: ${d.detail}\n${d.metric} ${dec(d.value, 3)}`,
        }),
      ],
    },
    {
      ariaLabel: `Dot plot: validation error rate, recall, precision, F1 and (ours only) AUROC by ${by === 'batch' ? 'batch size' : 'network'}, the study's and ours`,
    },
  );
  const rows = new Map<string, Record<string, string | number>>();
  for (const p of points) {
    const id = `${p.who}|${p.detail}|${p.key}`;
    const row = rows.get(id) ?? { who: p.who, key: p.key, detail: p.detail, AUROC: '—' };
    // the study's figures as published; ours rounded to 3 decimals (the logs keep full precision)
    row[p.metric] = p.who === 'Ours' ? dec(p.value, 3) : raw(p.value);
    rows.set(id, row);
  }
  return {
    svg,
    marks: points.length,
    legend: [
      { label: 'Study (published)', color: colors[0]!, symbol: 'dot' },
      { label: 'Ours', color: colors[1]!, symbol: 'diamond' },
    ],
    table: {
      caption: `Validation metrics at the best epoch, by ${by === 'batch' ? 'batch size' : 'network'}`,
      columns: [
        { key: 'who', label: 'Whose' },
        { key: 'key', label: by === 'batch' ? 'Batch size' : 'Network' },
        { key: 'detail', label: 'Run' },
        ...SWEEP_METRICS.map((m) => ({ key: m, label: m, numeric: true })),
      ],
      rows: [...rows.values()],
    },
  };
}

/**
 * The runs of the batch-size phase: the sweep-bs-* runs plus the architecture phase's run of the same network at a
 * batch size the phase did not repeat (its batch-32 run), so the chart shows every batch size that network tried.
 */
export function batchPhaseRuns(batchRuns: TrainingRun[], archRuns: TrainingRun[]): TrainingRun[] {
  const net = (r: TrainingRun) => JSON.stringify(r.config.model ?? null);
  const nets = new Set(batchRuns.map(net));
  const sizes = new Set(batchRuns.map(batchSizeOf));
  const extra = archRuns.filter((r) => nets.has(net(r)) && !sizes.has(batchSizeOf(r)));
  return [...batchRuns, ...extra];
}
