"""The `ppa` command: a thin layer over the library (no library module imports this package).

Each command lives in a module of this package that exposes `register(cli)`; modules are discovered, so
adding a command never edits this file. Discovery is lazy: `ppa estimate` imports the module named after the
command first (`estimate_cmd.py`) and the others only if the name is not found there, and every command
imports the library inside its function, so start-up pays only for click (`benchmarks/bench_startup.py`).
"""

from __future__ import annotations

import os
import pkgutil
import sys
from importlib import import_module

import click

from ppa.errors import PpaError


def _modules(package_path) -> list[str]:
    """Command modules of a package, without importing them (names not starting with '_')."""
    return [m.name for m in pkgutil.iter_modules(package_path) if not m.name.startswith("_")]


class _Cli(click.Group):
    """Click group that loads command modules on demand and turns errors into one line on stderr.

    Bad input (PpaError) exits with status 2, as does arithmetic that fails on values validation let through
    (a zero resistance). Anything else is a bug in ppa: one line saying so, status 1, and the traceback only when
    PPA_DEBUG is set.
    """

    def __init__(self, *args, package: str | None = None, package_path=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._package, self._pending = package, (_modules(package_path) if package_path is not None else [])

    def _load(self, module: str) -> None:
        mod = import_module(f"{self._package}.{module}")
        if module in self._pending:
            self._pending.remove(module)
            if hasattr(mod, "register"):
                mod.register(self)

    def get_command(self, ctx: click.Context, name: str):
        # the module named after the command first, then any other until the command is found
        for module in sorted(self._pending, key=lambda m: not m.startswith(name)):
            if name in self.commands:
                break
            self._load(module)
        command = super().get_command(ctx, name)
        if isinstance(command, click.Group):   # a group's subcommands may be added by any module
            self.list_commands(ctx)
        return command

    def list_commands(self, ctx: click.Context):
        for module in list(self._pending):
            self._load(module)
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PpaError as err:
            click.echo(f"ppa: error: {_one_line(str(err))}", err=True)
            sys.exit(2)
        except click.UsageError as err:          # a bad option value: one line too, with where to look
            where = f" (see '{err.ctx.command_path} --help')" if err.ctx is not None else ""
            click.echo(f"ppa: error: {PpaError(err.format_message())}{where}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except ArithmeticError as err:   # a division by zero or an overflow: a value that passed validation is not physical
            if os.environ.get("PPA_DEBUG"):
                raise
            click.echo(f"ppa: error: the inputs make the arithmetic fail ({type(err).__name__}: {_one_line(str(err))}): "
                       "a value is outside its physical range; `ppa show SPEC` lists each value with its file and line "
                       "(PPA_DEBUG=1 shows where it failed)", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("ppa: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:   # the reader went away (`ppa sweep ... | head`): stop quietly
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            sys.exit(1)
        except Exception as err:  # a bug, not bad input: say so in one line (PPA_DEBUG=1 shows the traceback)
            if os.environ.get("PPA_DEBUG"):
                raise
            click.echo(f"ppa: internal error (a bug in ppa, please report it; PPA_DEBUG=1 shows the traceback): "
                       f"{type(err).__name__}: {_one_line(str(err))}", err=True)
            sys.exit(1)


def _one_line(text: str) -> str:
    """A message on one line (YAML snippets and multi-line library messages are joined with ' / ')."""
    return " / ".join(part.strip() for part in text.splitlines() if part.strip())


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    """--version: the installed distribution's version ('0+unknown' in a checkout that is not installed)."""
    if value and not ctx.resilient_parsing:
        import ppa

        click.echo(f"ppa {ppa.__version__}")
        ctx.exit()


@click.group(cls=_Cli, package=__name__, package_path=__path__,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the version and exit.")
def main() -> None:
    """Estimate area, latency, energy and accuracy of spintronic in-memory-computing accelerators.

    \b
    Start with:
      ppa list                                            shipped specs, networks and grids
      ppa estimate vgg8 --mode training                   per-layer table, DW-MTJ synapses
      ppa compare vgg8                                    DW vs SRAM, Dhull Table VI
      ppa show dw_40nm                                    a spec with every value's source
      ppa pmac                                            energy per probabilistic MAC vs N
      ppa sweep vgg8 --grid dse_example -o results.csv    design-space sweep
      ppa report dw_vs_sram --format html                 paper comparison report
      ppa compare networks/vgg8.yaml --uncertainty 1000   Table VI with 90 % intervals on the ratios
      ppa sensitivity networks/vgg8.yaml --hw dw_40nm     which constants move the estimate (tornado)
      ppa accuracy qnn / ppa accuracy bnn                 accuracy the devices keep
      ppa accuracy mvm crossbar_balanced_8b --size 1024   analog MVM error and speed on a crossbar spec
    Networks, hardware specs (--hw) and grids are files or the names of shipped ones (`ppa list`).
    Every command has --help; bad input exits with status 2 and one line naming file, line and field.
    """


@main.group()
def accuracy() -> None:
    """Functional accuracy models (numpy): quantised DW-MTJ networks and Bayesian networks on Bayes-MTJs."""
