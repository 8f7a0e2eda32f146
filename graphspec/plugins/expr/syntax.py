"""The expression grammar: a whitelist tokenizer and parser into a small tree (never ``eval``).

::

    expr    := compare
    compare := sum [("<" | "<=" | ">" | ">=" | "==" | "!=") sum]
    sum     := term (("+" | "-") term)*
    term    := unary (("*" | "/" | "//" | "%" | "@") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom ["**" unary]
    atom    := NUMBER | STRING | True | False | None | NAME ["(" args ")"] | REF
             | "(" expr ")" | "[" [expr ("," expr)*] "]" | atom "[" index "]"
    REF     := NAME [":" DIGITS] | "`" any name "`" [":" DIGITS]
    index   := item ("," item)*   with item := INT | [INT] ":" [INT] [":" [INT]] | "..."

Names are node references (``enc:1`` is output 1 of ``enc``); a name followed by ``(`` is a
function of the fixed table in :mod:`graphspec.plugins.expr.table`. There is no attribute access, no
lambda, no comprehension, no string formatting: anything else is a located :class:`ExprSyntaxError`.

>>> tree = parse("relu6(x + 3.0) / 6.0")
>>> tree.func, to_text(tree)
('true_divide', 'relu6(x + 3.0) / 6.0')
>>> [r.text for r in references(parse("sqrt(maximum(sum(square(a - b), axis=-1), 1e-7))"))]
['a', 'b']
"""

from __future__ import annotations

import functools
import keyword
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Final, TypeGuard

__all__ = [
    "MAX_EXPR_DEPTH",
    "MAX_EXPR_TERMS",
    "MAX_EXPR_TEXT",
    "Call",
    "Const",
    "Expr",
    "ExprSyntaxError",
    "Index",
    "ListExpr",
    "Ref",
    "Slice",
    "Subscript",
    "Writer",
    "is_bare_name",
    "parse",
    "ref_text",
    "references",
    "to_text",
    "walk",
]

MAX_EXPR_TEXT: Final = 4096
"""Longest expression text accepted."""
MAX_EXPR_DEPTH: Final = 32
"""Deepest nesting of calls, operators and brackets accepted."""
MAX_EXPR_TERMS: Final = 512
"""Most names, constants and operations one expression may hold."""
MAX_CONSTANT: Final = 1e38
"""Largest magnitude of a numeric constant (float32 holds about 3.4e38)."""

BINARY: Final = {
    "+": "add",
    "-": "subtract",
    "*": "multiply",
    "/": "true_divide",
    "//": "floor_divide",
    "%": "mod",
    "@": "matmul",
    "**": "power",
    "<": "less",
    "<=": "less_equal",
    ">": "greater",
    ">=": "greater_equal",
    "==": "equal",
    "!=": "not_equal",
}
"""Infix operators and the table function each one calls (as Keras tensors do)."""
SYMBOL: Final = {func: op for op, func in BINARY.items()}
_PRECEDENCE: Final = {
    **dict.fromkeys(("<", "<=", ">", ">=", "==", "!="), 1),
    "+": 2,
    "-": 2,
    **dict.fromkeys(("*", "/", "//", "%", "@"), 3),
    "neg": 4,
    "**": 5,
}
_ATOM: Final = 6

_TOKEN: Final = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?::\d+)?)
  | (?P<quoted>`[^`]*`(?::\d+)?)
  | (?P<string>'[A-Za-z0-9_,.> -]*'|"[A-Za-z0-9_,.> -]*")
  | (?P<op>\*\*|//|<=|>=|==|!=|\.\.\.|[-+*/%@<>(),\[\]=:])
  | (?P<bad>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_KEYWORDS: Final = {"True": True, "False": False, "None": None}
_PYTHON_WORDS: Final = (frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)) - set(_KEYWORDS)
_BARE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PORT: Final = re.compile(r"^(.*):(\d+)$")
_WHY_BAD: Final = {
    ".": "attribute access is not part of expressions (write a node name, or quote a name "
    "containing dots in backticks: `block.node`)",
    "'": "strings are only dtype names such as 'float16' and einsum subscripts such as "
    "'bij,bjk->bik'",
    '"': "strings are only dtype names such as 'float16' and einsum subscripts such as "
    "'bij,bjk->bik'",
    "{": "dicts are not part of expressions",
    "}": "dicts are not part of expressions",
    "!": "use `!=` to compare, or logical_not(x)",
    "&": "use logical_and(a, b)",
    "|": "use logical_or(a, b)",
    "~": "use logical_not(x)",
    "^": "use power(a, b) or `a ** b`",
    ";": "an expression is one expression",
    "\\": "escapes are not part of expressions",
    "#": "comments are not part of expressions",
}


class ExprSyntaxError(ValueError):
    """An expression outside the grammar; ``offset`` is where in its text (0-based)."""

    def __init__(self, message: str, offset: int, *, code: str = "E801", hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.code = code
        self.hint = hint


@dataclass(frozen=True, eq=False)
class Const:
    """A constant: a number, a bool, ``None`` or a dtype string.

    Equal only to a constant of the same type: ``1``, ``1.0`` and ``True`` stay apart.
    """

    value: float | int | bool | str | None
    offset: int = 0

    def _key(self) -> tuple[object, ...]:
        return (type(self.value), self.value, self.offset)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Const) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())


@dataclass(frozen=True)
class Ref:
    """A node reference: ``name`` (``text`` as written), output ``port``."""

    name: str
    port: int = 0
    offset: int = 0
    text: str = ""


@dataclass(frozen=True)
class ListExpr:
    """``[a, b, ...]``: a list of tensors (``concatenate``) or of constants (axes, shapes)."""

    items: tuple[Expr, ...]
    offset: int = 0


@dataclass(frozen=True)
class Call:
    """A call of a table function (operators are calls too: ``a + b`` is ``add(a, b)``)."""

    func: str
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[str, Expr], ...] = ()
    offset: int = 0
    end: int = 0
    symbol: str | None = None
    """The operator written (``+``, unary ``-`` …), or ``None`` for a function call."""


@dataclass(frozen=True)
class Slice:
    """``start:stop:step`` inside a subscript (``None`` for an omitted part)."""

    start: int | None = None
    stop: int | None = None
    step: int | None = None


Index = int | Slice | EllipsisType


@dataclass(frozen=True)
class Subscript:
    """``value[i, a:b, ...]`` with constant integers, slices and ``...`` only."""

    value: Expr
    index: tuple[Index, ...] = field(default_factory=tuple)
    offset: int = 0
    end: int = 0


Expr = Const | Ref | ListExpr | Call | Subscript
"""A node of the expression tree."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    offset: int


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "bad"
        value = match.group()
        if kind == "space":
            continue
        if kind == "name" and value.startswith("__"):
            raise ExprSyntaxError(
                f"`{value}`: dunder names are not allowed", match.start(), code="E802"
            )
        if kind == "name" and value in _PYTHON_WORDS:
            raise ExprSyntaxError(
                f"`{value}`: Python keywords are not part of expressions",
                match.start(),
                hint="an expression is arithmetic and calls of the table's functions; "
                "quote a node of that name in backticks",
            )
        if kind == "bad":
            why = _WHY_BAD.get(value, "it is not part of the expression grammar")
            raise ExprSyntaxError(f"unexpected `{value}`: {why}", match.start())
        out.append(_Token(kind, value, match.start()))
    out.append(_Token("end", "", len(text)))
    return out


def parse(text: object) -> Expr:
    """Parse expression ``text`` (cached: the same text in repeated blocks is parsed once).

    Anything but a non-blank string is refused like an empty expression.
    """
    if not isinstance(text, str):
        return _parse(text)
    return _parse_cached(text)


@functools.lru_cache(maxsize=4096)
def _parse_cached(text: str) -> Expr:
    return _parse(text)


def _parse(text: object) -> Expr:
    """Parse expression ``text``; raises :class:`ExprSyntaxError` (with its offset) when invalid.

    >>> to_text(parse("-x ** 2 + `a.b`:1"))
    '-x ** 2 + `a.b`:1'
    >>> parse("x.__class__")
    Traceback (most recent call last):
    ...
    graphspec.plugins.expr.syntax.ExprSyntaxError: unexpected `.`: attribute access is not part of expressions (write a node name, or quote a name containing dots in backticks: `block.node`)
    """
    if not isinstance(text, str) or not text.strip():
        raise ExprSyntaxError(
            "the expression is empty", 0, hint='write e.g. "relu6(x + 3.0) / 6.0"'
        )
    if len(text) > MAX_EXPR_TEXT:
        raise ExprSyntaxError(
            f"the expression is {len(text):,} characters long (limit {MAX_EXPR_TEXT:,})",
            0,
            code="E804",
            hint="split it over several expression nodes",
        )
    parser = _Parser(_tokens(text))
    tree = parser.expression(0)
    token = parser.peek()
    if token.kind != "end":
        raise ExprSyntaxError(f"unexpected `{token.text}` after the expression", token.offset)
    return tree


class _Parser:
    """Precedence climbing over the token list, depth- and size-bounded."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def ahead(self) -> _Token:
        """The token after the next one (the end token when there is none)."""
        return self.tokens[min(self.pos + 1, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str, what: str) -> _Token:
        token = self.take()
        if token.text != text or token.kind != "op":
            found = f"`{token.text}`" if token.kind != "end" else "the end"
            raise ExprSyntaxError(f"expected `{text}` {what}; found {found}", token.offset)
        return token

    def count(self, offset: int) -> None:
        self.terms += 1
        if self.terms > MAX_EXPR_TERMS:
            raise ExprSyntaxError(
                f"the expression has more than {MAX_EXPR_TERMS} terms",
                offset,
                code="E804",
                hint="split it over several expression nodes",
            )

    def expression(self, depth: int, floor: int = 1) -> Expr:
        """Operators binding at least as tightly as ``floor``."""
        if depth > MAX_EXPR_DEPTH:
            raise ExprSyntaxError(
                f"the expression nests deeper than {MAX_EXPR_DEPTH} levels",
                self.peek().offset,
                code="E804",
                hint="split it over several expression nodes",
            )
        left = self.unary(depth)
        while True:
            token = self.peek()
            prec = _PRECEDENCE.get(token.text) if token.kind == "op" else None
            if prec is None or prec < floor or token.text == "**":
                return left
            self.take()
            self.count(token.offset)
            right = self.expression(depth + 1, prec + 1)
            if prec == 1 and self.peek().text in BINARY and _PRECEDENCE[self.peek().text] == 1:
                raise ExprSyntaxError(
                    "chained comparisons are not supported",
                    self.peek().offset,
                    hint="combine two comparisons with logical_and(a < b, b < c)",
                )
            left = _binary(token, left, right)

    def unary(self, depth: int) -> Expr:
        token = self.peek()
        if token.kind == "op" and token.text in ("-", "+"):
            self.take()
            self.count(token.offset)
            operand = self.unary(depth + 1)
            if token.text == "+":
                return operand
            if isinstance(operand, Const) and _is_number(operand.value):
                return Const(-operand.value, token.offset)
            return Call("negative", (operand,), offset=token.offset, end=_end(operand), symbol="-")
        base = self.postfix(depth)
        if self.peek().text == "**" and self.peek().kind == "op":
            return self.expression_power(base, depth)
        return base

    def expression_power(self, base: Expr, depth: int) -> Expr:
        token = self.take()
        self.count(token.offset)
        return _binary(token, base, self.unary(depth + 1))

    def postfix(self, depth: int) -> Expr:
        value = self.atom(depth)
        while self.peek().text == "[" and self.peek().kind == "op":
            open_ = self.take()
            index = self.index()
            close = self.expect("]", "to close the subscript")
            self.count(open_.offset)
            value = Subscript(value, index, offset=_start(value), end=close.offset + 1)
        if self.peek().text == "(" and self.peek().kind == "op" and not isinstance(value, Ref):
            raise ExprSyntaxError(
                "only the functions of the table can be called", self.peek().offset
            )
        return value

    def index(self) -> tuple[Index, ...]:
        items: list[Index] = []
        while True:
            token = self.peek()
            if token.text == "...":
                self.take()
                items.append(Ellipsis)
            else:
                start = self.int_or_none()
                if self.peek().text == ":":
                    self.take()
                    stop = self.int_or_none()
                    step = None
                    if self.peek().text == ":":
                        self.take()
                        step = self.int_or_none()
                    items.append(Slice(start, stop, step))
                elif start is None:
                    raise ExprSyntaxError(
                        "a subscript holds integers, slices `a:b` and `...` only",
                        self.peek().offset,
                        hint="e.g. x[:, 0] or x[..., 1:3]",
                    )
                else:
                    items.append(start)
            if self.peek().text != ",":
                return tuple(items)
            self.take()

    def int_or_none(self) -> int | None:
        token = self.peek()
        sign = 1
        if token.text == "-" and self.ahead().kind == "number":
            self.take()
            token, sign = self.peek(), -1
        if token.kind != "number":
            if sign < 0:
                raise ExprSyntaxError("expected an integer after `-`", token.offset)
            return None
        value = _number(token)
        if not isinstance(value, int):
            raise ExprSyntaxError(f"subscripts take integers; found `{token.text}`", token.offset)
        self.take()
        return sign * value

    def atom(self, depth: int) -> Expr:
        token = self.take()
        self.count(token.offset)
        if token.kind == "number":
            return Const(_number(token), token.offset)
        if token.kind == "string":
            return Const(token.text[1:-1], token.offset)
        if token.kind == "quoted":
            return _ref(token, token.text)
        if token.kind == "name":
            if token.text in _KEYWORDS:
                return Const(_KEYWORDS[token.text], token.offset)
            if token.text.startswith("__"):
                raise ExprSyntaxError(
                    f"`{token.text}`: dunder names are not allowed",
                    token.offset,
                    code="E802",
                )
            if self.peek().text == "(" and self.peek().kind == "op":
                return self.call(token, depth)
            return _ref(token, token.text)
        if token.text == "(":
            inner = self.expression(depth + 1)
            self.expect(")", "to close `(`")
            return inner
        if token.text == "[":
            items: list[Expr] = []
            while self.peek().text != "]":
                items.append(self.expression(depth + 1))
                if self.peek().text != ",":
                    break
                self.take()
            self.expect("]", "to close `[`")
            return ListExpr(tuple(items), token.offset)
        found = f"`{token.text}`" if token.kind != "end" else "the end of the expression"
        raise ExprSyntaxError(f"expected a name, a number or `(`; found {found}", token.offset)

    def call(self, name: _Token, depth: int) -> Call:
        if ":" in name.text:
            raise ExprSyntaxError(f"`{name.text}` cannot be called", name.offset)
        self.take()  # (
        args: list[Expr] = []
        kwargs: list[tuple[str, Expr]] = []
        while self.peek().text != ")" or self.peek().kind != "op":
            token = self.peek()
            follows = self.ahead()
            if token.kind == "name" and follows.text == "=" and follows.kind == "op":
                self.take()
                self.take()
                if any(key == token.text for key, _ in kwargs):
                    raise ExprSyntaxError(f"keyword `{token.text}` given twice", token.offset)
                kwargs.append((token.text, self.expression(depth + 1)))
            elif kwargs:
                raise ExprSyntaxError("positional argument after a keyword argument", token.offset)
            else:
                args.append(self.expression(depth + 1))
            if self.peek().text != ",":
                break
            self.take()
        close = self.expect(")", f"to close the call of `{name.text}`")
        return Call(name.text, tuple(args), tuple(kwargs), offset=name.offset, end=close.offset + 1)


_FOLD: Final[dict[str, Callable[[float, float], float]]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
}
_MAX_EXPONENT: Final = 1024


def _binary(token: _Token, left: Expr, right: Expr) -> Expr:
    """``left OP right``; folded to a constant when both sides are numbers (as Python would)."""
    if token.text in ("/", "//", "%") and isinstance(right, Const) and right.value == 0:
        raise ExprSyntaxError(
            f"`{token.text}` by the constant 0",
            right.offset,
            code="E804",
            hint="divide by a nonzero constant",
        )
    if isinstance(left, Const) and isinstance(right, Const) and token.text in (*_FOLD, "**"):
        a, b = left.value, right.value
        if _is_number(a) and _is_number(b):
            return Const(_fold(token, a, b), left.offset)
    return Call(
        BINARY[token.text], (left, right), offset=_start(left), end=_end(right), symbol=token.text
    )


def _fold(token: _Token, a: float, b: float) -> int | float:
    """One arithmetic step on two constants, bounded: never a huge or non-finite number."""
    value: float | complex  # a float to a float power may be complex: refused below
    try:
        if token.text == "**":
            if abs(b) > _MAX_EXPONENT or (a == 0 and b < 0):
                raise OverflowError
            value = a**b
        else:
            value = _FOLD[token.text](a, b)
    except ZeroDivisionError:
        raise ExprSyntaxError("division of constants by zero", token.offset, code="E804") from None
    except OverflowError:
        value = math.inf
    if isinstance(value, complex) or abs(value) > MAX_CONSTANT or not math.isfinite(value):
        raise ExprSyntaxError(
            f"`{token.text}` of the constants {a!r} and {b!r} is out of range "
            f"(limit ±{MAX_CONSTANT:g})",
            token.offset,
            code="E804",
        )
    return value


def _number(token: _Token) -> int | float:
    text = token.text
    if re.fullmatch(r"\d+", text):
        value: int | float = int(text)
        if value > MAX_CONSTANT:
            raise ExprSyntaxError(
                f"the constant {text[:20]}… is too large", token.offset, code="E804"
            )
        return value
    value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
        raise ExprSyntaxError(
            f"the constant `{text[:40]}` is out of range (limit ±{MAX_CONSTANT:g})",
            token.offset,
            code="E804",
        )
    return value


def _ref(token: _Token, text: str) -> Ref:
    body, port = text, 0
    match = _PORT.match(text)
    if match is not None and (not text.startswith("`") or match.group(1).endswith("`")):
        body, port = match.group(1), int(match.group(2))
    if body.startswith("`"):
        body = body[1:-1]
        if not body.strip():
            raise ExprSyntaxError("empty name between backticks", token.offset)
    return Ref(body, port, token.offset, text)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _start(expr: Expr) -> int:
    return expr.offset


def _end(expr: Expr) -> int:
    if isinstance(expr, Call | Subscript):
        return expr.end
    if isinstance(expr, Ref):
        return expr.offset + len(expr.text)
    return expr.offset + 1


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children, arguments in order."""
    stack: list[Expr] = [expr]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, Call):
            stack.extend(reversed([*item.args, *(v for _, v in item.kwargs)]))
        elif isinstance(item, ListExpr):
            stack.extend(reversed(item.items))
        elif isinstance(item, Subscript):
            stack.append(item.value)


def references(expr: Expr) -> list[Ref]:
    """The node references of an expression, in the order written (repeats included)."""
    return [item for item in walk(expr) if isinstance(item, Ref)]


def is_bare_name(name: str) -> bool:
    """Whether ``name`` can be written in an expression without backticks.

    >>> is_bare_name("conv_1"), is_bare_name("stage2.0.out"), is_bare_name("True")
    (True, False, False)
    """
    return bool(_BARE.fullmatch(name)) and name not in _KEYWORDS and not name.startswith("__")


# -- text ---------------------------------------------------------------------------------------


def to_text(expr: Expr) -> str:
    """The canonical text of an expression (minimal parentheses, operators spaced)."""
    return Writer(lambda r: ref_text(r.name, r.port), "", "'").text(expr)[0]


class Writer:
    """Writes an expression tree as text; subclasses write it for another language."""

    def __init__(self, name_of: Callable[[Ref], str], module: str, quote: str) -> None:
        self.name_of = name_of
        self.module = module
        self.quote = quote

    def text(self, expr: Expr) -> tuple[str, int]:
        """Text and the binding strength of its outermost operator."""
        if isinstance(expr, Const):
            neg = _negative(expr.value)
            return _const_text(expr.value, self.quote), _PRECEDENCE["neg"] if neg else _ATOM
        if isinstance(expr, Ref):
            return self.name_of(expr), _ATOM
        if isinstance(expr, ListExpr):
            return "[" + ", ".join(self.text(i)[0] for i in expr.items) + "]", _ATOM
        if isinstance(expr, Subscript):
            inner, prec = self.text(expr.value)
            inner = inner if prec == _ATOM else f"({inner})"
            return f"{inner}[{', '.join(_index_text(i) for i in expr.index)}]", _ATOM
        if expr.symbol == "-" and len(expr.args) == 1:
            inner, prec = self.text(expr.args[0])
            if prec < _PRECEDENCE["neg"]:
                inner = f"({inner})"
            return f"-{inner}", _PRECEDENCE["neg"]
        if expr.symbol is not None and len(expr.args) == 2:
            prec = _PRECEDENCE[expr.symbol]
            left, lp = self.text(expr.args[0])
            right, rp = self.text(expr.args[1])
            left, right = self.operand(expr.args[0], left), self.operand(expr.args[1], right)
            if expr.symbol == "**":
                left = left if lp > prec else f"({left})"
                right = right if rp >= _PRECEDENCE["neg"] else f"({right})"
            else:
                left = left if lp >= prec and not (prec == 1 and lp == 1) else f"({left})"
                right = right if rp > prec else f"({right})"
            return f"{left} {expr.symbol} {right}", prec
        parts = self.arguments(expr, [self.text(a)[0] for a in expr.args])
        parts += [f"{k}={self.text(v)[0]}" for k, v in expr.kwargs]
        return f"{self.module}{expr.func}({', '.join(parts)})", _ATOM

    def operand(self, expr: Expr, text: str) -> str:
        """The text of an operator's operand (a writer for another language may wrap it)."""
        return text

    def arguments(self, expr: Call, parts: list[str]) -> list[str]:
        """The texts of a call's positional arguments (a writer may wrap some)."""
        return parts


def ref_text(name: str, port: int = 0) -> str:
    """How a reference to output ``port`` of node ``name`` is written in an expression.

    >>> ref_text("enc", 1), ref_text("stage.0.out")
    ('enc:1', '`stage.0.out`')
    """
    body = name if is_bare_name(name) else f"`{name}`"
    return f"{body}:{port}" if port else body


def _negative(value: object) -> bool:
    return _is_number(value) and value < 0


def _const_text(value: object, quote: str = "'") -> str:
    if isinstance(value, str):
        return f"{quote}{value}{quote}"
    if isinstance(value, float):
        text = repr(value)
        return text if ("." in text or "e" in text or "n" in text) else text + ".0"
    return repr(value)


def _index_text(item: Index) -> str:
    if item is Ellipsis:
        return "..."
    if isinstance(item, Slice):
        parts = ["" if v is None else str(v) for v in (item.start, item.stop)]
        text = ":".join(parts)
        return text + (f":{item.step}" if item.step is not None else "")
    return str(item)
