/**
 * Where the classifier demo's pictures come from: the file and camera inputs, drag and drop, paste (anywhere
 * while the demo has focus, or on the page when nothing editable has focus), and the generator's hand-off event.
 * Also starts loading the model as soon as the reader engages with the demo (not on page load).
 */
import {
  decodePngDataUrl,
  HandoffError,
  isHandoffSource,
  SEND_EVENT,
  takePending,
  type Handoff,
  type HandoffSource,
} from '../../lib/handoff';
import { isRasterImage } from '../../lib/render/image';
import type { RasterImage } from '../../lib/render/types';
import { find } from './classifier-view';

/** The label of a generator's image that came without one. */
export const FROM_GENERATOR = 'Image from the generator';

export interface InputHandlers {
  file(file: File): void;
  /** The generator on this page sent an image; null when what it sent is not one. */
  handoff(h: Handoff | null): void;
  /** The reader touched the demo: a good moment to start fetching the runtime. */
  warm(): void;
}

export function wireInputs(root: HTMLElement, on: InputHandlers): void {
  const onFiles = (files: FileList | null | undefined) => {
    const f = files?.[0];
    if (f) on.file(f);
  };
  for (const sel of ['[data-clf-file]', '[data-clf-camera]']) {
    const input = find<HTMLInputElement>(root, sel);
    input.addEventListener('change', () => {
      onFiles(input.files);
      input.value = '';
    });
  }
  const drop = find(root, '[data-clf-drop]');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('clf-dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('clf-dragging'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('clf-dragging');
    onFiles(e.dataTransfer?.files);
  });
  document.addEventListener('paste', (e) => {
    const t = e.target as HTMLElement | null;
    const editable = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (editable && !root.contains(t)) return;
    const item = [...(e.clipboardData?.items ?? [])].find((i) => i.kind === 'file');
    const file = item?.getAsFile();
    if (file) {
      e.preventDefault();
      on.file(file);
    }
  });
  for (const type of ['pointerdown', 'focusin', 'dragenter'])
    root.addEventListener(type, () => on.warm(), { once: true });
  window.addEventListener(SEND_EVENT, (e) => {
    const d = e.detail as Partial<Handoff> | null;
    if (!d || !isRasterImage(d.image)) return on.handoff(null);
    const label = String(d.label ?? FROM_GENERATOR);
    on.handoff(isHandoffSource(d.source) ? { image: d.image, label, source: d.source } : { image: d.image, label });
  });
}

/**
 * What a generator on a page without a classifier left in sessionStorage (once: it is removed): the image, its
 * label and what it shows, the error to show when it cannot be read, or null when nothing is pending.
 */
export async function readPendingImage(
  defaultLabel: string,
): Promise<{ image: RasterImage; label: string; source?: HandoffSource } | { message: string; code: string } | null> {
  let pending: ReturnType<typeof takePending>;
  try {
    pending = takePending(sessionStorage, defaultLabel);
  } catch {
    return null; // no storage at all: nothing can be pending
  }
  if (!pending) return null;
  try {
    const image = await decodePngDataUrl(pending.url);
    return pending.source ? { image, label: pending.label, source: pending.source } : { image, label: pending.label };
  } catch (e) {
    const notPng = e instanceof HandoffError && e.code === 'not-png';
    const what = notPng ? 'is not a PNG' : 'could not be read';
    return {
      message: `The image handed over by the generator ${what}; nothing was classified.`,
      code: notPng ? 'bad-event' : 'decode-failed',
    };
  }
}
