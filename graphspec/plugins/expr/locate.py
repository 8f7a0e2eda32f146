"""Diagnostics located inside an expression's text: the column of the offending part, a caret."""

from __future__ import annotations

from graphspec.errors import Diagnostic, Severity
from graphspec.ir.graph import ExprInfo

__all__ = ["caret", "expr_diagnostic"]


def caret(text: str, offset: int, end: int | None = None) -> tuple[str, ...]:
    """Two lines showing ``text`` and carets under ``offset`` to ``end`` (about 100 columns).

    >>> caret("relu6(x + y)", 6, 11)
    ('relu6(x + y)', '      ^^^^^')
    """
    if "\n" in text:
        return ()
    width = 100
    start = max(0, min(offset, len(text)) - width // 2)
    shown = text[start : start + width]
    marks = "^" * max(1, min((end or offset + 1) - offset, len(shown)))
    lead = "…" if start else ""
    return (f"{lead}{shown}", " " * (len(lead) + offset - start) + marks)


def expr_diagnostic(
    file: str,
    node: str,
    info: ExprInfo,
    code: str,
    message: str,
    offset: int,
    *,
    end: int | None = None,
    hint: str | None = None,
    related: tuple[str, ...] = (),
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    """A diagnostic about expression node ``node``, at character ``offset`` of its text."""
    where = info.loc_at(offset)
    return Diagnostic(
        code,
        f"node `{node}`: {message}",
        file=file,
        loc=where,
        severity=severity,
        hint=hint,
        node=node,
        related=(*caret(info.text, offset, end), *related),
    )
