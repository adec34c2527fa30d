"""Where the shipped specs, networks and grids live: one place, so every loader resolves shipped names alike."""

from __future__ import annotations

from pathlib import Path

#: The repository root: `hwspecs/`, `networks/` and `reports/` sit next to the `ppa` package.
ROOT = Path(__file__).resolve().parents[2]


def shipped_dir(kind: str) -> Path:
    """The folder of shipped files of one kind: 'hwspecs', 'networks' or 'hwspecs/grids'."""
    return ROOT / kind
