/**
 * Client of ReadbackStages.astro: the <heartnet-readback-stages> element. On "Draw and read it" the digitiser's
 * worker (readback-client.ts) fetches the chosen sample record, draws it in the chosen style and seed, reads it back
 * and returns every stage; this element draws them (readback-draw.ts) and says what each found (readback-text.ts).
 * Nothing loads before the reader asks. data-state: idle | busy | done | failed | error; data-runs counts readings.
 */
import { errorMessage } from '../../lib/errors';
import { deriveSeed } from '../../lib/render/prng';
import { toImageData } from '../../lib/render/image';
import type { StyleName } from '../../lib/render/types';
import { el, q, qa } from '../dom';
import { ReadbackClient } from './readback-client';
import type { Digitised } from './readback-core';
import type { LeadWindow } from './readback-measure';
import { drawLeads, drawSheet, stageItems } from './readback-draw';
import { median } from '../../lib/stats';
import { dbText, failureText, stageLines } from './readback-text';

interface Config {
  samplesUrl: string;
  /** The learned trace segmenter the digitiser falls back on (readback-segment.ts); null when not in the build. */
  segmenterUrl: string | null;
  records: Array<{ ecgId: number; hea: string; dat: string }>;
}

const STYLE_WORDS: Record<string, string> = {
  printout: 'our printout',
  'wild-scan': 'a wild scan',
  'wild-photo': 'a wild phone photo',
};

class ReadbackStages extends HTMLElement {
  private config: Config | null = null;
  private client = new ReadbackClient();
  private variant = 0;
  private runs = 0;
  private busy = false;

  connectedCallback(): void {
    if (this.config || !this.dataset.config) return;
    this.config = JSON.parse(this.dataset.config) as Config;
    if (this.config.records.length === 0) return;
    q(this, '[data-rbs-run]').addEventListener('click', () => void this.run());
    q(this, '[data-rbs-seed]').addEventListener('click', () => {
      this.variant++;
      void this.run();
    });
  }

  disconnectedCallback(): void {
    this.client.terminate();
  }

  /** The dynamic part of a stage's caption is a line of the list under the figure (the captions stay fixed). */
  private notes = new Map<string, string>();
  private text(key: string, value: string): void {
    if (value) this.notes.set(key, value);
    else this.notes.delete(key);
  }

  private canvas(key: string): HTMLCanvasElement {
    return q<HTMLCanvasElement>(this, `[data-rbs-canvas="${key}"]`);
  }

  private async run(): Promise<void> {
    if (this.busy || !this.config) return;
    this.busy = true;
    const buttons = qa<HTMLButtonElement>(this, 'button');
    buttons.forEach((b) => (b.disabled = true));
    const ecgId = Number(q<HTMLSelectElement>(this, '[data-rbs-record]').value);
    const style = (qa<HTMLInputElement>(this, '[data-rbs-style]').find((r) => r.checked)?.value ??
      'printout') as StyleName;
    const rec = this.config.records.find((r) => r.ecgId === ecgId) ?? this.config.records[0]!;
    const seed = deriveSeed(rec.ecgId, this.variant, style);
    const status = q(this, '[data-rbs-status]');
    this.dataset.state = 'busy';
    status.textContent = `Drawing record ${rec.ecgId} as ${STYLE_WORDS[style] ?? style} (seed ${seed}) and reading it back…`;
    try {
      const base = new URL(this.config.samplesUrl, location.href);
      const { readbackWithFallback } = await import('./readback-segment');
      const r = await readbackWithFallback(
        this.client,
        {
          kind: 'render-digitise',
          rec: { ecgId: rec.ecgId, hea: new URL(rec.hea, base).href, dat: new URL(rec.dat, base).href },
          options: { style, seed, ecgId: rec.ecgId },
        },
        this.config.segmenterUrl,
      );
      const image = r.image!;
      const pic = this.canvas('picture');
      pic.width = image.width;
      pic.height = image.height;
      pic.getContext('2d')!.putImageData(toImageData(image), 0, 0);
      pic.setAttribute('aria-label', `Record ${rec.ecgId} drawn as ${STYLE_WORDS[style] ?? style}, seed ${seed}`);
      this.text('picture', `${image.width} × ${image.height} px, drawn in ${(r.renderMs ?? 0).toFixed(0)} ms.`);
      q(this, '[data-rbs-lines]').replaceChildren();
      this.runs++;
      this.dataset.runs = String(this.runs);
      const where = r.where === 'worker' ? 'in a background thread' : 'on the page';
      if (!r.digitised) {
        for (const k of ['sheet', 'mask', 'layout', 'leads']) {
          const c = this.canvas(k);
          c.getContext('2d')!.clearRect(0, 0, c.width, c.height);
          c.setAttribute('aria-label', 'Not drawn: the digitiser could not read this picture');
          this.text(k, '');
        }
        q(this, '[data-rbs-lines]').replaceChildren();
        status.textContent = `${failureText(r.failure ?? '', { reading: false })} (Tried ${where} in ${r.ms.toFixed(0)} ms; nothing to draw for its stages.)`;
        this.dataset.state = 'failed';
        return;
      }
      this.show(r.digitised, r.truth, r.windows, r.snr);
      status.textContent =
        `Record ${rec.ecgId} as ${STYLE_WORDS[style] ?? style} (seed ${seed}): drawn and read back ${where}; ` +
        `the digitiser took ${r.digitised.ms.toFixed(0)} ms.`;
      this.dataset.state = 'done';
    } catch (e) {
      status.textContent = `The figure could not be drawn: ${errorMessage(e)}`;
      this.dataset.state = 'error';
    } finally {
      buttons.forEach((b) => (b.disabled = false));
      this.busy = false;
    }
  }

  private show(
    d: Digitised,
    truth: Record<string, Float32Array> | null,
    windows: LeadWindow[] | null,
    snr: Record<string, number> | null,
  ): void {
    const st = d.stages;
    drawSheet(this.canvas('sheet'), d, { ruler: true, maxSide: 900 });
    this.canvas('sheet').setAttribute(
      'aria-label',
      `The upright sheet with a 5 mm ruler at ${st.grid.pxPerMm.toFixed(1)} px per mm`,
    );
    const lines = stageLines(st, d.readout, d.reader);
    drawSheet(this.canvas('mask'), d, { mask: 'only', maxSide: 900 });
    let ink = 0;
    for (const v of d.mask) if (v) ink++;
    this.canvas('mask').setAttribute('aria-label', 'The pixels the digitiser took for the trace, black on white');
    this.text('mask', `${((ink / d.mask.length) * 100).toFixed(1)}% of the sheet's pixels.`);
    drawSheet(this.canvas('layout'), d, { layout: true, maxSide: 900 });
    this.canvas('layout').setAttribute(
      'aria-label',
      `The sheet with ${st.rows.length} trace rows and ${st.panels.length} lead panels outlined`,
    );
    drawLeads(this.canvas('leads'), d, { truth, windows, snr });
    const snrs = snr ? Object.entries(snr).filter(([k]) => !k.endsWith('-rhythm')) : [];
    const med = median(snrs.map(([, v]) => v));
    this.canvas('leads').setAttribute(
      'aria-label',
      `The 12 leads and the rhythm strip read back, over the true signal; median SNR ${Number.isFinite(med) ? dbText(med) : 'unknown'}`,
    );
    this.text(
      'leads',
      Number.isFinite(med) ? `median ${dbText(med)} over the 12 leads against the record as printed.` : '',
    );
    if (Number.isFinite(med)) this.dataset.snrMedian = med.toFixed(2);
    q(this, '[data-rbs-lines]').replaceChildren(
      ...stageItems(lines),
      ...[
        ['picture', 'Picture'],
        ['mask', 'Trace pixels'],
        ['leads', 'SNR'],
      ]
        .filter(([k]) => this.notes.has(k!))
        .map(([k, label]) =>
          el('li', { data: { stage: label! } }, el('strong', {}, `${label}: `), this.notes.get(k!)!),
        ),
    );
  }
}

if (!customElements.get('heartnet-readback-stages')) customElements.define('heartnet-readback-stages', ReadbackStages);
