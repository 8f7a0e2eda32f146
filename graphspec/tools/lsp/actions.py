"""Code actions (``textDocument/codeAction``): the fixes graphspec's diagnostics carry, as quick
fixes, and "extract block" on a selection of nodes (:mod:`graphspec.tools.lsp.extract`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from graphspec.base.source import Loc
from graphspec.errors import Diagnostic, Fix, TextEdit
from graphspec.tools.lsp.conversion import diagnostic_span, to_lsp_diagnostic
from graphspec.tools.lsp.extract import extract_block
from graphspec.tools.lsp.features import feature

if TYPE_CHECKING:
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["code_actions", "extract_actions"]


@feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.RefactorExtract]
    ),
)
def code_action(ls: GraphspecServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis is None:
        return None
    only = [
        k.value if isinstance(k, lsp.CodeActionKind) else str(k) for k in params.context.only or []
    ]
    first = analysis.lines.loc(params.range.start)
    last = analysis.lines.loc(params.range.end)
    if last.line > first.line and last.column == 1:
        last = Loc(last.line - 1, 1)  # a selection of whole lines ends at the next line's start
    found: list[lsp.CodeAction] = []
    if _wanted(only, "quickfix"):
        found += code_actions(analysis, first, last)
    if _wanted(only, "refactor.extract"):
        found += extract_actions(analysis, first, last)
    return found or None


def _wanted(only: list[str], kind: str) -> bool:
    """Whether the client asked for ``kind`` (no list: every kind; ``refactor`` covers
    ``refactor.extract``)."""
    return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)


def extract_actions(analysis: Analysis, first: Loc, last: Loc) -> list[lsp.CodeAction]:
    """ "Extract block" when the selection covers two or more nodes that make a one-input,
    one-output piece (:func:`graphspec.tools.lsp.extract.extract_block`)."""
    if analysis.result is None or last.line <= first.line:
        return []
    found = extract_block(analysis.text, analysis.result, first.line, last.line)
    if found is None:
        return []
    edits = [
        lsp.TextEdit(
            range=analysis.lines.range(Loc(e.line, e.column), Loc(e.end_line, e.end_column)),
            new_text=e.text,
        )
        for e in found.edits
    ]
    names = ", ".join(found.members)
    return [
        lsp.CodeAction(
            title=f"Extract block `{found.block}` from {names} (instance `{found.instance}`)",
            kind=lsp.CodeActionKind.RefactorExtract,
            edit=lsp.WorkspaceEdit(changes={analysis.uri: edits}),
        )
    ]


def code_actions(analysis: Analysis, first: Loc, last: Loc) -> list[lsp.CodeAction]:
    """A quick fix for each fix of each diagnostic on the lines ``first``..``last``.

    A diagnostic counts when one of its lines, or a line its fix edits, is in the range: the
    cursor needs to be on the line, not inside the marked word. A fix offered by several
    diagnostics (the same edits) is one action resolving all of them. Diagnostics under the
    cursor come first.
    """
    found: dict[tuple[str, tuple[TextEdit, ...]], lsp.CodeAction] = {}
    lines = range(first.line, last.line + 1)
    candidates = [d for d in analysis.diagnostics if d.fixes and d.line is not None]
    candidates.sort(key=lambda d: not _meets(analysis, d, first, last))
    for diag in candidates:
        if not _on_lines(analysis, diag, lines):
            continue
        lsp_diag = to_lsp_diagnostic(analysis, diag)
        for i, fix in enumerate(diag.fixes):
            same = found.get((fix.title, fix.edits))
            if same is not None:
                if lsp_diag not in (same.diagnostics or []):
                    same.diagnostics = [*(same.diagnostics or []), lsp_diag]
                continue
            found[(fix.title, fix.edits)] = lsp.CodeAction(
                title=f"{fix.title} ({diag.code})",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[lsp_diag],
                is_preferred=i == 0,
                edit=lsp.WorkspaceEdit(changes={analysis.uri: _edits(analysis, fix)}),
            )
    return list(found.values())


def _on_lines(analysis: Analysis, diag: Diagnostic, lines: range) -> bool:
    """Whether the diagnostic, or an edit of its fixes, is on one of ``lines``."""
    span = diagnostic_span(analysis, diag)
    if span is not None and span[0].line <= lines[-1] and lines[0] <= span[1].line:
        return True
    return any(
        e.line <= lines[-1] and lines[0] <= e.end_line for fix in diag.fixes for e in fix.edits
    )


def _meets(analysis: Analysis, diag: Diagnostic, first: Loc, last: Loc) -> bool:
    span = diagnostic_span(analysis, diag)
    return span is not None and span[0] <= last and first <= span[1]


def _edits(analysis: Analysis, fix: Fix) -> list[lsp.TextEdit]:
    return [
        lsp.TextEdit(
            range=analysis.lines.range(Loc(e.line, e.column), Loc(e.end_line, e.end_column)),
            new_text=e.text,
        )
        for e in fix.edits
    ]
