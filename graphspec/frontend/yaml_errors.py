"""YAML syntax errors explained: the likely mistake, located where it was made, with a fix.

libyaml reports where parsing stopped ("did not find expected key" at the line after the
mistake). Each rule registered with :func:`syntax_rule` looks at the text around that point
and, when it recognises a mistake (a tab, a bracket never closed, a key indented off its
siblings, ``units:4``), says so at the place to edit. The first rule that recognises the
error wins; unrecognised errors keep libyaml's words, with a generic hint.

>>> import yaml
>>> text = "nodes:\\n  a: {type: Dense, units: 4\\n  b: {type: ReLU}\\n"
>>> try:
...     list(yaml.parse(text, Loader=yaml.SafeLoader))
... except yaml.MarkedYAMLError as err:
...     found = explain(text, err)
>>> found.line, found.column, found.message
(2, 6, '`{` is never closed')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, NamedTuple

import yaml

from graphspec.base.registry import Registry
from graphspec.frontend.spec import Spec

__all__ = ["SYNTAX_RULES", "Explained", "SyntaxContext", "explain", "syntax_rule"]


@dataclass(frozen=True)
class Explained:
    """A YAML syntax error as the user should read it: where, what, how to fix it."""

    line: int | None
    column: int | None
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class SyntaxContext:
    """What a rule sees: the text's lines and libyaml's error (1-based marks)."""

    lines: list[str]
    problem: str
    context: str
    problem_at: tuple[int, int] | None
    context_at: tuple[int, int] | None

    def line(self, number: int) -> str:
        """Line ``number`` (1-based), without its end of line; ``""`` past the end."""
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def char(self, at: tuple[int, int] | None) -> str:
        """The character at a (line, column) mark, ``""`` at an end."""
        if at is None:
            return ""
        text = self.line(at[0])
        return text[at[1] - 1] if 0 < at[1] <= len(text) else ""


Rule = Callable[[SyntaxContext], Explained | None]
SYNTAX_RULES: Registry[str, Rule] = Registry("YAML syntax rule")
"""Rule name -> rule, tried in registration order."""


def syntax_rule(name: str) -> Callable[[Rule], Rule]:
    """Register a YAML syntax-error rule."""

    return SYNTAX_RULES.register(name)


def explain(text: str, err: yaml.MarkedYAMLError) -> Explained:
    """The clearest account of a YAML syntax error in ``text``."""
    ctx = SyntaxContext(
        lines=text.splitlines(),
        problem=err.problem or "",
        context=err.context or "",
        problem_at=_mark(err.problem_mark),
        context_at=_mark(err.context_mark),
    )
    for rule in SYNTAX_RULES.values():
        found = rule(ctx)
        if found is not None:
            return found
    at = ctx.problem_at or ctx.context_at
    return Explained(
        at[0] if at else None,
        at[1] if at else None,
        f"YAML syntax error: {ctx.problem or ctx.context or 'malformed YAML'}",
        "check the indentation, brackets and quotes on this line and the one before",
    )


def _mark(mark: yaml.Mark | None) -> tuple[int, int] | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


# -- tabs -----------------------------------------------------------------------------------


def _leading(text: str) -> str:
    """The blanks (spaces and tabs) ``text`` starts with."""
    return text[: len(text) - len(text.lstrip(" \t"))]


@syntax_rule("tab")
def _tab(ctx: SyntaxContext) -> Explained | None:
    """A tab in indentation (YAML forbids it), at or before where parsing stopped."""
    if ctx.problem_at is not None and ctx.char(ctx.problem_at) == "\t":
        line, column = ctx.problem_at
    else:
        last = (ctx.problem_at or (len(ctx.lines), 1))[0]
        found = [
            (n, _leading(ctx.line(n)).index("\t") + 1)
            for n in range(1, last + 1)
            if "\t" in _leading(ctx.line(n))
        ]
        if not found:
            return None
        line, column = found[-1]
    return Explained(
        line,
        column,
        "tab character: YAML indents with spaces",
        "replace it with spaces, as many as the lines it should line up with",
    )


# -- quotes and brackets --------------------------------------------------------------------

_GLUED_QUOTE: Final = re.compile(r"(?:^|[\s{,\[])(?:- +)?([A-Za-z_][\w.\-]*):([\"'])")


@syntax_rule("unquoted-expression")
def _unquoted_expression(ctx: SyntaxContext) -> Explained | None:
    """``{units: ${width}}``: inside ``{...}`` or ``[...]``, YAML reads ``${`` as ``$`` and a
    mapping; the expression must be quoted."""
    at = ctx.problem_at
    if at is None or "flow" not in ctx.context or ctx.char(at) != "{":
        return None
    text = ctx.line(at[0])
    if at[1] < 2 or text[at[1] - 2] != "$":
        return None
    end = text.find("}", at[1])
    expression = text[at[1] - 2 : end + 1] if end >= 0 else text[at[1] - 2 :].rstrip()
    inside = "`{...}` mapping" if "mapping" in ctx.context else "`[...]` list"
    return Explained(
        at[0],
        at[1] - 1,
        f"`{expression}` inside a {inside} must be quoted: unquoted, YAML reads its `{{` as "
        "the start of a mapping",
        f'write "{expression}" (in quotes), as every `${{...}}` in a flow collection',
    )


@syntax_rule("glued-quote")
def _glued_quote(ctx: SyntaxContext) -> Explained | None:
    """``{units:"${n}"}``: the key glued to its quoted value; YAML then sees a quoted string
    opening at the closing quote, never closed."""
    if "quoted scalar" not in ctx.context or ctx.context_at is None:
        return None
    line, column = ctx.context_at
    text = ctx.line(line)
    quote = ctx.char(ctx.context_at)
    for found in _GLUED_QUOTE.finditer(text[: column - 1]):
        name, opener = found.group(1), found.group(2)
        if opener != quote:
            continue
        start = found.start(2)
        close = text.find(quote, start + 1)
        value = text[start : close + 1] if close >= 0 else text[start:]
        return Explained(
            line,
            found.end(1) + 1,
            f"missing space after `:` in `{name}:{value}`",
            f"write `{name}: {value}`: YAML needs a space after the colon of a key",
        )
    return None


@syntax_rule("unclosed-quote")
def _unclosed_quote(ctx: SyntaxContext) -> Explained | None:
    if "quoted scalar" not in ctx.context or ctx.context_at is None:
        return None
    quote = ctx.char(ctx.context_at) or '"'
    return Explained(
        *ctx.context_at,
        f"the string opened with `{quote}` here is never closed",
        f"close it with a matching `{quote}` (a quoted string cannot run to the end of the file)",
    )


_CLOSE: Final = {"{": "}", "[": "]"}
_OPEN: Final = {v: k for k, v in _CLOSE.items()}
_KIND: Final = {"{": "mapping", "[": "list"}


class _BracketProblem(NamedTuple):
    """A closing bracket that does not match: ``opener`` is ``None`` if it closes nothing."""

    opener: tuple[str, int, int] | None
    closer: tuple[int, int]


def _scan(
    ctx: SyntaxContext, upto: tuple[int, int]
) -> tuple[list[tuple[str, int, int]], _BracketProblem | None]:
    """Open brackets (char, line, column) before ``upto``, and the first bracket problem.

    The problem is ``None`` when every closing bracket matches. Quoted strings and comments are
    skipped.
    """
    stack: list[tuple[str, int, int]] = []
    for number in range(1, upto[0] + 1):
        text = ctx.line(number)
        end = upto[1] - 1 if number == upto[0] else len(text)
        quote = ""
        for index, char in enumerate(text[: end + 1]):
            if quote:
                quote = "" if char == quote else quote
                continue
            if char in "'\"" and (index == 0 or text[index - 1] in " \t,[{:"):
                quote = char
            elif char == "#" and (index == 0 or text[index - 1] in " \t"):
                break
            elif char in _CLOSE:
                stack.append((char, number, index + 1))
            elif char in _OPEN:
                if not stack:
                    return stack, _BracketProblem(None, (number, index + 1))
                if stack[-1][0] != _OPEN[char]:
                    return stack, _BracketProblem(stack[-1], (number, index + 1))
                stack.pop()
    return stack, None


@syntax_rule("brackets")
def _brackets(ctx: SyntaxContext) -> Explained | None:
    flow = "flow" in ctx.context or "expected ','" in ctx.problem
    at = ctx.problem_at
    if at is None or not (flow or ctx.char(at) in _OPEN):
        return None
    stack, problem = _scan(ctx, at)
    if problem is not None and problem.opener is not None:
        opener, closer = problem.opener, problem.closer
        want, got = _CLOSE[opener[0]], ctx.char(closer)
        return Explained(
            opener[1],
            opener[2],
            f"`{opener[0]}` is closed by `{got}` at line {closer[0]}, column {closer[1]}",
            f"close the {_KIND[opener[0]]} with `{want}` before that `{got}`",
        )
    if problem is not None:
        closer = problem.closer
        got = ctx.char(closer)
        return Explained(
            *closer,
            f"`{got}` closes nothing",
            f"remove it, or open the {_KIND[_OPEN[got]]} with `{_OPEN[got]}` before it",
        )
    if flow and stack and ctx.char(at) == ":" and at[0] == stack[-1][1]:
        char = stack[-1][0]
        return Explained(
            *at,
            f"a second `:` inside `{char}...{_CLOSE[char]}`: a value cannot hold `: ` unquoted",
            "quote the value (`key: 'a: b'`), or add the missing `,` between two entries",
        )
    if flow and stack:
        char, line, column = stack[-1]
        return Explained(
            line,
            column,
            f"`{char}` is never closed",
            f"close the {_KIND[char]} with `{_CLOSE[char]}` (at the end of line {line}, if it "
            "was meant to fit on one line)",
        )
    return None


# -- a missing space ------------------------------------------------------------------------

_KEY_NO_SPACE: Final = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][\w.\-]*):([^\s:/])")
_DASH_NO_SPACE: Final = re.compile(r"^(\s*)-([^\s\-])")


@syntax_rule("missing-space")
def _missing_space(ctx: SyntaxContext) -> Explained | None:
    """``units:4`` (a key without a space after its colon), ``-a -> b`` (a list dash)."""
    if "simple key" not in ctx.context or ctx.context_at is None:
        return None
    number = ctx.context_at[0]
    text = ctx.line(number)
    key = _KEY_NO_SPACE.match(text)
    if key:
        lead, name, _ = key.groups()
        column = len(lead) + len(name) + 1
        value = text[column:].strip()
        return Explained(
            number,
            column,
            f"missing space after `:` in `{name}:{value}`",
            f"write `{name}: {value}`: YAML needs a space after the colon of a key",
        )
    dash = _DASH_NO_SPACE.match(text)
    if dash:
        column = len(dash.group(1)) + 1
        item = text[column:].strip()
        return Explained(
            number,
            column,
            f"missing space after `-` in `-{item}`",
            f"write `- {item}`: a list item starts with a dash and a space",
        )
    return None


# -- indentation ----------------------------------------------------------------------------

_TOP_KEYS: Final = frozenset(Spec.model_fields)
_KEY_LINE: Final = re.compile(r"^( *)(?:- +)?([^\s#:][^:#]*?)\s*:(\s|$)")


def _content_lines_before(ctx: SyntaxContext, number: int) -> list[int]:
    return [
        n
        for n in range(number - 1, 0, -1)
        if ctx.line(n).strip() and not ctx.line(n).lstrip().startswith("#")
    ]


@syntax_rule("indentation")
def _indentation(ctx: SyntaxContext) -> Explained | None:
    """A key indented off the levels around it, or under a key that already has a value."""
    at = ctx.problem_at
    if at is None or not (
        "expected key" in ctx.problem
        or "block end" in ctx.problem
        or "mapping values are not allowed" in ctx.problem
    ):
        return None
    text = ctx.line(at[0])
    key = _KEY_LINE.match(text)
    if key is None:
        return None
    indent, name = len(key.group(1)), key.group(2)
    levels: dict[int, str] = {}  # indentation -> the nearest key written at it, going up
    deepest = 10**9
    previous: tuple[int, str, bool] | None = None
    for n in _content_lines_before(ctx, at[0]):
        above = _KEY_LINE.match(ctx.line(n))
        if above is None:
            continue
        width = len(above.group(1))
        has_value = bool(ctx.line(n)[above.end() :].strip()) and not ctx.line(n).rstrip().endswith(
            ":"
        )
        if previous is None:
            previous = (width, above.group(2), has_value)
        if width < deepest:
            levels.setdefault(width, above.group(2))
            deepest = width
        if width == 0:
            break
    if previous is not None and indent > previous[0] and not previous[2]:
        return None  # the first key under `parent:`: its indentation is its own
    if previous is not None and indent > previous[0] and previous[2]:
        return Explained(
            at[0],
            indent + 1,
            f"key `{name}` is indented more than `{previous[1]}` above it, which already has a "
            "value",
            f"indent `{name}` like `{previous[1]}` ({_spaces(previous[0])}) to make it a "
            f"sibling, or end `{previous[1]}:` with nothing after the colon to nest under it",
        )
    if indent in levels or not levels:
        return None
    # between two levels: a top-level spec key goes to the top, any other key continues the
    # mapping being written on the line above
    writing = 0 if name in _TOP_KEYS else previous[0] if previous is not None else -1
    ranked = sorted(levels, key=lambda w: (abs(w - indent), abs(w - writing), w))
    nearest = ranked[0]
    around = ", ".join(f"`{k}` at {_spaces(w)}" for w, k in sorted(levels.items()))
    parents = [w for w in levels if w < nearest]
    under = f" (a key of `{levels[max(parents)]}`)" if parents and nearest == writing else ""
    fix = (
        f"write `{name}` at the start of the line, like `{levels[nearest]}`"
        if nearest == 0
        else f"indent `{name}` with {_spaces(nearest)} like `{levels[nearest]}`{under}"
    )
    other = ranked[1] if len(ranked) > 1 else None
    if other is not None and abs(other - indent) == abs(nearest - indent) and name not in _TOP_KEYS:
        fix += f"; with {_spaces(other)} it would be a sibling of `{levels[other]}`"
    return Explained(
        at[0],
        indent + 1,
        f"key `{name}` is indented {_spaces(indent)}, which lines up with no key before it "
        f"({around})",
        fix,
    )


def _spaces(count: int) -> str:
    return f"{count} space{'s' * (count != 1)}"


@syntax_rule("colon-in-value")
def _colon_in_value(ctx: SyntaxContext) -> Explained | None:
    """``a: b: c`` — a second ``: `` on a line that already has a key."""
    at = ctx.problem_at
    if at is None or "mapping values are not allowed" not in ctx.problem:
        return None
    text = ctx.line(at[0])
    key = _KEY_LINE.match(text)
    if key is None or key.end() >= at[1]:
        return None
    value = text[key.end() :].strip()
    return Explained(
        at[0],
        at[1],
        f"a second `:` on the line of key `{key.group(2)}`: `{value}` cannot be a plain value",
        f"quote the value (`{key.group(2)}: '{value}'`), or put it on its own line, indented",
    )
