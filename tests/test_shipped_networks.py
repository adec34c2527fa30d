"""The shipped ImageNet CNNs and transformers: published parameter counts, and an estimate on every shipped spec."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ppa.cost.estimate import estimate
from ppa.explore.sweep import evaluate_points
from ppa.spec import load_chip
from ppa.workload import load_network

ROOT = Path(__file__).resolve().parent.parent
# published parameter counts: torchvision model cards (ResNets, MobileNetV2), timm (DeiT-Tiny = ViT-Tiny/16),
# Hugging Face BertModel for bert-base-uncased (Devlin et al. round it to 110 M)
PUBLISHED = {
    "resnet18": 11_689_512,
    "resnet50": 25_557_032,
    "mobilenetv2": 3_504_872,
    "vit_tiny16": 5_717_416,
    "bert_base_s128": 109_482_240,
}
# published multiply-accumulates per image (torchvision model cards' GFLOPS are GMACs; DeiT Table 1: 1.3 G)
PUBLISHED_GMACS = {"resnet18": 1.81, "resnet50": 4.09, "mobilenetv2": 0.30, "vit_tiny16": 1.26}
SPECS = ("dw_40nm", "sram_40nm", "sram3b_40nm", "pmac_40nm")


def _net(name):
    return load_network(ROOT / "networks" / f"{name}.yaml")


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_parameter_count_within_one_percent_of_published(name):
    assert _net(name).params == pytest.approx(PUBLISHED[name], rel=0.01)


@pytest.mark.parametrize("name", sorted(PUBLISHED_GMACS))
def test_macs_match_published_within_three_percent(name):
    assert _net(name).macs / 1e9 == pytest.approx(PUBLISHED_GMACS[name], rel=0.03)


def test_topology_sources_are_named_at_the_top_of_each_file():
    for name in PUBLISHED:
        head = (ROOT / "networks" / f"{name}.yaml").read_text().splitlines()[:4]
        assert all(line.startswith("#") for line in head) and "Published parameters" in "\n".join(
            (ROOT / "networks" / f"{name}.yaml").read_text().splitlines()[:6])


def test_bert_sequence_length_is_a_network_parameter():
    net = _net("bert_base_s128")
    assert net.sequence_length == 128 and net.input_shape == (128, 768)
    scores = next(la for la in net.layers if la.kind == "matmul")
    assert (scores.tokens, scores.groups, scores.out_channels) == (128, 12, 12 * 128)
    # Q.K^T and A.V: 2 x T^2 x d MACs per layer, quadratic in T
    assert scores.macs == 128 * 128 * 768


@pytest.fixture(scope="module")
def chips():
    return {s: load_chip(s) for s in SPECS}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_every_shipped_network_estimates_on_every_shipped_spec(name, chips):
    net = _net(name)
    results = {}
    for spec, chip in chips.items():
        est = estimate(net, chip, "inference")
        layers = list(dict.fromkeys(est.table["layer"]))
        costed = [la.name for la in net.layers if la.kind != "pool" and not (la.kind == "token_pool" and la.op == "first")]
        assert set(costed) <= set(layers)
        e, t = est.totals("energy_j")["total"], est.totals("latency_s")["total"]
        assert math.isfinite(e) and e > 0 and math.isfinite(t) and t > 0
        assert est.resources["weights"] == net.weights
        results[spec] = (e, est.area_m2["total"])
    # the DW-MTJ design beats 32-bit SRAM on energy and area (Dhull Table VI's direction) on every network
    assert results["dw_40nm"][0] < results["sram_40nm"][0] and results["dw_40nm"][1] < results["sram_40nm"][1]


def test_bnn_samples_repeat_every_layer_after_the_first_weight_layer(chips):
    """On the probabilistic chip, S samples read the layers after the first S times, vector ops included."""
    net, chip = _net("vit_tiny16"), chips["pmac_40nm"]
    one, ten = estimate(net, chip, samples=1), estimate(net, chip, samples=10)
    e1, e10 = one.per_layer("energy_j"), ten.per_layer("energy_j")
    assert e10.loc["blocks.0.softmax", "vector"] == pytest.approx(10 * e1.loc["blocks.0.softmax", "vector"])
    assert e10.loc["blocks.0.scores", "dynamic_matmul"] == pytest.approx(10 * e1.loc["blocks.0.scores", "dynamic_matmul"])
    assert e10.loc["patch_embed"].sum() == pytest.approx(e1.loc["patch_embed"].sum())     # deterministic first layer


@pytest.mark.parametrize("name", ["mobilenetv2", "bert_base_s128"])
def test_sweep_broadcasts_new_layer_types_like_estimate(name, chips):
    """Design points on the leading axis, layers on the last: one array evaluation equals per-point estimates."""
    net, base = _net(name), chips["dw_40nm"]
    rows, cpa = np.array([64.0, 128.0, 256.0]), np.array([4.0, 8.0, 16.0])
    res = evaluate_points(net, base, {"subarray.rows": rows, "subarray.columns_per_adc": cpa}, "inference")
    for i in range(3):
        chip = base.model_copy(update={"subarray": base.subarray.model_copy(
            update={"rows": int(rows[i]), "columns_per_adc": int(cpa[i])})})
        est = estimate(net, chip)
        assert res["energy_j"][i] == pytest.approx(est.totals("energy_j")["total"], rel=1e-9)
        assert res["latency_s"][i] == pytest.approx(est.totals("latency_s")["total"], rel=1e-9)
        assert res["area_m2"][i] == pytest.approx(est.area_m2["total"], rel=1e-9)


def test_a_network_too_big_for_a_fixed_chip_is_the_one_line_error(chips):
    from ppa.errors import PpaError

    dw = chips["dw_40nm"]
    small = dw.model_copy(update={"hierarchy": dw.hierarchy.model_copy(update={"tiles": 100})})
    estimate(_net("resnet18"), dw.model_copy(update={"hierarchy": dw.hierarchy.model_copy(update={"tiles": 10_000})}))
    # with off-chip memory the weights that do not fit are streamed; without, the network is refused
    streamed = estimate(_net("bert_base_s128"), small)
    assert 0.0 < streamed.resources["weights_streamed_fraction"] < 1.0
    with pytest.raises(PpaError) as err:
        estimate(_net("bert_base_s128"), small.model_copy(update={"offchip": small.offchip.model_copy(update={"kind": "none"})}))
    assert err.value.field == "hierarchy.tiles" and "the chip has 100" in str(err.value) and "\n" not in str(err.value)


@settings(max_examples=15, deadline=None)
@given(t=st.integers(8, 512))
def test_bert_at_any_sequence_length_scales_as_the_operations_do(t):
    """Linear layers and layer norms grow as T, attention products and softmax as T^2 (sequence_length override)."""
    net = load_network(ROOT / "networks" / "bert_base_s128.yaml", sequence_length=t)
    by = {la.name: la for la in net.layers}
    assert net.sequence_length == t and net.params == PUBLISHED["bert_base_s128"]
    assert by["layer.0.q"].macs == t * 768 * 768 and by["layer.0.fc1"].macs == t * 768 * 3072
    assert by["layer.0.scores"].macs == by["layer.0.context"].macs == t * t * 768
    assert by["layer.0.softmax"].elements == 12 * t * t and by["layer.0.norm1"].elements == t * 768


def test_sequence_length_override_costs_more_at_longer_sequences(chips):
    short = estimate(load_network(ROOT / "networks" / "bert_base_s128.yaml", sequence_length=64), chips["dw_40nm"])
    long = estimate(load_network(ROOT / "networks" / "bert_base_s128.yaml", sequence_length=256), chips["dw_40nm"])
    assert long.totals("energy_j")["dynamic_matmul"] == pytest.approx(16 * short.totals("energy_j")["dynamic_matmul"])
    assert long.totals("energy_j")["total"] > 3 * short.totals("energy_j")["total"]
    from ppa.errors import PpaError

    with pytest.raises(PpaError, match="no sequence_length"):
        load_network(ROOT / "networks" / "resnet18.yaml", sequence_length=64)


def test_sweep_of_vector_unit_fields_matches_estimates(tmp_path, chips):
    """A grid over the vector unit (lanes numeric, dynamic_matmul a choice) gives each point's estimate."""
    from ppa.explore.sweep import evaluate_chunk, design_points, load_grid

    grid_path = tmp_path / "grid.yaml"
    grid_path.write_text("vector_unit.dynamic_matmul: [digital, array]\nvector_unit.lanes: [64, 256]\n")
    grid = load_grid(grid_path)
    net = _net("vit_tiny16")
    out = evaluate_chunk(net, grid, design_points(grid), "inference")
    assert len(out) == 4
    base = chips["dw_40nm"]
    for _, row in out.iterrows():
        chip = base.model_copy(update={"vector_unit": base.vector_unit.model_copy(update={
            "dynamic_matmul": row["vector_unit.dynamic_matmul"], "lanes": int(row["vector_unit.lanes"])})})
        est = estimate(net, chip)
        assert row["energy_j"] == pytest.approx(est.totals("energy_j")["total"], rel=1e-9)
        assert row["latency_s"] == pytest.approx(est.totals("latency_s")["total"], rel=1e-9)
        assert row["area_m2"] == pytest.approx(est.area_m2["total"], rel=1e-9)
