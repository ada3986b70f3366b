/**
 * The generator's DOM writers: the drawn image, the record's facts, the list of drawn parameters, the record
 * list and the "no samples" message. Each takes the <heartnet-generator> element (or the node it writes) and
 * plain data; none keeps state. Texts come from describe.ts, which also renders the first view at build time.
 */
import { formatAge } from '../../lib/ptbxl/database';
import type { SampleEntry } from '../../lib/ptbxl/types';
import { toImageData } from '../../lib/render/image';
import type { RasterImage, RenderInfo, StyleName } from '../../lib/render/types';
import type { LeadChoice, Zoom } from '../../lib/generator-state';
import { el, q } from '../dom';
import { photoRows, recordFacts, recordOptionLabel, shadowRows, wildRows } from './describe';

const LEAD_ORDER = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
const GRID_GAP = 16;
const GRID_GAP_GRAY = 150;

export const find = <T extends Element = HTMLElement>(root: ParentNode, sel: string): T => q<T>(root, sel, 'generator');

/** The 12 dataset-4 images as a 4 x 3 contact sheet (gray), separated by gray gaps that are not part of any image. */
export function contactSheet(images: RasterImage[]): RasterImage {
  const t = images[0]?.width ?? 512;
  const w = 4 * t + 3 * GRID_GAP;
  const h = 3 * t + 2 * GRID_GAP;
  const data = new Uint8ClampedArray(w * h).fill(GRID_GAP_GRAY);
  images.forEach((img, k) => {
    const x0 = (k % 4) * (t + GRID_GAP);
    const y0 = Math.floor(k / 4) * (t + GRID_GAP);
    for (let y = 0; y < img.height; y++) {
      data.set(img.data.subarray(y * img.width, (y + 1) * img.width), (y0 + y) * w + x0);
    }
  });
  return { width: w, height: h, channels: 1, data };
}

/** What the canvas shows for a render: the one image, or for dataset4 the chosen lead or the contact sheet. */
export function imageToShow(style: StyleName, lead: LeadChoice, images: RasterImage[]): RasterImage {
  if (style !== 'dataset4') return images[0]!;
  const k = LEAD_ORDER.indexOf(lead as (typeof LEAD_ORDER)[number]);
  return lead === 'all' || k < 0 ? contactSheet(images) : images[k]!;
}

/** Puts the renderer's bytes on the canvas unchanged, then sizes it for the zoom. */
export function drawImage(canvas: HTMLCanvasElement, image: RasterImage, zoom: Zoom): void {
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas context');
  ctx.putImageData(toImageData(image), 0, 0);
  sizeCanvas(canvas, zoom);
}

/** CSS size for a zoom: 'fit' leaves it to the stylesheet, '1' and '2' show 1 or 2 CSS px per image pixel. */
export function sizeCanvas(canvas: HTMLCanvasElement, zoom: Zoom): void {
  if (zoom === 'fit') {
    canvas.style.width = '';
    canvas.style.height = '';
  } else {
    const k = zoom === '2' ? 2 : 1;
    canvas.style.width = `${canvas.width * k}px`;
    canvas.style.height = `${canvas.height * k}px`;
  }
}

export function showRecordMeta(root: HTMLElement, r: SampleEntry, scp: Record<string, string>): void {
  const facts = recordFacts(r, formatAge(r.age), scp);
  find(root, '[data-gen-meta-label]').replaceChildren(el('span', { className: r.mi ? 'gen-mi' : '' }, facts.label));
  find(root, '[data-gen-meta-person]').textContent = facts.person;
  find(root, '[data-gen-meta-super]').textContent = facts.superclasses;
  find(root, '[data-gen-meta-codes]').replaceChildren(
    ...facts.codes.map(({ code, mi, text }) =>
      el('li', {}, el('code', { className: mi ? 'gen-mi' : '' }, code), ...(text ? [text] : [])),
    ),
  );
  find(root, '[data-gen-meta-report]').textContent = facts.report;
}

/** The "everything the seed drew" list (wild, photo, dataset3); hidden for styles that draw nothing. */
export function showParams(root: HTMLElement, info: RenderInfo): void {
  let rows: Array<[string, string]> = [];
  let title = '';
  if (info.wild) {
    rows = wildRows(info.wild);
    const device = info.wild.scan ? ' and the scanner' : info.wild.camera ? ' and the camera' : '';
    title = `Everything seed ${info.seed} drew: the page${device}`;
  } else if (info.photo) {
    rows = photoRows(info.photo);
    title = `Camera parameters drawn from seed ${info.seed}`;
  } else if (info.shadows) {
    rows = shadowRows(info.shadows);
    const n = info.shadows.length;
    title = `${n} shadow polygon${n === 1 ? '' : 's'} drawn from seed ${info.seed} (corners in pixels)`;
  }
  find<HTMLDetailsElement>(root, '[data-gen-params]').hidden = rows.length === 0;
  find(root, '[data-gen-params-title]').textContent = title;
  find(root, '[data-gen-params-list]').replaceChildren(
    ...rows.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))),
  );
}

export function fillRecordSelect(sel: HTMLSelectElement, records: SampleEntry[], selected: number | null): void {
  sel.replaceChildren(...records.map((r) => new Option(recordOptionLabel(r, formatAge(r.age)), String(r.ecgId))));
  sel.disabled = sel.options.length === 0;
  if (selected !== null) sel.value = String(selected);
}

/** The sample bundle is not there: say how to make it. */
export function showMissingSamples(root: HTMLElement): void {
  const alert = find(root, '[data-gen-alert]');
  alert.replaceChildren(
    'The sample records are missing (',
    el('code', {}, 'public/samples/index.json'),
    ' was not found). Run ',
    el('code', {}, 'npm run setup'),
    ' to download PTB-XL and build the sample bundle, then rebuild the site.',
  );
  alert.hidden = false;
  find(root, '[data-gen-frame-msg]').textContent = 'No sample records: run npm run setup.';
  find<HTMLSelectElement>(root, '[data-gen-record]').replaceChildren(new Option('No sample records'));
}

/** The timing line under the image. */
export function timingText(renderMs: number, loadMs: number, where: 'worker' | 'main'): string {
  const place = where === 'worker' ? 'in a Web Worker' : 'on the main thread';
  const load = loadMs > 5 ? `; record fetched and parsed in ${loadMs.toFixed(0)} ms` : '';
  return `Rendered in ${renderMs.toFixed(1)} ms (${place})${load}.`;
}
