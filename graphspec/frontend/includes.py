"""Spec files that name other spec files (``include:``, ``model: path.yaml``): the path policy.

A path is written relative to the file that names it, and must stay inside the folder tree of
the top-level spec (symlinks resolved) unless the user allows otherwise on the command line
(``--allow-outside``); cycles and nesting deeper than :data:`MAX_INCLUDE_DEPTH` are refused.
Everything here is plain path handling: a file is read by the ordinary, safe spec loader.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

from graphspec.base.suggest import did_you_mean
from graphspec.frontend.paths import SPEC_SUFFIXES

__all__ = [
    "INCLUDED",
    "MAX_INCLUDE_DEPTH",
    "IncludeContext",
    "IncludeError",
    "allow_outside",
    "current_context",
    "include_context",
    "outside_allowed",
    "read_cached",
    "resolve_include",
]

_T = TypeVar("_T")

INCLUDED: Final = "\x00include"
"""First key of the paths of an included file's entries (merged into the spec's source map)."""

MAX_INCLUDE_DEPTH: Final = 8
"""Deepest chain of spec files naming spec files."""

_ALLOW_OUTSIDE: ContextVar[bool] = ContextVar("graphspec_allow_outside", default=False)
_CONTEXT: ContextVar[IncludeContext | None] = ContextVar("graphspec_includes", default=None)


class IncludeError(Exception):
    """A path that may not be included; ``code`` is its diagnostic code (E845-E848)."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


@dataclass
class IncludeContext:
    """One check of a top-level spec: its folder tree, the files being read, what was read.

    Paths are resolved only when a spec names another file (most specs never do).
    """

    files: tuple[str, ...] = ()
    """The spec files being read, outermost first, as named."""
    cache: dict[Any, Any] = field(default_factory=dict)
    reported: set[Any] = field(default_factory=set)

    def entered(self, file: str) -> IncludeContext:
        """The same check, one file deeper."""
        return IncludeContext((*self.files, file), self.cache, self.reported)

    @property
    def root(self) -> Path:
        """The folder of the top-level spec (the working folder for a spec given as text)."""
        top = _real(self.files[0]) if self.files else None
        return top.parent if top is not None else Path.cwd().resolve()

    @property
    def stack(self) -> tuple[Path, ...]:
        """The files being read, resolved."""
        return tuple(p for p in (_real(f) for f in self.files) if p is not None)


@contextlib.contextmanager
def allow_outside(allowed: bool = True) -> Iterator[None]:
    """Let included paths leave the top-level spec's folder tree (``--allow-outside``)."""
    token = _ALLOW_OUTSIDE.set(allowed)
    try:
        yield
    finally:
        _ALLOW_OUTSIDE.reset(token)


def outside_allowed() -> bool:
    """Whether included paths may leave the top-level spec's folder tree now (``--allow-outside``)."""
    return _ALLOW_OUTSIDE.get()


def current_context() -> IncludeContext | None:
    """The include context of the check running now, if any."""
    return _CONTEXT.get()


@contextlib.contextmanager
def include_context(file: str) -> Iterator[IncludeContext]:
    """The context of checking the spec ``file``: a new one at the top, else one file deeper."""
    outer = _CONTEXT.get()
    if outer is None:
        context = IncludeContext((file,))
    else:
        context = outer.entered(file) if not file.startswith("<") else outer
    token = _CONTEXT.set(context)
    try:
        yield context
    finally:
        _CONTEXT.reset(token)


def _real(file: str) -> Path | None:
    if file.startswith("<"):
        return None
    try:
        return Path(file).resolve()
    except (OSError, RuntimeError):
        return None


def resolve_include(context: IncludeContext, including: str, written: Any) -> Path:
    """The file ``written`` names, as seen from the file ``including``; raises IncludeError.

    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp()).resolve()
    >>> _ = (root / "lib.yaml").write_text("blocks: {}")
    >>> top = IncludeContext((str(root / "top.yaml"),))
    >>> resolve_include(top, str(root / "top.yaml"), "lib.yaml") == root / "lib.yaml"
    True
    >>> resolve_include(top, str(root / "top.yaml"), "/etc/passwd")
    Traceback (most recent call last):
    ...
    graphspec.frontend.includes.IncludeError: `/etc/passwd` is an absolute path; spec files name others by paths relative to themselves
    """
    if not isinstance(written, str) or not written.strip():
        raise IncludeError(
            "E846", f"a spec file path must be a non-empty string; found {written!r}"
        )
    if "\x00" in written:
        raise IncludeError("E846", "a spec file path may not contain a NUL character")
    outside = _ALLOW_OUTSIDE.get()
    base = _real(including)
    root = context.root
    folder = base.parent if base is not None else root
    if os.path.isabs(written) and not outside:
        raise IncludeError(
            "E845",
            f"`{written}` is an absolute path; spec files name others by paths relative to "
            "themselves",
            hint="write a relative path, or allow paths outside the spec's folder tree with "
            "--allow-outside",
        )
    try:
        target = (folder / written).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise IncludeError("E846", f"`{written}` cannot be resolved: {exc}") from None
    if not outside and not target.is_relative_to(root):
        raise IncludeError(
            "E845",
            f"`{written}` leads to {target}, outside the folder tree of the top-level spec "
            f"({root})" + (" through a symlink" if _via_symlink(folder, written) else ""),
            hint="keep included specs beside the spec or below it, or allow paths outside with "
            "--allow-outside",
        )
    if target.suffix.lower() not in SPEC_SUFFIXES:
        raise IncludeError(
            "E846",
            f"`{written}` is not a spec file (expected a name ending in "
            f"{', '.join(SPEC_SUFFIXES)})",
        )
    if not target.is_file():
        siblings = [p.name for p in target.parent.glob("*") if p.suffix in SPEC_SUFFIXES]
        raise IncludeError(
            "E846",
            f"no such spec file: `{written}` (looked for {target})",
            hint=did_you_mean(target.name, siblings) if target.parent.is_dir() else None,
        )
    stack = context.stack
    if target in stack:
        chain = " -> ".join(p.name for p in (*stack[stack.index(target) :], target))
        raise IncludeError(
            "E847",
            f"`{written}` is already being read: the spec files include each other ({chain})",
            hint="a spec file may not include itself, directly or through others",
        )
    if len(stack) >= MAX_INCLUDE_DEPTH:
        raise IncludeError(
            "E848",
            f"spec files nest deeper than {MAX_INCLUDE_DEPTH} levels at `{written}`",
            hint="flatten the chain of included files",
        )
    return target


_FILES: dict[tuple[str, str, int, int], Any] = {}
_MAX_FILES: Final = 64


def read_cached(kind: str, path: Path, read: Callable[[Path], _T]) -> _T:
    """``read(path)``, reused while the file is unchanged (size and modification time).

    Included and nested spec files are read again by every check of the spec naming them (an
    editor checks on every change); their parsed form is kept across checks, per file state.
    """
    try:
        stat = path.stat()
    except OSError:
        return read(path)
    key = (kind, str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _FILES:
        if len(_FILES) >= _MAX_FILES:
            _FILES.pop(next(iter(_FILES)))
        _FILES[key] = read(path)
    value: _T = _FILES[key]  # read by ``read``: each kind of file is always read the same way
    return value


def _via_symlink(folder: Path, written: str) -> bool:
    path = folder
    for part in Path(written).parts:
        path = path / part
        if path.is_symlink():
            return True
    return False
