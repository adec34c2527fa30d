"""`ppa accuracy qnn`: float vs 5-state DW accuracy, ADC-bit and variation sweeps (Dhull Fig. 4, Tables VII, X)."""

from __future__ import annotations


import click

from ppa.cli._common import emit, format_option, to_json

FORMATS = ("table", "json", "markdown")


def _pct(x):
    return None if x is None else round(100 * x, 2)


def render(result: dict, fmt: str) -> str:
    """The result dict as one JSON object, or tables (summary, ADC sweep, variation by mechanism, Table IX)."""
    if fmt == "json":
        return to_json(result)
    from ppa.report.tables import Column, render_table

    paper = result.get("paper", {})
    p_adc = {r["adc_bits"]: r["accuracy"] for r in paper.get("adc_sweep", [])}
    p_var = {r["variation_pct"]: r["accuracy"] for r in paper.get("variation_sweep", [])}
    dev = result["device"]
    mech = dev.get("mechanisms", {})
    sig = ", ".join(f"{k.replace('_', '-')} {100 * v['sigma']:.3g} % of {v['relative_to']}"
                    for k, v in mech.items() if isinstance(v, dict) and v.get("sigma"))
    if dev.get("variation"):
        sig = ", ".join(filter(None, [sig, f"cycle-to-cycle {100 * dev['variation']:.3g} % of state"]))
    setup = (f"{result['dataset']} ({result['network']}), {result['seeds']} seeds, {result['epochs']} epochs; "
             f"device: {len(dev['conductances_S'])} DW states, variation {sig or 'none'}, "
             f"ADC {dev['adc_bits']} bits ({dev.get('adc_code', 'mid_rise').replace('_', '-')}, "
             f"{dev.get('adc_range', 'calibrated').replace('_', '-')} reference), DAC {dev['dac_bits']} "
             f"bits, {dev['rows']} rows/subarray, write matrix "
             f"{'default (illustrative, Fig. 1d)' if dev['write_transition_is_default'] else 'from spec'}")
    xb = result.get("device_from_crossbar")
    if xb:
        setup += f"; from crossbar {xb['spec']}: {', '.join(xb['fields'])}" + \
            ("" if "dac.bits" not in xb["fields"] or dev["dac_bits"] != 24 else " (no dac.bits: ideal DAC, 24 bits)")
        if dev.get("retention_escape"):
            setup += (f"; retention: {100 * dev['retention_escape']:.3g} % of walls escape to a neighbour notch at "
                      f"each whole-array write (transfer and rewrite rows; on-chip rows are read right after training)")
        if dev.get("adc_per_column"):
            setup += "; one ADC range per column"
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
                        notes=[setup, *result.get("differs_from_paper", [])])]
    post = {r["adc_bits"]: r for r in result.get("adc_sweep_posthoc", [])}
    tuned = {r["adc_bits"]: r for r in result.get("adc_sweep_finetuned", [])}
    adc = [{"adc_bits": r["adc_bits"], "acc": _pct(r["accuracy"]), "std": _pct(r["std"]),
            "post": _pct(post.get(r["adc_bits"], {}).get("accuracy")),
            "tuned": _pct(tuned.get(r["adc_bits"], {}).get("accuracy")),
            "paper": _pct(p_adc.get(r["adc_bits"]))} for r in result["adc_sweep"]]
    out.append(render_table(
        adc, [Column("adc_bits", "ADC bits"), Column("acc", "trained at B %"), Column("std", "std %"),
              Column("post", "ideal-trained, read at B %"), Column("tuned", "+ fine-tuned at B %"),
              Column("paper", "paper %")], fmt,
        title="Accuracy vs ADC precision (Table VII analogue)",
        notes=["trained at B: on-chip training from scratch with the B-bit ADC in the loop (straight-through), "
               "as the paper; ideal-trained: trained with no ADC quantisation, then read through B bits; "
               f"fine-tuned: that network trained {result.get('finetune_epochs', '?')} more epochs with the B-bit "
               "ADC in the loop"]))
    rows: dict[float, dict] = {}
    for r in result.get("variation_mechanism", []):
        rows.setdefault(r["variation_pct"], {"v": r["variation_pct"], "paper": _pct(p_var.get(r["variation_pct"]))})
        rows[r["variation_pct"]][r["mechanism"]] = _pct(r["accuracy"])
    names = {"d2d_on_chip": "d2d, on-chip trained %", "d2d_off_chip": "d2d, off-chip + transfer %",
             "c2c": "c2c (rewrite) %", "read_noise": "read noise %"}
    present = [m for m in names if any(m in r for r in rows.values())]
    tix = result.get("table_ix") or {}
    notes = [f"sigma relative to each state's conductance; d2d: one draw per device per chip, fixed through "
             f"training and inference; c2c: drawn when the trained states are written again; read noise: drawn "
             f"at every MVM; {result['programmings_per_variation']} programmings per seed for all but on-chip "
             f"training; the d2d on-chip column is Table X's mechanism"]
    if tix:
        on = "" if tix.get("on_chip_accuracy") is None else (
            f"; a chip drawn from that Monte Carlo: {_pct(tix['on_chip_accuracy'])} % on-chip trained, "
            f"{_pct(tix['off_chip_accuracy'])} % off-chip + transfer")
        notes.append(f"Table IX process spread ({tix['runs']} Monte Carlo devices through the MTJ read path: "
                     f"RA ~ exp(2 kappa t_ox), TMR {tix['nominal_tmr']:.2f} implied by Table VIII, transistor and "
                     f"racetrack in series) implies d2d sigma per state "
                     f"{', '.join(f'{100 * x:.1f}' for x in tix['sigma_per_state'])} %{on}")
    kept = []
    for m in present:
        series = [(r["v"], r[m]) for r in rows.values() if m in r]
        if len(series) > 1 and series[0][1]:
            kept.append(f"{names[m][:-2]} {100 * series[-1][1] / series[0][1]:.0f} %")
    if kept and p_var:
        top = max(p_var)
        kept.append(f"paper {100 * p_var[top] / p_var[min(p_var)]:.0f} %")
        notes.append(f"accuracy kept at the largest variation (Table X's shape): {'; '.join(kept)}")
    notes.append(f"run took {result['seconds']} s")
    out.append(render_table(list(rows.values()),
                            [Column("v", "variation %"), *[Column(m, names[m]) for m in present],
                             Column("paper", "paper % (Table X)")], fmt,
                            title="Accuracy vs conductance variation, by mechanism (Table X analogue)", notes=notes))
    return "\n".join(out)


def register(cli: click.Group) -> None:
    """Add `qnn` to the `ppa accuracy` group."""
    group = cli.commands["accuracy"]

    @group.command("qnn")
    @click.option("--dataset", type=click.Choice(["digits"]), default="digits", show_default=True,
                  help="Data set shipped inside a package (scikit-learn's 8x8 digits); nothing downloads.")
    @click.option("--network", type=click.Choice(["cnn", "mlp"]), default="cnn", show_default=True,
                  help="cnn: conv8-conv16-pool-fc (VGG spirit, im2col); mlp: 64-64-10.")
    @click.option("--seeds", type=click.IntRange(1, 100), default=2, show_default=True,
                  help="Independent runs (init, batches, stochastic rounding/writes, variation draws); "
                       "std is taken over them.")
    @click.option("--full", is_flag=True,
                  help="Longer training (40 epochs) and more programmings per variation; takes several minutes.")
    @click.option("--hw", "hw", metavar="SPEC",
                  help="Hardware spec (YAML path or shipped name): device conductances, variation, "
                       "write_transition, subarray rows, ADC bits. Default: Table VIII device, 8-bit ADC.")
    @click.option("--crossbar", "crossbar", metavar="SPEC",
                  help="Crossbar description (kind: crossbar, e.g. crossbar_dw_offset): device states (or r_min/r_max "
                       "with bits), variation, retention, ADC bits/style/range/per, DAC bits, applied over --hw (or "
                       "the Table VIII default). Fields the QNN cannot model (balanced_pair/bit_sliced encoding, "
                       "drift, wire resistance, ...) are refused by name.")
    @format_option(choices=FORMATS)
    def qnn_command(dataset: str, network: str, seeds: int, full: bool, hw: str | None, crossbar: str | None,
                    fmt: str) -> None:
        """Accuracy of a quantised network on DW-MTJ crossbars (Dhull et al. Fig. 4, Tables VII, X).

        \b
        Trains a small network in numpy three ways and reports test accuracy:
          float32 baseline          off-chip training, no hardware
          5-state DW, on-chip       quantisation-aware SGD on the arrays (Table II): forward and
                                    back-propagated errors go through DAC -> conductances -> ADC,
                                    updates are stochastically rounded onto the 5 DW states and
                                    written with stochastic pulses
          5-state DW, off-chip      float weights quantised with Eq. 2 and programmed onto arrays
        then sweeps the ADC precision (4..10 bits, trained with that ADC in the loop) and the
        conductance variation (0..50 %) by mechanism: device-to-device (fixed per chip; on-chip
        training sees it, off-chip training does not), cycle-to-cycle (per write), read noise
        (per MVM); and shows the d2d spread Dhull's Table IX process parameters imply.

        \b
        Examples:
          ppa accuracy qnn                          default run, under a minute
          ppa accuracy qnn --format json            one JSON object for scripts
          ppa accuracy qnn --hw dw_40nm --seeds 5   device numbers from a spec
          ppa accuracy qnn --crossbar crossbar_dw_offset   device from a crossbar description
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
        from_crossbar = None
        if crossbar:
            from ppa.cli._common import crossbar_fields

            xb, fields = crossbar_fields(crossbar, DwDeviceParams.fields_from_crossbar, "the QNN crossbar")
            device = (device or DwDeviceParams()).replace(**fields)
            from_crossbar = {"spec": crossbar, "fields": DwDeviceParams.crossbar_fields_read(xb)}
        result = run_qnn(dataset=dataset, seeds=seeds, full=full, device=device, network=network)
        if from_crossbar is not None:
            result["device_from_crossbar"] = from_crossbar
        emit(render(result, fmt))
