"""Data of the signal classifier: the records `npm run export-signals` wrote (PTB-XL, already conditioned with
the printout's filters by src/lib/signal/filters.ts), cut into the 3x4 + rhythm input with the window table
of the export manifest (src/lib/signal/windows.ts inputSpec(); never re-derived here), and the perturbations
that imitate what digitising a printed sheet does to the traces.

Input layout (see src/lib/signal/windows.ts): channels 0..12 = the 13 traces' values in mV inside their
windows, 0 elsewhere; channels 13..25 = their confidence (0 outside the window or where unread). PyTorch takes
(N, 26, 1, T); TF.js takes NHWC (N, 1, T, 26).

`python -m training.signal_data windows IN.json OUT.json` cuts the clean input for records given as JSON
(`{"manifest_input": spec, "signals": [[12 x T]...]}`); tests/unit/signal-crosscheck.test.ts compares it with
the TypeScript `inputFromReadout(readoutFromSignals(...))` on the same numbers."""
from __future__ import annotations

import json
import os
import sys

import numpy as np

from .config import parse_folds  # noqa: F401 (the one fold-list parser; D.parse_folds for signal_train)

SIGNALS_FORMAT = "heartnet-signals/1"
INPUT_FORMAT = "signal-3x4r/1"


class SignalDataError(Exception):
    pass


class Traces:
    """The window table: for each input trace its lead (index into the 12 stored leads) and [start, end)."""

    def __init__(self, spec: dict):
        if spec.get("format") != INPUT_FORMAT:
            raise SignalDataError(f"input format {spec.get('format')!r}, expected {INPUT_FORMAT!r}")
        tr = spec["traces"]
        self.spec = spec
        self.names = [t["name"] for t in tr]
        self.lead = np.array([t["lead_index"] for t in tr], dtype=np.int64)
        self.start = np.array([t["start"] for t in tr], dtype=np.int64)
        self.end = np.array([t["end"] for t in tr], dtype=np.int64)
        self.is_rhythm = np.array([t["column"] is None for t in tr])
        self.n = len(tr)
        self.samples = int(spec["samples"])
        self.channels = int(spec["channels"])
        if self.channels != 2 * self.n:
            raise SignalDataError(f"spec has {self.n} traces but {self.channels} channels (expected {2 * self.n})")
        t = np.arange(self.samples)
        # (traces, T) 1 inside each trace's window
        self.window = ((t[None, :] >= self.start[:, None]) & (t[None, :] < self.end[:, None])).astype(np.float32)


def clean_input(full: np.ndarray, tr: Traces) -> np.ndarray:
    """full: (B, 12, T) conditioned records -> (B, channels, T): values inside the windows, confidence 1 there."""
    b = full.shape[0]
    vals = np.where(tr.window[None] > 0, full[:, tr.lead, : tr.samples].astype(np.float32), np.float32(0))
    conf = np.broadcast_to(tr.window[None], (b, tr.n, tr.samples))
    return np.ascontiguousarray(np.concatenate([vals, conf], axis=1), dtype=np.float32)


# Defaults of the perturbations (config "augment" overrides any of them). Units: mV, samples at 100 Hz.
AUGMENT_DEFAULTS = {
    "p_clean": 0.2,          # share of training examples left unperturbed
    "time_scale": 0.03,      # paper speed / grid pitch error: time axis stretched by 1 +- this
    "shift": 4.0,            # whole-sheet registration error, +- samples
    "trace_shift": 3.0,      # per-trace (per-column) misplacement, +- samples
    "jitter": 0.3,           # per-sample timing noise (std, samples)
    "gain": 0.15,            # mV/mm calibration error: all traces x exp(+- this)
    "trace_gain": 0.05,      # per-trace gain error (std of log gain)
    "offset": 0.1,           # per-trace baseline offset, +- mV
    "wander": 0.15,          # per-trace baseline wander amplitude, up to mV (0.05-0.5 Hz sinusoid)
    "tilt": 0.05,            # per-trace linear drift (sheet rotation), +- mV per second
    "noise": 0.06,           # per-trace white noise std, up to mV (drawn for half of the traces)
    "p_quantise": 0.7,       # share of examples quantised to a pixel grid
    "quantum": [0.005, 0.05],  # quantisation step range, mV (a 0.025 mV pixel at 4 px/mm, 10 mm/mV)
    "p_drop": 0.05,          # per grid trace: not read at all
    "p_drop_rhythm": 0.1,    # rhythm strip not read
    "p_gap": 0.2,            # per trace: one unread gap inside the window
    "gap": [5, 60],          # gap length range, samples
    "conf_noise_scale": 0.1,  # confidence = clip(1 - noise_std / this, conf_min, 1)
    "conf_min": 0.2,
}


def augment_config(cfg: dict | None) -> dict:
    out = dict(AUGMENT_DEFAULTS)
    for k, v in (cfg or {}).items():
        if k not in AUGMENT_DEFAULTS:
            raise SignalDataError(f"augment: unknown key {k!r} (known: {', '.join(sorted(AUGMENT_DEFAULTS))})")
        out[k] = v
    return out


def perturbed_input(full: np.ndarray, tr: Traces, rng: np.random.Generator, a: dict) -> np.ndarray:
    """What a digitiser might read: full (B, 12, T) -> (B, channels, T) with the perturbations of `a` (see
    AUGMENT_DEFAULTS) drawn from `rng`. A share a['p_clean'] of the examples is returned clean."""
    b, T, n = full.shape[0], tr.samples, tr.n
    fs = float(tr.spec["sampling_rate"])
    src = full[:, tr.lead, :].astype(np.float32)                         # (B, n, T) each trace's whole lead
    t = np.arange(T, dtype=np.float32)
    # time axis: the sample the digitiser reports at t comes from position p(t) of the true signal
    f32 = np.float32
    u = lambda lo, hi, shape: rng.uniform(lo, hi, size=shape).astype(f32)
    scale = 1.0 + u(-a["time_scale"], a["time_scale"], (b, 1, 1))
    shift = u(-a["shift"], a["shift"], (b, 1, 1)) + u(-a["trace_shift"], a["trace_shift"], (b, n, 1))
    t0 = tr.start[None, :, None].astype(f32)
    pos = t0 + (t[None, None, :] - t0) * scale + shift
    pos = pos + rng.standard_normal(size=(b, n, T), dtype=f32) * f32(a["jitter"])
    pos = np.clip(pos, 0, T - 1)
    i0 = np.floor(pos).astype(np.int64)
    i1 = np.minimum(i0 + 1, T - 1)
    fr = pos - i0
    x = np.take_along_axis(src, i0, axis=2) * (1 - fr) + np.take_along_axis(src, i1, axis=2) * fr
    # gain
    g = np.exp(u(-a["gain"], a["gain"], (b, 1, 1)) + rng.normal(0, a["trace_gain"], size=(b, n, 1)).astype(f32))
    x = x * g
    # baseline: offset + slow sinusoid + tilt
    secs = t[None, None, :] / f32(fs)
    f = u(0.05, 0.5, (b, n, 1))
    ph = u(0, 2 * np.pi, (b, n, 1))
    amp = u(0, a["wander"], (b, n, 1))
    x = x + u(-a["offset"], a["offset"], (b, n, 1)) + amp * np.sin(f32(2 * np.pi) * f * secs + ph)
    x = x + u(-a["tilt"], a["tilt"], (b, n, 1)) * (secs - t0 / f32(fs))
    # high-frequency noise, per trace; confidence follows its level
    sd = u(0, a["noise"], (b, n, 1)) * (rng.random((b, n, 1)) < 0.5)
    x = x + rng.standard_normal(size=(b, n, T), dtype=f32) * sd
    conf = np.broadcast_to(np.clip(1.0 - sd / f32(a["conf_noise_scale"]), f32(a["conf_min"]), f32(1.0)), (b, n, T))
    # amplitude quantisation (pixel rows)
    q = u(a["quantum"][0], a["quantum"][1], (b, 1, 1))
    doq = rng.random((b, 1, 1)) < a["p_quantise"]
    x = np.where(doq, np.round(x / q) * q, x)
    # reading failures: whole traces dropped, gaps inside windows
    present = np.ones((b, n, 1), dtype=np.float32)
    pd = np.where(tr.is_rhythm, a["p_drop_rhythm"], a["p_drop"])[None, :, None]
    present = present * (rng.random((b, n, 1)) >= pd)
    L = (tr.end - tr.start)[None, :, None]
    glen = rng.integers(a["gap"][0], a["gap"][1] + 1, size=(b, n, 1))
    gst = tr.start[None, :, None] + (rng.random((b, n, 1)) * np.maximum(L - glen, 1)).astype(np.int64)
    gap = (rng.random((b, n, 1)) < a["p_gap"]) & (t[None, None, :] >= gst) & (t[None, None, :] < gst + glen)
    keep = tr.window[None] * present * (~gap)
    vals = np.where(keep > 0, x, 0).astype(np.float32)
    conf = np.where(keep > 0, conf, 0).astype(np.float32)
    out = np.concatenate([vals, conf], axis=1)
    clean = rng.random(b) < a["p_clean"]
    if clean.any():
        out[clean] = clean_input(full[clean], tr)
    return np.ascontiguousarray(out, dtype=np.float32)


class SignalSet:
    """The records of some folds from an export-signals folder (memory-mapped)."""

    def __init__(self, directory: str, folds: set[int]):
        mpath = os.path.join(directory, "manifest.json")
        if not os.path.exists(mpath):
            raise SignalDataError(f"{mpath}: missing (run npm run export-signals)")
        with open(mpath) as f:
            m = json.load(f)
        if m.get("format") != SIGNALS_FORMAT:
            raise SignalDataError(f"{mpath}: format {m.get('format')!r}, expected {SIGNALS_FORMAT!r}")
        nl, T = len(m["leads"]), int(m["samples"])
        path = os.path.join(directory, "signals.f32")
        size = os.path.getsize(path)
        if size != m["count"] * nl * T * 4:
            raise SignalDataError(f"{path}: {size} bytes, expected {m['count']} x {nl} x {T} x 4")
        if len(m["items"]) != m["count"]:
            raise SignalDataError(f"{mpath}: count {m['count']} but {len(m['items'])} items")
        self.manifest = m
        self.dir = directory
        self.traces = Traces(m["input"])
        allx = np.memmap(path, dtype="<f4", mode="r", shape=(m["count"], nl, T))
        folds_all = np.array([it["fold"] for it in m["items"]], dtype=np.int64)
        sel = np.nonzero(np.isin(folds_all, sorted(folds)))[0]
        self.index = sel
        self.x = np.ascontiguousarray(allx[sel])  # whole selection in memory (19.6 k records = 0.9 GB)
        self.labels = np.array([m["items"][i]["label"] for i in sel], dtype=np.int64)
        self.folds = folds_all[sel]
        self.ecg_ids = np.array([m["items"][i]["ecg_id"] for i in sel], dtype=np.int64)
        self.n = len(sel)

    def clean(self, idx) -> np.ndarray:
        return clean_input(self.x[idx], self.traces)


READOUT_SET_FORMAT = "heartnet-readout-set/1"


class ReadoutSet:
    """Pages the digitiser read back, kept by `npm run eval -- --model digitise+DIR --readouts FILE`
    (scripts/lib/readout-cache.ts): the signal model's input rows as the pipeline built them from what it read,
    one per record, with the records' ids, folds and labels. x: (n, channels, T) like clean_input."""

    def __init__(self, path: str, tr: Traces):
        base = path[:-5] if path.endswith(".json") else path
        if not (os.path.exists(base + ".json") and os.path.exists(base + ".f32")):
            raise SignalDataError(
                f"{base}.json/.f32: no kept readings there; make them with npm run eval -- --model "
                f"digitise+public/models/signal-3x4r --fold F --style STYLE [--allow-any-fold --limit N] --readouts {base} "
                "(training/README.md, 'The digitiser's own readings')")
        with open(base + ".json") as f:
            h = json.load(f)
        if h.get("format") != READOUT_SET_FORMAT:
            raise SignalDataError(f"{base}.json: format {h.get('format')!r}, expected {READOUT_SET_FORMAT!r}")
        if h.get("input_format") != tr.spec["format"] or h["samples"] != tr.samples or h["channels"] != tr.channels:
            raise SignalDataError(f"{base}.json: input {h.get('input_format')} {h.get('samples')}x{h.get('channels')}, "
                                  f"the model reads {tr.spec['format']} {tr.samples}x{tr.channels}")
        n = len(h["ecg_ids"])
        raw = np.fromfile(base + ".f32", dtype="<f4")
        if raw.size != n * tr.samples * tr.channels:
            raise SignalDataError(f"{base}.f32: {raw.size} values, the header's {n} records need "
                                  f"{n * tr.samples * tr.channels}")
        self.path = base
        self.header = {k: h[k] for k in ("style", "seed", "sources_sha256", "commit", "reader", "created")}
        self.x = np.ascontiguousarray(raw.reshape(n, tr.samples, tr.channels).transpose(0, 2, 1))
        self.ecg_ids = np.array(h["ecg_ids"], dtype=np.int64)
        self.folds = np.array(h["folds"], dtype=np.int64)
        self.labels = np.array(h["labels"], dtype=np.int64)
        self.unread = len(h["unread_ecg_ids"])
        self.n = n


def readouts_for(paths: list[str], ds: "SignalSet", folds: set[int]) -> tuple[np.ndarray, np.ndarray, list[dict]]:
    """The kept readings of `ds`'s records: (rows (m, C, T), their positions in ds (m,), a summary per set).
    Every reading must be of a record in ds, from the allowed folds, with ds's label."""
    where = {int(e): i for i, e in enumerate(ds.ecg_ids.tolist())}
    rows, pos, info = [], [], []
    for p in paths:
        rs = ReadoutSet(p, ds.traces)
        bad = sorted(set(rs.folds.tolist()) - folds)
        if bad:
            raise SignalDataError(f"{rs.path}: readings of folds {bad}; only folds {sorted(folds)} may be used here")
        idx = np.array([where.get(int(e), -1) for e in rs.ecg_ids.tolist()], dtype=np.int64)
        if (idx < 0).any():
            raise SignalDataError(f"{rs.path}: {int((idx < 0).sum())} readings of records not in the loaded folds")
        if (ds.labels[idx] != rs.labels).any():
            raise SignalDataError(f"{rs.path}: labels differ from the records' labels")
        rows.append(rs.x)
        pos.append(idx)
        info.append({"path": rs.path, "n": rs.n, "unread": rs.unread, **rs.header})
    if not rows:
        return np.zeros((0, ds.traces.channels, ds.traces.samples), np.float32), np.zeros(0, np.int64), info
    return np.concatenate(rows), np.concatenate(pos), info


def _cli(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "windows":
        with open(argv[1]) as f:
            doc = json.load(f)
        tr = Traces(doc["manifest_input"])
        full = np.asarray(doc["signals"], dtype=np.float32)
        x = clean_input(full, tr)                       # (B, C, T)
        nhwc = x.transpose(0, 2, 1)                     # (B, T, C) = the TS layout x[t * C + c]
        with open(argv[2], "w") as f:
            json.dump({"inputs": [v.reshape(-1).astype(float).tolist() for v in nhwc]}, f)
        return 0
    if len(argv) == 4 and argv[0] == "perturb":
        # perturb IN.json SEED OUT.json: one perturbed (p_clean = 0) input per record, for tests and figures
        with open(argv[1]) as f:
            doc = json.load(f)
        tr = Traces(doc["manifest_input"])
        full = np.asarray(doc["signals"], dtype=np.float32)
        a = augment_config({**doc.get("augment", {}), "p_clean": 0.0})
        x = perturbed_input(full, tr, np.random.default_rng(int(argv[2])), a)
        with open(argv[3], "w") as f:
            json.dump({"inputs": [v.transpose(1, 0).reshape(-1).astype(float).tolist() for v in x]}, f)
        return 0
    print("usage: python -m training.signal_data windows IN.json OUT.json | perturb IN.json SEED OUT.json", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(_cli(sys.argv[1:]))
