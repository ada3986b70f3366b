import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvalArgs, runEval } from '../../scripts/eval';
import { parseEvalResult } from '../../src/lib/charts/data';
import { resolvePtbxlDir } from '../../src/lib/ptbxl/node';

// Needs the restored PTB-XL records (npm run setup -- --all); runs the real CLI path on the fixture model.
const haveRecords = existsSync(join(resolvePtbxlDir(), 'records100', '21000'));

describe.skipIf(!haveRecords)('npm run eval end to end (fixture model, a few fold-9 records)', () => {
  it('writes a file the site can read, with figures consistent with its own confusion matrix', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'eval-')), 'e.json');
    const args = parseEvalArgs([
      '--model',
      'tests/fixtures/model/tiny',
      '--fold',
      '9',
      '--style',
      'dataset2',
      '--limit',
      '12',
      '--bootstrap',
      '50',
      '--out',
      out,
    ]);
    const { doc, line } = await runEval(args);
    const e = parseEvalResult(JSON.parse(readFileSync(out, 'utf8')), out);
    expect(e.n).toBe(12);
    expect(line.n).toBe(12);
    const { tp, fp, tn, fn } = doc.confusion;
    expect(tp + fp + tn + fn).toBe(12);
    expect(doc.sensitivity).toBeCloseTo(tp + fn ? tp / (tp + fn) : 0, 12);
    expect(doc.baseline_all_normal_accuracy).toBeCloseTo((tn + fp) / 12, 12);
    expect(doc.roc[0]).toMatchObject({ fpr: 0, tpr: 0 });
    expect(doc.roc.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    expect(doc.calibration.reduce((s, b) => s + b.n, 0)).toBe(12);
    // the model card's groups: every record in one sex and one age group, read back by the site's parser
    expect(doc.subgroups.sex.reduce((s, g) => s + g.n, 0)).toBe(12);
    expect(doc.subgroups.age.reduce((s, g) => s + g.n, 0)).toBe(12);
    expect(e.subgroups?.sex.map((g) => g.key)).toEqual(['female', 'male']);
    // every record's score, for pairing readings later (eval:combined): one per record, labels as counted above,
    // each on one line of the file
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/\n\s*\[\d+, [01], [\d.e-]+\],?\n/);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(doc.scores).toHaveLength(12);
    expect(new Set(doc.scores.map(([id]) => id)).size).toBe(12);
    expect(doc.scores.filter(([, label]) => label === 1)).toHaveLength(tp + fn);
    // the same records again give the same numbers (fixed render seeds, deterministic model)
    const again = await runEval({ ...args, out: out + '2' });
    expect(again.doc.auroc).toBe(doc.auroc);
  }, 120_000);
});

describe.skipIf(!haveRecords)('the digitise + signal pipeline keeps what it read (--readouts, --shard)', () => {
  it('halves read apart and scored together give what one reading gives; stale or other readings are not used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readouts-'));
    const base = ['--model', 'digitise+tests/fixtures/model/signal', '--fold', '9', '--style', 'printout'];
    const run = (extra: string[], out: string) =>
      runEval(parseEvalArgs([...base, '--limit', '4', ...extra, '--out', join(dir, out)]));
    const direct = await run([], 'direct.json');
    expect(direct.doc.input).not.toMatch(/readings kept/);
    const s0 = await run(['--shard', '0/2', '--readouts', join(dir, 's0')], 'e-s0.json');
    const s1 = await run(['--shard', '1/2', '--readouts', join(dir, 's1')], 'e-s1.json');
    expect([s0.doc.n, s1.doc.n]).toEqual([2, 2]);
    expect((s0.doc as { shard?: string }).shard).toBe('0/2');
    const sets = ['whole', 's0', 's1'].map((f) => join(dir, f)).join(',');
    const merged = await run(['--readouts', sets], 'merged.json');
    expect(merged.doc.input).toMatch(/readings kept in .*whole, .*s0, .*s1/);
    expect(merged.doc.scores).toEqual(direct.doc.scores);
    const again = await run(['--readouts', join(dir, 'whole')], 'again.json');
    expect(again.doc.input).toMatch(/readings kept in .*whole, made by these digitiser sources/);
    expect(again.doc.scores).toEqual(direct.doc.scores);
    // a set stamped with other digitiser sources is read again, not scored
    const h = JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8'));
    writeFileSync(join(dir, 'whole.json'), JSON.stringify({ ...h, sources_sha256: 'other' }));
    const stale = await run(['--readouts', join(dir, 'whole')], 'stale.json');
    expect(stale.doc.input).not.toMatch(/readings kept/);
    expect(stale.doc.scores).toEqual(direct.doc.scores);
    expect(JSON.parse(readFileSync(join(dir, 'whole.json'), 'utf8')).sources_sha256).toBe(h.sources_sha256);
    // a part of a fold never lands in data/eval, and the readings are a pipeline's
    expect(() => parseEvalArgs([...base, '--shard', '0/2', '--readouts', 'x'])).toThrow(/--out/);
    expect(() => parseEvalArgs([...base, '--readouts', 'build/x', '--out', 'build/x.json'])).toThrow(/would overwrite/);
    expect(() => parseEvalArgs([...base, '--shard', '2/2', '--readouts', 'x', '--out', 'y'])).toThrow(/K\/N/);
    expect(() => parseEvalArgs(['--model', 'tests/fixtures/model/tiny', '--fold', '9', '--readouts', 'x'])).toThrow(
      /only for --model digitise\+DIR/,
    );
  }, 180_000);
});
