/**
 * The digitiser's fallback in the page (DIGITISER_POLICY, src/lib/digitise/segment.ts): when the classical ink
 * plane finds no trace rows, the learned trace segmenter marks the trace pixels on the main thread (TF.js, where
 * the image model already runs; the digitiser's worker carries no TF.js) and the worker reads the picture again
 * from that plane. The same policy as `npm run digitise` and the evaluations. TF.js and the segmenter are loaded by
 * dynamic import the first time a picture needs them.
 */
import type { Plane } from '../../lib/digitise/planes';
import type { Segmenter } from '../../lib/digitise/segment';
import type { RasterImage } from '../../lib/render/types';
import type { ReadbackClient } from './readback-client';
import type { ReadbackRequest, ReadbackResult, TruthRequest } from './readback-core';

let segmenter: Promise<Segmenter> | null = null;

async function loadOnce(url: string): Promise<Segmenter> {
  segmenter ??= (async () => {
    const [tf, { loadSegmenter }, { chooseBackend }] = await Promise.all([
      import('@tensorflow/tfjs'),
      import('../../lib/digitise/segment'),
      import('../../lib/model/browser'),
    ]);
    // the image model's page has chosen a backend already (getBackend() names it without initialising one);
    // elsewhere (the report's figure) choose one now, as the image model would
    if (!tf.getBackend()) await chooseBackend(tf);
    const dir = new URL(url.endsWith('/') ? url : `${url}/`, location.href);
    return loadSegmenter(async (f) => {
      const r = await fetch(new URL(f, dir).href);
      if (!r.ok) throw new Error(`${new URL(f, dir).href}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    }, dir.href);
  })().catch((e: unknown) => {
    segmenter = null;
    throw e;
  });
  return segmenter;
}

/** The learned ink plane of `image` (the picture's size) and the time it took (ms, loading excluded). */
export async function learnedInk(image: RasterImage, url: string): Promise<{ ink: Plane; ms: number }> {
  const seg = await loadOnce(url);
  const { segmentInk } = await import('../../lib/digitise/segment');
  const t0 = performance.now();
  const ink = segmentInk(seg, image);
  return { ink, ms: performance.now() - t0 };
}

export type FallbackResult = ReadbackResult & {
  where: 'worker' | 'main';
  ms: number;
  /** Set when the segmenter was run: its own time (ms), or why it could not run. */
  segment?: { ms: number } | { error: string };
};

/**
 * Runs `req` in the digitiser's worker; where the picture could not be read and a segmenter is configured, reads
 * it again from the segmenter's plane (secondReading). `ms` is the wall time of everything.
 */
export async function readbackWithFallback(
  client: ReadbackClient,
  req: ReadbackRequest,
  segmenterUrl: string | null,
): Promise<FallbackResult> {
  const t0 = performance.now();
  const r = await secondReading(client, req, await client.run(req), segmenterUrl);
  return { ...r, ms: performance.now() - t0 };
}

/**
 * The fallback after a first reading `first` of `req`: unchanged when it read the picture, when no segmenter is
 * configured, or when the picture was too small to try; after any DigitiseError (as digitiseWith does in Node) the
 * worker's reading of the segmenter's plane (its `ms` adds both round trips and the segmenter).
 */
export async function secondReading(
  client: ReadbackClient,
  req: ReadbackRequest,
  first: FallbackResult,
  segmenterUrl: string | null,
): Promise<FallbackResult> {
  const image = req.kind === 'digitise' ? req.image : first.image;
  if (first.digitised || !segmenterUrl || !image || first.failureKind !== 'digitise') return first;
  let ink: Plane;
  let segMs: number;
  try {
    ({ ink, ms: segMs } = await learnedInk(image, segmenterUrl));
  } catch (e) {
    return { ...first, segment: { error: e instanceof Error ? e.message : String(e) } };
  }
  const truth: TruthRequest | undefined =
    req.kind === 'digitise'
      ? req.truth
      : { rec: req.rec, filters: first.info?.filters ?? [], panels: first.info?.wild?.sheet.panels };
  const second = await client.run({ kind: 'digitise', image, ink, ...(truth ? { truth } : {}) });
  return {
    ...second,
    image: first.image,
    info: first.info,
    renderMs: first.renderMs,
    segment: { ms: segMs },
    ms: first.ms + segMs + second.ms,
  };
}
