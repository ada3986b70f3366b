import { describe, expect, it } from 'vitest';
import { median, medianOrNull, spearman } from '../../src/lib/stats';

describe('median (src/lib/stats.ts)', () => {
  it('middle value, or the mean of the two middle ones; NaN ignored, infinities kept; NaN for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5, 1])).toBe(3);
    expect(median([1, Infinity, Infinity])).toBe(Infinity);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
    const xs = [5, 3, 9];
    median(xs);
    expect(xs).toEqual([5, 3, 9]); // the input is not sorted in place
  });
});

describe('Spearman rank correlation (how well the agreement ranks pages by their SNR)', () => {
  it('is 1 for any increasing relation, -1 for a decreasing one, ranks ties by their mean, null when too few', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 1000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks x: 1, 2.5, 2.5, 4; y: 1, 2, 3, 4
    expect(spearman([0, 5, 5, 9], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
    expect(spearman([1, 2], [1, 2])).toBeNull();
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
  });
});

describe('medianOrNull', () => {
  it('is the median, or null for an empty list where median gives NaN', () => {
    expect(medianOrNull([3, 1, 2])).toBe(2);
    expect(medianOrNull([])).toBeNull();
    expect(medianOrNull([Number.NaN])).toBeNull();
  });
});
