import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { atThreshold, auroc, chooseThreshold } from '../../src/lib/model/metrics';

// One definition of the metrics in two languages: training/metrics.py (training logs, model metadata) and
// src/lib/model/metrics.ts (eval, browser). The fixture holds fixed predictions and the Python figures.
const FIXTURE = 'tests/fixtures/model/metrics-fixture.json';
interface PyOut {
  auroc: number;
  youden: number;
  sens85: number;
  at: Array<Record<string, number>>;
}
const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
  labels: number[];
  scores: number[];
  thresholds: number[];
  python: PyOut;
};

function compare(py: PyOut) {
  expect(auroc(fx.labels, fx.scores)).toBeCloseTo(py.auroc, 12);
  expect(chooseThreshold(fx.labels, fx.scores, 'youden')).toBe(py.youden);
  expect(chooseThreshold(fx.labels, fx.scores, 'sensitivity', 0.85)).toBe(py.sens85);
  fx.thresholds.forEach((t, i) => {
    const ts = atThreshold(fx.labels, fx.scores, t);
    const p = py.at[i]!;
    for (const k of ['tp', 'fp', 'tn', 'fn'] as const) expect(ts[k]).toBe(p[k]);
    for (const k of ['sensitivity', 'specificity', 'precision', 'f1', 'accuracy'] as const)
      expect(ts[k]).toBeCloseTo(p[k]!, 12);
  });
}

describe('Python and TypeScript metrics agree', () => {
  it('on the recorded Python figures', () => {
    expect(fx.scores.length).toBeGreaterThan(100);
    expect(new Set(fx.scores).size).toBeLessThan(fx.scores.length); // ties are exercised
    compare(fx.python);
  });

  const py = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';
  const hasNumpy = existsSync(py) && spawnSync(py, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasNumpy)('on figures computed now by training/metrics.py', () => {
    const r = spawnSync(py, ['-m', 'training.metrics', FIXTURE], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    compare(JSON.parse(r.stdout) as PyOut);
  });
});
