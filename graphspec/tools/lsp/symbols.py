"""Document symbols (``textDocument/documentSymbol``): the outline of inputs, nodes, blocks, outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from lsprotocol import types as lsp

from graphspec.base.source import Path
from graphspec.tools.lsp.features import feature

if TYPE_CHECKING:
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["document_symbols"]

_SECTIONS: Final = (
    ("params", lsp.SymbolKind.Constant),
    ("inputs", lsp.SymbolKind.Interface),
    ("nodes", lsp.SymbolKind.Function),
    ("blocks", lsp.SymbolKind.Class),
    ("outputs", lsp.SymbolKind.Event),
)


@feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(
    ls: GraphspecServer, params: lsp.DocumentSymbolParams
) -> list[lsp.DocumentSymbol] | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis is None or analysis.result is None:
        return None
    return document_symbols(analysis)


def document_symbols(analysis: Analysis) -> list[lsp.DocumentSymbol]:
    """One symbol per section, each holding its entries (a block holds its own nodes)."""
    assert analysis.result is not None
    spec = analysis.result.spec
    out = []
    for section, kind in _SECTIONS:
        value = getattr(spec, section)
        if not value:
            continue
        children = _entries(analysis, (section,), value, kind)
        sym = _symbol(analysis, (section,), section, lsp.SymbolKind.Namespace, children)
        if sym is not None:
            out.append(sym)
    return out


def _entries(
    analysis: Analysis, path: Path, value: Any, kind: lsp.SymbolKind
) -> list[lsp.DocumentSymbol]:
    out = []
    if isinstance(value, dict):
        for name, entry in value.items():
            children = []
            detail = None
            if path == ("blocks",):
                children = _entries(
                    analysis, (*path, name, "nodes"), entry.nodes, lsp.SymbolKind.Function
                )
                detail = f"block ({', '.join(entry.inputs)})"
            elif path[-1] == "nodes":
                detail = _node_detail(entry)
                model = (
                    entry.get("model") if isinstance(entry, dict) else getattr(entry, "model", None)
                )
                if isinstance(model, dict):  # an inline nested model: its inputs and nodes
                    children = _nested(analysis, (*path, name, "model"), model)
            elif path[-1] == "inputs":
                shape = (
                    entry.get("shape") if isinstance(entry, dict) else getattr(entry, "shape", None)
                )
                detail = f"shape {shape}"
            elif path == ("params",):
                detail = repr(entry)
            elif path == ("outputs",):
                detail = str(entry)
            sym = _symbol(analysis, (*path, name), name, kind, children, detail=detail)
            if sym is not None:
                out.append(sym)
    elif isinstance(value, list):
        for i, name in enumerate(value):
            sym = _symbol(analysis, (*path, i), str(name), kind, [], key=False)
            if sym is not None:
                out.append(sym)
    return out


def _node_detail(entry: Any) -> str | None:
    """A node's type, block, share, expression, nested model or learned tensor's shape (a
    NodeSpec or raw data)."""

    def get(key: str) -> object:
        return entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)

    for key, shown in (
        ("type", "{}"),
        ("block", "block {}"),
        ("share", "share {}"),
        ("expr", "expr {}"),
        ("model", "model {}"),
        ("weight", "weight {}"),
    ):
        value = get(key)
        if key == "weight" and isinstance(value, dict):
            return shown.format(value.get("shape", "?"))
        if value:
            return shown.format(value if isinstance(value, str) else "(inline)")
    return None


def _nested(analysis: Analysis, path: Path, model: dict[str, Any]) -> list[lsp.DocumentSymbol]:
    """The inputs and nodes of an inline nested model (format 1.1), as its node's children."""
    out = []
    for section, kind in (("inputs", lsp.SymbolKind.Interface), ("nodes", lsp.SymbolKind.Function)):
        value = model.get(section)
        if isinstance(value, dict):
            out += _entries(analysis, (*path, section), value, kind)
    return out


def _symbol(
    analysis: Analysis,
    path: Path,
    name: str,
    kind: lsp.SymbolKind,
    children: list[lsp.DocumentSymbol],
    *,
    detail: str | None = None,
    key: bool = True,
) -> lsp.DocumentSymbol | None:
    source = analysis.source
    name_span = source.span(path, key=key)
    if name_span is None:
        return None
    whole = source.span(path) if key else name_span
    end = whole[1] if whole is not None and whole[1] >= name_span[1] else name_span[1]
    return lsp.DocumentSymbol(
        name=name or "?",
        kind=kind,
        detail=detail,
        range=analysis.lines.range(name_span[0], end),
        selection_range=analysis.lines.range(*name_span),
        children=children or None,
    )
