"""Train one config: shards (folds 1-8) -> model selected on fold 9 -> threshold on fold 9 -> TF.js export.

Usage: /usr/bin/python3 -m training.train --config training/configs/NAME.json [--device cpu|cuda]
       [--threads N] [--log data/training/NAME.json]
Fold 10 is never read here (config.validate refuses it, and the loaded data are re-checked).

Stages (main): load the config and data -> build the model, optimiser and schedule -> per epoch
train_one_epoch + validate (the checkpoint with the lowest fold-9 loss is kept) -> choose_threshold on fold 9 ->
export (TF.js model, parity cases, metadata) -> the finished log. Defaults of every optional setting come from
training/config.schema.json (config.with_defaults), not from this file."""
from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import config as C
from . import export_tfjs as X
from . import metrics as MET
from . import models as M
from . import provenance as P
from .provenance import file_sha256, now
from .shards import MultiShards, open_shards


def git_commit() -> str | None:
    return P.git_commit(["training", "src/lib/model"])


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


def load_splits(cfg: dict) -> tuple[MultiShards, MultiShards]:
    """Training (folds 1-8) and validation (fold 9) data, re-checked: no other fold, no record on both sides."""
    train = load_data(cfg, "train")
    val = load_data(cfg, "val")
    assert set(np.unique(train.folds)) <= set(range(1, 9)) and set(np.unique(val.folds)) == {9}
    overlap = set(train.ecg_ids.tolist()) & set(val.ecg_ids.tolist())
    if overlap:
        raise C.ConfigError(f"{len(overlap)} records are in both train and validation")
    return train, val


def is_synthetic(*data: MultiShards) -> bool:
    return any(s.manifest.get("renderer") == "synthetic" for d in data for s in d.sets)


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
    grid = F.affine_grid(theta.to(x.device), list(x.shape), align_corners=False)
    y = 255.0 - F.grid_sample(255.0 - x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return y.round().clamp(0, 255)


def chosen(x: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor | None:
    """The images of the batch that an augmentation applied with probability p touches (None: none of them)."""
    if p <= 0:
        return None
    pick = torch.rand(x.shape[0], generator=gen) < p
    return pick.to(x.device) if bool(pick.any()) else None


def shade(x: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    """With probability p per image, multiply the plane by a smooth random field that is 1 in places and down to
    0.1-0.85 in others: shadows, stains and the dark wrinkle textures of crumpled sheets (ECG-Image-Kit's
    "wrinkles" pages were refused by the EKG check because of them). Applied to both classes alike, so darkness
    itself says nothing about the label. Training only; the pixels at inference are unchanged."""
    pick = chosen(x, p, gen)
    if pick is None:
        return x
    k = int(pick.sum())
    h, w = x.shape[2:]
    # Blotches: a coarse grid of random values, smoothly upsampled, sharpened by a power so that most of the sheet
    # stays light and a few regions go dark.
    gh = int(torch.randint(3, 9, (1,), generator=gen))
    coarse = torch.rand(k, 1, gh, gh * 4 // 3 + 1, generator=gen).to(x.device)
    field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False).clamp(0, 1)
    power = 1.0 + torch.rand(k, 1, 1, 1, generator=gen).to(x.device) * 3.0
    depth = 0.15 + torch.rand(k, 1, 1, 1, generator=gen).to(x.device) * 0.75
    mult = 1.0 - depth * field.pow(power)
    y = x.clone()
    y[pick] = (x[pick] * mult).round().clamp(0, 255)
    return y


def crumple(x: torch.Tensor, p: float, gen: torch.Generator) -> torch.Tensor:
    """With probability p per image, shade the plane like a crumpled sheet: facets (the nearest of 20-150 random
    points, each a tilted plane of random brightness, computed at a quarter of the size and upsampled) multiplied
    in, and 0-4 thin bright streaks (light caught by creases) laid over it. This is what ECG-Image-Kit's 'wrinkles'
    pages look like; the smooth field of shade() lacks the facets' hard edges. Applied to both classes alike;
    training only."""
    pick = chosen(x, p, gen)
    if pick is None:
        return x
    k = int(pick.sum())
    h, w = x.shape[2:]
    qh, qw = max(h // 4, 2), max(w // 4, 2)
    gy, gx = torch.meshgrid(torch.arange(qh, dtype=torch.float32) / qh, torch.arange(qw, dtype=torch.float32) / qw,
                            indexing="ij")
    grid = torch.stack([gy.reshape(-1), gx.reshape(-1)], 1)                              # (qh*qw, 2)
    m = int(torch.randint(20, 151, (1,), generator=gen))
    seeds = torch.rand(k, m, 2, generator=gen)                                          # (k, m, 2)
    nearest = torch.cdist(grid.expand(k, -1, -1), seeds).argmin(-1)                     # (k, qh*qw)
    # each facet is a tilted plane: a base value and a gradient, so that light falls across it as on a real fold
    base = torch.rand(k, m, generator=gen).gather(1, nearest)
    slope = ((torch.rand(k, m, 2, generator=gen) - 0.5) * 8.0).gather(1, nearest[..., None].expand(-1, -1, 2))
    at = seeds.gather(1, nearest[..., None].expand(-1, -1, 2))
    value = (base + ((grid[None] - at) * slope).sum(-1)).clamp(0, 1).reshape(k, 1, qh, qw)
    field = F.interpolate(value, size=(h, w), mode="bilinear", align_corners=False)
    power = 0.5 + torch.rand(k, 1, 1, 1, generator=gen) * 2.0
    depth = 0.2 + torch.rand(k, 1, 1, 1, generator=gen) * 0.6
    mult = 1.0 - depth * field.pow(power)
    y = x[pick] * mult
    # streaks: lines at one random direction per image (+- 10 degrees each), 1-2 px wide, lightening towards white
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    for i in range(k):
        base = float(torch.rand(1, generator=gen)) * np.pi
        for _ in range(int(torch.randint(0, 5, (1,), generator=gen))):
            a = base + (float(torch.rand(1, generator=gen)) - 0.5) * 0.35
            c = float(torch.rand(1, generator=gen)) * (h + w) - (h + w) / 2
            dist = ((xx - w / 2) * np.sin(a) - (yy - h / 2) * np.cos(a) - c).abs()
            half = 0.5 + float(torch.rand(1, generator=gen))
            s = 0.3 + 0.6 * float(torch.rand(1, generator=gen))
            line = (1.0 - (dist - half).clamp(0, 1)) * s
            y[i, 0] = y[i, 0] + (255.0 - y[i, 0]) * line
    out = x.clone()
    out[pick] = y.round().clamp(0, 255)
    return out


@torch.no_grad()
def predict_logits(model, data: MultiShards, bs: int, device) -> np.ndarray:
    model.eval()
    out = []
    for a in range(0, data.n, bs):
        xb = torch.from_numpy(data.gather(np.arange(a, min(a + bs, data.n)))).to(device).float()
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


def make_optimizer(model, tcfg: dict, total_steps: int):
    """The optimiser and its per-step learning-rate schedule."""
    opt_cls = torch.optim.AdamW if tcfg["optimizer"] == "adamw" else torch.optim.Adam
    opt = opt_cls(model.parameters(), lr=tcfg["lr"], weight_decay=tcfg["weight_decay"])
    if tcfg["schedule"] == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=tcfg["lr"], total_steps=total_steps, pct_start=0.25)
    elif tcfg["schedule"] == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    else:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    return opt, sched


class Trainer:
    """What every epoch shares: model, data, optimiser, class weighting, random streams."""

    def __init__(self, run: dict, model, train: MultiShards, val: MultiShards, device, seed: int):
        self.tcfg = run["train"]
        self.model, self.train, self.val, self.device = model, train, val, device
        self.bs, self.ebs = self.tcfg["batch_size"], self.tcfg["eval_batch_size"]
        self.steps_per_epoch = math.ceil(train.n / self.bs)
        self.opt, self.sched = make_optimizer(model, self.tcfg, self.steps_per_epoch * self.tcfg["epochs"])
        self.npos = int(train.labels.sum())
        self.nneg = train.n - self.npos
        self.balance = self.tcfg["balance"]
        self.pos_weight = torch.tensor(self.nneg / max(self.npos, 1)) if self.balance == "loss" else None
        self.rng = np.random.default_rng(seed)
        self.gen = torch.Generator().manual_seed(seed)

    def epoch_order(self) -> np.ndarray:
        """Indices of one epoch: a permutation, or with balance "sampler" a class-balanced draw with replacement."""
        t = self.train
        if self.balance == "sampler":
            w = np.where(t.labels == 1, 0.5 / max(self.npos, 1), 0.5 / max(self.nneg, 1))
            return self.rng.choice(t.n, size=t.n, replace=True, p=w / w.sum())
        return self.rng.permutation(t.n)

    def train_one_epoch(self, epoch: int) -> dict:
        """One pass over the training data. The batch moves to the device before the augmentations (their random
        draws stay on the CPU generator, so a run draws the same numbers on any device); crumple() runs on the
        CPU."""
        model, t, bs = self.model, self.train, self.bs
        aug = self.tcfg["augment"]
        model.train()
        t0 = time.time()
        order = self.epoch_order()
        tot, seen = 0.0, 0
        for a in range(0, t.n, bs):
            idx = np.sort(order[a:a + bs])
            xb = torch.from_numpy(t.gather(idx)).to(self.device).float()   # uint8 travels, 4x fewer bytes
            yb = torch.from_numpy(t.labels[idx].astype(np.float32))
            xb = augment(xb, aug["translate"], aug["scale"], self.gen)
            xb = shade(xb, aug["shade"], self.gen)
            if aug["crumple"] > 0:
                xb = crumple(xb.cpu(), aug["crumple"], self.gen).to(self.device)
            loss = F.binary_cross_entropy_with_logits(model(xb), yb.to(self.device), pos_weight=self.pos_weight)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.sched.step()
            tot += float(loss) * len(idx)
            seen += len(idx)
            if (a // bs) % 100 == 99:
                print(f"[train] epoch {epoch}: {seen}/{t.n} images, {seen / (time.time() - t0):.1f} images/s, "
                      f"loss {tot / seen:.4f}", flush=True)
        return {"t0": t0, "loss": tot / max(seen, 1), "seen": seen, "seconds": time.time() - t0}

    def validate(self, epoch: int, fit: dict) -> dict:
        """Fold-9 figures of this epoch. The selection loss is the training objective on fold 9 (same class
        weighting), so a model is not penalised for the probability shift the weighting itself causes; the plain
        BCE is logged too."""
        val = self.val
        vl = predict_logits(self.model, val, self.ebs, self.device)
        m = MET.summary(val.labels, sigmoid(vl), 0.5)
        y = val.labels.astype(np.float64)
        val_loss = bce(vl, y, float(self.pos_weight) if self.pos_weight is not None else 1.0)
        return {"epoch": epoch, "train_loss": fit["loss"], "val_loss": val_loss,
                "val_loss_unweighted": bce(vl, y), "val_auroc": m["auroc"],
                "val_sensitivity": m["sensitivity"], "val_specificity": m["specificity"],
                "val_precision": m["precision"], "val_f1": m["f1"], "val_error_rate": m["error_rate"],
                "lr_end": self.sched.get_last_lr()[0], "seconds": time.time() - fit["t0"],
                "train_seconds": fit["seconds"], "train_images_per_s": fit["seen"] / fit["seconds"]}


def start_log(cfg: dict, args, trainer: Trainer, device, log_path: str) -> dict:
    model, train, val = trainer.model, trainer.train, trainer.val
    params = M.count_params(model)
    log = {"name": cfg["name"], "config": cfg, "config_path": args.config,
           "model": f"{cfg['model']['arch']} ({params:,} parameters)",
           "model_info": {"arch": cfg["model"]["arch"], "params": params, "torch": torch.__version__},
           "started": now(), "finished": None, "git_commit": git_commit(), "device": str(device),
           "threads": torch.get_num_threads(),
           "data": {"train_n": train.n, "train_pos": trainer.npos, "val_n": val.n, "val_pos": int(val.labels.sum()),
                    "style": sorted({s.manifest["style"] for s in train.sets}),
                    "val_style": sorted({s.manifest["style"] for s in val.sets}),
                    "input": {"height": train.height, "width": train.width, "planes": train.planes},
                    "manifest_paths": {"train": [os.path.join(s.dir, "manifest.json") for s in train.sets],
                                       "val": [os.path.join(s.dir, "manifest.json") for s in val.sets]}},
           "balance": trainer.balance, "epoch_metrics_threshold": 0.5,
           "selection": "lowest fold-9 loss with the training class weighting (val_loss)",
           "epochs": [], "best_epoch": None, "threshold": None, "threshold_rule": None,
           "val_metrics_at_threshold": None, "export": None}
    log["log_path"] = log_path
    return log


def fit(trainer: Trainer, log: dict, partial: str, ckpt: str) -> None:
    """The epochs: train, validate, keep the checkpoint with the lowest fold-9 loss; early stop on patience or
    max_minutes. Rewrites the partial log after every epoch."""
    tcfg = trainer.tcfg
    patience = tcfg.get("patience", math.inf)
    best_loss, best_epoch, bad = float("inf"), None, 0
    t_start = time.time()
    for epoch in range(1, tcfg["epochs"] + 1):
        rec = trainer.validate(epoch, trainer.train_one_epoch(epoch))
        log["epochs"].append(rec)
        print("[train] " + json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in rec.items()}),
              flush=True)
        if rec["val_loss"] < best_loss:
            best_loss, best_epoch, bad = rec["val_loss"], epoch, 0
            torch.save(trainer.model.state_dict(), ckpt)
        else:
            bad += 1
        log["best_epoch"] = best_epoch
        atomic_json(partial, log)
        if bad >= patience:
            print(f"[train] early stop: no val-loss improvement for {bad} epochs", flush=True)
            break
        if tcfg.get("max_minutes") and (time.time() - t_start) / 60 > tcfg["max_minutes"]:
            print("[train] stopping: max_minutes reached", flush=True)
            log["stopped"] = "max_minutes"
            break


def choose_threshold(run: dict, val: MultiShards, vl: np.ndarray) -> tuple[float, str, dict]:
    """The decision threshold by the config's rule on fold 9, its description and the fold-9 figures at it."""
    th = run["threshold"]
    vp = sigmoid(vl)
    thr = MET.choose_threshold(val.labels, vp, th["rule"], th["min_sensitivity"])
    rule_text = ("maximise Youden's J (sensitivity + specificity - 1) on fold 9" if th["rule"] == "youden" else
                 f"highest threshold with sensitivity >= {th['min_sensitivity']} on fold 9")
    return thr, rule_text, MET.summary(val.labels, vp, thr)


def init_weights(model, run: dict, ckpt_dir: str) -> dict | None:
    """Config "init": continue from an earlier run's checkpoint (a longer schedule over fresh renders without
    repeating the first run). The earlier run's log must show the same architecture and input, so a silently
    different network or a rescaled input never starts from weights that were not trained for it."""
    init = run.get("init")
    if not init:
        return None
    path = os.path.join(ckpt_dir, f"{init}.pt")
    if not os.path.exists(path):
        raise C.ConfigError(f"config.init: {path} is missing; make it first with "
                            f"npm run train -- --config training/configs/{init}.json")
    # where the earlier run logged (runs on synthetic shards log to build/, see main)
    log_path = next((p for p in (os.path.join(d, "training", f"{init}.json") for d in ("data", "build"))
                     if os.path.exists(p)), None)
    if log_path:
        with open(log_path) as f:
            prev = C.with_defaults(json.load(f)["config"])
        for what, mine, theirs in (("model", run["model"], prev["model"]),
                                   ("input", run["data"]["input"], prev["data"]["input"])):
            if mine != theirs:
                raise C.ConfigError(f"config.init: {init} was trained with {what} {theirs}, this config has {mine}")
    try:
        model.load_state_dict(torch.load(path))
    except RuntimeError as e:
        raise C.ConfigError(f"config.init: {path} does not fit this config's model: {str(e).splitlines()[0]}") from e
    digest = file_sha256(path)
    print(f"[train] starting from {path} (sha256 {digest[:12]})", flush=True)
    # a checkpoint rebuilt from the TF.js export (training/tfjs_init.py) says so in NAME.pt.json
    made = None
    if os.path.exists(path + ".json"):
        with open(path + ".json") as f:
            made = json.load(f)
    return {"name": init, "checkpoint": path, "sha256": digest, "log": log_path, "made_by": made}


def export_only(run: dict, model, val: MultiShards, ckpt: str, log_path: str, device) -> int:
    """The export of a run trained elsewhere with --no-export: its checkpoint (the sha256 its log recorded) and
    this machine's fold-9 shards. The threshold and fold-9 figures are computed again here, on shards rendered
    from the PTB-XL records themselves (a GPU machine renders from records packed to 5 uV, training/record_pack.py,
    which moves a fold-9 AUROC by a few thousandths); the run's own stay in the log as `fold9_at_run`. A gap of
    more than 0.01 AUROC means other shards altogether, and is refused."""
    with open(log_path) as f:
        log = json.load(f)
    if not (log.get("export") or {}).get("deferred"):
        raise C.ConfigError(f"{log_path}: not a --no-export run (its export is {log.get('export')})")
    digest = file_sha256(ckpt)
    if digest != log.get("checkpoint_sha256"):
        raise C.ConfigError(f"{ckpt}: sha256 {digest[:12]}, the log recorded {str(log.get('checkpoint_sha256'))[:12]}")
    if val.n != log["data"]["val_n"]:
        raise C.ConfigError(f"fold-9 shards here hold {val.n} images, the run had {log['data']['val_n']}")
    model.load_state_dict(torch.load(ckpt, map_location="cpu"))
    model = model.to(device).eval()
    vl = predict_logits(model, val, run["train"]["eval_batch_size"], device)
    thr, rule_text, vm = choose_threshold(run, val, vl)
    run_auc = log["val_metrics_at_threshold"]["auroc"]
    if abs(vm["auroc"] - run_auc) > 0.01:
        raise C.ConfigError(f"fold 9 here gives AUROC {vm['auroc']:.4f}, the run {run_auc:.4f}: these are not the "
                            "fold-9 shards it was selected on")
    log.setdefault("fold9_at_run", {"threshold": log["threshold"], "val_metrics_at_threshold":
                                    log["val_metrics_at_threshold"], "val_n": log["data"]["val_n"]})
    log.update(threshold=thr, threshold_rule=rule_text, val_metrics_at_threshold=vm)
    export_info = export(run, model.cpu(), val, vl, thr, rule_text, vm, log)
    export_info["exported_from"] = {"checkpoint": ckpt, "sha256": digest, "at": now()}
    log["export"] = export_info
    atomic_json(log_path, log)
    print(f"[train] exported {ckpt} to {export_info['dir']} ({export_info['weights_bytes']} bytes, "
          f"{export_info['quantization']}); fold 9 here: AUROC {vm['auroc']:.4f}, threshold {thr:.5f} "
          f"(at the run: {run_auc:.4f}, {log['fold9_at_run']['threshold']:.5f})", flush=True)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--device", default=None)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--log", default=None)
    ap.add_argument("--epochs", type=int, default=None, help="override (smoke runs only; recorded in the log)")
    ap.add_argument("--no-export", action="store_true",
                    help="train, select and threshold, but leave the export to a later --export-only (a rented GPU "
                         "machine trains; the export and its parity check are made at home)")
    ap.add_argument("--export-only", action="store_true",
                    help="no training: export the run whose checkpoint and --no-export log are here, after "
                         "re-checking its fold-9 threshold on this machine's fold-9 shards")
    args = ap.parse_args(argv)
    if args.no_export and args.export_only:
        ap.error("--no-export and --export-only exclude each other")

    cfg = C.load(args.config)  # as written: what the log records
    if args.epochs:
        cfg["train"]["epochs"] = args.epochs
    run = C.with_defaults(cfg)  # what the run reads: the schema's defaults filled in
    name = run["name"]
    device = torch.device(args.device or run["device"])
    torch.set_num_threads(args.threads or run["threads"])
    seed = run["seed"]
    torch.manual_seed(seed)
    np.random.seed(seed)
    # an export needs fold 9 only: the training shards of a run made elsewhere need not be rendered here
    train, val = (None, load_data(run, "val")) if args.export_only else load_splits(run)
    # Logs of runs on synthetic shards never go where the site reads real training logs.
    default_log = os.path.join("build" if is_synthetic(val) else "data", "training", f"{name}.json")
    log_path = args.log or run.get("log") or default_log
    ckpt_dir = os.path.join("training", "checkpoints")
    model = M.build(run["model"], val.planes)
    ckpt = os.path.join(ckpt_dir, f"{name}.pt")
    if args.export_only:
        return export_only(run, model, val, ckpt, log_path, device)
    init = init_weights(model, run, ckpt_dir)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
    trainer = Trainer(run, model.to(device), train, val, device, seed)
    os.makedirs(ckpt_dir, exist_ok=True)

    log = start_log(cfg, args, trainer, device, log_path)
    log["init"] = init
    # While running, the log is NAME.json.partial (rewritten every epoch); NAME.json appears only when the
    # run has finished, so readers of data/training/*.json never see a half-done run.
    partial = log_path + ".partial"
    atomic_json(partial, log)
    print(f"[train] {name}: train {train.n} ({trainer.npos} {TASKS[run['task']]['labels'][1]}), val {val.n}, params {log['model_info']['params']}, "
          f"{trainer.steps_per_epoch} steps/epoch", flush=True)
    fit(trainer, log, partial, ckpt)

    model = trainer.model
    model.load_state_dict(torch.load(ckpt))
    model.eval()
    vl = predict_logits(model, val, trainer.ebs, device)
    thr, rule_text, vm = choose_threshold(run, val, vl)
    log.update(threshold=thr, threshold_rule=rule_text, val_metrics_at_threshold=vm)
    log["checkpoint_sha256"] = file_sha256(ckpt)

    if args.no_export:
        export_info = {"dir": None, "deferred": True, "weights_bytes": 0, "quantization": None}
    elif run["export"]["skip"]:
        export_info = {"dir": None, "skipped": True, "weights_bytes": 0, "quantization": None}
    else:
        export_info = export(run, model.cpu(), val, vl, thr, rule_text, vm, log)
    log["export"] = export_info
    log["finished"] = now()
    atomic_json(log_path, log)
    os.remove(partial)
    print(f"[train] best epoch {log['best_epoch']}, threshold {thr:.4f} ({rule_text}); fold-9 at threshold: "
          + json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in vm.items()}), flush=True)
    if export_info.get("deferred"):
        print(f"[train] export deferred (--no-export): checkpoint {ckpt}; log {log_path}", flush=True)
    elif not export_info.get("skipped"):
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
    "sheet-upright": {"labels": ["turned", "upright"],
                      "data": "PTB-XL 1.0.1 renders (strat_fold 1-8 train, 9 validation), each in its four quarter "
                              "turns (scripts/export-upright.ts)"},
}


def data_version(val: MultiShards, task: str = "mi") -> str:
    if is_synthetic(val):
        return "synthetic shards (training/synth.py): pipeline test fixture, not PTB-XL"
    return TASKS[task]["data"]


def input_spec(data: MultiShards) -> dict:
    """The preprocessing spec every shard was exported with (src/lib/model/preprocess.ts InputSpec); all sets
    must agree, down to the tone."""
    specs = {json.dumps(s.manifest["input"], sort_keys=True) for s in data.sets}
    if len(specs) != 1:
        raise C.ConfigError(f"shards disagree on the input spec: {sorted(specs)}")
    return json.loads(specs.pop())


def parity_inputs(val: MultiShards, k: int) -> np.ndarray:
    """Parity cases: the first validation image of each class, then a seeded noise image (k in all)."""
    idx = []
    for lab in (1, 0):
        hits = np.nonzero(val.labels == lab)[0]
        if len(hits):
            idx.append(int(hits[0]))
    idx = idx[: max(k - 1, 1)]
    xs = val.gather(np.array(idx, dtype=np.int64))
    noise = np.random.default_rng(1234).integers(0, 256, size=(1,) + xs.shape[1:], dtype=np.uint8)
    return np.concatenate([xs, noise])[:k]


def export(run, model, val: MultiShards, val_logits, thr, rule_text, vm, log) -> dict:
    """Writes the TF.js model (float16 when asked, or "auto" when it costs < 0.005 fold-9 AUROC), its parity
    cases and metadata.json. `run` is the config with its defaults."""
    ecfg = run["export"]
    out_dir = ecfg["dir"]
    name = run["name"]
    builder, output = X.build_graph(model, val.height, val.width, val.planes, name.replace("-", "_"))
    weights = builder.weights
    qmode = ecfg["quantization"]
    ebs = run["train"]["eval_batch_size"]
    q_check = None
    base_auc = MET.auroc(val.labels, sigmoid(val_logits))
    if qmode in ("float16", "auto"):
        qw = X.quantize_weights(weights, "float16")
        ql = np.concatenate([X.reference_forward(builder, qw, model, val.gather(np.arange(a, min(a + ebs, val.n))))
                             for a in range(0, val.n, ebs)])
        q_auc = MET.auroc(val.labels, sigmoid(ql))
        q_check = {"fold9_auroc_float32": base_auc, "fold9_auroc_float16": q_auc, "delta": base_auc - q_auc}
        if qmode == "auto":
            qmode = "float16" if (base_auc - q_auc) < 0.005 else "none"
    builder.weights = X.quantize_weights(weights, qmode)
    nbytes = X.write_model(out_dir, builder, output, qmode)

    xs = parity_inputs(val, ecfg["parity_cases"])
    ref = X.reference_forward(builder, builder.weights, model, xs)
    with torch.no_grad():
        unfused = model(torch.from_numpy(xs.astype(np.float32))).double().numpy()
    X.write_parity(os.path.join(out_dir, "parity.json"), xs, ref, unfused,
                   "logits of the exported graph (BN folded, exported weights) computed by PyTorch")

    task = run["task"]
    labels = TASKS[task]["labels"]
    meta = {"name": name, "version": ecfg["version"], **({"task": task} if task != "mi" else {}),
            "labels": labels, "positive_label": labels[1],
            "output": "logit",
            # the shards' own input spec (export-images wrote it), so the model is run on exactly what it saw
            "input": input_spec(val),
            "planes": val.planes, **({"plane_names": list(LEAD_ORDER)} if val.planes == 12 else {}),
            "threshold": thr, "threshold_rule": rule_text,
            "styles": sorted({s["style"] for s in run["data"]["train"]}),
            "val_metrics": {"fold": 9, "n": val.n, **vm},
            "data_version": data_version(val, task),
            "git_commit": log["git_commit"], "exported": now(), "weights_bytes": nbytes,
            "quantization": qmode, "quantization_check": q_check,
            "params": M.count_params(model), "arch": run["model"],
            "training_log": log["log_path"]}
    atomic_json(os.path.join(out_dir, "metadata.json"), meta)
    return {"dir": out_dir, "weights_bytes": nbytes, "quantization": qmode, "quantization_check": q_check,
            "parity_max_torch_fused_vs_unfused": float(np.max(np.abs(ref - unfused)))}


if __name__ == "__main__":
    raise SystemExit(main())
