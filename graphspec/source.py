"""Source locations: where in the YAML file each spec element was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

__all__ = ["Given", "Loc", "Path", "SourceMap", "YamlSurprise", "describe_surprise"]

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
    fixed = raw.lower().replace("e", ".0e") if "." not in raw else raw
    plain = raw.lstrip("0") or "0"
    return (
        _SURPRISE_TEXT[surprise.kind].format(raw=raw, value=surprise.value),
        _SURPRISE_HINT[surprise.kind].format(raw=raw, plain=plain, fixed=fixed),
    )


@dataclass(frozen=True)
class Given:
    """A param value given outside the spec, e.g. by ``--set NAME=VALUE``.

    ``where`` is how the user wrote it (diagnostics about it are located there) and
    ``surprise`` what YAML 1.1 made of the text, when that likely differs from what was meant.
    """

    value: Any
    where: str
    surprise: YamlSurprise | None = None


@dataclass
class SourceMap:
    """Locations of keys and values by path, for one loaded file.

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
