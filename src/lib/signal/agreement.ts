/**
 * A reading that checks itself: how well the limb leads read back from a picture obey the laws that tie them
 * together. The six limb leads are four views of the same two-dimensional heart vector, so at every instant
 *
 *   II = I + III               (Einthoven)
 *   aVR + aVL + aVF = 0        (Goldberger)
 *
 * PTB-XL's records obey both to about one part in 10^4-10^5 of the leads' energy (quantisation). A digitiser that
 * follows the right ink in the right rows keeps them; one that follows a crease, a shadow or the wrong row breaks
 * them. Unlike the SNR, this needs no true signal, so it can be measured on real photos and scans, where nothing
 * else says how well they were read.
 *
 * What it cannot see: an error shared by the three leads of a relation. A wrong time scale or a wrong gain (one
 * for the whole sheet) leaves both laws intact, and so does a time axis shifted the same way for a whole column.
 */
import type { LeadName } from '../ptbxl/types';
import type { SignalReadout } from './windows';

/** The two relations: leads whose signed sum is zero at every instant. */
export const LIMB_RELATIONS: ReadonlyArray<{ name: string; terms: ReadonlyArray<[LeadName, 1 | -1]> }> = [
  {
    name: 'II = I + III',
    terms: [
      ['II', 1],
      ['I', -1],
      ['III', -1],
    ],
  },
  {
    name: 'aVR + aVL + aVF = 0',
    terms: [
      ['aVR', 1],
      ['aVL', 1],
      ['aVF', 1],
    ],
  },
];

/** Fewest simultaneous samples a relation needs to count (half a second at 100 Hz: at least one heartbeat's QRS). */
export const AGREEMENT_MIN_SAMPLES = 50;
/** Below this mean energy per lead (mV^2: about 0.05 mV RMS) the leads are flat lines, and any sum of them agrees. */
export const AGREEMENT_MIN_ENERGY = 0.0025;

export interface RelationAgreement {
  name: string;
  /** Simultaneous samples where all three leads were read. */
  samples: number;
  /** 10 log10(mean energy of the three leads / energy of their signed sum), each lead less its own mean. */
  db: number;
}

export interface LimbAgreement {
  /** Both relations pooled: 10 log10(sum of the leads' mean energies / sum of the residual energies), in dB. */
  db: number;
  relations: RelationAgreement[];
}

/**
 * The limb leads' agreement with Einthoven's and Goldberger's laws, in dB (higher: more consistent), over the
 * samples where each relation's three leads were all read (finite) at the same instant; null when neither relation
 * has `AGREEMENT_MIN_SAMPLES` such samples with leads that are not flat. Each lead's mean over those samples is
 * taken out first: a zero line misplaced by a constant is not what this measures.
 *
 * A perfect reading of a PTB-XL record scores about 40 dB or more; three unrelated leads of equal energy score
 * about -5 dB (their residual holds all three energies). It is not an SNR against a truth: the three leads' errors
 * add up in the residual, so a reading at an SNR of S dB per lead, with independent errors, scores about S - 5 dB.
 */
export function limbLeadAgreement(readout: Pick<SignalReadout, 'leads'>): LimbAgreement | null {
  const relations: RelationAgreement[] = [];
  let signal = 0;
  let residual = 0;
  for (const rel of LIMB_RELATIONS) {
    const sigs = rel.terms.map(([lead]) => readout.leads[lead]);
    if (sigs.some((s) => s === undefined)) continue;
    const n = Math.min(...sigs.map((s) => s!.length));
    const at: number[] = [];
    for (let t = 0; t < n; t++) if (sigs.every((s) => Number.isFinite(s![t]!))) at.push(t);
    if (at.length < AGREEMENT_MIN_SAMPLES) continue;
    const means = sigs.map((s) => at.reduce((acc, t) => acc + s![t]!, 0) / at.length);
    let energy = 0;
    let res = 0;
    for (const t of at) {
      let sum = 0;
      rel.terms.forEach(([, sign], k) => {
        const v = sigs[k]![t]! - means[k]!;
        energy += v * v;
        sum += sign * v;
      });
      res += sum * sum;
    }
    // mean energy per lead and sample, and the residual per sample
    const perLead = energy / (rel.terms.length * at.length);
    if (perLead < AGREEMENT_MIN_ENERGY) continue;
    const perSample = res / at.length;
    relations.push({ name: rel.name, samples: at.length, db: toDb(perLead, perSample) });
    signal += perLead * at.length;
    residual += perSample * at.length;
  }
  if (relations.length === 0) return null;
  return { db: toDb(signal, residual), relations };
}

/** 10 log10(a / b), capped at 60 dB where the residual vanishes (an exact relation, e.g. leads derived from others). */
function toDb(a: number, b: number): number {
  return b <= a * 1e-6 ? 60 : 10 * Math.log10(a / b);
}
