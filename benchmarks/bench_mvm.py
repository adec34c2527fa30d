"""NRMSE, ms per call and peak memory of `ppa accuracy mvm` on a crossbar description, one BLAS thread (issue 17).

    PYTHONPATH=. python benchmarks/bench_mvm.py [--spec crossbar_balanced_8b] [--sizes 128,1024] [--exact]

It ends with the IR-drop check: column currents of a 64 x 64 array (cells uniform in 0.1-1 G_max, 16 random
input vectors) from ideal wires and from the first-order model, against the exact nodal solve (scipy).

Y = W X, W N x N and X N x 256 uniform in [-1, 1], seed 0, float32, against float; the crossbar is programmed
once and each call is DAC, array matmul, read noise, ADC. `ms/call` is median wall time; `CPU ms` the median
process CPU time, which on one thread is the wall time an idle machine would show (read it when others load it). The CrossSim 3.2.0 reference on the shipped
configuration is NRMSE 0.135 (N=128) / 0.138 (N=1024) at 150-220 ms and 10.5-19 s per call. `--exact` also
times the per-device read-noise path (slow by design). Median wall times; they depend on the machine and load.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # before numpy is imported
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402

CROSSSIM = {128: 0.135, 1024: 0.138}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default="crossbar_balanced_8b")
    parser.add_argument("--sizes", default="128,1024")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--exact", action="store_true", help="also time --exact (per-device read noise)")
    args = parser.parse_args()
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)  # held for the life of the process
    except ImportError:  # the environment variables above already ask for one thread
        pass
    from ppa.accuracy.analog_mvm import benchmark_mvm as run

    print(f"spec {args.spec}, batch {args.batch}, one BLAS thread")
    print(f"{'N':>5} {'mode':>6} {'NRMSE':>7} {'CrossSim':>8} {'ms/call':>9} {'CPU ms':>9} {'program ms':>10} "
          f"{'peak MiB':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        for exact in ((False, True) if args.exact else (False,)):
            r = run(args.spec, n, args.batch, 0, exact, 3 if exact else args.repeats)
            ref = CROSSSIM.get(n)
            print(f"{n:>5} {'exact' if exact else 'fast':>6} {r['nrmse']:7.4f} {ref if ref else '-':>8} "
                  f"{1e3 * r['seconds_per_call']:9.2f} {1e3 * r['cpu_seconds_per_call']:9.2f} "
                  f"{1e3 * r['program_seconds']:10.1f} {r['peak_bytes'] / 2**20:9.1f}")
    ir_drop_table()


def ir_drop_table() -> None:
    """Relative error of ideal wires and of the first-order IR-drop model vs the nodal solve, 64 x 64."""
    import numpy as np

    from ppa.accuracy.analog_mvm import ir_drop_factor, nodal_currents

    rng = np.random.default_rng(0)
    g = rng.uniform(0.1, 1.0, (64, 64))
    v = rng.uniform(-1.0, 1.0, (64, 16))
    print("\nIR drop, 64 x 64, cells 0.1-1 G_max (G_max = 1 mS): error vs nodal solve")
    print(f"{'segment ohm':>11} {'ideal wires':>11} {'first order':>11}")
    for r_ohm in (0.03, 0.1, 0.3, 1.0):
        r = r_ohm * 1e-3
        exact = nodal_currents(g, v, r)
        err = [np.linalg.norm(y - exact) / np.linalg.norm(exact) for y in (g.T @ v, (g * ir_drop_factor(g, r)).T @ v)]
        print(f"{r_ohm:>11} {err[0]:11.2%} {err[1]:11.2%}")


if __name__ == "__main__":
    main()
