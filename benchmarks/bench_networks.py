"""Speed and results of the shipped ImageNet CNNs and transformers: in-process estimate time per network, and
the DW-MTJ vs SRAM inference energy and latency per image (the README's table of shipped networks).

Run: python benchmarks/bench_networks.py   (prints figures; never asserts a time)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _timing import best_of  # noqa: E402

from ppa.cost.estimate import estimate  # noqa: E402
from ppa.spec import load_chip  # noqa: E402
from ppa.workload import load_network  # noqa: E402

NETWORKS = ("resnet18", "resnet50", "mobilenetv2", "vit_tiny16", "bert_base_s128")


def main() -> None:
    dw, sram = load_chip("dw_40nm"), load_chip("sram_40nm")
    print("in-process inference estimate on dw_40nm (spec and network already loaded):")
    rows = []
    for name in NETWORKS:
        net = load_network(ROOT / "networks" / f"{name}.yaml")
        t = best_of(lambda: estimate(net, dw), 5, 10)
        print(f"  {net.name:22s} {len(net.layers):4d} layers  {t * 1e3:6.2f} ms")
        e_dw, e_sr = estimate(net, dw), estimate(net, sram)
        rows.append((net, e_dw, e_sr))
    print()
    print("| network | parameters | MACs | DW-MTJ energy | SRAM energy | SRAM / DW | DW-MTJ latency | SRAM latency | DW area | SRAM area |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for net, a, b in rows:
        ea, eb = a.totals("energy_j")["total"], b.totals("energy_j")["total"]
        la, lb = a.totals("latency_s")["total"], b.totals("latency_s")["total"]
        print(f"| {net.name} | {net.params / 1e6:.2f} M | {net.macs / 1e9:.2f} G | {ea * 1e6:.0f} uJ | {eb * 1e6:.0f} uJ | "
              f"{eb / ea:.1f}x | {la * 1e3:.2f} ms | {lb * 1e3:.2f} ms | {a.area_m2['total'] * 1e6:.0f} mm^2 | "
              f"{b.area_m2['total'] * 1e6:.0f} mm^2 |")
    print()
    print("BERT-base attention products (Q.K^T, A.V), dynamic_matmul: digital vs array (operand written every image):")
    bert = rows[-1][0]
    for chip in (dw, sram):
        for choice in ("digital", "array"):
            c = chip.model_copy(update={"vector_unit": chip.vector_unit.model_copy(update={"dynamic_matmul": choice})})
            est = estimate(bert, c)
            e, lat = est.totals("energy_j"), est.totals("latency_s")
            writes = est.resources.get("operand_cell_writes", 0.0)
            print(f"  {chip.name:26s} {choice:8s} total {e['total'] * 1e6:8.0f} uJ {lat['total'] * 1e3:7.2f} ms; "
                  f"dynamic_matmul {e['dynamic_matmul'] * 1e6:7.2f} uJ {lat['dynamic_matmul'] * 1e6:8.2f} us; "
                  f"cells written per image {writes:.3g}")


if __name__ == "__main__":
    main()
