/**
 * Loss curves: per-epoch train and validation loss with a best-epoch marker (minimum validation loss), plus a
 * lower panel with validation metrics (recall for the study's logs; sensitivity, specificity and AUROC for ours).
 * One component takes either source, normalised to LossCurve first.
 */
import * as Plot from '@observablehq/plot';
import { dec, raw } from './format';
import { PALETTE } from './palette';
import { renderPlot } from './render';
import type { ChartView, LegendItem } from './study';
import type { LossCurve, LossPoint, StudyLogRow, TableModel, TrainingRun } from './types';

/**
 * Did the model call every image one class? All Normal: no positive predictions, so FastAI reports recall 0 and
 * precision 0. All MI: recall 1 and precision = share of MI, so error rate = 1 - precision.
 */
export function detectCollapse(r: { recall: number; precision: number; errorRate: number }): LossPoint['collapse'] {
  if (r.recall === 0 && r.precision === 0) return 'all-normal';
  if (r.recall === 1 && Math.abs(r.errorRate - (1 - r.precision)) < 1e-4) return 'all-mi';
  return undefined;
}

export const COLLAPSE_TEXT = { 'all-normal': 'every image called Normal', 'all-mi': 'every image called MI' } as const;

/** The study's exploratory logs as one curve per run. Step 0 is FastAI's frozen epoch; fine-tune epoch k is k+1. */
export function studyLogCurves(rows: StudyLogRow[], file: string): LossCurve[] {
  const byRun = new Map<number, StudyLogRow[]>();
  for (const r of rows) {
    const list = byRun.get(r.run) ?? [];
    list.push(r);
    byRun.set(r.run, list);
  }
  return [...byRun.entries()].map(([run, list]) => {
    const first = list[0]!;
    return {
      id: `study-run-${run}`,
      name: `run ${run}`,
      label: `Run ${run}: ${first.section}, ${first.label}`,
      source: 'study',
      file,
      metricNames: ['Recall'],
      points: list.map((r) => ({
        step: r.phase === 'frozen' ? 0 : r.epoch + 1,
        stepLabel: r.phase === 'frozen' ? 'frozen' : `fine-tune ${r.epoch}`,
        trainLoss: r.trainLoss,
        valLoss: r.validLoss,
        metrics: { Recall: r.recall, Precision: r.precision, F1: r.f1, 'Error rate': r.errorRate },
        collapse: detectCollapse(r),
      })),
    };
  });
}

/** One of our training runs as a curve. */
export function trainingRunCurve(run: TrainingRun): LossCurve {
  return {
    id: `run-${run.name}`.replace(/[^A-Za-z0-9_-]/g, '-'),
    name: run.name,
    label: run.scoredElsewhere
      ? `${run.name} (${run.model}; trained on a rented GPU, its epochs scored on that machine's fold-9 renders)`
      : `${run.name} (${run.model})`,
    source: 'ours',
    file: run.file,
    metricNames: ['Sensitivity', 'Specificity', 'AUROC'],
    points: run.epochs.map((e) => ({
      step: e.epoch,
      stepLabel: String(e.epoch),
      trainLoss: e.train_loss,
      valLoss: e.val_loss,
      metrics: {
        Sensitivity: e.val_sensitivity,
        Specificity: e.val_specificity,
        AUROC: e.val_auroc,
        Precision: e.val_precision,
        F1: e.val_f1,
        'Error rate': e.val_error_rate,
      },
    })),
  };
}

/** The epoch with the lowest validation loss (first one on ties). */
export function bestPoint(curve: LossCurve): LossPoint {
  let best = curve.points[0]!;
  for (const p of curve.points) if (p.valLoss < best.valLoss) best = p;
  return best;
}

const TRAIN = PALETTE[0];
const VALID = PALETTE[4];
const METRIC_LINE_COLORS = [PALETTE[2], PALETTE[3], PALETTE[1]];
const METRIC_DASH: (string | false)[] = [false, '5 3', '1.5 2.5'];

interface LossDatum {
  step: number;
  stepLabel: string;
  series: string;
  value: number;
}

export const LOSS_LEGEND: LegendItem[] = [
  { label: 'Training loss', color: TRAIN, dash: false },
  { label: 'Validation loss', color: VALID, dash: true },
  { label: 'Best epoch (lowest validation loss)', color: 'currentColor', symbol: 'ring' },
];

export function metricLegend(curve: LossCurve): LegendItem[] {
  const items: LegendItem[] = curve.metricNames.map((m, i) => ({
    label: `Validation ${m === 'AUROC' ? m : m.toLowerCase()}`,
    color: METRIC_LINE_COLORS[i % 3]!,
    dash: METRIC_DASH[i] ?? false,
  }));
  if (curve.source === 'study')
    items.push({ label: 'Collapsed epoch (one class for every image)', color: 'currentColor', symbol: 'times' });
  return items;
}

/** How many epochs of a curve collapsed to one class. */
export function collapseCount(curve: LossCurve): number {
  return curve.points.filter((p) => p.collapse).length;
}

/** Upper panel: train and validation loss, linear or log y. */
export function lossView(curve: LossCurve, scale: 'linear' | 'log' = 'linear'): ChartView {
  const data: LossDatum[] = curve.points.flatMap((p) => [
    { step: p.step, stepLabel: p.stepLabel, series: 'Training loss', value: p.trainLoss },
    { step: p.step, stepLabel: p.stepLabel, series: 'Validation loss', value: p.valLoss },
  ]);
  const best = bestPoint(curve);
  const tip = (d: LossDatum) => `${curve.label}\nepoch ${d.stepLabel}: ${d.series.toLowerCase()} ${dec(d.value)}`;
  const svg = renderPlot(
    {
      height: 250,
      marginLeft: 48,
      marginRight: 16,
      marginBottom: 40,
      x: {
        label: curve.source === 'study' ? 'epoch (0 = frozen epoch)' : 'epoch',
        labelAnchor: 'center',
        labelOffset: 34,
        grid: true,
        tickFormat: (d: number) => (Number.isInteger(d) ? String(d) : ''),
      },
      y: {
        type: scale,
        label: `loss${scale === 'log' ? ' (log scale)' : ''}`,
        grid: true,
        nice: scale === 'linear',
        zero: false,
        ...(scale === 'log' ? { ticks: 4, tickFormat: '~g' } : {}),
      },
      color: { domain: ['Training loss', 'Validation loss'], range: [TRAIN, VALID] },
      marks: [
        Plot.ruleX([best.step], { stroke: 'currentColor', strokeOpacity: 0.5, strokeDasharray: '2 3' }),
        Plot.lineY(
          data.filter((d) => d.series === 'Training loss'),
          { x: 'step', y: 'value', stroke: 'series', strokeWidth: 2 },
        ),
        Plot.lineY(
          data.filter((d) => d.series === 'Validation loss'),
          {
            x: 'step',
            y: 'value',
            stroke: 'series',
            strokeWidth: 2,
            strokeDasharray: '6 3',
          },
        ),
        Plot.dot(data, { x: 'step', y: 'value', fill: 'series', r: 2.5, title: tip }),
        Plot.dot([best], {
          x: 'step',
          y: 'valLoss',
          r: 6,
          stroke: 'currentColor',
          strokeWidth: 2,
          fill: 'none',
          title: (p: LossPoint) => `best epoch ${p.stepLabel}: validation loss ${dec(p.valLoss)}`,
        }),
        Plot.text([best], {
          x: 'step',
          y: 'valLoss',
          text: () => 'best',
          dy: -13,
          textAnchor: best.step > (curve.points.at(-1)?.step ?? 0) * 0.8 ? 'end' : 'middle',
          fill: 'currentColor',
          fontSize: 11,
          stroke: 'var(--chart-surface, white)',
          strokeWidth: 3,
          paintOrder: 'stroke',
        }),
      ],
    },
    { ariaLabel: `Line chart: training and validation loss per epoch for ${curve.label} (${scale} scale)` },
  );
  return { svg, table: lossTable(curve), legend: LOSS_LEGEND, marks: data.length };
}

/** Lower panel: validation metrics per epoch on [0, 1] (shows the study's collapses to recall 0 or 1). */
export function metricView(curve: LossCurve): ChartView {
  const data: LossDatum[] = curve.points.flatMap((p) =>
    curve.metricNames.map((m) => ({ step: p.step, stepLabel: p.stepLabel, series: m, value: p.metrics[m] ?? NaN })),
  );
  const colors = curve.metricNames.map((_, i) => METRIC_LINE_COLORS[i % 3]!);
  const svg = renderPlot(
    {
      height: 150,
      marginLeft: 48,
      marginRight: 16,
      marginBottom: 40,
      x: {
        label: 'epoch',
        labelAnchor: 'center',
        labelOffset: 34,
        grid: true,
        tickFormat: (d: number) => (Number.isInteger(d) ? String(d) : ''),
      },
      y: { domain: [0, 1], label: 'validation metric', grid: true, ticks: 4 },
      color: { domain: curve.metricNames, range: colors },
      marks: [
        Plot.ruleY([0, 1], { strokeOpacity: 0.3 }),
        ...curve.metricNames.map((m, i) =>
          Plot.lineY(
            data.filter((d) => d.series === m),
            {
              x: 'step',
              y: 'value',
              stroke: 'series',
              strokeWidth: 2,
              ...(METRIC_DASH[i] ? { strokeDasharray: METRIC_DASH[i] as string } : {}),
            },
          ),
        ),
        Plot.dot(data, {
          x: 'step',
          y: 'value',
          fill: 'series',
          r: 2.5,
          title: (d: LossDatum) => {
            const p = curve.points.find((q) => q.step === d.step);
            const c = p?.collapse ? ` (collapsed: ${COLLAPSE_TEXT[p.collapse]})` : '';
            return `epoch ${d.stepLabel}: validation ${d.series === 'AUROC' ? d.series : d.series.toLowerCase()} ${dec(d.value)}${c}`;
          },
        }),
        Plot.dot(
          curve.points.filter((p) => p.collapse),
          {
            x: 'step',
            y: (p: LossPoint) => p.metrics[curve.metricNames[0]!] ?? NaN,
            symbol: 'times',
            r: 6,
            stroke: 'currentColor',
            strokeWidth: 1.5,
            title: (p: LossPoint) => `epoch ${p.stepLabel}: collapsed, ${COLLAPSE_TEXT[p.collapse!]}`,
          },
        ),
      ],
    },
    { ariaLabel: `Line chart: validation ${curve.metricNames.join(', ').toLowerCase()} per epoch for ${curve.label}` },
  );
  return { svg, table: lossTable(curve), legend: metricLegend(curve), marks: data.length };
}

/** Every epoch's numbers, the best epoch marked. */
export function lossTable(curve: LossCurve): TableModel {
  const best = bestPoint(curve);
  // the study's logs as published; our runs rounded (losses to 4 decimals, rates to 3; the logs keep full precision)
  const loss = (v: number) => (curve.source === 'study' ? raw(v) : dec(v, 4));
  const rate = (v: number) => (curve.source === 'study' ? raw(v) : dec(v, 3));
  const metricCols =
    curve.source === 'study'
      ? ['Error rate', 'Recall', 'Precision', 'F1']
      : ['AUROC', 'Sensitivity', 'Specificity', 'Precision', 'F1', 'Error rate'];
  return {
    caption: `${curve.label}: per-epoch numbers (best epoch by validation loss marked *)`,
    rowHeader: 'epoch',
    columns: [
      { key: 'epoch', label: 'Epoch' },
      { key: 'train_loss', label: 'Train loss', numeric: true },
      { key: 'val_loss', label: 'Valid loss', numeric: true },
      ...metricCols.map((m) => ({ key: m, label: m, numeric: true })),
      ...(curve.source === 'study' ? [{ key: 'collapse', label: 'Collapsed to' }] : []),
    ],
    rows: curve.points.map((p) => ({
      epoch: `${p.stepLabel}${p === best ? ' *' : ''}`,
      train_loss: loss(p.trainLoss),
      val_loss: loss(p.valLoss),
      ...Object.fromEntries(metricCols.map((m) => [m, p.metrics[m] === undefined ? '' : rate(p.metrics[m]!)])),
      ...(curve.source === 'study'
        ? { collapse: p.collapse === 'all-normal' ? 'all Normal' : p.collapse === 'all-mi' ? 'all MI' : '' }
        : {}),
    })),
  };
}
