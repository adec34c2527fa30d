"""Fast start: `ppa --help` imports no heavy library, and `ppa estimate` only what pricing needs (no pandas,
matplotlib, pint, scikit-learn). Checked by the modules loaded, not by timing (benchmarks/bench_startup.py times it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "pydantic", "matplotlib", "pint", "sklearn", "jinja2", "numpy", "scipy", "rich", "onnx", "yaml")
PROBE = """
import json, sys
from ppa.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print("\\nLOADED " + json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def loaded(*args: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args), heavy=HEAVY)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.rsplit("LOADED ", 1)[1]))


def test_help_imports_no_heavy_library():
    assert loaded("--help") == set()


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_estimate_imports_only_what_pricing_needs(fmt):
    modules = loaded("estimate", "networks/vgg8.yaml", "--format", fmt)
    assert {"numpy", "pydantic", "yaml"} <= modules          # the probe sees the command's own imports
    assert not modules & {"pandas", "matplotlib", "pint", "sklearn", "scipy", "rich", "onnx"}


@pytest.mark.parametrize("text,unit", [("256 GB/s", "bit/s"), ("2 Gbit/s", "bit/s"), ("64 kB", "bit"), ("3 Mbit", "bit"),
                                       ("0.2 fF/um", "F/m"), ("90e10 A/m^2", "A/m^2"), ("2.0e-7 ohm*m", "ohm*m")])
def test_the_fast_unit_table_agrees_with_pint(text, unit):
    """Shipped specs parse their units without pint (0.2 s to import); the small table must say what pint says."""
    from ppa.spec.units import _parse_with_pint, _simple_unit, to_si

    assert _simple_unit(text.split(" ", 1)[1]) is not None          # the fast path takes it
    assert to_si(text, unit) == pytest.approx(_parse_with_pint(text, unit), rel=1e-12)
