"""The import direction of docs/architecture.md: a stage imports only stages below it; nothing imports the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ppa"
#: stage -> the stages it may import (besides itself)
ALLOWED = {
    "errors": set(),
    "spec": {"errors"},
    "workload": {"errors", "spec"},
    "accuracy": {"errors", "spec"},
    "cost": {"errors", "spec", "workload"},
    "explore": {"errors", "spec", "workload", "cost", "accuracy"},
    "report": {"errors", "spec", "workload", "cost", "explore"},
    "cli": {"errors", "spec", "workload", "cost", "explore", "report", "accuracy"},
}


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "ppa" else None


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) == 1:          # ppa/__init__.py (lazy public API), __main__.py, errors.py
            continue
        yield rel.parts[0].removesuffix(".py"), path


@pytest.mark.parametrize("stage,path", list(_modules()), ids=lambda v: str(v).rsplit("ppa/", 1)[-1])
def test_imports_point_down_the_pipeline(stage, path):
    assert stage in ALLOWED, f"{stage}: a new subpackage needs its place in docs/architecture.md and ALLOWED"
    bad = [(line, mod) for line, mod in _imports(path)
           if (s := _stage(mod)) and s != stage and s not in ALLOWED[stage]]
    assert not bad, f"{path.relative_to(PACKAGE.parent)} imports against the pipeline: {bad}"


def test_the_check_sees_a_violation(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("from ppa.cli import main\n")
    assert [m for _, m in _imports(bad) if _stage(m) not in ALLOWED["cost"]] == ["ppa.cli"]


def test_no_flat_modules_left_beside_the_stages():
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "errors.py"]
