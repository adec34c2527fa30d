"""`ppa accuracy mvm`: accuracy, speed and memory of one analog MVM on a crossbar description (issue 17)."""

from __future__ import annotations

import json

import click

from ppa.cli._common import emit, format_option


def register(cli: click.Group) -> None:
    """Add `mvm` to the `ppa accuracy` group."""
    group = cli.commands["accuracy"]

    @group.command("mvm")
    @click.argument("spec")
    @click.option("--size", "size", type=click.IntRange(1, 16384), default=128, show_default=True,
                  help="N: W is N x N.")
    @click.option("--batch", type=click.IntRange(1, 1_000_000), default=256, show_default=True,
                  help="B: X is N x B (input vectors per call).")
    @click.option("--seed", type=int, default=0, show_default=True, help="Seed of W, X and every device draw.")
    @click.option("--exact", is_flag=True, help="Draw read noise on every device for every MVM (slow reference) "
                                                "instead of its exact output-referred sum.")
    @click.option("--repeats", type=click.IntRange(1, 1000), default=5, show_default=True,
                  help="Timed calls; seconds_per_call is their median.")
    @format_option(default="table", choices=("table", "json"))
    def mvm_command(spec: str, size: int, batch: int, seed: int, exact: bool, repeats: int, fmt: str) -> None:
        """Y = W X on a crossbar description vs float (W, X uniform in [-1, 1], float32).

        \b
        SPEC is a `kind: crossbar` YAML file or a shipped name (crossbar_balanced_8b): weight
        encoding, device range, variation (programming error, read noise, drift), wires (IR drop),
        DAC and ADC. Reports NRMSE = ||Y - W X|| / ||W X||, median seconds per call (programming
        excluded) and peak traced memory. Set one BLAS thread (OMP_NUM_THREADS=1) to compare speed
        with other simulators; benchmarks/bench_mvm.py does.

        \b
        Examples:
          ppa accuracy mvm crossbar_balanced_8b --size 1024 --format json
          ppa accuracy mvm crossbar_balanced_8b --size 128 --exact
        """
        from ppa.accuracy.analog_mvm import benchmark_mvm

        try:
            result = benchmark_mvm(spec, size, batch, seed, exact, repeats)
        except MemoryError:
            from ppa.errors import PpaError

            raise PpaError(f"not enough memory for a {size} x {size} crossbar with a batch of {batch}",
                           field="--size") from None
        if fmt == "json":
            emit(json.dumps(result, indent=2) + "\n")
            return
        from ppa.report.tables import Column, render_table

        row = {"n": size, "b": batch, "nrmse": result["nrmse"], "ms": 1e3 * result["seconds_per_call"],
               "prog": 1e3 * result["program_seconds"], "mib": result["peak_bytes"] / 2**20}
        emit(render_table([row], [Column("n", "N"), Column("b", "batch"), Column("nrmse", "NRMSE"),
                                  Column("ms", "ms / call"), Column("prog", "program ms"), Column("mib", "peak MiB")],
                          "table", title=f"Analog MVM on {result['name']} ({spec})",
                          notes=[f"seed {seed}; read noise {result['read_noise']}; median of {repeats} calls"]))
