"""Loading specs: a file path or a shipped name -> YAML with line numbers -> `extends:` resolved -> validated model.

Validation errors become one PpaError naming the file, the YAML line, the dotted field and what was expected.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ppa.errors import PpaError
from ppa.spec.chip import DEVICES, Chip
from ppa.spec.distributions import attach, resolve_distributions, split_distributions
from ppa.spec.files import check_path_argument
from ppa.spec.shipped import shipped_dir
from ppa.spec.yamlio import Document, read_yaml, resolve_extends

SHIPPED = shipped_dir("hwspecs")
#: device kinds by their `kind` tag (pydantic names union members by tag in error paths)
DEVICE_KINDS = {d.model_fields["kind"].annotation.__args__[0]: d for d in DEVICES}


def resolve_spec_path(name: str | Path) -> Path:
    """A spec file path, or the name of a shipped spec (`dw_40nm` -> hwspecs/dw_40nm.yaml)."""
    p = Path(name)
    if p.exists():
        return p
    for candidate in (SHIPPED / p, SHIPPED / f"{p}.yaml", SHIPPED / p.name):
        if candidate.exists():
            return candidate
    known = sorted(f.stem for f in SHIPPED.glob("*.yaml")) if SHIPPED.exists() else []
    import difflib

    close = difflib.get_close_matches(p.stem, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise PpaError(f"no such hardware spec (shipped: {', '.join(known)}){hint}", file=str(name))


def _pydantic_error(doc: Document, err: ValidationError, model: type[BaseModel] = Chip) -> PpaError:
    errors = err.errors()
    # a misspelt key shows up twice, as an unknown field and as the missing one it meant: name the typo
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    # drop pydantic's own steps from the path: the union tag (dw_mtj, sram) and validator wrappers ("function-after[...]")
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and (p in DEVICE_KINDS or "[" in p)))
    if not loc:                       # an unknown top-level key spelt like a tag (`dw_mtj:`) is the field itself
        loc = tuple(first["loc"][-1:]) or ("",)
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        parent = loc[:-1]
        allowed = _allowed_fields(doc, parent, model)
        import difflib

        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        msg = "unknown field" + (f"; did you mean {close[0]!r}?" if close else "") + (f" (expected one of: {', '.join(allowed)})" if allowed else "")
    elif first["type"] == "missing":
        msg = "required field is missing"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "input" in first and first["type"] not in ("missing", "extra_forbidden") and not isinstance(first["input"], (dict, list)):
        msg += f" (got {first['input']!r})"
    return doc.error(loc, msg)


def _allowed_fields(doc: Document, parent: tuple, model: type[BaseModel] = Chip) -> list[str]:
    for key in parent:
        if isinstance(key, int):
            return []
        field = model.model_fields.get(key)
        if field is None:
            return []
        ann = field.annotation
        if key == "device":
            kind = ((doc.data or {}).get("device") or {}).get("kind")
            ann = DEVICE_KINDS.get(kind)
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return []
        model = ann
    return sorted(model.model_fields)


def _validate(doc: Document, model: type[BaseModel]) -> Any:
    data = doc.data
    if not isinstance(data, dict):
        raise PpaError("expected a mapping of spec sections at the top level", file=str(doc.path))
    feature = None
    tech = data.get("technology")
    # F^2 is the feature size the numbers were written for (the node itself when none is inherited)
    key = "feature_size" if isinstance(tech, dict) and "feature_size" in tech else "node"
    if isinstance(tech, dict) and tech.get(key) is not None:
        from ppa.spec.units import to_si

        try:
            feature = to_si(tech[key], "m")
        except ValueError as exc:
            raise doc.error(("technology", key), str(exc)) from None
    context = {"feature_size": feature, "written_with_node": _written_with_node(doc)}
    try:
        return model.model_validate(data, context=context)
    except ValidationError as err:
        raise _pydantic_error(doc, err, model) from None
    except KeyError as err:   # a validator reading a field the file lacks (pydantic passes only ValueErrors on)
        raise PpaError(f"required field {err.args[0]!r} is missing (another field's check needs it)",
                       file=str(doc.path)) from None
    except (TypeError, AttributeError, IndexError) as err:   # a validator given a value of an unexpected shape
        raise PpaError(f"a field has a value of the wrong type or shape ({type(err).__name__}: {err})",
                       file=str(doc.path)) from None


def _written_with_node(doc: Document) -> set[tuple]:
    """Key paths written in the same file as `technology.node`: taken as given at that node, never rescaled."""
    where = doc.lines.get(("technology", "node"))
    if where is None:
        return set()
    return {loc for loc, (file, _) in doc.lines.items() if file == where[0]}


def load_chip(path: str | Path):
    """Load and validate a hardware spec (file path or shipped name) into a Chip, whatever its device kind.

    Uncertain values (`{value: 6.4 fJ, spread: 30 %}`, `uncertainty:` blocks) load as their nominal value;
    their distributions are recorded on the spec (`ppa.spec.distributions.distributions_of`)."""
    check_path_argument(path)
    doc = resolve_extends(read_yaml(resolve_spec_path(path)))
    kind = doc.data.get("kind", "imc") if isinstance(doc.data, dict) else None
    if kind == "pmac":
        raise doc.error(("kind",), "`kind: pmac` specs are now ordinary chips: a device of kind bayes_dw_pair, a "
                        "current_conveyor readout and a cmos_baseline section (see the shipped pmac_40nm.yaml)")
    if kind == "macro":
        raise doc.error(("kind",), "a `kind: macro` spec describes one published macro: use `ppa macro` / load_macro")
    if kind != "imc":
        raise doc.error(("kind",), f"unknown spec kind {kind!r}; expected 'imc'")
    doc, raw = split_distributions(doc)
    if raw:
        spec, dists = resolve_distributions(doc, raw, lambda d: _validate(d, Chip))
        attach(spec, dists)
    else:
        spec = _validate(doc, Chip)
    object.__setattr__(spec, "_source_path", str(doc.path))
    return spec


def chip_from_dict(data: dict, name: str = "<dict>") -> Chip:
    """Validate a spec already in memory (used by sweeps that override fields)."""
    doc = Document(data, Path(name))
    return _validate(doc, Chip)


def load_macro(path: str | Path):
    """Load and validate a macro spec (`kind: macro`; a file path or a shipped name under hwspecs/macros/)."""
    p = Path(path)
    if not p.exists() and (SHIPPED / "macros" / f"{p.stem}.yaml").exists():
        p = SHIPPED / "macros" / f"{p.stem}.yaml"
    doc = resolve_extends(read_yaml(resolve_spec_path(p)))
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    if kind != "macro":
        raise doc.error(("kind",), f"expected `kind: macro` (got {kind!r}); chips go to `ppa estimate`")
    from ppa.spec.macro import Macro

    spec = _validate(doc, Macro)
    object.__setattr__(spec, "_source_path", str(doc.path))
    if spec.cell.device is not None:
        _attach_cell_device(spec, doc)
    return spec


def load_cell_device(name: str, beside: Path | None = None):
    """A macro's `cell.device`: the named chip spec (a file beside the macro, or shipped) -> (the macro cell kind
    its device is read as, the device section, the feature size its F^2 areas were written for)."""
    from ppa.spec.macro import CELL_KIND_OF_DEVICE

    path = beside / name if beside is not None and (beside / name).is_file() else name
    chip = load_chip(path)
    kind = CELL_KIND_OF_DEVICE.get(chip.device.kind)
    if kind is None:
        raise PpaError(f"device kind {chip.device.kind!r} of {name!r} is not a resistive cell a macro can read "
                       f"(expected one of: {', '.join(CELL_KIND_OF_DEVICE)})", field="cell.device")
    return kind, chip.device, chip.technology.feature_size


def _attach_cell_device(spec, doc: Document) -> None:
    """`cell.device` at load time, so its errors name the macro file and line: the cell keeps the device section
    and feature size for the cost stage, and its kind follows the device's."""
    name = spec.cell.device
    try:
        kind, device, feature = load_cell_device(name, doc.path.parent)
    except PpaError as e:
        raise doc.error(("cell", "device"), f"cannot use device spec {name!r}: {e.message}") from None
    if spec.cell.kind is not None and spec.cell.kind != kind:
        raise doc.error(("cell", "kind"), f"cell.kind {spec.cell.kind!r} contradicts the device {name!r} "
                        f"(read as {kind!r})")
    object.__setattr__(spec.cell, "kind", kind)
    object.__setattr__(spec.cell, "_device", device)
    object.__setattr__(spec.cell, "_device_feature_size", feature)
