"""Where a training run's log says it came from: the time, and the commit of the code that ran it (one definition
for every trainer)."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def file_sha256(path: str) -> str:
    """Hex sha256 of a file's bytes: checkpoints and exports are pinned by digest in the training logs."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def git_commit(watched: list[str]) -> str | None:
    """HEAD, with "+dirty" when any of the `watched` paths has uncommitted changes. A copy of the tree on a rented
    GPU machine may carry a .git that is not this checkout's, so a commit named in HEARTNET_GIT_COMMIT comes first."""
    if os.environ.get("HEARTNET_GIT_COMMIT"):
        return os.environ["HEARTNET_GIT_COMMIT"]
    try:
        c = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *watched],
                               capture_output=True, text=True).stdout.strip()
        return c + ("+dirty" if dirty else "")
    except Exception:
        return None
