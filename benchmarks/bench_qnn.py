"""Speed of the QNN accuracy model's training loops, this checkout against an earlier commit (issue 14 item 5).

    python benchmarks/bench_qnn.py [--before 38d75dc] [--repeats 3]

Each source tree is timed in its own subprocess (its own numpy state) on the same work:

- `on-chip 12 ep`: quantisation-aware on-chip training of the digits CNN on 5-state DW arrays, 12 epochs, 8-bit
  ADC (one call of `qnn.train_on_chip`, the unit the default `ppa accuracy qnn` run repeats ~16 times per seed);
- `float 8 ep`: the float32 Adam baseline, 8 epochs.

`--before` names a git commit; its tree is exported with `git archive` into a temporary folder (38d75dc is the
last commit before the variation/ADC/speed work). Then, in this tree only, the choices the speed-up made are
measured: the conv as im2col + matmul (strided window view made contiguous, the old way; k*k contiguous slice
copies, the new way) against `np.einsum` on the window view; and the old tree is timed again with BLAS on one
thread, which separates the code changes from the one-thread limit the new tree sets itself.
Best of `repeats`, CPU seconds of the process and wall seconds; numbers depend on the machine and its load.
Prints figures; never asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TIMING = r"""
import json, sys, time
import numpy as np
from ppa.accuracy import qnn
from ppa.accuracy.datasets import load_digits
from ppa.accuracy.dw_synapse import DwDeviceParams
d = load_digits()
def best(fn, repeats):
    out = []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.process_time() - c, time.perf_counter() - t))
    return min(out)
r = int(sys.argv[1])
res = {
    "on-chip 12 ep": best(lambda: qnn.train_on_chip("cnn", DwDeviceParams(adc_bits=8), d.x_train, d.y_train,
                                                   np.random.default_rng(0), epochs=12), r),
    "float 8 ep": best(lambda: qnn.train_float(qnn.build("cnn", np.random.default_rng(0)), d.x_train, d.y_train,
                                               np.random.default_rng(0), epochs=8), r),
}
print(json.dumps(res))
"""


def time_tree(tree: Path, repeats: int, env: dict | None = None) -> dict:
    """Run the timing snippet with `tree` first on the import path; {name: (cpu s, wall s)}."""
    e = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1", **(env or {}))
    out = subprocess.run([sys.executable, "-c", TIMING, str(repeats)], cwd=tree, env=e, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def conv_choices(repeats: int) -> dict:
    """conv2 of the CNN (batch 128, 8x8, 8 -> 16 channels, 3x3): three ways to compute it, best wall seconds
    on one BLAS thread."""
    import time

    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    sys.path.insert(0, str(ROOT))
    from ppa.accuracy.qnn import im2col

    rng = np.random.default_rng(0)
    x = rng.random((128, 8, 8, 8), dtype=np.float32)       # channels-last
    w = rng.random((72, 16), dtype=np.float32)
    xc = np.ascontiguousarray(x.transpose(0, 3, 1, 2))      # channels-first, the old layout

    def window_contiguous():
        xp = np.pad(xc, ((0, 0), (0, 0), (1, 1), (1, 1)))
        win = sliding_window_view(xp, (3, 3), axis=(2, 3))
        return np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)).reshape(-1, 72) @ w

    def slices():
        return im2col(x) @ w

    w4 = w.reshape(3, 3, 8, 16)

    def einsum():
        xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
        win = sliding_window_view(xp, (3, 3), axis=(1, 2))  # (n, H, W, C, k, k)
        return np.einsum("nhwcij,ijco->nhwo", win, w4, optimize=True)

    from threadpoolctl import threadpool_limits

    limit = threadpool_limits(1, user_api="blas")   # as the training loops run
    out = {}
    for name, fn in (("im2col: window view made contiguous (old)", window_contiguous),
                     ("im2col: k*k slice copies (new)", slices), ("einsum on the window view", einsum)):
        fn()
        times = []
        for _ in range(max(repeats, 5) * 4):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        out[name] = min(times)
    limit.restore_original_limits()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="38d75dc", help="git commit to compare with ('' to skip)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows = {}
    if args.before:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before], check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            rows[f"before ({args.before})"] = time_tree(Path(tmp), args.repeats)
            rows["before, OPENBLAS_NUM_THREADS=1"] = time_tree(Path(tmp), args.repeats,
                                                               {"OPENBLAS_NUM_THREADS": "1"})
    rows["after (this tree)"] = time_tree(ROOT, args.repeats)
    print(f"{'tree':34s} {'work':16s} {'CPU s':>8s} {'wall s':>8s}")
    for tree, res in rows.items():
        for work, (cpu, wall) in res.items():
            print(f"{tree:34s} {work:16s} {cpu:8.2f} {wall:8.2f}")
    if args.before:
        b, a = rows[f"before ({args.before})"], rows["after (this tree)"]
        for work in a:
            print(f"speed-up {work}: {b[work][0] / a[work][0]:.1f}x CPU, {b[work][1] / a[work][1]:.1f}x wall")
    print()
    for name, t in conv_choices(args.repeats).items():
        print(f"conv2 forward, batch 128: {name:45s} {1e3 * t:7.3f} ms")


if __name__ == "__main__":
    main()
