"""Former home of atomic writes; the names stay as thin aliases of :mod:`graphspec.output`.

New code calls :mod:`graphspec.output` (``OutputPolicy``, ``write_text``, ``write_bytes``,
``writing``): every write, through these names or those, follows the one output policy.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphspec.output import write_bytes, write_text, writing

__all__ = ["atomic_path", "write_bytes_atomic", "write_text_atomic", "write_with"]

atomic_path = writing
"""Alias of :func:`graphspec.output.writing`."""


def write_text_atomic(target: str | os.PathLike[str], text: str, **policy: Any) -> None:
    """Alias of :func:`graphspec.output.write_text` (same keyword arguments)."""
    write_text(target, text, **policy)


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes, **policy: Any) -> None:
    """Alias of :func:`graphspec.output.write_bytes` (same keyword arguments)."""
    write_bytes(target, data, **policy)


def write_with(
    target: str | os.PathLike[str], writer: Callable[[Path], None], **policy: Any
) -> None:
    """Let ``writer`` fill a temporary path, then move it onto ``target`` under the policy."""
    with writing(target, **policy) as tmp:
        writer(tmp)
