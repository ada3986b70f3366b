/**
 * Golden images: a few real PTB-XL records rendered in every style with a fixed seed must hash to the
 * checksums in tests/fixtures/render/golden.json. Regenerate after an intended change with
 *   UPDATE_GOLDEN=1 npx vitest run tests/unit/render-golden.test.ts
 * (and look at the new images first: `npm run render -- --id 1 --style printout --out /tmp/x.png`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecord, recordFiles, resolvePtbxlDir } from '../../src/lib/ptbxl/node';
import { renderToGoldenHash, STYLE_NAMES } from '../../src/lib/render/index';

const GOLDEN = path.resolve(__dirname, '../fixtures/render/golden.json');
const IDS = [1, 8, 21837, 9001];
const SEED = 7;
const dir = resolvePtbxlDir();
const available = IDS.filter((id) => existsSync(recordFiles(dir, id).dat));
const update = process.env.UPDATE_GOLDEN === '1';

type Golden = { seed: number; note: string; records: Record<string, Record<string, unknown>> };
const golden: Golden = existsSync(GOLDEN)
  ? (JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden)
  : { seed: SEED, note: '', records: {} };

describe('golden renders', () => {
  it('has the PTB-XL test records (run `npm run setup -- --test`)', () => {
    expect(available.length).toBeGreaterThanOrEqual(3);
  });
  for (const id of available) {
    it(`ecg_id ${id}: every style matches its checksum`, async () => {
      const signals = await readRecord(dir, id);
      const got: Record<string, unknown> = {};
      for (const style of STYLE_NAMES) {
        got[style] = renderToGoldenHash(signals, { style, seed: SEED, ecgId: id }).map(
          (h) => `${h.width}x${h.height}x${h.channels}:${h.sha256}`,
        );
      }
      if (update) {
        golden.records[String(id)] = got;
        return;
      }
      const want = golden.records[String(id)];
      expect(want, `no golden entry for ecg_id ${id}; run with UPDATE_GOLDEN=1`).toBeDefined();
      for (const style of STYLE_NAMES) expect({ style, hashes: got[style] }).toEqual({ style, hashes: want![style] });
    });
  }
  if (update) {
    it('writes golden.json', () => {
      golden.seed = SEED;
      golden.note =
        'sha256 of the pixel bytes of render(record, { style, seed, ecgId }) for PTB-XL records; regenerate with UPDATE_GOLDEN=1 npx vitest run tests/unit/render-golden.test.ts';
      const sorted: Golden['records'] = {};
      for (const k of Object.keys(golden.records).sort((a, b) => Number(a) - Number(b))) sorted[k] = golden.records[k]!;
      golden.records = sorted;
      writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 1).replace(/\[\n\s+("[^"]+")\n\s+\]/g, '[$1]')}\n`);
    });
  }
});
