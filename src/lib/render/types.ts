import type { FilterName } from '../signal/filters';
import type { WildInfo } from './wild/index';

/** A raster image: row-major pixels, 1 byte per channel; RGBA when channels = 4 (alpha always 255 here). */
export interface RasterImage {
  width: number;
  height: number;
  channels: 1 | 4;
  data: Uint8ClampedArray;
}

/** The styles `render` knows; see the doc comment of each style module for what it looks like. */
export const STYLE_NAMES = [
  'dataset1',
  'dataset2',
  'dataset3',
  'dataset4',
  'printout',
  'photo',
  'wild-printout',
  'wild-scan',
  'wild-photo',
] as const;
export type StyleName = (typeof STYLE_NAMES)[number];

export interface RenderOptions {
  style: StyleName;
  /** uint32 seed for every random choice (dataset3 shadows, photo camera). Default 0. Same seed -> same bytes. */
  seed?: number;
  /** Multiplies the style's native pixel size (and line widths). Default 1. */
  scale?: number;
  /**
   * Signal conditioning before plotting, applied in the order given. Default: none for dataset1-4 (the study
   * plotted raw signals), ['baseline', 'lowpass'] for printout and photo (what an EKG machine prints).
   * Pass [] to plot raw samples in any style.
   */
  filters?: readonly FilterName[];
  /** ecg_id printed in the printout/photo header (optional). */
  ecgId?: number;
  /** Extra header text for printout/photo (e.g. age/sex); drawn with the embedded font (ASCII). */
  headerText?: string;
  /** Wild styles only: also return the exact trace pixels (`renderWithInfo(...).traceMask`). */
  traceMask?: boolean;
}

/** One 5-vertex polygon shadow of dataset3 (pixel coordinates) and how much it darkens (0..1). */
export interface ShadowPolygon {
  points: Array<[number, number]>;
  darkness: number;
}

/** Every camera parameter the photo style drew from its seed, so a page can show them. */
export interface PhotoParams {
  /** Output size in pixels. */
  width: number;
  height: number;
  /** Paper corners in the photo (top-left, top-right, bottom-right, bottom-left), pixels. */
  corners: Array<[number, number]>;
  /** In-plane rotation of the paper, degrees (bounded to +-7). */
  rotationDeg: number;
  /** Fraction of the frame the paper spans (0.78-0.94). */
  paperScale: number;
  /** Largest perspective corner displacement, as a fraction of the paper size (0-0.06). */
  perspective: number;
  /** Background colour around the paper (RGB). */
  background: [number, number, number];
  /** Paper tint multiplier (RGB, each 0.88-1). */
  tint: [number, number, number];
  /** Lighting gradient: direction in degrees and brightness at the dark and bright ends. */
  lightAngleDeg: number;
  lightMin: number;
  lightMax: number;
  /** Soft shadow: half-plane darkening with a blurred edge (darkness 0-0.35, 0 = none). */
  shadowDarkness: number;
  shadowAngleDeg: number;
  shadowOffset: number;
  shadowSoftness: number;
  /** Optical blur, gaussian-equivalent sigma in pixels (0.3-1.1; two separable 3-tap passes). */
  blurSigma: number;
  /** Sensor noise standard deviation in 8-bit levels (1-6). */
  noiseSigma: number;
  /** JPEG quality used for the block-DCT quantisation (45-92). */
  jpegQuality: number;
  /** Fold lines across the paper, each through two points in the paper image's pixel coordinates, with their strength. */
  creases: Array<{ x0: number; y0: number; x1: number; y1: number; strength: number }>;
}

/** What a render drew at random, for display and for tests. */
export interface RenderInfo {
  style: StyleName;
  seed: number;
  filters: FilterName[];
  shadows?: ShadowPolygon[];
  photo?: PhotoParams;
  /** Wild styles: the sheet, and the scanner's or camera's parameters. */
  wild?: WildInfo;
}
