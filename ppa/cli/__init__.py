"""The `ppa` command: a thin layer over the library (no library module imports this package).

Each command lives in a module of this package that exposes `register(cli)`; modules are discovered, so
adding a command never edits this file. Library imports happen inside the commands to keep start-up fast.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from ppa.errors import PpaError


class _Cli(click.Group):
    """Click group that turns PpaError (bad input) into one line on stderr and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PpaError as err:
            click.echo(f"ppa: error: {err}", err=True)
            sys.exit(2)
        except click.UsageError as err:          # a bad option value: one line too, with where to look
            where = f" (see '{err.ctx.command_path} --help')" if err.ctx is not None else ""
            click.echo(f"ppa: error: {PpaError(err.format_message())}{where}", err=True)
            sys.exit(2)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="ppa")
def main() -> None:
    """Estimate area, latency, energy and accuracy of spintronic in-memory-computing accelerators.

    \b
    Start with:
      ppa estimate networks/vgg8.yaml --mode training     per-layer table, DW-MTJ synapses
      ppa compare networks/vgg8.yaml                      DW vs SRAM, Dhull Table VI
      ppa pmac                                            energy per probabilistic MAC vs N
      ppa sweep networks/vgg8.yaml --grid hwspecs/grids/dse_example.yaml -o results.csv
      ppa report dw_vs_sram --format html                 paper comparison report
      ppa compare networks/vgg8.yaml --uncertainty 1000   Table VI with 90 % intervals on the ratios
      ppa sensitivity networks/vgg8.yaml --hw dw_40nm     which constants move the estimate (tornado)
      ppa accuracy qnn / ppa accuracy bnn                 accuracy the devices keep
      ppa accuracy mvm crossbar_balanced_8b --size 1024   analog MVM error and speed on a crossbar spec
    Hardware specs (--hw) are YAML files or the names of the shipped ones in hwspecs/.
    Every command has --help; bad input exits with status 2 and one line naming file, line and field.
    """


@main.group()
def accuracy() -> None:
    """Functional accuracy models (numpy): quantised DW-MTJ networks and Bayesian networks on Bayes-MTJs."""


for _info in pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_"):
        _module = importlib.import_module(f"{__name__}.{_info.name}")
        if hasattr(_module, "register"):
            _module.register(main)
