"""Read the image shards written by `npm run export-images` (format heartnet-shards/1, docs/CONTRACTS.md).

Each shard is raw uint8 `count x planes x H x W`; we memory-map them and gather batches by index, so a
dataset of any size costs only page cache."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

import numpy as np

FORMAT = "heartnet-shards/1"


class ShardError(Exception):
    pass


def label_to_int(v, where: str) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)) and v in (0, 1):
        return int(v)
    if isinstance(v, str) and v.lower() in ("mi", "normal"):
        return 1 if v.lower() == "mi" else 0
    raise ShardError(f"{where}: label {v!r} is not 0/1/true/false/'MI'/'Normal'")


@dataclass
class ShardSet:
    """One exported directory: manifest + memory-mapped shards."""

    dir: str
    manifest: dict
    planes: int
    height: int
    width: int
    maps: list = field(default_factory=list)
    shard_of: np.ndarray | None = None
    index_of: np.ndarray | None = None
    labels: np.ndarray | None = None
    folds: np.ndarray | None = None
    ecg_ids: np.ndarray | None = None

    @property
    def n(self) -> int:
        return 0 if self.labels is None else int(self.labels.shape[0])

    def gather(self, idx: np.ndarray) -> np.ndarray:
        """uint8 array (len(idx), planes, H, W)."""
        out = np.empty((len(idx), self.planes, self.height, self.width), dtype=np.uint8)
        for j, i in enumerate(idx):
            out[j] = self.maps[self.shard_of[i]][self.index_of[i]]
        return out


def open_shards(d: str, folds: set[int] | None = None) -> ShardSet:
    mpath = os.path.join(d, "manifest.json")
    if not os.path.exists(mpath):
        raise ShardError(f"{mpath}: no manifest (run `npm run export-images` first)")
    with open(mpath) as f:
        m = json.load(f)
    if m.get("format") != FORMAT:
        raise ShardError(f"{mpath}: format {m.get('format')!r}, expected {FORMAT!r}")
    inp = m["input"]
    h, w, planes = int(inp["height"]), int(inp["width"]), int(m.get("planes", 1))
    per = planes * h * w
    maps = []
    for k, s in enumerate(m["shards"]):
        p = os.path.join(d, s["file"])
        if not os.path.exists(p):
            raise ShardError(f"{p}: missing shard listed in manifest")
        size = os.path.getsize(p)
        if size != s["count"] * per:
            raise ShardError(f"{p}: {size} bytes, manifest says {s['count']} x {planes}x{h}x{w} = {s['count'] * per}")
        maps.append(np.memmap(p, dtype=np.uint8, mode="r", shape=(s["count"], planes, h, w)))
    items = m["items"]
    if len(items) != m["count"]:
        raise ShardError(f"{mpath}: count {m['count']} but {len(items)} items")
    shard_of, index_of, labels, fl, ids = [], [], [], [], []
    for it in items:
        if folds is not None and int(it["fold"]) not in folds:
            continue
        if not (0 <= it["shard"] < len(maps)) or not (0 <= it["index"] < m["shards"][it["shard"]]["count"]):
            raise ShardError(f"{mpath}: item ecg_id {it['ecg_id']} points outside the shards")
        shard_of.append(it["shard"])
        index_of.append(it["index"])
        labels.append(label_to_int(it["label"], f"{mpath} ecg_id {it['ecg_id']}"))
        fl.append(int(it["fold"]))
        ids.append(int(it["ecg_id"]))
    return ShardSet(d, m, planes, h, w, maps, np.array(shard_of, dtype=np.int64), np.array(index_of, dtype=np.int64),
                    np.array(labels, dtype=np.int64), np.array(fl, dtype=np.int64), np.array(ids, dtype=np.int64))


class MultiShards:
    """Several ShardSets (e.g. a mixture of styles) seen as one dataset with a global index."""

    def __init__(self, sets: list[ShardSet]):
        if not sets:
            raise ShardError("no shard directories given")
        s0 = sets[0]
        for s in sets[1:]:
            if (s.planes, s.height, s.width) != (s0.planes, s0.height, s0.width):
                raise ShardError(f"{s.dir}: input {s.planes}x{s.height}x{s.width} differs from {s0.dir}")
        self.sets = sets
        self.planes, self.height, self.width = s0.planes, s0.height, s0.width
        self.offsets = np.cumsum([0] + [s.n for s in sets])
        self.labels = np.concatenate([s.labels for s in sets])
        self.folds = np.concatenate([s.folds for s in sets])
        self.ecg_ids = np.concatenate([s.ecg_ids for s in sets])

    @property
    def n(self) -> int:
        return int(self.offsets[-1])

    def gather(self, idx: np.ndarray) -> np.ndarray:
        out = np.empty((len(idx), self.planes, self.height, self.width), dtype=np.uint8)
        which = np.searchsorted(self.offsets, idx, side="right") - 1
        for k, s in enumerate(self.sets):
            sel = np.nonzero(which == k)[0]
            if len(sel):
                out[sel] = s.gather(idx[sel] - self.offsets[k])
        return out


def write_shards(d: str, images: np.ndarray, items: list[dict], style: str, per_shard: int = 512) -> None:
    """Write the same format the exporter writes (used only for synthetic test data)."""
    os.makedirs(d, exist_ok=True)
    n, planes, h, w = images.shape
    shards = []
    for k, start in enumerate(range(0, n, per_shard)):
        chunk = images[start:start + per_shard]
        name = f"shard-{k:05d}.u8"
        chunk.astype(np.uint8).tofile(os.path.join(d, name))
        shards.append({"file": name, "count": int(chunk.shape[0])})
        for j in range(chunk.shape[0]):
            items[start + j].update({"shard": k, "index": j})
    m = {"format": FORMAT, "style": style,
         "input": {"height": h, "width": w, "channels": 1, "resize": "letterbox-area", "pad": 255},
         "planes": planes, "count": n, "shards": shards, "items": items, "renderer": "synthetic", "git_commit": None}
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(m, f)
