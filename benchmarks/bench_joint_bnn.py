"""Cost of `ppa sweep --accuracy bnn` (issue 14 item 4): training once per seed, then each hardware design point.

    python benchmarks/bench_joint_bnn.py [--points 9]

In a fresh cache folder: training the digits BNN (`trained_digits_bnn`, once per seed), reading it back from
the disk cache, and `bnn_metrics_for` (mapping to Bayes-MTJ + DW-pair hardware and 20 samples over the 539
test images) on `points` distinct (ADC bits, sigma bits, on/off ratio) combinations. Wall and CPU seconds;
numbers depend on the machine and its load. Prints figures; never asserts a time.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=9)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PPA_CACHE_DIR"] = tmp
        from ppa.accuracy import experiments_bnn as eb

        def timed(f):
            w, c = time.perf_counter(), time.process_time()
            out = f()
            return out, time.perf_counter() - w, time.process_time() - c

        _, w, c = timed(lambda: eb.trained_digits_bnn(0))
        print(f"train digits BNN (seed 0, {eb.ClassifierConfig().epochs} epochs): {w:.2f} s wall, {c:.2f} s CPU")
        eb._TRAINED.clear()
        _, w, c = timed(lambda: eb.trained_digits_bnn(0))
        print(f"read the trained BNN back from the disk cache: {w:.3f} s wall, {c:.3f} s CPU")
        combos = list(itertools.product((3, 4, 8), (1, 2, 4), (5.0, 10.0, 38.9)))[: args.points]
        walls = []
        for adc, sb, ratio in combos:
            m, w, c = timed(lambda: eb.bnn_metrics_for(adc, sb, 4, ratio))
            walls.append(w)
            print(f"  adc {adc} bits, sigma {sb} bits, on/off {ratio:5.1f}: accuracy {100 * m['accuracy']:.2f} %, "
                  f"ECE {100 * m['ece']:.2f} %  ({w:.3f} s wall, {c:.3f} s CPU)")
        print(f"per design point: median {sorted(walls)[len(walls) // 2]:.3f} s wall over {len(walls)} points")


if __name__ == "__main__":
    main()
