/**
 * The demo's sample records: their buttons (the build already drew them with the same texts from
 * lib/demo-samples.ts, so redrawing changes nothing on screen) and drawing one in the demo's style. The WFDB parser
 * and the renderer load on first use only.
 */
import { pickDemoSamples, sampleButtonText, type DemoSampleRecord } from '../../lib/demo-samples';
import type { HandoffSource } from '../../lib/handoff';
import type { RasterImage, StyleName } from '../../lib/render/types';
import { el } from '../dom';
import { find } from './classifier-view';

/** A sample index entry: what the buttons show, and the record's WFDB files (relative to the samples URL). */
export type SampleRecord = DemoSampleRecord & { hea: string; dat: string };

/** Loads the sample buttons once, when the demo comes near the viewport (the list is one small JSON file). */
export function watchSamples(root: HTMLElement, samplesUrl: string, pick: (r: SampleRecord) => void): void {
  const io = new IntersectionObserver(
    (entries) => {
      if (!entries.some((en) => en.isIntersecting)) return;
      io.disconnect();
      void showSampleButtons(root, samplesUrl, pick);
    },
    { rootMargin: '200px' },
  );
  io.observe(root);
}

/** Fetches the sample index and (re)draws the buttons; `pick` runs on a click. Does nothing when it is missing. */
export async function showSampleButtons(
  root: HTMLElement,
  samplesUrl: string,
  pick: (r: SampleRecord) => void,
): Promise<void> {
  const records = await fetch(`${samplesUrl}index.json`)
    .then((res) => (res.ok ? (res.json() as Promise<{ records: SampleRecord[] }>) : null))
    .then((index) => index?.records ?? [])
    .catch(() => []);
  const chosen = pickDemoSamples(records);
  if (chosen.length === 0) return;
  const buttons = chosen.map((r) => {
    const b = el('button', { type: 'button' }, sampleButtonText(r));
    b.addEventListener('click', () => pick(r));
    return b;
  });
  find(root, '[data-clf-samples]').replaceChildren(...buttons);
}

/**
 * Fetches a sample record's two WFDB files and renders it in `style` (seed = its ecg_id); also says what the
 * picture shows (record, style, seed, filters, a wild sheet's panels) for the demo's true-signal view.
 */
export async function drawSample(
  samplesUrl: string,
  style: StyleName,
  r: SampleRecord,
): Promise<{ image: RasterImage; source: HandoffSource }> {
  const [{ parseHeader, parseDat }, { renderWithInfo }] = await Promise.all([
    import('../../lib/ptbxl/wfdb'),
    import('../../lib/render/index'),
  ]);
  const [hea, dat] = await Promise.all([
    fetch(samplesUrl + r.hea).then((x) => x.text()),
    fetch(samplesUrl + r.dat).then((x) => x.arrayBuffer()),
  ]);
  const signals = parseDat(new Uint8Array(dat), parseHeader(hea, r.hea), r.dat);
  const { images, info } = renderWithInfo(signals, { style, seed: r.ecgId });
  const image = images[0];
  if (!image) throw new Error('the renderer returned no image');
  const panels = info.wild?.sheet.panels.map((p) => ({ lead: p.lead, rhythm: p.rhythm, t0: p.t0, t1: p.t1 }));
  const source: HandoffSource = {
    ecgId: r.ecgId,
    style,
    seed: r.ecgId,
    filters: [...info.filters],
    ...(panels ? { panels } : {}),
  };
  return { image, source };
}
