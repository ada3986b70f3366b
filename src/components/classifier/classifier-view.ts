/**
 * The classifier demo's DOM writers: status line, result state, the image and overlay canvases, and the reading
 * (built with createElement: no HTML strings, nothing to escape). Positions of the score bar go through CSSOM,
 * not style="" in markup: the Content-Security-Policy allows no inline styles. None of these keep state.
 */
import type { BrowserClassifier, Prediction } from '../../lib/model/browser';
import type { EkgCheckResult } from '../../lib/model/ekg-gate';
import { toImageData } from '../../lib/render/image';
import type { RasterImage } from '../../lib/render/types';
import { el, q } from '../dom';
import type { ThresholdFigures } from './model-info';

export const find = <T extends Element = HTMLElement>(root: ParentNode, sel: string): T =>
  q<T>(root, sel, 'classifier');

export const BACKEND_NAMES = {
  webgl: 'WebGL (GPU)',
  wasm: 'WebAssembly (CPU)',
  cpu: 'plain JavaScript (CPU, slowest)',
} as const;

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
/** A 0..1 score for the reader, or "n/a" when there is none (no EKG check loaded). */
const fmtScore = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
const notes = (list: string[]) => list.map((n) => el('p', { className: 'clf-note' }, n));

/** The status line; `progress` undefined hides the bar, null makes it indeterminate. */
export function showStatus(root: HTMLElement, text: string, progress?: number | null): void {
  find(root, '[data-clf-status-text]').textContent = text;
  const bar = find<HTMLProgressElement>(root, '[data-clf-progress]');
  bar.hidden = progress === undefined;
  if (progress === null) bar.removeAttribute('value');
  else if (progress !== undefined) bar.value = progress;
}

/** data-state (idle | busy | not-ekg | done | error) and the result's data-* facts, on [data-clf-result]. */
export function setResultState(root: HTMLElement, state: string, extra: Record<string, string> = {}): void {
  const r = find(root, '[data-clf-result]');
  r.dataset.state = state;
  for (const k of ['probability', 'decision', 'errorCode', 'isEkg', 'count', 'modelMs']) delete r.dataset[k];
  Object.assign(r.dataset, extra);
}

export function showReading(root: HTMLElement, ...content: Node[]): void {
  find(root, '[data-clf-reading]').replaceChildren(...content);
}

export const placeholder = (text: string) => el('p', { className: 'clf-placeholder' }, text);

export const errorLine = (message: string) =>
  el('p', { className: 'clf-error', role: 'alert', data: { clfError: '' } }, message);

/** Shows the image scaled to at most 1280 px (display only; the model input comes from preprocess()). */
export function drawImage(root: HTMLElement, image: RasterImage): void {
  const canvas = find<HTMLCanvasElement>(root, '[data-clf-canvas]');
  const overlay = find<HTMLCanvasElement>(root, '[data-clf-overlay]');
  const s = Math.min(1, 1280 / Math.max(image.width, image.height));
  const w = Math.max(1, Math.round(image.width * s));
  const h = Math.max(1, Math.round(image.height * s));
  canvas.width = overlay.width = w;
  canvas.height = overlay.height = h;
  const full = new OffscreenCanvas(image.width, image.height);
  full.getContext('2d')!.putImageData(toImageData(image), 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(full, 0, 0, w, h);
  overlay.getContext('2d')!.clearRect(0, 0, w, h);
}

/**
 * Draws the picture being read and says under it what it is: its name, how it was turned (by the reader's Turn
 * button, or by the sheet-upright model before it was read) and its size.
 */
export function showPicture(
  root: HTMLElement,
  image: RasterImage,
  label: string,
  turned: { byReader?: number; byModel?: number },
): void {
  drawImage(root, image);
  const r = turned.byReader ?? 0;
  const m = turned.byModel ?? 0;
  const how = r
    ? `, turned ${r} quarter turn${r > 1 ? 's' : ''} clockwise`
    : m
      ? `, turned upright by the sheet-upright model (${m === 2 ? 'a half turn' : m === 1 ? 'a quarter turn clockwise' : 'a quarter turn counter-clockwise'})`
      : '';
  find(root, '[data-clf-caption]').textContent = `${label}${how} — ${image.width} × ${image.height} px`;
}

export function clearCanvases(root: HTMLElement): void {
  for (const sel of ['[data-clf-canvas]', '[data-clf-overlay]']) {
    const c = find<HTMLCanvasElement>(root, sel);
    c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
  }
  find(root, '[data-clf-caption]').textContent = 'No image.';
}

/** The EKG check refused the picture: why, its score, and a button to run the model anyway. */
export function notEkgReading(ekg: EkgCheckResult, imageNotes: string[], force: () => void): Node[] {
  const button = el(
    'button',
    { type: 'button', className: 'clf-button', data: { clfForce: '' } },
    'Run the model anyway',
  );
  button.addEventListener('click', force);
  const why = ekg.message ?? 'This does not look like a 12-lead EKG.';
  return [
    el('p', { className: 'clf-error', role: 'alert', data: { clfNotEkg: '', reason: ekg.reason ?? '' } }, why),
    ...notes(imageNotes),
    el(
      'p',
      { className: 'clf-small' },
      `EKG check score ${fmtScore(ekg.score)} (1 = looks like a 12-lead EKG; accepted from ${fmtScore(ekg.threshold)}).`,
    ),
    el('p', {}, button),
    el(
      'p',
      { className: 'clf-small' },
      'The model has only seen EKG images; on anything else its number means nothing.',
    ),
  ];
}

export interface ReadingInput {
  prediction: Prediction;
  threshold: number;
  backend: BrowserClassifier['backend'];
  figures: ThresholdFigures;
  notes: string[];
  preprocessMs: number;
  ekgScore: number;
  forced: boolean;
}

/** The model's reading: decision, score against the threshold, what the threshold means, caveats, timings. */
export function reading(r: ReadingInput): Node[] {
  const p = r.prediction;
  const f = r.figures;
  const isMi = p.decision === 'MI';
  const foldText =
    f.source === 'test'
      ? `the test fold (fold ${f.fold})`
      : 'the validation fold (fold 9, where the threshold was chosen: optimistic)';
  const meaning = isMi
    ? `At this threshold the model flagged ${pct(f.sensitivity)} of the MI records in ${foldText}, and wrongly flagged ${pct(1 - f.specificity)} of the records without MI.`
    : `At this threshold the model cleared ${pct(f.specificity)} of the records without MI in ${foldText}, but also missed ${pct(1 - f.sensitivity)} of the MI records: "no MI" here is not reassurance.`;
  const fill = el('div', { className: 'clf-bar-fill' });
  fill.style.width = `${(p.probability * 100).toFixed(1)}%`;
  const mark = el('div', { className: 'clf-bar-threshold' });
  mark.style.left = `${(r.threshold * 100).toFixed(1)}%`;
  const bar = el('div', { className: 'clf-bar' }, fill, mark);
  bar.setAttribute('aria-hidden', 'true');
  return [
    ...(r.forced
      ? [
          el(
            'p',
            { className: 'clf-error' },
            'The EKG check said this is probably not an EKG; the number below is shown only because you asked for it.',
          ),
        ]
      : []),
    el(
      'p',
      { className: `clf-prob clf-decision-${p.decision}`, data: { clfDecision: '' } },
      isMi ? 'Model reading: MI' : 'Model reading: no MI',
    ),
    // "score", not "probability": the model's output ranks images but is not calibrated (chapter 8)
    el(
      'p',
      {},
      'MI score ',
      el('strong', { data: { clfProbability: '' } }, p.probability.toFixed(3)),
      ` (0 to 1, not a probability); threshold ${r.threshold.toFixed(3)}.`,
    ),
    bar,
    el('p', {}, meaning),
    el(
      'p',
      { className: 'clf-note' },
      el('strong', {}, 'Not a diagnosis.'),
      " A research model trained on computer-drawn PTB-XL images. It can be wrong in either direction, and it has never been checked on real patients' printouts. Do not act on it.",
    ),
    ...notes(r.notes),
    el(
      'p',
      { className: 'clf-small', data: { clfTiming: '' } },
      `Model ${p.modelMs.toFixed(0)} ms · preprocessing and EKG check ${r.preprocessMs.toFixed(0)} ms · backend: `,
      el('span', { data: { clfBackend: '' } }, BACKEND_NAMES[r.backend]),
      ` · EKG check score ${fmtScore(r.ekgScore)}`,
    ),
  ];
}
