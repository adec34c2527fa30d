"""Speed of the core estimator: one VGG-8 training estimate in process, and the CLI end to end.

Run: python benchmarks/bench_estimate.py   (prints figures; never asserts a time)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _timing import best_of  # noqa: E402

from ppa.cost.estimate import estimate  # noqa: E402
from ppa.workload import load_network  # noqa: E402
from ppa.spec import load_chip  # noqa: E402


def main() -> None:
    net = load_network(ROOT / "networks" / "vgg8.yaml")
    chip = load_chip("dw_40nm")
    t_est = best_of(lambda: estimate(net, chip, "training"), 7, 20)
    t_load = best_of(lambda: (load_chip("dw_40nm"), load_network(ROOT / "networks" / "vgg8.yaml")), number=5)
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ppa", "estimate", "networks/vgg8.yaml", "--mode", "training", "--format", "json"],
                       cwd=ROOT, check=True, capture_output=True)
        runs.append(time.perf_counter() - t0)
    print(f"VGG-8 training estimate, in process (spec and network already loaded): {t_est * 1e3:.2f} ms")
    print(f"load spec (with extends + units) and network:                          {t_load * 1e3:.2f} ms")
    print(f"CLI end to end (python -m ppa estimate ... --format json), best of 3:    {min(runs) * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
