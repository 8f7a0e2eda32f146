"""Code actions (``textDocument/codeAction``): the fixes graphspec's diagnostics carry, as quick fixes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from graphspec.base.source import Loc
from graphspec.errors import Diagnostic, Fix
from graphspec.tools.lsp.conversion import to_lsp_diagnostic
from graphspec.tools.lsp.features import feature

if TYPE_CHECKING:
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["code_actions"]


@feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
)
def code_action(ls: GraphspecServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis is None:
        return None
    only = params.context.only
    if only and not any(
        (k.value if isinstance(k, lsp.CodeActionKind) else k).startswith("quickfix")
        or k == lsp.CodeActionKind.QuickFix
        for k in only
    ):
        return None
    first = analysis.lines.loc(params.range.start)
    last = analysis.lines.loc(params.range.end)
    return code_actions(analysis, first, last)


def code_actions(analysis: Analysis, first: Loc, last: Loc) -> list[lsp.CodeAction]:
    """A quick fix for each fix of each diagnostic whose range meets ``first``..``last``."""
    out = []
    for diag in analysis.diagnostics:
        if not diag.fixes or diag.line is None or not _meets(diag, first, last):
            continue
        lsp_diag = to_lsp_diagnostic(analysis, diag)
        for i, fix in enumerate(diag.fixes):
            out.append(
                lsp.CodeAction(
                    title=f"{fix.title} ({diag.code})",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[lsp_diag],
                    is_preferred=i == 0,
                    edit=lsp.WorkspaceEdit(changes={analysis.uri: _edits(analysis, fix)}),
                )
            )
    return out


def _meets(diag: Diagnostic, first: Loc, last: Loc) -> bool:
    start = Loc(diag.line or 1, diag.column or 1)
    end = Loc(diag.end_line, diag.end_column or 1) if diag.end_line is not None else start
    return start <= last and first <= end


def _edits(analysis: Analysis, fix: Fix) -> list[lsp.TextEdit]:
    return [
        lsp.TextEdit(
            range=analysis.lines.range(Loc(e.line, e.column), Loc(e.end_line, e.end_column)),
            new_text=e.text,
        )
        for e in fix.edits
    ]
