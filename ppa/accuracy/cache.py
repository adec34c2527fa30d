"""A small on-disk cache of accuracy results: one JSON file per key, written to a temporary file and renamed.

Keys hold everything the result depends on, including a hash of the model's source (`code_version`), so a
changed model never reuses an old number. Folder: $PPA_CACHE_DIR, else ~/.cache/ppa.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ppa.errors import PpaError


def cache_dir() -> Path:
    """$PPA_CACHE_DIR, else ~/.cache/ppa (accuracy results, one small JSON file per key)."""
    return Path(os.environ.get("PPA_CACHE_DIR") or Path.home() / ".cache" / "ppa")


def source_hash(names: Iterable[str] | None = None) -> str:
    """Hash of accuracy-model source files (all of ppa/accuracy by default): a result is reused only by its code."""
    here = Path(__file__).resolve().parent
    paths = sorted(here.glob("*.py")) if names is None else [here / n for n in names]
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cached(folder: str, key: dict, compute: Callable[[], float]) -> float:
    """The accuracy stored under `key` in `folder`, or `compute()` once, checked to lie in [0, 1], and stored."""
    return cached_metrics(folder, key, lambda: {"accuracy": compute()})["accuracy"]


def cached_metrics(folder: str, key: dict, compute: Callable[[], dict]) -> dict:
    """The metrics stored under `key` in `folder` (an `accuracy` in [0, 1] and optional finite extras such as an
    ECE), or `compute()` once, checked, and stored."""
    text = json.dumps(key, sort_keys=True)
    path = cache_dir() / folder / (hashlib.sha256(text.encode()).hexdigest()[:24] + ".json")
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if {k: stored.get(k) for k in key} == json.loads(text) and isinstance(stored.get("accuracy"), (int, float)):
            return {k: float(v) for k, v in stored.items() if k not in key}
    except (OSError, ValueError, TypeError, AttributeError):
        pass                                     # missing or damaged: computed again and replaced
    metrics = {str(k): float(v) for k, v in compute().items()}
    value = metrics.get("accuracy")
    if value is None or not math.isfinite(value) or not 0.0 <= value <= 1.0 \
            or not all(math.isfinite(v) for v in metrics.values()) or set(metrics) & set(key):
        raise PpaError(f"the accuracy model returned {metrics!r} for {key}", field="accuracy")
    store(path, lambda f: f.write(json.dumps({**json.loads(text), **metrics}).encode()))
    return metrics


def store(path: Path, write: Callable) -> None:
    """Write a cache entry through a temporary file in its folder, renamed into place (`write` gets the binary
    file); an unwritable cache only costs time, so failures are ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass
