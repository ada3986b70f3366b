/**
 * The sheet-upright model's training data (scripts/export-upright.ts): every picture comes in its four quarter
 * turns, exactly one of them labelled upright, and that one is the picture the renderer drew turned by the
 * camera's own orientation label (a wild photo may be drawn sideways or upside down).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { preprocess, type InputSpec } from '../../src/lib/model/preprocess';
import { readRecord, resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import { turnClockwise } from '../../src/lib/render/image';
import { renderWithInfo, type StyleName } from '../../src/lib/render/index';
import { encodePng } from '../../src/lib/render/png';
import { uprightQuarterTurns } from '../../src/lib/render/wild/camera';

interface Item {
  ecg_id: number;
  fold: number;
  label: number;
  style: string;
  seed: number;
  variant: number;
  upright_turns: number;
  shard: number;
  index: number;
}

const out = mkdtempSync(path.join(tmpdir(), 'upright-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('export-upright', () => {
  it('writes each picture in four quarter turns, the upright one labelled 1', () => {
    const r = spawnSync(
      'npx',
      ['tsx', 'scripts/export-upright.ts', '--split', 'val', '--pictures', '1', '--shard-size', '8', '--out', out],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const dir = path.join(out, 'val');
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      style: string;
      task: string;
      input: InputSpec;
      count: number;
      shards: Array<{ file: string; count: number }>;
      items: Item[];
    };
    expect(m.style).toBe('sheet-upright');
    expect(m.count).toBe(24); // six styles, one fold-9 picture each, four turns
    expect(m.shards.map((s) => s.count)).toEqual([8, 8, 8]);
    const per = m.input.height * m.input.width;
    for (const s of m.shards) expect(readFileSync(path.join(dir, s.file)).length).toBe(s.count * per);
    const groups = new Map<string, Item[]>();
    for (const it of m.items) {
      expect(it.fold).toBe(9);
      const k = `${it.style}/${it.ecg_id}`;
      groups.set(k, [...(groups.get(k) ?? []), it]);
    }
    expect(groups.size).toBe(6);
    for (const [k, items] of groups) {
      expect(items.map((it) => it.variant).sort(), k).toEqual([0, 1, 2, 3]);
      const ups = items.filter((it) => it.label === 1);
      expect(ups, k).toHaveLength(1);
      expect(ups[0]!.variant, k).toBe(ups[0]!.upright_turns);
      if (!k.startsWith('wild-photo')) expect(ups[0]!.upright_turns, k).toBe(0);
    }
  });

  it("the upright item's plane is the render turned by the camera's own label", async () => {
    const dir = path.join(out, 'val');
    const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      input: InputSpec;
      shards: Array<{ file: string }>;
      items: Item[];
    };
    const it = m.items.find((x) => x.style === 'wild-photo' && x.label === 1)!;
    const sig = await readRecord(resolvePtbxlDir(), it.ecg_id);
    const { images, info } = renderWithInfo(sig, { style: it.style as StyleName, seed: it.seed, ecgId: it.ecg_id });
    expect(uprightQuarterTurns(info.wild!.camera!)).toBe(it.upright_turns);
    const want = preprocess(turnClockwise(images[0]!, it.upright_turns), m.input);
    const per = m.input.height * m.input.width;
    const got = readFileSync(path.join(dir, m.shards[it.shard]!.file)).subarray(it.index * per, (it.index + 1) * per);
    expect(Buffer.compare(Buffer.from(want), got)).toBe(0);
  });

  it('--negatives: a non-EKG picture in four turns, as it is and photographed, none of them upright', () => {
    // two pictures of gate_negatives.py's layout: one in the val split (exported), one in train (left out)
    const neg = path.join(out, 'negatives');
    mkdirSync(neg, { recursive: true });
    const w = 120;
    const h = 90;
    const lines = new Uint8ClampedArray(w * h * 4).map((_, i) =>
      i % 4 === 3 ? 255 : Math.floor(i / 4 / w) % 9 < 2 ? 30 : 240,
    );
    writeFileSync(path.join(neg, 'text.png'), encodePng({ width: w, height: h, channels: 4, data: lines }));
    writeFileSync(path.join(neg, 'other.png'), encodePng({ width: w, height: h, channels: 4, data: lines }));
    writeFileSync(
      path.join(neg, 'negatives.json'),
      JSON.stringify({
        items: [
          { file: 'other.png', source: 'graph-paper', kind: 'drawn', split: 'train' },
          { file: 'text.png', source: 'text-page', kind: 'drawn', split: 'val' },
        ],
      }),
    );
    const r = spawnSync(
      'npx',
      ['tsx', 'scripts/export-upright.ts', '--split', 'val', '--negatives', neg, '--shard-size', '8', '--out', out],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(path.join(out, 'val-negatives', 'manifest.json'), 'utf8')) as { items: Item[] };
    // the val picture only (its id is its place in negatives.json), two forms, four turns each
    expect(m.items).toHaveLength(8);
    for (const it of m.items) expect(it).toMatchObject({ ecg_id: 10_000_001, fold: 9, style: 'picture', label: 0 });
    expect(m.items.map((it) => it.variant).sort()).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });
});
