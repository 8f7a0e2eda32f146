"""The specs a viewer serves: each one's page, rebuilt when its files change, cached meanwhile."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from graphspec.tools.view._page import build_page

__all__ = ["BLOCK_MODES", "SpecEntry", "SpecSet"]

BLOCK_MODES: Final = ("expand", "collapse")
_CACHE_SIZE: Final = 8

PageKey = tuple[str, frozenset[str], bool]
"""How a page is drawn: the block mode, the units toggled from it, and whether the blocks block
discovery suggests are drawn instead of the spec as written (a flat spec)."""

Stamp = tuple[int, int] | None
"""A file's state as last read: (mtime in ns, size), or None when it did not exist."""


def _stamp(path: Path) -> Stamp:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


@dataclass
class SpecEntry:
    """One spec file named on the command line, with its cached pages.

    ``version`` grows each time a file of the spec changes; a page is cached per drawing
    (block mode and toggled units) and per version, and rebuilt only when asked again.
    """

    index: int
    path: Path
    params: Mapping[str, Any] = field(default_factory=dict)
    max_boxes: int | None = None
    against: str | None = None
    """A git revision: the page draws the diff of the spec at it against the file."""
    version: int = 0
    files: frozenset[Path] = frozenset()
    last_key: PageKey = ("expand", frozenset(), False)
    _cache: dict[PageKey, tuple[int, bytes]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stamps: dict[Path, Stamp] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.files = frozenset({self.path.resolve()})

    def page(self, key: PageKey | None = None) -> bytes:
        """The page JSON of the current version, drawn as ``key`` says (the last one if None)."""
        key = key or self.last_key
        with self._lock:
            self.last_key = key
            cached = self._cache.get(key)
            if cached is not None and cached[0] == self.version:
                return cached[1]
            version = self.version
            data = build_page(
                self.path,
                params=self.params,
                blocks=key[0],
                toggled=key[1],
                suggest=key[2],
                max_boxes=self.max_boxes,
                against=self.against,
            )
            data["version"] = version
            data["index"] = self.index
            self.files = frozenset(
                {self.path.resolve(), *(Path(f).resolve() for f in data["files"])}
            )
            self._stamps = {path: _stamp(path) for path in self.files}
            body = json.dumps(data, ensure_ascii=False, allow_nan=False).encode("utf-8")
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = (version, body)
            return body

    def stale(self) -> bool:
        """Whether a file of the last page changed since it was read (seen by its stamp).

        The watcher asks this when it starts watching a new set of files: a file first named by
        a page (an include) may be saved before its folder is watched.
        """
        with self._lock:
            return any(_stamp(path) != stamp for path, stamp in self._stamps.items())

    def changed(self) -> int:
        """Note that a file of this spec changed; returns the new version."""
        with self._lock:
            self.version += 1
            return self.version


class SpecSet:
    """The specs named on the command line, by index (nothing else is ever served)."""

    def __init__(
        self,
        paths: Sequence[Path],
        params: Mapping[str, Any] | None = None,
        *,
        max_boxes: int | None = None,
        against: str | None = None,
    ) -> None:
        self.entries = [
            SpecEntry(i, path, dict(params or {}), max_boxes, against)
            for i, path in enumerate(paths)
        ]

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, index: int) -> SpecEntry | None:
        """The spec at ``index``, or None when there is none."""
        return self.entries[index] if 0 <= index < len(self.entries) else None

    def listing(self) -> list[dict[str, Any]]:
        """What the picker shows: index, name and file of every spec."""
        return [{"index": e.index, "name": e.path.stem, "file": str(e.path)} for e in self.entries]

    def watched(self) -> dict[Path, list[SpecEntry]]:
        """Every file any spec was read from -> the specs that read it."""
        out: dict[Path, list[SpecEntry]] = {}
        for entry in self.entries:
            for path in entry.files:
                out.setdefault(path, []).append(entry)
        return out
