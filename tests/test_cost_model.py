"""Issue #10 trends and knobs: ADC family, input activity, leakage, off-chip traffic, dataflow, transposed read-out,
padding convention, inference-only chips (hypothesis property tests where a trend is claimed)."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.cost.components.converters import FlashAdc, SarAdc, SenseAmpAdc, make_adc
from ppa.cost.estimate import CATEGORIES, PAPER_CATEGORIES, estimate
from ppa.errors import PpaError
from ppa.spec import load_chip
from ppa.workload import load_network

NET = load_network("networks/vgg8.yaml")
DW = load_chip("dw_40nm")
SRAM = load_chip("sram_40nm")
TECH = DW.technology


def variant(chip, **updates):
    """`chip` with dotted-path fields replaced (`adc.bits=5`), validated again."""
    data = chip.model_dump()
    for dotted, value in updates.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    return type(chip).model_validate(data)


def adc(kind, bits, rows=128):
    return make_adc(SimpleNamespace(kind=kind, bits=bits), TECH, rows, 20e3, 0.15e-15)


# ------------------------------------------------------------------ ADC family


@given(bits=st.integers(1, 15))
def test_sar_latency_grows_as_bits_plus_one(bits):
    a, b = adc("sar", bits), adc("sar", bits + 1)
    assert b.convert_latency / a.convert_latency == pytest.approx((bits + 2) / (bits + 1))


@given(bits=st.integers(7, 14))
def test_sar_area_follows_the_survey_trend(bits):
    """Above ~6 bits the capacitor DAC dominates: 3-4x area per 2 bits (Murmann survey), not ppa's old 1.45x."""
    ratio = adc("sar", bits + 2).area / adc("sar", bits).area
    assert 3.0 < ratio <= 4.0


@given(bits=st.integers(1, 15))
def test_sar_energy_per_bit_between_walden_and_thermal_regimes(bits):
    ratio = adc("sar", bits + 1).convert_energy / adc("sar", bits).convert_energy
    assert 1.0 < ratio < 4.0 + 1e-9
    if bits >= 14:            # thermal-noise-limited (Schreier FoM) regime: ~4x per bit
        assert ratio > 3.0


def test_thermal_constant_is_the_schreier_envelope_at_8_bits():
    from ppa.cost.components.converters import schreier_energy_8b

    assert TECH.adc_thermal_energy_8b == pytest.approx(schreier_energy_8b(175.0), rel=0.01)


@given(kind=st.sampled_from(["flash", "sense_amp"]), bits=st.integers(2, 15))
def test_flash_and_sense_amp_area_and_energy_double_per_bit(kind, bits):
    lo, hi = adc(kind, bits), adc(kind, bits + 1)
    assert 2.0 <= hi.area / lo.area <= 2.0 + 1.0 / (2**bits - 1) + 1e-9
    assert 2.0 <= hi.convert_energy / lo.convert_energy <= 2.0 + 1.0 / (2**bits - 1) + 1e-9


@given(rows=st.integers(8, 1024), more=st.integers(1, 1024), bits=st.integers(1, 10))
def test_sense_amp_latency_grows_with_rows_not_bits(rows, more, bits):
    assert adc("sense_amp", bits, rows + more).convert_latency > adc("sense_amp", bits, rows).convert_latency
    assert adc("sense_amp", bits + 1, rows).convert_latency == adc("sense_amp", bits, rows).convert_latency


def test_flash_is_fast_and_large_at_high_resolution():
    sar, flash = adc("sar", 8), adc("flash", 8)
    assert flash.convert_latency < sar.convert_latency / 3
    assert isinstance(flash, FlashAdc) and isinstance(adc("sense_amp", 4), SenseAmpAdc) and isinstance(sar, SarAdc)


@settings(max_examples=10, deadline=None)
@given(kind=st.sampled_from(["sar", "flash", "sense_amp"]), bits=st.integers(4, 9))
def test_chip_adc_area_grows_with_bits_for_every_kind(kind, bits):
    lo = estimate(NET, variant(DW, adc__kind=kind, adc__bits=bits))
    hi = estimate(NET, variant(DW, adc__kind=kind, adc__bits=bits + 1))
    assert hi.area_m2["adc"] > 1.5 * lo.area_m2["adc"]


# ------------------------------------------------------------------ data dependence


@settings(max_examples=12, deadline=None)
@given(lo=st.floats(0.0, 1.0), hi=st.floats(0.0, 1.0), chip=st.sampled_from([DW, SRAM]))
def test_more_input_activity_never_costs_less_array_adc_or_adder_energy(lo, hi, chip):
    lo, hi = sorted((lo, hi))
    a, b = (estimate(NET, chip, activity=x).totals("energy_j") for x in (lo, hi))
    for c in ("synaptic_array", "adc", "accumulation"):
        assert a[c] <= b[c] * (1 + 1e-12)


@pytest.mark.parametrize("chip", [DW, SRAM], ids=["dw", "sram"])
def test_halving_activity_cuts_dynamic_energy_by_a_large_fraction(chip):
    def dynamic(x):
        t = estimate(NET, chip, activity=x).totals("energy_j")
        return t["total"] - t["leakage"] - t["offchip"]

    assert dynamic(0.25) < 0.8 * dynamic(0.5)


def test_network_input_activity_global_and_per_layer(tmp_path):
    text = (tmp_path / "net.yaml")
    text.write_text("name: two\ninput_activity: 0.3\ninput: [8, 8, 4]\nlayers:\n"
                    "  - {name: a, type: conv, out_channels: 8, kernel: 3}\n"
                    "  - {name: b, type: conv, out_channels: 8, kernel: 3, input_activity: 0.9}\n")
    net = load_network(text)
    assert net.input_activity == 0.3 and net.layers[1].input_activity == 0.9
    own = estimate(net, SRAM).per_layer("energy_j")["synaptic_array"]
    flat = estimate(net, SRAM, activity=0.3).per_layer("energy_j")["synaptic_array"]
    assert own["a"] == pytest.approx(flat["a"]) and own["b"] > 2.5 * flat["b"]


def test_activity_reference_point_reproduces_the_calibrated_estimate():
    assert estimate(NET, DW, "training", activity=0.5).totals("energy_j") == estimate(NET, DW, "training").totals("energy_j")


# ------------------------------------------------------------------ leakage


@settings(max_examples=8, deadline=None)
@given(duty=st.floats(0.001, 1.0))
def test_nonvolatile_synapses_leak_nothing_while_idle(duty):
    dw = estimate(NET, DW, duty_cycle=duty).totals("energy_j")["leakage"]
    assert dw == pytest.approx(estimate(NET, DW, duty_cycle=1.0).totals("energy_j")["leakage"])
    sram_busy = estimate(NET, SRAM, duty_cycle=1.0)
    sram = estimate(NET, SRAM, duty_cycle=duty).totals("energy_j")["leakage"]
    retained = sram_busy.resources["retained_power_w"] * sram_busy.totals("latency_s")["total"] * (1 / duty - 1)
    assert sram == pytest.approx(sram_busy.totals("energy_j")["leakage"] + retained, rel=1e-9)


def test_leakage_is_power_times_latency():
    e = estimate(NET, DW)
    assert e.resources["retained_power_w"] == 0.0 and estimate(NET, SRAM).resources["retained_power_w"] > 0
    assert e.totals("energy_j")["leakage"] == pytest.approx(e.resources["leakage_power_w"] * e.totals("latency_s")["total"])
    off = estimate(NET, variant(DW, leakage__enabled=False))
    assert off.totals("energy_j")["leakage"] == 0.0


# ------------------------------------------------------------------ off-chip traffic (hand-computed for VGG-8)

# layer inputs of VGG-8 (values): 32x32x3, 32x32x128, 16x16x128, 16x16x256, 8x8x256, 8x8x512, 8192, 1024
VGG8_INPUTS = 32 * 32 * 3 + 32 * 32 * 128 + 16 * 16 * 128 + 16 * 16 * 256 + 8 * 8 * 256 + 8 * 8 * 512 + 8192 + 1024
VGG8_WEIGHTS = 9 * (3 * 128 + 128 * 128 + 128 * 256 + 256 * 256 + 256 * 512 + 512 * 512) + 8192 * 1024 + 1024 * 10


def test_offchip_inference_bits_are_the_network_input_and_output():
    e = estimate(NET, DW, "inference")
    bits = (32 * 32 * 3 + 10) * 8                         # the image in, ten scores out, 8-bit activations
    assert e.resources["offchip_bits"] == bits
    assert e.totals("energy_j")["offchip"] == pytest.approx(bits * 3.9e-12)
    assert e.totals("latency_s")["offchip"] == pytest.approx(bits / (256e9 * 8))


def test_offchip_training_bits_add_stored_activations_and_gradient_writeback():
    e = estimate(NET, DW, "training")
    stored = 2 * VGG8_INPUTS * 8                           # each layer's input written and read back
    gradients = 2 * VGG8_WEIGHTS * 8 / 200                 # gradient words out and back once per batch of 200
    bits = (32 * 32 * 3 + 10) * 8 + stored + gradients
    assert e.resources["offchip_bits"] == pytest.approx(bits)
    assert e.totals("energy_j")["offchip"] == pytest.approx(bits * 3.9e-12)
    copy = estimate(NET, variant(DW, offchip__weight_copy_bits=32), "training")
    assert copy.resources["offchip_bits"] == pytest.approx(bits + 2 * VGG8_WEIGHTS * 32 / 200)


def test_without_offchip_memory_the_category_is_zero_and_paper_totals_unchanged():
    with_dram, without = estimate(NET, DW, "training"), estimate(NET, DW, "training", offchip=False)
    assert without.totals("energy_j")["offchip"] == 0.0 and with_dram.totals("energy_j")["offchip"] > 0
    assert with_dram.totals("energy_j", PAPER_CATEGORIES)["total"] == without.totals("energy_j", PAPER_CATEGORIES)["total"]


# ------------------------------------------------------------------ dataflow, transposed read-out, padding, inference-only


def test_pipelined_interval_is_the_slowest_stage():
    seq, pipe = estimate(NET, DW), estimate(NET, DW, dataflow="pipelined")
    stages = seq.per_layer("latency_s")[[c for c in CATEGORIES if c != "leakage"]].sum(axis=1)
    assert pipe.totals("latency_s")["total"] == pytest.approx(stages.max())
    assert pipe.totals("latency_s")["total"] < seq.totals("latency_s")["total"]
    assert pipe.to_dict()["dataflow"] == "pipelined"


def test_pipelined_copies_slow_layers_into_spare_tiles():
    need = int(estimate(NET, DW).resources["tiles"])
    tight = estimate(NET, variant(DW, hierarchy__tiles=need), dataflow="pipelined")
    roomy = estimate(NET, variant(DW, hierarchy__tiles=2 * need), dataflow="pipelined")
    assert roomy.totals("latency_s")["total"] < tight.totals("latency_s")["total"]
    assert any("copied" in n for n in roomy.notes)


def test_transformer_vector_layers_leak_and_pipeline_like_array_layers():
    """Vector-unit and dynamic-product layers take time, so they leak (the vector unit's own logic leaks too), and
    each is a pipeline stage; the sweep path prices both exactly as estimate does."""
    from ppa.explore.sweep import evaluate_points

    vit = load_network("networks/vit_tiny16.yaml")
    e = estimate(vit, DW)
    assert e.totals("energy_j")["leakage"] == pytest.approx(e.resources["leakage_power_w"] * e.totals("latency_s")["total"])
    assert e.per_layer("energy_j").loc[[la.name for la in vit.layers if la.kind == "softmax"], "leakage"].min() > 0
    wide = estimate(vit, variant(DW, vector_unit__lanes=256))
    assert wide.resources["leakage_power_w"] - e.resources["leakage_power_w"] == pytest.approx(
        TECH.cmos_leakage_density * 128 * DW.vector_unit.op_area, rel=1e-9)
    pipe = estimate(vit, DW, dataflow="pipelined")
    stages = e.per_layer("latency_s")[[c for c in e.categories if c != "leakage"]].sum(axis=1)
    assert pipe.totals("latency_s")["total"] == pytest.approx(stages.max(), rel=1e-12)
    assert stages.idxmax() in {la.name for la in vit.layers}
    swept = evaluate_points(vit, variant(DW, dataflow__schedule="pipelined"), {}, "inference")
    assert swept["latency_s"][0] == pytest.approx(pipe.totals("latency_s")["total"], rel=1e-9)
    assert swept["energy_j"][0] == pytest.approx(pipe.totals("energy_j")["total"], rel=1e-9)


def test_pipelined_training_is_refused():
    with pytest.raises(PpaError, match="pipelined"):
        estimate(NET, DW, "training", dataflow="pipelined")


def test_transposed_readout_prices_only_the_backward_pass():
    cheap = variant(DW, transposed_readout__adc_bits=5)
    for c in ("adc", "synaptic_array", "weight_gradient"):    # the forward read-out is untouched (smaller ADCs
        assert estimate(NET, cheap).totals("energy_j")[c] == estimate(NET, DW).totals("energy_j")[c]   # shorten wires)
    assert estimate(NET, cheap, "training").totals("energy_j")["adc"] < estimate(NET, DW, "training").totals("energy_j")["adc"]
    assert estimate(NET, cheap).area_m2["adc"] < estimate(NET, DW).area_m2["adc"]


def test_neurosim_padding_counts_valid_positions():
    same = estimate(NET, variant(DW, dataflow__padding="network"))
    valid = estimate(NET, DW)            # the shipped spec follows NeuroSim
    lat_same, lat_valid = (e.per_layer("latency_s")["synaptic_array"] for e in (same, valid))
    assert lat_valid["conv1"] / lat_same["conv1"] == pytest.approx(30**2 / 32**2)
    assert lat_valid["conv5"] / lat_same["conv5"] == pytest.approx(6**2 / 8**2)
    assert lat_valid["fc1"] == pytest.approx(lat_same["fc1"])


def test_inference_only_chip_drops_the_weight_gradient_unit():
    full, lean = estimate(NET, DW), estimate(NET, variant(DW, inference_only=True))
    assert lean.area_m2["weight_gradient"] == 0.0
    assert 0.05 < 1 - lean.area_m2["total"] / full.area_m2["total"] < 0.5
    with pytest.raises(PpaError, match="inference-only"):
        estimate(NET, variant(DW, inference_only=True), "training")


def test_json_keeps_its_schema_and_gains_the_new_categories():
    d = estimate(NET, SRAM, activity=0.3).to_dict()
    assert d["dataflow"] == "layer_by_layer" and d["activity"] == 0.3
    for key in ("offchip", "leakage"):
        assert key in d["per_image"]["energy_j"] and key in d["layers"][0]["energy_j"]
    assert {"network", "hardware", "mode", "area_m2", "per_image", "paper_categories_per_image", "layers",
            "resources"} <= set(d)
    json.dumps(d)
    assert np.isfinite(d["per_image"]["energy_j"]["total"])
    # without --activity the JSON states the activity it priced: the network's, 0.5 by default, null if layers differ
    from ppa.workload import with_input_activity
    assert estimate(NET, SRAM).to_dict()["activity"] == 0.5
    assert estimate(with_input_activity(NET, 0.2), SRAM).to_dict()["activity"] == 0.2
    mixed = replace(NET, layers=(replace(NET.layers[0], input_activity=0.9),) + tuple(NET.layers[1:]))
    assert estimate(mixed, SRAM).to_dict()["activity"] is None


def test_weights_that_do_not_fit_a_fixed_chip_are_streamed_from_offchip_memory():
    need = int(estimate(NET, DW).resources["tiles"])
    half = need // 2
    small = estimate(NET, variant(DW, hierarchy__tiles=half))
    spill = 1 - half / need
    streamed = VGG8_WEIGHTS * spill * 3                    # 5 notch states need 3 bits each in DRAM
    assert small.resources["weights_streamed_fraction"] == pytest.approx(spill)
    assert small.resources["offchip_bits"] == pytest.approx((32 * 32 * 3 + 10) * 8 + streamed)
    assert small.totals("energy_j")["offchip"] == pytest.approx(small.resources["offchip_bits"] * 3.9e-12)
    assert small.totals("energy_j")["weight_update"] > 0 and small.area_m2["total"] < estimate(NET, DW).area_m2["total"]
    batched = estimate(NET, variant(DW, hierarchy__tiles=half, offchip__images_per_weight_load=100))
    assert batched.totals("energy_j")["offchip"] < small.totals("energy_j")["offchip"] / 10
    with pytest.raises(PpaError, match="tiles"):
        estimate(NET, variant(DW, hierarchy__tiles=half), offchip=False)


@settings(max_examples=8, deadline=None)
@given(small=st.integers(1, 400), more=st.integers(1, 400))
def test_training_offchip_traffic_shrinks_with_larger_batches(small, more):
    a = estimate(NET, variant(DW, training__batch_size=small), "training").resources["offchip_bits"]
    b = estimate(NET, variant(DW, training__batch_size=small + more), "training").resources["offchip_bits"]
    assert b < a


@settings(max_examples=8, deadline=None)
@given(pj=st.floats(0.5, 50.0))
def test_offchip_energy_is_linear_in_energy_per_bit(pj):
    e = estimate(NET, variant(DW, offchip__energy_per_bit=pj * 1e-12), "training")
    assert e.totals("energy_j")["offchip"] == pytest.approx(e.resources["offchip_bits"] * pj * 1e-12)


@settings(max_examples=6, deadline=None)
@given(bits=st.integers(3, 10))
def test_backward_adc_energy_grows_with_transposed_adc_bits(bits):
    lo = estimate(NET, variant(DW, transposed_readout__adc_bits=bits), "training").totals("energy_j")["adc"]
    hi = estimate(NET, variant(DW, transposed_readout__adc_bits=bits + 1), "training").totals("energy_j")["adc"]
    assert hi > lo


@settings(max_examples=6, deadline=None)
@given(extra=st.integers(0, 40), chip=st.sampled_from([DW, SRAM]))
def test_pipelining_never_slows_an_image_down(extra, chip):
    need = int(estimate(NET, chip).resources["tiles"])
    fixed = variant(chip, hierarchy__tiles=need + extra)
    assert estimate(NET, fixed, dataflow="pipelined").totals("latency_s")["total"] <= \
        estimate(NET, fixed).totals("latency_s")["total"]


def test_calibration_command_lists_every_calibrated_constant_and_checks_the_bounds():
    from click.testing import CliRunner

    from ppa.cli import main

    out = CliRunner().invoke(main, ["calibration", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    fields = {(c["file"], c["field"]): c["fitted_to"] for c in data["constants"]}
    assert fields[("tech_40nm.yaml", "adc_area_scale")] == "Table V"
    assert fields[("dw_40nm.yaml", "training.wg_lanes")] == "Table III"
    assert ("tech_40nm.yaml", "cmos_leakage_density") not in fields      # "not calibrated" is not listed
    failing = [c["check"] for c in data["checks"] if not c["ok"]]
    assert failing == []


def test_vectorised_sweep_prices_leakage_and_offchip_like_estimate():
    from ppa.explore.sweep import evaluate_points

    duty, pj = np.array([1.0, 0.1, 0.01]), np.array([1e-12, 3.9e-12, 10e-12])
    got = evaluate_points(NET, SRAM, {"leakage.duty_cycle": duty, "offchip.energy_per_bit": pj}, "training")
    for i in range(3):
        one = estimate(NET, variant(SRAM, leakage__duty_cycle=float(duty[i]), offchip__energy_per_bit=float(pj[i])), "training")
        assert got["energy_j"][i] == pytest.approx(one.totals("energy_j")["total"], rel=1e-9)
        assert got["latency_s"][i] == pytest.approx(one.totals("latency_s")["total"], rel=1e-9)


def test_vectorised_sweep_pipelined_interval_matches_estimate():
    from ppa.explore.sweep import evaluate_points

    rows = np.array([64.0, 128.0, 256.0])
    piped = variant(DW, dataflow__schedule="pipelined")
    got = evaluate_points(NET, piped, {"subarray.rows": rows}, "inference")
    for i, r in enumerate(rows):
        one = estimate(NET, variant(piped, subarray__rows=int(r)))
        assert got["latency_s"][i] == pytest.approx(one.totals("latency_s")["total"], rel=1e-9)
        assert got["energy_j"][i] == pytest.approx(one.totals("energy_j")["total"], rel=1e-9)
