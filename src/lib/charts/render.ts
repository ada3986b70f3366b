/**
 * Server-side rendering of Observable Plot charts to an SVG string (build time, no browser): Plot draws into a
 * linkedom document. The SVG keeps Plot's viewBox; the component's CSS makes it 100% wide with auto height.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

/** Default drawing size: wide enough for labels, scaled down by CSS on narrow screens. */
export const CHART_WIDTH = 440;
export const FONT_SIZE = 12;

let doc: Document | undefined;
function getDocument(): Document {
  if (!doc) doc = parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
  return doc;
}

export interface RenderOptions {
  /** Short accessible name of the graphic (the table next to it carries the numbers). */
  ariaLabel: string;
  ariaDescription?: string;
}

/** Render Plot options to a standalone SVG string. */
export function renderPlot(options: Plot.PlotOptions, { ariaLabel, ariaDescription }: RenderOptions): string {
  const el = Plot.plot({
    width: CHART_WIDTH,
    style: { fontSize: `${FONT_SIZE}px`, background: 'transparent', overflow: 'visible' }, // removed below; see .chart-plot
    ...options,
    ariaLabel,
    ariaDescription,
    document: getDocument(),
  });
  const svg = el.tagName.toLowerCase() === 'svg' ? el : el.querySelector('svg');
  if (!svg) throw new Error('Plot produced no <svg>');
  svg.setAttribute('role', 'img');
  svg.setAttribute('focusable', 'false');
  // Drop the fixed pixel size (the viewBox keeps the aspect ratio) and Plot's random class-scoped <style>.
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.removeAttribute('class');
  svg.querySelectorAll('style').forEach((s) => s.remove());
  // No style="" either: the site's Content-Security-Policy allows no inline styles (src/lib/csp.ts); the font
  // size, background and overflow asked for above are set on .chart-plot in ChartFigure.astro instead.
  svg.removeAttribute('style');
  svg.querySelectorAll('[style]').forEach((e) => e.removeAttribute('style'));
  // Plot names its mark groups with aria-label; on a <g> without a role that is a prohibited ARIA attribute (the
  // svg is one role="img" graphic, its numbers are in the table). Keep the names as data-mark for styling/tests.
  svg.querySelectorAll('[aria-label]').forEach((g) => {
    g.setAttribute('data-mark', g.getAttribute('aria-label') ?? '');
    g.removeAttribute('aria-label');
  });
  svg.setAttribute('class', 'chart-plot');
  return compactCoordinates(svg.outerHTML);
}

const GEOMETRY_ATTR = /\s(d|transform|x|y|x1|x2|y1|y2|cx|cy|r|width|height|points)="([^"]*)"/g;

/** Round coordinates in geometry attributes to 0.1 px (Plot writes 15 digits); text content is untouched. */
export function compactCoordinates(svg: string): string {
  return svg.replace(GEOMETRY_ATTR, (_m, name: string, value: string) => {
    const v = value.replace(/-?\d+\.\d+(?:e-?\d+)?/g, (n) => String(Math.round(Number(n) * 10) / 10));
    return ` ${name}="${v}"`;
  });
}
