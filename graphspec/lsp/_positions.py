"""graphspec's 1-based line/column (code points) to LSP's 0-based positions (UTF-16 units)."""

from __future__ import annotations

from lsprotocol import types as lsp

from graphspec.source import Loc, SourceMap

__all__ = ["Lines", "to_range"]


class Lines:
    """The lines of one document text, converting positions both ways.

    >>> lines = Lines("a: 1\\nb: 😀x\\n")
    >>> lines.position(Loc(2, 5))
    1:5
    >>> lines.loc(lsp.Position(line=1, character=5))
    Loc(line=2, column=5)
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")

    def line(self, index: int) -> str:
        """Line ``index`` (0-based), or ``""`` past the end."""
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def position(self, loc: Loc) -> lsp.Position:
        """A 1-based line and code-point column as an LSP position."""
        line = self.line(loc.line - 1)
        col = max(loc.column - 1, 0)
        if not line.isascii():
            col = _utf16_len(line[:col])
        return lsp.Position(line=max(loc.line - 1, 0), character=col)

    def loc(self, position: lsp.Position) -> Loc:
        """An LSP position as a 1-based line and code-point column."""
        line = self.line(position.line)
        col = position.character
        if not line.isascii():
            units = 0
            for index, char in enumerate(line):
                if units >= col:
                    col = index
                    break
                units += 2 if ord(char) > 0xFFFF else 1
            else:
                col = len(line)
        return Loc(position.line + 1, min(col, len(line)) + 1)

    def range(self, start: Loc, end: Loc | None = None) -> lsp.Range:
        """An LSP range; with no end, up to the end of the start's line."""
        if end is None:
            end = Loc(start.line, len(self.line(start.line - 1)) + 1)
        return lsp.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: lsp.Position) -> int:
        """The character offset of an LSP position in the text."""
        loc = self.loc(position)
        return sum(len(line) + 1 for line in self.lines[: loc.line - 1]) + loc.column - 1


def to_range(lines: Lines, source: SourceMap, start: Loc) -> lsp.Range:
    """The range of the key or value written at ``start`` (its whole text)."""
    return lines.range(start, source.end_of(start))


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)
