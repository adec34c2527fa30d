"""Side-by-side comparison of designs on one network, with ratios as in Dhull Table VI."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ppa.cost.estimate import PAPER_CATEGORIES, Estimate, Mode, estimate
from ppa.workload.network import Network


@dataclass
class Comparison:
    """Estimates of one network on several designs; ratios are relative to the first design."""

    estimates: list[Estimate]
    images: int

    def rows(self) -> list[dict]:
        """One record per design: area, and latency/energy over `images` (the Table VI categories only)."""
        base = None
        out = []
        for e in self.estimates:
            lat = e.totals("latency_s", PAPER_CATEGORIES)["total"] * self.images
            en = e.totals("energy_j", PAPER_CATEGORIES)["total"] * self.images
            every = e.totals("energy_j")
            row = {"hardware": e.hardware, "area_m2": e.area_m2["total"], "latency_s": lat, "energy_j": en,
                   "buffer_and_interconnect_energy_j": (every["buffer"] + every["interconnect"]) * self.images,
                   # beyond the paper's five categories: DRAM traffic, leakage, and the all-category totals
                   "offchip_energy_j": every["offchip"] * self.images, "leakage_energy_j": every["leakage"] * self.images,
                   "total_energy_j": every["total"] * self.images,
                   "total_latency_s": e.totals("latency_s")["total"] * self.images}
            base = base or row
            row["area_ratio"] = row["area_m2"] / base["area_m2"]
            row["latency_ratio"] = row["latency_s"] / base["latency_s"]
            row["energy_ratio"] = row["energy_j"] / base["energy_j"]
            row["total_energy_ratio"] = row["total_energy_j"] / base["total_energy_j"]
            row["total_latency_ratio"] = row["total_latency_s"] / base["total_latency_s"]
            out.append(row)
        return out

    def _repr_html_(self) -> str:
        """Jupyter: the Table VI view, one row per design with ratios to the first."""
        from ppa.cost.display import html_table

        keys = ["hardware", "area_m2", "latency_s", "energy_j", "area_ratio", "latency_ratio", "energy_ratio"]
        header = ["hardware", "area (m^2)", "latency (s)", "energy (J)", "area x", "latency x", "energy x"]
        e = self.estimates[0]
        return html_table(header, [[r[k] for k in keys] for r in self.rows()],
                          f"{e.network}, {e.mode}, {self.images:,} images (Dhull Table VI categories); ratios vs {e.hardware}")

    def plot(self, quantity: str = "energy_j"):
        """A matplotlib figure of per-layer stacked bars by category over `images`, one panel per design (shared y)."""
        from ppa.cost.display import QUANTITIES, stacked_bars
        from ppa.cost.estimate import ALL_CATEGORIES
        from ppa.errors import PpaError

        if quantity not in ("latency_s", "energy_j"):
            raise PpaError(f"quantity must be 'latency_s' or 'energy_j', got {quantity!r}", field="quantity")
        name, unit = QUANTITIES[quantity]
        categories = tuple(c for c in ALL_CATEGORIES if any(c in e.categories for e in self.estimates))

        def on_all(e: Estimate) -> np.ndarray:   # every panel over the same categories, one colour each
            out = np.zeros((len(e.layers), len(categories)))
            out[:, [categories.index(c) for c in e.categories]] = e.matrix(quantity) * self.images
            return out

        names = [e.hardware for e in self.estimates]
        panels = {(n if names.count(n) == 1 else f"{i + 1}. {n}"): (e.layers, on_all(e))
                  for i, (n, e) in enumerate(zip(names, self.estimates))}
        return stacked_bars(panels, categories, f"{name} over {self.images:,} images ({unit})")


def compare(network: Network, chips: list, mode: Mode = "training", images: int | None = None, **options) -> Comparison:
    """Estimate `network` on every chip; `images` defaults to one epoch of the first chip's training set.

    `options` (activity, dataflow, offchip, duty_cycle) pass to `estimate` for every chip. The paper columns
    (`energy_j`, `latency_s` and their ratios) keep Table VI's five categories; `total_*` columns add buffer,
    interconnect, off-chip traffic and leakage."""
    if isinstance(chips, (str, bytes)) or not isinstance(chips, (list, tuple)) or not chips:
        raise TypeError(f"chips must be a non-empty list of hardware specs (from ppa.load_chip), got {type(chips).__name__}")
    if images is not None and (isinstance(images, bool) or not isinstance(images, (int, np.integer))):
        raise TypeError(f"images must be a whole number of images, got {type(images).__name__}")
    if images is not None and images < 1:
        raise ValueError(f"images must be at least 1, got {images}")
    estimates = [estimate(network, chip, mode, **options) for chip in chips]
    n = images if images is not None else estimates[0].images_per_epoch
    return Comparison(estimates, n)
