"""``include:`` (format 1.1): the blocks of other spec files, usable as if written here.

Each included file is read by the same safe loader and checked against the schema; its blocks
(and those of the files it includes) join this spec's, located in their own file: the locations
of an included file are merged into the spec's source map under an ``INCLUDED`` path prefix, so
every diagnostic about them names that file. A name defined twice is refused (E849).
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Any

from graphspec.base.source import SourceMap
from graphspec.errors import SpecError
from graphspec.frontend.includes import (
    INCLUDED,
    IncludeError,
    current_context,
    include_context,
    read_cached,
    resolve_include,
)
from graphspec.frontend.spec import Spec
from graphspec.ir.graph import Graph, IncludedFile
from graphspec.passes.expand.context import Expansion, IncludedBlock

__all__ = ["library_includes", "load_includes"]


def load_includes(ex: Expansion) -> None:
    """Add the blocks of every file of ``include:`` (transitively) to ``ex.blocks``."""
    if not ex.spec.include:
        return
    ex.require_1_1("`include:`", ("include",))
    origin: dict[str, str] = {name: "this spec" for name in ex.blocks}
    _include(ex, ex.spec, ex.file, (), origin)


def library_includes(spec: Spec) -> tuple[Graph, list[Any]]:
    """The includes of a block library checked on its own: the files read (on an empty graph)
    and the problems found naming them (E845-E849). Its blocks are checked where they are used.
    """
    ex = Expansion(spec, None)
    ex.graph.name = spec.name or "library"
    load_includes(ex)
    return ex.graph, ex.diagnostics


def _include(
    ex: Expansion, spec: Spec, file: str, prefix: tuple[Any, ...], origin: dict[str, str]
) -> None:
    context = current_context()
    if context is None:  # pragma: no cover - expansion runs inside a check
        return
    for i, written in enumerate(spec.include):
        path = (*prefix, "include", i)
        try:
            target = resolve_include(context, file, written)
        except IncludeError as err:
            ex.error(err.code, err.message, path, hint=err.hint)
            continue
        library = _library(ex, target)
        ex.graph.included.append(IncludedFile(str(target), written, file, path, library))
        if library is None:
            continue
        where = (INCLUDED, str(target))
        ex.versions[str(target)] = library.graphspec
        _merge_source(ex.source, library.source, where)
        for name, block in library.blocks.items():
            if name in origin:
                ex.error(
                    "E849",
                    f"block `{name}` of `{written}` is already defined in {origin[name]}",
                    path,
                    hint="rename one of them; a spec and the files it includes share one "
                    "namespace of blocks",
                )
                continue
            origin[name] = f"`{target.name}`"
            ex.blocks[name] = IncludedBlock(block, (*where, "blocks", name), str(target))
        with include_context(str(target)):
            _include(ex, library, str(target), where, origin)


def _library(ex: Expansion, target: FsPath) -> Spec | None:
    """The spec of an included file (every key optional but its blocks), once per check."""
    from graphspec.frontend.loader import load_document, read_text
    from graphspec.frontend.schema import build_spec

    context = current_context()
    key = ("library", str(target))
    if context is not None and key in context.cache:
        cached: Spec | None = context.cache[key]  # stored below, under this key only
        return cached

    def read(path: FsPath) -> tuple[Spec | None, list[Any]]:
        try:
            doc = load_document(read_text(path), str(path))
            if isinstance(doc.data, dict):
                doc.data.setdefault("inputs", {})
                doc.data.setdefault("nodes", {})
            return build_spec(doc, default_name=path.stem)
        except SpecError as err:
            return None, list(err.diagnostics)

    library, found = read_cached("library", target, read)
    ex.diagnostics.extend(found)
    if context is not None:
        context.cache[key] = library
    return library


def _merge_source(into: SourceMap, source: SourceMap, prefix: tuple[Any, ...]) -> None:
    for attr in ("values", "keys", "styles", "surprises"):
        target = getattr(into, attr)
        for path, value in getattr(source, attr).items():
            target[(*prefix, *path)] = value
