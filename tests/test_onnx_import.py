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
    assert list(by_name) == ["conv_a", "conv_b", "shortcut", "add", "gap", "fc"]
    assert (by_name["add"].kind, by_name["add"].in_size, by_name["add"].in_channels) == ("add", 4, 32)
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


def _asymmetric(b):
    return b.conv("x", "asym1", 4, 8, 3, pads=[0, 0, 1, 1])


def _strided_unevenly(b):
    return b.conv("x", "rect1", 4, 8, 3, strides=[1, 2])


def _transpose(b):
    flat = b.node("Flatten", ["x"], "flat")
    return b.node("MatMul", [flat, b.node("Transpose", [flat], "t")], "attn")


def _ceil_pool(b):
    return b.node("MaxPool", ["x"], "pool_ceil", kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)


@pytest.mark.parametrize("build, node, words", [
    (_asymmetric, "asym1", "asymmetric padding"),
    (_strided_unevenly, "rect1", "non-square stride"),
    (_transpose, "attn", "N x [heads x] T x d"),
    (_ceil_pool, "pool_ceil", "ceil_mode"),
])
def test_unsupported_models_raise_ppa_error_naming_the_node(tmp_path, build, node, words):
    b = Builder([4, 9, 9])
    path = b.save(tmp_path / "bad.onnx", build(b))
    with pytest.raises(PpaError) as info:
        load_network(path)
    assert f"node {node!r}" in str(info.value) and words in str(info.value)
    assert info.value.file == str(path)


def test_matmul_of_two_activations_is_a_dynamic_matmul(tmp_path):
    b = Builder([6])
    b.inits += [numpy_helper.from_array(np.array([a], np.int64), f"axis{a}") for a in (1, 2)]
    col, row = b.node("Unsqueeze", ["x", "axis2"], "col"), b.node("Unsqueeze", ["x", "axis1"], "row")
    h = b.node("MatMul", [col, row], "outer")      # N x 6 x 1 times N x 1 x 6: an outer product, no weights
    h = b.node("MatMul", [b.node("Flatten", [h], "flat", axis=1), b.weight("w", (36, 2))], "fc")
    net = read_onnx(b.save(tmp_path / "outer.onnx", h))
    outer = net.layers[0]
    assert (outer.kind, outer.tokens, outer.in_channels, outer.out_channels, outer.groups) == ("matmul", 6, 1, 6, 1)
    assert outer.macs == 36 and outer.weights == 0 and net.weights == 72


def test_grouped_and_dilated_convolutions(tmp_path):
    b = Builder([4, 9, 9])
    h = b.conv("x", "dw1", 4, 4, 3, group=4, pads=[1, 1, 1, 1])
    h = b.conv(h, "dil1", 4, 8, 3, dilations=[2, 2])
    net = read_onnx(b.save(tmp_path / "g.onnx", h))
    dw, dil = net.layers
    assert (dw.groups, dw.weights, dw.out_size) == (4, 9 * 4, 9)
    assert (dil.dilation, dil.out_size, dil.weights) == (2, 5, 9 * 4 * 8)      # 9 - 2*(3-1) = 5


def test_unknown_ops_are_listed_once_with_counts(tmp_path):
    b = Builder([4, 9, 9])
    h = b.node("Celu", [b.node("Celu", [b.conv("x", "c1", 4, 8, 3)], "u1")], "u2")
    path = b.save(tmp_path / "u.onnx", b.node("Softplus", [h], "u3"))
    with pytest.warns(UserWarning) as record:
        net = read_onnx(path)
    messages = [str(w.message) for w in record if "not modelled" in str(w.message)]
    assert len(messages) == 1 and "Celu x2" in messages[0] and "Softplus x1" in messages[0]
    assert [la.name for la in net.layers] == ["c1"]


def encoder_block(b: Builder, x, T, F, heads, ff, erf_gelu=True):
    """A BERT-style post-norm encoder block as torch.onnx.export writes it (MatMul + bias Add, heads by Reshape/Transpose)."""
    d = F // heads
    shape = b.weight("shape_heads", (4,))
    b.inits[-1] = numpy_helper.from_array(np.array([0, T, heads, d], np.int64), "shape_heads")
    flat = b.weight("shape_flat", (3,))
    b.inits[-1] = numpy_helper.from_array(np.array([0, T, F], np.int64), "shape_flat")

    def linear(h, name, fin, fout):
        return b.node("Add", [b.node("MatMul", [h, b.weight(name + ".w", (fin, fout))], name), b.weight(name + ".b", (fout,))], name + ".bias")

    def split(h, name, perm):
        return b.node("Transpose", [b.node("Reshape", [h, shape], name + ".r")], name + ".t", perm=perm)

    q = split(linear(x, "q", F, F), "qh", [0, 2, 1, 3])
    k = split(linear(x, "k", F, F), "kh", [0, 2, 3, 1])          # K^T per head: N x H x d x T
    v = split(linear(x, "v", F, F), "vh", [0, 2, 1, 3])
    scores = b.node("Div", [b.node("MatMul", [q, k], "scores"), b.weight("sqrt_d", ())], "scaled")
    probs = b.node("Softmax", [scores], "softmax", axis=-1)
    ctx = b.node("MatMul", [probs, v], "context")
    ctx = b.node("Reshape", [b.node("Transpose", [ctx], "ctx.t", perm=[0, 2, 1, 3]), flat], "ctx.r")
    h = b.node("Add", [linear(ctx, "proj", F, F), x], "add1")
    h = b.node("LayerNormalization", [h, b.weight("ln1.g", (F,)), b.weight("ln1.b", (F,))], "norm1", axis=-1)
    u = linear(h, "fc1", F, ff)
    if erf_gelu:    # x * 0.5 * (1 + erf(x / sqrt 2))
        e = b.node("Erf", [b.node("Div", [u, b.weight("sqrt2", ())], "gelu.div")], "gelu")
        g = b.node("Mul", [b.node("Mul", [u, b.node("Add", [e, b.weight("one", ())], "gelu.add")], "gelu.mul")
                           , b.weight("half", ())], "gelu.half")
    else:
        g = b.node("Gelu", [u], "gelu")
    h2 = b.node("Add", [linear(g, "fc2", ff, F), h], "add2")
    return b.node("LayerNormalization", [h2, b.weight("ln2.g", (F,)), b.weight("ln2.b", (F,))], "norm2", axis=-1)


ENCODER_YAML = """
name: block
sequence_length: 8
input: [16]
layers:
  - {name: q, type: fc, out_features: 16}
  - {name: k, type: fc, out_features: 16, input_from: input}
  - {name: v, type: fc, out_features: 16, input_from: input}
  - {name: scores, type: matmul, a: q, b: k, heads: 2, transpose_b: true}
  - {name: softmax, type: softmax}
  - {name: context, type: matmul, b: v, heads: 2}
  - {name: proj, type: fc, out_features: 16}
  - {name: add1, type: add, skip: input}
  - {name: norm1, type: layernorm}
  - {name: fc1, type: fc, out_features: 32}
  - {name: gelu, type: gelu}
  - {name: fc2, type: fc, out_features: 16}
  - {name: add2, type: add, skip: norm1}
  - {name: norm2, type: layernorm}
"""


def test_transformer_block_imports_as_its_yaml_twin(tmp_path):
    from dataclasses import replace

    b = Builder([8, 16])
    net = read_onnx(b.save(tmp_path / "block.onnx", encoder_block(b, "x", 8, 16, 2, 32)))
    (tmp_path / "block.yaml").write_text(ENCODER_YAML)
    yaml_net = load_network(tmp_path / "block.yaml")
    assert [replace(la, name="") for la in net.layers] == [replace(la, name="") for la in yaml_net.layers]
    assert [la.name for la in net.layers][3:6] == ["scores", "softmax", "context"]
    assert net.macs == yaml_net.macs and net.input_shape == (8, 16) == yaml_net.input_shape


def test_gelu_op_of_opset_20(tmp_path):
    b = Builder([8, 16])
    h = encoder_block(b, "x", 8, 16, 2, 32, erf_gelu=False)
    y = helper.make_tensor_value_info(h, TensorProto.FLOAT, None)
    graph = helper.make_graph(b.nodes, "g", [b.input], [y], b.inits)
    path = tmp_path / "gelu.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)]), str(path))
    kinds = [la.kind for la in read_onnx(path).layers]
    assert kinds.count("gelu") == 1 and kinds.count("layernorm") == 2 and kinds.count("matmul") == 2


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
