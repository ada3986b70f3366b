"""Train the signal classifier: export-signals records of folds 1-8 (perturbed like a digitiser's readout) ->
model selected on clean fold 9 -> threshold on fold 9 -> TF.js export with metadata.json and parity.json.

Usage: /usr/bin/python3 -m training.signal_train --config training/configs/signal-3x4r.json [--threads N]
       [--epochs N] [--device cpu|cuda]   (normally through `npm run train -- --config ...`, which also makes
                          the data and checks TF.js parity; --device cuda is for a rented GPU, see
                          training/signal_pack.py: the perturbations stay on the CPU, the network runs on the GPU,
                          and the export is made on the CPU as always)
Fold 10 is never read here: the config may name only folds 1-8 for training and 9 for validation, and the
loaded records are re-checked."""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import export_tfjs as X
from . import provenance as P
from .provenance import now
from . import metrics as MET
from . import signal_data as D
from . import signal_model as SM

CONFIG_KEYS = {
    "$comment": str, "name": str, "seed": int, "kind": str, "description": str, "log": str,
    "data": dict, "model": dict, "train": dict, "augment": dict, "threshold": dict, "export": dict,
}
DATA_KEYS = {"dir", "train_folds", "val_folds", "synthetic", "readouts"}
READOUT_KEYS = {"train", "val", "p"}
TRAIN_KEYS = {"epochs", "batch_size", "lr", "weight_decay", "pos_weight", "eval_batch_size", "threads",
              "max_minutes", "selection", "patience"}
EXPORT_KEYS = {"dir", "quantization", "version", "parity_cases", "copy_to"}
MODEL_KEYS = {"arch", "stem", "widths", "kernel", "stem_kernel", "dropout"}


class ConfigError(Exception):
    pass


def git_commit() -> str | None:
    return P.git_commit(["training/signal_data.py", "training/signal_model.py", "training/signal_train.py",
                         "src/lib/signal"])


def atomic_json(path: str, doc) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


def load_config(path: str) -> dict:
    with open(path) as f:
        cfg = json.load(f)
    if not isinstance(cfg, dict):
        raise ConfigError(f"{path}: not a JSON object")

    def keys(obj, allowed, where):
        if not isinstance(obj, dict):
            raise ConfigError(f"{path}: {where} must be an object")
        for k in obj:
            if k not in allowed:
                raise ConfigError(f"{path}: {where}: unknown key {k!r} (allowed: {', '.join(sorted(allowed))})")

    keys(cfg, CONFIG_KEYS, "config")
    for k, t in CONFIG_KEYS.items():
        if k in cfg and not isinstance(cfg[k], t):
            raise ConfigError(f"{path}: config.{k} must be {t.__name__}")
    for k in ("name", "data", "model", "train", "threshold", "export"):
        if k not in cfg:
            raise ConfigError(f"{path}: config: missing required key {k!r}")
    if cfg.get("kind", "signal") != "signal":
        raise ConfigError(f"{path}: config.kind must be 'signal'")
    keys(cfg["data"], DATA_KEYS, "config.data")
    keys(cfg["train"], TRAIN_KEYS, "config.train")
    keys(cfg["export"], EXPORT_KEYS, "config.export")
    keys(cfg["model"], MODEL_KEYS, "config.model")
    ro = cfg["data"].get("readouts")
    if ro is not None:
        keys(ro, READOUT_KEYS, "config.data.readouts")
        for k in ("train", "val"):
            if not isinstance(ro.get(k, []), list) or not all(isinstance(v, str) for v in ro.get(k, [])):
                raise ConfigError(f"{path}: config.data.readouts.{k} must be a list of kept readout sets (paths)")
        if not 0 <= ro.get("p", 0.5) <= 1:
            raise ConfigError(f"{path}: config.data.readouts.p must be in 0..1")
    D.augment_config(cfg.get("augment"))  # unknown augment keys -> error
    tf, vf = D.parse_folds(cfg["data"]["train_folds"]), D.parse_folds(cfg["data"]["val_folds"])
    if not tf or not tf <= set(range(1, 9)):
        raise ConfigError(f"{path}: config.data.train_folds {cfg['data']['train_folds']} outside 1-8 "
                          "(train 1-8, validation 9; fold 10 is for the final evaluation only)")
    if vf != {9}:
        raise ConfigError(f"{path}: config.data.val_folds must be 9, got {cfg['data']['val_folds']}")
    if cfg["threshold"].get("rule") not in ("youden", "sensitivity"):
        raise ConfigError(f"{path}: config.threshold.rule must be 'youden' or 'sensitivity'")
    if cfg["train"].get("selection", "auroc") not in ("auroc", "loss", "readouts_auroc"):
        raise ConfigError(f"{path}: config.train.selection must be 'auroc', 'loss' or 'readouts_auroc'")
    if cfg["train"].get("selection") == "readouts_auroc" and not (ro or {}).get("val"):
        raise ConfigError(f"{path}: selection readouts_auroc needs config.data.readouts.val (fold-9 readings)")
    if cfg["export"].get("quantization", "auto") not in ("none", "float16", "auto"):
        raise ConfigError(f"{path}: config.export.quantization must be none, float16 or auto")
    return cfg


_WORKER: dict = {}


def _init_worker(x, tr, aug) -> None:
    _WORKER.update(x=x, tr=tr, aug=aug)


def _perturbed_batch(job) -> np.ndarray:
    idx, seed = job
    w = _WORKER
    return D.perturbed_input(w["x"][idx], w["tr"], np.random.default_rng(seed), w["aug"])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def bce(logits, y, pos_weight: float = 1.0) -> float:
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    sp = np.logaddexp(0, -z)        # -log sigmoid(z)
    sn = np.logaddexp(0, z)         # -log (1 - sigmoid(z))
    return float(np.mean(pos_weight * y * sp + (1 - y) * sn))


def data_version(ds: D.SignalSet) -> str:
    m = ds.manifest
    if m.get("synthetic"):
        return "synthetic signals (npm run export-signals -- --synthetic): pipeline test fixture, not PTB-XL"
    return "PTB-XL 1.0.1 records100, printout filters (strat_fold 1-8 train, 9 validation)"


def write_parity(path: str, inputs_nct: np.ndarray, logits, unfused, note: str) -> None:
    """Inputs stored as the TF.js input is laid out (time-major, x[t * C + c]), float32 LE, zlib, base64."""
    import base64
    import zlib

    n, c, t = inputs_nct.shape
    cases = []
    for i in range(n):
        raw = np.ascontiguousarray(inputs_nct[i].T, dtype="<f4").tobytes()
        cases.append({"input": base64.b64encode(zlib.compress(raw, 9)).decode(), "logit": float(logits[i]),
                      "torch_unfused_logit": float(unfused[i])})
    doc = {"format": "heartnet-signal-parity/1", "note": note,
           "layout": "NHWC float32 little-endian (1 x samples x channels, time-major), zlib-deflate, base64",
           "shape": [1, t, c], "tolerance": 1e-4, "cases": cases}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--threads", type=int)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda: where the network trains")
    ap.add_argument("--workers", type=int, default=0,
                    help="processes that draw the perturbed batches (0: in this process, the reproducible default); "
                         "on a GPU the perturbations are the bottleneck (~450 records/s per core)")
    args = ap.parse_args(argv)
    if args.device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda: no CUDA device is visible to PyTorch")
    dev = torch.device(args.device)
    cfg = load_config(args.config)
    tcfg = dict(cfg["train"])
    if args.epochs:
        tcfg["epochs"] = args.epochs
    threads = args.threads or tcfg.get("threads", 2)
    torch.set_num_threads(threads)
    seed = cfg.get("seed", 0)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    name = cfg["name"]

    dcfg = cfg["data"]
    train = D.SignalSet(dcfg["dir"], D.parse_folds(dcfg["train_folds"]))
    val = D.SignalSet(dcfg["dir"], D.parse_folds(dcfg["val_folds"]))
    # re-check the split on what was loaded
    if set(train.folds.tolist()) - set(range(1, 9)) or set(val.folds.tolist()) != {9}:
        raise ConfigError(f"loaded folds: train {sorted(set(train.folds.tolist()))}, val {sorted(set(val.folds.tolist()))}")
    if set(train.ecg_ids.tolist()) & set(val.ecg_ids.tolist()):
        raise ConfigError("a record is in both the training and the validation set")
    if train.n == 0 or val.n == 0:
        raise ConfigError(f"{dcfg['dir']}: no records in the training or validation folds")
    tr = train.traces
    aug = D.augment_config(cfg.get("augment"))
    # pages the digitiser read back (kept by npm run eval --readouts): a training record that has readings is shown
    # as one of them, with probability p, instead of as its perturbed true signal; fold-9 readings are scored
    # every epoch (and may choose the epoch), never trained on
    ro = dcfg.get("readouts") or {}
    r_x, r_pos, r_info = D.readouts_for(ro.get("train", []), train, set(range(1, 9)))
    v_x, v_pos, v_info = D.readouts_for(ro.get("val", []), val, {9})
    r_p = float(ro.get("p", 0.5))
    readings_of: dict[int, list[int]] = {}
    for row, at in enumerate(r_pos.tolist()):
        readings_of.setdefault(at, []).append(row)
    v_labels = val.labels[v_pos]
    # forked before any CUDA work; the workers share the loaded records copy-on-write
    pool = (mp.get_context("fork").Pool(args.workers, initializer=_init_worker, initargs=(train.x, tr, aug))
            if args.workers > 0 else None)

    model = SM.build(tr.channels, cfg["model"]).to(dev)
    bs = tcfg.get("batch_size", 64)
    ebs = tcfg.get("eval_batch_size", 256)
    epochs = tcfg["epochs"]
    steps_per_epoch = math.ceil(train.n / bs)
    opt = torch.optim.AdamW(model.parameters(), lr=tcfg.get("lr", 3e-3), weight_decay=tcfg.get("weight_decay", 1e-2))
    total = epochs * steps_per_epoch
    if total >= 4:  # one-cycle: 20% warm-up (at least 2 steps for tiny test runs), then cosine annealing
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=tcfg.get("lr", 3e-3), total_steps=total,
                                                    pct_start=max(0.2, 2.0 / total))
    else:
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    npos = int(train.labels.sum())
    pw = tcfg.get("pos_weight", 1.0)
    pos_weight = torch.tensor(float(pw), device=dev) if pw != 1.0 else None

    xval = val.clean(np.arange(val.n))
    # a fixed perturbed copy of fold 9 (p_clean 0): how the model holds up on digitiser-like readouts
    xval_noisy = D.perturbed_input(val.x, tr, np.random.default_rng(10_009), {**aug, "p_clean": 0.0})

    log_path = cfg.get("log") or os.path.join("data", "training", f"{name}.json")
    ckpt_dir = os.path.join("training", "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    ckpt = os.path.join(ckpt_dir, f"{name}.pt")
    selection = tcfg.get("selection", "auroc")
    log = {"name": name, "kind": "signal", "config": cfg, "config_path": args.config,
           "model": f"{cfg['model']['arch']} ({SM.count_params(model):,} parameters)",
           "model_info": {"arch": cfg["model"]["arch"], "params": SM.count_params(model), "torch": torch.__version__},
           "started": now(), "finished": None, "git_commit": git_commit(), "device": args.device if args.device == "cpu" else f"{args.device} ({torch.cuda.get_device_name(dev)})",
           "threads": threads, "workers": args.workers,
           "data": {"train_n": train.n, "train_pos": npos, "val_n": val.n, "val_pos": int(val.labels.sum()),
                    "style": ["signals-3x4r"], "val_style": ["signals-3x4r"],
                    "input": {k: tr.spec[k] for k in ("format", "layout", "sampling_rate", "samples", "channels", "filters")},
                    "manifest_path": os.path.join(dcfg["dir"], "manifest.json"),
                    "manifest_git_commit": train.manifest.get("git_commit"),
                    # set by training/signal_pack.py when the records travelled rounded to a step (e.g. 5 uV)
                    "transport": train.manifest.get("transport")},
           "readouts": {"p": r_p, "train": r_info, "val": v_info,
                        "train_records_with_readings": len(readings_of)} if ro else None,
           "augment": aug, "balance": "none" if pos_weight is None else f"pos_weight {pw}",
           "epoch_metrics_threshold": 0.5,
           "selection": {"auroc": "highest fold-9 AUROC (clean 3x4 + rhythm windows)",
                         "readouts_auroc": "highest fold-9 AUROC on the kept fold-9 readings (data.readouts.val)",
                         "loss": "lowest fold-9 loss"}[selection],
           "epochs": [], "best_epoch": None, "threshold": None, "threshold_rule": None,
           "val_metrics_at_threshold": None, "export": None, "log_path": log_path}
    partial = log_path + ".partial"
    atomic_json(partial, log)
    print(f"[signal] {name}: train {train.n} ({npos} MI), val {val.n}, params {SM.count_params(model):,}, "
          f"{steps_per_epoch} steps/epoch, {threads} thread(s)", flush=True)

    best, best_epoch, bad = -float("inf"), None, 0
    t_start = time.time()
    for epoch in range(1, epochs + 1):
        model.train()
        t0 = time.time()
        order = rng.permutation(train.n)
        tot, seen = 0.0, 0
        steps = [np.sort(order[s * bs:(s + 1) * bs]) for s in range(steps_per_epoch)]
        if pool is None:
            batches = (D.perturbed_input(train.x[idx], tr, rng, aug) for idx in steps)
        else:  # one seed per batch, drawn here: reproducible whatever the number of workers
            seeds = rng.integers(0, 2 ** 62, size=len(steps))
            batches = pool.imap(_perturbed_batch, zip(steps, seeds.tolist()), chunksize=1)
        for s, (idx, xnp) in enumerate(zip(steps, batches)):
            if readings_of:
                for j, at in enumerate(idx.tolist()):
                    rows = readings_of.get(at)
                    if rows and rng.random() < r_p:
                        xnp[j] = r_x[rows[int(rng.integers(len(rows)))]]
            xb = torch.from_numpy(xnp).unsqueeze(2).to(dev)
            yb = torch.from_numpy(train.labels[idx].astype(np.float32)).to(dev)
            loss = F.binary_cross_entropy_with_logits(model(xb), yb, pos_weight=pos_weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss) * len(idx)
            seen += len(idx)
            if s % 100 == 99:
                print(f"[signal] epoch {epoch}: {seen}/{train.n}, {seen / (time.time() - t0):.0f} records/s, "
                      f"loss {tot / seen:.4f}", flush=True)
        train_s = time.time() - t0
        vl = SM.logits(model, xval, ebs)
        vp = sigmoid(vl)
        m = MET.summary(val.labels, vp, 0.5)
        nl = SM.logits(model, xval_noisy, ebs)
        rec = {"epoch": epoch, "train_loss": tot / max(seen, 1), "val_loss": bce(vl, val.labels),
               "val_auroc": m["auroc"], "val_sensitivity": m["sensitivity"], "val_specificity": m["specificity"],
               "val_precision": m["precision"], "val_f1": m["f1"], "val_error_rate": m["error_rate"],
               "val_auroc_perturbed": MET.auroc(val.labels, sigmoid(nl)),
               **({"val_auroc_readouts": MET.auroc(v_labels, sigmoid(SM.logits(model, v_x, ebs)))} if len(v_x) else {}),
               "lr_end": sched.get_last_lr()[0], "seconds": time.time() - t0, "train_seconds": train_s,
               "train_records_per_s": seen / train_s}
        log["epochs"].append(rec)
        print("[signal] " + json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in rec.items()}), flush=True)
        score = {"auroc": rec["val_auroc"], "loss": -rec["val_loss"],
                 "readouts_auroc": rec.get("val_auroc_readouts", 0.0)}[selection]
        if score > best:
            best, best_epoch, bad = score, epoch, 0
            torch.save(model.state_dict(), ckpt)
        else:
            bad += 1
        log["best_epoch"] = best_epoch
        atomic_json(partial, log)
        if bad >= tcfg.get("patience", 10 ** 9):
            print(f"[signal] early stop: no improvement for {bad} epochs", flush=True)
            log["stopped"] = "patience"
            break
        if tcfg.get("max_minutes") and (time.time() - t_start) / 60 > tcfg["max_minutes"]:
            print("[signal] stopping: max_minutes reached", flush=True)
            log["stopped"] = "max_minutes"
            break
    log["train_minutes"] = (time.time() - t_start) / 60
    if pool is not None:
        pool.close()

    # the final threshold, figures and export run on the CPU whatever trained the network
    model = model.cpu()
    model.load_state_dict(torch.load(ckpt, map_location="cpu"))
    model.eval()
    vl = SM.logits(model, xval, ebs)
    vp = sigmoid(vl)
    th = cfg["threshold"]
    rule = th["rule"]
    thr = MET.choose_threshold(val.labels, vp, rule, th.get("min_sensitivity", 0.85))
    rule_text = ("maximise Youden's J (sensitivity + specificity - 1) on fold 9" if rule == "youden" else
                 f"highest threshold with sensitivity >= {th.get('min_sensitivity', 0.85)} on fold 9")
    vm = MET.summary(val.labels, vp, thr)
    nl = SM.logits(model, xval_noisy, ebs)
    vm_noisy = MET.summary(val.labels, sigmoid(nl), thr)
    log.update(threshold=thr, threshold_rule=rule_text, val_metrics_at_threshold=vm,
               val_metrics_perturbed_at_threshold=vm_noisy)
    if len(v_x):
        log["val_metrics_readouts_at_threshold"] = MET.summary(v_labels, sigmoid(SM.logits(model, v_x, ebs)), thr)
    log["export"] = export(cfg, model, val, xval, xval_noisy, vl, thr, rule_text, vm, vm_noisy, log)
    log["finished"] = now()
    atomic_json(log_path, log)
    os.remove(partial)
    r4 = lambda d: {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}
    print(f"[signal] best epoch {best_epoch}, threshold {thr:.4f} ({rule_text}); fold-9 clean: {json.dumps(r4(vm))}", flush=True)
    print(f"[signal] fold-9 perturbed (seeded digitiser-like noise): {json.dumps(r4(vm_noisy))}", flush=True)
    e = log["export"]
    print(f"[signal] exported to {e['dir']} ({e['weights_bytes']} bytes, {e['quantization']}); log {log_path}", flush=True)
    return 0


def export(cfg, model, val: D.SignalSet, xval, xval_noisy, val_logits, thr, rule_text, vm, vm_noisy, log) -> dict:
    ecfg = cfg["export"]
    out_dir = ecfg["dir"]
    name = cfg["name"]
    tr = val.traces
    builder = X.KerasBuilder(1, tr.samples, tr.channels, name.replace("-", "_"))
    output = model.export(builder, builder.input)
    weights = builder.weights
    qmode = ecfg.get("quantization", "auto")
    ebs = cfg["train"].get("eval_batch_size", 256)
    base_auc = MET.auroc(val.labels, sigmoid(val_logits))
    q_check = None
    if qmode in ("float16", "auto"):
        qref = SM.reference_model(model, X.quantize_weights(weights, "float16"))
        q_auc = MET.auroc(val.labels, sigmoid(SM.logits(qref, xval, ebs)))
        q_check = {"fold9_auroc_float32": base_auc, "fold9_auroc_float16": q_auc, "delta": base_auc - q_auc}
        if qmode == "auto":
            qmode = "float16" if (base_auc - q_auc) < 0.005 else "none"
    builder.weights = X.quantize_weights(weights, qmode)
    nbytes = X.write_model(out_dir, builder, output, qmode)

    # parity cases: the first fold-9 record of each class (clean), a perturbed one, and seeded noise
    idx = [int(np.nonzero(val.labels == lab)[0][0]) for lab in (1, 0) if (val.labels == lab).any()]
    nrng = np.random.default_rng(1234)  # seeded noise inside the windows, random confidences
    noise = np.concatenate([nrng.normal(0, 0.5, size=(1, tr.n, tr.samples)) * tr.window[None],
                            nrng.uniform(0.2, 1.0, size=(1, tr.n, 1)) * tr.window[None]], axis=1).astype(np.float32)
    xs = np.concatenate([xval[idx], xval_noisy[idx[:1]], noise])[: max(2, ecfg.get("parity_cases", 4))]
    ref = SM.logits(SM.reference_model(model, builder.weights), xs)
    unfused = SM.logits(model, xs)
    write_parity(os.path.join(out_dir, "parity.json"), xs, ref, unfused,
                 "logits of the exported graph (BN folded, exported weights) computed by PyTorch")
    spec = dict(tr.spec)
    meta = {"name": name, "kind": "signal", "version": ecfg.get("version", "0.1.0"), "labels": ["Normal", "MI"],
            "positive_label": "MI", "output": "logit", "input": spec,
            # no image planes: image loaders (validateMetadata: planes 1 or 12, the demo's model list) refuse it
            "planes": 0,
            "threshold": thr, "threshold_rule": rule_text, "styles": ["signals-3x4r"],
            "val_metrics": {"fold": 9, "n": val.n, **vm},
            "val_metrics_perturbed": {"fold": 9, "n": val.n, "seed": 10_009, **vm_noisy},
            "augment": log["augment"],
            **({"readouts": {"p": log["readouts"]["p"],
                             "train": [{k: r[k] for k in ("style", "n", "commit")} for r in log["readouts"]["train"]],
                             "train_records_with_readings": log["readouts"]["train_records_with_readings"]}}
               if log.get("readouts") else {}),
            **({"val_metrics_readouts": {"fold": 9, "n": sum(r["n"] for r in log["readouts"]["val"]),
                                         "sets": [{k: r[k] for k in ("style", "n", "commit")}
                                                  for r in log["readouts"]["val"]],
                                         **log["val_metrics_readouts_at_threshold"]}}
               if log.get("val_metrics_readouts_at_threshold") else {}),
            "data_version": data_version(val), "git_commit": log["git_commit"], "exported": now(),
            "weights_bytes": nbytes, "quantization": qmode, "quantization_check": q_check,
            "params": SM.count_params(model), "arch": cfg["model"], "training_log": log["log_path"]}
    atomic_json(os.path.join(out_dir, "metadata.json"), meta)
    return {"dir": out_dir, "weights_bytes": nbytes, "quantization": qmode, "quantization_check": q_check,
            "parity_max_torch_fused_vs_unfused": float(np.max(np.abs(ref - unfused)))}


if __name__ == "__main__":
    raise SystemExit(main())
