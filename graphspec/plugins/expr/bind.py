"""Calls of an expression bound to their table entries: arguments matched and constants checked."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from graphspec.base.suggest import did_you_mean
from graphspec.plugins.expr.syntax import (
    Call,
    Const,
    Expr,
    ExprSyntaxError,
    ListExpr,
    Ref,
    to_text,
    walk,
)
from graphspec.plugins.expr.table import (
    DTYPES,
    KINDS,
    OpDef,
    OpFault,
    Param,
    function_names,
    lookup,
)

__all__ = ["Bound", "array_dtype", "array_shape", "bind", "check_tree", "constant"]


@dataclass(frozen=True)
class Bound:
    """A call matched to its entry: tensor operands, the attributes given, and all attributes.

    ``at`` holds where each given argument starts in the text (for errors about one of them);
    the operands of a variadic parameter (``einsum``'s) are one :class:`ListExpr`.
    """

    entry: OpDef
    operands: tuple[Expr, ...]
    given: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    at: dict[str, int] = field(default_factory=dict)

    def operand_items(self) -> list[Expr]:
        """Every tensor operand written, a variadic parameter's one by one."""
        out: list[Expr] = []
        for param, value in zip(self.entry.operands, self.operands, strict=True):
            if param.kind == "tensor*" and isinstance(value, ListExpr):
                out += list(value.items)
            else:
                out.append(value)
        return out


def bind(call: Call) -> Bound:
    """Match a call's arguments to its entry (cached per call); raises ExprSyntaxError."""
    return _bind_cached(call)


@functools.lru_cache(maxsize=8192)
def _bind_cached(call: Call) -> Bound:
    return _bind(call)


def _bind(call: Call) -> Bound:
    """Match a call's arguments to its entry; raises :class:`ExprSyntaxError` (E802/E803).

    >>> from graphspec.plugins.expr.syntax import parse
    >>> b = bind(parse("sum(x, axis=-1, keepdims=True)"))
    >>> b.entry.keras, b.given, b.attrs
    ('sum', {'axis': -1, 'keepdims': True}, {'axis': -1, 'keepdims': True})
    """
    entry = lookup(call.func)
    if entry is None:
        raise ExprSyntaxError(
            f"`{call.func}` is not a function of the expression table",
            call.offset,
            code="E802",
            hint=did_you_mean(call.func, function_names())
            or "the functions are listed in docs/spec-format.md (Tensor expressions)",
        )
    params = entry.params
    values = _positional(entry, call)
    names = [p.name for p in params]
    for key, value in call.kwargs:
        if any(p.name == key and p.kind == "tensor*" for p in params):
            raise ExprSyntaxError(
                f"`{entry.name}`: `{key}` are positional arguments: {entry.signature()}",
                value.offset,
                code="E803",
            )
        if key not in names:
            raise ExprSyntaxError(
                f"`{entry.name}` has no argument `{key}`: {entry.signature()}",
                value.offset,
                code="E803",
                hint=did_you_mean(key, names),
            )
        if key in values:
            raise ExprSyntaxError(
                f"`{entry.name}`: argument `{key}` given twice", value.offset, code="E803"
            )
        values[key] = value
    for param in params:
        if param.required and param.name not in values:
            raise ExprSyntaxError(
                f"`{entry.name}` needs the argument `{param.name}`: {entry.signature()}",
                call.offset,
                code="E803",
            )
    operands = tuple(_operand(entry, p, values[p.name]) for p in entry.operands)
    given = {p.name: constant(entry, p, values[p.name]) for p in entry.attrs if p.name in values}
    attrs = {p.name: given.get(p.name, p.default) for p in entry.attrs}
    at = {name: value.offset for name, value in values.items()}
    if entry.verify is not None:
        count = sum(
            len(o.items) if p.kind == "tensor*" and isinstance(o, ListExpr) else 1
            for p, o in zip(entry.operands, operands, strict=True)
        )
        try:
            entry.verify(dict(attrs), count)
        except OpFault as fault:
            raise ExprSyntaxError(
                f"`{entry.name}`: {fault.message}",
                at.get(fault.at or "", call.offset),
                code="E803",
                hint=fault.hint,
            ) from None
    return Bound(entry, operands, given, attrs, at)


def _positional(entry: OpDef, call: Call) -> dict[str, Expr]:
    """The positional arguments by parameter; a variadic one takes all that remain."""
    params = entry.params
    values: dict[str, Expr] = {}
    for index, param in enumerate(params):
        if param.kind == "tensor*":
            rest = call.args[index:]
            if rest:
                values[param.name] = ListExpr(tuple(rest), rest[0].offset)
            return values
        if index < len(call.args):
            values[param.name] = call.args[index]
    if len(call.args) > len(params):
        raise ExprSyntaxError(
            f"`{entry.name}` takes at most {len(params)} argument(s); found {len(call.args)}: "
            f"{entry.signature()}",
            call.offset,
            code="E803",
        )
    return values


def _operand(entry: OpDef, param: Param, value: Expr) -> Expr:
    if param.kind in ("tensors", "tensor*"):
        if not isinstance(value, ListExpr) or not value.items:
            raise _bad(entry, param, value)
        for item in value.items:
            _operand(entry, Param(param.name, "tensor"), item)
        return value
    if isinstance(value, ListExpr) and param.kind == "tensor" and array_shape(value) is not None:
        return value  # a constant array (`[[0.5, 1.5]]`), as `keras.ops` converts it
    if isinstance(value, ListExpr) or (
        isinstance(value, Const) and (isinstance(value.value, bool | str) or value.value is None)
    ):
        raise _bad(entry, param, value)
    return value


def array_shape(value: Expr) -> tuple[int, ...] | None:
    """The shape of a rectangular nested list of numbers (a constant array), else ``None``.

    >>> from graphspec.plugins.expr.syntax import parse
    >>> array_shape(parse("[[1, 2.5, 3]]")), array_shape(parse("[[1], [2, 3]]"))
    ((1, 3), None)
    """
    if isinstance(value, Const):
        return () if _is_number(value.value) else None
    if not isinstance(value, ListExpr) or not value.items:
        return None
    shapes = {array_shape(item) for item in value.items}
    inner = shapes.pop() if len(shapes) == 1 else None
    return None if inner is None else (len(value.items), *inner)


def array_dtype(value: Expr) -> str:
    """The dtype a constant array is made with: ``float32`` if any number is a float."""
    if isinstance(value, ListExpr):
        return "float32" if any(array_dtype(i) == "float32" for i in value.items) else "int32"
    return "float32" if isinstance(value, Const) and isinstance(value.value, float) else "int32"


def constant(entry: OpDef, param: Param, value: Expr) -> Any:
    """The plain value of a constant argument, checked against its parameter's kind."""
    plain = _plain(value)
    if plain is _NOT_CONSTANT or not _fits(param.kind, plain):
        raise _bad(entry, param, value)
    return plain


_NOT_CONSTANT: Any = object()


def _plain(value: Expr) -> Any:
    if isinstance(value, Const):
        return value.value
    if isinstance(value, ListExpr):
        items = [_plain(i) for i in value.items]
        return _NOT_CONSTANT if any(i is _NOT_CONSTANT for i in items) else items
    return _NOT_CONSTANT


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ints(value: Any) -> bool:
    return isinstance(value, list) and all(_is_int(v) for v in value)


_FITS: dict[str, Any] = {
    "axis": _is_int,
    "axis?": lambda v: v is None or _is_int(v),
    "axes?": lambda v: v is None or _is_int(v) or (_ints(v) and bool(v)),
    "perm?": lambda v: v is None or _ints(v),
    "shape": lambda v: _ints(v) and bool(v),
    "int": _is_int,
    "int?": lambda v: v is None or _is_int(v),
    "ints": lambda v: _is_int(v) or _ints(v),
    "number": _is_number,
    "number?": lambda v: v is None or _is_number(v),
    "bool": lambda v: isinstance(v, bool),
    "dtype": lambda v: v in DTYPES,
    "dtype?": lambda v: v is None or v in DTYPES,
    "subscripts": lambda v: isinstance(v, str) and bool(v.strip()),
}


def _fits(kind: str, value: Any) -> bool:
    return bool(_FITS[kind](value))


def _bad(entry: OpDef, param: Param, value: Expr) -> ExprSyntaxError:
    return ExprSyntaxError(
        f"`{entry.name}`: `{param.name}` must be {KINDS[param.kind]}; found `{to_text(value)}`",
        value.offset,
        code="E803",
        hint=f"{entry.signature()}"
        + (" — keyword arguments are constants" if param.kind != "tensor" else ""),
    )


def check_tree(tree: Expr) -> list[ExprSyntaxError]:
    """Every call of the tree bound (each problem once), a multi-output call only at the top,
    and at least one node named: an expression of constants only is not part of a model.

    A call of constants inside it (``exp(arange(16) * -0.5)``, ``log(1000.0)``) is computed once,
    when the model is built, and enters the model as a constant tensor.
    """
    problems: list[ExprSyntaxError] = []
    if not _has_reference(tree):
        problems.append(
            ExprSyntaxError(
                "the expression names no node: its value would be a constant, computed once "
                "when the model is built, not a tensor of the model",
                0,
                code="E806",
                hint="write the constant inside the expression that uses it (e.g. "
                "`x + arange(16)`), or make a learned tensor with `weight: {shape: [...]}`",
            )
        )
    for item in walk(tree):
        if not isinstance(item, Call):
            continue
        try:
            bound = bind(item)
        except ExprSyntaxError as err:
            problems.append(err)
            continue
        if bound.entry.multi and item is not tree:
            problems.append(
                ExprSyntaxError(
                    f"`{item.func}` returns several tensors: it must be the whole expression",
                    item.offset,
                    code="E805",
                    hint="make it its own node and take one part with `node:N`",
                )
            )
    return problems


def _has_reference(expr: Expr) -> bool:
    return any(isinstance(item, Ref) for item in walk(expr))
