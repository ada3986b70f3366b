"""Pack PTB-XL records small enough to travel to a rented GPU machine, and unpack them there as the standard WFDB
layout that `npm run export-images` reads. Nothing in the project needs this: on our own machines export-images
reads `data/ptb-xl` (or PTBXL_DIR) directly. It exists because such a machine is reached by copying the working
tree (64 MiB at most, a Node binary included), and the image models' shards are rendered there from records.

    /usr/bin/python3 -m training.record_pack pack   PTBXL_DIR OUT --subset 0/4 --folds 1-8 [--ids-file F] [--step-uv 5]
    python3          -m training.record_pack unpack OUT PTBXL_DIR_THERE

What is kept, and what is lost:
- the records of `--folds` whose ecg_id % M = K (`--subset K/M`, the pool export-images' --subset draws from),
  plus every ecg_id listed in `--ids-file` (a JSON list: the validation renders' records);
- leads I, II and V1-V6 only. PTB-XL's III, aVR, aVL and aVF are the machine's own arithmetic on I and II (within
  1.5 uV of III = II - I, aVR = -(I + II) / 2, aVL = I - II / 2, aVF = II - I / 2 on every record we checked), so
  `unpack` computes them back;
- values rounded to `--step-uv` microvolts (5 by default): 0.05 mm on a 10 mm/mV sheet, under a tenth of a pixel
  of the 384 x 512 model input. The unpacked folder's `TRANSPORT.json` says so, and the headers carry the
  checksums and initial values of the samples as unpacked, so the WFDB reader's checks hold.

Format: ids.json (ecg_ids in order, step, leads), records.i16.xz (N x 8 x 1000 int16 first differences along time
of the rounded values, C order, LZMA), ptbxl_database.csv (those rows) and scp_statements.csv."""
from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import os
import sys

import numpy as np

from .config import parse_folds

LEADS = ("I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6")
KEPT = (0, 1, 6, 7, 8, 9, 10, 11)   # I, II, V1-V6
SAMPLES = 1000
PACKED = "records.i16.xz"


class PackError(Exception):
    pass


def record_base(root: str, ecg_id: int) -> str:
    return os.path.join(root, "records100", f"{ecg_id // 1000 * 1000:05d}", f"{ecg_id:05d}_lr")


def read_dat(root: str, ecg_id: int) -> np.ndarray:
    """(12, 1000) int32 microvolts of one record (format 16, gain 1000/mV, baseline 0 in every PTB-XL header)."""
    path = record_base(root, ecg_id) + ".dat"
    x = np.fromfile(path, dtype="<i2")
    if x.size != 12 * SAMPLES:
        raise PackError(f"{path}: {x.size} samples, expected {12 * SAMPLES}")
    return x.reshape(SAMPLES, 12).T.astype(np.int32)


def limb_leads(i: np.ndarray, ii: np.ndarray) -> list[np.ndarray]:
    """III, aVR, aVL, aVF from I and II (Einthoven and Goldberger), rounded to whole microvolts."""
    return [ii - i, np.round(-(i + ii) / 2), np.round(i - ii / 2), np.round(ii - i / 2)]


def select_rows(db_rows: list[dict], folds: set[int], subset: tuple[int, int], extra: set[int]) -> list[dict]:
    k, m = subset
    return [r for r in db_rows
            if (int(float(r["strat_fold"])) in folds and int(r["ecg_id"]) % m == k) or int(r["ecg_id"]) in extra]


def pack(src: str, out: str, folds: set[int], subset: tuple[int, int], extra: set[int], step: int) -> dict:
    with open(os.path.join(src, "ptbxl_database.csv"), newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        rows = select_rows(list(reader), folds, subset, extra)
    missing = extra - {int(r["ecg_id"]) for r in rows}
    if missing:
        raise PackError(f"--ids-file: {len(missing)} id(s) have no labelled row, e.g. {sorted(missing)[:5]}")
    ids = [int(r["ecg_id"]) for r in rows]
    diffs = np.empty((len(ids), len(KEPT), SAMPLES), dtype=np.int16)
    for n, ecg_id in enumerate(ids):
        q = np.round(read_dat(src, ecg_id)[list(KEPT)] / step).astype(np.int32)
        d = np.diff(q, axis=1, prepend=0)
        if np.abs(d).max() > 32767:
            raise PackError(f"record {ecg_id}: a step does not fit int16")
        diffs[n] = d
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, PACKED), "wb") as f:
        f.write(lzma.compress(diffs.tobytes(), preset=9 | lzma.PRESET_EXTREME))
    with open(os.path.join(out, "ptbxl_database.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(src, "scp_statements.csv"), "rb") as fi, \
            open(os.path.join(out, "scp_statements.csv"), "wb") as fo:
        fo.write(fi.read())
    meta = {"ids": ids, "step_uv": step, "leads": [LEADS[i] for i in KEPT], "samples": SAMPLES,
            "selection": {"folds": sorted(folds), "subset": f"{subset[0]}/{subset[1]}", "extra_ids": len(extra)}}
    with open(os.path.join(out, "ids.json"), "w") as f:
        json.dump(meta, f)
    return meta


def header(ecg_id: int, x: np.ndarray) -> str:
    """A WFDB header matching PTB-XL's, with the initial values and checksums of `x` (12, 1000)."""
    name = f"{ecg_id:05d}_lr"
    lines = [f"{name} 12 100 {SAMPLES}"]
    for lead, sig in zip(LEADS, x):
        checksum = int(sig.sum()) % 65536
        lines.append(f"{name}.dat 16 1000.0(0)/mV 16 0 {int(sig[0])} {checksum} 0 {lead}")
    return "\n".join(lines) + "\n"


def unpack(src: str, out: str) -> int:
    with open(os.path.join(src, "ids.json")) as f:
        meta = json.load(f)
    ids, step = meta["ids"], meta["step_uv"]
    with open(os.path.join(src, PACKED), "rb") as f:
        diffs = np.frombuffer(lzma.decompress(f.read()), dtype=np.int16).reshape(len(ids), len(KEPT), SAMPLES)
    vals = np.cumsum(diffs.astype(np.int32), axis=2) * step
    for n, ecg_id in enumerate(ids):
        kept = vals[n].astype(np.float64)
        i, ii = kept[0], kept[1]
        x = np.stack([i, ii, *limb_leads(i, ii), *kept[2:]]).astype(np.int32)
        if np.abs(x).max() > 32767:
            raise PackError(f"record {ecg_id}: a derived lead does not fit int16")
        base = record_base(out, ecg_id)
        os.makedirs(os.path.dirname(base), exist_ok=True)
        x.T.astype("<i2").tofile(base + ".dat")
        with open(base + ".hea", "w") as f:
            f.write(header(ecg_id, x))
    for name in ("ptbxl_database.csv", "scp_statements.csv"):
        with open(os.path.join(src, name), "rb") as fi, open(os.path.join(out, name), "wb") as fo:
            fo.write(fi.read())
    with open(os.path.join(out, "TRANSPORT.json"), "w") as f:
        json.dump({"packed_by": "training/record_pack.py", "records": len(ids), "step_uv": step,
                   "derived_leads": "III, aVR, aVL, aVF computed from I and II",
                   "selection": meta["selection"]}, f, indent=1)
    return len(ids)


def parse_subset(text: str) -> tuple[int, int]:
    k, _, m = text.partition("/")
    if not (k.isdigit() and m.isdigit() and 0 <= int(k) < int(m)):
        raise PackError(f"--subset must be K/M with 0 <= K < M (got {text!r})")
    return int(k), int(m)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("src")
    p.add_argument("out")
    p.add_argument("--folds", default="1-8")
    p.add_argument("--subset", default="0/1")
    p.add_argument("--ids-file", default=None)
    p.add_argument("--step-uv", type=int, default=5)
    u = sub.add_parser("unpack")
    u.add_argument("src")
    u.add_argument("out")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "pack":
            extra: set[int] = set()
            if a.ids_file:
                with open(a.ids_file) as f:
                    extra = {int(v) for v in json.load(f)}
            meta = pack(a.src, a.out, parse_folds(a.folds), parse_subset(a.subset), extra, a.step_uv)
            size = os.path.getsize(os.path.join(a.out, PACKED))
            print(f"record_pack: {len(meta['ids'])} records -> {a.out}/{PACKED} ({size / 1e6:.1f} MB)")
        else:
            n = unpack(a.src, a.out)
            print(f"record_pack: {n} records unpacked to {a.out}")
    except (PackError, OSError) as e:
        print(f"record_pack: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
