"""`ppa estimate` and `ppa compare`: per-layer tables and side-by-side totals."""

from __future__ import annotations


import click

from ppa.cli._common import FiniteFloat, emit, format_option, to_json

CATEGORY_HELP = ("Latency/energy categories follow Dhull Tables III/IV (adc, accumulation, synaptic_array, "
                 "weight_gradient, weight_update) plus buffer, interconnect, offchip (DRAM traffic) and leakage "
                 "(static power x powered time), which Table VI leaves out.")


def cost_options(f):
    """The options shared by estimate and compare: input activity, weight sparsity, dataflow, off-chip memory, duty cycle."""
    f = click.option("--duty-cycle", type=click.FloatRange(min=0, max=1, min_open=True), default=None,
                     help="Share of powered time the chip computes; idle time adds leakage of cells that must keep "
                          "their weights (SRAM) [default: the spec's leakage.duty_cycle].")(f)
    f = click.option("--no-offchip", is_flag=True, default=False,
                     help="Leave out the off-chip (DRAM) traffic of the spec's offchip section.")(f)
    f = click.option("--dataflow", type=click.Choice(["layer_by_layer", "pipelined"]), default=None,
                     help="layer_by_layer: one layer after another. pipelined (inference): every layer on its own "
                          "arrays, time per image = the slowest stage [default: the spec's dataflow.schedule].")(f)
    f = click.option("--activity", type=click.FloatRange(0, 1), default=None,
                     help="Input activity of every layer: the share of input bits that are 1 (bit-serial) or the "
                          "mean input level (analog) [default: the network's input_activity, else 0.5].")(f)
    f = click.option("--sparsity", type=click.FloatRange(0, 1), default=None,
                     help="Share of zero weights of every layer; saves energy only on a spec whose "
                          "subarray.zero_skipping is cell or column_group [default: the network's weight_sparsity, "
                          "else 0].")(f)
    return f


def uncertainty_options(fn):
    """--uncertainty N (Monte Carlo samples of the spec's uncertain values; alone: 1,000) and --seed."""
    fn = click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
                      help="Seed of the Monte Carlo draws (the same seed gives the same intervals).")(fn)
    return click.option("--uncertainty", "samples_mc", type=click.IntRange(1, 10_000_000), is_flag=False, flag_value=1000,
                        default=None, metavar="N",
                        help="Draw N samples of the spec's uncertain values (spreads in hwspecs/) and report the "
                             "median and 90 % interval [p5, p95]; without N: 1,000.")(fn)


def _check_uncertainty_options(samples_mc, dataflow, no_offchip, duty_cycle) -> None:
    """--uncertainty samples the spec's own dataflow, off-chip and leakage sections: options overriding them would
    price the nominal and the samples differently, so they are refused together (set them in the spec instead)."""
    if samples_mc is None:
        return
    given = [name for name, value in (("--dataflow", dataflow), ("--no-offchip", no_offchip or None),
                                       ("--duty-cycle", duty_cycle)) if value is not None]
    if given:
        raise click.UsageError(f"{', '.join(given)} cannot be combined with --uncertainty (the samples price the "
                               "spec's dataflow, offchip and leakage sections): set them in the spec")


def _with_interval(iv: dict, scale: float = 1.0) -> str:
    """'median [p5, p95]' with four significant digits."""
    from ppa.report.tables import format_number

    return f"{format_number(iv['p50'] * scale)} [{format_number(iv['p5'] * scale)}, {format_number(iv['p95'] * scale)}]"


def _scale(images, epochs, images_per_epoch) -> tuple[int, str]:
    if images is not None and epochs is not None:
        raise click.UsageError("give --images or --epochs, not both")
    if images is not None:
        return images, f"{images:,} images"
    if epochs is not None:
        return int(round(epochs * images_per_epoch)), f"{epochs:g} epoch(s) of {images_per_epoch:,} images"
    return 1, "one image"


@click.command("estimate")
@click.argument("network", type=click.Path(dir_okay=False))
@click.option("--hw", default="dw_40nm", show_default=True,
              help="Hardware spec: a YAML file or a shipped name (dw_40nm, sram_40nm, sram3b_40nm, pmac_40nm).")
@click.option("--crossbar", "crossbar", metavar="SPEC", default=None,
              help="Crossbar description (kind: crossbar) whose cost-relevant fields override the chip: adc.bits, "
                   "dac.bits (-> precision.activation_bits), device states or r_min/r_max (dw_mtj conductances; "
                   "rram/fefet levels and on/off range), weight_bits (bit-sliced kinds). Accuracy-only fields "
                   "(variation, wires, ADC style/range) are listed as not applied; a field the device kind cannot "
                   "take is refused by name.")
@click.option("--mode", type=click.Choice(["inference", "training"]), default="inference", show_default=True,
              help="inference: forward pass only. training: forward, error back-propagation through the "
                   "transposable arrays, weight gradient and the once-per-batch weight update.")
@click.option("--images", type=click.IntRange(1, 10**12), default=None, help="Scale the totals to N images.")
@click.option("--epochs", type=FiniteFloat(0, 1e6, low_open=True), default=None,
              help="Scale the totals to E epochs of the spec's training set (CIFAR-10: 50,000 images).")
@click.option("--samples", type=click.IntRange(1, 1_000_000), default=None,
              help="Probabilistic chips (device kind bayes_dw_pair) only: samples per BNN prediction [default: 100].")
@click.option("--mu-bits", type=click.IntRange(1, 16), default=None,
              help="Probabilistic-MAC specs only: bits of each weight mean (4: one DW pair; 8: two bit-sliced pairs, "
                   "as for the paper's ResNet) [default: the spec's dw_pair.mu_bits].")
@click.option("--input-shape", default=None, metavar="N,C,H,W",
              help="PyTorch modules saved whole (.pt, .pth) only: the example input to trace, e.g. 1,3,224,224.")
@click.option("--sequence-length", type=click.IntRange(min=1), default=None,
              help="Transformer YAML networks only: run at this sequence length instead of the file's.")
@cost_options
@uncertainty_options
@format_option()
def estimate_cmd(network, hw, crossbar, mode, images, epochs, samples, mu_bits, input_shape, sequence_length, activity,
                 sparsity, dataflow, no_offchip, duty_cycle, samples_mc, seed, fmt):
    """Per-layer area, latency and energy of NETWORK (YAML, NeuroSim NetWork.csv, ONNX or PyTorch) on one design.

    \b
    Examples:
      ppa estimate networks/vgg8.yaml --mode training
      ppa estimate networks/bert_base_s128.yaml --hw sram_40nm --sequence-length 512
      ppa estimate model.pt --input-shape 1,3,224,224       (a module saved by torch.save; .pt2 needs no shape)
      ppa estimate networks/vgg8.yaml --hw sram_40nm --mode training --epochs 1 --format markdown
      ppa estimate networks/lenet5.yaml --hw pmac_40nm --samples 100     (BNN prediction cost)
      ppa estimate networks/vgg8.yaml --hw sram_40nm --activity 0.25 --dataflow pipelined
      ppa estimate networks/vgg8.yaml --mode training --uncertainty 1000  (median [p5, p95] per category)
      ppa estimate networks/vgg8.yaml --hw dw_40nm --crossbar my_crossbar.yaml  (its ADC/DAC bits, device range)

    Values are per image unless --images/--epochs is given. Area is of the whole chip.
    """
    from ppa.workload import load_network, with_input_activity, with_weight_sparsity
    from ppa.spec import load_chip

    shape = None
    if input_shape is not None:
        try:
            shape = tuple(int(v) for v in input_shape.split(","))
        except ValueError:
            raise click.BadParameter(f"expected comma-separated whole numbers such as 1,3,224,224, got {input_shape!r}",
                                     param_hint="--input-shape") from None
        if not shape or min(shape) < 1:
            raise click.BadParameter(f"sizes must be >= 1, got {input_shape!r}", param_hint="--input-shape")
    net = load_network(network, shape, sequence_length)
    chip = load_chip(hw)
    xb_note = None
    if crossbar:
        from ppa.errors import PpaError
        from ppa.spec.crossbar import ACCURACY_ONLY, CostNotModelled, apply_to_chip, load_crossbar

        try:
            chip, applied = apply_to_chip(chip, load_crossbar(crossbar))
        except CostNotModelled as exc:
            raise PpaError(f"no cost meaning on this chip's device ({chip.device.kind}): {exc.message}",
                           file=crossbar, field=exc.field) from None
        xb_note = (f"from crossbar {crossbar}: {', '.join(applied) or 'nothing'} applied; accuracy-only, not costed: "
                   f"{', '.join(ACCURACY_ONLY)}")
    if chip.probabilistic:
        if samples_mc is not None:
            raise click.UsageError("--uncertainty applies to deterministic in-memory-computing designs, not to the "
                                   "probabilistic-MAC BNN cost (device kind bayes_dw_pair)")
        from ppa.cli.pmac_cmd import emit_bnn_estimate

        return emit_bnn_estimate(net, chip, samples or 100, fmt, mu_bits)
    if samples is not None or mu_bits is not None:
        raise click.UsageError("--samples and --mu-bits apply to probabilistic chips (device kind bayes_dw_pair) only")
    from ppa.cost.estimate import estimate
    from ppa.report.tables import Column, render_table

    if sparsity is not None:      # on the network itself, so the --uncertainty draws price it too
        net = with_weight_sparsity(net, sparsity)
    if activity is not None:      # likewise
        net = with_input_activity(net, activity)
    _check_uncertainty_options(samples_mc, dataflow, no_offchip, duty_cycle)
    est = estimate(net, chip, mode, activity=activity, dataflow=dataflow, offchip=not no_offchip, duty_cycle=duty_cycle,
                   sparsity=sparsity)
    scale, what = _scale(images, epochs, est.images_per_epoch)
    mc = None
    if samples_mc is not None:
        from ppa.explore.uncertainty import sample_estimate

        mc = sample_estimate(net, chip, mode, samples_mc, seed)
    if fmt == "json":
        out = est.to_dict(scale=float(scale)) if scale != 1 else est.to_dict()
        if mc is not None:
            out["uncertainty"] = mc.summary()
        if xb_note is not None:
            out["crossbar"] = {"spec": crossbar, "applied": applied}
        return emit(to_json(out))
    quantities = (("latency_s", "Latency (s)"), ("energy_j", "Energy (J)"))
    parts = []
    for q, label in quantities:
        wide = est.matrix(q) * scale
        records = [{"layer": name, **{c: float(row[j]) for j, c in enumerate(est.categories)}, "total": float(row.sum())}
                   for name, row in zip(est.layers, wide)]
        tot = {c: float(wide[:, j].sum()) for j, c in enumerate(est.categories)}
        records.append({"layer": "total", **tot, "total": sum(tot.values())})
        cols = [Column("layer", "layer", numeric=False)] + [Column(c) for c in est.categories] + [Column("total")]
        notes = []
        if q == "latency_s" and est.interval_s is not None:
            records[-1]["total"] = est.interval_s * scale
            notes = [f"pipelined: the total is the steady-state time per image (slowest stage); stages sum to "
                     f"{float(wide.to_numpy().sum()):.4g} s"] + est.notes
        parts.append(render_table(records, cols, fmt, title=f"{label} of {est.network} on {est.hardware}, {mode}, {what}",
                                  notes=(notes + ([xb_note] if xb_note else [])) if fmt == "table" else []))
    area = [{"category": k, "area_m2": v, "area_mm2": v * 1e6} for k, v in est.area_m2.items()]
    parts.append(render_table(area, [Column("category", numeric=False), Column("area_m2", "area (m^2)"), Column("area_mm2", "area (mm^2)")],
                              fmt, title="Chip area", notes=[CATEGORY_HELP] if fmt == "table" else []))
    if mc is not None:
        parts.append(_interval_tables(mc, scale, what, fmt))
    sep = "\n" if fmt in ("table", "markdown", "latex") else ""
    emit(sep.join(parts))


def _interval_tables(mc, scale: float, what: str, fmt: str) -> str:
    """Per category and total: median [p5, p95] of latency and energy (scaled) and of area, over the samples."""
    from ppa.report.tables import Column, render_table

    summary = mc.summary()
    lat, en = summary["per_image"]["latency_s"], summary["per_image"]["energy_j"]
    records = [{"category": c, "latency_s": _with_interval(lat[c], scale), "energy_j": _with_interval(en[c], scale),
                **({f"{q}_{k}": v * scale for q, d in (("latency_s", lat[c]), ("energy_j", en[c])) for k, v in d.items()}
                   if fmt == "csv" else {})}
               for c in lat]
    cols = [Column("category", numeric=False), Column("latency_s", "latency (s) median [p5, p95]", numeric=False),
            Column("energy_j", "energy (J) median [p5, p95]", numeric=False)]
    if fmt == "csv":
        cols = [Column("category", numeric=False)] + [Column(f"{q}_{k}") for q in ("latency_s", "energy_j") for k in ("p5", "p50", "p95")]
    title = f"Median and 90 % interval over {mc.samples:,} samples of the uncertain constants (seed {mc.seed}), {what}"
    notes = [] if mc.draws or fmt != "table" else ["The spec declares no uncertain values (see `uncertainty:` in hwspecs/)."]
    parts = [render_table(records, cols, fmt, title=title, notes=notes)]
    area = [{"category": c, "area_m2": _with_interval(iv), **({f"area_m2_{k}": v for k, v in iv.items()} if fmt == "csv" else {})}
            for c, iv in summary["area_m2"].items()]
    acols = ([Column("category", numeric=False)] + [Column(f"area_m2_{k}") for k in ("p5", "p50", "p95")] if fmt == "csv"
             else [Column("category", numeric=False), Column("area_m2", "area (m^2) median [p5, p95]", numeric=False)])
    parts.append(render_table(area, acols, fmt, title="Chip area, median and 90 % interval"))
    return ("\n" if fmt in ("table", "markdown", "latex") else "").join(parts)


@click.command("compare")
@click.argument("network", type=click.Path(dir_okay=False))
@click.option("--hw", "hws", multiple=True, default=("dw_40nm", "sram_40nm", "sram3b_40nm"), show_default=True,
              help="Hardware specs to compare (repeat); ratios are relative to the first.")
@click.option("--mode", type=click.Choice(["inference", "training"]), default="training", show_default=True)
@click.option("--images", type=click.IntRange(1, 10**12), default=None,
              help="Images to total over (default: one training epoch of the first spec, as Dhull Table VI).")
@cost_options
@uncertainty_options
@format_option()
def compare_cmd(network, hws, mode, images, activity, sparsity, dataflow, no_offchip, duty_cycle, samples_mc, seed, fmt):
    """Side-by-side totals of NETWORK on several designs, with ratios (Dhull Table VI).

    \b
    Example (reproduces Table VI, per training epoch of 50,000 CIFAR-10 images):
      ppa compare networks/vgg8.yaml --hw dw_40nm --hw sram_40nm --hw sram3b_40nm
      ppa compare networks/vgg8.yaml --uncertainty 1000      (90 % intervals on the totals and ratios)

    With --uncertainty, a constant every design takes from the same file line (the technology) is drawn
    once per sample for all designs, so its uncertainty cancels in the ratios. Latency and energy are the
    sums of Table III/IV's five categories; buffer and interconnect energy is shown apart, as the paper
    leaves it out; `total` columns add buffer, interconnect, off-chip traffic and leakage.
    """
    from ppa.explore.compare import compare
    from ppa.workload import load_network, with_input_activity, with_weight_sparsity
    from ppa.report.tables import Column, render_table
    from ppa.spec import load_chip

    net = load_network(network)
    if sparsity is not None:      # on the network itself, so the --uncertainty draws price it too
        net = with_weight_sparsity(net, sparsity)
    if activity is not None:      # likewise
        net = with_input_activity(net, activity)
    _check_uncertainty_options(samples_mc, dataflow, no_offchip, duty_cycle)
    chips = [load_chip(h) for h in hws]
    cmp = compare(net, chips, mode, images, activity=activity, dataflow=dataflow, offchip=not no_offchip,
                  duty_cycle=duty_cycle, sparsity=sparsity)
    rows = cmp.rows()
    mc = None
    if samples_mc is not None:
        from ppa.explore.uncertainty import compare_uncertain

        mc = compare_uncertain(net, chips, mode, samples_mc, seed, cmp.images)
    if fmt == "json":
        out = {"network": net.name, "mode": mode, "images": cmp.images, "designs": rows}
        if mc is not None:
            out["uncertainty"] = {"samples": samples_mc, "seed": seed,
                                  "designs": [{k: v for k, v in r.items() if k not in ("images", "samples")} for r in mc]}
        return emit(to_json(out))
    if mc is not None:
        keys = ("area_m2", "latency_s", "energy_j", "area_ratio", "latency_ratio", "energy_ratio")
        records = [{"hardware": r["hardware"], **({f"{k}_{q}": r[k][q] for k in keys for q in ("p5", "p50", "p95")}
                                                  if fmt == "csv" else {k: _with_interval(r[k]) for k in keys})} for r in mc]
        labels = {"area_m2": "area (m^2)", "latency_s": "latency (s)", "energy_j": "energy (J)", "area_ratio": "area x",
                  "latency_ratio": "latency x", "energy_ratio": "energy x"}
        cols = [Column("hardware", numeric=False)] + (
            [Column(f"{k}_{q}") for k in keys for q in ("p5", "p50", "p95")] if fmt == "csv"
            else [Column(k, labels[k], numeric=False) for k in keys])
        return emit(render_table(records, cols, fmt, title=(
            f"{net.name}, {mode}, {cmp.images:,} images; median [p5, p95] over {samples_mc:,} samples (seed {seed}); "
            f"ratios vs {rows[0]['hardware']}, shared constants drawn once per sample")))
    cols = [Column("hardware", numeric=False), Column("area_m2", "area (m^2)"), Column("latency_s", "latency (s)"),
            Column("energy_j", "energy (J)"), Column("area_ratio", "area x"), Column("latency_ratio", "latency x"),
            Column("energy_ratio", "energy x"), Column("buffer_and_interconnect_energy_j", "buffer+interconnect (J)"),
            Column("offchip_energy_j", "off-chip (J)"), Column("leakage_energy_j", "leakage (J)"),
            Column("total_energy_j", "total energy (J)"), Column("total_energy_ratio", "total energy x")]
    emit(render_table(rows, cols, fmt, title=f"{net.name}, {mode}, {cmp.images:,} images; ratios vs {rows[0]['hardware']}"))


def register(cli: click.Group) -> None:
    cli.add_command(estimate_cmd)
    cli.add_command(compare_cmd)
