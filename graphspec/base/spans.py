"""Where a YAML key or value ends, read from the text at its known start (no second parse)."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["block_end", "in_flow", "token_end", "word_end"]

_WORD: Final = re.compile(r"[^\s,\[\]{}#]+")
_CLOSE: Final = {"{": "}", "[": "]"}


def word_end(text: str, offset: int) -> int:
    """The offset just after the bare word starting at ``offset`` (``offset`` if none).

    >>> word_end("- pool1 -> add", 2)
    7
    """
    match = _WORD.match(text, offset)
    return match.end() if match else offset


def token_end(text: str, offset: int) -> int:
    """The offset just after the key or value whose text starts at ``offset``.

    A quoted scalar ends at its closing quote, a flow collection at its closing bracket, a plain
    scalar at the end of its line, before a comment, before ``: `` (it is a key), and before
    ``,``/``]``/``}`` inside a flow collection.

    >>> line = "  conv1: {type: Conv2D, filters: 32}  # first"
    >>> line[9:token_end(line, 9)], line[2:token_end(line, 2)]
    ('{type: Conv2D, filters: 32}', 'conv1')
    >>> line[16:token_end(line, 16)]
    'Conv2D'
    """
    if offset >= len(text):
        return offset
    first = text[offset]
    if first in _CLOSE:
        return _collection_end(text, offset)
    if first in "\"'":
        return _quoted_end(text, offset)
    return _plain_end(text, offset)


def block_end(text: str, offset: int) -> int:
    """The offset just after a block mapping or sequence that starts at ``offset``.

    It runs to the last line indented deeper than its start (sibling keys of a mapping and
    ``-`` items of a sequence at the same indent included); blank and comment lines do not count.

    >>> text = "a:\\n  b: 1\\n  c:\\n    - x\\n\\nd: 2\\n"
    >>> text[5:block_end(text, 5)]
    'b: 1\\n  c:\\n    - x'
    """
    column = offset - (text.rfind("\n", 0, offset) + 1)
    sequence = text.startswith("-", offset)
    newline = text.find("\n", offset)
    end = len(text) if newline < 0 else newline
    while newline >= 0:
        start = newline + 1
        newline = text.find("\n", start)
        line_end = len(text) if newline < 0 else newline
        line = text[start:line_end]
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        indent = len(line) - len(content)
        if indent < column or (indent == column and sequence and not content.startswith("-")):
            break
        end = line_end
    while end > offset and text[end - 1].isspace():
        end -= 1
    return end


def in_flow(text: str, offset: int) -> bool:
    """Whether ``offset`` lies inside a ``{...}`` or ``[...]`` opened earlier on its line.

    >>> in_flow("  d: {type: Dense}", 12), in_flow("  d: Dense", 6)
    (True, False)
    """
    start = text.rfind("\n", 0, offset) + 1
    depth = 0
    i = start
    while i < offset:
        ch = text[i]
        if ch in "\"'":
            i = _quoted_end(text, i)
            continue
        if ch == "#" and (i == start or text[i - 1].isspace()):
            return depth > 0
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth = max(depth - 1, 0)
        i += 1
    return depth > 0


def _plain_end(text: str, offset: int) -> int:
    flow = in_flow(text, offset)
    line_end = text.find("\n", offset)
    stop = len(text) if line_end < 0 else line_end
    i = offset
    while i < stop:
        ch = text[i]
        after = text[i + 1] if i + 1 < len(text) else "\n"
        if ch == "#" and i > offset and text[i - 1].isspace():
            break
        if ch == ":" and (after.isspace() or (flow and after in ",]}")):
            break  # the end of a key (a plain value never holds ": ": YAML refuses it)
        if flow and ch in ",]}":
            break
        i += 1
    while i > offset and text[i - 1].isspace():
        i -= 1
    return i


def _quoted_end(text: str, offset: int) -> int:
    quote = text[offset]
    i = offset + 1
    while i < len(text):
        ch = text[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if quote == "'" and text.startswith("''", i):
                i += 2
                continue
            return i + 1
        i += 1
    return len(text)


def _collection_end(text: str, offset: int) -> int:
    stack = [_CLOSE[text[offset]]]
    i = offset + 1
    while i < len(text) and stack:
        ch = text[i]
        if ch in "\"'" and text[i - 1] in " \t,[{:":
            i = _quoted_end(text, i)
            continue
        if ch == "#" and text[i - 1].isspace():
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline
            continue
        if ch in _CLOSE:
            stack.append(_CLOSE[ch])
        elif ch == stack[-1]:
            stack.pop()
        i += 1
    return i
