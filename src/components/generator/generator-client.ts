/**
 * Client side of Generator.astro: the <heartnet-generator> custom element.
 *
 * Renders in a Web Worker (render-worker.ts) so the page stays responsive; if a worker cannot start, the same
 * code (render-core.ts) runs on the main thread after a requestAnimationFrame yield. Only the chosen record's
 * two WFDB files are fetched. Everything drawn goes onto a canvas with putImageData, so its pixels are the
 * renderer's bytes.
 *
 * Events and hooks:
 *  - "Send to the classifier" dispatches `heartnet:send-to-classifier` on window ({ image: RasterImage, label })
 *    when a <heartnet-classifier> is on the page; otherwise it stores the image as a PNG data URL in
 *    sessionStorage `heartnet:pending-image` (label in `heartnet:pending-image-label`) and links to the demo.
 *  - `heartnet:generator-rendered` (bubbles, on the element) after every drawn image:
 *    detail { ecgId, style, seed, filters, width, height, renderMs }.
 *  - window.__heartnetGenerator: { element, hash(ecgId, style, seed, filters?, where?), bench(ecgId, style, opts),
 *    idle(), current() } for tests (render parity, timings).
 *  - data-state on the element: loading | rendering | ready | error | missing; data-renders counts draws.
 */
import type { SampleEntry, SampleIndex } from '../../lib/ptbxl/types';
import { formatAge } from '../../lib/ptbxl/database';
import type { RasterImage, RenderInfo, RenderOptions, StyleName } from '../../lib/render/types';
import type { FilterName } from '../../lib/signal/filters';
import {
  canonicalFilters,
  DEFAULT_GENERATOR_STATE,
  MAX_SEED,
  parseGeneratorQuery,
  randomSeed,
  withGeneratorQuery,
  type GeneratorState,
  type LeadChoice,
  type MiFilter,
  type Zoom,
} from '../../lib/generator-state';
import { defaultFilters, describeView, filtersNote, photoRows, recordFacts, recordOptionLabel, seedHint, shadowRows, STYLE_LABELS, wildRows } from './describe';
import type { CoreRequest, CoreResult, RecordRef } from './render-core';

interface Config {
  samplesUrl: string;
  demoUrl: string;
  initial: { record: number | null; style: StyleName; seed: number };
  urlState: boolean;
  scp: Record<string, string>;
}

interface Shown {
  rec: SampleEntry;
  style: StyleName;
  seed: number;
  lead: LeadChoice;
  info: RenderInfo;
  /** What the canvas shows (dataset4 grid: a contact sheet of the 12 images). */
  image: RasterImage;
  renderMs: number;
}

type GoldenHash = { width: number; height: number; channels: 1 | 4; sha256: string };

declare global {
  interface Window {
    __heartnetGenerator?: {
      element: HTMLElement;
      hash(ecgId: number, style: StyleName, seed: number, filters?: FilterName[], where?: 'worker' | 'main'): Promise<GoldenHash[]>;
      bench(ecgId: number, style: StyleName, opts?: { seed?: number; runs?: number; warmup?: number; where?: 'worker' | 'main' }): Promise<number[]>;
      idle(): Promise<void>;
      current(): { ecgId: number; style: StyleName; seed: number; lead: LeadChoice; width: number; height: number; renderMs: number } | null;
    };
  }
}

const LEAD_ORDER = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
const GRID_GAP = 16;
const GRID_GAP_GRAY = 150;

function toRgbaData(image: RasterImage): Uint8ClampedArray {
  if (image.channels === 4) return image.data;
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const v = image.data[i] as number;
    const j = i * 4;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
    out[j + 3] = 255;
  }
  return out;
}

/** The 12 dataset-4 images as a 4 x 3 contact sheet (gray), separated by gray gaps that are not part of any image. */
function contactSheet(images: RasterImage[]): RasterImage {
  const t = images[0]?.width ?? 512;
  const w = 4 * t + 3 * GRID_GAP;
  const h = 3 * t + 2 * GRID_GAP;
  const data = new Uint8ClampedArray(w * h).fill(GRID_GAP_GRAY);
  images.forEach((img, k) => {
    const x0 = (k % 4) * (t + GRID_GAP);
    const y0 = Math.floor(k / 4) * (t + GRID_GAP);
    for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * img.width, (y + 1) * img.width), (y0 + y) * w + x0);
  });
  return { width: w, height: h, channels: 1, data };
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

class HeartnetGenerator extends HTMLElement {
  private config!: Config;
  private defaults!: GeneratorState;
  private state!: GeneratorState;
  private records: SampleEntry[] = [];
  private worker: Worker | null = null;
  private workerFailed = false;
  private calls = new Map<number, { resolve: (r: CoreResult) => void; reject: (e: Error) => void }>();
  private callId = 0;
  private shown: Shown | null = null;
  private dirty = false;
  private loop: Promise<void> = Promise.resolve();
  private running = false;
  private renders = 0;
  private objectUrl: string | null = null;

  private q<T extends Element = HTMLElement>(sel: string): T {
    const el = this.querySelector<T>(sel);
    if (!el) throw new Error(`generator markup is missing ${sel}`);
    return el;
  }
  private qa<T extends Element = HTMLInputElement>(sel: string): T[] {
    return [...this.querySelectorAll<T>(sel)];
  }

  connectedCallback(): void {
    if (this.config) return;
    const raw = this.dataset.config;
    if (!raw) return;
    this.config = JSON.parse(raw) as Config;
    this.defaults = { ...DEFAULT_GENERATOR_STATE, ...this.config.initial };
    const problems: string[] = [];
    if (this.config.urlState) {
      const parsed = parseGeneratorQuery(location.search, this.defaults);
      this.state = parsed.state;
      problems.push(...parsed.problems);
    } else {
      this.state = { ...this.defaults };
    }
    if (problems.length) this.alert(`Some view settings in the address were not understood and were left at their defaults: ${problems.join('; ')}.`);
    this.syncControls();
    this.bind();
    this.exposeHooks();
    void this.loadIndex();
  }

  disconnectedCallback(): void {
    this.worker?.terminate();
    this.worker = null;
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
  }

  // ---------- state <-> controls ----------

  private effectiveFilters(): FilterName[] {
    if (this.state.filters) return canonicalFilters(this.state.filters);
    return defaultFilters(this.state.style);
  }

  private syncControls(): void {
    const s = this.state;
    for (const r of this.qa('[data-gen-mi]')) r.checked = r.value === s.mi;
    for (const r of this.qa('[data-gen-style]')) r.checked = r.value === s.style;
    for (const r of this.qa('[data-gen-zoom]')) r.checked = r.value === s.zoom;
    const eff = this.effectiveFilters();
    for (const c of this.qa('[data-gen-filter]')) c.checked = eff.includes(c.value as FilterName);
    this.q<HTMLButtonElement>('[data-gen-filters-default]').disabled = s.filters === null;
    const seed = this.q<HTMLInputElement>('[data-gen-seed]');
    if (seed.value !== String(s.seed)) seed.value = String(s.seed);
    const lead = this.q<HTMLSelectElement>('[data-gen-lead]');
    lead.value = s.lead;
    lead.disabled = s.style !== 'dataset4';
    this.q('[data-gen-frame]').dataset.zoom = s.zoom;
    for (const c of this.qa<HTMLElement>('[data-gen-caption]')) c.hidden = c.dataset.genCaption !== s.style;
    this.q('[data-gen-seed-hint]').textContent = seedHint(s.style);
    this.q('[data-gen-filters-note]').textContent = filtersNote(s.style, s.filters !== null);
  }

  private bind(): void {
    for (const r of this.qa('[data-gen-mi]')) {
      r.addEventListener('change', () => {
        if (!r.checked) return;
        this.state.mi = r.value as MiFilter;
        const list = this.filteredRecords();
        if (!list.some((x) => x.ecgId === this.state.record) && list[0]) this.state.record = list[0].ecgId;
        this.fillRecordSelect();
        this.changed(true);
      });
    }
    const sel = this.q<HTMLSelectElement>('[data-gen-record]');
    sel.addEventListener('change', () => {
      this.state.record = Number(sel.value);
      this.changed(true);
    });
    for (const r of this.qa('[data-gen-style]')) {
      r.addEventListener('change', () => {
        if (!r.checked) return;
        this.state.style = r.value as StyleName;
        this.changed(true);
      });
    }
    this.q<HTMLSelectElement>('[data-gen-lead]').addEventListener('change', (e) => {
      this.state.lead = (e.target as HTMLSelectElement).value as LeadChoice;
      this.changed(true);
    });
    const seed = this.q<HTMLInputElement>('[data-gen-seed]');
    seed.addEventListener('input', () => {
      const v = seed.value.trim();
      if (!/^\d{1,10}$/.test(v) || Number(v) > MAX_SEED) {
        seed.setAttribute('aria-invalid', 'true');
        return;
      }
      seed.removeAttribute('aria-invalid');
      if (Number(v) === this.state.seed) return;
      this.state.seed = Number(v);
      this.changed(true);
    });
    seed.addEventListener('change', () => {
      if (seed.getAttribute('aria-invalid') === 'true') {
        seed.value = String(this.state.seed);
        seed.removeAttribute('aria-invalid');
      }
    });
    this.q('[data-gen-newseed]').addEventListener('click', () => {
      this.state.seed = randomSeed();
      this.changed(true);
    });
    for (const c of this.qa('[data-gen-filter]')) {
      c.addEventListener('change', () => {
        this.state.filters = canonicalFilters(this.qa('[data-gen-filter]').filter((x) => x.checked).map((x) => x.value as FilterName));
        this.changed(true);
      });
    }
    this.q('[data-gen-filters-default]').addEventListener('click', () => {
      this.state.filters = null;
      this.changed(true);
      this.q<HTMLInputElement>('[data-gen-filter]').focus();
    });
    for (const r of this.qa('[data-gen-zoom]')) {
      r.addEventListener('change', () => {
        if (!r.checked) return;
        this.state.zoom = r.value as Zoom;
        this.changed(false);
      });
    }
    this.q('[data-gen-download]').addEventListener('click', () => void this.download());
    this.q('[data-gen-send]').addEventListener('click', () => void this.send());
    // The answer to "Send to the classifier" belongs next to that button, where the reader is looking (the status
    // line under the image is ~700 px further down). Moved while still empty, so nothing on screen shifts.
    const sendStatus = this.q('[data-gen-send-status]');
    sendStatus.setAttribute('role', 'status');
    sendStatus.classList.add('gen-send-status');
    this.q('[data-gen-send]').after(sendStatus);
  }

  /** After a control changed: update the controls and the URL, and redraw when the image depends on it. */
  private changed(redraw: boolean): void {
    this.syncControls();
    this.writeUrl();
    if (redraw) this.requestRender();
    else if (this.shown) this.updateCanvasSize();
  }

  private writeUrl(): void {
    if (!this.config.urlState) return;
    const href = withGeneratorQuery(location.href, this.state, this.defaults);
    if (href !== location.href) history.replaceState(history.state, '', href);
  }

  private alert(text: string | null): void {
    const el = this.q('[data-gen-alert]');
    el.textContent = text ?? '';
    el.hidden = !text;
  }

  // ---------- records ----------

  private async loadIndex(): Promise<void> {
    const url = new URL('index.json', new URL(this.config.samplesUrl, location.href)).href;
    let index: SampleIndex | null = null;
    try {
      const res = await fetch(url);
      if (res.ok) index = (await res.json()) as SampleIndex;
    } catch {
      index = null;
    }
    if (!index || !Array.isArray(index.records) || index.records.length === 0) {
      this.dataset.state = 'missing';
      this.alert('');
      const el = this.q('[data-gen-alert]');
      el.innerHTML = '';
      el.append(
        'The sample records are missing (',
        Object.assign(document.createElement('code'), { textContent: 'public/samples/index.json' }),
        ' was not found). Run ',
        Object.assign(document.createElement('code'), { textContent: 'npm run setup' }),
        ' to download PTB-XL and build the sample bundle, then rebuild the site.',
      );
      el.hidden = false;
      this.q('[data-gen-frame-msg]').textContent = 'No sample records: run npm run setup.';
      this.q<HTMLSelectElement>('[data-gen-record]').innerHTML = '<option>No sample records</option>';
      return;
    }
    this.records = index.records;
    const want = this.state.record;
    if (want !== null && !this.records.some((r) => r.ecgId === want)) {
      this.alert(`Record ${want} is not one of the site's sample records; showing the first one instead.`);
      this.state.record = null;
    }
    if (this.state.record !== null && !this.filteredRecords().some((r) => r.ecgId === this.state.record)) this.state.mi = 'all';
    if (this.state.record === null) this.state.record = (this.filteredRecords()[0] ?? this.records[0])!.ecgId;
    this.fillRecordSelect();
    this.syncControls();
    this.writeUrl();
    this.requestRender();
  }

  private filteredRecords(): SampleEntry[] {
    const mi = this.state.mi;
    return this.records.filter((r) => mi === 'all' || (mi === 'mi') === r.mi);
  }

  private fillRecordSelect(): void {
    const sel = this.q<HTMLSelectElement>('[data-gen-record]');
    sel.innerHTML = '';
    for (const r of this.filteredRecords()) {
      const opt = new Option(recordOptionLabel(r, formatAge(r.age)), String(r.ecgId));
      sel.add(opt);
    }
    sel.disabled = sel.options.length === 0;
    if (this.state.record !== null) sel.value = String(this.state.record);
  }

  private currentRecord(): SampleEntry | undefined {
    return this.records.find((r) => r.ecgId === this.state.record);
  }

  private showRecordMeta(r: SampleEntry): void {
    const facts = recordFacts(r, formatAge(r.age), this.config.scp);
    this.q('[data-gen-meta-label]').innerHTML = '';
    const label = document.createElement('span');
    label.className = r.mi ? 'gen-mi' : '';
    label.textContent = facts.label;
    this.q('[data-gen-meta-label]').append(label);
    this.q('[data-gen-meta-person]').textContent = facts.person;
    this.q('[data-gen-meta-super]').textContent = facts.superclasses;
    const ul = this.q('[data-gen-meta-codes]');
    ul.innerHTML = '';
    for (const { code, mi, text } of facts.codes) {
      const li = document.createElement('li');
      const c = document.createElement('code');
      c.textContent = code;
      if (mi) c.className = 'gen-mi';
      li.append(c);
      if (text) li.append(text);
      ul.append(li);
    }
    this.q('[data-gen-meta-report]').textContent = facts.report;
  }

  // ---------- rendering ----------

  private getWorker(): Worker | null {
    if (this.worker || this.workerFailed) return this.worker;
    try {
      const w = new Worker(new URL('./render-worker.ts', import.meta.url), { type: 'module' });
      w.onmessage = (e: MessageEvent<{ id: number; ok: boolean; result?: CoreResult; error?: string }>) => {
        const call = this.calls.get(e.data.id);
        if (!call) return;
        this.calls.delete(e.data.id);
        if (e.data.ok && e.data.result) call.resolve(e.data.result);
        else call.reject(new Error(e.data.error ?? 'render failed'));
      };
      w.onerror = (e) => {
        // The worker could not start (or crashed): finish on the main thread from now on.
        e.preventDefault();
        this.workerFailed = true;
        w.terminate();
        this.worker = null;
        const pending = [...this.calls.values()];
        this.calls.clear();
        for (const c of pending) c.reject(new WorkerUnavailable());
      };
      this.worker = w;
    } catch {
      this.workerFailed = true;
    }
    return this.worker;
  }

  private async run(req: CoreRequest, where: 'worker' | 'main' = 'worker'): Promise<CoreResult & { where: 'worker' | 'main' }> {
    const w = where === 'worker' ? this.getWorker() : null;
    if (w) {
      try {
        const result = await new Promise<CoreResult>((resolve, reject) => {
          const id = ++this.callId;
          this.calls.set(id, { resolve, reject });
          w.postMessage({ id, req });
        });
        return { ...result, where: 'worker' };
      } catch (e) {
        if (!(e instanceof WorkerUnavailable)) throw e;
      }
    }
    await nextFrame();
    const core = await import('./render-core');
    return { ...(await core.runCore(req)), where: 'main' };
  }

  private recordRef(r: SampleEntry): RecordRef {
    const base = new URL(this.config.samplesUrl, location.href);
    return { ecgId: r.ecgId, hea: new URL(r.hea, base).href, dat: new URL(r.dat, base).href };
  }

  private requestRender(): void {
    this.dirty = true;
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      try {
        while (this.dirty) {
          this.dirty = false;
          await this.renderOnce();
        }
      } finally {
        this.running = false;
      }
    })();
  }

  private async renderOnce(): Promise<void> {
    const rec = this.currentRecord();
    if (!rec) return;
    const { style, seed, lead } = this.state;
    const filters = this.effectiveFilters();
    const options: RenderOptions = { style, seed, filters, ecgId: rec.ecgId };
    this.showRecordMeta(rec);
    this.dataset.state = 'rendering';
    const msg = this.q('[data-gen-frame-msg]');
    msg.hidden = false;
    msg.textContent = `Drawing record ${rec.ecgId}, ${STYLE_LABELS[style].toLowerCase()}…`;
    this.setActionsEnabled(false);
    let result: (CoreResult & { where: 'worker' | 'main' }) | null = null;
    try {
      result = await this.run({ kind: 'render', rec: this.recordRef(rec), options });
    } catch (e) {
      if (this.dirty) return; // a newer request follows
      this.dataset.state = 'error';
      msg.textContent = `Could not draw record ${rec.ecgId}: ${e instanceof Error ? e.message : String(e)}`;
      this.q('[data-gen-time]').textContent = 'Drawing failed.';
      return;
    }
    if (result.kind !== 'render') return;
    if (this.dirty) return; // the view changed while drawing; draw the newest instead
    let image: RasterImage;
    if (style === 'dataset4') {
      const k = LEAD_ORDER.indexOf(lead as (typeof LEAD_ORDER)[number]);
      image = lead === 'all' || k < 0 ? contactSheet(result.images) : (result.images[k] as RasterImage);
    } else {
      image = result.images[0] as RasterImage;
    }
    this.shown = { rec, style, seed, lead, info: result.info, image, renderMs: result.renderMs };
    this.draw(image);
    msg.hidden = true;
    const where = result.where === 'worker' ? 'in a Web Worker' : 'on the main thread';
    const load = result.loadMs > 5 ? `; record fetched and parsed in ${result.loadMs.toFixed(0)} ms` : '';
    this.q('[data-gen-time]').textContent = `Rendered in ${result.renderMs.toFixed(1)} ms (${where})${load}.`;
    this.q('[data-gen-send-status]').textContent = '';
    const age = formatAge(rec.age);
    const desc = describeView({ rec, age, style, info: result.info, width: image.width, height: image.height, lead });
    this.q('[data-gen-desc]').textContent = desc;
    this.q<HTMLCanvasElement>('[data-gen-canvas]').setAttribute('aria-label', desc);
    this.showParams(result.info);
    this.setActionsEnabled(true);
    this.renders++;
    this.dataset.renders = String(this.renders);
    this.dataset.state = 'ready';
    this.dispatchEvent(
      new CustomEvent('heartnet:generator-rendered', {
        bubbles: true,
        detail: { ecgId: rec.ecgId, style, seed, filters, width: image.width, height: image.height, renderMs: result.renderMs },
      }),
    );
  }

  private draw(image: RasterImage): void {
    const canvas = this.q<HTMLCanvasElement>('[data-gen-canvas]');
    if (canvas.width !== image.width) canvas.width = image.width;
    if (canvas.height !== image.height) canvas.height = image.height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas context');
    const data = toRgbaData(image) as Uint8ClampedArray<ArrayBuffer>;
    ctx.putImageData(new ImageData(data, image.width, image.height), 0, 0);
    this.updateCanvasSize();
  }

  private updateCanvasSize(): void {
    const canvas = this.q<HTMLCanvasElement>('[data-gen-canvas]');
    const z = this.state.zoom;
    if (z === 'fit') {
      canvas.style.width = '';
      canvas.style.height = '';
    } else {
      const k = z === '2' ? 2 : 1;
      canvas.style.width = `${canvas.width * k}px`;
      canvas.style.height = `${canvas.height * k}px`;
    }
  }

  private showParams(info: RenderInfo): void {
    const box = this.q<HTMLDetailsElement>('[data-gen-params]');
    const list = this.q('[data-gen-params-list]');
    let rows: Array<[string, string]> = [];
    let title = '';
    if (info.wild) {
      rows = wildRows(info.wild);
      title = `Everything seed ${info.seed} drew: the page${info.wild.scan ? ' and the scanner' : info.wild.camera ? ' and the camera' : ''}`;
    } else if (info.photo) {
      rows = photoRows(info.photo);
      title = `Camera parameters drawn from seed ${info.seed}`;
    } else if (info.shadows) {
      rows = shadowRows(info.shadows);
      title = `${info.shadows.length} shadow polygon${info.shadows.length === 1 ? '' : 's'} drawn from seed ${info.seed} (corners in pixels)`;
    }
    box.hidden = rows.length === 0;
    list.innerHTML = '';
    this.q('[data-gen-params-title]').textContent = title;
    for (const [k, v] of rows) {
      const div = document.createElement('div');
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      div.append(dt, dd);
      list.append(div);
    }
  }

  private setActionsEnabled(on: boolean): void {
    this.q<HTMLButtonElement>('[data-gen-download]').disabled = !on;
    this.q<HTMLButtonElement>('[data-gen-send]').disabled = !on;
  }

  // ---------- download / send ----------

  private fileName(s: Shown): string {
    const lead = s.style === 'dataset4' ? `-${s.lead === 'all' ? 'grid' : s.lead}` : '';
    return `${s.rec.ecgId}-${s.style}-${s.seed}${lead}.png`;
  }

  private label(s: Shown): string {
    const lead = s.style === 'dataset4' ? (s.lead === 'all' ? ', all 12 leads' : `, lead ${s.lead}`) : '';
    return `PTB-XL record ${s.rec.ecgId}, ${STYLE_LABELS[s.style].toLowerCase()} style, seed ${s.seed}${lead} (from the generator)`;
  }

  private async download(): Promise<void> {
    const s = this.shown;
    if (!s) return;
    const { encodePng } = await import('../../lib/render/png');
    const bytes = encodePng(s.image);
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    const a = document.createElement('a');
    a.href = this.objectUrl;
    a.download = this.fileName(s);
    a.hidden = true;
    this.append(a);
    a.click();
    a.remove();
  }

  private async send(): Promise<void> {
    const s = this.shown;
    if (!s) return;
    const status = this.q('[data-gen-send-status]');
    const image: RasterImage = { width: s.image.width, height: s.image.height, channels: s.image.channels, data: s.image.data.slice() };
    const label = this.label(s);
    if (document.querySelector('heartnet-classifier')) {
      window.dispatchEvent(new CustomEvent('heartnet:send-to-classifier', { detail: { image, label } }));
      status.textContent = 'Sent to the classifier below.';
      return;
    }
    status.textContent = '';
    try {
      const { encodePng } = await import('../../lib/render/png');
      const url = `data:image/png;base64,${bytesToBase64(encodePng(image))}`;
      sessionStorage.setItem('heartnet:pending-image', url);
      sessionStorage.setItem('heartnet:pending-image-label', label);
      status.append('The image is ready for the classifier: ');
    } catch {
      status.append('This browser could not hold the image for the demo page (storage full or blocked); download it and upload it there: ');
    }
    const a = document.createElement('a');
    a.href = this.config.demoUrl;
    a.textContent = 'open the classifier demo';
    a.setAttribute('data-gen-demo-link', '');
    status.append(a, '.');
  }

  // ---------- test hooks ----------

  private exposeHooks(): void {
    const self = this;
    const find = (ecgId: number): SampleEntry => {
      const r = self.records.find((x) => x.ecgId === ecgId);
      if (!r) throw new Error(`record ${ecgId} is not a sample record`);
      return r;
    };
    window.__heartnetGenerator = {
      element: this,
      async hash(ecgId, style, seed, filters, where = 'worker') {
        const rec = find(ecgId);
        const options: RenderOptions = { style, seed, ecgId, ...(filters ? { filters } : {}) };
        const r = await self.run({ kind: 'hash', rec: self.recordRef(rec), options }, where);
        if (r.kind !== 'hash') throw new Error('unexpected result');
        return r.hashes;
      },
      async bench(ecgId, style, opts = {}) {
        const rec = find(ecgId);
        const options: RenderOptions = { style, seed: opts.seed ?? 7, ecgId };
        const r = await self.run({ kind: 'bench', rec: self.recordRef(rec), options, runs: opts.runs ?? 10, warmup: opts.warmup ?? 3 }, opts.where ?? 'worker');
        if (r.kind !== 'bench') throw new Error('unexpected result');
        return r.times;
      },
      async idle() {
        while (self.running) await self.loop;
      },
      current() {
        const s = self.shown;
        return s ? { ecgId: s.rec.ecgId, style: s.style, seed: s.seed, lead: s.lead, width: s.image.width, height: s.image.height, renderMs: s.renderMs } : null;
      },
    };
  }
}

class WorkerUnavailable extends Error {
  constructor() {
    super('the render worker is unavailable');
  }
}

if (!customElements.get('heartnet-generator')) customElements.define('heartnet-generator', HeartnetGenerator);

