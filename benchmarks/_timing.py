"""Timing helpers: medians over repeats, wall time of subprocesses, peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Timed",
    "median_time",
    "paired_medians",
    "paired_runs",
    "paired_times",
    "peak_memory",
    "run_wall",
]


@dataclass(frozen=True)
class Timed:
    """Medians of one contender: wall time and CPU time (the calling thread's, or the child's)."""

    wall: float
    cpu: float


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


def paired_medians(
    *fns: Callable[[], Any], repeats: int = 5, warmup: int = 1, balanced: bool = False
) -> list[float]:
    """Median times of several calls measured in turn (a, b, a, b, ...), so that drifts in
    machine speed during the run hit every contender alike.

    ``balanced`` reverses the order every other round (a, b, b, a, a, b, ...): for calls that
    change the process they run in (each TensorFlow export traces and keeps more graphs, and
    later ones run faster or slower), the one that always ran second would otherwise gain or
    lose the drift of one call per round.
    """
    for fn in fns:
        for _ in range(warmup):
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for round_ in range(repeats):
        order = list(enumerate(fns))
        if balanced and round_ % 2:
            order.reverse()
        for i, fn in order:
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def paired_times(*fns: Callable[[], Any], repeats: int = 5, warmup: int = 1) -> list[Timed]:
    """Like :func:`paired_medians`, with the median CPU time of each call besides its wall time.

    On a shared machine the wall time of a call includes the time other processes held the
    CPU; its CPU time (``time.thread_time``: the calling thread's, so that TensorFlow's idle
    worker threads do not count) does not. On an idle machine the two agree for a call that
    runs in one thread.
    """
    for fn in fns:
        for _ in range(warmup):
            fn()
    walls: list[list[float]] = [[] for _ in fns]
    cpus: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            cpu, start = time.thread_time(), time.perf_counter()
            fn()
            walls[i].append(time.perf_counter() - start)
            cpus[i].append(time.thread_time() - cpu)
    return [
        Timed(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus, strict=True)
    ]


def paired_runs(
    *argvs: Sequence[str], repeats: int = 5, env: Mapping[str, str] | None = None
) -> list[Timed]:
    """Median wall and CPU (user + system, from the child's resource usage) times of several
    commands run in turn (a, b, a, b, ...); each must exit 0 or 1."""
    walls: list[list[float]] = [[] for _ in argvs]
    cpus: list[list[float]] = [[] for _ in argvs]
    for _ in range(repeats):
        for i, argv in enumerate(argvs):
            start = time.perf_counter()
            child = subprocess.Popen(
                argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            assert child.stderr is not None
            err = child.stderr.read()
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            walls[i].append(time.perf_counter() - start)
            cpus[i].append(usage.ru_utime + usage.ru_stime)
            if child.returncode not in (0, 1):
                sys.stderr.write(err.decode(errors="replace"))
                raise RuntimeError(f"{argv} exited {child.returncode}")
    return [
        Timed(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus, strict=True)
    ]


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
