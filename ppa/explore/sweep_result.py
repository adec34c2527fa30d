"""The table a sweep returns: a pandas DataFrame (one row per design point) that Jupyter shows as its Pareto
front and whose `.plot()` draws energy against area with the Pareto-optimal points highlighted."""

from __future__ import annotations

import pandas as pd

MAX_HTML_ROWS = 50   # Pareto rows shown in a notebook (the table itself holds them all)


class _Plot:
    """`result.plot()` is the Pareto figure; with arguments, or as `result.plot.scatter(...)`, it is pandas' own."""

    def __init__(self, frame: "SweepResult"):
        self._frame = frame

    def __call__(self, *args, **kwargs):
        if args or kwargs:
            return pd.DataFrame(self._frame).plot(*args, **kwargs)
        from ppa.cost.display import pareto_scatter

        f = self._frame
        return pareto_scatter(f["area_m2"].to_numpy(), f["energy_j"].to_numpy(), f["pareto"].to_numpy(bool),
                              f"{len(f)} design points, {int(f['pareto'].sum())} Pareto-optimal")

    def __getattr__(self, name: str):
        return getattr(pd.DataFrame(self._frame).plot, name)


class SweepResult(pd.DataFrame):
    """One row per design point: swept values, area_m2, latency_s, energy_j per image, and `pareto`."""

    @property
    def _constructor(self):
        return SweepResult

    @classmethod
    def wrap(cls, frame: pd.DataFrame) -> "SweepResult":
        """The same table (and its `attrs`, such as the count of points below a minimum accuracy) as a SweepResult."""
        out = cls(frame)
        out.attrs = dict(frame.attrs)
        return out

    @property
    def plot(self) -> _Plot:
        """`plot()`: a matplotlib figure of energy vs area, Pareto-optimal points highlighted (log-log)."""
        return _Plot(self)

    def _repr_html_(self) -> str:
        """Jupyter: how many points and Pareto-optimal ones, and the Pareto rows (the first MAX_HTML_ROWS)."""
        from ppa.cost.display import html_table

        if "pareto" not in self.columns:
            return pd.DataFrame(self)._repr_html_()
        front = self[self["pareto"].astype(bool)]
        columns = [c for c in self.columns if c != "pareto"]
        rows = [[row[c] for c in columns] for _, row in front.head(MAX_HTML_ROWS).iterrows()]
        notes = [f"... and {len(front) - MAX_HTML_ROWS} more Pareto-optimal points"] if len(front) > MAX_HTML_ROWS else []
        return html_table(columns, rows, f"{len(self)} design points, {len(front)} Pareto-optimal (area, latency, energy):",
                          notes)
