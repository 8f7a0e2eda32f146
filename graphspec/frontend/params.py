"""``${...}`` substitution: names and integer/float arithmetic, evaluated on a whitelisted AST."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from typing import Any

from graphspec.base import limits as _limits
from graphspec.base.suggest import did_you_mean

__all__ = ["ExprError", "evaluate", "has_expr", "substitute"]

_EXPR = re.compile(r"\$\{([^{}]*)\}")
_WHOLE = re.compile(r"^\$\{([^{}]*)\}$")
_BINOPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}


class ExprError(ValueError):
    """A ``${...}`` expression is not allowed, names something undefined, or fails to compute.

    ``code`` is the diagnostic code (E406 bad expression, E407 undefined name), ``hint`` may help.
    """

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def has_expr(value: Any) -> bool:
    """True when ``value`` is a string holding ``${...}``.

    >>> has_expr("${width * 2}"), has_expr("relu"), has_expr(3)
    (True, False, False)
    """
    return isinstance(value, str) and "${" in value


def substitute(value: Any, scope: Mapping[str, Any]) -> Any:
    """Replace every ``${...}`` in ``value`` (recursing into lists and dicts).

    A string that is exactly one ``${...}`` takes the value's own type; otherwise the results are
    formatted into the string.

    >>> substitute("${width * 2}", {"width": 32})
    64
    >>> substitute("conv_${i}", {"i": 3})
    'conv_3'
    >>> substitute([1, "${n // 2}"], {"n": 7})
    [1, 3]
    """
    if isinstance(value, str):
        if "${" not in value:
            return value
        whole = _WHOLE.match(value)
        if whole:
            return evaluate(whole.group(1), scope)
        return _EXPR.sub(lambda m: str(evaluate(m.group(1), scope)), value)
    if isinstance(value, list):
        return [substitute(v, scope) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, scope) for k, v in value.items()}
    return value


def evaluate(text: str, scope: Mapping[str, Any]) -> Any:
    """Evaluate one expression body: names from ``scope``, numbers, ``+ - * / // %``, parentheses.

    >>> evaluate("(a + 1) * 2", {"a": 3})
    8
    >>> try:
    ...     evaluate("__import__('os')", {})
    ... except ExprError as err:
    ...     print(err)
    `${__import__('os')}` is not allowed: function calls are not supported
    """
    if len(text) > _limits.MAX_EXPR_LENGTH:
        raise ExprError(
            "E406", f"expression of {len(text)} characters exceeds {_limits.MAX_EXPR_LENGTH}"
        )
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ExprError(
            "E406",
            f"`${{{text}}}` is not a valid expression",
            "write a params name or arithmetic such as `${width * 2}`",
        ) from None
    return _eval(tree.body, scope, text)


def _eval(node: ast.AST, scope: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _bounded(node.value, text)
    if isinstance(node, ast.Name):
        if node.id not in scope:
            names = ", ".join(sorted(scope)) or "none"
            raise ExprError(
                "E407",
                f"`${{{text}}}` uses `{node.id}`, which is not a param (defined: {names})",
                did_you_mean(node.id, scope)
                or "define it under `params:` or pass `--set NAME=VALUE`",
            )
        return scope[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _number(_eval(node.operand, scope, text), text)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _number(_eval(node.left, scope, text), text)
        right = _number(_eval(node.right, scope, text), text)
        if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and right == 0:
            raise ExprError("E406", f"`${{{text}}}` divides by zero")
        return _bounded(_BINOPS[type(node.op)](left, right), text)
    raise ExprError(
        "E406",
        f"`${{{text}}}` is not allowed: {_describe(node)} are not supported",
        "only params names, numbers, + - * / // % and parentheses may appear in ${...}",
    )


def _number(value: Any, text: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExprError(
            "E406", f"`${{{text}}}` does arithmetic on {value!r}, which is not a number"
        )
    return value


def _bounded(value: Any, text: str) -> Any:
    if isinstance(value, int | float) and abs(value) > _limits.MAX_INT_MAGNITUDE:
        raise ExprError(
            "E406",
            f"`${{{text}}}` gives {value:.3g}, beyond the limit of {_limits.MAX_INT_MAGNITUDE:.0e}",
        )
    return value


def _describe(node: ast.AST) -> str:
    kinds = {
        ast.Call: "function calls",
        ast.Attribute: "attribute access",
        ast.Subscript: "subscripts",
        ast.Lambda: "lambdas",
        ast.Constant: "string and other non-number constants",
        ast.BinOp: "operators other than + - * / // %",
        ast.BoolOp: "boolean operators",
        ast.Compare: "comparisons",
    }
    for kind, text in kinds.items():
        if isinstance(node, kind):
            return text
    return f"{type(node).__name__} expressions"
