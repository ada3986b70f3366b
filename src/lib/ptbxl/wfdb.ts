/**
 * WFDB header (.hea) and format-16 signal (.dat) parsing. Pure: no Node imports, runs in the browser too.
 * Reference: https://physionet.org/physiotools/wag/header-5.htm and signal-5.htm.
 */
import { PtbxlError } from './errors';
import type { EcgSignals } from './types';

/** One signal line of a WFDB header. */
export interface WfdbSignalSpec {
  /** Data file the signal lives in, e.g. `00001_lr.dat`. */
  fileName: string;
  /** Storage format; only 16 is decodable here. */
  format: number;
  /** ADC units per physical unit (1000 per mV for PTB-XL). */
  gain: number;
  /** ADC value that corresponds to 0 physical units. */
  baseline: number;
  /** Physical units, e.g. `mV`. */
  units: string;
  /** ADC resolution in bits. */
  adcResolution: number;
  /** ADC value at 0 V input. */
  adcZero: number;
  /** First sample's ADC value, checked against the data. */
  initialValue: number;
  /** 16-bit sum of all samples (mod 65536), checked against the data. */
  checksum: number;
  blockSize: number;
  /** Lead name, e.g. `I` or `AVR`. */
  description: string;
}

/** A parsed WFDB header (single-segment records only). */
export interface WfdbHeader {
  recordName: string;
  numSignals: number;
  samplingFrequency: number;
  numSamples: number;
  signals: WfdbSignalSpec[];
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

function num(token: string | undefined, what: string, fileName: string, line: number, integer = false): number {
  if (token === undefined || !(integer ? INTEGER : NUMBER).test(token)) {
    throw new PtbxlError(
      fileName,
      `malformed header line: ${what} is ${token === undefined ? 'missing' : `"${token}"`}`,
      line,
    );
  }
  return Number(token);
}

/** Parses the text of a WFDB `.hea` file. Throws `PtbxlError` for anything malformed or unsupported. */
export function parseHeader(text: string, fileName: string): WfdbHeader {
  const lines: Array<{ text: string; line: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const t = raw.trim();
    if (t !== '' && !t.startsWith('#')) lines.push({ text: t, line: i + 1 });
  });
  const first = lines[0];
  if (!first) throw new PtbxlError(fileName, 'empty header (no record line)');

  // Record line: name[/segments] nsig [fs[/counterfreq[(base)]] [nsamples [base_time [base_date]]]]
  const rec = first.text.split(/\s+/);
  const recordName = rec[0] ?? '';
  if (recordName.includes('/')) throw new PtbxlError(fileName, 'multi-segment records are not supported', first.line);
  const numSignals = num(rec[1], 'number of signals', fileName, first.line, true);
  const fsToken = (rec[2] ?? '250').split('/')[0];
  const samplingFrequency = num(fsToken, 'sampling frequency', fileName, first.line);
  if (rec[3] === undefined)
    throw new PtbxlError(fileName, 'malformed header line: number of samples is missing', first.line);
  const numSamples = num(rec[3], 'number of samples', fileName, first.line, true);
  if (numSignals < 1) throw new PtbxlError(fileName, `record has ${numSignals} signals`, first.line);
  if (!(samplingFrequency > 0))
    throw new PtbxlError(fileName, `sampling frequency ${samplingFrequency} is not positive`, first.line);
  if (numSamples < 1) throw new PtbxlError(fileName, `record has ${numSamples} samples`, first.line);

  const signalLines = lines.slice(1);
  if (signalLines.length !== numSignals) {
    throw new PtbxlError(
      fileName,
      `record line announces ${numSignals} signals but ${signalLines.length} signal lines follow`,
    );
  }
  const signals = signalLines.map(({ text: t, line }): WfdbSignalSpec => {
    const f = t.split(/\s+/);
    if (f.length < 9)
      throw new PtbxlError(fileName, `malformed header line: expected at least 9 fields, got ${f.length}`, line);
    const formatMatch = /^(\d+)(x\d+)?(:\d+)?(\+\d+)?$/.exec(f[1] ?? '');
    if (!formatMatch) throw new PtbxlError(fileName, `malformed header line: format "${f[1]}"`, line);
    const format = Number(formatMatch[1]);
    if (formatMatch[2] || formatMatch[3] || formatMatch[4]) {
      throw new PtbxlError(fileName, `unsupported format "${f[1]}" (only plain format 16 is supported)`, line);
    }
    // gain[(baseline)][/units]
    const gainMatch = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(?:\(([+-]?\d+)\))?(?:\/(\S+))?$/.exec(
      f[2] ?? '',
    );
    if (!gainMatch) throw new PtbxlError(fileName, `malformed header line: gain "${f[2]}"`, line);
    const adcZero = num(f[4], 'ADC zero', fileName, line, true);
    let gain = Number(gainMatch[1]);
    if (gain === 0) gain = 200; // WFDB: a gain of 0 means "uncalibrated", default 200
    const baseline = gainMatch[2] !== undefined ? Number(gainMatch[2]) : adcZero;
    return {
      fileName: f[0] ?? '',
      format,
      gain,
      baseline,
      units: gainMatch[3] ?? 'mV',
      adcResolution: num(f[3], 'ADC resolution', fileName, line, true),
      adcZero,
      initialValue: num(f[5], 'initial value', fileName, line, true),
      checksum: num(f[6], 'checksum', fileName, line, true),
      blockSize: num(f[7], 'block size', fileName, line, true),
      description: f.slice(8).join(' '),
    };
  });
  for (const [i, s] of signals.entries()) {
    const line = signalLines[i]?.line;
    if (s.format !== 16)
      throw new PtbxlError(fileName, `unsupported format ${s.format} (only format 16 is supported)`, line);
    if (s.fileName !== signals[0]?.fileName) {
      throw new PtbxlError(
        fileName,
        `signals stored in several files (${signals[0]?.fileName}, ${s.fileName}) are not supported`,
        line,
      );
    }
  }
  return { recordName, numSignals, samplingFrequency, numSamples, signals };
}

/** Maps header lead names (`AVR`) to the conventional spelling (`aVR`). */
export function normaliseLeadName(description: string): string {
  const upper = description.toUpperCase();
  return upper === 'AVR' || upper === 'AVL' || upper === 'AVF' ? `a${upper.slice(1)}` : description;
}

/**
 * Decodes a format-16 `.dat` file (little-endian int16, samples interleaved by signal) into one Float32Array per
 * lead in physical units ((adc - baseline) / gain). Checks length, initial values and checksums against the header.
 */
export function parseDat(bytes: Uint8Array, header: WfdbHeader, fileName: string): EcgSignals {
  const nsig = header.numSignals;
  const n = header.numSamples;
  const expected = nsig * n * 2;
  if (bytes.byteLength < expected) {
    throw new PtbxlError(
      fileName,
      `truncated: ${bytes.byteLength} bytes, header announces ${n} samples x ${nsig} signals = ${expected} bytes`,
    );
  }
  if (bytes.byteLength > expected) {
    throw new PtbxlError(
      fileName,
      `length mismatch: ${bytes.byteLength} bytes, header announces ${n} samples x ${nsig} signals = ${expected} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const leads: Float32Array[] = [];
  for (let l = 0; l < nsig; l++) {
    const spec = header.signals[l];
    if (!spec) throw new PtbxlError(fileName, `header has no signal line ${l + 1}`);
    if (spec.format !== 16)
      throw new PtbxlError(fileName, `unsupported format ${spec.format} (only format 16 is supported)`);
    const out = new Float32Array(n);
    let sum = 0;
    const stride = nsig * 2;
    for (let t = 0, o = l * 2; t < n; t++, o += stride) {
      const v = view.getInt16(o, true);
      sum += v;
      out[t] = (v - spec.baseline) / spec.gain;
    }
    const first = view.getInt16(l * 2, true);
    if (first !== spec.initialValue) {
      throw new PtbxlError(
        fileName,
        `initial value mismatch in signal ${l + 1} (${spec.description}): data ${first}, header ${spec.initialValue}`,
      );
    }
    const checksum = ((sum % 65536) + 65536) % 65536;
    const want = ((spec.checksum % 65536) + 65536) % 65536;
    if (checksum !== want) {
      throw new PtbxlError(
        fileName,
        `checksum mismatch in signal ${l + 1} (${spec.description}): data ${checksum}, header ${spec.checksum}`,
      );
    }
    leads.push(out);
  }
  return {
    samplingRate: header.samplingFrequency,
    leadNames: header.signals.map((s) => normaliseLeadName(s.description)),
    leads,
  };
}
