"""Blocks and included files as seen from a position in a document (hover, completion, go-to)."""

from __future__ import annotations

from typing import Any

from graphspec.base.source import Loc
from graphspec.ir.graph import IncludedFile
from graphspec.tools.lsp.analysis import Analysis
from graphspec.tools.lsp.libraries import Library

__all__ = ["block_spec", "include_at"]


def include_at(analysis: Analysis, loc: Loc) -> IncludedFile | None:
    """The entry of this document's ``include:`` list under the cursor, when it was resolved."""
    result = analysis.result
    if result is None:
        return None
    for included in result.graph.included:
        if included.path[:1] != ("include",):
            continue  # named by an included file, not by this document
        span = analysis.source.span(included.path)
        if span is not None and span[0] <= loc <= span[1]:
            return included
    return None


def block_spec(analysis: Analysis, namespace: str, name: str) -> tuple[Any, Library | None] | None:
    """The block ``name`` as seen from a spec-level scope: its definition and, when it comes from
    an included file, that file (``None`` for a block written in this document)."""
    info = analysis.index.scopes.get(namespace)
    if info is not None and name in info.spec.blocks:
        return info.spec.blocks[name], None
    if namespace:
        return None  # a nested model has no includes of its own
    for library in analysis.libraries:
        if name in library.spec.blocks:
            return library.spec.blocks[name], library
    return None
