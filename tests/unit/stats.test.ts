import { describe, expect, it } from 'vitest';
import { median } from '../../src/lib/stats';

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
