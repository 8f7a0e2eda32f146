"""Source locations: where in the YAML file each spec element was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["Loc", "Path", "SourceMap", "YamlSurprise"]

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
