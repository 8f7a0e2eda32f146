"""Included block libraries (format 1.1 ``include:``) as the server sees them.

The files are the ones the check itself read (``Graph.included``): resolved by graphspec's
include rules (relative to the file naming them, inside the top-level spec's folder tree, see
:mod:`graphspec.frontend.includes`), so the server never opens a file the CLI would refuse. Each one
keeps its text (for positions) and a name index of its blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from graphspec.api import CheckResult
from graphspec.base.source import SourceMap
from graphspec.frontend.spec import Spec
from graphspec.tools.lsp._positions import Lines
from graphspec.tools.lsp.index import Index, build_library_index

__all__ = ["Library", "read_libraries"]


@dataclass
class Library:
    """One included file: where it is, what it says, and the names in its blocks."""

    file: str
    """The resolved path (symlinks resolved), as the check read it."""
    spec: Spec = field(repr=False)
    encoding: str = "utf-16"

    @property
    def uri(self) -> str:
        return Path(self.file).as_uri()

    @property
    def source(self) -> SourceMap:
        return self.spec.source

    @property
    def text(self) -> str:
        return self.source.text

    @cached_property
    def lines(self) -> Lines:
        return Lines(self.text, self.encoding)

    @cached_property
    def index(self) -> Index:
        return build_library_index(self.spec)


def read_libraries(result: CheckResult | None, encoding: str) -> list[Library]:
    """Every file a checked document includes, directly or through another (read once per
    check); ``encoding`` is the client's position encoding."""
    if result is None:
        return []
    found: dict[str, Library] = {}
    for included in result.graph.included:
        if included.spec is not None and included.file not in found:
            found[included.file] = Library(included.file, included.spec, encoding)
    return list(found.values())
