"""Any bytes given as a spec, network, grid, NeuroSim CSV or ONNX file end in exit 0 or one error line with exit 2.

Hypothesis feeds the `ppa` command (in-process, through click's CliRunner) random bytes, random YAML documents
built from the schema's own field names, and random mutations of the shipped specs, networks and grid. A bug
in ppa (any exception other than bad input) makes the CLI print "internal error" and exit 1: that fails here,
as would a traceback, a multi-line error, or any other exit status. 2,100 examples per run, about 30 s on an idle 2-core machine.
In CI (CI set) the examples are derandomised, so a run is repeatable; locally each run explores new inputs.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppa.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "hwspecs").glob("*.yaml"))
NETWORKS = sorted((ROOT / "networks").glob("*.yaml"))
GRID = ROOT / "hwspecs" / "grids" / "dse_example.yaml"


def fuzz(n: int):
    """Hypothesis settings for `n` examples: no deadline (first calls import libraries), repeatable in CI."""
    return settings(max_examples=n, deadline=None, derandomize=bool(os.environ.get("CI")), database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def workdir():
    """A folder holding copies of the shipped specs (so `extends:` between mutated files resolves) and the inputs."""
    with tempfile.TemporaryDirectory(prefix="ppa-fuzz-") as d:
        for spec in SPECS:
            shutil.copy(spec, d)
        yield Path(d)


def check(*args: str) -> None:
    """Run `ppa ARGS` in-process: exit 0, or exit 2 with exactly one line on stderr, never a bug or traceback."""
    result = CliRunner().invoke(main, list(args))
    err = result.stderr
    assert result.exit_code in (0, 2), f"exit {result.exit_code} for {args}:\n{err}\n{result.exception!r}"
    assert isinstance(result.exception, (SystemExit, type(None))), repr(result.exception)
    assert "Traceback" not in err
    if result.exit_code == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ppa: error: "), err


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


# ------------------------------------------------------------------ random YAML documents from the schema's words

SPEC_WORDS = ["kind", "name", "extends", "technology", "device", "subarray", "adc", "hierarchy", "precision", "training",
              "feature_size", "vdd", "conductances", "read_voltage", "read_pulse", "rows", "columns", "columns_per_adc",
              "bits", "subarrays_per_pe", "pes_per_tile", "tiles", "weight_bits", "cell_area", "dw_mtj", "sram", "imc",
              "pmac", "variation", "input_encoding", "batch_size", "images_per_epoch", "tech_40nm.yaml", "dw_40nm.yaml"]
NET_WORDS = ["name", "dataset", "input", "layers", "type", "conv", "fc", "pool", "out_channels", "kernel", "stride",
             "padding", "in_channels", "in_size", "out_features", "in_features", "input_from", "op", "max", "avg"]
GRID_WORDS = ["device", "hw", "subarray.rows", "subarray.columns_per_adc", "adc.bits", "dw_40nm", "sram3b_40nm",
              "technology.vdd", "device.conductances", "hierarchy.tiles"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**30, 10**30), st.integers(-3, 300),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["40 nm", "0.5 ns", "1e30 V", "-1 S", "350 F^2", "nan", ".inf", "2 furlongs", "3 m/s", "0 J"]),
)


def documents(words: list[str]):
    keys = st.one_of(st.sampled_from(words), st.text(max_size=8))
    leaves = st.one_of(scalars, st.sampled_from(words))
    return st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                        st.dictionaries(keys, inner, max_size=6)), max_leaves=30)


# YAML syntax that dumped documents never hold: tags, anchors and aliases, complex keys, flow collections,
# timestamps, deep nesting, odd numbers, stray control characters
YAML_TOKENS = ["{", "}", "[", "]", ": ", ", ", "- ", "? ", "&a ", "*a", "&b ", "*b", "!!float ", "!!int ", "!!binary ",
               "!!timestamp ", "!!set ", "!!omap ", "!!python/object:os.system ", "!custom ", "<<: ", "'", '"', "|\n",
               ">\n", "#", "---\n", "...\n", "%YAML 1.1\n", "2001-13-45", "2001-12-14t21:59:43.10-05:00", ".inf",
               "-.inf", ".nan", "1e400", "0x1F", "0o17", "1_000", "~", "null", "yes", "\t", "\x00", "\x85", "\ufeff",
               "\n", "\n  ", "\n    ", "[" * 60, "]" * 60]


def yaml_soup(words: list[str]):
    """Text joined from YAML syntax and the schema's words: reaches the parser's and constructor's corners."""
    return st.lists(st.one_of(st.sampled_from(YAML_TOKENS), st.sampled_from(words), scalars.map(str)), max_size=40) \
        .map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass"))


def yaml_bytes(words: list[str]):
    dumped = documents(words).map(lambda d: yaml.safe_dump(d, allow_unicode=True).encode("utf-8"))
    return st.one_of(dumped, yaml_soup(words))


# ------------------------------------------------------------------ mutations of shipped files


@st.composite
def mutated(draw, texts: list[bytes]):
    """A shipped file with a few random edits: a value replaced, a line dropped, duplicated or re-indented, bytes spliced."""
    lines = draw(st.sampled_from(texts)).split(b"\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["value", "value", "drop", "dup", "indent", "bytes", "truncate"]))
        if op == "value" and b":" in lines[i]:
            key = lines[i].split(b":", 1)[0]
            new = draw(st.one_of(scalars.map(lambda v: yaml.safe_dump(v).split("\n...")[0].strip()),
                                 st.text(max_size=10)))
            lines[i] = key + b": " + new.encode("utf-8", "surrogatepass")
        elif op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = b" " * draw(st.integers(0, 6)) + lines[i].lstrip()
        elif op == "bytes":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.binary(max_size=6)) + lines[i][pos:]
        elif op == "truncate":
            lines = lines[: i + 1]
        if not lines:
            lines = [b""]
    return b"\n".join(lines)


SPEC_TEXTS = [p.read_bytes() for p in SPECS]
NET_TEXTS = [p.read_bytes() for p in NETWORKS]
CSV_TEXT = [b"32,32,3,3,3,128,0,1\n32,32,128,3,3,128,1,1\n16,16,128,3,3,256,0,1\n1,1,16384,1,1,10,0,1\n"]


# ------------------------------------------------------------------ specs (estimate and show)


@fuzz(400)
@given(data=st.one_of(st.binary(max_size=300), yaml_bytes(SPEC_WORDS)))
def test_any_bytes_as_spec(workdir, data):
    spec = write(workdir / "fuzz_spec.yaml", data)
    check("estimate", "lenet5", "--hw", spec, "--format", "json")
    check("show", spec, "--format", "json")


@fuzz(300)
@given(data=mutated(SPEC_TEXTS), target=st.sampled_from([s.name for s in SPECS]))
def test_mutated_shipped_specs(workdir, data, target):
    """A mutated copy of one shipped spec, with the others beside it (a mutated tech_40nm reaches every extends)."""
    original = (ROOT / "hwspecs" / target).read_bytes()
    try:
        write(workdir / target, data)
        for spec in ("dw_40nm.yaml", "sram3b_40nm.yaml", "pmac_40nm.yaml") if target == "tech_40nm.yaml" else (target,):
            check("estimate", "lenet5", "--hw", str(workdir / spec), "--format", "json")
        check("show", str(workdir / target))
    finally:
        (workdir / target).write_bytes(original)


# ------------------------------------------------------------------ networks: YAML, NeuroSim CSV, ONNX


@fuzz(450)
@given(data=st.one_of(st.binary(max_size=300), yaml_bytes(NET_WORDS), mutated(NET_TEXTS)))
def test_any_bytes_as_network(workdir, data):
    check("estimate", write(workdir / "fuzz_net.yaml", data), "--format", "json")


@fuzz(400)
@given(data=st.one_of(st.binary(max_size=200), mutated(CSV_TEXT),
                      st.lists(st.lists(st.one_of(st.integers(-5, 10**20), st.floats(), st.text(max_size=4)),
                                        max_size=9), max_size=5)
                      .map(lambda rows: "\n".join(",".join(map(str, r)) for r in rows).encode("utf-8", "surrogatepass"))))
def test_any_bytes_as_neurosim_csv(workdir, data):
    check("estimate", write(workdir / "fuzz_net.csv", data), "--format", "json")


@st.composite
def onnx_models(draw) -> bytes:
    """A random chain of ONNX nodes (supported and unsupported ops, odd attributes and weight shapes), serialised,
    sometimes with a few bytes overwritten: reaches shape inference and the layer walk, not only the parser."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    dims = st.integers(-1, 40)
    shape = [draw(st.sampled_from(["N", 1])), *draw(st.lists(dims, min_size=0, max_size=4))]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
    nodes, inits, last = [], [], "x"
    for i in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["Conv", "Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool",
                                   "Relu", "Flatten", "Add", "BatchNormalization", "Reshape", "LSTM", "Einsum"]))
        inputs, attrs = [last], {}
        if op in ("Conv", "Gemm", "MatMul"):
            w = f"w{i}"
            inits.append(numpy_helper.from_array(
                np.zeros(draw(st.lists(st.integers(0, 9), min_size=1, max_size=4)), np.float32), w))
            inputs.append(w)
        if op in ("Conv", "MaxPool", "AveragePool"):
            k = draw(st.integers(-1, 9))
            attrs["kernel_shape"] = [k, draw(st.sampled_from([k, k + 1]))]
            if draw(st.booleans()):
                attrs["strides"] = [draw(st.integers(-1, 3))] * 2
            if draw(st.booleans()):
                attrs["pads"] = [draw(st.integers(-2, 4))] * 4
        if op == "Add":
            inputs.append(draw(st.sampled_from(["x", last])))
        nodes.append(helper.make_node(op, inputs, [f"n{i}"], name=f"n{i}", **attrs))
        last = f"n{i}"
    y = helper.make_tensor_value_info(last, TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "g", [x], [y], inits)
    data = bytearray(helper.make_model(graph, opset_imports=[helper.make_opsetid("", draw(st.sampled_from([11, 17, 99])))])
                     .SerializeToString())
    for _ in range(draw(st.integers(0, 3))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@pytest.mark.skipif(importlib.util.find_spec("onnx") is None, reason="the onnx extra is not installed")
@pytest.mark.filterwarnings("ignore:.*ops not modelled:UserWarning")   # the reader's own note on LSTM, Einsum, ...
@fuzz(250)
@given(data=st.one_of(st.binary(max_size=400), onnx_models()))
def test_any_bytes_as_onnx(workdir, data):
    check("estimate", write(workdir / "fuzz_net.onnx", data), "--format", "json")


# ------------------------------------------------------------------ sweep grids


@fuzz(250)
@given(data=st.one_of(st.binary(max_size=200), yaml_bytes(GRID_WORDS), mutated([GRID.read_bytes()])))
def test_any_bytes_as_grid(workdir, data):
    check("sweep", "lenet5", "--grid", write(workdir / "fuzz_grid.yaml", data), "--no-progress",
          "-o", str(workdir / "fuzz_out.csv"))
