/**
 * The demo's sample buttons: which sample records it offers and their labels. Pure; shared by the component's
 * markup (build time, so the buttons are there before the script runs and the page does not move), its client
 * script, and the service-worker build (which precaches these records for offline use).
 */
export interface DemoSampleRecord {
  ecgId: number;
  mi: boolean;
  miCodes?: string[];
  superclasses?: string[];
}

/** The first two MI records and the first two others, in the sample index's order. */
export function pickDemoSamples<T extends DemoSampleRecord>(records: readonly T[]): T[] {
  return [...records.filter((r) => r.mi).slice(0, 2), ...records.filter((r) => !r.mi).slice(0, 2)];
}

/** "MI (IMI)", "NORM", "no MI": what the record is labelled. */
export function sampleLabel(r: DemoSampleRecord): string {
  return r.mi
    ? `MI${r.miCodes?.length ? ` (${r.miCodes.join(', ')})` : ''}`
    : (r.superclasses ?? []).join(', ') || 'no MI';
}

/** The button text: "Record 1234 · MI (IMI)". */
export function sampleButtonText(r: DemoSampleRecord): string {
  return `Record ${r.ecgId} · ${sampleLabel(r)}`;
}
