"""Synthetic shards in the exporter's format, for developing and testing the pipeline without PTB-XL
(e.g. `python -m training.synth build/shards/synth 96x128`). Never used for any reported figure.
'MI' images carry a raised segment after each spike so a tiny net can learn something.

`--style dataset4` writes 12 planes per item (one 'lead' trace per plane, like the dataset4 lead images);
there only the inferior leads (II, III, aVF = planes 1, 2, 5) of 'MI' items carry the raised segment, so a
model has to know which plane is which lead."""
from __future__ import annotations

import argparse

import numpy as np

from .shards import write_shards

INFERIOR = (1, 2, 5)


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


def make_leads(n: int, h: int, w: int, folds: list[int], seed: int):
    """12 planes per item: a baseline with spikes at a random phase and height in every plane."""
    rng = np.random.default_rng(seed)
    imgs = np.full((n, 12, h, w), 255, dtype=np.uint8)
    items = []
    for i in range(n):
        lab = int(rng.random() < 0.3)
        for p in range(12):
            r = int(rng.integers(h // 3, 2 * h // 3))
            imgs[i, p, r, :] = 120
            for x0 in range(int(rng.integers(0, 12)), w - 8, 16):
                imgs[i, p, max(r - int(rng.integers(3, 8)), 0):r, x0] = 40
                if lab and p in INFERIOR:
                    imgs[i, p, max(r - 2, 0), x0 + 1:x0 + 6] = 40
        items.append({"ecg_id": 100000 + i, "fold": int(folds[i % len(folds)]), "label": lab, "style": "dataset4",
                      "seed": seed, "variant": 0})
    return imgs, items


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="writes OUT-train (folds 1-8) and OUT-val (fold 9)")
    ap.add_argument("size", help="HxW")
    ap.add_argument("n_train", nargs="?", type=int, default=300)
    ap.add_argument("--style", choices=["dataset2", "dataset4"], default="dataset2")
    a = ap.parse_args()
    h, w = map(int, a.size.split("x"))
    gen = make_leads if a.style == "dataset4" else make
    imgs, items = gen(a.n_train, h, w, list(range(1, 9)), 1)
    write_shards(a.out + "-train", imgs, items, a.style, per_shard=128)
    imgs, items = gen(max(a.n_train // 3, 20), h, w, [9], 2)
    for it in items:
        it["ecg_id"] += 50000
    write_shards(a.out + "-val", imgs, items, a.style)
