"""``REV:path``: a spec as it was at a git revision, with the files it includes from the same one.

``git show REV:path`` alone would give the spec but not its ``include:`` files or nested spec
files, which must come from the same revision. So the spec files (``*.yaml``, ``*.yml``,
``*.json``) of the spec's folder tree at ``REV`` — the tree its includes may name; the whole
repository with ``--allow-outside`` — are written to a temporary folder with the repository's
layout (``git ls-tree`` and one ``git cat-file --batch``), the spec is checked there, and every
diagnostic names ``REV:path`` instead of the temporary file. As in git, ``path`` is relative to
the working folder (``HEAD:specs/x.yaml`` from the repository's top, ``HEAD:x.yaml`` from
``specs/``); git runs with ``subprocess`` in that repository, never through a shell.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from graphspec.base.limits import MAX_FILE_BYTES
from graphspec.errors import Diagnostic, UsageError
from graphspec.frontend.includes import outside_allowed
from graphspec.frontend.paths import SPEC_SUFFIXES

__all__ = ["MAX_FILES", "Opened", "git_command", "open_copy", "open_spec", "parse_revision"]

MAX_FILES: Final = 5000
"""Most spec files one revision's folder tree may hold (beyond it: a usage error)."""

_TIMEOUT: Final = 60.0
_REVISION: Final = re.compile(r"(?P<rev>[^:\s][^:\n]*?):(?P<path>[^\n]+)")
_BLOB_MODES: Final = frozenset({"100644", "100755"})


@dataclass
class Opened:
    """A spec file materialised from a git revision: where it is now, and what it was called."""

    path: Path
    label: str
    root: Path
    rev: str
    top: Path
    sep: str = ":"
    """Between ``rev`` and the path in labels: ``HEAD~1:specs/x.yaml``, or ``a/specs/x.yaml``."""

    def relabel(self, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
        """Diagnostics naming ``REV:path`` (relative to the repository) instead of the copy."""
        out = []
        for diag in diagnostics:
            if diag.file and diag.file.startswith(str(self.root)):
                rel = Path(diag.file).relative_to(self.root).as_posix()
                diag = dataclasses.replace(diag, file=f"{self.rev}{self.sep}{rel}")
            out.append(diag)
        return out

    def close(self) -> None:
        """Remove the temporary folder."""
        shutil.rmtree(self.root, ignore_errors=True)


def parse_revision(text: str) -> tuple[str, str] | None:
    """``(rev, path)`` when ``text`` is ``REV:path`` and not an existing file, else ``None``.

    >>> parse_revision("HEAD~1:specs/x.yaml"), parse_revision("specs/x.yaml")
    (('HEAD~1', 'specs/x.yaml'), None)
    >>> parse_revision("inputs: {x: 1}") is None  # YAML text, not a revision
    True
    """
    if "\n" in text or len(text) > 4096:
        return None
    found = _REVISION.fullmatch(text)
    if found is None or found["path"].startswith(" "):
        return None
    rev, path = found["rev"], found["path"]
    if " " in rev or rev.startswith("-") or not path.endswith(SPEC_SUFFIXES):
        return None
    try:
        if Path(text).exists():
            return None
    except (OSError, ValueError):
        return None
    return rev, path


def git_command(args: Sequence[str], cwd: Path, *, data: bytes | None = None) -> bytes:
    """Run ``git ARGS`` in ``cwd``; its output, or :class:`UsageError` with git's own message."""
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=data,
            capture_output=True,
            timeout=_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as err:
        raise UsageError("`git` was not found: REV:path needs git installed") from err
    except subprocess.TimeoutExpired as err:
        raise UsageError(f"`git {' '.join(args[:2])}` took more than {_TIMEOUT:.0f} s") from err
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(message[-1] if message else f"`git {args[0]}` failed")
    return done.stdout


def open_spec(source: object, *, cwd: str | Path | None = None) -> Opened | None:
    """The spec ``REV:path`` materialised in a temporary folder (``None``: not a ``REV:path``).

    Raises :class:`UsageError` when git cannot read it (no repository, no such revision or file).
    """
    if not isinstance(source, str):
        return None
    parsed = parse_revision(source)
    if parsed is None:
        return None
    rev, written = parsed
    base = Path(cwd or os.getcwd()).resolve()
    try:
        found = git_command(["rev-parse", "--show-toplevel"], base)
    except UsageError as err:
        raise UsageError(f"{source}: not in a git repository ({err})") from None
    top = Path(found.decode("utf-8").strip()).resolve()
    target = (base / written).resolve() if not written.startswith("/") else Path(written)
    try:
        rel = PurePosixPath(target.relative_to(top).as_posix())
    except ValueError:
        raise UsageError(f"{source}: {written} is outside the repository {top}") from None
    try:
        git_command(["cat-file", "-e", f"{rev}:{rel}"], top)
    except UsageError as err:
        raise UsageError(f"{source}: git has no {rel} at {rev} ({err})") from None
    scope = "" if outside_allowed() else str(rel.parent) if str(rel.parent) != "." else ""
    root = Path(tempfile.mkdtemp(prefix="graphspec-rev-"))
    try:
        _materialise(rev, scope, top, root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return Opened(root / rel, f"{rev}:{rel}", root, rev, top)


def _listing(rev: str, scope: str, top: Path) -> list[str]:
    """The spec files (plain blobs) under ``scope`` at ``rev``, repository-relative."""
    args = ["ls-tree", "-r", "-z", "--full-tree", rev]
    if scope:
        args += ["--", scope]
    out = []
    for entry in git_command(args, top).split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.decode("utf-8", "surrogateescape").partition("\t")
        mode = meta.split(" ", 1)[0]
        parts = PurePosixPath(name).parts
        if mode in _BLOB_MODES and name.endswith(SPEC_SUFFIXES) and ".." not in parts:
            out.append(name)
    if len(out) > MAX_FILES:
        raise UsageError(
            f"{rev}: {len(out):,} spec files under {scope or 'the repository'} (most {MAX_FILES:,})"
        )
    return out


def _materialise(rev: str, scope: str, top: Path, root: Path) -> None:
    """Write the spec files of ``scope`` at ``rev`` under ``root`` (one ``git cat-file``)."""
    names = _listing(rev, scope, top)
    if not names:
        return
    sizes = [
        int(line.split()[-1])
        for line in _batch("--batch-check", rev, names, top).split(b"\n")
        if line
    ]
    small = [n for n, size in zip(names, sizes, strict=True) if size <= MAX_FILE_BYTES]
    for name, size in zip(names, sizes, strict=True):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if size > MAX_FILE_BYTES:  # the loader refuses it by its size, as for a working copy
            with (root / name).open("wb") as handle:
                handle.truncate(size)
    stream = _batch("--batch", rev, small, top) if small else b""
    at = 0
    for name in small:
        header_end = stream.index(b"\n", at)
        size = int(stream[at:header_end].split()[-1])
        (root / name).write_bytes(stream[header_end + 1 : header_end + 1 + size])
        at = header_end + 1 + size + 1


def _batch(mode: str, rev: str, names: list[str], top: Path) -> bytes:
    """``git cat-file --batch`` (or ``--batch-check``) of ``names`` at ``rev``."""
    request = "".join(f"{rev}:{name}\n" for name in names).encode("utf-8", "surrogateescape")
    return git_command(["cat-file", mode], top, data=request)


def open_copy(
    file: str | Path, path: str, label: str, *, cwd: str | Path | None = None
) -> Opened | None:
    """One side of ``path`` that git handed over as a temporary file (an external diff driver),
    placed at ``path`` among copies of the working tree's spec files of its folder tree, so that
    its includes resolve (git does not say which revision it comes from: see docs/diff.md).

    ``None`` when ``file`` is the working copy of ``path`` itself (read in place).
    """
    top = Path(cwd or os.getcwd()).resolve()
    given = Path(file)
    work = top / path
    try:
        if given.resolve() == work.resolve():
            return None
    except OSError:
        return None
    scope = top if outside_allowed() else work.parent
    root = Path(tempfile.mkdtemp(prefix="graphspec-side-"))
    try:
        _copy_tree(scope, top, root)
        target = root / PurePosixPath(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(given, target)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return Opened(target, f"{label}/{path}", root, label, top, sep="/")


def _copy_tree(scope: Path, top: Path, root: Path) -> None:
    """Copy the spec files under ``scope`` (``.git`` left out) to ``root``, laid out as in ``top``."""
    count = 0
    if not scope.is_dir():
        return
    for folder, dirs, files in os.walk(scope):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            source = Path(folder) / name
            if not name.endswith(SPEC_SUFFIXES) or not source.is_file():
                continue
            count += 1
            if count > MAX_FILES:
                raise UsageError(f"{scope}: more than {MAX_FILES:,} spec files")
            if source.stat().st_size > MAX_FILE_BYTES:
                continue
            target = root / source.relative_to(top)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
