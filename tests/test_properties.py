"""Physical invariants of the cost model, as property tests over spec variations (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.cost.components.converters import SarAdc
from ppa.cost.estimate import CATEGORIES, estimate
from ppa.workload import load_network
from ppa.spec import load_chip

NET = load_network("networks/vgg8.yaml")
BASE = load_chip("dw_40nm")


def variant(chip, **sections):
    data = chip.model_dump()
    for dotted, value in sections.items():
        section, field = dotted.split("__")
        data[section][field] = value
    return type(chip).model_validate(data)


@given(bits=st.integers(1, 15))
def test_more_adc_bits_never_cost_less(bits):
    t = BASE.technology
    lo = SarAdc(bits, t.adc_walden_fom, t.adc_cycle_energy, t.adc_cycle_time, t.adc_area_fixed, t.adc_area_per_step)
    hi = SarAdc(bits + 1, t.adc_walden_fom, t.adc_cycle_energy, t.adc_cycle_time, t.adc_area_fixed, t.adc_area_per_step)
    assert hi.convert_energy > lo.convert_energy
    assert hi.convert_latency > lo.convert_latency
    assert hi.area > lo.area


@settings(max_examples=25, deadline=None)
@given(bits=st.integers(2, 12), mode=st.sampled_from(["inference", "training"]))
def test_more_adc_bits_never_cheaper_chip(bits, mode):
    a = estimate(NET, variant(BASE, adc__bits=bits), mode)
    b = estimate(NET, variant(BASE, adc__bits=bits + 1), mode)
    assert b.area_m2["adc"] > a.area_m2["adc"]
    assert b.totals("energy_j")["adc"] > a.totals("energy_j")["adc"]
    assert b.totals("latency_s")["adc"] > a.totals("latency_s")["adc"]


@settings(max_examples=25, deadline=None)
@given(share=st.sampled_from([1, 2, 4, 8, 16, 32, 64]))
def test_more_columns_per_adc_less_adc_area_more_latency(share):
    a = estimate(NET, variant(BASE, subarray__columns_per_adc=share), "inference")
    b = estimate(NET, variant(BASE, subarray__columns_per_adc=share * 2), "inference")
    assert b.area_m2["adc"] < a.area_m2["adc"]
    assert b.totals("latency_s")["adc"] > a.totals("latency_s")["adc"]


@settings(max_examples=30, deadline=None)
@given(rows=st.sampled_from([32, 64, 128, 256, 512]), cols=st.sampled_from([32, 64, 128, 256]),
       mode=st.sampled_from(["inference", "training"]), device=st.sampled_from(["dw_40nm", "sram_40nm"]))
def test_totals_equal_sum_of_parts(rows, cols, mode, device):
    chip = variant(load_chip(device), subarray__rows=rows, subarray__columns=cols)
    e = estimate(NET, chip, mode)
    for q in ("energy_j", "latency_s"):
        totals = e.totals(q)
        assert totals["total"] == pytest.approx(sum(totals[c] for c in CATEGORIES), rel=1e-12)
        assert totals["total"] == pytest.approx(float(e.table[q].sum()), rel=1e-12)
        assert all(v >= 0 for v in e.table[q])
    area = e.area_m2
    assert area["total"] == pytest.approx(sum(v for k, v in area.items() if k != "total"), rel=1e-12)


@settings(max_examples=20, deadline=None)
@given(bits=st.integers(1, 16))
def test_more_weight_bits_cost_more_sram(bits):
    base = load_chip("sram_40nm")
    a = estimate(NET, variant(base, device__weight_bits=bits), "training")
    b = estimate(NET, variant(base, device__weight_bits=bits + 1), "training")
    assert b.area_m2["imc"] > a.area_m2["imc"]
    assert b.totals("energy_j")["total"] > a.totals("energy_j")["total"]


def test_energy_scales_linearly_with_images(vgg8=NET):
    e = estimate(vgg8, BASE, "training")
    one = e.to_dict()["per_image"]["energy_j"]["total"]
    many = e.to_dict(scale=1000.0)["run"]["energy_j"]["total"]
    assert many == pytest.approx(1000 * one)


def test_first_layer_has_no_error_pass():
    e = estimate(NET, BASE, "training")
    inf = estimate(NET, BASE, "inference")
    first = NET.mvm_layers[0].name
    # the first layer's ADC work is the same in training and inference: no back-propagated error
    assert e.per_layer("energy_j").loc[first, "adc"] == pytest.approx(inf.per_layer("energy_j").loc[first, "adc"])
    second = NET.mvm_layers[1].name
    assert e.per_layer("energy_j").loc[second, "adc"] > 1.5 * inf.per_layer("energy_j").loc[second, "adc"]
