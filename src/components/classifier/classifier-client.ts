/**
 * Client side of Classifier.astro: the <heartnet-classifier> custom element, a controller over
 *  - classifier-inputs.ts: files, camera, drop, paste and the generator's hand-off event;
 *  - classifier-view.ts: status, result state, canvases and the reading (built with createElement);
 *  - lib/handoff.ts: an image a generator on another page left in sessionStorage.
 *  - classifier-second-reading.ts: the second reading, the picture read back into signals by the digitiser (in a
 *    Web Worker, ../readback/) and read by the signal model, drawn beside the first (classifier-readback.ts),
 *    and the two readings' combined verdict (classifier-combined.ts).
 * Static imports here are small and pure; TensorFlow.js, the renderer, the digitiser and the WFDB parser are dynamic
 * imports, fetched only when the reader uses the demo. Tasks run one after another (a second upload waits for the
 * first, both readings included); a new image aborts the occlusion map of the previous one (AbortController).
 */
import { errorMessage } from '../../lib/errors';
import type { Handoff, HandoffSource } from '../../lib/handoff';
import type { BrowserClassifier, Prediction } from '../../lib/model/browser';
import { decodeImageFile, describeImageError, ImageInputError } from '../../lib/model/decode';
import type { EkgCheckResult } from '../../lib/model/ekg-gate';
import type { SaliencyMap } from '../../lib/model/saliency';
import { turnQuarter } from '../../lib/render/image';
import type { RasterImage, StyleName } from '../../lib/render/types';
import { FROM_GENERATOR, readPendingImage, wireInputs } from './classifier-inputs';
import * as view from './classifier-view';
import type { ThresholdFigures } from './model-info';
import { sampleLabel } from '../../lib/demo-samples';
import { drawSample, watchSamples, type SampleRecord } from './classifier-samples';
import { computeSaliency, drawSaliency, saliencyCaption, startModel } from './classifier-model';
import type { CombinedConfig } from './classifier-combined';
import type { SignalConfig } from './classifier-readback';
import { SecondReading } from './classifier-second-reading';

interface Config {
  modelUrl: string;
  /** The EKG check's model folder; null only with the test fixture model (then every picture is let through, with a note). */
  gateUrl: string | null;
  /** The sheet-upright model's folder; null when none ships. */
  uprightUrl: string | null;
  samplesUrl: string;
  style: StyleName;
  figures: ThresholdFigures;
  /** The second reading (digitiser + signal model); null when no signal model ships (or with the test fixture). */
  signal: SignalConfig | null;
  /** The two readings' combined verdict's figures; null where the build has not measured it. */
  combined: CombinedConfig | null;
}

interface Current {
  image: RasterImage;
  plane: Uint8Array;
  ekg: EkgCheckResult;
  prediction?: Prediction;
  saliency?: SaliencyMap | null;
}

declare global {
  interface Window {
    __heartnet?: Record<string, unknown>;
  }
}

class HeartnetClassifier extends HTMLElement {
  private config: Config | null = null;
  private model: Promise<BrowserClassifier> | null = null;
  private loaded: BrowserClassifier | null = null;
  private current: Current | null = null;
  private count = 0;
  private busy = Promise.resolve();
  private saliencyRun: AbortController | null = null;
  private seq = 0;
  /** The occlusion map's general caption, shown again whenever the image changes. */
  private saliencyIntro: string | null = null;
  private second: SecondReading | null = null;
  /** The last picture read, as read, and how many quarter turns the reader gave it (what the Turn button turns). */
  private lastInput: {
    image: RasterImage;
    label: string;
    notes: string[];
    source?: HandoffSource;
    turns: number;
  } | null = null;
  private readonly q = <T extends Element = HTMLElement>(sel: string): T => view.find<T>(this, sel);

  connectedCallback(): void {
    const raw = this.dataset.config;
    if (!raw) return;
    this.config = JSON.parse(raw) as Config;
    if (this.config.signal)
      this.second = new SecondReading(this, this.config.signal, this.config.samplesUrl, this.config.combined);
    wireInputs(this, {
      file: (f) => void this.enqueue(() => this.classifyFile(f)),
      handoff: (h) => this.takeHandoff(h),
      warm: () => void this.ensureModel().catch(() => {}),
    });
    this.q('[data-clf-saliency]').addEventListener('change', () => void this.updateSaliency());
    // A sheet the sheet-upright model left sideways (or turned wrongly): the reader turns it here, and a picture
    // turned by hand is read as turned (analyse without the model)
    this.q('[data-clf-turn]').addEventListener('click', () => {
      const last = this.lastInput;
      if (!last) return;
      const image = turnQuarter(last.image, 90);
      void this.enqueue(() =>
        this.classifyImage(image, last.label, last.notes, false, last.source, (last.turns + 1) % 4),
      );
    });
    const mask = this.querySelector<HTMLInputElement>('[data-clf-mask]');
    mask?.addEventListener(
      'change',
      () => void import('./classifier-readback').then((ui) => ui.redrawSheet(this, mask.checked)),
    );
    void this.takePendingImage();
    watchSamples(this, this.config.samplesUrl, (r) => void this.enqueue(() => this.classifySample(r)));
    window.__heartnet = {
      ...(window.__heartnet ?? {}),
      classifier: this,
      memory: () => this.loaded?.memory() ?? null,
      classifications: () => this.count,
      backend: () => this.loaded?.backend ?? null,
      signalClassifications: () => this.second?.count ?? 0,
      readback: () => this.second?.last ?? null,
    };
  }

  /** Runs tasks one after another (a second upload waits for the first). */
  private enqueue(task: () => Promise<void>): Promise<void> {
    this.busy = this.busy
      .then(task, task)
      .catch((e: unknown) => this.showError(describeImageError(e), 'internal'))
      .finally(() => (this.dataset.seq = String(++this.seq)));
    return this.busy;
  }

  ensureModel(): Promise<BrowserClassifier> {
    if (!this.config) return Promise.reject(new Error('no model configured'));
    this.model ??= startModel(this, this.config).then(
      (m) => (this.loaded = m),
      (e: unknown) => {
        this.model = null;
        throw e;
      },
    );
    return this.model;
  }

  private showError(message: string, code: string): void {
    view.setResultState(this, 'error', { errorCode: code });
    view.showReading(this, view.errorLine(message));
    view.clearCanvases(this);
    this.newImage(null);
    this.lastInput = null;
    this.q<HTMLButtonElement>('[data-clf-turn]').disabled = true;
    this.second?.clear('Nothing was read back.');
  }

  /** A new image (or none): drop the old one's occlusion map, its caption and its state. */
  private newImage(cur: Current | null): void {
    this.saliencyRun?.abort();
    this.saliencyRun = null;
    const text = this.q('[data-clf-saliency-text]');
    this.saliencyIntro ??= text.textContent;
    text.textContent = this.saliencyIntro;
    this.current = cur;
    this.q<HTMLInputElement>('[data-clf-saliency]').disabled = true;
  }

  /** The generator on this page sent an image (null: something that is not one). */
  private takeHandoff(h: Handoff | null): void {
    const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    this.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: 'start' });
    if (h) void this.enqueue(() => this.classifyImage(h.image, h.label, [], false, h.source));
    else this.showError('The generator sent something that is not an image; nothing was classified.', 'bad-event');
  }

  /** A generator on a page without a classifier left its image in sessionStorage and linked here: classify it once. */
  private async takePendingImage(): Promise<void> {
    const pending = await readPendingImage(FROM_GENERATOR);
    if (!pending) return;
    if ('code' in pending) return this.showError(pending.message, pending.code);
    this.scrollIntoView({ block: 'start' });
    await this.enqueue(() => this.classifyImage(pending.image, pending.label, [], false, pending.source));
  }

  private async classifyFile(file: File | Blob): Promise<void> {
    this.saliencyRun?.abort();
    view.setResultState(this, 'busy');
    view.showReading(this, view.placeholder('Reading the image…'));
    let decoded;
    try {
      decoded = await decodeImageFile(file);
    } catch (e) {
      this.showError(describeImageError(e), e instanceof ImageInputError ? e.code : 'decode-failed');
      return;
    }
    const name = 'name' in file && typeof file.name === 'string' && file.name ? file.name : 'Pasted image';
    await this.classifyImage(decoded.image, name, decoded.notes);
  }

  async classifyImage(
    image: RasterImage,
    label: string,
    notes: string[],
    force = false,
    source?: HandoffSource,
    /** Quarter turns clockwise the reader gave the picture (the Turn button). */
    turns = 0,
  ): Promise<void> {
    const modelP = this.ensureModel();
    const readP = this.second?.start(image, source);
    this.lastInput = { image, label, notes, source, turns };
    this.q<HTMLButtonElement>('[data-clf-turn]').disabled = false;
    view.setResultState(this, 'busy');
    view.showPicture(this, image, label, { byReader: turns });
    this.newImage(this.current);
    let model: BrowserClassifier;
    try {
      model = await modelP;
    } catch (e) {
      this.showError(`The model could not be loaded, so nothing was classified: ${errorMessage(e)}`, 'model');
      return;
    }
    const t0 = performance.now();
    // turned upright first (the sheet-upright model) unless the reader turned it by hand: then read as turned
    const { image: seen, upright, plane, ekg } = await model.analyse(image, { turnUpright: turns === 0 });
    const preprocessMs = performance.now() - t0;
    this.dataset.uprightTurns = String(upright?.turns ?? 0);
    if (upright?.turns) view.showPicture(this, seen, label, { byModel: upright.turns });
    const cur: Current = (this.current = { image: seen, plane, ekg });
    if (!ekg.isEkg && !force) {
      view.setResultState(this, 'not-ekg', { isEkg: 'false' });
      const again = () => void this.enqueue(() => this.classifyImage(image, label, notes, true, source, turns));
      view.showReading(this, ...view.notEkgReading(ekg, notes, again));
      if (readP) await this.second!.finish(readP, source, null);
      return;
    }
    const prediction = await model.predictPlane(plane);
    cur.prediction = prediction;
    this.count++;
    const { threshold } = model.meta;
    const { figures } = this.config!;
    view.showReading(
      this,
      ...view.reading({
        prediction,
        threshold,
        backend: model.backend,
        figures,
        notes,
        preprocessMs,
        ekgScore: ekg.score,
        forced: force,
      }),
    );
    view.setResultState(this, 'done', {
      probability: String(prediction.probability),
      decision: prediction.decision,
      isEkg: String(ekg.isEkg),
      count: String(this.count),
      modelMs: prediction.modelMs.toFixed(2),
    });
    const sal = this.q<HTMLInputElement>('[data-clf-saliency]');
    sal.disabled = false;
    if (readP) await this.second!.finish(readP, source, { p: prediction.probability, threshold });
    if (sal.checked) await this.updateSaliency();
  }

  private async updateSaliency(): Promise<void> {
    const box = this.q<HTMLInputElement>('[data-clf-saliency]');
    const overlay = this.q<HTMLCanvasElement>('[data-clf-overlay]');
    overlay.getContext('2d')!.clearRect(0, 0, overlay.width, overlay.height);
    const cur = this.current;
    if (!box.checked || !cur?.prediction || !this.loaded) return;
    if (cur.saliency === undefined) {
      this.saliencyRun?.abort();
      const run = (this.saliencyRun = new AbortController());
      const text = this.q('[data-clf-saliency-text]');
      const t0 = performance.now();
      const map = await computeSaliency(this.loaded, cur.plane, cur.image, text, run.signal);
      if (run.signal.aborted || this.current !== cur) return;
      cur.saliency = map;
      text.textContent = saliencyCaption(map, performance.now() - t0);
    }
    if (cur.saliency && box.checked) await drawSaliency(overlay, cur.saliency);
  }

  private async classifySample(r: SampleRecord): Promise<void> {
    const { samplesUrl, style } = this.config!;
    view.setResultState(this, 'busy');
    view.showReading(this, view.placeholder('Drawing the sample…'));
    let drawn: Awaited<ReturnType<typeof drawSample>>;
    try {
      drawn = await drawSample(samplesUrl, style, r);
    } catch (e) {
      this.showError(`The sample could not be drawn: ${errorMessage(e)}`, 'sample');
      return;
    }
    const label = `PTB-XL record ${r.ecgId} (test fold; labelled ${sampleLabel(r)}), ${style} style`;
    await this.classifyImage(drawn.image, label, [], false, drawn.source);
  }
}

if (!customElements.get('heartnet-classifier')) customElements.define('heartnet-classifier', HeartnetClassifier);
