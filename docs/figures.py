"""Every figure README.md shows that comes from a run is written here, not typed.

README.md marks each generated block with `<!-- fig:NAME -->` ... `<!-- /fig:NAME -->`; this script
recomputes the blocks with the library and the shipped specs and rewrites them in place.

    python docs/figures.py                 rewrite every quick block (seconds)
    python docs/figures.py --slow          also the accuracy blocks (minutes: they train networks)
    python docs/figures.py --check         exit 1 naming every quick block whose text differs (CI runs this)
    python docs/figures.py table6 pmac     only these blocks

A block is quick when it only prices designs (milliseconds each); slow blocks train accuracy models.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EPOCH = 50_000


@dataclass(frozen=True)
class Block:
    """One generated README block: a name, the command a reader can run to see the same numbers, a builder."""

    name: str
    command: str
    build: Callable[[], str]
    quick: bool = True


def _fmt(x: float, digits: int = 4) -> str:
    from ppa.report.tables import format_number

    return format_number(x, digits)


def _si(x: float, unit: str) -> str:
    """A quantity with an SI prefix and three significant digits: 3.16e-2 J -> '31.6 mJ'."""
    for scale, prefix in ((1.0, ""), (1e-3, "m"), (1e-6, "u"), (1e-9, "n"), (1e-12, "p"), (1e-15, "f")):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {prefix}{unit}"
    return f"{x:.3g} {unit}"


def _ratio(x: float) -> str:
    return f"{x:.3g}x"


def table6() -> str:
    """Dhull Table VI side by side: per-epoch totals of the five paper categories, ratios and category shares."""
    import pandas as pd

    import ppa
    from ppa.cost.estimate import PAPER_CATEGORIES

    paper = pd.read_csv(ROOT / "ppa" / "data" / "dhull_table6_dw_vs_sram.csv", comment="#").set_index("device")
    net = ppa.load_network("vgg8")
    est = {name: ppa.estimate(net, ppa.load_chip(name), mode="training") for name in ("dw_40nm", "sram_40nm", "sram3b_40nm")}

    def totals(e):
        return (e.area_m2["total"], e.totals("latency_s", PAPER_CATEGORIES)["total"] * EPOCH,
                e.totals("energy_j", PAPER_CATEGORIES)["total"] * EPOCH)

    t = {k: totals(v) for k, v in est.items()}
    lines = ["| design | area (m²) | latency (s) | energy (J) | paper area / latency / energy |",
             "| --- | ---: | ---: | ---: | --- |"]
    for key, label in (("dw_40nm", "DW-MTJ 5-state"), ("sram_40nm", "SRAM 32-bit"), ("sram3b_40nm", "SRAM 3-bit")):
        a, lat, e = t[key]
        ref = _paper_row(paper, key)
        lines.append(f"| {label} | {_fmt(a)} | {_fmt(lat)} | {_fmt(e)} | {ref} |")
    lines += ["", "| ratio to DW | ours | paper |", "| --- | ---: | ---: |"]
    for key, label, paper_ratio in (("sram_40nm", "SRAM 32-bit", "13.8x / 3.5x / 9.6x"),
                                    ("sram3b_40nm", "SRAM 3-bit", "2.9x / 1.8x / 2.5x")):
        r = [t[key][i] / t["dw_40nm"][i] for i in range(3)]
        lines.append(f"| {label} area / latency / energy | {' / '.join(_ratio(x) for x in r)} | {paper_ratio} |")
    lines += ["", _shares(est["dw_40nm"])]
    return "\n".join(lines)


def _paper_row(paper, key: str) -> str:
    """The paper's Table VI figures for a design (the 3-bit design appears only as ratios in the text)."""
    row = {"dw_40nm": "DW", "sram_40nm": "SRAM"}.get(key)
    if row is None:
        return "(2.9x / 1.8x / 2.5x of DW, text only)"
    r = paper.loc[row]
    return f"{_fmt(r['total_area_m2'])} / {_fmt(r['total_latency_s'])} / {_fmt(r['total_energy_j'])}"


def _shares(dw) -> str:
    """Category shares of the DW design against Dhull Tables III (latency) and IV (energy), in percent."""
    import pandas as pd

    from ppa.cost.estimate import PAPER_CATEGORIES

    out = []
    for quantity, table, what in (("energy_j", "dhull_table4_energy_j.csv", "Table IV energy"),
                                  ("latency_s", "dhull_table3_latency_s.csv", "Table III latency")):
        ref = pd.read_csv(ROOT / "ppa" / "data" / table, comment="#")
        layers = ref[pd.to_numeric(ref["layer"], errors="coerce").notna()]     # per-layer rows, not the totals
        ref_tot = layers[list(PAPER_CATEGORIES)].astype(float).sum()
        ours = dw.totals(quantity, PAPER_CATEGORIES)
        names = {"adc": "ADC", "accumulation": "accumulation", "synaptic_array": "synaptic array",
                 "weight_gradient": "weight gradient"}
        parts = [f"{label} {100 * ours[cat] / ours['total']:.1f} vs {100 * ref_tot[cat] / ref_tot.sum():.1f}"
                 for cat, label in names.items()]
        out.append(f"DW {what} shares, ours vs paper (%): " + ", ".join(parts) + ".")
    return " ".join(out)


def pmac() -> str:
    """SAND2022-13142 Fig. 3-8A: energy per probabilistic MAC vs N for both resistance cases, against the TRNG route."""
    import ppa
    from ppa.cost.pmac import energy_per_mac_curves

    sizes = [8, 64, 1024]
    curves = energy_per_mac_curves(ppa.load_chip("pmac_40nm"), sizes)
    spin = [c for c in curves if c["kind"] == "spintronic"]
    cmos = next(c for c in curves if c["kind"] == "cmos_trng")["energy_per_mac_j"]
    lines = ["| N | " + " | ".join(c["name"].removeprefix("pMAC ") for c in spin) + " | "
             + " | ".join(f"TRNG / {c['name'].removeprefix('pMAC ')}" for c in spin) + " |",
             "| ---: | " + " | ".join("---:" for _ in range(2 * len(spin))) + " |"]
    for i, n in enumerate(sizes):
        e = [c["energy_per_mac_j"][i] for c in spin]
        lines.append(f"| {n} | " + " | ".join(f"{x * 1e15:.3g} fJ" for x in e) + " | "
                     + " | ".join(f"{cmos[i] / x:.0f}x" for x in e) + " |")
    lines.append("")
    lines.append(f"TRNG route: {cmos[0] * 1e12:.3g} pJ per MAC.")
    return "\n".join(lines)


def bnn_costs() -> str:
    """Energy of one BNN prediction with 100 samples on pmac_40nm against the DNN and the CMOS TRNG design."""
    import ppa
    from ppa.cost.pmac import bnn_prediction_cost

    chip = ppa.load_chip("pmac_40nm")
    lines = ["| network | mean bits | spintronic BNN | DNN, same arrays | BNN / DNN | CMOS TRNG BNN | TRNG / spintronic |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, mu in (("lenet5", None), ("resnet_cifar100", 8), ("mlp_autompg", None)):
        cost = bnn_prediction_cost(ppa.load_network(name), chip, 100, mu)
        e = {r["design"]: r["energy_j"] for r in cost.rows}
        lines.append(f"| {cost.network} | {cost.mu_bits} | {_fmt(e['spintronic_bnn'], 3)} J | {_fmt(e['dnn_same_hardware'], 3)} J "
                     f"| {e['spintronic_bnn'] / e['dnn_same_hardware']:.0f}x "
                     f"| {_fmt(e['cmos_trng_bnn'], 3)} J | {e['cmos_trng_bnn'] / e['spintronic_bnn']:.0f}x |")
    return "\n".join(lines)


def networks() -> str:
    """Shipped ImageNet CNNs and transformers: DW-MTJ vs 32-bit SRAM inference energy and latency per image."""
    import ppa

    dw, sram = ppa.load_chip("dw_40nm"), ppa.load_chip("sram_40nm")
    lines = ["| network | parameters | MACs | DW-MTJ energy | SRAM energy | SRAM / DW | DW-MTJ latency | SRAM latency "
             "| DW area | SRAM area |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in ("resnet18", "resnet50", "mobilenetv2", "vit_tiny16", "bert_base_s128"):
        net = ppa.load_network(name)
        a, b = ppa.estimate(net, dw), ppa.estimate(net, sram)
        ea, eb = a.totals("energy_j")["total"], b.totals("energy_j")["total"]
        la, lb = a.totals("latency_s")["total"], b.totals("latency_s")["total"]
        lines.append(f"| {net.name} | {net.params / 1e6:.2f} M | {net.macs / 1e9:.2f} G | {_si(ea, 'J')} | {_si(eb, 'J')} "
                     f"| {eb / ea:.3g}x | {_si(la, 's')} | {_si(lb, 's')} | {a.area_m2['total'] * 1e6:.4g} mm² "
                     f"| {b.area_m2['total'] * 1e6:.4g} mm² |")
    return "\n".join(lines)


DEVICES = ("dw_40nm", "sot_mram_40nm", "stt_mram_40nm", "rram_40nm", "fefet_40nm", "sram_40nm")


def devices() -> str:
    """The device library on the dw_40nm hierarchy: VGG-8 per 50,000 images, inference and training, ratios to DW."""
    import ppa

    net = ppa.load_network("vgg8")
    chips = [ppa.load_chip(n) for n in DEVICES]
    out = []
    for mode in ("inference", "training"):
        cmp = ppa.compare(net, chips, mode=mode, images=EPOCH)
        rows = cmp.rows()
        out += [f"{mode.capitalize()}, per 50,000 images (Table VI's five categories; ratios to DW):", "",
                "| hardware | area (m²) | latency (s) | energy (J) | area x | latency x | energy x |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in rows:
            out.append(f"| {r['hardware']} | {_fmt(r['area_m2'])} | {_fmt(r['latency_s'])} | {_fmt(r['energy_j'])} | "
                       f"{r['area_ratio']:.3g} | {r['latency_ratio']:.3g} | {r['energy_ratio']:.3g} |")
        out.append("")
    return "\n".join(out).rstrip()


def nodes() -> str:
    """Node x device: VGG-8 training energy per epoch (all categories) from one vectorised sweep."""
    import ppa
    from ppa.explore.sweep import load_grid, run_sweep

    grid = load_grid(ROOT / "hwspecs" / "grids" / "nodes_devices.yaml")
    res = run_sweep(ppa.load_network("vgg8"), grid, mode="training")
    res = res.assign(node_nm=[round(float(str(v).split()[0])) for v in res["technology.node"]])
    node_list = sorted(res["node_nm"].unique(), reverse=True)
    lines = ["| device | " + " | ".join(f"{n} nm" for n in node_list) + " |",
             "| --- | " + " | ".join("---:" for _ in node_list) + " |"]
    for dev in grid.bases:
        sub = res[res["device"] == dev].set_index("node_nm")
        lines.append(f"| {dev} | " + " | ".join(_fmt(sub.loc[n, 'energy_j'] * EPOCH) for n in node_list) + " |")
    return "\n".join(lines)


def uncertainty() -> str:
    """Table VI ratios with 90 % intervals: 1,000 Monte Carlo samples of the shipped spreads, technology shared."""
    import ppa
    from ppa.explore.uncertainty import compare_uncertain

    net = ppa.load_network("vgg8")
    chips = [ppa.load_chip(n) for n in ("dw_40nm", "sram_40nm", "sram3b_40nm")]
    rows = compare_uncertain(net, chips, "training", 1000, seed=0, images=EPOCH)
    lines = ["| design | area ratio to DW | latency ratio | energy ratio |", "| --- | ---: | ---: | ---: |"]
    for r in rows[1:]:
        cells = [f"{r[k]['p50']:.3g}x [{r[k]['p5']:.3g}, {r[k]['p95']:.3g}]" for k in ("area_ratio", "latency_ratio", "energy_ratio")]
        lines.append(f"| {r['hardware']} | " + " | ".join(cells) + " |")
    dw = rows[0]
    lines += ["", "DW itself, median [p5, p95]: " + ", ".join(
        f"{_fmt(dw[q]['p50'], 3)} [{_fmt(dw[q]['p5'], 3)}, {_fmt(dw[q]['p95'], 3)}] {u}"
        for q, u in (("energy_j", "J"), ("latency_s", "s"), ("area_m2", "m²"))) + "."]
    return "\n".join(lines)


def tornado() -> str:
    """The DW design's tornado: each uncertain constant alone at its p5 / p95, change of total energy, latency, area."""
    import ppa
    from ppa.explore.sensitivity import sensitivity

    res = sensitivity(ppa.load_network("vgg8"), ppa.load_chip("dw_40nm"), "training", 1000, seed=0)
    out = []
    for q, label in (("energy_j", "energy"), ("latency_s", "latency"), ("area_m2", "area")):
        y0 = res.nominal[q]
        top = res.ranked(q, uncertain_only=True)
        top = top[(top[f"high_{q}"] - top[f"low_{q}"]).abs() > 1e-3 * abs(y0)].head(4)     # swings under 0.1 % left out
        parts = [f"{r['field'].split('.')[-1]} {100 * (r[f'low_{q}'] / y0 - 1):+.2g} / {100 * (r[f'high_{q}'] / y0 - 1):+.2g} %"
                 for _, r in top.iterrows()]
        sobol = res.table.set_index("field")[f"sobol_{q}"].dropna().sort_values(ascending=False).head(2)
        out.append(f"- **{label}**: " + ", ".join(parts) + "; first-order Sobol indices: "
                   + ", ".join(f"{f.split('.')[-1]} {v:.2f}" for f, v in sobol.items()) + ".")
    return "\n".join(out)


def mvm() -> str:
    """`ppa accuracy mvm` on the shipped balanced 8-bit crossbar: NRMSE against float (CrossSim 3.2.0 for reference)."""
    from ppa.accuracy.analog_mvm import benchmark_mvm

    import numpy as np

    from ppa.accuracy.analog_mvm import ir_drop_factor, nodal_currents

    lines = ["| N | NRMSE (ppa, output-referred) | CrossSim 3.2.0 |", "| ---: | ---: | ---: |"]
    for n, ref in ((128, 0.135), (1024, 0.138)):
        r = benchmark_mvm("crossbar_balanced_8b", n, 256, 0, False, 1)
        lines.append(f"| {n} | {r['nrmse']:.4f} | {ref} |")
    rng = np.random.default_rng(0)
    g, v = rng.uniform(0.1, 1.0, (64, 64)), rng.uniform(-1.0, 1.0, (64, 16))
    parts = []
    for ohm in (0.03, 0.1, 0.3, 1.0):
        exact = nodal_currents(g, v, ohm * 1e-3)          # segment resistance x G_max (1 kOhm cells)
        err = lambda y: np.linalg.norm(y - exact) / np.linalg.norm(exact)  # noqa: E731
        parts.append(f"{ohm:g} Ω: {100 * err(g.T @ v):.2g} % -> {100 * err((g * ir_drop_factor(g, ohm * 1e-3)).T @ v):.2g} %")
    lines += ["", "IR drop on a 64 x 64 array of 1 kΩ-10 kΩ cells, error of ideal wires -> of the first-order model "
              "against an exact nodal solve, per wire segment: " + "; ".join(parts) + "."]
    return "\n".join(lines)


def retention() -> str:
    """`ppa retention`: Arrhenius retention of DW states (SAND2022-13142 Sec. 4) at a few temperatures."""
    from ppa.accuracy.retention import retention_time

    def human(t):
        for unit, sec in (("years", 365.25 * 86400), ("days", 86400), ("hours", 3600), ("minutes", 60)):
            if t >= sec:
                return f"{t / sec:.2g} {unit}"
        return f"{t:.2g} s"

    return "Retention time: " + ", ".join(f"{human(float(retention_time(k)))} at {k} K" for k in (300, 350, 400)) + "."


def calibration() -> str:
    """`ppa calibration`'s checks against Dhull Tables III-VI, summarised: the worst error of each group and its bound."""
    from ppa.explore.calibration import calibration_checks

    checks = calibration_checks()
    groups: dict[str, list] = {}
    for c in checks:
        name = c["check"]
        key = ("Table VI totals" if name.startswith("Table VI") and "ratio" not in name else
               "Table VI ratios" if "ratio" in name else
               "category shares (Tables III/IV)" if "share" in name else "per-layer energy (Table IV)")
        groups.setdefault(key, []).append(c)
    lines = ["| check | worst error | bound | all within |", "| --- | ---: | ---: | --- |"]
    for key, cs in groups.items():
        worst = max(cs, key=lambda c: abs(c["error"]))
        unit = " points" if "share" in key else " %"
        err = worst["error"] if "share" in key else 100 * worst["error"]
        bound = worst["bound"] if "share" in key else 100 * worst["bound"]
        ok = all(c["ok"] for c in cs)
        failing = [c["check"] for c in cs if not c["ok"]]
        lines.append(f"| {key} | {err:+.3g}{unit} ({worst['check']}) | {bound:g}{unit} | "
                     + ("yes" if ok else "no: " + ", ".join(failing)) + " |")
    return "\n".join(lines)


def offchip() -> str:
    """DW vs 32-bit SRAM beyond the paper's five categories: every category, with and without off-chip memory."""
    import ppa

    net = ppa.load_network("vgg8")
    chips = [ppa.load_chip("dw_40nm"), ppa.load_chip("sram_40nm")]
    lines = ["| VGG-8 | DW total energy | SRAM total energy | SRAM / DW energy | SRAM / DW latency |",
             "| --- | ---: | ---: | ---: | ---: |"]
    cases = (("training, per epoch, HBM2 off-chip", "training", EPOCH, {}),
             ("training, per epoch, no off-chip memory", "training", EPOCH, {"offchip": False}),
             ("inference, 10,000 images, HBM2", "inference", 10_000, {}),
             ("inference, 10,000 images, no off-chip memory", "inference", 10_000, {"offchip": False}),
             ("inference, duty cycle 1 %", "inference", 10_000, {"duty_cycle": 0.01}),
             ("inference, input activity 0.25", "inference", 10_000, {"activity": 0.25}),
             ("inference, pipelined", "inference", 10_000, {"dataflow": "pipelined"}))
    for label, mode, images, options in cases:
        dw, sram = ppa.compare(net, chips, mode=mode, images=images, **options).rows()
        lines.append(f"| {label} | {_si(dw['total_energy_j'], 'J')} (off-chip {_si(dw['offchip_energy_j'], 'J')}, "
                     f"leakage {_si(dw['leakage_energy_j'], 'J')}) | {_si(sram['total_energy_j'], 'J')} (off-chip "
                     f"{_si(sram['offchip_energy_j'], 'J')}, leakage {_si(sram['leakage_energy_j'], 'J')}) | "
                     f"{sram['total_energy_ratio']:.3g}x | {sram['total_latency_ratio']:.3g}x |")
    return "\n".join(lines)


def adc_family() -> str:
    """The three converter families at 40 nm: area, energy and time of one conversion, for 4, 8 and 10 bits."""
    import ppa
    from ppa.cost.components.converters import make_adc

    chip = ppa.load_chip("dw_40nm")
    lines = ["| bits | SAR | flash | sense amp (128-row column) |", "| ---: | --- | --- | --- |"]
    for bits in (4, 8, 10):
        cells = []
        for kind in ("sar", "flash", "sense_amp"):
            adc = make_adc(chip.adc.model_copy(update={"bits": bits, "kind": kind}), chip.technology, rows=128)
            cells.append(f"{float(adc.area) * 1e12:.4g} µm² / {_si(float(adc.convert_energy), 'J')} / "
                         f"{_si(float(adc.convert_latency), 's')}")
        lines.append(f"| {bits} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def qnn() -> str:
    """`ppa accuracy qnn` (default run): float vs 5-state DW, the ADC sweep (Table VII) and variation by mechanism (Table X)."""
    from ppa.accuracy.experiments_qnn import run_qnn

    r = run_qnn()
    pct = lambda v: f"{100 * v:.1f}"  # noqa: E731
    lines = [f"Float {pct(r['float_accuracy'])} %, 5-state DW on-chip {pct(r['dw_accuracy'])} ± {pct(r['dw_std'])} %, "
             f"off-chip + transfer {pct(r['dw_offchip_accuracy'])} % ({r['seeds']} seeds, {r['epochs']} epochs).", "",
             "| ADC bits | " + " | ".join(str(p["adc_bits"]) for p in r["adc_sweep"]) + " |",
             "| --- | " + " | ".join("---:" for _ in r["adc_sweep"]) + " |",
             "| trained with this ADC (%) | " + " | ".join(pct(p["accuracy"]) for p in r["adc_sweep"]) + " |",
             "| trained without, read at B bits (%) | " + " | ".join(pct(p["accuracy"]) for p in r["adc_sweep_posthoc"]) + " |"]
    paper = {int(p["adc_bits"]): p["accuracy"] for p in r["paper"]["adc_sweep"]}
    lines.append("| Dhull Table VII, VGG-8 CIFAR-10 (%) | " + " | ".join(pct(paper[p["adc_bits"]]) if p["adc_bits"] in paper else ""
                                                                for p in r["adc_sweep"]) + " |")
    rows: dict[str, dict] = {}
    for p in r["variation_mechanism"]:
        rows.setdefault(p["mechanism"], {})[p["variation_pct"]] = p["accuracy"]
    sig = sorted({p["variation_pct"] for p in r["variation_mechanism"]})
    names = {"d2d_on_chip": "device-to-device, on-chip training", "d2d_off_chip": "device-to-device, off-chip + transfer",
             "c2c": "cycle-to-cycle (each write)", "read_noise": "read noise (each MVM)"}
    lines += ["", "| variation (relative sigma, %) | " + " | ".join(f"{v:g}" for v in sig) + " |",
              "| --- | " + " | ".join("---:" for _ in sig) + " |"]
    for mech, acc in rows.items():
        lines.append(f"| {names.get(mech, mech)} | " + " | ".join(pct(acc[v]) if v in acc else "" for v in sig) + " |")
    tab10 = {p["variation_pct"]: p["accuracy"] for p in r["paper"]["variation_sweep"]}
    lines.append("| Dhull Table X (%) | " + " | ".join(pct(tab10[v]) if v in tab10 else "" for v in sig) + " |")
    t9 = r["table_ix"]
    lines += ["", f"Table IX's process Monte Carlo ({t9['runs']} runs through the MTJ physics) implies a device-to-device "
              f"sigma of {', '.join(f'{100 * v:.1f}' for v in t9['sigma_per_state'])} % for the five states; a chip drawn "
              f"from it reaches {pct(t9['on_chip_accuracy'])} % trained on chip and {pct(t9['off_chip_accuracy'])} % off chip."]
    return "\n".join(lines)


def bnn_seeds() -> str:
    """`ppa accuracy bnn` (default run): accuracy, ECE and epistemic entropy over 5 seeds, mean ± std."""
    from ppa.accuracy.experiments_bnn import run_bnn_seeds

    o = run_bnn_seeds()["over_seeds"]
    names = {"dnn": "DNN", "bnn_software": "software BNN", "bnn_spintronic": "spintronic BNN"}
    pm = lambda d, k=100, n=2: f"{k * d['mean']:.{n}f} ± {k * d['std']:.{n}f}"  # noqa: E731
    lines = ["| model | accuracy (%) | ECE (%) | epistemic entropy (nats) |", "| --- | ---: | ---: | ---: |"]
    for m, d in o["in_distribution"].items():
        lines.append(f"| {names[m]} | {pm(d['accuracy'])} | {pm(d['ece'])} | {pm(d['entropy_epistemic'], 1, 4)} |")
    half = next(r for r in o["ood"] if abs(r["fraction"] - 0.5) < 1e-9)
    c = o["spintronic_ece_below_software"]
    lines += ["", f"At 50 % out-of-distribution: ECE {pm(half['bnn_software_ece'])} % (software BNN) and "
              f"{pm(half['bnn_spintronic_ece'])} % (spintronic); epistemic entropy {pm(half['bnn_software_epistemic'], 1, 3)} "
              f"and {pm(half['bnn_spintronic_epistemic'], 1, 3)} nats. The paper's ordering (spintronic ECE below the "
              f"software BNN's) holds in {c['in_distribution']} of {c['of']} seeds in distribution and "
              f"{c['ood_fraction_0.5']} of {c['of']} at 50 % out-of-distribution."]
    return "\n".join(lines)


def speed() -> str:
    """Run times on this machine (they vary with load): one estimate, a sweep, Monte Carlo, and the start-up of the CLI."""
    import subprocess

    import ppa
    from ppa.explore.sweep import Grid, run_sweep
    from ppa.explore.uncertainty import sample_estimate

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from _timing import best_of as best                     # the benchmark scripts' timing helper

    vgg, bert = ppa.load_network("vgg8"), ppa.load_network("bert_base_s128")
    dw = ppa.load_chip("dw_40nm")
    t_est = best(lambda: ppa.estimate(vgg, dw, "training"))
    t_bert = best(lambda: ppa.estimate(bert, dw))
    grid = Grid(["dw_40nm", "sram3b_40nm"], {"subarray.rows": [32, 64, 128, 256], "subarray.columns_per_adc": [1, 2, 4, 8, 16, 32],
                                             "adc.bits": list(range(3, 11)), "precision.activation_bits": [4, 6, 8, 10, 12, 16]})
    t_sweep = best(lambda: run_sweep(vgg, grid, "training"), 2)
    t_mc = best(lambda: sample_estimate(vgg, dw, "training", 1000, 0), 3)
    t_cli = best(lambda: subprocess.run([sys.executable, "-m", "ppa", "--help"], capture_output=True, check=True,
                                        cwd=ROOT), 3)
    from threadpoolctl import threadpool_limits

    from ppa.accuracy.analog_mvm import benchmark_mvm

    with threadpool_limits(1):
        t_mvm = benchmark_mvm("crossbar_balanced_8b", 1024, 256, 0, False, 5)["seconds_per_call"]
    return "\n".join([
        f"- one VGG-8 training estimate in process: {t_est * 1e3:.2g} ms; BERT-base inference: {t_bert * 1e3:.2g} ms "
        "(`python benchmarks/bench_estimate.py`, `bench_networks.py`);",
        f"- a VGG-8 training sweep of {grid.size:,} design points: {t_sweep:.2g} s, {grid.size / t_sweep:,.0f} points/s, "
        "validation and Pareto marking included (`python benchmarks/bench_sweep.py`);",
        f"- 1,000 Monte Carlo samples of a VGG-8 training estimate: {t_mc:.2g} s (`python benchmarks/bench_uncertainty.py`);",
        f"- one noisy, ADC-quantised 1024 x 1024 crossbar MVM over a batch of 256 on one BLAS thread: {t_mvm * 1e3:.2g} ms "
        "(`python benchmarks/bench_mvm.py`; CrossSim 3.2.0 took 10.5-19 s on the same machine);",
        f"- `ppa --help`: {t_cli:.2g} s (`python benchmarks/bench_startup.py` also times `ppa estimate`).",
    ])


#: CiMLoop's (AccelForge's for NeuRRAM) own error at the points where it is published, each calibrated per macro:
#: ppa/data/macros_public.yaml `peer_models` (CiMLoop notebooks' test_tops figures; AccelForge's printed table
#: "10,8 ... two-phase 0.2774 0.2639 6.21 6.44": 6.21 modelled against 6.44 published TOPS/W)
PEER_ERRORS = {("jia_jssc2020", "0.85 V"): ("-3 %", "+7 %"), ("jia_jssc2020", "1.2 V"): ("+4 %", "+4.5 %"),
               ("wang_vlsi2022", "0.7 V"): ("+0.6 %", "+10 %"), ("wang_vlsi2022", "1.1 V"): ("-8 %", "+8 %"),
               ("neurram_nature2022", "10b out, 8b in"): ("-3.6 %", "-")}


def macros() -> str:
    """The three published macros (`ppa macro NAME`): TOPS/W and TOPS/mm² against the published values at every point."""
    from ppa.cost.macro import macro_report
    from ppa.spec.load import load_macro

    def cell(v, digits=3):
        return "-" if v is None else f"{v:.{digits}g}"

    def err(v):
        return "-" if v is None else f"{100 * v:+.0f} %"

    lines = ["| macro | point | TOPS/W published | ppa | error | CiMLoop error | TOPS/mm² published | ppa | error "
             "| CiMLoop error |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in ("jia_jssc2020", "wang_vlsi2022", "neurram_nature2022"):
        rep = macro_report(load_macro(name))
        for i, p in enumerate(rep["points"]):
            peer_w, peer_mm2 = PEER_ERRORS.get((name, p["label"]), ("-", "-"))
            lines.append(f"| {rep['macro'] if i == 0 else ''} | {p['label']} | {cell(p['published_tops_per_w'])} | "
                         f"{cell(p['tops_per_w'])} | {err(p['error_tops_per_w'])} | {peer_w} | "
                         f"{cell(p['published_tops_per_mm2'])} | {cell(p['tops_per_mm2'])} | "
                         f"{err(p['error_tops_per_mm2'])} | {peer_mm2} |")
    return "\n".join(lines)



BLOCKS: dict[str, Block] = {b.name: b for b in (
    Block("table6", "ppa compare networks/vgg8.yaml --hw dw_40nm --hw sram_40nm --hw sram3b_40nm", table6),
    Block("pmac", "ppa pmac --sizes 8,64,1024", pmac),
    Block("bnn_costs", "ppa estimate networks/lenet5.yaml --hw pmac_40nm --samples 100 (and --mu-bits 8 for the ResNet)",
          bnn_costs),
    Block("calibration", "ppa calibration", calibration),
    Block("offchip", "ppa compare networks/vgg8.yaml --hw dw_40nm --hw sram_40nm --mode training|inference "
          "[--images 10000] [--no-offchip | --duty-cycle 0.01 | --activity 0.25 | --dataflow pipelined]", offchip),
    Block("adc_family", "ppa sweep networks/vgg8.yaml --grid hwspecs/grids/adc_family.yaml (converters alone: "
          "ppa.cost.components.converters.make_adc)", adc_family),
    Block("macros", "ppa macro jia_jssc2020 | wang_vlsi2022 | neurram_nature2022 --format json", macros),
    Block("networks", "python benchmarks/bench_networks.py (or ppa estimate NETWORK --hw dw_40nm / sram_40nm)", networks),
    Block("devices", "ppa compare networks/vgg8.yaml --mode inference|training --images 50000 " + " ".join(f"--hw {d}" for d in DEVICES),
          devices),
    Block("nodes", "ppa sweep networks/vgg8.yaml --grid hwspecs/grids/nodes_devices.yaml --mode training", nodes),
    Block("uncertainty", "ppa compare networks/vgg8.yaml --hw dw_40nm --hw sram_40nm --hw sram3b_40nm --uncertainty 1000",
          uncertainty),
    Block("tornado", "ppa sensitivity networks/vgg8.yaml --hw dw_40nm --mode training", tornado),
    Block("qnn", "ppa accuracy qnn --format json", qnn, quick=False),
    Block("bnn_seeds", "ppa accuracy bnn --format json", bnn_seeds, quick=False),
    Block("speed", "python docs/figures.py --slow speed (in-process timings; the benchmarks/ scripts print more)", speed, quick=False),
    Block("retention", "ppa retention", retention),
    Block("mvm", "ppa accuracy mvm crossbar_balanced_8b --size 128|1024 --format json", mvm),
)}

_MARK = re.compile(r"(<!-- fig:(?P<name>[a-z0-9_]+) -->\n)(?P<body>.*?)(<!-- /fig:(?P=name) -->)", re.S)


def render(text: str, names: set[str]) -> tuple[str, list[str]]:
    """README text with the named blocks rebuilt, and the names whose text changed."""
    changed: list[str] = []

    def repl(m: re.Match) -> str:
        name = m.group("name")
        if name not in names:
            return m.group(0)
        block = BLOCKS[name]
        body = f"Measured with `{block.command}`:\n\n{block.build().rstrip()}\n"
        if body != m.group("body"):
            changed.append(name)
        return m.group(1) + body + m.group(4)

    return _MARK.sub(repl, text), changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="blocks to rebuild (default: every quick block)")
    ap.add_argument("--slow", action="store_true", help="also rebuild the slow (accuracy) blocks")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if a block's text differs")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in BLOCKS]
    if unknown:
        ap.error(f"unknown block(s) {', '.join(unknown)}; known: {', '.join(BLOCKS)}")
    names = set(args.names) or {n for n, b in BLOCKS.items() if b.quick or args.slow}
    text = README.read_text(encoding="utf-8")
    present = {m.group("name") for m in _MARK.finditer(text)}
    missing = sorted(names - present)
    if missing:
        print(f"README.md has no block for: {', '.join(missing)}", file=sys.stderr)
        return 1
    new, changed = render(text, names)
    if args.check:
        for name in changed:
            print(f"README.md block {name!r} is stale: run `python docs/figures.py {name}`", file=sys.stderr)
        return 1 if changed else 0
    if changed:
        tmp = README.with_suffix(".md.tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(README)
    print(f"rebuilt {len(names)} block(s), {len(changed)} changed: {', '.join(changed) or '-'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
