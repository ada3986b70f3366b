/**
 * Deterministic choice of the site's sample records (data/sample-ids.json). Pure.
 * About half MI, half not, all from strat_fold 10 (the test fold), spanning MI subtypes, superclasses, ages,
 * both sexes, noise mentions, preferring records with official report text.
 */
import { mulberry32 } from '../random';
export { mulberry32 };
import { formatAge, hasNoiseNote, type LabelledRecord } from './database';

export interface SampleGroup {
  name: string;
  why: string;
  ids: number[];
}

export interface SampleSelection {
  version: 1;
  seed: number;
  fold: number;
  note: string;
  groups: SampleGroup[];
  /** Every id of every group, ascending. */
  ids: number[];
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const isOld = (r: LabelledRecord) => formatAge(r.age) === '>89';
const isYoung = (r: LabelledRecord) => r.age !== null && r.age < 40;

export interface SelectOptions {
  seed?: number;
  fold?: number;
  /** Records per side (MI / not MI). */
  perSide?: number;
}

/** Picks the sample ids. Same input and options, same output. */
export function selectSamples(records: readonly LabelledRecord[], options: SelectOptions = {}): SampleSelection {
  const seed = options.seed ?? 20210501;
  const fold = options.fold ?? 10;
  const perSide = options.perSide ?? 50;
  const rand = mulberry32(seed);
  // Shuffle, then put records with report text first (stable), so every group prefers official reports.
  const pool = shuffled(
    records.filter((r) => r.stratFold === fold).sort((a, b) => a.ecgId - b.ecgId),
    rand,
  ).sort((a, b) => Number(b.report !== '') - Number(a.report !== ''));
  const chosen = new Set<number>();
  const groups: SampleGroup[] = [];

  const take = (name: string, why: string, count: number, filter: (r: LabelledRecord) => boolean): void => {
    const ids: number[] = [];
    let lastSex: string | undefined;
    const candidates = pool.filter((r) => !chosen.has(r.ecgId) && filter(r));
    while (ids.length < count && candidates.length) {
      // Alternate sexes where possible.
      let k = candidates.findIndex((r) => r.sex !== lastSex);
      if (k < 0) k = 0;
      const [r] = candidates.splice(k, 1);
      ids.push(r!.ecgId);
      chosen.add(r!.ecgId);
      lastSex = r!.sex;
    }
    if (ids.length) {
      const existing = groups.find((g) => g.name === name);
      if (existing) existing.ids.push(...ids);
      else groups.push({ name, why, ids });
    }
  };
  const countMi = () => pool.filter((r) => chosen.has(r.ecgId) && r.mi).length;
  const countNon = () => chosen.size - countMi();

  // MI side: every MI code present in the fold (rarest first), then age extremes, then fill.
  const codeCounts = new Map<string, number>();
  for (const r of pool) for (const c of r.miCodes) codeCounts.set(c, (codeCounts.get(c) ?? 0) + 1);
  const codes = [...codeCounts.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([c]) => c);
  for (const code of codes) {
    take(
      `mi-${code}`,
      `MI with SCP code ${code} (every MI subtype present in fold ${fold} is represented)`,
      2,
      (r) => r.mi && r.miCodes.includes(code),
    );
  }
  take(
    'mi-age-extremes',
    'MI in patients older than 89 (stored as 300) or younger than 40',
    2,
    (r) => r.mi && isOld(r),
  );
  take(
    'mi-age-extremes',
    'MI in patients older than 89 (stored as 300) or younger than 40',
    2,
    (r) => r.mi && isYoung(r),
  );
  take(
    'mi-noise',
    'MI with a noise note (report mentions artefacts or baseline wander)',
    2,
    (r) => r.mi && hasNoiseNote(r),
  );
  take(
    'mi-more',
    'more MI records (mostly the common IMI / ASMI), alternating sex',
    Math.max(0, perSide - countMi()),
    (r) => r.mi,
  );

  // Not-MI side: noise mentions, each other superclass, no superclass, age extremes, fill.
  take(
    'non-mi-noise',
    'not MI, with a noise note (report mentions artefacts or baseline wander)',
    4,
    (r) => !r.mi && hasNoiseNote(r),
  );
  take(
    'non-mi-norm',
    'normal EKGs (NORM only)',
    16,
    (r) => !r.mi && r.superclasses.length === 1 && r.superclasses[0] === 'NORM',
  );
  take('non-mi-sttc', 'not MI: ST/T changes (STTC)', 8, (r) => !r.mi && r.superclasses.includes('STTC'));
  take('non-mi-cd', 'not MI: conduction disturbances (CD)', 7, (r) => !r.mi && r.superclasses.includes('CD'));
  take('non-mi-hyp', 'not MI: hypertrophy (HYP)', 6, (r) => !r.mi && r.superclasses.includes('HYP'));
  take(
    'non-mi-no-superclass',
    'not MI and no diagnostic superclass (rhythm/form statements only)',
    3,
    (r) => !r.mi && r.superclasses.length === 0,
  );
  take('non-mi-age-extremes', 'not MI, older than 89 (stored as 300) or younger than 40', 2, (r) => !r.mi && isOld(r));
  take(
    'non-mi-age-extremes',
    'not MI, older than 89 (stored as 300) or younger than 40',
    2,
    (r) => !r.mi && isYoung(r),
  );
  take('non-mi-more', 'more records that are not MI, alternating sex', Math.max(0, perSide - countNon()), (r) => !r.mi);

  return {
    version: 1,
    seed,
    fold,
    note: `Chosen by selectSamples() in src/lib/ptbxl/samples.ts (seed ${seed}); regenerate with \`npm run setup -- --select-samples\`. PTB-XL ecg_ids only, no data.`,
    groups,
    ids: [...chosen].sort((a, b) => a - b),
  };
}
