"""The pieces of generated Python: calls, sequences and literals, formatted the way ruff formats."""

from __future__ import annotations

import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.base.catalog import NESTED_LAYER_ARGS, TUPLE_ARGS, layer_module, object_kind
from graphspec.base.custom_layers import custom_layer
from graphspec.plugins.expr.bind import array_dtype, array_shape, bind
from graphspec.plugins.expr.python import to_python
from graphspec.plugins.expr.syntax import Const, ListExpr, Ref, Slice, Subscript
from graphspec.plugins.weight import KERAS_CLASS, OBJECT_KINDS

__all__ = [
    "INDENT",
    "WIDTH",
    "Call",
    "Raw",
    "Seq",
    "call_value",
    "expr_lines",
    "flat",
    "identifier",
    "layer_expr",
    "lines_of",
    "plain",
    "py",
    "unpacking",
    "value_expr",
    "weight_expr",
]

WIDTH: Final = 88
"""Lines longer than this are split (ruff's default width, so the file is stable under ruff)."""
INDENT: Final = "    "
_NOT_IDENT: Final = re.compile(r"\W+")


@dataclass
class Raw:
    """Python source written as it is (a variable, an f-string, an expression over params)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Call:
    """``func(arg, key=value, ...)``; arguments are source text or nested expressions."""

    func: str
    args: list[tuple[str | None, Any]] = field(default_factory=list)


@dataclass
class Seq:
    """A list (``[...]``) or a tuple (``(...)``) or a dict (``{...}``) of expressions."""

    open: str
    items: Sequence[tuple[str | None, Any]]
    close: str


def unpacking(names: list[str], groups: list[int]) -> str:
    """Assignment targets for a layer's outputs: ``out, h, c`` or ``out, (h, c), h2``."""
    parts = [names[0]]
    index = 1
    for size in groups:
        chunk = names[index : index + size]
        parts.append(chunk[0] if size == 1 else f"({', '.join(chunk)})")
        index += size
    return ", ".join(parts)


def flat(expr: Any) -> str:
    if isinstance(expr, Call):
        return f"{expr.func}({', '.join(_flat_arg(k, v) for k, v in expr.args)})"
    if isinstance(expr, Seq):
        inner = ", ".join(_flat_arg(k, v) for k, v in expr.items)
        if expr.open == "(" and len(expr.items) == 1:
            inner += ","
        return f"{expr.open}{inner}{expr.close}"
    return str(expr)


def _flat_arg(key: str | None, value: Any) -> str:
    return flat(value) if key is None else f"{key}{flat(value)}"


def lines_of(expr: Any, indent: str, lead: str = "", tail: str = "") -> list[str]:
    """``expr`` on one line when it fits, else exploded one argument per line (magic comma)."""
    one = f"{indent}{lead}{flat(expr)}{tail}"
    if len(one) <= WIDTH or not isinstance(expr, Call | Seq) or not _items(expr):
        return [one]
    if isinstance(expr, Call):
        head, close = f"{expr.func}(", ")"
    else:
        head, close = expr.open, expr.close
    out = [f"{indent}{lead}{head}"]
    for key, value in _items(expr):
        out += lines_of(value, indent + INDENT, key or "", ",")
    out.append(f"{indent}{close}{tail}")
    return out


def _items(expr: Call | Seq) -> Sequence[tuple[str | None, Any]]:
    return expr.args if isinstance(expr, Call) else expr.items


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


def value_expr(key: str, value: Any, owner_type: str, imports: set[str]) -> Any:
    """A spec argument as an expression: nested layers and named objects made."""
    if key in NESTED_LAYER_ARGS.get(owner_type, ()) and isinstance(value, Mapping):
        return layer_expr(str(value.get("type")), value, None, imports)
    if key in NESTED_LAYER_ARGS.get(owner_type, ()) and isinstance(value, list):
        items = [(None, layer_expr(str(v.get("type")), v, None, imports)) for v in value]
        return Seq("[", items, "]")
    kind = object_kind(key)
    if kind is not None and isinstance(value, Mapping):
        return object_expr(kind, value)
    return plain(key, value)


def object_expr(kind: str, value: Mapping[str, Any]) -> Any:
    """``{type: RandomNormal, stddev: 0.02}`` as ``keras.initializers.RandomNormal(stddev=0.02)``."""
    name = str(value.get("type"))
    if kind == "activations":
        return py(name)
    rest: list[tuple[str | None, Any]] = [
        (f"{k}=", plain(k, v)) for k, v in value.items() if k != "type"
    ]
    return Call(f"keras.{kind}.{name}", rest)


def weight_expr(settings: Mapping[str, Any], name: str) -> Call:
    """A learned tensor's layer: ``LearnedTensor(shape=(1, 1, 64), initializer="zeros", …)``."""
    call = Call(KERAS_CLASS)
    for key, value in settings.items():
        kind = OBJECT_KINDS.get(key)
        if kind is not None and isinstance(value, Mapping):
            call.args.append((f"{key}=", object_expr(kind, value)))
        else:
            call.args.append((f"{key}=", plain(key, value)))
    call.args.append(("name=", py(name)))
    return call


def plain(key: str, value: Any) -> Any:
    if isinstance(value, list):
        items = [(None, plain(key, v)) for v in value]
        return Seq("(", items, ")") if key in TUPLE_ARGS else Seq("[", items, "]")
    if isinstance(value, Mapping):
        return Seq("{", [(f"{py(str(k))}: ", plain("", v)) for k, v in value.items()], "}")
    return py(value)


def layer_expr(
    type_name: str, args: Mapping[str, Any], name: str | None, imports: set[str]
) -> Call:
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
        call.args.append(("name=", py(name)))
    return call


def expr_lines(tree: Any, refs: Mapping[str, str], var: str) -> list[str]:
    """``var = <expression>``: Python operators when it fits one line, else nested calls."""

    def name_of(ref: Ref) -> str:
        return refs[f"{ref.name}:{ref.port}" if ref.port else ref.name]

    line = f"{INDENT}{var} = {to_python(tree, name_of)}"
    if len(line) <= WIDTH:
        return [line]
    return lines_of(_expr_call(tree, name_of), INDENT, f"{var} = ")


def _expr_call(expr: Any, name_of: Any, operand: bool = False) -> Any:
    """An expression as nested ``keras.ops`` calls (exploded over lines like ruff does)."""
    if isinstance(expr, Const):
        return py(expr.value)
    if isinstance(expr, Ref):
        return name_of(expr)
    if isinstance(expr, ListExpr):
        items = Seq("[", [(None, _expr_call(i, name_of)) for i in expr.items], "]")
        if not operand or array_shape(expr) is None:
            return items
        dtype = f'"{array_dtype(expr)}"'
        return Call("keras.ops.convert_to_tensor", [(None, items), ("dtype=", dtype)])
    if isinstance(expr, Subscript):
        key = [(None, _index_py(i)) for i in expr.index]
        index = key[0][1] if len(key) == 1 else Seq("(", key, ")")
        return Call("keras.ops.get_item", [(None, _expr_call(expr.value, name_of)), (None, index)])
    operands = bind(expr).operand_items()
    args: list[tuple[str | None, Any]] = [
        (None, _expr_call(a, name_of, any(a is o for o in operands))) for a in expr.args
    ]
    args += [(f"{k}=", _expr_call(v, name_of)) for k, v in expr.kwargs]
    return Call(f"keras.ops.{expr.func}", args)


def _index_py(item: Any) -> str:
    if item is Ellipsis:
        return "Ellipsis"
    if isinstance(item, Slice):
        return f"slice({item.start}, {item.stop}, {item.step})"
    return str(item)


def identifier(name: str, taken: set[str]) -> str:
    """A node name as a fresh Python variable name (lower case, deduplicated)."""
    base = _NOT_IDENT.sub("_", name).strip("_").lower() or "node"
    if base[0].isdigit():
        base = f"n_{base}"
    if keyword.iskeyword(base) or keyword.issoftkeyword(base):
        base += "_"
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate


def call_value(value: Any) -> str:
    """A call argument as Python: variable names as they are, lists of them, constants."""
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return value if isinstance(value, str) else py(value)
