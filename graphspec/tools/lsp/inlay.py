"""Inlay hints (``textDocument/inlayHint``): each node's output shape and parameters, at its line end."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from graphspec.base.source import Loc
from graphspec.tools.lsp._describe import node_shape, resolve, scope_result, shape_text
from graphspec.tools.lsp.features import feature
from graphspec.tools.lsp.index import Symbol, SymbolKind

if TYPE_CHECKING:
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["inlay_hints"]

_KINDS = (SymbolKind.NODE, SymbolKind.INPUT)


@feature(lsp.TEXT_DOCUMENT_INLAY_HINT, lsp.InlayHintOptions(resolve_provider=False))
def inlay_hint(ls: GraphspecServer, params: lsp.InlayHintParams) -> list[lsp.InlayHint] | None:
    first = params.range.start.line + 1
    last = params.range.end.line + 1
    analysis = ls.analysis(params.text_document.uri)
    if analysis is not None and analysis.result is not None:
        return inlay_hints(analysis, first, last)
    earlier = ls.earlier(params.text_document.uri)  # mid-edit: the lines the edit left alone
    if earlier is None:
        return None
    loaded, lines = earlier
    hints = []
    for line in range(first, last + 1):
        old = lines.get(line)
        if old is not None:
            for hint in inlay_hints(loaded, old, old):
                hint.position = lsp.Position(line=line - 1, character=hint.position.character)
                hints.append(hint)
    return hints


def inlay_hints(analysis: Analysis, first: int, last: int) -> list[lsp.InlayHint]:
    """Hints for the node and input definitions on lines ``first``..``last`` (1-based).

    Only the requested lines are visited, so a 50,000-node spec costs what its window shows.
    """
    index = analysis.index
    hints = []
    for line in range(first, last + 1):
        for occ in index.by_line.get(line, ()):
            if not occ.definition or occ.symbol.kind not in _KINDS:
                continue
            result, names = resolve(analysis, occ.symbol)
            if not names:
                continue
            label = shape_text(node_shape(result, names[0]))
            if label is None:
                continue
            total = _instance_params(analysis, occ.symbol)
            if total is not None:  # a block instance: the output, and the weights of all of it
                label = label.split(" · ")[0] + (f" · {total:,} params" if total else "")
            if len(names) > 1:
                others = {shape_text(node_shape(result, n)) for n in names[1:]}
                label += "" if others == {label} else f" (first of {len(names)} instances)"
            end = _line_end(analysis, occ.path, occ.start)
            hints.append(
                lsp.InlayHint(
                    position=analysis.lines.position(end),
                    label=label,
                    kind=lsp.InlayHintKind.Type,
                    padding_left=True,
                )
            )
    return hints


def _instance_params(analysis: Analysis, symbol: Symbol) -> int | None:
    """Parameters of a block instance node (all its copies), or ``None`` for any other node."""
    if symbol.kind is not SymbolKind.NODE:
        return None
    result, block = scope_result(analysis, symbol.scope)
    info = analysis.index.scopes.get(symbol.scope)
    if result is None or result.shapes is None or info is None:
        return None
    node = info.spec.nodes.get(symbol.name)
    if node is None or node.block is None:
        return None
    prefix = f"{symbol.name}."
    if block:  # inside a block definition: the first instance of the enclosing block
        first = next((i for i in result.graph.instances.values() if i.block == block), None)
        if first is None:
            return None
        prefix = f"{first.name}.{symbol.name}."
    return sum(s.params for n, s in result.shapes.nodes.items() if n.startswith(prefix))


def _line_end(analysis: Analysis, path: tuple[str | int, ...], start: Loc) -> Loc:
    """After the node's value when it fits on its line (before a comment), else its key's line."""
    span = analysis.source.span(path)
    if span is not None and span[1].line == start.line:
        return span[1]
    text = analysis.lines.line(start.line - 1)
    code = text.split(" #", 1)[0].rstrip()
    return Loc(start.line, len(code) + 1)
