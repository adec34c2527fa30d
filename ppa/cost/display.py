"""Notebook display of results: HTML tables for Jupyter's `_repr_html_` and matplotlib figures for `.plot()`.

Figures are `matplotlib.figure.Figure` objects made without pyplot (no global state, no backend switch): a
notebook shows the returned figure, a script saves it with `fig.savefig(...)`. matplotlib is imported on first use.
"""

from __future__ import annotations

import html
import math
from typing import Any, Sequence

import numpy as np

# categories of Dhull Tables III-V as the paper names them
LABELS = {"adc": "ADC", "synaptic_array": "synaptic array", "weight_gradient": "weight gradient",
          "weight_update": "weight update", "imc": "IMC array", "other_logic_and_storage": "other logic and storage"}
QUANTITIES = {"latency_s": ("latency", "s"), "energy_j": ("energy", "J"), "area_m2": ("area", "m^2")}


def label(key: str) -> str:
    """The printed name of a category or column."""
    return LABELS.get(key, key.replace("_", " "))


def number(value: Any) -> str:
    """4 significant digits, exponent form for very large or small magnitudes (as the CLI's tables)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return html.escape(str(value))
    value = float(value)
    if math.isnan(value):
        return "nan"
    if value == 0:
        return "0"
    return f"{value:.4g}" if 1e-3 <= abs(value) < 1e5 else f"{value:.3e}"


def html_table(header: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "", notes: Sequence[str] = ()) -> str:
    """A small HTML table: text cells left, numbers right, 4 significant digits."""
    def cell(tag: str, v: Any) -> str:
        align = "right" if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) else "left"
        return f'<{tag} style="text-align:{align}">{number(v)}</{tag}>'

    head = "".join(f'<th style="text-align:left">{html.escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(cell("td", v) for v in row) + "</tr>" for row in rows)
    cap = f"<caption style=\"text-align:left\"><b>{html.escape(caption)}</b></caption>" if caption else ""
    foot = "".join(f"<p style=\"margin:2px 0\">{html.escape(n)}</p>" for n in notes)
    return f"<div><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}</div>"


def stacked_bars(panels: dict[str, tuple[Sequence[str], np.ndarray]], categories: Sequence[str], ylabel: str | Sequence[str]):
    """Per-layer stacked bars, one panel per entry of `panels` (title -> (layer names, layers x categories)).

    One y label shares the y axis across panels; a list of labels (one per panel) gives each panel its own axis.
    """
    from matplotlib.figure import Figure

    n = max(len(panels), 1)
    width = max(len(layers) for layers, _ in panels.values()) if panels else 1
    fig = Figure(figsize=(min(1.5 + 0.45 * width, 9) * n, 3.8), layout="constrained")
    ylabels = [ylabel] * n if isinstance(ylabel, str) else list(ylabel)
    axes = fig.subplots(1, n, sharey=isinstance(ylabel, str), squeeze=False)[0]
    colours = [f"C{i}" for i in range(10)]
    for ax, (title, (layers, matrix)) in zip(axes, panels.items()):
        x = np.arange(len(layers))
        bottom = np.zeros(len(layers))
        for j, cat in enumerate(categories):
            values = np.asarray(matrix, dtype=float)[:, j]
            ax.bar(x, values, bottom=bottom, width=0.75, color=colours[j % 10], label=label(cat))
            bottom += values
        ax.set_xticks(x, list(layers), rotation=45, ha="right")
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    for ax, text in zip(axes, ylabels if not isinstance(ylabel, str) else ylabels[:1]):
        ax.set_ylabel(text)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right upper", fontsize=8)
    return fig


def pareto_scatter(area: np.ndarray, energy: np.ndarray, pareto: np.ndarray, title: str = ""):
    """Energy vs area of every design point (log-log when all are positive), the Pareto-optimal ones highlighted."""
    from matplotlib.figure import Figure

    area, energy, pareto = np.asarray(area, float), np.asarray(energy, float), np.asarray(pareto, bool)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.scatter(area[~pareto], energy[~pareto], s=8, c="#9aa5b1", alpha=0.7, linewidths=0, label="dominated")
    ax.scatter(area[pareto], energy[pareto], s=20, c="#d62728", zorder=3, label="Pareto-optimal")
    if len(area) and (area > 0).all() and (energy > 0).all():
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("chip area (m^2)")
    ax.set_ylabel("energy per image (J)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return fig
