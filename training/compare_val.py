"""Scores several checkpoints on one config's validation sets (fold 9), per style: the side-by-side that chooses
between runs whose own logs were validated on different fold-9 mixtures (heartnet-wild-6's photos are turned
upright, heartnet-wild-5's are as drawn).

    python3 -m training.compare_val --config training/configs/heartnet-wild-6.json heartnet-wild-5 heartnet-wild-6

Each NAME is training/checkpoints/NAME.pt with training/configs/NAME.json's network (or --network CONFIG's, for
all of them); a GPU run's start is rebuilt there from its TF.js export by training/tfjs_init.py, exact in eval
mode. Prints one line per checkpoint."""
from __future__ import annotations

import argparse

import torch

from . import config as C, models
from .metrics import auroc
from .train import load_data, predict_logits


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", required=True, help="the config whose validation sets are read")
    ap.add_argument("names", nargs="+", help="checkpoints: training/checkpoints/NAME.pt")
    ap.add_argument("--network", default=None, help="the config whose network every checkpoint has (default: its own)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    cfg = C.with_defaults(C.load(a.config))
    val = load_data(cfg, "val")
    y = val.labels.astype(int)
    for name in a.names:
        run = C.with_defaults(C.load(a.network or f"training/configs/{name}.json"))
        model = models.build(run["model"], val.planes)
        model.load_state_dict(torch.load(f"training/checkpoints/{name}.pt", map_location="cpu"))
        z = predict_logits(model.eval(), val, 64, torch.device("cpu"))
        parts = []
        for s, a0, a1 in zip(cfg["data"]["val"], val.offsets[:-1], val.offsets[1:]):
            parts.append(f"{s['style']}{' (upright)' if s.get('upright') else ''} {auroc(y[a0:a1], z[a0:a1]):.4f}")
        print(f"{name}: fold 9 ({val.n} images) AUROC {auroc(y, z):.4f}; " + "; ".join(parts), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
