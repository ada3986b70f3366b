/**
 * <heartnet-gallery>: draws one sample record in every style of the gallery with the site's renderer, when the
 * gallery first comes near the viewport and again when the reader picks another record. The renderer and the
 * WFDB parser are loaded by dynamic import, so they cost nothing until the gallery is used.
 */
import { errorMessage } from '../../lib/errors';
import type { RasterImage, StyleName } from '../../lib/render/types';

function toImageData(img: RasterImage): ImageData {
  const n = img.width * img.height;
  const rgba = new Uint8ClampedArray(n * 4);
  if (img.channels === 4) rgba.set(img.data);
  else for (let i = 0; i < n; i++) rgba.set([img.data[i]!, img.data[i]!, img.data[i]!, 255], i * 4);
  return new ImageData(rgba, img.width, img.height);
}

class HeartnetGallery extends HTMLElement {
  private drawing = 0;
  private started = false;

  connectedCallback(): void {
    const select = this.querySelector<HTMLSelectElement>('[data-gallery-record]');
    if (!select) return;
    select.addEventListener('change', () => void this.draw(Number(select.value)));
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !this.started) {
          this.started = true;
          io.disconnect();
          void this.draw(Number(select.value));
        }
      },
      { rootMargin: '400px 0px' },
    );
    io.observe(this);
  }

  private status(text: string): void {
    const s = this.querySelector('[data-gallery-status]');
    if (s) s.textContent = text;
  }

  private async draw(ecgId: number): Promise<void> {
    const run = ++this.drawing;
    const base = this.dataset.samples ?? '';
    const seed = Number(this.dataset.seed ?? 0);
    this.status(`Drawing record ${ecgId}…`);
    try {
      const [{ parseHeader, parseDat }, { render }] = await Promise.all([
        import('../../lib/ptbxl/wfdb'),
        import('../../lib/render/index'),
      ]);
      const index = (await (await fetch(`${base}index.json`)).json()) as {
        records: Array<{ ecgId: number; hea: string; dat: string }>;
      };
      const rec = index.records.find((r) => r.ecgId === ecgId);
      if (!rec) throw new Error(`record ${ecgId} is not in the sample bundle`);
      const [hea, dat] = await Promise.all([
        fetch(base + rec.hea).then((r) => r.text()),
        fetch(base + rec.dat).then((r) => r.arrayBuffer()),
      ]);
      const signals = parseDat(new Uint8Array(dat), parseHeader(hea, rec.hea), rec.dat);
      const t0 = performance.now();
      for (const canvas of this.querySelectorAll<HTMLCanvasElement>('canvas[data-gallery-style]')) {
        if (run !== this.drawing) return; // a newer record was picked
        const style = canvas.dataset.galleryStyle as StyleName;
        const images = render(signals, { style, seed, ecgId });
        const ctx = canvas.getContext('2d')!;
        if (images.length === 1) ctx.putImageData(toImageData(images[0]!), 0, 0);
        else
          images.forEach((img, i) =>
            ctx.putImageData(toImageData(img), (i % 4) * img.width, Math.floor(i / 4) * img.height),
          );
        canvas.setAttribute(
          'aria-label',
          `PTB-XL record ${ecgId} drawn in the ${canvas.closest('li')?.querySelector('strong')?.textContent ?? style} style`,
        );
        const link = canvas.closest('li')?.querySelector<HTMLAnchorElement>('[data-gallery-link]');
        if (link) link.href = `?record=${ecgId}&style=${style}&seed=${seed}#${this.dataset.explore ?? ''}`;
        await new Promise((r) => setTimeout(r, 0)); // let the page breathe between styles
      }
      this.status(
        `Record ${ecgId}, every style drawn in ${((performance.now() - t0) / 1000).toFixed(1)} s in your browser.`,
      );
    } catch (e) {
      this.status(`The gallery could not be drawn: ${errorMessage(e)}`);
    }
  }
}

if (!customElements.get('heartnet-gallery')) customElements.define('heartnet-gallery', HeartnetGallery);
