/**
 * The digitiser's stages in plain words, for the demo and the report: what it found on the sheet, which stages
 * worked, each lead's confidence, and what to say when it could not read the picture. Pure (no DOM), so the
 * wording is unit-tested and the same in both places.
 */
import type { DigitiseStages, Readout } from '../../lib/digitise/index';
import { FAINT_INK_THRESHOLD } from '../../lib/digitise/read';

export const LEAD_ORDER = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;

const pct = (v: number) => `${Math.round(v * 100)}%`;
const fixed = (v: number, d = 1) => v.toFixed(d);

export const LAYOUT_WORDS: Record<DigitiseStages['layout'], string> = {
  '3x4': '3 × 4 (three rows of four leads)',
  '3x4+1': '3 × 4 with one rhythm strip',
  '3x4+3': '3 × 4 with three rhythm strips',
  '6x2':
    '6 × 2 (the limb leads beside the chest leads; its rhythm strips did not repeat the leads above them, as a 3 × 4 sheet’s do)',
  '12x1': '12 × 1 (one lead per row)',
};

/** The paper speed, and how much of the record the sheet therefore shows. */
function speedLine(s: DigitiseStages): StageLine {
  const shows = s.mmPerS === 50 ? 'the sheet shows the first 5 s of the record' : 'the sheet shows 10 s';
  return s.speedSource === 'calibration pulse'
    ? {
        stage: 'Speed',
        ok: true,
        text: `${s.mmPerS} mm/s, from the calibration pulse’s width (it lasts 0.2 s): ${shows}.`,
      }
    : { stage: 'Speed', ok: false, text: `no calibration pulse to measure: the usual 25 mm/s is assumed; ${shows}.` };
}

export interface StageLine {
  /** Short name of the stage: "Sheet", "Grid", ... */
  stage: string;
  /** Whether it found what it looks for (false: it fell back on an assumption). */
  ok: boolean;
  text: string;
}

/** What the scale came from: the grid's period, the page-width prior, or the traces' own length. */
function gridLine(g: DigitiseStages['grid']): StageLine {
  if (g.source === 'page-width')
    return {
      stage: 'Grid',
      ok: false,
      text: `no grid period found; the scale assumes the picture spans a page about 280 mm wide (${fixed(g.pxPerMm)} px per mm).`,
    };
  if (g.source === 'trace-length')
    return {
      stage: 'Grid',
      ok: false,
      text: `at the grid's period the traces were far from the 250 mm a 10-second sheet spans, or no trace rows were found, so it was not believed; the scale is the traces' own length (${fixed(g.pxPerMm)} px per mm).`,
    };
  return {
    stage: 'Grid',
    ok: true,
    text: `${fixed(g.pxPerMm)} px per mm, from the period of the ${g.source === 'grid-1mm' ? '1 mm' : '5 mm'} grid lines.`,
  };
}

/** One line per stage, in the order the digitiser runs them. */
export function stageLines(
  s: DigitiseStages,
  readout: Readout,
  reader: 'classical' | 'learned' = 'classical',
): StageLine[] {
  const lines: StageLine[] = [];
  const skew = Math.abs(s.skewDeg) >= 0.05 ? `, then turned ${fixed(Math.abs(s.skewDeg))}° to level the rows` : '';
  lines.push(
    s.paper
      ? {
          stage: 'Sheet',
          ok: true,
          text: `found the paper's four corners (it covers ${pct(s.paper.coverage)} of the picture) and made it upright${skew}.`,
        }
      : {
          stage: 'Sheet',
          ok: true,
          text: `the paper fills the picture (a scan, crop or screenshot): nothing to rectify${skew}.`,
        },
  );
  lines.push(gridLine(s.grid));
  if (reader === 'learned')
    lines.push({
      stage: 'Trace',
      ok: false,
      text: "neither ink threshold (the sheet's own, then a fainter one) found trace rows; these are the pixels a small trained network marked as trace (trained on our renders only).",
    });
  else if (s.faintInk)
    lines.push({
      stage: 'Trace',
      ok: false,
      text: `a faint trace: at the sheet's own ink threshold no trace rows showed, so it was read again taking anything ${Math.round((1 - FAINT_INK_THRESHOLD) * 100)}% darker than the paper for ink (grid lines and labels can pass for trace there).`,
    });
  lines.push({
    stage: 'Rows',
    ok: true,
    text: `${s.rows.length} trace rows, read as ${LAYOUT_WORDS[s.layout]}.`,
  });
  const mmPerMv = s.pxPerMv / s.grid.pxPerMm;
  lines.push(
    s.gainSource === 'calibration pulse'
      ? { stage: 'Gain', ok: true, text: `from the 1 mV calibration pulse: ${fixed(mmPerMv)} mm per mV.` }
      : { stage: 'Gain', ok: false, text: 'no calibration pulse found: the standard 10 mm per mV is assumed.' },
  );
  lines.push(speedLine(s));
  const marks = s.separators.length;
  lines.push(
    marks > 0
      ? {
          stage: 'Columns',
          ok: true,
          text: `${marks} column mark${marks === 1 ? '' : 's'} found between the leads, pinning where each column starts.`,
        }
      : {
          stage: 'Columns',
          ok: s.layout === '12x1',
          text:
            s.layout === '12x1'
              ? 'one lead per row: no columns to place.'
              : 'no column marks found; the columns are placed by the paper speed from where the traces start.',
        },
  );
  const read = LEAD_ORDER.filter((l) => (readout.confidence[l] ?? 0) > 0);
  const low = read.filter((l) => readout.confidence[l]! < 0.8);
  const rhythm =
    readout.rhythmConfidence !== undefined
      ? `; rhythm strip (lead II) ${pct(readout.rhythmConfidence)}`
      : s.rhythmLead && s.rhythmLead !== 'II'
        ? `; the rhythm strip repeats lead ${s.rhythmLead}, not lead II, and is left out`
        : '';
  lines.push({
    stage: 'Leads',
    ok: read.length === 12 && low.length === 0,
    text:
      `${read.length} of 12 leads read. Confidence (the share of a lead's width where its trace was found): ` +
      `${LEAD_ORDER.map((l) => `${l} ${pct(readout.confidence[l] ?? 0)}`).join(', ')}${rhythm}.`,
  });
  return lines;
}

/**
 * The reader-facing sentence for a picture the digitiser could not read (its DigitiseError message). In the demo
 * (`reading: true`) it also says that there is therefore no signal reading.
 */
export function failureText(message: string, opts: { reading?: boolean } = {}): string {
  const reading = opts.reading ?? true;
  const so = reading ? ', so there is no signal reading' : '';
  const rows = /found (\d+) trace row/.exec(message);
  if (rows) {
    const n = Number(rows[1]);
    return (
      `The digitiser could not find the trace rows in this picture (it found ${n === 0 ? 'none' : n}; ` +
      `a 12-lead sheet has at least 3)${so}. It reads upright printed sheets with a grid; most phone photos ` +
      'still defeat it.'
    );
  }
  if (/too short/.test(message)) return `The digitiser found trace rows, but too short to be a 10-second sheet${so}.`;
  return `The digitiser could not read this picture (${message})${so}.`;
}

/** "18.2 dB" with a real minus sign; "perfect" for an exact read. */
export function dbText(v: number): string {
  if (v === Infinity) return 'exact';
  const t = v.toFixed(1);
  return `${t.startsWith('-') && Number(t) !== 0 ? `\u2212${t.slice(1)}` : t.replace(/^-/, '')} dB`;
}

/** The seconds a readout holds for a lead: [first, last + 1) finite sample, or null when nothing was read. */
export function readSpan(values: ArrayLike<number> | undefined): [number, number] | null {
  if (!values) return null;
  let a = -1;
  let b = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!)) {
      if (a < 0) a = i;
      b = i + 1;
    }
  }
  return a < 0 ? null : [a, b];
}
