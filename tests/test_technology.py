"""Technology-node scaling (ppa.spec.technology): monotone trends, log-space interpolation, the 40 nm check
against tech_40nm.yaml, overrides, inheritance through `extends:`, and the node as a vectorised sweep axis."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ppa
from ppa.errors import PpaError
from ppa.explore.sweep import Grid, run_sweep
from ppa.spec import Technology, load_chip
from ppa.spec import technology as scaling

ROOT = Path(__file__).resolve().parent.parent
NM = 1e-9
LOGIC_ENERGY = ("full_adder_energy", "register_energy", "mac_energy", "adc_cycle_energy", "sram_buffer_energy")
LOGIC_AREA = ("full_adder_area", "register_area", "mac_area", "adc_area_fixed", "mux_area_per_column",
              "decoder_area_per_row", "sram_cell_area", "sram_buffer_area")
nodes = st.floats(min_value=7.0, max_value=130.0)


@settings(max_examples=60, deadline=None)
@given(nodes, nodes)
def test_logic_energy_and_area_fall_monotonically_from_130_to_7_nm(a, b):
    big, small = max(a, b), min(a, b)
    hi, lo = scaling.derive(big * NM), scaling.derive(small * NM)
    for name in LOGIC_ENERGY + LOGIC_AREA:
        assert lo[name] <= hi[name] * (1 + 1e-12), name
    if big / small > 1.05:                    # a real step shrinks logic strictly
        assert lo["full_adder_energy"] < hi["full_adder_energy"] and lo["full_adder_area"] < hi["full_adder_area"]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(scaling._STILLMAKER)), st.floats(min_value=0.0, max_value=1.0))
def test_between_tabulated_nodes_factors_interpolate_in_log_space(i, t):
    tab = sorted(scaling._STILLMAKER)
    k = tab.index(i)
    if k == len(tab) - 1:
        return
    n0, n1 = tab[k], tab[k + 1]
    node = math.exp((1 - t) * math.log(n0) + t * math.log(n1)) * NM
    for rule in ("logic_energy", "logic_area", "vdd"):
        f0, f1 = scaling.factor(rule, n0 * NM), scaling.factor(rule, n1 * NM)
        assert scaling.factor(rule, node) == pytest.approx(f0 ** (1 - t) * f1**t, rel=1e-9)


def test_forty_nm_derived_from_the_tables_stays_within_10_percent_of_tech_40nm():
    ref = scaling.reference_constants()
    derived = scaling.derive(40 * NM)
    for name in scaling.ABSOLUTE:               # the constants read from per-node tables, not from the reference
        assert derived[name] == pytest.approx(ref[name], rel=0.10), name


@pytest.mark.parametrize("name", sorted(scaling.CROSS_CHECKS))
def test_forty_nm_constants_agree_with_independent_anchors_or_say_why(name):
    """Independent published anchors at another node, moved to 40 nm by the same rules: within 10 % of
    tech_40nm.yaml, or the stated difference is the measured one."""
    value, node, _source, note = scaling.CROSS_CHECKS[name]
    moved = value * scaling.ratio(scaling.TECHNOLOGY_RULES[name], 40 * NM, node)
    diff = moved / scaling.reference_constants()[name] - 1
    assert abs(diff) < 0.10 or (note and f"{abs(diff) * 100:.0f} %" in note), (name, diff)


def test_every_technology_constant_has_a_scaling_rule():
    constants = {k for k, f in Technology.model_fields.items() if k not in ("name", "node", "feature_size")}
    assert constants <= set(scaling.TECHNOLOGY_RULES), constants - set(scaling.TECHNOLOGY_RULES)


def test_node_alone_derives_everything_and_an_explicit_constant_overrides():
    t = Technology.model_validate({"node": "22 nm", "vdd": "0.75 V"})
    assert t.feature_size == pytest.approx(22 * NM) and t.name == "22nm"
    assert t.vdd == 0.75
    assert t.full_adder_energy == pytest.approx(scaling.derive(22 * NM)["full_adder_energy"])
    assert t.sram_cell_area == pytest.approx(0.092e-12)          # Intel 22 nm 6T cell


def _spec(tmp_path, text: str) -> Path:
    p = tmp_path / "spec.yaml"
    p.write_text(f"extends: {ROOT / 'hwspecs' / 'dw_40nm.yaml'}\n" + text)
    return p


def test_extends_plus_node_moves_inherited_constants_and_keeps_those_written_with_it(tmp_path):
    base = load_chip("dw_40nm")
    chip = load_chip(_spec(tmp_path, "technology:\n  node: 22 nm\n  mac_energy: 0.1 pJ\n"))
    t, t0 = chip.technology, base.technology
    assert t.feature_size == pytest.approx(22 * NM)
    assert t.mac_energy == pytest.approx(0.1e-12)                  # written next to node: taken as given
    r = scaling.ratio("logic_energy", 22 * NM, 40 * NM)
    assert t.full_adder_energy == pytest.approx(t0.full_adder_energy * r)
    assert t.vdd == pytest.approx(t0.vdd * scaling.ratio("vdd", 22 * NM, 40 * NM))
    # the device's transistors shrink with logic area; its magnetic states do not move
    assert chip.device.cell_area == pytest.approx(base.device.cell_area * scaling.ratio("logic_area", 22 * NM, 40 * NM))
    assert chip.device.conductances == base.device.conductances
    # re-validating the result is a fixed point (sweeps dump and re-validate specs)
    again = type(chip).model_validate(chip.model_dump(), context={"feature_size": t.feature_size})
    assert again.technology == t and again.device == chip.device


def test_out_of_range_node_is_refused():
    with pytest.raises(Exception, match="between 7 nm and 130 nm"):
        Technology.model_validate({"node": "180 nm"})


def test_node_sweep_is_vectorised_and_matches_single_estimates(vgg8, tmp_path):
    nodes_nm = [65, 40, 22, 7]
    grid = Grid(["dw_40nm"], {"technology.node": [f"{n} nm" for n in nodes_nm]})
    swept = run_sweep(vgg8, grid, mode="inference")
    energies = swept["energy_j"].to_numpy()
    assert np.all(np.diff(energies) < 0) and np.all(np.diff(swept["area_m2"].to_numpy()) < 0)
    for n, (_, row) in zip(nodes_nm, swept.iterrows()):
        p = tmp_path / f"dw{n}.yaml"
        p.write_text(f"extends: {ROOT / 'hwspecs' / 'dw_40nm.yaml'}\ntechnology:\n  node: {n} nm\n")
        est = ppa.estimate(vgg8, load_chip(p), mode="inference")
        assert row["energy_j"] == pytest.approx(est.totals("energy_j")["total"], rel=1e-9)
        assert row["area_m2"] == pytest.approx(est.area_m2["total"], rel=1e-9)
        assert row["latency_s"] == pytest.approx(est.totals("latency_s")["total"], rel=1e-9)


def test_node_sweep_refuses_a_node_outside_the_data(vgg8):
    from ppa.explore.sweep import load_grid

    with pytest.raises(PpaError, match="technology.node"):
        run_sweep(vgg8, load_grid(ROOT / "tests" / "bad_inputs" / "node_grid_out_of_range.yaml"), mode="inference")


def test_a_probabilistic_chip_moves_its_readout_and_cmos_baseline_with_the_node(tmp_path):
    base = load_chip("pmac_40nm")
    p = tmp_path / "pmac22.yaml"
    p.write_text(f"extends: {ROOT / 'hwspecs' / 'pmac_40nm.yaml'}\ntechnology:\n  node: 22 nm\n")
    chip = load_chip(p)
    e = scaling.ratio("logic_energy", 22 * NM, 40 * NM)
    assert chip.cmos_baseline.trng_energy_per_bit == pytest.approx(base.cmos_baseline.trng_energy_per_bit * e)
    assert chip.readout.conveyor_area == pytest.approx(base.readout.conveyor_area * 22 / 40)
    assert chip.readout.bias_current == base.readout.bias_current
    assert chip.device.cell_area < base.device.cell_area


def test_a_moved_design_is_named_for_its_node_unless_named_next_to_it(tmp_path):
    assert load_chip(_spec(tmp_path, "technology: {node: 22 nm}\n")).name == "DW-MTJ 5-state, 22 nm"
    assert load_chip(_spec(tmp_path, "name: mine\ntechnology: {node: 22 nm}\n")).name == "mine"


def test_node_broadcasts_with_other_axes_and_devices(vgg8):
    grid = Grid(["rram_40nm", "sram_40nm"], {"technology.node": ["65 nm", "14 nm"], "subarray.rows": [64, 256]})
    swept = run_sweep(vgg8, grid, mode="training")
    assert len(swept) == 8
    for _, row in swept.iterrows():
        base = load_chip(row["device"])
        data = base.model_dump()
        data["technology"]["node"] = row["technology.node"]
        data["subarray"]["rows"] = int(row["subarray.rows"])
        chip = type(base).model_validate(data, context={"feature_size": base.technology.feature_size})
        est = ppa.estimate(vgg8, chip, mode="training")
        assert row["energy_j"] == pytest.approx(est.totals("energy_j")["total"], rel=1e-9)
        assert row["area_m2"] == pytest.approx(est.area_m2["total"], rel=1e-9)
