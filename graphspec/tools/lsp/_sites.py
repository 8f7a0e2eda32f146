"""Where a name is written across files: the document, the files it includes, and open
documents including the same files (format 1.1 ``include:``: blocks shared between specs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from graphspec.tools.lsp.index import Index, Occurrence, Symbol, SymbolKind

if TYPE_CHECKING:
    from graphspec.base.source import SourceMap
    from graphspec.tools.lsp._positions import Lines
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["Place", "Site", "definition_site", "places", "reference_sites"]


@dataclass(frozen=True)
class Place:
    """One file taking part: its URI, text positions and name index.

    ``from_disk`` is true for an included file as the check read it from disk (not an editor
    buffer); ``editor_text`` is then the text of the same file open in the editor, if it is.
    """

    uri: str
    path: str | None
    lines: Lines
    source: SourceMap
    index: Index
    from_disk: bool = False
    editor_text: str | None = None

    @property
    def text(self) -> str:
        return self.source.text


@dataclass(frozen=True)
class Site:
    """One occurrence of a name, in the file it is written in."""

    place: Place
    occ: Occurrence

    @property
    def location(self) -> lsp.Location:
        return lsp.Location(uri=self.place.uri, range=self.range)

    @property
    def range(self) -> lsp.Range:
        return self.place.lines.range(self.occ.start, self.occ.end)


def _of_analysis(analysis: Analysis) -> Place:
    return Place(analysis.uri, analysis.resolved, analysis.lines, analysis.source, analysis.index)


def _shared(symbol: Symbol) -> bool:
    """Whether a name can be written in several files: a block, or a name inside one."""
    return symbol.kind is SymbolKind.BLOCK or bool(symbol.scope)


def places(ls: GraphspecServer | None, analysis: Analysis, symbol: Symbol) -> list[Place]:
    """The files where ``symbol`` may be written, the document first.

    Always the document and the files it includes. For a block (or a name inside one) defined
    in an included file, or in this document when it is a block library: also every open,
    checked document that includes that file, and the files those include. An included file
    open in the editor is taken from the editor (positions as the user sees them).
    """
    found: dict[str, Place] = {}
    opened = _open_analyses(ls)

    def add(place: Place) -> None:
        key = place.path or place.uri
        if key in found:
            return
        editor = opened.get(place.path) if place.path else None
        if place.from_disk and editor is not None:
            if editor.text == place.text:
                place = _of_analysis(editor)  # the same text: the editor's (fresher) index
            else:
                place = Place(
                    place.uri,
                    place.path,
                    place.lines,
                    place.source,
                    place.index,
                    True,
                    editor.text,
                )
        found[key] = place

    add(_of_analysis(analysis))
    for library in analysis.libraries:
        add(_library_place(library))
    defining = _defining_file(analysis, symbol)
    if _shared(symbol) and defining is not None:
        for other in opened.values():
            files = {lib.file for lib in other.libraries}
            if other.uri != analysis.uri and (defining in files or other.resolved == defining):
                add(_of_analysis(other))
                for library in other.libraries:
                    add(_library_place(library))
    return list(found.values())


def _library_place(library: object) -> Place:
    from graphspec.tools.lsp.libraries import Library

    assert isinstance(library, Library)
    return Place(
        library.uri, library.file, library.lines, library.source, library.index, from_disk=True
    )


def _defining_file(analysis: Analysis, symbol: Symbol) -> str | None:
    """The resolved path of the file defining ``symbol`` when blocks may be shared through it."""
    if symbol in analysis.index.definitions:
        result = analysis.result
        is_library = result is not None and result.spec.is_library
        return analysis.resolved if is_library else None
    for library in analysis.libraries:
        if symbol in library.index.definitions:
            return library.file
    return None


def _open_analyses(ls: GraphspecServer | None) -> dict[str, Analysis]:
    """Every open document whose latest text is checked and loaded, by resolved path."""
    if ls is None:
        return {}
    out = {}
    for uri in list(ls.analyses):
        current = ls.analysis(uri)
        if current is not None and current.ok and current.resolved is not None:
            out[current.resolved] = current
    return out


def definition_site(ls: GraphspecServer | None, analysis: Analysis, symbol: Symbol) -> Site | None:
    """Where ``symbol`` is defined: in this document, else in the file it was included from."""
    found = places(ls, analysis, symbol)
    for place in found if _shared(symbol) else found[:1]:
        occ = place.index.definitions.get(symbol)
        if occ is not None:
            return Site(place, occ)
    return None


def reference_sites(ls: GraphspecServer | None, analysis: Analysis, symbol: Symbol) -> list[Site]:
    """Every occurrence of ``symbol`` in every file taking part, definition first."""
    shared = _shared(symbol)
    sites = [
        Site(place, occ)
        for i, place in enumerate(places(ls, analysis, symbol))
        for occ in place.index.references(symbol)
        if shared or i == 0 or not occ.definition  # another file's own top-level names
    ]
    return sorted(sites, key=lambda s: not s.occ.definition)
