"""Calibration against Dhull et al. Tables III-VI (per training epoch of 50,000 images; see ppa/data/README.md)."""

from __future__ import annotations

import pytest

from conftest import reference
from ppa.explore.compare import compare
from ppa.cost.estimate import PAPER_CATEGORIES, estimate

EPOCH = 50_000


def epoch_totals(net, chip):
    e = estimate(net, chip, "training")
    return (e.totals("energy_j", PAPER_CATEGORIES)["total"] * EPOCH,
            e.totals("latency_s", PAPER_CATEGORIES)["total"] * EPOCH, e.area_m2["total"], e)


@pytest.mark.parametrize("device,fixture", [("DW", "dw"), ("SRAM", "sram")])
def test_table6_totals_within_15_percent(request, vgg8, device, fixture):
    t6 = reference("dhull_table6_dw_vs_sram.csv").set_index("device")
    energy, latency, area, _ = epoch_totals(vgg8, request.getfixturevalue(fixture))
    assert energy == pytest.approx(t6.loc[device, "total_energy_j"], rel=0.15)
    assert latency == pytest.approx(t6.loc[device, "total_latency_s"], rel=0.15)
    assert area == pytest.approx(t6.loc[device, "total_area_m2"], rel=0.15)


def test_dw_vs_sram_ratios_within_10_percent(vgg8, dw, sram):
    rows = compare(vgg8, [dw, sram]).rows()
    assert rows[1]["area_ratio"] == pytest.approx(13.8, rel=0.10)
    assert rows[1]["energy_ratio"] == pytest.approx(9.6, rel=0.10)
    assert rows[1]["latency_ratio"] == pytest.approx(3.5, rel=0.10)


def test_dw_vs_3bit_sram_latency_within_20_percent(vgg8, dw, sram3b):
    rows = compare(vgg8, [dw, sram3b]).rows()
    assert rows[1]["latency_ratio"] == pytest.approx(1.8, rel=0.20)


@pytest.mark.xfail(strict=True, reason="known disagreement: a per-bit-column SRAM model gives 1.6x energy and "
                   "1.5x area for 3-bit SRAM where the paper quotes 2.5x and 2.9x (see README, Calibration)")
def test_dw_vs_3bit_sram_energy_and_area_within_20_percent(vgg8, dw, sram3b):
    rows = compare(vgg8, [dw, sram3b]).rows()
    assert rows[1]["energy_ratio"] == pytest.approx(2.5, rel=0.20)
    assert rows[1]["area_ratio"] == pytest.approx(2.9, rel=0.20)


def test_design_ordering_dw_cheapest(vgg8, dw, sram, sram3b):
    rows = compare(vgg8, [dw, sram3b, sram]).rows()
    for key in ("area_m2", "energy_j", "latency_s"):
        assert rows[0][key] < rows[1][key] < rows[2][key]


@pytest.mark.parametrize("quantity,table", [("energy_j", "dhull_table4_energy_j.csv"), ("latency_s", "dhull_table3_latency_s.csv")])
def test_category_shares_within_10_points(vgg8, dw, quantity, table):
    ref = reference(table).set_index("layer").loc["total"]
    ref_total = sum(ref[c] for c in PAPER_CATEGORIES)
    e = estimate(vgg8, dw, "training")
    ours = e.totals(quantity, PAPER_CATEGORIES)
    for c in PAPER_CATEGORIES:
        assert 100 * ours[c] / ours["total"] == pytest.approx(100 * ref[c] / ref_total, abs=10.0), c


def test_per_layer_energy_ordering_as_table4(vgg8, dw):
    ref = reference("dhull_table4_energy_j.csv")
    ref = ref[ref["layer"].str.isdigit()].copy()
    ref_total = ref[list(PAPER_CATEGORIES)].sum(axis=1).to_numpy()
    e = estimate(vgg8, dw, "training")
    ours = e.per_layer("energy_j")[list(PAPER_CATEGORIES)].sum(axis=1).to_numpy()
    assert list(ours.argsort()) == list(ref_total.argsort())


def test_training_costs_more_than_inference(vgg8, dw):
    inf = estimate(vgg8, dw, "inference")
    tr = estimate(vgg8, dw, "training")
    assert tr.totals("energy_j")["total"] > 2 * inf.totals("energy_j")["total"]
    assert inf.totals("energy_j")["weight_gradient"] == 0.0
    assert inf.area_m2 == tr.area_m2
