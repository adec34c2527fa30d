"""Jinja-rendered tables: one row structure, many formats (terminal, Markdown, LaTeX/booktabs, CSV, JSON).

The library hands over plain records; this module only formats them. Numbers keep four significant
digits in human formats and full precision in CSV/JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    import jinja2

from ppa.errors import PpaError

FORMATS = ("table", "csv", "json", "markdown", "latex")


@dataclass(frozen=True)
class Column:
    """A table column: record key, printed label, and whether it holds numbers (right-aligned)."""

    key: str
    label: str | None = None
    numeric: bool = True

    @property
    def title(self) -> str:
        return self.label or self.key

    @property
    def latex_align(self) -> str:
        return "r" if self.numeric else "l"


def format_number(value: Any, digits: int = 4) -> str:
    """Human form of a number: 4 significant digits, engineering-style exponent for very large or small."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if math.isnan(value):
        return "nan"
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e5:
        return f"{value:.{digits}g}"
    return f"{value:.{digits - 1}e}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MARKDOWN_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_",
                     "[": "\\[", "]": "\\]", "|": "\\|", "#": "\\#", "~": "\\~", "!": "\\!"}


def strip_controls(text: Any) -> str:
    """Text with control characters (escape sequences, newlines, NUL, C1) replaced by spaces: safe on a terminal."""
    return _CONTROL.sub(" ", str(text))


def markdown_escape(text: Any) -> str:
    """Text shown literally in Markdown (also inside a table cell): HTML-special characters as entities, Markdown
    punctuation backslash-escaped, control characters removed."""
    return "".join(_MARKDOWN_SPECIAL.get(ch, ch) for ch in strip_controls(text))


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#", "$": r"\$",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _latex_escape(text: Any) -> str:
    """Escape LaTeX's special characters, one character at a time (so replacements are not re-escaped)."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in strip_controls(text))


def to_json(data: Any, indent: int | None = 2, missing_as_null: bool = False) -> str:
    """JSON text of `data` with no NaN or Infinity (they are not JSON): a non-finite number is a PpaError naming it;
    with `missing_as_null`, NaN marks a value that does not apply and is written as null (infinity still fails)."""
    if missing_as_null:
        data = _nan_to_none(data)
    try:
        return json.dumps(data, indent=indent, allow_nan=False) + "\n"
    except ValueError:
        raise PpaError(f"a result is not finite (NaN or infinity); JSON cannot carry it",
                       field=_non_finite_path(data) or None) from None


def _nan_to_none(data: Any) -> Any:
    if isinstance(data, float) and math.isnan(data):
        return None
    if isinstance(data, dict):
        return {k: _nan_to_none(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_nan_to_none(v) for v in data]
    return data


def _non_finite_path(data: Any, path: str = "") -> str | None:
    if isinstance(data, float) and not math.isfinite(data):
        return path or "the top level"
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, (list, tuple)) else ()
    for key, value in items:
        found = _non_finite_path(value, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


@lru_cache(maxsize=1)
def environment() -> "jinja2.Environment":
    """The Jinja environment for the package's own table templates (jinja2 imported on first use)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ppa.report", "templates"),
        keep_trailing_newline=True,
        trim_blocks=False,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["latex"] = _latex_escape
    env.filters["md"] = markdown_escape
    return env


def render_table(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str = "table",
    title: str | None = None,
    notes: Iterable[str] = (),
) -> str:
    """Render records (dicts) as one table in `fmt` (one of FORMATS)."""
    notes = list(notes)
    if fmt == "json":
        return to_json([{c.key: r.get(c.key) for c in columns} for r in records])
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([strip_controls(c.key) for c in columns])
        for r in records:
            writer.writerow([strip_controls(v) if isinstance(v, str) else v for v in (r.get(c.key) for c in columns)])
        return buf.getvalue()
    cells = [[strip_controls(format_number(r.get(c.key))) for c in columns] for r in records]
    labelled = [{"label": strip_controls(c.title), "numeric": c.numeric, "latex_align": c.latex_align} for c in columns]
    title = strip_controls(title) if title is not None else None
    notes = [strip_controls(n) for n in notes]
    if fmt == "markdown":
        cells = [[markdown_escape(c) for c in row] for row in cells]
        labelled = [{**c, "label": markdown_escape(c["label"])} for c in labelled]
        title = markdown_escape(title) if title is not None else None
        return environment().get_template("table.md.j2").render(title=title, columns=labelled, cells=cells, notes=notes)
    if fmt == "latex":
        return environment().get_template("table.tex.j2").render(title=title, columns=labelled, cells=cells, notes=notes)
    if fmt == "table":
        widths = [max([len(c.title)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]

        def line(values: Sequence[str]) -> str:
            return "  ".join(v.rjust(w) if c.numeric else v.ljust(w) for v, w, c in zip(values, widths, columns)).rstrip()

        return environment().get_template("table.txt.j2").render(
            title=title,
            header=line([c.title for c in columns]),
            rule="  ".join("-" * w for w in widths),
            lines=[line(row) for row in cells],
            notes=notes,
        )
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
