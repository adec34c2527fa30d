"""`ppa calibration`: every calibrated constant with the table it was fitted to, and the calibration checks."""

from __future__ import annotations

import json

import click

from ppa.cli._common import emit, format_option


@click.command("calibration")
@click.option("--check/--no-check", default=True, show_default=True,
              help="Also evaluate the calibration bounds on VGG-8 training (Dhull Tables III-VI).")
@format_option()
def calibration_cmd(check, fmt):
    """List every calibrated constant of the shipped specs with the paper table it was fitted to.

    \b
    Constants are read from the specs' own comments ("calibrated to Table ..."), so this list and the
    hwspecs/ files cannot drift apart. With --check (the default), the bounds of the calibration are
    evaluated too: Table VI totals within 10 %, SRAM/DW ratios within 5 %, category shares within 5 points
    of Tables III/IV, per-layer energy within 30 % of Table IV.
    Example:
      ppa calibration --format markdown
    """
    from ppa.explore.calibration import calibrated_constants, calibration_checks
    from ppa.report.tables import Column, render_table

    constants = calibrated_constants()
    checks = calibration_checks() if check else []
    if fmt == "json":
        return emit(json.dumps({"constants": constants, "checks": checks}, indent=2, default=bool) + "\n")
    parts = [render_table(constants, [Column("file", numeric=False), Column("field", numeric=False),
                                      Column("value", numeric=False), Column("fitted_to", "fitted to", numeric=False)],
                          fmt, title="Calibrated constants of the shipped specs")]
    if checks:
        records = [{**c, "ok": "yes" if c["ok"] else "NO"} for c in checks]
        parts.append(render_table(records, [Column("check", numeric=False), Column("ours"), Column("paper"),
                                            Column("error"), Column("bound"), Column("ok", numeric=False)],
                                  fmt, title="Calibration checks (VGG-8 training, per epoch of 50,000 images)",
                                  notes=["error: relative for totals, ratios and layers; points for shares. The five "
                                         "categories leave out buffer (incl. the weight-gradient unit's operand staging, "
                                         "as NeuroSim V2.1 reports it), interconnect, off-chip and leakage "
                                         "(docs/cost_model.md)."]
                                  if fmt == "table" else []))
    emit(("\n" if fmt in ("table", "markdown", "latex") else "").join(parts))


def register(cli: click.Group) -> None:
    cli.add_command(calibration_cmd)
