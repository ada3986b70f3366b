"""Train the learned trace segmenter: patches of wild renders of folds 1-8 with their exact trace-ink masks
(`npm run export-trace-patches`) -> per-pixel trace logits -> checked on fold-9 patches -> TF.js export
(model.json + weights, metadata.json of kind "trace-segmenter", parity.json).

Usage: /usr/bin/python3 -m training.segment_train [--train build/segment/train] [--val build/segment/val]
       [--out public/models/trace-seg] [--log data/training/segmenter/trace-seg.json] [--width 8] [--minutes 30] ...
Every option is declared once, in OPTIONS below; the log records them all.

Fold 10 is never read: the export refuses it, and the folds named in both manifests are re-checked here.
The digitiser (src/lib/digitise/segment.ts) turns the logits into an ink plane: 255 * (1 - sigmoid(logit)).
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import export_tfjs as X
from . import models as M
from . import provenance as P
from .provenance import now

PATCH_FORMAT = "heartnet-trace-patches/1"
PARITY_FORMAT = "heartnet-segment-parity/1"

# name: (type, default, help)
OPTIONS = {
    "train": (str, "build/segment/train", "training patches (folds 1-8)"),
    "val": (str, "build/segment/val", "validation patches (fold 9)"),
    "out": (str, "public/models/trace-seg", "model folder written"),
    "log": (str, "data/training/segmenter/trace-seg.json", "training log written"),
    "width": (int, 8, "channels of every hidden layer"),
    "dilations": (str, "1,1,2,4,8", "dilation of each 3x3 layer"),
    "batch": (int, 32, "patches per step"),
    "lr": (float, 3e-3, "AdamW learning rate (cosine to 0 over the run)"),
    "weight_decay": (float, 1e-4, "AdamW weight decay"),
    "pos_weight": (float, 2.0, "weight of trace pixels in the loss (they are a few percent of the pixels)"),
    "minutes": (float, 30.0, "training time (steps stop at this wall-clock budget)"),
    "max_steps": (int, 0, "stop after this many steps (0: the time budget alone)"),
    "seed": (int, 0, "seed of the initial weights and the batches"),
    "threads": (int, 2, "torch CPU threads"),
    "eval_every": (int, 400, "steps between fold-9 checks"),
}


def git_commit() -> str | None:
    return P.git_commit(["training/segment_train.py", "training/models.py", "training/export_tfjs.py",
                         "src/lib/digitise/segment-input.ts", "scripts/export-trace-patches.ts"])


def load_patches(folder: str, allowed_folds: set[int]):
    with open(os.path.join(folder, "manifest.json")) as f:
        man = json.load(f)
    if man.get("format") != PATCH_FORMAT:
        raise SystemExit(f"{folder}: not a {PATCH_FORMAT} export (run npm run export-trace-patches)")
    folds = {it["fold"] for it in man["items"]}
    if not folds <= allowed_folds:
        raise SystemExit(f"{folder}: holds folds {sorted(folds)}; only {sorted(allowed_folds)} may be read here")
    n, s = man["count"], man["size"]
    img = np.fromfile(os.path.join(folder, "images.u8"), dtype=np.uint8).reshape(n, s, s, 3)
    mask = np.fromfile(os.path.join(folder, "masks.u8"), dtype=np.uint8).reshape(n, s, s)
    return man, img, mask


def batch_tensors(img: np.ndarray, mask: np.ndarray, idx: np.ndarray, rng: np.random.Generator | None):
    """(N, 3, S, S) float uint8 values and (N, 1, S, S) targets in 0..1. With `rng`: each patch's colour channels
    shuffled (a trace or grid of any colour) and flipped left-right and up-down at random."""
    x = img[idx].astype(np.float32)
    y = mask[idx].astype(np.float32)[..., None] / 255.0
    if rng is not None:
        for k in range(len(idx)):
            x[k] = x[k][..., rng.permutation(3)]
            if rng.random() < 0.5:
                x[k], y[k] = x[k][:, ::-1], y[k][:, ::-1]
            if rng.random() < 0.5:
                x[k], y[k] = x[k][::-1], y[k][::-1]
    return (torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))),
            torch.from_numpy(np.ascontiguousarray(y.transpose(0, 3, 1, 2))))


def loss_fn(logits, target, pos_weight: float):
    w = 1.0 + (pos_weight - 1.0) * (target > 0.5).float()
    return F.binary_cross_entropy_with_logits(logits, target, weight=w)


def validate(model, img, mask, batch=64) -> dict:
    """Pixel figures on fold-9 patches at probability 0.5 (a pixel is trace where its coverage is >= 0.5)."""
    model.eval()
    tp = fp = fn = 0
    loss = 0.0
    with torch.no_grad():
        for a in range(0, len(img), batch):
            idx = np.arange(a, min(a + batch, len(img)))
            x, y = batch_tensors(img, mask, idx, None)
            z = model(x)
            loss += float(F.binary_cross_entropy_with_logits(z, y, reduction="sum"))
            p, t = z > 0, y >= 0.5
            tp += int((p & t).sum())
            fp += int((p & ~t).sum())
            fn += int((~p & t).sum())
    model.train()
    prec = tp / max(1, tp + fp)
    rec = tp / max(1, tp + fn)
    return {"loss": loss / img.size * 3, "precision": prec, "recall": rec,
            "f1": 2 * prec * rec / max(1e-9, prec + rec), "iou": tp / max(1, tp + fp + fn)}


def train_one_stretch(model, opt, sched, img, mask, rng, steps: int, batch: int, pos_weight: float) -> float:
    total = 0.0
    for _ in range(steps):
        idx = rng.integers(0, len(img), batch)
        x, y = batch_tensors(img, mask, idx, rng)
        loss = loss_fn(model(x), y, pos_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        total += float(loss)
    return total / max(1, steps)


def export(model, out: str, val_img: np.ndarray, meta: dict) -> None:
    model.eval()
    b = X.KerasBuilder(None, None, 3, "trace_segmenter")
    output = model.export(b, b.input)
    nbytes = X.write_model(out, b, output, "none")
    # parity: two fold-9 patches cropped to an odd size (at most 40 x 52), logits as PyTorch computes them from the folded weights
    x = val_img[:2, :40, :52].transpose(0, 3, 1, 2).copy()
    with torch.no_grad():
        z = model(torch.from_numpy(x.astype(np.float32))).numpy()[:, 0]
    parity = {"format": PARITY_FORMAT, "layout": "input NCHW uint8 (zlib, base64); logits H x W float32 (base64)",
              "shape": [int(v) for v in x.shape[1:]], "tolerance": 1e-3,
              "cases": [{"input": X.pack_u8(x[k]),
                         "logits": base64.b64encode(z[k].astype("<f4").tobytes()).decode()}
                        for k in range(len(x))]}
    with open(os.path.join(out, "parity.json"), "w") as f:
        json.dump(parity, f)
    with open(os.path.join(out, "metadata.json"), "w") as f:
        json.dump({**meta, "weights_bytes": nbytes}, f, indent=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for k, (t, d, h) in OPTIONS.items():
        ap.add_argument("--" + k.replace("_", "-"), type=t, default=d, help=f"{h} (default {d})")
    a = ap.parse_args(argv)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(a.seed)
    tman, timg, tmask = load_patches(a.train, set(range(1, 9)))
    vman, vimg, vmask = load_patches(a.val, {9})
    dil = tuple(int(d) for d in a.dilations.split(","))
    model = M.TraceSegmenter(3, a.width, dil)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.weight_decay)
    # cosine over the expected number of steps, measured on the first stretch
    t0 = time.time()
    probe = train_one_stretch(model, opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0), timg, tmask,
                              rng, 20, a.batch, a.pos_weight)
    per_step = (time.time() - t0) / 20
    total = int(a.minutes * 60 / per_step) if a.max_steps <= 0 else a.max_steps
    total = max(total, 21)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + np.cos(np.pi * min(1.0, s / total))))
    history = [{"step": 20, "train_loss": probe, "seconds": time.time() - t0}]
    step = 20
    print(f"[segment] {len(timg)} train / {len(vimg)} val patches; {per_step * 1000:.0f} ms/step; {total} steps",
          flush=True)
    while step < total:
        n = min(a.eval_every, total - step)
        tl = train_one_stretch(model, opt, sched, timg, tmask, rng, n, a.batch, a.pos_weight)
        step += n
        v = validate(model, vimg, vmask)
        history.append({"step": step, "train_loss": tl, "seconds": time.time() - t0, "val": v})
        print(f"[segment] step {step}/{total} loss {tl:.4f} val f1 {v['f1']:.3f} iou {v['iou']:.3f} "
              f"({time.time() - t0:.0f} s)", flush=True)
    final = history[-1].get("val") or validate(model, vimg, vmask)
    meta = {
        "kind": "trace-segmenter", "name": os.path.basename(a.out.rstrip("/")), "version": 1,
        "input": {"planes": 3, "conversion": "src/lib/digitise/segment-input.ts segmentInput: RGB bytes",
                  "any_size": True, "receptive_field_px": 1 + 2 * sum(dil)},
        "output": "one logit per pixel; trace ink where > 0 (probability 0.5)",
        "threshold_logit": 0.0,
        "arch": {"width": a.width, "dilations": list(dil)},
        "params": sum(p.numel() for p in model.parameters()),
        "training": {"patches": tman["count"], "styles": tman["styles"], "folds": sorted({it["fold"] for it in tman["items"]}),
                     "data_commit": tman.get("git_commit")},
        "fold9_pixels": final, "git_commit": git_commit(), "created": now(),
        "note": "figures on fold-9 patches of our own wild renders (pixels), not on images we did not draw",
    }
    export(model, a.out, vimg, meta)
    os.makedirs(os.path.dirname(a.log) or ".", exist_ok=True)
    with open(a.log, "w") as f:
        json.dump({"options": vars(a), "model": meta, "history": history}, f, indent=1)
    print(f"[segment] wrote {a.out} and {a.log}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
