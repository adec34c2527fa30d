"""Calibration provenance and checks: every calibrated constant of the shipped specs with the paper table it was
fitted to (read from the specs' own comments), and the issue-#10 bounds against Dhull et al. Tables III-VI."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ppa.spec.shipped import shipped_dir

_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z_][\w]*):\s*(?P<value>[^#]*?)\s*(?:#\s*(?P<comment>.*))?$")
_TABLE = re.compile(r"Table[s]?\s+[IVX]+(?:\s*(?:-|/|and|,)\s*[IVX]+)*")
_CALIBRATED = re.compile(r"(?<!not )\bcalibrated\b", re.IGNORECASE)
SHIPPED_SPECS = ("tech_40nm.yaml", "dw_40nm.yaml", "sram_40nm.yaml", "sram3b_40nm.yaml", "pmac_40nm.yaml")
EPOCH = 50_000


def calibrated_constants(files=SHIPPED_SPECS, folder: Path | None = None) -> list[dict]:
    """Every field whose comment says 'calibrated', with its file, dotted path, value and the table(s) it names."""
    folder = folder or shipped_dir("hwspecs")
    out = []
    for name in files:
        path = folder / name
        if not path.exists():
            continue
        stack: list[tuple[int, str]] = []
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = _LINE.match(line)
            if not m or line.lstrip().startswith("#"):
                continue
            indent = len(m["indent"])
            while stack and stack[-1][0] >= indent:
                stack.pop()
            dotted = ".".join([k for _, k in stack] + [m["key"]])
            if not m["value"]:
                stack.append((indent, m["key"]))
                continue
            comment = m["comment"] or ""
            hit = _CALIBRATED.search(comment)
            if hit:
                fitted = comment[hit.start():]
                tables = _TABLE.findall(fitted)
                out.append({"file": name, "line": lineno, "field": dotted, "value": m["value"],
                            "fitted_to": ", ".join(tables) if tables else fitted, "comment": comment})
    return out


def calibration_checks(network=None) -> list[dict]:
    """The calibration bounds of issue #10 on VGG-8 training with the shipped DW and 32-bit SRAM specs:
    Table VI totals within 10 %, the three ratios within 5 %, category shares within 5 points of Tables III/IV,
    per-layer energy within 30 % of Table IV."""
    from ppa.cost.estimate import PAPER_CATEGORIES, estimate
    from ppa.spec import load_chip
    from ppa.workload import load_network

    data = Path(__file__).resolve().parents[1] / "data"

    def ref(name):
        return pd.read_csv(data / name, comment="#")

    net = network or load_network(shipped_dir("networks") / "vgg8.yaml")
    est = {d: estimate(net, load_chip(s), "training") for d, s in (("DW", "dw_40nm"), ("SRAM", "sram_40nm"))}
    rows = []

    def add(check, ours, paper, bound, kind="rel"):
        err = ours / paper - 1.0 if kind == "rel" else ours - paper
        rows.append({"check": check, "ours": ours, "paper": paper, "error": err, "bound": bound,
                     "ok": abs(err) <= bound})

    t6 = ref("dhull_table6_dw_vs_sram.csv").set_index("device")
    tot = {}
    for d, e in est.items():
        tot[d] = (e.totals("energy_j", PAPER_CATEGORIES)["total"] * EPOCH, e.totals("latency_s", PAPER_CATEGORIES)["total"] * EPOCH,
                  e.area_m2["total"])
        add(f"Table VI {d} energy (J/epoch)", tot[d][0], t6.loc[d, "total_energy_j"], 0.10)
        add(f"Table VI {d} latency (s/epoch)", tot[d][1], t6.loc[d, "total_latency_s"], 0.10)
        add(f"Table VI {d} area (m^2)", tot[d][2], t6.loc[d, "total_area_m2"], 0.10)
    for i, (q, paper) in enumerate((("energy", 9.6), ("latency", 3.5), ("area", 13.8))):
        add(f"Table VI SRAM/DW {q} ratio", tot["SRAM"][i] / tot["DW"][i], paper, 0.05)
    for q, table, label in (("energy_j", "dhull_table4_energy_j.csv", "IV"), ("latency_s", "dhull_table3_latency_s.csv", "III")):
        r = ref(table).set_index("layer")
        total = r.loc["total"]
        r_sum = sum(total[c] for c in PAPER_CATEGORIES)
        ours = est["DW"].totals(q, PAPER_CATEGORIES)
        for c in PAPER_CATEGORIES:
            add(f"Table {label} DW {c} share (points)", 100 * ours[c] / ours["total"], 100 * total[c] / r_sum, 5.0, "abs")
    r = ref("dhull_table4_energy_j.csv").set_index("layer")
    layers = [str(i) for i in range(1, 9)]
    paper = r.loc[layers, list(PAPER_CATEGORIES)].sum(axis=1).to_numpy()
    ours = est["DW"].per_layer("energy_j")[list(PAPER_CATEGORIES)].sum(axis=1).to_numpy() * EPOCH
    for i, name in enumerate(est["DW"].per_layer("energy_j").index):
        add(f"Table IV DW {name} energy (J/epoch)", float(ours[i]), float(paper[i]), 0.30)
    return rows
