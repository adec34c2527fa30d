"""ONNX import: small models built in code with onnx.helper, checked for layer kinds, shapes and MAC counts."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper

from ppa.errors import PpaError
from ppa.workload import load_network
from ppa.workload.onnx import read_onnx

ROOT = Path(__file__).resolve().parent.parent


class Builder:
    """Collects nodes and zero-filled weight initializers, then writes a .onnx file (opset 17)."""

    def __init__(self, input_shape):
        self.nodes, self.inits = [], []
        self.input = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *input_shape])

    def weight(self, name, shape):
        self.inits.append(numpy_helper.from_array(np.zeros(shape, np.float32), name))
        return name

    def node(self, op, inputs, name, **attrs):
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def conv(self, x, name, cin, cout, k, **attrs):
        return self.node("Conv", [x, self.weight(name + ".w", (cout, cin // attrs.get("group", 1), k, k)),
                                  self.weight(name + ".b", (cout,))], name, kernel_shape=[k, k], **attrs)

    def gemm(self, x, name, fin, fout):
        return self.node("Gemm", [x, self.weight(name + ".w", (fout, fin)), self.weight(name + ".b", (fout,))],
                         name, transB=1)

    def save(self, path, out, nodes=None):
        y = helper.make_tensor_value_info(out, TensorProto.FLOAT, None)
        graph = helper.make_graph(nodes or self.nodes, "g", [self.input], [y], self.inits)
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
        return path


def lenet(b: Builder) -> str:
    """LeNet-5 as in networks/lenet5.yaml: conv 6@5x5 same, maxpool 2, conv 16@5x5, maxpool 2, fc 400-120-84-10."""
    h = b.node("Relu", [b.conv("x", "conv1", 1, 6, 5, pads=[2, 2, 2, 2])], "relu1")
    h = b.node("MaxPool", [h], "pool1", kernel_shape=[2, 2], strides=[2, 2])
    h = b.node("Relu", [b.conv(h, "conv2", 6, 16, 5)], "relu2")
    h = b.node("MaxPool", [h], "pool2", kernel_shape=[2, 2], strides=[2, 2])
    h = b.node("Flatten", [h], "flat", axis=1)
    h = b.node("Relu", [b.gemm(h, "fc1", 400, 120)], "relu3")
    h = b.node("Relu", [b.gemm(h, "fc2", 120, 84)], "relu4")
    return b.gemm(h, "fc3", 84, 10)


def test_lenet5_shapes_and_macs_match_hand_count_and_yaml(tmp_path):
    b = Builder([1, 28, 28])
    net = load_network(b.save(tmp_path / "lenet.onnx", lenet(b)))
    assert [(la.name, la.kind) for la in net.layers] == [
        ("conv1", "conv"), ("pool1", "pool"), ("conv2", "conv"), ("pool2", "pool"),
        ("fc1", "fc"), ("fc2", "fc"), ("fc3", "fc")]
    shapes = [(la.in_size, la.in_channels, la.out_size, la.out_channels) for la in net.layers]
    assert shapes == [(28, 1, 28, 6), (28, 6, 14, 6), (14, 6, 10, 16), (10, 16, 5, 16),
                      (1, 400, 1, 120), (1, 120, 1, 84), (1, 84, 1, 10)]
    assert net.input_shape == (28, 28, 1) and net.name == "lenet"
    hand = 28 * 28 * 5 * 5 * 1 * 6 + 10 * 10 * 5 * 5 * 6 * 16 + 400 * 120 + 120 * 84 + 84 * 10
    assert hand == 416_520
    assert net.macs == hand == load_network(ROOT / "networks" / "lenet5.yaml").macs
    assert net.layers == load_network(ROOT / "networks" / "lenet5.yaml").layers


def test_nodes_out_of_file_order_are_walked_topologically(tmp_path):
    b = Builder([1, 28, 28])
    out = lenet(b)
    net = read_onnx(b.save(tmp_path / "shuffled.onnx", out, nodes=b.nodes[::-1]))
    assert [la.name for la in net.layers] == ["conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "fc3"]


def test_batchnorm_after_conv_is_folded(tmp_path):
    b = Builder([3, 8, 8])
    h = b.conv("x", "conv1", 3, 8, 3, pads=[1, 1, 1, 1])
    h = b.node("BatchNormalization", [h] + [b.weight(f"bn.{p}", (8,)) for p in ("scale", "bias", "mean", "var")], "bn1")
    h = b.node("Relu", [h], "relu1")
    h = b.node("Flatten", [b.node("GlobalAveragePool", [h], "gap")], "flat")
    net = read_onnx(b.save(tmp_path / "bn.onnx", b.gemm(h, "fc", 8, 4)))
    assert [la.kind for la in net.layers] == ["conv", "pool", "fc"]
    gap = net.layers[1]
    assert (gap.in_size, gap.kernel, gap.out_size, gap.out_channels) == (8, 8, 1, 8)
    assert net.macs == 8 * 8 * 3 * 3 * 3 * 8 + 8 * 4


def test_residual_block_shortcut_reads_the_block_input(tmp_path):
    b = Builder([16, 8, 8])
    main = b.node("Relu", [b.conv("x", "conv_a", 16, 32, 3, strides=[2, 2], pads=[1, 1, 1, 1])], "relu_a")
    main = b.conv(main, "conv_b", 32, 32, 3, pads=[1, 1, 1, 1])
    short = b.conv("x", "shortcut", 16, 32, 1, strides=[2, 2])
    h = b.node("Relu", [b.node("Add", [main, short], "add")], "relu_out")
    h = b.node("Flatten", [b.node("GlobalAveragePool", [h], "gap")], "flat")
    net = read_onnx(b.save(tmp_path / "res.onnx", b.gemm(h, "fc", 32, 10)))
    by_name = {la.name: la for la in net.layers}
    assert list(by_name) == ["conv_a", "conv_b", "shortcut", "gap", "fc"]
    sc = by_name["shortcut"]
    assert (sc.in_size, sc.in_channels, sc.kernel, sc.stride, sc.padding, sc.out_size) == (8, 16, 1, 2, 0, 4)
    assert (by_name["conv_b"].in_size, by_name["conv_b"].in_channels) == (4, 32)
    assert (by_name["gap"].in_size, by_name["gap"].in_channels) == (4, 32)
    assert net.macs == 16 * 9 * 16 * 32 + 16 * 9 * 32 * 32 + 16 * 16 * 32 + 32 * 10


def test_matmul_with_weight_initializer_is_fc(tmp_path):
    b = Builder([20])
    h = b.node("MatMul", ["x", b.weight("w1", (20, 5))], "mm1")
    h = b.node("Relu", [b.node("Add", [h, b.weight("b1", (5,))], "bias1")], "relu1")
    net = read_onnx(b.save(tmp_path / "mlp.onnx", b.node("MatMul", [h, b.weight("w2", (5, 3))], "mm2")))
    assert [(la.kind, la.in_channels, la.out_channels) for la in net.layers] == [("fc", 20, 5), ("fc", 5, 3)]
    assert net.input_shape == (1, 1, 20) and net.macs == 20 * 5 + 5 * 3


def _grouped(b):
    return b.conv("x", "dw1", 4, 4, 3, group=4, pads=[1, 1, 1, 1])


def _dilated(b):
    return b.conv("x", "dil1", 4, 8, 3, dilations=[2, 2])


def _asymmetric(b):
    return b.conv("x", "asym1", 4, 8, 3, pads=[0, 0, 1, 1])


def _strided_unevenly(b):
    return b.conv("x", "rect1", 4, 8, 3, strides=[1, 2])


def _lstm(b):
    seq = b.node("Reshape", ["x", b.weight("shape", (3,))], "seq")
    return b.node("LSTM", [seq, b.weight("W", (1, 32, 4)), b.weight("R", (1, 32, 8))], "lstm1", hidden_size=8)


def _transpose(b):
    flat = b.node("Flatten", ["x"], "flat")
    return b.node("MatMul", [flat, b.node("Transpose", [flat], "t")], "attn")


def _ceil_pool(b):
    return b.node("MaxPool", ["x"], "pool_ceil", kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)


@pytest.mark.parametrize("build, node, words", [
    (_grouped, "dw1", "group=4"),
    (_dilated, "dil1", "dilated"),
    (_asymmetric, "asym1", "asymmetric padding"),
    (_strided_unevenly, "rect1", "non-square stride"),
    (_lstm, "lstm1", "LSTM"),
    (_transpose, "t", "Transpose"),
    (_ceil_pool, "pool_ceil", "ceil_mode"),
])
def test_unsupported_models_raise_ppa_error_naming_the_node(tmp_path, build, node, words):
    b = Builder([4, 9, 9])
    path = b.save(tmp_path / "bad.onnx", build(b))
    with pytest.raises(PpaError) as info:
        load_network(path)
    assert f"node {node!r}" in str(info.value) and words in str(info.value)
    assert info.value.file == str(path)


def test_matmul_of_two_activations_is_refused(tmp_path):
    b = Builder([6])
    b.inits += [numpy_helper.from_array(np.array([a], np.int64), f"axis{a}") for a in (1, 2)]
    col, row = b.node("Unsqueeze", ["x", "axis2"], "col"), b.node("Unsqueeze", ["x", "axis1"], "row")
    h = b.node("MatMul", [col, row], "outer")      # N x 6 x 1 times N x 1 x 6: an outer product, no weights
    with pytest.raises(PpaError, match="node 'outer'.*not a constant weight"):
        read_onnx(b.save(tmp_path / "outer.onnx", h))


def test_missing_onnx_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)      # import onnx now raises ImportError
    with pytest.raises(PpaError, match=r'pip install "ppa\[onnx\]"'):
        read_onnx(tmp_path / "any.onnx")


def test_not_an_onnx_file(tmp_path):
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"\xff\x00 definitely not protobuf")
    with pytest.raises(PpaError, match="not a readable ONNX model") as info:
        load_network(path)
    assert info.value.file == str(path)
