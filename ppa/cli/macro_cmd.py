"""`ppa macro`: one compute-in-memory macro without chip-level stages, at each published operating point."""

from __future__ import annotations

import json

import click

from ppa.cli._common import emit, format_option


@click.command("macro")
@click.argument("spec")
@format_option(choices=("table", "json", "markdown"))
def macro_cmd(spec, fmt):
    """TOPS/W, TOPS/mm^2, energy and latency per MVM, area and breakdowns of one macro (no buffers, routing or
    training hardware), at every operating point of the spec, beside the published values.

    \b
    SPEC is a `kind: macro` YAML file or a shipped name (hwspecs/macros/): jia_jssc2020, wang_vlsi2022,
    neurram_nature2022. Op convention: 1 MAC = 2 ops; `ops: 1b` specs count a Bx x Bw MAC as Bx*Bw 1-bit MACs
    (tops_per_w_1b is always given).
    Example: ppa macro wang_vlsi2022 --format markdown
    """
    from ppa.cost.macro import macro_report
    from ppa.report.tables import Column, render_table
    from ppa.spec import load_macro

    m = load_macro(spec)
    report = macro_report(m)
    if fmt == "json":
        return emit(json.dumps(report, indent=2) + "\n")
    rows = []
    for p in report["points"]:
        rows.append({"point": p["label"], "tops_per_w": p["tops_per_w"], "pub_w": p["published_tops_per_w"],
                     "err_w": p["error_tops_per_w"], "tops_per_mm2": p["tops_per_mm2"],
                     "pub_mm2": p["published_tops_per_mm2"], "err_mm2": p["error_tops_per_mm2"],
                     "energy": p["energy_per_mvm_j"], "latency": p["latency_per_mvm_s"], "area": p["area_m2"]})
    cols = [Column("point", "point", numeric=False), Column("tops_per_w", "TOPS/W"), Column("pub_w", "published"),
            Column("err_w", "error (rel.)"), Column("tops_per_mm2", "TOPS/mm^2"), Column("pub_mm2", "published"),
            Column("err_mm2", "error (rel.)"), Column("energy", "J/MVM"), Column("latency", "s/MVM"), Column("area", "area m^2")]
    parts = [render_table(rows, cols, fmt, title=f"{report['macro']}: {report['op_convention']}")]
    comps = sorted({k for p in report["points"] for k in p["energy_shares"]})
    shares = [{"point": p["label"], **{k: p["energy_shares"].get(k, 0.0) for k in comps}} for p in report["points"]]
    parts.append(render_table(shares, [Column("point", "point", numeric=False)] + [Column(k) for k in comps], fmt,
                              title="Energy shares by component"))
    acomps = sorted({k for p in report["points"] for k in p["area_breakdown_m2"]})
    areas = [{"point": p["label"], **{k: p["area_breakdown_m2"].get(k, 0.0) for k in acomps}} for p in report["points"]]
    parts.append(render_table(areas, [Column("point", "point", numeric=False)] + [Column(k) for k in acomps], fmt,
                              title="Area by component (m^2)"))
    emit("\n".join(parts))


def register(cli: click.Group) -> None:
    cli.add_command(macro_cmd)
