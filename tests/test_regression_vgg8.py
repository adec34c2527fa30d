"""The per-category VGG-8 table is pinned (tests/regression/vgg8_categories.csv) so that changes are deliberate."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent / "regression"))
from vgg8_table import PINNED, current_table  # noqa: E402


def test_vgg8_per_category_table_matches_the_pinned_file():
    pinned = pd.read_csv(PINNED)
    now = current_table()
    keys = ["design", "mode", "layer", "category", "quantity"]
    merged = pinned.merge(now, on=keys, how="outer", suffixes=("_pinned", "_now"), indicator=True)
    assert (merged["_merge"] == "both").all(), "rows added or removed: regenerate with tests/regression/vgg8_table.py"
    off = ~np.isclose(merged["value_now"], merged["value_pinned"], rtol=1e-6, atol=0.0)
    assert not off.any(), ("changed (rerun tests/regression/vgg8_table.py if deliberate):\n"
                           + merged.loc[off, keys + ["value_pinned", "value_now"]].head(10).to_string())
