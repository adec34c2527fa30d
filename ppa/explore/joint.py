"""Joint accuracy-cost design space: an accuracy for every sweep point, and a Pareto front that includes it.

Cost alone always favours the fewest ADC bits and the most columns per ADC; the accuracy model says what that
costs in accuracy. The model runs once per distinct combination of the parameters it depends on (ADC bits,
device states, device-to-device variation), whatever the other axes of the grid, and each result is cached on
disk keyed by those parameters, the seed and a hash of the accuracy model's source code, so a rerun or a larger
grid over the same accuracy axes costs nothing. Cache: `$PPA_CACHE_DIR` or `~/.cache/ppa`, one JSON file per
combination, written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ppa.errors import PpaError

KINDS = ("qnn",)
#: sweep objectives, all minimised: accuracy enters negated
OBJECTIVES = ("area_m2", "latency_s", "energy_j")


def cache_dir() -> Path:
    """Where accuracy results are kept: $PPA_CACHE_DIR, else ~/.cache/ppa/accuracy."""
    root = os.environ.get("PPA_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "ppa" / "accuracy"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the accuracy model's source: a change to the model invalidates every cached accuracy."""
    h = hashlib.sha256()
    for path in sorted((Path(__file__).resolve().parents[1] / "accuracy").glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _lookup(row: pd.Series, base, dotted: str) -> Any:
    """A design point's value of a dotted spec path: the swept value if the grid sweeps it, else the base spec's."""
    if dotted in row.index:
        return row[dotted]
    node = base
    for part in dotted.split("."):
        node = getattr(node, part)
    return node


def _d2d_sigma(row: pd.Series, base) -> float:
    """Device-to-device conductance sigma of a design point (0 for devices without conductance variation)."""
    for path in ("device.variation.device_to_device.sigma", "device.variation"):
        try:
            value = _lookup(row, base, path)
        except AttributeError:
            continue
        if isinstance(value, (int, float, np.number)):
            return float(value)
    return 0.0


def qnn_parameters(row: pd.Series, base) -> dict:
    """The parameters the quantised-network accuracy depends on, for one design point."""
    dev = base.device
    if dev.kind == "dw_mtj":
        states = len(_lookup(row, base, "device.conductances"))
    elif dev.kind == "sram":
        states = int(2 ** min(int(_lookup(row, base, "device.weight_bits")), 16))
    else:
        raise PpaError(f"--accuracy qnn models DW-MTJ and SRAM synapses, not device kind {dev.kind!r}",
                       field="accuracy")
    return {"adc_bits": int(_lookup(row, base, "adc.bits")), "states": states, "d2d_sigma": round(_d2d_sigma(row, base), 6)}


def _qnn_accuracy(params: dict, seed: int) -> float:
    from ppa.accuracy.experiments_qnn import qnn_accuracy_for

    return float(qnn_accuracy_for(adc_bits=params["adc_bits"], states=params["states"],
                                  d2d_sigma=params["d2d_sigma"], seed=seed))


MODELS: dict[str, tuple[Callable, Callable]] = {"qnn": (qnn_parameters, _qnn_accuracy)}


def cached_accuracy(kind: str, params: dict, seed: int, compute: Callable[[dict, int], float]) -> float:
    """The accuracy for `params`, from the disk cache or computed once and stored (temp file + rename)."""
    key = json.dumps({"kind": kind, "params": params, "seed": seed, "code": code_version()}, sort_keys=True)
    path = cache_dir() / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored.get("key") == key and isinstance(stored.get("accuracy"), (int, float)):
            return float(stored["accuracy"])
    except (OSError, ValueError):
        pass                                    # missing or unreadable: compute again
    accuracy = compute(params, seed)
    if not np.isfinite(accuracy) or not 0.0 <= accuracy <= 1.0:
        raise PpaError(f"the {kind} accuracy model returned {accuracy!r} for {params}", field="accuracy")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"key": key, "accuracy": accuracy}, f)
        os.replace(tmp, path)
    except OSError:
        pass                                    # an unwritable cache only costs time
    return accuracy


def accuracy_column(results: pd.DataFrame, bases: dict, kind: str = "qnn", seed: int = 0,
                    on_model: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Accuracy of every design point of a sweep table, one model run per distinct accuracy-relevant combination."""
    if kind not in MODELS:
        raise PpaError(f"unknown accuracy model {kind!r}; expected one of {', '.join(MODELS)}", field="accuracy")
    parameters, compute = MODELS[kind]
    keys = [json.dumps(parameters(row, bases[row["device"]]), sort_keys=True) for _, row in results.iterrows()]
    distinct = sorted(set(keys))
    values = {}
    for i, key in enumerate(distinct):
        values[key] = cached_accuracy(kind, json.loads(key), seed, compute)
        if on_model:
            on_model(i + 1, len(distinct))
    return np.array([values[k] for k in keys], dtype=np.float64)


def objectives(results: pd.DataFrame) -> np.ndarray:
    """The minimised objectives of a sweep table: area, latency, energy, and minus the accuracy if present."""
    cols = [results[c].to_numpy(dtype=np.float64) for c in OBJECTIVES]
    if "accuracy" in results.columns:
        cols.append(-results["accuracy"].to_numpy(dtype=np.float64))
    return np.stack(cols, axis=1) if len(results) else np.empty((0, len(cols)))
