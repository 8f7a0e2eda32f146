"""Where every name is defined and used: nodes, inputs, blocks, block inputs and params.

Names live in scopes: the spec (``""``), each block (its name), and each inline nested model
(format 1.1, ``model:`` holding its own spec), whose names are its own: a name inside it never
resolves to an outer node, and the other way round. An included block library (``include:``)
is indexed on its own (:func:`build_library_index`) with the same symbols, so its blocks and
their names match the uses in the specs that include it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, NamedTuple

from graphspec.base.catalog import is_call_tensor_arg
from graphspec.base.gc_pause import GcPause
from graphspec.base.source import Loc, Path, SourceMap
from graphspec.frontend.spec import NodeKey, NodeSpec, Spec
from graphspec.plugins.expr.syntax import ExprSyntaxError, parse, references

__all__ = [
    "Index",
    "Occurrence",
    "ScopeInfo",
    "ScopeKind",
    "Symbol",
    "SymbolKind",
    "build_index",
    "build_library_index",
    "scope_id",
]

_EXPR: Final = re.compile(r"\$\{([^{}]*)\}")
_IDENT: Final = re.compile(r"[A-Za-z_]\w*")
_SHAPE_CALL: Final = re.compile(r"\bshape\(\s*(?:([A-Za-z_]\w*)|'([^']*)'|\"([^\"]*)\")\s*\)")
"""``shape(NODE)`` inside ``${...}`` (format 1.1): a reference to a node, by name or quoted."""
_PORT: Final = re.compile(r"^(.+):(\d{1,3})$")
_ARROW: Final = "->"


class SymbolKind(StrEnum):
    """What a name names."""

    NODE = "node"
    INPUT = "input"
    BLOCK = "block"
    PLACEHOLDER = "block input"
    PARAM = "param"


class ScopeKind(StrEnum):
    """What holds a list of names."""

    SPEC = "spec"
    BLOCK = "block"
    MODEL = "nested model"


def scope_id(path: Path) -> str:
    """The scope written at a source path: ``""`` for the spec, a top-level block's name, else
    the path joined by ``/`` (a nested model ``nodes/stem/model``, a block inside it).

    >>> scope_id(()), scope_id(("blocks", "se")), scope_id(("nodes", "stem", "model"))
    ('', 'se', 'nodes/stem/model')
    """
    if not path:
        return ""
    if len(path) == 2 and path[0] == "blocks":
        return str(path[1])
    return "/".join(str(p) for p in path)


@dataclass(frozen=True)
class ScopeInfo:
    """One scope: where it is written, the spec-level scope whose blocks and params it sees
    (``namespace``), and what it is (``owner``: the nested model's node, or the block)."""

    id: str
    kind: ScopeKind
    name: str
    path: Path
    namespace: str
    spec: Any = field(repr=False, compare=False)
    """The :class:`~graphspec.frontend.spec.Spec` (spec, nested model) or ``BlockSpec`` written here."""
    owner: Symbol | None = None

    @property
    def label(self) -> str:
        """How the scope is named to the user: ``this spec``, ``block `se```, …"""
        if self.kind is ScopeKind.SPEC:
            return "this spec"
        if self.kind is ScopeKind.MODEL:
            return f"nested model `{self.name}`"
        return f"block `{self.name}`"


class Symbol(NamedTuple):
    """A name in its scope: ``scope`` is ``""`` at the top level, else a :func:`scope_id`
    (a top-level block's name, ``nodes/stem/model`` for a nested model).

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
    scopes: dict[str, ScopeInfo] = field(default_factory=dict)

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

    def namespace(self, scope: str) -> str:
        """The spec-level scope whose blocks and params ``scope`` sees (itself for a spec)."""
        info = self.scopes.get(scope)
        return info.namespace if info is not None else ""

    def label(self, scope: str) -> str:
        """The scope as named to the user."""
        info = self.scopes.get(scope)
        return info.label if info is not None else f"block `{scope}`" if scope else "this spec"


def build_index(spec: Spec | None) -> Index:
    """Index a loaded document's spec (empty when it did not load)."""
    index = Index()
    if spec is None:
        return index
    with GcPause():  # ~3 objects per name, all acyclic: no collection needs to walk them
        _Builder(spec.source, index).run(spec)
    return index


def build_library_index(spec: Any) -> Index:
    """Index the blocks of an included file, as the spec including it sees them.

    Only its blocks are used by the including spec (its own params, inputs and nodes are not),
    and a ``${name}`` in one of its blocks that is not a param of that block names a param of
    the including spec: it is indexed as the top-level param ``name``.
    """
    index = Index()
    with GcPause():
        _Builder(spec.source, index, library=True).run(spec)
    return index


class _Builder:
    def __init__(self, source: SourceMap, index: Index, *, library: bool = False) -> None:
        self.source = source
        self.text = source.text
        self.index = index
        self.library = library
        self.has_params = "${" in self.text

    def run(self, spec: Any) -> None:
        self.spec(spec, (), None)

    def spec(self, spec: Any, path: Path, owner: tuple[Symbol, str] | None) -> None:
        """A spec's names: the top level, or an inline nested model's (its own scope)."""
        sid = scope_id(path)
        name = owner[1] if owner is not None else ""
        kind = ScopeKind.SPEC if owner is None else ScopeKind.MODEL
        info = ScopeInfo(sid, kind, name, path, sid, spec, owner[0] if owner is not None else None)
        self.index.scopes[sid] = info
        top = _Scope(sid, path, set(spec.params), {}, namespace=info)
        if self.library:  # only its blocks are used; `${p}` there may be the includer's param
            top = _Scope(sid, path, set(), {}, namespace=info, open_params=True)
            for block_name, block in spec.blocks.items():
                self.key(SymbolKind.BLOCK, sid, block_name, (*path, "blocks", block_name))
                self.block(block_name, block, top)
            return
        for param in spec.params:
            self.key(SymbolKind.PARAM, sid, param, (*path, "params", param))
        for input_name in spec.inputs:
            self.key(SymbolKind.INPUT, sid, input_name, (*path, "inputs", input_name))
            top.names[input_name] = SymbolKind.INPUT
        for block_name in spec.blocks:
            self.key(SymbolKind.BLOCK, sid, block_name, (*path, "blocks", block_name))
        for node_name in spec.nodes:
            top.names[node_name] = SymbolKind.NODE
        for block_name, block in spec.blocks.items():
            self.block(block_name, block, top)
        self.exprs(top, (*path, "params"), spec.params)
        self.searched(sid, path, spec)
        self.exprs(top, (*path, "constraints"), getattr(spec, "constraints", None) or [])
        for input_name, inp in spec.inputs.items():
            self.exprs(top, (*path, "inputs", input_name, "shape"), inp.shape)
        self.scope(top, spec.nodes, spec.edges, spec.outputs)

    def searched(self, sid: str, path: Path, spec: Any) -> None:
        """The params that ``search:`` (and its ``when:`` conditions), ``scales:`` and
        ``constraints:`` name: references to the spec's params (renamed with them)."""
        known = set(spec.params)

        def use(name: object, at: Path) -> None:
            if isinstance(name, str) and name in known:
                self.key(SymbolKind.PARAM, sid, name, at, definition=False)

        for param, space in (getattr(spec, "search", None) or {}).items():
            use(param, (*path, "search", param))
            when = space.get("when") if isinstance(space, dict) else None
            for other in when if isinstance(when, dict) else ():
                use(other, (*path, "search", param, "when", other))
        for scale, values in (getattr(spec, "scales", None) or {}).items():
            for param in values if isinstance(values, dict) else ():
                use(param, (*path, "scales", scale, param))

    def block(self, name: str, block: Any, top: _Scope) -> None:
        path: Path = (*top.path, "blocks", name)
        bid = scope_id(path)
        owner = Symbol(SymbolKind.BLOCK, top.name, name)
        self.index.scopes[bid] = ScopeInfo(bid, ScopeKind.BLOCK, name, path, top.name, block, owner)
        scope = _Scope(bid, path, set(block.params), {}, parent=top, namespace=top.namespace)
        for param in block.params:
            self.key(SymbolKind.PARAM, bid, param, (*path, "params", param))
        for i, placeholder in enumerate(block.inputs):
            self.value(SymbolKind.PLACEHOLDER, bid, placeholder, (*path, "inputs", i), True)
            scope.names[placeholder] = SymbolKind.PLACEHOLDER
        for node in block.nodes:
            scope.names[node] = SymbolKind.NODE
        self.exprs(scope, (*path, "params"), block.params)
        self.scope(scope, block.nodes, block.edges, block.outputs)

    def scope(
        self,
        scope: _Scope,
        nodes: Mapping[str, NodeSpec],
        edges: list[Any],
        outputs: Any,
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
            space = scope.namespace
            self.value(SymbolKind.BLOCK, space.id, node.block, (*npath, NodeKey.BLOCK.value), False)
            bid = scope_id((*space.path, "blocks", node.block))
            for param in node.args:  # a block instance's keys are the block's params
                self.key(SymbolKind.PARAM, bid, param, (*npath, param), definition=False)
        if isinstance(node.model, dict):  # an inline nested model: a spec of its own
            self.nested(scope, npath, node.model)
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
        self.exprs(
            scope,
            npath,
            {
                **node.args,
                "repeat": node.repeat,
                "when": node.when,
                "names": node.names,
                NodeKey.WEIGHT.value: node.weight,
            },
        )

    def nested(self, scope: _Scope, npath: Path, data: dict[str, Any]) -> None:
        """The names of an inline nested model, in their own scope."""
        from graphspec.errors import SpecError
        from graphspec.frontend.loader import Document
        from graphspec.frontend.schema import build_spec
        from graphspec.plugins.nested.expansion import sub_source

        mpath = (*npath, NodeKey.MODEL.value)
        node_name = str(npath[-1])
        version = self.index.scopes[""].spec.graphspec if "" in self.index.scopes else 1.1
        try:
            nested, _ = build_spec(
                Document({"graphspec": version, **data}, sub_source(self.source, mpath)),
                default_name=node_name,
            )
        except SpecError:
            return  # reported by the check; nothing to navigate yet
        self.spec(nested, mpath, (Symbol(SymbolKind.NODE, scope.name, node_name), node_name))

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
                body, at_body = match.group(1), offset + match.start(1)
                taken: list[tuple[int, int]] = []
                for call in _SHAPE_CALL.finditer(body):  # `shape(NODE)`: a node reference
                    group = next(g for g in (1, 2, 3) if call.group(g) is not None)
                    taken.append(call.span())
                    start = self.source.loc_at(at_body + call.start(group))
                    self.named(scope, call.group(group), start, sub)
                for ident in _IDENT.finditer(body):
                    if any(a <= ident.start() < b for a, b in taken):
                        continue
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
    namespace: ScopeInfo = field(kw_only=True, repr=False)
    open_params: bool = False
    """A library's top: any ``${name}`` there is a param of the spec including it."""

    def lookup(self, name: str) -> tuple[SymbolKind | None, str]:
        kind = self.names.get(name)
        return kind, self.name

    def lookup_param(self, name: str) -> tuple[SymbolKind | None, str]:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.params or scope.open_params:
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
