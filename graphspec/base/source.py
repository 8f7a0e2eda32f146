"""Source locations: where in the YAML file each spec element was written."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from graphspec.base.spans import block_end, token_end, word_end

__all__ = [
    "Given",
    "Loc",
    "Path",
    "SourceMap",
    "YamlSurprise",
    "describe_surprise",
    "yaml11_float",
]

Path = tuple[str | int, ...]
"""A key path into the loaded document, e.g. ``("nodes", "conv1", "filters")``."""


class Loc(NamedTuple):
    """A 1-based line and column (a named tuple: cheap to make by the hundred thousand)."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class YamlSurprise:
    """A YAML 1.1 reading that likely differs from what the author meant.

    ``kind`` is one of ``bool``, ``octal``, ``sexagesimal``, ``float-string``; ``raw`` is the text
    as written and ``value`` what YAML made of it.
    """

    kind: str
    raw: str
    value: Any


_SURPRISE_TEXT: Final = {
    "bool": "YAML 1.1 reads `{raw}` as the boolean {value}",
    "octal": "YAML 1.1 reads `{raw}` as the octal number {value}",
    "sexagesimal": "YAML 1.1 reads `{raw}` as the base-60 number {value}",
    "float-string": "YAML 1.1 reads `{raw}` as a string, not a number",
}
_SURPRISE_HINT: Final = {
    "bool": "quote it (`'{raw}'`) for text, or write true/false",
    "octal": "write `{plain}` for decimal, or `0o{plain}` for octal",
    "sexagesimal": "quote it (`'{raw}'`) if you meant text",
    "float-string": "write it with a dot and a signed exponent, e.g. `{fixed}`",
}


def describe_surprise(surprise: YamlSurprise) -> tuple[str, str]:
    """What YAML 1.1 made of the text, and how to write what was meant (one wording everywhere).

    >>> describe_surprise(YamlSurprise("float-string", "1e-3", "1e-3"))
    ('YAML 1.1 reads `1e-3` as a string, not a number', 'write it with a dot and a signed exponent, e.g. `1.0e-3`')
    """
    raw = surprise.raw
    fixed = yaml11_float(raw) or raw
    plain = raw.lstrip("0") or "0"
    value = surprise.value
    shown = ("true" if value else "false") if isinstance(value, bool) else value
    return (
        _SURPRISE_TEXT[surprise.kind].format(raw=raw, value=shown),
        _SURPRISE_HINT[surprise.kind].format(raw=raw, plain=plain, fixed=fixed),
    )


def yaml11_float(raw: str) -> str | None:
    """``1e-3`` written so that YAML 1.1 reads a number (a dot, a signed exponent); else None.

    >>> yaml11_float("1e-3"), yaml11_float("5E4"), yaml11_float("2.5e2"), yaml11_float("x")
    ('1.0e-3', '5.0e+4', '2.5e+2', None)
    """
    mantissa, sep, exponent = raw.lower().partition("e")
    if not sep or not exponent:
        return None
    try:
        float(raw)
    except ValueError:
        return None
    if "." not in mantissa:
        mantissa += ".0"
    if exponent[0] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}"


@dataclass(frozen=True)
class Given:
    """A param value given outside the spec, e.g. by ``--set NAME=VALUE``.

    ``where`` is how the user wrote it (diagnostics about it are located there) and
    ``surprise`` what YAML 1.1 made of the text, when that likely differs from what was meant.
    """

    value: Any
    where: str
    surprise: YamlSurprise | None = None


_NEWLINE = re.compile("\n")


@dataclass
class SourceMap:
    """Locations of keys and values by path, for one loaded file, and the text they were read from.

    Ends are read from :attr:`text` on demand (:meth:`span`, :meth:`end_of`): recording them while
    loading made the loader 45% slower, for positions only a diagnostic or an editor asks for.

    >>> sm = SourceMap("spec.yaml")
    >>> sm.values[("nodes",)] = Loc(4, 1)
    >>> sm.at(("nodes", "conv1", "filters"))
    Loc(line=4, column=1)
    """

    file: str
    values: dict[Path, Loc] = field(default_factory=dict)
    keys: dict[Path, Loc] = field(default_factory=dict)
    surprises: dict[Path, YamlSurprise] = field(default_factory=dict)
    styles: dict[Path, str] = field(default_factory=dict)
    """The style of string scalars not written plain: ``'``, ``"``, ``|`` or ``>``."""
    text: str = field(default="", repr=False, compare=False)
    _starts: dict[Loc, tuple[Path, bool]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _lines: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    def at(self, path: Path) -> Loc | None:
        """Where the value at ``path`` starts, else its nearest located ancestor."""
        while True:
            loc = self.values.get(path)
            if loc is not None or not path:
                return loc
            path = path[:-1]

    def key_at(self, path: Path) -> Loc | None:
        """Where the key leading to ``path`` was written, else the value's location."""
        return self.keys.get(path) or self.at(path)

    # -- ends, read from the text ---------------------------------------------------------------

    def span(self, path: Path, *, key: bool = False) -> tuple[Loc, Loc] | None:
        """Start and end (exclusive) of the value at ``path``, or of its key.

        >>> from graphspec.frontend.loader import load_document
        >>> sm = load_document("nodes: {d: {type: Dense}}\\n").source
        >>> sm.span(("nodes", "d", "type"))
        (Loc(line=1, column=19), Loc(line=1, column=24))
        >>> sm.span(("nodes", "d"), key=True)
        (Loc(line=1, column=9), Loc(line=1, column=10))
        """
        start = (self.keys if key else self.values).get(path)
        if start is None:
            return None
        if not key and self._is_block(start):
            offset = self.offset(start)
            assert offset is not None
            return start, self.loc_at(block_end(self.text, offset))
        end = self.end_of(start, whole=True)
        return (start, end) if end is not None else None

    def text_of(self, path: Path) -> str | None:
        """The text written for the value at ``path`` (quotes included), when it is located.

        >>> from graphspec.frontend.loader import load_document
        >>> sm = load_document("nodes: {d: {units: '${w / 3}'}}\\n").source
        >>> sm.text_of(("nodes", "d", "units"))
        "'${w / 3}'"
        """
        found = self.span(path)
        if found is None:
            return None
        a, b = self.offset(found[0]), self.offset(found[1])
        return self.text[a:b] if a is not None and b is not None else None

    def _is_block(self, start: Loc) -> bool:
        """Whether a value starting at ``start`` is a block mapping or sequence."""
        found = self.located(start)
        if found is not None and found[1]:
            return True  # a mapping value starting where its first key does
        offset = self.offset(start)
        return offset is not None and self.text.startswith(("- ", "-\n"), offset)

    def located(self, loc: Loc) -> tuple[Path, bool] | None:
        """The path whose key (``True``) or value (``False``) starts at ``loc``; keys win.

        The index is built on first use, so only runs that report something pay for it.
        """
        if self._starts is None:
            starts: dict[Loc, tuple[Path, bool]] = {}
            for path, start in self.values.items():
                if not _foreign(path):
                    starts[start] = (path, False)
            for path, start in self.keys.items():
                if not _foreign(path):
                    starts[start] = (path, True)
            self._starts = starts
        return self._starts.get(loc)

    def end_of(self, loc: Loc, *, whole: bool | None = None) -> Loc | None:
        """Where the key or value written at ``loc`` ends (a bare word for any other place).

        ``whole`` forces the choice; by default a recorded key or value start is read whole.

        >>> from graphspec.frontend.loader import load_document
        >>> sm = load_document("edges: [a -> bb]\\n").source
        >>> sm.end_of(Loc(1, 8)), sm.end_of(Loc(1, 14))
        (Loc(line=1, column=17), Loc(line=1, column=16))
        """
        offset = self.offset(loc)
        if offset is None:
            return None
        if whole is None:
            whole = self.located(loc) is not None
        end = token_end(self.text, offset) if whole else word_end(self.text, offset)
        return self.loc_at(end) if end > offset else None

    def offset(self, loc: Loc) -> int | None:
        """The character offset of a 1-based line and column in :attr:`text`, if inside it."""
        starts = self._line_starts()
        if not 1 <= loc.line <= len(starts) or loc.column < 1:
            return None
        offset = starts[loc.line - 1] + loc.column - 1
        return offset if offset <= len(self.text) else None

    def loc_at(self, offset: int) -> Loc:
        """The 1-based line and column of a character offset in :attr:`text`."""
        starts = self._line_starts()
        line = bisect.bisect_right(starts, offset)
        return Loc(line, offset - starts[line - 1] + 1)

    def _line_starts(self) -> list[int]:
        if self._lines is None:
            self._lines = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        return self._lines


def _foreign(path: Path) -> bool:
    """A path merged in from another file (an included file's entries, under a first key that
    starts with NUL): its locations are in that file's text, never in this one's."""
    return bool(path) and isinstance(path[0], str) and path[0].startswith("\x00")
