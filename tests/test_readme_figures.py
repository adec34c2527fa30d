"""README figures cannot drift: the quick generated blocks equal what `docs/figures.py` computes today."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _figures():
    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "docs" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["readme_figures"] = module        # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_quick_readme_blocks_are_current():
    figures = _figures()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = {n for n, b in figures.BLOCKS.items() if b.quick}
    _, changed = figures.render(text, quick)
    assert not changed, f"stale README blocks {changed}: run `python docs/figures.py`"


def test_a_changed_number_is_caught():
    figures = _figures()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    forged = text.replace("| SRAM 32-bit | ", "| SRAM 32-bit | 9", 1)
    assert forged != text
    _, changed = figures.render(forged, {"table6"})
    assert changed == ["table6"]
