/**
 * One model example from the renderer's images of one record: every image goes through the same
 * `preprocess()` (so `npm run export-images`, `npm run eval` and the browser see the same bytes) and the
 * planes are laid out planes x H x W, the layout of the shards (docs/CONTRACTS.md) and of `predictLogits`.
 *
 * Styles give one image per record, except `dataset4`: the 12 lead images, in the record's lead order, which
 * must be the standard order (LEAD_NAMES) that dataset4 models are trained on (metadata `plane_names`).
 */
import type { RasterImage } from '../render/types';
import { LEAD_NAMES } from '../ptbxl/types';
import { preprocess, type InputSpec } from './preprocess';

export class ExampleError extends Error {
  override name = 'ExampleError';
}

/** Image planes per record that a style renders (12 lead images for dataset4, else 1). */
export function planesForStyle(style: string): number {
  return style === 'dataset4' ? 12 : 1;
}

/** The names of the planes of a `planes`-plane example: the 12 leads in standard order, or ['image']. */
export function planeNames(planes: number): string[] {
  return planes === 12 ? [...LEAD_NAMES] : ['image'];
}

/**
 * `images` (from `render()`) -> Uint8Array(planes * H * W). `leadNames` (the record's `EcgSignals.leadNames`)
 * is checked against the standard order when there are 12 planes, so a record stored in another lead order
 * cannot silently feed lead images to the wrong inputs.
 */
export function exampleFromImages(
  images: readonly RasterImage[],
  spec: InputSpec,
  planes: number,
  leadNames?: readonly string[],
): Uint8Array {
  if (images.length !== planes) {
    throw new ExampleError(`the render gave ${images.length} image(s) per record; the model takes ${planes} plane(s)`);
  }
  if (planes === 12 && leadNames && leadNames.join(',') !== LEAD_NAMES.join(',')) {
    throw new ExampleError(
      `lead order ${leadNames.join(',')} is not the standard ${LEAD_NAMES.join(',')} the lead images are trained in`,
    );
  }
  const plane = spec.height * spec.width;
  const out = new Uint8Array(planes * plane);
  images.forEach((img, p) => out.set(preprocess(img, spec), p * plane));
  return out;
}
