/**
 * Views for the study's published tables (figs. 6, 7, 8, 13): grouped horizontal bars of error rate, recall,
 * precision and F1. Views take plain arrays (from data.ts) and return an SVG string plus the same numbers as a table.
 */
import * as Plot from '@observablehq/plot';
import { archLabel, dec, pct, raw } from './format';
import { METRIC_COLORS } from './palette';
import { renderPlot } from './render';
import type { StudyDatasetRow, StudyFinalRow, StudyMetricRow, TableModel } from './types';

export interface LegendItem {
  label: string;
  color: string;
  /** Line swatch for line charts: false = solid, true = dashed, or an SVG dasharray; bars leave it out. */
  dash?: boolean | string;
  /** Marker swatch instead: "dot", "ring", "diamond", "square", "triangle". */
  symbol?: string;
}

export interface ChartView {
  svg: string;
  table: TableModel;
  legend: LegendItem[];
  /** Number of data marks drawn (bars/points), handy for tests. */
  marks: number;
}

export const METRICS = [
  { key: 'errorRate', label: 'Error rate' },
  { key: 'recall', label: 'Recall' },
  { key: 'precision', label: 'Precision' },
  { key: 'f1', label: 'F1' },
] as const;

type MetricKey = (typeof METRICS)[number]['key'];
type MetricValues = Record<MetricKey, number>;

interface BarDatum {
  group: string;
  metric: string;
  value: number;
  text: string;
}

function fmtMetric(key: MetricKey, v: number): string {
  return key === 'f1' ? dec(v, 3) : pct(v, 1);
}

/** Grouped horizontal bars: one group per row, one bar per metric. */
export function metricBarsView(
  groups: { group: string; values: MetricValues }[],
  opts: { ariaLabel: string; groupLabel: string; table: TableModel },
): ChartView {
  const data: BarDatum[] = groups.flatMap(({ group, values }) =>
    METRICS.map(({ key, label }) => ({
      group,
      metric: label,
      value: values[key],
      text: fmtMetric(key, values[key]),
    })),
  );
  const labels = METRICS.map((m) => m.label);
  const colors = labels.map((l) => METRIC_COLORS[l]!);
  const svg = renderPlot(
    {
      height: groups.length * (labels.length * 15 + 30) + 60,
      marginLeft: 8,
      marginRight: 56,
      marginTop: 26,
      marginBottom: 44,
      x: {
        domain: [0, 1],
        grid: true,
        label: 'value (fraction, 0 to 1)',
        labelAnchor: 'center',
        labelOffset: 36,
        tickFormat: (d: number) => String(d),
      },
      y: { domain: labels, axis: null, paddingInner: 0.12 },
      fy: { domain: groups.map((g) => g.group), axis: null, padding: 0.34 },
      color: { domain: labels, range: colors },
      marks: [
        Plot.text(groups, {
          fy: 'group',
          text: 'group',
          frameAnchor: 'top-left',
          lineAnchor: 'bottom',
          dy: -4,
          fontWeight: 600,
          fill: 'currentColor',
        }),
        Plot.barX(data, {
          x: 'value',
          y: 'metric',
          fy: 'group',
          fill: 'metric',
          title: (d: BarDatum) => `${d.group}: ${d.metric} ${d.text}`,
        }),
        Plot.text(data, {
          x: 'value',
          y: 'metric',
          fy: 'group',
          text: 'text',
          textAnchor: 'start',
          dx: 4,
          fill: 'currentColor',
          fontSize: 11,
        }),
        Plot.ruleX([0]),
      ],
    },
    { ariaLabel: opts.ariaLabel },
  );
  return {
    svg,
    table: opts.table,
    legend: labels.map((l, i) => ({ label: l, color: colors[i]! })),
    marks: data.length,
  };
}

const METRIC_COLUMNS = [
  { key: 'error_rate', label: 'Error rate', numeric: true },
  { key: 'recall', label: 'Recall', numeric: true },
  { key: 'precision', label: 'Precision', numeric: true },
  { key: 'f1', label: 'F1', numeric: true },
];

function metricCells(r: MetricValues): Record<string, string> {
  return { error_rate: raw(r.errorRate), recall: raw(r.recall), precision: raw(r.precision), f1: raw(r.f1) };
}

/** Rows of `a` whose four metrics (and best epoch) equal a row of `b` to within rounding of the last digit. */
export function findRepeatedRows(
  a: StudyMetricRow[],
  b: StudyMetricRow[],
  tol = 1.5e-4,
): { a: StudyMetricRow; b: StudyMetricRow }[] {
  const out: { a: StudyMetricRow; b: StudyMetricRow }[] = [];
  for (const ra of a) {
    for (const rb of b) {
      if (ra.architecture !== rb.architecture) continue;
      const same = METRICS.every(({ key }) => Math.abs(ra[key] - rb[key]) <= tol) && ra.bestEpoch === rb.bestEpoch;
      if (same) out.push({ a: ra, b: rb });
    }
  }
  return out;
}

/** fig. 6: architecture comparison at batch 16. Rows in `flagged` get an asterisk. */
export function architectureView(rows: StudyMetricRow[], flagged: StudyMetricRow[] = []): ChartView {
  const name = (r: StudyMetricRow) => `${archLabel(r.architecture)}${flagged.includes(r) ? ' *' : ''}`;
  return metricBarsView(
    rows.map((r) => ({ group: name(r), values: r })),
    {
      ariaLabel: 'Bar chart: error rate, recall, precision and F1 for each ResNet architecture at batch size 16',
      groupLabel: 'Architecture',
      table: {
        rowHeader: 'architecture',
        columns: [
          { key: 'architecture', label: 'Architecture' },
          { key: 'batch_size', label: 'Batch size', numeric: true },
          { key: 'best_epoch', label: 'Best epoch', numeric: true },
          ...METRIC_COLUMNS,
        ],
        rows: rows.map((r) => ({
          architecture: name(r),
          batch_size: r.batchSize,
          best_epoch: r.bestEpoch,
          ...metricCells(r),
        })),
      },
    },
  );
}

/** fig. 7: batch sizes (architecture named with each, since it changes at 32, 64, 128). */
export function batchSizeView(rows: StudyMetricRow[], flagged: StudyMetricRow[] = []): ChartView {
  const name = (r: StudyMetricRow) =>
    `Batch ${r.batchSize} (${archLabel(r.architecture)})${flagged.includes(r) ? ' *' : ''}`;
  return metricBarsView(
    rows.map((r) => ({ group: name(r), values: r })),
    {
      ariaLabel: 'Bar chart: error rate, recall, precision and F1 for each batch size',
      groupLabel: 'Batch size',
      table: {
        rowHeader: 'batch_size',
        columns: [
          { key: 'batch_size', label: 'Batch size', numeric: true },
          { key: 'architecture', label: 'Architecture' },
          { key: 'best_epoch', label: 'Best epoch', numeric: true },
          ...METRIC_COLUMNS,
        ],
        rows: rows.map((r) => ({
          batch_size: `${r.batchSize}${flagged.includes(r) ? ' *' : ''}`,
          architecture: archLabel(r.architecture),
          best_epoch: r.bestEpoch,
          ...metricCells(r),
        })),
      },
    },
  );
}

/** fig. 8: final 25-epoch runs on all of dataset 2. */
export function finalRunsView(rows: StudyFinalRow[]): ChartView {
  const name = (r: StudyFinalRow) => `${archLabel(r.architecture)}, batch ${r.batchSize}`;
  return metricBarsView(
    rows.map((r) => ({ group: name(r), values: r })),
    {
      ariaLabel: 'Bar chart: error rate, recall, precision and F1 of the four final runs',
      groupLabel: 'Run',
      table: {
        rowHeader: 'run',
        columns: [
          { key: 'run', label: 'Run' },
          { key: 'epochs', label: 'Epochs', numeric: true },
          { key: 'best_epoch', label: 'Best epoch', numeric: true },
          { key: 'train_loss', label: 'Train loss', numeric: true },
          { key: 'valid_loss', label: 'Valid loss', numeric: true },
          ...METRIC_COLUMNS,
        ],
        rows: rows.map((r) => ({
          run: name(r),
          epochs: r.epochs,
          best_epoch: r.bestEpoch,
          train_loss: raw(r.trainLoss),
          valid_loss: raw(r.validLoss),
          ...metricCells(r),
        })),
      },
    },
  );
}

/** fig. 13: the three image datasets. */
export function datasetView(rows: StudyDatasetRow[]): ChartView {
  const name = (r: StudyDatasetRow) => `Dataset ${r.dataset}`;
  return metricBarsView(
    rows.map((r) => ({ group: name(r), values: r })),
    {
      ariaLabel: 'Bar chart: error rate, recall, precision and F1 for datasets 1, 2 and 3',
      groupLabel: 'Dataset',
      table: {
        rowHeader: 'dataset',
        columns: [{ key: 'dataset', label: 'Dataset' }, { key: 'description', label: 'Images' }, ...METRIC_COLUMNS],
        rows: rows.map((r) => ({ dataset: name(r), description: r.description, ...metricCells(r) })),
      },
    },
  );
}
