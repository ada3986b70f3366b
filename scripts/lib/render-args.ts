/** Argument helpers shared by the render / export-images / bench-render scripts. */
import { RenderError } from '../../src/lib/render/errors';
import { expandRanges } from '../../src/lib/ranges';
import { FILTER_NAMES, type FilterName } from '../../src/lib/signal/filters';

/** Parses a number argument, with a message naming the flag. */
export function parseNumberArg(
  flag: string,
  text: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number {
  const v = Number(text);
  const bad =
    text.trim() === '' ||
    !Number.isFinite(v) ||
    (opts.integer && !Number.isInteger(v)) ||
    (opts.min !== undefined && v < opts.min) ||
    (opts.max !== undefined && v > opts.max);
  if (bad) {
    const range = [
      opts.integer ? 'an integer' : 'a number',
      opts.min !== undefined ? `>= ${opts.min === Number.MIN_VALUE ? '> 0' : opts.min}` : '',
      opts.max !== undefined ? `<= ${opts.max}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    throw new RenderError('bad-option', `${flag} must be ${range} (got '${text}')`);
  }
  return v;
}

/** 'baseline,lowpass' -> ['baseline', 'lowpass']; 'none' or '' -> []. */
export function parseFilterList(text: string): FilterName[] {
  if (text === 'none' || text.trim() === '') return [];
  return text.split(',').map((s) => {
    const f = s.trim() as FilterName;
    if (!FILTER_NAMES.includes(f))
      throw new RenderError('bad-option', `unknown filter '${f}' (known: ${FILTER_NAMES.join(', ')}, or none)`);
    return f;
  });
}

/** '1-8' or '1,3,5-7' -> sorted unique integers (lib/ranges.ts), with RenderError messages naming the flag. */
export function parseRangeList(flag: string, text: string, min = 1, max = Number.MAX_SAFE_INTEGER): number[] {
  return expandRanges(
    text,
    (part, problem) => {
      if (problem === 'syntax')
        throw new RenderError('bad-option', `${flag}: '${part}' is not a number or a range like 1-8`);
      if (problem === 'too-long') throw new RenderError('bad-option', `${flag}: range '${part}' is too long`);
      throw new RenderError('bad-option', `${flag}: range '${part}' is outside ${min}..${max} or reversed`);
    },
    min,
    max,
  );
}

/** '256x256' -> { height: 256, width: 256 } (H x W). */
export function parseSize(flag: string, text: string): { height: number; width: number } {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new RenderError('bad-option', `${flag} must look like 256x256 (height x width), got '${text}'`);
  const height = Number(m[1]);
  const width = Number(m[2]);
  if (height < 8 || width < 8 || height * width > 4_000_000)
    throw new RenderError('bad-size', `${flag} ${text} is out of range (8..2000 a side)`);
  return { height, width };
}
