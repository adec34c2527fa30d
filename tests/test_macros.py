"""Macros (#18): readout front ends, analog merging, cell styles, array/supply-dependent latency, `ppa macro`,
and three published macros checked against ppa/data/macros_public.yaml (errors asserted as achieved)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.cost.components import component
from ppa.cost.components.readout import ChargeIntegrator, ChargeShare, TimeToDigital, Transimpedance
from ppa.cost.macro import CHARGE_CELL_CAPACITANCE, macro_report, price_point
from ppa.errors import PpaError
from ppa.spec import load_macro
from ppa.spec.macro import Macro, OperatingPoint

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = {m["id"]: m for m in yaml.safe_load((ROOT / "ppa/data/macros_public.yaml").read_text())["macros"]}
REPORTS = {name: macro_report(load_macro(name)) for name in ("jia_jssc2020", "wang_vlsi2022", "neurram_nature2022")}


def _points(name):
    return {p["label"]: p for p in REPORTS[name]["points"]}


# ---------------------------------------------------------------- readout front ends (piece 1)

def test_readout_kinds_are_registry_components():
    for name in ("current_conveyor", "transimpedance", "integrator", "charge_share", "tdc"):
        assert component(name).__module__ == "ppa.cost.components.readout"
    from ppa.cost.components import converters, readout
    assert converters.CurrentConveyor is readout.CurrentConveyor      # one copy, shared with the pMAC path


def test_transimpedance_settles_from_gm_over_c():
    a = Transimpedance(0.9, 10e-6, 15.0, 100e-15, 1e-10)
    b = Transimpedance(0.9, 20e-6, 15.0, 100e-15, 1e-10)
    assert b.settle_time(8) == pytest.approx(a.settle_time(8) / 2)          # t ~ C / g_m, g_m ~ I_bias
    assert a.settle_time(9) / a.settle_time(8) == pytest.approx(10 / 9)      # (B + 1) ln2 tau


def test_integrator_and_charge_share_and_tdc_physics():
    i = ChargeIntegrator(1.8, 1e-6, 100e-15, 1.0, 2e-10)
    assert i.full_scale_charge == pytest.approx(1e-13)
    assert i.integrate_energy(1e-13, 1e-7) == pytest.approx(1.8 * (1e-6 * 1e-7 + 1e-13))
    s = ChargeShare(0.85, 256, 1e-15, 100e-15, 10e3)
    assert s.share_energy(1.0) - s.share_energy(0.5) == pytest.approx(0.5 * 256 * 1e-15 * 0.85 ** 2)
    t = TimeToDigital(6, 1e-15, 10e-12, 2e-15, 1e-12)
    assert t.settle_time(7) == pytest.approx(2 * t.settle_time(6))


# ---------------------------------------------------------------- the three published macros (piece 6)

def _published(spec_value, public_value):
    assert spec_value == pytest.approx(public_value, rel=1e-3)


def test_specs_carry_the_public_reference_values_and_no_fitted_constant():
    jia = PUBLIC["jia_jssc_2020"]["outputs"]
    pj = _points("jia_jssc2020")
    _published(pj["0.85 V"]["published_tops_per_w"], jia["energy_efficiency_1b"][0]["value"] / 1e12)
    _published(pj["1.2 V"]["published_tops_per_mm2"], jia["throughput_density_1b"][1]["value"] / 1e18)
    wang = PUBLIC["wang_vlsi_2022"]["outputs"]
    pw = REPORTS["wang_vlsi2022"]["points"]
    for p, ref_w, ref_a in zip(pw, wang["energy_efficiency"][2]["value"], wang["throughput_density"][2]["value"]):
        _published(p["published_tops_per_w"], ref_w / 1e12)
        _published(p["published_tops_per_mm2"], ref_a / 1e18)
    neur = PUBLIC["wan_neurram_nature_2022"]["outputs"]["energy_efficiency"]["points"]
    for p, ref in zip(REPORTS["neurram_nature2022"]["points"], neur):
        assert (p["output_bits"], p["input_bits"]) == (ref["out_bits"], ref["in_bits"])
        _published(p["published_tops_per_w"], ref["value"] / 1e12)
        assert p["published_tops_per_mm2"] is None                       # not published
    for name in REPORTS:                                                  # the global constants, never per macro
        assert load_macro(name).cell.capacitance is None


def test_charge_cell_constant_reproduces_its_calibration_point():
    """CHARGE_CELL_CAPACITANCE is fitted to Jia's CiM energy per column at 0.85 V (9.7 pJ): the fit holds."""
    p = price_point(load_macro("jia_jssc2020"), OperatingPoint(label="cal", supply=0.85))
    array = sum(p.energy[k] for k in ("cells", "wordline", "readout")) / 256
    assert array == pytest.approx(9.7e-12, rel=0.01)
    assert CHARGE_CELL_CAPACITANCE == pytest.approx(4.94e-15)


def test_jia_within_achieved_bounds():
    p = _points("jia_jssc2020")
    assert abs(p["0.85 V"]["error_tops_per_w"]) < 0.05            # measured -3.1 % (the calibration point)
    assert abs(p["1.2 V"]["error_tops_per_w"]) < 0.05             # measured +1.3 % (a prediction: C V^2)
    assert abs(p["0.85 V"]["error_tops_per_mm2"]) < 0.06          # measured +4.3 %
    for q in p.values():
        for k, pub in q["published_energy_shares"].items():
            assert abs(q["energy_shares_grouped"][k] - pub) < 0.10   # measured within 3 points


@pytest.mark.xfail(strict=True, reason="Jia 1.2 V TOPS/mm^2 measured -41 %: the alpha-power law (V_th 0.35 V) speeds "
                   "the published 0.85 V clock 1.41x, the chip's clock 2.5x; node-derived delays do not close it "
                   "(PTM 65 nm vth0 0.423 V: -36 %; Stillmaker & Baas's 65 nm delay cubic: 1.62x, -32 %); 2.5x needs "
                   "V_th ~ 0.63 V at alpha 1.3")
def test_jia_density_at_1v2():
    assert abs(_points("jia_jssc2020")["1.2 V"]["error_tops_per_mm2"]) < 0.15


def test_wang_within_achieved_bounds():
    p = _points("wang_vlsi2022")
    errs = [q["error_tops_per_w"] for q in p.values()]
    assert max(abs(e) for e in errs) < 0.35                        # measured +3 % ... +34 %
    assert abs(p["1.1 V"]["error_tops_per_w"]) < 0.15
    assert max(abs(q["error_tops_per_mm2"]) for q in p.values()) < 0.30    # measured +21 % ... +25 %
    q = p["1.0 V"]
    for k, pub in q["published_energy_shares"].items():
        assert abs(q["energy_shares_grouped"][k] - pub) < 0.10     # measured: ADC +7, DAC -1, array -1, misc -4 points


@pytest.mark.xfail(strict=True, reason="Wang TOPS/W measured +23/+34/+29/+18/+3 % at 0.7-1.1 V: the published curve "
                   "flattens faster than C V^2 and ppa has no control/misc energy (4 % at 1.0 V); the node's "
                   "leakage (100 W/m^2 x area x MVM time + cell leakage) is 0.04 % of the MVM energy, so a static "
                   "term cannot flatten it")
def test_wang_tops_per_w_within_15_percent_everywhere():
    assert all(abs(q["error_tops_per_w"]) < 0.15 for q in REPORTS["wang_vlsi2022"]["points"])


@pytest.mark.xfail(strict=True, reason="Wang TOPS/mm^2 measured +21...+25 %: the model's area is 34 % under the "
                   "chip's (misc 11 % not modelled, DACs 24 % under)")
def test_wang_density_within_15_percent():
    assert all(abs(q["error_tops_per_mm2"]) < 0.15 for q in REPORTS["wang_vlsi2022"]["points"])


def test_neurram_throughput_and_wordline_energy():
    pts = REPORTS["neurram_nature2022"]["points"]
    ref = {(r["out_bits"], r["in_bits"]): r["value"] / 1e12
           for r in PUBLIC["wan_neurram_nature_2022"]["outputs"]["throughput_48_cores"]["points"]}
    for p in pts:
        if (p["output_bits"], p["input_bits"]) in ref:
            assert p["tops"] / ref[(p["output_bits"], p["input_bits"])] - 1 == pytest.approx(0, abs=0.10)  # -1..+5 %
    top = pts[-1]                                             # (10, 8): wordline switching 50.5 fJ x 65536
    assert top["energy_breakdown_j"]["wordline"] == pytest.approx(50.52e-15 * 65536, rel=0.15)      # measured +5 %


def test_neurram_tops_per_w_within_15_percent():
    # measured +13/+4/+7/+1/-5/+2/-12/-13 % with the authors' 1-40 uS devices (was -81 ... -90 % with NeuroSim's)
    assert all(abs(p["error_tops_per_w"]) < 0.15 for p in REPORTS["neurram_nature2022"]["points"])


# ---------------------------------------------------------------- merging, styles, checks (pieces 2, 3)

def _macro(**over):
    base = {"kind": "macro", "name": "t", "technology": {"node": "40 nm"}, "supply": "0.9 V",
            "array": {"rows": 128, "columns": 64}, "cell": {"kind": "sram_8t1c"}, "readout": {"kind": "charge_share"},
            "adc": {"kind": "sar", "bits": 8}}
    for k, v in over.items():
        base[k] = v
    return Macro.model_validate(base)


def test_merging_counts_conversions_from_what_is_merged():
    kw = dict(cell={"kind": "c2c"}, weight_bits=8, input={"kind": "dac"}, input_bits=8)
    merged = price_point(_macro(merge={"columns": 8}, **kw))
    split = price_point(_macro(**kw))
    adc_one = merged.energy["adc"] / (64 / 8)
    assert split.energy["adc"] == pytest.approx(adc_one * 64)              # 8x the conversions unmerged
    assert "shift_add" in split.energy and "shift_add" not in merged.energy
    with pytest.raises(PpaError, match="merge.columns"):
        price_point(_macro(merge={"columns": 16}, **kw))                   # more than the bits of one weight


def test_integrator_accumulates_input_bits_before_one_conversion():
    kw = dict(cell={"kind": "rram_1t1r", "read_voltage": "0.2 V", "resistance_on": "100 kohm", "on_off_ratio": 10},
              weight_bits=4, input_bits=8, timing={"integrate": "10 ns"},
              readout={"kind": "integrator", "capacitance": "1 pF", "voltage_swing": "0.5 V", "mode": "voltage"})
    acc = price_point(_macro(merge={"input_bits": True}, **kw))
    per_bit = price_point(_macro(**kw))
    assert per_bit.energy["adc"] == pytest.approx(8 * acc.energy["adc"])


def test_digital_cim_has_an_adder_tree_and_no_adc():
    m = _macro(cell={"kind": "sram_digital"}, adc={"kind": "none"}, readout=None, input_bits=4)
    p = price_point(m)
    assert "adc" not in p.energy and p.energy["adder_tree"] > 0
    big = price_point(_macro(cell={"kind": "sram_digital"}, adc={"kind": "none"}, readout=None, input_bits=4,
                             array={"rows": 256, "columns": 64}))
    assert big.energy["adder_tree"] == pytest.approx(2 * p.energy["adder_tree"])
    with pytest.raises(ValueError):
        _macro(cell={"kind": "sram_digital"})                              # digital CIM takes no ADC


def test_differential_cells_halve_the_macs():
    one = price_point(_macro(cell={"kind": "sram_8t1c"}))
    two = price_point(_macro(cell={"kind": "sram_8t1c", "signed": "differential"}))
    assert two.ops == pytest.approx(one.ops / 2)


def _device_macro(tmp_path, cell, node="22 nm", weight_bits=4):
    spec = {"kind": "macro", "name": "d", "technology": {"node": node}, "supply": "0.8 V",
            "array": {"rows": 128, "columns": 64}, "cell": cell, "weight_bits": weight_bits, "input_bits": 4,
            "output_bits": 6, "readout": {"kind": "transimpedance"}, "adc": {"kind": "sar", "bits": 6}}
    f = tmp_path / "m.yaml"
    f.write_text(yaml.safe_dump(spec))
    return load_macro(f)


def test_device_library_cells_bring_their_physics_to_a_macro(tmp_path):
    """`cell.device` reads #13's cells: a binary STT-MRAM holds one weight bit per column, its R_on is the MTJ's
    R_P = RA / (pi d^2 / 4), its area moves in F^2 to the macro's node; a figure written in the macro wins."""
    from ppa.cost.macro import resolved_cell
    from ppa.spec import load_chip

    dev = load_chip("stt_mram_40nm").device
    m = _device_macro(tmp_path, {"device": "stt_mram_40nm"})
    cell = resolved_cell(m)
    assert cell.kind == "stt_mram"
    assert cell.resistance_on == pytest.approx(dev.resistance_area_product / (np.pi * dev.mtj_diameter**2 / 4))
    assert cell.on_off_ratio == pytest.approx(1 + dev.tmr)
    assert cell.area == pytest.approx(dev.cell_area / (40e-9) ** 2 * (22e-9) ** 2)
    assert price_point(m).ops == pytest.approx(2 * 128 * 64 / 4)            # 4 binary columns per 4-bit weight
    rram = _device_macro(tmp_path, {"device": "rram_40nm"})
    assert price_point(rram).ops == pytest.approx(2 * 128 * 64)             # multi-level: a weight per cell
    mine = resolved_cell(_device_macro(tmp_path, {"device": "stt_mram_40nm", "read_voltage": "0.3 V"}))
    assert mine.read_voltage == pytest.approx(0.3) and mine.resistance_on == pytest.approx(cell.resistance_on)
    with pytest.raises(PpaError, match="contradicts"):
        _device_macro(tmp_path, {"device": "stt_mram_40nm", "kind": "rram_1t1r"})
    # a Macro built in code (no load_macro) reads its device when priced, to the same figures
    in_code = _macro(cell={"device": "stt_mram_40nm"}, technology={"node": "22 nm"}, weight_bits=4,
                     readout={"kind": "transimpedance"})
    assert resolved_cell(in_code) == cell


# ---------------------------------------------------------------- latency and supply (piece 4): properties

KINDS = [dict(), dict(cell={"kind": "c2c"}, weight_bits=8, input={"kind": "dac"}, merge={"columns": 8}),
         dict(cell={"kind": "sram_digital"}, adc={"kind": "none"}, readout=None, input_bits=4),
         dict(cell={"kind": "rram_1t1r", "read_voltage": "0.2 V", "resistance_on": "100 kohm"}, weight_bits=4,
              readout={"kind": "transimpedance"}),
         dict(cell={"kind": "stt_mram", "read_voltage": "0.3 V", "resistance_on": "5 kohm", "on_off_ratio": 2.2},
              readout={"kind": "transimpedance"}, summation=True)]


def _kind(kind, **over):
    """A KINDS entry as a macro (`summation=True` puts the cells of a column in series)."""
    spec = dict(KINDS[kind])
    series = spec.pop("summation", False)
    array = dict(over.pop("array", {"rows": 128, "columns": 64}), **({"summation": "resistance"} if series else {}))
    return _macro(array=array, **spec, **over)


@settings(max_examples=30, deadline=None)
@given(kind=st.integers(0, len(KINDS) - 1), rows=st.integers(8, 2048), extra=st.integers(1, 2048))
def test_more_rows_never_read_faster(kind, rows, extra):
    a = price_point(_kind(kind, array={"rows": rows, "columns": 64}))
    b = price_point(_kind(kind, array={"rows": rows + extra, "columns": 64}))
    assert b.latency_total >= a.latency_total * (1 - 1e-12)


@settings(max_examples=30, deadline=None)
@given(kind=st.integers(0, len(KINDS) - 1), v=st.floats(0.5, 1.3), dv=st.floats(0.01, 0.5))
def test_lower_supply_never_faster_nor_costlier_per_op(kind, v, dv):
    lo = price_point(_kind(kind), OperatingPoint(label="lo", supply=v))
    hi = price_point(_kind(kind), OperatingPoint(label="hi", supply=v + dv))
    assert lo.latency_total >= hi.latency_total * (1 - 1e-12)
    assert lo.energy_total / lo.ops <= hi.energy_total / hi.ops * (1 + 1e-12)


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(8, 1024), r_on=st.floats(1e3, 1e6))
def test_series_cells_draw_less_as_the_chain_grows_parallel_cells_more(rows, r_on):
    """At a stated read pulse a series chain (resistance summation, Jung et al. Nature 2022) draws
    V^2 / (N R) per column, falling with the rows and the resistance; parallel cells draw N V^2 G, rising."""
    cell = {"kind": "stt_mram", "read_voltage": "0.3 V", "resistance_on": r_on, "on_off_ratio": 2.0,
            "read_pulse": "10 ns"}
    def cells(n, summation, r=r_on):
        m = _macro(array={"rows": n, "columns": 64, "summation": summation}, cell=dict(cell, resistance_on=r),
                   readout={"kind": "transimpedance"})
        return price_point(m).energy["cells"]
    assert cells(2 * rows, "resistance") == pytest.approx(cells(rows, "resistance") / 2)
    assert cells(rows, "resistance", 2 * r_on) == pytest.approx(cells(rows, "resistance") / 2)
    assert cells(2 * rows, "current") > cells(rows, "current")
    r_col = rows * 0.5 * (r_on + 2 * r_on)
    assert cells(rows, "resistance") == pytest.approx(64 * 0.3**2 / r_col * 10e-9)
    with pytest.raises(ValueError, match="series"):
        _macro(array={"rows": 64, "columns": 64, "summation": "resistance"})       # charge cells cannot chain


_RRAM = {"kind": "rram_1t1r", "resistance_on": "100 kohm", "on_off_ratio": 10, "read_voltage": "0.1 V",
         "read_pulse": "1 ns"}
_CHARGE_INTEGRATOR = {"kind": "integrator", "capacitance": "2 pF", "voltage_swing": "0.8 V"}


@pytest.mark.parametrize("bits", [2, 4, 6])
def test_time_coded_inputs_take_one_conversion_and_2b_minus_1_unit_pulses(bits):
    """pwm / pulse_count hold a B-bit input in up to 2^B - 1 unit pulses of one step: one conversion per column
    where bit-serial converts B times; the window, and the cells' mean on-time, grow as 2^B - 1; counted pulses
    switch the line (activity x (2^B - 1)) times where a pwm pulse switches it once."""
    kw = dict(cell=_RRAM, weight_bits=2, input_bits=bits, output_bits=6, readout=_CHARGE_INTEGRATOR,
              array={"rows": 16, "columns": 64})
    pwm = price_point(_macro(input={"kind": "pwm"}, **kw))
    count = price_point(_macro(input={"kind": "pulse_count"}, **kw))
    serial = price_point(_macro(input={"kind": "bit_serial"}, **kw))
    assert serial.energy["adc"] == pytest.approx(bits * pwm.energy["adc"])
    assert pwm.latency["bitline"] == pytest.approx((2**bits - 1) * 1e-9)
    assert count.energy["wordline"] == pytest.approx(0.5 * (2**bits - 1) * pwm.energy["wordline"])
    one = price_point(_macro(input={"kind": "pwm"}, **dict(kw, input_bits=1)))
    unit = 16 * 64 * 0.5 * 0.1**2 * 0.5 * (1e-5 + 1e-6) * 1e-9      # mean conduction of one unit pulse
    assert pwm.energy["cells"] - one.energy["cells"] == pytest.approx(unit * (2**bits - 2))


@pytest.mark.parametrize("over, match", [
    (dict(cell={"kind": "sram_8t1c"}), "resistive"),
    (dict(readout={"kind": "transimpedance"}), "charge"),
    (dict(readout=dict(_CHARGE_INTEGRATOR, mode="voltage")), "charge"),
    (dict(merge={"input_bits": True}), "one step"),
])
def test_time_coded_inputs_need_resistive_cells_and_a_charge_readout(over, match):
    kw = dict(cell=_RRAM, input={"kind": "pwm"}, input_bits=4, readout=_CHARGE_INTEGRATOR)
    kw.update(over)
    with pytest.raises(ValueError, match=match):
        _macro(**kw)


def test_an_integrator_too_small_for_one_window_is_refused():
    """A current-mode integrator must hold a full-scale column over its window, I_max t <= C V_swing."""
    small = dict(_CHARGE_INTEGRATOR, capacitance="20 fF")
    for inp in ("pwm", "bit_serial"):
        with pytest.raises(PpaError, match="cannot hold"):
            price_point(_macro(cell=_RRAM, input={"kind": inp}, input_bits=6, readout=small,
                               array={"rows": 128, "columns": 64}))


@pytest.mark.parametrize("over", [dict(array={"rows": 10**12, "columns": 64}), dict(input_bits=1000),
                                  dict(weight_bits=17), dict(output_bits=64)])
def test_sizes_beyond_any_macro_are_refused(over):
    """A 10^12-row array or 1000 input bits (2^999 integrations) is a typo, refused rather than priced."""
    with pytest.raises(ValueError, match="less than or equal"):
        _macro(**over)


def test_supply_below_threshold_is_refused():
    with pytest.raises(PpaError, match="alpha-power"):
        price_point(_macro(), OperatingPoint(label="x", supply=0.4))


# ---------------------------------------------------------------- the command (piece 5)

def _run(*args):
    return subprocess.run([sys.executable, "-m", "ppa", *args], capture_output=True, text=True, cwd=ROOT)


def test_ppa_macro_json_points():
    r = _run("macro", "neurram_nature2022", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert "1 MAC = 2 ops" in doc["op_convention"] and len(doc["points"]) == 8
    for p in doc["points"]:
        assert {"label", "tops_per_w", "published_tops_per_w", "tops_per_mm2", "published_tops_per_mm2",
                "energy_breakdown_j", "area_breakdown_m2"} <= set(p)
        assert sum(p["energy_breakdown_j"].values()) == pytest.approx(p["energy_per_mvm_j"])
        assert p["tops_per_w"] == pytest.approx(p["ops_per_mvm"] / p["energy_per_mvm_j"] / 1e12)


@pytest.mark.parametrize("name, field", [("macro_typo.yaml", "array.colums: unknown field; did you mean 'columns'"),
                                         ("macro_device_not_resistive.yaml", "cell.device"),
                                         ("macro_integrator_saturates.yaml", "readout.capacitance"),
                                         ("macro_adc_integrator_no_integrator.yaml", "adc.kind integrator")])
def test_ppa_macro_bad_input(name, field):
    r = _run("macro", str(ROOT / "tests/bad_inputs" / name))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert field in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_chip_pipeline_prices_a_non_conveyor_readout():
    """The chip path takes every readout kind of the shared union: a transimpedance stage adds readout energy and area."""
    from ppa.cost.estimate import estimate
    from ppa.spec import load_chip
    from ppa.workload import load_network

    chip = load_chip("dw_40nm")
    with_tia = type(chip).model_validate({**chip.model_dump(), "readout": {"kind": "transimpedance"}})
    net = load_network("networks/vgg8.yaml")
    a, b = estimate(net, chip, "inference"), estimate(net, with_tia, "inference")
    assert a.totals("energy_j")["readout"] == 0.0 < b.totals("energy_j")["readout"]
    assert b.totals("energy_j")["total"] > a.totals("energy_j")["total"]


@pytest.mark.xfail(strict=True, reason="NeuRRAM energy shares measured (10b, 8b): wordline 30 / neuron 59 / inputs 11 % "
                   "against 33 / 49 / 18 % (neuron +10.1 points at (8,6) and (10,8)): the settling-limited input pulse "
                   "(under 1 ns) draws less than the chip's")
def test_neurram_energy_shares_within_10_points():
    for p in REPORTS["neurram_nature2022"]["points"]:
        for k, pub in (p["published_energy_shares"] or {}).items():
            assert abs(p["energy_shares_grouped"][k] - pub) < 0.10


@settings(max_examples=40, deadline=None)
@given(bits=st.integers(1, 12), bias=st.floats(1e-7, 1e-4), load=st.floats(1e-15, 1e-12))
def test_readout_settling_and_energy_trends(bits, bias, load):
    """More bits never settle sooner; more bias never settles later nor costs less per window; a TDC doubles per bit."""
    tia = Transimpedance(0.9, bias, 15.0, load, 1e-10)
    more = Transimpedance(0.9, bias * 2, 15.0, load, 1e-10)
    assert tia.settle_time(bits + 1) > tia.settle_time(bits)
    assert more.settle_time(bits) < tia.settle_time(bits)
    assert more.convert_energy(1e-6, 1e-8) > tia.convert_energy(1e-6, 1e-8)
    tdc = TimeToDigital(bits, 1e-15, 10e-12, 2e-15, 1e-12)
    assert TimeToDigital(bits + 1, 1e-15, 10e-12, 2e-15, 1e-12).convert_energy() > tdc.convert_energy()


# ---------------------------------------------------------------- voltage-mode RRAM, integrator conversion, phases

def _vmode(**over):
    base = dict(cell={"kind": "rram_1t1r", "read_voltage": "0.5 V", "resistance_on": "25 kohm", "on_off_ratio": 40,
                      "wordline_low": "0.9 V", "wordline_high": "2.2 V", "line_capacitance": "2.1 fF"},
                weight_bits=4, input_bits=4, output_bits=6, input={"kind": "bit_serial", "ternary": True},
                merge={"input_bits": True}, readout={"kind": "integrator", "mode": "voltage", "capacitance": "100 fF",
                                                     "voltage_swing": "1 V"},
                adc={"kind": "integrator"}, timing={"integrate": "0.27 us", "adc_bit_cycle": "0.3 us"},
                technology={"node": "130 nm"}, supply="1.3 V", analog_supply="1.8 V")
    base.update(over)
    return _macro(array={"rows": 256, "columns": 256}, **base)


@settings(max_examples=30, deadline=None)
@given(r_on=st.floats(5e3, 1e6))
def test_voltage_mode_pulse_energy_does_not_follow_the_conductance(r_on):
    """The pulse lasts until the floating line settles (tau = C / sum G): V^2 G t is C V^2 ln(2^(B+1)) at any G."""
    a, b = (price_point(_vmode(cell={**_vmode().cell.model_dump(exclude_none=True), "resistance_on": r})).energy["cells"]
            for r in (25e3, r_on))
    assert b == pytest.approx(a, rel=1e-9)


@settings(max_examples=30, deadline=None)
@given(bits=st.integers(2, 11))
def test_integrator_conversion_grows_linearly_with_bits(bits):
    """One comparison and one charge step per output bit: no capacitor DAC doubling per bit."""
    e = [price_point(_vmode(), OperatingPoint(label="p", output_bits=b)).energy["adc"] for b in (bits - 1, bits, bits + 1)]
    assert e[2] - e[1] == pytest.approx(e[1] - e[0], rel=1e-9) and e[1] > e[0] > 0


@settings(max_examples=20, deadline=None)
@given(in_bits=st.integers(3, 8))
def test_two_phases_split_the_input_bits(in_bits):
    """Two phases pulse each input bit once (wordline and input energy follow the bits), and a later phase
    integrates fewer times (2^ceil(n/2) - 1 + 2^floor(n/2) - 1 <= 2^n - 1), so it is never slower to integrate."""
    one = price_point(_vmode(), OperatingPoint(label="1", input_bits=in_bits, output_bits=10))
    two = price_point(_vmode(), OperatingPoint(label="2", input_bits=in_bits, output_bits=10, phases=2))
    assert two.energy["wordline"] == pytest.approx(one.energy["wordline"]) and two.energy["cells"] == pytest.approx(one.energy["cells"])
    assert two.latency["bitline"] <= one.latency["bitline"]


def test_ternary_inputs_take_one_step_less():
    signed, unsigned = price_point(_vmode()), price_point(_vmode(input={"kind": "bit_serial"}))
    assert signed.energy["wordline"] == pytest.approx(unsigned.energy["wordline"] * 3 / 4)


def test_integrator_adc_needs_an_integrator():
    with pytest.raises(ValueError, match="adc.kind integrator"):
        _vmode(readout={"kind": "transimpedance"}, merge={"input_bits": False})
