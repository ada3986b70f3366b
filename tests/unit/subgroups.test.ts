import { describe, expect, it } from 'vitest';
import { ageBand, groupFigures, subgroupFigures, type ScoredRecord } from '../../scripts/lib/subgroups';
import { atThreshold, auroc, bootstrapAurocCI, bootstrapRatesCI } from '../../src/lib/model/metrics';

describe('model-card subgroups (npm run eval)', () => {
  it("puts PTB-XL ages in the card's bands: 300 (over 89) is 80 or older, null is unknown", () => {
    expect([0, 39.9, 40, 59, 60, 79, 80, 89, 300].map(ageBand)).toEqual([
      'lt40',
      'lt40',
      '40-59',
      '40-59',
      '60-79',
      '60-79',
      'ge80',
      'ge80',
      'ge80',
    ]);
    expect(ageBand(null)).toBe('unknown');
  });

  it("a group's figures are the whole-fold functions applied to that group only", () => {
    const labels = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0];
    const scores = [0.9, 0.2, 0.4, 0.6, 0.1, 0.8, 0.3, 0.55, 0.7, 0.05];
    const g = groupFigures('x', 'X', labels, scores, 0.5, { resamples: 200, seed: 3 });
    const m = atThreshold(labels, scores, 0.5);
    expect(g.n).toBe(10);
    expect(g.n_mi).toBe(4);
    expect(g.auroc).toBe(auroc(labels, scores));
    expect(g.auroc_ci).toEqual(bootstrapAurocCI(labels, scores, { resamples: 200, seed: 3 }));
    expect(g.sensitivity).toBe(m.sensitivity);
    expect(g.specificity).toBe(m.specificity);
    for (const [v, ci] of [
      [g.sensitivity, g.sensitivity_ci],
      [g.specificity, g.specificity_ci],
    ] as const) {
      expect(ci).not.toBeNull();
      expect(ci![0]).toBeLessThanOrEqual(v!);
      expect(ci![1]).toBeGreaterThanOrEqual(v!);
    }
  });

  it('figures a group cannot define are null, not 0', () => {
    const onlyNormal = groupFigures('n', 'N', [0, 0, 0], [0.1, 0.7, 0.2], 0.5, { resamples: 50, seed: 0 });
    expect(onlyNormal).toMatchObject({
      n: 3,
      n_mi: 0,
      auroc: null,
      auroc_ci: null,
      sensitivity: null,
      sensitivity_ci: null,
    });
    expect(onlyNormal.specificity).toBeCloseTo(2 / 3, 12);
    const empty = groupFigures('e', 'E', [], [], 0.5, { resamples: 50, seed: 0 });
    expect(empty).toMatchObject({ n: 0, auroc: null, sensitivity: null, specificity: null, specificity_ci: null });
  });

  it('the intervals are seeded (the same seed gives the same interval) and narrow with more records', () => {
    const mk = (n: number) => Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const sc = (ls: number[]) => ls.map((l, i) => (l ? 0.6 : 0.4) + ((i * 37) % 11) / 40 - 0.12);
    const small = mk(40);
    const big = mk(4000);
    const a = bootstrapRatesCI(small, sc(small), 0.5, { resamples: 300, seed: 1 });
    expect(bootstrapRatesCI(small, sc(small), 0.5, { resamples: 300, seed: 1 })).toEqual(a);
    const b = bootstrapRatesCI(big, sc(big), 0.5, { resamples: 300, seed: 1 });
    expect(b.sensitivity![1] - b.sensitivity![0]).toBeLessThan(a.sensitivity![1] - a.sensitivity![0]);
  });

  it('every record lands in exactly one sex and one age group; the unknown-age group appears only when needed', () => {
    const recs: ScoredRecord[] = [
      { ecgId: 1, label: 1, score: 0.9, sex: 'male', age: 300 },
      { ecgId: 2, label: 0, score: 0.2, sex: 'female', age: 35 },
      { ecgId: 3, label: 1, score: 0.3, sex: 'female', age: 64 },
      { ecgId: 4, label: 0, score: 0.6, sex: 'male', age: 45 },
      { ecgId: 5, label: 0, score: 0.1, sex: 'male', age: null },
    ];
    const s = subgroupFigures(recs, 0.5, { resamples: 50, seed: 0 });
    expect(s.sex.map((g) => g.key)).toEqual(['female', 'male']);
    expect(s.sex.reduce((t, g) => t + g.n, 0)).toBe(5);
    expect(s.age.map((g) => g.key)).toEqual(['lt40', '40-59', '60-79', 'ge80', 'unknown']);
    expect(s.age.reduce((t, g) => t + g.n, 0)).toBe(5);
    expect(s.age.find((g) => g.key === 'ge80')).toMatchObject({ n: 1, n_mi: 1, sensitivity: 1 });
    expect(subgroupFigures(recs.slice(0, 4), 0.5, { resamples: 50, seed: 0 }).age.map((g) => g.key)).not.toContain(
      'unknown',
    );
    expect(s.method).toMatch(/50 resamples.*seed 0/);
  });
});
