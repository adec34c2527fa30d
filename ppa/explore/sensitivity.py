"""Which inputs move the result: elasticities of every numeric field, Sobol indices and a tornado of the uncertain ones.

- **Elasticity** d ln y / d ln x of total energy, latency (per image, all categories) and chip area, for every
  numeric field of the spec: a central difference in ln x (x (1 +/- 1e-4); integers x +/- 1, an arc elasticity;
  one-sided where a step would leave the field's range). All perturbed specs are priced as one array computation.
- **First-order Sobol index** S_i = Var(E[y | x_i]) / Var(y) of every uncertain field, from the Monte Carlo samples
  themselves (given-data estimator: the samples sorted by x_i into sqrt(N) equal-count bins, the between-bin
  variance of y with its finite-sample bias removed, i.e. the ANOVA correlation ratio; Plischke, Borgonovo & Smith,
  "Global sensitivity measures from given data", EJOR 226, 2013). SALib's Sobol analysis needs its own Saltelli
  sample design rather than the estimate's samples, so the estimator is implemented here (tested on a linear model
  whose indices are known).
- **Tornado**: y with one uncertain field at its 5th and 95th percentile and the rest nominal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel

from ppa.cost.estimate import ALL_CATEGORIES as CATEGORIES, AREA_CATEGORIES, Mode
from ppa.explore.uncertainty import DEFAULT_SAMPLES, _require_imc, sample_estimate, sample_points
from ppa.spec import Chip
from ppa.spec.distributions import Distribution, distributions_of, physical_range
from ppa.workload.network import Network

OUTPUTS = ("energy_j", "latency_s", "area_m2")
OUTPUT_LABELS = {"energy_j": "energy", "latency_s": "latency", "area_m2": "area"}
REL_STEP = 1e-4


def numeric_fields(chip: BaseModel, prefix: tuple = ()) -> dict[str, float | int]:
    """Every numeric leaf of a spec by dotted path (list elements included; booleans, text and None left out)."""
    out: dict[str, float | int] = {}
    for name in type(chip).model_fields:
        value = getattr(chip, name)
        loc = prefix + (name,)
        if isinstance(value, BaseModel):
            out.update(numeric_fields(value, loc))
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    out[".".join(map(str, loc + (i,)))] = v
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[".".join(loc)] = value
    return out


def outputs_of(energy: dict, latency: dict, area: dict) -> dict[str, np.ndarray]:
    """Named outputs per point: totals (`energy_j`, `latency_s`, `area_m2`) and categories (`energy_j.adc`, ...)."""
    out = {}
    for q, parts in (("energy_j", energy), ("latency_s", latency)):
        per_cat = {c: np.sum(parts[c], axis=-1) for c in CATEGORIES}
        out[q] = sum(per_cat[c] for c in CATEGORIES)
        out.update({f"{q}.{c}": v for c, v in per_cat.items()})
    out["area_m2"] = area["total"]
    out.update({f"area_m2.{c}": area[c] for c in AREA_CATEGORIES})
    return out


def _loc(path: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


#: numeric fields that set a count (the DW-MTJ's number of notch states): no elasticity
COUNTING_FIELDS = frozenset({"device.notch_pitch", "device.mtj_length"})


def elasticities(network: Network, chip: Chip, mode: Mode = "inference", fields: list[str] | None = None,
                 outputs: tuple[str, ...] = OUTPUTS, rel_step: float = REL_STEP) -> pd.DataFrame:
    """d ln y / d ln x of each output for each numeric field (one row per field; NaN where x or y is zero)."""
    _require_imc(chip)
    nominal = numeric_fields(chip)
    # the notch pitch and MTJ length set the number of DW states, a count a small step cannot move smoothly
    fields = [f for f in nominal if f not in COUNTING_FIELDS] if fields is None else list(fields)
    steps = []                                   # (field, x_low, x_high, low is nominal, high is nominal)
    for f in fields:
        x = nominal[f]
        lower, lower_open, upper, upper_open = physical_range(chip, _loc(f))
        if isinstance(x, int):
            lo, hi = x - 1, x + 1
        else:
            lo, hi = x * (1 - rel_step), x * (1 + rel_step)
            if x < 0:
                lo, hi = hi, lo
        if lo < lower or (lower_open and lo <= lower):
            lo = x
        if hi > upper or (upper_open and hi >= upper):
            hi = x
        steps.append((f, lo, hi))
    n = 1 + 2 * len(steps)
    numeric = {f: np.full(n, float(nominal[f])) for f in nominal}
    for i, (f, lo, hi) in enumerate(steps):
        numeric[f][1 + 2 * i] = lo
        numeric[f][2 + 2 * i] = hi
    energy, latency, area = sample_points(network, chip, numeric, mode, n)
    ys = outputs_of(energy, latency, area)
    rows = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for i, (f, lo, hi) in enumerate(steps):
            x = nominal[f]
            row = {"field": f, "value": x, "integer": isinstance(x, int)}
            dx = math.log(hi / lo) if x != 0 and lo != hi and lo / x > 0 and hi / x > 0 else float("nan")
            for q in outputs:
                y = ys[q]
                y_lo, y_hi = y[1 + 2 * i], y[2 + 2 * i]
                row[f"elasticity_{q}"] = float(np.log(y_hi / y_lo) / dx) if y_lo > 0 and y_hi > 0 else float("nan")
            rows.append(row)
    return pd.DataFrame(rows)


def first_order_sobol(x: np.ndarray, y: np.ndarray, bins: int | None = None) -> float:
    """First-order Sobol index of y on x from given samples: bias-corrected correlation ratio over equal-count bins of x."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    n = len(y)
    total = np.sum((y - y.mean()) ** 2)
    if n < 4 or total == 0 or np.ptp(x) == 0:
        return 0.0
    m = bins or max(2, int(round(math.sqrt(n))))
    order = np.argsort(x, kind="stable")
    groups = np.array_split(y[order], m)
    means = np.array([g.mean() for g in groups])
    sizes = np.array([len(g) for g in groups])
    between = np.sum(sizes * (means - y.mean()) ** 2)
    within = sum(np.sum((g - g.mean()) ** 2) for g in groups)
    corrected = between - (m - 1) * within / (n - m)
    return float(min(1.0, max(0.0, corrected / total)))


def sobol_noise(samples: int) -> float:
    """Two standard errors of `first_order_sobol` for a field without effect: 2 sqrt(2 (m - 1)) / N with m = sqrt(N) bins."""
    m = max(2, int(round(math.sqrt(samples))))
    return 2.0 * math.sqrt(2.0 * (m - 1)) / samples


def describe(d: Distribution) -> str:
    """A distribution in a few words: 'lognormal 30 %', 'uniform [a, b]', 'normal sigma s'."""
    if d.kind == "lognormal":
        return f"lognormal {100 * d.spread:.3g} %"
    if d.kind == "uniform":
        return f"uniform [{d.low:.4g}, {d.high:.4g}]"
    return f"normal sigma {d.sigma:.4g}"


@dataclass
class Sensitivity:
    """Elasticities of every numeric field, and Sobol indices and tornado swings of the uncertain ones."""

    network: str
    hardware: str
    mode: Mode
    samples: int
    seed: int
    nominal: dict[str, float]          # output -> value at the nominal spec (per image; area of the chip)
    table: pd.DataFrame                # one row per field: value, distribution, elasticity_*, sobol_*, low_*/high_*
    interval: dict[str, dict]          # output -> {p5, p50, p95} over the samples

    def ranked(self, output: str = "energy_j", uncertain_only: bool = False) -> pd.DataFrame:
        """Rows with an effect, by |elasticity| (or by tornado swing among the uncertain fields)."""
        t = self.table
        if uncertain_only:
            t = t[t["uncertain"]]
            key = (t[f"high_{output}"] - t[f"low_{output}"]).abs()
        else:
            key = t[f"elasticity_{output}"].abs()
            t = t[key.fillna(0) > 1e-9]
            key = key[t.index]
        return t.loc[key.sort_values(ascending=False, kind="stable").index]

    def to_dict(self) -> dict:
        """The JSON form of `ppa sensitivity`."""
        def clean(v):
            if isinstance(v, (float, np.floating)):
                return None if math.isnan(float(v)) else float(v)
            return v.item() if isinstance(v, np.generic) else v

        return {"network": self.network, "hardware": self.hardware, "mode": self.mode, "samples": self.samples,
                "seed": self.seed, "nominal": self.nominal, "interval": self.interval,
                "fields": [{k: clean(v) for k, v in r.items()} for r in self.table.to_dict("records")]}


def uncertain_units(dists: dict[str, Distribution]) -> dict[str, list[str]]:
    """Uncertain inputs as the sampler draws them: a field, or a list whose elements share one draw (its path)."""
    units: dict[str, list[str]] = {}
    for path, d in dists.items():
        units.setdefault(d.group or path, []).append(path)
    return units


def sensitivity(network: Network, chip: Chip, mode: Mode = "inference", samples: int = DEFAULT_SAMPLES,
                seed: int = 0) -> Sensitivity:
    """Elasticities of every numeric field, first-order Sobol indices from `samples` Monte Carlo draws, and the
    tornado swing (5th and 95th percentile of each uncertain input alone) of energy, latency and area.

    A list whose elements share one draw (a spread on `conductances`) is one uncertain input, named by the list's
    path; its elasticity is the sum of its elements' (the response to scaling them all together)."""
    _require_imc(chip)
    table = elasticities(network, chip, mode)
    dists = distributions_of(chip)
    units = uncertain_units(dists)
    extra = []
    for name, paths in units.items():
        if len(paths) > 1 or name != paths[0]:
            rows = table[table["field"].isin(paths)]
            extra.append({"field": name, "value": float("nan"), "integer": False,
                          **{f"elasticity_{q}": float(rows[f"elasticity_{q}"].sum()) for q in OUTPUTS}})
    if extra:
        import pandas as pd

        table = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    first = {name: dists[paths[0]] for name, paths in units.items()}
    table["uncertain"] = table["field"].isin(list(units))
    table["distribution"] = [describe(first[f]) + (" (all elements together)" if len(units[f]) > 1 else "")
                             if f in units else "" for f in table["field"]]

    mc = sample_estimate(network, chip, mode, samples, seed)
    ys = outputs_of(mc.energy_j, mc.latency_s, mc.area_m2)
    for q in OUTPUTS:
        table[f"sobol_{q}"] = [first_order_sobol(mc.draws[units[f][0]], ys[q]) if f in units else float("nan")
                               for f in table["field"]]

    nominal_fields = numeric_fields(chip)
    names = list(units)
    n = 1 + 2 * len(names)
    numeric = {f: np.full(n, float(nominal_fields[f])) for f in dists}
    for i, name in enumerate(names):
        for f in units[name]:
            numeric[f][1 + 2 * i] = dists[f].quantile(0.05)
            numeric[f][2 + 2 * i] = dists[f].quantile(0.95)
    energy, latency, area = sample_points(network, chip, numeric, mode, n)
    swing = outputs_of(energy, latency, area)
    nominal = {q: float(swing[q][0]) for q in OUTPUTS}
    where = {f: i for i, f in enumerate(names)}
    for q in OUTPUTS:
        table[f"low_{q}"] = [float(swing[q][1 + 2 * where[f]]) if f in where else float("nan") for f in table["field"]]
        table[f"high_{q}"] = [float(swing[q][2 + 2 * where[f]]) if f in where else float("nan") for f in table["field"]]
    # the percentiles of the input (of its first element, for a list moved together)
    table["x_low"] = [first[f].quantile(0.05) if f in units else float("nan") for f in table["field"]]
    table["x_high"] = [first[f].quantile(0.95) if f in units else float("nan") for f in table["field"]]
    from ppa.explore.uncertainty import interval

    return Sensitivity(network.name, chip.name, mode, samples, seed, nominal, table,
                       {q: interval(ys[q]) for q in OUTPUTS})
