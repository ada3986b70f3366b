/**
 * Words for the generator: what each style is (the study's version beside ours), the aria-live description of
 * what is drawn, and short names of the MI statements. Pure; used by the component's markup (build time) and
 * its client script.
 */
import type { FilterName } from '../../lib/signal/filters';
import type { PhotoParams, RenderInfo, ShadowPolygon, StyleName } from '../../lib/render/types';
import type { WildInfo } from '../../lib/render/wild/index';

export const STYLE_LABELS: Readonly<Record<StyleName, string>> = {
  dataset1: 'Dataset 1',
  dataset2: 'Dataset 2',
  dataset3: 'Dataset 3',
  dataset4: 'Dataset 4',
  printout: 'Printout',
  photo: 'Photo',
  'wild-printout': 'Wild printout',
  'wild-scan': 'Wild scan',
  'wild-photo': 'Wild photo',
};

/** The styles whose seed draws something (and so whose parameters the generator lists). */
export function styleUsesSeed(style: StyleName): boolean {
  return style === 'dataset3' || style === 'photo' || style.startsWith('wild-');
}

/** One-line summary of each style (used in the live description). */
export const STYLE_SUMMARIES: Readonly<Record<StyleName, string>> = {
  dataset1: '12 leads tiled 3 x 4, gray line, no grid, each lead scaled to its own range, grayscale',
  dataset2: '12 leads stacked, EKG grid, blue trace',
  dataset3: '12 leads stacked, EKG grid, blue trace, with dark polygon shadows',
  dataset4: '12 separate grayscale images, one lead each, gray line, no grid',
  printout: 'black trace on a red millimetre grid, 3 x 4 leads plus a lead II rhythm strip',
  photo: 'the printout photographed: perspective, rotation, uneven light, blur, noise, JPEG',
  'wild-printout':
    'a page as another EKG machine lays it out and prints it: layout, speed, gain, paper, grid, pen, text and marks drawn from the seed',
  'wild-scan': 'a wild page through a scanner or fax: resolution, skew, exposure, grey or one-bit, noise, specks, JPEG',
  'wild-photo':
    'a wild page photographed with a phone: angle, lens, curl, folds, wrinkles, background, light, shadows, glare, fingers, blur, noise, JPEG',
};

/** The study's dataset beside ours, per style: [study, ours]. Facts from the study's facts sheet, our words. */
export const STYLE_CAPTIONS: Readonly<Record<StyleName, { study: string; ours: string }>> = {
  dataset1: {
    study:
      'Every lead was drawn on its own with matplotlib, raw (no filtering), as a gray line without a grid, then shrunk to 512 × 512 gray pixels; the twelve tiles were laid out three rows by four columns in one 2048 × 1536 PNG. Single outlier samples show up as spikes and make the traces look jagged.',
    ours: 'Drawn straight into twelve 512 × 512 tiles with matplotlib’s default margins and a 1.9 px gray line. Each tile’s vertical range follows its own lead’s minimum and maximum, so one outlier flattens the rest of that lead, as in the study.',
  },
  dataset2: {
    study:
      'A WFDB-style plot: the twelve leads stacked in a single column, each on EKG paper (light-gray minor lines every 0.04 s and 0.125 mV, darker major lines every 0.2 s and 0.5 mV), the vertical range fixed at −1 to 1 mV, no ticks or labels, a blue trace, 640 × 480 pixels. The study’s best model was trained on these.',
    ours: 'What WFDB’s plot draws at matplotlib’s defaults, with ticks and labels removed. Each lead gets a strip about 26 px tall, so the minor grid merges into a light-gray field crossed by the major lines; anything beyond ±1 mV is clipped.',
  },
  dataset3: {
    study:
      'Dataset 2 with one to three random five-cornered polygons darkening parts of the image, a rough stand-in for shadows on a photographed page.',
    ours: 'The seed decides how many polygons (1–3), where they are and how dark (25–60 % black). Each polygon’s corners go round its centre in order, so its outline never crosses itself. The list below the image gives their corners.',
  },
  dataset4: {
    study:
      'Each lead in a 512 × 512 image of its own, twelve images per record, meant for a recurrent network that reads the leads as a sequence. That network (a ConvLSTM) never learned.',
    ours: 'Twelve one-channel images, each exactly one dataset-1 tile. Choose one lead to see it at full size, or all twelve in a grid (the gaps between tiles are not part of the images).',
  },
  printout: {
    study:
      'Not made in the study: its authors named realistic printouts (black trace on a red grid, the standard 3 × 4 layout with a rhythm strip) as the next step.',
    ours: 'A resting 12-lead sheet at 25 mm/s and 10 mm/mV on a red millimetre grid, 4 px per mm: three rows of four 2.5 s columns, a 10 s lead II rhythm strip, calibration pulses, lead labels and a header. Like an EKG machine it filters the trace by default (baseline-wander removal and low-pass).',
  },
  'wild-printout': {
    study:
      'Not made in the study, whose images all came from one plotting routine. A model that has only ever seen one way of drawing an EKG fails on pages from other machines.',
    ours: 'Every choice a machine or its settings makes is drawn from the seed: one of five layouts (3 × 4 with none, one or three rhythm strips, 6 × 2, 12 × 1), 25 or 50 mm/s, 5, 10 or 20 mm/mV, eight paper colours and three grid kinds, pen colour and width, label position and font, calibration pulse, separators, header text with measurements and interpretation lines (chosen at random, never from the record’s diagnosis), redactions, footers, coffee stains, stamps and scribbles. The full list is below the image.',
  },
  'wild-scan': {
    study: 'Not made in the study.',
    ours: 'A wild page laid on a scanner: 72 to 300 dpi, skewed up to 3°, exposed brighter or darker, in grey about half the time, sometimes reduced to one bit like a fax, with dust specks, a lid shadow and JPEG compression. Three in ten scans and printouts are cropped to the traces, as screenshots often are.',
  },
  'wild-photo': {
    study:
      'Not made in the study: its authors asked for lighting and camera distortions and, ideally, real photos of EKGs.',
    ours: 'A wild page on a desk, a clipboard, fabric or a bed sheet, photographed from an angle (keystone), sometimes upside-down or turned for a portrait frame, through a lens with barrel distortion, with curled edges, folds and wrinkles, coloured and uneven light, the shadow of a hand or phone, glare, fingers at the edge, defocus, sensor noise and JPEG. This is what a reader’s upload looks like.',
  },
  photo: {
    study:
      'Not made in the study: its authors asked for lighting and camera distortions and, ideally, real photos of EKGs. Phone photos are where image models broke in the 2024 PhysioNet challenge.',
    ours: 'The printout as a phone might see it: placed on a table, warped in perspective, rotated up to 7°, lit unevenly, sometimes half in shadow, tinted, folded, blurred, given sensor noise and saved as a JPEG. Every camera setting comes from the seed and is listed below the image.',
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
  if (style === 'dataset3' && info.shadows)
    what = `${STYLE_SUMMARIES.dataset2}, ${info.shadows.length} polygon shadow${info.shadows.length === 1 ? '' : 's'}`;
  if (style === 'photo' && info.photo) what = `${what}; rotated ${info.photo.rotationDeg.toFixed(1)}°`;
  if (info.wild) what = `${what}; this one: ${info.wild.sheet.layout} layout on ${info.wild.sheet.paperName} paper`;
  let size = sizeText(opts.width, opts.height);
  if (style === 'dataset4')
    size = opts.lead && opts.lead !== 'all' ? `lead ${opts.lead}, 512 x 512` : 'all 12 leads in a grid, each 512 x 512';
  const filters = info.filters.length
    ? `filters: ${info.filters.map((f) => FILTER_SHORT[f]).join(', ')}`
    : 'no filtering';
  const seeded = styleUsesSeed(style) ? `, seed ${info.seed}` : '';
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
        ? p.creases
            .map((c) => `(${r1(c.x0)}, ${r1(c.y0)})–(${r1(c.x1)}, ${r1(c.y1)}) strength ${c.strength.toFixed(2)}`)
            .join('; ')
        : 'none',
    ],
  ];
}

const rgb = (c: readonly number[]) => `rgb(${c.join(', ')})`;

/** Rows [name, value] describing everything a wild style drew: the sheet, then the scanner or the camera. */
export function wildRows(w: WildInfo): Array<[string, string]> {
  const s = w.sheet;
  const rows: Array<[string, string]> = [
    ['Page', `${s.page} (${s.pageMm[0]} × ${s.pageMm[1]} mm), drawn at ${w.pxPerMm.toFixed(2)} px/mm`],
    ['Layout', `${s.layout}${s.rhythmLeads.length ? ` (rhythm: ${s.rhythmLeads.join(', ')})` : ''}`],
    ['Speed and gain', `${s.mmPerS} mm/s, ${s.mmPerMv} mm/mV; each column shows ${s.columnS.toFixed(2)} s`],
    ['Paper', `${s.paperName}: paper ${rgb(s.paper)}, minor ${rgb(s.minor)}, major ${rgb(s.major)}`],
    [
      'Grid',
      `${s.gridKind}, minor ${s.minorWidthMm.toFixed(2)} mm, major ${s.majorWidthMm.toFixed(2)} mm, over x ${s.gridMm.x0}-${s.gridMm.x1} mm, y ${s.gridMm.y0}-${s.gridMm.y1} mm`,
    ],
    ['Trace pen', `${rgb(s.traceColor)}, ${s.traceWidthMm.toFixed(2)} mm`],
    ['Lead labels', `${s.labelPosition}, ${s.labelSizeMm.toFixed(1)} mm, ${s.labelFont}`],
    ['Calibration pulse', s.calibration],
    ['Column separators', s.separators],
    ['Header', s.header.length ? s.header.join(' | ') : 'none'],
    ['Redaction boxes', String(s.redactions.length)],
    ['Footer', s.footer.length ? s.footer.join(' | ') : 'none'],
    [
      'Stains',
      s.stains.length ? s.stains.map((t) => `r ${r1(t.r)} mm at (${r1(t.cx)}, ${r1(t.cy)}) mm`).join('; ') : 'none',
    ],
    ['Stamp', s.stamps.length ? s.stamps.map((t) => `"${t.text}" ${rgb(t.color)}`).join('; ') : 'none'],
    [
      'Scribbles',
      s.scribbles.length
        ? s.scribbles.map((t) => `${r1(t.lengthMm)} mm at (${r1(t.x)}, ${r1(t.y)}) mm`).join('; ')
        : 'none',
    ],
  ];
  if (w.crop !== undefined)
    rows.push([
      'Crop',
      w.crop ? `x ${r1(w.crop.x0)}-${r1(w.crop.x1)} mm, y ${r1(w.crop.y0)}-${r1(w.crop.y1)} mm` : 'whole page',
    ]);
  if (w.scan) {
    const c = w.scan;
    rows.push(
      ['Scanner', `${c.dpi} dpi (${c.width} × ${c.height} px), skew ${c.skewDeg.toFixed(2)}°`],
      ['Colour', c.binarise ? `one-bit fax, threshold ${c.threshold.toFixed(2)}` : c.gray ? 'grey' : 'colour'],
      [
        'Exposure',
        `gamma ${c.gamma.toFixed(2)}, brightness ${c.brightness.toFixed(2)}, lamp falloff ${c.lamp.toFixed(3)} at ${c.lampAngleDeg.toFixed(0)}°`,
      ],
      ['Lid shadow', c.lidShadow > 0 ? `${(c.lidShadow * 100).toFixed(1)} % along the ${c.lidEdge} edge` : 'none'],
      ['Noise and specks', `${c.noiseSigma.toFixed(2)} levels, ${c.specks} specks`],
      ['JPEG quality', c.jpegQuality === null ? 'lossless' : String(c.jpegQuality)],
      [
        'Crumpled or folded',
        c.relief
          ? `${c.relief.folds.length} fold(s), ${c.relief.wrinkles} creases of strength ${c.relief.wrinkleStrength.toFixed(2)}, crumple ${c.relief.crumple.toFixed(2)}`
          : 'no',
      ],
    );
  }
  if (w.camera) {
    const c = w.camera;
    rows.push(
      ['Frame', `${c.width} × ${c.height} px (${c.portrait ? 'portrait' : 'landscape'})`],
      ['Orientation', `${c.baseRotationDeg}° ${c.tiltDeg >= 0 ? '+' : '-'} ${Math.abs(c.tiltDeg).toFixed(1)}° tilt`],
      ['Paper size in frame', `${c.paperScale.toFixed(2)} of the long side${c.paperScale > 0.95 ? ' (cropped)' : ''}`],
      ['Paper corners (px)', c.corners.map(pt).join(' ')],
      ['Keystone', c.keystone.toFixed(3)],
      ['Lens (barrel)', c.barrel.toFixed(3)],
      ['Curl', c.curl > 0 ? `${(c.curl * 100).toFixed(1)} % along the ${c.curlAxis}` : 'none'],
      ['Folds', c.folds.length ? c.folds.map((f) => `strength ${f.strength.toFixed(2)}`).join('; ') : 'none'],
      [
        'Wrinkles',
        c.wrinkles
          ? `${c.wrinkles} creases, strength ${c.wrinkleStrength.toFixed(2)}, crumple ${c.crumple.toFixed(2)}`
          : 'none',
      ],
      ['Background', `${c.background} ${rgb(c.backgroundColor)}`],
      [
        'Light',
        `${c.lightAngleDeg.toFixed(0)}°, ${c.lightMin.toFixed(2)} to ${c.lightMax.toFixed(2)}, tint ${c.lightTint.map((t) => t.toFixed(2)).join(' / ')}`,
      ],
      [
        'Shadows',
        c.shadows.length
          ? c.shadows.map((h) => `darkness ${h.darkness.toFixed(2)}, softness ${h.softness.toFixed(0)} px`).join('; ')
          : 'none',
      ],
      ['Glare', c.glare ? `strength ${c.glare.strength.toFixed(2)}, radius ${c.glare.radius.toFixed(0)} px` : 'none'],
      ['Fingers', String(c.fingers.length)],
      [
        'Blur, noise, JPEG',
        `${c.blurSigma.toFixed(2)} px, ${c.noiseSigma.toFixed(2)} levels, quality ${c.jpegQuality}`,
      ],
    );
  }
  return rows;
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
  if (style.startsWith('wild-'))
    return 'The seed picks the page’s layout, paper, pen and marks, and the scanner or camera. Same seed, same image.';
  return styleUsesSeed(style)
    ? `The seed picks ${style === 'photo' ? 'the camera: angle, light, shadow, blur, noise, JPEG quality, creases' : 'the shadows: how many, where, how dark'}. Same seed, same image.`
    : `The seed picks dataset 3’s shadows, the photo’s camera and every wild page; ${STYLE_LABELS[style].toLowerCase()} does not use it.`;
}

/** Styles an EKG machine would print: they filter the trace by default. */
const machineFiltered = (style: StyleName) => style === 'printout' || style === 'photo' || style.startsWith('wild-');

/** The style's default signal filters (printout and photo filter like an EKG machine; the study's styles do not). */
export function defaultFilters(style: StyleName): FilterName[] {
  return machineFiltered(style) ? ['baseline', 'lowpass'] : [];
}

/** The note under the filter checkboxes; `custom` when the reader has chosen filters. */
export function filtersNote(style: StyleName, custom: boolean): string {
  if (custom) return 'Your choice; it applies to every style until you go back to the default.';
  return machineFiltered(style)
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
