import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkParity } from '../../src/lib/model/node-io';
import { resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import { parseDat, parseHeader } from '../../src/lib/ptbxl/wfdb';

// The route of an image model trained on a rented GPU (training/README.md, "Image models on a GPU"): the records
// packed to travel, the init rebuilt from a TF.js export, the plan cut to what was rendered, and the export made
// at home from a --no-export run.
const PY = process.env.HEARTNET_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
const py = (args: string[]) => spawnSync(PY, args, { encoding: 'utf8' });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a config patched freely by each test
function tmpConfig(name: string, patch: (c: Record<string, any>) => void = () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-image-'));
  const c = JSON.parse(readFileSync('training/configs/fixture-tiny.json', 'utf8'));
  c.name = name;
  // synthetic shards of this file's own (made on first use): test files run at once, and two making the same
  // folder together would race
  c.data.train[0].dir = 'build/shards/synth-gpu-48x64-train';
  c.data.val[0].dir = 'build/shards/synth-gpu-48x64-val';
  c.export.dir = join(dir, 'model');
  delete c.export.copy_to;
  c.train.epochs = 1;
  patch(c);
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(c));
  return { file, dir, config: c };
}

describe.skipIf(!hasTorch)('GPU image route', () => {
  it('rebuilds a PyTorch checkpoint from a TF.js export that gives its logits, and refuses another network', () => {
    const base = tmpConfig('test-tfjs-init');
    const t = spawnSync('npx', ['tsx', 'scripts/train.ts', '--config', base.file], { encoding: 'utf8' });
    expect(t.status, t.stderr + t.stdout).toBe(0);
    const out = join(base.dir, 'init.pt');
    const cal = base.config.data.train[0].dir as string;
    const r = py(
      ['-m', 'training.tfjs_init', join(base.dir, 'model'), '--config', base.file, '--calibrate', cal].concat([
        '--out',
        out,
      ]),
    );
    expect(r.status, r.stderr).toBe(0);
    const note = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(note.parity_max_abs_logit_diff).toBeLessThan(1e-4);
    expect(note.calibration.dir).toBe(cal);
    // the rebuilt model in training mode on its calibration images stays near the export (BatchNorm calibrated)
    const code = `
import json, sys, numpy as np, torch
from training import config as C, models as M
from training.shards import open_shards
run = C.with_defaults(C.load(sys.argv[1]))
m = M.build(run["model"], 1); m.load_state_dict(torch.load(sys.argv[2]))
x = torch.from_numpy(open_shards(sys.argv[3]).gather(np.arange(64)).astype(np.float32))
with torch.no_grad():
    ev = m.eval()(x); tr = m.train()(x)
print(json.dumps(float((ev - tr).abs().max() / (ev.abs().max() + 1e-6))))`;
    const g = py(['-c', code, base.file, out, cal]);
    expect(g.status, g.stderr).toBe(0);
    expect(Number(g.stdout)).toBeLessThan(0.05);

    const wider = tmpConfig('test-tfjs-init-wider', (c) => {
      c.model.widths = [8, 16];
    });
    const w = py(
      ['-m', 'training.tfjs_init', join(base.dir, 'model'), '--config', wider.file, '--calibrate', cal].concat([
        '--out',
        join(wider.dir, 'x.pt'),
      ]),
    );
    expect(w.status).toBe(1);
    expect(w.stderr).toMatch(/do not match this config's model/);
  }, 240_000);

  it('trains with --no-export, exports later with --export-only (TF.js parity), refuses another checkpoint', async () => {
    const { file, dir } = tmpConfig('test-export-only');
    // synthetic shards: scripts/train.ts makes them when missing (and trains once, which does no harm)
    expect(spawnSync('npx', ['tsx', 'scripts/train.ts', '--config', file], { encoding: 'utf8' }).status).toBe(0);
    const a = py(['-m', 'training.train', '--config', file, '--no-export']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/export deferred/);
    const logFile = 'build/training/test-export-only.json';
    expect(JSON.parse(readFileSync(logFile, 'utf8')).export.deferred).toBe(true);

    const b = py(['-m', 'training.train', '--config', file, '--export-only']);
    expect(b.status, b.stderr).toBe(0);
    const log = JSON.parse(readFileSync(logFile, 'utf8'));
    expect(log.export.dir).toBe(join(dir, 'model'));
    expect(log.fold9_at_run.threshold).toBeCloseTo(log.threshold, 6);
    expect((await checkParity(join(dir, 'model'))).maxDiff).toBeLessThan(1e-4);

    // training.compare_val scores the checkpoint on the config's fold-9 sets: the AUROC the export computed
    const cmp = py(['-m', 'training.compare_val', '--config', file, '--network', file, 'test-export-only']);
    expect(cmp.status, cmp.stderr).toBe(0);
    const m = /^test-export-only: fold 9 \((\d+) images\) AUROC (\d\.\d{4});/.exec(cmp.stdout);
    expect(m, cmp.stdout).not.toBeNull();
    expect(Number(m![1])).toBe(log.data.val_n);
    expect(Number(m![2])).toBeCloseTo(log.val_metrics_at_threshold.auroc, 3);

    // a second export is refused (the log is no longer a deferred run), as is a checkpoint the run did not write
    expect(py(['-m', 'training.train', '--config', file, '--export-only']).stderr).toMatch(/not a --no-export run/);
    py(['-m', 'training.train', '--config', file, '--no-export']);
    writeFileSync('training/checkpoints/test-export-only.pt', 'not this run');
    const c = py(['-m', 'training.train', '--config', file, '--export-only']);
    expect(c.status).not.toBe(0);
    expect(c.stderr).toMatch(/sha256 .* the log recorded/);
  }, 240_000);

  it('plans rounds of shard sets, keeps the finished ones in plan order, sets the epochs from the time left', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-plan-'));
    const plan = join(dir, 'plan.json');
    const p = py(
      ['-m', 'training.gpu_image', 'plan', plan, '--base', 'training/configs/heartnet-wild-2.json'].concat([
        '--name',
        'test-plan',
        '--rounds',
        '2',
        '--scale',
        '0.5',
      ]),
    );
    expect(p.status, p.stderr).toBe(0);
    const cfg = JSON.parse(readFileSync(plan, 'utf8'));
    expect(cfg.init).toBe('heartnet-wild-2');
    expect(cfg.data.train).toHaveLength(16);
    expect(cfg.data.train[0]).toMatchObject({ style: 'wild-printout', subset: '0/3', limit: 256, seed: 1000 });
    expect(new Set(cfg.data.train.map((s: { seed: number }) => s.seed)).size).toBe(16);
    const jobs = py(['-m', 'training.gpu_image', 'jobs', plan, '--runner', 'node x.mjs', '--data', 'D']);
    const lines = jobs.stdout.trim().split('\n');
    expect(lines).toHaveLength(16 + cfg.data.val.length);
    expect(lines[0]).toMatch(/^node x.mjs --style wild-photo --folds 9 .* --limit 700 --data D --workers 0/);
    expect(lines.at(-1)).toMatch(/--subset 0\/3 --limit 128 --seed 1015/);
    // --val-ids pins each validation set to the records its manifest holds at home (and only the validation sets)
    const ids = join(dir, 'val-sets.json');
    writeFileSync(
      ids,
      JSON.stringify(Object.fromEntries(cfg.data.val.map((v: { dir: string }, k: number) => [v.dir, [k + 1, 9001]]))),
    );
    const pinned = py(['-m', 'training.gpu_image', 'jobs', plan, '--runner', 'x', '--val-ids', ids]);
    expect(pinned.status, pinned.stderr).toBe(0);
    const pl = pinned.stdout.trim().split('\n');
    expect(pl[0]).toMatch(/ --ids 1,9001$/);
    expect(pl[1]).toMatch(/ --ids 2,9001$/);
    expect(pl.slice(cfg.data.val.length).some((l: string) => l.includes('--ids'))).toBe(false);
    writeFileSync(ids, JSON.stringify({}));
    const unpinned = py(['-m', 'training.gpu_image', 'jobs', plan, '--runner', 'x', '--val-ids', ids]);
    expect(unpinned.status).not.toBe(0);
    expect(unpinned.stderr).toMatch(/names no records for the validation set/);

    // --upright: wild photos (the one style drawn turned) are exported turned back, training and validation
    const up = join(dir, 'plan-upright.json');
    const pu = py(
      ['-m', 'training.gpu_image', 'plan', up, '--base', 'training/configs/heartnet-wild-2.json'].concat([
        '--name',
        'test-up',
        '--rounds',
        '1',
        '--subset',
        '1/3',
        '--upright',
      ]),
    );
    expect(pu.status, pu.stderr).toBe(0);
    const ucfg = JSON.parse(readFileSync(up, 'utf8'));
    for (const s of [...ucfg.data.train, ...ucfg.data.val]) {
      expect(s.upright === true, s.dir).toBe(s.style === 'wild-photo');
    }
    expect(ucfg.data.val.find((v: { style: string }) => v.style === 'wild-photo').dir).toMatch(/-upright$/);
    expect(ucfg.data.train[1]).toMatchObject({ style: 'wild-photo', subset: '1/3', upright: true });
    const ujobs = py(['-m', 'training.gpu_image', 'jobs', up, '--runner', 'x']).stdout.trim().split('\n');
    expect(ujobs.filter((l: string) => l.includes(' --upright')).length).toBe(3); // fold-9 set + 2 of a round

    // sets 0-2 and 4 finished, 3 did not: only 0-2 are kept (a cut at any point keeps the rounds' proportions)
    const at = (s: { dir: string }) => join(dir, s.dir);
    for (const s of [...cfg.data.val, ...cfg.data.train]) s.dir = at(s);
    writeFileSync(plan, JSON.stringify(cfg));
    const done = (s: { dir: string }, count: number) => {
      mkdirSync(s.dir, { recursive: true });
      writeFileSync(join(s.dir, 'manifest.json'), JSON.stringify({ count }));
    };
    const eff = join(dir, 'eff.json');
    const effective = () =>
      py(['-m', 'training.gpu_image', 'effective', plan, eff, '--seconds', '100', '--rate', '30']);
    for (const k of [0, 1, 2, 4]) done(cfg.data.train[k], 500);
    const missingVal = effective();
    expect(missingVal.status).toBe(1);
    expect(missingVal.stderr).toMatch(/validation sets not rendered/);
    for (const v of cfg.data.val) done(v, 100);
    expect(effective().status).toBe(0);
    const e = JSON.parse(readFileSync(eff, 'utf8'));
    expect(e.data.train.map((s: { seed: number }) => s.seed)).toEqual([1000, 1001, 1002]);
    expect(e.train.epochs).toBe(2); // floor(100 s x 30 images/s / 1500 images)
    expect(e.train.max_minutes).toBeCloseTo(100 / 60, 2);
  });

  it('packs records to travel and unpacks them as WFDB files our reader accepts, within 6.5 uV', async () => {
    const data = resolvePtbxlDir();
    const recordsDir = join(data, 'records100');
    const ids = (existsSync(recordsDir) ? readdirSync(recordsDir) : [])
      .flatMap((d) => readdirSync(join(recordsDir, d)))
      .filter((f) => f.endsWith('_lr.dat'))
      .map((f) => Number(f.slice(0, 5)))
      .sort((x, y) => x - y)
      .slice(0, 4);
    expect(ids.length, `the PTB-XL sample in ${data} (npm run setup)`).toBe(4);
    const where = (id: number) => join('records100', String(Math.floor(id / 1000) * 1000).padStart(5, '0'));
    const dir = mkdtempSync(join(tmpdir(), 'record-pack-'));
    writeFileSync(join(dir, 'ids.json'), JSON.stringify(ids));
    // no record of fold 1 has ecg_id % 100000 = 99999: only the listed ids are packed
    const pk = py(
      ['-m', 'training.record_pack', 'pack', data, join(dir, 'p'), '--folds', '1'].concat([
        '--subset',
        '99999/100000',
        '--ids-file',
        join(dir, 'ids.json'),
      ]),
    );
    expect(pk.status, pk.stderr).toBe(0);
    const up = py(['-m', 'training.record_pack', 'unpack', join(dir, 'p'), join(dir, 'u')]);
    expect(up.status, up.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'u', 'TRANSPORT.json'), 'utf8')).records).toBe(ids.length);
    for (const id of ids) {
      const name = `${String(id).padStart(5, '0')}_lr`;
      const read = (root: string) => {
        const base = join(root, where(id), name);
        const hea = parseHeader(readFileSync(`${base}.hea`, 'utf8'), `${name}.hea`);
        return parseDat(readFileSync(`${base}.dat`), hea, `${name}.dat`).leads;
      };
      const orig = read(data);
      const back = read(join(dir, 'u')); // checksums and initial values of the header hold
      orig.forEach((lead, l) => {
        let worst = 0;
        for (let i = 0; i < lead.length; i++) worst = Math.max(worst, Math.abs(lead[i]! - back[l]![i]!));
        // 2.5 uV of rounding on each kept lead; a derived lead adds two of those, PTB-XL's own 1.5 uV and 0.5
        expect(worst, `record ${id} lead ${l}`).toBeLessThanOrEqual(0.0065); // mV
      });
    }
    const bad = py(['-m', 'training.record_pack', 'pack', data, join(dir, 'q'), '--subset', '3/2']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--subset must be K\/M/);
  });
});
