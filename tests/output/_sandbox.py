"""Helpers for output-policy tests: a snapshot of a folder tree, and a umask setter."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["snapshot", "umask"]


def snapshot(folder: Path) -> dict[str, tuple[str, object, int]]:
    """Every entry under ``folder``: its kind, content (bytes or link target) and mode."""
    seen: dict[str, tuple[str, object, int]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            rel = str(path.relative_to(folder))
            info = os.lstat(path)
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISLNK(info.st_mode):
                seen[rel] = ("link", os.readlink(path), 0)
            elif stat.S_ISDIR(info.st_mode):
                seen[rel] = ("dir", None, mode)
            else:
                seen[rel] = ("file", path.read_bytes(), mode)
    return seen


@contextlib.contextmanager
def umask(mask: int) -> Iterator[None]:
    """Run with the process umask set to ``mask``."""
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)
