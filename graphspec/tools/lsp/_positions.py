"""graphspec's 1-based line/column (code points) to LSP's 0-based positions, in the negotiated units."""

from __future__ import annotations

from lsprotocol import types as lsp

from graphspec.base.source import Loc, SourceMap

__all__ = ["Lines", "to_range", "units"]


def units(text: str, encoding: str = "utf-16") -> int:
    """How many code units of the position encoding ``text`` takes.

    >>> units("😀x"), units("😀x", "utf-8"), units("😀x", "utf-32")
    (3, 5, 2)
    """
    if text.isascii() or encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


class Lines:
    """The lines of one document text, converting positions both ways.

    ``encoding`` is the position encoding agreed with the client (LSP's default is UTF-16;
    Neovim and Helix offer UTF-8 first).

    >>> lines = Lines("a: 1\\nb: 😀x\\n")
    >>> lines.position(Loc(2, 5))
    1:5
    >>> lines.loc(lsp.Position(line=1, character=5))
    Loc(line=2, column=5)
    >>> Lines("b: 😀x", "utf-8").position(Loc(1, 5))
    0:7
    """

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding
        self.lines = text.split("\n")

    def line(self, index: int) -> str:
        """Line ``index`` (0-based), or ``""`` past the end."""
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def position(self, loc: Loc) -> lsp.Position:
        """A 1-based line and code-point column as an LSP position."""
        line = self.line(loc.line - 1)
        col = max(loc.column - 1, 0)
        return lsp.Position(line=max(loc.line - 1, 0), character=units(line[:col], self.encoding))

    def loc(self, position: lsp.Position) -> Loc:
        """An LSP position as a 1-based line and code-point column."""
        line = self.line(position.line)
        col = position.character
        if not line.isascii() and self.encoding != "utf-32":
            count = 0
            for index, char in enumerate(line):
                if count >= col:
                    col = index
                    break
                count += units(char, self.encoding)
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
