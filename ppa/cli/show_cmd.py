"""`ppa show SPEC`: a fully resolved hardware spec with units, and where each value came from."""

from __future__ import annotations

import json
import math

import click

from ppa.cli._common import emit


def _text(value) -> str:
    from ppa.report.tables import format_number

    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if value is None:
        return "-"
    return format_number(value)


def _json_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


@click.command("show")
@click.argument("spec")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format: one line per value, or one JSON object.")
def show_cmd(spec, fmt):
    """A hardware spec (file or shipped name) after `extends:`, every value in SI units with its source.

    \b
    Each line: the dotted field, the value in SI units, as written in the YAML, the file and line that set
    it (a base file for inherited values; 'default' when no file does), and that line's comment, which
    names the paper table, survey or calibration the number comes from. "[derived ...]" marks a value the
    spec computes from the written one (constants scaled to technology.node).
    Example: ppa show sram3b_40nm
    """
    from ppa.spec.provenance import display_path, provenance

    chip, entries = provenance(spec)
    source = display_path(getattr(chip, "_source_path", None)) or spec
    if fmt == "json":
        doc = {"spec": source, "name": getattr(chip, "name", None), "kind": getattr(chip, "kind", None),
               "values": [{**e.to_dict(), "value": _json_value(e.value)} for e in entries]}
        return emit(json.dumps(doc, indent=2) + "\n")
    rows = []
    for e in entries:
        value = _text(e.value) + (f" {e.unit}" if e.unit and e.value is not None else "")
        where = f"{e.file}:{e.line}" if e.file else "default"
        written = e.written if e.written and e.written != _text(e.value) else ""
        note = ("[derived from the value written there] " if e.derived else "") + (e.comment or "")
        rows.append((e.field, value, written, where, note))
    widths = [min(max(len(r[i]) for r in rows), cap) for i, cap in enumerate((40, 24, 24, 32))]
    lines = [f"{getattr(chip, 'name', spec)} ({source}), after extends:"]
    for r in [("field", "value (SI)", "as written", "set at", "source")] + rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + ("  # " + r[4] if r[4] else ""))
    emit("\n".join(line.rstrip() for line in lines) + "\n")


def register(cli: click.Group) -> None:
    cli.add_command(show_cmd)
