/**
 * Client side of Generator.astro: the <heartnet-generator> custom element, a controller over
 *  - render-client.ts: renders in a Web Worker (render-worker.ts) so the page stays responsive, or on the main
 *    thread when a worker cannot start (the same render-core.ts code);
 *  - generator-controls.ts: form controls <-> view state (generator-state.ts, mirrored in the URL);
 *  - generator-view.ts: the DOM writers (canvas, record facts, drawn parameters);
 *  - generator-hooks.ts: window.__heartnetGenerator for the tests;
 *  - lib/handoff.ts: "Send to the classifier" (an event on this page, else sessionStorage and a link).
 * Only the chosen record's two WFDB files are fetched. The canvas gets the renderer's bytes with putImageData.
 *
 * Events: `heartnet:generator-rendered` (bubbles, on the element) after every drawn image, detail { ecgId, style,
 * seed, filters, width, height, renderMs }. data-state on the element: loading | rendering | ready | error |
 * missing; data-renders counts draws.
 */
import { errorMessage } from '../../lib/errors';
import {
  canonicalFilters,
  DEFAULT_GENERATOR_STATE,
  parseGeneratorQuery,
  withGeneratorQuery,
  type GeneratorState,
} from '../../lib/generator-state';
import { formatAge } from '../../lib/ptbxl/database';
import type { SampleEntry, SampleIndex } from '../../lib/ptbxl/types';
import type { RenderInfo, StyleName } from '../../lib/render/types';
import type { FilterName } from '../../lib/signal/filters';
import { defaultFilters, describeView, STYLE_LABELS } from './describe';
import { bindControls, syncControls, type ControlHost } from './generator-controls';
import { exposeGeneratorHooks } from './generator-hooks';
import * as exp from './generator-export';
import * as view from './generator-view';
import { RenderClient, type Placed } from './render-client';
import type { RecordRef } from './render-core';

interface Config {
  samplesUrl: string;
  demoUrl: string;
  initial: { record: number | null; style: StyleName; seed: number };
  urlState: boolean;
  scp: Record<string, string>;
}

/** What the canvas shows (dataset4 grid: a contact sheet of the 12 images) and how it was drawn. */
interface Shown extends exp.ShownImage {
  rec: SampleEntry;
  info: RenderInfo;
  renderMs: number;
}

class HeartnetGenerator extends HTMLElement implements ControlHost {
  readonly root = this;
  private config!: Config;
  private defaults!: GeneratorState;
  state!: GeneratorState;
  private records: SampleEntry[] = [];
  private renderer = new RenderClient({
    startWorker: () => new Worker(new URL('./render-worker.ts', import.meta.url), { type: 'module' }),
    runLocal: async (req) => (await import('./render-core')).runCore(req),
  });
  private shown: Shown | null = null;
  private dirty = false;
  private loop: Promise<void> = Promise.resolve();
  private running = false;
  private renders = 0;
  private objectUrl: string | null = null;
  private readonly q = <T extends Element = HTMLElement>(sel: string): T => view.find<T>(this, sel);

  connectedCallback(): void {
    if (this.config) return;
    const raw = this.dataset.config;
    if (!raw) return;
    this.config = JSON.parse(raw) as Config;
    this.defaults = { ...DEFAULT_GENERATOR_STATE, ...this.config.initial };
    const parsed = this.config.urlState ? parseGeneratorQuery(location.search, this.defaults) : null;
    this.state = parsed ? parsed.state : { ...this.defaults };
    if (parsed?.problems.length) {
      const list = parsed.problems.join('; ');
      this.alert(`Some view settings in the address were not understood and were left at their defaults: ${list}.`);
    }
    syncControls(this);
    bindControls(this);
    exposeGeneratorHooks({
      element: this,
      records: () => this.records,
      recordRef: (r) => this.recordRef(r),
      run: (req, where) => this.renderer.run(req, where),
      idle: async () => {
        while (this.running) await this.loop;
      },
      current: () => {
        const s = this.shown;
        if (!s) return null;
        const { rec, style, seed, lead, image, renderMs } = s;
        return { ecgId: rec.ecgId, style, seed, lead, width: image.width, height: image.height, renderMs };
      },
    });
    void this.loadIndex();
  }

  disconnectedCallback(): void {
    this.renderer.terminate();
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
  }

  effectiveFilters(): FilterName[] {
    return this.state.filters ? canonicalFilters(this.state.filters) : defaultFilters(this.state.style);
  }

  changed(redraw: boolean): void {
    syncControls(this);
    this.writeUrl();
    if (redraw) this.requestRender();
    else if (this.shown) view.sizeCanvas(this.q<HTMLCanvasElement>('[data-gen-canvas]'), this.state.zoom);
  }

  miChanged(): void {
    const list = this.filteredRecords();
    if (!list.some((x) => x.ecgId === this.state.record) && list[0]) this.state.record = list[0].ecgId;
    this.fillRecordSelect();
    this.changed(true);
  }

  private writeUrl(): void {
    if (!this.config.urlState) return;
    const href = withGeneratorQuery(location.href, this.state, this.defaults);
    if (href !== location.href) history.replaceState(history.state, '', href);
  }

  private alert(text: string): void {
    const box = this.q('[data-gen-alert]');
    box.textContent = text;
    box.hidden = !text;
  }

  private async loadIndex(): Promise<void> {
    const url = new URL('index.json', new URL(this.config.samplesUrl, location.href)).href;
    const index = await fetch(url)
      .then((res) => (res.ok ? (res.json() as Promise<SampleIndex>) : null))
      .catch(() => null);
    if (!index || !Array.isArray(index.records) || index.records.length === 0) {
      this.dataset.state = 'missing';
      view.showMissingSamples(this);
      return;
    }
    this.records = index.records;
    const want = this.state.record;
    if (want !== null && !this.records.some((r) => r.ecgId === want)) {
      this.alert(`Record ${want} is not one of the site's sample records; showing the first one instead.`);
      this.state.record = null;
    }
    const listed = (id: number | null) => this.filteredRecords().some((r) => r.ecgId === id);
    if (this.state.record !== null && !listed(this.state.record)) this.state.mi = 'all';
    this.state.record ??= (this.filteredRecords()[0] ?? this.records[0])!.ecgId;
    this.fillRecordSelect();
    this.changed(true);
  }

  private filteredRecords(): SampleEntry[] {
    const mi = this.state.mi;
    return this.records.filter((r) => mi === 'all' || (mi === 'mi') === r.mi);
  }

  private fillRecordSelect(): void {
    view.fillRecordSelect(this.q<HTMLSelectElement>('[data-gen-record]'), this.filteredRecords(), this.state.record);
  }

  private recordRef(r: SampleEntry): RecordRef {
    const base = new URL(this.config.samplesUrl, location.href);
    return { ecgId: r.ecgId, hea: new URL(r.hea, base).href, dat: new URL(r.dat, base).href };
  }

  /** Draws the current view; while a draw runs, further requests collapse into one more draw of the newest. */
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
    const rec = this.records.find((r) => r.ecgId === this.state.record);
    if (!rec) return;
    const { style, seed, lead } = this.state;
    const filters = this.effectiveFilters();
    view.showRecordMeta(this, rec, this.config.scp);
    this.dataset.state = 'rendering';
    const msg = this.q('[data-gen-frame-msg]');
    msg.hidden = false;
    msg.textContent = `Drawing record ${rec.ecgId}, ${STYLE_LABELS[style].toLowerCase()}…`;
    this.setActionsEnabled(false);
    let result: Placed;
    try {
      const options = { style, seed, filters, ecgId: rec.ecgId };
      result = await this.renderer.run({ kind: 'render', rec: this.recordRef(rec), options });
    } catch (e) {
      if (this.dirty) return; // a newer request follows
      this.dataset.state = 'error';
      msg.textContent = `Could not draw record ${rec.ecgId}: ${errorMessage(e)}`;
      this.q('[data-gen-time]').textContent = 'Drawing failed.';
      return;
    }
    if (result.kind !== 'render' || this.dirty) return; // the view changed while drawing: draw the newest instead
    const image = view.imageToShow(style, lead, result.images);
    this.shown = { ecgId: rec.ecgId, rec, style, seed, lead, info: result.info, image, renderMs: result.renderMs };
    const canvas = this.q<HTMLCanvasElement>('[data-gen-canvas]');
    view.drawImage(canvas, image, this.state.zoom);
    msg.hidden = true;
    this.q('[data-gen-time]').textContent = view.timingText(result.renderMs, result.loadMs, result.where);
    this.q('[data-gen-send-status]').textContent = '';
    const { width, height } = image;
    const desc = describeView({ rec, age: formatAge(rec.age), style, info: result.info, width, height, lead });
    this.q('[data-gen-desc]').textContent = desc;
    canvas.setAttribute('aria-label', desc);
    view.showParams(this, result.info);
    this.setActionsEnabled(true);
    this.dataset.renders = String(++this.renders);
    this.dataset.state = 'ready';
    const detail = { ecgId: rec.ecgId, style, seed, filters, width, height, renderMs: result.renderMs };
    this.dispatchEvent(new CustomEvent('heartnet:generator-rendered', { bubbles: true, detail }));
  }

  private setActionsEnabled(on: boolean): void {
    this.q<HTMLButtonElement>('[data-gen-download]').disabled = !on;
    this.q<HTMLButtonElement>('[data-gen-send]').disabled = !on;
  }

  async download(): Promise<void> {
    if (this.shown) this.objectUrl = await exp.downloadPng(this, this.shown, this.objectUrl);
  }

  async send(): Promise<void> {
    if (this.shown)
      await exp.sendImage(this.shown, this.q('[data-gen-send-status]'), this.config.demoUrl, this.shown.info);
  }
}

if (!customElements.get('heartnet-generator')) customElements.define('heartnet-generator', HeartnetGenerator);
