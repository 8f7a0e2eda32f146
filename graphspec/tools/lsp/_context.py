"""Where the cursor is in a spec, read from the text alone (it works on half-written YAML)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from graphspec.tools.lsp.index import scope_id

__all__ = ["Context", "context_at"]

_KEY_LINE: Final = re.compile(r"^(\s*)(?:- )?([^\s#:{}\[\],][^#:{}\[\],]*?):(?:\s|$)")
_PARTIAL: Final = re.compile(r"[\w.:$-]*$")


@dataclass
class Context:
    """The cursor's surroundings.

    ``chain`` are the enclosing block-style keys, innermost first (``["conv1", "nodes"]`` on a
    node's argument line); ``prefix`` is the line up to the cursor and ``partial`` the word
    being typed; ``flow`` the unclosed ``{...``/``[...`` text on this line, if any.
    """

    line: int
    column: int
    prefix: str
    partial: str
    chain: list[str] = field(default_factory=list)
    flow: str | None = None
    siblings: dict[str, str] = field(default_factory=dict)
    """``key: value`` pairs written beside the cursor (same flow mapping or same block)."""

    @property
    def scope(self) -> str:
        """The scope holding the cursor (:func:`graphspec.tools.lsp.index.scope_id`): ``""`` at the
        top level, a block's name in its definition, ``nodes/stem/model`` inside the inline
        nested model of node ``stem`` (format 1.1).

        >>> Context(0, 0, "", "", ["conv", "nodes", "model", "stem", "nodes"]).scope
        'nodes/stem/model'
        """
        keys = list(reversed(self.chain))
        path: list[str] = []
        found, at_spec, i = 0, True, 0
        while i + 1 < len(keys):
            if at_spec and keys[i] == "blocks":
                path += keys[i : i + 2]
                found, at_spec, i = len(path), False, i + 2
            elif keys[i] == "nodes" and i + 2 < len(keys) and keys[i + 2] == "model":
                path += keys[i : i + 3]
                found, at_spec, i = len(path), True, i + 3
            else:
                break
        return scope_id(tuple(path[:found]))

    @property
    def section(self) -> str | None:
        """The innermost enclosing key among the spec's sections (nodes, edges, outputs, ...)."""
        local = self.chain[:]
        return local[0] if local else None


def context_at(lines: list[str], line: int, column: int) -> Context:
    """The context of a 0-based ``line`` and code-point ``column``.

    >>> text = ["nodes:", "  c1: {type: Conv2D, fil"]
    >>> ctx = context_at(text, 1, 24)
    >>> ctx.chain, ctx.partial, ctx.flow, ctx.siblings
    (['c1', 'nodes'], 'fil', '{type: Conv2D, fil', {'type': 'Conv2D'})
    """
    text = lines[line] if 0 <= line < len(lines) else ""
    prefix = text[:column]
    partial = _PARTIAL.search(prefix)
    ctx = Context(line, column, prefix, partial.group() if partial else "")
    indent = len(text) - len(text.lstrip(" "))
    own = _KEY_LINE.match(text)
    flow_at = _flow_start(prefix)
    if flow_at is not None:
        ctx.flow = prefix[flow_at:]
        if own is not None and own.end() <= flow_at + 1:
            ctx.chain.append(own.group(2).strip())
        ctx.siblings = _flow_pairs(text[flow_at:])
        indent = len(own.group(1)) if own is not None else indent
    else:
        ctx.siblings = _block_siblings(lines, line, indent)
    ctx.chain += _parents(lines, line, indent if text.strip() else column)
    return ctx


def _flow_start(prefix: str) -> int | None:
    """The offset of the outermost bracket still open at the end of ``prefix``."""
    stack: list[int] = []
    quote = ""
    for i, ch in enumerate(prefix):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or prefix[i - 1].isspace()):
            break
        elif ch in "{[":
            stack.append(i)
        elif ch in "}]" and stack:
            stack.pop()
    return stack[0] if stack else None


def _flow_pairs(flow: str) -> dict[str, str]:
    """``key: value`` pairs at the top of one flow mapping's text."""
    depth = 0
    pairs: dict[str, str] = {}
    item = ""
    for ch in flow[1:]:
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            if depth == 0:
                break
            depth -= 1
        if ch == "," and depth == 0:
            _pair(item, pairs)
            item = ""
            continue
        item += ch
    _pair(item, pairs)
    return pairs


def _pair(item: str, pairs: dict[str, str]) -> None:
    key, sep, value = item.partition(":")
    if sep and key.strip():
        pairs[key.strip()] = value.strip().strip("'\"")


def _block_siblings(lines: list[str], line: int, indent: int) -> dict[str, str]:
    """Keys written at ``indent`` in the block around ``line``."""
    pairs: dict[str, str] = {}
    for step in (-1, 1):
        i = line + step
        while 0 <= i < len(lines):
            text = lines[i]
            content = text.lstrip(" ")
            if content and not content.startswith("#"):
                here = len(text) - len(content)
                if here < indent:
                    break
                if here == indent:
                    match = _KEY_LINE.match(text)
                    if match:
                        pairs[match.group(2).strip()] = text[match.end() :].split(" #")[0].strip()
            i += step
    return pairs


def _parents(lines: list[str], line: int, indent: int) -> list[str]:
    """Block-style keys enclosing ``line``, innermost first."""
    chain = []
    i = line - 1
    while i >= 0 and indent > 0:
        text = lines[i]
        content = text.lstrip(" ")
        if content and not content.startswith("#"):
            here = len(text) - len(content)
            if here < indent:
                match = _KEY_LINE.match(text)
                if match is not None and not content.startswith("- "):
                    chain.append(match.group(2).strip())
                indent = here
        i -= 1
    return chain
