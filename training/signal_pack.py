"""Pack the signal classifier's training records small enough to travel to a rented GPU machine, and unpack them
there. Nothing in the project needs this: `npm run train` on the CPU reads `npm run export-signals`'s folder
directly. It exists because such a machine is reached by copying the working tree (64 MiB at most), while the
export is 0.9 GB of float32.

    /usr/bin/python3 -m training.signal_pack pack   build/signals/ptbxl-printout DIR [--step-uv 5] [--margin 24]
    python3          -m training.signal_pack unpack DIR build/signals/ptbxl-printout

What is lost, and why it does not matter to training:
- samples no input window can reach are set to 0. The network sees each lead only inside its 3x4 window (lead II
  also as the 10 s rhythm strip); the perturbations of `signal_data.perturbed_input` read at most a few samples
  beyond a window (shifts, time scale, jitter), which `--margin` covers. Fold 9 is cut with the same windows;
- values are rounded to `--step-uv` microvolts (5 by default). A printed 10 mm/mV trace read at 4 px/mm has a
  25 uV pixel, and the perturbations already quantise to 5-50 uV.
The unpacked manifest says so in `transport`, and signal_train copies that into the training log.

Format: manifest.json (the export's, plus `transport`) and signals.i16.xz: int16 first differences along time of
the rounded values (N x 12 x T, C order), LZMA-compressed."""
from __future__ import annotations

import argparse
import json
import lzma
import os
import sys
from multiprocessing import Pool

import numpy as np

from . import signal_data as D

PACKED = "signals.i16.xz"


class PackError(Exception):
    pass


def reach_mask(spec: dict, leads: int, margin: int) -> np.ndarray:
    """(leads, T) True where some input window, widened by `margin` samples, covers the sample."""
    tr = D.Traces(spec)
    mask = np.zeros((leads, tr.samples), dtype=bool)
    for lead, a, b in zip(tr.lead, tr.start, tr.end):
        mask[lead, max(0, a - margin):min(tr.samples, b + margin)] = True
    return mask


def _compress(chunk: bytes) -> bytes:
    return lzma.compress(chunk, preset=9 | lzma.PRESET_EXTREME)


def pack(src: str, out: str, step_uv: float, margin: int) -> dict:
    with open(os.path.join(src, "manifest.json")) as f:
        m = json.load(f)
    if m.get("format") != D.SIGNALS_FORMAT:
        raise PackError(f"{src}: format {m.get('format')!r}, expected {D.SIGNALS_FORMAT!r}")
    n, nl, T = m["count"], len(m["leads"]), int(m["samples"])
    x = np.memmap(os.path.join(src, "signals.f32"), dtype="<f4", mode="r", shape=(n, nl, T))
    mask = reach_mask(m["input"], nl, margin)
    step = step_uv / 1000.0  # mV
    q = np.round(np.asarray(x) / step) * mask[None]
    if np.abs(q).max() > 16000:
        raise PackError(f"a value exceeds int16 range at {step_uv} uV steps")
    d = np.diff(q, axis=2, prepend=0).astype("<i2")
    raw = d.tobytes()
    parts = [raw[i:i + (1 << 24)] for i in range(0, len(raw), 1 << 24)]
    with Pool(os.cpu_count() or 1) as pool:
        blobs = pool.map(_compress, parts)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, PACKED), "wb") as f:
        for b in blobs:  # concatenated .xz streams decompress as one
            f.write(b)
    m["transport"] = {"by": "training/signal_pack.py", "step_uv": step_uv, "margin_samples": margin,
                      "note": f"values rounded to {step_uv} uV; samples more than {margin} beyond every input "
                              "window set to 0 (never read by the network or its perturbations)"}
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(m, f)
    return {"records": n, "bytes": sum(len(b) for b in blobs),
            "max_abs_error_mv": float(np.abs(q * step - np.asarray(x))[:, mask].max())}


def unpack(src: str, out: str) -> int:
    with open(os.path.join(src, "manifest.json")) as f:
        m = json.load(f)
    t = m.get("transport") or {}
    if "step_uv" not in t:
        raise PackError(f"{src}/manifest.json: no transport.step_uv (not written by signal_pack pack)")
    n, nl, T = m["count"], len(m["leads"]), int(m["samples"])
    with open(os.path.join(src, PACKED), "rb") as f:
        d = np.frombuffer(lzma.decompress(f.read()), dtype="<i2")
    if d.size != n * nl * T:
        raise PackError(f"{src}/{PACKED}: {d.size} values, expected {n} x {nl} x {T}")
    x = (np.cumsum(d.reshape(n, nl, T), axis=2, dtype=np.int32) * (t["step_uv"] / 1000.0)).astype("<f4")
    os.makedirs(out, exist_ok=True)
    x.tofile(os.path.join(out, "signals.f32"))
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(m, f)
    return n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("src")
    p.add_argument("out")
    p.add_argument("--step-uv", type=float, default=5.0)
    p.add_argument("--margin", type=int, default=24)
    u = sub.add_parser("unpack")
    u.add_argument("src")
    u.add_argument("out")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "pack":
            r = pack(a.src, a.out, a.step_uv, a.margin)
            print(f"[signal_pack] {r['records']} records -> {a.out}/{PACKED} ({r['bytes'] / 1e6:.1f} MB); "
                  f"largest rounding error inside the windows {r['max_abs_error_mv'] * 1000:.2f} uV")
        else:
            print(f"[signal_pack] {unpack(a.src, a.out)} records -> {a.out}")
    except (PackError, D.SignalDataError, OSError) as e:
        print(f"signal_pack: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
