"""The device library: the parametric notched DW-MTJ (Table VIII as one instance), binary SOT-/STT-MRAM,
multi-level RRAM and FeFET cells on the dw_40nm hierarchy, priced through the component registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ppa
from ppa.cost.components import CELL_OF_DEVICE, component
from ppa.cost.estimate import Prices
from ppa.spec import DwMtjDevice, load_chip
from ppa.spec.chip import DEVICES

from conftest import reference

ROOT = Path(__file__).resolve().parent.parent
NVM = ("sot_mram_40nm", "stt_mram_40nm", "rram_40nm", "fefet_40nm")
DW_BASE = dict(kind="dw_mtj", read_voltage=0.1, read_pulse=1e-9, write_current_density=9e11, write_pulse=5e-10,
               racetrack_length=520e-9, racetrack_width=60e-9, heavy_metal_thickness=5e-9,
               heavy_metal_resistivity=2e-7, cell_area=5e-13)


def test_shipped_dw_instance_reproduces_table8():
    table = reference("dhull_table8_conductance.csv")
    paper = table["conductance_1e-5_S"].to_numpy(dtype=float) * 1e-5
    dev = load_chip("dw_40nm").device
    assert np.allclose(np.diff(table["dw_position_nm"]), dev.notch_pitch / 1e-9)
    ours = np.asarray(dev.conductances)
    assert len(ours) == len(paper) == 5
    assert np.allclose(ours, paper, rtol=0.015, atol=0)


@settings(max_examples=50, deadline=None)
@given(pitch_nm=st.floats(min_value=20, max_value=520), tmr=st.floats(min_value=0.2, max_value=6),
       ra=st.floats(min_value=1e-12, max_value=1e-9))
def test_parametric_dw_states_follow_geometry_tmr_and_ra(pitch_nm, tmr, ra):
    dev = DwMtjDevice.model_validate({**DW_BASE, "notch_pitch": pitch_nm * 1e-9, "tmr": tmr, "resistance_area_product": ra})
    g = np.asarray(dev.conductances)
    assert dev.states == int(np.floor(520 / pitch_nm + 1e-9)) + 1          # mtj_length defaults to the racetrack
    assert np.all(np.diff(g) > 0)
    assert g[-1] == pytest.approx(520e-9 * 60e-9 / ra)           # wall at the far end: all parallel
    assert g[-1] / g[0] == pytest.approx(1 + tmr)
    assert np.allclose(np.diff(g), np.diff(g)[0])                # notches evenly spaced -> even G steps


def test_dw_write_is_pulses_times_sot_joule_heat():
    one = component("dw_mtj_cell").from_spec(load_chip("dw_40nm").device)
    dev = DwMtjDevice.model_validate({**DW_BASE, "conductances": [1e-5, 2e-5], "pulses_per_step": 3})
    three = component("dw_mtj_cell").from_spec(dev)
    base = component("dw_mtj_cell").from_spec(dev.model_copy(update={"pulses_per_step": 1}))
    assert three.write_energy == pytest.approx(3 * base.write_energy)
    assert three.write_latency == pytest.approx(3 * base.write_latency)
    # I = J w t_HM: 90e10 A/m^2 over 60 nm x 5 nm is 270 uA
    assert one.write_current == pytest.approx(270e-6)


@pytest.mark.parametrize("name", NVM)
def test_each_device_is_a_registered_cell_with_sliced_weights(name):
    chip = load_chip(name)
    cls = component(CELL_OF_DEVICE[chip.device.kind])
    cell = cls.from_spec(chip.device, chip.technology)
    dev = chip.device
    assert dev.weight_cells == -(-dev.weight_bits // int(np.log2(dev.levels)))
    assert len(cell.conductances) == dev.levels and np.all(np.diff(cell.conductances) > 0)
    assert cell.area == pytest.approx(dev.cell_area)
    # read energy is Ohmic: it grows with V_read^2
    hot = cls.from_spec(dev.model_copy(update={"read_voltage": 2 * dev.read_voltage}), chip.technology)
    assert hot.read_energy(0.25) == pytest.approx(4 * cell.read_energy(0.25))
    prices = Prices.from_chip(chip)
    assert prices.cell_write_energy == pytest.approx(cell.write_energy) and prices.cell_area == cell.area


def test_mram_resistances_follow_ra_and_tmr():
    dev = load_chip("stt_mram_40nm").device
    g_ap, g_p = dev.conductances
    assert 1 / g_p == pytest.approx(1e3, rel=0.01)                # NVSim's sample R_P = 1 kOhm
    assert g_p / g_ap == pytest.approx(1 + dev.tmr)


def test_sot_write_energy_grows_as_current_density_squared():
    dev = load_chip("sot_mram_40nm").device
    cls = component("sot_mram_cell")
    e1 = cls.from_spec(dev).write_energy
    e2 = cls.from_spec(dev.model_copy(update={"write_current_density": 2 * dev.write_current_density})).write_energy
    assert e2 == pytest.approx(4 * e1)


def test_fefet_write_is_capacitive_and_far_below_rram_per_pulse():
    fe, rr = load_chip("fefet_40nm").device, load_chip("rram_40nm").device
    fe_pulse = component("fefet_cell").from_spec(fe).write_energy / fe.pulses_per_write
    rr_pulse = component("rram_cell").from_spec(rr).write_energy / rr.pulses_per_write
    assert fe_pulse == pytest.approx((2 * fe.remanent_polarization * fe.ferroelectric_area
                                      + fe.gate_capacitance * fe.write_voltage) * fe.write_voltage)
    assert fe_pulse < rr_pulse / 100


def test_every_device_kind_has_a_registered_cell_and_unknown_names_fail_clearly():
    for d in DEVICES:
        kind = d.model_fields["kind"].annotation.__args__[0]
        assert callable(getattr(component(CELL_OF_DEVICE[kind]), "from_spec"))
    with pytest.raises(ppa.PpaError, match="did you mean 'rram_cell'"):
        component("rram_cel")


def test_more_cells_per_weight_means_more_synaptic_area(vgg8):
    """Same hierarchy: IMC area per weight follows cells per weight x cell area."""
    areas = {}
    for name in ("dw_40nm", "stt_mram_40nm", "rram_40nm"):
        chip = load_chip(name)
        est = ppa.estimate(vgg8, chip, mode="inference")
        per_cell = est.area_m2["imc"] / (est.resources["subarrays"] * chip.subarray.rows * chip.subarray.columns)
        assert per_cell == pytest.approx(chip.device.cell_area)
        areas[name] = est.area_m2["imc"]
    assert areas["stt_mram_40nm"] > areas["rram_40nm"]              # 4 cells x 48 F^2 vs 2 cells x 48 F^2


def test_compare_prints_every_device_in_one_table():
    names = ["dw_40nm", "sot_mram_40nm", "rram_40nm", "fefet_40nm", "sram_40nm"]
    args = [sys.executable, "-m", "ppa", "compare", "networks/vgg8.yaml", "--mode", "inference"]
    for n in names:
        args += ["--hw", n]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    for label in ("DW-MTJ", "SOT-MRAM", "RRAM", "FeFET", "SRAM 32-bit"):
        assert sum(line.startswith(label) for line in proc.stdout.splitlines()) == 1, label


def test_every_device_gets_cheaper_and_smaller_at_every_smaller_node(vgg8):
    """The shipped node x device grid: per device, energy and area fall from 130 nm to 7 nm."""
    from ppa.explore.sweep import load_grid, run_sweep

    grid = load_grid(ROOT / "hwspecs" / "grids" / "nodes_devices.yaml")
    result = run_sweep(vgg8, grid, mode="training")
    assert len(result) == grid.size == 42
    for _, rows in result.groupby("device"):
        order = rows.assign(nm=rows["technology.node"].str.replace(" nm", "").astype(float)).sort_values("nm", ascending=False)
        assert np.all(np.diff(order["energy_j"].to_numpy()) < 0) and np.all(np.diff(order["area_m2"].to_numpy()) < 0)
