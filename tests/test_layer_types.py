"""New layer types: grouped/depthwise conv mapping, residual add, dynamic matmuls (digital vs arrays), vector unit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ppa.cost.estimate import estimate
from ppa.cost.mapping import OPS_PER_ELEMENT, Geometry, LayerShapes, count_actions
from ppa.errors import PpaError
from ppa.spec import load_chip
from ppa.spec.yamlio import read_yaml
from ppa.workload import network_from_document
from ppa.workload.network import Layer, Network

DW = load_chip("dw_40nm")
SRAM = load_chip("sram_40nm")


def _yaml(tmp_path, text, name="net.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return network_from_document(read_yaml(path))


def _counts(layer: Layer, chip=DW):
    net = Network("one", (layer,))
    return count_actions(LayerShapes.from_network(net), Geometry.from_chip(chip))


@settings(max_examples=60, deadline=None)
@given(d_per_group=st.integers(1, 64), n_per_group=st.integers(1, 64), groups=st.sampled_from([1, 2, 3, 8, 32]),
       kernel=st.sampled_from([1, 3, 5]), size=st.integers(5, 20), sram=st.booleans())
def test_grouped_conv_reads_at_least_its_weights_and_at_most_the_dense_layer(d_per_group, n_per_group, groups, kernel, size, sram):
    chip = SRAM if sram else DW
    # the layer's own padding convention (the shipped specs count NeuroSim's unpadded positions)
    chip = chip.model_copy(update={"dataflow": chip.dataflow.model_copy(update={"padding": "network"})})
    cpw = chip.device.weight_cells
    D, N = d_per_group * groups, n_per_group * groups
    layer = Layer("g", "conv", size, D, N, kernel, padding=(kernel - 1) // 2, groups=groups)
    grouped = _counts(layer, chip)
    dense = _counts(Layer("d", "conv", size, D, N, kernel, padding=(kernel - 1) // 2), chip)
    positions = size                      # 'same' padding, stride 1
    assert layer.positions == positions**2
    real_weights = kernel**2 * d_per_group * N
    # every real weight is read at every position; off-diagonal zeros may be read too, but never more than dense
    assert float(grouped.fwd_cell_reads[0]) >= positions**2 * real_weights * cpw * (1 - 1e-12)
    assert float(grouped.fwd_cell_reads[0]) <= float(dense.fwd_cell_reads[0]) * (1 + 1e-12)
    assert float(grouped.subarrays[0]) <= float(dense.subarrays[0])
    # the groups run in parallel: no more sequential steps than the dense layer; stored weights are the real ones
    assert float(grouped.fwd_steps[0]) == float(dense.fwd_steps[0])
    assert float(grouped.weights[0]) == pytest.approx(real_weights)
    assert float(grouped.wg_macs[0]) == pytest.approx(positions**2 * real_weights)


def test_depthwise_groups_share_a_subarray_on_its_diagonal():
    # 3x3 depthwise on 960 channels (MobileNetV2's widest): 9 rows and 1 DW column per group, so
    # floor(128 / 9) = 14 groups per 128 x 128 subarray and ceil(960 / 14) = 69 subarrays
    dwc = _counts(Layer("dw", "conv", 7, 960, 960, 3, groups=960))
    assert float(dwc.subarrays[0]) == 69
    # 32-bit SRAM: 32 columns a group, floor(127 / 32) = 3 groups a subarray
    assert float(_counts(Layer("dw", "conv", 7, 960, 960, 3, groups=960), SRAM).subarrays[0]) == 320


def test_groups_too_big_to_share_cost_exactly_g_separate_layers_in_parallel():
    one = _counts(Layer("one", "conv", 8, 128, 128, 3))           # 9 x 128 rows: no two groups fit one subarray
    four = _counts(Layer("four", "conv", 8, 512, 512, 3, groups=4))
    for f in ("fwd_cell_reads", "fwd_conversions", "fwd_row_drives", "subarrays", "weights"):
        assert float(getattr(four, f)[0]) == pytest.approx(4 * float(getattr(one, f)[0]))
    assert float(four.fwd_steps[0]) == float(one.fwd_steps[0])


ATTENTION = """
name: attention
sequence_length: 16
input: [32]
layers:
  - {name: q, type: fc, out_features: 32}
  - {name: k, type: fc, out_features: 32, input_from: input}
  - {name: v, type: fc, out_features: 32, input_from: input}
  - {name: scores, type: matmul, a: q, b: k, heads: 4, transpose_b: true}
  - {name: softmax, type: softmax}
  - {name: context, type: matmul, b: v, heads: 4}
  - {name: add, type: add, skip: input}
  - {name: norm, type: layernorm}
  - {name: ff, type: fc, out_features: 64}
  - {name: gelu, type: gelu}
"""


def _with(chip, **vector):
    return chip.model_copy(update={"vector_unit": chip.vector_unit.model_copy(update=vector)})


def test_attention_shapes_and_macs(tmp_path):
    net = _yaml(tmp_path, ATTENTION)
    by = {la.name: la for la in net.layers}
    assert (by["scores"].out_channels, by["context"].out_channels) == (4 * 16, 32)
    assert by["scores"].macs == by["context"].macs == 16 * 16 * 32      # T x T x d, either product
    assert by["softmax"].elements == 16 * 4 * 16 and by["q"].macs == 16 * 32 * 32
    assert net.weights == 3 * 32 * 32 + 32 * 64                          # dynamic operands are no weights


def test_digital_dynamic_matmul_costs_macs_and_vector_ops_cost_per_operation(tmp_path):
    net = _yaml(tmp_path, ATTENTION)
    est = estimate(net, DW)
    e = est.per_layer("energy_j")
    assert e.loc["scores", "dynamic_matmul"] == pytest.approx(16 * 16 * 32 * DW.technology.mac_energy)
    op = DW.vector_unit.op_energy
    for name, kind, elements in (("softmax", "softmax", 16 * 64), ("norm", "layernorm", 16 * 32), ("gelu", "gelu", 16 * 64),
                                 ("add", "add", 16 * 32)):
        assert e.loc[name, "vector"] == pytest.approx(OPS_PER_ELEMENT[kind] * elements * op)
    # twice the lanes: same energy, half the vector latency
    wide = estimate(net, _with(DW, lanes=2 * DW.vector_unit.lanes))
    assert wide.totals("energy_j")["vector"] == pytest.approx(est.totals("energy_j")["vector"])
    assert wide.totals("latency_s")["vector"] == pytest.approx(est.totals("latency_s")["vector"] / 2)


@pytest.mark.parametrize("chip", [DW, SRAM], ids=["dw", "sram"])
def test_dynamic_matmul_in_arrays_pays_device_writes(tmp_path, chip):
    net = _yaml(tmp_path, ATTENTION)
    digital, array = estimate(net, chip), estimate(net, _with(chip, dynamic_matmul="array"))
    cpw = chip.device.weight_cells
    cells = 2 * 16 * 32 * cpw                     # K^T (heads x d x T) and V (heads x T x d), every image
    assert array.resources["operand_cell_writes"] == cells
    from ppa.cost.estimate import Prices

    write = Prices.from_chip(chip).cell_write_energy
    e = array.per_layer("energy_j")
    assert e.loc["scores", "dynamic_matmul"] + e.loc["context", "dynamic_matmul"] == pytest.approx(cells * write)
    assert array.resources["subarrays"] > digital.resources["subarrays"]
    assert array.resources["weights"] == digital.resources["weights"] == net.weights
    # in arrays the products are read as MVMs (ADC conversions); digitally they are not
    assert e.loc["scores", "adc"] > 0 and digital.per_layer("energy_j").loc["scores", "adc"] == 0


def test_training_prices_backward_vector_ops_and_products(tmp_path):
    net = _yaml(tmp_path, ATTENTION)
    inf, tr = estimate(net, DW, "inference"), estimate(net, DW, "training")
    assert tr.totals("energy_j")["vector"] == pytest.approx(2 * inf.totals("energy_j")["vector"])
    assert tr.totals("energy_j")["dynamic_matmul"] == pytest.approx(3 * inf.totals("energy_j")["dynamic_matmul"])


def test_cnn_tables_keep_the_paper_categories_only():
    from ppa.workload import load_network

    est = estimate(load_network("networks/vgg8.yaml"), DW)
    assert "vector" not in est.categories and "vector" not in est.to_dict()["per_image"]["energy_j"]


@pytest.mark.parametrize("layers, field, words", [
    ("- {type: conv, out_channels: 6, groups: 4}", "layers.0.groups", "must divide"),
    ("- {type: add, skip: nothing}", "layers.0.skip", "no earlier layer"),
    ("- {name: a, type: conv, out_channels: 8}\n  - {type: add, skip: input}", "layers.1.skip", "cannot add"),
    ("- {type: matmul, b: input}", "layers.0", "two token sequences"),
    ("- {type: softmax}\n  - {type: tokens}\n  - {type: tokens}", "layers.2", "needs a feature map"),
    ("- {type: pool, global: true, kernel: 2}", "layers.0.global", "no kernel"),
])
def test_bad_new_layers_name_the_field(tmp_path, layers, field, words):
    with pytest.raises(PpaError) as err:
        _yaml(tmp_path, f"name: bad\ninput: [8, 8, 4]\nlayers:\n  {layers}\n")
    assert err.value.field == field and words in str(err.value) and err.value.line is not None


def test_matmul_operands_must_agree_per_head(tmp_path):
    text = ATTENTION.replace("{name: context, type: matmul, b: v, heads: 4}", "{name: context, type: matmul, b: q, heads: 4, transpose_b: true}")
    with pytest.raises(PpaError, match="per head, a has 16 features but b has 8"):
        _yaml(tmp_path, text)


def test_depthwise_network_maps_fewer_subarrays_than_its_dense_twin(tmp_path):
    base = "name: m\ninput: [8, 8, 256]\nlayers:\n  - {type: conv, out_channels: 256, kernel: 3%s}\n"
    dense = estimate(_yaml(tmp_path, base % "", "a.yaml"), DW)
    depthwise = estimate(_yaml(tmp_path, base % ", groups: 256", "b.yaml"), DW)
    assert depthwise.resources["subarrays"] < dense.resources["subarrays"]
    assert depthwise.totals("energy_j")["total"] < dense.totals("energy_j")["total"]
    assert np.isclose(depthwise.resources["weights"], 9 * 256)
