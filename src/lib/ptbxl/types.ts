/** Shared shapes of the PTB-XL data layer. Everything downstream (renderer, training export, site) uses these. */

/** PTB-XL's lead order, as in the WFDB headers (which spell the augmented leads AVR/AVL/AVF). */
export const LEAD_NAMES = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
export type LeadName = (typeof LEAD_NAMES)[number];

/** A decoded recording: one Float32Array per lead, in millivolts, all the same length. */
export interface EcgSignals {
  /** Sampling frequency in Hz (100 for records100). */
  samplingRate: number;
  /** Lead names in the order of `leads`. */
  leadNames: string[];
  /** leads[l][t] in mV. */
  leads: Float32Array[];
}

/** One record of the site's sample bundle (`public/samples/index.json`). */
export interface SampleEntry {
  ecgId: number;
  /** PTB-XL strat_fold (10 for every sample: the test fold). */
  fold: number;
  /** Same as `fold` (the name used by `LabelledRecord`). */
  stratFold: number;
  /** The study's label. */
  mi: boolean;
  /** MI codes present (e.g. ['IMI']); empty when not MI. */
  miCodes: string[];
  /** Diagnostic superclasses (NORM, MI, STTC, CD, HYP order). */
  superclasses: string[];
  /** SCP code -> likelihood in % (null where the source does not give it). */
  scpCodes: Record<string, number | null>;
  /** Years; 300 means >89 (PTB-XL anonymisation); null if unknown. */
  age: number | null;
  /** Display form of `age` (e.g. ">89"). */
  ageLabel: string;
  sex: 'male' | 'female';
  /** Official report text ('' where the local CSV has none). */
  report: string;
  /** The selection group it was chosen for (see data/sample-ids.json). */
  group: string;
  /** Paths relative to `public/samples/`, e.g. `records/00009_lr.hea`. */
  hea: string;
  dat: string;
}

/** `public/samples/index.json`. */
export interface SampleIndex {
  version: 1;
  /** Provenance and licence of the data. */
  source: { dataset: string; version: string; doi: string; license: string; citation: string };
  records: SampleEntry[];
}
