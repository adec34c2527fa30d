"""Network layer descriptions with shapes checked layer to layer: CNN layers and transformer blocks.

Layer kinds: `conv` (grouped and depthwise too, batch norm folded), `fc` (on a flat vector or per token of a
sequence), `pool` (max/avg, global), `add` (residual join), `matmul` (a product of two activations, such as
Q.K^T and A.V, per attention head), `softmax`, `layernorm`, `gelu` (elementwise on the vector unit),
`embedding` (token + position + segment tables), `tokens` (a feature map becomes a token sequence, ViT) and
`token_pool` (a sequence becomes one vector: its first token or the mean).

Read from YAML (`networks/*.yaml`) or from NeuroSim's `NetWork.csv` (one row per layer:
IFM height, IFM width, IFM channels, kernel height, kernel width, OFM channels, pooling after (0/1), stride).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from ppa.errors import PpaError
from ppa.spec.files import read_text
from ppa.spec.yamlio import Document, read_yaml

Kind = Literal["conv", "fc", "pool", "add", "matmul", "softmax", "layernorm", "gelu", "embedding", "tokens", "token_pool"]
MVM_KINDS = ("conv", "fc")                               # stationary weights held in synaptic arrays
VECTOR_KINDS = ("add", "softmax", "layernorm", "gelu", "embedding", "tokens", "token_pool")  # digital vector unit


@dataclass(frozen=True)
class Layer:
    """One layer: conv (K x K x D/G x N kernel, Dhull Table II), fc (D -> N), pool, or a transformer/vector op.

    `tokens` > 0 marks a layer applied to a sequence of that many tokens (each of `in_channels` features);
    `groups` splits a conv (depthwise: groups = in_channels) or a matmul (groups = attention heads).
    `bias` and `extra_params` (folded batch-norm, layer-norm affine, embedding tables) count parameters
    only; they take no part in layer equality, since readers differ in where they fold them."""

    name: str
    kind: Kind
    in_size: int            # input feature map is in_size x in_size (1 for fc and sequences)
    in_channels: int        # D (features per token for sequences)
    out_channels: int       # N (same as D for pool and elementwise ops)
    kernel: int = 1         # K
    stride: int = 1
    padding: int = 0
    groups: int = 1         # G: conv groups (depthwise: G = D) or attention heads of a matmul
    dilation: int = 1
    tokens: int = 0         # sequence length T for layers on a token sequence, 0 otherwise
    op: str = ""            # pool: max/avg; token_pool: first/mean
    bias: bool = field(default=False, compare=False)
    extra_params: int = field(default=0, compare=False)
    input_activity: float | None = None   # share of input bits that are 1 (bit-serial) / mean input level (analog)
    weight_sparsity: float | None = None  # share of zero weights (priced only where the subarray skips zeros)

    @property
    def out_size(self) -> int:
        """Output feature map side W (Table II: W x W cycles per OFM); 1 for flat vectors and sequences."""
        if self.kind in ("conv", "pool"):
            reach = self.dilation * (self.kernel - 1) + 1
            return (self.in_size + 2 * self.padding - reach) // self.stride + 1
        if self.kind in ("add", "softmax", "layernorm", "gelu"):
            return self.in_size
        return 1

    @property
    def positions(self) -> int:
        """Output positions the layer computes: W*W for maps, T for sequences."""
        return self.tokens if self.tokens else self.out_size**2

    @property
    def weights(self) -> int:
        """Stationary synaptic weights, K*K*(D/G)*N for conv and D*N for fc; zero for every other kind."""
        if self.kind not in MVM_KINDS:
            return 0
        return self.kernel * self.kernel * (self.in_channels // self.groups) * self.out_channels

    @property
    def params(self) -> int:
        """Trainable parameters: weights, biases and `extra_params` (what published parameter counts count)."""
        return self.weights + (self.out_channels if self.bias else 0) + self.extra_params

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one forward pass: positions x K*K*(D/G)*N (a matmul: T x D x N / heads)."""
        if self.kind == "matmul":
            return self.positions * self.in_channels * self.out_channels // self.groups
        return self.positions * self.weights

    @property
    def elements(self) -> int:
        """Input values an elementwise op touches: positions x channels."""
        return (self.tokens if self.tokens else self.in_size**2) * self.in_channels

    @property
    def outputs(self) -> int:
        return self.positions * self.out_channels

    @property
    def inputs(self) -> int:
        return (self.tokens if self.tokens else self.in_size**2) * self.in_channels


@dataclass(frozen=True)
class Network:
    """An ordered list of layers with consistent shapes; `name` and `dataset` are labels."""

    name: str
    layers: tuple[Layer, ...]
    dataset: str = ""
    input_shape: tuple[int, ...] = (0, 0, 0)   # (H, W, C) of an image, (T, features) of a sequence
    notes: str = ""
    source: str = field(default="", compare=False)
    input_activity: float | None = None   # default input activity of every layer (None: 0.5)
    weight_sparsity: float | None = None  # default share of zero weights of every layer (None: 0)

    @property
    def mvm_layers(self) -> tuple[Layer, ...]:
        """Layers with stationary weights in synaptic arrays (conv and fc)."""
        return tuple(layer for layer in self.layers if layer.kind in MVM_KINDS)

    @property
    def weights(self) -> int:
        return sum(layer.weights for layer in self.layers)

    @property
    def params(self) -> int:
        """Trainable parameters, as published parameter counts give them."""
        return sum(layer.params for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    @property
    def sequence_length(self) -> int:
        """Tokens of the longest sequence any layer sees (0 for a pure CNN)."""
        return max((layer.tokens for layer in self.layers), default=0)


MAX_SIDE = 65_536            # feature-map side (pixels)
MAX_CHANNELS = 1_000_000     # channels of a map, outputs of an fc layer, features of a token
MAX_FEATURES = 100_000_000   # inputs of an fc layer (a flattened map)
MAX_TOKENS = 10_000_000      # sequence length


def with_weight_sparsity(net: Network, sparsity: float) -> Network:
    """`net` with every layer's share of zero weights set to `sparsity` (the CLI's --sparsity)."""
    if isinstance(sparsity, bool) or not 0.0 <= float(sparsity) <= 1.0:
        raise PpaError(f"sparsity must be a fraction between 0 and 1, got {sparsity!r}", field="weight_sparsity")
    return replace(net, weight_sparsity=float(sparsity),
                   layers=tuple(replace(la, weight_sparsity=None) for la in net.layers))


def with_input_activity(net: Network, activity: float) -> Network:
    """`net` with every layer's input activity set to `activity` (the CLI's --activity)."""
    if isinstance(activity, bool) or not 0.0 <= float(activity) <= 1.0:
        raise PpaError(f"activity must be a fraction between 0 and 1, got {activity!r}", field="input_activity")
    return replace(net, input_activity=float(activity),
                   layers=tuple(replace(la, input_activity=None) for la in net.layers))


def shape_problem(layer: Layer) -> tuple[str, str] | None:
    """(field, message) of the first impossible or absurd size of a layer, else None; every reader calls it."""
    fc = layer.kind == "fc"
    limits = (("in_size", layer.in_size, 1, MAX_SIDE),
              ("in_features" if fc else "in_channels", layer.in_channels, 1, MAX_FEATURES if fc else MAX_CHANNELS),
              ("out_features" if fc else "out_channels", layer.out_channels, 1, MAX_CHANNELS),
              ("kernel", layer.kernel, 1, MAX_SIDE), ("stride", layer.stride, 1, MAX_SIDE),
              ("padding", layer.padding, 0, MAX_SIDE), ("groups", layer.groups, 1, MAX_CHANNELS),
              ("dilation", layer.dilation, 1, MAX_SIDE), ("tokens", layer.tokens, 0, MAX_TOKENS))
    for name, value, low, high in limits:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return name, f"expected a whole number from {low:,} to {high:,}, got {value!r}"
    if layer.kind not in ("conv", "pool"):
        return None
    reach, size, pad = layer.dilation * (layer.kernel - 1) + 1, layer.in_size, layer.padding
    what = "kernel" if layer.kind == "conv" else "pool window"
    if pad >= reach:
        return "padding", f"padding {pad} is not smaller than the {what} {reach}: some outputs would see only padding"
    limit = size + pad if layer.kind == "conv" else size + 2 * pad
    if reach > limit:
        return "kernel", (f"{what} {reach} does not fit a {size} x {size} input with padding {pad}: at most {limit}"
                          + (" (every weight must meet the input)" if layer.kind == "conv" else ""))
    return None


_LAYER_FIELDS = {
    "conv": {"name", "type", "out_channels", "kernel", "stride", "padding", "in_channels", "in_size", "input_from",
             "groups", "dilation", "bias", "batchnorm", "input_activity", "weight_sparsity"},
    "fc": {"name", "type", "out_features", "in_features", "input_from", "bias", "input_activity", "weight_sparsity"},
    "pool": {"name", "type", "kernel", "stride", "op", "global", "padding", "input_from"},
    "add": {"name", "type", "input_from", "skip"},
    "matmul": {"name", "type", "a", "b", "heads", "transpose_b"},
    "softmax": {"name", "type", "input_from"},
    "layernorm": {"name", "type", "input_from"},
    "gelu": {"name", "type", "input_from"},
    "embedding": {"name", "type", "vocab", "positions", "segments", "input_from"},
    "tokens": {"name", "type", "extra_tokens", "position_embedding", "input_from"},
    "token_pool": {"name", "type", "op", "input_from"},
}
_TOP_FIELDS = {"name", "dataset", "input", "sequence_length", "layers", "notes", "source", "input_activity",
               "weight_sparsity"}


@dataclass(frozen=True)
class _Shape:
    """What a layer outputs: a size x size x channels map, a flat vector, or `tokens` tokens of `channels` features."""

    size: int
    channels: int
    flat: bool = False
    tokens: int = 0

    def describe(self) -> str:
        if self.tokens:
            return f"{self.tokens} tokens x {self.channels} features"
        if self.flat:
            return f"a vector of {self.channels}"
        return f"a {self.size} x {self.size} x {self.channels} map"


def _fraction(doc: Document, loc: tuple, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise doc.error(loc, f"expected a fraction between 0 and 1, got {value!r}")
    return float(value)


def _int(doc: Document, loc: tuple, value, minimum: int = 1, maximum: int = MAX_FEATURES) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise doc.error(loc, f"expected a whole number >= {minimum}, got {value!r}")
    if value < minimum:
        raise doc.error(loc, f"expected a whole number >= {minimum}, got {value}")
    if value > maximum:
        raise doc.error(loc, f"expected a whole number from {minimum:,} to {maximum:,}, got {value:,}")
    return value


def _bool(doc: Document, loc: tuple, value) -> bool:
    if not isinstance(value, bool):
        raise doc.error(loc, f"expected true or false, got {value!r}")
    return value


def _input_shape(doc: Document, data: dict) -> tuple[_Shape, tuple[int, ...]]:
    """`input: [H, W, C]` for an image; `input: [T, features]` (or `sequence_length` + `input: [features]`) for a sequence."""
    shape = data["input"]
    seq = data.get("sequence_length")
    if seq is not None:
        seq = _int(doc, ("sequence_length",), seq, maximum=MAX_TOKENS)
        if isinstance(shape, list) and len(shape) == 1:
            shape = [seq, shape[0]]
        elif not (isinstance(shape, list) and len(shape) == 2) or shape[0] != seq:
            raise doc.error(("input",), f"with sequence_length {seq}, expected [features] or [{seq}, features], got {shape!r}")
    if isinstance(shape, list) and len(shape) == 2:
        t, c = (_int(doc, ("input", i), v, maximum=MAX_TOKENS if i == 0 else MAX_CHANNELS) for i, v in enumerate(shape))
        return _Shape(1, c, False, t), (t, c)
    if not (isinstance(shape, list) and len(shape) == 3):
        raise doc.error(("input",), f"expected [height, width, channels] or [tokens, features], got {shape!r}")
    h, w, c = (_int(doc, ("input", i), v, maximum=MAX_CHANNELS if i == 2 else MAX_SIDE) for i, v in enumerate(shape))
    if h != w:
        raise doc.error(("input",), f"only square inputs are supported, got {h} x {w}")
    return _Shape(h, c), (h, w, c)


def _earlier(doc: Document, loc: tuple, outputs: dict, source) -> _Shape:
    if source not in outputs:
        raise doc.error(loc, f"no earlier layer named {source!r} (known: {', '.join(outputs)})")
    return outputs[source]


def network_from_document(doc: Document, sequence_length: int | None = None) -> Network:
    """Build a Network from parsed YAML, checking every layer's shape against the previous one.

    `sequence_length` overrides the file's (a transformer's T): the same topology at another length."""
    data = doc.data
    if not isinstance(data, dict):
        raise PpaError("expected a mapping with name, input and layers", file=str(doc.path))
    if sequence_length is not None:
        if "sequence_length" not in data:
            raise doc.error(("sequence_length",), "this network has no sequence_length to override")
        if isinstance(sequence_length, bool) or not isinstance(sequence_length, int) or sequence_length < 1:
            raise PpaError(f"sequence length must be a whole number >= 1, got {sequence_length!r}", field="sequence_length")
        shape = data.get("input")
        data = {**data, "sequence_length": sequence_length,
                "input": [sequence_length, shape[1]] if isinstance(shape, list) and len(shape) == 2 else shape}
    for key in data:
        if key not in _TOP_FIELDS:
            raise doc.error((key,), f"unknown field (expected one of: {', '.join(sorted(_TOP_FIELDS))})")
    for key in ("input", "layers"):
        if key not in data:
            raise doc.error((key,), "required field is missing")
    cur, input_shape = _input_shape(doc, data)
    if not isinstance(data["layers"], list) or not data["layers"]:
        raise doc.error(("layers",), "expected a non-empty list of layers")

    layers: list[Layer] = []
    outputs: dict[str, _Shape] = {"input": cur}
    for i, spec in enumerate(data["layers"]):
        loc = ("layers", i)
        if not isinstance(spec, dict):
            raise doc.error(loc, f"expected a mapping with a 'type' ({', '.join(_LAYER_FIELDS)})")
        kind = spec.get("type")
        if kind not in _LAYER_FIELDS:
            raise doc.error(loc + ("type",), f"expected one of {', '.join(_LAYER_FIELDS)}, got {kind!r}")
        for key in spec:
            if key not in _LAYER_FIELDS[kind]:
                allowed = ", ".join(sorted(_LAYER_FIELDS[kind]))
                raise doc.error(loc + (key,), f"unknown field for a {kind} layer (expected one of: {allowed})")
        if "input_from" in spec:
            # a branch (e.g. a ResNet 1x1 shortcut, or the K and V projections) reads an earlier layer's output
            cur = _earlier(doc, loc + ("input_from",), outputs, spec["input_from"])
        name = str(spec.get("name", f"{kind}{i + 1}"))
        layer, cur = _LAYER_READERS[kind](doc, loc, spec, name, cur, outputs)
        problem = shape_problem(layer)
        if problem is not None:
            key = problem[0] if problem[0] in spec or problem[0] in ("kernel", "padding") else "type"
            raise doc.error(loc + (key,), problem[1])
        if "input_activity" in spec:
            layer = replace(layer, input_activity=_fraction(doc, loc + ("input_activity",), spec["input_activity"]))
        if "weight_sparsity" in spec:
            layer = replace(layer, weight_sparsity=_fraction(doc, loc + ("weight_sparsity",), spec["weight_sparsity"]))
        if layer.name in outputs:
            raise doc.error(loc + ("name",), f"layer name {layer.name!r} is used twice")
        outputs[layer.name] = cur
        layers.append(layer)
    activity = _fraction(doc, ("input_activity",), data["input_activity"]) if "input_activity" in data else None
    sparsity = _fraction(doc, ("weight_sparsity",), data["weight_sparsity"]) if "weight_sparsity" in data else None
    return Network(str(data.get("name", doc.path.stem)), tuple(layers), str(data.get("dataset", "")), input_shape,
                   str(data.get("notes", "")), str(doc.path), activity, sparsity)


def _need_map(doc, loc, kind, cur: _Shape) -> None:
    if cur.flat or cur.tokens:
        raise doc.error(loc, f"a {kind} layer needs a feature map, but gets {cur.describe()}")


def _conv(doc, loc, spec, name, cur: _Shape, outputs):
    """conv: out_channels, kernel (3), stride (1), padding (same), groups (1; depthwise = in_channels), dilation (1)."""
    _need_map(doc, loc, "conv", cur)
    size, channels = cur.size, cur.channels
    if "in_channels" in spec and _int(doc, loc + ("in_channels",), spec["in_channels"]) != channels:
        raise doc.error(loc + ("in_channels",), f"previous layer gives {channels} channels, got {spec['in_channels']}")
    if "in_size" in spec and _int(doc, loc + ("in_size",), spec["in_size"]) != size:
        raise doc.error(loc + ("in_size",), f"previous layer gives a {size} x {size} map, got {spec['in_size']}")
    if "out_channels" not in spec:
        raise doc.error(loc + ("out_channels",), "required field is missing")
    out = _int(doc, loc + ("out_channels",), spec["out_channels"])
    k = _int(doc, loc + ("kernel",), spec.get("kernel", 3))
    dil = _int(doc, loc + ("dilation",), spec.get("dilation", 1))
    groups = _int(doc, loc + ("groups",), spec.get("groups", 1))
    if channels % groups or out % groups:
        raise doc.error(loc + ("groups",), f"{groups} groups must divide both {channels} input and {out} output channels")
    bn = _bool(doc, loc + ("batchnorm",), spec.get("batchnorm", False))
    layer = Layer(name, "conv", size, channels, out, k,
                  _int(doc, loc + ("stride",), spec.get("stride", 1)),
                  _int(doc, loc + ("padding",), spec.get("padding", dil * (k - 1) // 2), minimum=0),
                  groups=groups, dilation=dil, bias=_bool(doc, loc + ("bias",), spec.get("bias", False)),
                  extra_params=2 * out if bn else 0)     # folded batch norm keeps its scale and shift as parameters
    if layer.out_size < 1:
        raise doc.error(loc + ("kernel",), f"kernel {k} does not fit a {size} x {size} input")
    return layer, _Shape(layer.out_size, out)


def _pool(doc, loc, spec, name, cur: _Shape, outputs):
    """pool: op max/avg, kernel (2), stride (kernel), padding (0); `global: true` pools the whole map."""
    _need_map(doc, loc, "pool", cur)
    op = spec.get("op", "max")
    if op not in ("max", "avg"):
        raise doc.error(loc + ("op",), f"expected max or avg, got {op!r}")
    size = cur.size
    if _bool(doc, loc + ("global",), spec.get("global", False)):
        if "kernel" in spec or "stride" in spec:
            raise doc.error(loc + ("global",), "a global pool takes no kernel or stride")
        k, s, pad = size, size, 0
    else:
        k = _int(doc, loc + ("kernel",), spec.get("kernel", 2))
        s = _int(doc, loc + ("stride",), spec.get("stride", k))
        pad = _int(doc, loc + ("padding",), spec.get("padding", 0), minimum=0)
    layer = Layer(name, "pool", size, cur.channels, cur.channels, k, s, pad, op=op)
    if layer.out_size < 1:
        raise doc.error(loc + ("kernel",), f"pool window {k} does not fit a {size} x {size} map")
    return layer, _Shape(layer.out_size, cur.channels)


def _fc(doc, loc, spec, name, cur: _Shape, outputs):
    """fc: out_features; on a sequence it is applied to every token (a transformer's linear projection)."""
    features = cur.channels if cur.tokens else cur.size * cur.size * cur.channels
    if "in_features" in spec and _int(doc, loc + ("in_features",), spec["in_features"]) != features:
        raise doc.error(loc + ("in_features",), f"previous layer gives {features} features ({cur.describe()}), "
                                                 f"got {spec['in_features']}")
    if "out_features" not in spec:
        raise doc.error(loc + ("out_features",), "required field is missing")
    out = _int(doc, loc + ("out_features",), spec["out_features"])
    layer = Layer(name, "fc", 1, features, out, tokens=cur.tokens, bias=_bool(doc, loc + ("bias",), spec.get("bias", True)))
    return layer, (_Shape(1, out, False, cur.tokens) if cur.tokens else _Shape(1, out, True))


def _add(doc, loc, spec, name, cur: _Shape, outputs):
    """add: the residual join of the current tensor and `skip` (an earlier layer's output, or `input`)."""
    if "skip" not in spec:
        raise doc.error(loc + ("skip",), "required field is missing (the earlier layer whose output is added)")
    other = _earlier(doc, loc + ("skip",), outputs, spec["skip"])
    if other != cur:
        raise doc.error(loc + ("skip",), f"cannot add {other.describe()} to {cur.describe()}")
    return Layer(name, "add", cur.size, cur.channels, cur.channels, tokens=cur.tokens), cur


def _elementwise(kind):
    def read(doc, loc, spec, name, cur: _Shape, outputs):
        """softmax (over the last axis), layernorm (per token, with a learned scale and shift) or gelu."""
        extra = 2 * cur.channels if kind == "layernorm" else 0
        return Layer(name, kind, cur.size, cur.channels, cur.channels, tokens=cur.tokens, extra_params=extra), cur
    return read


def _matmul(doc, loc, spec, name, cur: _Shape, outputs):
    """matmul: a x b (or a x b^T) per head between two activations (a defaults to the previous layer), e.g.
    Q.K^T (a: q, b: k, transpose_b: true) gives T x (heads*T) scores; A.V (a: scores, b: v) gives T x features."""
    a = _earlier(doc, loc + ("a",), outputs, spec["a"]) if "a" in spec else cur
    if "b" not in spec:
        raise doc.error(loc + ("b",), "required field is missing (the other operand's layer)")
    b = _earlier(doc, loc + ("b",), outputs, spec["b"])
    heads = _int(doc, loc + ("heads",), spec.get("heads", 1))
    transpose = _bool(doc, loc + ("transpose_b",), spec.get("transpose_b", False))
    if not (a.tokens and b.tokens):
        raise doc.error(loc, f"a matmul multiplies two token sequences, got {a.describe()} and {b.describe()}")
    if a.channels % heads or b.channels % heads:
        raise doc.error(loc + ("heads",), f"{heads} heads must divide {a.channels} and {b.channels} features")
    inner = a.channels // heads
    if transpose:      # per head: (T x d) . (d x Tb)
        if b.channels // heads != inner:
            raise doc.error(loc + ("b",), f"per head, a has {inner} features but b has {b.channels // heads}")
        per_head_out = b.tokens
    else:              # per head: (T x Tb) . (Tb x d)
        if inner != b.tokens:
            raise doc.error(loc + ("b",), f"per head, a has {inner} columns but b has {b.tokens} tokens")
        per_head_out = b.channels // heads
    out = heads * per_head_out
    return Layer(name, "matmul", 1, a.channels, out, groups=heads, tokens=a.tokens), _Shape(1, out, False, a.tokens)


def _embedding(doc, loc, spec, name, cur: _Shape, outputs):
    """embedding: token (vocab), position and segment tables summed per token (parameters; two adds per value)."""
    if not cur.tokens:
        raise doc.error(loc, f"an embedding needs a token sequence, but gets {cur.describe()}")
    rows = sum(_int(doc, loc + (k,), spec.get(k, 0), minimum=0) for k in ("vocab", "positions", "segments"))
    if rows < 1:
        raise doc.error(loc + ("vocab",), "required field is missing")
    return Layer(name, "embedding", 1, cur.channels, cur.channels, tokens=cur.tokens, extra_params=rows * cur.channels), cur


def _tokens(doc, loc, spec, name, cur: _Shape, outputs):
    """tokens: a size x size x C map becomes size*size tokens of C features, plus `extra_tokens` (a class token),
    with a learned position embedding added (ViT)."""
    _need_map(doc, loc, "tokens", cur)
    extra = _int(doc, loc + ("extra_tokens",), spec.get("extra_tokens", 0), minimum=0)
    pos = _bool(doc, loc + ("position_embedding",), spec.get("position_embedding", True))
    t = cur.size * cur.size + extra
    params = extra * cur.channels + (t * cur.channels if pos else 0)
    return (Layer(name, "tokens", cur.size, cur.channels, cur.channels, tokens=t, op="position" if pos else "",
                  extra_params=params), _Shape(1, cur.channels, False, t))


def _token_pool(doc, loc, spec, name, cur: _Shape, outputs):
    """token_pool: a sequence becomes one vector, its first (class) token or the mean over tokens."""
    if not cur.tokens:
        raise doc.error(loc, f"a token_pool needs a token sequence, but gets {cur.describe()}")
    op = spec.get("op", "first")
    if op not in ("first", "mean"):
        raise doc.error(loc + ("op",), f"expected first or mean, got {op!r}")
    return Layer(name, "token_pool", 1, cur.channels, cur.channels, tokens=cur.tokens, op=op), _Shape(1, cur.channels, True)


_LAYER_READERS = {
    "conv": _conv, "fc": _fc, "pool": _pool, "add": _add, "matmul": _matmul,
    "softmax": _elementwise("softmax"), "layernorm": _elementwise("layernorm"), "gelu": _elementwise("gelu"),
    "embedding": _embedding, "tokens": _tokens, "token_pool": _token_pool,
}


def read_neurosim_csv(path: str | Path, name: str | None = None) -> Network:
    """Read NeuroSim's NetWork.csv: IFM H, IFM W, IFM D, K H, K W, OFM D, pool-after flag, stride per row.

    A row with a 1 x 1 input and a 1 x 1 kernel is an fc layer (NeuroSim's convention).
    Conv layers use 'same' padding, as NeuroSim assumes.
    """
    path = Path(path)
    try:
        rows = list(csv.reader(read_text(path).splitlines()))
    except csv.Error as exc:
        raise PpaError(f"not a CSV table ({exc})", file=str(path)) from None
    layers: list[Layer] = []
    prev_out: tuple[int, int] | None = None
    for lineno, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        if len(cells) < 7:
            raise PpaError(f"expected 7 or 8 numbers (IFM H, W, D, K H, K W, OFM D, pool, [stride]), got {len(cells)}",
                           file=str(path), line=lineno)
        try:
            numbers = [float(c) for c in cells[:8]]
            if any(not math.isfinite(x) or x != int(x) for x in numbers):
                raise ValueError
            ih, iw, d, kh, kw, n, pool = (int(x) for x in numbers[:7])
            stride = int(numbers[7]) if len(numbers) > 7 else 1
        except (ValueError, OverflowError):
            raise PpaError(f"expected whole numbers, got {', '.join(cells[:8])}", file=str(path), line=lineno) from None
        if min(ih, iw, d, kh, kw, n, stride) < 1 or ih != iw or kh != kw:
            raise PpaError("sizes must be positive and square", file=str(path), line=lineno)
        if pool not in (0, 1):
            raise PpaError(f"the pooling flag (7th number) must be 0 or 1, got {pool}", file=str(path), line=lineno)
        index = len([la for la in layers if la.kind != "pool"]) + 1
        if ih == 1 and kh == 1:  # NeuroSim writes an fc layer as a 1 x 1 x D input with a 1 x 1 kernel
            layer = Layer(f"fc{index}", "fc", 1, ih * iw * d, n)
        else:
            layer = Layer(f"conv{index}", "conv", ih, d, n, kh, stride, (kh - 1) // 2)
        problem = shape_problem(layer)
        if problem is not None:
            raise PpaError(problem[1], file=str(path), line=lineno, field=problem[0])
        if prev_out is not None:
            if layer.kind == "conv" and (prev_out[0], prev_out[1]) != (ih, d):
                raise PpaError(f"input {ih} x {ih} x {d} does not follow from the previous layer's "
                               f"{prev_out[0]} x {prev_out[0]} x {prev_out[1]}", file=str(path), line=lineno)
            if layer.kind == "fc" and prev_out[0] ** 2 * prev_out[1] != layer.in_channels:
                raise PpaError(f"{layer.in_channels} inputs do not follow from the previous layer's "
                               f"{prev_out[0] ** 2 * prev_out[1]} outputs", file=str(path), line=lineno)
        layers.append(layer)
        out = (layer.out_size, layer.out_channels)
        if pool:
            pl = Layer(f"pool{index}", "pool", layer.out_size, n, n, 2, 2, op="max")
            if shape_problem(pl) is not None:
                raise PpaError(f"a 2 x 2 pool does not fit the {layer.out_size} x {layer.out_size} output",
                               file=str(path), line=lineno, field="pool")
            layers.append(pl)
            out = (pl.out_size, n)
        prev_out = out
    if not layers:
        raise PpaError("no layers found", file=str(path))
    first = layers[0]
    return Network(name or path.stem, tuple(layers), "", (first.in_size, first.in_size, first.in_channels), source=str(path))
