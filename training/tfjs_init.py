"""A PyTorch checkpoint from a shipped TF.js export, for a config's "init" where the original checkpoint is not at
hand (checkpoints are not committed; a fresh clone or a rented GPU machine has only `public/models/NAME`).

    /usr/bin/python3 -m training.tfjs_init public/models/heartnet-wild-2 --config training/configs/heartnet-wild-2.json \
        --calibrate build/shards/hw-wild-photo-f9 [--out training/checkpoints/heartnet-wild-2.pt]

The export holds each convolution with its BatchNorm folded in (and float16-rounded when quantised). Unfolding is
not unique; this picks the BatchNorm that makes the network compute exactly the export in eval mode and nearly
the same in training mode: running mean and variance are the per-channel statistics of the convolution's output
on `--calibrate`'s images (one eval-mode pass; every layer's input is already the export's there), and the
affine part undoes them (weight = sqrt(var + eps), bias = exported bias + mean). A training batch like the
calibration images is then normalised to nearly what the export computes, so training continues from the
shipped model instead of jumping away from it. Writes NAME.pt and NAME.pt.json (where the weights came from,
and the largest logit difference from the export's own parity cases), which train.py copies into the log."""
from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import zlib

import numpy as np
import torch

from . import config as C
from . import export_tfjs as X
from . import models as M
from .provenance import file_sha256
from .shards import open_shards


def read_tfjs_weights(model_dir: str) -> dict[str, np.ndarray]:
    with open(os.path.join(model_dir, "model.json")) as f:
        mj = json.load(f)
    out: dict[str, np.ndarray] = {}
    for group in mj["weightsManifest"]:
        blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        at = 0
        for spec in group["weights"]:
            q = (spec.get("quantization") or {}).get("dtype")
            dt = np.dtype("<f2") if q == "float16" else np.dtype("<f4")
            n = int(np.prod(spec["shape"])) if spec["shape"] else 1
            out[spec["name"]] = np.frombuffer(blob, dtype=dt, count=n, offset=at).astype(np.float32).reshape(
                spec["shape"])
            at += n * dt.itemsize
    return out


def load_export(model, model_dir: str, height: int, width: int, planes: int) -> None:
    """Export weights into `model` with each BatchNorm an identity plus the exported bias."""
    builder, _ = X.build_graph(model, height, width, planes, "init")
    tw = read_tfjs_weights(model_dir)
    names = [n for n, _ in builder.weights]
    if sorted(names) != sorted(tw) or any(tw[n].shape != w.shape for n, w in builder.weights):
        raise C.ConfigError(f"{model_dir}: its weights do not match this config's model "
                            f"(export {len(tw)} tensors, model {len(names)})")
    with torch.no_grad():
        for k, src in enumerate(builder.sources):
            kern, bias = tw[names[2 * k]], tw[names[2 * k + 1]]
            if isinstance(src, M.ConvBN):
                src.conv.weight.copy_(torch.from_numpy(kern.transpose(3, 2, 0, 1).copy()))
                bn = src.bn
                bn.running_mean.zero_()
                bn.running_var.fill_(1.0 - bn.eps)
                bn.weight.fill_(1.0)
                bn.bias.copy_(torch.from_numpy(bias.copy()))
            else:
                src.weight.copy_(torch.from_numpy(kern.T.copy()))
                src.bias.copy_(torch.from_numpy(bias.copy()))


@torch.no_grad()
def calibrate(model, x_u8: np.ndarray) -> None:
    """Per-channel statistics of every BatchNorm's input on these images become its running stats, and its
    affine part undoes them (eval-mode output unchanged)."""
    stats: dict[torch.nn.Module, tuple[torch.Tensor, torch.Tensor]] = {}
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    hooks = [bn.register_forward_hook(lambda mod, inp, _out: stats.__setitem__(
        mod, (inp[0].mean((0, 2, 3)), inp[0].var((0, 2, 3), unbiased=False)))) for bn in bns]
    model.eval()
    model(torch.from_numpy(x_u8.astype(np.float32)))
    for h in hooks:
        h.remove()
    for bn in bns:
        mean, var = stats[bn]
        bias = bn.bias.clone()
        bn.running_mean.copy_(mean)
        bn.running_var.copy_(var)
        bn.weight.copy_(torch.sqrt(var + bn.eps))
        bn.bias.copy_(bias + mean)


def parity_gap(model, model_dir: str) -> float:
    """Largest |logit difference| from the export's parity cases (its inputs and the logits it must give)."""
    with open(os.path.join(model_dir, "parity.json")) as f:
        p = json.load(f)
    xs = np.stack([np.frombuffer(zlib.decompress(base64.b64decode(c["input"])), dtype=np.uint8).reshape(p["shape"])
                   for c in p["cases"]])
    want = np.array([c["logit"] for c in p["cases"]], dtype=np.float64)
    with torch.no_grad():
        got = model.eval()(torch.from_numpy(xs.astype(np.float32))).double().numpy()
    return float(np.max(np.abs(got - want)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model_dir")
    ap.add_argument("--config", required=True, help="the config that trained the export (its model and input)")
    ap.add_argument("--calibrate", required=True, help="a shard folder of inputs like the training images")
    ap.add_argument("--n", type=int, default=64, help="calibration images")
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    run = C.with_defaults(C.load(a.config))
    inp = run["data"]["input"]
    model = M.build(run["model"], 1)
    try:
        load_export(model, a.model_dir, inp["height"], inp["width"], 1)
        cal = open_shards(a.calibrate)
        x = cal.gather(np.arange(min(a.n, cal.n)))
        if x.shape[2:] != (inp["height"], inp["width"]):
            raise C.ConfigError(f"{a.calibrate}: images are {x.shape[2]}x{x.shape[3]}, the model reads "
                                f"{inp['height']}x{inp['width']}")
        calibrate(model, x)
        gap = parity_gap(model, a.model_dir)
    except (C.ConfigError, OSError, KeyError) as e:
        print(f"tfjs_init: {e}", file=sys.stderr)
        return 1
    if not gap < 1e-3:
        print(f"tfjs_init: the unfolded model differs from the export by {gap:.2e} on its parity cases",
              file=sys.stderr)
        return 1
    name = os.path.basename(os.path.normpath(a.model_dir))
    out = a.out or os.path.join("training", "checkpoints", f"{name}.pt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.save(model.state_dict(), out)
    export_sha = file_sha256(os.path.join(a.model_dir, "model.json"))
    note = {"from_export": a.model_dir, "model_json_sha256": export_sha, "config": a.config,
            "calibration": {"dir": a.calibrate, "images": int(x.shape[0])},
            "parity_max_abs_logit_diff": gap,
            "method": "BatchNorm unfolded: running stats = calibration statistics, affine part undoes them"}
    with open(out + ".json", "w") as f:
        json.dump(note, f, indent=1)
    print(f"tfjs_init: {out} from {a.model_dir} (parity gap {gap:.2e}, calibrated on {x.shape[0]} images)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
