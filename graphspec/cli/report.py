"""Diagnostics printed for people (text with a tally) or for programs (JSON)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TextIO

from graphspec.errors import Diagnostic, Severity

__all__ = ["print_diagnostics"]


def print_diagnostics(
    diagnostics: Sequence[Diagnostic], fmt: str, stream: TextIO | None = None
) -> None:
    """Print diagnostics as text lines (with a one-line tally) or as a JSON list."""
    stream = stream or sys.stderr
    if fmt == "json":
        print(json.dumps([d.to_dict() for d in diagnostics], indent=2), file=stream)
        return
    for diag in diagnostics:
        print(diag.format(), file=stream)
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    if errors or warnings:
        print(
            f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}",
            file=stream,
        )
