"""A built wheel, installed in a fresh venv, works from any folder: shipped specs, networks, grids and templates.

The wheel is built from a copy of the checkout without build isolation (nothing downloaded; needs setuptools>=77,
which the `test` extra installs). The venv gets no packages of its own besides the wheel: a .pth file lends it
this interpreter's site-packages for the dependencies only (a .pth line adds a folder but runs none of that
folder's .pth files, so an editable install of ppa there stays invisible). Every command runs from an empty
temporary folder with PYTHONPATH unset, and each result is checked against the same call in this checkout.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from ppa.cost.estimate import estimate
from ppa.spec import load_chip
from ppa.workload import load_network

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
                              "*.parts", "reports", "examples", "benchmarks", "tests", ".ipynb_checkpoints")


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A venv holding only the freshly built ppa wheel (its dependencies lent by a .pth file)."""
    base = tmp_path_factory.mktemp("wheel")
    src, dist, env = base / "src", base / "dist", base / "venv"
    shutil.copytree(ROOT, src, symlinks=True, ignore=SKIP)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(dist),
                    str(src)], check=True, cwd=base)
    wheel = next(dist.glob("ppa-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_host_site_packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True)
    return env


@pytest.fixture()
def elsewhere(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def run(venv: Path, cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr}"
    return done.stdout


def test_wheel_holds_the_shipped_files_not_the_checkout(venv, elsewhere):
    where, name = json.loads(run(venv, elsewhere, "python", "-c",
                                 "import json, ppa; print(json.dumps([ppa.__file__, ppa.load_chip('dw_40nm').name]))"))
    assert Path(where).is_relative_to(venv) and not Path(where).is_relative_to(ROOT)
    assert name == load_chip("dw_40nm").name
    listed = json.loads(run(venv, elsewhere, "ppa", "list", "--format", "json"))
    assert [e["name"] for e in listed["specs"]] == sorted(p.stem for p in (ROOT / "hwspecs").glob("*.yaml"))
    assert [e["name"] for e in listed["networks"]] == sorted(p.stem for p in (ROOT / "networks").iterdir() if p.is_file())
    assert [e["name"] for e in listed["grids"]] == sorted(p.stem for p in (ROOT / "hwspecs" / "grids").glob("*.yaml"))
    shown = {v["field"]: v for v in json.loads(run(venv, elsewhere, "ppa", "show", "dw_40nm", "--format", "json"))["values"]}
    assert "ITRS" in shown["technology.vdd"]["comment"]      # the source comments travel with the files


def test_estimate_and_compare_by_shipped_name(venv, elsewhere):
    got = json.loads(run(venv, elsewhere, "ppa", "estimate", "vgg8", "--hw", "dw_40nm", "--format", "json"))
    want = estimate(load_network(ROOT / "networks" / "vgg8.yaml"), load_chip("dw_40nm")).to_dict()
    assert got["network"] == want["network"] and got["hardware"] == want["hardware"]
    assert got["per_image"]["energy_j"]["total"] == pytest.approx(want["per_image"]["energy_j"]["total"], rel=1e-12)
    assert got["area_m2"]["total"] == pytest.approx(want["area_m2"]["total"], rel=1e-12)
    cmp = json.loads(run(venv, elsewhere, "ppa", "compare", "vgg8", "--format", "json"))
    assert [d["hardware"] for d in cmp["designs"]] == [load_chip(n).name for n in ("dw_40nm", "sram_40nm", "sram3b_40nm")]


def test_report_uses_the_installed_templates(venv, elsewhere):
    run(venv, elsewhere, "ppa", "report", "dw_vs_sram", "--format", "html", "-o", "r.html")
    html = (elsewhere / "r.html").read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "<svg" in html and "Table VI" in html


def test_sweep_with_a_shipped_grid(venv, elsewhere):
    run(venv, elsewhere, "ppa", "sweep", "vgg8", "--grid", "dse_example", "--no-progress", "-o", "s.csv")
    rows = list(csv.DictReader(io.StringIO((elsewhere / "s.csv").read_text())))
    assert 0 < len(rows) <= 2 * 3 * 4 * 5
    assert {r["device"] for r in rows} == {"dw_40nm", "sram3b_40nm"} and any(r["pareto"] == "True" for r in rows)
