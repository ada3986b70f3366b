/**
 * The generator-to-classifier hand-off, in one place for both islands.
 *
 * - Same page: the generator dispatches `SEND_EVENT` on window with `{ image, label }`; the classifier listens.
 * - Another page: the generator keeps the image in sessionStorage as a PNG data URL (`PENDING_IMAGE_KEY`, label in
 *   `PENDING_LABEL_KEY`, what it drew in `PENDING_SOURCE_KEY` as JSON) and links to the demo, which takes it once.
 *   PNG is lossless, so the classifier sees exactly the bytes the generator drew.
 * - `source` (optional) says what the picture shows: the PTB-XL record, style, seed and filters, and for the wild
 *   sheets the seconds each printed lead shows. The demo uses it to draw the true signal beside the leads it reads
 *   back (the record filtered like the printout).
 * PNG code loads on use only (dynamic import), so importing this module costs the islands next to nothing.
 */
import { errorMessage } from './errors';
import type { RasterImage, StyleName } from './render/types';
import type { FilterName } from './signal/filters';

export const SEND_EVENT = 'heartnet:send-to-classifier';
export const PENDING_IMAGE_KEY = 'heartnet:pending-image';
export const PENDING_LABEL_KEY = 'heartnet:pending-image-label';
export const PENDING_SOURCE_KEY = 'heartnet:pending-image-source';
export const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';

/** One printed lead (or rhythm strip) and the seconds of the record it shows. */
export interface PrintedPanel {
  lead: string;
  rhythm: boolean;
  t0: number;
  t1: number;
}

/** What the generator drew: enough for the demo to fetch the record and filter it as the picture printed it. */
export interface HandoffSource {
  ecgId: number;
  style: StyleName;
  seed: number;
  /** The conditioning filters the picture was drawn with (RenderInfo.filters). */
  filters: FilterName[];
  /** The wild sheets' own layout (RenderInfo.wild.sheet.panels); absent: the standard 3x4 + lead II rhythm windows. */
  panels?: PrintedPanel[];
}

export interface Handoff {
  image: RasterImage;
  label: string;
  source?: HandoffSource;
}

const FILTERS = ['baseline', 'lowpass', 'notch50', 'notch60'];

/** True when `v` is a well-formed HandoffSource (it crosses pages as JSON and events as anything). */
export function isHandoffSource(v: unknown): v is HandoffSource {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  const okPanels =
    o.panels === undefined ||
    (Array.isArray(o.panels) &&
      o.panels.every((p: unknown) => {
        const q = p as Record<string, unknown> | null;
        return (
          !!q &&
          typeof q.lead === 'string' &&
          typeof q.rhythm === 'boolean' &&
          Number.isFinite(q.t0) &&
          Number.isFinite(q.t1)
        );
      }));
  return (
    Number.isInteger(o.ecgId) &&
    typeof o.style === 'string' &&
    Number.isInteger(o.seed) &&
    Array.isArray(o.filters) &&
    o.filters.every((f) => FILTERS.includes(f as string)) &&
    okPanels
  );
}

declare global {
  interface WindowEventMap {
    'heartnet:send-to-classifier': CustomEvent<Handoff>;
  }
}

/** Hands the image to a classifier on the same page (it must be listening on `target`). */
export function sendToClassifier(target: EventTarget, handoff: Handoff): void {
  target.dispatchEvent(new CustomEvent(SEND_EVENT, { detail: handoff }));
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

function base64ToBytes(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The image as a `data:image/png;base64,...` URL. */
export async function encodePngDataUrl(image: RasterImage): Promise<string> {
  const { encodePng } = await import('./render/png');
  return PNG_DATA_URL_PREFIX + bytesToBase64(encodePng(image));
}

/** Reads a PNG data URL back; throws `HandoffError` ('not-png' or 'decode-failed'). */
export async function decodePngDataUrl(url: string): Promise<RasterImage> {
  if (!url.startsWith(PNG_DATA_URL_PREFIX)) throw new HandoffError('not-png', 'the handed-over image is not a PNG');
  try {
    const { decodePng } = await import('./render/png');
    return decodePng(base64ToBytes(url.slice(PNG_DATA_URL_PREFIX.length)));
  } catch (e) {
    throw new HandoffError('decode-failed', `the handed-over image could not be read (${errorMessage(e)})`);
  }
}

export class HandoffError extends Error {
  override name = 'HandoffError';
  constructor(
    readonly code: 'not-png' | 'decode-failed',
    message: string,
  ) {
    super(message);
  }
}

/** Keeps the image for the demo page. Throws when the storage is full or blocked. */
export async function storePending(storage: Storage, handoff: Handoff): Promise<void> {
  const url = await encodePngDataUrl(handoff.image);
  storage.setItem(PENDING_IMAGE_KEY, url);
  storage.setItem(PENDING_LABEL_KEY, handoff.label);
  if (handoff.source) storage.setItem(PENDING_SOURCE_KEY, JSON.stringify(handoff.source));
  else storage.removeItem(PENDING_SOURCE_KEY);
}

/**
 * Takes (and removes) what a generator left for the demo: the data URL, its label and (when it was left and is
 * well-formed) its source, or null when nothing is pending or the storage is blocked. Decode the URL with
 * `decodePngDataUrl`.
 */
export function takePending(
  storage: Storage,
  defaultLabel: string,
): { url: string; label: string; source?: HandoffSource } | null {
  try {
    const url = storage.getItem(PENDING_IMAGE_KEY);
    const label = storage.getItem(PENDING_LABEL_KEY) ?? defaultLabel;
    const sourceText = storage.getItem(PENDING_SOURCE_KEY);
    storage.removeItem(PENDING_IMAGE_KEY);
    storage.removeItem(PENDING_LABEL_KEY);
    storage.removeItem(PENDING_SOURCE_KEY);
    if (!url) return null;
    let source: unknown;
    try {
      source = sourceText ? JSON.parse(sourceText) : undefined;
    } catch {
      source = undefined;
    }
    return isHandoffSource(source) ? { url, label, source } : { url, label };
  } catch {
    return null; // storage blocked: nothing can be pending
  }
}
