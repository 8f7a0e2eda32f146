"""Included block libraries (format 1.1 ``include:``) as the server sees them.

The files are the ones the check itself read (``Graph.included``): resolved by graphspec's
include rules (relative to the file naming them, inside the top-level spec's folder tree, see
:mod:`graphspec.includes`), so the server never opens a file the CLI would refuse. Each one
keeps its text (for positions) and a name index of its blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphspec.lsp._positions import Lines
from graphspec.lsp.index import Index, build_library_index
from graphspec.source import Loc, SourceMap

if TYPE_CHECKING:
    from graphspec.graph import IncludedFile
    from graphspec.lsp.analysis import Analysis

__all__ = ["Library", "block_spec", "include_at", "read_libraries"]


@dataclass
class Library:
    """One included file: where it is, what it says, and the names in its blocks."""

    file: str
    """The resolved path (symlinks resolved), as the check read it."""
    spec: Any = field(repr=False)
    encoding: str = "utf-16"

    @property
    def uri(self) -> str:
        return Path(self.file).as_uri()

    @property
    def source(self) -> SourceMap:
        return self.spec.source  # type: ignore[no-any-return]

    @property
    def text(self) -> str:
        return self.source.text

    @cached_property
    def lines(self) -> Lines:
        return Lines(self.text, self.encoding)

    @cached_property
    def index(self) -> Index:
        return build_library_index(self.spec)


def read_libraries(analysis: Analysis) -> list[Library]:
    """Every file the document includes, directly or through another (read once per check)."""
    result = analysis.result
    if result is None:
        return []
    found: dict[str, Library] = {}
    for included in result.graph.included:
        if included.spec is not None and included.file not in found:
            found[included.file] = Library(included.file, included.spec, analysis.encoding)
    return list(found.values())


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
