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

export const SWEEP_METRICS = ['Error rate', 'Recall', 'Precision', 'F1'] as const;

export interface SweepPoint {
  who: 'Study (published)' | 'Ours';
  key: string;
  metric: (typeof SWEEP_METRICS)[number];
  value: number;
  detail: string;
}

function configValue(run: TrainingRun, names: string[]): unknown {
  for (const n of names) if (run.config[n] !== undefined) return run.config[n];
  return undefined;
}

/** The value a run is swept over: its network name or its batch size (from `config`). */
export function sweepKey(run: TrainingRun, by: SweepBy): string | undefined {
  if (by === 'architecture') {
    const v = configValue(run, ['arch', 'architecture', 'network', 'model']) ?? run.model;
    return typeof v === 'string' ? archLabel(v) : undefined;
  }
  const b = configValue(run, ['batch_size', 'batchSize', 'batch']);
  return typeof b === 'number' ? `batch ${b}` : undefined;
}

export function sweepPoints(study: StudyMetricRow[], ours: TrainingRun[], by: SweepBy): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const r of study) {
    const key = by === 'architecture' ? archLabel(r.architecture) : `batch ${r.batchSize}`;
    const detail = `${archLabel(r.architecture)}, batch ${r.batchSize}, best epoch ${r.bestEpoch}`;
    const vals = [r.errorRate, r.recall, r.precision, r.f1];
    SWEEP_METRICS.forEach((metric, i) => points.push({ who: 'Study (published)', key, metric, value: vals[i]!, detail }));
  }
  for (const run of ours) {
    const key = sweepKey(run, by);
    const e = run.epochs.find((x) => x.epoch === run.best_epoch);
    if (!key || !e) continue;
    const detail = `run ${run.name}, best epoch ${run.best_epoch}`;
    const vals = [e.val_error_rate, e.val_sensitivity, e.val_precision, e.val_f1];
    SWEEP_METRICS.forEach((metric, i) => points.push({ who: 'Ours', key, metric, value: vals[i]!, detail }));
  }
  return points;
}

function keyOrder(points: SweepPoint[], by: SweepBy): string[] {
  const keys = [...new Set(points.map((p) => p.key))];
  const n = (k: string) => Number(k.replace(/\D+/g, '')) || 0;
  return by === 'batch' || keys.every((k) => /\d/.test(k)) ? keys.sort((a, b) => n(a) - n(b) || a.localeCompare(b)) : keys;
}

export function sweepView(study: StudyMetricRow[], ours: TrainingRun[], by: SweepBy): ChartView {
  const points = sweepPoints(study, ours, by);
  const keys = keyOrder(points, by);
  const who = ['Study (published)', 'Ours'];
  const colors = [colorAt(1), colorAt(0)];
  const svg = renderPlot(
    {
      height: SWEEP_METRICS.length * (keys.length * 20 + 34) + 50,
      marginLeft: 92,
      marginRight: 16,
      marginTop: 24,
      marginBottom: 44,
      x: { domain: [0, 1], grid: true, label: 'validation value at the best epoch (0 to 1)', labelAnchor: 'center', labelOffset: 36 },
      y: { domain: keys, label: null, tickSize: 0 },
      fy: { domain: [...SWEEP_METRICS], axis: null, padding: 0.3 },
      color: { domain: who, range: colors },
      symbol: { domain: who, range: ['circle', 'diamond'] },
      marks: [
        Plot.text([...SWEEP_METRICS], { fy: (d: string) => d, text: (d: string) => d, frameAnchor: 'top-left', lineAnchor: 'bottom', dx: -88, dy: -4, fontWeight: 600, textAnchor: 'start', fill: 'currentColor' }),
        Plot.ruleY(keys.flatMap((k) => SWEEP_METRICS.map((m) => ({ k, m }))), { y: 'k', fy: 'm', strokeOpacity: 0.15 }),
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
    { ariaLabel: `Dot plot: validation error rate, recall, precision and F1 by ${by === 'batch' ? 'batch size' : 'network'}, the study's and ours` },
  );
  const rows = new Map<string, Record<string, string | number>>();
  for (const p of points) {
    const id = `${p.who}|${p.detail}|${p.key}`;
    const row = rows.get(id) ?? { who: p.who, key: p.key, detail: p.detail };
    row[p.metric] = raw(p.value);
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
