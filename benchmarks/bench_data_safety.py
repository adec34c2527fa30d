"""What the data-safety checks of issue #19 cost, and how fast hostile inputs are refused.

Run: python benchmarks/bench_data_safety.py   (prints figures; never asserts a time)

- a VGG-8 training sweep (11,520 points) in memory, written with resumable chunks (atomic writes, SHA-256 per
  chunk, the table rebuilt from what the files hold), and resumed after a kill before the last chunk (every
  finished chunk verified);
- the time to refuse a 520-byte YAML alias bomb (10^9 values if expanded), 10,000 levels of nesting, and a
  10^9-point grid.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ppa.errors import PpaError  # noqa: E402
from ppa.explore.sweep import Grid, run_sweep  # noqa: E402
from ppa.spec.yamlio import read_yaml  # noqa: E402
from ppa.workload import load_network  # noqa: E402

from bench_sweep import FIELDS  # noqa: E402  (the same VGG-8 grid as the sweep benchmark)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def refused(fn) -> float:
    t0 = time.perf_counter()
    try:
        fn()
    except PpaError:
        return time.perf_counter() - t0
    raise SystemExit("expected a refusal")


class Killed(Exception):
    pass


def main() -> None:
    net = load_network(ROOT / "networks" / "vgg8.yaml")
    grid = Grid(["dw_40nm"], FIELDS)
    chunk = 1024
    chunks = -(-grid.size // chunk)
    run_sweep(net, Grid(["dw_40nm"], {"adc.bits": [4, 8]}), "training")       # warm-up: imports and spec caches
    t_mem = timed(lambda: run_sweep(net, grid, "training", chunk_size=chunk))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.csv"
        t_out = timed(lambda: run_sweep(net, grid, "training", out, chunk_size=chunk))
        out.unlink()

        def kill(done: int, total: int) -> None:
            if done == total - 1:
                raise Killed

        try:
            run_sweep(net, grid, "training", out, chunk_size=chunk, on_chunk=kill)
        except Killed:
            pass
        t_resume = timed(lambda: run_sweep(net, grid, "training", out, chunk_size=chunk))
        size = out.stat().st_size
    print(f"VGG-8 training sweep, {grid.size:,} points in {chunks} chunks of {chunk}:")
    print(f"  in memory:                          {t_mem:.2f} s")
    print(f"  with -o (atomic, checksummed chunks): {t_out:.2f} s  ({size / 1e6:.1f} MB table)")
    print(f"  resume after a kill before the last chunk ({chunks - 1} chunks verified, 1 evaluated): {t_resume:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bomb.yaml"
        text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for i in range(1, 10):
            text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
        bomb.write_text(text)
        deep = Path(tmp) / "deep.yaml"
        deep.write_text("[" * 10000 + "]" * 10000)
        print(f"YAML alias bomb ({bomb.stat().st_size} bytes, 9^10 values expanded) refused in {refused(lambda: read_yaml(bomb)) * 1e3:.1f} ms")
        print(f"10,000 levels of nesting refused in {refused(lambda: read_yaml(deep)) * 1e3:.0f} ms")
    values = list(range(1, 1001))
    huge = Grid(["dw_40nm"], {"training.batch_size": values, "training.wg_lanes": values, "training.accumulation_lanes": values})
    print(f"a {huge.size:,}-point grid refused in {refused(lambda: run_sweep(net, huge)) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
