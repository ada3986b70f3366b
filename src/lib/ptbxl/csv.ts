/** A small RFC 4180 CSV reader (quoted fields, doubled quotes, newlines inside quotes). Pure. */
import { PtbxlError } from './errors';

export interface CsvRow {
  /** 1-based line number where the row starts. */
  line: number;
  cells: string[];
}

/**
 * Splits CSV text into rows of cells. Accepts LF or CRLF line ends and a leading BOM; skips blank lines.
 * Throws `PtbxlError` for an unterminated quote or a stray quote inside an unquoted field.
 */
export function parseCsv(text: string, fileName: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const rowLine = line;
    const cells: string[] = [];
    // Parse one record.
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) throw new PtbxlError(fileName, 'unterminated quoted field', quoteLine);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
            } else {
              i++;
              break;
            }
          } else {
            if (c === '\n') line++;
            cell += c;
            i++;
          }
        }
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new PtbxlError(fileName, `unexpected character ${JSON.stringify(next)} after a quoted field`, line);
        }
      } else {
        const start = i;
        while (i < n) {
          const c = text[i];
          if (c === ',' || c === '\n' || c === '\r') break;
          if (c === '"') throw new PtbxlError(fileName, 'stray quote inside an unquoted field', line);
          i++;
        }
        cell = text.slice(start, i);
      }
      cells.push(cell);
      if (text[i] === ',') {
        i++;
        continue;
      }
      // End of record: \r\n, \n, \r or EOF.
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: rowLine, cells });
  }
  return rows;
}
