"""The probabilistic MAC is an ordinary chip of the one cost pipeline: the figures it gave as a separate pipeline hold.

The pinned values were measured with the separate pMAC pipeline (ppa/pmac.py at commit a52b316) before the move;
they are the README's Fig. 3-8A curves and BNN prediction costs (SAND2022-13142 Sec. 3.0.6).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ppa.cost.estimate import CATEGORIES, estimate
from ppa.cost.pmac import bnn_prediction_cost, energy_per_mac_curves
from ppa.errors import PpaError
from ppa.spec import load_chip
from ppa.workload import load_network

# the 40 nm technology as it was at a52b316 (issue #10 recalibrated the shared constants to Dhull Tables III-VI
# and added a thermal ADC term and leakage): the pinned figures compare the pipelines, not the technologies
TECH_AT_MOVE = {"full_adder_energy": 2.8e-15, "full_adder_area": 3.5e-12, "register_energy": 2.5e-15,
                "register_area": 4.4e-12, "sram_buffer_energy": 0.15e-12, "adc_walden_fom": 6.4e-15,
                "adc_cycle_energy": 20e-15, "adc_cycle_time": 138e-12, "adc_area_fixed": 900e-12,
                "adc_area_per_step": 2.5e-12, "adc_area_scale": 1.0, "adc_thermal_energy_8b": 0.0,
                "dac_energy_per_row": 420e-15, "mac_energy": 0.18e-12}   # 0 J (an unvalidated copy) switches the thermal term off
_CURRENT = load_chip("pmac_40nm")
SPEC = _CURRENT.model_copy(update={"technology": _CURRENT.technology.model_copy(update=TECH_AT_MOVE),
                                   "leakage": _CURRENT.leakage.model_copy(update={"enabled": False})})
SIZES = [8, 16, 32, 64, 128, 256, 512, 1024]
OLD_CURVES = {   # J per MAC at SIZES
    "pMAC 10k/56k": [2.9005e-13, 1.6109e-13, 9.4943e-14, 6.2786e-14, 4.5867e-14, 3.6997e-14, 3.2201e-14, 2.9500e-14],
    "pMAC 1M/5.6M": [2.8167e-13, 1.4433e-13, 7.5608e-14, 4.1274e-14, 2.4046e-14, 1.5420e-14, 1.1110e-14, 8.9561e-15],
}
OLD_BNN = {   # (network, mu_bits) -> J per prediction with 100 samples: spintronic, DNN on the same arrays, CMOS TRNG
    ("lenet5", None): (1.5986749590857144e-06, 3.114254274285714e-08, 0.00019421275895908577),
    ("mlp_autompg", None): (1.627916121904762e-08, 3.7956653333333336e-10, 2.676224761219048e-06),
    ("resnet_cifar100", None): (0.0001990072595425524, 1.6650170750476193e-06, 0.04075554835820922),
    ("resnet_cifar100", 8): (0.0003574715487853715, 3.3217721340952387e-06, 0.040914012647452036),
}


def test_fig_3_8a_curves_unchanged_by_the_move():
    curves = {c["name"]: c["energy_per_mac_j"] for c in energy_per_mac_curves(SPEC, SIZES)}
    for name, old in OLD_CURVES.items():
        assert np.allclose(curves[name], old, rtol=1e-3), name


@pytest.mark.parametrize("key", [k for k in OLD_BNN if k[1] is None])
def test_bnn_prediction_costs_unchanged_by_the_move(key):
    rows = bnn_prediction_cost(load_network(f"networks/{key[0]}.yaml"), SPEC, 100, key[1]).rows
    for row, old in zip(rows, OLD_BNN[key]):
        assert row["energy_j"] == pytest.approx(old, rel=0.01), row["design"]


def test_bit_sliced_means_share_their_rows_dac():
    """8-bit means: both DW-pair slices of a weight sit in one array's row and share its DAC drive (as every
    bit-sliced weight does in the mapping), where the separate pipeline gave each slice its own arrays and DACs.
    The whole difference is that DAC energy, recomputed here from the layer shapes."""
    net = load_network("networks/resnet_cifar100.yaml")
    n, dac = SPEC.subarray.rows, SPEC.technology.dac_energy_per_row
    saved = 0.0
    for i, la in enumerate(net.mvm_layers):
        passes = 1 if i == 0 else 100
        k2d = la.kernel**2 * la.in_channels
        old_blocks = 2 * math.ceil(la.out_channels / n)          # each slice its own column tiles
        new_blocks = math.ceil(2 * la.out_channels / n)          # slices side by side in the same rows
        saved += passes * la.out_size**2 * k2d * (old_blocks - new_blocks) * dac
    new = bnn_prediction_cost(net, SPEC, 100, 8).rows[0]["energy_j"]
    assert saved > 0
    assert new == pytest.approx(OLD_BNN[("resnet_cifar100", 8)][0] - saved, rel=1e-6)


def test_a_probabilistic_chip_estimates_like_any_other():
    net = load_network("networks/lenet5.yaml")
    dnn, bnn = estimate(net, SPEC), estimate(net, SPEC, samples=10)
    assert set(dnn.table["category"]) == set(CATEGORIES)
    e_dnn, e_bnn = dnn.totals("energy_j")["total"], bnn.totals("energy_j")["total"]
    assert 5 * e_dnn < e_bnn < 10 * e_dnn          # 10 samples of every layer but the first
    assert dnn.totals("energy_j")["readout"] > 0 and dnn.area_m2["readout"] > 0


def test_samples_need_a_probabilistic_cell():
    with pytest.raises(PpaError, match="probabilistic cell"):
        estimate(load_network("networks/lenet5.yaml"), load_chip("dw_40nm"), samples=10)


def test_dhull_chips_have_no_readout_cost():
    est = estimate(load_network("networks/vgg8.yaml"), load_chip("dw_40nm"), "training")
    assert est.totals("energy_j")["readout"] == 0 and est.area_m2["readout"] == 0


def test_old_kind_pmac_files_get_a_migration_hint(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text("kind: pmac\nname: x\n")
    with pytest.raises(PpaError, match="bayes_dw_pair"):
        load_chip(old)
