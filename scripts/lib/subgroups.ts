/**
 * Fold-10 figures by patient group, for the model card: `npm run eval` groups the records it scored by PTB-XL's
 * `sex` and `age` columns and writes, per group, the AUROC with its bootstrap interval (bootstrapAurocCI, the
 * same function as the whole-fold figure) and the sensitivity and specificity at the model's own threshold
 * (atThreshold) with percentile-bootstrap intervals from the same resampling scheme.
 *
 * Conventions: a figure that is not defined for a group (AUROC or sensitivity without an MI record,
 * specificity without a non-MI one) is null, never 0. PTB-XL writes ages above 89 as 300; they count as ">= 80".
 */
import type { EvalSubgroup, EvalSubgroups } from '../../src/lib/charts/types';
import { ANONYMISED_AGE, type Sex } from '../../src/lib/ptbxl/database';
import { atThreshold, auroc, bootstrapAurocCI, bootstrapRatesCI } from '../../src/lib/model/metrics';

export const AGE_BANDS = [
  { key: 'lt40', label: '< 40', lo: 0, hi: 40 },
  { key: '40-59', label: '40–59', lo: 40, hi: 60 },
  { key: '60-79', label: '60–79', lo: 60, hi: 80 },
  { key: 'ge80', label: '≥ 80', lo: 80, hi: Infinity },
] as const;
export const AGE_UNKNOWN = { key: 'unknown', label: 'age not recorded' } as const;
export const SEXES = [
  { key: 'female', label: 'Female' },
  { key: 'male', label: 'Male' },
] as const;

/** The model card's age band of a PTB-XL age (years; 300 = over 89; null = not recorded). */
export function ageBand(age: number | null): string {
  if (age === null || !Number.isFinite(age)) return AGE_UNKNOWN.key;
  if (age === ANONYMISED_AGE) return 'ge80';
  return AGE_BANDS.find((b) => age >= b.lo && age < b.hi)?.key ?? AGE_UNKNOWN.key;
}

/** The figures of one group and the whole set, in the shape the site reads (src/lib/charts/types.ts: one home). */
export type SubgroupFigures = EvalSubgroup;
export type Subgroups = EvalSubgroups;

/** Figures for one group of records (labels 1 = MI). */
export function groupFigures(
  key: string,
  label: string,
  labels: number[],
  scores: number[],
  threshold: number,
  opts: { resamples: number; seed: number },
): SubgroupFigures {
  const n = labels.length;
  const nMi = labels.filter((l) => l === 1).length;
  const both = nMi > 0 && nMi < n;
  const m = n > 0 ? atThreshold(labels, scores, threshold) : null;
  const rates = n > 0 ? bootstrapRatesCI(labels, scores, threshold, opts) : { sensitivity: null, specificity: null };
  const ci = both ? bootstrapAurocCI(labels, scores, { resamples: opts.resamples, seed: opts.seed }) : null;
  return {
    key,
    label,
    n,
    n_mi: nMi,
    auroc: both ? auroc(labels, scores) : null,
    auroc_ci: ci && Number.isFinite(ci[0]) ? ci : null,
    sensitivity: m && nMi > 0 ? m.sensitivity : null,
    sensitivity_ci: nMi > 0 ? rates.sensitivity : null,
    specificity: m && nMi < n ? m.specificity : null,
    specificity_ci: nMi < n ? rates.specificity : null,
  };
}

export interface ScoredRecord {
  /** PTB-XL ecg_id of the scored picture (the eval file lists every score, so readings can be paired later). */
  ecgId: number;
  label: number;
  score: number;
  sex: Sex;
  age: number | null;
}

/**
 * Every sex and age band, in a fixed order (a group with no records is listed with n = 0, so a reader sees it is
 * empty rather than missing); records without an age form an extra group only when there are any.
 */
export function subgroupFigures(
  records: ScoredRecord[],
  threshold: number,
  opts: { resamples: number; seed: number },
): Subgroups {
  const pick = (keep: (r: ScoredRecord) => boolean) => {
    const rs = records.filter(keep);
    return { labels: rs.map((r) => r.label), scores: rs.map((r) => r.score) };
  };
  const fig = (key: string, label: string, keep: (r: ScoredRecord) => boolean) => {
    const { labels, scores } = pick(keep);
    return groupFigures(key, label, labels, scores, threshold, opts);
  };
  const sex = SEXES.map((s) => fig(s.key, s.label, (r) => r.sex === s.key));
  const age = AGE_BANDS.map((b) => fig(b.key, b.label, (r) => ageBand(r.age) === b.key));
  if (records.some((r) => ageBand(r.age) === AGE_UNKNOWN.key)) {
    age.push(fig(AGE_UNKNOWN.key, AGE_UNKNOWN.label, (r) => ageBand(r.age) === AGE_UNKNOWN.key));
  }
  return {
    method:
      `records grouped by PTB-XL's sex and age columns (age 300, PTB-XL's code for over 89, counts as 80 or older); ` +
      `within each group: AUROC, and sensitivity and specificity at the model's threshold, each with a percentile ` +
      `bootstrap 95% interval (${opts.resamples} resamples of the group's records, seed ${opts.seed})`,
    sex,
    age,
  };
}
