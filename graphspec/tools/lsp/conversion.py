"""graphspec's diagnostics as LSP's: exact ranges, codes linked to their documentation, hints."""

from __future__ import annotations

from typing import Final

from lsprotocol import types as lsp

from graphspec.base.source import Loc
from graphspec.errors import Diagnostic, Severity, split_related
from graphspec.tools.lsp._codes import docs_uri
from graphspec.tools.lsp.analysis import Analysis

__all__ = ["MAX_PUBLISHED", "to_lsp_diagnostic", "to_lsp_diagnostics"]

MAX_PUBLISHED: Final = 500
"""Diagnostics sent per document; beyond it one note says how many were left out."""

_SEVERITY: Final = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.NOTE: lsp.DiagnosticSeverity.Information,
}


def to_lsp_diagnostics(analysis: Analysis) -> list[lsp.Diagnostic]:
    """Every diagnostic of an analysis (capped at :data:`MAX_PUBLISHED`)."""
    shown = analysis.diagnostics[:MAX_PUBLISHED]
    out = [to_lsp_diagnostic(analysis, d) for d in shown]
    left = len(analysis.diagnostics) - len(shown)
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


def to_lsp_diagnostic(analysis: Analysis, diag: Diagnostic) -> lsp.Diagnostic:
    """One graphspec diagnostic: exact range, code linked to docs/errors.md, hint as related info."""
    lines = analysis.lines
    if diag.line is None:
        rng = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(0, 0))
    else:
        start = Loc(diag.line, diag.column or 1)
        end = Loc(diag.end_line, diag.end_column or 1) if diag.end_line is not None else None
        if end is None and diag.column is not None:
            end = analysis.source.end_of(start) or Loc(start.line, start.column + 1)
        rng = lines.range(start, end)
    location = lsp.Location(uri=analysis.uri, range=rng)
    related = [_related(analysis, diag, location, r) for r in diag.related]
    if diag.hint:
        related.append(
            lsp.DiagnosticRelatedInformation(location=location, message=f"hint: {diag.hint}")
        )
    href = docs_uri()
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
