"""`ppa estimate` and `ppa compare`: per-layer tables and side-by-side totals."""

from __future__ import annotations


import click

from ppa.report.tables import to_json
from ppa.cli._common import FiniteFloat, emit, format_option

CATEGORY_HELP = ("Latency/energy categories follow Dhull Tables III/IV (adc, accumulation, synaptic_array, "
                 "weight_gradient, weight_update) plus buffer and interconnect, which Table VI leaves out.")


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
@format_option()
def estimate_cmd(network, hw, mode, images, epochs, samples, mu_bits, fmt):
    """Per-layer area, latency and energy of NETWORK (YAML, NeuroSim NetWork.csv or ONNX) on one design.

    \b
    Examples:
      ppa estimate networks/vgg8.yaml --mode training
      ppa estimate networks/vgg8.yaml --hw sram_40nm --mode training --epochs 1 --format markdown
      ppa estimate networks/lenet5.yaml --hw pmac_40nm --samples 100     (BNN prediction cost)

    Values are per image unless --images/--epochs is given. Area is of the whole chip.
    """
    from ppa.workload import load_network
    from ppa.spec import load_chip

    net = load_network(network)
    chip = load_chip(hw)
    if chip.probabilistic:
        from ppa.cli.pmac_cmd import emit_bnn_estimate

        return emit_bnn_estimate(net, chip, samples or 100, fmt, mu_bits)
    if samples is not None or mu_bits is not None:
        raise click.UsageError("--samples and --mu-bits apply to probabilistic chips (device kind bayes_dw_pair) only")
    from ppa.cost.estimate import estimate
    from ppa.report.tables import Column, render_table

    est = estimate(net, chip, mode)
    scale, what = _scale(images, epochs, est.images_per_epoch)
    if fmt == "json":
        return emit(to_json(est.to_dict(scale=float(scale)) if scale != 1 else est.to_dict()))
    from ppa.cost.estimate import CATEGORIES

    quantities = (("latency_s", "Latency (s)"), ("energy_j", "Energy (J)"))
    parts = []
    for q, label in quantities:
        wide = est.per_layer(q) * scale
        records = [{"layer": name, **{c: float(row[c]) for c in CATEGORIES}, "total": float(row.sum())}
                   for name, row in wide.iterrows()]
        tot = {c: float(wide[c].sum()) for c in CATEGORIES}
        records.append({"layer": "total", **tot, "total": sum(tot.values())})
        cols = [Column("layer", "layer", numeric=False)] + [Column(c) for c in CATEGORIES] + [Column("total")]
        parts.append(render_table(records, cols, fmt, title=f"{label} of {est.network} on {est.hardware}, {mode}, {what}"))
    area = [{"category": k, "area_m2": v, "area_mm2": v * 1e6} for k, v in est.area_m2.items()]
    parts.append(render_table(area, [Column("category", numeric=False), Column("area_m2", "area (m^2)"), Column("area_mm2", "area (mm^2)")],
                              fmt, title="Chip area", notes=[CATEGORY_HELP] if fmt == "table" else []))
    sep = "\n" if fmt in ("table", "markdown", "latex") else ""
    emit(sep.join(parts))


@click.command("compare")
@click.argument("network", type=click.Path(dir_okay=False))
@click.option("--hw", "hws", multiple=True, default=("dw_40nm", "sram_40nm", "sram3b_40nm"), show_default=True,
              help="Hardware specs to compare (repeat); ratios are relative to the first.")
@click.option("--mode", type=click.Choice(["inference", "training"]), default="training", show_default=True)
@click.option("--images", type=click.IntRange(1, 10**12), default=None,
              help="Images to total over (default: one training epoch of the first spec, as Dhull Table VI).")
@format_option()
def compare_cmd(network, hws, mode, images, fmt):
    """Side-by-side totals of NETWORK on several designs, with ratios (Dhull Table VI).

    \b
    Example (reproduces Table VI, per training epoch of 50,000 CIFAR-10 images):
      ppa compare networks/vgg8.yaml --hw dw_40nm --hw sram_40nm --hw sram3b_40nm

    Latency and energy are the sums of Table III/IV's five categories; buffer and interconnect energy
    is shown apart, as the paper leaves it out.
    """
    from ppa.explore.compare import compare
    from ppa.workload import load_network
    from ppa.report.tables import Column, render_table
    from ppa.spec import load_chip

    net = load_network(network)
    chips = [load_chip(h) for h in hws]
    cmp = compare(net, chips, mode, images)
    rows = cmp.rows()
    if fmt == "json":
        return emit(to_json({"network": net.name, "mode": mode, "images": cmp.images, "designs": rows}))
    cols = [Column("hardware", numeric=False), Column("area_m2", "area (m^2)"), Column("latency_s", "latency (s)"),
            Column("energy_j", "energy (J)"), Column("area_ratio", "area x"), Column("latency_ratio", "latency x"),
            Column("energy_ratio", "energy x"), Column("buffer_and_interconnect_energy_j", "buffer+interconnect (J)")]
    emit(render_table(rows, cols, fmt, title=f"{net.name}, {mode}, {cmp.images:,} images; ratios vs {rows[0]['hardware']}"))


def register(cli: click.Group) -> None:
    cli.add_command(estimate_cmd)
    cli.add_command(compare_cmd)
