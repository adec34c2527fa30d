"""Notebook display: results render as HTML tables holding their numbers, and plot() draws per-layer stacked bars
whose heights are the estimate's own per-layer values."""

from __future__ import annotations

import numpy as np
import pytest

from ppa.cost.display import number
from ppa.cost.estimate import CATEGORIES, estimate
from ppa.explore.compare import compare
from ppa.explore.sweep import load_grid, run_sweep


def _bar_tops(ax) -> np.ndarray:
    """Per-x top of the stacked bars drawn on an axis."""
    tops: dict[float, float] = {}
    for patch in ax.patches:
        x = round(patch.get_x() + patch.get_width() / 2, 6)
        tops[x] = max(tops.get(x, 0.0), patch.get_y() + patch.get_height())
    return np.array([tops[x] for x in sorted(tops)])


def test_estimate_html_and_plot(vgg8, dw):
    e = estimate(vgg8, dw, "training")
    html = e._repr_html_()
    assert html.count("<tr>") == 1 + len(e.layers) + 1          # header, one row per layer, total
    assert number(e.totals("energy_j")["total"]) in html and number(e.area_m2["total"] * 1e6) in html
    fig = e.plot()
    latency_ax, energy_ax = fig.axes[:2]
    assert _bar_tops(energy_ax) == pytest.approx(e.matrix("energy_j").sum(axis=1), rel=1e-9)
    assert _bar_tops(latency_ax) == pytest.approx(e.matrix("latency_s").sum(axis=1), rel=1e-9)
    assert len(energy_ax.patches) == len(e.layers) * len(CATEGORIES)
    one = e.plot("energy_j")
    assert len(one.axes) == 1 and "energy" in one.axes[0].get_ylabel()


def test_comparison_html_and_plot(vgg8, dw, sram):
    cmp = compare(vgg8, [dw, sram], "training", images=1000)
    html = cmp._repr_html_()
    assert dw.name in html and sram.name in html and number(cmp.rows()[1]["energy_ratio"]) in html
    fig = cmp.plot("latency_s")
    assert [ax.get_title() for ax in fig.axes[:2]] == [dw.name, sram.name]
    for ax, est in zip(fig.axes, cmp.estimates):
        assert _bar_tops(ax) == pytest.approx(est.matrix("latency_s").sum(axis=1) * 1000, rel=1e-9)


def test_sweep_result_html_and_plot(vgg8):
    result = run_sweep(vgg8, load_grid("dse_example"), "inference")
    front = int(result["pareto"].sum())
    html = result._repr_html_()
    assert f"{len(result)} design points, {front} Pareto-optimal" in html and html.count("<tr>") == 1 + min(front, 50)
    fig = result.plot()
    red = [c for c in fig.axes[0].collections if len(c.get_offsets())][-1]
    assert len(red.get_offsets()) == front
    assert type(result.head(3)).__name__ == "SweepResult" and len(result[result["pareto"]]) == front
