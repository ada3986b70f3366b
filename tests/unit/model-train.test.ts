import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkParity, loadModelFromDir } from '../../src/lib/model/node-io';

// The whole Python side (synthetic shards -> training -> TF.js export) regenerated and checked against TF.js.
const PY = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config patched freely by each test
function tmpConfig(patch: (c: Record<string, any>) => void): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'train-'));
  const c = JSON.parse(readFileSync('training/configs/fixture-tiny.json', 'utf8'));
  c.export.dir = join(dir, 'model');
  delete c.export.copy_to;
  patch(c);
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(c));
  return { file, dir };
}

describe.skipIf(!hasTorch)('training pipeline on synthetic shards', () => {
  it.each(['none', 'float16'])(
    'trains, exports (%s weights) and matches TF.js within 1e-4',
    async (q) => {
      const { file, dir } = tmpConfig((c) => {
        c.name = `test-${q}`;
        c.export.quantization = q;
        c.train.epochs = 1;
      });
      const r = spawnSync('npx', ['tsx', 'scripts/train.ts', '--config', file], { encoding: 'utf8' });
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/parity TF.js vs PyTorch on 3 inputs/);
      const { meta, model } = await loadModelFromDir(join(dir, 'model'));
      model.dispose();
      expect(meta.quantization).toBe(q);
      const log = JSON.parse(readFileSync(`build/training/test-${q}.json`, 'utf8'));
      expect(log.epochs).toHaveLength(1);
      expect(log.threshold).toBe(meta.threshold);
      expect((await checkParity(join(dir, 'model'))).maxDiff).toBeLessThan(1e-4);
    },
    120_000,
  );

  it('shades (shade, crumple) only the share of images asked for, within 0-255, reproducibly', () => {
    // a mid-grey plane with a black line: crumple both darkens (facets) and lightens (crease streaks), shade only
    // darkens; p = 0 leaves the batch untouched
    const code = `
import json, torch
from training.train import shade, crumple
x = torch.full((64, 1, 48, 64), 200.0); x[:, :, 24, :] = 0
out = {}
for name, f in (("shade", shade), ("crumple", crumple)):
    y = f(x, 0.5, torch.Generator().manual_seed(3))
    y2 = f(x, 0.5, torch.Generator().manual_seed(3))
    changed = (y != x).flatten(1).any(1)
    out[name] = dict(changed=int(changed.sum()), same=bool(torch.equal(y, y2)), lo=float(y.min()), hi=float(y.max()),
                     integral=bool(torch.equal(y, y.round())), darker=bool((y < x).any()), lighter=bool((y > x).any()),
                     untouched=bool(torch.equal(f(x, 0.0, torch.Generator().manual_seed(3)), x)))
print(json.dumps(out))`;
    const r = spawnSync(PY, ['-c', code], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as Record<string, Record<string, number | boolean>>;
    for (const name of ['shade', 'crumple']) {
      const v = o[name]!;
      expect(v.changed, name).toBeGreaterThan(16);
      expect(v.changed, name).toBeLessThan(48);
      expect([v.same, v.integral, v.darker, v.untouched], name).toEqual([true, true, true, true]);
      expect(v.lo, name).toBeGreaterThanOrEqual(0);
      expect(v.hi, name).toBeLessThanOrEqual(255);
    }
    expect(o.shade!.lighter).toBe(false);
    expect(o.crumple!.lighter).toBe(true);
  });

  it('continues from an earlier run ("init") and refuses a checkpoint that does not fit', () => {
    const train = (file: string) =>
      spawnSync('npx', ['tsx', 'scripts/train.ts', '--config', file], { encoding: 'utf8' });
    const base = tmpConfig((c) => {
      c.name = 'test-init-base';
      c.train.epochs = 1;
    });
    expect(train(base.file).status).toBe(0);
    const ckpt = readFileSync('training/checkpoints/test-init-base.pt');

    const next = tmpConfig((c) => {
      c.name = 'test-init-next';
      c.init = 'test-init-base';
      c.train.epochs = 1;
    });
    const r = train(next.file);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/starting from training\/checkpoints\/test-init-base.pt/);
    const log = JSON.parse(readFileSync('build/training/test-init-next.json', 'utf8'));
    expect(log.init.sha256).toBe(createHash('sha256').update(ckpt).digest('hex'));
    expect(log.init.log).toBe('build/training/test-init-base.json');

    // a wider network: the earlier run's logged architecture differs, so no weights are loaded
    const wider = tmpConfig((c) => {
      c.name = 'test-init-wider';
      c.init = 'test-init-base';
      c.model.widths = [8, 16];
    });
    const w = spawnSync(PY, ['-m', 'training.train', '--config', wider.file], { encoding: 'utf8' });
    expect(w.status).not.toBe(0);
    expect(w.stderr).toMatch(/config.init: test-init-base was trained with model/);

    // a run that was never trained here: refused before any rendering, with the command that makes it
    const missing = tmpConfig((c) => {
      c.name = 'test-init-missing';
      c.init = 'no-such-run';
    });
    const m = train(missing.file);
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/training\/checkpoints\/no-such-run.pt is missing; make it first with npm run train/);
    expect(m.stdout).not.toMatch(/export-images|training.train/);
  }, 240_000);

  it('stops on an unknown config key before anything runs (TS and Python)', () => {
    const { file } = tmpConfig((c) => {
      c.train.learning_rate = 0.1;
    });
    const r = spawnSync('npx', ['tsx', 'scripts/train.ts', '--config', file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/config.train: unknown key 'learning_rate'/);
    expect(r.stdout).not.toMatch(/training.train/);
    const p = spawnSync(PY, ['-m', 'training.train', '--config', file], { encoding: 'utf8' });
    expect(p.status).not.toBe(0);
    expect(p.stderr).toMatch(/config.train: unknown key 'learning_rate'/);
  });
});
