"""Where every value of a resolved spec came from: the file and line that set it and that line's source comment.

`ppa show SPEC` prints this. Values are taken from the validated model (SI floats, after `extends:` and unit
conversion); the place from the YAML line table that `ppa.spec.yamlio` keeps while reading; the comment from
the text of that line (every constant in hwspecs/ names its paper, table, survey or calibration there).
Fields a file does not set show their schema default, with `file` None; `derived` marks a value the model
computed from the written one (constants scaled to `technology.node`).
"""

from __future__ import annotations

import math
import os
import typing
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ppa.spec.load import load_chip, resolve_spec_path
from ppa.spec.yamlio import Document, read_yaml, resolve_extends


@dataclass(frozen=True)
class Provenance:
    """One value of a resolved spec: dotted field, SI value and unit, the text as written, and its source."""

    field: str
    value: Any
    unit: str | None
    written: str | None
    file: str | None
    line: int | None
    comment: str | None
    derived: bool = False     # the value is not the one written there (scaled to `technology.node`, say)

    def to_dict(self) -> dict:
        return asdict(self)


def _unit(annotation: Any, metadata: list) -> str | None:
    """The SI unit of a field declared with a `ppa.spec.units` quantity type (lists: of their items)."""
    for m in metadata:
        unit = getattr(getattr(m, "func", None), "unit", None)
        if unit:
            return unit
    if typing.get_origin(annotation) is typing.Annotated:
        args = typing.get_args(annotation)
        return _unit(args[0], list(args[1:]))
    for arg in typing.get_args(annotation):
        unit = _unit(arg, [])
        if unit:
            return unit
    return None


@lru_cache(maxsize=64)
def _file_lines(path: str) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return ()


def _split_comment(text: str) -> tuple[str, str | None]:
    """(code, comment) of one YAML line: the first '#' outside quotes that starts the line or follows a blank."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip(), text[i + 1:].strip() or None
    return text.rstrip(), None


def comment_at(path: str, line: int) -> str | None:
    """The source comment written on one YAML line (the text after '#'), or None."""
    lines = _file_lines(path)
    if not 1 <= line <= len(lines):
        return None
    return _split_comment(lines[line - 1])[1]


def _written(path: str, line: int) -> str | None:
    """The value as written on a `key: value` YAML line (None for a key that opens a block)."""
    lines = _file_lines(path)
    if not 1 <= line <= len(lines):
        return None
    code, _ = _split_comment(lines[line - 1])
    _, sep, value = code.partition(":")
    value = value.strip()
    if not sep:
        return code.strip().lstrip("-").strip() or None
    return value or None


def display_path(path: str | None) -> str | None:
    """A path relative to the working directory when below it, else as given."""
    if path is None:
        return None
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd().resolve()) else path
    except (OSError, ValueError):
        return path


def _raw(data: Any, loc: tuple) -> Any:
    """The value at a key path of plain YAML data, or None."""
    for key in loc:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _derived(value: Any, raw: Any, unit: str | None) -> bool:
    """True when the model holds another value than the one written (node scaling, names with the node)."""
    from ppa.spec.units import to_si

    if raw is None or isinstance(value, (bool, list, dict)) or isinstance(raw, (bool, list, dict)):
        return False
    try:
        if isinstance(value, (int, float)):
            written = to_si(raw, unit) if unit else float(raw)
            return not math.isclose(written, float(value), rel_tol=1e-9)
    except (ValueError, TypeError):   # F^2 areas need the written-for feature size: not compared
        return False
    return isinstance(value, str) and str(raw) != value


def _walk(model: BaseModel, doc: Document, prefix: tuple) -> list[Provenance]:
    out: list[Provenance] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        loc = prefix + (name,)
        items = value if isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value) else None
        if isinstance(value, BaseModel):
            out.extend(_walk(value, doc, loc))
            continue
        if items is not None:
            for i, item in enumerate(items):
                out.extend(_walk(item, doc, loc + (i,)))
            continue
        file, line = doc.lines.get(loc, (None, None))
        unit = _unit(info.annotation, list(info.metadata))
        out.append(Provenance(
            field=".".join(map(str, loc)), value=value, unit=unit,
            written=_written(file, line) if file else None, file=display_path(file), line=line,
            comment=comment_at(file, line) if file else (info.description or None),
            derived=bool(file) and _derived(value, _raw(doc.data, loc), unit)))
    return out


def _leaves(value: Any, loc: tuple):
    """(key path, value) of every scalar or list of scalars in plain YAML data."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, loc + (k,))
    elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        for i, v in enumerate(value):
            yield from _leaves(v, loc + (i,))
    else:
        yield loc, value


def _unmodelled(doc: Document, modelled: set[str]) -> list[Provenance]:
    """Values the files set that the model does not hold as fields (e.g. `uncertainty:` spreads), as written."""
    out = []
    for loc, value in _leaves(doc.data, ()):
        dotted = ".".join(map(str, loc))
        if dotted in modelled or loc in (("extends",),) or not loc:
            continue
        file, line = doc.lines.get(loc, (None, None))
        out.append(Provenance(field=dotted, value=value, unit=None, written=_written(file, line) if file else None,
                              file=display_path(file), line=line, comment=comment_at(file, line) if file else None))
    return out


def provenance(name: str | Path) -> tuple[Any, list[Provenance]]:
    """The validated spec (file path or shipped name) and the provenance of each of its values, in schema order,
    then the values the files set outside the model's fields (such as `uncertainty:` spreads), as written."""
    if not Path(name).exists():   # a shipped name: a chip or crossbar in hwspecs/, else a macro in hwspecs/macros/
        from ppa.spec.shipped import find_shipped

        if find_shipped(name, "hwspecs") is None:
            name = find_shipped(name, "hwspecs/macros") or name
    doc = resolve_extends(read_yaml(resolve_spec_path(name)))
    kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
    if kind == "crossbar":   # the analog-MVM accuracy model's spec
        from ppa.spec.crossbar import load_crossbar

        spec = load_crossbar(name)
    elif kind == "macro":    # one published macro (`ppa macro`)
        from ppa.spec.load import load_macro

        spec = load_macro(name)
    else:
        spec = load_chip(name)
    entries = _walk(spec, doc, ())
    return spec, entries + _unmodelled(doc, {e.field for e in entries})
