"""Go to definition, find references and rename, for node, input, block and param names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams

from graphspec import _limits
from graphspec.expr.syntax import is_bare_name
from graphspec.lsp._registry import feature
from graphspec.lsp.index import Occurrence, SymbolKind
from graphspec.spec import NodeKey

if TYPE_CHECKING:
    from graphspec.lsp.analysis import Analysis
    from graphspec.lsp.server import GraphspecServer

__all__ = ["rename_edits", "rename_problem"]

_PARAM_NAME: Final = re.compile(r"^[A-Za-z_]\w*$")
_NAME_KINDS: Final = (SymbolKind.NODE, SymbolKind.INPUT, SymbolKind.PLACEHOLDER)


def _occurrence(
    ls: GraphspecServer, uri: str, position: lsp.Position
) -> tuple[Analysis, Occurrence] | None:
    analysis = ls.analysis(uri)
    if analysis is None:
        return None
    occ = analysis.index.at(analysis.lines.loc(position))
    return (analysis, occ) if occ is not None else None


def _location(analysis: Analysis, occ: Occurrence) -> lsp.Location:
    return lsp.Location(uri=analysis.uri, range=analysis.lines.range(occ.start, occ.end))


@feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: GraphspecServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    found = _occurrence(ls, params.text_document.uri, params.position)
    if found is None:
        analysis = ls.analysis(params.text_document.uri)
        return _model_file(analysis, params.position) if analysis is not None else None
    analysis, occ = found
    target = analysis.index.definitions.get(occ.symbol)
    return _location(analysis, target) if target is not None else None


def _model_file(analysis: Analysis, position: lsp.Position) -> lsp.Location | None:
    """``model: tower.yaml`` under the cursor (format 1.1): the nested spec file, as resolved
    by the same path rules as ``validate`` (a refused path has no definition)."""
    if analysis.result is None:
        return None
    loc = analysis.lines.loc(position)
    for node in analysis.result.graph:
        info = getattr(node, "model", None)
        if info is None or not getattr(info, "path", None):
            continue
        span = analysis.source.span((*node.spec_path, NodeKey.MODEL.value))
        if span is not None and span[0] <= loc <= span[1]:
            start = lsp.Position(line=0, character=0)
            return lsp.Location(
                uri=Path(info.path).as_uri(), range=lsp.Range(start=start, end=start)
            )
    return None


@feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: GraphspecServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
    found = _occurrence(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    analysis, occ = found
    include = params.context.include_declaration
    return [
        _location(analysis, o)
        for o in analysis.index.references(occ.symbol)
        if include or not o.definition
    ]


@feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(
    ls: GraphspecServer, params: lsp.PrepareRenameParams
) -> lsp.PrepareRenamePlaceholder | None:
    found = _occurrence(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    analysis, occ = found
    if occ.symbol not in analysis.index.definitions:
        raise JsonRpcInvalidParams(f"`{occ.symbol.name}` is not defined in this spec")
    return lsp.PrepareRenamePlaceholder(
        range=analysis.lines.range(occ.start, occ.end), placeholder=occ.symbol.name
    )


@feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
def rename(ls: GraphspecServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    uri = params.text_document.uri
    analysis = ls.analysis(uri)
    if analysis is None:
        raise JsonRpcInvalidParams("the spec is being checked; try again in a moment")
    occ = analysis.index.at(analysis.lines.loc(params.position))
    if occ is None:
        return None
    problem = rename_problem(analysis, occ, params.new_name)
    if problem is not None:
        raise JsonRpcInvalidParams(problem)
    return lsp.WorkspaceEdit(changes={uri: rename_edits(analysis, occ, params.new_name)})


def rename_problem(analysis: Analysis, occ: Occurrence, new: str) -> str | None:
    """Why renaming ``occ``'s symbol to ``new`` is refused, or ``None`` when it is safe."""
    symbol = occ.symbol
    index = analysis.index
    if symbol not in index.definitions:
        return f"`{symbol.name}` is not defined in this spec, so it cannot be renamed here"
    if not new or new != new.strip() or any(c.isspace() for c in new):
        return f"`{new}` is not a valid name: names have no spaces"
    if symbol.kind is SymbolKind.PARAM and not _PARAM_NAME.match(new):
        return f"`{new}` cannot be used in `${{...}}`: a param name is a letter or _ then letters, digits, _"
    if "/" in new or "->" in new or re.search(r"[:#{}\[\],'\"&*!|>%@`]", new):
        return f"`{new}` is not a valid name: it may not hold / -> : # , brackets or quotes"
    if len(new) > _limits.MAX_NAME_LENGTH:
        return f"`{new}` is longer than {_limits.MAX_NAME_LENGTH} characters"
    kinds = _NAME_KINDS if symbol.kind in _NAME_KINDS else (symbol.kind,)
    taken = index.names(symbol.scope, *kinds)
    if new != symbol.name and new in taken:
        return f"`{new}` is already a name in {_scope_text(symbol.scope)}; pick another"
    text = analysis.text
    for ref in index.references(symbol):
        a = analysis.source.offset(ref.start)
        b = analysis.source.offset(ref.end)
        if a is None or b is None or text[a:b] != symbol.name:
            return f"`{symbol.name}` is written in a form this rename cannot update safely"
        in_expr = ref.path[-1:] == (NodeKey.EXPR.value,)
        if in_expr and text[a - 1 : a] != "`" and not is_bare_name(new):
            return (
                f"`{new}` cannot stand bare in the expression on line {ref.start.line}: "
                "use letters, digits and _ (or write the reference in backticks first)"
            )
    return None


def rename_edits(analysis: Analysis, occ: Occurrence, new: str) -> list[lsp.TextEdit]:
    """One edit per occurrence: the definition, inputs, edges, outputs, shares and ``${}`` uses."""
    return [
        lsp.TextEdit(range=analysis.lines.range(o.start, o.end), new_text=new)
        for o in analysis.index.references(occ.symbol)
    ]


def _scope_text(scope: str) -> str:
    return f"block `{scope}`" if scope else "this spec"
