"""Where every name is defined and used: nodes, inputs, blocks, block inputs and params."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from graphspec.catalog import is_call_tensor_arg
from graphspec.expr.syntax import ExprSyntaxError, parse, references
from graphspec.source import Loc, Path, SourceMap
from graphspec.spec import NodeKey, NodeSpec

if TYPE_CHECKING:
    from graphspec.lsp.analysis import Analysis

__all__ = ["Index", "Occurrence", "Symbol", "SymbolKind", "build_index"]

_EXPR: Final = re.compile(r"\$\{([^{}]*)\}")
_IDENT: Final = re.compile(r"[A-Za-z_]\w*")
_PORT: Final = re.compile(r"^(.+):(\d{1,3})$")
_ARROW: Final = "->"


class SymbolKind(StrEnum):
    """What a name names."""

    NODE = "node"
    INPUT = "input"
    BLOCK = "block"
    PLACEHOLDER = "block input"
    PARAM = "param"


class Symbol(NamedTuple):
    """A name in its scope: ``scope`` is ``""`` at the top level, else the block's name.

    (A named tuple: hashed by the hundred thousand when a big spec is indexed.)
    """

    kind: SymbolKind
    scope: str
    name: str


@dataclass(frozen=True)
class Occurrence:
    """One place a symbol is written: its definition (a key) or a reference."""

    symbol: Symbol
    start: Loc
    end: Loc
    definition: bool
    path: Path


@dataclass
class Index:
    """Every occurrence of every name in one document, by symbol and by line."""

    occurrences: list[Occurrence] = field(default_factory=list)
    by_symbol: dict[Symbol, list[Occurrence]] = field(default_factory=dict)
    by_line: dict[int, list[Occurrence]] = field(default_factory=dict)
    definitions: dict[Symbol, Occurrence] = field(default_factory=dict)

    def add(self, occurrence: Occurrence) -> None:
        self.occurrences.append(occurrence)
        self.by_symbol.setdefault(occurrence.symbol, []).append(occurrence)
        self.by_line.setdefault(occurrence.start.line, []).append(occurrence)
        if occurrence.definition:
            self.definitions.setdefault(occurrence.symbol, occurrence)

    def at(self, loc: Loc) -> Occurrence | None:
        """The occurrence under a cursor (its end included: the cursor just after a word)."""
        for occ in self.by_line.get(loc.line, ()):
            if occ.start.column <= loc.column <= occ.end.column and occ.end.line == loc.line:
                return occ
        return None

    def names(self, scope: str, *kinds: SymbolKind) -> list[str]:
        """Names defined in ``scope`` of the given kinds, in the order written."""
        return [s.name for s in self.definitions if s.scope == scope and s.kind in kinds]

    def references(self, symbol: Symbol) -> list[Occurrence]:
        """Every occurrence of ``symbol``, definition first."""
        found = self.by_symbol.get(symbol, [])
        return sorted(found, key=lambda o: (not o.definition, o.start))


def build_index(analysis: Analysis) -> Index:
    """Index a loaded document (empty when it did not load)."""
    index = Index()
    if analysis.result is None:
        return index
    # Like the front end, pause the cyclic collector: this builds ~3 objects per name, all
    # acyclic, and each automatic collection would walk the whole analysis again.
    paused = gc.isenabled()
    gc.disable()
    try:
        _Builder(analysis.result.spec.source, index).run(analysis.result.spec)
    finally:
        if paused:
            gc.enable()
    return index


class _Builder:
    def __init__(self, source: SourceMap, index: Index) -> None:
        self.source = source
        self.text = source.text
        self.index = index
        self.has_params = "${" in self.text

    def run(self, spec: Any) -> None:
        top = _Scope("", (), set(spec.params), {})
        for name in spec.params:
            self.key(SymbolKind.PARAM, "", name, ("params", name))
        for name in spec.inputs:
            self.key(SymbolKind.INPUT, "", name, ("inputs", name))
            top.names[name] = SymbolKind.INPUT
        for name in spec.blocks:
            self.key(SymbolKind.BLOCK, "", name, ("blocks", name))
        for name in spec.nodes:
            top.names[name] = SymbolKind.NODE
        for name, block in spec.blocks.items():
            self.block(name, block, top)
        self.exprs(top, ("params",), spec.params)
        for name, inp in spec.inputs.items():
            self.exprs(top, ("inputs", name, "shape"), inp.shape)
        self.scope(top, spec.nodes, spec.edges, spec.outputs, spec.blocks)

    def block(self, name: str, block: Any, top: _Scope) -> None:
        path: Path = ("blocks", name)
        scope = _Scope(name, path, set(block.params), {}, parent=top)
        for param in block.params:
            self.key(SymbolKind.PARAM, name, param, (*path, "params", param))
        for i, placeholder in enumerate(block.inputs):
            self.value(SymbolKind.PLACEHOLDER, name, placeholder, (*path, "inputs", i), True)
            scope.names[placeholder] = SymbolKind.PLACEHOLDER
        for node in block.nodes:
            scope.names[node] = SymbolKind.NODE
        self.exprs(scope, (*path, "params"), block.params)
        self.scope(scope, block.nodes, block.edges, block.outputs, None)

    def scope(
        self,
        scope: _Scope,
        nodes: Mapping[str, NodeSpec],
        edges: list[Any],
        outputs: Any,
        blocks: Mapping[str, Any] | None,
    ) -> None:
        for name, node in nodes.items():
            npath = (*scope.path, "nodes", name)
            self.key(SymbolKind.NODE, scope.name, name, npath)
            self.node(scope, node, npath)
        for i, item in enumerate(edges):
            epath = (*scope.path, "edges", i)
            if isinstance(item, str):
                self.chain(scope, epath)
            else:
                for k in range(len(item)):
                    self.ref(scope, (*epath, k))
        if isinstance(outputs, dict):
            for key in outputs:
                self.ref(scope, (*scope.path, "outputs", key))
        elif isinstance(outputs, list):
            for i in range(len(outputs)):
                self.ref(scope, (*scope.path, "outputs", i))

    def node(self, scope: _Scope, node: NodeSpec, npath: Path) -> None:
        inputs = (*npath, NodeKey.INPUTS.value)
        if isinstance(node.inputs, str):
            self.ref(scope, inputs)
        elif isinstance(node.inputs, list):
            for i in range(len(node.inputs)):
                self.ref(scope, (*inputs, i))
        if node.share is not None:
            self.ref(scope, (*npath, NodeKey.SHARE.value))
        if node.block is not None:
            self.value(SymbolKind.BLOCK, "", node.block, (*npath, NodeKey.BLOCK.value), False)
            for param in node.args:  # a block instance's keys are the block's params
                self.key(SymbolKind.PARAM, node.block, param, (*npath, param), definition=False)
        if isinstance(node.expr, str):
            self.expression(scope, (*npath, NodeKey.EXPR.value))
        call = getattr(node, "call", None)
        if isinstance(call, dict):  # format 1.1: tensor call arguments name nodes
            for arg, value in call.items():
                if not is_call_tensor_arg(str(arg)):
                    continue
                cpath = (*npath, NodeKey.CALL.value, arg)
                if isinstance(value, str):
                    self.ref(scope, cpath)
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, str):
                            self.ref(scope, (*cpath, i))
        self.exprs(scope, npath, {**node.args, "repeat": node.repeat})

    def expression(self, scope: _Scope, path: Path) -> None:
        """Node names inside a tensor expression (format 1.1), where each is written."""
        span = self.span_text(path)
        if span is None or "\\" in span[0] or "\n" in span[0]:
            return  # escapes or several lines: positions inside are not the text's
        text, offset = span
        try:
            refs = references(parse(text))
        except ExprSyntaxError:
            return  # reported as a diagnostic; nothing to navigate yet
        for ref in refs:
            kind, owner = scope.lookup(ref.name)
            if kind is None:
                continue
            quoted = text.startswith("`", ref.offset)
            start = self.source.loc_at(offset + ref.offset + quoted)
            end = Loc(start.line, start.column + len(ref.name))
            self.index.add(Occurrence(Symbol(kind, owner, ref.name), start, end, False, path))

    # -- occurrences ----------------------------------------------------------------------------

    def key(
        self, kind: SymbolKind, scope: str, name: str, path: Path, *, definition: bool = True
    ) -> None:
        start = self.source.keys.get(path)
        if start is None:
            return
        end = self.source.end_of(start, whole=True)
        if end is not None:
            self.index.add(Occurrence(Symbol(kind, scope, name), start, end, definition, path))

    def value(self, kind: SymbolKind, scope: str, name: str, path: Path, definition: bool) -> None:
        found = self.word(path)
        if found is not None and found[0] == name:
            symbol = Symbol(kind, scope, name)
            self.index.add(Occurrence(symbol, found[1], found[2], definition, path))

    def ref(self, scope: _Scope, path: Path) -> None:
        """A node reference written as a whole value (``inputs``, ``outputs``, ``share``)."""
        found = self.word(path)
        if found is not None:
            self.named(scope, found[0], found[1], path)

    def chain(self, scope: _Scope, path: Path) -> None:
        """``a -> b -> c``: each name, where it is written inside the string."""
        span = self.span_text(path)
        if span is None:
            return
        text, offset = span
        pos = 0
        for part in text.split(_ARROW):
            stripped = part.strip()
            if stripped:
                at = offset + pos + part.index(stripped)
                self.named(scope, stripped, self.source.loc_at(at), path)
            pos += len(part) + len(_ARROW)

    def named(self, scope: _Scope, text: str, start: Loc, path: Path) -> None:
        name = text
        port = _PORT.match(text)
        if text not in scope.names and port is not None:
            name = port.group(1)  # `lstm:1`: output 1 of node `lstm`
        kind, owner = scope.lookup(name)
        if kind is None:
            return
        end = Loc(start.line, start.column + len(name))
        self.index.add(Occurrence(Symbol(kind, owner, name), start, end, False, path))

    def exprs(self, scope: _Scope, path: Path, value: Any) -> None:
        """Params named inside ``${...}`` anywhere in ``value``."""
        if not self.has_params:
            return  # no `${` anywhere in the text: nothing to walk
        for sub, item in _strings(path, value):
            if "${" not in item:
                continue
            span = self.span_text(sub)
            if span is None:
                continue
            text, offset = span
            for match in _EXPR.finditer(text):
                for ident in _IDENT.finditer(match.group(1)):
                    kind, owner = scope.lookup_param(ident.group())
                    if kind is None:
                        continue
                    at = offset + match.start(1) + ident.start()
                    start = self.source.loc_at(at)
                    end = Loc(start.line, start.column + len(ident.group()))
                    symbol = Symbol(kind, owner, ident.group())
                    self.index.add(Occurrence(symbol, start, end, False, sub))

    # -- text -------------------------------------------------------------------------------------

    def span_text(self, path: Path) -> tuple[str, int] | None:
        """The text of the value at ``path`` without its quotes, and its offset."""
        span = self.source.span(path)
        if span is None:
            return None
        a, b = self.source.offset(span[0]), self.source.offset(span[1])
        if a is None or b is None:
            return None
        text = self.text[a:b]
        if len(text) >= 2 and text[0] in "\"'" and text[-1] == text[0]:
            return text[1:-1], a + 1
        return text, a

    def word(self, path: Path) -> tuple[str, Loc, Loc] | None:
        span = self.span_text(path)
        if span is None:
            return None
        text, offset = span
        stripped = text.strip()
        if not stripped or "\n" in stripped:
            return None
        start = self.source.loc_at(offset + text.index(stripped))
        return stripped, start, Loc(start.line, start.column + len(stripped))


@dataclass
class _Scope:
    name: str
    path: Path
    params: set[str]
    names: dict[str, SymbolKind]
    parent: _Scope | None = None

    def lookup(self, name: str) -> tuple[SymbolKind | None, str]:
        kind = self.names.get(name)
        return kind, self.name

    def lookup_param(self, name: str) -> tuple[SymbolKind | None, str]:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.params:
                return SymbolKind.PARAM, scope.name
            scope = scope.parent
        return None, ""


def _strings(path: Path, value: Any) -> Iterator[tuple[Path, str]]:
    """Every string inside ``value`` (lists and mappings walked), with its path."""
    stack: list[tuple[Path, Any]] = [(path, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, str):
            yield here, item
        elif isinstance(item, dict):
            stack.extend(((*here, k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend(((*here, i), v) for i, v in enumerate(item))
