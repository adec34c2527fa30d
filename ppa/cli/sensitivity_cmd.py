"""`ppa sensitivity`: which constants move a design's energy, latency and area (elasticities, Sobol, tornado)."""

from __future__ import annotations

import click

from ppa.cli._common import emit, format_option, to_json


@click.command("sensitivity")
@click.argument("network", type=click.Path(dir_okay=False))
@click.option("--hw", default="dw_40nm", show_default=True, help="Hardware spec: a YAML file or a shipped name.")
@click.option("--mode", type=click.Choice(["inference", "training"]), default="training", show_default=True)
@click.option("--uncertainty", "samples", type=click.IntRange(10, 10_000_000), default=1000, show_default=True, metavar="N",
              help="Monte Carlo samples of the spec's uncertain values for the Sobol indices.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Seed of the Monte Carlo draws.")
@click.option("--all", "show_all", is_flag=True, help="List every numeric field, also those without effect.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the report with the tornado plot: .html (with the plot), .md or .tex.")
@format_option()
def sensitivity_cmd(network, hw, mode, samples, seed, show_all, report_path, fmt):
    """Which inputs move the estimate of NETWORK on one design.

    \b
    For every numeric field: the elasticity d ln y / d ln x of total energy, latency (per image) and chip
    area. For every uncertain field (the spreads in hwspecs/): the first-order Sobol index of each output from
    N Monte Carlo samples, and the tornado swing (the field alone at its 5th and 95th percentile).
    \b
    Examples:
      ppa sensitivity networks/vgg8.yaml --hw dw_40nm --report reports/sensitivity_dw.html
      ppa sensitivity networks/vgg8.yaml --hw sram_40nm --format json
    """
    from ppa.explore.sensitivity import OUTPUTS, sensitivity
    from ppa.report.tables import Column, render_table
    from ppa.spec import load_chip
    from ppa.workload import load_network

    result = sensitivity(load_network(network), load_chip(hw), mode, samples, seed)
    if report_path is not None:
        from ppa.errors import PpaError
        from ppa.report.documents import render, sensitivity_context, write_atomic

        kinds = {".html": "html", ".md": "markdown", ".tex": "latex"}
        suffix = report_path[report_path.rfind("."):].lower() if "." in report_path else ""
        if suffix not in kinds:
            raise click.UsageError("--report must end in .html, .md or .tex")
        text = render("sensitivity", kinds[suffix], sensitivity_context(result=result))
        try:
            write_atomic(text, report_path, [network, hw])
        except OSError as err:
            raise PpaError(f"cannot write the report: {err.strerror}", file=report_path) from None
        click.echo(f"wrote {report_path}", err=True)
    if fmt == "json":
        return emit(to_json(result.to_dict(), missing_as_null=True))
    t = result.table
    if not show_all:
        effect = t[[f"elasticity_{q}" for q in OUTPUTS]].abs().max(axis=1).fillna(0) > 1e-9
        t = t[effect | t["uncertain"]]
    t = t.assign(_k=t["sobol_energy_j"].fillna(-1.0), _e=t["elasticity_energy_j"].abs().fillna(0.0))
    t = t.sort_values(["uncertain", "_k", "_e"], ascending=False, kind="stable")
    records = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()} for r in t.to_dict("records")]
    cols = [Column("field", numeric=False), Column("value"), Column("distribution", numeric=False)]
    cols += [Column(f"elasticity_{q}", f"e {q.split('_')[0]}") for q in OUTPUTS]
    cols += [Column(f"sobol_{q}", f"S1 {q.split('_')[0]}") for q in OUTPUTS]
    cols += [Column(f"{side}_{q}", f"{q.split('_')[0]} at p{5 if side == 'low' else 95}") for q in OUTPUTS for side in ("low", "high")]
    if fmt not in ("csv",):
        cols = cols[:9]
    nominal = ", ".join(f"{q.split('_')[0]} {v:.4g}" for q, v in result.nominal.items())
    title = (f"Sensitivity of {result.hardware} ({result.network}, {mode}; nominal {nominal}); "
             f"e = d ln y / d ln x, S1 = first-order Sobol index over {samples:,} samples (seed {seed})")
    notes = ["Uncertain fields first, by S1 of energy; then the other fields with an effect, by |elasticity of energy|. "
             "Integer fields take the arc elasticity over x - 1, x + 1."] if fmt == "table" else []
    emit(render_table(records, cols, fmt, title=title, notes=notes))


def register(cli: click.Group) -> None:
    cli.add_command(sensitivity_cmd)
