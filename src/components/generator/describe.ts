/**
 * Words for the generator: what each style is (the study's version beside ours), the aria-live description of
 * what is drawn, and short names of the MI statements. Pure; used by the component's markup (build time) and
 * its client script.
 */
import type { FilterName } from '../../lib/signal/filters';
import type { PhotoParams, RenderInfo, ShadowPolygon, StyleName } from '../../lib/render/types';

export const STYLE_LABELS: Readonly<Record<StyleName, string>> = {
  dataset1: 'Dataset 1',
  dataset2: 'Dataset 2',
  dataset3: 'Dataset 3',
  dataset4: 'Dataset 4',
  printout: 'Printout',
  photo: 'Photo',
};

/** One-line summary of each style (used in the live description). */
export const STYLE_SUMMARIES: Readonly<Record<StyleName, string>> = {
  dataset1: '12 leads tiled 3 x 4, gray line, no grid, each lead scaled to its own range, grayscale',
  dataset2: '12 leads stacked, EKG grid, blue trace',
  dataset3: '12 leads stacked, EKG grid, blue trace, with dark polygon shadows',
  dataset4: '12 separate grayscale images, one lead each, gray line, no grid',
  printout: 'black trace on a red millimetre grid, 3 x 4 leads plus a lead II rhythm strip',
  photo: 'the printout photographed: perspective, rotation, uneven light, blur, noise, JPEG',
};

/** The study's dataset beside ours, per style: [study, ours]. Facts from the study's facts sheet, our words. */
export const STYLE_CAPTIONS: Readonly<Record<StyleName, { study: string; ours: string }>> = {
  dataset1: {
    study:
      'Every lead was drawn on its own with matplotlib, raw (no filtering), as a gray line without a grid, then shrunk to 512 × 512 gray pixels; the twelve tiles were laid out three rows by four columns in one 2048 × 1536 PNG. Single outlier samples show up as spikes and make the traces look jagged.',
    ours:
      'Drawn straight into twelve 512 × 512 tiles with matplotlib’s default margins and a 1.9 px gray line. Each tile’s vertical range follows its own lead’s minimum and maximum, so one outlier flattens the rest of that lead, as in the study.',
  },
  dataset2: {
    study:
      'A WFDB-style plot: the twelve leads stacked in a single column, each on EKG paper (light-gray minor lines every 0.04 s and 0.125 mV, darker major lines every 0.2 s and 0.5 mV), the vertical range fixed at −1 to 1 mV, no ticks or labels, a blue trace, 640 × 480 pixels. The study’s best model was trained on these.',
    ours:
      'What WFDB’s plot draws at matplotlib’s defaults, with ticks and labels removed. Each lead gets a strip about 26 px tall, so the minor grid merges into a light-gray field crossed by the major lines; anything beyond ±1 mV is clipped.',
  },
  dataset3: {
    study: 'Dataset 2 with one to three random five-cornered polygons darkening parts of the image, a rough stand-in for shadows on a photographed page.',
    ours:
      'The seed decides how many polygons (1–3), where they are and how dark (25–60 % black). Each polygon’s corners go round its centre in order, so its outline never crosses itself. The list below the image gives their corners.',
  },
  dataset4: {
    study:
      'Each lead in a 512 × 512 image of its own, twelve images per record, meant for a recurrent network that reads the leads as a sequence. That network (a ConvLSTM) never learned.',
    ours: 'Twelve one-channel images, each exactly one dataset-1 tile. Choose one lead to see it at full size, or all twelve in a grid (the gaps between tiles are not part of the images).',
  },
  printout: {
    study:
      'Not made in the study: its authors named realistic printouts (black trace on a red grid, the standard 3 × 4 layout with a rhythm strip) as the next step.',
    ours:
      'A resting 12-lead sheet at 25 mm/s and 10 mm/mV on a red millimetre grid, 4 px per mm: three rows of four 2.5 s columns, a 10 s lead II rhythm strip, calibration pulses, lead labels and a header. Like an EKG machine it filters the trace by default (baseline-wander removal and low-pass).',
  },
  photo: {
    study:
      'Not made in the study: its authors asked for lighting and camera distortions and, ideally, real photos of EKGs. Phone photos are where image models broke in the 2024 PhysioNet challenge.',
    ours:
      'The printout as a phone might see it: placed on a table, warped in perspective, rotated up to 7°, lit unevenly, sometimes half in shadow, tinted, folded, blurred, given sensor noise and saved as a JPEG. Every camera setting comes from the seed and is listed below the image.',
  },
};

/** Short names of PTB-XL's MI statements (diagnostic class MI), for the description. */
export const MI_NAMES: Readonly<Record<string, string>> = {
  IMI: 'inferior MI',
  ASMI: 'anteroseptal MI',
  AMI: 'anterior MI',
  ALMI: 'anterolateral MI',
  LMI: 'lateral MI',
  ILMI: 'inferolateral MI',
  IPLMI: 'inferoposterolateral MI',
  IPMI: 'inferoposterior MI',
  PMI: 'posterior MI',
  INJAS: 'subendocardial injury in anteroseptal leads',
  INJAL: 'subendocardial injury in anterolateral leads',
  INJIN: 'subendocardial injury in inferior leads',
  INJLA: 'subendocardial injury in lateral leads',
  INJIL: 'subendocardial injury in inferolateral leads',
};

export const FILTER_LABELS: Readonly<Record<FilterName, string>> = {
  baseline: 'Baseline-wander removal (high-pass 0.5 Hz)',
  lowpass: 'Low-pass 35 Hz',
  notch50: 'Notch 50 Hz (mains)',
  notch60: 'Notch 60 Hz (mains)',
};

export const FILTER_SHORT: Readonly<Record<FilterName, string>> = {
  baseline: 'baseline-wander removal',
  lowpass: 'low-pass',
  notch50: '50 Hz notch',
  notch60: '60 Hz notch',
};

export interface DescribedRecord {
  ecgId: number;
  mi: boolean;
  miCodes: string[];
  superclasses: string[];
  age: number | null;
  ageLabel?: string;
  sex: 'male' | 'female' | string;
}

/** "63-year-old woman", "woman older than 89", "man of unknown age". */
export function describePerson(age: string, sex: string): string {
  const who = sex === 'female' ? 'woman' : sex === 'male' ? 'man' : 'patient';
  if (age === '>89') return `${who} older than 89`;
  if (age === 'unknown' || age === '') return `${who} of unknown age`;
  return `${age}-year-old ${who}`;
}

/** "inferior MI (IMI)", "anteroseptal MI (ASMI) and inferior MI (IMI)", "not MI (NORM)". */
export function describeDiagnosis(rec: Pick<DescribedRecord, 'mi' | 'miCodes' | 'superclasses'>): string {
  if (rec.mi) {
    const parts = rec.miCodes.map((c) => `${MI_NAMES[c] ?? 'MI'} (${c})`);
    return parts.length ? parts.join(' and ') : 'MI';
  }
  if (rec.superclasses.length === 0) return 'not MI, no diagnostic superclass';
  return `not MI (${rec.superclasses.join(', ')})`;
}

function sizeText(w: number, h: number): string {
  return `${w} x ${h}`;
}

/** What is drawn, in one sentence for screen readers (the component's aria-live region). */
export function describeView(opts: {
  rec: DescribedRecord;
  age: string;
  style: StyleName;
  info: RenderInfo;
  width: number;
  height: number;
  /** dataset4: 'all' or the lead shown. */
  lead?: string;
}): string {
  const { rec, style, info } = opts;
  const head = `Record ${rec.ecgId}, ${describePerson(opts.age, rec.sex)}, ${describeDiagnosis(rec)}`;
  let what = STYLE_SUMMARIES[style];
  if (style === 'dataset3' && info.shadows) what = `${STYLE_SUMMARIES.dataset2}, ${info.shadows.length} polygon shadow${info.shadows.length === 1 ? '' : 's'}`;
  if (style === 'photo' && info.photo) what = `${what}; rotated ${info.photo.rotationDeg.toFixed(1)}°`;
  let size = sizeText(opts.width, opts.height);
  if (style === 'dataset4') size = opts.lead && opts.lead !== 'all' ? `lead ${opts.lead}, 512 x 512` : 'all 12 leads in a grid, each 512 x 512';
  const filters = info.filters.length ? `filters: ${info.filters.map((f) => FILTER_SHORT[f]).join(', ')}` : 'no filtering';
  const seeded = style === 'dataset3' || style === 'photo' ? `, seed ${info.seed}` : '';
  return `${head}; ${STYLE_LABELS[style].toLowerCase()} style: ${what}, ${size}; ${filters}${seeded}.`;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const pt = ([x, y]: [number, number]) => `(${r1(x)}, ${r1(y)})`;

/** Rows [name, value] describing the photo parameters. */
export function photoRows(p: PhotoParams): Array<[string, string]> {
  return [
    ['Paper corners (px)', p.corners.map(pt).join(' ')],
    ['Rotation', `${p.rotationDeg.toFixed(2)}°`],
    ['Paper width / frame', p.paperScale.toFixed(3)],
    ['Perspective (max corner shift)', `${(p.perspective * 100).toFixed(1)} % of the paper`],
    ['Background', `rgb(${p.background.join(', ')})`],
    ['Paper tint', p.tint.map((t) => t.toFixed(3)).join(' / ')],
    ['Lighting', `${p.lightAngleDeg.toFixed(0)}°, ${p.lightMin.toFixed(2)} to ${p.lightMax.toFixed(2)}`],
    [
      'Shadow',
      p.shadowDarkness > 0
        ? `darkness ${p.shadowDarkness.toFixed(2)}, angle ${p.shadowAngleDeg.toFixed(0)}°, offset ${p.shadowOffset.toFixed(2)}, softness ${p.shadowSoftness.toFixed(2)}`
        : 'none',
    ],
    ['Blur (sigma)', `${p.blurSigma.toFixed(2)} px`],
    ['Sensor noise (sigma)', `${p.noiseSigma.toFixed(2)} levels`],
    ['JPEG quality', String(Math.round(p.jpegQuality))],
    [
      'Creases',
      p.creases.length
        ? p.creases.map((c) => `(${r1(c.x0)}, ${r1(c.y0)})–(${r1(c.x1)}, ${r1(c.y1)}) strength ${c.strength.toFixed(2)}`).join('; ')
        : 'none',
    ],
  ];
}

/** Rows [name, value] for dataset3's shadow polygons. */
export function shadowRows(shadows: ShadowPolygon[]): Array<[string, string]> {
  return shadows.map((s, i) => [`Shadow ${i + 1} (darkness ${s.darkness.toFixed(2)})`, s.points.map(pt).join(' ')]);
}

// ---------- the controls' texts: one source for the server-rendered first view and the client ----------
// The component renders its initial view (record list, record facts, hints) at build time with these, and the
// client rewrites the same words on load, so hydration changes nothing on screen (no layout shift).

/** The seed hint under the seed field. */
export function seedHint(style: StyleName): string {
  const usesSeed = style === 'dataset3' || style === 'photo';
  return usesSeed
    ? `The seed picks ${style === 'photo' ? 'the camera: angle, light, shadow, blur, noise, JPEG quality, creases' : 'the shadows: how many, where, how dark'}. Same seed, same image.`
    : `The seed picks dataset 3’s shadows and the photo’s camera; ${STYLE_LABELS[style].toLowerCase()} does not use it.`;
}

/** The style's default signal filters (printout and photo filter like an EKG machine; the study's styles do not). */
export function defaultFilters(style: StyleName): FilterName[] {
  return style === 'printout' || style === 'photo' ? ['baseline', 'lowpass'] : [];
}

/** The note under the filter checkboxes; `custom` when the reader has chosen filters. */
export function filtersNote(style: StyleName, custom: boolean): string {
  if (custom) return 'Your choice; it applies to every style until you go back to the default.';
  return style === 'printout' || style === 'photo'
    ? 'Default for this style: baseline-wander removal and low-pass, as an EKG machine prints.'
    : 'Default for this style: none (the study plotted the raw signals).';
}

export interface OptionRecord extends DescribedRecord {
  sex: string;
}

/** One entry of the record list: "12345 · MI: IMI · 63 F". `age` is formatAge(rec.age). */
export function recordOptionLabel(rec: OptionRecord, age: string): string {
  const label = rec.mi ? `MI: ${rec.miCodes.join(', ')}` : `not MI: ${rec.superclasses.join(', ') || 'no superclass'}`;
  return `${rec.ecgId} · ${label} · ${age === 'unknown' ? '?' : age} ${rec.sex === 'female' ? 'F' : rec.sex === 'male' ? 'M' : ''}`.trim();
}

export interface RecordFacts {
  label: string;
  person: string;
  superclasses: string;
  codes: Array<{ code: string; mi: boolean; text: string }>;
  report: string;
}

/** The record's facts as the Record box lists them. `scp` maps SCP codes to descriptions (may be empty). */
export function recordFacts(
  rec: OptionRecord & { scpCodes: Record<string, number | null>; report: string; stratFold?: number; fold?: number },
  age: string,
  scp: Record<string, string>,
): RecordFacts {
  return {
    label: rec.mi ? `MI: ${describeDiagnosis(rec)}` : describeDiagnosis(rec).replace(/^not MI/, 'Not MI'),
    person: `${describePerson(age, rec.sex)} (PTB-XL fold ${rec.stratFold ?? rec.fold})`,
    superclasses: rec.superclasses.length ? rec.superclasses.join(', ') : 'none',
    codes: Object.entries(rec.scpCodes).map(([code, likelihood]) => {
      const desc = scp[code];
      const parts = [likelihood !== null && likelihood > 0 ? `${likelihood}%` : '', desc ?? ''].filter(Boolean);
      return { code, mi: rec.miCodes.includes(code), text: parts.length ? ` ${parts.join(' · ')}` : '' };
    }),
    report: rec.report || '(no report text)',
  };
}
