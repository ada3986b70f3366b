/**
 * Views for our test-fold evaluations (data/eval/NAME.STYLE.json): ROC and PR curves with the operating point,
 * confusion matrix (counts and rates), calibration, and metrics per image style for every model.
 */
import * as Plot from '@observablehq/plot';
import { thin } from '../model/metrics';
import { dec, int, pct } from './format';
import { PALETTE, colorAt } from './palette';
import { renderPlot } from './render';
import type { ChartView, LegendItem } from './study';
import type { EvalResult, TableModel } from './types';
import { pipelineSignalModel } from '../digitise/pipeline-name';

export function evalLabel(e: EvalResult): string {
  return `${e.model} · ${e.style}`;
}

/** Line patterns, one per image style (solid for the first); with the colour per model every series is distinct. */
export const STYLE_DASHES = ['', '7 3', '2 3', '9 3 2 3', '4 2 1 2 1 2', '12 4'] as const;

export interface SeriesStyle {
  label: string;
  color: string;
  /** SVG dasharray, '' = solid. */
  dash: string;
}

/**
 * How each evaluation is drawn: the colour names the model, the line pattern the image style, so no two series
 * look alike however many there are (a colour per series ran out of palette and repeated).
 */
export function seriesStyles(evals: EvalResult[]): SeriesStyle[] {
  const models = [...new Set(evals.map((e) => e.model))];
  const styles = [...new Set(evals.map((e) => e.style))];
  return evals.map((e) => ({
    label: evalLabel(e),
    color: colorAt(models.indexOf(e.model)),
    dash: STYLE_DASHES[styles.indexOf(e.style) % STYLE_DASHES.length]!,
  }));
}

function seriesLegend(evals: EvalResult[], extra: (e: EvalResult) => string = () => ''): LegendItem[] {
  return seriesStyles(evals).map((s, i) => ({
    label: `${s.label}${extra(evals[i]!)}`,
    color: s.color,
    dash: s.dash || false,
  }));
}

/** "0.891 (0.876–0.905)": an AUROC with its interval, as every table of ours prints it. */
export function aurocWithCi(e: Pick<EvalResult, 'auroc' | 'auroc_ci'>): string {
  return `${dec(e.auroc, 3)} (${dec(e.auroc_ci[0], 3)}–${dec(e.auroc_ci[1], 3)})`;
}

/** Operating-point summary, shared by the ROC and PR tables. */
export function operatingTable(evals: EvalResult[], caption: string): TableModel {
  return {
    caption,
    rowHeader: 'model',
    columns: [
      { key: 'model', label: 'Model · style' },
      { key: 'n', label: 'n', numeric: true },
      { key: 'auroc', label: 'AUROC (95% CI)', numeric: true },
      { key: 'threshold', label: 'Threshold', numeric: true },
      { key: 'sensitivity', label: 'Sensitivity', numeric: true },
      { key: 'specificity', label: 'Specificity', numeric: true },
      { key: 'precision', label: 'Precision', numeric: true },
    ],
    rows: evals.map((e) => ({
      model: evalLabel(e),
      n: int(e.n),
      auroc: aurocWithCi(e),
      threshold: dec(e.threshold, 3),
      sensitivity: pct(e.sensitivity, 1),
      specificity: pct(e.specificity, 1),
      precision: pct(e.precision, 1),
    })),
  };
}

/**
 * The evaluations of models the site ships (`shipped`: names of public/models folders), and of the digitiser
 * pipeline built on a shipped signal model (`digitise-NAME`). The Results chapter's curves use these; the sweep's
 * and superseded models' curves stay on the figures page.
 */
export function shippedEvals(evals: readonly EvalResult[], shipped: readonly string[]): EvalResult[] {
  return evals.filter((e) => shipped.includes(e.model) || shipped.includes(pipelineSignalModel(e.model) ?? ''));
}

/**
 * Curve points per model in the chart's data table: enough to read the curve's shape (about one every 9% of the
 * stored points), not every stored point. At 40, the ROC and PR tables were 600 KB of the Results page's 2.2 MB,
 * and the page's largest paint came within a run's noise of its 1,500 ms budget in CI (1,332/1,900/1,596 ms); at
 * 20, with heartnet-wild-6's curves added, they were 460 KB of the Figures page's 2.9 MB, whose paint then came
 * within the noise again (a median of 1,424 ms of five loads here).
 */
export const TABLE_POINTS_PER_CURVE = 12;

/**
 * The curves as a table, at most TABLE_POINTS_PER_CURVE evenly spread points per curve (first and last kept): with
 * every eval file's 200 stored points the Results page carried megabytes of rows no reader goes through. Every
 * point stays in the evaluation files the caption names.
 */
export function curvePointsTable(evals: EvalResult[], kind: 'roc' | 'pr'): TableModel {
  const cols =
    kind === 'roc'
      ? [
          { key: 'fpr', label: 'False-positive rate', numeric: true },
          { key: 'tpr', label: 'True-positive rate', numeric: true },
        ]
      : [
          { key: 'recall', label: 'Recall', numeric: true },
          { key: 'precision', label: 'Precision', numeric: true },
        ];
  return {
    caption: `${kind === 'roc' ? 'ROC' : 'Precision-recall'} curve points (at most ${TABLE_POINTS_PER_CURVE} per curve, evenly spread; every point is in the evaluation files)`,
    columns: [
      { key: 'model', label: 'Model · style' },
      { key: 'threshold', label: 'Threshold', numeric: true },
      ...cols,
    ],
    rows: evals.flatMap((e) =>
      (kind === 'roc' ? thin(e.roc, TABLE_POINTS_PER_CURVE) : thin(e.pr, TABLE_POINTS_PER_CURVE)).map((p) => ({
        model: evalLabel(e),
        threshold: dec(p.threshold, 3),
        ...Object.fromEntries(cols.map((c) => [c.key, dec((p as unknown as Record<string, number>)[c.key]!, 3)])),
      })),
    ),
  };
}

interface CurveDatum {
  label: string;
  x: number;
  y: number;
  threshold: number;
}

/**
 * Hover points per curve: each is a circle with a tooltip written into the page's HTML, so every stored point of
 * every model on every style (200 each) made the Results and Figures pages megabytes heavier and slower to paint.
 * The line itself is still drawn through every stored point. As many as in the data table (the same spread of the
 * stored points): at 50 the tooltips were 42 KB of each 79 KB ROC chart, and with heartnet-wild-6's curves added the
 * Figures page (3.16 MB) went over its 1,500 ms LCP budget in CI (median 1,648 ms of five loads).
 */
export const HOVER_POINTS_PER_CURVE = TABLE_POINTS_PER_CURVE;

function curveChart(evals: EvalResult[], kind: 'roc' | 'pr'): { svg: string; marks: number } {
  const series = seriesStyles(evals);
  const labels = series.map((x) => x.label);
  const colors = series.map((x) => x.color);
  const curves: CurveDatum[][] = evals.map((e) =>
    kind === 'roc'
      ? [...e.roc]
          .sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr)
          .map((p) => ({ label: evalLabel(e), x: p.fpr, y: p.tpr, threshold: p.threshold }))
      : [...e.pr]
          .sort((a, b) => a.recall - b.recall || b.precision - a.precision)
          .map((p) => ({ label: evalLabel(e), x: p.recall, y: p.precision, threshold: p.threshold })),
  );
  const lines = curves.flat();
  const hover = curves.flatMap((c) => thin(c, HOVER_POINTS_PER_CURVE));
  const ops: CurveDatum[] = evals.map((e) => ({
    label: evalLabel(e),
    x: kind === 'roc' ? 1 - e.specificity : e.sensitivity,
    y: kind === 'roc' ? e.sensitivity : e.precision,
    threshold: e.threshold,
  }));
  const prevalence = evals.map((e) => ({ label: evalLabel(e), y: (e.confusion.tp + e.confusion.fn) / e.n }));
  const svg = renderPlot(
    {
      height: 380,
      marginLeft: 48,
      marginRight: 16,
      marginBottom: 44,
      x: {
        domain: [0, 1],
        grid: true,
        label: kind === 'roc' ? 'false-positive rate (1 − specificity)' : 'recall (sensitivity)',
        labelAnchor: 'center',
        labelOffset: 36,
      },
      y: { domain: [0, 1], grid: true, label: kind === 'roc' ? 'true-positive rate (sensitivity)' : 'precision' },
      color: { domain: labels, range: colors },
      marks: [
        kind === 'roc'
          ? Plot.line(
              [
                [0, 0],
                [1, 1],
              ],
              { strokeDasharray: '4 4', strokeOpacity: 0.6 },
            )
          : Plot.ruleY(prevalence, { y: 'y', stroke: 'label', strokeDasharray: '4 4', strokeOpacity: 0.8 }),
        ...series.map((sr) =>
          Plot.line(
            lines.filter((d) => d.label === sr.label),
            {
              x: 'x',
              y: 'y',
              stroke: 'label',
              strokeWidth: 2,
              strokeDasharray: sr.dash || undefined,
              curve: kind === 'roc' ? 'step-after' : 'linear',
            },
          ),
        ),
        Plot.dot(hover, {
          x: 'x',
          y: 'y',
          r: 6,
          fill: 'transparent',
          title: (d: CurveDatum) =>
            `${d.label}\nthreshold ${dec(d.threshold, 3)}: ${kind === 'roc' ? `FPR ${dec(d.x, 3)}, TPR ${dec(d.y, 3)}` : `recall ${dec(d.x, 3)}, precision ${dec(d.y, 3)}`}`,
        }),
        Plot.dot(ops, {
          x: 'x',
          y: 'y',
          r: 6,
          fill: 'label',
          stroke: 'var(--chart-surface, white)',
          strokeWidth: 1.5,
          symbol: 'diamond',
          title: (d: CurveDatum) =>
            `${d.label}\noperating point, threshold ${dec(d.threshold, 3)}: ${kind === 'roc' ? `sensitivity ${pct(d.y, 1)}, specificity ${pct(1 - d.x, 1)}` : `recall ${pct(d.x, 1)}, precision ${pct(d.y, 1)}`}`,
        }),
      ],
    },
    {
      ariaLabel:
        kind === 'roc'
          ? `ROC curves of ${labels.join(', ')}, with each operating point`
          : `Precision-recall curves of ${labels.join(', ')}, with each operating point`,
    },
  );
  return { svg, marks: lines.length };
}

export const OPERATING_POINT_LEGEND: LegendItem = {
  label: 'Operating point (chosen threshold)',
  color: 'currentColor',
  symbol: 'diamond',
};

export function rocView(evals: EvalResult[]): ChartView {
  const { svg, marks } = curveChart(evals, 'roc');
  return {
    svg,
    marks,
    table: operatingTable(evals, 'ROC summary and operating points'),
    legend: [...seriesLegend(evals, (e) => ` (AUROC ${dec(e.auroc, 3)})`), OPERATING_POINT_LEGEND],
  };
}

export function prView(evals: EvalResult[]): ChartView {
  const { svg, marks } = curveChart(evals, 'pr');
  return {
    svg,
    marks,
    table: operatingTable(evals, 'Precision-recall operating points'),
    legend: [
      ...seriesLegend(evals),
      OPERATING_POINT_LEGEND,
      { label: 'Share of MI (a random guess)', color: 'currentColor', dash: true },
    ],
  };
}

interface Cell {
  actual: string;
  predicted: string;
  count: number;
  rate: number;
  name: string;
}

/** Confusion-matrix cells with row rates (of the actual class). */
export function confusionCells(e: EvalResult): Cell[] {
  const { tp, fp, tn, fn } = e.confusion;
  const pos = tp + fn;
  const neg = tn + fp;
  const r = (v: number, d: number) => (d === 0 ? 0 : v / d);
  return [
    { actual: 'MI', predicted: 'MI', count: tp, rate: r(tp, pos), name: 'true positives (sensitivity)' },
    { actual: 'MI', predicted: 'Normal', count: fn, rate: r(fn, pos), name: 'false negatives (missed MI)' },
    { actual: 'Normal', predicted: 'MI', count: fp, rate: r(fp, neg), name: 'false positives (false alarms)' },
    { actual: 'Normal', predicted: 'Normal', count: tn, rate: r(tn, neg), name: 'true negatives (specificity)' },
  ];
}

export function confusionView(e: EvalResult): ChartView {
  const cells = confusionCells(e);
  const svg = renderPlot(
    {
      height: 250,
      marginLeft: 80,
      marginTop: 40,
      marginBottom: 16,
      x: { domain: ['MI', 'Normal'], axis: 'top', label: 'predicted', labelAnchor: 'center', tickSize: 0 },
      y: { domain: ['MI', 'Normal'], label: 'actual', labelAnchor: 'center', tickSize: 0 },
      opacity: { domain: [0, 1], range: [0.08, 0.85] },
      marks: [
        Plot.cell(cells, {
          x: 'predicted',
          y: 'actual',
          fill: PALETTE[0],
          fillOpacity: 'rate',
          inset: 1,
          title: (c: Cell) =>
            `actual ${c.actual}, predicted ${c.predicted}: ${int(c.count)} ${c.name}, ${pct(c.rate, 1)} of actual ${c.actual}`,
        }),
        Plot.text(cells, {
          x: 'predicted',
          y: 'actual',
          text: (c: Cell) => `${int(c.count)}\n${pct(c.rate, 1)}`,
          fontSize: 15,
          fontWeight: 600,
          fill: 'currentColor',
          stroke: 'var(--chart-surface, white)',
          strokeWidth: 4,
          paintOrder: 'stroke',
          lineHeight: 1.3,
        }),
      ],
    },
    { ariaLabel: `Confusion matrix of ${evalLabel(e)} on ${int(e.n)} test images` },
  );
  return {
    svg,
    marks: cells.length,
    legend: [],
    table: {
      caption: `Confusion matrix of ${evalLabel(e)} (rates are shares of the actual class)`,
      rowHeader: 'actual',
      columns: [
        { key: 'actual', label: 'Actual' },
        { key: 'pred_mi', label: 'Predicted MI', numeric: true },
        { key: 'pred_normal', label: 'Predicted Normal', numeric: true },
        { key: 'rate_mi', label: 'Rate predicted MI', numeric: true },
        { key: 'rate_normal', label: 'Rate predicted Normal', numeric: true },
      ],
      rows: ['MI', 'Normal'].map((a) => {
        const mi = cells.find((c) => c.actual === a && c.predicted === 'MI')!;
        const no = cells.find((c) => c.actual === a && c.predicted === 'Normal')!;
        return {
          actual: a,
          pred_mi: mi.count,
          pred_normal: no.count,
          rate_mi: pct(mi.rate, 1),
          rate_normal: pct(no.rate, 1),
        };
      }),
    },
  };
}

interface CalDatum {
  label: string;
  mean_pred: number;
  frac_pos: number;
  n: number;
  bin: string;
}

export function calibrationView(evals: EvalResult[]): ChartView {
  const series = seriesStyles(evals);
  const labels = series.map((x) => x.label);
  const colors = series.map((x) => x.color);
  const data: CalDatum[] = evals.flatMap((e) =>
    e.calibration
      .filter((b) => b.n > 0)
      .map((b) => ({
        label: evalLabel(e),
        mean_pred: b.mean_pred,
        frac_pos: b.frac_pos,
        n: b.n,
        bin: `${dec(b.bin_lo, 2)}–${dec(b.bin_hi, 2)}`,
      })),
  );
  const svg = renderPlot(
    {
      height: 380,
      marginLeft: 48,
      marginRight: 16,
      marginBottom: 44,
      x: {
        domain: [0, 1],
        grid: true,
        label: "mean score in the bin (the model's output)",
        labelAnchor: 'center',
        labelOffset: 36,
      },
      y: { domain: [0, 1], grid: true, label: 'observed share of MI' },
      r: { range: [2.5, 9] },
      color: { domain: labels, range: colors },
      marks: [
        Plot.line(
          [
            [0, 0],
            [1, 1],
          ],
          { strokeDasharray: '4 4', strokeOpacity: 0.6 },
        ),
        ...series.map((sr) =>
          Plot.line(
            data.filter((d) => d.label === sr.label),
            { x: 'mean_pred', y: 'frac_pos', stroke: 'label', strokeWidth: 1.5, strokeDasharray: sr.dash || undefined },
          ),
        ),
        Plot.dot(data, {
          x: 'mean_pred',
          y: 'frac_pos',
          r: 'n',
          fill: 'label',
          fillOpacity: 0.85,
          title: (d: CalDatum) =>
            `${d.label}\nbin ${d.bin} (n = ${int(d.n)}): mean score ${dec(d.mean_pred, 3)}, observed share of MI ${dec(d.frac_pos, 3)}`,
        }),
      ],
    },
    { ariaLabel: `Calibration plot of ${labels.join(', ')}: observed share of MI against the model's score` },
  );
  return {
    svg,
    marks: data.length,
    legend: [...seriesLegend(evals), { label: 'Perfect calibration', color: 'currentColor', dash: true }],
    table: {
      caption: 'Calibration bins',
      columns: [
        { key: 'model', label: 'Model · style' },
        { key: 'bin', label: 'Bin' },
        { key: 'n', label: 'n', numeric: true },
        { key: 'mean_pred', label: 'Mean score', numeric: true },
        { key: 'frac_pos', label: 'Observed share MI', numeric: true },
      ],
      rows: evals.flatMap((e) =>
        e.calibration.map((b) => ({
          model: evalLabel(e),
          bin: `${dec(b.bin_lo, 1)}–${dec(b.bin_hi, 1)}`,
          n: b.n,
          mean_pred: dec(b.mean_pred, 3),
          frac_pos: dec(b.frac_pos, 3),
        })),
      ),
    },
  };
}

export const STYLE_METRICS = [
  { key: 'auroc', label: 'AUROC' },
  { key: 'sensitivity', label: 'Sensitivity' },
  { key: 'specificity', label: 'Specificity' },
  { key: 'f1', label: 'F1' },
] as const;

interface StyleDatum {
  model: string;
  style: string;
  metric: string;
  value: number;
}

/** Every model's metrics on every image style (dataset2, printout, photo, ...). */
export function perStyleView(evals: EvalResult[], styleOrder: string[] = ['dataset2', 'printout', 'photo']): ChartView {
  const models = [...new Set(evals.map((e) => e.model))];
  const present = [...new Set(evals.map((e) => e.style))];
  const styles = [...styleOrder.filter((s) => present.includes(s)), ...present.filter((s) => !styleOrder.includes(s))];
  const data: StyleDatum[] = evals.flatMap((e) =>
    STYLE_METRICS.map(({ key, label }) => ({ model: e.model, style: e.style, metric: label, value: e[key] })),
  );
  const colors = models.map((_, i) => colorAt(i));
  const svg = renderPlot(
    {
      height: STYLE_METRICS.length * (styles.length * 22 + 34) + 50,
      marginLeft: 80,
      marginRight: 16,
      marginTop: 24,
      marginBottom: 44,
      x: { domain: [0, 1], grid: true, label: 'value (fraction, 0 to 1)', labelAnchor: 'center', labelOffset: 36 },
      y: { domain: styles, label: null, tickSize: 0 },
      fy: { domain: STYLE_METRICS.map((m) => m.label), axis: null, padding: 0.3 },
      color: { domain: models, range: colors },
      symbol: { domain: models, range: ['circle', 'diamond', 'square', 'triangle', 'star', 'cross'] },
      marks: [
        Plot.text(
          STYLE_METRICS.map((m) => m.label),
          {
            fy: (d: string) => d,
            text: (d: string) => d,
            frameAnchor: 'top-left',
            lineAnchor: 'bottom',
            dx: -76,
            dy: -4,
            fontWeight: 600,
            textAnchor: 'start',
            fill: 'currentColor',
          },
        ),
        Plot.ruleY(data, { y: 'style', fy: 'metric', strokeOpacity: 0.15 }),
        Plot.dot(data, {
          x: 'value',
          y: 'style',
          fy: 'metric',
          fill: 'model',
          symbol: 'model',
          r: 5,
          title: (d: StyleDatum) => `${d.model} on ${d.style}: ${d.metric} ${dec(d.value, 3)}`,
        }),
      ],
    },
    { ariaLabel: `Dot plot: AUROC, sensitivity, specificity and F1 of ${models.join(', ')} on each image style` },
  );
  const symbols = ['dot', 'diamond', 'square', 'triangle', 'star', 'cross'];
  return {
    svg,
    marks: data.length,
    legend: models.map((m, i) => ({ label: m, color: colors[i]!, symbol: symbols[i % symbols.length] })),
    table: {
      caption: 'Test-fold metrics per model and image style',
      columns: [
        { key: 'model', label: 'Model' },
        { key: 'style', label: 'Style' },
        { key: 'n', label: 'n', numeric: true },
        ...STYLE_METRICS.map((m) => ({ key: m.key, label: m.label, numeric: true })),
        { key: 'accuracy', label: 'Accuracy', numeric: true },
      ],
      rows: evals.map((e) => ({
        model: e.model,
        style: e.style,
        n: e.n,
        auroc: dec(e.auroc, 3),
        sensitivity: dec(e.sensitivity, 3),
        specificity: dec(e.specificity, 3),
        f1: dec(e.f1, 3),
        accuracy: dec(e.accuracy, 3),
      })),
    },
  };
}
