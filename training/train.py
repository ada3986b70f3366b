"""Train one config: shards (folds 1-8) -> model selected on fold 9 -> threshold on fold 9 -> TF.js export.

Usage: /usr/bin/python3 -m training.train --config training/configs/NAME.json [--device cpu|cuda]
       [--threads N] [--log data/training/NAME.json]
Fold 10 is never read here (config.validate refuses it, and the loaded data are re-checked)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import config as C
from . import export_tfjs as X
from . import metrics as MET
from . import models as M
from .shards import MultiShards, open_shards


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def git_commit() -> str | None:
    try:
        c = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "training", "src/lib/model"],
                               capture_output=True, text=True).stdout.strip()
        return c + ("+dirty" if dirty else "")
    except Exception:
        return None


def atomic_json(path: str, doc) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


def load_data(cfg: dict, role: str) -> MultiShards:
    sets = [open_shards(s["dir"], C.parse_folds(s["folds"])) for s in cfg["data"][role]]
    ms = MultiShards(sets)
    want = (cfg["data"]["input"]["height"], cfg["data"]["input"]["width"])
    if (ms.height, ms.width) != want:
        raise C.ConfigError(f"{role} shards are {ms.height}x{ms.width}, config.data.input says {want[0]}x{want[1]}")
    if ms.n == 0:
        raise C.ConfigError(f"{role}: the shards hold no items of the requested folds")
    return ms


def augment(x: torch.Tensor, translate: float, scale: float, gen: torch.Generator) -> torch.Tensor:
    """Small random shift/zoom of the uint8-valued plane (paper = 255 fills the border), rounded back to
    integers so the model only ever sees values it will see at inference. Not a re-render: no colour,
    grid, blur or style changes (those belong to the renderer's styles)."""
    if translate <= 0 and scale <= 0:
        return x
    n = x.shape[0]
    s = 1.0 + (torch.rand(n, generator=gen) * 2 - 1) * scale
    tx = (torch.rand(n, generator=gen) * 2 - 1) * translate * 2
    ty = (torch.rand(n, generator=gen) * 2 - 1) * translate * 2
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = 1 / s
    theta[:, 1, 1] = 1 / s
    theta[:, 0, 2] = tx
    theta[:, 1, 2] = ty
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    y = 255.0 - F.grid_sample(255.0 - x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return y.round().clamp(0, 255)


@torch.no_grad()
def predict_logits(model, data: MultiShards, bs: int, device) -> np.ndarray:
    model.eval()
    out = []
    for a in range(0, data.n, bs):
        xb = torch.from_numpy(data.gather(np.arange(a, min(a + bs, data.n))).astype(np.float32)).to(device)
        out.append(model(xb).double().cpu().numpy())
    return np.concatenate(out)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def bce(logits: np.ndarray, y: np.ndarray, pos_weight: float = 1.0) -> float:
    """Mean binary cross-entropy of logits; MI terms weighted by pos_weight (as in torch's pos_weight)."""
    z = logits
    log_sig = -(np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z))))      # log sigmoid(z)
    log_1m = -(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))))        # log (1 - sigmoid(z))
    return float(np.mean(-(pos_weight * y * log_sig + (1 - y) * log_1m)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--device", default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--log", default=None)
    ap.add_argument("--epochs", type=int, default=None, help="override (smoke runs only; recorded in the log)")
    args = ap.parse_args(argv)

    cfg = C.load(args.config)
    name = cfg["name"]
    tcfg = cfg["train"]
    if args.epochs:
        tcfg["epochs"] = args.epochs
    device = torch.device(args.device or cfg.get("device", "cpu"))
    torch.set_num_threads(args.threads or cfg.get("threads", 2))
    seed = cfg["seed"]
    torch.manual_seed(seed)
    np.random.seed(seed)
    rng = np.random.default_rng(seed)
    gen = torch.Generator().manual_seed(seed)
    train = load_data(cfg, "train")
    val = load_data(cfg, "val")
    synthetic = any(s.manifest.get("renderer") == "synthetic" for s in train.sets + val.sets)
    # Logs of runs on synthetic shards never go where the site reads real training logs.
    log_path = args.log or cfg.get("log") or os.path.join("build" if synthetic else "data", "training", f"{name}.json")
    assert set(np.unique(train.folds)) <= set(range(1, 9)) and set(np.unique(val.folds)) == {9}
    overlap = set(train.ecg_ids.tolist()) & set(val.ecg_ids.tolist())
    if overlap:
        raise C.ConfigError(f"{len(overlap)} records are in both train and validation")

    model = M.build(cfg["model"], train.planes).to(device)
    bs = tcfg["batch_size"]
    ebs = tcfg.get("eval_batch_size", 64)
    steps_per_epoch = math.ceil(train.n / bs)
    total_steps = steps_per_epoch * tcfg["epochs"]
    opt_cls = torch.optim.AdamW if tcfg.get("optimizer", "adamw") == "adamw" else torch.optim.Adam
    opt = opt_cls(model.parameters(), lr=tcfg["lr"], weight_decay=tcfg.get("weight_decay", 0.0))
    sched_kind = tcfg.get("schedule", "onecycle")
    if sched_kind == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=tcfg["lr"], total_steps=total_steps, pct_start=0.25)
    elif sched_kind == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    else:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    npos = int(train.labels.sum())
    nneg = train.n - npos
    balance = tcfg.get("balance", "loss")
    pos_weight = torch.tensor(nneg / max(npos, 1)) if balance == "loss" else None
    aug = tcfg.get("augment", {})
    ckpt_dir = os.path.join("training", "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    ckpt = os.path.join(ckpt_dir, f"{name}.pt")

    log = {"name": name, "config": cfg, "config_path": args.config,
           "model": f"{cfg['model']['arch']} ({M.count_params(model):,} parameters)",
           "model_info": {"arch": cfg["model"]["arch"], "params": M.count_params(model), "torch": torch.__version__},
           "started": now(), "finished": None, "git_commit": git_commit(), "device": str(device),
           "threads": torch.get_num_threads(),
           "data": {"train_n": train.n, "train_pos": npos, "val_n": val.n, "val_pos": int(val.labels.sum()),
                    "style": sorted({s.manifest["style"] for s in train.sets}),
                    "val_style": sorted({s.manifest["style"] for s in val.sets}),
                    "input": {"height": train.height, "width": train.width, "planes": train.planes},
                    "manifest_paths": {"train": [os.path.join(s.dir, "manifest.json") for s in train.sets],
                                       "val": [os.path.join(s.dir, "manifest.json") for s in val.sets]}},
           "balance": balance, "epoch_metrics_threshold": 0.5, "selection": "lowest fold-9 loss with the training class weighting (val_loss)",
           "epochs": [], "best_epoch": None, "threshold": None, "threshold_rule": None,
           "val_metrics_at_threshold": None, "export": None}
    log["log_path"] = log_path
    # While running, the log is NAME.json.partial (rewritten every epoch); NAME.json appears only when the
    # run has finished, so readers of data/training/*.json never see a half-done run.
    partial = log_path + ".partial"
    atomic_json(partial, log)
    print(f"[train] {name}: train {train.n} ({npos} MI), val {val.n}, params {log['model_info']['params']}, "
          f"{steps_per_epoch} steps/epoch", flush=True)

    best_loss, best_epoch, bad = float("inf"), None, 0
    t_start = time.time()
    for epoch in range(1, tcfg["epochs"] + 1):
        model.train()
        t0 = time.time()
        if balance == "sampler":
            w = np.where(train.labels == 1, 0.5 / max(npos, 1), 0.5 / max(nneg, 1))
            order = rng.choice(train.n, size=train.n, replace=True, p=w / w.sum())
        else:
            order = rng.permutation(train.n)
        tot, seen = 0.0, 0
        for a in range(0, train.n, bs):
            idx = np.sort(order[a:a + bs])
            xb = torch.from_numpy(train.gather(idx).astype(np.float32))
            yb = torch.from_numpy(train.labels[idx].astype(np.float32))
            xb = augment(xb, aug.get("translate", 0.0), aug.get("scale", 0.0), gen).to(device)
            logits = model(xb)
            loss = F.binary_cross_entropy_with_logits(logits, yb.to(device), pos_weight=pos_weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss) * len(idx)
            seen += len(idx)
            if (a // bs) % 100 == 99:
                print(f"[train] epoch {epoch}: {seen}/{train.n} images, {seen / (time.time() - t0):.1f} images/s, "
                      f"loss {tot / seen:.4f}", flush=True)
        train_s = time.time() - t0
        vl = predict_logits(model, val, ebs, device)
        vp = sigmoid(vl)
        m = MET.summary(val.labels, vp, 0.5)
        # Selection loss = the training objective on fold 9 (same class weighting), so a model is not
        # penalised for the probability shift the weighting itself causes; the plain BCE is logged too.
        val_loss = bce(vl, val.labels.astype(np.float64), float(pos_weight) if pos_weight is not None else 1.0)
        rec = {"epoch": epoch, "train_loss": tot / max(seen, 1), "val_loss": val_loss,
               "val_loss_unweighted": bce(vl, val.labels.astype(np.float64)), "val_auroc": m["auroc"],
               "val_sensitivity": m["sensitivity"], "val_specificity": m["specificity"],
               "val_precision": m["precision"], "val_f1": m["f1"], "val_error_rate": m["error_rate"],
               "lr_end": sched.get_last_lr()[0], "seconds": time.time() - t0, "train_seconds": train_s,
               "train_images_per_s": seen / train_s}
        log["epochs"].append(rec)
        print("[train] " + json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in rec.items()}),
              flush=True)
        if val_loss < best_loss:
            best_loss, best_epoch, bad = val_loss, epoch, 0
            torch.save(model.state_dict(), ckpt)
        else:
            bad += 1
        log["best_epoch"] = best_epoch
        atomic_json(partial, log)
        if bad >= tcfg.get("patience", 10 ** 9):
            print(f"[train] early stop: no val-loss improvement for {bad} epochs", flush=True)
            break
        if tcfg.get("max_minutes") and (time.time() - t_start) / 60 > tcfg["max_minutes"]:
            print("[train] stopping: max_minutes reached", flush=True)
            log["stopped"] = "max_minutes"
            break

    model.load_state_dict(torch.load(ckpt))
    model.eval()
    vl = predict_logits(model, val, ebs, device)
    vp = sigmoid(vl)
    th = cfg["threshold"]
    rule = th["rule"]
    thr = MET.choose_threshold(val.labels, vp, rule, th.get("min_sensitivity", 0.85))
    rule_text = ("maximise Youden's J (sensitivity + specificity - 1) on fold 9" if rule == "youden" else
                 f"highest threshold with sensitivity >= {th.get('min_sensitivity', 0.85)} on fold 9")
    vm = MET.summary(val.labels, vp, thr)
    log.update(threshold=thr, threshold_rule=rule_text, val_metrics_at_threshold=vm)

    if cfg["export"].get("skip"):
        export_info = {"dir": None, "skipped": True, "weights_bytes": 0, "quantization": None}
    else:
        export_info = export(cfg, model, val, vl, thr, rule_text, vm, log)
    log["export"] = export_info
    log["finished"] = now()
    atomic_json(log_path, log)
    os.remove(partial)
    print(f"[train] best epoch {best_epoch}, threshold {thr:.4f} ({rule_text}); fold-9 at threshold: "
          + json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in vm.items()}), flush=True)
    if not export_info.get("skipped"):
        print(f"[train] exported to {export_info['dir']} ({export_info['weights_bytes']} bytes, "
              f"{export_info['quantization']}); log {log_path}", flush=True)
    return 0


# dataset4 shards hold a record's 12 lead images in the record's lead order, which is this one for every
# PTB-XL record (src/lib/ptbxl/types.ts LEAD_NAMES; src/lib/model/example.ts refuses any other order).
LEAD_ORDER = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")


# What a model's logit means (config "task"): its two labels (negative, positive) and where its data come from.
TASKS = {
    "mi": {"labels": ["Normal", "MI"], "data": "PTB-XL 1.0.1 (strat_fold 1-8 train, 9 validation)"},
    "ekg-gate": {"labels": ["not a 12-lead EKG", "12-lead EKG"],
                 "data": "PTB-XL 1.0.1 renders (strat_fold 1-8 train, 9 validation) vs Debian pictures and drawn "
                         "non-EKG pictures (training/gate_negatives.py; 60/15/25 train/val/test by file)"},
}


def data_version(val: MultiShards, task: str = "mi") -> str:
    if any(s.manifest.get("renderer") == "synthetic" for s in val.sets):
        return "synthetic shards (training/synth.py): pipeline test fixture, not PTB-XL"
    return TASKS[task]["data"]


def input_spec(data: MultiShards) -> dict:
    """The preprocessing spec every shard was exported with (src/lib/model/preprocess.ts InputSpec); all sets
    must agree, down to the tone."""
    specs = {json.dumps(s.manifest["input"], sort_keys=True) for s in data.sets}
    if len(specs) != 1:
        raise C.ConfigError(f"shards disagree on the input spec: {sorted(specs)}")
    return json.loads(specs.pop())


def export(cfg, model, val: MultiShards, val_logits, thr, rule_text, vm, log) -> dict:
    ecfg = cfg["export"]
    out_dir = ecfg["dir"]
    name = cfg["name"]
    builder, output = X.build_graph(model, val.height, val.width, val.planes, name.replace("-", "_"))
    weights = builder.weights
    qmode = ecfg.get("quantization", "none")
    ebs = cfg["train"].get("eval_batch_size", 64)
    q_check = None
    base_auc = MET.auroc(val.labels, sigmoid(val_logits))
    if qmode in ("float16", "auto"):
        qw = X.quantize_weights(weights, "float16")
        ql = np.concatenate([X.reference_forward(qw, model, val.gather(np.arange(a, min(a + ebs, val.n))))
                             for a in range(0, val.n, ebs)])
        q_auc = MET.auroc(val.labels, sigmoid(ql))
        q_check = {"fold9_auroc_float32": base_auc, "fold9_auroc_float16": q_auc, "delta": base_auc - q_auc}
        if qmode == "auto":
            qmode = "float16" if (base_auc - q_auc) < 0.005 else "none"
    builder.weights = X.quantize_weights(weights, qmode)
    nbytes = X.write_model(out_dir, builder, output, qmode)

    # Parity cases: the first validation image of each class, then a seeded noise image.
    idx = []
    for lab in (1, 0):
        hits = np.nonzero(val.labels == lab)[0]
        if len(hits):
            idx.append(int(hits[0]))
    k = ecfg.get("parity_cases", 3)
    idx = idx[: max(k - 1, 1)]
    xs = val.gather(np.array(idx, dtype=np.int64))
    noise = np.random.default_rng(1234).integers(0, 256, size=(1,) + xs.shape[1:], dtype=np.uint8)
    xs = np.concatenate([xs, noise])[:k]
    ref = X.reference_forward(builder.weights, model, xs)
    with torch.no_grad():
        unfused = model(torch.from_numpy(xs.astype(np.float32))).double().numpy()
    X.write_parity(os.path.join(out_dir, "parity.json"), xs, ref, unfused,
                   "logits of the exported graph (BN folded, exported weights) computed by PyTorch")

    task = cfg.get("task", "mi")
    labels = TASKS[task]["labels"]
    meta = {"name": name, "version": ecfg.get("version", "0.1.0"), **({"task": task} if task != "mi" else {}),
            "labels": labels, "positive_label": labels[1],
            "output": "logit",
            # the shards' own input spec (export-images wrote it), so the model is run on exactly what it saw
            "input": input_spec(val),
            "planes": val.planes, **({"plane_names": list(LEAD_ORDER)} if val.planes == 12 else {}),
            "threshold": thr, "threshold_rule": rule_text,
            "styles": sorted({s["style"] for s in cfg["data"]["train"]}),
            "val_metrics": {"fold": 9, "n": val.n, **vm},
            "data_version": data_version(val, task),
            "git_commit": log["git_commit"], "exported": now(), "weights_bytes": nbytes,
            "quantization": qmode, "quantization_check": q_check,
            "params": M.count_params(model), "arch": cfg["model"],
            "training_log": log["log_path"]}
    atomic_json(os.path.join(out_dir, "metadata.json"), meta)
    return {"dir": out_dir, "weights_bytes": nbytes, "quantization": qmode, "quantization_check": q_check,
            "parity_max_torch_fused_vs_unfused": float(np.max(np.abs(ref - unfused)))}


if __name__ == "__main__":
    raise SystemExit(main())
