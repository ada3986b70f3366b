/**
 * What the digitiser's Web Worker does (and the main thread, when a worker cannot start): read an EKG picture back
 * into signals (src/lib/digitise), and, when the picture's source is known, fetch that PTB-XL record and filter it
 * as the picture printed it (the truth to draw beside the leads read back). For the report's stage-by-stage figure
 * it can also draw a record first (src/lib/render) and read that. The same pure modules as in Node, so the demo
 * reads a picture exactly as `npm run digitise` does.
 */
import { digitise, DigitiseError, type Readout, type DigitiseStages } from '../../lib/digitise/index';
import type { Plane } from '../../lib/digitise/planes';
import { errorMessage } from '../../lib/errors';
import { LEAD_NAMES } from '../../lib/ptbxl/types';
import { renderWithInfo } from '../../lib/render/index';
import type { RasterImage, RenderInfo, RenderOptions } from '../../lib/render/types';
import type { PrintedPanel } from '../../lib/handoff';
import { applyFilters, type FilterName } from '../../lib/signal/filters';
import { loadRecord, type RecordRef } from '../generator/render-core';
import { printedWindows, readbackSnrs, type LeadWindow } from './readback-measure';

export interface TruthRequest {
  rec: RecordRef;
  filters: FilterName[];
  /** The printed panels (wild sheets); absent: the standard 3x4 + rhythm windows. */
  panels?: PrintedPanel[];
}

export type ReadbackRequest =
  /** `ink`: the learned segmenter's ink plane (computed on the main thread, readback-segment.ts) to read from. */
  | { kind: 'digitise'; image: RasterImage; truth?: TruthRequest; ink?: Plane }
  | { kind: 'render-digitise'; rec: RecordRef; options: RenderOptions };

/** The digitiser's result, as it crosses from the worker (typed arrays, plain objects). */
export interface Digitised {
  readout: Readout;
  stages: DigitiseStages;
  sheet: Plane;
  mask: Uint8Array;
  /** The digitiser's own time (ms). */
  ms: number;
  /** Whose ink plane was read: the classical one, or the learned segmenter's. */
  reader: 'classical' | 'learned';
}

export interface ReadbackResult {
  /** Null when the digitiser could not read the picture (`failure` says why). */
  digitised: Digitised | null;
  failure: string | null;
  /** What failed: the digitiser itself (a DigitiseError: the learned segmenter may still read it), or a picture too
   * small to try (nothing will). */
  failureKind?: 'digitise' | 'too-small';
  /** The record as printed (filtered like the picture), lead name -> samples at 100 Hz; null when unknown. */
  truth: Record<string, Float32Array> | null;
  truthError: string | null;
  /** The windows the truth was printed in, and each lead's SNR (dB) there ("II-rhythm" for the strip). */
  windows: LeadWindow[] | null;
  snr: Record<string, number> | null;
  /** render-digitise only: the picture drawn and how. */
  image?: RasterImage;
  info?: RenderInfo;
  renderMs?: number;
}

/** The buffers a result can hand over without copying. */
export function transferables(r: ReadbackResult): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView | undefined) => {
    if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  if (r.digitised) {
    for (const v of Object.values(r.digitised.readout.leads)) add(v);
    add(r.digitised.readout.rhythm);
    add(r.digitised.sheet.data);
    add(r.digitised.mask);
  }
  for (const v of Object.values(r.truth ?? {})) add(v);
  add(r.image?.data);
  return [...out];
}

async function truthOf(req: TruthRequest): Promise<Record<string, Float32Array>> {
  const signals = applyFilters(await loadRecord(req.rec), req.filters);
  const out: Record<string, Float32Array> = {};
  for (const l of LEAD_NAMES) {
    const i = signals.leadNames.indexOf(l);
    if (i >= 0) out[l] = Float32Array.from(signals.leads[i]!);
  }
  return out;
}

/** Below this many pixels on the short side a picture cannot show a readable 12-lead sheet (the digitiser is not asked). */
export const MIN_SHEET_SIDE = 150;

function read(image: RasterImage, ink?: Plane): Pick<ReadbackResult, 'digitised' | 'failure' | 'failureKind'> {
  if (Math.min(image.width, image.height) < MIN_SHEET_SIDE) {
    return {
      digitised: null,
      failure: `the picture is ${image.width} × ${image.height} px, too small to hold a readable 12-lead sheet`,
      failureKind: 'too-small',
    };
  }
  try {
    const r = digitise(image, ink ? { ink } : {});
    return {
      digitised: {
        readout: r.readout,
        stages: r.stages,
        sheet: r.sheet,
        mask: r.mask,
        ms: r.ms,
        reader: ink ? 'learned' : 'classical',
      },
      failure: null,
    };
  } catch (e) {
    if (e instanceof DigitiseError) return { digitised: null, failure: e.message, failureKind: 'digitise' };
    throw e;
  }
}

export async function runReadback(req: ReadbackRequest): Promise<ReadbackResult> {
  if (req.kind === 'digitise') {
    const truthP = req.truth
      ? truthOf(req.truth).then(
          (t) => ({ truth: t, truthError: null }),
          (e: unknown) => ({ truth: null, truthError: errorMessage(e) }),
        )
      : Promise.resolve({ truth: null, truthError: null });
    const got = read(req.image, req.ink);
    const t = await truthP;
    const windows = t.truth ? printedWindows(req.truth?.panels) : null;
    const snr = t.truth && windows && got.digitised ? readbackSnrs(t.truth, got.digitised.readout, windows) : null;
    return { ...got, ...t, windows, snr };
  }
  const signals = await loadRecord(req.rec);
  const t0 = performance.now();
  const { images, info } = renderWithInfo(signals, req.options);
  const renderMs = performance.now() - t0;
  const image = images[0]!;
  const truth: Record<string, Float32Array> = {};
  const filtered = applyFilters(signals, info.filters);
  LEAD_NAMES.forEach((l) => {
    const i = filtered.leadNames.indexOf(l);
    if (i >= 0) truth[l] = Float32Array.from(filtered.leads[i]!);
  });
  const got = read(image);
  const windows = printedWindows(info.wild?.sheet.panels);
  const snr = got.digitised ? readbackSnrs(truth, got.digitised.readout, windows) : null;
  return { ...got, truth, truthError: null, windows, snr, image, info, renderMs };
}
