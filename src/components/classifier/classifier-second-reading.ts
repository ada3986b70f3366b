/**
 * The demo's second reading, as a controller the classifier element owns (one per element): starts the digitiser
 * on a picture alongside the image model (../readback/ runs it in a Web Worker), finds the record behind a
 * generator's or sample's picture so the worker can compare with the true signal, and, once the image model has
 * read the picture, hands what was read to classifier-readback.ts (dynamic import: the view and the signal model
 * are fetched only when a picture arrives), and the two readings to classifier-combined.ts for their combined
 * verdict where the build measured one.
 */
import { errorMessage } from '../../lib/errors';
import type { ScoredReading } from '../../lib/model/combine';
import type { HandoffSource } from '../../lib/handoff';
import type { RasterImage } from '../../lib/render/types';
import { ReadbackClient } from '../readback/readback-client';
import type { ReadbackRequest, TruthRequest } from '../readback/readback-core';
import type { CombinedConfig } from './classifier-combined';
import type { Readback, SignalConfig } from './classifier-readback';
import type { SampleRecord } from './classifier-samples';

export type PendingReadback = Promise<Readback | { error: string }>;

export class SecondReading {
  private client: ReadbackClient | null = null;
  private sampleIndex: Promise<SampleRecord[]> | null = null;
  /** The last picture's request, for the segmenter's second try (finish). */
  private request: ReadbackRequest | null = null;
  /** Pictures the signal model has read (a test hook). */
  count = 0;
  /** What the last picture gave: timings, where it ran, the probability (a test hook). */
  last: Record<string, number | string | boolean> | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly signal: SignalConfig,
    private readonly samplesUrl: string,
    /** The combined verdict's figures; null where the build has not measured it (then no verdict is shown). */
    private readonly combined: CombinedConfig | null,
  ) {}

  /**
   * Starts reading the picture back into signals; with a known source, the worker also fetches that record and
   * filters it as printed. Never rejects: the outcome is awaited only after the image model's reading, and a
   * rejection nobody awaits yet would be reported as unhandled.
   */
  start(image: RasterImage, source: HandoffSource | undefined): PendingReadback {
    void import('./classifier-readback').then((ui) => ui.showReadbackBusy(this.root));
    void import('./classifier-combined').then((ui) => ui.showCombinedBusy(this.root));
    this.client ??= new ReadbackClient();
    const client = this.client;
    return (async () => {
      const truth = source ? await this.truthRequest(source) : undefined;
      const req: ReadbackRequest = { kind: 'digitise', image, ...(truth ? { truth } : {}) };
      this.request = req;
      return client.run(req);
    })().catch((e: unknown) => ({ error: errorMessage(e) }));
  }

  /** Empties the section (a picture that could not be read at all, or an error before the reading). */
  clear(why: string): void {
    void import('./classifier-readback').then((ui) => ui.clearReadback(this.root, why));
    void import('./classifier-combined').then((ui) => ui.clearCombined(this.root, why));
  }

  /**
   * Shows what the digitiser read and, unless the EKG check refused the picture (`image` null), the signal model's
   * reading and the two readings' combined verdict.
   */
  async finish(
    pending: PendingReadback,
    source: HandoffSource | undefined,
    image: ScoredReading | null,
  ): Promise<void> {
    const [ui, together, { combineReadings }] = await Promise.all([
      import('./classifier-readback'),
      import('./classifier-combined'),
      import('../../lib/model/combine'),
    ]);
    const combined = this.combined;
    // the verdict without a second reading is the image model's (the rule of lib/model/combine.ts)
    const imageOnly = (why: string) => {
      if (combined && image)
        together.showCombinedVerdict(this.root, combined, combineReadings(image, null, combined.marginThreshold), why);
    };
    if (!image) together.showCombinedWithheld(this.root);
    let r = await pending;
    // no trace rows in the classical ink plane: the learned segmenter's plane, now that the image model (and so
    // TF.js and its backend) is loaded
    if (!('error' in r) && !r.digitised && this.client && this.request && this.signal.segmenterUrl) {
      const { secondReading } = await import('../readback/readback-segment');
      r = await secondReading(this.client, this.request, r, this.signal.segmenterUrl);
    }
    if ('error' in r) {
      ui.clearReadback(this.root, `The digitiser could not read this picture: it stopped with an error (${r.error}).`);
      this.last = { ok: false, error: r.error };
      imageOnly('The digitiser stopped with an error on this picture');
      return;
    }
    if (!r.digitised) {
      ui.showReadbackFailure(this.root, r);
      this.last = { ok: false, roundTripMs: r.ms, where: r.where };
      imageOnly('The digitiser could not read this picture');
      return;
    }
    ui.showDigitised(this.root, r, source, this.signal.agreement);
    this.last = {
      ok: true,
      digitiseMs: r.digitised.ms,
      roundTripMs: r.ms,
      where: r.where,
      reader: r.digitised.reader,
      ...(r.segment && 'ms' in r.segment ? { segmentMs: r.segment.ms } : {}),
    };
    if (!image) return ui.showSignalWithheld(this.root);
    let model;
    try {
      model = await ui.loadSignalModel(this.signal.url);
    } catch (e) {
      ui.showSignalUnavailable(this.root, errorMessage(e));
      imageOnly('The signal model could not be loaded');
      return;
    }
    const s = await ui.classifyReadout(model, r.digitised.readout);
    ui.showSignalReading(this.root, this.signal, s, r.ms);
    if (combined) {
      const v = combineReadings(
        image,
        { p: s.probability, threshold: this.signal.threshold },
        combined.marginThreshold,
      );
      together.showCombinedVerdict(this.root, combined, v);
      this.last = { ...this.last, combinedMi: v.mi };
    }
    this.count++;
    this.last = { ...this.last, classifyMs: s.ms, totalMs: r.ms + s.ms, probability: s.probability };
  }

  /** Where the record behind a generator's or sample's picture is (from the sample index), and its filters. */
  private async truthRequest(source: HandoffSource): Promise<TruthRequest | undefined> {
    const base = new URL(this.samplesUrl, location.href);
    this.sampleIndex ??= fetch(new URL('index.json', base).href)
      .then((r) => (r.ok ? (r.json() as Promise<{ records: SampleRecord[] }>) : { records: [] }))
      .then((j) => j.records ?? [])
      .catch(() => []);
    const rec = (await this.sampleIndex).find((r) => r.ecgId === source.ecgId);
    if (!rec) return undefined;
    return {
      rec: { ecgId: rec.ecgId, hea: new URL(rec.hea, base).href, dat: new URL(rec.dat, base).href },
      filters: source.filters,
      ...(source.panels ? { panels: source.panels } : {}),
    };
  }
}
