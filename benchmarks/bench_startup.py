"""Start-up time of the `ppa` command: `ppa --help` and `ppa estimate networks/vgg8.yaml`, wall clock per run.

Run: python benchmarks/bench_startup.py   (prints figures; never asserts a time)
Targets (issue #11): --help under 0.3 s, estimate under 0.5 s on the 2-core machine. Each command runs in a
fresh interpreter (`python -m ppa`, as the console script does) with the checkout first on PYTHONPATH; the
best and the median wall time and the best CPU time (user + system) of 7 runs are printed, then the heavy libraries each command imported (from -X importtime).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "pydantic", "matplotlib", "pint", "sklearn", "jinja2", "numpy", "scipy", "rich", "onnx")
COMMANDS = {"ppa --help": ["--help"], "ppa estimate networks/vgg8.yaml": ["estimate", "networks/vgg8.yaml"]}


def env() -> dict:
    out = dict(os.environ)
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), out.get("PYTHONPATH", "")]))
    return out


def wall(args: list[str], runs: int = 7) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user + system) seconds of each run; on a shared machine CPU time is the steadier figure."""
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "ppa", *args], cwd=ROOT, env=env(), check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


def heavy_imports(args: list[str]) -> list[str]:
    """Top-level packages among HEAVY that the command imported, with their cumulative import time."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "ppa", *args], cwd=ROOT, env=env(),
                          capture_output=True, text=True, check=True)
    found = {}
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() in HEAVY:
            found[parts[2].strip()] = int(parts[1]) / 1e6
    return [f"{name} {sec:.3f} s" for name, sec in sorted(found.items(), key=lambda kv: -kv[1])]


def main() -> None:
    wall(["--version"], runs=1)  # warm the file cache
    python = wall_python()
    print(f"python -c pass (interpreter alone): best {min(python):.3f} s, median {statistics.median(python):.3f} s")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label, args in COMMANDS.items():
        times, cpu = wall(args)
        print(f"{label}: wall best {min(times):.3f} s, median {statistics.median(times):.3f} s; "
              f"CPU best {min(cpu):.3f} s; heavy imports: {', '.join(heavy_imports(args)) or 'none'}")


def wall_python(runs: int = 7) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t0)
    return times


if __name__ == "__main__":
    main()
