/** A pixel buffer, row-major. channels = 4 means RGBA, 1 means gray. Shared by the renderer, the
 * preprocessing and the classifier (see docs/CONTRACTS.md). */
export interface RasterImage {
  width: number;
  height: number;
  channels: 1 | 4;
  data: Uint8ClampedArray;
}
