"""Timing helpers: medians over repeats, wall time of subprocesses, peak memory."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["median_time", "paired_medians", "peak_memory", "run_wall"]


def median_time(fn: Callable[[], Any], *, repeats: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(*fns: Callable[[], Any], repeats: int = 5, warmup: int = 1) -> list[float]:
    """Median times of several calls measured in turn (a, b, a, b, ...), so that drifts in
    machine speed during the run hit every contender alike."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def run_wall(argv: Sequence[str], *, repeats: int = 5, env: dict[str, str] | None = None) -> float:
    """Median wall time of a subprocess (start-up included); it must exit 0 or 1."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.stderr.write(proc.stderr.decode(errors="replace"))
            raise RuntimeError(f"{argv} exited {proc.returncode}")
    return statistics.median(times)


def peak_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated by Python while running ``fn()`` (tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
