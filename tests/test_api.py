"""The small public API of DESIGN.md is importable from the package root."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_public_api_from_package_root():
    import ppa

    net = ppa.load_network("networks/vgg8.yaml")
    chip = ppa.load_chip("dw_40nm")
    one = ppa.estimate(net, chip, "inference").totals("energy_j")["total"]
    rows = ppa.compare(net, [chip, ppa.load_chip("sram_40nm")], "inference", images=1).rows()
    by_cat = ppa.estimate(net, chip, "inference").totals("energy_j")
    beyond_paper = sum(by_cat[c] for c in ("buffer", "interconnect", "offchip", "leakage"))
    assert beyond_paper > 0
    assert rows[0]["energy_j"] == pytest.approx(one - beyond_paper)
    assert callable(ppa.sweep) and issubclass(ppa.PpaError, Exception)
    with pytest.raises(AttributeError):
        ppa.not_a_function  # noqa: B018


def test_import_ppa_does_not_load_the_heavy_stack():
    code = "import sys, ppa; print(int('pandas' in sys.modules), int('pydantic' in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0"]
