import { describe, expect, it } from 'vitest';
import {
  atThreshold,
  auroc,
  bootstrapAurocCI,
  calibrationBins,
  chooseThreshold,
  curves,
  MetricsError,
  thin,
} from '../../src/lib/model/metrics';

describe('metrics', () => {
  it('AUROC: perfect, inverted, all tied, and a hand-worked case', () => {
    expect(auroc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(auroc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(auroc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    // pairs (pos, neg): (0.4 vs 0.1 win, 0.4 vs 0.4 tie, 0.4 vs 0.7 loss, 0.8 wins all 3) = (1 + 0.5 + 0 + 3) / 6
    expect(auroc([1, 0, 0, 1, 0], [0.4, 0.1, 0.4, 0.8, 0.7])).toBeCloseTo(4.5 / 6, 12);
    expect(auroc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('confusion and ratios at a threshold (p >= t is positive)', () => {
    const m = atThreshold([1, 1, 0, 0, 1], [0.9, 0.5, 0.5, 0.1, 0.2], 0.5);
    expect(m).toMatchObject({ tp: 2, fp: 1, tn: 1, fn: 1 });
    expect(m.sensitivity).toBeCloseTo(2 / 3);
    expect(m.specificity).toBeCloseTo(1 / 2);
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.accuracy).toBeCloseTo(3 / 5);
    expect(m.f1).toBeCloseTo(2 / 3);
    const none = atThreshold([0, 1], [0.1, 0.2], 0.9);
    expect(none.precision).toBe(0);
    expect(none.f1).toBe(0);
  });

  it('threshold rules', () => {
    const y = [0, 0, 0, 1, 1, 1];
    const s = [0.1, 0.2, 0.6, 0.4, 0.7, 0.9];
    expect(chooseThreshold(y, s, 'youden')).toBe(0.7); // J = 2/3 at 0.7 (first max from the top), also at 0.4
    expect(chooseThreshold(y, s, 'sensitivity', 1)).toBe(0.4);
  });

  it('refuses mismatched or invalid input', () => {
    expect(() => auroc([0, 1], [0.1])).toThrow(MetricsError);
    expect(() => auroc([0, 2], [0.1, 0.2])).toThrow(/label 1 is 2/);
    expect(() => auroc([0, 1], [0.1, NaN])).toThrow(/not a finite number/);
  });

  it('bootstrap CI is reproducible, brackets the estimate, and narrows with n', () => {
    const rnd = (i: number) => ((i * 2654435761) % 1000) / 1000;
    const mk = (n: number) => {
      const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
      const s = y.map((l, i) => 0.3 * l + 0.7 * rnd(i));
      return { y, s };
    };
    const a = mk(150);
    const ci = bootstrapAurocCI(a.y, a.s, { resamples: 300, seed: 3 });
    expect(bootstrapAurocCI(a.y, a.s, { resamples: 300, seed: 3 })).toEqual(ci);
    const est = auroc(a.y, a.s);
    expect(ci[0]).toBeLessThan(est);
    expect(ci[1]).toBeGreaterThan(est);
    const b = mk(1500);
    const ci2 = bootstrapAurocCI(b.y, b.s, { resamples: 300, seed: 3 });
    expect(ci2[1] - ci2[0]).toBeLessThan(ci[1] - ci[0]);
  });

  it('ROC/PR curves run from (0,0) to (1,1); trapezoid area equals the AUROC', () => {
    const y = [1, 0, 0, 1, 0, 1, 0, 0];
    const s = [0.9, 0.8, 0.8, 0.6, 0.5, 0.5, 0.2, 0.1];
    const { roc, pr } = curves(y, s);
    expect(roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    let area = 0;
    for (let i = 1; i < roc.length; i++)
      area += ((roc[i]!.fpr - roc[i - 1]!.fpr) * (roc[i]!.tpr + roc[i - 1]!.tpr)) / 2;
    expect(area).toBeCloseTo(auroc(y, s), 12);
    expect(pr.at(-1)).toMatchObject({ recall: 1, precision: 3 / 8 });
    expect(thin(roc, 3)).toEqual([roc[0], roc[Math.round((roc.length - 1) / 2)], roc.at(-1)]);
  });

  it('calibration bins count every prediction once', () => {
    const bins = calibrationBins([0, 1, 1, 0, 1], [0.05, 0.15, 0.95, 1.0, 0.5], 10);
    expect(bins).toHaveLength(10);
    expect(bins.reduce((a, b) => a + b.n, 0)).toBe(5);
    expect(bins[9]).toMatchObject({ n: 2, frac_pos: 0.5, mean_pred: 0.975 });
    expect(bins[3]).toMatchObject({ n: 0, frac_pos: 0, mean_pred: 0 });
    expect(() => calibrationBins([1], [1.2])).toThrow(/outside/);
  });
});
