/**
 * Loading the demo's model (TensorFlow.js and the weights, fetched on first use) with progress on the status
 * line, and the occlusion map's caption. ?backend=cpu|wasm|webgl in the page URL pins the backend (for
 * comparisons and tests); by default WebGL, then WASM, then CPU.
 */
import { errorMessage } from '../../lib/errors';
import type { BrowserClassifier } from '../../lib/model/browser';
import type { SaliencyMap } from '../../lib/model/saliency';
import type { RasterImage } from '../../lib/render/types';
import { BACKEND_NAMES, showStatus } from './classifier-view';

export interface ModelSource {
  modelUrl: string;
  gateUrl: string | null;
  /** The sheet-upright model's folder; null when none ships (pictures are then read as given). */
  uprightUrl: string | null;
}

/** Loads the classifier (and its EKG check) and reports progress and the outcome on the status line. */
export async function startModel(root: HTMLElement, src: ModelSource): Promise<BrowserClassifier> {
  const url = new URL(src.modelUrl, location.href).href;
  const pinned = new URLSearchParams(location.search).get('backend');
  const backends: Array<BrowserClassifier['backend']> | undefined =
    pinned === 'cpu' || pinned === 'wasm' || pinned === 'webgl' ? [pinned] : undefined;
  showStatus(root, 'Loading the TensorFlow.js runtime…', null);
  try {
    const { loadClassifier } = await import('../../lib/model/browser');
    const m = await loadClassifier(url, {
      backends,
      gateDir: src.gateUrl ? new URL(src.gateUrl, location.href).href : null,
      uprightDir: src.uprightUrl ? new URL(src.uprightUrl, location.href).href : null,
      onProgress: (p) => {
        if (p.phase === 'weights' && p.total) {
          const kb = (v: number) => (v / 1024).toFixed(0);
          showStatus(root, `Downloading the model: ${kb(p.loaded!)} of ${kb(p.total)} KB`, p.loaded! / p.total);
        } else if (p.phase === 'warmup') showStatus(root, 'Warming up the model…', null);
        else if (p.phase === 'metadata') showStatus(root, 'Fetching the model description…', null);
      },
    });
    const skipped = m.backendNotes.length ? ` (skipped: ${m.backendNotes.join('; ')})` : '';
    const loaded = `Loaded in ${(m.loadMs / 1000).toFixed(1)} s.`;
    showStatus(root, `Model ready: ${m.meta.name}, running on ${BACKEND_NAMES[m.backend]}${skipped}. ${loaded}`);
    root.dataset.backend = m.backend;
    return m;
  } catch (e) {
    showStatus(root, `The model could not be loaded: ${errorMessage(e)}`);
    throw e;
  }
}

/** What the occlusion map shows and how strong its strongest cell is. */
export function saliencyCaption(map: SaliencyMap | null, ms: number): string {
  const strongest = map ? Math.max(...Array.from(map.values).filter(Number.isFinite).map(Math.abs)).toFixed(3) : '0';
  return (
    `Occlusion map: ${map?.rows ?? 0} × ${map?.cols ?? 0} cells, ${(ms / 1000).toFixed(1)} s. ` +
    `Red: covering this region lowered the MI score; blue: raised it. Strongest cell changed the score by ${strongest}.`
  );
}

/** Computes the occlusion map of a model input, with progress in `text`; null when aborted. */
export function computeSaliency(
  model: BrowserClassifier,
  plane: Uint8Array,
  image: RasterImage,
  text: HTMLElement,
  signal: AbortSignal,
): Promise<SaliencyMap | null> {
  text.textContent = 'Computing the occlusion map…';
  return model.saliency(plane, image.width, image.height, {
    signal,
    onProgress: (f) => (text.textContent = `Computing the occlusion map… ${(f * 100).toFixed(0)}%`),
  });
}

/** Paints the map over the image (red: covering lowered the score; blue: raised it). */
export async function drawSaliency(overlay: HTMLCanvasElement, map: SaliencyMap): Promise<void> {
  const { saliencyOverlay } = await import('../../lib/model/saliency');
  const ov = saliencyOverlay(map, overlay.width, overlay.height);
  const data = new ImageData(ov.data as Uint8ClampedArray<ArrayBuffer>, ov.width, ov.height);
  overlay.getContext('2d')!.putImageData(data, 0, 0);
}
