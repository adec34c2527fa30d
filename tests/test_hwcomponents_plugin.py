"""The hwcomponents plug-in (plugins/hwcomponents-ppa) wraps components ppa's registry still has.

Its own tests need Python >= 3.12 and hwcomponents and run in CI through plugins/hwcomponents-ppa/ci_check.sh;
this check runs everywhere: every component the plug-in builds is registered in ppa, from a shipped spec."""

from __future__ import annotations

import ast
from pathlib import Path

from ppa.cost.components import registry
from ppa.spec import SHIPPED

PLUGIN = Path(__file__).resolve().parent.parent / "plugins" / "hwcomponents-ppa" / "hwcomponents_ppa" / "__init__.py"


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == name]


def test_plugin_wraps_registered_components_of_shipped_specs():
    tree = ast.parse(PLUGIN.read_text())
    wrapped = {c.args[0].value for c in _calls(tree, "component")}
    assert wrapped == {"dw_mtj_cell", "bayes_dw_pair_cell", "current_conveyor", "cmos_trng"}
    assert wrapped <= set(registry())
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    for cls in classes:
        init = next(f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
        hw = next(d for a, d in zip(init.args.args[-len(init.args.defaults):], init.args.defaults) if a.arg == "hw")
        assert (SHIPPED / f"{hw.value}.yaml").exists(), (cls.name, hw.value)
        actions = [f.name for f in cls.body if isinstance(f, ast.FunctionDef)
                   and any(getattr(d, "id", None) == "action" for d in f.decorator_list)]
        assert actions, f"{cls.name} declares no @action"
