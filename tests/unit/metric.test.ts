import {
  formatExternal,
  formatGate,
  loadExternalEval,
  loadGateEval,
  type ExternalField,
  type GateField,
} from '../../src/lib/charts/external';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EVAL_DIR,
  TRAINING_DIR,
  listEvalFiles,
  loadEvalResult,
  loadEvalResults,
  loadTrainingRuns,
} from '../../src/lib/charts/data';
import {
  findEval,
  formatMetric,
  formatRunMetric,
  MetricLookupError,
  type MetricField,
  type RunField,
} from '../../src/lib/charts/metric';
import type { EvalResult } from '../../src/lib/charts/types';
import {
  formatDigitise,
  formatReading,
  loadDigitiseEval,
  loadReadings,
  type DigitiseField,
  type ReadingField,
} from '../../src/lib/charts/digitise';

const fake = (over: Partial<EvalResult>): EvalResult =>
  ({
    model: 'm',
    style: 's',
    fold: 10,
    n: 2198,
    threshold: 0.5469,
    auroc: 0.91234,
    auroc_ci: [0.9, 0.925],
    sensitivity: 0.8512,
    specificity: 0.7,
    precision: 0.5,
    f1: 0.61,
    accuracy: 0.75,
    confusion: { tp: 1, fp: 1, tn: 1, fn: 1 },
    roc: [],
    pr: [],
    calibration: [],
    baseline_all_normal_accuracy: 0.7497,
    git_commit: 'x',
    file: 'data/eval/m.s.json',
    ...over,
  }) as EvalResult;

describe('Metric lookups (numbers quoted in prose)', () => {
  const rs = [fake({}), fake({ style: 'photo', auroc: 0.5 })];
  it('formats each field from the matching evaluation', () => {
    expect(formatMetric(rs, { model: 'm', style: 's', field: 'auroc' }).text).toBe('0.912');
    expect(formatMetric(rs, { model: 'm', style: 'photo', field: 'auroc' }).text).toBe('0.500');
    expect(formatMetric(rs, { model: 'm', style: 's', field: 'sensitivity', percent: true }).text).toBe('85.1%');
    expect(formatMetric(rs, { model: 'm', style: 's', field: 'auroc_ci' }).text).toBe('0.900–0.925');
    expect(formatMetric(rs, { model: 'm', style: 's', field: 'n' }).text).toBe('2,198');
    expect(formatMetric(rs, { model: 'm', style: 's', field: 'baseline', percent: true }).text).toBe('75.0%');
    expect(formatMetric(rs, { model: 'm', style: 's', field: 'auroc' }).file).toBe('data/eval/m.s.json');
  });
  it('quotes the sheet-upright counts of an evaluation that ran it, and refuses one that read renders as drawn', () => {
    const u = {
      model: 'sheet-upright',
      n: 2198,
      turned: 660,
      right_way_up: 2180,
      drawn_turned: 650,
      drawn_turned_righted: 640,
      auroc_as_drawn: 0.7712,
      drawn_turned_auroc: 0.81,
      drawn_turned_auroc_as_drawn: null,
    };
    const with_ = [fake({ style: 'wild-photo', upright: u })];
    expect(formatMetric(with_, { model: 'm', style: 'wild-photo', field: 'upright_turned' }).text).toBe('660');
    expect(formatMetric(with_, { model: 'm', style: 'wild-photo', field: 'upright_right_way_up' }).text).toBe('2,180');
    expect(formatMetric(with_, { model: 'm', style: 'wild-photo', field: 'upright_drawn_turned_righted' }).text).toBe(
      '640',
    );
    expect(() => formatMetric(rs, { model: 'm', style: 's', field: 'upright_turned' })).toThrow(
      /read its renders as drawn/,
    );
    expect(formatMetric(with_, { model: 'm', style: 'wild-photo', field: 'upright_auroc_as_drawn' }).text).toBe(
      '0.771',
    );
    expect(() =>
      formatMetric(with_, { model: 'm', style: 'wild-photo', field: 'upright_drawn_turned_auroc_as_drawn' }),
    ).toThrow(/one class only/);
    expect(() => formatMetric(rs, { model: 'm', style: 's', field: 'upright_auroc_as_drawn' })).toThrow(/as drawn/);
  });
  it('a missing evaluation or an unknown field throws with the command to run', () => {
    expect(() => findEval(rs, 'heartnet', 'printout')).toThrow(MetricLookupError);
    expect(() => findEval(rs, 'heartnet', 'printout')).toThrow(
      /npm run eval -- --model public\/models\/heartnet --fold 10 --style printout/,
    );
    expect(() => formatMetric(rs, { model: 'm', style: 's', field: 'recall' as MetricField })).toThrow(
      /unknown metric field/,
    );
  });
  it('a training run quotes its best epoch (fold 9); a missing run throws with the command to make it', () => {
    const runs = loadTrainingRuns('tests/fixtures/charts/training');
    const r = runs[0]!;
    const best = r.epochs.find((e) => e.epoch === r.best_epoch)!;
    expect(formatRunMetric(runs, { run: r.name, field: 'val_auroc' }).text).toBe(best.val_auroc.toFixed(3));
    expect(formatRunMetric(runs, { run: r.name, field: 'val_sensitivity', percent: true }).text).toBe(
      `${(best.val_sensitivity * 100).toFixed(1)}%`,
    );
    expect(() => formatRunMetric(runs, { run: 'nope', field: 'val_auroc' })).toThrow(
      /npm run train -- --config training\/configs\/nope.json/,
    );
    expect(() => formatRunMetric(runs, { run: r.name, field: 'recall' as RunField })).toThrow(/unknown run field/);
    // fold 9 read back by the digitiser: only runs trained with kept readings have it
    expect(() => formatRunMetric(runs, { run: r.name, field: 'val_auroc_readouts' })).toThrow(
      /has no val_auroc_readouts/,
    );
    // a run trained on a rented GPU: the AUROC recomputed here, never its epochs' figures from the machine's renders
    const gpu = runs.map((x) => (x === r ? { ...x, scoredElsewhere: { homeAuroc: 0.8461 } } : x));
    expect(formatRunMetric(gpu, { run: r.name, field: 'val_auroc' }).text).toBe('0.846');
    expect(() => formatRunMetric(gpu, { run: r.name, field: 'val_sensitivity' })).toThrow(
      /measured on the GPU machine's fold-9 renders/,
    );
    const withReadings = runs.map((x) =>
      x === r ? { ...x, epochs: x.epochs.map((e) => ({ ...e, val_auroc_readouts: 0.8766 })) } : x,
    );
    expect(formatRunMetric(withReadings, { run: r.name, field: 'val_auroc_readouts' }).text).toBe('0.877');
  });

  it('every <Metric> in the chapters resolves against data/eval and data/training', () => {
    const dir = 'src/content/chapters';
    // as Metric.astro reads them: the models' evaluations and the sweep's, and the training runs
    const results = [
      ...loadEvalResults(),
      ...listEvalFiles(EVAL_DIR, process.cwd(), 'sweep').map((f) => loadEvalResult(f)),
    ];
    const runs = loadTrainingRuns(TRAINING_DIR);
    let count = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.mdx'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      for (const m of src.matchAll(/<Metric\s([^>]*)\/>/g)) {
        const attr = (k: string) => new RegExp(`${k}="([^"]+)"`).exec(m[1]!)?.[1];
        const run = attr('run');
        const external = attr('external');
        const gate = attr('gate');
        const digitise = attr('digitise');
        const reading = attr('reading');
        if (digitise) {
          // the digitiser (data/eval/digitise, npm run eval:digitise)
          const q = { lead: attr('lead') };
          expect(
            () => formatDigitise(loadDigitiseEval(digitise), attr('field') as DigitiseField, q),
            `${f}: ${m[0]}`,
          ).not.toThrow();
        } else if (reading) {
          // the two readings compared: the demo's image model and the digitiser + signal model
          const def = JSON.parse(readFileSync('public/models/default.json', 'utf8')) as { model: string };
          const name = (
            JSON.parse(readFileSync(join('public/models', def.model, 'metadata.json'), 'utf8')) as {
              name: string;
            }
          ).name;
          const q = {
            reader: reading as 'image' | 'signal' | 'true-signals',
            set: attr('set'),
            field: attr('field') as ReadingField,
          };
          expect(() => formatReading(loadReadings(name, 'signal-3x4r'), q), `${f}: ${m[0]}`).not.toThrow();
        } else if (external) {
          // images we did not draw (data/eval/external, npm run eval:external)
          const set = attr('set') as 'kit-fold9' | 'real-ekg';
          const q = { set, field: attr('field') as ExternalField, variant: attr('variant') };
          expect(() => formatExternal(loadExternalEval(external), q), `${f}: ${m[0]}`).not.toThrow();
        } else if (gate) {
          // the EKG check (data/eval/gate, npm run eval:gate)
          expect(() => formatGate(loadGateEval(gate), attr('field') as GateField), `${f}: ${m[0]}`).not.toThrow();
        } else if (run) {
          expect(() => formatRunMetric(runs, { run, field: attr('field') as RunField }), `${f}: ${m[0]}`).not.toThrow();
        } else {
          const q = { model: attr('model')!, style: attr('style')!, field: attr('field') as MetricField };
          expect(() => formatMetric(results, q), `${f}: ${m[0]}`).not.toThrow();
        }
        count++;
      }
    }
    // the Results chapter quotes our numbers this way; if the count drops to 0 the prose lost its sources
    expect(count).toBeGreaterThan(0);
  });
});
