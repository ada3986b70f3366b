"""Synthetic shards in the exporter's format, for developing and testing the pipeline without PTB-XL
(e.g. `python -m training.synth build/shards/synth 96x128`). Never used for any reported figure.
'MI' images carry a raised segment after each spike so a tiny net can learn something."""
from __future__ import annotations

import sys

import numpy as np

from .shards import write_shards


def make(n: int, h: int, w: int, folds: list[int], seed: int):
    rng = np.random.default_rng(seed)
    imgs = np.full((n, 1, h, w), 255, dtype=np.uint8)
    items = []
    for i in range(n):
        lab = int(rng.random() < 0.3)
        rows = np.linspace(h / 24, h - h / 24, 12).astype(int)
        for r in rows:
            imgs[i, 0, r, :] = 120
            for x0 in range(int(rng.integers(0, 12)), w - 8, 16):
                imgs[i, 0, max(r - 5, 0):r, x0] = 40
                if lab:
                    imgs[i, 0, max(r - 2, 0), x0 + 1:x0 + 6] = 40
        items.append({"ecg_id": 100000 + i, "fold": int(folds[i % len(folds)]), "label": lab, "style": "dataset2",
                      "seed": seed, "variant": 0})
    return imgs, items


if __name__ == "__main__":
    out, size = sys.argv[1], sys.argv[2]
    h, w = map(int, size.split("x"))
    n_train = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    imgs, items = make(n_train, h, w, list(range(1, 9)), 1)
    write_shards(out + "-train", imgs, items, "dataset2", per_shard=128)
    imgs, items = make(max(n_train // 3, 20), h, w, [9], 2)
    for it in items:
        it["ecg_id"] += 50000
    write_shards(out + "-val", imgs, items, "dataset2")
