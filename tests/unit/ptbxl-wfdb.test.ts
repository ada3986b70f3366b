import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PtbxlError } from '../../src/lib/ptbxl/errors';
import { readHeader, readRecord, recordFiles, requirePtbxlDir } from '../../src/lib/ptbxl/node';
import { LEAD_NAMES } from '../../src/lib/ptbxl/types';
import { parseDat, parseHeader } from '../../src/lib/ptbxl/wfdb';

// Fails (not skips) with "run `npm run setup`" when PTB-XL is not restored.
const DIR = requirePtbxlDir();
const FIXTURES = path.resolve(__dirname, '../fixtures/ptbxl');

function load(id: number) {
  const files = recordFiles(DIR, id);
  const hea = readFileSync(files.hea, 'latin1');
  const dat = new Uint8Array(readFileSync(files.dat));
  return { ...files, heaText: hea, datBytes: dat };
}

function errorOf(fn: () => unknown): PtbxlError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PtbxlError);
    return err as PtbxlError;
  }
  throw new Error('expected a PtbxlError');
}

describe('parseHeader on real PTB-XL headers', () => {
  it('reads record 1 (record line and every signal line)', () => {
    const { heaText, hea } = load(1);
    const h = parseHeader(heaText, hea);
    expect(h.recordName).toBe('00001_lr');
    expect(h.numSignals).toBe(12);
    expect(h.samplingFrequency).toBe(100);
    expect(h.numSamples).toBe(1000);
    expect(h.signals.map((s) => s.description)).toEqual([
      'I',
      'II',
      'III',
      'AVR',
      'AVL',
      'AVF',
      'V1',
      'V2',
      'V3',
      'V4',
      'V5',
      'V6',
    ]);
    const first = h.signals[0]!;
    expect(first).toEqual({
      fileName: '00001_lr.dat',
      format: 16,
      gain: 1000,
      baseline: 0,
      units: 'mV',
      adcResolution: 16,
      adcZero: 0,
      initialValue: -119,
      checksum: 1508,
      blockSize: 0,
      description: 'I',
    });
    expect(h.signals.map((s) => s.initialValue)).toEqual([-119, -55, 64, 86, -91, 4, -69, -31, 0, -26, -39, -79]);
  });

  it('reads the last record (21837) via readHeader', async () => {
    const h = await readHeader(DIR, 21837);
    expect(h.recordName).toBe('21837_lr');
    expect(h.signals).toHaveLength(12);
  });
});

describe('parseDat on real PTB-XL records', () => {
  it('decodes record 1 into 12 x 1000 mV samples matching the header', () => {
    const { heaText, hea, datBytes, dat } = load(1);
    const h = parseHeader(heaText, hea);
    const s = parseDat(datBytes, h, dat);
    expect(s.samplingRate).toBe(100);
    expect(s.leadNames).toEqual([...LEAD_NAMES]);
    expect(s.leads).toHaveLength(12);
    for (const [l, lead] of s.leads.entries()) {
      expect(lead).toBeInstanceOf(Float32Array);
      expect(lead.length).toBe(1000);
      // initial values: ADC / 1000 per mV
      expect(lead[0]).toBeCloseTo(h.signals[l]!.initialValue / 1000, 6);
    }
    expect(s.leads[0]![0]).toBeCloseTo(-0.119, 6);
    // Einthoven: III = II - I and aVF = (II + III) / 2 hold to ADC rounding (1 uV steps)
    const [I, II, III] = s.leads as [Float32Array, Float32Array, Float32Array];
    let worst = 0;
    for (let t = 0; t < 1000; t++) worst = Math.max(worst, Math.abs(III[t]! - (II[t]! - I[t]!)));
    expect(worst).toBeLessThan(0.01);
    // plausible EKG amplitudes
    for (const lead of s.leads) for (const v of lead) expect(Math.abs(v)).toBeLessThan(20);
  });

  it('reads several records with readRecord, including one without labels (2506)', async () => {
    for (const id of [2, 3, 2506, 21837]) {
      const s = await readRecord(DIR, id);
      expect(s.leads.map((l) => l.length)).toEqual(Array(12).fill(1000));
    }
  });

  it('explains a missing record', async () => {
    await expect(readRecord(DIR, 99999)).rejects.toThrow(/99999_lr\.hea: missing; run `npm run setup`/);
  });
});

describe('malformed WFDB input', () => {
  const { heaText, hea, datBytes, dat } = load(1);
  const header = parseHeader(heaText, hea);

  it('rejects a truncated .dat', () => {
    const e = errorOf(() => parseDat(datBytes.subarray(0, datBytes.length - 10), header, dat));
    expect(e.message).toBe(`${dat}: truncated: 23990 bytes, header announces 1000 samples x 12 signals = 24000 bytes`);
  });

  it('rejects a .dat longer than the header says', () => {
    const longer = new Uint8Array(datBytes.length + 24);
    longer.set(datBytes);
    expect(errorOf(() => parseDat(longer, header, dat)).message).toMatch(/00001_lr\.dat: length mismatch: 24024 bytes/);
  });

  it('rejects a checksum mismatch (one sample changed)', () => {
    const bytes = datBytes.slice();
    bytes[2 * 12 * 500 + 2 * 3] = (bytes[2 * 12 * 500 + 2 * 3]! + 1) & 0xff; // lead 4 (AVR), sample 500
    expect(errorOf(() => parseDat(bytes, header, dat)).message).toMatch(
      /00001_lr\.dat: checksum mismatch in signal 4 \(AVR\)/,
    );
  });

  it('rejects an initial value mismatch', () => {
    const text = heaText.replace('16 0 -55 723 0 II', '16 0 -56 723 0 II');
    const e = errorOf(() => parseDat(datBytes, parseHeader(text, hea), dat));
    expect(e.message).toBe(`${dat}: initial value mismatch in signal 2 (II): data -55, header -56`);
  });

  it('rejects a header whose sample count disagrees with the data', () => {
    const text = heaText.replace('00001_lr 12 100 1000', '00001_lr 12 100 999');
    expect(errorOf(() => parseDat(datBytes, parseHeader(text, hea), dat)).message).toMatch(
      /length mismatch: 24000 bytes, header announces 999 samples/,
    );
  });

  it('rejects format 212 (fixture)', () => {
    const file = path.join(FIXTURES, 'format-212.hea');
    const e = errorOf(() => parseHeader(readFileSync(file, 'latin1'), file));
    expect(e.message).toBe(`${file}: line 2: unsupported format 212 (only format 16 is supported)`);
  });

  it('rejects a header with fewer signal lines than announced (fixture)', () => {
    const file = path.join(FIXTURES, 'signal-lines-missing.hea');
    expect(errorOf(() => parseHeader(readFileSync(file, 'latin1'), file)).message).toBe(
      `${file}: record line announces 2 signals but 1 signal lines follow`,
    );
  });

  it('rejects malformed header lines with their line numbers', () => {
    expect(errorOf(() => parseHeader(heaText.replace('1000.0(0)/mV 16 0 -91', 'x(0)/mV 16 0 -91'), hea)).message).toBe(
      `${hea}: line 6: malformed header line: gain "x(0)/mV"`,
    );
    expect(errorOf(() => parseHeader(heaText.replace('16 0 4 7 0 AVF', '16 0 4'), hea)).message).toBe(
      `${hea}: line 7: malformed header line: expected at least 9 fields, got 6`,
    );
    expect(errorOf(() => parseHeader(heaText.replace('-69 63827', '-69 6e3'), hea)).message).toBe(
      `${hea}: line 8: malformed header line: checksum is "6e3"`,
    );
    expect(
      errorOf(() => parseHeader(heaText.replace('00001_lr 12 100 1000', '00001_lr twelve 100 1000'), hea)).message,
    ).toBe(`${hea}: line 1: malformed header line: number of signals is "twelve"`);
    expect(errorOf(() => parseHeader('', hea)).message).toBe(`${hea}: empty header (no record line)`);
  });

  it('accepts comments, CRLF and a baseline other than 0', () => {
    const text = `# comment\r\n${heaText.replace(/\n/g, '\r\n').replace('00001_lr.dat 16 1000.0(0)/mV', '00001_lr.dat 16 200(-119)/mV')}`;
    const s = parseDat(datBytes, parseHeader(text, hea), dat);
    expect(s.leads[0]![0]).toBe(0); // (-119 - -119) / 200
  });
});

describe('browser safety', () => {
  it('keeps every module but node.ts free of Node imports', () => {
    const libDir = path.resolve(__dirname, '../../src/lib/ptbxl');
    for (const f of ['types.ts', 'errors.ts', 'wfdb.ts', 'csv.ts', 'scp.ts', 'database.ts', 'samples.ts', 'index.ts']) {
      const src = readFileSync(path.join(libDir, f), 'utf8');
      expect(src, f).not.toMatch(/from ['"](node:|fs|path|os|crypto|child_process)/);
      expect(src, f).not.toMatch(/from ['"]\.\/node['"]/);
      expect(src, f).not.toMatch(/\bprocess\.|\bBuffer\b/);
    }
  });
});
