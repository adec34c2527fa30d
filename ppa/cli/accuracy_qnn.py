"""`ppa accuracy qnn`: float vs 5-state DW accuracy, ADC-bit and variation sweeps (Dhull Fig. 4, Tables VII, X)."""

from __future__ import annotations


import click

from ppa.cli._common import emit, format_option, to_json

FORMATS = ("table", "json", "markdown")


def _pct(x):
    return None if x is None else round(100 * x, 2)


def render(result: dict, fmt: str) -> str:
    """The result dict as one JSON object, or three tables (summary, ADC sweep, variation sweep)."""
    if fmt == "json":
        return to_json(result)
    from ppa.report.tables import Column, render_table

    paper = result.get("paper", {})
    p_adc = {r["adc_bits"]: r["accuracy"] for r in paper.get("adc_sweep", [])}
    p_var = {r["variation_pct"]: r["accuracy"] for r in paper.get("variation_sweep", [])}
    dev = result["device"]
    setup = (f"{result['dataset']} ({result['network']}), {result['seeds']} seeds, {result['epochs']} epochs; "
             f"device: {len(dev['conductances_S'])} DW states, variation {100 * dev['variation']:.3g} %, "
             f"ADC {dev['adc_bits']} bits, DAC {dev['dac_bits']} bits, {dev['rows']} rows/subarray, "
             f"write matrix {'default (illustrative, Fig. 1d)' if dev['write_transition_is_default'] else 'from spec'}")
    summary = [
        {"model": "float32 (off-chip Adam)", "acc": _pct(result["float_accuracy"]), "std": _pct(result["float_std"]),
         "paper": None},
        {"model": "5-state DW, on-chip QAT", "acc": _pct(result["dw_accuracy"]), "std": _pct(result["dw_std"]),
         "paper": _pct(paper.get("dw_accuracy"))},
        {"model": "5-state DW, off-chip + transfer", "acc": _pct(result["dw_offchip_accuracy"]),
         "std": _pct(result["dw_offchip_std"]), "paper": None},
        {"model": "on-chip states, no ADC", "acc": _pct(result["array_unquantised_accuracy"]),
         "std": _pct(result["array_unquantised_std"]), "paper": None},
    ]
    cols = [Column("model", "model", numeric=False), Column("acc", "accuracy %"), Column("std", "std %"),
            Column("paper", "paper % (VGG-8/CIFAR-10)")]
    out = [render_table(summary, cols, fmt, title="Float baseline vs 5-state DW (Fig. 4 analogue)",
                        notes=[setup])]
    adc = [{"adc_bits": r["adc_bits"], "acc": _pct(r["accuracy"]), "std": _pct(r["std"]),
            "paper": _pct(p_adc.get(r["adc_bits"]))} for r in result["adc_sweep"]]
    how = ("trained and read at each ADC precision" if result.get("adc_sweep_trains_per_bits")
           else "trained at the device's ADC bits, read out at each precision (--full also trains at each)")
    out.append(render_table(adc, [Column("adc_bits", "ADC bits"), *cols[1:]], fmt,
                            title="Accuracy vs ADC precision (Table VII analogue)", notes=[how]))
    var = [{"v": r["variation_pct"], "acc": _pct(r["accuracy"]), "std": _pct(r["std"]),
            "paper": _pct(p_var.get(r["variation_pct"]))} for r in result["variation_sweep"]]
    out.append(render_table(var, [Column("v", "conductance variation %"), *cols[1:]], fmt,
                            title="Accuracy vs device conductance variation (Table X analogue)",
                            notes=[f"relative sigma of each state's conductance, "
                                   f"{result['programmings_per_variation']} programmings per seed; "
                                   f"run took {result['seconds']} s"]))
    return "\n".join(out)


def register(cli: click.Group) -> None:
    """Add `qnn` to the `ppa accuracy` group."""
    group = cli.commands["accuracy"]

    @group.command("qnn")
    @click.option("--dataset", type=click.Choice(["digits"]), default="digits", show_default=True,
                  help="Data set shipped inside a package (scikit-learn's 8x8 digits); nothing downloads.")
    @click.option("--network", type=click.Choice(["cnn", "mlp"]), default="cnn", show_default=True,
                  help="cnn: conv8-conv16-pool-fc (VGG spirit, im2col); mlp: 64-64-10.")
    @click.option("--seeds", type=click.IntRange(1, 100), default=3, show_default=True,
                  help="Independent runs (init, batches, stochastic rounding/writes, variation draws); "
                       "std is taken over them.")
    @click.option("--full", is_flag=True,
                  help="Longer training, more programmings per variation, and on-chip training at every "
                       "ADC precision (as the paper's Table VII); takes several minutes.")
    @click.option("--hw", "hw", metavar="SPEC",
                  help="Hardware spec (YAML path or shipped name): device conductances, variation, "
                       "write_transition, subarray rows, ADC bits. Default: Table VIII device, 8-bit ADC.")
    @format_option(choices=FORMATS)
    def qnn_command(dataset: str, network: str, seeds: int, full: bool, hw: str | None, fmt: str) -> None:
        """Accuracy of a quantised network on DW-MTJ crossbars (Dhull et al. Fig. 4, Tables VII, X).

        \b
        Trains a small network in numpy three ways and reports test accuracy:
          float32 baseline          off-chip training, no hardware
          5-state DW, on-chip       quantisation-aware SGD on the arrays (Table II): forward and
                                    back-propagated errors go through DAC -> conductances -> ADC,
                                    updates are stochastically rounded onto the 5 DW states and
                                    written with stochastic pulses
          5-state DW, off-chip      float weights quantised with Eq. 2 and programmed onto arrays
        then sweeps the ADC precision (4..10 bits) and the conductance variation (0..50 % relative
        sigma, sampled per programming), each over several seeds with the spread.

        \b
        Examples:
          ppa accuracy qnn                          default run, under a minute
          ppa accuracy qnn --format json            one JSON object for scripts
          ppa accuracy qnn --hw dw_40nm --seeds 5   device numbers from a spec
          ppa accuracy qnn --full --format markdown

        Accuracies are on scikit-learn's digits, not the paper's CIFAR-10, so compare trends with
        the paper's column, not absolute values.
        """
        from ppa.accuracy.dw_synapse import DwDeviceParams
        from ppa.accuracy.experiments_qnn import run_qnn

        device = None
        if hw:
            from ppa.spec import load_chip

            device = DwDeviceParams.from_chip(load_chip(hw))
        result = run_qnn(dataset=dataset, seeds=seeds, full=full, device=device, network=network)
        emit(render(result, fmt))
