import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
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
