"""The per-category VGG-8 table pinned in vgg8_categories.csv: regenerate it on purpose after a model change with
`PYTHONPATH=. python tests/regression/vgg8_table.py` and say why in the commit."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

PINNED = Path(__file__).with_name("vgg8_categories.csv")
DESIGNS = ("dw_40nm", "sram_40nm", "sram3b_40nm")


def current_table() -> pd.DataFrame:
    """Per-image energy and latency by layer x category, and chip area by category, for the shipped designs."""
    from ppa.cost.estimate import estimate
    from ppa.spec import load_chip
    from ppa.spec.shipped import shipped_dir
    from ppa.workload import load_network

    net = load_network(shipped_dir("networks") / "vgg8.yaml")
    rows = []
    for hw in DESIGNS:
        chip = load_chip(hw)
        for mode in ("inference", "training"):
            e = estimate(net, chip, mode)
            for _, r in e.table.iterrows():
                for q in ("energy_j", "latency_s"):
                    rows.append({"design": hw, "mode": mode, "layer": r["layer"], "category": r["category"],
                                 "quantity": q, "value": float(r[q])})
        for cat, v in e.area_m2.items():
            rows.append({"design": hw, "mode": "-", "layer": "-", "category": cat, "quantity": "area_m2", "value": v})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    table = current_table()
    tmp = PINNED.with_name(PINNED.name + ".tmp")
    table.to_csv(tmp, index=False, float_format="%.10g")
    tmp.replace(PINNED)
    print(f"wrote {len(table)} rows to {PINNED}")
