"""`ppa report`: paper-comparison and sweep reports rendered from reports/templates/ (Markdown, HTML, LaTeX)."""

from __future__ import annotations

import click

KINDS = ("dw_vs_sram", "pmac_vs_trng", "sweep", "sensitivity")
FORMATS = ("markdown", "html", "latex")


@click.command("report")
@click.argument("kind", type=click.Choice(KINDS))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="markdown", show_default=True,
              help="Markdown tables, self-contained HTML (tables plus inline SVG plots), or LaTeX booktabs tables.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), default=None,
              help="File to write (default reports/KIND.md|.html|.tex); '-' prints to standard output.")
@click.option("--results", type=click.Path(dir_okay=False), default=None,
              help="Sweep results (.csv or .parquet, as written by `ppa sweep`); required for KIND sweep.")
def report_cmd(kind, fmt, output, results):
    """Render a report comparing our estimates with the papers' own numbers.

    \b
    KIND:
      dw_vs_sram     Dhull et al. Tables III-VI: VGG-8 training on the shipped dw_40nm, sram_40nm and
                     sram3b_40nm specs next to the paper's numbers, with relative errors; per-layer
                     stacked bars (HTML); the 3-bit SRAM ratios and the known disagreement.
      pmac_vs_trng   SAND2022-13142 Fig. 3-8A: energy per probabilistic MAC vs N against the CMOS TRNG
                     line, the paper's claims checked, and BNN prediction cost on three networks.
      sweep          A design-space sweep: Pareto scatter (energy vs area) and the table of Pareto points.
      sensitivity    What moves VGG-8 training on dw_40nm: tornado of the uncertain constants, Sobol
                     indices, elasticities (other networks/specs: `ppa sensitivity NET --hw SPEC --report F`).

    The file is written whole (temp file, then rename): a failure never leaves a partial report.
    \b
    Examples:
      ppa report dw_vs_sram --format html             writes reports/dw_vs_sram.html
      ppa report pmac_vs_trng --format latex -o paper/pmac.tex
      ppa sweep grid.yaml -o sweep.csv && ppa report sweep --results sweep.csv --format html
    """
    from ppa.errors import PpaError
    from ppa.report.documents import build_context, default_output, render, write_atomic

    if kind == "sweep" and results is None:
        raise click.UsageError("the sweep report needs --results (a table written by `ppa sweep`)")
    if kind != "sweep" and results is not None:
        raise click.UsageError(f"--results applies only to the sweep report, not {kind}")
    from ppa.spec.files import check_writable

    target = output if output not in (None, "-") else (None if output == "-" else default_output(kind, fmt))
    if target is not None:
        check_writable(target, "report", [results])        # before the (slow) rendering
    text = render(kind, fmt, build_context(kind, results))
    if output == "-":
        from ppa.cli._common import emit

        return emit(text)
    try:
        path = write_atomic(text, target, [results])
    except OSError as err:
        raise PpaError(f"cannot write the report: {err.strerror}", file=output or str(default_output(kind, fmt))) from None
    click.echo(f"wrote {path}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(report_cmd)
