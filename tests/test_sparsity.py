"""Issue #10 item 3: per-layer weight sparsity, priced only where the subarray skips zero weights
(`subarray.zero_skipping`); see docs/cost_model.md "Weight sparsity"."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.cost.estimate import ALL_CATEGORIES, estimate
from ppa.spec import load_chip
from ppa.workload import load_network, with_weight_sparsity

NET = load_network("networks/vgg8.yaml")
DW = load_chip("dw_40nm")
SRAM = load_chip("sram_40nm")


def skipping(chip, how):
    """`chip` with `subarray.zero_skipping` set, validated again."""
    data = chip.model_dump()
    data["subarray"]["zero_skipping"] = how
    return type(chip).model_validate(data)


CHIPS = {(name, how): skipping(chip, how) for name, chip in (("dw", DW), ("sram", SRAM))
         for how in ("none", "cell", "column_group")}


def energies(net, chip, mode, s):
    return estimate(net, chip, mode, sparsity=s).totals("energy_j")


@settings(max_examples=10, deadline=None)
@given(lo=st.floats(0.0, 1.0), hi=st.floats(0.0, 1.0), device=st.sampled_from(["dw", "sram"]),
       how=st.sampled_from(["cell", "column_group"]), mode=st.sampled_from(["inference", "training"]))
def test_more_sparsity_never_costs_more_energy_in_any_category(lo, hi, device, how, mode):
    lo, hi = sorted((lo, hi))
    chip = CHIPS[(device, how)]
    a, b = energies(NET, chip, mode, lo), energies(NET, chip, mode, hi)
    for c in a:
        assert b[c] <= a[c] * (1 + 1e-12), c
    # skipping saves energy, not time: the schedule keeps its slots
    la, lb = (estimate(NET, chip, mode, sparsity=x).totals("latency_s") for x in (lo, hi))
    assert la == lb


@settings(max_examples=8, deadline=None)
@given(s=st.floats(0.0, 1.0), device=st.sampled_from(["dw", "sram"]), mode=st.sampled_from(["inference", "training"]))
def test_without_skipping_sparsity_changes_nothing(s, device, mode):
    chip = CHIPS[(device, "none")]
    dense = estimate(NET, chip, mode)
    sparse = estimate(with_weight_sparsity(NET, s), chip, mode, sparsity=s)
    assert sparse.totals("energy_j") == dense.totals("energy_j")
    assert sparse.totals("latency_s") == dense.totals("latency_s")
    assert sparse.area_m2 == dense.area_m2


@pytest.mark.parametrize("device", ["dw", "sram"])
def test_cell_skipping_saves_the_cell_reads_only(device):
    """Synaptic-array energy falls linearly in s by the cell-read share; conversions and adds stay."""
    chip = CHIPS[(device, "cell")]
    e0, e1, eh = (energies(NET, chip, "training", s) for s in (0.0, 1.0, 0.3))
    assert e1["synaptic_array"] < e0["synaptic_array"]
    assert eh["synaptic_array"] == pytest.approx(e0["synaptic_array"] - 0.3 * (e0["synaptic_array"] - e1["synaptic_array"]),
                                                 rel=1e-12)
    for c in ("adc", "accumulation", "weight_gradient", "weight_update", "buffer", "interconnect", "offchip"):
        assert eh[c] == e0[c], c


def test_column_group_skipping_drops_all_zero_columns_hand_computed(tmp_path):
    """An fc layer of 4 inputs: a column read holds 4 cells, all zero with probability s^4 (independent zeros),
    so at s = 1/2 one conversion in 16 (and its shift-add) is skipped."""
    path = tmp_path / "tiny.yaml"
    path.write_text("name: tiny\nweight_sparsity: 0.5\ninput: [1, 1, 4]\nlayers:\n  - {name: f, type: fc, out_features: 3}\n")
    net = load_network(path)
    assert net.weight_sparsity == 0.5
    dense = estimate(net, CHIPS[("dw", "column_group")], sparsity=0.0).totals("energy_j")
    half = estimate(net, CHIPS[("dw", "column_group")]).totals("energy_j")
    full = estimate(net, CHIPS[("dw", "column_group")], sparsity=1.0).totals("energy_j")
    assert half["adc"] == pytest.approx(dense["adc"] * 15 / 16, rel=1e-12)
    assert full["adc"] == 0.0 and full["readout"] == 0.0
    # cell skipping alone leaves every conversion
    assert estimate(net, CHIPS[("dw", "cell")]).totals("energy_j")["adc"] == dense["adc"]


def test_network_weight_sparsity_global_and_per_layer(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text("name: two\nweight_sparsity: 0.2\ninput: [8, 8, 4]\nlayers:\n"
                    "  - {name: a, type: conv, out_channels: 8, kernel: 3}\n"
                    "  - {name: b, type: conv, out_channels: 8, kernel: 3, weight_sparsity: 0.9}\n")
    net = load_network(path)
    assert net.weight_sparsity == 0.2 and net.layers[1].weight_sparsity == 0.9
    chip = CHIPS[("sram", "cell")]
    own = estimate(net, chip).per_layer("energy_j")["synaptic_array"]
    flat = estimate(net, chip, sparsity=0.2).per_layer("energy_j")["synaptic_array"]
    assert own["a"] == pytest.approx(flat["a"]) and own["b"] < flat["b"]


@settings(max_examples=6, deadline=None)
@given(s=st.floats(0.0, 1.0), how=st.sampled_from(["cell", "column_group"]), mode=st.sampled_from(["inference", "training"]))
def test_vectorised_sweep_equals_estimate(s, how, mode):
    from ppa.explore.sweep import evaluate_points

    net = with_weight_sparsity(NET, s)
    chip = CHIPS[("dw", how)]
    rows = np.array([64.0, 128.0])
    got = evaluate_points(net, chip, {"subarray.rows": rows}, mode)
    for i, r in enumerate(rows):
        data = chip.model_dump()
        data["subarray"]["rows"] = int(r)
        one = estimate(net, type(chip).model_validate(data), mode)
        assert got["energy_j"][i] == pytest.approx(one.totals("energy_j")["total"], rel=1e-9)
        assert got["latency_s"][i] == pytest.approx(one.totals("latency_s")["total"], rel=1e-9)


def test_uncertainty_draws_price_sparsity():
    """The Monte Carlo sums (every category of ALL_CATEGORIES) see the network's sparsity: same draws, less energy."""
    from ppa.explore.uncertainty import sample_estimate

    chip = CHIPS[("dw", "column_group")]
    dense = sample_estimate(NET, chip, "training", samples=16, seed=3)
    sparse = sample_estimate(with_weight_sparsity(NET, 1.0), chip, "training", samples=16, seed=3)
    assert set(dense.energy_j) == set(ALL_CATEGORIES)
    assert np.all(sparse.totals("energy_j")["total"] < dense.totals("energy_j")["total"])
    assert np.all(sparse.totals("energy_j")["adc"] == 0.0)


def test_cli_sparsity_flag_and_json():
    from click.testing import CliRunner

    from ppa.cli import main

    out = CliRunner().invoke(main, ["estimate", "networks/vgg8.yaml", "--sparsity", "0.5", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["sparsity"] == 0.5       # recorded; the shipped DW spec skips nothing, so energy is the dense one
    assert data["per_image"]["energy_j"]["total"] == pytest.approx(estimate(NET, DW).totals("energy_j")["total"], rel=1e-12)
    cmp = CliRunner().invoke(main, ["compare", "networks/vgg8.yaml", "--hw", "dw_40nm", "--hw", "sram_40nm",
                                    "--sparsity", "0.5", "--format", "json"])
    assert cmp.exit_code == 0, cmp.output
    bad = CliRunner().invoke(main, ["estimate", "networks/vgg8.yaml", "--sparsity", "1.5"])
    assert bad.exit_code == 2 and "--sparsity" in bad.output


def test_bad_weight_sparsity_names_file_line_and_field(tmp_path):
    from click.testing import CliRunner

    from ppa.cli import main

    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ninput: [8, 8, 4]\nlayers:\n  - {name: a, type: conv, out_channels: 8, kernel: 3, "
                    "weight_sparsity: 2}\n")
    out = CliRunner().invoke(main, ["estimate", str(path)])
    assert out.exit_code == 2 and "bad.yaml" in out.output and "weight_sparsity" in out.output
    assert "fraction" in out.output and "Traceback" not in out.output
