"""Joint accuracy-cost design space: an accuracy for every sweep point, and a Pareto front that includes it.

Cost alone always favours the fewest ADC bits and the most columns per ADC; the accuracy model says what that
costs in accuracy. The model runs once per distinct combination of the parameters it depends on (ADC bits,
device states, device-to-device variation for `qnn`; ADC bits, sigma and mean precision, noise on/off ratio for
`bnn`), whatever the other axes of the grid, and each result is cached on
disk (`ppa.accuracy.cache`: `$PPA_CACHE_DIR` or `~/.cache/ppa`) keyed by those parameters, the seed and a
hash of the accuracy models' source code, so a rerun or a larger grid over the same accuracy axes costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ppa.accuracy.cache import cached_metrics, source_hash
from ppa.errors import PpaError

KINDS = ("qnn", "bnn")
#: sweep objectives, all minimised: accuracy enters negated
OBJECTIVES = ("area_m2", "latency_s", "energy_j")


def code_version() -> str:
    """A hash of the accuracy models' source: a change to a model invalidates every cached accuracy."""
    return source_hash()


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
        raise PpaError(f"--accuracy qnn models DW-MTJ and SRAM synapses, not device kind {dev.kind!r}"
                       + (" (use --accuracy bnn for probabilistic designs)" if dev.kind == "bayes_dw_pair" else ""),
                       field="accuracy")
    return {"adc_bits": int(_lookup(row, base, "adc.bits")), "states": states, "d2d_sigma": round(_d2d_sigma(row, base), 6)}


def _qnn_accuracy(params: dict, seed: int) -> float:
    from ppa.accuracy.experiments_qnn import qnn_accuracy_for

    return float(qnn_accuracy_for(adc_bits=params["adc_bits"], states=params["states"],
                                  d2d_sigma=params["d2d_sigma"], seed=seed, cache=False))   # cached here


#: (spec path, BayesMtjParams field, type) of every probabilistic-cell parameter the BNN accuracy depends on
BNN_FIELDS = (
    ("device.bayes_mtj.sigma_bits", "sigma_bits", int),
    ("device.dw_pair.mu_bits", "mu_bits", int),
    ("device.bayes_mtj.noise_on_off_ratio", "on_off_ratio", float),
    ("device.dw_pair.notches", "notches", int),
    ("device.dw_pair.read_noise_fraction", "dw_read_noise_fraction", float),
    ("device.bayes_mtj.noise_fit_a", "fit_a", float),
    ("device.bayes_mtj.noise_fit_b", "fit_b", float),
    ("device.bayes_mtj.std_ratio", "std_ratio", float),
)


def bnn_parameters(row: pd.Series, base) -> dict:
    """The parameters the spintronic BNN accuracy depends on (sec. 3.0.3: ADC, sigma and mu precision, Eq. 3.5
    noise, on/off ratio, DW read noise), for one design point; a field the spec leaves out keeps the model default."""
    from ppa.accuracy.bayes_mtj import BayesMtjParams, _magnitude

    dev = base.device
    if dev.kind != "bayes_dw_pair":
        raise PpaError(f"--accuracy bnn models the probabilistic Bayes-MTJ + DW-pair cell (device kind "
                       f"'bayes_dw_pair'), not device kind {dev.kind!r} (use --accuracy qnn)", field="accuracy")
    defaults = BayesMtjParams()
    out: dict = {"adc_bits": int(_lookup(row, base, "adc.bits"))}
    for path, name, kind in BNN_FIELDS:
        try:
            value = _lookup(row, base, path)
        except AttributeError:
            value = None
        if value is None:
            value = getattr(defaults, "noise_on_off_ratio" if name == "on_off_ratio" else name)
        value = kind(_magnitude(value, None))
        out[name] = round(value, 9) if kind is float else value
    try:
        BayesMtjParams().with_(adc_bits=out["adc_bits"], noise_on_off_ratio=out["on_off_ratio"],
                               **{k: v for k, v in out.items() if k not in ("adc_bits", "on_off_ratio")})
    except ValueError as e:   # e.g. mu_bits not whole slices of the DW pair's notches
        words = {"mu_bits": "device.dw_pair.mu_bits", "notches": "device.dw_pair.notches",
                 "sigma_bits": "device.bayes_mtj.sigma_bits", "on/off": "device.bayes_mtj.noise_on_off_ratio",
                 "Eq. 3.5": "device.bayes_mtj.noise_fit_a", "read noise": "device.dw_pair.read_noise_fraction"}
        path = next((p for w, p in words.items() if w in str(e)), "device")
        raise PpaError(f"--accuracy bnn: {e}", field=path) from None
    return out


def _as_metrics(value) -> dict:
    return dict(value) if isinstance(value, dict) else {"accuracy": float(value)}


def _qnn_accuracy(params: dict, seed: int) -> float:
    from ppa.accuracy.experiments_qnn import qnn_accuracy_for

    return float(qnn_accuracy_for(adc_bits=params["adc_bits"], states=params["states"],
                                  d2d_sigma=params["d2d_sigma"], seed=seed, cache=False))   # cached here


def _bnn_metrics(params: dict, seed: int) -> dict:
    from ppa.accuracy.experiments_bnn import bnn_metrics_for

    return bnn_metrics_for(seed=seed, **params)                                             # cached here


#: accuracy models: (design point -> parameters, (parameters, seed) -> accuracy or {"accuracy", extra metrics})
MODELS: dict[str, tuple[Callable, Callable]] = {"qnn": (qnn_parameters, _qnn_accuracy),
                                                "bnn": (bnn_parameters, _bnn_metrics)}


def cached_accuracy(kind: str, params: dict, seed: int, compute: Callable[[dict, int], float]) -> float:
    """The accuracy for `params`, from the disk cache (ppa.accuracy.cache) or computed once and stored."""
    return cached_model_metrics(kind, params, seed, compute)["accuracy"]


def cached_model_metrics(kind: str, params: dict, seed: int, compute: Callable[[dict, int], Any]) -> dict:
    """The accuracy (and any extra metrics, e.g. ECE) for `params`, from the disk cache or computed once and stored."""
    key = {"kind": kind, "params": params, "seed": seed, "code": code_version()}
    return cached_metrics(f"sweep_{kind}", key, lambda: _as_metrics(compute(params, seed)))


def accuracy_columns(results: pd.DataFrame, bases: dict, kind: str = "qnn", seed: int = 0,
                     on_model: Callable[[int, int], None] | None = None) -> dict[str, np.ndarray]:
    """`accuracy` (and the model's extra metrics, e.g. `ece` for bnn) of every design point of a sweep table, one
    model run per distinct accuracy-relevant combination."""
    if kind not in MODELS:
        raise PpaError(f"unknown accuracy model {kind!r}; expected one of {', '.join(MODELS)}", field="accuracy")
    parameters, compute = MODELS[kind]
    keys = [json.dumps(parameters(row, bases[row["device"]]), sort_keys=True) for _, row in results.iterrows()]
    distinct = sorted(set(keys))
    values = {}
    for i, key in enumerate(distinct):
        values[key] = cached_model_metrics(kind, json.loads(key), seed, compute)
        if on_model:
            on_model(i + 1, len(distinct))
    names = ["accuracy"] + sorted({m for v in values.values() for m in v} - {"accuracy"})
    return {m: np.array([values[k].get(m, np.nan) for k in keys], dtype=np.float64) for m in names}


def accuracy_column(results: pd.DataFrame, bases: dict, kind: str = "qnn", seed: int = 0,
                    on_model: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Accuracy of every design point of a sweep table, one model run per distinct accuracy-relevant combination."""
    return accuracy_columns(results, bases, kind, seed, on_model)["accuracy"]


def objectives(results: pd.DataFrame) -> np.ndarray:
    """The minimised objectives of a sweep table: area, latency, energy, and minus the accuracy if present."""
    cols = [results[c].to_numpy(dtype=np.float64) for c in OBJECTIVES]
    if "accuracy" in results.columns:
        cols.append(-results["accuracy"].to_numpy(dtype=np.float64))
    return np.stack(cols, axis=1) if len(results) else np.empty((0, len(cols)))
