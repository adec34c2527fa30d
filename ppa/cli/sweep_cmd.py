"""`ppa sweep`: a grid of design points evaluated as arrays, Pareto-marked, resumable, optionally on Dask."""

from __future__ import annotations

import sys

import click

from ppa.cli._common import FiniteFloat, emit


@click.command("sweep")
@click.argument("network", type=click.Path(dir_okay=False))
@click.option("--grid", "grid_path", required=True, type=click.Path(dir_okay=False),
              help="Grid YAML: dotted spec paths -> lists of values; `device:` lists base specs.")
@click.option("--hw", default="dw_40nm", show_default=True, help="Base spec when the grid has no `device:` key.")
@click.option("--mode", type=click.Choice(["inference", "training"]), default="inference", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the table to OUT.csv or OUT.parquet (resumable: finished chunks are kept in OUT.parts/).")
@click.option("--scheduler", default=None,
              help="Run chunks on Dask: 'local' (a local cluster) or a scheduler address tcp://host:port. "
                   "Default: in this process.")
@click.option("--chunk-size", type=click.IntRange(1, 10_000_000), default=4096, show_default=True,
              help="Design points evaluated per array computation (and per resumable part).")
@click.option("--accuracy", type=click.Choice(["qnn", "bnn"]), default=None,
              help="Add an accuracy column and make it a Pareto objective: qnn, the quantised-network model of DW-MTJ "
                   "and SRAM designs (run once per distinct ADC bits x states x device variation); bnn, the "
                   "spintronic Bayesian network of probabilistic (bayes_dw_pair) designs, which also adds `ece` (run "
                   "once per distinct ADC bits x sigma bits x mean bits x noise on/off ratio). Cached in "
                   "~/.cache/ppa or $PPA_CACHE_DIR.")
@click.option("--min-accuracy", type=FiniteFloat(0.0, 1.0), default=None,
              help="With --accuracy: keep only design points reaching this accuracy (a fraction, e.g. 0.9).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on when stderr is a terminal).")
@click.option("--uncertainty", "samples_mc", type=click.IntRange(1, 10_000_000), is_flag=False, flag_value=1000, default=None,
              metavar="N", help="Add p5/p50/p95 columns over N samples of the specs' uncertain values, and "
                                "`pareto_probability` / `pareto_robust` (optimal in >= 50 % of samples); without N: 1,000.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Seed of the Monte Carlo draws.")
def sweep_cmd(network, grid_path, hw, mode, output, scheduler, chunk_size, accuracy, min_accuracy, progress, samples_mc,
              seed):
    """Evaluate every design point of a grid on NETWORK; mark the Pareto-optimal ones.

    \b
    Examples (120 points, ships with ppa):
      ppa sweep networks/vgg8.yaml --grid hwspecs/grids/dse_example.yaml --mode training -o results.csv
      ppa sweep networks/vgg8.yaml --grid hwspecs/grids/dse_example.yaml --accuracy qnn --min-accuracy 0.8 -o r.csv
      ppa sweep networks/lenet5.yaml --grid hwspecs/grids/pmac_accuracy.yaml --accuracy bnn -o r.csv

    One row per design point: the swept values, chip area, per-image latency and energy (all categories,
    and the Dhull Table III/IV categories alone), and `pareto` (not dominated in area, latency, energy).
    Without -o the table is printed as CSV. With --uncertainty N, swept fields keep their grid values and the
    other uncertain constants are drawn once per sample for all points.
    """
    from ppa.workload import load_network
    from ppa.explore.sweep import load_grid, run_sweep

    net = load_network(network)
    grid = load_grid(grid_path, default_hw=hw)
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(f"sweeping {grid.size} design points", total=None)

            def on_chunk(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = run_sweep(net, grid, mode, output, chunk_size, scheduler, on_chunk, accuracy, min_accuracy,
                               uncertainty=samples_mc, seed=seed)
    else:
        result = run_sweep(net, grid, mode, output, chunk_size, scheduler, accuracy=accuracy, min_accuracy=min_accuracy,
                           uncertainty=samples_mc, seed=seed)
    if output is None:
        from ppa.report.tables import strip_controls

        table = result.copy()
        for column in table.select_dtypes(include="object"):     # names reach a terminal: no control characters
            table[column] = table[column].map(lambda v: strip_controls(v) if isinstance(v, str) else v)
        emit(table.to_csv(index=False))
    else:
        invalid, too_big = result.attrs.get("invalid_points", 0), result.attrs.get("too_big_points", 0)
        notes = [f"{invalid} points with invalid combinations (columns_per_adc or reference_columns vs columns) left out"] if invalid else []
        notes += [f"{too_big} points too big for hierarchy.tiles left out"] if too_big else []
        below = result.attrs.get("below_min_accuracy", 0)
        notes += [f"{below} points below --min-accuracy {min_accuracy:g} left out"] if below else []
        damaged = result.attrs.get("damaged_chunks", [])
        notes += [f"{len(damaged)} damaged chunk(s) of the resume folder evaluated again"] if damaged else []
        note = f" ({'; '.join(notes)})" if notes else ""
        robust = f" ({int(result['pareto_robust'].sum())} with probability >= 0.5)" if "pareto_robust" in result else ""
        click.echo(f"wrote {len(result)} design points of {grid.size}, {int(result['pareto'].sum())} Pareto-optimal{robust}, "
                   f"to {output}{note}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(sweep_cmd)
