/**
 * What leaves the generator: "Download PNG" (the shown image, lossless) and "Send to the classifier" (an event
 * when a classifier is on this page, else sessionStorage and a link to the demo; lib/handoff.ts).
 */
import { sendToClassifier, storePending, type Handoff, type HandoffSource } from '../../lib/handoff';
import type { LeadChoice } from '../../lib/generator-state';
import type { RasterImage, RenderInfo, StyleName } from '../../lib/render/types';
import { el } from '../dom';
import { STYLE_LABELS } from './describe';

/** The image on the canvas and what it shows. */
export interface ShownImage {
  ecgId: number;
  style: StyleName;
  seed: number;
  lead: LeadChoice;
  image: RasterImage;
}

export function fileName(s: ShownImage): string {
  const lead = s.style === 'dataset4' ? `-${s.lead === 'all' ? 'grid' : s.lead}` : '';
  return `${s.ecgId}-${s.style}-${s.seed}${lead}.png`;
}

export function handoffLabel(s: ShownImage): string {
  const lead = s.style === 'dataset4' ? (s.lead === 'all' ? ', all 12 leads' : `, lead ${s.lead}`) : '';
  const style = STYLE_LABELS[s.style].toLowerCase();
  return `PTB-XL record ${s.ecgId}, ${style} style, seed ${s.seed}${lead} (from the generator)`;
}

/** What the picture shows, for the demo's true-signal view: record, style, seed, filters, the wild sheet's panels. */
export function handoffSource(s: ShownImage, info: RenderInfo): HandoffSource {
  const panels = info.wild?.sheet.panels.map((p) => ({ lead: p.lead, rhythm: p.rhythm, t0: p.t0, t1: p.t1 }));
  return { ecgId: s.ecgId, style: s.style, seed: s.seed, filters: [...info.filters], ...(panels ? { panels } : {}) };
}

/** Saves the image as a PNG through a temporary link; returns the object URL (revoke it when done). */
export async function downloadPng(parent: HTMLElement, s: ShownImage, previousUrl: string | null): Promise<string> {
  const { encodePng } = await import('../../lib/render/png');
  const bytes = encodePng(s.image) as Uint8Array<ArrayBuffer>;
  if (previousUrl) URL.revokeObjectURL(previousUrl);
  const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
  const a = el('a', { hidden: true });
  a.href = url;
  a.download = fileName(s);
  parent.append(a);
  a.click();
  a.remove();
  return url;
}

/**
 * Hands the image to the classifier and says so in `status` (with a link to the demo when it is elsewhere). With
 * `info` (how it was drawn) the hand-off says what the picture shows, so the demo can draw the true signal.
 */
export async function sendImage(s: ShownImage, status: HTMLElement, demoUrl: string, info?: RenderInfo): Promise<void> {
  const { width, height, channels, data } = s.image;
  const handoff: Handoff = { image: { width, height, channels, data: data.slice() }, label: handoffLabel(s) };
  // a single lead image of dataset 4 is not a sheet: no source to compare with
  if (info && !(s.style === 'dataset4' && s.lead !== 'all')) handoff.source = handoffSource(s, info);
  if (document.querySelector('heartnet-classifier')) {
    sendToClassifier(window, handoff);
    status.textContent = 'Sent to the classifier.'; // it scrolls itself into view, above this generator or below it
    return;
  }
  status.textContent = '';
  try {
    await storePending(sessionStorage, handoff);
    status.append('The image is ready for the classifier: ');
  } catch {
    status.append(
      'This browser could not hold the image for the demo page (storage full or blocked); download it and upload it there: ',
    );
  }
  const a = el('a', { data: { genDemoLink: '' } }, 'open the classifier demo');
  a.href = demoUrl;
  status.append(a, '.');
}
