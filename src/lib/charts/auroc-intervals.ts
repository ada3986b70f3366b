/**
 * The dot-and-interval plot shared by "Images we did not draw" (external.ts: models on our renders vs
 * ECG-Image-Kit's) and "Two readings" (digitise.ts: the image model vs digitiser + signal model): one row per set
 * of pictures, one symbol per series, the 95% interval as a bar, chance marked at 0.5.
 */
import * as Plot from '@observablehq/plot';
import { dec } from './format';
import { colorAt } from './palette';
import { renderPlot } from './render';
import type { ChartView } from './study';

export interface AurocInterval {
  set: string;
  auroc: number;
  lo: number;
  hi: number;
}

const SYMBOLS = ['circle', 'diamond', 'square', 'triangle'];
const LEGEND_SYMBOLS = ['dot', 'diamond', 'square', 'triangle'];
/** The x axis starts here; an interval reaching below it (a handful of pictures) is cut at the edge. */
const X_MIN = 0.4;

export function aurocIntervalPlot<R extends AurocInterval>(opts: {
  rows: readonly R[];
  /** The row's series (model or reader): its colour and symbol. */
  series: keyof R & string;
  sets: readonly string[];
  rowHeight: number;
  marginLeft: number;
  /** Size of the row's sample, for the hover text. */
  n: (d: R) => number;
  ariaLabel: string;
}): Pick<ChartView, 'svg' | 'legend'> {
  const { rows, series } = opts;
  const names = [...new Set(rows.map((r) => String(r[series])))];
  const colors = names.map((_, i) => colorAt(i));
  const svg = renderPlot(
    {
      height: opts.sets.length * opts.rowHeight + 70,
      marginLeft: opts.marginLeft,
      marginRight: 20,
      marginBottom: 44,
      x: {
        domain: [X_MIN, 1],
        grid: true,
        label: 'MI AUROC (95% CI); 0.5 = chance',
        labelAnchor: 'center',
        labelOffset: 36,
      },
      y: { domain: [...opts.sets], label: null, tickSize: 0 },
      color: { domain: names, range: colors },
      symbol: { domain: names, range: SYMBOLS },
      marks: [
        Plot.ruleX([0.5], { strokeDasharray: '3 3', strokeOpacity: 0.6 }),
        // one pair of marks per series, nudged apart vertically so their intervals do not overlap
        ...names.flatMap((name, i) => {
          const mine = rows.filter((r) => String(r[series]) === name);
          const dy = (i - (names.length - 1) / 2) * 7;
          return [
            Plot.ruleY(mine, {
              y: 'set',
              x1: (d: R) => Math.max(X_MIN, d.lo),
              x2: 'hi',
              stroke: series,
              dy,
              strokeWidth: 2,
            }),
            Plot.dot(mine, {
              x: 'auroc',
              y: 'set',
              fill: series,
              symbol: series,
              r: 4.5,
              dy,
              title: (d: R) =>
                `${name}, ${d.set}: AUROC ${dec(d.auroc, 3)} (${dec(d.lo, 3)}–${dec(d.hi, 3)}), n ${opts.n(d)}`,
            }),
          ];
        }),
      ],
    },
    { ariaLabel: opts.ariaLabel },
  );
  return {
    svg,
    legend: names.map((label, i) => ({ label, color: colors[i]!, symbol: LEGEND_SYMBOLS[i] ?? 'dot' })),
  };
}
