/**
 * Client side of Classifier.astro: the <heartnet-classifier> custom element.
 * Static imports here are small and pure (decode, preprocess, EKG check); TensorFlow.js, the renderer and the
 * WFDB parser are dynamic imports, fetched only when the reader uses the demo.
 */
import type { BrowserClassifier, Prediction } from '../../lib/model/browser';
import { decodeImageFile, describeImageError, ImageInputError } from '../../lib/model/decode';
import type { EkgCheckResult } from '../../lib/model/ekg-gate';
import type { SaliencyMap } from '../../lib/model/saliency';
import type { RasterImage } from '../../lib/render/types';
import { pickDemoSamples, sampleButtonText, sampleLabel } from './samples';

interface Config {
  modelUrl: string;
  /** The EKG check's model folder; null only with the test fixture model (then every picture is let through, with a note). */
  gateUrl: string | null;
  samplesUrl: string;
  style: string;
  figures: { source: 'test' | 'validation'; fold: number; n: number | null; sensitivity: number; specificity: number; file: string };
}

/** A 0..1 score for the reader, or "n/a" when there is none (no EKG check loaded). */
const fmtScore = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');

interface SampleEntry {
  ecgId: number;
  mi: boolean;
  miCodes?: string[];
  superclasses?: string[];
  stratFold?: number;
  hea: string;
  dat: string;
}

interface Current {
  image: RasterImage;
  label: string;
  notes: string[];
  plane: Uint8Array;
  ekg: EkgCheckResult;
  preprocessMs: number;
  prediction?: Prediction;
  saliency?: SaliencyMap | null;
}

declare global {
  interface Window {
    __heartnet?: Record<string, unknown>;
  }
  interface WindowEventMap {
    'heartnet:send-to-classifier': CustomEvent<{ image: RasterImage; label: string }>;
  }
}

const BACKEND_NAMES = { webgl: 'WebGL (GPU)', wasm: 'WebAssembly (CPU)', cpu: 'plain JavaScript (CPU, slowest)' } as const;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function isRaster(v: unknown): v is RasterImage {
  if (!v || typeof v !== 'object') return false;
  const r = v as RasterImage;
  return (
    Number.isInteger(r.width) && Number.isInteger(r.height) && r.width > 0 && r.height > 0 && (r.channels === 1 || r.channels === 4) &&
    r.data instanceof Uint8ClampedArray && r.data.length === r.width * r.height * r.channels
  );
}

class HeartnetClassifier extends HTMLElement {
  private config: Config | null = null;
  private model: Promise<BrowserClassifier> | null = null;
  private loaded: BrowserClassifier | null = null;
  private current: Current | null = null;
  private count = 0;
  private busy = Promise.resolve();
  private saliencyAbort: { aborted: boolean } | null = null;
  private samplesLoaded = false;
  private seq = 0;

  private q<T extends Element>(sel: string): T {
    const el = this.querySelector<T>(sel);
    if (!el) throw new Error(`classifier markup is missing ${sel}`);
    return el;
  }

  connectedCallback(): void {
    const raw = this.dataset.config;
    if (!raw) return;
    this.config = JSON.parse(raw) as Config;
    const drop = this.q<HTMLElement>('[data-clf-drop]');
    const onFiles = (files: FileList | null | undefined) => {
      const f = files?.[0];
      if (f) void this.enqueue(() => this.classifyFile(f));
    };
    for (const sel of ['[data-clf-file]', '[data-clf-camera]']) {
      const input = this.q<HTMLInputElement>(sel);
      input.addEventListener('change', () => {
        onFiles(input.files);
        input.value = '';
      });
    }
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
    // Paste: anywhere while the demo has focus, or on the page when nothing editable has focus.
    document.addEventListener('paste', (e) => {
      const t = e.target as HTMLElement | null;
      const editable = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (editable && !this.contains(t)) return;
      const item = [...(e.clipboardData?.items ?? [])].find((i) => i.kind === 'file');
      const file = item?.getAsFile();
      if (file) {
        e.preventDefault();
        void this.enqueue(() => this.classifyFile(file));
      }
    });
    // Start fetching the runtime as soon as the reader engages with the demo (not on page load).
    const warm = () => void this.ensureModel().catch(() => {});
    this.addEventListener('pointerdown', warm, { once: true });
    this.addEventListener('focusin', warm, { once: true });
    this.addEventListener('dragenter', warm, { once: true });
    window.addEventListener('heartnet:send-to-classifier', (e) => {
      const d = e.detail;
      const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      this.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: 'start' });
      if (!d || !isRaster(d.image)) {
        this.showError('The generator sent something that is not an image; nothing was classified.', 'bad-event');
        return;
      }
      void this.enqueue(() => this.classifyImage(d.image, String(d.label ?? 'Image from the generator'), []));
    });
    this.q<HTMLInputElement>('[data-clf-saliency]').addEventListener('change', () => void this.updateSaliency());
    void this.takePendingImage();
    // The sample list is tiny (one JSON file); load it when the demo comes into view.
    const io = new IntersectionObserver((entries) => {
      if (entries.some((en) => en.isIntersecting)) {
        io.disconnect();
        void this.loadSamples();
      }
    }, { rootMargin: '200px' });
    io.observe(this);
    window.__heartnet = {
      ...(window.__heartnet ?? {}),
      classifier: this,
      memory: () => this.loaded?.memory() ?? null,
      classifications: () => this.count,
      backend: () => this.loaded?.backend ?? null,
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

  private status(text: string, progress?: number | null): void {
    this.q('[data-clf-status-text]').textContent = text;
    const bar = this.q<HTMLProgressElement>('[data-clf-progress]');
    if (progress === undefined) bar.hidden = true;
    else {
      bar.hidden = false;
      if (progress === null) bar.removeAttribute('value');
      else bar.value = progress;
    }
  }

  ensureModel(): Promise<BrowserClassifier> {
    if (!this.config) return Promise.reject(new Error('no model configured'));
    if (!this.model) {
      const url = new URL(this.config.modelUrl, location.href).href;
      // ?backend=cpu|wasm|webgl pins the backend (for comparisons and tests); default: WebGL, then WASM, then CPU.
      const pinned = new URLSearchParams(location.search).get('backend');
      const backends: Array<'cpu' | 'wasm' | 'webgl'> | undefined = pinned === 'cpu' || pinned === 'wasm' || pinned === 'webgl' ? [pinned] : undefined;
      this.status('Loading the TensorFlow.js runtime…', null);
      this.model = import('../../lib/model/browser')
        .then(({ loadClassifier }) =>
          loadClassifier(url, {
            backends,
            gateDir: this.config!.gateUrl ? new URL(this.config!.gateUrl, location.href).href : null,
            onProgress: (p) => {
              if (p.phase === 'weights' && p.total) this.status(`Downloading the model: ${(p.loaded! / 1024).toFixed(0)} of ${(p.total / 1024).toFixed(0)} KB`, p.loaded! / p.total);
              else if (p.phase === 'warmup') this.status('Warming up the model…', null);
              else if (p.phase === 'metadata') this.status('Fetching the model description…', null);
            },
          }),
        )
        .then((m) => {
          this.loaded = m;
          const skipped = m.backendNotes.length ? ` (skipped: ${m.backendNotes.join('; ')})` : '';
          this.status(`Model ready: ${m.meta.name}, running on ${BACKEND_NAMES[m.backend]}${skipped}. Loaded in ${(m.loadMs / 1000).toFixed(1)} s.`);
          this.dataset.backend = m.backend;
          return m;
        })
        .catch((e: unknown) => {
          this.model = null;
          const msg = e instanceof Error ? e.message : String(e);
          this.status(`The model could not be loaded: ${msg}`);
          throw e;
        });
    }
    return this.model;
  }

  private setState(state: string, extra: Record<string, string> = {}): void {
    const r = this.q<HTMLElement>('[data-clf-result]');
    r.dataset.state = state;
    for (const k of ['probability', 'decision', 'errorCode', 'isEkg', 'count', 'modelMs']) delete r.dataset[k];
    Object.assign(r.dataset, extra);
  }

  private showError(message: string, code: string): void {
    this.setState('error', { errorCode: code });
    this.q('[data-clf-reading]').innerHTML = `<p class="clf-error" role="alert" data-clf-error>${esc(message)}</p>`;
    this.clearCanvas();
  }

  /** The occlusion map's caption describes one image: back to the general text whenever the image changes. */
  private saliencyIntro: string | null = null;
  private resetSaliencyText(): void {
    const text = this.q('[data-clf-saliency-text]');
    this.saliencyIntro ??= text.textContent;
    text.textContent = this.saliencyIntro;
  }

  private clearCanvas(): void {
    for (const sel of ['[data-clf-canvas]', '[data-clf-overlay]']) {
      const c = this.q<HTMLCanvasElement>(sel);
      c.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    }
    this.q('[data-clf-caption]').textContent = 'No image.';
    this.resetSaliencyText();
    this.current = null;
    const sal = this.q<HTMLInputElement>('[data-clf-saliency]');
    sal.disabled = true;
  }

  /**
   * A generator on a page without a classifier leaves its image in sessionStorage (a PNG data URL) and links
   * here: classify it once. Decoded with our own PNG decoder, so the pixels are exactly what the generator drew.
   */
  private async takePendingImage(): Promise<void> {
    let url: string | null = null;
    let label = 'Image from the generator';
    try {
      url = sessionStorage.getItem('heartnet:pending-image');
      label = sessionStorage.getItem('heartnet:pending-image-label') ?? label;
      sessionStorage.removeItem('heartnet:pending-image');
      sessionStorage.removeItem('heartnet:pending-image-label');
    } catch {
      return; // storage blocked: nothing can be pending
    }
    if (!url) return;
    const prefix = 'data:image/png;base64,';
    if (!url.startsWith(prefix)) {
      this.showError('The image handed over by the generator is not a PNG; nothing was classified.', 'bad-event');
      return;
    }
    try {
      const { decodePng } = await import('../../lib/render/png');
      const bin = atob(url.slice(prefix.length));
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const image = decodePng(bytes);
      this.scrollIntoView({ block: 'start' });
      await this.enqueue(() => this.classifyImage(image, label, []));
    } catch {
      this.showError('The image handed over by the generator could not be read; nothing was classified.', 'decode-failed');
    }
  }

  private async classifyFile(file: File | Blob): Promise<void> {
    this.saliencyAbort && (this.saliencyAbort.aborted = true);
    this.setState('busy');
    this.q('[data-clf-reading]').innerHTML = '<p class="clf-placeholder">Reading the image…</p>';
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

  private drawImage(image: RasterImage): void {
    const canvas = this.q<HTMLCanvasElement>('[data-clf-canvas]');
    const overlay = this.q<HTMLCanvasElement>('[data-clf-overlay]');
    const s = Math.min(1, 1280 / Math.max(image.width, image.height));
    const w = Math.max(1, Math.round(image.width * s));
    const h = Math.max(1, Math.round(image.height * s));
    canvas.width = overlay.width = w;
    canvas.height = overlay.height = h;
    const rgba = new Uint8ClampedArray(image.width * image.height * 4);
    if (image.channels === 4) rgba.set(image.data);
    else for (let i = 0; i < image.width * image.height; i++) rgba.set([image.data[i]!, image.data[i]!, image.data[i]!, 255], i * 4);
    const full = new OffscreenCanvas(image.width, image.height);
    full.getContext('2d')!.putImageData(new ImageData(rgba, image.width, image.height), 0, 0);
    const ctx = canvas.getContext('2d')!;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(full, 0, 0, w, h); // display only; the model input comes from preprocess()
    overlay.getContext('2d')!.clearRect(0, 0, w, h);
  }

  async classifyImage(image: RasterImage, label: string, notes: string[], force = false): Promise<void> {
    this.saliencyAbort && (this.saliencyAbort.aborted = true);
    const modelP = this.ensureModel();
    this.setState('busy');
    this.drawImage(image);
    this.q('[data-clf-caption]').textContent = `${label} — ${image.width} × ${image.height} px`;
    this.resetSaliencyText();
    const sal = this.q<HTMLInputElement>('[data-clf-saliency]');
    sal.disabled = true;
    let model: BrowserClassifier;
    try {
      model = await modelP;
    } catch (e) {
      this.showError(`The model could not be loaded, so nothing was classified: ${e instanceof Error ? e.message : String(e)}`, 'model');
      return;
    }
    const t0 = performance.now();
    const { plane, ekg } = await model.analyse(image);
    const preprocessMs = performance.now() - t0;
    this.current = { image, label, notes, plane, ekg, preprocessMs };
    if (!ekg.isEkg && !force) {
      this.setState('not-ekg', { isEkg: 'false' });
      const reading = this.q('[data-clf-reading]');
      reading.innerHTML =
        `<p class="clf-error" role="alert" data-clf-not-ekg data-reason="${esc(ekg.reason ?? '')}">${esc(ekg.message ?? 'This does not look like a 12-lead EKG.')}</p>` +
        notes.map((n) => `<p class="clf-note">${esc(n)}</p>`).join('') +
        `<p class="clf-small">EKG check score ${fmtScore(ekg.score)} (1 = looks like a 12-lead EKG; accepted from ${fmtScore(ekg.threshold)}).</p>` +
        '<p><button type="button" class="clf-button" data-clf-force>Run the model anyway</button></p>' +
        '<p class="clf-small">The model has only seen EKG images; on anything else its number means nothing.</p>';
      reading.querySelector('[data-clf-force]')?.addEventListener('click', () => void this.enqueue(() => this.classifyImage(image, label, notes, true)));
      return;
    }
    const prediction = await model.predictPlane(plane);
    this.current.prediction = prediction;
    this.count++;
    this.renderReading(model, this.current, force);
    this.setState('done', {
      probability: String(prediction.probability),
      decision: prediction.decision,
      isEkg: String(ekg.isEkg),
      count: String(this.count),
      modelMs: prediction.modelMs.toFixed(2),
    });
    sal.disabled = false;
    if (sal.checked) await this.updateSaliency();
  }

  private renderReading(model: BrowserClassifier, cur: Current, forced: boolean): void {
    const p = cur.prediction!;
    const meta = model.meta;
    const f = this.config!.figures;
    const isMi = p.decision === 'MI';
    const foldText = f.source === 'test' ? `the test fold (fold ${f.fold})` : 'the validation fold (fold 9, where the threshold was chosen: optimistic)';
    const meaning = isMi
      ? `At this threshold the model flagged ${pct(f.sensitivity)} of the MI records in ${foldText}, and wrongly flagged ${pct(1 - f.specificity)} of the records without MI.`
      : `At this threshold the model cleared ${pct(f.specificity)} of the records without MI in ${foldText}, but also missed ${pct(1 - f.sensitivity)} of the MI records: "no MI" here is not reassurance.`;
    const html = [
      forced ? '<p class="clf-error">The EKG check said this is probably not an EKG; the number below is shown only because you asked for it.</p>' : '',
      `<p class="clf-prob clf-decision-${p.decision}" data-clf-decision>${isMi ? 'Model reading: MI' : 'Model reading: no MI'}</p>`,
      // "score", not "probability": the model's output ranks images but is not calibrated (chapter 7)
      `<p>MI score <strong data-clf-probability>${p.probability.toFixed(3)}</strong> (0 to 1, not a probability); threshold ${meta.threshold.toFixed(3)}.</p>`,
      '<div class="clf-bar" aria-hidden="true"><div class="clf-bar-fill"></div><div class="clf-bar-threshold"></div></div>',
      `<p>${esc(meaning)}</p>`,
      '<p class="clf-note"><strong>Not a diagnosis.</strong> A research model trained on computer-drawn PTB-XL images. It can be wrong in either direction, and it has never been checked on real patients\' printouts. Do not act on it.</p>',
      ...cur.notes.map((n) => `<p class="clf-note">${esc(n)}</p>`),
      `<p class="clf-small" data-clf-timing>Model ${p.modelMs.toFixed(0)} ms · preprocessing and EKG check ${cur.preprocessMs.toFixed(0)} ms · backend: <span data-clf-backend>${esc(BACKEND_NAMES[model.backend])}</span> · EKG check score ${fmtScore(cur.ekg.score)}</p>`,
    ];
    const reading = this.q('[data-clf-reading]');
    reading.innerHTML = html.join('');
    // Positions through CSSOM, not style="" in the markup: the Content-Security-Policy allows no inline styles.
    reading.querySelector<HTMLElement>('.clf-bar-fill')!.style.width = `${(p.probability * 100).toFixed(1)}%`;
    reading.querySelector<HTMLElement>('.clf-bar-threshold')!.style.left = `${(meta.threshold * 100).toFixed(1)}%`;
  }

  private async updateSaliency(): Promise<void> {
    const box = this.q<HTMLInputElement>('[data-clf-saliency]');
    const overlay = this.q<HTMLCanvasElement>('[data-clf-overlay]');
    const ctx = overlay.getContext('2d')!;
    const text = this.q('[data-clf-saliency-text]');
    ctx.clearRect(0, 0, overlay.width, overlay.height);
    const cur = this.current;
    if (!box.checked || !cur?.prediction || !this.loaded) return;
    if (cur.saliency === undefined) {
      this.saliencyAbort && (this.saliencyAbort.aborted = true);
      const abort = { aborted: false };
      this.saliencyAbort = abort;
      const t0 = performance.now();
      text.textContent = 'Computing the occlusion map…';
      const map = await this.loaded.saliency(cur.plane, cur.image.width, cur.image.height, {
        signal: abort,
        onProgress: (f) => (text.textContent = `Computing the occlusion map… ${(f * 100).toFixed(0)}%`),
      });
      if (abort.aborted || this.current !== cur) return;
      cur.saliency = map;
      text.textContent = `Occlusion map: ${map?.rows ?? 0} × ${map?.cols ?? 0} cells, ${((performance.now() - t0) / 1000).toFixed(1)} s. Red: covering this region lowered the MI score; blue: raised it. Strongest cell changed the score by ${map ? Math.max(...Array.from(map.values).filter(Number.isFinite).map(Math.abs)).toFixed(3) : '0'}.`;
    }
    if (!cur.saliency || !box.checked) return;
    const { saliencyOverlay } = await import('../../lib/model/saliency');
    const ov = saliencyOverlay(cur.saliency, overlay.width, overlay.height);
    ctx.putImageData(new ImageData(ov.data as Uint8ClampedArray<ArrayBuffer>, ov.width, ov.height), 0, 0);
  }

  private async loadSamples(): Promise<void> {
    if (this.samplesLoaded || !this.config) return;
    this.samplesLoaded = true;
    const list = this.q<HTMLElement>('[data-clf-samples]');
    let records: SampleEntry[];
    try {
      const res = await fetch(`${this.config.samplesUrl}index.json`);
      if (!res.ok) return;
      records = ((await res.json()) as { records: SampleEntry[] }).records;
    } catch {
      return;
    }
    const pick = pickDemoSamples(records);
    if (pick.length === 0) return;
    // The build already drew these buttons (same texts, from samples.ts); redrawing them changes nothing on screen.
    list.innerHTML = '';
    for (const r of pick) {
      const b = document.createElement('button');
      b.type = 'button';
      const lab = sampleLabel(r);
      b.textContent = sampleButtonText(r);
      b.addEventListener('click', () => void this.enqueue(() => this.classifySample(r, lab)));
      list.append(b);
    }
  }

  private async classifySample(r: SampleEntry, lab: string): Promise<void> {
    const cfg = this.config!;
    this.setState('busy');
    this.q('[data-clf-reading]').innerHTML = '<p class="clf-placeholder">Drawing the sample…</p>';
    try {
      const [{ parseHeader, parseDat }, { render }] = await Promise.all([import('../../lib/ptbxl/wfdb'), import('../../lib/render/index')]);
      const [hea, dat] = await Promise.all([
        fetch(cfg.samplesUrl + r.hea).then((x) => x.text()),
        fetch(cfg.samplesUrl + r.dat).then((x) => x.arrayBuffer()),
      ]);
      const header = parseHeader(hea, r.hea);
      const signals = parseDat(new Uint8Array(dat), header, r.dat);
      const [image] = render(signals, { style: cfg.style as Parameters<typeof render>[1]['style'], seed: r.ecgId });
      if (!image) throw new Error('the renderer returned no image');
      await this.classifyImage(image, `PTB-XL record ${r.ecgId} (test fold; labelled ${lab}), ${cfg.style} style`, []);
    } catch (e) {
      this.showError(`The sample could not be drawn: ${e instanceof Error ? e.message : String(e)}`, 'sample');
    }
  }
}

if (!customElements.get('heartnet-classifier')) customElements.define('heartnet-classifier', HeartnetClassifier);
