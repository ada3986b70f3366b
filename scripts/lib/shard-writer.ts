/**
 * Writes placed items' planes into `heartnet-shards/1` shard files (docs/CONTRACTS.md): one `.u8` file per shard,
 * written to a temporary name and renamed, so a killed export leaves no half shard behind. Shared by the exporters
 * whose items are not plain renders of one style (export-gate, export-upright).
 */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface PlacedItem {
  shard: number;
  index: number;
}

/** A manifest item of those exporters: a record's render (or a non-EKG picture, `file`) with its label. */
export interface ShardItem extends PlacedItem {
  ecg_id: number;
  fold: number;
  label: 0 | 1;
  style: string;
  seed: number;
  variant: number;
  file?: string;
}

export async function writeShards<I extends PlacedItem>(
  out: string,
  placed: readonly I[],
  planeBytes: number,
  plane: (item: I) => Promise<Uint8Array> | Uint8Array,
  progress: (done: number, total: number, seconds: number) => void,
): Promise<Array<{ file: string; count: number }>> {
  const nShards = placed.reduce((m, it) => Math.max(m, it.shard + 1), 0);
  const shards: Array<{ file: string; count: number }> = [];
  const t0 = Date.now();
  for (let s = 0; s < nShards; s++) {
    const these = placed.filter((it) => it.shard === s);
    const buf = new Uint8Array(these.length * planeBytes);
    for (const it of these) {
      const p = await plane(it);
      if (p.length !== planeBytes) throw new Error(`item plane of ${p.length} bytes, expected ${planeBytes}`);
      buf.set(p, it.index * planeBytes);
    }
    const file = `shard-${String(s).padStart(5, '0')}.u8`;
    writeFileSync(path.join(out, `${file}.tmp`), buf);
    renameSync(path.join(out, `${file}.tmp`), path.join(out, file));
    shards.push({ file, count: these.length });
    progress(s + 1, nShards, (Date.now() - t0) / 1000);
  }
  return shards;
}
