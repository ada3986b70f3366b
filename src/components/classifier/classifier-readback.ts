/**
 * The demo's second reading (issue 12): the picture read back into signals by the digitiser (in its worker,
 * ../readback/) and those signals read by the signal classifier. Loaded by dynamic import the first time a picture
 * arrives, with the signal model itself fetched only when the digitiser has read something to classify.
 * Writes the "What the digitiser read" section (the upright sheet with rows and panels outlined, the stages in
 * plain words, the leads read back beside the true signal when the picture came from the generator or a sample)
 * and the signal model's reading beside the image model's. DOM built with createElement; positions through CSSOM.
 */
import type { Readout } from '../../lib/digitise/index';
import type { HandoffSource } from '../../lib/handoff';
import type { SignalClassifier } from '../../lib/signal/model';
import type { AgreementReference } from '../../lib/charts/digitise';
import { limbLeadAgreement } from '../../lib/signal/agreement';
import { el } from '../dom';
import { drawLeads, drawSheet, stageItems } from '../readback/readback-draw';
import type { Digitised, ReadbackResult } from '../readback/readback-core';
import { median } from '../../lib/stats';
import { dbText, failureText, stageLines } from '../readback/readback-text';
import { find } from './classifier-view';

/** What the page knows about the signal model at build time (Classifier.astro's config). */
export interface SignalConfig {
  url: string;
  /** The learned trace segmenter the digitiser falls back on (readback-segment.ts); null when not in the build. */
  segmenterUrl: string | null;
  name: string;
  threshold: number;
  /** The pipeline's figures at its threshold on our fold-10 renders read back (data/eval), for the reading's meaning. */
  figures: { set: string; n: number; scored: number; sensitivity: number; specificity: number; file: string };
  /** The limb-lead agreement's medians on our printouts, the kit's pages and real EKGs (data/eval/digitise). */
  agreement: AgreementReference | null;
}

/** A reading as the page gets it; `segment` is set when the learned segmenter was run (readback-segment.ts). */
export type Readback = ReadbackResult & {
  where: 'worker' | 'main';
  ms: number;
  segment?: { ms: number } | { error: string };
};

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const shown = new WeakMap<HTMLElement, Digitised>();

function section(root: HTMLElement): HTMLElement {
  return find(root, '[data-clf-readback]');
}

function setState(root: HTMLElement, state: string, facts: Record<string, string> = {}): void {
  const s = section(root);
  s.dataset.state = state;
  for (const k of [
    'layout',
    'leadsRead',
    'digitiseMs',
    'roundTripMs',
    'classifyMs',
    'where',
    'snrMedian',
    'agreementDb',
  ])
    delete s.dataset[k];
  Object.assign(s.dataset, facts);
}

function signalBox(root: HTMLElement, ...content: Node[]): void {
  const box = find(root, '[data-clf-signal-reading]');
  for (const k of ['signalProbability', 'signalDecision']) delete box.dataset[k];
  box.replaceChildren(...content);
}

/** A new picture: the digitiser is at work. */
export function showReadbackBusy(root: HTMLElement): void {
  setState(root, 'busy');
  find(root, '[data-clf-readback-status]').textContent = 'Reading the picture back into signals…';
  find(root, '[data-clf-readback-body]').hidden = true;
  signalBox(root, el('p', { className: 'clf-placeholder' }, 'Reading the leads back…'));
}

/** The picture left the demo before both readings (an error or a refused model): clear the second reading. */
export function clearReadback(root: HTMLElement, why: string): void {
  setState(root, 'idle');
  find(root, '[data-clf-readback-status]').textContent = why;
  find(root, '[data-clf-readback-body]').hidden = true;
  signalBox(root, el('p', { className: 'clf-placeholder' }, why));
}

/** The digitiser could not read the picture: say so plainly, in both places. */
export function showReadbackFailure(root: HTMLElement, r: Readback): void {
  const text = failureText(r.failure ?? 'unknown problem');
  setState(root, 'failed', { roundTripMs: r.ms.toFixed(0), where: r.where });
  find(root, '[data-clf-readback-body]').hidden = true;
  find(root, '[data-clf-readback-status]').replaceChildren(
    el('span', { className: 'clf-readback-failed', data: { clfReadbackFailure: '' } }, text),
  );
  signalBox(
    root,
    el('p', { className: 'clf-error', data: { clfSignalFailure: '' } }, text),
    el('p', { className: 'clf-small' }, "The image model's reading does not depend on it and stands on its own."),
  );
}

/** Draws what the digitiser found: the sheet with rows and panels, the stages, the leads (with the truth when known). */
export function showDigitised(
  root: HTMLElement,
  r: Readback,
  source: HandoffSource | undefined,
  reference: AgreementReference | null = null,
): void {
  const d = r.digitised!;
  shown.set(root, d);
  const body = find(root, '[data-clf-readback-body]');
  body.hidden = false;
  const maskBox = find<HTMLInputElement>(root, '[data-clf-mask]');
  redrawSheet(root, maskBox.checked);
  const st = d.stages;
  find(root, '[data-clf-sheet-caption]').textContent =
    `The sheet as the digitiser straightened it (${st.sheetWidth} × ${st.sheetHeight} px): trace rows dashed in blue, ` +
    `each lead's panel outlined in orange and named${st.separators.length ? ', column marks boxed in green' : ''}.`;
  find(root, '[data-clf-sheet]').setAttribute(
    'aria-label',
    `The upright sheet with ${st.rows.length} trace rows and ${st.panels.length} lead panels outlined`,
  );
  const lines = stageLines(st, d.readout, d.reader);
  find(root, '[data-clf-stages]').replaceChildren(...stageItems(lines));
  const leadsCanvas = find<HTMLCanvasElement>(root, '[data-clf-leads]');
  const withTruth = !!r.truth;
  drawLeads(leadsCanvas, d, { truth: r.truth, windows: r.windows, snr: r.snr });
  const snrs = r.snr ? Object.entries(r.snr).filter(([k]) => !k.endsWith('-rhythm')) : [];
  const med = snrs.length ? median(snrs.map(([, v]) => v)) : Number.NaN;
  const truthText = withTruth
    ? ` The true signal of PTB-XL record ${source?.ecgId ?? ''}, filtered as the picture printed it, is drawn beneath in blue; ` +
      `each lead's SNR against it (PhysioNet Challenge 2024 definition) is printed beside its name` +
      (Number.isFinite(med) ? `, median ${dbText(med)} over the 12 leads.` : '.')
    : r.truthError
      ? ` The true signal could not be loaded (${r.truthError}).`
      : ' For an uploaded picture the true signal is unknown; pictures from the generator or the sample buttons show it.';
  const agreement = limbLeadAgreement(d.readout);
  find(root, '[data-clf-leads-caption]').textContent =
    `The leads read back (black), each over the seconds it was read, 100 samples a second.${truthText}` +
    agreementText(agreement?.db ?? null, reference);
  leadsCanvas.setAttribute(
    'aria-label',
    `The 12 leads and the lead II rhythm strip as read back from the picture${withTruth ? ', with the true signal beneath each' : ''}`,
  );
  const leadsRead = Object.values(d.readout.confidence).filter((c) => c > 0).length;
  setState(root, 'done', {
    layout: st.layout,
    leadsRead: String(leadsRead),
    digitiseMs: d.ms.toFixed(0),
    roundTripMs: r.ms.toFixed(0),
    where: r.where,
    ...(Number.isFinite(med) ? { snrMedian: med.toFixed(2) } : {}),
    ...(agreement ? { agreementDb: agreement.db.toFixed(1) } : {}),
  });
  find(root, '[data-clf-readback-status]').textContent =
    `Read back in ${(r.ms / 1000).toFixed(1)} s ${r.where === 'worker' ? 'in a background thread' : 'on the page'}: ` +
    `${leadsRead} of 12 leads, layout ${st.layout}.`;
}

/**
 * The reading's self-check in words: how well its limb leads keep Einthoven's and Goldberger's laws, beside the
 * medians measured on our printouts, the kit's pages and real EKGs. It needs no true signal, so it is the one
 * measure of the reading an uploaded picture has.
 */
export function agreementText(db: number | null, ref: AgreementReference | null): string {
  if (db === null) return ' Too few limb leads were read at the same instants to check them against each other.';
  const where = ref
    ? [
        ref.printoutDb !== null ? `${dbText(ref.printoutDb)} on our printouts read back` : null,
        ref.kitDb !== null ? `${dbText(ref.kitDb)} on ECG-Image-Kit's pages` : null,
        ref.realDb !== null ? `${dbText(ref.realDb)} on photos and scans of real EKGs` : null,
      ].filter((t): t is string => t !== null)
    : [];
  return (
    ` Self-check: on any true recording II = I + III and aVR + aVL + aVF = 0 at every instant; the limb leads read here` +
    ` keep those laws to ${dbText(db)} (higher is better; at about \u22125 dB they are no more related than leads of different` +
    ` records).${where.length ? ` Median: ${where.join(', ')}.` : ''} It cannot see a wrong time scale or gain, which` +
    ` the three leads share.`
  );
}

/** Redraws the sheet with or without its trace pixels tinted. */
export function redrawSheet(root: HTMLElement, mask: boolean): void {
  const d = shown.get(root);
  if (d) drawSheet(find<HTMLCanvasElement>(root, '[data-clf-sheet]'), d, { mask: mask ? 'tint' : false, layout: true });
}

/** The EKG check refused the picture: the leads are shown, the signal model's reading is held back like the image model's. */
export function showSignalWithheld(root: HTMLElement): void {
  signalBox(
    root,
    el(
      'p',
      { className: 'clf-placeholder', data: { clfSignalWithheld: '' } },
      'Held back like the image model’s: the EKG check said this is probably not an EKG. The leads the digitiser read are shown below.',
    ),
  );
}

let signalModel: Promise<SignalClassifier> | null = null;

/** Loads the signal model once (TF.js is already loaded and its backend chosen by the image model). */
export function loadSignalModel(url: string): Promise<SignalClassifier> {
  signalModel ??= (async () => {
    const [{ loadSignalClassifier }, { SAMPLES, CHANNELS }] = await Promise.all([
      import('../../lib/signal/model'),
      import('../../lib/signal/windows'),
    ]);
    const m = await loadSignalClassifier(new URL(url, location.href).href);
    m.classify(new Float32Array(SAMPLES * CHANNELS)); // warm-up: the first call compiles the kernels
    return m;
  })().catch((e: unknown) => {
    signalModel = null;
    throw e;
  });
  return signalModel;
}

/** The signal model's score of a readout, and the time it took (input building included). */
export async function classifyReadout(
  model: SignalClassifier,
  readout: Readout,
): Promise<{ probability: number; mi: boolean; ms: number }> {
  const { inputFromReadout } = await import('../../lib/signal/windows');
  const t0 = performance.now();
  const r = model.classify(inputFromReadout(readout));
  return { probability: r.probability, mi: r.mi, ms: performance.now() - t0 };
}

/** The signal model's reading beside the image model's: decision, score against its own threshold, meaning, caveat. */
export function showSignalReading(
  root: HTMLElement,
  cfg: SignalConfig,
  r: { probability: number; mi: boolean; ms: number },
  readMs: number,
): void {
  const f = cfg.figures;
  const on = `our fold-10 ${f.set} pictures read back by the digitiser (${f.scored === f.n ? f.n : `${f.scored} of ${f.n}`} records)`;
  const meaning = r.mi
    ? `At this threshold, on ${on}, it flagged ${pct(f.sensitivity)} of the MI records and wrongly flagged ${pct(1 - f.specificity)} of the others.`
    : `At this threshold, on ${on}, it cleared ${pct(f.specificity)} of the records without MI but missed ${pct(1 - f.sensitivity)} of the MI records: "no MI" here is not reassurance.`;
  const fill = el('div', { className: 'clf-bar-fill' });
  fill.style.width = `${(r.probability * 100).toFixed(1)}%`;
  const mark = el('div', { className: 'clf-bar-threshold' });
  mark.style.left = `${(cfg.threshold * 100).toFixed(1)}%`;
  const bar = el('div', { className: 'clf-bar' }, fill, mark);
  bar.setAttribute('aria-hidden', 'true');
  signalBox(
    root,
    el(
      'p',
      { className: `clf-prob clf-decision-${r.mi ? 'MI' : 'Normal'}`, data: { clfSignalDecision: '' } },
      r.mi ? 'Signal reading: MI' : 'Signal reading: no MI',
    ),
    el(
      'p',
      {},
      'MI score ',
      el('strong', { data: { clfSignalProbability: '' } }, r.probability.toFixed(3)),
      ` (0 to 1, not a probability); its own threshold ${cfg.threshold.toFixed(3)}.`,
    ),
    bar,
    el('p', {}, meaning),
    el(
      'p',
      { className: 'clf-note' },
      el('strong', {}, 'Not a diagnosis.'),
      ' A research model reading signals recovered from a picture by a classical digitiser; both were only tested on computer-drawn PTB-XL images. Do not act on it.',
    ),
    el(
      'p',
      { className: 'clf-small', data: { clfSignalTiming: '' } },
      `Digitiser ${readMs.toFixed(0)} ms · signal model ${r.ms.toFixed(0)} ms`,
    ),
  );
  const box = find(root, '[data-clf-signal-reading]');
  box.dataset.signalProbability = String(r.probability);
  box.dataset.signalDecision = r.mi ? 'MI' : 'Normal';
  section(root).dataset.classifyMs = r.ms.toFixed(2);
}

/** The signal model could not be loaded: say so where its reading would be. */
export function showSignalUnavailable(root: HTMLElement, message: string): void {
  signalBox(root, el('p', { className: 'clf-error' }, `The signal model could not be loaded: ${message}`));
}
