"""Helpers for the hostile-spec tests: run a spec through graphspec, timed and memory-measured."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphspec import check
from graphspec.errors import Diagnostic, SpecError

__all__ = ["Outcome", "diagnose", "measured"]

Source = str | bytes | Path


@dataclass
class Outcome:
    """What graphspec made of a spec: every diagnostic, and whether it stopped at loading."""

    diagnostics: list[Diagnostic]
    raised: bool

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def first(self, code: str) -> Diagnostic:
        found = [d for d in self.diagnostics if d.code == code]
        assert found, [d.format() for d in self.diagnostics]
        return found[0]


def diagnose(source: Source) -> Outcome:
    """``graphspec.check`` the spec; a spec that cannot be loaded gives its SpecError diagnostics."""
    try:
        return Outcome(check(source).diagnostics, raised=False)  # type: ignore[arg-type]
    except SpecError as err:  # LoadError is a SpecError
        return Outcome(list(err.diagnostics), raised=True)


def measured(fn: Callable[[], Any]) -> tuple[Any, float, int]:
    """Run ``fn`` once timed (plain), once under tracemalloc; the result, seconds, peak bytes."""
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, seconds, peak
