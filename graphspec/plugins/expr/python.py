"""Expressions written as Python over ``keras.ops``, for generated code."""

from __future__ import annotations

from collections.abc import Callable

from graphspec.plugins.expr.bind import array_dtype, array_shape, bind
from graphspec.plugins.expr.syntax import Call, Expr, ExprSyntaxError, ListExpr, Ref, Writer

__all__ = ["to_python"]


def to_python(expr: Expr, name_of: Callable[[Ref], str], *, module: str = "keras.ops.") -> str:
    """The expression as Python over Keras tensors: ``relu6(x + 3.0)`` becomes
    ``keras.ops.relu6(x + 3.0)`` with each reference written by ``name_of``.

    >>> from graphspec.plugins.expr.syntax import parse
    >>> to_python(parse("relu6(enc:1 + 3.0)[:, 0]"), lambda r: f"v{r.port}")
    'keras.ops.relu6(v1 + 3.0)[:, 0]'
    """
    return _PythonWriter(name_of, module, '"').text(expr)[0]


class _PythonWriter(Writer):
    """A constant array operand becomes a tensor, as ``keras.ops`` needs."""

    def operand(self, expr: Expr, text: str) -> str:
        if not isinstance(expr, ListExpr) or array_shape(expr) is None:
            return text
        return f'{self.module}convert_to_tensor({text}, dtype="{array_dtype(expr)}")'

    def arguments(self, expr: Call, parts: list[str]) -> list[str]:
        try:
            operands = bind(expr).operands
        except ExprSyntaxError:
            return parts
        return [
            self.operand(a, p) if any(a is o for o in operands) else p
            for a, p in zip(expr.args, parts, strict=True)
        ]
