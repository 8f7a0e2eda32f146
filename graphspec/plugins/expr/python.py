"""Expressions written as Python over ``keras.ops``, for generated code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from graphspec.plugins.expr.bind import array_dtype, array_shape, bind
from graphspec.plugins.expr.syntax import (
    Call,
    Expr,
    ExprSyntaxError,
    ListExpr,
    Ref,
    Writer,
    walk,
)

__all__ = ["to_python"]


def to_python(expr: Expr, name_of: Callable[[Ref], str], *, module: str = "keras.ops.") -> str:
    """The expression as Python over Keras tensors: ``relu6(x + 3.0)`` becomes
    ``keras.ops.relu6(x + 3.0)`` with each reference written by ``name_of``.

    >>> from graphspec.plugins.expr.syntax import parse
    >>> to_python(parse("relu6(enc:1 + 3.0)[:, 0]"), lambda r: f"v{r.port}")
    'keras.ops.relu6(v1 + 3.0)[:, 0]'
    >>> to_python(parse("(a == b) != c"), lambda r: r.name)
    'keras.ops.not_equal(keras.ops.equal(a, b), c)'
    >>> to_python(parse("x * exp(arange(4) * -0.5)"), lambda r: r.name)
    'x * keras.ops.exp(keras.ops.multiply(keras.ops.arange(4), -0.5))'
    """
    return _PythonWriter(name_of, module, '"').text(expr)[0]


_CALLED: Final = frozenset({"==", "!="})
"""Operators a Keras tensor does not overload (Python would compare the objects): written as
the call they stand for."""


class _PythonWriter(Writer):
    """A constant array operand becomes a tensor, as ``keras.ops`` needs; ``a == b`` becomes
    ``keras.ops.equal(a, b)``, and so does an operator on constants only (``arange(4) * -0.5``:
    the backend's own tensors, which Python operators would combine by the backend's rules,
    not Keras's)."""

    def text(self, expr: Expr) -> tuple[str, int]:
        if not isinstance(expr, Call) or expr.symbol is None:
            return super().text(expr)
        if expr.symbol in _CALLED or not any(isinstance(e, Ref) for e in walk(expr)):
            return super().text(Call(expr.func, expr.args, expr.kwargs, expr.offset, expr.end))
        return super().text(expr)

    def operand(self, expr: Expr, text: str) -> str:
        if not isinstance(expr, ListExpr) or array_shape(expr) is None:
            return text
        return f'{self.module}convert_to_tensor({text}, dtype="{array_dtype(expr)}")'

    def arguments(self, expr: Call, parts: list[str]) -> list[str]:
        try:
            operands = bind(expr).operand_items()
        except ExprSyntaxError:
            return parts
        return [
            self.operand(a, p) if any(a is o for o in operands) else p
            for a, p in zip(expr.args, parts, strict=True)
        ]
