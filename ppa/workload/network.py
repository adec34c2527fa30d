"""Network layer descriptions: conv, fc and pool layers with shapes checked layer to layer.

Read from YAML (`networks/*.yaml`) or from NeuroSim's `NetWork.csv` (one row per layer:
IFM height, IFM width, IFM channels, kernel height, kernel width, OFM channels, pooling after (0/1), stride).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ppa.errors import PpaError
from ppa.spec.files import read_text
from ppa.spec.yamlio import Document, read_yaml

Kind = Literal["conv", "fc", "pool"]


@dataclass(frozen=True)
class Layer:
    """One layer: conv (K x K x D x N kernel, Dhull Table II), fc (D -> N) or pool (window, stride)."""

    name: str
    kind: Kind
    in_size: int            # input feature map is in_size x in_size (1 for fc)
    in_channels: int        # D
    out_channels: int       # N (same as D for pool)
    kernel: int = 1         # K
    stride: int = 1
    padding: int = 0

    @property
    def out_size(self) -> int:
        """Output feature map side W (Table II: W x W cycles per OFM)."""
        if self.kind == "fc":
            return 1
        return (self.in_size + 2 * self.padding - self.kernel) // self.stride + 1

    @property
    def weights(self) -> int:
        """Number of synaptic weights (K*K*D*N), zero for pooling."""
        return 0 if self.kind == "pool" else self.kernel * self.kernel * self.in_channels * self.out_channels

    @property
    def macs(self) -> int:
        """Multiply-accumulates of one forward pass: W*W*K*K*D*N."""
        return 0 if self.kind == "pool" else self.out_size**2 * self.weights

    @property
    def outputs(self) -> int:
        return self.out_size**2 * self.out_channels

    @property
    def inputs(self) -> int:
        return self.in_size**2 * self.in_channels


@dataclass(frozen=True)
class Network:
    """An ordered list of layers with consistent shapes; `name` and `dataset` are labels."""

    name: str
    layers: tuple[Layer, ...]
    dataset: str = ""
    input_shape: tuple[int, int, int] = (0, 0, 0)
    notes: str = ""
    source: str = field(default="", compare=False)

    @property
    def mvm_layers(self) -> tuple[Layer, ...]:
        """Layers that run on synaptic arrays (conv and fc)."""
        return tuple(layer for layer in self.layers if layer.kind != "pool")

    @property
    def weights(self) -> int:
        return sum(layer.weights for layer in self.layers)

    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)


MAX_SIDE = 65_536            # feature-map side (pixels)
MAX_CHANNELS = 1_000_000     # channels of a map, outputs of an fc layer
MAX_FEATURES = 100_000_000   # inputs of an fc layer (a flattened map)


def shape_problem(layer: Layer) -> tuple[str, str] | None:
    """(field, message) of the first impossible or absurd size of a layer, else None; every reader calls it."""
    fc = layer.kind == "fc"
    limits = (("in_size", layer.in_size, 1, MAX_SIDE),
              ("in_features" if fc else "in_channels", layer.in_channels, 1, MAX_FEATURES if fc else MAX_CHANNELS),
              ("out_features" if fc else "out_channels", layer.out_channels, 1, MAX_CHANNELS),
              ("kernel", layer.kernel, 1, MAX_SIDE), ("stride", layer.stride, 1, MAX_SIDE),
              ("padding", layer.padding, 0, MAX_SIDE))
    for name, value, low, high in limits:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return name, f"expected a whole number from {low:,} to {high:,}, got {value!r}"
    if fc:
        return None
    k, size, pad = layer.kernel, layer.in_size, layer.padding
    what = "kernel" if layer.kind == "conv" else "pool window"
    if pad >= k:
        return "padding", f"padding {pad} is not smaller than the {what} {k}: some outputs would see only padding"
    reach = size + pad if layer.kind == "conv" else size + 2 * pad
    if k > reach:
        return "kernel", (f"{what} {k} does not fit a {size} x {size} input with padding {pad}: at most {reach}"
                          + (" (every weight must meet the input)" if layer.kind == "conv" else ""))
    return None


_LAYER_FIELDS = {
    "conv": {"name", "type", "out_channels", "kernel", "stride", "padding", "in_channels", "in_size", "input_from"},
    "fc": {"name", "type", "out_features", "in_features", "input_from"},
    "pool": {"name", "type", "kernel", "stride", "op"},
}
_TOP_FIELDS = {"name", "dataset", "input", "layers", "notes", "source"}


def _int(doc: Document, loc: tuple, value, minimum: int = 1, maximum: int = MAX_FEATURES) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise doc.error(loc, f"expected a whole number >= {minimum}, got {value!r}")
    if value < minimum:
        raise doc.error(loc, f"expected a whole number >= {minimum}, got {value}")
    if value > maximum:
        raise doc.error(loc, f"expected a whole number from {minimum:,} to {maximum:,}, got {value:,}")
    return value


def network_from_document(doc: Document) -> Network:
    """Build a Network from parsed YAML, checking every layer's shape against the previous one."""
    data = doc.data
    if not isinstance(data, dict):
        raise PpaError("expected a mapping with name, input and layers", file=str(doc.path))
    for key in data:
        if key not in _TOP_FIELDS:
            raise doc.error((key,), f"unknown field (expected one of: {', '.join(sorted(_TOP_FIELDS))})")
    for key in ("input", "layers"):
        if key not in data:
            raise doc.error((key,), "required field is missing")
    shape = data["input"]
    if not (isinstance(shape, list) and len(shape) == 3):
        raise doc.error(("input",), f"expected [height, width, channels], got {shape!r}")
    h, w, c = (_int(doc, ("input", i), v, maximum=MAX_CHANNELS if i == 2 else MAX_SIDE) for i, v in enumerate(shape))
    if h != w:
        raise doc.error(("input",), f"only square inputs are supported, got {h} x {w}")
    if not isinstance(data["layers"], list) or not data["layers"]:
        raise doc.error(("layers",), "expected a non-empty list of layers")

    size, channels, flat = h, c, False
    layers: list[Layer] = []
    outputs: dict[str, tuple[int, int, bool]] = {"input": (h, c, False)}   # name -> (size, channels, flat)
    for i, spec in enumerate(data["layers"]):
        loc = ("layers", i)
        if not isinstance(spec, dict):
            raise doc.error(loc, "expected a mapping with a 'type' (conv, fc or pool)")
        if "input_from" in spec:
            # a branch (e.g. a ResNet 1x1 shortcut) reads an earlier layer's output; the residual add that
            # joins it back is digital and costs nothing here, so the next layer sees this layer's output
            source = spec["input_from"]
            if source not in outputs:
                raise doc.error(loc + ("input_from",), f"no earlier layer named {source!r} (known: {', '.join(outputs)})")
            size, channels, flat = outputs[source]
        kind = spec.get("type")
        if kind not in _LAYER_FIELDS:
            raise doc.error(loc + ("type",), f"expected one of conv, fc, pool, got {kind!r}")
        for key in spec:
            if key not in _LAYER_FIELDS[kind]:
                allowed = ", ".join(sorted(_LAYER_FIELDS[kind]))
                raise doc.error(loc + (key,), f"unknown field for a {kind} layer (expected one of: {allowed})")
        name = str(spec.get("name", f"{kind}{i + 1}"))
        if kind == "conv":
            if flat:
                raise doc.error(loc, "a conv layer cannot follow an fc layer")
            if "in_channels" in spec and _int(doc, loc + ("in_channels",), spec["in_channels"]) != channels:
                raise doc.error(loc + ("in_channels",), f"previous layer gives {channels} channels, got {spec['in_channels']}")
            if "in_size" in spec and _int(doc, loc + ("in_size",), spec["in_size"]) != size:
                raise doc.error(loc + ("in_size",), f"previous layer gives a {size} x {size} map, got {spec['in_size']}")
            if "out_channels" not in spec:
                raise doc.error(loc + ("out_channels",), "required field is missing")
            k = _int(doc, loc + ("kernel",), spec.get("kernel", 3))
            layer = Layer(name, "conv", size, channels, _int(doc, loc + ("out_channels",), spec["out_channels"]), k,
                          _int(doc, loc + ("stride",), spec.get("stride", 1)),
                          _int(doc, loc + ("padding",), spec.get("padding", (k - 1) // 2), minimum=0))
            size, channels = layer.out_size, layer.out_channels
        elif kind == "pool":
            if flat:
                raise doc.error(loc, "a pool layer cannot follow an fc layer")
            if spec.get("op", "max") not in ("max", "avg"):
                raise doc.error(loc + ("op",), f"expected max or avg, got {spec.get('op')!r}")
            k = _int(doc, loc + ("kernel",), spec.get("kernel", 2))
            s = _int(doc, loc + ("stride",), spec.get("stride", k))
            layer = Layer(name, "pool", size, channels, channels, k, s, 0)
            size = layer.out_size
        else:
            features = size * size * channels
            if "in_features" in spec and _int(doc, loc + ("in_features",), spec["in_features"]) != features:
                raise doc.error(loc + ("in_features",),
                                f"previous layer gives {features} features ({size} x {size} x {channels}), got {spec['in_features']}")
            if "out_features" not in spec:
                raise doc.error(loc + ("out_features",), "required field is missing")
            layer = Layer(name, "fc", 1, features, _int(doc, loc + ("out_features",), spec["out_features"]))
            size, channels, flat = 1, layer.out_channels, True
        problem = shape_problem(layer)
        if problem is not None:
            key = problem[0] if problem[0] in spec or problem[0] in ("kernel", "padding") else "type"
            raise doc.error(loc + (key,), problem[1])
        if layer.name in outputs:
            raise doc.error(loc + ("name",), f"layer name {layer.name!r} is used twice")
        outputs[layer.name] = (size, channels, flat)
        layers.append(layer)
    return Network(str(data.get("name", doc.path.stem)), tuple(layers), str(data.get("dataset", "")), (h, w, c),
                   str(data.get("notes", "")), str(doc.path))


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
            pl = Layer(f"pool{index}", "pool", layer.out_size, n, n, 2, 2)
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
