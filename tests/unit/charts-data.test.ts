import { describe, expect, it } from 'vitest';
import {
  ChartDataError,
  STUDY_FILES,
  listEvalFiles,
  listJson,
  loadEvalResult,
  loadStudyDatasets,
  loadStudyFinal,
  loadStudyLogs,
  loadStudyMetrics,
  loadTrainingRun,
  loadTrainingRuns,
  parseEvalResult,
  parseStudyLogs,
  parseTrainingRun,
} from '../../src/lib/charts/data';
import { parseCsv } from '../../src/lib/charts/csv';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const FX = 'tests/fixtures/charts';

describe('csv', () => {
  it('handles quotes, doubled quotes, CRLF and blank lines', () => {
    expect(parseCsv('a,b\r\n"x, y","say ""hi"""\n\n1,2\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['1', '2'],
    ]);
  });
});

describe('study loaders (data/study)', () => {
  it('reads every published table', () => {
    expect(loadStudyMetrics(STUDY_FILES.architecture)).toHaveLength(5);
    expect(loadStudyMetrics(STUDY_FILES.batchSize)).toHaveLength(7);
    expect(loadStudyFinal()).toHaveLength(4);
    expect(loadStudyDatasets()).toHaveLength(3);
    const logs = loadStudyLogs();
    expect(new Set(logs.map((r) => r.run)).size).toBe(16);
    expect(logs[0]).toMatchObject({
      run: 1,
      section: 'Resnet Comparisons',
      label: 'Resnet18',
      phase: 'frozen',
      epoch: 0,
    });
  });

  it('keeps published values exactly', () => {
    const best = loadStudyFinal().find((r) => r.architecture === 'resnet152' && r.batchSize === 16)!;
    expect(best).toMatchObject({
      errorRate: 0.100069,
      recall: 0.710599,
      precision: 0.862416,
      f1: 0.779181,
      bestEpoch: 17,
    });
  });

  it('names the file, row and column of a bad number', () => {
    expect(() => loadStudyMetrics(`${FX}/invalid/bad-number.csv`)).toThrowError(
      /invalid\/bad-number\.csv: row 2 \(line 3\), column "error_rate": "abc" is not a number/,
    );
    expect(() => loadStudyMetrics(`${FX}/invalid/bad-number.csv`)).toThrowError(ChartDataError);
  });

  it('rejects a missing column and a rate outside [0, 1]', () => {
    expect(() => loadStudyMetrics(`${FX}/invalid/missing-column.csv`)).toThrowError(
      /missing-column\.csv: missing column "f1"/,
    );
    expect(() => loadStudyMetrics(`${FX}/invalid/out-of-range.csv`)).toThrowError(
      /out-of-range\.csv: row 1 \(line 2\), column "recall": 1\.8481 is outside \[0, 1\]/,
    );
  });

  it('rejects a wrong field count and an unknown phase', () => {
    const head = 'run,section,label,phase,epoch,train_loss,valid_loss,error_rate,recall,precision,f1,time\n';
    expect(() => parseStudyLogs(`${head}1,s,l,frozen,0,1,2,0.5,0,0,0\n`, 'logs.csv')).toThrowError(
      /logs\.csv: row 1 \(line 2\): expected 12 fields, found 11/,
    );
    expect(() => parseStudyLogs(`${head}1,s,l,thawed,0,1,2,0.5,0,0,0,00:11\n`, 'logs.csv')).toThrowError(
      /"thawed" is not frozen\|fine_tune/,
    );
  });

  it('reports a missing file by name', () => {
    expect(() => loadStudyMetrics('data/study/nope.csv')).toThrowError(/data\/study\/nope\.csv: file not found/);
  });
});

describe('training-run and eval loaders (fixtures)', () => {
  it('reads training runs and lists sweep files', () => {
    const runs = loadTrainingRuns(`${FX}/training`);
    expect(runs.map((r) => r.name)).toEqual([
      'fixture-small',
      'sweep-arch-fixture-big',
      'sweep-arch-fixture-small',
      'sweep-bs-fixture-16',
      'sweep-bs-fixture-64',
    ]);
    expect(runs[0]!.file).toBe(`${FX}/training/fixture-small.json`);
    expect(listJson(`${FX}/training`, process.cwd(), 'sweep-')).toHaveLength(4);
    expect(listJson(`${FX}/training`, process.cwd(), 'sweep-bs-')).toHaveLength(2);
    expect(listJson('tests/fixtures/charts/does-not-exist')).toEqual([]);
  });

  it('reads the shape training/train.py writes (nested config, model_info, null git_commit)', () => {
    const run = loadTrainingRun(`${FX}/training/sweep-arch-fixture-big.json`);
    expect(run.params).toBe(1203456);
    expect(run.git_commit).toBe('unknown');
    expect(run.threshold).toBe(0.4213);
  });

  it('picks the test-fold evaluation files: full over subset runs, no fold-9 files', () => {
    expect(listEvalFiles(`${FX}/eval-select`)).toEqual([
      `${FX}/eval-select/m.photo.json`,
      `${FX}/eval-select/m.printout-n400.json`,
    ]);
    expect(listEvalFiles(`${FX}/eval`)).toHaveLength(3);
  });

  it('keeps the sweep runs out of the default list and lists them on their own', () => {
    expect(listEvalFiles(`${FX}/eval-select`).some((f) => f.includes('sweep-'))).toBe(false);
    expect(listEvalFiles(`${FX}/eval-select`, process.cwd(), 'sweep')).toEqual([
      `${FX}/eval-select/sweep-bs-8.dataset2.json`,
    ]);
  });

  it('names the file and epoch of a bad training row', () => {
    const good = JSON.parse(readFileSync(`${FX}/training/fixture-small.json`, 'utf8'));
    const bad = structuredClone(good);
    bad.epochs[3].val_loss = 'NaN';
    expect(() => parseTrainingRun(bad, 'data/training/x.json')).toThrowError(
      /data\/training\/x\.json: epochs\[3\]: "val_loss" must be a finite number/,
    );
    const bad2 = structuredClone(good);
    bad2.epochs[2].val_sensitivity = 1.2;
    expect(() => parseTrainingRun(bad2, 'x.json')).toThrowError(
      /epochs\[2\]: "val_sensitivity" = 1\.2 is outside \[0, 1\]/,
    );
    const bad3 = structuredClone(good);
    bad3.best_epoch = 99;
    expect(() => parseTrainingRun(bad3, 'x.json')).toThrowError(/best_epoch 99 is not one of the epochs/);
    const bad4 = structuredClone(good);
    bad4.epochs[1].val_auroc_readouts = 1.5;
    expect(() => parseTrainingRun(bad4, 'x.json')).toThrowError(/epochs\[1\]: "val_auroc_readouts" = 1\.5 is outside/);
    bad4.epochs[1].val_auroc_readouts = 0.75;
    expect(parseTrainingRun(bad4, 'x.json').epochs[1]!.val_auroc_readouts).toBe(0.75);
    expect(parseTrainingRun(good, 'x.json').epochs[1]!.val_auroc_readouts).toBeUndefined();
    expect(() => loadTrainingRun(`${FX}/training/fixture-small.json`)).not.toThrow();
    // trained on a rented GPU and exported here: the fold-9 AUROC recomputed here is kept beside the epochs
    expect(parseTrainingRun(good, 'x.json').scoredElsewhere).toBeUndefined();
    const gpu = {
      ...structuredClone(good),
      fold9_at_run: { threshold: 0.4 },
      val_metrics_at_threshold: { auroc: 0.846 },
    };
    expect(parseTrainingRun(gpu, 'x.json').scoredElsewhere).toEqual({ homeAuroc: 0.846 });
    expect(() => parseTrainingRun({ ...gpu, val_metrics_at_threshold: {} }, 'x.json')).toThrowError(
      /val_metrics_at_threshold: "auroc" must be a finite number/,
    );
  });

  it('validates evaluations, including the confusion total', () => {
    const e = loadEvalResult(`${FX}/eval/fixture-cnn.dataset2.json`);
    expect(e).toMatchObject({ model: 'fixture-cnn', style: 'dataset2', n: 2200 });
    const bad = structuredClone({ ...e, file: undefined });
    bad.confusion.tp += 1;
    expect(() => parseEvalResult(bad, 'data/eval/m.dataset2.json')).toThrowError(
      /data\/eval\/m\.dataset2\.json: confusion: tp\+fp\+tn\+fn = 2201 but n = 2200/,
    );
    const bad2 = structuredClone({ ...e, file: undefined });
    (bad2.roc[2] as unknown as Record<string, unknown>).tpr = -0.1;
    expect(() => parseEvalResult(bad2, 'e.json')).toThrowError(/e\.json: roc\[2\]: "tpr" = -0\.1 is outside \[0, 1\]/);
  });

  it('refuses an evaluation file whose name names another model or style', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eval-name-'));
    try {
      const wrong = path.join(dir, 'fixture-cnn-wide.dataset2.json');
      copyFileSync(`${FX}/eval/fixture-cnn.dataset2.json`, wrong);
      expect(() => loadEvalResult(wrong)).toThrowError(
        /holds model "fixture-cnn" on style "dataset2" but its name says "fixture-cnn-wide" on "dataset2"/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
