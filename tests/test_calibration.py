"""Calibration against Dhull et al. Tables III-VI (per training epoch of 50,000 images; see ppa/data/README.md).

Bounds of issue #10: DW and 32-bit SRAM Table VI totals (five categories) within 10 %, the three ratios within 5 %,
each category share within 5 points of Tables III/IV, per-layer energy within 30 % of Table IV."""

from __future__ import annotations

import pytest

from conftest import reference
from ppa.cost.estimate import PAPER_CATEGORIES, estimate
from ppa.explore.compare import compare

EPOCH = 50_000
LAYERS = [str(i) for i in range(1, 9)]


def epoch_totals(net, chip):
    e = estimate(net, chip, "training")
    return (e.totals("energy_j", PAPER_CATEGORIES)["total"] * EPOCH,
            e.totals("latency_s", PAPER_CATEGORIES)["total"] * EPOCH, e.area_m2["total"], e)


@pytest.mark.parametrize("device,fixture", [("DW", "dw"), ("SRAM", "sram")])
def test_table6_totals_within_10_percent(request, vgg8, device, fixture):
    t6 = reference("dhull_table6_dw_vs_sram.csv").set_index("device")
    energy, latency, area, _ = epoch_totals(vgg8, request.getfixturevalue(fixture))
    assert energy == pytest.approx(t6.loc[device, "total_energy_j"], rel=0.10)
    assert latency == pytest.approx(t6.loc[device, "total_latency_s"], rel=0.10)
    assert area == pytest.approx(t6.loc[device, "total_area_m2"], rel=0.10)


def test_dw_vs_sram_ratios_within_5_percent(vgg8, dw, sram):
    rows = compare(vgg8, [dw, sram]).rows()
    assert rows[1]["area_ratio"] == pytest.approx(13.8, rel=0.05)
    assert rows[1]["energy_ratio"] == pytest.approx(9.6, rel=0.05)
    assert rows[1]["latency_ratio"] == pytest.approx(3.5, rel=0.05)


@pytest.mark.xfail(strict=True, reason="known disagreement: a per-bit-column SRAM model gives 1.6x energy, 1.5x area "
                   "and 2.3x latency for 3-bit SRAM where the paper's text quotes 2.5x, 2.9x and 1.8x (see README, "
                   "Calibration); constants are not bent to them")
def test_dw_vs_3bit_sram_ratios_within_20_percent(vgg8, dw, sram3b):
    rows = compare(vgg8, [dw, sram3b]).rows()
    assert rows[1]["energy_ratio"] == pytest.approx(2.5, rel=0.20)
    assert rows[1]["area_ratio"] == pytest.approx(2.9, rel=0.20)
    assert rows[1]["latency_ratio"] == pytest.approx(1.8, rel=0.20)


def test_design_ordering_dw_cheapest(vgg8, dw, sram, sram3b):
    rows = compare(vgg8, [dw, sram3b, sram]).rows()
    for key in ("area_m2", "energy_j", "latency_s"):
        assert rows[0][key] < rows[1][key] < rows[2][key]


@pytest.mark.parametrize("quantity,table", [("energy_j", "dhull_table4_energy_j.csv"), ("latency_s", "dhull_table3_latency_s.csv")])
def test_category_shares_within_5_points(vgg8, dw, quantity, table):
    ref = reference(table).set_index("layer").loc["total"]
    ref_total = sum(ref[c] for c in PAPER_CATEGORIES)
    ours = estimate(vgg8, dw, "training").totals(quantity, PAPER_CATEGORIES)
    for c in PAPER_CATEGORIES:
        assert 100 * ours[c] / ours["total"] == pytest.approx(100 * ref[c] / ref_total, abs=5.0), c


def _per_layer_energy(vgg8, dw):
    ref = reference("dhull_table4_energy_j.csv").set_index("layer").loc[LAYERS, list(PAPER_CATEGORIES)].sum(axis=1)
    ours = estimate(vgg8, dw, "training").per_layer("energy_j")[list(PAPER_CATEGORIES)].sum(axis=1) * EPOCH
    return ours.to_numpy(), ref.to_numpy()


def test_per_layer_energy_within_30_percent_of_table4(vgg8, dw):
    """Every layer's five-category energy within 30 % of Table IV."""
    ours, ref = _per_layer_energy(vgg8, dw)
    for i in range(len(LAYERS)):
        assert ours[i] == pytest.approx(ref[i], rel=0.30), f"layer {i + 1}"


def test_training_costs_more_than_inference(vgg8, dw):
    inf = estimate(vgg8, dw, "inference")
    tr = estimate(vgg8, dw, "training")
    assert tr.totals("energy_j")["total"] > 2 * inf.totals("energy_j")["total"]
    assert inf.totals("energy_j")["weight_gradient"] == 0.0
    assert inf.area_m2 == tr.area_m2


def test_per_layer_energy_ordering_as_table4(vgg8, dw):
    ours, ref = _per_layer_energy(vgg8, dw)
    assert list(ours.argsort()) == list(ref.argsort())
