"""`ppa list` and `ppa show`: shipped files by name, and every resolved value traced to its file, line and comment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ppa.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_list_names_every_shipped_file_once():
    found = json.loads(run("list", "--format", "json"))
    assert [e["name"] for e in found["specs"]] == sorted(p.stem for p in (ROOT / "hwspecs").glob("*.yaml"))
    assert [e["name"] for e in found["networks"]] == sorted(p.stem for p in (ROOT / "networks").iterdir() if p.is_file())
    assert [e["name"] for e in found["grids"]] == sorted(p.stem for p in (ROOT / "hwspecs" / "grids").glob("*.yaml"))
    assert [e["name"] for e in found["macros"]] == sorted(p.stem for p in (ROOT / "hwspecs" / "macros").glob("*.yaml"))
    grid = next(e for e in found["grids"] if e["name"] == "dse_example")
    assert grid["points"] == 2 * 3 * 4 * 5           # the product of the grid's list lengths
    table = run("list")
    for entries in found.values():
        for e in entries:
            assert sum(line.split()[0] == e["name"] for line in table.splitlines() if line.startswith("  ")) == 1


def _values(spec: str) -> dict[str, dict]:
    return {v["field"]: v for v in json.loads(run("show", spec, "--format", "json"))["values"]}


def test_show_traces_inherited_and_overridden_values():
    values = _values("sram3b_40nm")
    bits = values["device.weight_bits"]                 # set by sram3b over sram_40nm's 32
    assert bits["value"] == 3 and Path(bits["file"]).name == "sram3b_40nm.yaml"
    cell = values["device.cell_area"]                   # inherited from sram_40nm, written in F^2
    assert Path(cell["file"]).name == "sram_40nm.yaml" and cell["unit"] == "m^2"
    assert cell["value"] == pytest.approx(250 * (40e-9) ** 2) and cell["written"] == "250 F^2"
    vdd = values["technology.vdd"]                      # two extends away: dw_40nm -> tech_40nm
    assert Path(vdd["file"]).name == "tech_40nm.yaml" and vdd["unit"] == "V" and "ITRS" in vdd["comment"]
    assert values["hierarchy.tiles"]["file"] is None    # a schema default: no file sets it
    spread = values["technology.uncertainty.wire_capacitance"]   # set in a file, held outside the model's fields
    assert Path(spread["file"]).name == "tech_40nm.yaml" and spread["written"] == spread["value"] == "15 %"


@pytest.mark.parametrize("spec", ["dw_40nm", "sram_40nm", "sram3b_40nm", "pmac_40nm", "crossbar_balanced_8b",
                                  "jia_jssc2020"])
def test_show_points_at_the_line_that_sets_each_value(spec):
    for field, v in _values(spec).items():
        if v["file"] is None:
            continue
        line = (Path(v["file"]) if Path(v["file"]).is_absolute() else Path.cwd() / v["file"]).read_text().splitlines()[v["line"] - 1]
        key = [p for p in field.split(".") if not p.isdigit()][-1]
        assert line.lstrip(" -{").startswith(key) or f"{key}:" in line, (field, line)
        if v["comment"]:
            assert line.rstrip().endswith(v["comment"])


def test_show_of_a_missing_spec_is_one_line_exit_2():
    result = CliRunner().invoke(main, ["show", "no_such_spec"])
    assert result.exit_code == 2 and "no such hardware spec" in result.output


def test_show_marks_values_scaled_to_another_node(tmp_path):
    spec = tmp_path / "dw_22nm.yaml"
    spec.write_text(f"extends: {ROOT / 'hwspecs' / 'dw_40nm.yaml'}\ntechnology:\n  node: 22 nm\n")
    values = _values(str(spec))
    vdd = values["technology.vdd"]
    assert vdd["derived"] and vdd["written"] == "0.9 V" and vdd["value"] != pytest.approx(0.9)
    assert not values["subarray.rows"]["derived"] and values["technology.node"]["file"].endswith("dw_22nm.yaml")
    assert not any(v["derived"] for v in _values("dw_40nm").values())   # at its own node nothing is rescaled


def test_every_number_a_shipped_spec_sets_names_its_source():
    """The standard of hwspecs/: each number of a hardware (cost) spec carries its paper, table, survey or calibration
    on its own line. Technology files are checked through the specs that extend them; `kind: crossbar` files are
    reference configurations of the accuracy model whose source is their header."""
    bare = []
    for path in sorted((ROOT / "hwspecs").glob("*.yaml")):
        if path.stem.startswith("tech_") or "kind: crossbar" in path.read_text():
            continue
        for field, v in _values(str(path)).items():
            number = isinstance(v["value"], (int, float, list)) and not isinstance(v["value"], bool)
            if v["file"] and number and not v["comment"]:
                bare.append(f"{v['file']}:{v['line']} {field}")
    assert not bare, "numbers without a source comment: " + "; ".join(sorted(set(bare)))
