/**
 * The generator-to-classifier hand-off, in one place for both islands.
 *
 * - Same page: the generator dispatches `SEND_EVENT` on window with `{ image, label }`; the classifier listens.
 * - Another page: the generator keeps the image in sessionStorage as a PNG data URL (`PENDING_IMAGE_KEY`, label in
 *   `PENDING_LABEL_KEY`) and links to the demo, which takes it once. PNG is lossless, so the classifier sees
 *   exactly the bytes the generator drew.
 * PNG code loads on use only (dynamic import), so importing this module costs the islands next to nothing.
 */
import { errorMessage } from './errors';
import type { RasterImage } from './render/types';

export const SEND_EVENT = 'heartnet:send-to-classifier';
export const PENDING_IMAGE_KEY = 'heartnet:pending-image';
export const PENDING_LABEL_KEY = 'heartnet:pending-image-label';
export const PNG_DATA_URL_PREFIX = 'data:image/png;base64,';

export interface Handoff {
  image: RasterImage;
  label: string;
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
}

/**
 * Takes (and removes) what a generator left for the demo: the data URL and its label, or null when nothing is
 * pending or the storage is blocked. Decode the URL with `decodePngDataUrl`.
 */
export function takePending(storage: Storage, defaultLabel: string): { url: string; label: string } | null {
  try {
    const url = storage.getItem(PENDING_IMAGE_KEY);
    const label = storage.getItem(PENDING_LABEL_KEY) ?? defaultLabel;
    storage.removeItem(PENDING_IMAGE_KEY);
    storage.removeItem(PENDING_LABEL_KEY);
    return url ? { url, label } : null;
  } catch {
    return null; // storage blocked: nothing can be pending
  }
}
