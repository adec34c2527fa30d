"""Where the 5-state DW network's gap to float comes from (issue 14 item 3): an ablation on the digits CNN.

    python benchmarks/bench_qnn_gap.py [--seeds 2] [--epochs 12]

Trains the same CNN on chip (Table II: SGD with stochastic rounding onto the DW states, no float shadow
weights) while removing one non-ideality at a time (ADC, stochastic writes, few states), and compares with the
float32 baseline and with off-chip training + Eq. 2 transfer (per-layer range chosen by search, write-verify).
Prints mean test accuracy over seeds; the numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ppa.accuracy import dw_synapse as dw  # noqa: E402
from ppa.accuracy import qnn  # noqa: E402
from ppa.accuracy.datasets import load_digits  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=12)
    args = ap.parse_args()
    d = load_digits()
    p = dw.DwDeviceParams()

    def ideal_writes(q):
        return q.replace(write_transition=tuple(map(tuple, dw.ideal_write_transition(q.n_states))))

    on_chip = {
        "5 states, 8-bit ADC, stochastic writes (default)": p,
        "5 states, no ADC": p.replace(adc_bits=None),
        "5 states, no ADC, ideal writes": ideal_writes(p.replace(adc_bits=None)),
        "9 states, 8-bit ADC": p.with_states(9),
        "17 states, no ADC, ideal writes": ideal_writes(p.with_states(17).replace(adc_bits=None)),
    }
    rows = []
    floats, offs = [], []
    for s in range(args.seeds):
        rng = np.random.default_rng(s)
        f = qnn.train_float(qnn.build("cnn", rng), d.x_train, d.y_train, rng, epochs=args.epochs)
        floats.append(f.accuracy(d.x_test, d.y_test))
        offs.append(qnn.transfer(f, p, rng, d.x_train[:256]).accuracy(d.x_test, d.y_test))
    rows.append(("float32 (Adam)", floats))
    rows.append(("off-chip + Eq. 2 transfer, 5 states, 8-bit ADC", offs))
    for name, q in on_chip.items():
        rows.append((f"on-chip: {name}", [qnn.train_on_chip("cnn", q, d.x_train, d.y_train, np.random.default_rng(s),
                                                            epochs=args.epochs).accuracy(d.x_test, d.y_test)
                                          for s in range(args.seeds)]))
    for name, accs in rows:
        print(f"{name:60s} {100 * np.mean(accs):6.2f} %  (+- {100 * np.std(accs):.2f})")


if __name__ == "__main__":
    main()
