import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEvalResult, loadEvalResults, parseEvalResult } from '../../src/lib/charts/data';
import { MetricLookupError } from '../../src/lib/charts/metric';
import {
  cardEvals,
  cardMetricsTable,
  externalEvals,
  loadShippedModels,
  groupGaps,
  smallGroups,
  subgroupTable,
  subgroupRows,
  subgroupView,
  trainingSummary,
  type ShippedModel,
} from '../../src/lib/charts/model-card';
import type { TrainingRun } from '../../src/lib/charts/types';

const model = (over: Partial<ShippedModel> = {}): ShippedModel => ({
  name: 'study-cnn',
  dir: 'public/models/study-cnn',
  isDefault: false,
  version: '0',
  styles: ['dataset2'],
  planes: 1,
  input: { height: 192, width: 256 },
  threshold: 0.5,
  thresholdRule: 'r',
  ...over,
});

describe('model cards', () => {
  it("every shipped model is found, the demo's first, each with the styles it was trained on", () => {
    const models = loadShippedModels();
    expect(models.length).toBeGreaterThanOrEqual(1);
    expect(models[0]!.isDefault).toBe(true);
    expect(models.filter((m) => m.isDefault)).toHaveLength(1);
    for (const m of models) expect(m.styles.length).toBeGreaterThan(0);
  });

  it('a missing evaluation throws, naming the command that makes it (so the build fails)', () => {
    const m = model({ name: 'heartnet', dir: 'public/models/heartnet', styles: ['dataset2', 'wild-photo'] });
    const evals = [loadEvalResult('tests/fixtures/charts/eval/fixture-cnn.dataset2.json')].map((e) => ({
      ...e,
      model: 'heartnet',
    }));
    expect(() => cardEvals(m, evals)).toThrow(MetricLookupError);
    expect(() => cardEvals(m, evals)).toThrow(
      /npm run eval -- --model public\/models\/heartnet --fold 10 --style wild-photo/,
    );
  });

  it('an evaluation without subgroup figures is flagged with its re-run command, not drawn', () => {
    const e = {
      ...loadEvalResult('tests/fixtures/charts/eval/fixture-cnn.dataset2.json'),
      model: 'x',
      subgroups: undefined,
    };
    const ces = cardEvals(model({ name: 'x', dir: 'public/models/x' }), [e]);
    expect(ces[0]!.rerun).toBe('npm run eval -- --model public/models/x --fold 10 --style dataset2');
    expect(subgroupView(model({ name: 'x' }), ces)).toBeUndefined();
  });

  it("draws study-cnn's fold-10 groups from data/eval, with a table row per group and the same numbers", () => {
    const evals = loadEvalResults();
    const m = loadShippedModels().find((x) => x.name === 'study-cnn');
    expect(m, 'study-cnn is shipped').toBeDefined();
    const ces = cardEvals(m!, evals);
    const e = ces.find((c) => c.style === 'dataset2')!.eval;
    expect(e.subgroups, 'data/eval/study-cnn.dataset2.json has subgroup figures').toBeDefined();
    const view = subgroupView(m!, ces)!;
    expect(view.svg).toContain('<svg');
    const dots = (view.svg.match(/<circle/g) ?? []).length;
    // three figures per group that defines them; the few records without an age are left out of the chart
    expect(dots).toBeGreaterThanOrEqual(3 * 6 - 1);
    const table = subgroupTable(m!, 'dataset2', subgroupRows(ces));
    const female = e.subgroups!.sex.find((g) => g.key === 'female')!;
    const row = table.rows.find((r) => r.group === 'Female')!;
    expect(row.auroc).toBe(
      `${female.auroc!.toFixed(3)} (${female.auroc_ci![0].toFixed(3)}–${female.auroc_ci![1].toFixed(3)})`,
    );
    expect(row.n).toBe(`${female.n.toLocaleString('en-US')} (${female.n_mi})`);
    // groups add up to the fold
    expect(e.subgroups!.age.reduce((s, g) => s + g.n, 0)).toBe(e.n);
    expect(cardMetricsTable(m!, ces).rows).toHaveLength(m!.styles.length);
    // under-40s hold few infarctions: the card says their interval is wide
    expect(smallGroups(ces).map((g) => g.label)).toContain('< 40');
  });

  it('names a group the model measurably serves worse (intervals apart), and only then', () => {
    const e = loadEvalResult('tests/fixtures/charts/eval/fixture-cnn.dataset2.json');
    const g = (key: string, auroc: number, lo: number, hi: number) => ({
      key,
      label: key,
      n: 100,
      n_mi: 30,
      auroc,
      auroc_ci: [lo, hi] as [number, number],
      sensitivity: 0.5,
      sensitivity_ci: null,
      specificity: 0.5,
      specificity_ci: null,
    });
    const withGroups = (age: ReturnType<typeof g>[]) =>
      cardEvals(model({ name: 'x' }), [
        {
          ...e,
          model: 'x',
          subgroups: { method: 'm', sex: [g('female', 0.8, 0.75, 0.85), g('male', 0.81, 0.76, 0.86)], age },
        },
      ]);
    const apart = groupGaps(withGroups([g('lt40', 0.9, 0.86, 0.94), g('ge80', 0.7, 0.64, 0.76)]));
    expect(apart).toHaveLength(1);
    expect(apart[0]).toMatchObject({ by: 'age', worse: { key: 'ge80' }, better: { key: 'lt40' } });
    expect(groupGaps(withGroups([g('lt40', 0.9, 0.7, 0.95), g('ge80', 0.8, 0.72, 0.88)]))).toEqual([]);
  });

  it('reads the figures of `npm run eval:external` for the model when the file exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ext-'));
    mkdirSync(join(dir, 'external'));
    writeFileSync(
      join(dir, 'external', 'x.json'),
      JSON.stringify({
        model: 'x',
        sets: {
          'kit-fold9': {
            n: 200,
            auroc: 0.71,
            auroc_ci: [0.64, 0.78],
            sensitivity: 0.48,
            specificity: 0.81,
            refused_rate: 0.36,
            by_variant: { plain: { n: 60, auroc: 0.8 } },
          },
          'real-ekg': { n: 24, accepted_rate: 10 / 24 },
        },
      }),
    );
    writeFileSync(join(dir, 'external', 'other.json'), JSON.stringify({ model: 'other', sets: {} }));
    const got = externalEvals(model({ name: 'x' }), join(dir, 'external'), '/');
    expect(got).toHaveLength(1);
    expect(got[0]!.rows.map((r) => r.variant)).toEqual(['kit-fold9', 'kit-fold9 · plain', 'real-ekg']);
    expect(got[0]!.rows[0]).toMatchObject({ n: 200, auroc: 0.71, sensitivity: 0.48 });
    expect(got[0]!.rows[0]!.accepted).toBeCloseTo(0.64, 12);
    expect(got[0]!.rows[2]!.accepted).toBeCloseTo(10 / 24, 12);
    expect(externalEvals(model({ name: 'x' }), join(dir, 'nothing-here'), '/')).toEqual([]);
  });

  it('the site refuses a subgroup block that does not add up to the fold', () => {
    const base = JSON.parse(JSON.stringify(loadEvalResult('tests/fixtures/charts/eval/fixture-cnn.dataset2.json')));
    const g = {
      key: 'female',
      label: 'Female',
      n: 1,
      n_mi: 0,
      auroc: null,
      auroc_ci: null,
      sensitivity: null,
      sensitivity_ci: null,
      specificity: 1,
      specificity_ci: [1, 1],
    };
    expect(() => parseEvalResult({ ...base, subgroups: { method: 'm', sex: [g], age: [g] } }, 'f.json')).toThrow(
      /groups hold 1 records but n = /,
    );
  });
});

describe('model card: what a model learned from', () => {
  const run = (over: Partial<TrainingRun> = {}): TrainingRun => ({
    name: 'm',
    config: {},
    model: 'resnet',
    started: '',
    finished: '',
    git_commit: 'x',
    data: { train_n: 1000, train_pos: 250, val_n: 200, val_pos: 50, style: ['printout'] },
    epochs: [],
    best_epoch: 2,
    threshold: 0.5,
    file: 'data/training/m.json',
    ...over,
  });
  it('says how many images and where the checkpoint was chosen, and when a rented GPU chose it', () => {
    const here = trainingSummary(run())!;
    expect(here).toMatch(
      /^1,000 training images \(250 MI\) .* chosen on 200 fold-9 images \(50 MI\)\. Best epoch 2 of 0\.$/,
    );
    expect(here).not.toMatch(/GPU/);
    expect(trainingSummary(run({ scoredElsewhere: { homeAuroc: 0.8 } }))).toMatch(
      /Trained on a rented GPU: the checkpoint was chosen on that machine's own fold-9 renders/,
    );
    expect(trainingSummary(undefined)).toBeUndefined();
  });
});
