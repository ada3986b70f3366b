/**
 * Pairing two readings of the same pictures (npm run eval:combined): the combination is the combined verdict of
 * src/lib/model/combine.ts (the mean of the two margins over each model's own threshold, against the verdict's
 * threshold), an unread picture keeps the image reading, and readings of different pictures are refused. The
 * verdict's threshold is chosen on fold-9 readings only (--choose).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseVerdict, combine, CombineError, readEvalReading, type Reading } from '../../scripts/eval-combined';
import { auroc } from '../../src/lib/model/metrics';
import { mulberry32 } from '../../src/lib/random';

function reading(
  model: string,
  rows: Array<[string, number, number | null]>,
  identity = { fold: 10 },
  threshold = 0.5,
): Reading {
  return {
    model,
    file: `${model}.json`,
    set: 'printout',
    identity,
    scores: new Map(rows.map(([id, label, p]) => [id, { label, p }])),
    threshold,
    gitCommit: 'test',
  };
}

const opts = { resamples: 200, seed: 0 };
const verdict = (margin_threshold = 0, image_model = 'img', signal_model = 'sig') => ({
  image_model,
  signal_model,
  margin_threshold,
  threshold_rule: 'test',
  fold: 9,
  file: 'v.json',
});

describe('eval:combined', () => {
  it('averages the logits with equal weights; an unread picture keeps the image score', () => {
    const img = reading('img', [
      ['1', 1, 0.8],
      ['2', 0, 0.3],
      ['3', 1, 0.6],
    ]);
    const sig = reading('sig', [
      ['1', 1, 0.2],
      ['2', 0, 0.1],
      ['3', 1, null],
    ]);
    const r = combine(img, sig, verdict(), opts);
    expect(r.n).toBe(3);
    expect(r.signal_unread).toBe(1);
    expect(r.signal.n).toBe(2);
    // both thresholds 0.5: the margins are the logits. The mean of 0.8's and 0.2's is 0 (probability 0.5); the
    // unread picture 3 stays at 0.6
    const expected = auroc([1, 0, 1], [0.5, 1 / (1 + Math.exp(-(Math.log(3 / 7) + Math.log(1 / 9)) / 2)), 0.6]);
    expect(r.combined.auroc).toBeCloseTo(expected, 10);
  });

  it("calls MI where the mean of the two readings' margins over their own thresholds is at or above zero", () => {
    // image threshold 0.5, signal threshold 0.2: picture 1 is MI by the signal reading's margin (0.6 vs 0.2)
    // outweighing the image's small shortfall; picture 2 is below both; picture 3 (unread) keeps the image verdict
    const img = reading(
      'img',
      [
        ['1', 1, 0.45],
        ['2', 0, 0.3],
        ['3', 1, 0.55],
        ['4', 0, 0.6],
      ],
      { fold: 10 },
      0.5,
    );
    const sig = reading(
      'sig',
      [
        ['1', 1, 0.6],
        ['2', 0, 0.1],
        ['3', 1, null],
        ['4', 0, 0.05],
      ],
      { fold: 10 },
      0.2,
    );
    const r = combine(img, sig, verdict(), opts);
    expect(r.combined.confusion).toEqual({ tp: 2, fn: 0, tn: 2, fp: 0 });
    expect(r.image.confusion).toEqual({ tp: 1, fn: 1, tn: 1, fp: 1 });
    expect(r.combined.sensitivity).toBe(1);
  });

  it("raises the bar for pictures read both ways by the verdict's threshold, not for unread ones", () => {
    const img = reading('img', [
      ['1', 1, 0.45],
      ['2', 1, 0.55],
    ]);
    const sig = reading(
      'sig',
      [
        ['1', 1, 0.6],
        ['2', 1, null],
      ],
      { fold: 10 },
      0.2,
    );
    // picture 1's mean margin: (logit 0.45 + logit 0.6 - logit 0.2) / 2 = 0.80 logits
    expect(combine(img, sig, verdict(0.7), opts).combined.confusion).toMatchObject({ tp: 2, fn: 0 });
    const r = combine(img, sig, verdict(0.9), opts);
    expect(r.combined.confusion).toMatchObject({ tp: 1, fn: 1 });
    expect(r.verdict.margin_threshold).toBe(0.9);
    expect(() => combine(img, sig, verdict(0, 'other'), opts)).toThrow(/verdict of other \+ sig, not of img \+ sig/);
  });

  it("chooses the verdict's threshold by Youden's J on fold-9 pictures read both ways, never on another fold", () => {
    // margins (thresholds 0.5): MI pictures at logit 2 and 1, others at 1.5 and -1; unread picture 5 is left out
    const p = (z: number) => 1 / (1 + Math.exp(-z));
    const img = reading(
      'img',
      [
        ['1', 1, p(2)],
        ['2', 1, p(1)],
        ['3', 0, p(1.5)],
        ['4', 0, p(-1)],
        ['5', 0, p(3)],
      ],
      { fold: 9 },
    );
    const sig = reading(
      'sig',
      [
        ['1', 1, p(2)],
        ['2', 1, p(1)],
        ['3', 0, p(1.5)],
        ['4', 0, p(-1)],
        ['5', 0, null],
      ],
      { fold: 9 },
    );
    const v = chooseVerdict([[img, sig]]);
    expect(v.n_read_both_ways).toBe(4);
    // J is best (0.5) at 2 (sens 0.5, spec 1) or at 1 (sens 1, spec 0.5); chooseThreshold keeps the higher one
    expect(v.margin_threshold).toBeCloseTo(2, 6);
    expect(v.sets[0]!.signal_unread).toBe(1);
    const test = { ...img, identity: { fold: 10 } };
    expect(() => chooseVerdict([[test, sig]])).toThrow(/reads fold 10; the verdict is chosen on fold 9 only/);
  });

  it('gains when the two readings err independently', () => {
    const rnd = mulberry32(7);
    const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    const rows = Array.from({ length: 600 }, (_, i) => ({ id: String(i), y: i % 3 === 0 ? 1 : 0 }));
    const p = (y: number) => 1 / (1 + Math.exp(-(y * 1.2 - 0.6 + gauss())));
    const img = reading(
      'img',
      rows.map(({ id, y }) => [id, y, p(y)] as [string, number, number]),
    );
    const sig = reading(
      'sig',
      rows.map(({ id, y }) => [id, y, p(y)] as [string, number, number]),
    );
    const r = combine(img, sig, verdict(), opts);
    expect(r.combined.auroc).toBeGreaterThan(r.image.auroc + 0.02);
    expect(r.combined.gain_over_image_ci[0]).toBeGreaterThan(0);
  });

  it('refuses readings of different pictures, renders or labels', () => {
    const img = reading('img', [
      ['1', 1, 0.8],
      ['2', 0, 0.3],
    ]);
    expect(() => combine(img, reading('sig', [['1', 1, 0.5]]), verdict(), opts)).toThrow(/score different pictures/);
    expect(() =>
      combine(
        img,
        reading('sig', [
          ['1', 1, 0.5],
          ['2', 1, 0.5],
        ]),
        verdict(),
        opts,
      ),
    ).toThrow(/picture 2: label 0 in one file, 1 in the other/);
    expect(() =>
      combine(
        img,
        reading(
          'sig',
          [
            ['1', 1, 0.5],
            ['2', 0, 0.5],
          ],
          { fold: 9 },
        ),
        verdict(),
        opts,
      ),
    ).toThrow(CombineError);
  });

  it('names the fix when an eval file has no per-record scores', () => {
    const dir = mkdtempSync(join(tmpdir(), 'comb-'));
    const f = join(dir, 'old.json');
    writeFileSync(f, JSON.stringify({ model: 'm', style: 'printout', fold: 10, auroc: 0.8 }));
    expect(() => readEvalReading(f)).toThrow(/no per-record scores; re-run the evaluation/);
  });

  it("takes a pipeline file's unread pictures as unread (they were scored as empty readouts there)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'comb-'));
    const f = join(dir, 'pipe.json');
    const doc = {
      model: 'digitise-sig',
      style: 'printout',
      fold: 10,
      threshold: 0.2,
      scores: [
        [1, 1, 0.7],
        [2, 0, 0.31],
      ],
    };
    writeFileSync(f, JSON.stringify({ ...doc, unread_ecg_ids: [2] }));
    const r = readEvalReading(f);
    expect(r.scores.get('1')!.p).toBe(0.7);
    expect(r.scores.get('2')!.p).toBeNull();
    writeFileSync(f, JSON.stringify(doc));
    expect(() => readEvalReading(f)).toThrow(/does not list its unread pictures/);
    writeFileSync(f, JSON.stringify({ ...doc, unread_ecg_ids: [9] }));
    expect(() => readEvalReading(f)).toThrow(/unread picture 9 is not among its scores/);
  });
});
