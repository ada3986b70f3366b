/**
 * The combined verdict of the demo's two readings (src/lib/model/combine.ts): each reading's logit measured from its
 * own threshold, MI when the mean margin reaches the verdict's threshold; one reading alone keeps its own verdict.
 */
import { describe, expect, it } from 'vitest';
import { CombineError, combineReadings, logit, parseVerdictFile, sigmoid } from '../../src/lib/model/combine';

describe('combineReadings', () => {
  it('averages the margins: a confident reading outweighs a near miss of the other', () => {
    const v = combineReadings({ p: 0.45, threshold: 0.5 }, { p: 0.6, threshold: 0.15 }, 0);
    expect(v.readings).toBe(2);
    expect(v.mi).toBe(true);
    expect(v.margin).toBeCloseTo((logit(0.45) - logit(0.5) + logit(0.6) - logit(0.15)) / 2, 12);
    // shown as the mean logit against the mean threshold logit: the same decision
    expect(v.score!).toBeCloseTo(sigmoid((logit(0.45) + logit(0.6)) / 2), 12);
    expect(v.threshold!).toBeCloseTo(sigmoid((logit(0.5) + logit(0.15)) / 2), 12);
    expect(v.score! >= v.threshold!).toBe(v.mi);
    expect(combineReadings({ p: 0.2, threshold: 0.5 }, { p: 0.16, threshold: 0.15 }, 0).mi).toBe(false);
  });

  it('keeps the image verdict when the picture could not be read back', () => {
    expect(combineReadings({ p: 0.51, threshold: 0.5 }, null, 0)).toMatchObject({ mi: true, readings: 1, score: null });
    expect(combineReadings({ p: 0.49, threshold: 0.5 }, null, 0).mi).toBe(false);
  });

  it('stays finite for saturated readings and refuses values outside (0, 1)', () => {
    expect(Number.isFinite(combineReadings({ p: 1, threshold: 0.5 }, { p: 0, threshold: 0.2 }, 0).margin)).toBe(true);
    expect(() => combineReadings({ p: Number.NaN, threshold: 0.5 }, null, 0)).toThrow(CombineError);
    expect(() => combineReadings({ p: 0.5, threshold: 0.5 }, { p: 0.5, threshold: 1 }, 0)).toThrow(CombineError);
  });

  it("compares two readings' mean margin with the verdict's threshold, and shows that threshold in the score's terms", () => {
    const image = { p: 0.6, threshold: 0.5 };
    const signal = { p: 0.3, threshold: 0.15 };
    const mean = (logit(0.6) - logit(0.5) + logit(0.3) - logit(0.15)) / 2;
    const above = combineReadings(image, signal, mean - 0.01);
    const below = combineReadings(image, signal, mean + 0.01);
    expect([above.mi, below.mi]).toEqual([true, false]);
    expect(below.margin).toBeCloseTo(-0.01, 12);
    for (const v of [above, below]) expect(v.score! >= v.threshold!).toBe(v.mi);
    // one reading: the image model's own threshold, whatever the verdict's
    expect(combineReadings({ p: 0.51, threshold: 0.5 }, null, 5).mi).toBe(true);
    expect(() => combineReadings(image, signal, Number.NaN)).toThrow(CombineError);
  });
});

describe('parseVerdictFile', () => {
  const ok = { image_model: 'a', signal_model: 'digitise-b', margin_threshold: 0.4, threshold_rule: 'youden', fold: 9 };
  it('reads a verdict chosen on fold 9 and refuses any other', () => {
    expect(parseVerdictFile(ok, 'v.json').margin_threshold).toBe(0.4);
    expect(() => parseVerdictFile({ ...ok, fold: 10 }, 'v.json')).toThrow(/chosen on fold 10, not on fold 9/);
    expect(() => parseVerdictFile({ ...ok, margin_threshold: 'x' }, 'v.json')).toThrow(/no margin_threshold/);
  });
});
