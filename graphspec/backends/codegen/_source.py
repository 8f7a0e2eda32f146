"""The pieces of generated Python: calls, sequences and literals, formatted the way ruff formats.

A piece is written on one line when it fits in :data:`WIDTH` columns, else exploded one item
per line with a trailing comma (ruff keeps such a "magic trailing comma" exploded at any line
length). An :class:`Alt` piece is an operator expression (``a + b``, ``x[:, 0]``) that has a
second form for when it does not fit: the same operation as ``keras.ops`` calls.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.base.catalog import NESTED_LAYER_ARGS, TUPLE_ARGS, layer_module, object_kind
from graphspec.base.custom_layers import custom_layer
from graphspec.plugins.expr.bind import array_dtype, array_shape, bind
from graphspec.plugins.expr.python import to_python
from graphspec.plugins.expr.syntax import Call as ExprCall
from graphspec.plugins.expr.syntax import Const, ListExpr, Ref, Slice, Subscript

__all__ = [
    "HEAD_WIDTH",
    "INDENT",
    "WIDTH",
    "Alt",
    "Call",
    "Item",
    "Raw",
    "Seq",
    "Tail",
    "call_lines",
    "expr_piece",
    "flat",
    "identifier",
    "layer_expr",
    "lines_of",
    "literal_text",
    "object_expr",
    "plain",
    "py",
    "unpacking",
]

WIDTH: Final = 88
"""Lines longer than this are split (ruff's default width, so the file is stable under ruff)."""
INDENT: Final = "    "
_NOT_IDENT: Final = re.compile(r"\W+")
_WRAPPED: Final = (" = ", "return ")
"""Statements whose value ruff puts in parentheses when even its first line is too long."""
HEAD_WIDTH: Final = 100
"""How long ``x = function(`` may be before the value is put in parentheses: ruff's choice at
this project's line length (at 88 it would put a head of 89 to 100 columns in parentheses too;
only very long node names, as in some imported keras.applications models, make such heads)."""
_AMBIGUOUS: Final = frozenset({"l", "O", "I"})
"""Names ruff's E741 refuses."""


Item = tuple[str | None, Any]
"""An argument or an item of a piece: ``("key=", value)``, or ``(None, value)``."""


@dataclass
class Raw:
    """Python source written as it is (a variable, an f-string, an expression over params)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Call:
    """``func(arg, key=value, ...)``; arguments are source text or nested pieces."""

    func: str
    args: list[tuple[str | None, Any]] = field(default_factory=list)


@dataclass
class Seq:
    """A list (``[...]``) or a tuple (``(...)``) or a dict (``{...}``) of pieces."""

    open: str
    items: list[tuple[str | None, Any]]
    close: str


@dataclass
class Tail:
    """A piece followed by a suffix that stays on its last line (``f(...)[:, 0]``)."""

    piece: Any
    suffix: str


@dataclass
class Alt:
    """An operator expression (``text``), or ``long`` (the same as calls) when it does not fit."""

    text: str
    long: Any


def unpacking(names: list[str], groups: list[int]) -> str:
    """Assignment targets for a layer's outputs: ``out, h, c`` or ``out, (h, c), h2``."""
    parts = [names[0]]
    index = 1
    for size in groups:
        chunk = names[index : index + size]
        parts.append(chunk[0] if size == 1 else f"({', '.join(chunk)})")
        index += size
    return ", ".join(parts)


def flat(piece: Any) -> str:
    """A piece on one line."""
    if isinstance(piece, Call):
        return f"{piece.func}({', '.join(_flat_arg(k, v) for k, v in piece.args)})"
    if isinstance(piece, Seq):
        inner = ", ".join(_flat_arg(k, v) for k, v in piece.items)
        if piece.open == "(" and len(piece.items) == 1:
            inner += ","
        return f"{piece.open}{inner}{piece.close}"
    if isinstance(piece, Tail):
        return flat(piece.piece) + piece.suffix
    if isinstance(piece, Alt):
        return piece.text
    return str(piece)


def _flat_arg(key: str | None, value: Any) -> str:
    return flat(value) if key is None else f"{key}{flat(value)}"


def lines_of(
    piece: Any, indent: str, lead: str = "", tail: str = "", *, force: bool = False
) -> list[str]:
    """``piece`` on one line when it fits, else (or when ``force``d) exploded one item per line
    (a magic trailing comma keeps it so)."""
    one = f"{indent}{lead}{flat(piece)}{tail}"
    if len(one) <= WIDTH and not force:
        return [one]
    if isinstance(piece, Alt):
        return lines_of(piece.long, indent, lead, tail)
    if isinstance(piece, Tail):
        return lines_of(piece.piece, indent, lead, piece.suffix + tail)
    if not isinstance(piece, Call | Seq) or not _items(piece):
        return [one]
    if isinstance(piece, Call):
        head, close = f"{piece.func}(", ")"
    else:
        head, close = piece.open, piece.close
    if len(f"{indent}{lead}{head}") > HEAD_WIDTH and lead.endswith(_WRAPPED):
        inner = lines_of(piece, indent + INDENT, force=force)  # as ruff: `x = (` ... `)`
        return [f"{indent}{lead}(", *inner, f"{indent}){tail}"]
    out = [f"{indent}{lead}{head}"]
    for key, value in _items(piece):
        out += lines_of(value, indent + INDENT, key or "", ",")
    out.append(f"{indent}{close}{tail}")
    return out


def call_lines(callee: Any, args: list[Item], indent: str, lead: str = "") -> list[str]:
    """``lead + callee(args)``: a layer and its call (``Dense(...)(x)``), split as ruff keeps
    it: the layer's arguments one per line and the call after them when it fits, else the
    call's arguments one per line too; a variable (a shared layer) before its call's."""
    call = Call("", args)
    one = f"{indent}{lead}{flat(callee)}{flat(call)}"
    if len(one) <= WIDTH:
        return [one]
    head = f"{callee.func}(" if isinstance(callee, Call) else f"{flat(callee)}("
    if len(f"{indent}{lead}{head}") > HEAD_WIDTH and lead.endswith(_WRAPPED):
        inner = call_lines(callee, args, indent + INDENT)  # as ruff: `x = (` ... `)`
        return [f"{indent}{lead}(", *inner, f"{indent})"]
    if not isinstance(callee, Call | Seq):
        return lines_of(Call(flat(callee), args), indent, lead, force=True)
    exploded = lines_of(callee, indent, lead, force=True)
    if len(exploded[-1] + flat(call)) <= WIDTH:
        return [*exploded[:-1], exploded[-1] + flat(call)]
    return [*exploded[:-1], *lines_of(Call(exploded[-1].strip(), args), indent, force=True)]


def _items(piece: Call | Seq) -> list[tuple[str | None, Any]]:
    return piece.args if isinstance(piece, Call) else piece.items


def py(value: Any) -> str:
    """A plain value as a Python literal, strings in double quotes (as ruff formats them)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value:
            text = '"' + text[1:-1].replace("\\'", "'") + '"'
        return text
    if isinstance(value, float) and value != value:  # NaN
        return 'float("nan")'
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return 'float("inf")' if value > 0 else '-float("inf")'
    return repr(value)


def literal_text(text: str) -> str:
    """``text`` escaped for the inside of a double-quoted f-string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return escaped.replace("{", "{{").replace("}", "}}")


def value_expr(key: str, value: Any, owner_type: str, imports: set[str]) -> Any:
    """A spec argument as a piece: nested layers and named objects made."""
    if key in NESTED_LAYER_ARGS.get(owner_type, ()) and isinstance(value, Mapping):
        return layer_expr(str(value.get("type")), value, None, imports)
    if key in NESTED_LAYER_ARGS.get(owner_type, ()) and isinstance(value, list):
        made: list[Item] = [(None, layer_expr(str(v.get("type")), v, None, imports)) for v in value]
        return Seq("[", made, "]")
    kind = object_kind(key)
    if kind is not None and isinstance(value, Mapping):
        return object_expr(kind, value)
    return plain(key, value)


def object_expr(kind: str, value: Mapping[str, Any]) -> Any:
    """``{type: RandomNormal, stddev: 0.02}`` as ``keras.initializers.RandomNormal(stddev=0.02)``."""
    name = value.get("type")
    if kind == "activations":
        return py(name)
    rest: list[Item] = [(f"{k}=", plain(k, v)) for k, v in value.items() if k != "type"]
    return Call(f"keras.{kind}.{name}", rest)


def plain(key: str, value: Any) -> Any:
    """A value as Keras takes it: lists stay lists except tuple-typed arguments."""
    if isinstance(value, list):
        items: list[Item] = [(None, plain(key, v)) for v in value]
        return Seq("(", items, ")") if key in TUPLE_ARGS else Seq("[", items, "]")
    if isinstance(value, Mapping):
        return Seq("{", [(f"{py(str(k))}: ", plain("", v)) for k, v in value.items()], "}")
    return py(value)


def layer_expr(type_name: str, args: Mapping[str, Any], name: Any, imports: set[str]) -> Call:
    """``keras.layers.TYPE(key=value, ..., name=NAME)`` (``name`` left out when ``None``)."""
    cls = custom_layer(type_name)
    module = layer_module(type_name)
    if cls is not None:
        imports.add(f"from {cls.__module__} import {cls.__name__}")
        func = cls.__name__
    elif module is not None:  # a layer Keras keeps with its applications (LayerScale, …)
        imports.add(f"from {module} import {type_name}")
        func = type_name
    else:
        func = f"keras.layers.{type_name}"
    call = Call(func)
    for key, value in args.items():
        if key != "type":
            call.args.append((f"{key}=", value_expr(key, value, type_name, imports)))
    if name is not None:
        call.args.append(("name=", name if isinstance(name, Raw) else py(name)))
    return call


def expr_piece(tree: Any, name_of: Callable[[Ref], str]) -> Any:
    """An expression as Python over ``keras.ops``: operators and subscripts as written, and
    the same operations as nested calls where a line would be too long."""
    if isinstance(tree, Const):
        return py(tree.value)
    if isinstance(tree, Ref):
        return name_of(tree)
    text = to_python(tree, name_of)
    if isinstance(tree, ListExpr):
        return Alt(text, Seq("[", [(None, expr_piece(i, name_of)) for i in tree.items], "]"))
    if isinstance(tree, Subscript):
        index = ", ".join(_index_py(i) for i in tree.index)
        inner = expr_piece(tree.value, name_of)
        if isinstance(tree.value, ExprCall) and tree.value.symbol is not None:
            inner = _call_form(tree.value, name_of)  # `(a + b)[0]`: the operation as a call
        return Alt(text, Tail(inner, f"[{index}]"))
    return Alt(text, _call_form(tree, name_of))


def _call_form(tree: ExprCall, name_of: Callable[[Ref], str]) -> Call:
    """``keras.ops.FUNC(...)`` of an operation, its arguments pieces again."""
    try:
        operands: Sequence[Any] = bind(tree).operand_items()  # einsum's one by one
    except ValueError:
        operands = ()
    args: list[tuple[str | None, Any]] = []
    for arg in tree.args:
        piece = expr_piece(arg, name_of)
        is_array = isinstance(arg, ListExpr) and array_shape(arg) is not None
        if is_array and any(arg is o for o in operands):  # keras.ops takes no lists as tensors
            dtype = f'"{array_dtype(arg)}"'
            piece = Call("keras.ops.convert_to_tensor", [(None, piece), ("dtype=", dtype)])
        args.append((None, piece))
    args += [(f"{k}=", expr_piece(v, name_of)) for k, v in tree.kwargs]
    return Call(f"keras.ops.{tree.func}", args)


def _index_py(item: Any) -> str:
    if item is Ellipsis:
        return "..."
    if isinstance(item, Slice):
        parts = ["" if v is None else str(v) for v in (item.start, item.stop)]
        return ":".join(parts) + (f":{item.step}" if item.step is not None else "")
    return str(item)


def identifier(name: str, taken: set[str]) -> str:
    """A node name as a fresh Python variable name (lower case, deduplicated)."""
    base = _NOT_IDENT.sub("_", name).strip("_").lower() or "node"
    if base[0].isdigit():
        base = f"n_{base}"
    if keyword.iskeyword(base) or keyword.issoftkeyword(base) or base in _AMBIGUOUS:
        base += "_"
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate
