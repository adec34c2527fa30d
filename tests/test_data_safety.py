"""Issue #19 (nothing lost, nothing forged) and #11 item 3 (physical bounds): one regression test per failure class.

Each hostile input ends in a correct result or one line naming file/line/field, exit 2 (CLI) or a PpaError /
TypeError / ValueError naming the argument (library) -- never a traceback, a deleted file or a forged number.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import ppa
from ppa.cli import main
from ppa.errors import PpaError
from ppa.explore.sweep import Grid, pareto_mask, run_sweep
from ppa.spec import load_chip
from ppa.workload import load_network

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "bad_inputs"
DW = ROOT / "hwspecs" / "dw_40nm.yaml"
PMAC = ROOT / "hwspecs" / "pmac_40nm.yaml"
GRID = ROOT / "hwspecs" / "grids" / "dse_example.yaml"
TINY = """name: tiny
input: [8, 8, 2]
layers:
  - {type: conv, out_channels: 8, kernel: 3}
  - {type: fc, out_features: 10}
"""


def cli(*args: str, cwd: Path | None = None):
    """Run the CLI in-process; returns (exit code, stdout, stderr lines)."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr.strip().splitlines()


def one_line_error(args, *needles: str) -> str:
    code, out, err = cli(*args)
    assert code == 2, (code, out, err)
    assert len(err) == 1 and err[0].startswith("ppa: error: "), err
    for needle in needles:
        assert needle in err[0], (needle, err[0])
    return err[0]


@pytest.fixture()
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def spec(tmp_path, body: str, base: Path = DW) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(f"extends: {base}\n{body}\n")
    return path


# ---------------------------------------------------------------- 1. outputs never destroy

def test_sweep_never_deletes_a_foreign_parts_folder(tmp_path, tiny):
    parts = tmp_path / "r.csv.parts"
    parts.mkdir()
    (parts / "thesis.tex").write_text("years of work")
    one_line_error(["sweep", str(tiny), "--grid", str(GRID), "-o", str(tmp_path / "r.csv")], "r.csv.parts", "thesis.tex")
    assert (parts / "thesis.tex").read_text() == "years of work" and not (tmp_path / "r.csv").exists()


def test_parts_being_a_file_is_an_error_naming_it(tmp_path, tiny):
    (tmp_path / "r.csv.parts").write_text("mine")
    one_line_error(["sweep", str(tiny), "--grid", str(GRID), "-o", str(tmp_path / "r.csv")], "r.csv.parts")
    assert (tmp_path / "r.csv.parts").read_text() == "mine"


def test_a_foreign_file_in_our_parts_folder_stops_the_resume(tmp_path, tiny):
    net, out = load_network(tiny), tmp_path / "r.csv"
    grid = Grid(["dw_40nm"], {"adc.bits": [4, 5, 6, 7]})

    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(net, grid, out=out, chunk_size=2, on_chunk=stop)
    (tmp_path / "r.csv.parts" / "notes.txt").write_text("keep")
    with pytest.raises(PpaError, match="notes.txt"):
        run_sweep(net, grid, out=out, chunk_size=2)
    assert (tmp_path / "r.csv.parts" / "notes.txt").read_text() == "keep"


def test_output_equal_to_an_input_is_refused(tmp_path):
    csv = tmp_path / "net.csv"
    csv.write_text((BAD.parent.parent / "tests" / "bad_inputs" / "bad_neurosim.csv").read_text().splitlines()[0] + "\n")
    before = csv.read_bytes()
    one_line_error(["sweep", str(csv), "--grid", str(GRID), "-o", str(csv)], "also an input")
    assert csv.read_bytes() == before
    results = tmp_path / "res.csv"
    run_sweep(load_network("lenet5"), Grid(["dw_40nm"], {"adc.bits": [4, 8]}), out=results)
    before = results.read_bytes()
    one_line_error(["report", "sweep", "--results", str(results), "-o", str(results)], "also an input")
    assert results.read_bytes() == before


def test_only_earlier_ppa_outputs_are_replaced(tmp_path, tiny):
    out = tmp_path / "r.csv"
    out.write_text("my,own,table\n1,2,3\n")
    one_line_error(["sweep", str(tiny), "--grid", str(GRID), "-o", str(out)], "not a ppa sweep table")
    assert out.read_text() == "my,own,table\n1,2,3\n"
    out.unlink()
    for _ in range(2):                       # a ppa table of the same kind may be replaced
        code, _, err = cli("sweep", str(tiny), "--grid", str(GRID), "-o", str(out), "--no-progress")
        assert code == 0, err
    report = tmp_path / "r.md"
    report.write_text("my notes")
    one_line_error(["report", "sweep", "--results", str(out), "-o", str(report)], "not a ppa report")
    assert report.read_text() == "my notes"
    report.unlink()
    for _ in range(2):
        assert cli("report", "sweep", "--results", str(out), "-o", str(report))[0] == 0


# ---------------------------------------------------------------- 2. exact resume

def test_corrupt_resume_state_names_the_file_and_how_to_start_over(tmp_path, tiny):
    net, out, grid = load_network(tiny), tmp_path / "r.csv", Grid(["dw_40nm"], {"adc.bits": [4, 5, 6]})

    def stop(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(net, grid, out=out, chunk_size=1, on_chunk=stop)
    marker = tmp_path / "r.csv.parts" / "ppa-sweep.json"
    marker.write_bytes(b"\x00\xff{not json")
    with pytest.raises(PpaError) as err:
        run_sweep(net, grid, out=out, chunk_size=1)
    assert "ppa-sweep.json" in str(err.value) and "start the sweep over" in str(err.value)


def test_row_count_equals_the_grids_valid_points(tiny):
    grid = Grid(["dw_40nm", "sram_40nm"], {"subarray.columns": [16, 64, 128], "subarray.columns_per_adc": [8, 32, 64]})
    result = run_sweep(load_network(tiny), grid)
    expected_invalid = 2 * sum(cpa > cols for cols in (16, 64, 128) for cpa in (8, 32, 64))
    assert result.attrs["invalid_points"] == expected_invalid
    assert len(result) == grid.size - expected_invalid - result.attrs["too_big_points"]
    assert result.attrs["too_big_points"] == 0


# ---------------------------------------------------------------- 3. no hidden NaN or inf

def test_a_non_finite_price_is_an_error_naming_layer_component_field():
    chip = load_chip("dw_40nm")
    broken = chip.model_copy(update={"technology": chip.technology.model_copy(update={"mac_energy": float("nan")})})
    with pytest.raises(PpaError) as err:
        ppa.estimate(load_network("vgg8"), broken, "training")
    msg = str(err.value)
    assert "weight_gradient" in msg and "technology.mac_energy" in msg and "layer" in msg


def test_nan_design_points_are_never_pareto():
    values = np.array([[1.0, 1.0, 1.0], [np.nan, 0.0, 0.0], [2.0, 2.0, 2.0], [0.5, np.inf, 0.5]])
    assert list(pareto_mask(values)) == [True, False, False, False]


def test_json_never_carries_nan():
    from ppa.report.tables import Column, render_table, to_json

    with pytest.raises(PpaError, match="not finite"):
        to_json({"a": [1.0, float("nan")]})
    with pytest.raises(PpaError):
        render_table([{"x": float("inf")}], [Column("x")], "json")
    code, out, _ = cli("estimate", "vgg8", "--format", "json")
    assert code == 0
    json.loads(out, parse_constant=lambda c: pytest.fail(f"JSON carries {c}"))


@pytest.mark.parametrize("body,field,expected", [
    ("device: {read_pulse: -1 ns}", "device.read_pulse", "above 0 and at most 0.001 s"),
    ("device: {write_pulse: 0 ns}", "device.write_pulse", "above 0"),
    ("device: {cell_area: -350 F^2}", "device.cell_area", "above 0 and at most 1e-09 m^2"),
    ("device: {write_current_density: -1 A/m^2}", "device.write_current_density", "above 0"),
    ("device: {read_pulse: .inf}", "device.read_pulse", "finite"),
    ("device: {read_pulse: inf ns}", "device.read_pulse", "finite"),
    ("device: {conductances: [1e-5 S, .nan]}", "device.conductances.1", "finite"),
    ("technology: {extends: tech_40nm.yaml, vdd: 1e30 V}", "technology.vdd", "at most 5 V"),
    ("technology: {extends: tech_40nm.yaml, feature_size: 0.1 pm}", "technology.feature_size", "at least 1e-09"),
    ("subarray: {rows: 100000000}", "subarray.rows", "from 1 to 65,536"),
    ("subarray: {reference_columns: 1000}", "subarray", "leaves no weight column"),
    ("adc: {bits: 64}", "adc.bits", "16"),
    ("precision: {activation_bits: 1000}", "precision.activation_bits", "from 1 to 64"),
])
def test_physical_bounds_name_file_line_field_and_range(tmp_path, body, field, expected):
    path = spec(tmp_path, body.replace("tech_40nm.yaml", str(ROOT / "hwspecs" / "tech_40nm.yaml")))
    with pytest.raises(PpaError) as err:
        load_chip(path)
    assert err.value.field == field and err.value.file == str(path) and err.value.line == 2
    assert expected in str(err.value)


def test_zero_ohm_pmac_resistance_is_refused(tmp_path):
    path = spec(tmp_path, "variants: [{name: zero, bayes_mtj_resistance: 0 ohm, dw_resistance: 56 kohm}]", PMAC)
    one_line_error(["pmac", "--hw", str(path)], "variants.0.bayes_mtj_resistance", "at least 1")


@pytest.mark.parametrize("layers,field,text", [
    ("[{type: conv, out_channels: 4, kernel: 64}]", "layers.0.kernel", "does not fit"),          # same padding
    ("[{type: conv, out_channels: 4, kernel: 3, padding: 3}]", "layers.0.padding", "only padding"),
    ("[{type: conv, out_channels: 0}]", "layers.0.out_channels", ">= 1"),
    ("[{type: fc, out_features: 10000000}]", "layers.0.out_features", "1,000,000"),
    ("[{type: conv, out_channels: 4, kernel: 3, dilation: 40}]", "layers.0.kernel", "kernel 81 does not fit"),
])
def test_impossible_yaml_shapes(tmp_path, layers, field, text):
    """Shapes no network can have; the sequence input is bounded too (below)."""
    path = tmp_path / "net.yaml"
    path.write_text(f"input: [32, 32, 3]\nlayers: {layers}\n")
    with pytest.raises(PpaError) as err:
        load_network(path)
    assert err.value.field == field and text in str(err.value)


@pytest.mark.parametrize("row,text", [
    ("4,4,3,9,9,16,0,1", "does not fit"),        # a 9x9 kernel on a 4x4 input (output side -4 before)
    ("32,32,0,3,3,16,0,1", "sizes must be positive"),
    ("32,32,3,3,3,16,0,inf", "expected whole numbers"),
    ("32,32,3,3,3,16,7,1", "pooling flag"),
    ("2,2,3,1,1,16,1,2", "pool does not fit"),   # a 1 x 1 output cannot be pooled 2 x 2
])
def test_impossible_neurosim_shapes(tmp_path, row, text):
    path = tmp_path / "NetWork.csv"
    path.write_text(row + "\n")
    with pytest.raises(PpaError) as err:
        load_network(path)
    assert err.value.file == str(path) and err.value.line == 1 and text in str(err.value)


def test_impossible_onnx_shapes(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    def model(shape, w_shape, name):
        w = numpy_helper.from_array(np.zeros(w_shape, np.float32), "w")
        node = helper.make_node("Conv", ["x", "w"], ["y"], name="c1", kernel_shape=list(w_shape[2:]))
        graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
        path = tmp_path / name
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
        return path

    cases = {model([1, 3, 8, 8], (0, 3, 3, 3), "zero_channels.onnx"): "out_channels: expected a whole number from 1",
             model([1, 0, 8, 8], (4, 0, 3, 3), "zero_in.onnx"): "in_channels: expected a whole number from 1",
             model([1, 3, 0, 0], (4, 3, 3, 3), "zero_input.onnx"): "in_size: expected a whole number from 1",
             model([1, 3, 4, 4], (4, 3, 9, 9), "big_kernel.onnx"): "kernel 9 does not fit a 4 x 4 input"}
    for path, text in cases.items():
        with pytest.raises(PpaError) as err:
            load_network(path)
        assert err.value.file == str(path) and err.value.field == "node 'c1' (Conv)" and text in str(err.value)
    assert load_network(model([1, 3, 4, 4], (4, 3, 3, 3), "fine.onnx")).layers[0].out_size == 2


# ---------------------------------------------------------------- 4. bounded resources

def test_yaml_alias_bomb_is_refused_with_the_limit_named(tmp_path):
    text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 10):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
    (tmp_path / "bomb.yaml").write_text(text)
    one_line_error(["estimate", "vgg8", "--hw", str(tmp_path / "bomb.yaml")], "PPA_MAX_YAML_NODES")


@pytest.mark.parametrize("text,needle", [("[" * 10000 + "]" * 10000, "PPA_MAX_YAML_DEPTH"), ("a: &a [*a]\n", "recursive alias"),
                                         ("x:\n" + "".join(" " * i + "- \n" for i in range(1, 300)), "nesting")])
def test_deep_or_recursive_yaml_is_refused(tmp_path, text, needle):
    (tmp_path / "deep.yaml").write_text(text)
    one_line_error(["estimate", str(tmp_path / "deep.yaml")], needle)


def test_large_files_are_refused_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "#" * 5000 + "\n")
    monkeypatch.setenv("PPA_MAX_INPUT_BYTES", "1000")
    one_line_error(["estimate", str(big)], "1,000-byte input limit", "PPA_MAX_INPUT_BYTES")


def test_a_huge_grid_is_refused_with_its_size(tiny):
    values = list(range(1, 1001))
    grid = Grid(["dw_40nm"], {"training.batch_size": values, "training.wg_lanes": values, "training.accumulation_lanes": values})
    with pytest.raises(PpaError, match=r"1,000,000,000 design points, above the limit of 2,000,000"):
        run_sweep(load_network(tiny), grid)


# ---------------------------------------------------------------- 5. escaping

def test_markup_in_names_is_escaped(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(TINY.replace("{type: fc,", "{name: '<script>alert(1)</script>', type: fc,"))
    code, out, _ = cli("estimate", str(path), "--format", "markdown")
    assert code == 0 and "<script>" not in out and "&lt;script&gt;" in out
    from ppa.report.documents import render, sweep_context

    frame = pd.DataFrame({"point": [0, 1], "device": ["<script>x</script>", "a|b"], "area_m2": [1.0, 0.5],
                          "latency_s": [1.0, 2.0], "energy_j": [1.0, 2.0]})
    for fmt in ("markdown", "html"):
        text = render("sweep", fmt, sweep_context(frame))
        assert "<script>x" not in text
    assert "a\\|b" in render("sweep", "markdown", sweep_context(frame))


def test_control_characters_never_reach_the_terminal(tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(TINY.replace("{type: fc,", '{name: "evil\\e[2J\\a", type: fc,'))
    code, out, _ = cli("estimate", str(path))
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "evil" in out
    assert "\x1b" not in str(PpaError("x", file="a\x1b[2Jb")) and "\n" not in str(PpaError("a\nb"))


# ---------------------------------------------------------------- 6. library contracts

@pytest.mark.parametrize("call,kind,needle", [
    (lambda n, c: ppa.compare(n, [c], images=-5), ValueError, "images"),
    (lambda n, c: ppa.compare(n, [c], images=0), ValueError, "images"),
    (lambda n, c: ppa.compare(n, [c], images=2.5), TypeError, "images"),
    (lambda n, c: ppa.compare(n, c), TypeError, "chips"),
    (lambda n, c: ppa.estimate("networks/vgg8.yaml", c), TypeError, "network"),
    (lambda n, c: ppa.estimate(c, n), TypeError, "other order"),
    (lambda n, c: ppa.estimate(n, None), TypeError, "chip"),
    (lambda n, c: ppa.estimate(n, {"name": "x"}), TypeError, "chip"),
    (lambda n, c: ppa.sweep("networks/vgg8.yaml", GRID), TypeError, "network"),
    (lambda n, c: ppa.sweep(n, str(GRID)), TypeError, "load_grid"),
    (lambda n, c: ppa.sweep(Grid(["dw_40nm"], {}), n), TypeError, "other order"),
    (lambda n, c: ppa.sweep(n, Grid(["dw_40nm"], {}), chunk_size=0), PpaError, "chunk"),
    (lambda n, c: ppa.sweep(n, Grid(["dw_40nm"], {}), scheduler="bogus"), PpaError, "scheduler"),
    (lambda n, c: ppa.load_chip(None), TypeError, "path"),
    (lambda n, c: ppa.load_network(n), TypeError, "path"),
    (lambda n, c: ppa.load_grid({"adc.bits": [4]}), TypeError, "path"),
])
def test_public_functions_check_their_arguments(call, kind, needle):
    with pytest.raises(kind, match=needle):
        call(load_network("lenet5"), load_chip("dw_40nm"))


# ---------------------------------------------------------------- 7. CLI options and decoding

@pytest.mark.parametrize("args,needle", [
    (["estimate", "vgg8", "--epochs", "inf"], "--epochs"),
    (["estimate", "vgg8", "--epochs", "nan"], "--epochs"),
    (["sweep", "vgg8", "--grid", str(GRID), "--scheduler", "bogus"], "scheduler"),
    (["accuracy", "bnn", "--seed", "-1"], "--seed"),
    (["retention", "--temperatures", "300,inf"], "--temperatures"),
    (["retention", "--prefactor", "nan"], "--prefactor"),
    (["pmac", "--sizes", "8,0"], "array sizes"),
])
def test_cli_options_are_validated_in_one_line(args, needle):
    one_line_error(args, needle)


@pytest.mark.parametrize("content,needle", [
    ("name: café\n".encode("latin-1"), "not UTF-8"),
    (b"x: !!python/object/apply:os.system ['echo hi']\n", "unsupported YAML tag"),
    (b"x: !!python/name:os.system\n", "python/name"),
    (b"technology: !include tech.yaml\n", "!include"),
    (b"x: !include {a: 1}\n", "!include"),
    (b"\x00\x01\x02binary", "NUL"),
])
def test_decoding_problems_are_one_line(tmp_path, content, needle):
    path = tmp_path / "spec.yaml"
    path.write_bytes(content)
    one_line_error(["estimate", "vgg8", "--hw", str(path)], "spec.yaml", needle)


def test_utf16_and_bom_specs_are_read(tmp_path):
    text = DW.read_text().replace("tech_40nm.yaml", str(ROOT / "hwspecs" / "tech_40nm.yaml"))
    for encoding in ("utf-16", "utf-8-sig"):
        path = tmp_path / f"{encoding}.yaml"
        path.write_bytes(text.encode(encoding))
        assert load_chip(path).name == load_chip("dw_40nm").name


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"a,b\n1,2\n", b"point,area_m2,latency_s,energy_j\n0,x,1,1\n",
                                     b"point,area_m2,latency_s,energy_j\n0,nan,1,1\n"])
def test_junk_results_files_are_one_line(tmp_path, content):
    path = tmp_path / "res.csv"
    path.write_bytes(content)
    one_line_error(["report", "sweep", "--results", str(path), "-o", "-"], "res.csv")


def test_shipped_inputs_stay_within_bounds():
    for name in ("dw_40nm", "sram_40nm", "sram3b_40nm", "pmac_40nm"):
        chip = load_chip(name)
        values = [v for v in chip.technology.model_dump().values() if isinstance(v, float)]
        assert all(math.isfinite(v) and v > 0 for v in values)
    for name in ("vgg8", "lenet5", "resnet_cifar100", "mlp_autompg"):
        assert load_network(name).macs > 0


@pytest.mark.parametrize("args,line,needle", [
    (["estimate", "vgg8", "--hw", str(BAD / "negative_pulse.yaml")], 2, "device.read_pulse: expected a value above 0"),
    (["estimate", "vgg8", "--hw", str(BAD / "huge_supply.yaml")], 2, "technology.vdd: expected a value above 0 and at most 5 V"),
    (["estimate", str(BAD / "kernel_larger_than_input.csv")], 2, "kernel 9 does not fit a 4 x 4 input"),
    (["estimate", "vgg8", "--hw", str(BAD / "alias_bomb.yaml")], None, "PPA_MAX_YAML_NODES"),
    (["estimate", str(BAD / "latin1.yaml")], 1, "not UTF-8"),
    (["estimate", str(BAD / "python_tag.yaml")], 2, "unsupported YAML tag"),
])
def test_shipped_bad_inputs_are_one_line_naming_file_and_line(args, line, needle):
    name = Path(args[-1] if args[-1].startswith("/") else args[1]).name
    text = one_line_error(args, name, needle)
    if line is not None:
        assert f"{name}:{line}:" in text


def test_a_changed_base_spec_does_not_resume_old_chunks(tmp_path, tiny):
    base = tmp_path / "base.yaml"
    base.write_text(f"extends: {DW}\n")
    net, out, grid = load_network(tiny), tmp_path / "r.csv", Grid([str(base)], {"adc.bits": [4, 5, 6]})

    def stop(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(net, grid, out=out, chunk_size=1, on_chunk=stop)
    base.write_text(f"extends: {DW}\ndevice: {{read_pulse: 2 ns}}\n")          # the design changed meanwhile
    resumed = run_sweep(net, grid, out=out, chunk_size=1)
    fresh = run_sweep(net, grid)
    assert list(resumed["latency_s"]) == list(fresh["latency_s"])


def test_absurd_sequence_lengths_are_refused(tmp_path):
    path = tmp_path / "seq.yaml"
    path.write_text("input: [20000000, 8]\nlayers: [{type: fc, out_features: 4}]\n")
    with pytest.raises(PpaError) as err:
        load_network(path)
    assert err.value.field == "input.0" and "10,000,000" in str(err.value)
