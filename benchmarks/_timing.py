"""Timing helper shared by the benchmark scripts (they print figures; nothing here asserts a time)."""

from __future__ import annotations

import time


def best_of(fn, repeat: int = 5, number: int = 1) -> float:
    """Best mean wall time per call over `repeat` batches of `number` calls of `fn`."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)
