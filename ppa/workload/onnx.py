"""Import a network from an ONNX model (what torch.onnx.export writes): Conv, Gemm/MatMul, pooling, and the
transformer and residual ops, one ppa layer each; shape bookkeeping is free.

The graph is walked in topological order and every layer takes its shapes from ONNX shape inference on its
actual input tensors, so branches (a ResNet 1x1 shortcut read from the block input) come out right without
`input_from`. Conv (groups, strides, pads, dilations) -> conv; Gemm, or MatMul with an initializer weight ->
fc (per token on an N x T x F input); MatMul of two activations (N x H x T x d by N x H x d x T') -> matmul with
H heads; Add of two activations -> add (an Add with a constant is a bias, folded); BatchNormalization folds
into the layer before it; Softmax, LayerNormalization and Gelu -> their vector-unit layers, and Erf (the
x/2 (1 + erf(x/sqrt 2)) pattern torch writes for GELU) -> gelu; pooling -> pool; Reshape, Flatten,
Transpose, activations and the like add nothing. Ops outside these lists are listed once, with their counts,
in a warning, and add nothing. Layouts are ONNX's NCHW; feature maps and kernels must be square.
"""

from __future__ import annotations

import heapq
import math
import warnings
from collections import Counter
from pathlib import Path

from ppa.errors import PpaError
from ppa.spec.files import require_file
from ppa.workload.network import Layer, Network, shape_problem

# ops that add no layer: element-wise with a constant, shape bookkeeping, or folded (BatchNormalization)
_FREE_OPS = frozenset({
    "Relu", "Sigmoid", "Tanh", "Clip", "LeakyRelu", "HardSigmoid", "HardSwish", "LogSoftmax",
    "Sub", "Mul", "Div", "Pow", "Sqrt", "Neg", "Where", "Equal", "BatchNormalization", "Dropout", "Identity",
    "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Concat", "Shape", "Gather", "Constant", "ConstantOfShape",
    "Cast", "Transpose", "Slice", "Split", "Expand", "Range", "ReduceMean",
})
_CONV_OPS = frozenset({"Conv"})
_FC_OPS = frozenset({"Gemm", "MatMul"})
_POOL_OPS = frozenset({"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"})
_VECTOR_OPS = {"Add": "add", "Softmax": "softmax", "LayerNormalization": "layernorm", "Gelu": "gelu", "Erf": "gelu"}
SUPPORTED_OPS = _FREE_OPS | _CONV_OPS | _FC_OPS | _POOL_OPS | frozenset(_VECTOR_OPS)


def _onnx():
    """Import the optional `onnx` package, or say how to install it."""
    try:
        import onnx
        import onnx.checker
        import onnx.shape_inference
    except ImportError:
        raise PpaError('reading .onnx files needs the onnx package: pip install "ppa[onnx]"') from None
    return onnx


def _node_label(node) -> str:
    """How a node is named in errors: its name (or first output) and op type."""
    return f"node {node.name or node.output[0]!r} ({node.op_type})"


def _topological(nodes) -> list:
    """Kahn's algorithm over tensor edges, taking the earliest ready node in file order (a sorted file comes back unchanged)."""
    produced = {out: i for i, node in enumerate(nodes) for out in node.output if out}
    waiting = [0] * len(nodes)
    users: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    for i, node in enumerate(nodes):
        for name in {n for n in node.input if n in produced}:
            waiting[i] += 1
            users[produced[name]].append(i)
    ready = [i for i in range(len(nodes)) if waiting[i] == 0]
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(nodes[i])
        for j in users[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, j)
    if len(order) != len(nodes):
        raise PpaError("the graph has a cycle")
    return order


def _shapes(graph) -> dict[str, tuple]:
    """Tensor name -> dims (int, or None where symbolic) from inferred value_info, graph inputs/outputs and initializers."""
    shapes: dict[str, tuple] = {}
    for info in list(graph.input) + list(graph.value_info) + list(graph.output):
        t = info.type.tensor_type
        if t.HasField("shape"):
            shapes[info.name] = tuple(d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim)
    for init in graph.initializer:
        shapes[init.name] = tuple(init.dims)
    return shapes


def _attrs(onnx, node) -> dict:
    """A node's attributes as plain Python values (bytes decoded)."""
    out = {}
    for a in node.attribute:
        v = onnx.helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else v
    return out


def _square(values, what: str, where: str) -> int:
    """The one value of a per-axis list (kernel, stride, size) that must be equal on both spatial axes."""
    values = list(values)
    if len(values) != 2:
        raise PpaError(f"{what} has {len(values)} spatial axes; only 2-D (NCHW) is supported", field=where)
    if values[0] != values[1]:
        raise PpaError(f"non-square {what} {values[0]} x {values[1]} is not supported", field=where)
    return int(values[0])


def _padding(attrs: dict, size: int, kernel: int, stride: int, where: str) -> int:
    """Symmetric padding from ONNX pads [top, left, bottom, right] or auto_pad (ONNX Conv/Pool: SAME pads to ceil(in/stride))."""
    auto = attrs.get("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
        if total % 2:
            raise PpaError(f"auto_pad {auto} pads {total // 2} and {total - total // 2} on the two sides; "
                           "only symmetric padding is supported", field=where)
        return total // 2
    if auto == "VALID":
        return 0
    pads = list(attrs.get("pads", [0, 0, 0, 0]))
    if len(set(pads)) > 1:
        raise PpaError(f"asymmetric padding {pads} (top, left, bottom, right) is not supported", field=where)
    return int(pads[0]) if pads else 0


def _feature_map(shapes: dict, name: str, where: str) -> tuple[int, int]:
    """(side, channels) of an NCHW tensor with a known square spatial shape."""
    shape = shapes.get(name)
    if shape is None or len(shape) != 4 or any(d is None for d in shape[1:]):
        raise PpaError(f"input {name!r} has shape {_show(shape)}; expected N x C x H x W with known C, H, W "
                       "(export with a fixed input size)", field=where)
    _, c, h, w = shape
    if h != w:
        raise PpaError(f"non-square input {h} x {w} is not supported", field=where)
    return h, c


def _show(shape) -> str:
    return "unknown" if shape is None else "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _checked(layer: Layer, where: str) -> Layer:
    """The layer, if its sizes are possible (`network.shape_problem`); else a PpaError naming the node."""
    problem = shape_problem(layer)
    if problem is not None:
        raise PpaError(f"{problem[0]}: {problem[1]}", field=where)
    return layer


def _check_out(layer: Layer, shapes: dict, name: str, where: str) -> None:
    """The layer's sizes must be possible (`shape_problem`), and its own output side and channels must match ONNX's
    inferred output (catches ceil_mode and the like)."""
    problem = shape_problem(layer)
    if problem is not None:
        raise PpaError(f"{problem[0]}: {problem[1]}", field=where)
    shape = shapes.get(name)
    if shape is None or len(shape) != 4:
        return
    if (shape[2], shape[1]) != (layer.out_size, layer.out_channels):
        raise PpaError(f"ONNX gives a {shape[2]} x {shape[3]} x {shape[1]} output but a {layer.kind} layer gives "
                       f"{layer.out_size} x {layer.out_size} x {layer.out_channels} (ceil_mode or similar is not supported)",
                       field=where)


def _conv(onnx, node, shapes: dict, consts: dict, name: str) -> Layer:
    """ONNX Conv -> a conv layer (square kernel, equal strides and dilations, symmetric pads; any group count)."""
    where = _node_label(node)
    attrs = _attrs(onnx, node)
    groups = int(attrs.get("group", 1))
    dilation = _square(attrs.get("dilations", [1, 1]), "dilation", where)
    size, channels = _feature_map(shapes, node.input[0], where)
    w = consts.get(node.input[1]) or shapes.get(node.input[1])
    if w is not None and len(w) == 4 and all(d is not None for d in w):
        out_channels, kernel = int(w[0]), _square(w[2:], "kernel", where)
    else:
        out = shapes.get(node.output[0])
        if "kernel_shape" not in attrs or out is None or len(out) != 4 or out[1] is None:
            raise PpaError(f"weight {node.input[1]!r} has no known shape and kernel_shape is missing", field=where)
        out_channels, kernel = int(out[1]), _square(attrs["kernel_shape"], "kernel", where)
    if "kernel_shape" in attrs and _square(attrs["kernel_shape"], "kernel", where) != kernel:
        raise PpaError(f"kernel_shape {list(attrs['kernel_shape'])} disagrees with the weight's {kernel} x {kernel}", field=where)
    stride = _square(attrs.get("strides", [1, 1]), "stride", where)
    reach = dilation * (kernel - 1) + 1
    layer = Layer(name, "conv", size, channels, out_channels, kernel, stride, _padding(attrs, size, reach, stride, where),
                  groups=groups, dilation=dilation, bias=len(node.input) > 2 and bool(node.input[2]))
    _check_out(layer, shapes, node.output[0], where)
    return layer


def _pool(onnx, node, shapes: dict, name: str) -> Layer:
    """MaxPool/AveragePool -> a pool layer; GlobalAveragePool/GlobalMaxPool -> a pool whose window is the whole map."""
    where = _node_label(node)
    size, channels = _feature_map(shapes, node.input[0], where)
    op = "avg" if "Average" in node.op_type else "max"
    if node.op_type.startswith("Global"):
        layer = Layer(name, "pool", size, channels, channels, size, size, 0, op=op)
    else:
        attrs = _attrs(onnx, node)
        if any(d != 1 for d in attrs.get("dilations", [])):
            raise PpaError(f"dilated pooling (dilations={list(attrs['dilations'])}) is not supported", field=where)
        kernel = _square(attrs.get("kernel_shape", []), "kernel", where)
        stride = _square(attrs.get("strides", [1, 1]), "stride", where)
        layer = Layer(name, "pool", size, channels, channels, kernel, stride, _padding(attrs, size, kernel, stride, where), op=op)
    _check_out(layer, shapes, node.output[0], where)
    return layer


def _fc(onnx, node, shapes: dict, consts: dict, name: str) -> Layer:
    """Gemm (A x B, transB allowed) or MatMul with a constant 2-D weight B -> an fc layer (in_features -> out_features)."""
    where = _node_label(node)
    attrs = _attrs(onnx, node) if node.op_type == "Gemm" else {}
    a, b = node.input[0], node.input[1]
    if a in consts and b not in consts:
        raise PpaError("the weight is the left operand (W x X); only X x W with a constant W is supported", field=where)
    w = consts[b]
    if len(w) != 2:
        raise PpaError(f"weight {b!r} has shape {_show(w)}; expected a 2-D matrix", field=where)
    if attrs.get("transA", 0):
        raise PpaError("transA=1 is not supported", field=where)
    in_features, out_features = (w[1], w[0]) if attrs.get("transB", 0) else (w[0], w[1])
    x = shapes.get(a)
    if x is None or len(x) < 1 or x[-1] is None:
        raise PpaError(f"input {a!r} has shape {_show(x)}; its feature count is unknown", field=where)
    if x[-1] != in_features:
        raise PpaError(f"input has {x[-1]} features but the weight expects {in_features}", field=where)
    tokens = 0
    if len(x) > 2:                                   # N x T x F: the same fc on every token
        if any(d is None for d in x[1:-1]):
            raise PpaError(f"input {a!r} has shape {_show(x)}; export with a fixed sequence length", field=where)
        tokens = math.prod(int(d) for d in x[1:-1])
        tokens = 0 if tokens == 1 else tokens
    has_bias = node.op_type == "Gemm" and len(node.input) > 2 and bool(node.input[2])
    return _checked(Layer(name, "fc", 1, int(in_features), int(out_features), tokens=tokens, bias=has_bias), where)


def _matmul(node, shapes: dict, name: str) -> Layer:
    """MatMul of two activations, N x [H x] T x d by N x [H x] d x T' -> a matmul layer with H heads (Q.K^T, A.V)."""
    where = _node_label(node)
    a, b = shapes.get(node.input[0]), shapes.get(node.input[1])
    if a is None or b is None or len(a) != len(b) or len(a) not in (3, 4) or any(d is None for d in a[1:] + b[1:]):
        raise PpaError(f"a product of two activations needs N x [heads x] T x d operands of known sizes, got "
                       f"{_show(a)} and {_show(b)}", field=where)
    heads = int(a[1]) if len(a) == 4 else 1
    if len(a) == 4 and b[1] != heads:
        raise PpaError(f"operands have {a[1]} and {b[1]} heads", field=where)
    tokens, inner, inner_b, out = int(a[-2]), int(a[-1]), int(b[-2]), int(b[-1])
    if inner != inner_b:
        raise PpaError(f"inner sizes differ: {inner} and {inner_b}", field=where)
    return _checked(Layer(name, "matmul", 1, heads * inner, heads * out, groups=heads, tokens=tokens), where)


def _vector(node, shapes: dict, consts: dict, name: str) -> Layer | None:
    """Add of two activations, Softmax, LayerNormalization, Gelu/Erf -> a vector-unit layer (None: an Add with a constant)."""
    where = _node_label(node)
    kind = _VECTOR_OPS[node.op_type]
    if kind == "add" and any(i in consts for i in node.input):
        return None                                   # a bias or a position embedding joins an earlier layer
    shape = shapes.get(node.input[0])
    if shape is None or any(d is None for d in shape[1:]) or len(shape) < 2:
        raise PpaError(f"input {node.input[0]!r} has shape {_show(shape)}; its size is unknown", field=where)
    return _checked(vector_layer(name, kind, tuple(int(d) for d in shape[1:])), where)


def vector_layer(name: str, kind: str, shape: tuple[int, ...]) -> Layer:
    """A vector-unit layer on a tensor of per-image `shape`: C x H x W (H = W) is a map for add and gelu,
    F a flat vector, and [heads x] T x F a sequence of T tokens of (heads * F) values."""
    if len(shape) == 3 and shape[1] == shape[2] and kind in ("add", "gelu"):     # C x H x W map
        return Layer(name, kind, shape[1], shape[0], shape[0])
    if len(shape) <= 1:
        features = shape[0] if shape else 1
        return Layer(name, kind, 1, features, features, extra_params=2 * features if kind == "layernorm" else 0)
    tokens = shape[-2]
    channels = math.prod(shape) // tokens
    return Layer(name, kind, 1, channels, channels, tokens=tokens,
                 extra_params=2 * shape[-1] if kind == "layernorm" else 0)


def read_onnx(path: str | Path, name: str | None = None) -> Network:
    """Read an ONNX model into a Network: onnx.load, onnx.shape_inference.infer_shapes, then one layer per Conv/Gemm/MatMul/pool node."""
    onnx = _onnx()
    path = Path(path)
    require_file(path)   # missing, a folder, a device: the same message as the other loaders
    try:
        from google.protobuf.message import DecodeError

        model = onnx.load(str(path))
    except (DecodeError, ValueError, OSError) as exc:  # not an ONNX protobuf
        raise PpaError(f"not a readable ONNX model ({type(exc).__name__}: {exc})", file=str(path)) from None
    try:
        return _network(onnx, model, path, name)
    except PpaError as exc:
        raise PpaError(exc.message, file=str(path), field=exc.field) from None
    except (IndexError, KeyError, ValueError, TypeError, AttributeError, OverflowError) as exc:
        # a protobuf that parses need not be a model (a node without outputs, an attribute of the wrong type):
        # the walk reads the file's structure, so its failures are the file's
        first = (str(exc).strip().splitlines() or [""])[0]
        raise PpaError(f"not a valid ONNX model ({type(exc).__name__}: {first})", file=str(path)) from None


def _network(onnx, model, path: Path, name: str | None) -> Network:
    """Walk a loaded ModelProto; errors raised here are re-labelled with the file by `read_onnx`."""
    graph = model.graph
    unknown = Counter((n.domain + "." if n.domain not in ("", "ai.onnx") else "") + n.op_type for n in graph.node
                      if n.op_type not in SUPPORTED_OPS or n.domain not in ("", "ai.onnx"))
    if unknown:
        listed = ", ".join(f"{op} x{count}" for op, count in sorted(unknown.items()))
        warnings.warn(f"{path}: ops not modelled, left out of the estimate: {listed}", stacklevel=3)
    order = _topological(list(graph.node))   # shape inference reads nodes in file order
    del graph.node[:]
    graph.node.extend(order)
    try:
        model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError) as exc:
        raise PpaError(f"ONNX shape inference failed: {str(exc).strip().splitlines()[0]}") from None
    graph = model.graph
    shapes = _shapes(graph)
    consts: dict[str, tuple] = {init.name: tuple(init.dims) for init in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].name == "value":
            consts[node.output[0]] = tuple(node.attribute[0].t.dims)

    inputs = [i for i in graph.input if i.name not in consts]
    if not inputs:
        raise PpaError("the graph has no (non-constant) input")
    first = shapes.get(inputs[0].name)
    if first is not None and len(first) == 4 and all(d is not None for d in first[1:]):
        input_shape = (first[2], first[3], first[1])
    elif first is not None and len(first) == 3 and all(d is not None for d in first[1:]):
        input_shape = (first[1], first[2])                     # N x T x F: a sequence of T tokens
    elif first is not None and len(first) == 2 and first[1] is not None:
        input_shape = (1, 1, first[1])
    else:
        raise PpaError(f"input {inputs[0].name!r} has shape {_show(first)}; expected N x C x H x W, N x T x F or N x features "
                       "with known sizes (export with a fixed input size)")

    layers: list[Layer] = []
    used: set[str] = set()
    for node in graph.node:
        if node.op_type in _FREE_OPS or node.op_type not in SUPPORTED_OPS or node.domain not in ("", "ai.onnx"):
            continue
        dynamic = node.op_type == "MatMul" and node.input[0] not in consts and node.input[1] not in consts
        kind = ("conv" if node.op_type in _CONV_OPS else "matmul" if dynamic else "fc" if node.op_type in _FC_OPS
                else "pool" if node.op_type in _POOL_OPS else _VECTOR_OPS[node.op_type])
        label = node.name or f"{kind}{sum(layer.kind == kind for layer in layers) + 1}"
        unique, k = label, 2
        while unique in used:
            unique, k = f"{label}_{k}", k + 1
        if kind == "conv":
            layer = _conv(onnx, node, shapes, consts, unique)
        elif kind == "matmul":
            layer = _matmul(node, shapes, unique)
        elif kind == "fc":
            layer = _fc(onnx, node, shapes, consts, unique)
        elif kind == "pool":
            layer = _pool(onnx, node, shapes, unique)
        else:
            layer = _vector(node, shapes, consts, unique)
        if layer is not None:
            used.add(unique)
            layers.append(layer)
    if not any(layer.kind in ("conv", "fc") for layer in layers):
        raise PpaError("no Conv, Gemm or MatMul node found: nothing runs on synaptic arrays")
    producer = f"{model.producer_name} {model.producer_version}".strip()
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    notes = f"imported from ONNX (opset {opset}{', ' + producer if producer else ''})"
    return Network(name or path.stem, tuple(layers), "", tuple(int(d) for d in input_shape), notes, str(path))
