"""Probabilistic MAC costing: the claims of SAND2022-13142 Sec. 3.0.6 / Fig. 3-8A, and BNN prediction cost."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from ppa.cli import main
from ppa.errors import PpaError
from ppa.workload import load_network
from ppa.cost.pmac import bnn_prediction_cost, energy_per_mac_curves, mvm_cost
from ppa.spec import load_chip

SPEC = load_chip("pmac_40nm")
SIZES = [8, 16, 32, 64, 128, 256, 512, 1024]


def curves():
    return {c["name"]: c for c in energy_per_mac_curves(SPEC, SIZES)}


def test_energy_per_mac_falls_as_array_grows():
    for c in curves().values():
        if c["kind"] == "spintronic":
            e = np.array(c["energy_per_mac_j"])
            assert np.all(np.diff(e) < 0), c["name"]


def test_high_resistance_case_is_cheaper():
    c = curves()
    low, high = np.array(c["pMAC 10k/56k"]["energy_per_mac_j"]), np.array(c["pMAC 1M/5.6M"]["energy_per_mac_j"])
    assert np.all(high < low)
    # the saving is in the current conveyor, whose supply current is the column current
    assert c["pMAC 1M/5.6M"]["breakdown"]["current_conveyor"][-1] < 0.1 * c["pMAC 10k/56k"]["breakdown"]["current_conveyor"][-1]


def test_more_than_100x_cheaper_than_cmos_trng_at_large_arrays():
    c = curves()
    cmos = c["CMOS TRNG + multiply"]["energy_per_mac_j"][-1]
    assert cmos == pytest.approx(6.45e-12)
    for name in ("pMAC 10k/56k", "pMAC 1M/5.6M"):
        assert cmos / c[name]["energy_per_mac_j"][-1] > 100


def test_small_arrays_fall_in_the_papers_10_to_100x_range():
    c = curves()
    cmos = c["CMOS TRNG + multiply"]["energy_per_mac_j"][0]
    for name in ("pMAC 10k/56k", "pMAC 1M/5.6M"):
        assert 10 < cmos / c[name]["energy_per_mac_j"][0] < 100


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 4096), r=st.floats(1e3, 1e7))
def test_higher_resistance_never_costs_more(n, r):
    a = SPEC.with_resistances(type(SPEC.variants[0])(name="a", bayes_mtj_resistance=r, dw_resistance=5.6 * r))
    b = SPEC.with_resistances(type(SPEC.variants[0])(name="b", bayes_mtj_resistance=2 * r, dw_resistance=11.2 * r))
    assert float(mvm_cost(b, n, n).total_energy) < float(mvm_cost(a, n, n).total_energy)
    parts = mvm_cost(a, n, n)
    assert float(parts.total_energy) == pytest.approx(sum(float(v) for v in parts.energy.values()))


def test_pmac_json_shape():
    out = CliRunner().invoke(main, ["pmac", "--sizes", "8,64,1024", "--format", "json"])
    data = json.loads(out.output)
    assert data["sizes"] == [8, 64, 1024]
    kinds = {c["kind"] for c in data["curves"]}
    assert kinds == {"spintronic", "cmos_trng"}
    for c in data["curves"]:
        assert len(c["energy_per_mac_j"]) == 3
        total = np.sum([v for v in c["breakdown"].values()], axis=0)
        assert np.allclose(total, c["energy_per_mac_j"])


@pytest.mark.parametrize("name", ["lenet5", "resnet_cifar100", "mlp_autompg"])
def test_bnn_prediction_costs(name):
    net = load_network(f"networks/{name}.yaml")
    c100 = {r["design"]: r for r in bnn_prediction_cost(net, SPEC, 100).rows}
    c10 = {r["design"]: r for r in bnn_prediction_cost(net, SPEC, 10).rows}
    spin, dnn, cmos = c100["spintronic_bnn"], c100["dnn_same_hardware"], c100["cmos_trng_bnn"]
    assert dnn["energy_j"] < spin["energy_j"] < cmos["energy_j"]
    assert cmos["energy_j"] > 10 * spin["energy_j"]
    # samples are the overhead factor over the DNN; the deterministic first layer is paid once
    assert spin["energy_j"] < 100 * dnn["energy_j"] * 1.5
    assert 5 < spin["energy_j"] / c10["spintronic_bnn"]["energy_j"] <= 10


def test_bit_sliced_means_cost_more():
    net = load_network("networks/resnet_cifar100.yaml")
    e4 = bnn_prediction_cost(net, SPEC, 25, mu_bits=4).rows[0]["energy_j"]
    e8 = bnn_prediction_cost(net, SPEC, 25, mu_bits=8).rows[0]["energy_j"]
    assert e4 < e8 < 2 * e4


def test_shipped_networks_match_the_papers_parameter_counts():
    assert load_network("networks/lenet5.yaml").weights + 6 + 16 + 120 + 84 + 10 == 61_706
    assert round(load_network("networks/resnet_cifar100.yaml").weights / 1e6, 2) == 1.25


def test_estimate_cli_with_pmac_spec():
    out = CliRunner().invoke(main, ["estimate", "networks/lenet5.yaml", "--hw", "pmac_40nm", "--samples", "50", "--format", "json"])
    data = json.loads(out.output)
    assert data["samples"] == 50 and len(data["designs"]) == 3


def test_pmac_spec_typo_is_reported(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(load_chip.__globals__["SHIPPED"] / "pmac_40nm.yaml") + "\ndevice:\n  read:\n    volts: 0.1 V\n")
    with pytest.raises(PpaError, match=r"bad.yaml:4: device.read.volts: unknown field; did you mean 'voltage'"):
        load_chip(bad)
