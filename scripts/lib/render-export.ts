/**
 * The pieces of `npm run export-images` that do not touch worker threads: choosing records, deriving seeds,
 * laying items out in shards, rendering one shard's bytes. Shared by the main script and its workers.
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabelledRecord } from '../../src/lib/ptbxl/database';
import { readRecord, recordFiles } from '../../src/lib/ptbxl/node';
import { exampleFromImages, planesForStyle } from '../../src/lib/model/example';
import type { InputSpec } from '../../src/lib/model/preprocess';
import {
  deriveSeed,
  RENDERER_VERSION,
  renderUprightTurns,
  renderWithInfo,
  RenderError,
  type StyleName,
} from '../../src/lib/render/index';
import { turnClockwise } from '../../src/lib/render/image';
import { encodePng } from '../../src/lib/render/png';
import { fnv1a, mix32, mulberry32 } from '../../src/lib/render/prng';
import type { FilterName } from '../../src/lib/signal/filters';

export const SHARD_FORMAT = 'heartnet-shards/1';
export const PNG_FORMAT = 'heartnet-png/1';

export interface ExportSettings {
  style: StyleName;
  folds: number[];
  out: string;
  variants: number;
  input: InputSpec;
  limit?: number;
  ids?: number[];
  /** Only records with ecg_id % m === k: a fixed pool that a small copy of PTB-XL can hold (GPU runs). */
  subset?: { k: number; m: number };
  balanced?: number;
  seed: number;
  png: boolean;
  workers: number;
  shardSize: number;
  scale: number;
  filters?: FilterName[];
  data: string;
  /** Turn each picture the way its camera turned it back (what the demo's sheet-upright step does when right). */
  upright?: boolean;
}

export interface PlanItem {
  ecg_id: number;
  fold: number;
  /** The study's label: 1 = MI, 0 = not MI. */
  label: 0 | 1;
  style: StyleName;
  seed: number;
  variant: number;
  shard: number;
  index: number;
  /** PNG mode only: files written for this item, relative to the output folder. */
  files?: string[];
}

export interface Plan {
  items: PlanItem[];
  shards: Array<{ file: string; count: number }>;
  planes: number;
}

/** Fisher-Yates shuffle with a seeded generator (returns a new array). */
function shuffled<T>(xs: readonly T[], seed: number, tag: string): T[] {
  const rng = mulberry32(mix32((seed >>> 0) ^ fnv1a(tag)));
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}

/**
 * Chooses the records: those in `folds` (and in `ids` if given, and in `--subset K/M`: ecg_id % M = K), then
 * `--balanced N` = N MI + N non-MI drawn
 * at random (seeded), then `--limit N` = a seeded random N of what is left. Result sorted by ecg_id.
 */
export function selectRecords(
  records: readonly LabelledRecord[],
  s: Pick<ExportSettings, 'folds' | 'ids' | 'subset' | 'balanced' | 'limit' | 'seed'>,
): LabelledRecord[] {
  const folds = new Set(s.folds);
  const ids = s.ids ? new Set(s.ids) : null;
  const sub = s.subset;
  let chosen = records.filter(
    (r) =>
      folds.has(r.stratFold) && (ids === null || ids.has(r.ecgId)) && (sub === undefined || r.ecgId % sub.m === sub.k),
  );
  chosen.sort((a, b) => a.ecgId - b.ecgId);
  if (ids !== null) {
    const have = new Set(chosen.map((r) => r.ecgId));
    const missing = [...ids].filter((id) => !have.has(id));
    if (missing.length > 0) {
      throw new RenderError(
        'bad-option',
        `--ids: ${missing.length} id(s) are not labelled records in folds ${s.folds.join(',')}: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ' ...' : ''}`,
      );
    }
  }
  if (s.balanced !== undefined) {
    const mi = chosen.filter((r) => r.mi);
    const non = chosen.filter((r) => !r.mi);
    if (mi.length < s.balanced || non.length < s.balanced) {
      throw new RenderError(
        'bad-option',
        `--balanced ${s.balanced}: the selection has only ${mi.length} MI and ${non.length} non-MI records`,
      );
    }
    chosen = [
      ...shuffled(mi, s.seed, 'balanced-mi').slice(0, s.balanced),
      ...shuffled(non, s.seed, 'balanced-non').slice(0, s.balanced),
    ];
    chosen.sort((a, b) => a.ecgId - b.ecgId);
  }
  if (s.limit !== undefined && s.limit < chosen.length) {
    chosen = shuffled(chosen, s.seed, 'limit').slice(0, s.limit);
    chosen.sort((a, b) => a.ecgId - b.ecgId);
  }
  return chosen;
}

/** The seed of one image: deriveSeed(ecg_id, variant, style), mixed with --seed when that is not 0. */
export function itemSeed(ecgId: number, variant: number, style: string, baseSeed: number): number {
  const d = deriveSeed(ecgId, variant, style);
  return baseSeed === 0 ? d : mix32((d ^ baseSeed) >>> 0);
}

/** Items (record x variant, ecg_id order) laid out in shards of `shardSize`. */
export function makePlan(records: readonly LabelledRecord[], s: ExportSettings): Plan {
  const items: PlanItem[] = [];
  for (const r of records) {
    for (let v = 0; v < s.variants; v++) {
      const k = items.length;
      items.push({
        ecg_id: r.ecgId,
        fold: r.stratFold,
        label: r.mi ? 1 : 0,
        style: s.style,
        seed: itemSeed(r.ecgId, v, s.style, s.seed),
        variant: v,
        shard: Math.floor(k / s.shardSize),
        index: k % s.shardSize,
      });
    }
  }
  const shards: Plan['shards'] = [];
  for (let k = 0; k * s.shardSize < items.length; k++) {
    shards.push({
      file: `shard-${String(k).padStart(5, '0')}.u8`,
      count: Math.min(s.shardSize, items.length - k * s.shardSize),
    });
  }
  if (s.png) {
    for (const it of items) {
      const base = `png/${String(it.ecg_id).padStart(5, '0')}-v${it.variant}`;
      it.files =
        s.style === 'dataset4'
          ? Array.from({ length: 12 }, (_, l) => `${base}-lead${String(l + 1).padStart(2, '0')}.png`)
          : [`${base}.png`];
    }
  }
  return { items, shards, planes: planesForStyle(s.style) };
}

/** Bytes per item in a shard. */
export function bytesPerItem(plan: Plan, input: InputSpec): number {
  return plan.planes * input.height * input.width;
}

/** Whether shard `k` is already complete on disk (shard file of the right size, or every PNG present). */
export function shardDone(plan: Plan, k: number, s: ExportSettings): boolean {
  if (s.png) {
    return plan.items
      .filter((it) => it.shard === k)
      .every((it) =>
        (it.files ?? []).every((f) => {
          const p = path.join(s.out, f);
          return existsSync(p) && statSync(p).size > 0;
        }),
      );
  }
  const sh = plan.shards[k];
  if (!sh) return false;
  const p = path.join(s.out, sh.file);
  return existsSync(p) && statSync(p).size === sh.count * bytesPerItem(plan, s.input);
}

/** Records of the plan whose .dat is missing from the data folder. */
export function missingRecords(plan: Plan, dataDir: string): number[] {
  const seen = new Set<number>();
  const missing: number[] = [];
  for (const it of plan.items) {
    if (seen.has(it.ecg_id)) continue;
    seen.add(it.ecg_id);
    if (!existsSync(recordFiles(dataDir, it.ecg_id).dat)) missing.push(it.ecg_id);
  }
  return missing;
}

/**
 * Renders one shard (all its items, in index order) and writes it atomically (tmp file + rename), or writes
 * its PNGs. `onItem` is called after each item (for progress).
 */
export async function renderShard(plan: Plan, k: number, s: ExportSettings, onItem: () => void): Promise<void> {
  const items = plan.items.filter((it) => it.shard === k).sort((a, b) => a.index - b.index);
  const per = bytesPerItem(plan, s.input);
  const buf = s.png ? null : new Uint8Array(items.length * per);
  for (const it of items) {
    const signals = await readRecord(s.data, it.ecg_id);
    const rendered = renderWithInfo(signals, {
      style: s.style,
      seed: it.seed,
      scale: s.scale,
      filters: s.filters,
      ecgId: it.ecg_id,
    });
    // --upright: the model then learns sheets the right way up, as the demo hands them over after its
    // sheet-upright step (src/lib/model/upright.ts); only wild photos are drawn turned
    const turns = s.upright ? renderUprightTurns(rendered.info) : 0;
    const images = turns === 0 ? rendered.images : rendered.images.map((img) => turnClockwise(img, turns));
    if (buf) {
      // the same function builds npm run eval's examples: dataset4's 12 lead images -> 12 planes
      buf.set(exampleFromImages(images, s.input, plan.planes, signals.leadNames), it.index * per);
    } else {
      mkdirSync(path.join(s.out, 'png'), { recursive: true });
      images.forEach((img, p) => {
        const f = path.join(s.out, (it.files ?? [])[p]!);
        writeFileSync(`${f}.tmp`, encodePng(img));
        renameSync(`${f}.tmp`, f);
      });
    }
    onItem();
  }
  if (buf) {
    const f = path.join(s.out, (plan.shards[k] as { file: string }).file);
    writeFileSync(`${f}.tmp`, buf);
    renameSync(`${f}.tmp`, f);
  }
}

/** The manifest for a finished export (the contract in docs/CONTRACTS.md, plus provenance). */
export function manifestOf(plan: Plan, s: ExportSettings, gitCommit: string | null): Record<string, unknown> {
  return {
    format: s.png ? PNG_FORMAT : SHARD_FORMAT,
    style: s.style,
    input: s.input,
    planes: plan.planes,
    count: plan.items.length,
    shards: s.png ? [] : plan.shards,
    items: plan.items,
    renderer: {
      name: 'heartnet-render',
      version: RENDERER_VERSION,
      scale: s.scale,
      filters: s.filters ?? 'style default',
      seed: s.seed,
      seeds: 'deriveSeed(ecg_id, variant, style) from src/lib/render/prng.ts, mixed with renderer.seed when non-zero',
      ...(s.upright ? { upright: "each picture turned back by its camera's quarter turns (uprightQuarterTurns)" } : {}),
    },
    selection: {
      folds: s.folds,
      variants: s.variants,
      balanced: s.balanced ?? null,
      limit: s.limit ?? null,
      ids: s.ids ?? null,
      ...(s.subset ? { subset: `${s.subset.k}/${s.subset.m}` } : {}),
    },
    git_commit: gitCommit,
  };
}

/** The part of the settings that must match for a resumed export to reuse finished shards. */
export function planKey(plan: Plan, s: ExportSettings): string {
  return JSON.stringify({
    v: RENDERER_VERSION,
    style: s.style,
    input: s.input,
    scale: s.scale,
    filters: s.filters ?? null,
    png: s.png,
    ...(s.upright ? { upright: true } : {}),
    shards: plan.shards,
    items: plan.items.map((it) => [it.ecg_id, it.variant, it.seed, it.shard, it.index]),
  });
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
