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
