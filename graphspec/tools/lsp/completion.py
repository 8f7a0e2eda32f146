"""Completion (``textDocument/completion``): layer types, arguments, values, names, params."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from lsprotocol import types as lsp

from graphspec.base.catalog import (
    FORBIDDEN_KEYS,
    RESERVED_LAYER_ARGS,
    catalog,
    is_call_tensor_arg,
    layer_names,
    layer_signature,
    named_objects,
    object_kind,
)
from graphspec.base.custom_layers import custom_layers
from graphspec.base.registry import Registry
from graphspec.base.source import Loc
from graphspec.base.suggest import suggest
from graphspec.frontend.spec import BlockSpec, InputSpec, NodeKey, Spec
from graphspec.plugins.expr import function_names, lookup
from graphspec.plugins.weight import OBJECT_KINDS
from graphspec.tools.lsp._context import Context, context_at
from graphspec.tools.lsp._describe import layer_doc, signature_text
from graphspec.tools.lsp._positions import Lines, units
from graphspec.tools.lsp._values import choices_for
from graphspec.tools.lsp.features import feature
from graphspec.tools.lsp.index import SymbolKind
from graphspec.tools.lsp.lookup import block_spec

if TYPE_CHECKING:
    from graphspec.tools.lsp.analysis import Analysis
    from graphspec.tools.lsp.server import GraphspecServer

__all__ = ["COMPLETERS", "complete"]

_VALUE: Final = re.compile(r"(?:^|[\s{,])(?:- )?([A-Za-z_]\w*):\s+['\"]?([\w.:-]*)$")
_KEY: Final = re.compile(r"(?:^|[{,]|^\s*(?:- )?)\s*([A-Za-z_]\w*)?$")
_LIST: Final = re.compile(r"(?:^|[\s{,])(\w+):\s*\[([^\]]*)$")
_NAME_LISTS: Final = frozenset({"inputs", "outputs"})
_EXPR: Final = re.compile(r"\$\{([^{}]*)$")
_EXPR_VALUE: Final = re.compile(r"(?:^|[\s{,])expr:\s*[\"']?([^\"'#]*)$")
_NAME_SECTIONS: Final = frozenset({"inputs", "outputs", "edges"})
_TOP_KEYS: Final = list(Spec.model_fields)


@dataclass
class _Request:
    """What a completer sees: the text context and the latest analysis that loaded."""

    ctx: Context
    analysis: Analysis | None
    lines: list[str]
    encoding: str = "utf-16"


Completer = Callable[[_Request], "list[lsp.CompletionItem] | None"]
COMPLETERS: Registry[str, Completer] = Registry("completer")
"""Completers by name, tried in order; the first that recognises the place answers."""


def _completer(name: str) -> Callable[[Completer], Completer]:
    return COMPLETERS.register(name)


@feature(
    lsp.TEXT_DOCUMENT_COMPLETION,
    lsp.CompletionOptions(trigger_characters=[":", " ", "{", ",", "[", "$", ">"]),
)
def completion(ls: GraphspecServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    lines = doc.source.split("\n")
    current = ls.analysis(uri)
    analysis = current if current is not None and current.ok else ls.loaded.get(uri)
    loc = Lines(doc.source, ls.encoding).loc(params.position)
    items = complete(lines, loc, analysis, encoding=ls.encoding)
    return lsp.CompletionList(is_incomplete=False, items=items) if items is not None else None


def complete(
    lines: list[str], loc: Loc, analysis: Analysis | None, *, encoding: str = "utf-16"
) -> list[lsp.CompletionItem] | None:
    """Completion items at a 1-based line and column (``None``: nothing to offer here)."""
    ctx = context_at(lines, loc.line - 1, loc.column - 1)
    request = _Request(ctx, analysis, lines, encoding)
    for completer in COMPLETERS.values():
        items = completer(request)
        if items is not None:
            return items
    return None


# -- completers -----------------------------------------------------------------------------------


@_completer("param in ${}")
def _params(req: _Request) -> list[lsp.CompletionItem] | None:
    match = _EXPR.search(req.ctx.prefix)
    if match is None:
        return None
    partial = re.search(r"\w*$", match.group(1))
    word = partial.group() if partial else ""
    names = _names(req, SymbolKind.PARAM, scope=req.ctx.scope)
    space = _namespace(req)
    if space != req.ctx.scope:  # in a block: its params, then those of the spec around it
        names += [n for n in _names(req, SymbolKind.PARAM, scope=space) if n not in names]
    return _items(req, names, lsp.CompletionItemKind.Variable, word, detail="param")


@_completer("node names in a list")
def _name_list(req: _Request) -> list[lsp.CompletionItem] | None:
    match = _LIST.search(req.ctx.prefix)
    if match is None or not (match.group(1) in _NAME_LISTS or _in_call(req, match.group(1))):
        return None
    word = match.group(2).rsplit(",", 1)[-1].strip().strip("'\"")
    return _node_refs(req, word)


def _in_call(req: _Request, key: str) -> bool:
    """``key`` is a tensor argument inside ``call:`` (format 1.1): it names nodes."""
    return is_call_tensor_arg(key) and ("call:" in req.ctx.prefix or "call" in req.ctx.chain)


@_completer("expression")
def _expression(req: _Request) -> list[lsp.CompletionItem] | None:
    """Inside ``expr: "..."`` (format 1.1): node names, ``node:N`` ports and the table's functions."""
    match = _EXPR_VALUE.search(req.ctx.prefix)
    if match is None:
        return None
    word = re.search(r"[A-Za-z_]\w*(?::\d*)?$|$", match.group(1))
    partial = word.group() if word else ""
    items = _node_refs(req, partial)
    for name in function_names():
        rank = _rank(name, partial)
        item = _item(req, name, lsp.CompletionItemKind.Function, partial, rank, tier=1)
        op = lookup(name)
        if op is not None:
            args = ", ".join(p.name for p in op.operands)
            item.detail = f"keras.ops.{op.keras}({args})"
            item.documentation = op.doc or None
        items.append(item)
    return items


@_completer("value after key")
def _value(req: _Request) -> list[lsp.CompletionItem] | None:
    match = _VALUE.search(req.ctx.prefix)
    if match is None:
        if req.ctx.section == "edges" or "->" in req.ctx.prefix:
            return _edge(req)
        return None
    key, word = match.group(1), match.group(2)
    chain = req.ctx.chain
    if key == NodeKey.TYPE.value:
        kind = _object_kind_at(req)
        if kind is not None:  # `{type: RandomNormal, ...}` of an initializer, regularizer, …
            return _items(req, named_objects(kind), lsp.CompletionItemKind.EnumMember, word)
        return _layer_types(req, word)
    if key == NodeKey.BLOCK.value:
        return _items(req, _block_names(req), lsp.CompletionItemKind.Module, word)
    if key in (NodeKey.SHARE.value, NodeKey.INPUTS.value) or chain[:1] == ["outputs"]:
        return _node_refs(req, word)
    if _in_call(req, key):
        return _node_refs(req, word)
    if key == "api" and not chain:
        return _items(
            req, ["auto", "sequential", "functional"], lsp.CompletionItemKind.EnumMember, word
        )
    if key == "dtype":
        return _items(req, list(catalog()["dtypes"]), lsp.CompletionItemKind.EnumMember, word)
    values = _argument_values(req, key)
    if values is None:
        return None
    return _items(req, values, lsp.CompletionItemKind.EnumMember, word)


_OPENED: Final = re.compile(r"([A-Za-z_]\w*):\s*\{[^{}]*$")
"""The key whose flow mapping the cursor is in: ``initializer`` in ``{initializer: {type: Ra``."""


def _object_kind_at(req: _Request) -> str | None:
    """The named-object family (``initializers``, …) of the mapping the cursor is in, if any."""
    opened = _OPENED.search(req.ctx.flow or "")
    key = opened.group(1) if opened else (req.ctx.chain[0] if req.ctx.chain else "")
    kind = object_kind(key) or OBJECT_KINDS.get(key)
    return kind if kind != "activations" else None


@_completer("edge")
def _edge(req: _Request) -> list[lsp.CompletionItem] | None:
    if req.ctx.section != "edges" and "->" not in req.ctx.prefix:
        return None
    word = re.split(r"->|\[|,|^\s*-\s", req.ctx.prefix)[-1].strip()
    return _node_refs(req, word)


@_completer("key")
def _key(req: _Request) -> list[lsp.CompletionItem] | None:
    ctx = req.ctx
    match = _KEY.search(ctx.prefix)
    if match is None:
        return None
    word = match.group(1) or ""
    chain = ctx.chain
    given = set(ctx.siblings)
    if not chain:
        keys = [k for k in _TOP_KEYS if k not in given]
        return _items(req, keys, lsp.CompletionItemKind.Property, word, suffix=": ")
    if len(chain) >= 2 and chain[1] == "nodes":
        return _node_keys(req, word, given)
    if len(chain) == 2 and chain[1] == "inputs" and not ctx.scope:
        keys = [k for k in InputSpec.model_fields if k not in given]
        return _items(req, keys, lsp.CompletionItemKind.Property, word, suffix=": ")
    if len(chain) == 2 and chain[1] == "blocks":
        keys = [k for k in BlockSpec.model_fields if k not in given]
        return _items(req, keys, lsp.CompletionItemKind.Property, word, suffix=": ")
    return None


# -- item sources ---------------------------------------------------------------------------------


def _layer_types(req: _Request, word: str) -> list[lsp.CompletionItem]:
    """Every layer type: prefix matches first, then close misspellings ("did you mean"), then all."""
    names = [*layer_names(), *custom_layers()]  # the user's declared layers too
    lower = word.lower()
    close = set(suggest(word, names, n=5)) if word else set()
    items = []
    for name in names:
        rank = 3
        if name.startswith(word):
            rank = 0
        elif name.lower().startswith(lower):
            rank = 1
        elif name in close:
            rank = 2
        item = _item(req, name, lsp.CompletionItemKind.Class, word, rank)
        item.detail = signature_text(name)
        doc = layer_doc(name)
        if doc:
            item.documentation = doc
        if rank == 2:
            item.filter_text = word  # a misspelling still shows its correction
        items.append(item)
    return items


def _node_keys(req: _Request, word: str, given: set[str]) -> list[lsp.CompletionItem]:
    """Argument names of the node's layer type (not already given), then the node keys."""
    siblings = req.ctx.siblings
    items = []
    block_name = siblings.get(NodeKey.BLOCK.value)
    if block_name and req.analysis is not None and req.analysis.result is not None:
        found = block_spec(req.analysis, _namespace(req), block_name)
        params = [p for p in (found[0].params if found else {}) if p not in given]
        items += [
            _item(req, p, lsp.CompletionItemKind.Variable, word, 0, suffix=": ") for p in params
        ]
    sig = layer_signature(siblings.get(NodeKey.TYPE.value, ""))
    if sig is not None:
        own = list(sig.args)
        for rank, names in ((0, own), (1, [n for n in sig.all_names() if n not in own])):
            for name in names:
                if name in given or name in RESERVED_LAYER_ARGS or name in FORBIDDEN_KEYS:
                    continue
                item = _item(req, name, lsp.CompletionItemKind.Field, word, rank, suffix=": ")
                info = sig.arg(name)
                item.detail = (
                    "required"
                    if info and info.required
                    else f"default {info.default!r}"
                    if info
                    else None
                )
                items.append(item)
    reserved = [k.value for k in NodeKey if k.value not in given]
    items += [_item(req, k, lsp.CompletionItemKind.Keyword, word, 2, suffix=": ") for k in reserved]
    return items


def _argument_values(req: _Request, key: str) -> list[str] | None:
    """Allowed values of a layer argument: named objects, a closed set, or true/false."""
    kind = object_kind(key)
    if kind is not None:
        return named_objects(kind)
    sig = layer_signature(req.ctx.siblings.get(NodeKey.TYPE.value, ""))
    found = choices_for(sig.type if sig else None, key)
    if found is not None:
        return found
    if sig is not None:
        info = sig.arg(key)
        if info is not None and isinstance(info.default, bool):
            return ["true", "false"]
    return None


def _node_refs(req: _Request, word: str) -> list[lsp.CompletionItem]:
    """Names a node may take its input from here, and ``name:N`` for multi-output layers."""
    scope = req.ctx.scope
    kinds = (SymbolKind.NODE, SymbolKind.INPUT, SymbolKind.PLACEHOLDER)
    names = _names(req, *kinds, scope=scope)
    items = _items(req, names, lsp.CompletionItemKind.Reference, word)
    items += [
        _item(req, port, lsp.CompletionItemKind.Reference, word, 1) for port in _ports(req, names)
    ]
    return items


def _ports(req: _Request, names: Iterable[str]) -> list[str]:
    analysis = req.analysis
    if analysis is None or analysis.result is None or analysis.result.shapes is None:
        return []
    shapes = analysis.result.shapes.nodes
    out = []
    for name in names:
        known = shapes.get(name)
        if known is not None and known.outputs and len(known.outputs) > 1:
            out += [f"{name}:{i}" for i in range(len(known.outputs))]
    return out


# -- helpers --------------------------------------------------------------------------------------


def _namespace(req: _Request) -> str:
    """The spec-level scope whose blocks and params the cursor's scope sees."""
    return req.analysis.index.namespace(req.ctx.scope) if req.analysis is not None else ""


def _block_names(req: _Request) -> list[str]:
    """Blocks a node may use here: the spec's own, then those of its included files."""
    space = _namespace(req)
    names = _names(req, SymbolKind.BLOCK, scope=space)
    if req.analysis is not None and not space:
        for library in req.analysis.libraries:
            names += [n for n in library.spec.blocks if n not in names]
    return names


def _names(req: _Request, *kinds: SymbolKind, scope: str) -> list[str]:
    if req.analysis is None:
        return []
    return req.analysis.index.names(scope, *kinds)


def _items(
    req: _Request,
    labels: Iterable[str],
    kind: lsp.CompletionItemKind,
    word: str,
    *,
    detail: str | None = None,
    suffix: str = "",
) -> list[lsp.CompletionItem]:
    items = []
    for label in labels:
        item = _item(req, label, kind, word, _rank(label, word), suffix=suffix)
        item.detail = detail
        items.append(item)
    return items


def _rank(label: str, word: str) -> int:
    """0: starts with the word as typed, 1: ignoring case, 2: anything else."""
    return 0 if label.startswith(word) else 1 if label.lower().startswith(word.lower()) else 2


def _item(
    req: _Request,
    label: str,
    kind: lsp.CompletionItemKind,
    word: str,
    rank: int,
    *,
    suffix: str = "",
    tier: int = 0,
) -> lsp.CompletionItem:
    """An item replacing the partial word before the cursor (so ``Con`` becomes ``Conv2D``)."""
    ctx = req.ctx
    line = req.lines[ctx.line] if ctx.line < len(req.lines) else ""
    start = ctx.column - len(word)
    rng = lsp.Range(
        start=lsp.Position(line=ctx.line, character=units(line[:start], req.encoding)),
        end=lsp.Position(line=ctx.line, character=units(line[: ctx.column], req.encoding)),
    )
    return lsp.CompletionItem(
        label=label,
        kind=kind,
        sort_text=f"{rank}{tier}{label.lower()}",
        text_edit=lsp.TextEdit(range=rng, new_text=label + suffix),
    )
