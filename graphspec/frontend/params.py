"""``${...}`` substitution: names and integer/float arithmetic, evaluated on a whitelisted AST.

``shape(NODE)[i]`` reads a size of another node's static output shape. Node shapes are known only
during shape inference, so such a value is *deferred*: substitution returns a :class:`Deferred`
(the written text and the params it sees), expansion resolves its node names into a
:class:`Sized` value (see :func:`close`), and the shapes pass computes it (:func:`compute`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.base import limits as _limits
from graphspec.base.suggest import did_you_mean

__all__ = [
    "SHAPE_FUNCTION",
    "Deferred",
    "ExprError",
    "Sized",
    "close",
    "compute",
    "condition_names",
    "evaluate",
    "evaluate_condition",
    "has_expr",
    "is_deferred",
    "leaves",
    "substitute",
]

SHAPE_FUNCTION: Final = "shape"
"""The one function ``${...}`` may call: ``shape(NODE)``, a node's static output shape."""

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


@dataclass(eq=False)
class Deferred:
    """A value whose ``${...}`` reads node shapes, as substitution left it (node shapes are not
    known yet): the written text, the params it sees, and ``site``, where its node names are
    looked up (the expansion's scope; ``None``: wherever it is used, for a block's default)."""

    text: str
    scope: Mapping[str, Any]
    site: Any = None

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Sized:
    """A value computed from node shapes, its names resolved: ``closed`` is the expression over
    graph node names (``shape('stage1.0.conv')[-1] // 2``), ``nodes`` the nodes it reads.

    >>> Sized("${shape(x)[-1] // 2}", "shape('x')[-1] // 2", ("x",))
    ${shape(x)[-1] // 2}
    """

    written: str
    closed: str
    nodes: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return self.written


class _NeedsShapes(Exception):
    """Raised inside evaluation when a ``${...}`` reads node shapes and none are given."""


ShapeOf = Callable[[str], Any]
"""A node's static output shape by graph name (``enc:1`` for output 1), for :func:`compute`;
raises :class:`ExprError` when it is unknown."""


def is_deferred(value: Any) -> bool:
    """True when ``value`` holds a ``${...}`` computed from node shapes (not yet known).

    >>> is_deferred(substitute(["${shape(x)[1]}", 3], {})), is_deferred("${w}")
    (True, False)
    """
    return any(True for _ in leaves(value))


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Any:
    """``(path, leaf)`` for every :class:`Deferred` or :class:`Sized` inside ``value``."""
    if isinstance(value, Deferred | Sized):
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))


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
    >>> substitute("${shape(x)[-1] * n}", {"n": 2})
    ${shape(x)[-1] * n}
    """
    if isinstance(value, str):
        if "${" not in value:
            return value
        whole = _WHOLE.match(value)
        try:
            if whole:
                return evaluate(whole.group(1), scope)
            return _EXPR.sub(lambda m: str(evaluate(m.group(1), scope)), value)
        except _NeedsShapes:
            return Deferred(value, scope)
    if isinstance(value, list):
        return [substitute(v, scope) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, scope) for k, v in value.items()}
    return value


def evaluate(text: str, scope: Mapping[str, Any], shape_of: ShapeOf | None = None) -> Any:
    """Evaluate one expression body: names from ``scope``, numbers, ``+ - * / // %``, parentheses.

    >>> evaluate("(a + 1) * 2", {"a": 3})
    8
    >>> try:
    ...     evaluate("__import__('os')", {})
    ... except ExprError as err:
    ...     print(err)
    `${__import__('os')}` is not allowed: function calls are not supported, except shape(NODE)
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
    return _eval(tree.body, scope, text, shape_of)


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}


def _condition_tree(text: str) -> ast.expr:
    """The parse tree of a condition: ``${...}`` around it is optional."""
    body = text.strip()
    whole = _WHOLE.match(body)
    if whole:
        body = whole.group(1)
    if len(body) > _limits.MAX_EXPR_LENGTH:
        raise ExprError(
            "E406", f"condition of {len(body)} characters exceeds {_limits.MAX_EXPR_LENGTH}"
        )
    try:
        return ast.parse(body.strip(), mode="eval").body
    except SyntaxError:
        raise ExprError(
            "E406",
            f"`{text}` is not a valid condition",
            "write a comparison such as `params <= 2e6` or `${width * depth <= 512}`",
        ) from None


def condition_names(text: str) -> list[str]:
    """The names a condition reads, in order (raises :class:`ExprError` when it cannot parse).

    >>> condition_names("${width * depth <= 512 and act == 'relu'}")
    ['width', 'depth', 'act']
    """
    tree = _condition_tree(text)
    names = sorted(
        (n for n in ast.walk(tree) if isinstance(n, ast.Name)), key=lambda n: n.col_offset
    )
    return list(dict.fromkeys(n.id for n in names))


def evaluate_condition(text: str, scope: Mapping[str, Any]) -> bool:
    """Evaluate a condition: arithmetic as in ``${...}``, plus comparisons, ``and``, ``or``,
    ``not``, and quoted strings to compare with.

    >>> evaluate_condition("params <= 2e6", {"params": 1_500_000})
    True
    >>> evaluate_condition("${width * 2 > 64 or act != 'relu'}", {"width": 16, "act": "relu"})
    False
    """
    whole = _WHOLE.match(text.strip())
    inner = whole.group(1).strip() if whole else text.strip()  # messages add their own ${...}
    return bool(_eval_condition(_condition_tree(text), scope, inner))


def _eval_condition(node: ast.AST, scope: Mapping[str, Any], text: str) -> Any:
    if isinstance(node, ast.BoolOp):
        values = (_eval_condition(v, scope, text) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return not _eval_condition(node.operand, scope, text)
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        left = _eval_condition(node.left, scope, text)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval_condition(right_node, scope, text)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                raise ExprError(
                    "E406", f"`{text}` compares {left!r} with {right!r}, which do not compare"
                ) from None
            left = right
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bool):
        return node.value
    return _eval(node, scope, text, None)


def _eval(node: ast.AST, scope: Mapping[str, Any], text: str, shape_of: ShapeOf | None) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _bounded(node.value, text)
    if isinstance(node, ast.Call):
        return _shape_call(node, text, shape_of)
    if isinstance(node, ast.Subscript):
        return _size(node, scope, text, shape_of)
    if isinstance(node, ast.Name):
        if node.id not in scope:
            names = ", ".join(sorted(scope)) or "none"
            raise ExprError(
                "E407",
                f"`${{{text}}}` uses `{node.id}`, which is not a param (defined: {names})",
                did_you_mean(node.id, scope)
                or "define it under `params:` or pass `--set NAME=VALUE`",
            )
        value = scope[node.id]
        if isinstance(value, Deferred | Sized):  # a param computed from node shapes
            raise _NeedsShapes
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _number(_eval(node.operand, scope, text, shape_of), text)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _number(_eval(node.left, scope, text, shape_of), text)
        right = _number(_eval(node.right, scope, text, shape_of), text)
        if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and right == 0:
            raise ExprError("E406", f"`${{{text}}}` divides by zero")
        return _bounded(_BINOPS[type(node.op)](left, right), text)
    raise ExprError(
        "E406",
        f"`${{{text}}}` is not allowed: {_describe(node)} are not supported",
        "only params names, numbers, + - * / // %, parentheses and shape(NODE)[i] may appear "
        "in ${...}",
    )


def _shape_call(node: ast.Call, text: str, shape_of: ShapeOf | None) -> tuple[Any, ...]:
    """``shape(NODE)``: the node's static output shape, batch axis first."""
    name = _shape_arg(node, text)
    if shape_of is None:
        raise _NeedsShapes
    return tuple(shape_of(name))


def _shape_arg(node: ast.Call, text: str) -> str:
    """The node ``shape(...)`` names: a bare name, or a quoted one (``'enc:1'``, dotted names)."""
    if not isinstance(node.func, ast.Name) or node.func.id != SHAPE_FUNCTION:
        raise ExprError(
            "E406",
            f"`${{{text}}}` is not allowed: function calls are not supported, except shape(NODE)",
            "only params names, numbers, + - * / // %, parentheses and shape(NODE)[i] may "
            "appear in ${...}",
        )
    if len(node.args) != 1 or node.keywords:
        raise ExprError("E406", f"`${{{text}}}`: shape() takes one node name, e.g. shape(x)")
    arg = node.args[0]
    if isinstance(arg, ast.Name):
        return arg.id
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.strip():
        return arg.value
    raise ExprError(
        "E406",
        f"`${{{text}}}`: shape() takes a node name, e.g. shape(x) or shape('enc:1')",
    )


def _size(
    node: ast.Subscript, scope: Mapping[str, Any], text: str, shape_of: ShapeOf | None
) -> int:
    """``shape(x)[i]``: one size; unknown (``None``, the batch axis) is an error (E420)."""
    if not isinstance(node.value, ast.Call):
        raise ExprError(
            "E406",
            f"`${{{text}}}` is not allowed: only shape(NODE) can be indexed, e.g. shape(x)[-1]",
        )
    name = _shape_arg(node.value, text)
    index = _eval(node.slice, scope, text, shape_of)
    if isinstance(index, bool) or not isinstance(index, int):
        raise ExprError("E406", f"`${{{text}}}`: the index of shape({name}) must be an integer")
    shape = _shape_call(node.value, text, shape_of)
    shown = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    if not -len(shape) <= index < len(shape):
        raise ExprError(
            "E420",
            f"`${{{text}}}`: `{name}` has {len(shape)} axes {shown}; there is no axis {index}",
            f"use an axis from {-len(shape)} to {len(shape) - 1} (axis 0 is the batch)",
        )
    size = shape[index]
    if size is None:
        raise ExprError(
            "E420",
            f"`${{{text}}}`: axis {index} of `{name}` {shown} has no static size"
            + (" (it is the batch axis)" if index % len(shape) == 0 else ""),
            "take a fixed axis (axis 0 is the batch; a `null` input size stays unknown)",
        )
    return int(size)


def close(
    value: Deferred, resolve: Callable[[str, Any], str], site: Any = None
) -> tuple[str, tuple[str, ...]]:
    """A deferred ``${...}`` as one expression over graph node names, and those nodes.

    Params that are themselves deferred are inlined (their node names looked up where they were
    written); ``resolve(name, site)`` gives the graph node a written name refers to (``name:N``
    for output N) or raises :class:`ExprError` (E421).

    >>> inner = Deferred("${shape(x)[-1]}", {}, "top")
    >>> close(Deferred("${w * 2}", {"w": inner}, "block"), lambda n, s: f"{s}.{n}")
    ("shape('top.x')[-1] * 2", ('top.x',))
    """
    nodes: dict[str, None] = {}
    tree = _closed(_parse(_whole(value)), value, value.site or site, resolve, nodes, 0)
    return ast.unparse(tree), tuple(nodes)


def _whole(value: Deferred) -> str:
    """The body of a deferred value that is exactly one ``${...}`` (E406 otherwise)."""
    found = _WHOLE.match(value.text.strip())
    if found is None:
        raise ExprError(
            "E406",
            f"`{value.text}`: a `${{...}}` that reads node shapes must be the whole value",
            'write it alone, e.g. units: "${shape(x)[-1] // 2}"',
        )
    return found.group(1)


def _parse(text: str) -> ast.expr:
    if len(text) > _limits.MAX_EXPR_LENGTH:
        raise ExprError(
            "E406", f"expression of {len(text)} characters exceeds {_limits.MAX_EXPR_LENGTH}"
        )
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise ExprError("E406", f"`${{{text}}}` is not a valid expression") from None


def _closed(
    tree: ast.expr,
    value: Deferred,
    site: Any,
    resolve: Callable[[str, Any], str],
    nodes: dict[str, None],
    depth: int,
) -> ast.expr:
    """``tree`` with params inlined and ``shape(NAME)`` turned into ``shape('graph.name')``."""
    if depth > 32:
        raise ExprError("E406", f"`{value.text}`: params computed from shapes nest too deeply")

    class _Closer(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            name = _shape_arg(node, value.text[2:-1])
            target = resolve(name, site)
            nodes[target.rpartition(":")[0] if _PORTED.match(target) else target] = None
            return ast.Call(ast.Name(SHAPE_FUNCTION, ast.Load()), [ast.Constant(target)], [])

        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id not in value.scope:
                names = ", ".join(sorted(value.scope)) or "none"
                raise ExprError(
                    "E407",
                    f"`{value.text}` uses `{node.id}`, which is not a param (defined: {names})",
                    "define it under `params:` or pass `--set NAME=VALUE`",
                )
            found = value.scope[node.id]
            if isinstance(found, Deferred):
                inner = _parse(_whole(found))
                return _closed(inner, found, found.site or site, resolve, nodes, depth + 1)
            return ast.Constant(found)

    return _Closer().visit(tree)  # type: ignore[no-any-return]  # visit() is untyped; an Expression in, one out


_PORTED: Final = re.compile(r"^.+:\d+$")


def compute(value: Sized, shape_of: ShapeOf) -> Any:
    """The value of a :class:`Sized` ``${...}``, node shapes now known.

    >>> compute(Sized("${shape(x)[-1] // 2}", "shape('x')[-1] // 2", ("x",)), lambda n: (None, 8))
    4
    """
    try:  # the closed text is not limited like written text: params inlined make it longer
        return _eval(ast.parse(value.closed, mode="eval").body, {}, value.closed, shape_of)
    except ExprError as err:  # name the expression as written, not its closed form
        raise ExprError(
            err.code, err.message.replace(f"`${{{value.closed}}}`", f"`{value.written}`"), err.hint
        ) from None


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
