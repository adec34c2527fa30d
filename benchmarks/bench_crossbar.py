"""Throughput of the noisy, ADC-quantised DW crossbar MVM vs a plain float32 numpy matmul of the same shape.

    python benchmarks/bench_crossbar.py [--batch 256] [--repeats 20]

For each shape the crossbar is programmed once (10 % conductance variation sampled then, 8-bit DAC and ADC,
ADC range calibrated on the batch), so the timed MVM is: DAC quantisation, one float32 matmul per subarray,
one in-place ADC pass, subarray accumulation. Rows:

- `one array`: the whole matrix as one crossbar (rows = fan-in), the like-for-like comparison;
- `128-row subarrays`: the paper's 128-row subarrays, each with its own ADC, partial sums added digitally;
- `bit-serial 8b`: inputs applied as 8 one-bit planes with an ADC conversion per plane and shift-add
  (8x the matmul work by construction, shown for reference).

Best-of-`repeats` wall times; numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ppa.accuracy.crossbar import Crossbar
from ppa.accuracy.dw_synapse import DwDeviceParams


def best_time(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench(n: int, batch: int, repeats: int, rows: int, bit_serial: bool, rng: np.random.Generator):
    params = DwDeviceParams(variation=0.10, adc_bits=8, dac_bits=8, rows=rows, bit_serial=bit_serial)
    xb = Crossbar(params, n, n)
    xb.program(rng.integers(0, params.n_states, (n, n)).astype(np.int8), rng)
    x = rng.uniform(0, 1, (batch, n)).astype(np.float32)
    xb.calibrate(x)
    w = xb.weights.copy()
    t_plain = best_time(lambda: x @ w, repeats)
    t_xbar = best_time(lambda: xb.forward(x), repeats)
    return t_plain, t_xbar


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    print(f"batch {args.batch}, float32, best of {args.repeats}; throughput in input vectors per second")
    print(f"{'shape':>10}  {'mode':<18} {'plain matmul/s':>15} {'noisy ADC MVM/s':>16} {'GMAC/s':>8} {'slowdown':>9}")
    for n in (128, 1024):
        modes = [("one array", n, False), ("128-row subarrays", 128, False), ("bit-serial 8b", n, True)]
        if n == 128:
            modes = [modes[0], modes[2]]
        for label, rows, serial in modes:
            t_plain, t_xbar = bench(n, args.batch, args.repeats, rows, serial, rng)
            gmac = args.batch * n * n / t_xbar / 1e9
            print(f"{n:>4}x{n:<5}  {label:<18} {args.batch / t_plain:>15,.0f} {args.batch / t_xbar:>16,.0f} "
                  f"{gmac:>8.2f} {t_xbar / t_plain:>8.2f}x")


if __name__ == "__main__":
    main()
