"""Binary classification metrics. ONE definition, mirrored by src/lib/model/metrics.ts; the cross-check test
(tests/unit/metrics-crosscheck.test.ts) runs both on the same fixed predictions.

Conventions (both languages): positive = MI = 1; a prediction is positive when p >= threshold; AUROC is the
Mann-Whitney statistic with ties counted one half; a ratio with a zero denominator is 0."""
from __future__ import annotations

import json
import sys

import numpy as np


def auroc(labels, scores) -> float:
    y = np.asarray(labels).astype(np.int64)
    s = np.asarray(scores, dtype=np.float64)
    npos = int(y.sum())
    nneg = len(y) - npos
    if npos == 0 or nneg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ss = s[order]
    ranks = np.empty(len(s), dtype=np.float64)
    i = 0
    while i < len(ss):
        j = i
        while j + 1 < len(ss) and ss[j + 1] == ss[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y == 1].sum() - npos * (npos + 1) / 2.0) / (npos * nneg))


def _div(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


def at_threshold(labels, scores, threshold: float) -> dict:
    y = np.asarray(labels).astype(np.int64)
    p = np.asarray(scores, dtype=np.float64) >= threshold
    tp = int(np.sum(p & (y == 1)))
    fp = int(np.sum(p & (y == 0)))
    tn = int(np.sum(~p & (y == 0)))
    fn = int(np.sum(~p & (y == 1)))
    sens = _div(tp, tp + fn)
    spec = _div(tn, tn + fp)
    prec = _div(tp, tp + fp)
    f1 = _div(2 * prec * sens, prec + sens)
    acc = _div(tp + tn, len(y))
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn, "sensitivity": sens, "specificity": spec, "precision": prec,
            "f1": f1, "accuracy": acc, "error_rate": 1.0 - acc if len(y) else 0.0}


def choose_threshold(labels, scores, rule: str, min_sensitivity: float = 0.85) -> float:
    """'youden': the score maximising sensitivity + specificity - 1 (first maximum scanning from high to low
    thresholds); 'sensitivity': the highest threshold whose sensitivity >= min_sensitivity."""
    y = np.asarray(labels).astype(np.int64)
    s = np.asarray(scores, dtype=np.float64)
    cands = np.unique(s)[::-1]
    best_t, best_j = 0.5, -np.inf
    for t in cands:
        m = at_threshold(y, s, float(t))
        if rule == "sensitivity":
            if m["sensitivity"] >= min_sensitivity:
                return float(t)
        else:
            j = m["sensitivity"] + m["specificity"] - 1.0
            if j > best_j:
                best_t, best_j = float(t), j
    if rule == "sensitivity":
        return float(cands[-1]) if len(cands) else 0.5
    return best_t


def summary(labels, scores, threshold: float) -> dict:
    out = {"auroc": auroc(labels, scores), "threshold": float(threshold)}
    out.update(at_threshold(labels, scores, threshold))
    return out


if __name__ == "__main__":
    # `python -m training.metrics FILE`: FILE has {labels, scores, thresholds}; prints the Python figures.
    with open(sys.argv[1]) as f:
        fx = json.load(f)
    res = {"auroc": auroc(fx["labels"], fx["scores"]),
           "at": [summary(fx["labels"], fx["scores"], t) for t in fx["thresholds"]],
           "youden": choose_threshold(fx["labels"], fx["scores"], "youden"),
           "sens85": choose_threshold(fx["labels"], fx["scores"], "sensitivity", 0.85)}
    json.dump(res, sys.stdout)
