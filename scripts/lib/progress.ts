/** A minimal progress bar on stderr (redraws in place on a TTY, prints sparse lines otherwise). */

export interface ProgressOptions {
  label: string;
  total: number;
  /** Formats a count for display (e.g. as bytes). */
  unit?: 'files' | 'bytes';
  stream?: NodeJS.WriteStream;
  quiet?: boolean;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export class ProgressBar {
  private done = 0;
  private extra = 0;
  private lastDraw = 0;
  private lastPct = -1;
  private readonly start = Date.now();
  private readonly stream: NodeJS.WriteStream;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
  }

  /** Advances by `n` units; `bytes` is an optional secondary counter shown alongside file counts. */
  tick(n = 1, bytes = 0): void {
    this.done += n;
    this.extra += bytes;
    this.draw(false);
  }

  /** Adds to the secondary byte counter only (e.g. while a file streams). */
  addBytes(bytes: number): void {
    this.extra += bytes;
    this.draw(false);
  }

  finish(): void {
    this.draw(true);
    if (!this.opts.quiet && this.stream.isTTY) this.stream.write('\n');
  }

  private fmt(n: number): string {
    return this.opts.unit === 'bytes' ? formatBytes(n) : String(n);
  }

  private draw(force: boolean): void {
    if (this.opts.quiet) return;
    const now = Date.now();
    const total = Math.max(this.opts.total, 1);
    const frac = Math.min(this.done / total, 1);
    const pct = Math.floor(frac * 100);
    const secs = (now - this.start) / 1000;
    const rate = this.extra > 0 && secs > 0 ? ` ${formatBytes(this.extra / secs)}/s` : '';
    const text = `${this.opts.label} ${this.fmt(this.done)}/${this.fmt(this.opts.total)} (${pct}%)${this.extra ? ` ${formatBytes(this.extra)}` : ''}${rate}`;
    if (this.stream.isTTY) {
      if (!force && now - this.lastDraw < 100) return;
      const width = 24;
      const filled = Math.round(frac * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\x1b[K`);
    } else {
      // Not a terminal: one line per 10%.
      if (!force && pct - this.lastPct < 10) return;
      if (force && pct === this.lastPct) return;
      this.lastPct = pct;
      this.stream.write(`${text}\n`);
    }
    this.lastDraw = now;
  }
}
