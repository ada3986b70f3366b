/**
 * The combined verdict of the demo's two readings (src/lib/model/combine.ts): each reading's logit measured from its
 * own threshold, MI when the mean margin is at or above zero; one reading alone keeps its own verdict.
 */
import { describe, expect, it } from 'vitest';
import { CombineError, combineReadings, logit, sigmoid } from '../../src/lib/model/combine';

describe('combineReadings', () => {
  it('averages the margins: a confident reading outweighs a near miss of the other', () => {
    const v = combineReadings({ p: 0.45, threshold: 0.5 }, { p: 0.6, threshold: 0.15 });
    expect(v.readings).toBe(2);
    expect(v.mi).toBe(true);
    expect(v.margin).toBeCloseTo((logit(0.45) - logit(0.5) + logit(0.6) - logit(0.15)) / 2, 12);
    // shown as the mean logit against the mean threshold logit: the same decision
    expect(v.score!).toBeCloseTo(sigmoid((logit(0.45) + logit(0.6)) / 2), 12);
    expect(v.threshold!).toBeCloseTo(sigmoid((logit(0.5) + logit(0.15)) / 2), 12);
    expect(v.score! >= v.threshold!).toBe(v.mi);
    expect(combineReadings({ p: 0.2, threshold: 0.5 }, { p: 0.16, threshold: 0.15 }).mi).toBe(false);
  });

  it('keeps the image verdict when the picture could not be read back', () => {
    expect(combineReadings({ p: 0.51, threshold: 0.5 }, null)).toMatchObject({ mi: true, readings: 1, score: null });
    expect(combineReadings({ p: 0.49, threshold: 0.5 }, null).mi).toBe(false);
  });

  it('stays finite for saturated readings and refuses values outside (0, 1)', () => {
    expect(Number.isFinite(combineReadings({ p: 1, threshold: 0.5 }, { p: 0, threshold: 0.2 }).margin)).toBe(true);
    expect(() => combineReadings({ p: Number.NaN, threshold: 0.5 }, null)).toThrow(CombineError);
    expect(() => combineReadings({ p: 0.5, threshold: 0.5 }, { p: 0.5, threshold: 1 })).toThrow(CombineError);
  });
});
