"""hwcomponents finds every ppa model by its component name, and the prices it returns are ppa's own."""

from __future__ import annotations

import pytest

import hwcomponents
from hwcomponents import get_action_cost, get_area, get_leak_power

import hwcomponents_ppa
from ppa.cost.components import component
from ppa.spec import load_chip

MODELS = {"ppa_dw_mtj_cell": hwcomponents_ppa.PpaDwMtjCell, "ppa_bayes_mtj_sampler": hwcomponents_ppa.PpaBayesMtjSampler,
          "ppa_current_conveyor": hwcomponents_ppa.PpaCurrentConveyor, "ppa_cmos_trng": hwcomponents_ppa.PpaCmosTrng}


ACTIONS = {"ppa_dw_mtj_cell": ["read", "write"], "ppa_bayes_mtj_sampler": ["read", "sample"],
           "ppa_current_conveyor": ["integrate"], "ppa_cmos_trng": ["generate"]}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_hwcomponents_discovers_every_model_by_package_name(name):
    """Found among the installed hwcomponents_* packages, by name, with its declared actions."""
    model = hwcomponents.get_model(name, {}, required_actions=ACTIONS[name])
    assert type(model) is MODELS[name]
    short = MODELS[name].component_name[1]                     # ppa's own registry name works too
    assert type(hwcomponents.get_model(short, {}, required_actions=ACTIONS[name])) is MODELS[name]


def test_dw_mtj_cell_prices_equal_ppa():
    chip = load_chip("dw_40nm")
    cell = component("dw_mtj_cell").from_spec(chip.device, chip.technology)
    x2 = chip.precision.input_mean_square
    assert get_area("ppa_dw_mtj_cell", {}) == pytest.approx(cell.area, rel=1e-12)
    read = get_action_cost("ppa_dw_mtj_cell", {}, "read", {})
    assert read.energy == pytest.approx(cell.read_energy(x2), rel=1e-12)
    assert read.latency == pytest.approx(cell.read_latency, rel=1e-12)
    write = get_action_cost("ppa_dw_mtj_cell", {}, "write", {})
    assert write.energy == pytest.approx(cell.write_energy, rel=1e-12)
    assert get_leak_power("ppa_dw_mtj_cell", {}) == 0.0


def test_dw_mtj_cell_at_another_node_is_ppas_scaled_spec(tmp_path):
    p = tmp_path / "dw22.yaml"
    from ppa.spec import SHIPPED

    p.write_text(f"extends: {SHIPPED / 'dw_40nm.yaml'}\ntechnology:\n  node: 22 nm\n")
    chip = load_chip(p)
    cell = component("dw_mtj_cell").from_spec(chip.device, chip.technology)
    area = get_area("ppa_dw_mtj_cell", {"tech_node": 22e-9})
    assert area == pytest.approx(cell.area, rel=1e-9)
    assert area < get_area("ppa_dw_mtj_cell", {})


def test_bayes_mtj_sampler_prices_equal_ppa():
    chip = load_chip("pmac_40nm")
    cell = component("bayes_dw_pair_cell").from_spec(chip.device, chip.technology)
    x2 = chip.precision.input_mean_square
    assert get_area("ppa_bayes_mtj_sampler", {}) == pytest.approx(cell.area, rel=1e-12)
    assert get_action_cost("ppa_bayes_mtj_sampler", {}, "read", {}).energy == pytest.approx(cell.read_energy(x2), rel=1e-12)
    assert get_action_cost("ppa_bayes_mtj_sampler", {}, "sample", {}).energy == pytest.approx(cell.noise_read_energy(x2), rel=1e-12)


def test_current_conveyor_prices_equal_ppa():
    chip = load_chip("pmac_40nm")
    cc = component("current_conveyor").from_spec(chip.readout, chip.technology)
    cost = get_action_cost("ppa_current_conveyor", {}, "integrate", {"column_current": 50e-6, "duration": 2e-9})
    assert cost.energy == pytest.approx(cc.integrate_energy(50e-6, 2e-9), rel=1e-12)
    assert get_area("ppa_current_conveyor", {}) == pytest.approx(cc.area, rel=1e-12)
    assert get_leak_power("ppa_current_conveyor", {}) == pytest.approx(cc.vdd * cc.bias_current, rel=1e-12)


def test_cmos_trng_prices_equal_ppa():
    c = load_chip("pmac_40nm").cmos_baseline
    trng = component("cmos_trng")(c.trng_energy_per_bit, c.trng_bit_rate, c.trng_area)
    cost = get_action_cost("ppa_cmos_trng", {}, "generate", {"bits": 8})
    assert cost.energy == pytest.approx(float(trng.value_energy(8)), rel=1e-12)
    assert cost.latency == pytest.approx(float(trng.value_latency(8)), rel=1e-12)
    assert get_area("ppa_cmos_trng", {}) == pytest.approx(trng.area, rel=1e-12)
