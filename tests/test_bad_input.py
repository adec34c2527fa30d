"""Bad input: one clear line naming file, line, field and expectation; exit code 2; no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ppa.errors import PpaError
from ppa.workload import load_network
from ppa.spec import load_chip

BAD = Path(__file__).parent / "bad_inputs"

SPEC_CASES = {
    "typo_field.yaml": ("subarray.colums_per_adc", "did you mean 'columns_per_adc'", 3),
    "wrong_type.yaml": ("subarray.rows", "valid integer", 3),
    "negative_size.yaml": ("subarray.rows", "expected a whole number from 1 to 65,536", 3),
    "zero_size.yaml": ("adc.bits", "expected a whole number from 1 to 16", 3),
    "unknown_unit.yaml": ("device.read_pulse", "cannot read", 3),
    "wrong_dimension.yaml": ("device.read_pulse", "not a quantity in s", 3),
    "malformed.yaml": (None, "malformed YAML", 3),
    "node_out_of_range.yaml": ("technology.node", "between 7 nm and 130 nm", 3),
}
NETWORK_CASES = {
    "bad_network_shape.yaml": ("layers.2.in_features", "previous layer gives 4096 features", 6),
    "bad_network_field.yaml": ("layers.0.out_chanels", "unknown field", 4),
    "bad_network_negative.yaml": ("layers.0.out_channels", "expected a whole number >= 1", 4),
    "bad_network_kernel.yaml": ("layers.0.kernel", "does not fit", 4),
    "bad_network_activity.yaml": ("layers.0.input_activity", "expected a fraction between 0 and 1", 4),
    "bad_neurosim.csv": (None, "does not follow from the previous layer", 2),
}


CASES = [(load_chip, name, *SPEC_CASES[name]) for name in sorted(SPEC_CASES)] + \
        [(load_network, name, *NETWORK_CASES[name]) for name in sorted(NETWORK_CASES)]


@pytest.mark.parametrize("loader,name,field,text,line", CASES, ids=[c[1] for c in CASES])
def test_bad_input_names_file_line_field(loader, name, field, text, line):
    with pytest.raises(PpaError) as err:
        loader(BAD / name)
    msg = str(err.value)
    assert name in msg and f":{line}:" in msg and text in msg
    if field:
        assert err.value.field == field


@pytest.mark.parametrize("args", [
    ["estimate", "networks/vgg8.yaml", "--hw", str(BAD / "typo_field.yaml")],
    ["estimate", str(BAD / "bad_network_shape.yaml")],
    ["estimate", "networks/vgg8.yaml", "--hw", "dw_40mn"],
    ["estimate", "networks/vgg8.yaml", "--hw", str(BAD / "too_few_tiles.yaml")],
    ["compare", "networks/vgg8.yaml", "--hw", "dw_40nm", "--hw", str(BAD / "negative_size.yaml")],
])
def test_cli_bad_input_one_line_exit_2(args):
    proc = subprocess.run([sys.executable, "-m", "ppa", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ppa: error: ")
    assert "Traceback" not in proc.stderr


def test_network_that_does_not_fit_names_the_field():
    chip = load_chip(BAD / "too_few_tiles.yaml")
    with pytest.raises(PpaError, match=r"too_few_tiles.yaml: hierarchy.tiles: VGG-8 needs \d+ tiles .* the chip has 8"):
        from ppa.cost.estimate import estimate

        estimate(load_network("networks/vgg8.yaml"), chip)
    big = chip.model_copy(update={"hierarchy": chip.hierarchy.model_copy(update={"tiles": 10_000})})
    from ppa.cost.estimate import estimate

    assert estimate(load_network("networks/vgg8.yaml"), big).area_m2["total"] > 0


def test_unknown_spec_name_suggests():
    with pytest.raises(PpaError, match="did you mean 'dw_40nm'"):
        load_chip("dw_40mn")


def test_extends_takes_a_shipped_name_when_no_file_is_beside_it(tmp_path):
    """`extends: dw_40nm` (a shipped name) works like `ppa estimate --hw dw_40nm`; a file beside the spec wins."""
    from ppa.spec import load_chip

    spec = tmp_path / "mine.yaml"
    spec.write_text("extends: dw_40nm\nname: mine\nsubarray: {rows: 64}\n")
    chip = load_chip(spec)
    assert chip.subarray.rows == 64 and chip.device.kind == "dw_mtj"
    (tmp_path / "dw_40nm.yaml").write_text("extends: sram_40nm\n")     # a local file of that name wins
    assert load_chip(spec).device.kind == "sram"
    (tmp_path / "other.yaml").write_text("extends: ../nowhere/dw_40nm.yaml\n")   # a path is never a shipped name
    with pytest.raises(PpaError, match="not found"):
        load_chip(tmp_path / "other.yaml")
