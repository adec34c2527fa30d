"""Design points per second of a VGG-8 sweep (>= 10,000 points) vs one `estimate` call per point.

Run: python benchmarks/bench_sweep.py   (prints figures; never asserts a time)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ppa.cost.estimate import estimate  # noqa: E402
from ppa.workload import load_network  # noqa: E402
from ppa.spec import load_chip  # noqa: E402
from ppa.explore.sweep import Grid, design_points, run_sweep  # noqa: E402

FIELDS = {
    "subarray.rows": [32, 64, 128, 256, 512],
    "subarray.columns": [64, 128, 256, 512],
    "subarray.columns_per_adc": [1, 2, 4, 8, 16, 32],
    "adc.bits": [3, 4, 5, 6, 7, 8, 9, 10],
    "precision.activation_bits": [4, 6, 8, 12],
    "hierarchy.subarrays_per_pe": [1, 4, 16],
}


def main() -> None:
    net = load_network(ROOT / "networks" / "vgg8.yaml")
    grid = Grid(["dw_40nm"], FIELDS)
    t0 = time.perf_counter()
    result = run_sweep(net, grid, "training")
    t_vec = time.perf_counter() - t0
    n = len(result)

    base = load_chip("dw_40nm")
    points = design_points(grid).sample(300, random_state=0)
    t0 = time.perf_counter()
    for _, row in points.iterrows():
        data = base.model_dump()
        for key in FIELDS:
            section, name = key.split(".")
            data[section][name] = int(row[key])
        estimate(net, type(base).model_validate(data), "training")
    t_loop = (time.perf_counter() - t0) / len(points)
    print(f"VGG-8 training sweep: {n:,} design points in {t_vec:.2f} s = {n / t_vec:,.0f} points/s "
          f"(incl. validation, Pareto marking over {int(result['pareto'].sum())} front points)")
    print(f"one estimate() call per point (with spec validation): {t_loop * 1e3:.2f} ms/point = {1 / t_loop:,.0f} points/s")
    print(f"speed-up of the array sweep: {t_loop * n / t_vec:.0f}x")


if __name__ == "__main__":
    main()
