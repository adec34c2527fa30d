"""`ppa pmac`: energy per probabilistic MAC vs array size (SAND2022-13142 Fig. 3-8A), and BNN prediction cost."""

from __future__ import annotations


import click

from ppa.cli._common import emit, format_option, to_json

DEFAULT_SIZES = "8,16,32,64,128,256,512,1024"


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated whole numbers, got {text!r}") from None
    if not sizes or min(sizes) < 1 or max(sizes) > 65536:
        raise click.BadParameter("array sizes must be whole numbers from 1 to 65536")
    return sizes


@click.command("pmac")
@click.option("--hw", default="pmac_40nm", show_default=True, help="Probabilistic-MAC chip (device kind bayes_dw_pair).")
@click.option("--sizes", default=DEFAULT_SIZES, show_default=True, help="Array sizes N of the N x N MVM.")
@format_option()
def pmac_cmd(hw, sizes, fmt):
    """Energy per probabilistic MAC of an N x N MVM vs N, against a CMOS true RNG (Fig. 3-8A).

    \b
    One curve per resistance case of the spec (main spec plus its `variants`), with the breakdown
    into cells, current conveyor, DAC and ADC, plus latency per MVM and array area; the CMOS line
    is a 4-bit TRNG value (1.6 pJ/bit, Bae et al.) and a 4-bit multiply per MAC.
    Example: ppa pmac --sizes 8,64,512,1024 --format markdown
    """
    from ppa.cost.pmac import energy_per_mac_curves
    from ppa.report.tables import Column, render_table
    from ppa.spec import load_chip

    n = _sizes(sizes)
    spec = load_chip(hw)
    curves = energy_per_mac_curves(spec, n)
    if fmt == "json":
        return emit(to_json({"sizes": n, "curves": curves}))
    cmos = next(c for c in curves if c["kind"] == "cmos_trng")["energy_per_mac_j"]
    records = []
    for i, size in enumerate(n):
        row = {"N": size}
        for c in curves:
            row[c["name"]] = c["energy_per_mac_j"][i]
        for c in curves:
            if c["kind"] == "spintronic":
                row[f"TRNG / {c['name']}"] = cmos[i] / c["energy_per_mac_j"][i]
        records.append(row)
    cols = [Column("N")] + [Column(k, f"{k} (J/MAC)" if not k.startswith("TRNG /") else f"{k} (x)") for k in records[0] if k != "N"]
    parts = [render_table(records, cols, fmt, title="Energy per probabilistic MAC vs N (SAND2022-13142 Fig. 3-8A)")]
    for c in curves:
        if c["kind"] != "spintronic":
            continue
        br = [{"N": size, **{k: v[i] for k, v in c["breakdown"].items()}, "latency_per_mvm_s": c["latency_per_mvm_s"][i],
               "area_m2": c["area_m2"][i]} for i, size in enumerate(n)]
        bcols = [Column("N")] + [Column(k, f"{k} (J/MAC)") for k in c["breakdown"]] + [Column("latency_per_mvm_s", "MVM latency (s)"), Column("area_m2", "array area (m^2)")]
        parts.append(render_table(br, bcols, fmt, title=f"Breakdown: {c['name']}"))
    emit(("\n" if fmt in ("table", "markdown", "latex") else "").join(parts))


def emit_bnn_estimate(net, spec, samples: int, fmt: str, mu_bits: int | None = None) -> None:
    """Render the cost of one BNN prediction (used by `ppa estimate --hw <probabilistic chip> --samples S`)."""
    from ppa.cost.pmac import bnn_prediction_cost
    from ppa.report.tables import Column, render_table

    cost = bnn_prediction_cost(net, spec, samples, mu_bits)
    if fmt == "json":
        return emit(to_json({"network": cost.network, "hardware": cost.hardware, "samples": samples, "mu_bits": cost.mu_bits,
                                "designs": cost.rows, "layers": cost.layers}))
    base = cost.rows[0]["energy_j"]
    records = [{**r, "energy_vs_spintronic": r["energy_j"] / base} for r in cost.rows]
    cols = [Column("label", "design", numeric=False), Column("energy_j", "energy / prediction (J)"),
            Column("latency_s", "latency / prediction (s)"), Column("energy_vs_spintronic", "energy x")]
    emit(render_table(records, cols, fmt, title=f"One prediction of {cost.network}, {samples} samples, {cost.mu_bits}-bit means"))


def register(cli: click.Group) -> None:
    cli.add_command(pmac_cmd)
