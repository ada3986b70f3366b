/**
 * PTB-XL's tables: `ptbxl_database.csv` (one row per record) and `scp_statements.csv` (the SCP code dictionary),
 * and the study's labels derived from them. Pure: no Node imports, runs in the browser too.
 */
import { parseCsv, type CsvRow } from './csv';
import { PtbxlError } from './errors';
import { parseScpCodesLiteral, type ScpCodes } from './scp';

export type { ScpCodes } from './scp';

/** PTB-XL's five diagnostic superclasses, in its conventional order. */
export const SUPERCLASSES = ['NORM', 'MI', 'STTC', 'CD', 'HYP'] as const;
export type Superclass = (typeof SUPERCLASSES)[number];

/** Columns `parseDatabaseCsv` needs; any others (as in PhysioNet's full file) are ignored. */
export const DATABASE_COLUMNS = [
  'ecg_id',
  'patient_id',
  'age',
  'sex',
  'report',
  'scp_codes',
  'strat_fold',
  'filename_lr',
] as const;

/** Signal-quality columns of PhysioNet's full CSV (absent from the local subset); read when present. */
export const NOISE_COLUMNS = ['baseline_drift', 'static_noise', 'burst_noise', 'electrodes_problems'] as const;

/** PTB-XL encodes ages above 89 as 300 (anonymisation). */
export const ANONYMISED_AGE = 300;

export type Sex = 'male' | 'female';

/** One row of `ptbxl_database.csv`. */
export interface DatabaseRow {
  ecgId: number;
  /** null where the local CSV has no patient id (rows rebuilt from the 1.0.3 label table). */
  patientId: number | null;
  /** Years; 300 means older than 89 (see `formatAge`); null when unknown. */
  age: number | null;
  /** PTB-XL's `sex` column: 0 = male, 1 = female. */
  sex: Sex;
  /** The cardiologist's / device's free-text report (German or English); '' when absent. */
  report: string;
  /** SCP code -> likelihood (%), or null where unknown. */
  scpCodes: ScpCodes;
  /** PTB-XL's patient-disjoint stratified fold, 1-10 (1-8 train, 9 validation, 10 test). */
  stratFold: number;
  /** Path of the 100 Hz record without extension, e.g. `records100/00000/00001_lr`. */
  filenameLr: string;
  /** Non-empty signal-quality annotations (e.g. `static_noise: ", I-AVR"`) when the CSV has those columns, else {}. */
  noiseAnnotations: Partial<Record<(typeof NOISE_COLUMNS)[number], string>>;
  /** 1-based line number in the CSV (for messages). */
  line: number;
}

/** One row of `scp_statements.csv`. */
export interface ScpStatement {
  code: string;
  description: string;
  /** `diagnostic == 1`. */
  diagnostic: boolean;
  form: boolean;
  rhythm: boolean;
  /** NORM, MI, STTC, CD, HYP for diagnostic statements; null otherwise. */
  diagnosticClass: string | null;
  diagnosticSubclass: string | null;
  /** `Statement Category` when the column is present, else ''. */
  category: string;
}

/** A database row with the study's labels. */
export interface LabelledRecord extends DatabaseRow {
  /** The study's label: any code whose statement has diagnostic == 1 and diagnostic_class == MI (likelihood ignored). */
  mi: boolean;
  /** The codes that make it MI (e.g. ['IMI', 'ASMI']), in the order of `scpCodes`. */
  miCodes: string[];
  /** Diagnostic superclasses of its diagnostic codes, in `SUPERCLASSES` order (may be empty). */
  superclasses: Superclass[];
  /** Diagnostic subclasses of its diagnostic codes (e.g. IMI, AMI, NST_), sorted, unique. */
  diagnosticSubclasses: string[];
}

function columnIndex(header: CsvRow, names: readonly string[], fileName: string): Map<string, number> {
  const index = new Map<string, number>();
  header.cells.forEach((name, i) => {
    if (index.has(name) && names.includes(name))
      throw new PtbxlError(fileName, `duplicate column "${name}"`, header.line);
    if (!index.has(name)) index.set(name, i);
  });
  const missing = names.filter((n) => !index.has(n));
  if (missing.length) {
    throw new PtbxlError(
      fileName,
      `wrong column set: missing ${missing.map((m) => `"${m}"`).join(', ')} (header has ${header.cells.length} columns: ${header.cells.join(', ')})`,
      header.line,
    );
  }
  return index;
}

function checkWidth(row: CsvRow, width: number, fileName: string): void {
  if (row.cells.length !== width) {
    throw new PtbxlError(fileName, `malformed row: ${row.cells.length} fields, header has ${width}`, row.line);
  }
}

function parseNumberCell(
  value: string,
  column: string,
  fileName: string,
  line: number,
  opts: { integer?: boolean; optional?: boolean } = {},
): number | null {
  const v = value.trim();
  if (v === '') {
    if (opts.optional) return null;
    throw new PtbxlError(fileName, `empty ${column}`, line);
  }
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v))
    throw new PtbxlError(fileName, `${column} "${value}" is not a number`, line);
  const n = Number(v);
  if (opts.integer && !Number.isInteger(n))
    throw new PtbxlError(fileName, `${column} "${value}" is not an integer`, line);
  return n;
}

/**
 * Parses `ptbxl_database.csv` (the local column subset or PhysioNet's full file: columns are found by name).
 * Throws `PtbxlError("<file>: line N: <problem>")` for malformed rows, bad values or a wrong column set.
 */
export function parseDatabaseCsv(text: string, fileName: string): DatabaseRow[] {
  const rows = parseCsv(text, fileName);
  const header = rows[0];
  if (!header) throw new PtbxlError(fileName, 'empty file (no header row)');
  const col = columnIndex(header, DATABASE_COLUMNS, fileName);
  const at = (name: (typeof DATABASE_COLUMNS)[number]) => col.get(name)!;
  const width = header.cells.length;
  const noiseCols = NOISE_COLUMNS.map((name) => [name, header.cells.indexOf(name)] as const).filter(([, i]) => i >= 0);
  const seen = new Set<number>();
  const out: DatabaseRow[] = [];
  for (const row of rows.slice(1)) {
    checkWidth(row, width, fileName);
    const c = row.cells;
    const line = row.line;
    const ecgId = parseNumberCell(c[at('ecg_id')]!, 'ecg_id', fileName, line, { integer: true })!;
    if (ecgId < 1) throw new PtbxlError(fileName, `ecg_id ${ecgId} is not positive`, line);
    if (seen.has(ecgId)) throw new PtbxlError(fileName, `duplicate ecg_id ${ecgId}`, line);
    seen.add(ecgId);
    const patientId = parseNumberCell(c[at('patient_id')]!, 'patient_id', fileName, line, {
      integer: true,
      optional: true,
    });
    const age = parseNumberCell(c[at('age')]!, 'age', fileName, line, { optional: true });
    if (age !== null && (age < 0 || (age > 130 && age !== ANONYMISED_AGE)))
      throw new PtbxlError(fileName, `age ${age} is out of range`, line);
    const sexCell = c[at('sex')]!.trim();
    if (sexCell !== '0' && sexCell !== '1' && sexCell !== '0.0' && sexCell !== '1.0') {
      throw new PtbxlError(fileName, `sex "${sexCell}" is neither 0 (male) nor 1 (female)`, line);
    }
    const parsed = parseScpCodesLiteral(c[at('scp_codes')]!);
    if (!parsed.ok) throw new PtbxlError(fileName, parsed.problem, line);
    const stratFold = parseNumberCell(c[at('strat_fold')]!, 'strat_fold', fileName, line, { integer: true })!;
    if (stratFold < 1 || stratFold > 10) throw new PtbxlError(fileName, `strat_fold ${stratFold} is not in 1-10`, line);
    const filenameLr = c[at('filename_lr')]!.trim();
    if (!/^records100\/\d{5}\/\d{5}_lr$/.test(filenameLr))
      throw new PtbxlError(fileName, `filename_lr "${filenameLr}" is not records100/NNNNN/NNNNN_lr`, line);
    out.push({
      ecgId,
      patientId,
      age,
      sex: sexCell.startsWith('0') ? 'male' : 'female',
      report: c[at('report')]!,
      scpCodes: parsed.codes,
      stratFold,
      filenameLr,
      noiseAnnotations: Object.fromEntries(
        noiseCols.map(([name, i]) => [name, (c[i] ?? '').trim()]).filter(([, v]) => v !== ''),
      ),
      line,
    });
  }
  return out;
}

const STATEMENT_COLUMNS = [
  'description',
  'diagnostic',
  'form',
  'rhythm',
  'diagnostic_class',
  'diagnostic_subclass',
] as const;

function flag(value: string, column: string, fileName: string, line: number): boolean {
  const v = value.trim();
  if (v === '' || v === '0' || v === '0.0') return false;
  if (v === '1' || v === '1.0') return true;
  throw new PtbxlError(fileName, `${column} "${value}" is neither empty, 0 nor 1`, line);
}

/** Parses `scp_statements.csv` (first column: the code, under an unnamed header). */
export function parseScpStatements(text: string, fileName: string): ScpStatement[] {
  const rows = parseCsv(text, fileName);
  const header = rows[0];
  if (!header) throw new PtbxlError(fileName, 'empty file (no header row)');
  const col = columnIndex(header, STATEMENT_COLUMNS, fileName);
  if ((header.cells[0] ?? '').trim() !== '' && header.cells[0] !== 'scp_code') {
    throw new PtbxlError(
      fileName,
      `wrong column set: first column should be the unnamed code column, found "${header.cells[0]}"`,
      header.line,
    );
  }
  const categoryIndex = header.cells.indexOf('Statement Category');
  const at = (name: (typeof STATEMENT_COLUMNS)[number]) => col.get(name)!;
  const width = header.cells.length;
  const seen = new Set<string>();
  return rows.slice(1).map((row) => {
    checkWidth(row, width, fileName);
    const c = row.cells;
    const code = (c[0] ?? '').trim();
    if (code === '') throw new PtbxlError(fileName, 'empty SCP code', row.line);
    if (seen.has(code)) throw new PtbxlError(fileName, `duplicate SCP code "${code}"`, row.line);
    seen.add(code);
    const cls = c[at('diagnostic_class')]!.trim();
    const sub = c[at('diagnostic_subclass')]!.trim();
    return {
      code,
      description: c[at('description')]!,
      diagnostic: flag(c[at('diagnostic')]!, 'diagnostic', fileName, row.line),
      form: flag(c[at('form')]!, 'form', fileName, row.line),
      rhythm: flag(c[at('rhythm')]!, 'rhythm', fileName, row.line),
      diagnosticClass: cls === '' ? null : cls,
      diagnosticSubclass: sub === '' ? null : sub,
      category: categoryIndex >= 0 ? (c[categoryIndex] ?? '') : '',
    };
  });
}

/** The SCP codes that make a record MI in the study's sense (diagnostic == 1 and diagnostic_class == MI). */
export function miCodesOf(statements: readonly ScpStatement[]): Set<string> {
  return new Set(statements.filter((s) => s.diagnostic && s.diagnosticClass === 'MI').map((s) => s.code));
}

/**
 * Adds the study's MI label and the diagnostic superclasses to each row. Throws `PtbxlError` if a row uses a code
 * that `scp_statements.csv` does not define.
 */
export function labelRecords(
  rows: readonly DatabaseRow[],
  statements: readonly ScpStatement[],
  fileName = 'ptbxl_database.csv',
): LabelledRecord[] {
  const byCode = new Map(statements.map((s) => [s.code, s]));
  return rows.map((row) => {
    const miCodes: string[] = [];
    const classes = new Set<string>();
    const subclasses = new Set<string>();
    for (const code of Object.keys(row.scpCodes)) {
      const st = byCode.get(code);
      if (!st)
        throw new PtbxlError(
          fileName,
          `ecg_id ${row.ecgId}: SCP code "${code}" is not in scp_statements.csv`,
          row.line,
        );
      if (!st.diagnostic) continue;
      if (st.diagnosticClass) classes.add(st.diagnosticClass);
      if (st.diagnosticSubclass) subclasses.add(st.diagnosticSubclass);
      if (st.diagnosticClass === 'MI') miCodes.push(code);
    }
    return {
      ...row,
      mi: miCodes.length > 0,
      miCodes,
      superclasses: SUPERCLASSES.filter((s) => classes.has(s)),
      diagnosticSubclasses: [...subclasses].sort(),
    };
  });
}

/** Human-readable age: ">89" for PTB-XL's anonymised 300, "unknown" when missing, else the whole years. */
export function formatAge(age: number | null): string {
  if (age === null || !Number.isFinite(age)) return 'unknown';
  if (age === ANONYMISED_AGE || age > 89) return '>89';
  return String(Math.round(age));
}

/** `records100/NNNNN/NNNNN_lr` for an ecg_id (PhysioNet's layout: folders of 1000). */
export function recordBasePath(ecgId: number): string {
  const name = String(ecgId).padStart(5, '0');
  const folder = String(Math.floor(ecgId / 1000) * 1000).padStart(5, '0');
  return `records100/${folder}/${name}_lr`;
}

/** Heuristic noise / artefact mention in a report (German or English), e.g. "baseline wandering", "artifact". */
export function reportMentionsNoise(report: string): boolean {
  return /artifact|artefakt|artefact|baseline|wander|noise|rausch|interference|stÖrsignal|störsignal/i.test(report);
}

/** Whether a record is known to be noisy: signal-quality columns (full CSV) or a noise mention in its report. */
export function hasNoiseNote(row: Pick<DatabaseRow, 'report' | 'noiseAnnotations'>): boolean {
  return Object.keys(row.noiseAnnotations).length > 0 || reportMentionsNoise(row.report);
}
