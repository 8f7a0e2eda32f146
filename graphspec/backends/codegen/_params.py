"""``${...}`` as Python: each template an expression over the arguments of the function written.

A function's :class:`Env` maps each param visible where a value was written to the Python
expression that holds it there: an argument (``width``), or, for a block instance written inline,
the expression it was given (``width * 2``) or a constant. Constant parts are folded, so an
inline instance given ``units: 4`` writes ``units=8`` for ``${units * 2}``.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graphspec.backends.codegen._source import Raw, Seq, literal_text, py
from graphspec.frontend.params import ExprError, evaluate

__all__ = ["Env", "names_in", "piece", "source", "template", "value_ast"]

_PART: Final = re.compile(r"\$\{([^{}]*)\}")
_WHOLE: Final = re.compile(r"^\$\{([^{}]*)\}$")


@dataclass
class Env:
    """The params visible in one scope: the block's own (``local``) before the spec's.

    ``shapes`` gives the Python expression of a node's shape (``x.shape``) for ``shape(x)``
    written in this scope, or raises ``KeyError`` when no variable holds that node here;
    ``unknown`` names the params that have no Python expression here (a size read from a
    shape where none can be read): a value using one is written as computed.
    """

    spec: dict[str, ast.expr] = field(default_factory=dict)
    local: dict[str, ast.expr] = field(default_factory=dict)
    shapes: Callable[[str], ast.expr] | None = None
    unknown: set[str] = field(default_factory=set)

    def lookup(self, name: str) -> ast.expr:
        if name in self.unknown:
            raise KeyError(f"`${{{name}}}` has no Python expression here")
        found = self.local.get(name, self.spec.get(name))
        if found is None:
            raise KeyError(f"`${{{name}}}` names no param visible here")
        return copy.deepcopy(found)

    def shape(self, name: str) -> ast.expr:
        """``shape(name)`` as Python: the shape of the variable holding that node."""
        if self.shapes is None:
            raise KeyError(f"`shape({name})` reads no variable here")
        return self.shapes(name)


def names_in(value: Any) -> set[str]:
    """The param names the ``${...}`` inside ``value`` use (lists and mappings searched).

    >>> sorted(names_in(["${a * b}", {"k": "x_${c}"}, 3, "${shape(x)[-1] // d}"]))
    ['a', 'b', 'c', 'd']
    """
    if isinstance(value, str):
        found: set[str] = set()
        for body in _PART.findall(value):
            try:
                tree = ast.parse(body.strip(), mode="eval")
            except SyntaxError:
                continue
            skip = {  # `shape(x)` names a node, not a param
                id(part)
                for call in ast.walk(tree)
                if isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "shape"
                for part in [call.func, *call.args]
            }
            found |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in skip}
        return found
    if isinstance(value, list):
        return set().union(*(names_in(v) for v in value))
    if isinstance(value, Mapping):
        return set().union(*(names_in(v) for v in value.values()))
    return set()


class _Substitute(ast.NodeTransformer):
    def __init__(self, env: Env) -> None:
        self.env = env

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self.env.lookup(node.id)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        """``shape(x)`` (sizes read from shapes) is the shape of the variable holding ``x``."""
        func, args = node.func, node.args
        if isinstance(func, ast.Name) and func.id == "shape" and len(args) == 1:
            arg = args[0]
            if isinstance(arg, ast.Name):
                return self.env.shape(arg.id)
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return self.env.shape(arg.value)  # `shape('enc:1')`
        self.generic_visit(node)
        return node


def _fold(node: ast.expr) -> ast.expr:
    """``node`` as a constant when it uses no name (``4 * 2`` is ``8``), else as it is."""
    if isinstance(node, ast.Constant) or any(isinstance(n, ast.Name) for n in ast.walk(node)):
        return node
    if isinstance(node, ast.List | ast.Dict | ast.JoinedStr):
        return node
    try:
        return ast.Constant(evaluate(ast.unparse(node), {}))
    except ExprError:
        return node


def _body(text: str, env: Env) -> ast.expr:
    tree = ast.parse(text.strip(), mode="eval").body
    return _fold(_Substitute(env).visit(tree))


def value_ast(value: Any, env: Env) -> ast.expr:
    """A spec value (``${...}`` inside or not) as a Python expression tree in ``env``."""
    if isinstance(value, str) and "${" in value:
        whole = _WHOLE.match(value)
        if whole:
            return _body(whole.group(1), env)
        parts: list[ast.expr] = []
        pos = 0
        for match in _PART.finditer(value):
            parts += [ast.Constant(value[pos : match.start()]), _body(match.group(1), env)]
            pos = match.end()
        parts.append(ast.Constant(value[pos:]))
        return _joined(parts)
    if isinstance(value, list):
        return ast.List([value_ast(v, env) for v in value], ast.Load())
    if isinstance(value, Mapping):
        return ast.Dict(
            [ast.Constant(k) for k in value], [value_ast(v, env) for v in value.values()]
        )
    return ast.Constant(value)


def _joined(parts: list[ast.expr]) -> ast.expr:
    """An f-string of ``parts``; a plain string when every part is a constant."""
    values: list[ast.expr] = []
    for part in parts:
        if isinstance(part, ast.Constant):
            text = str(part.value)
            if values and isinstance(values[-1], ast.Constant):
                values[-1] = ast.Constant(str(values[-1].value) + text)
            elif text:
                values.append(ast.Constant(text))
        else:
            values.append(ast.FormattedValue(part, -1, None))
    if all(isinstance(v, ast.Constant) for v in values):
        return ast.Constant("".join(str(v.value) for v in values if isinstance(v, ast.Constant)))
    return ast.JoinedStr(values)


def template(value: Any, env: Env) -> Any:
    """``value`` with every ``${...}`` made Python: constants stay plain data, expressions of
    the function's arguments become :class:`Raw` source (``width * 2``, ``f"conv_{i}"``)."""
    if isinstance(value, list):
        return [template(v, env) for v in value]
    if isinstance(value, Mapping):
        return {k: template(v, env) for k, v in value.items()}
    if not isinstance(value, str) or "${" not in value:
        return value
    tree = value_ast(value, env)
    try:
        return ast.literal_eval(tree)
    except ValueError:
        return Raw(source(tree))


def piece(node: ast.expr) -> Any:
    """An expression tree as a piece of source that splits over lines when long (lists)."""
    if isinstance(node, ast.List):
        return Seq("[", [(None, piece(e)) for e in node.elts], "]")
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return Seq("{", [(f"{_key(k)}: ", piece(v)) for k, v in pairs], "}")
    return Raw(source(node))


def source(node: ast.expr) -> str:
    """Python source of an expression tree, strings in double quotes (as ruff writes them)."""
    if isinstance(node, ast.Constant):
        return py(node.value)
    if isinstance(node, ast.List):
        return "[" + ", ".join(source(e) for e in node.elts) + "]"
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        items = [f"{_key(k)}: {source(v)}" for k, v in pairs]
        return "{" + ", ".join(items) + "}"
    if isinstance(node, ast.JoinedStr):
        return _fstring(node)
    return ast.unparse(node)


def _key(node: ast.expr | None) -> str:
    """A mapping key's source (a spec's mappings have no ``**`` entries)."""
    if node is None:
        raise ValueError("codegen: a mapping written from a spec has no `**` entry")
    return source(node)


def _fstring(node: ast.JoinedStr) -> str:
    out = []
    for value in node.values:
        if isinstance(value, ast.FormattedValue):
            out.append("{" + ast.unparse(value.value) + "}")
        elif isinstance(value, ast.Constant):
            out.append(literal_text(str(value.value)))
    return 'f"' + "".join(out) + '"'
