/**
 * The demo's and the report's view of the digitiser (src/components/readback): the stages in plain words, the
 * failure sentence, the printed windows and per-lead SNR against the truth, and the worker's core on real renders
 * (a printout read back with its truth fetched and filtered as printed; a picture too small to be a sheet).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DigitiseStages, Readout } from '../../src/lib/digitise/index';
import { parseDat, parseHeader } from '../../src/lib/ptbxl/wfdb';
import { renderWithInfo } from '../../src/lib/render/index';
import { runReadback, transferables } from '../../src/components/readback/readback-core';
import { printedWindows, readbackSnrs, standardPanels } from '../../src/components/readback/readback-measure';
import { dbText, failureText, readSpan, stageLines } from '../../src/components/readback/readback-text';
import { median } from '../../src/lib/stats';

const stages = (over: Partial<DigitiseStages> = {}): DigitiseStages =>
  ({
    width: 1000,
    height: 700,
    paper: null,
    sheetWidth: 1000,
    sheetHeight: 700,
    skewDeg: 0.31,
    grid: { pxPerMm: 4, source: 'grid-5mm', strength: 0.6 },
    rows: [100, 260, 420, 580],
    layout: '3x4+1',
    calibration: { x0: 10, x1: 30, height: 40 },
    pxPerMv: 40,
    gainSource: 'calibration pulse',
    mmPerS: 25,
    speedSource: 'calibration pulse',
    rhythmLead: 'II',
    traceStart: 40,
    traceEnd: 990,
    separators: [],
    panels: [],
    ...over,
  }) as DigitiseStages;

const readout = (conf: number): Readout => ({
  samplingRate: 100,
  leads: {},
  confidence: Object.fromEntries(
    ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'].map((l) => [l, conf]),
  ),
  rhythmConfidence: 0.97,
});

describe('the stages in plain words', () => {
  it('one line per stage, saying what was found and what was assumed', () => {
    const lines = stageLines(stages(), readout(0.95));
    expect(lines.map((l) => l.stage)).toEqual(['Sheet', 'Grid', 'Rows', 'Gain', 'Speed', 'Columns', 'Leads']);
    expect(lines[0]!.text).toMatch(/fills the picture.*turned 0\.3° to level the rows/);
    expect(lines[1]!.text).toBe('4.0 px per mm, from the period of the 5 mm grid lines.');
    expect(lines[2]!.text).toBe('4 trace rows, read as 3 × 4 with one rhythm strip.');
    expect(lines[3]!.text).toBe('from the 1 mV calibration pulse: 10.0 mm per mV.');
    expect(lines[4]!.text).toBe('25 mm/s, from the calibration pulse’s width (it lasts 0.2 s): the sheet shows 10 s.');
    expect(lines[5]).toMatchObject({ ok: false });
    expect(lines[6]!.text).toMatch(/^12 of 12 leads read\. .*I 95%.*rhythm strip \(lead II\) 97%\.$/);
    const worse = stageLines(
      stages({
        paper: { corners: [], coverage: 0.62 },
        grid: { pxPerMm: 3.5, source: 'page-width', strength: 0.1 },
        gainSource: 'assumed 10 mm/mV',
        speedSource: 'assumed 25 mm/s',
        layout: '12x1',
        skewDeg: 0,
      }),
      readout(0),
    );
    expect(worse[0]!.text).toBe("found the paper's four corners (it covers 62% of the picture) and made it upright.");
    expect(worse[1]).toMatchObject({ ok: false });
    expect(worse[1]!.text).toMatch(/no grid period found/);
    expect(worse[3]!.text).toMatch(/10 mm per mV is assumed/);
    expect(worse[4]).toMatchObject({ ok: false });
    expect(worse[4]!.text).toMatch(/25 mm\/s is assumed; the sheet shows 10 s/);
    expect(worse[5]).toMatchObject({ ok: true, text: 'one lead per row: no columns to place.' });
    expect(worse[6]!.text).toMatch(/^0 of 12 leads read/);
    const v1 = stageLines(stages({ rhythmLead: 'V1' }), { ...readout(1), rhythmConfidence: undefined });
    expect(v1[6]!.text).toMatch(/; the rhythm strip repeats lead V1, not lead II, and is left out\.$/);
    const fast = stageLines(stages({ mmPerS: 50, layout: '6x2' }), readout(1));
    expect(fast[2]!.text).toMatch(/read as 6 × 2/);
    expect(fast[4]!.text).toMatch(/^50 mm\/s, .*the sheet shows the first 5 s of the record\.$/);
    const faint = stageLines(stages({ faintInk: true }), readout(1));
    expect(faint[2]).toMatchObject({ stage: 'Trace', ok: false });
    expect(faint[2]!.text).toMatch(/^a faint trace: .*15% darker than the paper/);
    expect(
      stageLines(stages({ faintInk: true }), readout(1), 'learned').filter((l) => l.stage === 'Trace'),
    ).toHaveLength(1);
    const rescaled = stageLines(stages({ grid: { pxPerMm: 3.6, source: 'trace-length', strength: 0.5 } }), readout(1));
    expect(rescaled[1]).toMatchObject({ ok: false });
    expect(rescaled[1]!.text).toMatch(/not believed; the scale is the traces' own length \(3\.6 px per mm\)/);
  });

  it('a failure is said plainly', () => {
    expect(failureText('found 0 trace row(s); a 12-lead sheet has at least 3')).toMatch(
      /^The digitiser could not find the trace rows in this picture \(it found none; a 12-lead sheet has at least 3\), so there is no signal reading\./,
    );
    expect(failureText('found 2 trace row(s)')).toMatch(/it found 2;/);
    expect(failureText('the trace rows are too short to be a 10-second sheet')).toMatch(/too short/);
    expect(failureText('found 0 trace row(s)', { reading: false })).toMatch(/at least 3\)\. It reads/);
    expect(failureText('something else')).toBe(
      'The digitiser could not read this picture (something else), so there is no signal reading.',
    );
  });

  it('decibels and spans', () => {
    expect(dbText(18.24)).toBe('18.2 dB');
    expect(dbText(-3.06)).toBe('\u22123.1 dB');
    expect(dbText(Infinity)).toBe('exact');
    expect(readSpan(Float32Array.from([NaN, 1, NaN, 2, NaN]))).toEqual([1, 4]);
    expect(readSpan(Float32Array.from([NaN]))).toBeNull();
    expect(readSpan(undefined)).toBeNull();
  });
});

describe('truth windows and SNR', () => {
  it('the standard windows: 12 leads in 2.5 s columns and the lead II rhythm strip', () => {
    const w = printedWindows();
    expect(w).toHaveLength(13);
    expect(w.find((x) => x.lead === 'V4')).toEqual({ lead: 'V4', rhythm: false, start: 750, end: 1000 });
    expect(w.find((x) => x.rhythm)).toEqual({ lead: 'II', rhythm: true, start: 0, end: 1000 });
    expect(standardPanels()).toHaveLength(13);
    // a wild sheet's own panels: only the first lead II strip is the rhythm strip
    const own = printedWindows([
      { lead: 'I', rhythm: false, t0: 0, t1: 5 },
      { lead: 'V1', rhythm: true, t0: 0, t1: 10 },
      { lead: 'II', rhythm: true, t0: 0, t1: 10 },
      { lead: 'II', rhythm: true, t0: 0, t1: 10 },
    ]);
    expect(own).toEqual([
      { lead: 'I', rhythm: false, start: 0, end: 500 },
      { lead: 'II', rhythm: true, start: 0, end: 1000 },
    ]);
  });

  it('SNR: exact where read perfectly, 0 dB where nothing was read', () => {
    const truth = { I: Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 10)) };
    const perfect: Readout = { samplingRate: 100, leads: { I: truth.I }, confidence: { I: 1 }, rhythm: truth.I };
    const windows = printedWindows();
    const s = readbackSnrs(truth, perfect, windows);
    expect(s.I).toBe(Infinity);
    expect(Object.keys(s)).toEqual(['I']); // only leads whose truth is known
    const none: Readout = { samplingRate: 100, leads: {}, confidence: {} };
    expect(readbackSnrs(truth, none, windows).I).toBeCloseTo(0, 10);
  });
});

describe("the digitiser's worker core", () => {
  const index = JSON.parse(readFileSync('public/samples/index.json', 'utf8')) as {
    records: Array<{ ecgId: number; hea: string; dat: string }>;
  };
  const rec = index.records[0]!;
  const signals = parseDat(
    new Uint8Array(readFileSync(path.join('public/samples', rec.dat))),
    parseHeader(readFileSync(path.join('public/samples', rec.hea), 'utf8'), rec.hea),
    rec.dat,
  );
  afterEach(() => vi.unstubAllGlobals());

  it('reads a printout back and measures it against the record, fetched and filtered as printed', async () => {
    // the worker fetches the record's WFDB files; here they come from public/samples
    vi.stubGlobal('fetch', async (url: string) => {
      const file = path.join('public/samples', new URL(url).pathname.replace(/^\/samples\//, ''));
      return new Response(readFileSync(file));
    });
    const { images, info } = renderWithInfo(signals, { style: 'printout', seed: rec.ecgId });
    const image = images[0]!;
    const r = await runReadback({
      kind: 'digitise',
      image,
      truth: {
        rec: { ecgId: rec.ecgId, hea: `http://x/samples/${rec.hea}`, dat: `http://x/samples/${rec.dat}` },
        filters: info.filters,
      },
    });
    expect(r.failure).toBeNull();
    expect(r.digitised!.stages.rows.length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(r.truth!)).toHaveLength(12);
    expect(r.windows).toHaveLength(13);
    const leads = Object.entries(r.snr!).filter(([k]) => !k.endsWith('-rhythm'));
    expect(leads).toHaveLength(12);
    // our clean printouts read back at well above 10 dB (data/eval/digitise/printout-*.json)
    expect(median(leads.map(([, v]) => v))).toBeGreaterThan(10);
    const buffers = transferables(r);
    expect(buffers.length).toBeGreaterThan(12);
    expect(new Set(buffers).size).toBe(buffers.length);
  });

  it('a picture too small to be a sheet is not read, with the reason', async () => {
    const r = await runReadback({
      kind: 'digitise',
      image: { width: 8, height: 8, channels: 1, data: new Uint8ClampedArray(64).fill(200) },
    });
    expect(r.digitised).toBeNull();
    expect(r.failure).toMatch(/8 × 8 px, too small/);
    expect(r.truth).toBeNull();
  });

  it('draws a record and reads it back (the report figure), with the truth of the panels drawn', async () => {
    vi.stubGlobal('fetch', async (url: string) => {
      const file = path.join('public/samples', new URL(url).pathname.replace(/^\/samples\//, ''));
      return new Response(readFileSync(file));
    });
    const r = await runReadback({
      kind: 'render-digitise',
      rec: { ecgId: rec.ecgId, hea: `http://x/samples/${rec.hea}`, dat: `http://x/samples/${rec.dat}` },
      options: { style: 'wild-scan', seed: 7, ecgId: rec.ecgId },
    });
    expect(r.image!.width).toBeGreaterThan(100);
    expect(r.info!.wild).toBeTruthy();
    expect(r.windows!.length).toBeGreaterThan(0);
    expect(r.digitised !== null || r.failure !== null).toBe(true);
  });
});

describe("the demo's self-check sentence (classifier-readback.ts agreementText)", () => {
  it('states the value with the three medians it is compared with, or why there is none', async () => {
    const { agreementText } = await import('../../src/components/classifier/classifier-readback');
    const ref = { printoutDb: 18.55, kitDb: 2.1, realDb: -2.7, files: [] };
    const t = agreementText(-4.26, ref);
    expect(t).toContain('II = I + III');
    expect(t).toContain('to \u22124.3 dB');
    expect(t).toContain(
      "Median: 18.6 dB on our printouts read back, 2.1 dB on ECG-Image-Kit's pages, \u22122.7 dB on photos and scans of real EKGs.",
    );
    // a build without the kit's readings: only what it has
    expect(agreementText(12, { ...ref, kitDb: null, realDb: null })).toContain(
      'Median: 18.6 dB on our printouts read back.',
    );
    expect(agreementText(12, null)).not.toContain('Median');
    expect(agreementText(null, ref)).toContain('Too few limb leads were read at the same instants');
  });
});
