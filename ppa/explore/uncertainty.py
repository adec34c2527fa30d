"""Monte Carlo over the uncertain constants of a spec: medians and 90 % intervals of every estimate.

Samples are design points: the draws of every uncertain field (`ppa.spec.distributions`) enter the same
vectorised pricing as a sweep (`ppa.explore.sweep.price_points`), shape (samples, 1) against layers, so N
samples cost one array computation, not N estimates. Every draw is validated through the spec's own pydantic
model. Designs compared or swept together draw each shared constant (one line of one file, such as the
technology file they all extend) once per sample, so correlated uncertainty cancels in their ratios.
Intervals are the 5th and 95th percentiles of the samples (linear interpolation), the value the median.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ppa.cost.estimate import ALL_CATEGORIES as CATEGORIES, AREA_CATEGORIES, PAPER_CATEGORIES, Mode
from ppa.errors import PpaError
from ppa.spec import Chip
from ppa.spec.distributions import Distribution, distributions_of, draw
from ppa.workload.network import Network

QUANTILES = {"p5": 5.0, "p50": 50.0, "p95": 95.0}
DEFAULT_SAMPLES = 1000
MAX_SWEEP_VALUES = 30_000_000       # design points x samples held at once by a sweep with uncertainty


def interval(values: np.ndarray) -> dict[str, float]:
    """{"p5", "p50", "p95"} of samples (the median and the 90 % interval)."""
    q = np.percentile(np.asarray(values, dtype=np.float64), list(QUANTILES.values()))
    return {k: float(v) for k, v in zip(QUANTILES, q)}


def _require_imc(chip) -> Chip:
    if not isinstance(chip, Chip) or chip.probabilistic:
        raise PpaError("uncertainty covers deterministic in-memory-computing designs, not the probabilistic-MAC BNN cost",
                       file=getattr(chip, "_source_path", None), field="device.kind")
    return chip


def validate_draws(chip: Chip, draws: dict[str, np.ndarray], distributions: dict[str, Distribution]) -> None:
    """Validate every draw through the spec's pydantic model; the first failure names the draw, file, line, field."""
    if not draws:
        return
    data = chip.model_dump()
    model = type(chip)
    context = {"feature_size": chip.technology.feature_size}
    paths = [(p, [int(x) if x.isdigit() else x for x in p.split(".")]) for p in draws]
    n = len(next(iter(draws.values())))
    for k in range(n):
        for path, parts in paths:
            node = data
            for part in parts[:-1]:
                node = node[part]
            value = draws[path][k]
            node[parts[-1]] = int(value) if distributions[path].integer else float(value)
        try:
            model.model_validate(data, context=context)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"] if not (isinstance(p, str) and (p in ("dw_mtj", "sram") or "[" in p)))
            culprit = next((distributions[p] for p in draws if where.startswith(p) or p.startswith(where)), None)
            msg = first["msg"].removeprefix("Value error, ")
            raise PpaError(f"draw {k + 1} of {n} breaks the spec: {msg}; narrow the spreads",
                           file=culprit.file if culprit else getattr(chip, "_source_path", None),
                           line=culprit.line if culprit else None, field=where or None) from None


@dataclass
class SampledEstimate:
    """N Monte Carlo samples of one estimate: per category x layer energy and latency per image, area by category."""

    network: str
    hardware: str
    mode: Mode
    samples: int
    seed: int
    energy_j: dict[str, np.ndarray]          # category -> (samples, layers), per image
    latency_s: dict[str, np.ndarray]
    area_m2: dict[str, np.ndarray]           # area category (and "total") -> (samples,)
    draws: dict[str, np.ndarray] = field(default_factory=dict)
    images_per_epoch: int = 50_000

    def totals(self, quantity: str, categories=CATEGORIES) -> dict[str, np.ndarray]:
        """Per-image totals per sample by category, plus 'total' over `categories` (as `Estimate.totals`)."""
        parts = getattr(self, quantity)
        out = {c: np.sum(parts[c], axis=-1) for c in CATEGORIES}
        out["total"] = sum(out[c] for c in categories)
        return out

    def summary(self) -> dict:
        """The JSON form: {"samples", "seed", "per_image": {q: {cat: {p5, p50, p95}}}, "area_m2": {cat: {...}}}."""
        return {
            "samples": self.samples, "seed": self.seed,
            "per_image": {q: {c: interval(v) for c, v in self.totals(q).items()} for q in ("latency_s", "energy_j")},
            "area_m2": {c: interval(v) for c, v in self.area_m2.items()},
        }


def sample_points(network: Network, chip: Chip, draws: dict[str, np.ndarray], mode: Mode, n: int):
    """(energy, latency per category as (n, layers), area by category as (n,)) for n sampled design points."""
    from ppa.explore.sweep import price_points

    numeric = draws if draws else {"technology.vdd": np.full(n, chip.technology.vdd)}
    priced, area, _ = price_points(network, chip, numeric, mode)
    layers = max(np.shape(v)[-1] for v in priced["energy_j"].values())     # MVM layers, then digital layers

    def full(v):
        return np.broadcast_to(np.asarray(v, dtype=np.float64), (n, layers))

    energy = {c: full(priced["energy_j"][c]) for c in CATEGORIES}
    latency = {c: full(priced["latency_s"][c]) for c in CATEGORIES}
    areas = {c: np.broadcast_to(np.asarray(area[c], dtype=np.float64), (n,)) for c in (*AREA_CATEGORIES, "total")}
    return energy, latency, areas


def sample_estimate(network: Network, chip: Chip, mode: Mode = "inference", samples: int = DEFAULT_SAMPLES,
                    seed: int = 0, scale: float = 1.0, design: int | None = None) -> SampledEstimate:
    """Draw `samples` values of every uncertain field of `chip` (widths times `scale`), validate them, and price them
    all at once. `design` makes the draws private to one design (by default shared constants share draws)."""
    _require_imc(chip)
    if samples < 1:
        raise PpaError("the number of samples must be at least 1", field="uncertainty")
    if mode not in ("inference", "training"):
        raise PpaError(f"mode must be 'inference' or 'training', got {mode!r}", field="mode")
    dists = distributions_of(chip)
    draws = draw(dists, samples, seed, scale, design)
    validate_draws(chip, draws, dists)
    energy, latency, area = sample_points(network, chip, draws, mode, samples)
    return SampledEstimate(network.name, chip.name, mode, samples, seed, energy, latency, area, draws,
                           chip.training.images_per_epoch)


def compare_uncertain(network: Network, chips: list, mode: Mode = "training", samples: int = DEFAULT_SAMPLES,
                      seed: int = 0, images: int | None = None, share: bool = True) -> list[dict]:
    """Intervals of every design's Table VI totals and of their ratios to the first design.

    With `share` (the default) a constant defined once (the technology file every design extends) takes the same
    draw in every design, so its uncertainty cancels in the ratios; `share=False` draws each design apart."""
    runs = [sample_estimate(network, c, mode, samples, seed, design=None if share else i) for i, c in enumerate(chips)]
    n = images if images is not None else runs[0].images_per_epoch
    totals = []
    for r in runs:
        totals.append({"area_m2": r.area_m2["total"],
                       "latency_s": r.totals("latency_s", PAPER_CATEGORIES)["total"] * n,
                       "energy_j": r.totals("energy_j", PAPER_CATEGORIES)["total"] * n})
    rows = []
    for r, t in zip(runs, totals):
        row = {"hardware": r.hardware, "images": n, "samples": samples}
        for q in ("area_m2", "latency_s", "energy_j"):
            row[q] = interval(t[q])
            row[f"{q.split('_')[0]}_ratio"] = interval(t[q] / totals[0][q])
        rows.append(row)
    return rows


def sweep_uncertainty(result: pd.DataFrame, network: Network, grid, mode: Mode, samples: int = DEFAULT_SAMPLES,
                      seed: int = 0) -> pd.DataFrame:
    """Add p5/p50/p95 columns of area, latency and energy to a sweep's results, and `pareto_probability`: the
    share of samples in which the point is Pareto-optimal (all points of one sample share its draws);
    `pareto_robust` marks points optimal with probability >= 0.5. Swept fields keep their grid values."""
    from ppa.explore.sweep import _is_numeric, _validated
    from ppa.spec import load_chip

    if samples < 1:
        raise PpaError("the number of samples must be at least 1", field="uncertainty")
    metrics = ("area_m2", "latency_s", "energy_j")
    if len(result) * samples > MAX_SWEEP_VALUES:
        raise PpaError(f"{len(result):,} design points x {samples:,} samples is too many to hold at once; "
                       f"use fewer samples (at most {MAX_SWEEP_VALUES // max(len(result), 1):,})", field="uncertainty")
    values = {m: np.empty((len(result), samples)) for m in metrics}
    numeric_keys = [k for k, vals in grid.fields.items() if all(_is_numeric(v) for v in vals)]
    group_keys = ["device"] + [k for k in grid.fields if k not in numeric_keys]
    frame = result.reset_index(drop=True)
    bases: dict[str, Chip] = {}
    chunk = max(1, 200_000 // samples)
    for group, rows in frame.groupby(group_keys, sort=False):
        group = group if isinstance(group, tuple) else (group,)
        if group[0] not in bases:
            bases[group[0]] = _require_imc(load_chip(group[0]))
        loaded = bases[group[0]]
        structural = dict(zip(group_keys[1:], group[1:]))
        base = _validated(loaded, structural, grid) if structural else loaded
        dists = {p: d for p, d in distributions_of(loaded).items() if p not in grid.fields}
        draws = draw(dists, samples, seed)
        validate_draws(base, draws, dists)
        index = rows.index.to_numpy()
        for start in range(0, len(index), chunk):
            idx = index[start:start + chunk]
            numeric = {k: np.repeat(frame.loc[idx, k].to_numpy(dtype=np.float64), samples) for k in numeric_keys}
            numeric.update({p: np.tile(v, len(idx)) for p, v in draws.items()})
            if not numeric:
                numeric = {"technology.vdd": np.full(len(idx) * samples, base.technology.vdd)}
            energy, latency, area = sample_points(network, base, numeric, mode, len(idx) * samples)
            values["area_m2"][idx] = area["total"].reshape(len(idx), samples)
            values["latency_s"][idx] = sum(np.sum(latency[c], axis=-1) for c in CATEGORIES).reshape(len(idx), samples)
            values["energy_j"][idx] = sum(np.sum(energy[c], axis=-1) for c in CATEGORIES).reshape(len(idx), samples)
    out = frame.copy()
    for m in metrics:
        q = np.percentile(values[m], list(QUANTILES.values()), axis=1)
        for name, row in zip(QUANTILES, q):
            out[f"{m}_{name}"] = row
    from ppa.explore.sweep import pareto_mask

    wins = np.zeros(len(frame))
    stacked = np.stack([values[m] for m in metrics], axis=-1)       # (points, samples, 3)
    fixed = (-frame["accuracy"].to_numpy(dtype=np.float64))[:, None] if "accuracy" in frame.columns else None
    for s in range(samples):                # accuracy, when the sweep has it, is a fourth objective (the same in every sample)
        objectives = stacked[:, s, :] if fixed is None else np.concatenate([stacked[:, s, :], fixed], axis=1)
        wins += pareto_mask(objectives)
    out["pareto_probability"] = wins / samples
    out["pareto_robust"] = out["pareto_probability"] >= 0.5
    return out
