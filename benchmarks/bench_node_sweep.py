"""A node sweep evaluated as one array computation vs one validated spec and estimate per node.

    python benchmarks/bench_node_sweep.py [--points 200] [--repeats 3]

`points` nodes spaced log-evenly from 130 nm to 7 nm, VGG-8 training, the dw_40nm design. The vectorised path
is `ppa.explore.sweep.run_sweep` with `technology.node` as an axis (every technology constant and the device's
CMOS fields derived as arrays); the loop path validates a spec with `technology.node` and calls `ppa.estimate`
for each node. Both give the same totals (checked here, and in tests/test_technology.py). Best-of-`repeats` wall
times; they depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import ppa
from ppa.explore.sweep import Grid, run_sweep


def best(fn, repeats: int):
    out, times = None, []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    net = ppa.load_network("networks/vgg8.yaml")
    base = ppa.load_chip("dw_40nm")
    nodes = np.geomspace(130e-9, 7e-9, args.points)

    def vectorised():
        return run_sweep(net, Grid(["dw_40nm"], {"technology.node": [float(n) for n in nodes]}), mode="training")

    def loop():
        out = []
        for n in nodes:
            data = base.model_dump()
            data["technology"]["node"] = float(n)
            chip = type(base).model_validate(data, context={"feature_size": base.technology.feature_size})
            out.append(ppa.estimate(net, chip, mode="training").totals("energy_j")["total"])
        return np.array(out)

    t_vec, swept = best(vectorised, args.repeats)
    t_loop, energies = best(loop, args.repeats)
    assert np.allclose(swept["energy_j"].to_numpy(), energies, rtol=1e-9)
    print(f"{args.points} nodes, VGG-8 training, dw_40nm")
    print(f"vectorised sweep : {t_vec * 1e3:8.1f} ms  ({t_vec / args.points * 1e6:7.1f} us per node)")
    print(f"per-node estimate: {t_loop * 1e3:8.1f} ms  ({t_loop / args.points * 1e6:7.1f} us per node)")
    print(f"speed-up         : {t_loop / t_vec:8.1f}x")


if __name__ == "__main__":
    main()
