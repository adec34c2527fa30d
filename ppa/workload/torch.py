"""Import a PyTorch module as a ppa Network through torch.export (the optional `torch` extra).

`from_torch(module, example_input)` exports the module with `torch.export.export` (ATen-level graph with every
tensor's shape) and maps it as the ONNX reader does: conv2d/convolution -> conv (groups, stride, padding,
dilation), linear (or a matmul with a parameter) -> fc (per token when the input has a sequence axis),
matmul/bmm of two activations and scaled_dot_product_attention -> matmul layers per head (with its softmax),
add of two tensors -> add, batch norm folded, pooling (max, average, adaptive to 1 x 1, mean over H and W),
softmax, layer_norm, gelu -> vector-unit layers; views, permutes, activations and dropout add nothing. Ops
outside these lists are listed once, with their counts, in a warning. Sizes are per image: the example
input's first axis is the batch.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from pathlib import Path

from ppa.errors import PpaError
from ppa.workload.network import Layer, Network, shape_problem
from ppa.workload.onnx import vector_layer

_FREE = frozenset({
    "relu", "relu_", "hardtanh", "hardtanh_", "relu6", "sigmoid", "tanh", "silu", "hardswish", "leaky_relu",
    "flatten", "view", "reshape", "_unsafe_view", "permute", "transpose", "t", "contiguous", "clone", "expand",
    "dropout", "alias", "detach", "unsqueeze", "squeeze", "select", "slice", "cat", "split", "chunk", "getitem",
    "batch_norm", "_native_batch_norm_legit_no_training", "_native_batch_norm_legit_functional",
    "mul", "div", "sub", "rsub", "neg", "to", "_to_copy", "type_as", "embedding", "arange", "zeros", "ones",
    "full", "scalar_tensor", "masked_fill", "where", "eq", "ne", "lt", "gt", "unbind", "_assert_tensor_metadata",
    "lift_fresh_copy", "copy_", "sym_size", "tensor", "unflatten",
})


def _torch():
    """Import the optional torch package, or say how to install it."""
    try:
        import torch
    except ImportError:
        raise PpaError('importing PyTorch models needs torch: pip install "ppa[torch]"') from None
    return torch


def _op(node) -> str:
    """The ATen op name of a call_function node: 'aten.conv2d.default' -> 'conv2d'; operator.getitem -> 'getitem'."""
    target = node.target
    name = getattr(target, "__name__", str(target))
    packet = getattr(target, "_overloadpacket", None)
    if packet is not None:
        name = getattr(packet, "__name__", name)
    return name.split(".")[-1]


def _shape(node) -> tuple[int, ...] | None:
    val = node.meta.get("val") if hasattr(node, "meta") else None
    shape = getattr(val, "shape", None)
    return None if shape is None else tuple(int(d) for d in shape)


def _pair(value, what: str, where: str) -> int:
    values = list(value) if isinstance(value, (list, tuple)) else [value, value]
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or values[0] != values[1]:
        raise PpaError(f"non-square {what} {values} is not supported", field=where)
    return int(values[0])


def _module_name(node, suffix: str = "") -> str:
    """The dotted path of the module that made the node (e.g. layer1.0.conv1, plus `.suffix` for a functional op
    inside it), or the node's own name at the top level."""
    stack = node.meta.get("nn_module_stack") or {}
    paths = [path for path, _ in stack.values() if path]
    if not paths:
        return node.name
    return f"{paths[-1]}.{suffix}" if suffix else paths[-1]


def from_torch(module, example_input, name: str | None = None) -> Network:
    """A ppa Network from a torch.nn.Module and an example input (a tensor or a tuple of them), via torch.export."""
    torch = _torch()
    args = example_input if isinstance(example_input, tuple) else (example_input,)
    if hasattr(module, "eval"):
        module = module.eval()
    try:
        program = torch.export.export(module, args)
    except Exception as exc:   # torch raises many types; say what failed in one line
        raise PpaError(f"torch.export could not trace the module ({type(exc).__name__}: {str(exc).strip().splitlines()[0]})") from None
    return from_exported(program, name or type(module).__name__)


def from_exported(program, name: str, source: str = "") -> Network:
    """A ppa Network from a torch.export ExportedProgram (torch.export.save writes them as .pt2)."""
    sig = program.graph_signature
    params = set(getattr(sig, "inputs_to_parameters", {})) | set(getattr(sig, "inputs_to_buffers", {})) \
        | set(getattr(sig, "inputs_to_lifted_tensor_constants", {}))
    nodes = list(program.graph.nodes)
    inputs = [n for n in nodes if n.op == "placeholder" and n.name not in params and _shape(n) is not None]
    if not inputs:
        raise PpaError("the exported program has no tensor input", file=source or None)
    first = _shape(inputs[0])
    batch = first[0] if first else 1
    if len(first) == 4:
        input_shape = (first[2], first[3], first[1])
    elif len(first) == 3:
        input_shape = (first[1], first[2])
    else:
        input_shape = (1, 1, math.prod(first[1:]))

    layers: list[Layer] = []
    used: set[str] = set()
    unknown: Counter = Counter()

    def add(layer_name: str, make):
        unique, k = layer_name, 2
        while unique in used:
            unique, k = f"{layer_name}_{k}", k + 1
        layer = make(unique)
        problem = shape_problem(layer) if layer is not None else None
        if problem is not None:
            raise PpaError(f"{problem[0]}: {problem[1]}", field=unique)
        if layer is not None:
            used.add(unique)
            layers.append(layer)

    def is_param(arg) -> bool:
        return getattr(arg, "op", None) == "get_attr" or (getattr(arg, "op", None) == "placeholder" and arg.name in params)

    def per_image(shape) -> tuple[int, ...]:
        """Drop the batch: (N, ...) -> (...); a batch folded into the first axis (N*T, F) -> (T, F)."""
        if shape and shape[0] == batch:
            return shape[1:]
        if shape and batch > 1 and shape[0] % batch == 0:
            return (shape[0] // batch,) + shape[1:]
        return shape

    try:
        for node in nodes:
            if node.op != "call_function":
                continue
            op, where = _op(node), f"node {node.name!r} ({_op(node)})"
            a = node.args
            if op in ("conv2d", "convolution"):
                x, w = _shape(a[0]), _shape(a[1])
                if len(x) != 4 or x[2] != x[3]:
                    raise PpaError(f"input shape {list(x)} is not N x C x H x W with H = W", field=where)
                if op == "convolution":
                    stride, padding, dilation, transposed, groups = a[3], a[4], a[5], a[6], a[8]
                    if transposed:
                        raise PpaError("transposed convolution is not supported", field=where)
                else:
                    stride, padding, dilation, groups = (list(a) + [None] * 7)[3:7]
                    stride, padding, dilation, groups = stride or 1, padding or 0, dilation or 1, groups or 1
                if isinstance(padding, str):
                    raise PpaError(f"padding={padding!r}: export with numeric padding", field=where)
                out = _shape(node)
                layer_args = dict(kernel=_pair(w[2:], "kernel", where), stride=_pair(stride, "stride", where),
                                  padding=_pair(padding, "padding", where), groups=int(groups),
                                  dilation=_pair(dilation, "dilation", where), bias=len(a) > 2 and a[2] is not None)
                add(_module_name(node), lambda n: Layer(n, "conv", x[2], x[1], w[0], **layer_args))
                if layers and out is not None and (layers[-1].out_size, layers[-1].out_channels) != (out[2], out[1]):
                    raise PpaError(f"torch gives a {out[2]} x {out[3]} x {out[1]} output, the conv layer "
                                   f"{layers[-1].out_size} x {layers[-1].out_size} x {layers[-1].out_channels}", field=where)
            elif op == "linear" or (op in ("matmul", "mm") and is_param(a[1])):
                x, w = per_image(_shape(a[0])), _shape(a[1])
                fin, fout = (w[1], w[0]) if op == "linear" else (w[0], w[1])
                tokens = math.prod(x[:-1]) if len(x) > 1 else 0
                has_bias = op == "linear" and len(a) > 2 and a[2] is not None
                add(_module_name(node), lambda n: Layer(n, "fc", 1, fin, fout, tokens=0 if tokens == 1 else tokens,
                                                        bias=has_bias))
            elif op in ("matmul", "bmm"):
                x, y = per_image(_shape(a[0])), per_image(_shape(a[1]))
                if len(x) < 2 or len(y) != len(x):
                    raise PpaError(f"a product of two activations needs [heads x] T x d operands, got {list(x)} and {list(y)}",
                                   field=where)
                heads = math.prod(x[:-2]) if len(x) > 2 else 1
                add(_module_name(node, "matmul"), lambda n: Layer(n, "matmul", 1, heads * x[-1], heads * y[-1],
                                                                    groups=heads, tokens=x[-2]))
            elif op == "scaled_dot_product_attention":
                q, k, v = (per_image(_shape(t)) for t in a[:3])
                heads = math.prod(q[:-2]) if len(q) > 2 else 1
                base = _module_name(node, "attention")
                add(base + ".scores", lambda n: Layer(n, "matmul", 1, heads * q[-1], heads * k[-2], groups=heads, tokens=q[-2]))
                add(base + ".softmax", lambda n: Layer(n, "softmax", 1, heads * k[-2], heads * k[-2], tokens=q[-2]))
                add(base + ".context", lambda n: Layer(n, "matmul", 1, heads * k[-2], heads * v[-1], groups=heads, tokens=q[-2]))
            elif op in ("add", "add_"):
                if len(a) > 1 and all(hasattr(t, "op") for t in a[:2]) and not any(is_param(t) for t in a[:2]):
                    shape = per_image(_shape(node))
                    add(_module_name(node, "add"), lambda n: vector_layer(n, "add", shape))
            elif op in ("softmax", "_softmax", "layer_norm", "gelu"):
                kind = {"softmax": "softmax", "_softmax": "softmax", "layer_norm": "layernorm", "gelu": "gelu"}[op]
                shape = per_image(_shape(a[0]))
                add(_module_name(node), lambda n: vector_layer(n, kind, shape))
            elif op in ("max_pool2d", "max_pool2d_with_indices", "avg_pool2d"):
                x = _shape(a[0])
                kernel = _pair(a[1], "kernel", where)
                stride = _pair(a[2], "stride", where) if len(a) > 2 and a[2] else kernel
                padding = _pair(a[3], "padding", where) if len(a) > 3 else 0
                if len(a) > 5 and op != "avg_pool2d" and a[5]:
                    raise PpaError("ceil_mode is not supported", field=where)
                pool_op = "avg" if op == "avg_pool2d" else "max"
                add(_module_name(node), lambda n: Layer(n, "pool", x[2], x[1], x[1], kernel, stride, padding, op=pool_op))
            elif op in ("adaptive_avg_pool2d", "mean"):
                x, out = _shape(a[0]), _shape(node)
                if len(x) != 4 or math.prod(out[2:] if len(out) == 4 else out[1:]) != 1 and op == "mean":
                    unknown[op] += 1
                    continue
                if op == "adaptive_avg_pool2d" and tuple(out[2:]) != (1, 1):
                    raise PpaError(f"adaptive pooling to {list(out[2:])} is not supported (only 1 x 1)", field=where)
                add(_module_name(node), lambda n: Layer(n, "pool", x[2], x[1], x[1], x[2], x[2], 0, op="avg"))
            elif op not in _FREE:
                unknown[op] += 1
    except PpaError as exc:
        raise PpaError(exc.message, file=source or None, field=exc.field) from None
    if unknown:
        listed = ", ".join(f"{op} x{count}" for op, count in sorted(unknown.items()))
        warnings.warn(f"{source or name}: ops not modelled, left out of the estimate: {listed}", stacklevel=3)
    if not any(layer.kind in ("conv", "fc") for layer in layers):
        raise PpaError("no convolution or linear layer found: nothing runs on synaptic arrays", file=source or None)
    return Network(name, tuple(layers), "", tuple(input_shape), f"imported from PyTorch (torch.export, torch {_torch().__version__})",
                   source)


def read_torch(path: str | Path, input_shape: tuple[int, ...] | None = None) -> Network:
    """A saved model: a torch.export program (.pt2, shapes included) or a whole module saved by torch.save
    (.pt/.pth, unpickled with weights_only=False, so only open files you trust) traced at `input_shape`."""
    torch = _torch()
    path = Path(path)
    if not path.exists():
        raise PpaError("file not found", file=str(path))
    if path.suffix.lower() == ".pt2":
        try:
            program = torch.export.load(str(path))
        except Exception as exc:
            raise PpaError(f"not a torch.export program ({type(exc).__name__})", file=str(path)) from None
        return from_exported(program, path.stem, str(path))
    if input_shape is None:
        raise PpaError("a saved module needs an input shape to trace: --input-shape 1,3,224,224", file=str(path))
    try:
        module = torch.load(str(path), weights_only=False, map_location="cpu")
    except Exception as exc:
        raise PpaError(f"torch.load failed ({type(exc).__name__}: {str(exc).strip().splitlines()[0]})", file=str(path)) from None
    if not isinstance(module, torch.nn.Module):
        raise PpaError(f"the file holds a {type(module).__name__}, not a module (a state dict has no topology: "
                       "save the module with torch.save(model) or export it with torch.export.save)", file=str(path))
    try:
        net = from_torch(module, torch.zeros(*input_shape), path.stem)
    except PpaError as exc:
        raise PpaError(exc.message, file=str(path), field=exc.field) from None
    return Network(net.name, net.layers, net.dataset, net.input_shape, net.notes, str(path))
