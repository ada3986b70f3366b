"""An image model trained on a rented GPU machine (issue 11): the steps that are not the training itself.

Such a machine is reached by copying the working tree (64 MiB at most) and has no Node: the shards (gigabytes of
pixels) cannot travel, so they are rendered there, by our own export-images bundled into one file and run by a
carried Node binary, from records packed by training/record_pack.py. See training/README.md ("Image models on a
GPU") for the whole route; training/gpu_image_run.sh is the part that runs there.

    python3 -m training.gpu_image plan CONFIG_OUT --base training/configs/heartnet-wild-2.json --name NAME ...
    python3 -m training.gpu_image jobs CONFIG [--runner CMD --data DIR]   # one shell line per shard set
    python3 -m training.gpu_image effective CONFIG OUT_CONFIG --seconds S --rate R      # what was rendered in time

`plan` writes a config whose training sources are many small shard sets (one export-images call each, each its
own --seed, all drawn from one `subset` pool of records, in rounds that mix the styles), more than a machine can
render in its time: `effective` keeps the sets that finished, in plan order, so a cut at any point leaves the
styles in the planned proportions; it also sets the epochs the remaining time allows (at least one)."""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import shlex
import sys

from . import config as C

# One round of the plan: (style, images). Wild printouts and wild photos are what the site's targets measure
# (and the printout-like ECG-Image-Kit pages); the earlier styles keep their share small.
ROUND = (("wild-printout", 512), ("wild-photo", 512), ("wild-printout", 512), ("wild-photo", 512),
         ("wild-scan", 256), ("printout", 256), ("dataset2", 256), ("photo", 256))
# The styles whose pictures the renderer may draw sideways or upside down (render/wild/camera.ts).
TURNED_STYLES = ("wild-photo",)


def plan(base: dict, name: str, rounds: int, subset: str, seed0: int, export_dir: str, scale: float = 1.0,
         upright: bool = False) -> dict:
    """`upright`: wild photos (the one style drawn turned) turned back by their camera's quarter turns, in the
    training sets and the validation set, so the model learns and is selected on sheets the right way up, as the
    demo's sheet-upright step hands them over (export-images --upright)."""
    cfg = copy.deepcopy(base)
    cfg["name"] = name
    cfg["init"] = base["name"]
    train = []
    for r in range(rounds):
        for k, (style, n) in enumerate(ROUND):
            seed = seed0 + r * len(ROUND) + k
            train.append({"style": style, "dir": f"build/shards/{name}-{style}-s{seed}", "folds": "1-8",
                          "subset": subset, "limit": max(1, round(n * scale)), "seed": seed,
                          **({"upright": True} if upright and style in TURNED_STYLES else {})})
    cfg["data"]["train"] = train
    if upright:
        for v in cfg["data"]["val"]:
            if v["style"] in TURNED_STYLES and not v.get("upright"):
                v["upright"] = True
                v["dir"] += "-upright"
    cfg["export"]["dir"] = export_dir
    return cfg


def export_args(src: dict, inp: dict) -> list[str]:
    """export-images' arguments for one source (scripts/train.ts ensureShards builds the same list)."""
    args = ["--style", src["style"], "--folds", src["folds"], "--out", src["dir"],
            "--input", f"{inp['height']}x{inp['width']}"]
    if inp.get("tone"):
        args += ["--tone", inp["tone"]]
    for key in ("balanced", "subset", "limit", "variants", "seed"):
        if key in src:
            args += [f"--{key}", str(src[key])]
    if src.get("upright"):
        args.append("--upright")
    return args


def jobs(cfg: dict, runner: list[str], data: str, val_only: bool = False, workers: int = 0,
         val_ids: dict[str, list[int]] | None = None) -> list[str]:
    """Validation sets first (they must all finish), then the training sets in plan order.

    `val_ids` (validation set dir -> the ecg_ids its manifest holds at home, written by gpu_image_prepare.sh) pins
    each validation set to those records with --ids. Without it, the machine would draw its --limit records from
    the fold-9 records that travelled rather than from all of fold 9: other images than the ones the export is
    checked on at home (an image's pixels depend only on its ecg_id, style and seed, so the same ids give the same
    images)."""
    inp = cfg["data"]["input"]

    def line(src: dict, extra: list[str]) -> str:
        argv = [*runner, *export_args(src, inp), "--data", data, "--workers", str(workers), "--quiet", *extra]
        return " ".join(shlex.quote(a) for a in argv)

    def pinned(src: dict) -> list[str]:
        if val_ids is None:
            return []
        if src["dir"] not in val_ids:
            raise C.ConfigError(f"--val-ids names no records for the validation set {src['dir']}")
        return ["--ids", ",".join(str(i) for i in val_ids[src["dir"]])]

    val = [line(s, pinned(s)) for s in cfg["data"]["val"]]
    return val if val_only else val + [line(s, []) for s in cfg["data"]["train"]]


def finished(src: dict) -> bool:
    return os.path.exists(os.path.join(src["dir"], "manifest.json"))


def effective(cfg: dict, seconds: float, rate: float, max_epochs: int) -> dict:
    """The config of what was rendered: validation complete, training sets up to the first unfinished one."""
    missing = [s["dir"] for s in cfg["data"]["val"] if not finished(s)]
    if missing:
        raise C.ConfigError(f"validation sets not rendered: {missing}")
    train = []
    for s in cfg["data"]["train"]:
        if not finished(s):
            break
        train.append(s)
    if not train:
        raise C.ConfigError("no training set finished rendering")
    n = sum(json.load(open(os.path.join(s["dir"], "manifest.json")))["count"] for s in train)
    out = copy.deepcopy(cfg)
    out["data"]["train"] = train
    out["train"]["epochs"] = max(1, min(max_epochs, math.floor(seconds * rate / n)))
    out["train"]["max_minutes"] = round(seconds / 60, 2)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plan")
    p.add_argument("out")
    p.add_argument("--base", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--rounds", type=int, default=40)
    p.add_argument("--subset", default="0/3")
    p.add_argument("--seed0", type=int, default=1000)
    p.add_argument("--comment", default=None)
    p.add_argument("--scale", type=float, default=1.0, help="images per set x this (smoke runs)")
    p.add_argument("--val-limit", type=int, default=None, help="validation sets cut to this (smoke runs)")
    p.add_argument("--upright", action="store_true", help="wild photos turned upright (export-images --upright)")
    j = sub.add_parser("jobs")
    j.add_argument("config")
    j.add_argument("--runner", default="node .gpu/export-images.mjs", help="the export-images command")
    j.add_argument("--data", default="data/ptb-xl")
    j.add_argument("--val-only", action="store_true")
    j.add_argument("--workers", type=int, default=0)
    j.add_argument("--val-ids", default=None,
                   help="JSON {validation set dir: [ecg_id, ...]} from gpu_image_prepare.sh: render exactly those records")
    e = sub.add_parser("effective")
    e.add_argument("config")
    e.add_argument("out")
    e.add_argument("--seconds", type=float, required=True, help="training time left")
    e.add_argument("--rate", type=float, required=True, help="expected training images per second")
    e.add_argument("--max-epochs", type=int, default=8)
    a = ap.parse_args(argv)
    try:
        if a.cmd == "plan":
            base = C.load(a.base)
            cfg = plan(base, a.name, a.rounds, a.subset, a.seed0, f"public/models/{a.name}", a.scale, a.upright)
            if a.val_limit:
                for v in cfg["data"]["val"]:
                    v["limit"] = min(v.get("limit", a.val_limit), a.val_limit)
                    v["dir"] += f"-n{a.val_limit}"
            if a.comment:
                cfg["$comment"] = a.comment
            C.validate(cfg)
            with open(a.out, "w") as f:
                json.dump(cfg, f, indent=2)
                f.write("\n")
            print(f"gpu_image: {a.out}: {len(cfg['data']['train'])} training sets planned")
        elif a.cmd == "jobs":
            ids = None
            if a.val_ids:
                with open(a.val_ids) as f:
                    ids = json.load(f)
            print("\n".join(jobs(C.load(a.config), shlex.split(a.runner), a.data, a.val_only, a.workers, ids)))
        else:
            cfg = effective(C.load(a.config), a.seconds, a.rate, a.max_epochs)
            with open(a.out, "w") as f:
                json.dump(cfg, f, indent=2)
                f.write("\n")
            n = len(cfg["data"]["train"])
            print(f"gpu_image: {n} of {len(C.load(a.config)['data']['train'])} training sets rendered; "
                  f"{cfg['train']['epochs']} epoch(s)")
    except (C.ConfigError, OSError) as err:
        print(f"gpu_image: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
