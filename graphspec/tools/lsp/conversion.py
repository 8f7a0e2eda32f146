"""graphspec's diagnostics as LSP's: exact ranges, codes linked to their documentation, hints, and
the block instances a fault inside a block definition is in (one diagnostic, located at each)."""

from __future__ import annotations

from typing import Final

from lsprotocol import types as lsp

from graphspec.base.source import Loc
from graphspec.errors import Diagnostic, Severity, split_related
from graphspec.tools.lsp._codes import docs_uri
from graphspec.tools.lsp._instances import written
from graphspec.tools.lsp.analysis import Analysis

__all__ = ["MAX_PUBLISHED", "diagnostic_span", "once", "to_lsp_diagnostic", "to_lsp_diagnostics"]

MAX_PUBLISHED: Final = 500
"""Diagnostics sent per document; beyond it one note says how many were left out."""

_SEVERITY: Final = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.NOTE: lsp.DiagnosticSeverity.Information,
}


def to_lsp_diagnostics(analysis: Analysis) -> list[lsp.Diagnostic]:
    """Every diagnostic of an analysis, each once (capped at :data:`MAX_PUBLISHED`).

    Diagnostics with the same code, place and text are one marker: a fault is published once
    however it was reached.
    """
    unique = once(analysis.diagnostics)
    shown = unique[:MAX_PUBLISHED]
    out = [to_lsp_diagnostic(analysis, d) for d in shown]
    left = len(unique) - len(shown)
    if left > 0:
        out.append(
            lsp.Diagnostic(
                range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(0, 0)),
                message=f"{left:,} more diagnostics not shown; run `graphspec validate` for all",
                severity=lsp.DiagnosticSeverity.Information,
                source="graphspec",
            )
        )
    return out


def once(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics without repeats: the same code, place, message, hint and related
    information (the first of them kept; quick fixes are gathered from all of them anyway)."""
    seen: dict[tuple[object, ...], Diagnostic] = {}
    for diag in diagnostics:
        key = (
            diag.code,
            diag.file,
            diag.line,
            diag.column,
            diag.end_line,
            diag.end_column,
            diag.message,
            diag.hint,
            tuple(diag.related),
            tuple(diag.instances),
        )
        seen.setdefault(key, diag)
    return list(seen.values())


def diagnostic_span(analysis: Analysis, diag: Diagnostic) -> tuple[Loc, Loc] | None:
    """Where a diagnostic is marked: its range, the key or value at its start, or its line to the
    end (``None`` when it has no line)."""
    if diag.line is None:
        return None
    start = Loc(diag.line, diag.column or 1)
    if diag.end_line is not None:
        return start, Loc(diag.end_line, diag.end_column or 1)
    if diag.column is not None:
        return start, analysis.source.end_of(start) or Loc(start.line, start.column + 1)
    return start, Loc(start.line, len(analysis.lines.line(start.line - 1)) + 1)


def to_lsp_diagnostic(analysis: Analysis, diag: Diagnostic) -> lsp.Diagnostic:
    """One graphspec diagnostic: exact range, code linked to its row of errors.md, hint and
    incoming shapes as related information, and each place its block instances are written."""
    span = diagnostic_span(analysis, diag)
    if span is None:
        rng = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(0, 0))
    else:
        rng = analysis.lines.range(*span)
    location = lsp.Location(uri=analysis.uri, range=rng)
    related = [_related(analysis, diag, location, r) for r in diag.related]
    if diag.hint:
        related.append(
            lsp.DiagnosticRelatedInformation(location=location, message=f"hint: {diag.hint}")
        )
    related += _instances(analysis, diag, location)
    href = docs_uri(diag.code)
    message = diag.message + (f"\nhint: {diag.hint}" if diag.hint else "")
    return lsp.Diagnostic(
        range=rng,
        message=message,
        severity=_SEVERITY[diag.severity],
        code=diag.code,
        code_description=lsp.CodeDescription(href=href) if href else None,
        source="graphspec",
        related_information=related or None,
        data={"fixes": len(diag.fixes)} if diag.fixes else None,
    )


def _related(
    analysis: Analysis, diag: Diagnostic, here: lsp.Location, text: str
) -> lsp.DiagnosticRelatedInformation:
    """A related line at the place it names (``FILE:LINE:COL: text`` in this file), else here."""
    file, line, column, message = split_related(text)
    if file is None or file != diag.file or line is None:
        return lsp.DiagnosticRelatedInformation(location=here, message=text)
    start = Loc(line, column or 1)
    end = analysis.source.end_of(start) or Loc(line, start.column + 1)
    location = lsp.Location(uri=analysis.uri, range=analysis.lines.range(start, end))
    return lsp.DiagnosticRelatedInformation(location=location, message=message)


def _instances(
    analysis: Analysis, diag: Diagnostic, fallback: lsp.Location
) -> list[lsp.DiagnosticRelatedInformation]:
    """One entry per place the diagnostic's block instances are written (the copies of a
    ``repeat`` share theirs)."""
    out = []
    for place in written(analysis.result, diag.instances):
        location = fallback
        if place.loc is not None:
            end = analysis.source.end_of(place.loc)
            location = lsp.Location(uri=analysis.uri, range=analysis.lines.range(place.loc, end))
        out.append(lsp.DiagnosticRelatedInformation(location=location, message=place.message))
    return out
