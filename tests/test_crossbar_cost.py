"""A crossbar description's cost-relevant fields applied onto a chip spec (issue 17 item 1, `ppa estimate --crossbar`)."""

import json

import pytest
from click.testing import CliRunner

from ppa.cost.estimate import estimate
from ppa.spec import chip_from_dict, load_chip
from ppa.spec.crossbar import CostNotModelled, apply_to_chip, crossbar_from_dict
from ppa.workload import load_network

STATES = ["3.3e-5 S", "7.8e-5 S", "12.3e-5 S", "16.9e-5 S", "21.2e-5 S"]


def _with(chip, **sections):
    data = chip.model_dump()
    for section, fields in sections.items():
        data[section].update(fields)
    return chip_from_dict(data)


def test_six_bit_adc_description_costs_as_the_chip_with_a_six_bit_adc():
    net = load_network("networks/vgg8.yaml")
    chip = load_chip("dw_40nm")
    dw_states = [f"{g} S" for g in chip.device.conductances]
    spec = crossbar_from_dict({"kind": "crossbar", "name": "x", "encoding": "offset",
                               "device": {"states": dw_states}, "adc": {"bits": 6}})
    applied_chip, applied = apply_to_chip(chip, spec)
    assert applied == ["device.states", "adc.bits"]
    for mode in ("inference", "training"):
        a = estimate(net, applied_chip, mode).totals("energy_j")
        b = estimate(net, _with(chip, adc={"bits": 6}), mode).totals("energy_j")
        base = estimate(net, chip, mode).totals("energy_j")
        assert a == pytest.approx(b, rel=1e-12)
        assert a["adc"] < base["adc"]                 # and the 6-bit ADC is cheaper than the shipped 8-bit one


def test_rram_range_and_levels_reach_the_device():
    chip = load_chip("rram_40nm")
    spec = crossbar_from_dict({"kind": "crossbar", "name": "x", "encoding": "offset", "weight_bits": 3,
                               "device": {"r_min": "10 kohm", "r_max": "100 kohm", "bits": 3}, "dac": {"bits": 4}})
    new, applied = apply_to_chip(chip, spec)
    assert new.device.resistance_on == pytest.approx(10e3) and new.device.on_off_ratio == pytest.approx(10)
    assert (new.device.levels, new.device.weight_bits, new.precision.activation_bits) == (8, 3, 4)
    assert set(applied) == {"device.r_min", "device.r_max", "device.bits", "weight_bits", "dac.bits"}
    net = load_network("networks/vgg8.yaml")
    # a higher on-resistance draws less read current: the array's read energy falls
    assert estimate(net, new).totals("energy_j")["synaptic_array"] < estimate(net, chip).totals("energy_j")["synaptic_array"]


@pytest.mark.parametrize("hw, extra, field", [
    ("dw_40nm", {"encoding": "balanced_pair", "weight_bits": 3}, "encoding"),
    ("sram_40nm", {}, "device.states"),
    ("rram_40nm", {"device": {"states": ["1e-5 S", "2e-5 S", "5e-5 S", "9e-5 S"]}}, "device.states"),
])
def test_fields_without_cost_meaning_for_the_device_kind_are_refused(hw, extra, field):
    spec = crossbar_from_dict({"kind": "crossbar", "name": "x", "encoding": "offset", "device": {"states": STATES},
                               **extra})
    with pytest.raises(CostNotModelled) as err:
        apply_to_chip(load_chip(hw), spec)
    assert err.value.field == field


def test_cli_estimate_crossbar(tmp_path):
    from ppa.cli import main

    path = tmp_path / "xb.yaml"
    path.write_text("kind: crossbar\nname: x\nencoding: offset\nweight_bits: 2\ndevice: {r_min: 4.7 kohm, r_max: 30 kohm, bits: 2}\n"
                    "adc: {bits: 6}\n")
    res = CliRunner().invoke(main, ["estimate", "networks/vgg8.yaml", "--crossbar", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["crossbar"]["applied"] == ["device.r_min", "device.r_max", "device.bits", "adc.bits"]
    res = CliRunner().invoke(main, ["estimate", "networks/vgg8.yaml", "--hw", "sram_40nm", "--crossbar", str(path)])
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "device.r_min" in res.output
