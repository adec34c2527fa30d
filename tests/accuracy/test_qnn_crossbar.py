"""The QNN device from a crossbar description (issue 17 item 1): the same device as the chip spec where both describe
the same thing, unmodellable fields refused by name, and the description's noise reaching the accuracy."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from ppa.accuracy import qnn
from ppa.accuracy.bayes_mtj import CrossbarNotModelled
from ppa.accuracy.crossbar import Crossbar
from ppa.accuracy.datasets import load_digits
from ppa.accuracy.dw_synapse import DwDeviceParams
from ppa.spec import load_chip
from ppa.spec.crossbar import crossbar_from_dict, load_crossbar

STATES = ["3.3e-5 S", "7.8e-5 S", "12.3e-5 S", "16.9e-5 S", "21.2e-5 S"]
BASE = {"kind": "crossbar", "name": "x", "encoding": "offset", "device": {"states": STATES}}


def test_dw_offset_description_is_the_dw_40nm_device_where_both_describe_it():
    xb = DwDeviceParams.from_crossbar(load_crossbar("crossbar_dw_offset"))
    hw = DwDeviceParams.from_chip(load_chip("dw_40nm"))
    # dw_40nm derives its conductances from the racetrack geometry (within 1.1 % of Table VIII, which the
    # description lists)
    np.testing.assert_allclose(xb.conductances_S, hw.conductances_S, rtol=0.011)
    assert (xb.adc_bits, xb.adc_code, xb.rows, xb.write_transition) == \
           (hw.adc_bits, hw.adc_code, hw.rows, hw.write_transition)
    # what only the description says: Table X spread, column ranges on ideal values, 350 K for an hour
    assert xb.device_to_device.sigma == 0.1 and xb.device_to_device.relative_to == "state"
    assert (xb.adc_range, xb.adc_per_column) == ("ideal", True)
    assert 0.04 < xb.retention_escape < 0.05          # the shipped file's comment: 4.6 % of walls escape


def test_resistance_range_with_bits_gives_evenly_spaced_states():
    spec = crossbar_from_dict({**BASE, "device": {"r_min": "5 kohm", "r_max": "40 kohm", "bits": 3},
                               "weight_bits": 3, "dac": {"bits": 6},
                               "adc": {"bits": 7, "style": "mid_rise", "range": "noisy", "per": "array"}})
    p = DwDeviceParams.from_crossbar(spec)
    g = np.asarray(p.conductances_S)
    assert len(g) == 8 and g[0] == pytest.approx(1 / 40e3) and g[-1] == pytest.approx(1 / 5e3)
    np.testing.assert_allclose(np.diff(g), np.diff(g)[0], rtol=1e-9)
    assert (p.dac_bits, p.adc_bits, p.adc_code, p.adc_range, p.adc_per_column) == (6, 7, "mid_rise", "calibrated",
                                                                                      False)


@pytest.mark.parametrize("extra, field", [
    ({"encoding": "balanced_pair", "weight_bits": 3}, "encoding"),
    ({"variation": {"drift": {"nu": 0.01}}}, "variation.drift"),
    ({"wires": {"segment_resistance": "1 ohm"}}, "wires.segment_resistance"),
    ({"dac": {"full_scale": 2.0}}, "dac.full_scale"),
    ({"weight_bits": 2}, "weight_bits"),
    ({"device": {"states": STATES, "clip_to_range": True},
      "variation": {"cycle_to_cycle": {"sigma": 0.1}}}, "device.clip_to_range"),
])
def test_fields_the_qnn_cannot_model_are_refused_by_name(extra, field):
    with pytest.raises(CrossbarNotModelled) as err:
        DwDeviceParams.fields_from_crossbar(crossbar_from_dict({**BASE, **extra}))
    assert err.value.field == field


def test_cli_qnn_crossbar(monkeypatch):
    import ppa.accuracy.experiments_qnn as E
    from ppa.cli import main

    seen, real = {}, E.run_qnn

    def fake(**kw):
        seen.update(kw)
        return real(network="mlp", seeds=1, epochs=1, adc_bits=(), variations_pct=(0,), programmings=1,
                         mechanisms=("c2c",), table_ix=False, device=kw["device"])

    monkeypatch.setattr(E, "run_qnn", fake)
    res = CliRunner().invoke(main, ["accuracy", "qnn", "--crossbar", "crossbar_dw_offset", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert seen["device"].adc_per_column and seen["device"].device_to_device.sigma == 0.1
    out = json.loads(res.output)
    assert out["device_from_crossbar"]["fields"] == ["encoding", "device.states", "variation.device_to_device",
                                                     "device.retention", "adc.bits", "adc.style", "adc.range",
                                                     "adc.per", "dac.bits"]
    assert out["device"]["retention_escape"] == pytest.approx(0.046, abs=5e-4)
    assert not any("full-scale current (rows" in line for line in out["differs_from_paper"])
    res = CliRunner().invoke(main, ["accuracy", "qnn", "--crossbar", "crossbar_balanced_8b"])
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and "encoding: not modelled by the QNN crossbar" in res.output


def test_ideal_adc_range_ignores_read_noise_and_per_column_keeps_one_range_per_column():
    rng = np.random.default_rng(0)
    states = rng.integers(0, 5, (40, 12))
    x = rng.random((64, 40)).astype(np.float32)
    ranges = []
    for sigma in (0.0, 0.5):
        p = DwDeviceParams(adc_range="ideal", adc_per_column=True, mechanisms={"read_noise": {"sigma": sigma}})
        xb = Crossbar(p, 40, 12)
        xb.program(states, np.random.default_rng(1))
        xb.calibrate(x)
        ranges.append(xb.adc_range)
    assert ranges[0].shape[-1] == 12
    np.testing.assert_allclose(ranges[0], ranges[1], rtol=1e-6)
    noisy = Crossbar(DwDeviceParams(adc_range="calibrated", mechanisms={"read_noise": {"sigma": 0.5}}), 40, 12)
    noisy.program(states, np.random.default_rng(1))
    noisy.calibrate(x)
    assert noisy.adc_range.shape[-1] == 1 and float(noisy.adc_range.max()) > float(ranges[0].max())


def test_retention_moves_escaped_walls_one_notch():
    states = np.full((30, 20), 2)
    p = DwDeviceParams(retention_escape=1.0)
    xb = Crossbar(p, 30, 20)
    xb.program(states, np.random.default_rng(0))
    g = np.asarray(p.conductances_S)
    held = np.abs(xb.conductances[..., None] - g).argmin(-1)
    assert set(np.unique(held)) == {1, 3}               # every wall left notch 2 for a neighbour
    assert (xb.states == 2).all()                       # the controller still believes it wrote notch 2


def test_larger_read_noise_in_the_description_lowers_accuracy():
    d = load_digits()
    rng = np.random.default_rng(0)
    fnet = qnn.train_float(qnn.build("mlp", rng), d.x_train, d.y_train, rng, epochs=8)
    acc = {}
    for sigma in (0.01, 0.4):
        spec = crossbar_from_dict({**BASE, "variation": {"read_noise": {"sigma": sigma, "relative_to": "g_max"}},
                                   "adc": {"bits": 8}})
        p = DwDeviceParams.from_crossbar(spec)
        net = qnn.transfer(fnet, p, np.random.default_rng(1), d.x_train[:256])
        acc[sigma] = net.accuracy(d.x_test, d.y_test)
    assert acc[0.01] > 0.8 and acc[0.4] < acc[0.01] - 0.05, acc
