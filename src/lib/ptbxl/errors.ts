/** Every problem the PTB-XL data layer finds in its input: the message always reads "<file>: <problem>". */
export class PtbxlError extends Error {
  /** The file (as given by the caller) that holds the problem. */
  readonly file: string;
  /** 1-based line number, for line-oriented files (headers, CSVs), when known. */
  readonly line: number | undefined;

  constructor(file: string, problem: string, line?: number) {
    super(line === undefined ? `${file}: ${problem}` : `${file}: line ${line}: ${problem}`);
    this.name = 'PtbxlError';
    this.file = file;
    this.line = line;
  }
}
