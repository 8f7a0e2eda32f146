"""Spec paths: what counts as a spec file, folders of specs, and telling paths from YAML text."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from graphspec.errors import UsageError

__all__ = [
    "SPEC_SUFFIXES",
    "is_marked_spec",
    "looks_like_path",
    "missing_spec",
    "not_a_spec",
    "spec_file",
    "spec_files_in",
]

SPEC_SUFFIXES: Final = (".yaml", ".yml", ".json")
"""File name endings of spec files (JSON is YAML too)."""

_MARK_BYTES: Final = 64 * 1024
_MARKS: Final = re.compile(
    r"""^(?:graphspec|"graphspec"|'graphspec')[ \t]*:"""  # the top-level version key
    r"""|^[ \t]*"graphspec"[ \t]*:"""  # ... in a JSON spec
    r"""|^#[ \t]*yaml-language-server:[ \t]*\$schema=\S*graphspec""",  # the editor modeline
    re.MULTILINE,
)


_SHAPED: Final = re.compile(r"^(?:inputs|nodes|blocks)[ \t]*:", re.MULTILINE)
"""A top-level key only a spec has (a YAML spec without the marks is still one)."""
_SPEC_KEYS: Final = frozenset({"graphspec", "inputs", "nodes", "blocks"})
_MAX_JSON: Final = 16 * 1024 * 1024


def looks_like_path(text: str) -> bool:
    """True when a string given to :func:`graphspec.load` means a file rather than YAML text.

    One line naming a spec file (``.yaml``/``.yml``/``.json``), an existing file, or a word
    with no ``:`` (every spec has ``key: value`` pairs, so ``"specs/seed_skip"`` or ``"nope"``
    is a path, never a YAML string). Empty text and YAML flow collections (``[...]``) are text.

    >>> looks_like_path("specs/seed_skip"), looks_like_path("inputs: {x: {shape: [3]}}")
    (True, False)
    """
    if "\n" in text or len(text) > 4096:
        return False
    if text.endswith(SPEC_SUFFIXES):
        return True
    start = text.lstrip()[:1]
    if start and ":" not in text and (start.isalnum() or start in "./~_"):
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def spec_file(path: str | os.PathLike[str]) -> Path:
    """``path`` as a spec file, or :class:`UsageError`: no such file, a folder.

    >>> spec_file("no/such.yaml")
    Traceback (most recent call last):
    ...
    graphspec.errors.UsageError: no such spec file: no/such.yaml
    """
    file = Path(path)
    problem = missing_spec(file)
    if problem is not None:
        message, hint = problem
        said = f"{file} is {message}" if file.is_dir() else f"{message}: {file}"
        raise UsageError(said + (f" ({hint})" if hint else ""))
    return file


def missing_spec(file: Path) -> tuple[str, str | None] | None:
    """Why ``file`` cannot be a spec file (a message and a hint), or ``None`` when it can."""
    if file.is_dir():
        return "a folder, not a spec file", f"`graphspec validate {file}` checks every spec in it"
    if file.exists():
        return None
    for suffix in SPEC_SUFFIXES:
        candidate = Path(f"{file}{suffix}")
        if not file.suffix and candidate.is_file():
            return "no such spec file", f"did you mean {candidate}?"
    return "no such spec file", None


def spec_files_in(folder: str | os.PathLike[str]) -> list[Path]:
    """Every ``*.yaml``, ``*.yml`` and ``*.json`` file under ``folder``, sorted; hidden folders
    (``.git``, ``.venv``) are skipped."""
    return sorted(_walk(Path(folder)))


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(SPEC_SUFFIXES) and not name.startswith("."):
                yield Path(root, name)


def is_marked_spec(path: str | os.PathLike[str]) -> bool:
    """True when a file says it is a graphspec spec: a top-level ``graphspec:`` key or a
    ``# yaml-language-server: $schema=...graphspec...`` modeline (in its first 64 KiB)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_MARK_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return True  # unreadable: let the check report it
    return _MARKS.search(head.lstrip("\ufeff")) is not None


def not_a_spec(path: str | os.PathLike[str]) -> str | None:
    """Why a file found in a folder is not a spec, or ``None`` when it is (or may be) one.

    A YAML file is a spec when it marks itself (a top-level ``graphspec:`` key, the schema
    modeline) or has a top-level ``inputs``, ``nodes`` or ``blocks`` key; a JSON file when it
    is an object with one of those keys. graphspec's own outputs (``graphspec.schema.json``,
    a ``fit --history`` file) are not specs. Unreadable files are left to the check to report.
    """
    file = Path(path)
    try:
        if file.suffix.lower() == ".json":
            if file.stat().st_size > _MAX_JSON:
                return None
            data = json.loads(file.read_bytes())
            if isinstance(data, dict) and _SPEC_KEYS & set(data):
                return None
            return "a JSON file without a top-level `inputs`, `nodes` or `blocks` key"
        with open(file, "rb") as handle:
            head = handle.read(_MARK_BYTES).decode("utf-8", errors="replace").lstrip("\ufeff")
    except (OSError, ValueError):
        return None
    if _MARKS.search(head) or _SHAPED.search(head):
        return None
    return "no `graphspec:` key, no schema modeline, no top-level `inputs`, `nodes` or `blocks`"
