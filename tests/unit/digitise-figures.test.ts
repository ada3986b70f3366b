/**
 * The digitiser's figures as the report and the demo read them (src/lib/charts/digitise.ts): eval:digitise files
 * parsed and checked, a set resolved to its file (whole set first, else the largest subset), a missing one named
 * with its command, the two readings compared from the same rows the chart draws.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  db,
  DigitiseDataError,
  digitiseEvalFile,
  digitiseSets,
  formatDigitise,
  formatReading,
  loadDigitiseEval,
  agreementView,
  loadAgreementReference,
  loadChartSets,
  loadCombinedEvals,
  loadReadings,
  parseDigitiseEval,
  readingRows,
  parseCombinedEval,
  readingsView,
  snrView,
  unreadFromInput,
  type DigitiseEval,
  type DigitiseField,
} from '../../src/lib/charts/digitise';
import type { ExternalEval } from '../../src/lib/charts/external';
import type { EvalResult } from '../../src/lib/charts/types';

const doc = (over: Record<string, unknown> = {}) => ({
  what: 'our printout renders',
  signal_model: 'signal-3x4r',
  n: 10,
  failed: 2,
  snr_median_db: -2.04,
  snr_by_lead_db: { I: 17.9, II: null, V2: 19.88 },
  mi: { n: 8, auroc: 0.8939, auroc_ci: [0.81, 0.95], sensitivity: 0.9524, specificity: 0.7342, threshold: 0.149 },
  git_commit: 'abc',
  ...over,
});

function folder(files: Record<string, unknown>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dig-'));
  mkdirSync(path.join(root, 'data/eval/digitise'), { recursive: true });
  for (const [f, j] of Object.entries(files))
    writeFileSync(path.join(root, 'data/eval/digitise', f), JSON.stringify(j));
  return root;
}

describe('eval:digitise files', () => {
  it('the committed files parse', () => {
    for (const set of ['printout', 'kit-fold9']) {
      const e = loadDigitiseEval(set);
      expect(e.n).toBeGreaterThan(0);
      expect(e.failed).toBeLessThanOrEqual(e.n);
      expect(Number.isFinite(e.snrMedianDb)).toBe(true);
      expect(e.file.startsWith('data/eval/digitise/')).toBe(true);
    }
  });

  it('checks the fields and says which is wrong', () => {
    expect(() => parseDigitiseEval(doc({ n: 0 }), 'x.json', 'x', null)).toThrow(/x.json: "n"/);
    expect(() => parseDigitiseEval(doc({ failed: 11 }), 'x.json', 'x', null)).toThrow(/"failed"/);
    expect(() => parseDigitiseEval(doc({ mi: { n: 1 } }), 'x.json', 'x', null)).toThrow(/mi\./);
    const e = parseDigitiseEval(doc(), 'x.json', 'printout', 10);
    expect(e.snrByLeadDb).toEqual({ I: 17.9, V2: 19.88 }); // a lead without a median (null) is left out
  });

  it('the real EKGs read beside the kit pages: counts quoted, inconsistent ones refused, absent ones named', () => {
    const real = { what: 'real', n: 24, read: 18, called_mi: 16, files: [] };
    const e = parseDigitiseEval(doc({ real_ekg: real }), 'k.json', 'kit-fold9', null);
    expect(['real_n', 'real_read', 'real_called_mi'].map((f) => formatDigitise(e, f as DigitiseField))).toEqual([
      '24',
      '18',
      '16',
    ]);
    expect(() => parseDigitiseEval(doc({ real_ekg: { ...real, called_mi: 19 } }), 'k.json', 'kit-fold9', null)).toThrow(
      /"real_ekg"/,
    );
    const without = parseDigitiseEval(doc(), 'x.json', 'printout', null);
    expect(() => formatDigitise(without, 'real_read')).toThrow(
      /no real EKGs read \(run npm run eval:digitise -- --external\)/,
    );
  });

  it("a chart's sets: printouts, the optional styles measured, the kit's pages; a required one missing throws", () => {
    const root = folder({ 'printout-n100.json': doc(), 'wild-photo-n50.json': doc(), 'kit-fold9.json': doc() });
    expect(loadChartSets(['wild-printout', 'wild-photo'], root).map((e) => e.set)).toEqual([
      'printout',
      'wild-photo',
      'kit-fold9',
    ]);
    expect(() => loadChartSets([], folder({ 'printout.json': doc() }))).toThrow(/eval:digitise -- --external/);
  });

  it('a set is its whole file, else its largest subset; a missing one names the command that makes it', () => {
    const root = folder({ 'printout-n50.json': doc(), 'printout-n200.json': doc(), 'kit-fold9.json': doc() });
    expect(digitiseEvalFile('printout', root)).toEqual({ file: 'data/eval/digitise/printout-n200.json', limit: 200 });
    expect(digitiseEvalFile('kit-fold9', root)?.limit).toBeNull();
    expect(digitiseSets(root)).toEqual(['kit-fold9', 'printout']);
    writeFileSync(path.join(root, 'data/eval/digitise/printout.json'), JSON.stringify(doc()));
    expect(digitiseEvalFile('printout', root)?.file).toBe('data/eval/digitise/printout.json');
    expect(() => loadDigitiseEval('wild-photo', root)).toThrow(DigitiseDataError);
    expect(() => loadDigitiseEval('wild-photo', root)).toThrow(/npm run eval:digitise -- --style wild-photo/);
    expect(() => loadDigitiseEval('kit-fold9', folder({}))).toThrow(/npm run eval:digitise -- --external/);
  });

  it('the sheets read, as read and aligned in time: quoted when written, named when missing or malformed', () => {
    const e = parseDigitiseEval(
      doc({ snr_read_median_db: -3.26, snr_aligned_median_db: 4.04 }),
      'x.json',
      'wild-photo',
      50,
    );
    expect(formatDigitise(e, 'snr_read')).toBe('\u22123.3');
    expect(formatDigitise(e, 'snr_aligned')).toBe('4.0');
    // an older file, or a set none of whose sheets was read (the median of nothing is written as null)
    for (const old of [doc(), doc({ snr_aligned_median_db: null })]) {
      const o = parseDigitiseEval(old, 'o.json', 'wild-photo', 50);
      expect(() => formatDigitise(o, 'snr_aligned')).toThrow(
        /o.json: no snr_aligned .*eval:digitise -- --style wild-photo/,
      );
    }
    expect(() => parseDigitiseEval(doc({ snr_read_median_db: 'x' }), 'x.json', 'x', null)).toThrow(
      /"snr_read_median_db" must be a number or null/,
    );
  });

  it("the limb-lead agreement: quoted with its correlation and the real EKGs' median, refused when malformed", () => {
    const agreement = { n: 8, median_db: 11.44, spearman_with_page_snr: 0.734, note: '' };
    const real = { what: 'real', n: 24, read: 24, called_mi: 20, agreement_median_db: -2.7, files: [] };
    const e = parseDigitiseEval(doc({ agreement, real_ekg: real }), 'k.json', 'kit-fold9', null);
    expect(formatDigitise(e, 'agreement')).toBe('11.4');
    expect(formatDigitise(e, 'agreement_spearman')).toBe('0.73');
    expect(formatDigitise(e, 'real_agreement')).toBe('\u22122.7');
    // a file written before the agreement: named with its command, not quoted as zero
    const old = parseDigitiseEval(doc(), 'o.json', 'printout', 100);
    expect(old.agreement).toBeNull();
    expect(() => formatDigitise(old, 'agreement')).toThrow(/o.json: no limb-lead agreement .*--style printout/);
    expect(() => formatDigitise(old, 'real_agreement')).toThrow(/no agreement on the real EKGs/);
    expect(() =>
      parseDigitiseEval(doc({ agreement: { ...agreement, spearman_with_page_snr: 1.5 } }), 'x.json', 'x', null),
    ).toThrow(/"agreement"/);
    expect(() => parseDigitiseEval(doc({ agreement: { ...agreement, n: -1 } }), 'x.json', 'x', null)).toThrow(
      /"agreement"/,
    );
  });

  it("the demo's reference medians: printouts, kit pages and real EKGs; none without the files", () => {
    const agreement = (m: number) => ({ n: 5, median_db: m, spearman_with_page_snr: 0.5, note: '' });
    const root = folder({
      'printout-n100.json': doc({ agreement: agreement(17.25) }),
      'kit-fold9.json': doc({
        agreement: agreement(2.1),
        real_ekg: { n: 3, read: 3, called_mi: 1, agreement_median_db: -2.7 },
      }),
    });
    expect(loadAgreementReference(root)).toEqual({
      printoutDb: 17.25,
      kitDb: 2.1,
      realDb: -2.7,
      files: ['data/eval/digitise/printout-n100.json', 'data/eval/digitise/kit-fold9.json'],
    });
    expect(loadAgreementReference(folder({ 'printout-n100.json': doc() }))).toBeNull();
  });

  it('the self-check chart: a dot per page read (agreement, median SNR), a tick per real EKG, a row per set', () => {
    const rec = (id: string, agreement: number | null, snr: number[], error?: string) => ({
      id,
      label: 0,
      snr: Object.fromEntries(snr.map((v, i) => [`L${i}`, v])),
      p: null,
      agreement,
      ...(error ? { error } : {}),
    });
    const printout = parseDigitiseEval(
      doc({
        agreement: { n: 2, median_db: 15, spearman_with_page_snr: 0.8, note: '' },
        // an unread page and a page without an agreement are not drawn
        records: [rec('1', 12, [20, 10, 30]), rec('2', 18, [22, 24]), rec('3', null, [5]), rec('4', null, [0], 'x')],
      }),
      'p.json',
      'printout',
      100,
    );
    expect(printout.pages).toEqual([
      { agreementDb: 12, snrDb: 20 },
      { agreementDb: 18, snrDb: 23 },
    ]);
    const real = {
      what: 'real',
      n: 3,
      read: 3,
      called_mi: 1,
      agreement_median_db: -2,
      files: [{ agreement: -2 }, { agreement: 6 }, { agreement: null }, {}],
    };
    const kit = parseDigitiseEval(
      doc({
        agreement: { n: 1, median_db: 2, spearman_with_page_snr: null, note: '' },
        records: [rec('k', 2, [6])],
        real_ekg: real,
      }),
      'k.json',
      'kit-fold9',
      null,
    );
    expect(kit.realEkg?.agreementsDb).toEqual([-2, 6]);
    const v = agreementView([printout, kit]);
    expect(v.marks).toBe(3 + 2);
    expect(v.legend.map((l) => l.label)).toEqual([
      'our fold-10 printout renders (10)',
      "ECG-Image-Kit's pages of fold 9 (10)",
      'real EKG photos and scans (2; no truth, so no SNR)',
    ]);
    expect(v.table.rows.map((r) => [r.n, r.median, r.rho])).toEqual([
      ['2', '15.0', '0.80'],
      ['1', '2.0', '–'],
      ['2', '\u22122.0', '–'],
    ]);
    expect(v.svg).toContain('<svg');
  });

  it('formats each field; decibels carry a real minus sign', () => {
    const e = parseDigitiseEval(doc(), 'x.json', 'printout', 10);
    expect(formatDigitise(e, 'snr')).toBe('\u22122.0');
    expect(formatDigitise(e, 'snr_lead', { lead: 'V2' })).toBe('19.9');
    expect(() => formatDigitise(e, 'snr_lead', { lead: 'II' })).toThrow(/no SNR for lead II/);
    expect(formatDigitise(e, 'records')).toBe('a seeded 10');
    expect(formatDigitise({ ...e, limit: null }, 'records')).toBe('all 10');
    expect(formatDigitise(e, 'failed_rate')).toBe('20%');
    expect(formatDigitise(e, 'read_rate')).toBe('80%');
    expect(formatDigitise(e, 'auroc')).toBe('0.894');
    expect(formatDigitise(e, 'auroc_ci')).toBe('0.810–0.950');
    expect(formatDigitise(e, 'sensitivity')).toBe('95.2%');
    expect(formatDigitise(e, 'scored')).toBe('8');
    expect(db(-0.04)).toBe('0.0');
    expect(db(12.345, 2)).toBe('12.35');
  });
});

const ev = (model: string, style: string, auroc: number, file = `data/eval/${model}.${style}.json`): EvalResult =>
  ({
    model,
    style,
    fold: 10,
    n: 100,
    auroc,
    auroc_ci: [auroc - 0.05, auroc + 0.05],
    sensitivity: 0.8,
    specificity: 0.7,
    file,
  }) as EvalResult;

describe('two readings compared', () => {
  const external = {
    file: 'data/eval/external/img.json',
    model: 'img',
    kit: { n: 200, auroc: 0.7, auroc_ci: [0.6, 0.8], sensitivity: 0.5, specificity: 0.8, refused_rate: 0.1 },
  } as unknown as ExternalEval;
  const printout = parseDigitiseEval(doc(), 'data/eval/digitise/printout-n10.json', 'printout', 10);
  const kit = parseDigitiseEval(doc({ n: 200, failed: 30 }), 'data/eval/digitise/kit-fold9.json', 'kit-fold9', null);
  const input = (pipeline: Array<{ eval: EvalResult; unread: number | null }> = []) => ({
    image: { model: 'img', evals: [ev('img', 'printout', 0.87)], external },
    signal: { model: 'sig', trueSignals: ev('sig', 'signals-3x4r', 0.92), pipeline, digitised: [printout, kit] },
  });

  it('rows: the image model, the true signals, the pipeline on our renders and on ECG-Image-Kit', () => {
    const rows = readingRows(input());
    expect(rows.map((r) => `${r.reader} | ${r.set}`)).toEqual([
      'img | ours · printout',
      'img | ECG-Image-Kit',
      'sig | true signals',
      'digitiser + sig | ours · printout',
      'digitiser + sig | ECG-Image-Kit',
    ]);
    const k = rows.at(-1)!;
    expect(k.unread).toBeCloseTo(0.15);
    expect(k.scored).toBe(8);
    expect(formatReading(rows, { reader: 'signal', set: 'kit-fold9', field: 'unread' }).text).toBe('15%');
    expect(formatReading(rows, { reader: 'image', set: 'kit-fold9', field: 'unread' }).text).toBe('10%');
    expect(formatReading(rows, { reader: 'true-signals', field: 'auroc' }).text).toBe('0.920');
    expect(formatReading(rows, { reader: 'image', set: 'printout', field: 'auroc_ci' }).text).toBe('0.820–0.920');
    expect(() => formatReading(rows, { reader: 'image', set: 'wild-photo', field: 'auroc' })).toThrow(
      /no image reading/,
    );
  });

  it("the standard pipeline evaluation of a style replaces eval:digitise's", () => {
    const rows = readingRows(input([{ eval: ev('digitise-sig', 'printout', 0.88), unread: 5 }]));
    const ours = rows.filter((r) => r.reader === 'digitiser + sig' && r.source === 'ours');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.auroc).toBe(0.88);
    expect(ours[0]!.unread).toBeCloseTo(0.05);
    expect(unreadFromInput('pictures read back by the digitiser (12 of 200 unreadable, scored as empty)')).toBe(12);
    expect(unreadFromInput(undefined)).toBeNull();
  });

  it("the combined reading: AUROC, its gain and the verdict's rates; an incomplete file is refused", () => {
    const file = 'data/eval/combined/img+digitise-sig.kit-fold9.json';
    const json = {
      set: 'kit-fold9',
      n: 200,
      signal_unread: 5,
      image: { model: 'img' },
      signal: { model: 'digitise-sig' },
      verdict: { margin_threshold: 0.4 },
      combined: {
        auroc: 0.83,
        auroc_ci: [0.77, 0.88],
        sensitivity: 0.85,
        specificity: 0.74,
        gain_over_image: 0.033,
        gain_over_image_ci: [-0.02, 0.087],
      },
    };
    const rows = readingRows({ ...input(), combined: [parseCombinedEval(json, file)] });
    const c = rows.at(-1)!;
    expect(`${c.reader} | ${c.set}`).toBe('both readings combined | ECG-Image-Kit');
    expect(formatReading(rows, { reader: 'combined', set: 'kit-fold9', field: 'auroc' }).text).toBe('0.830');
    expect(formatReading(rows, { reader: 'combined', set: 'kit-fold9', field: 'gain' }).text).toBe('+0.033');
    expect(formatReading(rows, { reader: 'combined', set: 'kit-fold9', field: 'gain_ci' }).text).toBe(
      '−0.020 to +0.087',
    );
    expect(formatReading(rows, { reader: 'combined', set: 'kit-fold9', field: 'sensitivity' }).text).toBe('85.0%');
    expect(formatReading(rows, { reader: 'combined', set: 'kit-fold9', field: 'specificity' }).text).toBe('74.0%');
    expect(() => formatReading(rows, { reader: 'image', set: 'kit-fold9', field: 'gain' })).toThrow(
      /only the combined reading/,
    );
    expect(readingsView(rows).table.rows.at(-1)!.sensitivity).toBe('85.0%');
    expect(() => parseCombinedEval({ ...json, combined: { auroc: 0.8 } }, file)).toThrow(/not an eval:combined file/);
    const { sensitivity: _s, ...noRates } = json.combined;
    expect(() => parseCombinedEval({ ...json, combined: noRates }, file)).toThrow(/not an eval:combined file/);
    expect(() => parseCombinedEval({ ...json, verdict: undefined }, file)).toThrow(/verdict threshold/);

    // loaded from disk: only beside the verdict file, and only when scored at the threshold it holds now
    const root = mkdtempSync(path.join(os.tmpdir(), 'combined-'));
    mkdirSync(path.join(root, 'data/eval/combined'), { recursive: true });
    writeFileSync(path.join(root, file), JSON.stringify(json));
    expect(() => loadCombinedEvals('img', 'sig', root)).toThrow(/verdict\.json is missing/);
    const verdictFile = path.join(root, 'data/eval/combined/img+digitise-sig.verdict.json');
    const verdict = { image_model: 'img', signal_model: 'digitise-sig', threshold_rule: 'youden', fold: 9 };
    writeFileSync(verdictFile, JSON.stringify({ ...verdict, margin_threshold: 0.4 }));
    expect(loadCombinedEvals('img', 'sig', root).map((c) => c.marginThreshold)).toEqual([0.4]);
    writeFileSync(verdictFile, JSON.stringify({ ...verdict, margin_threshold: 0.5 }));
    expect(() => loadCombinedEvals('img', 'sig', root)).toThrow(/now holds 0.5; re-run npm run eval:combined/);
  });

  it('the views draw every row and give the same numbers as a table', () => {
    const rows = readingRows(input());
    const v = readingsView(rows);
    expect(v.marks).toBe(rows.length);
    expect(v.svg).toContain('<svg');
    expect(v.svg).not.toMatch(/style="/);
    expect(v.table.rows.map((r) => r.auroc)).toContain('0.870 (0.820–0.920)');
    const s = snrView([printout, kit] as DigitiseEval[]);
    expect(s.table.rows.find((r) => r.lead === 'V2')?.s0).toBe('19.9');
    expect(s.table.rows.find((r) => r.lead === 'II')?.s0).toBe('–');
  });

  it("the build's files give a comparison (the demo's model and the shipped signal model)", () => {
    const def = JSON.parse(readFileSync('public/models/default.json', 'utf8')) as { model: string };
    const meta = JSON.parse(readFileSync(`public/models/${def.model}/metadata.json`, 'utf8')) as { name: string };
    const rows = loadReadings(meta.name, 'signal-3x4r');
    expect(rows.some((r) => r.kind === 'image' && r.source === 'independent')).toBe(true);
    expect(rows.some((r) => r.kind === 'signal' && r.source === 'independent')).toBe(true);
    expect(rows.some((r) => r.source === 'signals')).toBe(true);
  });
});
