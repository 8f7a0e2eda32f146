"""Small helpers shared by the tests (no fixtures: plain functions)."""

from __future__ import annotations

import textwrap

from graphspec import check
from graphspec.api import CheckResult
from graphspec.errors import Diagnostic

__all__ = ["by_code", "check_text", "only"]


def check_text(text: str, **kwargs: object) -> CheckResult:
    """Check dedented YAML text."""
    return check(textwrap.dedent(text), **kwargs)  # type: ignore[arg-type]


def by_code(result: CheckResult, code: str) -> list[Diagnostic]:
    """The diagnostics of one code."""
    return [d for d in result.diagnostics if d.code == code]


def only(result: CheckResult, code: str) -> Diagnostic:
    """The single diagnostic of ``code`` (fails if there is not exactly one)."""
    found = by_code(result, code)
    assert len(found) == 1, [d.format() for d in result.diagnostics]
    return found[0]
