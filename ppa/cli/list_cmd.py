"""`ppa list`: the shipped hardware specs, networks and sweep grids, one line each."""

from __future__ import annotations

import json
import math

import click

from ppa.cli._common import emit


def _describe(path, kind: str) -> dict:
    """Name, path and a one-line description of a shipped file, read from its YAML (never validated here)."""
    from ppa.errors import PpaError
    from ppa.spec.provenance import display_path
    from ppa.spec.yamlio import read_yaml, resolve_extends

    entry = {"name": path.stem, "path": display_path(str(path)), "kind": kind, "description": ""}
    if path.suffix.lower() not in (".yaml", ".yml"):
        entry["description"] = f"{path.suffix.lstrip('.').upper()} network"
        return entry
    try:
        doc = read_yaml(path)
        data = resolve_extends(doc).data if kind == "spec" and isinstance(doc.data, dict) else doc.data   # inherited device kind
    except PpaError as err:
        entry["description"] = f"(unreadable: {err.message})"
        return entry
    data = data if isinstance(data, dict) else {}
    if kind == "spec":
        if "device" in data or "kind" in data or "extends" in data:
            device = data.get("device")
            if data.get("kind", "imc") != "imc":
                entry["spec_kind"] = str(data.get("kind"))          # e.g. crossbar: the analog-MVM accuracy model's spec
            else:
                entry["spec_kind"] = str(device.get("kind", "?")) if isinstance(device, dict) else "?"
            label, text = data.get("name", ""), data.get("description", "")
            entry["description"] = f"{label}: {text}" if label and text else str(label or text)
        else:
            entry["spec_kind"] = "technology"
            entry["description"] = f"technology constants {data.get('name', '')} (a section other specs extend)".replace("  ", " ")
    elif kind == "network":
        layers = data.get("layers")
        count = len(layers) if isinstance(layers, list) else 0
        entry["layers"] = count
        bits = [str(data.get("name", "")), str(data.get("dataset", "")), f"{count} layers"]
        entry["description"] = ", ".join(b for b in bits if b)
    else:
        sizes = [len(v) for v in data.values() if isinstance(v, list)]
        entry["points"] = math.prod(sizes) if sizes else 0
        entry["description"] = f"{entry['points']} design points over {', '.join(map(str, data))}"
    return entry


def catalogue() -> dict[str, list[dict]]:
    """Every shipped file by kind: specs (hwspecs/), networks (networks/), grids (hwspecs/grids/), macros (hwspecs/macros/)."""
    from ppa.spec.shipped import shipped_files

    return {
        "specs": [_describe(p, "spec") for p in shipped_files("hwspecs")],
        "networks": [_describe(p, "network") for p in shipped_files("networks")],
        "grids": [_describe(p, "grid") for p in shipped_files("hwspecs/grids")],
        "macros": [_describe(p, "spec") for p in shipped_files("hwspecs/macros")],
    }


_HEADINGS = {"specs": "Hardware specs (--hw NAME, ppa show NAME)", "networks": "Networks (ppa estimate NAME)",
             "grids": "Sweep grids (ppa sweep NETWORK --grid NAME)", "macros": "Published macros (ppa macro NAME, ppa show NAME)"}


@click.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format: one line per file, or one JSON object.")
def list_cmd(fmt):
    """The shipped hardware specs, networks, sweep grids and macros, one line each; use them by name."""
    found = catalogue()
    if fmt == "json":
        return emit(json.dumps(found, indent=2) + "\n")
    width = max((len(e["name"]) for entries in found.values() for e in entries), default=0)
    parts = []
    for key, entries in found.items():
        parts.append(_HEADINGS[key])
        for e in entries:
            tag = f"[{e['spec_kind']}] " if "spec_kind" in e else ""
            parts.append(f"  {e['name'].ljust(width)}  {tag}{e['description']}".rstrip())
        if not entries:
            parts.append("  (none)")
    emit("\n".join(parts) + "\n")


def register(cli: click.Group) -> None:
    cli.add_command(list_cmd)
