"""Micro-benchmark: training and inference images/s of candidate nets x input sizes on this machine.

/usr/bin/python3 -m training.bench [--threads 2] [--batch 32] [--steps 4] [--out data/training/bench/cpu.json]
Random uint8 inputs (speed does not depend on content). Prints one JSON line per (arch, input)."""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

import torch
import torch.nn.functional as F

from . import models as M

CANDIDATES = {
    "plain_cnn-8-16-32": {"arch": "plain_cnn", "widths": [8, 16, 32]},
    "resnet-s16-16/32/64/128": {"arch": "resnet", "stem": 16, "widths": [16, 32, 64, 128], "blocks": [1, 1, 1, 1]},
    "resnet-s24-24/48/96/192": {"arch": "resnet", "stem": 24, "widths": [24, 48, 96, 192], "blocks": [1, 1, 1, 1]},
    "lead_grid-16-24/48/96": {"arch": "lead_grid", "stem": 16, "widths": [24, 48, 96], "blocks": [1, 1, 1]},
    # heartnet-wild's network (training/configs/heartnet-wild.json): stride-4 7x7 stem, no pool, for 384x512
    "resnet-s16-k7s4-1/1/2/1": {"arch": "resnet", "stem": 16, "widths": [16, 32, 64, 128], "blocks": [1, 1, 2, 1],
                                "stem_stride": 4, "stem_pool": False, "stem_kernel": 7},
}
SIZES = [(96, 128), (144, 192), (192, 256), (240, 320)]
# Not in the default set: 12 lead images per record (dataset4); one "image" below = one record = 12 lead
# images, e.g. --archs lead_sequence-16-16/32/64 --sizes 96x96,128x128 --batch 16
MULTI = {
    "lead_sequence-16-16/32/64": {"arch": "lead_sequence", "stem": 16, "widths": [16, 32, 64], "blocks": [1, 1, 1],
                                  "hidden": 64, "planes": 12},
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--archs", default=",".join(CANDIDATES))
    ap.add_argument("--sizes", default=",".join(f"{h}x{w}" for h, w in SIZES))
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rows = []
    for name in a.archs.split(","):
        for hw in a.sizes.split(","):
            h, w = map(int, hw.split("x"))
            cfg = dict({**CANDIDATES, **MULTI}[name])
            planes = cfg.pop("planes", 1)
            m = M.build(cfg, planes)
            opt = torch.optim.AdamW(m.parameters(), 1e-3)
            x = torch.randint(0, 256, (a.batch, planes, h, w)).float()
            y = (torch.rand(a.batch) < 0.3).float()
            m.train()
            for i in range(a.steps + 1):
                if i == 1:
                    t0 = time.perf_counter()
                loss = F.binary_cross_entropy_with_logits(m(x), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            train_ips = a.batch * a.steps / (time.perf_counter() - t0)
            m.eval()
            with torch.no_grad():
                m(x)
                t0 = time.perf_counter()
                for _ in range(a.steps):
                    m(x)
            infer_ips = a.batch * a.steps / (time.perf_counter() - t0)
            r = {"arch": name, "input": f"{h}x{w}", "params": M.count_params(m),
                 "weights_kb_f32": round(M.count_params(m) * 4 / 1024, 1),
                 "train_images_per_s": round(train_ips, 1), "infer_images_per_s": round(infer_ips, 1),
                 "planes": planes, "batch": a.batch, "threads": a.threads}
            print(json.dumps(r), flush=True)
            rows.append(r)
    if a.out:
        os.makedirs(os.path.dirname(a.out), exist_ok=True)
        with open(a.out, "w") as f:
            json.dump({"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
                       "torch": torch.__version__, "note": "shared 2-core machine; other jobs were running",
                       "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
