import { describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import {
  STUDY_FILES,
  loadEvalResult,
  loadStudyDatasets,
  loadStudyFinal,
  loadStudyLogs,
  loadStudyMetrics,
  loadTrainingRun,
  loadTrainingRuns,
  parseStudyMetrics,
} from '../../src/lib/charts/data';
import {
  architectureView,
  batchSizeView,
  datasetView,
  finalRunsView,
  findRepeatedRows,
} from '../../src/lib/charts/study';
import {
  bestPoint,
  collapseCount,
  detectCollapse,
  lossTable,
  lossView,
  metricView,
  studyLogCurves,
  trainingRunCurve,
} from '../../src/lib/charts/loss';
import { batchPhaseRuns, batchSizeOf, sweepPoints, sweepView } from '../../src/lib/charts/sweep';
import {
  calibrationView,
  confusionView,
  curvePointsTable,
  evalLabel,
  HOVER_POINTS_PER_CURVE,
  perStyleView,
  shippedEvals,
  TABLE_POINTS_PER_CURVE,
  prView,
  rocView,
  seriesStyles,
} from '../../src/lib/charts/evaluation';
import { STUDY_VALID_N, resultsRows, resultsTable, studyAllNormalAccuracy } from '../../src/lib/charts/results';
import { compactCoordinates } from '../../src/lib/charts/render';
import { readFileSync } from 'node:fs';

const FX = 'tests/fixtures/charts';

function svgDoc(svg: string) {
  const { document } = parseHTML(`<!doctype html><html><body>${svg}</body></html>`);
  return document;
}
const count = (svg: string, sel: string) => svgDoc(svg).querySelectorAll(sel).length;
const titles = (svg: string) => [...svgDoc(svg).querySelectorAll('title')].map((t) => t.textContent ?? '');

describe('study bar charts', () => {
  const arch = loadStudyMetrics(STUDY_FILES.architecture);
  const batch = loadStudyMetrics(STUDY_FILES.batchSize);

  it('fig. 6: one bar per architecture and metric, a responsive SVG with an accessible name', () => {
    const v = architectureView(arch);
    expect(count(v.svg, 'g[data-mark="bar"] rect')).toBe(5 * 4);
    expect(v.marks).toBe(20);
    const svg = svgDoc(v.svg).querySelector('svg')!;
    expect(svg.getAttribute('viewBox')).toMatch(/^0 0 440 \d+/);
    expect(svg.hasAttribute('width')).toBe(false);
    expect(svg.getAttribute('role')).toBe('img');
    expect(svg.getAttribute('aria-label')).toMatch(/ResNet architecture/);
    expect(v.svg).toContain('ResNet101');
    expect(titles(v.svg)).toContain('ResNet152: Recall 81.7%');
    expect(v.table.rows).toHaveLength(5);
    expect(v.table.rows[4]).toMatchObject({ architecture: 'ResNet152', error_rate: '0.1742', f1: '0.8269' });
  });

  it('flags the published repeat: fig. 6 ResNet152 = fig. 7 batch 8', () => {
    const repeats = findRepeatedRows(arch, batch);
    expect(repeats).toHaveLength(1);
    expect(repeats[0]!.a.architecture).toBe('resnet152');
    expect(repeats[0]!.b.batchSize).toBe(8);
    const v = architectureView(arch, [repeats[0]!.a]);
    expect(v.svg).toContain('ResNet152 *');
  });

  it('changing a value in the data changes the chart and the table', () => {
    const text = readFileSync(STUDY_FILES.architecture, 'utf8').replace(
      'resnet50,16,14,0.2129',
      'resnet50,16,14,0.4321',
    );
    const changed = architectureView(parseStudyMetrics(text, 'x.csv'));
    const orig = architectureView(arch);
    expect(changed.svg).not.toBe(orig.svg);
    expect(changed.svg).toContain('43.2%');
    expect(orig.svg).not.toContain('43.2%');
    expect(changed.table.rows[2]!.error_rate).toBe('0.4321');
    expect(findRepeatedRows(parseStudyMetrics(text, 'x.csv'), batch)).toHaveLength(1);
  });

  it('fig. 7 names the architecture at each batch size; figs. 8 and 13 draw every row', () => {
    const b = batchSizeView(batch);
    expect(count(b.svg, 'g[data-mark="bar"] rect')).toBe(7 * 4);
    expect(b.svg).toContain('Batch 64 (ResNet34)');
    expect(b.svg).toContain('Batch 32 (ResNet50)');
    const f = finalRunsView(loadStudyFinal());
    expect(count(f.svg, 'g[data-mark="bar"] rect')).toBe(16);
    expect(f.svg).toContain('0.779');
    expect(f.table.rows[3]).toMatchObject({ run: 'ResNet152, batch 16', valid_loss: '0.250913' });
    const d = datasetView(loadStudyDatasets());
    expect(count(d.svg, 'g[data-mark="bar"] rect')).toBe(12);
    expect(d.table.rows.map((r) => r.dataset)).toEqual(['Dataset 1', 'Dataset 2', 'Dataset 3']);
  });

  it('uses CSS-variable colours (dark mode) and currentColor, no fixed black or white text', () => {
    const v = architectureView(arch);
    expect(v.svg).toContain('var(--chart-c1');
    expect(v.svg).toContain('fill="currentColor"');
    expect(v.svg).not.toMatch(/fill="(black|#000|white|#fff)"/i);
  });
});

describe('loss curves', () => {
  const logs = loadStudyLogs();
  const curves = studyLogCurves(logs, STUDY_FILES.logs);

  it('one curve per exploratory run, frozen epoch at step 0, best = min validation loss', () => {
    expect(curves).toHaveLength(16);
    const r1 = curves[0]!;
    expect(r1.points).toHaveLength(21);
    expect(r1.points[0]).toMatchObject({ step: 0, stepLabel: 'frozen' });
    expect(bestPoint(r1)).toMatchObject({ step: 19, valLoss: 0.679035 });
    // ResNet50 run has no fine-tune epoch 4 in the source
    expect(curves[2]!.points.map((p) => p.step)).not.toContain(5);
  });

  it('draws train and validation lines, a dot per value, and the best-epoch ring', () => {
    const r1 = curves[0]!;
    const v = lossView(r1);
    expect(count(v.svg, 'g[data-mark="line"] path')).toBe(2);
    expect(count(v.svg, 'g[data-mark="dot"] circle')).toBe(21 * 2 + 1);
    expect(titles(v.svg)).toContain('best epoch fine-tune 18: validation loss 0.6790');
    expect(v.svg).toContain('>best<');
    const log = lossView(r1, 'log');
    expect(log.svg).not.toBe(v.svg);
    expect(log.svg).toContain('log scale');
    const m = metricView(r1);
    expect(count(m.svg, 'g[data-mark="dot"] circle')).toBe(21);
    expect(titles(m.svg)).toContain('epoch fine-tune 8: validation recall 1.0000');
  });

  it('marks epochs that collapsed to one class', () => {
    expect(detectCollapse({ recall: 0, precision: 0, errorRate: 0.509677 })).toBe('all-normal');
    expect(detectCollapse({ recall: 1, precision: 0.509677, errorRate: 0.490323 })).toBe('all-mi');
    // recall 1 but not every image called MI (run 1, fine-tune 8)
    expect(detectCollapse({ recall: 1, precision: 0.512987, errorRate: 0.483871 })).toBeUndefined();
    const r2 = curves[1]!;
    expect(collapseCount(r2)).toBe(
      logs.filter(
        (r) =>
          r.run === 2 &&
          ((r.recall === 0 && r.precision === 0) || (r.recall === 1 && Math.abs(r.errorRate - 1 + r.precision) < 1e-4)),
      ).length,
    );
    expect(collapseCount(r2)).toBeGreaterThan(10);
    const m = metricView(r2);
    expect(count(m.svg, 'g[data-mark="dot"] path')).toBe(collapseCount(r2));
    expect(titles(m.svg)).toContain('epoch fine-tune 4: collapsed, every image called Normal');
    expect(lossTable(r2).rows[4]).toMatchObject({ epoch: 'fine-tune 3', collapse: 'all MI' });
  });

  it('the table lists every epoch with the best one marked', () => {
    const t = lossTable(curves[0]!);
    expect(t.rows).toHaveLength(21);
    expect(t.rows.find((r) => String(r.epoch).endsWith('*'))).toMatchObject({
      epoch: 'fine-tune 18 *',
      val_loss: '0.679035',
    });
  });

  it('takes our training-run JSON too, and follows a changed value', () => {
    const run = loadTrainingRun(`${FX}/training/fixture-small.json`);
    const c = trainingRunCurve(run);
    expect(c.source).toBe('ours');
    expect(c.metricNames).toEqual(['Sensitivity', 'Specificity', 'AUROC']);
    const v = lossView(c);
    expect(count(v.svg, 'g[data-mark="dot"] circle')).toBe(run.epochs.length * 2 + 1);
    expect(count(metricView(c).svg, 'g[data-mark="line"] path')).toBe(3);
    const changed = structuredClone(run);
    changed.epochs[0]!.val_loss = 0.0123;
    const c2 = trainingRunCurve(changed);
    expect(bestPoint(c2).step).toBe(1);
    expect(titles(lossView(c2).svg)).toContain('best epoch 1: validation loss 0.0123');
  });
});

describe('sweep beside the study', () => {
  it('puts the study and our batch-size sweep on one chart', () => {
    const runs = loadTrainingRuns(`${FX}/training`, process.cwd(), 'sweep-bs-');
    const v = sweepView(loadStudyMetrics(STUDY_FILES.batchSize), runs, 'batch');
    // 7 study rows with their 4 published metrics, 2 runs with those 4 and the AUROC (ours only)
    expect(v.marks).toBe(7 * 4 + 2 * 5);
    expect(v.svg).toContain('batch 128');
    expect(v.table.rows.filter((r) => r.who === 'Ours')).toHaveLength(2);
    expect(count(v.svg, 'g[data-mark="dot"] path')).toBe(v.marks);
  });

  it('names our networks with their size and orders them after the study ResNets', () => {
    const runs = loadTrainingRuns(`${FX}/training`, process.cwd(), 'sweep-arch-');
    const pts = sweepPoints(loadStudyMetrics(STUDY_FILES.architecture), runs, 'architecture');
    const keys = [...new Set(pts.map((p) => p.key))];
    expect(keys).toContain('fixture-big · 1.20M');
    const a = sweepView(loadStudyMetrics(STUDY_FILES.architecture), runs, 'architecture');
    expect(a.svg).toContain('ResNet152');
    const svg = a.svg;
    expect(svg.indexOf('ResNet152')).toBeLessThan(svg.indexOf('fixture-small · 0.08M'));
    expect(svg.indexOf('fixture-small · 0.08M')).toBeLessThan(svg.indexOf('fixture-big · 1.20M'));
    // batch size read from config.train.batch_size
    expect(sweepPoints([], runs, 'batch').every((p) => p.key === 'batch 32')).toBe(true);
  });

  it("the batch chart includes the network's batch-32 run from the architecture phase, once", () => {
    const arch = loadTrainingRuns(`${FX}/training`, process.cwd(), 'sweep-arch-');
    const net = arch[0]!.config.model;
    // two batch-phase runs of the first network (at 16 and 64) and the architecture phase at 32
    const bs = loadTrainingRuns(`${FX}/training`, process.cwd(), 'sweep-bs-').map((r) => ({
      ...r,
      config: { ...r.config, model: net },
    }));
    const all = batchPhaseRuns(bs, arch);
    expect(all.slice(0, bs.length)).toEqual(bs);
    const extra = all.slice(bs.length);
    expect(extra.length).toBeGreaterThan(0);
    expect(extra.every((r) => JSON.stringify(r.config.model) === JSON.stringify(net) && batchSizeOf(r) === 32)).toBe(
      true,
    );
    // a network the batch phase did not use stays out
    expect(
      batchPhaseRuns(
        bs,
        arch.map((r) => ({ ...r, config: { ...r.config, model: { arch: 'other' } } })),
      ),
    ).toHaveLength(bs.length);
  });
});

describe('evaluation charts', () => {
  const e = loadEvalResult(`${FX}/eval/fixture-cnn.dataset2.json`);
  const w = loadEvalResult(`${FX}/eval/fixture-cnn-wide.dataset2.json`);
  const p = loadEvalResult(`${FX}/eval/fixture-cnn.photo.json`);

  it('ROC: a curve per model and an operating point at (1 - specificity, sensitivity)', () => {
    const v = rocView([e, w]);
    expect(count(v.svg, 'g[data-mark="line"] path')).toBe(3); // chance diagonal + 2 curves
    expect(
      titles(v.svg).some((t) => t.includes('operating point, threshold 0.500: sensitivity 69.0%, specificity 94.4%')),
    ).toBe(true);
    expect(v.legend[0]!.label).toContain('AUROC 0.901');
    expect(v.table.rows[0]).toMatchObject({ sensitivity: '69.0%' });
    expect(String(v.table.rows[0]!.auroc)).toMatch(/^0\.901 \(0\.\d{3}–0\.\d{3}\)$/);
  });

  it("the chapter's curves: shipped models and the digitiser on a shipped signal model, nothing else", () => {
    const named = (model: string) => ({ ...e, model });
    const got = shippedEvals(
      [named('heartnet'), named('sweep-bs-4'), named('digitise-signal-3x4r'), named('digitise-other'), named('old')],
      ['heartnet', 'signal-3x4r'],
    ).map((x) => x.model);
    expect(got).toEqual(['heartnet', 'digitise-signal-3x4r']);
  });

  it('ROC and PR: at most HOVER_POINTS_PER_CURVE tooltip points a curve, the line through every stored point', () => {
    const many = {
      ...e,
      roc: Array.from({ length: 200 }, (_, i) => ({ fpr: i / 199, tpr: Math.sqrt(i / 199), threshold: 1 - i / 199 })),
    };
    const v = rocView([many, w]);
    const tips = titles(v.svg).filter((t) => /\nthreshold [\d.]+: FPR /.test(t));
    expect(tips.filter((t) => t.startsWith(`${evalLabel(many)}\n`))).toHaveLength(HOVER_POINTS_PER_CURVE);
    expect(tips.filter((t) => t.startsWith(`${evalLabel(w)}\n`))).toHaveLength(
      Math.min(w.roc.length, HOVER_POINTS_PER_CURVE),
    );
    expect(tips.some((t) => t.includes('FPR 1.000, TPR 1.000'))).toBe(true); // the last point is kept
    // the curve's path still has a vertex per stored point (step-after: two per step)
    const path = svgDoc(v.svg).querySelectorAll('g[data-mark="line"] path');
    expect((path[1]!.getAttribute('d') ?? '').split(/[MLHV]/).length).toBeGreaterThan(200);
  });

  it("the curves' data table keeps at most TABLE_POINTS_PER_CURVE points a curve, the ends included", () => {
    const many = {
      ...e,
      roc: Array.from({ length: 200 }, (_, i) => ({ fpr: i / 199, tpr: i / 199, threshold: 1 - i / 199 })),
    };
    const t = curvePointsTable([many, w], 'roc');
    const rows = t.rows.filter((r) => r.model === t.rows[0]!.model);
    expect(rows).toHaveLength(TABLE_POINTS_PER_CURVE);
    expect(rows[0]).toMatchObject({ fpr: '0.000', tpr: '0.000' });
    expect(rows.at(-1)).toMatchObject({ fpr: '1.000', tpr: '1.000' });
    expect(t.rows.length).toBe(TABLE_POINTS_PER_CURVE + Math.min(w.roc.length, TABLE_POINTS_PER_CURVE));
  });

  it('no two series look alike: colour names the model, line pattern the style', () => {
    const evals = [e, w, p];
    const st = seriesStyles(evals);
    const keys = st.map((x) => `${x.color}|${x.dash}`);
    expect(new Set(keys).size).toBe(evals.length);
    expect(st[0]!.color).toBe(st[2]!.color); // same model, other style
    expect(st[0]!.dash).not.toBe(st[2]!.dash);
    // seven series of three models on three styles (the Results chapter's ROC chart) stay distinct too
    const many = ['a', 'b', 'c'].flatMap((model) =>
      ['dataset2', 'printout', 'photo'].map((style) => ({ ...e, model, style })),
    );
    expect(new Set(seriesStyles(many).map((x) => `${x.color}|${x.dash}`)).size).toBe(9);
    expect(new Set(rocView(many).legend.map((l) => `${l.color}|${String(l.dash)}`)).size).toBe(10); // + operating point
  });

  it('PR: operating point at (sensitivity, precision) and the prevalence line', () => {
    const v = prView([e]);
    expect(titles(v.svg).some((t) => t.includes('recall 69.0%, precision 81.6%'))).toBe(true);
    expect(count(v.svg, 'g[data-mark="rule"] line')).toBe(1);
  });

  it('confusion matrix shows counts and row rates, and follows the data', () => {
    const v = confusionView(e);
    expect(count(v.svg, 'g[data-mark="cell"] rect')).toBe(4);
    expect(v.svg).toContain('1,530');
    expect(v.svg).toContain('94.4%');
    expect(v.table.rows[0]).toMatchObject({ actual: 'MI', pred_mi: 400, pred_normal: 180, rate_mi: '69.0%' });
    const changed = structuredClone(e);
    changed.confusion = { tp: 500, fp: 90, tn: 1530, fn: 80 };
    expect(confusionView(changed).svg).toContain('86.2%');
  });

  it('calibration: a dot per non-empty bin and the diagonal', () => {
    const v = calibrationView([e, p]);
    expect(count(v.svg, 'g[data-mark="dot"] circle')).toBe(10);
    expect(v.table.rows).toHaveLength(10);
  });

  it('per-style metrics for every model', () => {
    const v = perStyleView([e, w, p]);
    expect(v.marks).toBe(3 * 4);
    expect(v.svg).toContain('photo');
    expect(v.legend.map((l) => l.label)).toEqual(['fixture-cnn', 'fixture-cnn-wide']);
  });
});

describe('results table', () => {
  it('puts the study, the all-Normal baselines and our models in one table, each block led by its baseline', () => {
    const logs = loadStudyLogs();
    const base = studyAllNormalAccuracy(logs)!;
    expect(base).toBeCloseTo(1 - 0.248454, 6);
    const evals = [
      loadEvalResult(`${FX}/eval/fixture-cnn.dataset2.json`),
      loadEvalResult(`${FX}/eval/fixture-cnn.photo.json`),
    ];
    const rows = resultsRows(loadStudyFinal(), evals, { studyFile: 'a', logsFile: 'b', studyBaseline: base });
    expect(rows.filter((r) => r.whose === 'Study (published)')).toHaveLength(4);
    expect(rows.filter((r) => r.whose === 'Ours')).toHaveLength(2);
    expect(rows.filter((r) => r.whose === 'Baseline')).toHaveLength(2);
    expect(rows.find((r) => r.model === 'HeartNet ResNet152, batch 16')).toMatchObject({
      accuracy: '90.0%',
      n: `≈${STUDY_VALID_N.toLocaleString('en-US')}`,
      split: 'random 80/20 (not patient-disjoint)',
    });
    expect(rows.find((r) => r.whose === 'Ours')).toMatchObject({
      n: '2,200',
      split: 'PTB-XL fold 10 (patient-disjoint)',
    });
    // two blocks, each starting with its baseline
    const groups = [...new Set(rows.map((r) => r.group))];
    expect(groups).toHaveLength(2);
    for (const g of groups) expect(rows.find((r) => r.group === g)!.whose).toBe('Baseline');
    expect(rows.filter((r) => r.whose === 'Baseline').at(-1)).toMatchObject({ accuracy: '73.6%' });
    expect(resultsTable(rows).groupBy).toBe('group');
  });
});

describe('render helpers', () => {
  it('rounds geometry attributes but not text', () => {
    expect(compactCoordinates('<path d="M1.23456,2.98765L3,4" /><text x="1.26">0.1742</text>')).toBe(
      '<path d="M1.2,3L3,4" /><text x="1.3">0.1742</text>',
    );
  });
});
