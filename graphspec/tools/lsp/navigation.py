"""Go to definition, find references and rename, for node, input, block and param names."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Final

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path

from graphspec.base import limits as _limits
from graphspec.frontend.spec import NodeKey
from graphspec.plugins.expr.syntax import is_bare_name
from graphspec.tools.lsp._sites import definition_site, reference_sites
from graphspec.tools.lsp.features import feature
from graphspec.tools.lsp.index import Occurrence, SymbolKind
from graphspec.tools.lsp.lookup import include_at

if TYPE_CHECKING:
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.server import GraphspecServer

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


@feature(lsp.TEXT_DOCUMENT_DEFINITION)
def definition(ls: GraphspecServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    found = _occurrence(ls, params.text_document.uri, params.position)
    if found is None:
        analysis = ls.analysis(params.text_document.uri)
        if analysis is None:
            return None
        return _included_file(analysis, params.position) or _model_file(analysis, params.position)
    analysis, occ = found
    target = definition_site(ls, analysis, occ.symbol)
    return target.location if target is not None else None


def _file_start(file: str) -> lsp.Location:
    start = lsp.Position(line=0, character=0)
    return lsp.Location(uri=Path(file).as_uri(), range=lsp.Range(start=start, end=start))


def _included_file(analysis: Analysis, position: lsp.Position) -> lsp.Location | None:
    """A path of ``include:`` under the cursor (format 1.1): the file, as the check resolved it
    (a path the CLI refuses was never read, and has no definition)."""
    found = include_at(analysis, analysis.lines.loc(position))
    return _file_start(found.file) if found is not None else None


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
            return _file_start(info.path)
    return None


@feature(lsp.TEXT_DOCUMENT_REFERENCES)
def references(ls: GraphspecServer, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
    found = _occurrence(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    analysis, occ = found
    include = params.context.include_declaration
    return [
        site.location
        for site in reference_sites(ls, analysis, occ.symbol)
        if include or not site.occ.definition
    ]


@feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(
    ls: GraphspecServer, params: lsp.PrepareRenameParams
) -> lsp.PrepareRenamePlaceholder | None:
    found = _occurrence(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    analysis, occ = found
    if definition_site(ls, analysis, occ.symbol) is None:
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
    problem = rename_problem(analysis, occ, params.new_name, ls)
    if problem is not None:
        raise JsonRpcInvalidParams(problem)
    return lsp.WorkspaceEdit(changes=rename_edits(analysis, occ, params.new_name, ls))


def rename_problem(
    analysis: Analysis, occ: Occurrence, new: str, ls: GraphspecServer | None = None
) -> str | None:
    """Why renaming ``occ``'s symbol to ``new`` is refused, or ``None`` when it is safe."""
    symbol = occ.symbol
    index = analysis.index
    defined = definition_site(ls, analysis, symbol)
    if defined is None:
        return f"`{symbol.name}` is not defined in this spec, so it cannot be renamed here"
    if not new or new != new.strip() or any(c.isspace() for c in new):
        return f"`{new}` is not a valid name: names have no spaces"
    if symbol.kind is SymbolKind.PARAM and not _PARAM_NAME.match(new):
        return f"`{new}` cannot be used in `${{...}}`: a param name is a letter or _ then letters, digits, _"
    if "/" in new or "->" in new or re.search(r"[:#{}\[\],'\"&*!|>%@`]", new):
        return f"`{new}` is not a valid name: it may not hold / -> : # , brackets or quotes"
    if len(new) > _limits.MAX_NAME_LENGTH:
        return f"`{new}` is longer than {_limits.MAX_NAME_LENGTH} characters"
    sites = reference_sites(ls, analysis, symbol)
    kinds = _NAME_KINDS if symbol.kind in _NAME_KINDS else (symbol.kind,)
    for place in {id(s.place): s.place for s in sites}.values():
        taken = place.index.names(symbol.scope, *kinds)
        if new != symbol.name and new in taken:
            where = index.label(symbol.scope)
            if place.uri != analysis.uri:
                where = f"`{_file_name(place.uri, analysis)}`"
            return f"`{new}` is already a name in {where}; pick another"
    here = defined.place.uri == analysis.uri
    for site in sites:
        place, ref = site.place, site.occ
        if place.editor_text is not None:
            return (
                f"`{_file_name(place.uri, analysis)}` has unsaved changes in the editor; save it first "
                "(specs read the files they include from disk)"
            )
        if here and place.uri != analysis.uri and not _is_library(analysis):
            return (
                f"`{symbol.name}` is also used in the included file "
                f"`{_file_name(place.uri, analysis)}` (line {ref.start.line}), which other specs "
                "may include too; rename it in both files by hand if that is what you mean"
            )
        a, b = place.source.offset(ref.start), place.source.offset(ref.end)
        text = place.text
        if a is None or b is None or text[a:b] != symbol.name:
            return f"`{symbol.name}` is written in a form this rename cannot update safely"
        in_expr = ref.path[-1:] == (NodeKey.EXPR.value,)
        if in_expr and text[a - 1 : a] != "`" and not is_bare_name(new):
            return (
                f"`{new}` cannot stand bare in the expression on line {ref.start.line}: "
                "use letters, digits and _ (or write the reference in backticks first)"
            )
    return None


def rename_edits(
    analysis: Analysis, occ: Occurrence, new: str, ls: GraphspecServer | None = None
) -> dict[str, list[lsp.TextEdit]]:
    """Edits by document: the definition, inputs, edges, outputs, shares and ``${}`` uses, in
    this document and, for a block of an included file, in that file and the open specs using it.
    """
    edits: dict[str, list[lsp.TextEdit]] = {}
    for site in reference_sites(ls, analysis, occ.symbol):
        edits.setdefault(site.place.uri, []).append(lsp.TextEdit(range=site.range, new_text=new))
    return edits


def _is_library(analysis: Analysis) -> bool:
    return analysis.result is not None and analysis.result.spec.is_library


def _file_name(uri: str, analysis: Analysis) -> str:
    """A file named as ``include:`` writes it: relative to the document's folder."""
    path = to_fs_path(uri) or uri
    try:
        return os.path.relpath(path, os.path.dirname(os.path.abspath(analysis.file)))
    except ValueError:  # another drive on Windows
        return path
